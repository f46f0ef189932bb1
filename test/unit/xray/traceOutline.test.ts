// The outline the tree shows, built from the real SDK capture: segments, subsegments, details, exceptions
// resolved by reference, frames; and what hostile or huge strings become.
import * as assert from 'assert';
import type { SegmentDocument } from '../../../src/xray/model';
import { clip, formatAge, formatDuration, outlineTrace, traceTitle, type OutlineNode } from '../../../src/xray/traceOutline';
import { assembleAll, scenarioTraceId, sdkDocuments } from './fixtureData';

function flatten(nodes: OutlineNode[]): OutlineNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

suite('traceOutline', () => {
  const traces = assembleAll(sdkDocuments());
  const outlineOf = (label: string) => {
    const t = traces.get(scenarioTraceId(label));
    assert.ok(t, label);
    return outlineTrace(t.segments(), t.pendingSubsegments());
  };

  test('a two-service trace: one node per segment, in start order, with both services', () => {
    const nodes = outlineOf('orders-200-frontend');
    assert.deepStrictEqual(nodes.map((n) => n.kind), nodes.map(() => 'segment'));
    assert.deepStrictEqual(nodes.map((n) => n.label).sort(), ['frontend-api', 'inventory-svc']);
    assert.strictEqual(nodes[0].label, 'frontend-api', 'the caller starts first');
    const all = flatten(nodes);
    assert.ok(all.some((n) => n.kind === 'subsegment' && n.description?.includes('remote')), 'the HTTP call is a remote subsegment');
    assert.ok(all.some((n) => n.kind === 'http' && /^GET http/.test(n.label)));
    for (const n of all.filter((x) => x.kind === 'segment' || x.kind === 'subsegment')) {
      assert.ok(n.durationMs !== undefined && n.durationMs >= 0, `${n.label} has a duration`);
    }
  });

  test('the crash trace shows its exception with user frames carrying the working directory', () => {
    const all = flatten(outlineOf('crash-500'));
    const exception = all.find((n) => n.kind === 'exception');
    assert.ok(exception, 'no exception node');
    assert.strictEqual(exception.outcome, 'fault');
    const frames = exception.children.filter((n) => n.kind === 'frame');
    assert.ok(frames.length > 0);
    const user = frames.filter((f) => f.frame?.user);
    assert.ok(user.length > 0, 'some frames are user code');
    for (const f of user) {
      assert.ok(f.frame!.path.startsWith('/srv/shop-demo/') && !f.frame!.path.includes('node_modules'), f.frame!.path);
      assert.ok(f.frame!.line > 0);
      assert.strictEqual(f.frame!.workingDirectory, '/srv/shop-demo/frontend');
      assert.strictEqual(f.description, `${f.frame!.path}:${f.frame!.line}`);
    }
    assert.ok(frames.some((f) => !f.frame?.user), 'node_modules / runtime frames are kept but not offered to open');
  });

  test('a cause given by reference shows the exception it points to', () => {
    const all = flatten(outlineOf('checkout-502-frontend'));
    const exceptions = all.filter((n) => n.kind === 'exception');
    assert.ok(exceptions.length > 0);
    assert.ok(exceptions.some((e) => e.description?.includes('from a subsegment')), exceptions.map((e) => e.description).join('|'));
  });

  test('an in-progress segment says so instead of a duration', () => {
    const seg: SegmentDocument = { id: 'a'.repeat(16), name: 'svc', trace_id: '1-6b01eed1-29e32f9a9fd669c8dd1a20b1', start_time: 1, in_progress: true };
    const [node] = outlineTrace([seg]);
    assert.strictEqual(node.inProgress, true);
    assert.strictEqual(node.description, 'in progress');
    assert.strictEqual(node.durationMs, undefined);
  });

  test('a time no Date can hold (a document not validated) is shown as a number, not thrown on', () => {
    for (const start_time of [1e20, Number.NaN, -1e300]) {
      const seg = { id: 'c'.repeat(16), name: 'svc', trace_id: '1-6b01eed1-29e32f9a9fd669c8dd1a20b1', start_time, end_time: 2e20 } as SegmentDocument;
      const [node] = outlineTrace([seg]);
      assert.match(node.detail ?? '', /^start \S+ \(not a valid date\)$/m);
    }
  });

  test('hostile and huge strings are clipped and stripped of controls and direction overrides', () => {
    const hostile = '<img src=x onerror=alert(1)>\u202Egnp.exe\u0000\n\u0085\u2067\u200F' + 'A'.repeat(10_000);
    // A value 10,000 levels deep (JSON.stringify and String() overflow on it), built as an object: a
    // document validated elsewhere or not at all can carry one.
    let deep: unknown = {};
    let deepArray: unknown = [];
    for (let i = 0; i < 10_000; i++) {
      deep = { a: deep };
      deepArray = [deepArray];
    }
    const seg: SegmentDocument = {
      id: 'b'.repeat(16), name: hostile, trace_id: '1-6b01eed1-29e32f9a9fd669c8dd1a20b1', start_time: 1, end_time: 2, origin: hostile,
      http: { request: { url: hostile, method: hostile }, response: { status: 500 } },
      annotations: { [hostile]: hostile }, metadata: { default: { k: hostile } },
      cause: { exceptions: [{ message: hostile, type: hostile, stack: [{ path: hostile, line: 3, label: hostile }] }] },
      subsegments: [
        {
          id: 'c'.repeat(16), name: hostile, start_time: 1, end_time: 2, namespace: hostile,
          http: { request: { method: '\u{1F600}'.repeat(300), url: deepArray as string } },
          sql: { sanitized_query: hostile, url: hostile, database_type: hostile, user: hostile, nested: deep },
        },
        { id: 'd'.repeat(16), name: 'q', start_time: 1, end_time: 2, sql: { url: deepArray, user: deep } },
        {
          id: 'e'.repeat(16), name: hostile, start_time: 1, end_time: 2, namespace: 'aws',
          aws: { operation: hostile, region: hostile, table_name: hostile, retries: hostile, nested: deep },
        },
        { id: 'f'.repeat(16), name: 'r', start_time: 1, end_time: 2, namespace: 'aws', aws: { operation: deepArray, region: deep, retries: deepArray } },
      ],
    };
    const all = flatten(outlineTrace([seg]));
    assert.ok(all.length >= 15, `${all.length} nodes`);
    for (const kind of ['http', 'sql', 'aws'] as const) {
      assert.strictEqual(all.filter((n) => n.kind === kind).length, 2, `${kind} nodes`);
    }
    for (const n of all) {
      for (const text of [n.label, n.description ?? '']) {
        assert.ok(text.length <= 200, `${n.kind} text is ${text.length} chars`);
        assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
        assert.doesNotMatch(text, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no half of a surrogate pair left at the cut');
      }
      assert.ok((n.detail ?? '').length <= 4000, `${n.kind} detail is ${n.detail?.length} chars`);
    }
  });

  test('formatting helpers', () => {
    assert.strictEqual(formatDuration(0), '0 ms');
    assert.strictEqual(formatDuration(0.5), '0.50 ms');
    assert.strictEqual(formatDuration(212.4), '212 ms');
    assert.strictEqual(formatDuration(1500), '1.50 s');
    assert.strictEqual(formatDuration(90_000), '1.5 min');
    assert.strictEqual(formatAge(4.2), '4s ago');
    assert.strictEqual(formatAge(125), '2m ago');
    assert.strictEqual(formatAge(7200), '2h ago');
    assert.strictEqual(traceTitle({ id: 'x', method: 'GET', url: 'http://127.0.0.1:3001/orders/42?tier=gold' }), 'GET /orders/42?tier=gold');
    assert.strictEqual(traceTitle({ id: 'x', entryPoint: 'worker' }), 'worker');
    assert.strictEqual(traceTitle({ id: '1-abc' }), '1-abc');
    assert.strictEqual(clip('a\u202Eb'), 'a b');
  });
});
