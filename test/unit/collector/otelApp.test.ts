// A real app instrumented only with OpenTelemetry (test/peers/otelApp.js: sdk-node, OTLP http/protobuf and
// http/json exporters, the X-Ray id generator and propagator) sending to the collector's OTLP port, read back
// through the real @aws-sdk/client-xray: summaries, documents, service graph. Then the same app calling an
// X-Ray SDK service (samples/inventory): one trace, both services, an edge between them.
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  paginateGetTraceSummaries,
  type Service,
  type TraceSummary,
  type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import type { SegmentDocument } from '../../../src/xray/model';
import { ROOT, runPeer, startPeer, startTestCollector, waitFor, xrayClient, type PeerResult, type RunningPeer } from './collectorHarness';

const OTEL_APP = path.join(ROOT, 'test/peers/otelApp.js');
/** The 1-based line of the peer's `throw new PricingError(...)`, read from the file rather than hard-coded. */
const OTEL_APP_THROW_LINE = fs.readFileSync(OTEL_APP, 'utf8').split('\n').findIndex((line) => line.includes('throw new PricingError(')) + 1;

function runOtelApp(collector: LocalCollector, args: string[]): Promise<PeerResult> {
  const otlp = collector.otlpAddress;
  assert.ok(otlp, 'the collector has an OTLP address');
  return runPeer(process.execPath, [OTEL_APP, '--endpoint', `http://${otlp.host}:${otlp.port}/v1/traces`, ...args], {}, 45_000);
}

/** The request lines the peer printed: X-Ray trace id and HTTP status, in request order (ids 1..n). */
function requestsOf(run: PeerResult): { traceId: string; status: number }[] {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.lines.some((line) => line.done === true), run.stdout);
  assert.equal(run.stderr.trim(), '', 'the exporter reported no error');
  return run.lines.filter((line) => typeof line.traceId === 'string') as { traceId: string; status: number }[];
}

async function summaries(client: XRayClient, since: Date): Promise<TraceSummary[]> {
  const all: TraceSummary[] = [];
  for await (const page of paginateGetTraceSummaries({ client }, { StartTime: since, EndTime: new Date(Date.now() + 1000) })) {
    all.push(...(page.TraceSummaries ?? []));
  }
  return all;
}

async function documentsOf(client: XRayClient, traceId: string): Promise<SegmentDocument[]> {
  const reply = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
  assert.equal(reply.Traces?.length, 1, `trace ${traceId} found`);
  return (reply.Traces?.[0].Segments ?? []).map((s) => JSON.parse(s.Document as string) as SegmentDocument);
}

function service(services: Service[], name: string): Service | undefined {
  return services.find((s) => s.Name === name && s.Type !== 'client');
}

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  suite(`collector: an OpenTelemetry app exporting OTLP ${protocol}`, () => {
    let collector: LocalCollector;
    let client: XRayClient;
    let requests: { traceId: string; status: number }[];
    const started = new Date(Date.now() - 1000);

    suiteSetup(async function () {
      this.timeout(60_000);
      collector = await startTestCollector({ otlpPort: 0, otelIndexedAttributes: ['customer.tier'] });
      client = xrayClient(collector);
      // protobuf gzipped, JSON plain: both content encodings from a real exporter.
      requests = requestsOf(await runOtelApp(collector, ['--protocol', protocol, '--requests', '3', ...(protocol === 'http/protobuf' ? ['--gzip'] : [])]));
      assert.deepEqual(requests.map((r) => r.status), [200, 200, 500]);
    });

    suiteTeardown(async () => {
      client.destroy();
      await collector.close();
    });

    test('every span was accepted: 3 requests x (server span + loadOrder + priceOrder)', () => {
      const { otlp, rejected } = collector.counters();
      assert.equal(otlp.spansAccepted, 9, JSON.stringify(otlp));
      assert.equal(otlp.spansRejected, 0);
      assert.equal(otlp.refusedRequests, 0);
      assert.equal(rejected, 0);
    });

    test('GetTraceSummaries lists the three traces under the service name, the failed one as a fault', async () => {
      const found = await summaries(client, started);
      for (const { traceId, status } of requests) {
        const summary = found.find((s) => s.Id === traceId);
        assert.ok(summary, `summary of ${traceId}`);
        assert.deepEqual(summary.ServiceIds?.map((id) => id.Name), ['otel-orders']);
        assert.equal(summary.HasFault, status === 500, traceId);
        assert.equal(summary.Http?.HttpStatus, status);
        assert.equal(summary.Http?.HttpMethod, 'GET');
        assert.deepEqual(summary.Annotations?.customer_tier?.map((a) => a.AnnotationValue?.StringValue), ['gold']);
      }
    });

    test('BatchGetTraces: one segment per trace, the internal spans as its subsegments, the exception as its cause', async () => {
      for (const [i, { traceId }] of requests.entries()) {
        const [segment, ...others] = await documentsOf(client, traceId);
        assert.equal(others.length, 0);
        assert.equal(segment.name, 'otel-orders');
        assert.equal(segment.trace_id, traceId);
        assert.equal(segment.parent_id, undefined, 'the server span is the root');
        assert.match(segment.http?.request?.url ?? '', new RegExp(`/orders/${i + 1}$`));
        const names = (segment.subsegments ?? []).map((s) => s.name).sort();
        assert.deepEqual(names, ['loadOrder', 'priceOrder']);
        const loadOrder = segment.subsegments?.find((s) => s.name === 'loadOrder');
        assert.equal(loadOrder?.metadata?.default?.['order.id'], String(i + 1));
        const priceOrder = segment.subsegments?.find((s) => s.name === 'priceOrder');
        if (i + 1 === 3) {
          assert.equal(priceOrder?.fault, true);
          const cause = priceOrder?.cause as { exceptions: { type?: string; message?: string; stack?: unknown[] }[] };
          assert.equal(cause.exceptions[0].type, 'PricingError');
          assert.equal(cause.exceptions[0].message, 'order 3 has no price');
          const stack = (cause.exceptions[0].stack ?? []) as { path?: string; line?: number }[];
          assert.ok(stack.length > 0, 'the stack came from exception.stacktrace');
          // The first frame is the throw in the peer: its file and the line of the throw statement.
          assert.ok(stack[0].path?.replace(/\\/g, '/').endsWith('test/peers/otelApp.js'), JSON.stringify(stack[0]));
          assert.ok(OTEL_APP_THROW_LINE > 0, 'the peer still has its throw statement');
          assert.equal(stack[0].line, OTEL_APP_THROW_LINE, JSON.stringify(stack[0]));
        } else {
          assert.equal(priceOrder?.fault, undefined);
          assert.equal(priceOrder?.cause, undefined);
        }
      }
    });

    test('GetServiceGraph shows the OpenTelemetry service with its three requests, one fault', async () => {
      const graph = await client.send(new GetServiceGraphCommand({ StartTime: started, EndTime: new Date(Date.now() + 1000) }));
      const orders = service(graph.Services ?? [], 'otel-orders');
      assert.ok(orders, JSON.stringify(graph.Services?.map((s) => s.Name)));
      assert.equal(orders.SummaryStatistics?.TotalCount, 3);
      assert.equal(orders.SummaryStatistics?.FaultStatistics?.TotalCount, 1);
    });
  });
}

suite('collector: an OpenTelemetry app calling an X-Ray SDK service', () => {
  let collector: LocalCollector;
  let client: XRayClient;
  let inventory: RunningPeer | undefined;
  let requests: { traceId: string; status: number }[];
  const started = new Date(Date.now() - 1000);

  suiteSetup(async function () {
    this.timeout(60_000);
    collector = await startTestCollector({ otlpPort: 0 });
    client = xrayClient(collector);
    inventory = startPeer(process.execPath, [path.join(ROOT, 'samples/inventory/server.js')], {
      PORT: '0',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}`,
      INVENTORY_FAULT_EVERY: '0',
    }, 55_000);
    const running = inventory;
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(running.stdout()), 'inventory-svc listening', 15_000);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(running.stdout())?.[1] as string;
    requests = requestsOf(await runOtelApp(collector, ['--requests', '2', '--downstream', url]));
    assert.deepEqual(requests.map((r) => r.status), [200, 200]);
    // inventory-svc's segments travel by UDP: wait until both traces have both services.
    await waitFor(() => requests.every((r) => (collector.store.segments(r.traceId)?.length ?? 0) >= 2), 'segments of both services');
  });

  suiteTeardown(async () => {
    inventory?.kill('SIGKILL');
    await inventory?.result;
    client.destroy();
    await collector.close();
  });

  test('one trace holds both services; inventory-svc\'s segment is the child of the OpenTelemetry client call', async () => {
    for (const { traceId } of requests) {
      const segments = await documentsOf(client, traceId);
      assert.deepEqual(segments.map((s) => s.name).sort(), ['inventory-svc', 'otel-orders']);
      const orders = segments.find((s) => s.name === 'otel-orders') as SegmentDocument;
      const inventorySegment = segments.find((s) => s.name === 'inventory-svc') as SegmentDocument;
      const call = orders.subsegments?.find((s) => s.id === inventorySegment.parent_id);
      assert.ok(call, `a subsegment of otel-orders is the parent of inventory-svc's segment (${inventorySegment.parent_id})`);
      assert.equal(call.namespace, 'remote');
      assert.match(call.http?.request?.url ?? '', /\/inventory\/SKU-\d$/);
    }
    const summary = (await summaries(client, started)).find((s) => s.Id === requests[0].traceId);
    assert.deepEqual(summary?.ServiceIds?.map((id) => id.Name).sort(), ['inventory-svc', 'otel-orders']);
  });

  test('GetServiceGraph has the edge otel-orders -> inventory-svc', async () => {
    const graph = await client.send(new GetServiceGraphCommand({ StartTime: started, EndTime: new Date(Date.now() + 1000) }));
    const services = graph.Services ?? [];
    const orders = service(services, 'otel-orders');
    const inventorySvc = service(services, 'inventory-svc');
    assert.ok(orders && inventorySvc, JSON.stringify(services.map((s) => [s.Name, s.Type])));
    assert.ok(orders.Edges?.some((e) => e.ReferenceId === inventorySvc.ReferenceId),
      JSON.stringify(services.map((s) => [s.Name, s.Type, s.ReferenceId, s.Edges?.map((e) => e.ReferenceId)])));
  });
});

suite('collector: an OpenTelemetry app, 1,000 requests', () => {
  test('1,000 requests over OTLP/HTTP (the SDK samples every one): 1,000 traces, every span accepted', async function () {
    this.timeout(120_000);
    const collector = await startTestCollector({ otlpPort: 0 });
    const client = xrayClient(collector);
    try {
      const since = new Date(Date.now() - 1000);
      const requests = requestsOf(await runOtelApp(collector, ['--requests', '1000']));
      assert.equal(requests.length, 1000);
      const listed = await summaries(client, since);
      assert.deepEqual(new Set(listed.map((s) => s.Id)), new Set(requests.map((r) => r.traceId)));
      const otlp = collector.counters().otlp;
      // Server span, loadOrder and priceOrder per request.
      assert.equal(otlp.spansAccepted, 3000, JSON.stringify(otlp));
      assert.equal(otlp.spansRejected, 0);
    } finally {
      client.destroy();
      await collector.close();
    }
  });
});

suite('collector: OpenTelemetry\'s AWS X-Ray remote sampler (@opentelemetry/sampler-aws-xray) against the sampling endpoints', () => {
  test('it takes the rules and targets, samples every request with sample-all, and after its service appears reports under the service\'s own rule', async function () {
    this.timeout(120_000);
    const collector = await startTestCollector({ sampleAll: true, otlpPort: 0 });
    const otlp = collector.otlpAddress!;
    // 400 requests 30 ms apart outlast the sampler's first SamplingTargets call (10 s): that call's answer says the
    // rules changed (the service began traces), the sampler fetches them again, and later requests match its rule.
    const peer = startPeer(process.execPath, [
      OTEL_APP, '--endpoint', `http://${otlp.host}:${otlp.port}/v1/traces`, '--xray-sampler', `http://127.0.0.1:${collector.port}`,
      '--requests', '400', '--interval-ms', '30', '--linger-ms', '60000',
    ], {}, 110_000);
    try {
      await waitFor(() => (peer.stdout().match(/"traceId"/g) ?? []).length === 400, 'the 400 requests', 60_000);
      await waitFor(() => collector.counters().sampling.byService.some((r) => r.service === 'otel-orders' && r.requests > 0), 'statistics under the service\'s rule', 40_000);
    } finally {
      peer.kill('SIGTERM');
    }
    const run = await peer.result;
    assert.equal(run.code, 0, run.stderr);
    const requests = run.lines.filter((l) => typeof l.traceId === 'string') as { traceId: string; sampled: boolean }[];
    assert.equal(requests.length, 400);
    // Only what was decided before the rules came back follows the sampler's fallback (1/s + 5 %), and unlike the X-Ray
    // SDK's, its 1/s starts empty (a wallet that fills over the first second): the very first request usually misses out.
    const unsampled = requests.map((r, i) => (r.sampled ? -1 : i)).filter((i) => i >= 0);
    assert.ok(unsampled.every((i) => i < 5), `unsampled requests at ${unsampled.join(', ')}`);
    const sampled = requests.filter((r) => r.sampled);
    await waitFor(() => sampled.every((r) => collector.store.has(r.traceId)), `all ${sampled.length} sampled traces`, 20_000);

    const sampling = collector.counters().sampling;
    assert.ok(sampling.ruleRequests >= 2, `the sampler fetched the rules again when they changed (${sampling.ruleRequests} GetSamplingRules)`);
    assert.ok(sampling.targetRequests >= 2, String(sampling.targetRequests));
    // Its SampledCount includes the borrowed requests (as the API defines it): everything reported was traced.
    assert.equal(sampling.reportedSampled, sampling.reportedRequests, JSON.stringify(sampling));
    assert.equal(sampling.reportedTraced, sampling.reportedRequests);
    const own = sampling.byService.find((r) => r.service === 'otel-orders')!;
    assert.equal(own.rule, 'otel-orders-1');
    const byDefault = sampling.byService.find((r) => r.rule === 'Default');
    assert.ok(byDefault && byDefault.requests > 0, 'the requests before the rule change counted under Default');
    assert.equal(byDefault.requests + own.requests, sampling.reportedRequests);
    assert.ok(sampling.reportedRequests <= 400 - unsampled.length, JSON.stringify(sampling));
    await collector.close();
  });
});
