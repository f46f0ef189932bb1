// The real aws-xray-sdk-core in a child process (test/peers/nodeSdkApp.js) sending to the collector, read
// back through the real @aws-sdk/client-xray; and the SDK's centralized sampling against our endpoints.
import { BatchGetTracesCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import type { LocalCollector } from '../../../src/collector/localCollector';
import type { SegmentDocument } from '../../../src/xray/model';
import { runNodeSdkApp, startNodeSdkApp, startTestCollector, waitFor, xrayClient, type PeerResult } from './collectorHarness';

interface RequestLine {
  traceId: string;
  sampled: boolean;
  status: number;
}

function requestLines(result: PeerResult): RequestLine[] {
  assert.equal(result.code, 0, result.stderr);
  return result.lines.filter((l) => typeof l.traceId === 'string') as unknown as RequestLine[];
}

function find(doc: SegmentDocument, name: string): SegmentDocument | undefined {
  if (doc.name === name) return doc;
  for (const sub of doc.subsegments ?? []) {
    const found = find(sub, name);
    if (found) return found;
  }
  return undefined;
}

async function documents(client: XRayClient, traceId: string): Promise<SegmentDocument[]> {
  const reply = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
  return (reply.Traces?.[0]?.Segments ?? []).map((s) => JSON.parse(s.Document as string) as SegmentDocument);
}

suite('collector: real Node X-Ray SDK', () => {
  let collector: LocalCollector;
  let client: XRayClient;

  teardown(async () => {
    client?.destroy();
    await collector?.close();
  });

  test('nested async/sync subsegments, annotations and errors arrive and read back through client-xray', async () => {
    collector = await startTestCollector({ sampleAll: true });
    client = xrayClient(collector);
    const requests = requestLines(await runNodeSdkApp(collector, ['--requests', '12', '--warmup-ms', '300']));
    assert.equal(requests.length, 12);
    assert.ok(requests.every((r) => r.sampled), 'sampleAll: the SDK samples every request with our Default rule');
    await waitFor(() => requests.every((r) => collector.store.has(r.traceId)), 'all 12 traces');

    const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 60_000), EndTime: new Date() }));
    const summaries = new Map((page.TraceSummaries ?? []).map((s) => [s.Id, s]));
    for (const [i, request] of requests.entries()) {
      const orderId = 100 + i;
      const summary = summaries.get(request.traceId);
      assert.ok(summary, `summary of ${request.traceId}`);
      assert.equal(summary.HasFault, orderId % 3 === 0, `order ${orderId} fault`);
      assert.equal(summary.Http?.HttpStatus, request.status);
      assert.equal(summary.Annotations?.order_id?.[0].AnnotationValue?.NumberValue, orderId);

      const [segment] = await documents(client, request.traceId);
      assert.equal(segment.name, 'peer-orders');
      const load = find(segment, 'loadOrder');
      assert.equal(load?.annotations?.source, 'db');
      assert.ok(load?.subsegments?.some((s) => s.name === 'queryOrders' && s.metadata?.default?.sql), 'queryOrders nested in loadOrder');
      const price = find(segment, 'priceOrder');
      assert.ok(price);
      if (orderId % 3 === 0) {
        const cause = price.cause as { exceptions?: { type?: string; message?: string }[] };
        assert.equal(cause.exceptions?.[0].type, 'ValidationError');
        assert.equal(cause.exceptions?.[0].message, `order ${orderId} has no price`);
        assert.equal(segment.fault, true);
      } else {
        assert.ok(find(price, 'applyDiscount'), 'applyDiscount nested in priceOrder');
      }
    }
  });

  test('centralized sampling: the SDK fetches our rules, reports every request to SamplingTargets, and samples them all', async function () {
    this.timeout(90_000);
    collector = await startTestCollector({ sampleAll: true });
    client = xrayClient(collector);
    // The SDK reports its statistics to /SamplingTargets every 10 s (+ jitter), counted from its first request,
    // and only while it runs: the peer stays up after its requests until the reports cover all of them (one
    // poll on an idle machine, two if the requests outlast the first one), then the test stops it.
    const peer = startNodeSdkApp(collector, ['--requests', '30', '--interval-ms', '100', '--warmup-ms', '500', '--linger-ms', '60000'], 80_000);
    try {
      await waitFor(() => peer.stdout().includes('{"done":true}'), 'the 30 requests', 30_000);
      await waitFor(() => collector.counters().sampling.reportedRequests >= 30, 'the SDK to report the 30 requests', 40_000);
    } finally {
      peer.kill('SIGTERM');
    }
    const requests = requestLines(await peer.result);
    const sampling = collector.counters().sampling;
    assert.ok(sampling.ruleRequests >= 1, 'GetSamplingRules called');
    assert.ok(sampling.targetRequests >= 1, 'SamplingTargets called');
    // Exactly the 30 requests: the warm-up request was decided before the rules arrived (by the SDK's local
    // fallback), so our rule never counted it.
    assert.equal(sampling.reportedRequests, 30, JSON.stringify(sampling));
    // The SDK reports what it sampled from its reservoir (borrowed) apart from the rest: together, everything.
    assert.equal(sampling.reportedSampled + sampling.reportedBorrowed, sampling.reportedRequests);
    // The SDK's own fallback (1/s + 5 %) would drop most of these; our rule keeps all of them, before and
    // after the SDK applied the targets.
    assert.ok(requests.every((r) => r.sampled));
    await waitFor(() => requests.every((r) => collector.store.has(r.traceId)), 'all 30 traces');
  });

  test('without sampleAll the Default rule samples about 1 request/s + 5 %', async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    const requests = requestLines(await runNodeSdkApp(collector, ['--requests', '40', '--warmup-ms', '300']));
    const sampled = requests.filter((r) => r.sampled);
    assert.equal(collector.counters().sampling.ruleRequests, 1);
    assert.ok(sampled.length >= 1 && sampled.length < 20, `${sampled.length} of 40 sampled`);
    await waitFor(() => sampled.every((r) => collector.store.has(r.traceId)), 'the sampled traces');
    // Unsampled requests send nothing.
    assert.ok(requests.filter((r) => !r.sampled).every((r) => !collector.store.has(r.traceId)));
  });

  test('an app that dies mid-trace leaves an in-progress segment: IsPartial and in_progress', async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    const result = await runNodeSdkApp(collector, ['--die-mid-trace']);
    assert.equal(result.code, 3);
    const traceId = result.lines[0].traceId as string;
    await waitFor(() => collector.store.has(traceId), 'the in-progress segment');
    const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 60_000), EndTime: new Date() }));
    const summary = page.TraceSummaries?.find((s) => s.Id === traceId);
    assert.equal(summary?.IsPartial, true);
    const [segment] = await documents(client, traceId);
    assert.equal(segment.in_progress, true);
    assert.equal(segment.end_time, undefined);
    assert.equal(segment.annotations?.job, 'reindex');
  });
});
