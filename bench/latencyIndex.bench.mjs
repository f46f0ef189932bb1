// The lenses' index: LatencyIndex.build over 100k traces / 1M subsegments mapped to a real workspace (samples/ and a
// generated 2,000-line TypeScript service, parsed with tree-sitter), its build time and RSS against JSON.parse of the
// same documents; the lookup a CodeLens provider makes for the 2,000-line file (entries + lens text) against a bare
// Map lookup, p99; and the tree-sitter parse of that file against splitting it into lines.
// usage: npm run build && npx tsc -p . --outDir out && node --expose-gc bench/latencyIndex.bench.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { loadCodeParser } = require(path.join(root, 'out/src/code/functionRanges.js'));
const { CodeMapper } = require(path.join(root, 'out/src/code/codeMapping.js'));
const { LatencyIndex } = require(path.join(root, 'out/src/code/latencyIndex.js'));
const { formatLensText } = require(path.join(root, 'out/src/xray/latencyStats.js'));
const { readWorkspace } = require(path.join(root, 'out/src/cli/hotspotsWorkspace.js'));
const { WASM_DIR, generatedModule } = require(path.join(root, 'out/test/unit/code/functionRangesHelpers.js'));

const TRACES = Number(process.env.BENCH_TRACES ?? 100_000);
const SUBSEGMENTS_PER_TRACE = 10;
const BIG_FILE = 'generated/service.ts';

function percentile(sorted, q) {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The text of trace i: a segment with 10 subsegments named after call sites (2 of them remote calls). */
function traceText(i, names) {
  const start = 1_700_000_000 + i * 0.01;
  const subs = [];
  for (let s = 0; s < SUBSEGMENTS_PER_TRACE; s++) {
    const remote = s >= 8;
    const name = remote ? '127.0.0.1' : names[(i * 7 + s * 13) % names.length];
    const d = ((i * 31 + s * 17) % 997) / 10_000 + 0.0005;
    subs.push({ id: `${(i * 16 + s).toString(16).padStart(16, '0')}`, name, start_time: start + s * 0.001, end_time: start + s * 0.001 + d, ...(remote ? { namespace: 'remote' } : {}), ...((i + s) % 50 === 0 ? { fault: true } : {}) });
  }
  return JSON.stringify({ id: i.toString(16).padStart(16, '0'), name: 'frontend-api', trace_id: `1-6b01eecc-${i.toString(16).padStart(24, '0')}`, start_time: start, end_time: start + 0.2, subsegments: subs });
}

function* traces(names, parse) {
  for (let i = 0; i < TRACES; i++) yield parse ? [JSON.parse(traceText(i, names))] : traceText(i, names);
}

async function main() {
  const parser = await loadCodeParser(WASM_DIR);
  const big = generatedModule(2000);

  // Parse time of the 2,000-line file: median and p99 of 30 parses, against splitting the text into lines.
  const parseTimes = [];
  const splitTimes = [];
  for (let i = 0; i < 31; i++) {
    let t0 = performance.now();
    parser.parse(big, 'typescript');
    if (i > 0) parseTimes.push(performance.now() - t0);
    t0 = performance.now();
    big.split('\n').map((l) => l.trim());
    if (i > 0) splitTimes.push(performance.now() - t0);
  }
  parseTimes.sort((a, b) => a - b);
  splitTimes.sort((a, b) => a - b);

  const workspace = readWorkspace(path.join(root, 'samples'), parser);
  const files = [...workspace.files, BIG_FILE];
  const code = new Map(workspace.code);
  code.set(BIG_FILE, parser.parse(big, 'typescript'));
  const mapper = new CodeMapper({ ...workspace, files, code });
  const names = [...code.values()].flatMap((p) => p.functions.flatMap((f) => f.callSites.map((c) => c.name)));

  // Baseline: JSON.parse of the same documents (the text generation is timed apart and subtracted from both).
  let t0 = performance.now();
  let n = 0;
  for (const text of traces(names, false)) n += text.length;
  const generateMs = performance.now() - t0;
  t0 = performance.now();
  for (const text of traces(names, false)) JSON.parse(text);
  const parseMs = performance.now() - t0 - generateMs;

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  t0 = performance.now();
  let sampled = 0;
  const index = LatencyIndex.build((function* () {
    for (const trace of traces(names, true)) {
      if (++sampled % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      yield trace;
    }
  })(), mapper);
  const buildMs = performance.now() - t0 - generateMs;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const entries = index.entries();
  const counted = entries.reduce((s, e) => s + (e.stats?.count ?? 0), 0);

  // The provider's lookup for the 2,000-line file: its entries and the lens text of each, against a Map.get.
  const baseline = new Map(index.files().map((f) => [f, index.forFile(f)]));
  const lookups = [];
  const mapLookups = [];
  for (let i = 0; i < 10_000; i++) {
    let s = performance.now();
    const lenses = index.forFile(BIG_FILE).map((e) => (e.stats ? formatLensText(e.stats, 15) : ''));
    lookups.push(performance.now() - s);
    s = performance.now();
    baseline.get(BIG_FILE);
    mapLookups.push(performance.now() - s);
    if (lenses.length === 0) throw new Error('no entries for the generated file');
  }
  lookups.sort((a, b) => a - b);
  mapLookups.sort((a, b) => a - b);

  console.log(`workspace: ${code.size} parsed files, ${[...code.values()].reduce((s, p) => s + p.functions.length, 0)} functions; ${names.length} call-site names`);
  console.log(`tree-sitter parse of a 2,000-line TypeScript file: median ${percentile(parseTimes, 0.5).toFixed(1)} ms, p99 ${percentile(parseTimes, 0.99).toFixed(1)} ms; split into lines ${percentile(splitTimes, 0.5).toFixed(2)} ms (×${(percentile(parseTimes, 0.5) / percentile(splitTimes, 0.5)).toFixed(0)})`);
  console.log(`index build: ${TRACES.toLocaleString()} traces / ${(TRACES * SUBSEGMENTS_PER_TRACE).toLocaleString()} subsegments (${counted.toLocaleString()} mapped samples, ${entries.length} functions) in ${(buildMs / 1000).toFixed(2)} s; JSON.parse of the same documents ${(parseMs / 1000).toFixed(2)} s (×${(buildMs / parseMs).toFixed(1)}; text generation ${(generateMs / 1000).toFixed(2)} s subtracted from both)`);
  console.log(`RSS: ${mb(rssBefore)} before, peak ${mb(peak)} while building, ${mb(rssAfter)} after (goal: peak ≤ 400 MB)`);
  console.log(`lookup for the 2,000-line file (${index.forFile(BIG_FILE).length} entries + lens text): p50 ${(percentile(lookups, 0.5) * 1000).toFixed(0)} µs, p99 ${(percentile(lookups, 0.99) * 1000).toFixed(0)} µs (goal ≤ 2 ms); Map.get p99 ${(percentile(mapLookups, 0.99) * 1000).toFixed(1)} µs`);
  parser.dispose();
  void n;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
