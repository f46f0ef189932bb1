// The real aws-xray-sdk-core in a child process (test/peers/nodeSdkApp.js) sending to the collector, read
// back through the real @aws-sdk/client-xray; and the SDK's centralized sampling against our endpoints.
import { BatchGetTracesCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { describeCounters, type LocalCollector } from '../../../src/collector/localCollector';
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

const fmt = (n: number) => n.toLocaleString('en-US');

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

  test('sample-all, 1,000 requests from a cold start: 1,000 traces, counted per service from the SDK\'s own statistics', async function () {
    this.timeout(120_000);
    collector = await startTestCollector({ sampleAll: true });
    client = xrayClient(collector);
    // A first run makes the service known: from then on the rules have one for it. (An SDK already running gets it
    // at its next rule poll; aws-xray-sdk-core 3.12.0 reads LastRuleModification as milliseconds, so its early poll
    // on a rule change never fires and that is up to 5 minutes.)
    requestLines(await runNodeSdkApp(collector, ['--requests', '1']));
    // Then a fresh process, no warm-up: its first request starts the SDK's rule poller.
    const peer = startNodeSdkApp(collector, ['--requests', '1000', '--linger-ms', '60000'], 110_000);
    try {
      await waitFor(() => peer.stdout().includes('{"done":true}'), 'the 1,000 requests', 60_000);
      // Everything but what the SDK decided before the rules arrived is reported, at its first SamplingTargets call (10 s).
      await waitFor(() => collector.counters().sampling.reportedRequests >= 990, 'the SDK to report the requests', 40_000);
    } finally {
      peer.kill('SIGTERM');
    }
    const requests = requestLines(await peer.result);
    assert.equal(requests.length, 1000);
    // Only a request decided before the rules came back (a few ms after the first one) can miss out, and the first
    // itself is kept by the SDK's fallback reservoir (1/s): so at most the first handful, and never the first.
    const unsampled = requests.map((r, i) => (r.sampled ? -1 : i)).filter((i) => i >= 0);
    assert.ok(unsampled.every((i) => i > 0 && i < 5), `unsampled requests at ${unsampled.join(', ')}`);
    const sampled = requests.filter((r) => r.sampled);
    await waitFor(() => sampled.every((r) => collector.store.has(r.traceId)), `all ${sampled.length} sampled traces`, 20_000);
    assert.ok(sampled.length >= 996, `${sampled.length} of 1,000 traced`);

    const sampling = collector.counters().sampling;
    assert.equal(sampling.reportedSampled + sampling.reportedBorrowed, sampling.reportedRequests, JSON.stringify(sampling));
    // The rules decided every request but those before they arrived (the first, and any unsampled one); those the
    // SDK decided on its own fallback, which reports nothing.
    assert.ok(sampling.reportedRequests <= 999 - unsampled.length, `${sampling.reportedRequests} reported`);
    assert.equal(sampling.reportedTraced, sampling.reportedRequests);
    // All under the service's own rule.
    assert.deepEqual(sampling.byService.map((r) => [r.service, r.rule, r.requests]), [['peer-orders', 'peer-orders-1', sampling.reportedRequests]]);
    const n = fmt(sampling.reportedRequests);
    assert.match(describeCounters(collector.counters()), new RegExp(`; sampling: SDKs reported ${n} requests, ${n} traced \\(peer-orders ${n} of ${n}\\)$`));
  });

  test('the Default rule (no sampleAll): 1 request/s + 5 % of the rest, and the SDK reports the requests not traced', async function () {
    this.timeout(90_000);
    collector = await startTestCollector();
    client = xrayClient(collector);
    const peer = startNodeSdkApp(collector, ['--requests', '1000', '--warmup-ms', '300', '--linger-ms', '60000'], 80_000);
    const t0 = Date.now();
    let seconds = 0;
    try {
      await waitFor(() => peer.stdout().includes('{"done":true}'), 'the 1,000 requests', 40_000);
      seconds = (Date.now() - t0) / 1000;
      await waitFor(() => collector.counters().sampling.reportedRequests >= 1000, 'the SDK to report the requests', 40_000);
    } finally {
      peer.kill('SIGTERM');
    }
    const requests = requestLines(await peer.result);
    const sampled = requests.filter((r) => r.sampled).length;
    // The reservoir takes the first request of each second the requests spanned; 5 % of the others after it.
    // Binomial spread of the 5 %: sd = sqrt(n p (1 - p)) ≈ 7; four of them either way.
    const reservoir = Math.ceil(seconds) + 1;
    const expected = reservoir + 0.05 * (1000 - reservoir);
    const sd = Math.sqrt(1000 * 0.05 * 0.95);
    assert.ok(Math.abs(sampled - expected) <= 4 * sd, `${sampled} of 1,000 sampled over ${seconds.toFixed(1)} s; expected ${expected.toFixed(0)} ± ${(4 * sd).toFixed(0)}`);
    const sampling = collector.counters().sampling;
    assert.equal(sampling.reportedRequests, 1000);
    assert.equal(sampling.reportedSampled + sampling.reportedBorrowed, sampled);
    assert.equal(sampling.reportedTraced, sampled);
    assert.match(describeCounters(collector.counters()), new RegExp(`sampling: SDKs reported 1,000 requests, ${sampled} traced, ${fmt(1000 - sampled)} not traced`));
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
