// The code Trace This Function and Add Annotation write for JavaScript really runs: orders.js and store.js are
// edited through the pure functions (every function of interest wrapped, one after another), loaded as CommonJS
// modules and called — under the real OpenTelemetry SDK (spans read from its in-memory exporter) and the real
// aws-xray-sdk-core 3.12.0 (subsegments read from the segment they were added to), inside a segment and without one.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import * as assert from 'assert';
import { createRequire } from 'module';
import * as AWSXRay from 'aws-xray-sdk-core';
import * as path from 'path';
import * as vm from 'vm';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { WASM_DIR } from '../functionRangesHelpers';
import { FIXTURES, readFixture } from './instrumentGolden';

interface Row {
  id: number;
  placedAt: string;
}

/** The app's own data layer (not a tracing peer): rows by id, a fallback that fails. */
function database() {
  const rows = new Map<number, Row>([[1, { id: 1, placedAt: '2026-01-02' }]]);
  return {
    rows,
    size: rows.size,
    get: async (id: number) => rows.get(id) ?? null,
    fallback: async (id: number) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error(`order ${id} not found`);
    },
    check: async (cart: unknown) => ({ checked: cart }),
    reload: async () => undefined,
    keys: () => rows.keys(),
  };
}

/** Edits `file` by tracing the function at each marker in turn (and annotating where asked), as the commands would. */
function instrument(parser: CodeParser, file: string, markers: string[], flavour: TracingFlavour, annotateAt?: string): string {
  let text = readFixture('javascript', file);
  for (const marker of markers) {
    const outcome = traceFunctionEdits(parser, text, 'javascript', text.indexOf(marker), { flavour, filePath: `src/${file}`, style: detectCodeStyle(text) });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    text = applyEdits(text, outcome.edits);
  }
  if (annotateAt) {
    const outcome = annotationEdits(parser, text, 'javascript', text.indexOf(annotateAt), { kind: 'annotation', key: 'order_id', value: 'A-17', flavour, style: detectCodeStyle(text) });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    text = applyEdits(text, outcome.edits);
  }
  return text;
}

/** Loads CommonJS text as a module; `./db` is the app's data layer, everything else the real packages. */
function load(text: string, file: string, db: unknown): Record<string, (...args: unknown[]) => unknown> & Record<string, unknown> {
  const filename = path.join(FIXTURES, 'javascript', file);
  const module = { exports: {} as Record<string, unknown> };
  const real = createRequire(filename);
  const requireFrom = (id: string): unknown => (id === './db' ? db : real(id));
  const run = vm.compileFunction(text, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  run(module.exports, requireFrom, module, filename, path.dirname(filename));
  return module.exports as never;
}

/** 1-based line of the name of a function of orders.js in the edited text. */
function nameLine(text: string, name: string): number {
  const declared = name === 'priceOrder' || name === 'loadOrder' ? `function ${name}(` : `const ${name} =`;
  return text.slice(0, text.indexOf(declared)).split('\n').length;
}

const ORDERS = ['function priceOrder', 'async function loadOrder', 'const formatOrder', 'const validateCart'];
const STORE = ['async find', 'count()', 'refresh = ', 'lookup(key)'];

suite('javascript instrumentation: the inserted code runs', () => {
  let parser: CodeParser;
  let exporter: InstanceType<typeof tracing.InMemorySpanExporter>;
  let provider: InstanceType<typeof tracing.BasicTracerProvider>;
  const logger = AWSXRay.getLogger();
  const logged: string[] = [];

  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['javascript']);
    exporter = new tracing.InMemorySpanExporter();
    provider = new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    assert.ok(trace.setGlobalTracerProvider(provider), 'no other tracer provider registered in this process');
    const keep = (m: unknown) => void logged.push(String(m));
    AWSXRay.setLogger({ error: keep, warn: keep, info: () => {}, debug: () => {} });
  });

  suiteTeardown(async () => {
    parser?.dispose();
    trace.disable();
    await provider?.shutdown();
    AWSXRay.setLogger(logger);
  });

  setup(() => {
    exporter.reset();
    logged.length = 0;
  });

  test('OpenTelemetry: spans named as the functions with code.*, values and errors passed through, ERROR status with the exception, async rejections caught', async () => {
    const text = instrument(parser, 'orders.js', ORDERS, 'opentelemetry', 'if (cart.items.length === 0)');
    const orders = load(text, 'orders.js', database());
    assert.strictEqual(orders.priceOrder({ items: [{ price: 2, quantity: 3 }] }), 6);
    assert.throws(() => orders.priceOrder({ items: [{ price: -1, quantity: 1 }] }), /negative total/);
    assert.deepStrictEqual(await orders.loadOrder(1), { id: 1, placedAt: '2026-01-02', summary: 'order 1\n  placed 2026-01-02' }, 'the template literal is unchanged');
    await assert.rejects(orders.loadOrder(2) as Promise<unknown>, /order 2 not found/);
    assert.strictEqual(orders.formatOrder({ id: 'A', total: 3 }), 'A: 3');
    await assert.rejects(orders.validateCart({ items: [] }) as Promise<unknown>, /empty cart/);
    assert.deepStrictEqual(await orders.validateCart({ items: [1] }), { checked: { items: [1] } });

    const spans = exporter.getFinishedSpans();
    assert.deepStrictEqual(spans.map((s) => s.name), ['priceOrder', 'priceOrder', 'loadOrder', 'loadOrder', 'formatOrder', 'validateCart', 'validateCart']);
    for (const span of spans) {
      assert.deepStrictEqual(span.attributes['code.function.name'], span.name);
      assert.deepStrictEqual(span.attributes['code.file.path'], 'src/orders.js');
      assert.deepStrictEqual(span.attributes['code.line.number'], nameLine(text, span.name), span.name);
    }
    const failed = spans.filter((s) => s.status.code === SpanStatusCode.ERROR);
    assert.deepStrictEqual(failed.map((s) => [s.name, s.status.message]), [['priceOrder', 'negative total'], ['loadOrder', 'order 2 not found'], ['validateCart', 'empty cart']]);
    for (const span of failed) assert.deepStrictEqual(span.events.map((e) => e.name), ['exception']);
    // The rejected loadOrder span ends after its fallback's 5 ms: `return await` kept it open until the promise settled.
    const rejected = spans[3];
    const durationMs = rejected.duration[0] * 1000 + rejected.duration[1] / 1e6;
    assert.ok(durationMs >= 4, `loadOrder span lasted ${durationMs} ms`);
    // The annotation went on the wrapped function's own span.
    assert.deepStrictEqual(spans.map((s) => s.attributes.order_id), [undefined, undefined, undefined, undefined, undefined, 'A-17', 'A-17']);
  });

  test('OpenTelemetry: methods keep `this` (class method, one-line method, class field arrow, object method)', async () => {
    const store = load(instrument(parser, 'store.js', STORE, 'opentelemetry'), 'store.js', undefined);
    const OrderStore = store.OrderStore as unknown as new (db: unknown) => Record<string, () => unknown> & { find(id: number): Promise<unknown> };
    const instance = new OrderStore(database());
    assert.deepStrictEqual(await instance.find(1), { id: 1, placedAt: '2026-01-02' });
    assert.strictEqual(instance.count(), 1);
    assert.strictEqual(await instance.refresh(), undefined);
    const cache = store.cache as unknown as { lookup(key: string): unknown; entries: Map<string, unknown> };
    cache.entries.set('k', 42);
    assert.strictEqual(cache.lookup('k'), 42);
    assert.deepStrictEqual(exporter.getFinishedSpans().map((s) => s.name), ['OrderStore.find', 'OrderStore.count', 'OrderStore.refresh', 'cache.lookup']);
  });

  test('X-Ray SDK: without a segment the functions still run and return (the SDK logs the missing context; run before any segment is set in this process)', async () => {
    const orders = load(instrument(parser, 'orders.js', ORDERS, 'xray-sdk', 'const row = await db.get(id);'), 'orders.js', database());
    assert.strictEqual(orders.priceOrder({ items: [{ price: 2, quantity: 3 }] }), 6);
    assert.strictEqual((await orders.loadOrder(1) as Row).id, 1);
    await assert.rejects(orders.validateCart({ items: [] }) as Promise<unknown>, /empty cart/);
    assert.ok(logged.some((m) => /Failed to capture/.test(m)), logged.join('\n'));
  });

  test('X-Ray SDK: inside a segment, closed subsegments named as the functions, code.* in metadata.default, errors as faults with the exception; the annotation on the subsegment', async () => {
    const text = instrument(parser, 'orders.js', ORDERS, 'xray-sdk', 'if (cart.items.length === 0)');
    assert.ok(text.includes("const AWSXRay = require('aws-xray-sdk-core');"));
    const orders = load(text, 'orders.js', database());
    const segment = new AWSXRay.Segment('orders-test');
    await AWSXRay.getNamespace().runPromise(async () => {
      AWSXRay.setSegment(segment);
      assert.strictEqual(orders.priceOrder({ items: [{ price: 2, quantity: 3 }] }), 6);
      assert.throws(() => orders.priceOrder({ items: [{ price: -1, quantity: 1 }] }), /negative total/);
      assert.strictEqual((await orders.loadOrder(1) as Row).id, 1);
      await assert.rejects(orders.loadOrder(2) as Promise<unknown>, /order 2 not found/);
      assert.strictEqual(orders.formatOrder({ id: 'A', total: 3 }), 'A: 3');
      await assert.rejects(orders.validateCart({ items: [] }) as Promise<unknown>, /empty cart/);
    });
    const subsegments = (segment.subsegments ?? []) as unknown as Array<Record<string, unknown> & { name: string; metadata?: { default?: Record<string, unknown> } }>;
    assert.deepStrictEqual(subsegments.map((s) => s.name), ['priceOrder', 'priceOrder', 'loadOrder', 'loadOrder', 'formatOrder', 'validateCart']);
    for (const sub of subsegments) {
      assert.strictEqual(sub.in_progress, undefined, `${sub.name} closed`);
      assert.strictEqual(typeof sub.end_time, 'number');
      assert.strictEqual(sub.metadata?.default?.['code.function.name'], sub.name);
      assert.strictEqual(sub.metadata?.default?.['code.file.path'], 'src/orders.js');
      assert.strictEqual(sub.metadata?.default?.['code.line.number'], nameLine(text, sub.name));
    }
    const faults = subsegments.filter((s) => s.fault === true);
    assert.deepStrictEqual(faults.map((s) => [s.name, (s.cause as { exceptions: Array<{ message: string }> }).exceptions[0].message]),
      [['priceOrder', 'negative total'], ['loadOrder', 'order 2 not found'], ['validateCart', 'empty cart']]);
    assert.deepStrictEqual(subsegments.map((s) => (s.annotations as Record<string, unknown> | undefined)?.order_id), [undefined, undefined, undefined, undefined, undefined, 'A-17']);
    // Every subsegment closed exactly once: the segment's count of open subsegments is back to zero.
    assert.strictEqual((segment as unknown as { counter: number }).counter, 0);
  });

  test('X-Ray SDK: methods keep `this`', async () => {
    const store = load(instrument(parser, 'store.js', STORE, 'xray-sdk'), 'store.js', undefined);
    const OrderStore = store.OrderStore as unknown as new (db: unknown) => Record<string, () => unknown> & { find(id: number): Promise<unknown> };
    const segment = new AWSXRay.Segment('store-test');
    await AWSXRay.getNamespace().runPromise(async () => {
      AWSXRay.setSegment(segment);
      const instance = new OrderStore(database());
      assert.deepStrictEqual(await instance.find(1), { id: 1, placedAt: '2026-01-02' });
      assert.strictEqual(instance.count(), 1);
      await instance.refresh();
    });
    assert.deepStrictEqual((segment.subsegments ?? []).map((s) => s.name), ['OrderStore.find', 'OrderStore.count', 'OrderStore.refresh']);
  });
});
