// ADOT's OTLP-over-UDP datagrams on the daemon port, over a real socket: the captured ones decoded, converted
// and stored (read back through client-xray), unsampled ones counted and dropped, broken ones refused; the
// X-Ray SDK datagrams around them are unaffected.
import { BatchGetTracesCommand } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { decodeOtlpBase64 } from '../../../src/collector/otlpDecoder';
import type { SegmentDocument } from '../../../src/xray/model';
import { HEADER, datagram, newTraceId, segmentDoc, sendDatagrams, startTestCollector, waitFor, xrayClient } from './collectorHarness';
import { adotDatagrams, adotPayloads } from './otlpFixtures';

/** The X-Ray trace ids of the spans in the ADOT fixture. */
function adotTraceIds(): string[] {
  const ids = new Set<string>();
  for (const { base64 } of adotPayloads()) {
    for (const batch of decodeOtlpBase64(base64).batches) for (const span of batch.spans) ids.add(`1-${span.traceId.slice(0, 8)}-${span.traceId.slice(8)}`);
  }
  return [...ids];
}

suite('collector: ADOT OTLP datagrams on the daemon port', () => {
  let collector: LocalCollector;

  setup(async () => {
    collector = await startTestCollector();
  });

  teardown(async () => {
    await collector.close();
  });

  test('the 2 captured datagrams: all 19 spans stored, their traces readable through BatchGetTraces', async () => {
    const sdkTrace = newTraceId();
    await sendDatagrams(collector.port, [...adotDatagrams(), datagram(segmentDoc(sdkTrace))]);
    await waitFor(() => collector.counters().otlp.spansAccepted === 19 && collector.store.has(sdkTrace), '19 spans and the SDK segment');
    const { otlp, rejected } = collector.counters();
    assert.deepEqual([otlp.requests, otlp.spansReceived, otlp.spansRejected, otlp.refusedRequests], [2, 19, 0, 0]);
    assert.equal(rejected, 0);
    const traceIds = adotTraceIds();
    assert.equal(traceIds.length, 3);
    const client = xrayClient(collector);
    try {
      const reply = await client.send(new BatchGetTracesCommand({ TraceIds: traceIds }));
      assert.deepEqual(reply.UnprocessedTraceIds, []);
      const documents = (reply.Traces ?? []).flatMap((trace) => (trace.Segments ?? []).map((s) => JSON.parse(s.Document as string) as SegmentDocument));
      assert.ok(documents.length > 0);
      assert.ok(documents.every((doc) => doc.name === 'otel-orders'), JSON.stringify(documents.map((d) => d.name)));
      const count = (docs: SegmentDocument[]): number => docs.reduce((n, d) => n + 1 + count(d.subsegments ?? []), 0);
      // 19 spans; each of the 3 root CLIENT spans is a service segment holding its call (as the X-Ray exporter
      // splits a local root), so 22 (sub)segments.
      assert.equal(count(documents), 22, 'every span is a (sub)segment; root client spans also get their service segment');
    } finally {
      client.destroy();
    }
  });

  test('T1U (unsampled) spans are counted and dropped; a broken payload is refused; neither stops the rest', async () => {
    const [first, second] = adotDatagrams();
    const unsampled = first.replace('\nT1S', '\nT1U');
    await sendDatagrams(collector.port, [
      unsampled,
      `${HEADER}\nT1SCq4xCrYBCh0KDHNlcnZpY2UubmFtZRIN`, // a truncated request
      `${HEADER}\nT1S%%%not base64%%%`,
      second,
    ]);
    await waitFor(() => collector.counters().otlp.requests === 4, '4 datagrams');
    await waitFor(() => collector.counters().otlp.spansAccepted === 9, 'the good datagram');
    const { otlp } = collector.counters();
    assert.equal(otlp.unsampledSpansDropped, 10);
    assert.deepEqual(otlp.refusedByReason, { undecodable: 2 });
    assert.equal(otlp.spansReceived, 9);
    assert.equal(collector.store.size, 2, 'only the sampled datagram\'s traces');
  });
});
