// Bad input over real UDP: every refused datagram is counted by reason, none affects the others, and the
// collector keeps serving the read API while a flood of garbage arrives.
import { BatchGetTracesCommand, GetTraceSummariesCommand, paginateGetTraceSummaries } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { HEADER, datagram, newId, newTraceId, segmentDoc, sendDatagrams, startTestCollector, waitFor, xrayClient } from './collectorHarness';

suite('collector: UDP ingest of bad and good datagrams', () => {
  let collector: LocalCollector;

  setup(async () => {
    collector = await startTestCollector();
  });

  teardown(async () => {
    await collector.close();
  });

  test('each kind of bad datagram is rejected with its reason; the good ones around it are stored', async () => {
    const good = [newTraceId(), newTraceId()];
    await sendDatagrams(collector.port, [
      datagram(segmentDoc(good[0])),
      JSON.stringify(segmentDoc(newTraceId())), // no header
      `${HEADER}\n{"trace_id": "1-`, // broken JSON
      `{"format":"json","version":2}\n${JSON.stringify(segmentDoc(newTraceId()))}`, // wrong version
      datagram(segmentDoc(newTraceId(), { id: 'not-hex-at-all!' })), // bad id
      datagram(segmentDoc('1-123-456')), // bad trace id
      datagram(segmentDoc(newTraceId(), { end_time: undefined })), // complete segment without end_time
      datagram(segmentDoc(good[1])),
    ]);
    await waitFor(() => collector.counters().received === 8, '8 datagrams');
    const counters = collector.counters();
    assert.equal(counters.accepted, 2);
    assert.equal(counters.rejected, 6);
    assert.deepEqual(counters.rejectedByReason, {
      'missing-header': 1,
      'invalid-json': 1,
      'bad-header': 1,
      'bad-id': 1,
      'bad-trace-id': 1,
      'missing-field': 1,
    });
    assert.ok(collector.store.has(good[0]) && collector.store.has(good[1]));
  });

  test('a datagram of 65,507 bytes (the most UDP over IPv4 carries) is accepted whole', async () => {
    // Nothing bigger than 64 KiB can arrive over IPv4 UDP at all; the too-large rule is covered on bytes in
    // udpDatagram.test.ts.
    const traceId = newTraceId();
    const doc = segmentDoc(traceId, { metadata: { default: { blob: '' } } });
    const overhead = Buffer.byteLength(datagram(doc));
    (doc.metadata as { default: { blob: string } }).default.blob = 'x'.repeat(65507 - overhead);
    const big = datagram(doc);
    assert.equal(Buffer.byteLength(big), 65507);
    await sendDatagrams(collector.port, [big]);
    await waitFor(() => collector.counters().accepted === 1, 'the big datagram');
    const segments = collector.store.segments(traceId);
    assert.equal((segments?.[0].metadata?.default.blob as string).length, 65507 - overhead);
  });

  test('unknown fields are kept and visible in BatchGetTraces documents', async () => {
    const traceId = newTraceId();
    const subId = newId();
    const doc = segmentDoc(traceId, {
      x_custom: { nested: [1, 2, 3] },
      subsegments: [{ id: subId, name: 'child', start_time: 1, end_time: 2, future_field: 'kept' }],
    });
    await sendDatagrams(collector.port, [datagram(doc)]);
    await waitFor(() => collector.counters().accepted === 1, 'the document');
    const client = xrayClient(collector);
    try {
      const reply = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
      const stored = JSON.parse(reply.Traces?.[0].Segments?.[0].Document as string) as Record<string, unknown>;
      assert.deepEqual(stored.x_custom, { nested: [1, 2, 3] });
      assert.equal((stored.subsegments as Record<string, unknown>[])[0].future_field, 'kept');
    } finally {
      client.destroy();
    }
  });

  test('a flood of garbage mixed with good datagrams: every good one arrives, counters exact, API keeps answering', async () => {
    const goodIds: string[] = [];
    const datagrams: (string | Buffer)[] = [];
    const garbage = [
      Buffer.from([0, 1, 2, 3, 0x0a, 0xff]),
      'no header at all',
      `${HEADER}\n{{{{`,
      `${HEADER}\n[]`,
      // Deeply nested and unterminated. V8's JSON.parse spends ~0.1 µs per level before failing, so 200 levels
      // keeps this flood about parsing volume, not about a 64 KB nesting bomb (~5 ms each, inherent to JSON).
      `${HEADER}\n${'{"a":'.repeat(200)}`,
      `${HEADER}\nnull`,
      '\n',
    ];
    for (let i = 0; i < 3000; i++) {
      const traceId = newTraceId();
      goodIds.push(traceId);
      datagrams.push(datagram(segmentDoc(traceId, { annotations: { i } })));
      datagrams.push(garbage[i % garbage.length]);
    }
    const client = xrayClient(collector);
    try {
      const sending = sendDatagrams(collector.port, datagrams);
      // Read while the flood is on: the API must answer.
      const during = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(0), EndTime: new Date(4e12) }));
      assert.ok(during.TracesProcessedCount !== undefined);
      await sending;
      await waitFor(() => collector.counters().received === 6000, 'all 6000 datagrams', 10000);
      const counters = collector.counters();
      assert.equal(counters.accepted, 3000);
      assert.equal(counters.rejected, 3000);
      assert.equal(counters.traces, 3000);
      assert.ok(goodIds.every((id) => collector.store.has(id)));
      let processed = 0;
      for await (const page of paginateGetTraceSummaries({ client }, { StartTime: new Date(0), EndTime: new Date(4e12) })) {
        processed += page.TracesProcessedCount ?? 0;
      }
      assert.equal(processed, 3000);
    } finally {
      client.destroy();
    }
  });

  test('onDidChange batches changes: few events, every changed trace id once per event, nothing after dispose', async () => {
    const events: string[][] = [];
    const subscription = collector.onDidChange((e) => events.push(e.traceIds));
    const ids = Array.from({ length: 300 }, () => newTraceId());
    const started = Date.now();
    for (let batch = 0; batch < 3; batch++) {
      await sendDatagrams(collector.port, ids.slice(batch * 100, batch * 100 + 100).map((id) => datagram(segmentDoc(id))));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await waitFor(() => new Set(events.flat()).size === 300, 'change events for all 300 traces');
    const elapsed = Date.now() - started;
    assert.ok(events.length <= Math.ceil(elapsed / 250) + 1, `${events.length} events in ${elapsed} ms`);
    for (const traceIds of events) assert.equal(new Set(traceIds).size, traceIds.length);
    subscription.dispose();
    const before = events.length;
    await sendDatagrams(collector.port, [datagram(segmentDoc(newTraceId()))]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(events.length, before);
  });
});
