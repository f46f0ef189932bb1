// The store over the 948 real SDK documents: counters, time windows, merged traces, the summary cache and
// eviction by trace count and by bytes.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TraceStore } from '../../../src/collector/traceStore';
import { FIXTURES, newTraceId, segmentDoc } from './collectorHarness';

const corpus = readFileSync(path.join(FIXTURES, 'xray-sdk-node/udp-segment-documents.ndjson'), 'utf8').split('\n').filter(Boolean);
const scenarios = JSON.parse(readFileSync(path.join(FIXTURES, 'xray-sdk-node/scenario-trace-index.json'), 'utf8')) as Record<string, string>;

function loadCorpus(store: TraceStore): void {
  for (const line of corpus) store.ingest(line, Buffer.byteLength(line));
}

suite('collector: trace store', () => {
  test('stores all 948 real documents as 453 traces, counting bytes', () => {
    const store = new TraceStore();
    loadCorpus(store);
    const counters = store.counters();
    assert.equal(counters.received, 948);
    assert.equal(counters.accepted, 948);
    assert.equal(counters.rejected, 0);
    assert.equal(counters.traces, 453);
    assert.equal(store.size, 453);
    const total = corpus.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    // Documents that replace an in-progress copy are counted once.
    assert.ok(store.approximateBytes <= total && store.approximateBytes > total * 0.95, `${store.approximateBytes} vs ${total}`);
  });

  test('rejected documents are counted by the parser\'s reason and change nothing', () => {
    const store = new TraceStore();
    assert.deepEqual(store.ingest('{"id":'), { ok: false, reason: 'invalid-json' });
    assert.equal(store.ingest(JSON.stringify(segmentDoc('1-xyz'))).ok, false);
    store.reject('missing-header');
    const counters = store.counters();
    assert.equal(counters.received, 3);
    assert.equal(counters.rejected, 3);
    assert.deepEqual(counters.rejectedByReason, { 'invalid-json': 1, 'bad-trace-id': 1, 'missing-header': 1 });
    assert.equal(store.size, 0);
  });

  test('the two services linked by X-Amzn-Trace-Id come back as one trace with both segments', () => {
    const store = new TraceStore();
    loadCorpus(store);
    const trace = store.trace(scenarios['orders-200-frontend']);
    assert.ok(trace);
    const names = trace.Segments.map((s) => (JSON.parse(s.Document) as { name: string }).name).sort();
    assert.deepEqual(names, ['frontend-api', 'inventory-svc']);
    assert.equal(trace.LimitExceeded, false);
    assert.ok(trace.Duration !== undefined && trace.Duration > 0);
  });

  test('summaries filter on trace start time, sorted newest first', () => {
    const store = new TraceStore();
    loadCorpus(store);
    const all = store.summaries({ startTime: 0, endTime: 4e9 });
    assert.equal(all.length, 453);
    for (let i = 1; i < all.length; i++) {
      const [newer, older] = [all[i - 1], all[i]];
      assert.ok(newer.startTime > older.startTime || (newer.startTime === older.startTime && newer.traceId > older.traceId));
    }
    const middle = all[200].startTime;
    const later = store.summaries({ startTime: middle, endTime: 4e9 });
    assert.ok(later.every((s) => s.startTime >= middle));
    assert.ok(later.length < 453 && later.length > 0);
    assert.equal(store.summaries({ startTime: 0, endTime: 1000 }).length, 0);
    // TimeRangeType TraceId reads the epoch inside the trace id.
    const byId = store.summaries({ startTime: 0x6b01eed0, endTime: 0x6b01eed0 }, 'TraceId');
    assert.ok(byId.length > 0 && byId.every((s) => s.traceId.startsWith('1-6b01eed0-')));
  });

  test('a summary is cached until its trace changes', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const root = segmentDoc(traceId, { name: 'api', in_progress: true, end_time: undefined });
    store.ingest(JSON.stringify(root));
    const first = store.summary(traceId);
    assert.ok(first);
    assert.equal(first.IsPartial, true);
    assert.equal(store.summary(traceId), first, 'same object while nothing changed');
    store.ingest(JSON.stringify({ ...root, in_progress: undefined, end_time: (root.start_time as number) + 1 }));
    const second = store.summary(traceId);
    assert.notEqual(second, first);
    assert.equal(second?.IsPartial, false);
  });

  test('over maxTraces the oldest traces are evicted first', () => {
    const store = new TraceStore({ maxTraces: 100 });
    loadCorpus(store);
    const counters = store.counters();
    assert.equal(counters.traces, 100);
    assert.equal(counters.evicted, 353);
    // The first trace of the corpus is gone, the last one is kept.
    const firstId = (JSON.parse(corpus[0]) as { trace_id: string }).trace_id;
    const lastId = (JSON.parse(corpus[corpus.length - 1]) as { trace_id: string }).trace_id;
    assert.equal(store.has(firstId), false);
    assert.equal(store.has(lastId), true);
  });

  test('over maxBytes the oldest traces are evicted until the store fits', () => {
    const maxBytes = 50_000;
    const store = new TraceStore({ maxBytes });
    loadCorpus(store);
    const counters = store.counters();
    assert.ok(counters.approximateBytes <= maxBytes, `${counters.approximateBytes}`);
    assert.ok(counters.approximateBytes > maxBytes * 0.8);
    assert.equal(counters.traces + counters.evicted, 453);
    // Bytes add up to exactly what the kept traces hold: per document id the last copy sent, except that an
    // in-progress copy never replaces a completed one.
    const kept = new Set(store.summaries({ startTime: 0, endTime: 4e9 }).map((s) => s.traceId));
    assert.equal(kept.size, counters.traces);
    const held = new Map<string, { bytes: number; inProgress: boolean }>();
    for (const line of corpus) {
      const doc = JSON.parse(line) as { trace_id: string; id: string; type?: string; in_progress?: boolean };
      if (!kept.has(doc.trace_id)) continue;
      const key = `${doc.trace_id} ${doc.type === 'subsegment' ? 'streamed' : 'segment'} ${doc.id}`;
      const inProgress = doc.in_progress === true;
      if (held.get(key)?.inProgress === false && inProgress) continue;
      held.set(key, { bytes: Buffer.byteLength(line), inProgress });
    }
    const keptBytes = [...held.values()].reduce((sum, copy) => sum + copy.bytes, 0);
    assert.equal(counters.approximateBytes, keptBytes);
    assert.equal(store.approximateBytes, keptBytes);
  });

  test('a single trace bigger than maxBytes is still kept (the newest data survives)', () => {
    const store = new TraceStore({ maxBytes: 10 });
    const traceId = newTraceId();
    store.ingest(JSON.stringify(segmentDoc(traceId)));
    assert.equal(store.has(traceId), true);
    const other = newTraceId();
    store.ingest(JSON.stringify(segmentDoc(other)));
    assert.equal(store.has(traceId), false);
    assert.equal(store.has(other), true);
    assert.equal(store.counters().evicted, 1);
  });

  test('a document sent again replaces its copy; an in-progress copy never replaces the completed one', () => {
    const store = new TraceStore();
    const traceId = newTraceId();
    const done = segmentDoc(traceId, { name: 'api' });
    const text = JSON.stringify(done);
    for (let i = 0; i < 100; i++) store.ingest(text);
    assert.equal(store.approximateBytes, text.length, 'a repeating sender cannot grow the store');
    store.ingest(JSON.stringify({ ...done, in_progress: true, end_time: undefined }));
    assert.equal(store.summary(traceId)?.IsPartial, false);
    assert.equal(store.segments(traceId)?.[0].end_time, done.end_time);
    assert.equal(store.counters().accepted, 101);
  });

  test('the receive path only queues: documents count as queued until a slice or a read parses them, with the same result as ingest', () => {
    const direct = new TraceStore();
    loadCorpus(direct);
    const queued = new TraceStore();
    for (const line of corpus) queued.enqueue(Buffer.from(line));
    queued.enqueue(Buffer.from('{"id":'));
    queued.enqueue(Buffer.from(JSON.stringify(segmentDoc('1-xyz'))));
    const before = queued.counters();
    assert.equal(before.received, 950);
    assert.equal(before.queued, 950);
    assert.equal(before.accepted, 0);
    assert.equal(before.traces, 0);
    const window = { startTime: 0, endTime: 4e9 };
    assert.deepEqual(queued.summaries(window), direct.summaries(window));
    const after = queued.counters();
    assert.equal(after.queued, 0);
    assert.equal(after.accepted, 948);
    assert.deepEqual(after.rejectedByReason, { 'invalid-json': 1, 'bad-trace-id': 1 });
    assert.equal(after.approximateBytes, direct.approximateBytes);
  });

  test('a large backlog is parsed in slices between turns of the event loop, then completely without any read', async () => {
    const store = new TraceStore({ maxTraces: 100_000, maxBytes: 1024 * 1024 * 1024 });
    const bodies = corpus.map((line) => Buffer.from(line));
    for (let i = 0; i < 20; i++) for (const body of bodies) store.enqueue(body);
    const total = 20 * corpus.length;
    await new Promise((resolve) => setImmediate(resolve));
    const first = store.counters();
    assert.ok(first.queued > 0 && first.queued < total, `one slice left ${first.queued} of ${total} queued`);
    const deadline = Date.now() + 20_000;
    while (store.counters().queued > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const done = store.counters();
    assert.equal(done.queued, 0);
    // The same 948 documents twenty times: every copy accepted, each replacing the last.
    assert.equal(done.accepted, total);
    assert.equal(done.traces, 453);
  });

  test('settle() stores what was received before it in slices, letting the event loop turn between them, and not what came after', async () => {
    const store = new TraceStore({ maxTraces: 100_000, maxBytes: 1024 * 1024 * 1024 });
    const bodies = corpus.map((line) => Buffer.from(line));
    for (let i = 0; i < 10; i++) for (const body of bodies) store.enqueue(body);
    const before = 10 * corpus.length;
    // Turns of the event loop while settle() runs: what lets the collector's socket be read meanwhile.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const settling = store.settle(1);
    // Arrived after the call: settle() need not wait for it.
    store.enqueue(Buffer.from(JSON.stringify(segmentDoc(newTraceId()))));
    await settling;
    counting = false;
    const c = store.counters();
    assert.ok(c.accepted >= before, `${c.accepted} of ${before} stored when settle() resolved`);
    assert.ok(turns >= 3, `the event loop turned ${turns} times during settle()`);
    assert.ok(c.accepted <= before + 1);
  });

  test('a backlog beyond maxBytes drops its oldest documents as rejected "overloaded", never silently', () => {
    const maxBytes = 100_000;
    const store = new TraceStore({ maxBytes });
    for (const line of corpus) store.enqueue(Buffer.from(line));
    const c = store.counters();
    assert.ok(c.rejectedByReason.overloaded > 0, JSON.stringify(c.rejectedByReason));
    assert.equal(c.received, corpus.length);
    assert.equal(c.queued + c.rejected, corpus.length);
    store.flush();
    const flushed = store.counters();
    assert.equal(flushed.accepted + flushed.rejected, corpus.length);
    // What survived is the newest part of the stream: the corpus's last trace is there.
    const lastId = (JSON.parse(corpus[corpus.length - 1]) as { trace_id: string }).trace_id;
    assert.equal(store.has(lastId), true);
  });
});
