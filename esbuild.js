// Bundles the extension host (dist/extension.js), the collector's thread (dist/collectorWorker.js), the command
// line (dist/cli.js) and one browser bundle per webview. `--production` minifies; `--watch` rebuilds on change.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  // The AWS SDK ships ES module builds that esbuild tree-shakes better than the CJS ones.
  mainFields: ['module', 'main'],
};

// Heavy parts that are their own bundles, required on first use, so that loading and activating the extension
// does not parse them: the AWS SDK source (src/sources/loadXrayApiSource.ts) and the OTLP protobuf codec
// (src/collector/otlpDecoder.ts). The importer's `require('./x')` stays a require of dist/x.js.
const lazyBundles = [
  { importer: 'loadXrayApiSource.ts', module: 'xrayApiSource', entry: 'src/sources/xrayApiSource.ts' },
  { importer: 'otlpDecoder.ts', module: 'otlpProtobuf', entry: 'src/collector/otlpProtobuf.ts' },
  // web-tree-sitter, the code mapping and the statistics: loaded on the first lens request.
  { importer: 'loadLatencyEngine.ts', module: 'latencyEngine', entry: 'src/features/latencyLens/latencyEngine.ts' },
  // web-tree-sitter and the instrumentation edit modules: loaded by the first instrumentation command or light-bulb
  // request. Its own copy of web-tree-sitter's JavaScript (the grammars are the shared files in dist/tree-sitter/),
  // so that neither feature's first use pays for the other's code.
  { importer: 'loadInstrumentEngine.ts', module: 'instrumentEngine', entry: 'src/features/instrumentation/instrumentEngine.ts' },
  // A trace file opened as a source: its own store and read API (src/collector/traceFileServer.ts).
  { importer: 'loadTraceFileServer.ts', module: 'traceFileServer', entry: 'src/collector/traceFileServer.ts' },
];
const lazyBundlesPlugin = {
  name: 'lazy-bundles',
  setup(build) {
    for (const { importer, module } of lazyBundles) {
      build.onResolve({ filter: new RegExp(`^\\./${module}$`) }, (args) =>
        args.importer.endsWith(importer) ? { path: `./${module}.js`, external: true } : undefined);
    }
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyBundlesPlugin] },
  { ...nodeCommon, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [lazyBundlesPlugin] },
  // The collector's thread (src/collector/collectorThread.ts starts dist/collectorWorker.js beside the extension).
  { ...nodeCommon, entryPoints: ['src/collector/collectorWorker.ts'], outfile: 'dist/collectorWorker.js', plugins: [lazyBundlesPlugin] },
  // A lazy bundle that itself loads one (the trace-file server's OTLP decoder) keeps it in its own file too.
  ...lazyBundles.map(({ module, entry }) => ({ ...nodeCommon, entryPoints: [entry], outfile: `dist/${module}.js`, plugins: [lazyBundlesPlugin] })),
];

// A webview entry is webview/<name>/main.ts → dist/webview/<name>.js (browser, IIFE).
const browserCommon = {
  bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: production,
  sourcemap: !production, logLevel: 'warning', metafile: true,
};
const webviewDir = path.join(__dirname, 'webview');
if (fs.existsSync(webviewDir)) {
  for (const name of fs.readdirSync(webviewDir)) {
    const entry = path.join('webview', name, 'main.ts');
    if (fs.existsSync(entry)) builds.push({ ...browserCommon, entryPoints: [entry], outfile: `dist/webview/${name}.js` });
  }
  // The service map's ELK for the page's main thread, loaded only when its layout worker cannot start
  // (webview/serviceMap/layout.ts). The worker's own copy of ELK is inlined into serviceMap.js as text.
  builds.push({ ...browserCommon, entryPoints: ['webview/serviceMap/elkMainThread.ts'], outfile: 'dist/webview/serviceMapElk.js' });
}

// web-tree-sitter and the grammars the function ranges read (src/code/functionRanges.ts GRAMMAR_FILES),
// loaded by path at run time from dist/tree-sitter/; only these of @vscode/tree-sitter-wasm's grammars ship.
const treeSitterFiles = ['tree-sitter.wasm', 'tree-sitter-javascript.wasm', 'tree-sitter-typescript.wasm',
  'tree-sitter-tsx.wasm', 'tree-sitter-python.wasm', 'tree-sitter-java.wasm', 'tree-sitter-go.wasm', 'tree-sitter-c-sharp.wasm'];
function copyTreeSitter() {
  const from = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
  const to = path.join(__dirname, 'dist', 'tree-sitter');
  fs.mkdirSync(to, { recursive: true });
  for (const file of treeSitterFiles) fs.copyFileSync(path.join(from, file), path.join(to, file));
}

async function main() {
  copyTreeSitter();
  if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
    console.log('[esbuild] watching');
    return;
  }
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  for (const [i, result] of results.entries()) {
    const out = builds[i].outfile;
    const bytes = fs.statSync(out).size;
    if (out === 'dist/cli.js') fs.chmodSync(out, 0o755);
    if (!process.env.QUIET_BUILD) console.log(`[esbuild] ${out} ${(bytes / 1024).toFixed(0)} KiB`);
    if (process.env.ESBUILD_META) fs.writeFileSync(`${out}.meta.json`, JSON.stringify(result.metafile));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
