import * as assert from 'assert';
import type { SegmentDocument } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { TraceAssembler } from '../../../src/xray/traceAssembler';
import { assembleAll, scenarioSegments, scenarioTraceId, sdkDocumentLines, sdkDocuments, seededRandom, shuffled } from './fixtureData';

/** id → parent id, for every (sub)segment below the given documents. */
function parentIndex(roots: SegmentDocument[]): Map<string, string | undefined> {
  const parents = new Map<string, string | undefined>();
  walkDocuments(roots, ({ doc, parent }) => parents.set(doc.id, parent?.id));
  return parents;
}

function countNodes(roots: SegmentDocument[]): number {
  let n = 0;
  walkDocuments(roots, () => n++);
  return n;
}

function traceDocs(label: string): SegmentDocument[] {
  const id = scenarioTraceId(label);
  return sdkDocuments().filter((d) => d.trace_id === id);
}

suite('TraceAssembler on the SDK capture', () => {
  test('948 documents make 453 traces; no document is lost or duplicated', () => {
    const docs = sdkDocuments();
    const traces = assembleAll(docs);
    assert.strictEqual(traces.size, 453);
    // Every (sub)segment sent ends up exactly once in segments() or pendingSubsegments() — except the
    // in-progress copy, which its completed version replaces.
    const sent = new Set<string>();
    walkDocuments(docs, ({ doc }) => sent.add(doc.id));
    let placed = 0;
    const seen = new Set<string>();
    for (const t of traces.values()) {
      const all = [...t.segments(), ...t.pendingSubsegments()];
      placed += countNodes(all);
      walkDocuments(all, ({ doc }) => seen.add(doc.id));
    }
    assert.strictEqual(placed, seen.size, 'no id placed twice');
    assert.deepStrictEqual([...sent].filter((id) => !seen.has(id)), []);
    const held = [...traces.values()].reduce((n, t) => n + t.documentCount, 0);
    assert.strictEqual(held, 947, 'the in-progress manual segment was replaced, the rest are held');
  });

  test('fan-out: 29 streamed subsegments sit under the root segment, whatever the arrival order', () => {
    const docs = traceDocs('fanout-streamed-subsegment');
    const streamed = docs.filter((d) => d.type === 'subsegment');
    const root = docs.find((d) => d.type !== 'subsegment') as SegmentDocument;
    assert.strictEqual(streamed.length, 29);
    assert.ok(streamed.every((d) => d.parent_id === root.id));

    const inCaptureOrder = new TraceAssembler(root.trace_id as string);
    for (const d of docs) inCaptureOrder.add(d);
    const [merged] = inCaptureOrder.segments();
    assert.strictEqual(inCaptureOrder.segments().length, 1);
    assert.deepStrictEqual(inCaptureOrder.pendingSubsegments(), []);
    const parents = parentIndex([merged]);
    for (const s of streamed) assert.strictEqual(parents.get(s.id), root.id, s.name);
    const embedded = (root.subsegments ?? []).length;
    assert.strictEqual((merged.subsegments ?? []).length, embedded + 29);

    const random = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const again = new TraceAssembler(root.trace_id as string);
      for (const d of shuffled(docs, random)) again.add(d);
      assert.deepStrictEqual(again.segments(), inCaptureOrder.segments(), `round ${round}`);
    }
  });

  test('the caller documents are not mutated, so the same objects assemble again identically', () => {
    const docs = traceDocs('fanout-streamed-subsegment');
    const before = JSON.stringify(docs);
    const a = new TraceAssembler(docs[0].trace_id as string);
    for (const d of docs) a.add(d);
    const first = a.segments();
    assert.strictEqual(JSON.stringify(docs), before);
    const b = new TraceAssembler(docs[0].trace_id as string);
    for (const d of docs.slice().reverse()) b.add(d);
    assert.deepStrictEqual(b.segments(), first);
    assert.strictEqual(a.segments(), first, 'cached until the next add');
  });

  test('Lambda mode: subsegments under the never-sent facade stay pending, with their streamed children nested', () => {
    const docs = traceDocs('lambda-mode-subsegment-ok');
    const random = seededRandom(11);
    let reference: { segments: SegmentDocument[]; pending: SegmentDocument[] } | undefined;
    for (let round = 0; round < 10; round++) {
      const a = new TraceAssembler(docs[0].trace_id as string);
      for (const d of round === 0 ? docs : shuffled(docs, random)) a.add(d);
      const result = { segments: a.segments(), pending: a.pendingSubsegments() };
      if (!reference) reference = result;
      else assert.deepStrictEqual(result, reference, `round ${round}`);
    }
    const { segments, pending } = reference as { segments: SegmentDocument[]; pending: SegmentDocument[] };
    assert.deepStrictEqual(segments.map((s) => s.name), ['inventory-svc', 'inventory-svc']);
    assert.deepStrictEqual(pending.map((p) => p.name), ['processRecord', 'processRecord']);
    // Each inventory-svc segment was called by the 127.0.0.1 subsegment nested in its processRecord.
    const parents = parentIndex(pending);
    for (const s of segments) {
      const caller = s.parent_id as string;
      assert.ok(pending.some((p) => p.id === parents.get(caller)), `caller of ${s.id} nested in a pending processRecord`);
    }
    assert.ok(pending.every((p) => p.parent_id === pending[0].parent_id), 'both wait for the same facade segment');
  });

  test('in progress is replaced by completed, and a late in-progress copy does not replace completed', () => {
    const [inProgress, completed] = traceDocs('manual-in-progress');
    assert.strictEqual(inProgress.in_progress, true);
    assert.strictEqual(completed.in_progress, undefined);
    assert.strictEqual(inProgress.id, completed.id);

    const a = new TraceAssembler(inProgress.trace_id as string);
    a.add(inProgress, 404);
    assert.strictEqual(a.isPartial(), true);
    assert.strictEqual(a.endTime, undefined);
    assert.strictEqual(a.add(completed, 941), true);
    assert.strictEqual(a.isPartial(), false);
    assert.deepStrictEqual(a.segments(), [completed]);
    assert.strictEqual(a.documentCount, 1);
    assert.strictEqual(a.approximateBytes, 941, 'the replaced copy no longer counts');
    assert.strictEqual(a.endTime, completed.end_time);

    const b = new TraceAssembler(inProgress.trace_id as string);
    b.add(completed);
    assert.strictEqual(b.add(inProgress), false);
    assert.deepStrictEqual(b.segments(), [completed]);
    assert.strictEqual(b.isPartial(), false);
  });

  test('a re-sent streamed subsegment replaces the older one (in progress → completed)', () => {
    const docs = traceDocs('fanout-streamed-subsegment');
    const sub = docs.find((d) => d.type === 'subsegment') as SegmentDocument;
    const open: SegmentDocument = { ...sub, in_progress: true };
    delete open.end_time;
    const a = new TraceAssembler(sub.trace_id as string);
    for (const d of docs) if (d !== sub) a.add(d);
    a.add(open);
    assert.strictEqual(a.isPartial(), true);
    a.add(sub);
    assert.strictEqual(a.isPartial(), false);
    const found: SegmentDocument[] = [];
    walkDocuments(a.segments(), ({ doc }) => doc.id === sub.id && found.push(doc));
    assert.deepStrictEqual(found, [sub]);
  });

  test('streamed subsegment before its parent is pending, then placed when the parent arrives', () => {
    const docs = traceDocs('fanout-streamed-subsegment');
    const root = docs.find((d) => d.type !== 'subsegment') as SegmentDocument;
    const a = new TraceAssembler(root.trace_id as string);
    for (const d of docs) if (d !== root) a.add(d);
    assert.deepStrictEqual(a.segments(), []);
    assert.strictEqual(a.pendingSubsegments().length, 29);
    a.add(root);
    assert.strictEqual(a.pendingSubsegments().length, 0);
    assert.strictEqual(a.segments().length, 1);
  });

  test('a streamed subsegment whose parent is an embedded subsegment nests there', () => {
    const [segment] = traceDocs('orders-200-frontend').filter((d) => d.name === 'frontend-api');
    const loadOrder = (segment.subsegments ?? []).find((s) => s.name === 'loadOrder') as SegmentDocument;
    const streamed: SegmentDocument = {
      id: 'aaaaaaaaaaaaaaaa', name: 'cacheWarm', start_time: loadOrder.start_time, end_time: loadOrder.end_time,
      type: 'subsegment', parent_id: loadOrder.id, trace_id: segment.trace_id,
    };
    const a = new TraceAssembler(segment.trace_id as string);
    a.add(streamed);
    a.add(segment);
    assert.strictEqual(parentIndex(a.segments()).get(streamed.id), loadOrder.id);
    assert.strictEqual((segment.subsegments ?? []).find((s) => s.name === 'loadOrder')?.subsegments?.length, 1, 'input untouched');
  });

  test('documents of another trace are refused; times and counts cover what is held', () => {
    const docs = sdkDocuments();
    const id = scenarioTraceId('checkout-502-frontend');
    const a = new TraceAssembler(id);
    const lines = sdkDocumentLines();
    let bytes = 0;
    docs.forEach((d, i) => {
      if (a.add(d, Buffer.byteLength(lines[i]))) bytes += Buffer.byteLength(lines[i]);
    });
    const mine = docs.filter((d) => d.trace_id === id);
    assert.strictEqual(a.documentCount, mine.length);
    assert.strictEqual(a.approximateBytes, bytes);
    assert.strictEqual(a.startTime, Math.min(...mine.map((d) => d.start_time)));
    assert.strictEqual(a.endTime, Math.max(...mine.map((d) => d.end_time as number)));
    assert.deepStrictEqual(a.segments().map((s) => s.name), ['frontend-api', 'inventory-svc'], 'start-time order');
  });

  test('parent_id cycles among streamed subsegments neither hang nor lose documents', () => {
    const base = { name: 'loop', start_time: 1, end_time: 2, type: 'subsegment', trace_id: '1-00000000-000000000000000000000000' };
    const x: SegmentDocument = { ...base, id: '000000000000000a', parent_id: '000000000000000b' };
    const y: SegmentDocument = { ...base, id: '000000000000000b', parent_id: '000000000000000a' };
    const self: SegmentDocument = { ...base, id: '000000000000000c', parent_id: '000000000000000c' };
    const a = new TraceAssembler(base.trace_id);
    [x, y, self].forEach((d) => a.add(d));
    assert.strictEqual(countNodes(a.pendingSubsegments()), 3);
  });
});

suite('TraceAssembler: a subsegment both embedded and streamed', () => {
  test('is kept once, the completed copy winning in either direction', () => {
    const [segment] = scenarioSegments('orders-200-frontend');
    const loadOrder = (segment.subsegments ?? []).find((s) => s.name === 'loadOrder') as SegmentDocument;
    const open: SegmentDocument = { ...loadOrder, in_progress: true };
    delete open.end_time;
    const streamedDone: SegmentDocument = { ...loadOrder, type: 'subsegment', parent_id: segment.id, trace_id: segment.trace_id };
    const flushed: SegmentDocument = { ...segment, subsegments: (segment.subsegments ?? []).map((s) => (s === loadOrder ? open : s)) };

    const a = new TraceAssembler(segment.trace_id as string);
    a.add(flushed);
    assert.strictEqual(a.isPartial(), true);
    a.add(streamedDone);
    const copies: SegmentDocument[] = [];
    walkDocuments(a.segments(), ({ doc }) => doc.id === loadOrder.id && copies.push(doc));
    assert.deepStrictEqual(copies, [streamedDone]);
    assert.strictEqual(a.isPartial(), false);

    const b = new TraceAssembler(segment.trace_id as string);
    b.add(segment);
    b.add({ ...open, type: 'subsegment', parent_id: segment.id, trace_id: segment.trace_id });
    const kept: SegmentDocument[] = [];
    walkDocuments(b.segments(), ({ doc }) => doc.id === loadOrder.id && kept.push(doc));
    assert.deepStrictEqual(kept, [loadOrder]);
    assert.strictEqual(b.isPartial(), false);
  });
});
