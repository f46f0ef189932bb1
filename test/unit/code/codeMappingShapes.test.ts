// The code shapes real services have, one test each: where the lens puts a subsegment's numbers. The documents
// are shaped as the SDKs record them (aws-xray-sdk-core, aws_xray_sdk for Python, OpenTelemetry through the
// collector's converter); bench/mapping runs the same shapes end to end on the real SDKs.
import * as assert from 'assert';
import { CodeMapper } from '../../../src/code/codeMapping';
import { languageForFile, loadCodeParser, type CodeParser, type ParsedCode } from '../../../src/code/functionRanges';
import { entryLine, LatencyIndex, type LatencyEntry } from '../../../src/code/latencyIndex';
import type { SegmentDocument } from '../../../src/xray/model';
import { WASM_DIR } from './functionRangesHelpers';

suite('code mapping: shapes of code written elsewhere', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR);
  });
  suiteTeardown(() => parser.dispose());

  function index(sources: Record<string, string>, subsegments: Array<Record<string, unknown>>): LatencyEntry[] {
    const code = new Map<string, ParsedCode>();
    for (const [file, text] of Object.entries(sources)) code.set(file, parser.parse(text, languageForFile(file)!));
    const mapper = new CodeMapper({ files: Object.keys(sources), code });
    const traces: SegmentDocument[][] = [];
    for (let i = 0; i < 4; i++) {
      traces.push([{ id: `s${i}`, name: 'svc', trace_id: `1-5f000000-00000000000000000000000${i}`, start_time: 100, end_time: 101,
        subsegments: subsegments.map((s, k) => ({ id: `b${i}${k}`, start_time: 100, end_time: 100.01 * (k + 1), ...s })) } as SegmentDocument]);
    }
    return LatencyIndex.build(traces, mapper).entries();
  }

  /** The 1-based line each name's numbers stand at, and the function the row is of. */
  function rows(entries: LatencyEntry[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of entries) for (const n of e.names) out[n] = `${e.file}:${entryLine(e) + 1} ${e.function}`;
    return out;
  }

  test('a database wrapper\'s remote subsegment maps by the name its tracing call gives it; the SDK\'s HTTP record of the same name does not', () => {
    const db = [
      "const AWSXRay = require('aws-xray-sdk-core');",
      'async function query(sql) {',
      "  return AWSXRay.captureAsyncFunc('orders-db@db.internal', async (sub) => {",
      "    sub.namespace = 'remote';",
      '    sub.addSqlData({ sanitized_query: sql });',
      '    sub.close();',
      '  });',
      '}',
    ].join('\n');
    const entries = index({ 'lib/db.js': db }, [
      { name: 'orders-db@db.internal', namespace: 'remote', sql: { sanitized_query: 'select 1' } },
      { name: 'orders-db@db.internal', namespace: 'remote', http: { request: { url: 'http://orders-db@db.internal/', method: 'GET' } } },
    ]);
    assert.deepStrictEqual(rows(entries), { 'orders-db@db.internal': 'lib/db.js:2 query' });
    assert.strictEqual(entries[0].stats?.count, 4, 'the HTTP records are not samples');
  });

  test('an OpenTelemetry database span, renamed <db>@<host> by the exporter, maps by its own name kept in sql.url', () => {
    const ts = [
      'export class LedgerStore {',
      '  async query(statement: string) {',
      "    const span = tracer.startSpan('ledger-db', { kind: SpanKind.CLIENT });",
      '    try { return await run(statement); } finally { span.end(); }',
      '  }',
      '}',
    ].join('\n');
    const entries = index({ 'src/ledgerStore.ts': ts }, [{ name: 'ledger@ledger-db.internal', namespace: 'remote', sql: { url: 'ledger-db', sanitized_query: 'select 1' } }]);
    assert.deepStrictEqual(rows(entries), { 'ledger@ledger-db.internal': 'src/ledgerStore.ts:2 LedgerStore.query' });
  });

  test('tracing calls inside anonymous route handlers and callbacks get a row on that function, named as people read it', () => {
    const routes = [
      "const AWSXRay = require('aws-xray-sdk-core');",
      "router.get('/slow', async (req, res) => {",
      "  await AWSXRay.captureAsyncFunc('slowStep', async (sub) => { await pause(3); sub.close(); });",
      '});',
      "app.post('/orders', function (req, res) {",
      "  AWSXRay.captureFunc('validate', (sub) => { check(req.body); sub.addAnnotation('ok', true); check(req.query); });",
      "  setTimeout(() => AWSXRay.captureFunc('later', () => 1 + 1), 10);",
      "  return lines.map((line) => AWSXRay.captureFunc('priceLine', () => line.qty * 2))",
      "    .then((total) => AWSXRay.captureFunc('renderReceipt', () => total + 1));",
      '});',
      "router.route('/items').put((req, res) => AWSXRay.captureFunc('putItem', () => 1 + 2));",
    ].join('\n');
    const entries = index({ 'routes/orders.js': routes }, ['slowStep', 'validate', 'later', 'priceLine', 'renderReceipt', 'putItem'].map((name) => ({ name })));
    assert.deepStrictEqual(rows(entries), {
      slowStep: 'routes/orders.js:2 GET /slow handler',
      validate: 'routes/orders.js:5 POST /orders handler',
      later: 'routes/orders.js:7 setTimeout callback in POST /orders handler',
      priceLine: 'routes/orders.js:8 map callback in POST /orders handler',
      renderReceipt: 'routes/orders.js:9 then callback in POST /orders handler',
      putItem: 'routes/orders.js:11 PUT /items handler',
    });
  });

  test('the wrapper pattern: the time of captureFunc(\'x\', () => f(a)) is f\'s, in another file or an ES module', () => {
    const checkout = [
      "const AWSXRay = require('aws-xray-sdk-core');",
      'async function checkout(order) {',
      "  const pricing = await import('../xray/pricing.mjs');",
      "  const discount = AWSXRay.captureFunc('computeDiscount', () => pricing.computeDiscount(order));",
      "  await tracer.startActiveSpan('charge', async (span) => { try { return await charge(order); } finally { span.end(); } });",
      "  return AWSXRay.captureFunc('checkout', (sub) => { sub.addMetadata('o', order); return finish(order); });",
      '}',
      'function finish(order) { return order; }',
    ].join('\n');
    const pricing = 'export function computeDiscount(order) {\n  return order.total * 0.1;\n}\n';
    const billing = "export async function charge(order) {\n  return 'ok';\n}\n";
    const entries = index({ 'routes/checkout.js': checkout, 'lib/pricing.mjs': pricing, 'lib/billing.js': billing },
      ['computeDiscount', 'charge', 'checkout'].map((name) => ({ name })));
    assert.deepStrictEqual(rows(entries), {
      computeDiscount: 'lib/pricing.mjs:1 computeDiscount',
      charge: 'lib/billing.js:1 charge',
      // Named after the function it is in: that function's own subsegment, though its body is one call.
      checkout: 'routes/checkout.js:2 checkout',
    });
  });

  test('Python: the wrapper `with in_subsegment(\'x\'): one_call()` maps to the called function; a traced lambda has a row of its own', () => {
    const app = [
      'from aws_xray_sdk.core import xray_recorder',
      'from pricing import util',
      '',
      'def get_product(pid):',
      "    with xray_recorder.in_subsegment('price.quote') as sub:",
      "        sub.put_annotation('pid', pid)",
      '        price = util.quote_price(pid)',
      "    score = lambda p: xray_recorder.capture('rank.score')(len)(p)",
      '    return price',
    ].join('\n');
    const util = 'def quote_price(pid):\n    return 10\n';
    const entries = index({ 'app.py': app, 'pricing/util.py': util }, ['price.quote', 'rank.score'].map((name) => ({ name })));
    assert.deepStrictEqual(rows(entries), {
      'price.quote': 'pricing/util.py:1 quote_price',
      'rank.score': 'app.py:8 score in get_product',
    });
  });

  test('a subsegment nested in another of the same function under another name is its own row, at its call; the same name nested is not counted twice', () => {
    const store = [
      "const AWSXRay = require('aws-xray-sdk-core');",
      'function loadOrder(id) {',
      "  return AWSXRay.captureAsyncFunc('loadOrder', async (sub) => {",
      "    const order = await AWSXRay.captureAsyncFunc('queryOrders', async (q) => { q.close(); return id; });",
      '    sub.close();',
      '    return order;',
      '  });',
      '}',
    ].join('\n');
    const code = new Map<string, ParsedCode>([['lib/store.js', parser.parse(store, 'javascript')]]);
    const mapper = new CodeMapper({ files: ['lib/store.js'], code });
    const traces = [0, 1, 2].map((i) => [{ id: `s${i}`, name: 'svc', start_time: 100, end_time: 101, subsegments: [
      { id: `l${i}`, name: 'loadOrder', start_time: 100, end_time: 100.05, subsegments: [
        { id: `q${i}`, name: 'queryOrders', start_time: 100.01, end_time: 100.03 },
        { id: `r${i}`, name: 'loadOrder', start_time: 100.03, end_time: 100.04 },
      ] },
    ] } as SegmentDocument]);
    const entries = LatencyIndex.build(traces, mapper).entries();
    assert.deepStrictEqual(rows(entries), { loadOrder: 'lib/store.js:2 loadOrder', queryOrders: 'lib/store.js:4 loadOrder' });
    const by = (name: string) => entries.find((e) => e.names.includes(name))!;
    assert.deepStrictEqual([by('loadOrder').stats?.count, Math.round(by('loadOrder').stats!.p50)], [3, 50]);
    assert.deepStrictEqual([by('queryOrders').stats?.count, Math.round(by('queryOrders').stats!.p50)], [3, 20]);
    assert.notStrictEqual(by('loadOrder').key, by('queryOrders').key);
  });

  test('class fields holding arrows, object-literal methods and export default functions are found by their call sites', () => {
    const source = [
      "const AWSXRay = require('aws-xray-sdk-core');",
      'class OrderService {',
      "  load = async (id) => AWSXRay.captureAsyncFunc('OrderService.load', async (s) => { s.close(); return id; });",
      '}',
      'const cache = {',
      '  async get(key) {',
      "    return AWSXRay.captureAsyncFunc('redis@cache.internal', async (s) => { s.namespace = 'remote'; s.close(); });",
      '  },',
      '};',
      'export default async function estimateShipping(order) {',
      "  return AWSXRay.captureAsyncFunc('shippingQuote', async (s) => { s.close(); return 5; });",
      '}',
    ].join('\n');
    const entries = index({ 'lib/mixed.mjs': source }, [{ name: 'OrderService.load' }, { name: 'redis@cache.internal', namespace: 'remote' }, { name: 'shippingQuote' }]);
    assert.deepStrictEqual(rows(entries), {
      'OrderService.load': 'lib/mixed.mjs:3 OrderService.load',
      'redis@cache.internal': 'lib/mixed.mjs:6 cache.get',
      shippingQuote: 'lib/mixed.mjs:10 estimateShipping',
    });
  });

  test('decorators with arguments: a TypeScript @traced(\'name\') method (the row above the decorator), Python @capture(\'name\') on a method, a nested def and an async def', () => {
    const ts = [
      'export class AccountService {',
      "  @traced('accounts.lookup', { tier: 'gold' })",
      '  async getAccount(id: string) {',
      '    return id;',
      '  }',
      '  @traced()',
      '  async listEntries(id: string) {',
      '    return [id];',
      '  }',
      '}',
    ].join('\n');
    const py = [
      'class Repo:',
      "    @xray_recorder.capture('repo.find')",
      '    def find(self, pid):',
      '        def inner():',
      "            with xray_recorder.in_subsegment('repo.inner'):",
      '                pass',
      '        return inner()',
      "    @xray_recorder.capture_async('repo.fetch')",
      '    async def fetch(self, pid):',
      '        return pid',
    ].join('\n');
    const entries = index({ 'src/AccountService.ts': ts, 'catalog/repo.py': py }, ['accounts.lookup', 'listEntries', 'repo.find', 'repo.inner', 'repo.fetch'].map((name) => ({ name })));
    assert.deepStrictEqual(rows(entries), {
      'accounts.lookup': 'src/AccountService.ts:2 AccountService.getAccount',
      listEntries: 'src/AccountService.ts:6 AccountService.listEntries',
      'repo.find': 'catalog/repo.py:2 Repo.find',
      'repo.inner': 'catalog/repo.py:4 inner',
      'repo.fetch': 'catalog/repo.py:8 Repo.fetch',
    });
  });

  test('a team\'s own tracing helper, withSpan(name, fn) in another file, makes withSpan(\'x\', …) a tracing call', () => {
    const helpers = [
      'export async function withSpan<T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {',
      '  return tracer.startActiveSpan(name, async (span) => {',
      '    try { return await fn(span); } finally { span.end(); }',
      '  });',
      '}',
    ].join('\n');
    const validate = [
      "import { withSpan } from '../telemetry/helpers';",
      'export async function validateAccountId(id: string) {',
      "  return withSpan('account.validate', async (span) => {",
      "    span.setAttribute('id', id);",
      '    if (!id) throw new Error(id);',
      '    return id;',
      '  });',
      '}',
      "export const other = (x: string) => emitter.on('account.validate', () => x);",
    ].join('\n');
    const entries = index({ 'src/telemetry/helpers.ts': helpers, 'src/accounts/validate.ts': validate }, [{ name: 'account.validate' }]);
    assert.deepStrictEqual(rows(entries), { 'account.validate': 'src/accounts/validate.ts:2 validateAccountId' });
  });

  test('code that ran under /var/task with no path mapping: frames found by file name suggest the mapping that says so', () => {
    const store = "const AWSXRay = require('aws-xray-sdk-core');\nfunction load(id) {\n  return AWSXRay.captureFunc('load', () => { throw new Error(id); });\n}\n";
    const code = new Map<string, ParsedCode>([['services/orders/store.js', parser.parse(store, 'javascript')]]);
    const mapper = new CodeMapper({ files: ['services/orders/store.js', 'services/billing/store.js'], code });
    const frames = { cause: { exceptions: [{ id: 'e1', message: 'x', stack: [{ path: '/var/task/orders/store.js', line: 3, label: 'load' }] }] }, fault: true };
    mapper.mapTrace([{ id: 's', name: 'svc', start_time: 1, end_time: 2, subsegments: [{ id: 'b', name: 'load', start_time: 1, end_time: 1.5, ...frames } as SegmentDocument] }]);
    assert.deepStrictEqual(mapper.pathMappingSuggestions(), [{ from: '/var/task', to: 'services', frames: 1 }]);
  });

  test('Java lambdas, Go closures and C# lambdas and local functions hold the tracing calls made in them', () => {
    const java = [
      'class Routes {',
      '  void register(Javalin app) {',
      '    app.get("/orders", ctx -> {',
      '      Span span = tracer.spanBuilder("orders.list").startSpan();',
      '    });',
      '    executor.submit(() -> { Span s = tracer.spanBuilder("orders.sync").startSpan(); });',
      '  }',
      '}',
    ].join('\n');
    const go = [
      'package main',
      'func main() {',
      '\thttp.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {',
      '\t\t_, span := tracer.Start(r.Context(), "orders.list.go")',
      '\t\tdefer span.End()',
      '\t})',
      '}',
    ].join('\n');
    const cs = [
      'class Api {',
      '  void Map(WebApplication app) {',
      '    app.MapGet("/orders", () => { using var a = source.StartActivity("orders.list.cs"); return 1; });',
      '    int Local() { using var b = source.StartActivity("orders.local"); return 2; }',
      '  }',
      '}',
    ].join('\n');
    const entries = index({ 'src/Routes.java': java, 'main.go': go, 'Api.cs': cs },
      ['orders.list', 'orders.sync', 'orders.list.go', 'orders.list.cs', 'orders.local'].map((name) => ({ name })));
    assert.deepStrictEqual(rows(entries), {
      'orders.list': 'src/Routes.java:3 GET /orders handler in Routes.register',
      'orders.sync': 'src/Routes.java:6 submit callback in Routes.register',
      'orders.list.go': 'main.go:3 /orders handler in main',
      'orders.list.cs': 'Api.cs:3 GET /orders handler in Api.Map',
      'orders.local': 'Api.cs:4 Local',
    });
  });
});
