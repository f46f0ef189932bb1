// Mapping real traces to the sample app's functions (the sample app run against a LocalCollector in the test),
// and the rules of the mapping on small workspaces: ambiguity, path mappings, source maps, ES-module frames,
// code.* in their new and old names.
import * as assert from 'assert';
import { transformSync } from 'esbuild';
import * as path from 'path';
import { readWorkspace } from '../../../src/cli/hotspotsWorkspace';
import { CodeMapper, type CodeMappingInput } from '../../../src/code/codeMapping';
import { CodeParser, languageForFile, loadCodeParser, type ParsedCode } from '../../../src/code/functionRanges';
import { durationMs, LatencyIndex } from '../../../src/code/latencyIndex';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { classifyDocument } from '../../../src/xray/classification';
import { nearestRank } from '../../../src/xray/latencyStats';
import type { SegmentDocument } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { ROOT, freePort, runPeer, startTestCollector } from '../collector/collectorHarness';
import { WASM_DIR } from './functionRangesHelpers';

/** The same statistics computed straight from the raw documents of a given name (no mapping involved). */
function direct(traces: SegmentDocument[][], name: string): { count: number; p50: number; p95: number; p99: number; faults: number } {
  const durations: number[] = [];
  let faults = 0;
  for (const segments of traces) {
    walkDocuments(segments, ({ doc, parent }) => {
      if (parent === undefined || doc.name !== name || doc.namespace === 'remote' || doc.namespace === 'aws') return;
      if (typeof doc.end_time !== 'number') return;
      durations.push((doc.end_time - doc.start_time) * 1000);
      if (classifyDocument(doc) === 'fault') faults++;
    });
  }
  durations.sort((a, b) => a - b);
  return { count: durations.length, p50: nearestRank(durations, 0.5), p95: nearestRank(durations, 0.95), p99: nearestRank(durations, 0.99), faults };
}

suite('code mapping: the sample app through a local collector', () => {
  let collector: LocalCollector;
  let parser: CodeParser;
  let traces: SegmentDocument[][];
  let index: LatencyIndex;
  let workspace: CodeMappingInput;

  suiteSetup(async function () {
    this.timeout(90_000);
    parser = await loadCodeParser(WASM_DIR);
    const otlpPort = await freePort();
    collector = await startTestCollector({ otlpHost: '127.0.0.1', otlpPort });
    const started = Date.now() / 1000;
    const [frontendPort, inventoryPort, quotesPort] = [await freePort(), await freePort(), await freePort()];
    const run = await runPeer(process.execPath, [
      path.join(ROOT, 'samples/start.mjs'),
      '--count', '40', '--rate', '20',
      '--frontend-port', String(frontendPort), '--inventory-port', String(inventoryPort), '--quotes-port', String(quotesPort),
      '--daemon', `127.0.0.1:${collector.port}`, '--otlp', `127.0.0.1:${otlpPort}`,
    ], { QUIET: '1' }, 60_000);
    assert.strictEqual(run.code, 0, run.stderr);
    await new Promise((resolve) => setTimeout(resolve, 500));
    traces = collector.store.segmentsOverlapping({ startTime: started - 5, endTime: Date.now() / 1000 + 5 });
    // The workspace is the repository: frames recorded as /…/samples/… resolve by working_directory and suffix.
    workspace = readWorkspace(path.join(ROOT, 'samples'), parser);
    index = LatencyIndex.build(traces, new CodeMapper(workspace));
  });

  suiteTeardown(async () => {
    parser?.dispose();
    await collector?.close();
  });

  test('the traced functions of frontend-api and inventory-svc carry the numbers of their subsegments (b: call-site names)', () => {
    const expected: Array<[string, string, string]> = [
      ['frontend/routes/orders.js', 'formatOrder', 'formatOrder'],
      ['frontend/routes/orders.js', 'checkout', 'checkout'],
      ['frontend/routes/orders.js', 'validateCart', 'validateCart'],
      ['frontend/lib/orderStore.js', 'loadOrder', 'loadOrder'],
      ['frontend/lib/pricing.js', 'priceOrder', 'priceOrder'],
      ['inventory/stock.js', 'lookupStock', 'lookupStock'],
      ['inventory/stock.js', 'readCache', 'stock-cache'],
      ['inventory/stock.js', 'reserveStock', 'reserveStock'],
    ];
    let checked = 0;
    for (const [file, fn, name] of expected) {
      const entry = index.forFile(file).find((e) => e.function === fn);
      const raw = direct(traces, name);
      if (raw.count === 0) continue; // this request mix did not reach it
      assert.ok(entry?.stats, `${file} ${fn}: ${JSON.stringify(index.forFile(file).map((e) => e.function))}`);
      assert.ok(entry.names.includes(name), `${fn} ${entry.names}`);
      assert.ok(entry.evidence.includes('b'), `${fn} ${entry.evidence}`);
      const { count, p50, p95, p99, faults } = entry.stats;
      assert.deepStrictEqual({ count, p50, p95, p99, faults }, raw, `${fn}`);
      checked++;
    }
    assert.ok(checked >= 6, `only ${checked} functions had traffic`);
    // loadOrder's callback opens queryOrders in the same function: its time is inside loadOrder's, not a second sample.
    const load = index.forFile('frontend/lib/orderStore.js').find((e) => e.function === 'loadOrder');
    assert.deepStrictEqual(load?.names, ['loadOrder']);
  });

  test('quote-svc\'s OpenTelemetry spans land on validateSku / computeQuote by code.* (d), not on inSpan which opens them', () => {
    const entries = index.forFile('quotes/pricing.js');
    const byName = Object.fromEntries(entries.map((e) => [e.function, e]));
    assert.ok(byName.validateSku?.stats, JSON.stringify(entries.map((e) => e.function)));
    assert.ok(byName.validateSku.evidence.includes('d'));
    assert.deepStrictEqual(byName.validateSku.names, ['validateSku']);
    assert.strictEqual(byName.inSpan, undefined);
    const raw = direct(traces, 'validateSku');
    assert.strictEqual(byName.validateSku.stats.count, raw.count);
    assert.strictEqual(byName.validateSku.stats.p95, raw.p95);
  });

  test('no number on code outside the workspace, on segments (services) or on remote calls', () => {
    for (const entry of index.entries()) {
      assert.ok(workspace.code.has(entry.file), entry.file);
      assert.ok(!entry.names.includes('frontend-api') && !entry.names.includes('inventory-svc'), entry.names.join());
      assert.ok(!entry.names.some((n) => n.startsWith('127.0.0.1')), entry.names.join());
    }
  });

  test('the /crash exception frames resolve into lib/config.js and confirm applyConfig (a + b)', () => {
    const crash = direct(traces, 'applyConfig');
    if (crash.count === 0) return; // not in this mix
    const entry = index.forFile('frontend/lib/config.js').find((e) => e.function === 'applyConfig');
    assert.deepStrictEqual(entry?.evidence, ['a', 'b']);
    assert.strictEqual(entry.stats?.faults, crash.faults);
  });
});

suite('code mapping rules', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['javascript', 'typescript', 'python']);
  });
  suiteTeardown(() => parser.dispose());

  const storeJs = (label: string) => `'use strict';\nfunction load(id) {\n  return AWSXRay.captureAsyncFunc('load', async (sub) => {\n    throw new Error('${label} ' + id);\n  });\n}\nmodule.exports = { load };\n`;

  function workspace(sources: Record<string, string>, extra: Partial<CodeMappingInput> = {}): CodeMappingInput {
    const code = new Map<string, ParsedCode>();
    for (const [file, text] of Object.entries(sources)) {
      const language = languageForFile(file);
      if (language) code.set(file, parser.parse(text, language));
    }
    return { files: Object.keys(sources), code, ...extra };
  }

  function trace(sub: Record<string, unknown>): SegmentDocument[] {
    return [{ id: 'a1', name: 'svc', trace_id: '1-5f000000-000000000000000000000001', start_time: 100, end_time: 101, subsegments: [{ id: 'b1', name: 'load', start_time: 100.1, end_time: 100.3, ...sub } as SegmentDocument] }];
  }

  const frame = (p: string, line: number) => ({ cause: { working_directory: '/app', exceptions: [{ id: 'e1', message: 'x', stack: [{ path: p, line, label: 'load' }, { path: 'node', line: null, label: 'processTicksAndRejections' }] }] }, fault: true });

  test('two functions trace under one name: without path evidence the result is ambiguous, with both candidates', () => {
    const mapper = new CodeMapper(workspace({ 'services/a/store.js': storeJs('a'), 'services/b/store.js': storeJs('b') }));
    const mapped = mapper.mapTrace(trace({})).find((m) => m.doc.name === 'load');
    assert.strictEqual(mapped?.match, undefined);
    assert.deepStrictEqual(mapped?.ambiguous?.map((c) => c.file).sort(), ['services/a/store.js', 'services/b/store.js']);
    const index = LatencyIndex.build([trace({})], mapper);
    const entry = index.forFile('services/a/store.js')[0];
    assert.strictEqual(entry.stats, undefined, 'no number on either candidate');
    assert.deepStrictEqual(entry.ambiguous?.candidates.map((c) => c.file).sort(), ['services/a/store.js', 'services/b/store.js']);
  });

  test('a stack frame inside one of them decides (a + b); a frame under node_modules or in "node" does not count', () => {
    const mapper = new CodeMapper(workspace({ 'services/a/store.js': storeJs('a'), 'services/b/store.js': storeJs('b') }));
    const decided = mapper.mapTrace(trace(frame('/app/services/b/store.js', 4))).find((m) => m.doc.name === 'load');
    assert.strictEqual(decided?.match?.file, 'services/b/store.js');
    assert.deepStrictEqual(decided.match.evidence, ['a', 'b']);
    assert.strictEqual(decided.match.callSiteLine, 2);
    const vendored = mapper.mapTrace(trace(frame('/app/node_modules/services/b/store.js', 4))).find((m) => m.doc.name === 'load');
    assert.ok(vendored?.ambiguous && !vendored.match);
  });

  test('user path mappings: code that ran under /var/task is services/a', () => {
    const files = workspace({ 'services/a/store.js': storeJs('a'), 'services/b/store.js': storeJs('b') }, { pathMappings: [{ from: '/var/task', to: 'services/a' }] });
    const mapper = new CodeMapper(files);
    assert.deepStrictEqual(mapper.resolveFrame({ path: '/var/task/store.js', line: 4, label: 'load' }), { file: 'services/a/store.js', line: 3 });
    // Without the mapping the bare file name fits both: no guess.
    assert.strictEqual(new CodeMapper({ ...files, pathMappings: [] }).resolveFrame({ path: '/var/task/store.js', line: 4 }), undefined);
    const mapped = mapper.mapTrace(trace(frame('/var/task/store.js', 4))).find((m) => m.doc.name === 'load');
    assert.strictEqual(mapped?.match?.file, 'services/a/store.js');
  });

  test('a dist/*.js frame goes through its source map (esbuild\'s output) to the TypeScript line', () => {
    const ts = "import * as AWSXRay from 'aws-xray-sdk-core';\n\ninterface Row { id: string }\n\nexport async function fetchRow(id: string): Promise<Row> {\n  return AWSXRay.captureAsyncFunc('fetch-row', async () => {\n    throw new Error(`no row ${id}`);\n  });\n}\n";
    const out = transformSync(ts, { loader: 'ts', format: 'cjs', sourcemap: 'external', sourcefile: '../src/rows.ts' });
    const jsLines = out.code.split('\n');
    const throwLine = jsLines.findIndex((l) => l.includes('throw new Error')) + 1;
    assert.ok(throwLine > 0);
    const files = workspace({ 'src/rows.ts': ts, 'dist/rows.js': out.code, 'dist/rows.js.map': out.map }, { sourceMapOf: (f) => (f === 'dist/rows.js' ? out.map : undefined) });
    const mapper = new CodeMapper(files);
    assert.deepStrictEqual(mapper.resolveFrame({ path: '/srv/app/dist/rows.js', line: throwLine, label: 'fetchRow' }), { file: 'src/rows.ts', line: 6 });
    const mapped = mapper.mapTrace([{ id: 'a1', name: 'svc', start_time: 1, end_time: 2, subsegments: [{ id: 'b1', name: 'fetch-row', start_time: 1, end_time: 1.5, ...frame('/srv/app/dist/rows.js', throwLine) } as SegmentDocument] }]);
    const match = mapped.find((m) => m.doc.name === 'fetch-row')?.match;
    assert.strictEqual(match?.file, 'src/rows.ts');
    assert.deepStrictEqual(match.evidence, ['a', 'b']);
  });

  test('an ES-module frame cut to path "file" is re-anchored by its label when one function has that name', () => {
    const mapper = new CodeMapper(workspace({ 'lib/discount.mjs': 'export function computeDiscount(o) {\n  return o.total * 0.1;\n}\n', 'lib/other.js': 'function other() {}\n' }));
    assert.deepStrictEqual(mapper.resolveFrame({ path: 'file', line: 2, label: 'computeDiscount' }), { file: 'lib/discount.mjs', line: 0 });
    assert.strictEqual(mapper.resolveFrame({ path: 'file', line: 2, label: 'nothingLikeIt' }), undefined);
  });

  test('code.* in the new names (metadata.default) and the old names (annotations code_filepath / code_lineno, code.function + code.namespace)', () => {
    const py = 'class Quotes:\n    def price(self, sku):\n        return 1\n\n    def tax(self, amount):\n        return amount\n';
    const mapper = new CodeMapper(workspace({ 'svc/quotes.py': py }));
    const span = (fields: Record<string, unknown>) => mapper.mapTrace([{ id: 'a1', name: 'svc', start_time: 1, end_time: 2, subsegments: [{ id: 'b1', name: 'GET price', start_time: 1, end_time: 1.5, ...fields } as SegmentDocument] }]).find((m) => m.doc.name === 'GET price')?.match;
    const byNew = span({ metadata: { default: { 'code.file.path': '/opt/app/svc/quotes.py', 'code.line.number': 3, 'code.function.name': 'price' } } });
    assert.deepStrictEqual([byNew?.fn.name, byNew?.evidence], ['Quotes.price', ['d']]);
    const byOldAnnotations = span({ annotations: { code_filepath: '/opt/app/svc/quotes.py', code_lineno: 6 } });
    assert.strictEqual(byOldAnnotations?.fn.name, 'Quotes.tax');
    const byOldName = span({ metadata: { default: { 'code.filepath': 'svc/quotes.py', 'code.function': 'tax', 'code.namespace': 'Quotes' } } });
    assert.strictEqual(byOldName?.fn.name, 'Quotes.tax');
  });

  test('a recorded code.line.number that now points at another function (code added above since) gives way to code.function.name', () => {
    // The traffic recorded price at line 2; two lines were inserted above it since, so line 2 is now inside `setup`.
    const py = 'def setup():\n    return 0\n\nclass Quotes:\n    def price(self, sku):\n        return 1\n';
    const mapper = new CodeMapper(workspace({ 'svc/quotes.py': py }));
    const span = (meta: Record<string, unknown>) => mapper.mapTrace([{ id: 'a1', name: 'svc', start_time: 1, end_time: 2, subsegments: [{ id: 'b1', name: 'GET price', start_time: 1, end_time: 1.5, metadata: { default: meta } } as SegmentDocument] }]).find((m) => m.doc.name === 'GET price')?.match;
    assert.strictEqual(span({ 'code.file.path': 'svc/quotes.py', 'code.line.number': 2, 'code.function.name': 'Quotes.price' })?.fn.name, 'Quotes.price');
    assert.strictEqual(span({ 'code.file.path': 'svc/quotes.py', 'code.line.number': 2, 'code.function.name': 'price' })?.fn.name, 'Quotes.price');
    // Without a recorded name the line alone still decides.
    assert.strictEqual(span({ 'code.file.path': 'svc/quotes.py', 'code.line.number': 2 })?.fn.name, 'setup');
  });

  test('function names (c): Python @xray_recorder.capture() without a name; a remote subsegment with a function\'s name is not it', () => {
    const py = 'from aws_xray_sdk.core import xray_recorder\n\n@xray_recorder.capture()\ndef load(key):\n    return key\n';
    const mapper = new CodeMapper(workspace({ 'app/cache.py': py }));
    const docs = (namespace?: string) => mapper.mapTrace([{ id: 'a1', name: 'svc', start_time: 1, end_time: 2, subsegments: [{ id: 'b1', name: 'load', namespace, start_time: 1, end_time: 1.5 } as SegmentDocument] }]);
    const local = docs().find((m) => m.doc.name === 'load');
    assert.deepStrictEqual([local?.match?.fn.name, local?.match?.evidence], ['load', ['c']]);
    assert.strictEqual(docs('remote').find((m) => m.doc.name === 'load')?.match, undefined);
  });

  test('hostile traces: 1,000 nested subsegments each with a 10,000-frame exception map in bounded time', () => {
    const mapper = new CodeMapper(workspace({ 'services/a/store.js': storeJs('a'), 'services/b/store.js': storeJs('b') }));
    const stack = Array.from({ length: 10_000 }, (_, i) => ({ path: `/app/services/${i % 2 ? 'a' : 'b'}/store.js`, line: 1 + (i % 7), label: 'load' }));
    let inner: SegmentDocument = { id: 'leaf', name: 'load', start_time: 1, end_time: 2, cause: { working_directory: '/app', exceptions: [{ id: 'e0', stack }] } };
    for (let depth = 0; depth < 1000; depth++) {
      inner = { id: `d${depth}`, name: 'load', start_time: 1, end_time: 2, cause: { working_directory: '/app', exceptions: [{ id: `e${depth + 1}`, stack }] }, subsegments: [inner] };
    }
    const started = performance.now();
    const mapped = mapper.mapTrace([{ id: 'root', name: 'svc', start_time: 1, end_time: 3, subsegments: [inner] }]);
    const ms = performance.now() - started;
    assert.ok(ms < 5000, `${ms} ms`);
    assert.ok(mapped.length > 1000);
    // Frames in both files, inside both functions: never a pick.
    assert.ok(mapped.filter((m) => m.doc.name === 'load').every((m) => m.ambiguous && !m.match));
  });

  test('the numbers of an index built from 1,000 synthetic subsegments equal nearest-rank statistics of their durations', () => {
    const mapper = new CodeMapper(workspace({ 'a.js': storeJs('a') }));
    const traces: SegmentDocument[][] = [];
    const durations: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const d = ((i * 7919) % 1000) / 1000;
      durations.push(durationMs({ id: 'x', name: 'load', start_time: 10, end_time: 10 + d })!);
      traces.push([{ id: `s${i}`, name: 'svc', start_time: 10, end_time: 12, subsegments: [{ id: `b${i}`, name: 'load', start_time: 10, end_time: 10 + d, fault: i % 10 === 0 } as SegmentDocument] }]);
    }
    const stats = LatencyIndex.build(traces, mapper).forFile('a.js')[0].stats;
    durations.sort((a, b) => a - b);
    assert.deepStrictEqual([stats?.count, stats?.p50, stats?.p95, stats?.p99, stats?.faults], [1000, nearestRank(durations, 0.5), nearestRank(durations, 0.95), nearestRank(durations, 0.99), 100]);
  });
});
