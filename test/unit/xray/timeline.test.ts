// The timeline model on real captures (aws-xray-sdk-core over UDP, ADOT spans through the converter): rows in
// display order, services joined under their callers, the critical path checked by hand, and what streamed,
// in-progress, skewed, hostile and very large traces become.
import * as assert from 'assert';
import { criticalPath, type CriticalSection } from '../../../src/xray/criticalPath';
import type { SegmentDocument } from '../../../src/xray/model';
import { convertSpanBatches } from '../../../src/xray/otel/spanConverter';
import { buildTimeline, searchTimeline, timelineDetails, timelineRow, timelineString, type TimelineIndex } from '../../../src/xray/timeline';
import type { TimelineModel, TimelineRow } from '../../../src/xray/timelineModel';
import { TraceAssembler } from '../../../src/xray/traceAssembler';
import { deserializeWebviewMessage, serializeWebviewMessage } from '../vscodeWebviewMessage';
import { assembleAll, scenarioTraceId, sdkDocuments } from './fixtureData';
import { adotSpanBatches, span } from './otel/otelFixture';
import { syntheticTrace, SYNTHETIC_TRACE_ID } from './timelineSynthetic';

const traces = assembleAll(sdkDocuments());

/** The model with its columns read back into one object per row and per critical section, for assertions. */
interface Rows extends Omit<TimelineModel, 'rows' | 'critical'> {
  rows: TimelineRow[];
  critical: CriticalSection[];
}

function rowsOf(model: TimelineModel): Rows {
  const rows = Array.from({ length: model.rowCount }, (_, i) => timelineRow(model, i) as TimelineRow);
  const critical = Array.from(model.critical.row, (row, k) => ({ row, start: model.critical.start[k], end: model.critical.end[k] }));
  return { ...model, rows, critical };
}

function build(...args: Parameters<typeof buildTimeline>): Rows {
  return rowsOf(buildTimeline(...args).model);
}

/** Row i's search text (built on the host when a search first runs). */
const searchText = (index: TimelineIndex, i: number) => index.searchTexts()[i];

function scenario(label: string): Rows {
  const t = traces.get(scenarioTraceId(label));
  assert.ok(t, label);
  return build(t.traceId, t.segments(), t.pendingSubsegments());
}

const outline = (m: Rows) => m.rows.map((r) => `${'  '.repeat(r.depth)}${r.name}`);
const sections = (m: Rows) => m.critical.map((c) => `${m.rows[c.row].name} ${c.start}-${c.end}`);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What any critical path must satisfy: sections inside their rows, no overlap, back to back from the end. */
function assertWellFormedPath(m: Rows): void {
  let point = Number.POSITIVE_INFINITY;
  for (const c of m.critical) {
    const row = m.rows[c.row];
    assert.ok(c.start < c.end, `empty section on ${row.name}`);
    assert.ok(c.start >= row.start - 1e-9 && c.end <= row.end + 1e-9, `${row.name} ${c.start}-${c.end} outside ${row.start}-${row.end}`);
    assert.ok(c.end <= point + 1e-9, `sections overlap at ${row.name}`);
    point = c.start;
    assert.ok(row.critical);
  }
}

suite('timeline: the Node SDK capture', () => {
  test('a two-service trace: the callee segment sits under the subsegment that called it', () => {
    const m = scenario('orders-200-frontend');
    assert.deepStrictEqual(outline(m), [
      'frontend-api',
      '  loadOrder',
      '    orders-db@127.0.0.1',
      '  127.0.0.1',
      '    inventory-svc',
      '      lookupStock',
      '        redis@127.0.0.1',
      '  formatOrder',
    ]);
    assert.deepStrictEqual(m.services, ['frontend-api', 'inventory-svc']);
    assert.deepStrictEqual(m.rows.map((r) => m.services[r.service]), [
      'frontend-api', 'frontend-api', 'frontend-api', 'frontend-api', 'inventory-svc', 'inventory-svc', 'inventory-svc', 'frontend-api',
    ]);
    assert.deepStrictEqual(m.rows.map((r) => r.kind), ['segment', 'subsegment', 'remote', 'remote', 'segment', 'subsegment', 'remote', 'subsegment']);
    assert.deepStrictEqual(m.rows.map((r) => r.parent), [-1, 0, 1, 0, 3, 4, 5, 0]);
    assert.deepStrictEqual(m.rows.map((r) => r.childCount), [3, 1, 0, 1, 1, 1, 0, 0]);
    // frontend-api 780.366–780.420; inventory-svc 780.403–780.413 (SDK times are milliseconds).
    assert.strictEqual(m.durationMs, 54);
    assert.deepStrictEqual([m.rows[4].start, m.rows[4].end], [37, 47]);
    assert.strictEqual(m.rows[0].note, 'GET 200');
    const t = traces.get(scenarioTraceId('orders-200-frontend'))!;
    const index = buildTimeline(t.traceId, t.segments(), t.pendingSubsegments());
    assert.ok(searchText(index, 1).includes('order_id=670'), searchText(index, 1));
    assert.ok(searchText(index, 2).includes('select * from orders'), 'SQL is searchable');
  });

  test('critical path of the two-service trace, checked by hand', () => {
    // From the root's end (54) back: formatOrder finishes last (53–53, empty), so 53–54 is the root's own
    // time; the call to inventory ends at 53 (≤ 53, back to back), 47–53 is waiting for its response; in it
    // inventory-svc ends at 47 and its only work, redis under lookupStock (38–46), leaves 46–47 and 37–38
    // to the segment itself; before the call began at 9, the orders-db query under loadOrder ran 0–9.
    const m = scenario('orders-200-frontend');
    assert.deepStrictEqual(sections(m), [
      'frontend-api 53-54',
      '127.0.0.1 47-53',
      'inventory-svc 46-47',
      'redis@127.0.0.1 38-46',
      'inventory-svc 37-38',
      '127.0.0.1 9-37',
      'orders-db@127.0.0.1 0-9',
    ]);
    assert.strictEqual(m.critical.reduce((sum, c) => sum + c.end - c.start, 0), m.durationMs, 'the path covers the whole trace');
    assert.deepStrictEqual(m.rows.filter((r) => !r.critical).map((r) => r.name), ['loadOrder', 'lookupStock', 'formatOrder']);
    assertWellFormedPath(m);
  });

  test('a failed checkout: the path runs through the 409 from inventory and into the faulting subsegment', () => {
    const m = scenario('checkout-502-frontend');
    assert.deepStrictEqual(sections(m), [
      'frontend-api 81-83',
      '127.0.0.1 76-81',
      'inventory-svc 72-76',
      'reserveStock 64-72',
      'inventory-svc 63-64',
      '127.0.0.1 38-63',
      'checkout 1-38',
      'frontend-api 0-1',
    ]);
    assert.deepStrictEqual(m.rows.map((r) => r.outcome), ['fault', 'fault', 'ok', 'ok', 'error', 'error', 'fault']);
    assert.strictEqual(m.rows[0].note, 'POST 502');
    assertWellFormedPath(m);
  });

  test('streamed subsegments (more than 100 open) are all rows under their segment', () => {
    const m = scenario('fanout-streamed-subsegment');
    assert.strictEqual(m.rows.length, 131);
    assert.ok(m.rows.slice(1).every((r) => r.parent === 0 && r.depth === 1 && r.name.startsWith('work-item-')));
    for (let i = 2; i < m.rows.length; i++) assert.ok(m.rows[i].start >= m.rows[i - 1].start, 'children in start order');
    // All work items overlap; the path is the root's end, the one work item that ends last, then the root's
    // time before that item began.
    assert.strictEqual(m.critical.length, 2);
    const [last, before] = m.critical;
    assert.strictEqual(last.row, m.critical[0].row);
    const lastItem = m.rows[last.row];
    assert.ok(lastItem.name.startsWith('work-item-'));
    assert.strictEqual(lastItem.end, Math.max(...m.rows.slice(1).map((r) => r.end)));
    assert.deepStrictEqual([before.row, before.start, before.end], [0, 0, lastItem.start]);
    assertWellFormedPath(m);
  });

  test('Lambda mode: subsegments whose facade segment never arrives are roots of their own', () => {
    const m = scenario('lambda-mode-subsegment-ok');
    assert.deepStrictEqual(m.rows.filter((r) => r.parent === -1).map((r) => r.name), ['processRecord', 'processRecord']);
    assert.strictEqual(m.services[m.rows[0].service], '(no parent segment)');
    assert.strictEqual(m.services[m.rows[2].service], 'inventory-svc');
    // Two roots: the later one (25–30) ends the trace; the earlier one (0–24) ends before it started.
    assert.deepStrictEqual(m.critical.filter((c) => m.rows[c.row].parent === -1).map((c) => `${c.row} ${c.start}-${c.end}`), ['5 29-30', '0 16-24']);
    assertWellFormedPath(m);
  });

  test('an in-progress segment reaches to the trace end so far, and its work is the path', () => {
    const id = scenarioTraceId('manual-in-progress');
    const completed = clone(traces.get(id)!.segments()[0]);
    delete completed.end_time;
    completed.in_progress = true;
    const m = build(id, [completed]);
    assert.ok(m.rows[0].inProgress);
    assert.strictEqual(m.rows[0].end, m.durationMs);
    assert.strictEqual(m.durationMs, 76, 'the latest end inside the trace');
    assert.deepStrictEqual(sections(m), ['compactShard 54-76', 'reindexShard 3-54', 'batch-worker 0-3']);
    assert.strictEqual(m.rows[2].outcome, 'fault');

    // The SDK's own in-progress document, alone: one row, as long as nothing.
    const alone = sdkDocuments().find((d) => d.trace_id === id && d.in_progress === true);
    assert.ok(alone);
    const one = build(id, [alone]);
    assert.deepStrictEqual([one.rows.length, one.rows[0].inProgress, one.rows[0].start, one.rows[0].end], [1, true, 0, 0]);
  });

  test('a service whose clock runs ahead: a child sticking out of its parent is clipped, one outside it is left out', () => {
    const t = traces.get(scenarioTraceId('orders-200-frontend'))!;
    const shift = (seconds: number): SegmentDocument[] => {
      const [frontend, inventory] = clone(t.segments());
      const move = (d: SegmentDocument) => {
        d.start_time += seconds;
        d.end_time = (d.end_time as number) + seconds;
        (d.subsegments ?? []).forEach(move);
      };
      move(inventory);
      return [frontend, inventory];
    };
    // +10 ms: inventory-svc 47–57 sticks out of its caller 127.0.0.1 (9–53) and is seen as 47–53, its
    // lookupStock and redis (48–56) as 48–53: redis then ends the call, and the trace still ends at 54.
    const skewed = build(t.traceId, shift(0.01));
    assert.deepStrictEqual(outline(skewed), outline(scenario('orders-200-frontend')));
    assert.deepStrictEqual(sections(skewed), [
      'frontend-api 53-54',
      'redis@127.0.0.1 48-53',
      'inventory-svc 47-48',
      '127.0.0.1 9-47',
      'orders-db@127.0.0.1 0-9',
    ]);
    // +1 s: inventory-svc starts after its caller ended; the call's own time is the path.
    const apart = build(t.traceId, shift(1));
    assert.ok(!apart.rows[4].critical && !apart.rows[6].critical);
    assert.ok(sections(apart).includes('127.0.0.1 9-53'), sections(apart).join(', '));
    // -1 s: inventory-svc ended before its caller began (and the trace now starts with it, 963 ms earlier).
    const before = build(t.traceId, shift(-1));
    assert.deepStrictEqual(sections(before), ['frontend-api 1016-1017', '127.0.0.1 972-1016', 'orders-db@127.0.0.1 963-972']);
    for (const m of [skewed, apart, before]) assertWellFormedPath(m);
  });

  test('source locations: the first user frame of the row\'s own exception', () => {
    const m = scenario('crash-500');
    const apply = m.rows.find((r) => r.name === 'applyConfig');
    assert.deepStrictEqual(apply?.source, { path: '/srv/shop-demo/frontend/routes/misc.js', line: 19, label: 'parseConfig', workingDirectory: '/srv/shop-demo/frontend' });
    assert.strictEqual(m.rows[0].source, undefined, 'the segment holds a reference to the subsegment\'s cause, not frames');
  });

  test('details: the span, annotations, SQL and the cause with its stack, as text', () => {
    const t = traces.get(scenarioTraceId('crash-500'))!;
    const index = buildTimeline(t.traceId, t.segments());
    const apply = rowsOf(index.model).rows.findIndex((r) => r.name === 'applyConfig');
    const details = timelineDetails(index, apply);
    assert.deepStrictEqual(details.map((d) => d.title), ['Subsegment', 'Cause']);
    assert.match(details[1].text, /^TypeError: Cannot read properties of undefined \(reading 'threshold'\)\n {4}at parseConfig \(\/srv\/shop-demo\/frontend\/routes\/misc\.js:19\)/);
    const root = timelineDetails(index, 0);
    assert.ok(root.some((d) => d.title === 'HTTP' && d.text.includes('"status": 500')));
    const cause = root.find((d) => d.title === 'Cause');
    assert.ok(cause?.text.startsWith('recorded by '), 'the root\'s cause is a reference, resolved');

    const orders = traces.get(scenarioTraceId('orders-200-frontend'))!;
    const ordersIndex = buildTimeline(orders.traceId, orders.segments());
    assert.deepStrictEqual(timelineDetails(ordersIndex, 1).find((d) => d.title === 'Annotations')?.text, 'order_id = "670"');
    assert.ok(timelineDetails(ordersIndex, 2).find((d) => d.title === 'SQL')?.text.includes('PostgreSQL'));
    assert.deepStrictEqual(timelineDetails(ordersIndex, 99), []);
  });
});

suite('timeline: OpenTelemetry (ADOT) spans', () => {
  const { documents } = convertSpanBatches(adotSpanBatches());
  const byTrace = new Map<string, TraceAssembler>();
  for (const doc of documents) {
    let a = byTrace.get(doc.trace_id as string);
    if (!a) byTrace.set(doc.trace_id as string, (a = new TraceAssembler(doc.trace_id as string)));
    a.add(doc);
  }
  const model = (traceId: string) => {
    const a = byTrace.get(traceId)!;
    return build(traceId, a.segments(), a.pendingSubsegments());
  };

  test('the server segment joins under the client call, and a span that ends after its parent is clipped', () => {
    const m = model('1-6b01eed3-d3dcc0cf352b2f2ffa14ae39');
    assert.deepStrictEqual(outline(m), [
      'otel-orders',
      '  127.0.0.1:3011',
      '    tcp.connect',
      '    otel-orders',
      '      middleware - patched',
      '        request handler',
      '          request handler - /orders/:id',
      '            loadOrder',
    ]);
    // "middleware - patched" ends at 32.738, after its segment (32.131): on the path only up to 32.131.
    assert.ok(m.rows[4].end > m.rows[3].end);
    assert.deepStrictEqual(sections(m), [
      '127.0.0.1:3011 32.131-34.615',
      'middleware - patched 31.789-32.131',
      'request handler - /orders/:id 27.54-31.789',
      'loadOrder 22-27.54',
      'request handler 21-22',
      'otel-orders 19-21',
      '127.0.0.1:3011 14.179-19',
      'tcp.connect 4-14.179',
      '127.0.0.1:3011 0-4',
    ]);
    assertWellFormedPath(m);
  });

  test('code.* attributes give a row its source location', () => {
    const { documents: docs } = convertSpanBatches([
      {
        resource: { 'service.name': 'orders' },
        spans: [
          span({ parentSpanId: '', kind: 'SERVER', attributes: { 'code.filepath': '/srv/app/orders.js', 'code.lineno': 42, 'code.function': 'loadOrder' } }),
          span({ spanId: '3333333333333333', parentSpanId: '1111111111111111', attributes: { 'code.file.path': 'src/stock.ts', 'code.line.number': 7 } }),
        ],
      },
    ]);
    const m = build(docs[0].trace_id as string, docs);
    const sources = m.rows.map((r) => r.source).filter(Boolean);
    assert.deepStrictEqual(sources, [
      { path: '/srv/app/orders.js', line: 42, label: 'loadOrder' },
      { path: 'src/stock.ts', line: 7 },
    ]);
  });
});

suite('timeline: hostile and large traces', () => {
  test('names and details are text without controls or direction overrides, and bounded', () => {
    const doc: SegmentDocument = {
      trace_id: '1-6b01eecc-000000000000000000000001',
      id: 'aaaaaaaaaaaaaaaa',
      name: '<img src=x onerror=alert(1)>\u202Egnp.exe\u0000' + 'x'.repeat(100_000),
      start_time: 1795288780,
      end_time: 1795288781,
      annotations: { '<script>': 'javascript:alert(1)\u2066' },
      metadata: { default: { big: 'y'.repeat(1_000_000) } },
      sql: { sanitized_query: "'; DROP TABLE x; --\u202E" },
    };
    const index = buildTimeline(doc.trace_id as string, [doc]);
    const row = rowsOf(index.model).rows[0];
    assert.ok(row.name.length <= 200 && row.name.startsWith('<img src=x onerror=alert(1)>'));
    assert.ok(!/[\u0000\u202E\u2066]/.test(row.name), 'the name is shown: no controls or overrides');
    assert.ok(searchText(index, 0).length <= 1000);
    for (const section of timelineDetails(index, 0)) {
      assert.ok(section.text.length <= 8000, section.title);
      assert.ok(!/[\u0000\u202E\u2066]/.test(section.title + section.text), section.title);
    }
  });

  test('parent_id loops between documents do not hang or lose rows', () => {
    const a: SegmentDocument = { trace_id: 't', id: 'a', name: 'a', start_time: 1, end_time: 2, parent_id: 'b1', subsegments: [{ id: 'a1', name: 'a1', start_time: 1, end_time: 2 }] };
    const b: SegmentDocument = { trace_id: 't', id: 'b', name: 'b', start_time: 1, end_time: 2, parent_id: 'a1', subsegments: [{ id: 'b1', name: 'b1', start_time: 1, end_time: 2 }] };
    const self: SegmentDocument = { trace_id: 't', id: 'c', name: 'c', start_time: 1, end_time: 2, parent_id: 'c' };
    const m = build('t', [a, b, self]);
    assert.deepStrictEqual(m.rows.map((r) => r.name).sort(), ['a', 'a1', 'b', 'b1', 'c']);
    assert.ok(m.rows.some((r) => r.parent === -1 && r.name !== 'c'), 'the loop is cut somewhere');
  });

  test('criticalPath alone: reversed or NaN times are points, and nothing steps outside its parent', () => {
    const path = criticalPath({ parent: [-1, 0, 0, 1], start: [0, 2, 5, Number.NaN], end: [10, 4, 3, 8] });
    assert.deepStrictEqual(path, [
      { row: 0, start: 5, end: 10 },
      { row: 2, start: 5, end: 5 + 0 },
      { row: 0, start: 4, end: 5 },
      { row: 1, start: 2, end: 4 },
      { row: 0, start: 0, end: 2 },
    ].filter((s) => s.start < s.end));
    assert.deepStrictEqual(criticalPath({ parent: [], start: [], end: [] }), []);
  });

  test('10,000 spans in several services: every span a row, a well-formed path through the services', () => {
    const docs = syntheticTrace(10_000);
    const t = performance.now();
    const model = buildTimeline(SYNTHETIC_TRACE_ID, docs).model;
    const ms = performance.now() - t;
    const m = rowsOf(model);
    console.log(`      10,000 spans → timeline in ${ms.toFixed(1)} ms (goal: well under 50 ms; see bench/timeline.bench.mjs)`);
    assert.strictEqual(m.rows.length, 10_000);
    assert.ok(m.services.length >= 4, m.services.join(', '));
    assert.ok(m.rows.every((r, i) => r.parent < i && (r.parent === -1 ? r.depth === 0 : m.rows[r.parent].depth === r.depth - 1)));
    assert.ok(m.critical.length > 5);
    assertWellFormedPath(m);
    assert.ok(m.critical.some((c) => m.rows[c.row].kind === 'segment' && c.row !== 0), 'the path enters called services');
  });
});

suite('timeline: the column encoding', () => {
  /** Every typed array of the model, by its path. */
  const columnsOf = (model: TimelineModel) => {
    const out: [string, ArrayBufferView][] = [];
    for (const group of ['rows', 'sources', 'critical', 'strings'] as const) {
      for (const [key, value] of Object.entries(model[group])) if (ArrayBuffer.isView(value)) out.push([`${group}.${key}`, value]);
    }
    return out;
  };

  test('the model survives Webview.postMessage: typed arrays come back as typed arrays, rows read back the same', () => {
    for (const [label, model] of [
      ['two services', buildTimeline(traces.get(scenarioTraceId('orders-200-frontend'))!.traceId, traces.get(scenarioTraceId('orders-200-frontend'))!.segments()).model],
      ['a crash (sources)', buildTimeline(traces.get(scenarioTraceId('crash-500'))!.traceId, traces.get(scenarioTraceId('crash-500'))!.segments()).model],
      ['10,000 spans', buildTimeline(SYNTHETIC_TRACE_ID, syntheticTrace(10_000)).model],
    ] as const) {
      const { json, buffers } = serializeWebviewMessage({ type: 'state', state: { traceId: model.traceId, model, warnings: [] } });
      const received = (deserializeWebviewMessage(json, buffers) as { state: { model: TimelineModel } }).state.model;
      for (const [key, column] of columnsOf(model)) {
        const got = columnsOf(received).find(([k]) => k === key)?.[1];
        assert.ok(got && got.constructor === column.constructor, `${label}: ${key} arrived as ${got?.constructor.name}`);
        assert.deepStrictEqual(Array.from(got as Int32Array), Array.from(column as Int32Array), `${label}: ${key}`);
      }
      assert.deepStrictEqual(rowsOf(received), rowsOf(model), label);
      assert.deepStrictEqual(rowsOf(structuredClone(model)), rowsOf(model), `${label}: structured clone`);
      // Besides the buffers the JSON is a few fields, the string table and a reference per column (~130 characters each).
      assert.ok(json.length < model.strings.text.length * 1.1 + 4096, `${label}: ${json.length} characters of JSON`);
      assert.strictEqual(columnsOf(model).length, 21, 'every column is compared above');
    }
  });

  test('the string table holds each string once: names and notes shared by many rows, names that clip alike', () => {
    const t0 = 1795288780;
    const subsegments: SegmentDocument[] = [];
    for (let i = 0; i < 200; i++) {
      subsegments.push({ id: `s${String(i).padStart(15, '0')}`, name: 'query', start_time: t0 + i / 1000, end_time: t0 + i / 1000 + 0.0005, http: { request: { method: 'GET' }, response: { status: 200 } } });
    }
    // Two raw names that differ only in a control character are shown alike: one string.
    subsegments.push({ id: 'x000000000000001', name: 'a\u0000b', start_time: t0, end_time: t0 + 0.1 });
    subsegments.push({ id: 'x000000000000002', name: 'a\u0001b', start_time: t0, end_time: t0 + 0.1 });
    const root: SegmentDocument = { trace_id: '1-6b01eecc-000000000000000000000002', id: 'r000000000000000', name: 'query', start_time: t0, end_time: t0 + 1, subsegments };
    const model = buildTimeline(root.trace_id as string, [root]).model;
    const strings = Array.from({ length: model.strings.offsets.length - 1 }, (_, k) => timelineString(model, k));
    const count = (value: string) => strings.filter((v) => v === value).length;
    assert.strictEqual(model.rowCount, 203);
    assert.strictEqual(count('query'), 1, 'the root and 200 subsegments share one name');
    assert.strictEqual(count('GET 200'), 1);
    assert.strictEqual(count('a b'), 1);
    assert.strictEqual(new Set(model.rows.name.filter((_, r) => timelineRow(model, r)?.name === 'query')).size, 1);
    // Ids are unique, so the table is the 203 ids, 'query', 'GET 200', 'a b', and '(unnamed)' and '' (always there).
    assert.strictEqual(strings.length, 203 + 5);
    assert.strictEqual(new Set(strings).size, strings.length, 'no string twice');
    // Children in start order, ties in document order: the first query, then the two that started with it.
    assert.deepStrictEqual(rowsOf(model).rows.slice(0, 4).map((r) => [r.name, r.note, r.depth]), [['query', '', 0], ['query', 'GET 200', 1], ['a b', '', 1], ['a b', '', 1]]);
    assert.strictEqual(timelineString(model, -1), undefined);
  });

  test('search runs on the host over names, annotations, SQL and URLs, any case', () => {
    const t = traces.get(scenarioTraceId('orders-200-frontend'))!;
    const index = buildTimeline(t.traceId, t.segments());
    assert.deepStrictEqual(Array.from(searchTimeline(index, '  ORDER_ID=670 ')), [1]);
    assert.deepStrictEqual(Array.from(searchTimeline(index, 'select * from orders')), [2]);
    assert.deepStrictEqual(Array.from(searchTimeline(index, 'inventory-svc')), [4]);
    assert.deepStrictEqual(Array.from(searchTimeline(index, '   ')), []);
    assert.deepStrictEqual(Array.from(searchTimeline(index, 'x'.repeat(1001))), [], 'longer than any search text');
  });
});
