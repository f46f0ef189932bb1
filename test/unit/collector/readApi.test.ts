// The X-Ray read API as the real @aws-sdk/client-xray reads it, over the 948 real SDK datagrams sent by UDP.
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  type GetTraceSummariesCommandOutput,
  InvalidRequestException,
  paginateGetTraceSummaries,
  type TraceSummary,
  type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { FIXTURES, datagram, newTraceId, segmentDoc, sendDatagrams, startTestCollector, waitFor, xrayClient } from './collectorHarness';

const corpus = readFileSync(path.join(FIXTURES, 'xray-sdk-node/udp-segment-documents.ndjson'), 'utf8').split('\n').filter(Boolean);
const scenarios = JSON.parse(readFileSync(path.join(FIXTURES, 'xray-sdk-node/scenario-trace-index.json'), 'utf8')) as Record<string, string>;
// A fresh object each time: the SDK's paginator writes NextToken into the input it is given.
const allTime = () => ({ StartTime: new Date(0), EndTime: new Date(4e12) });

function rawRequest(collector: LocalCollector, method: string, urlPath: string, body?: string | Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }>((resolve, reject) => {
    const request = http.request({ host: collector.host, port: collector.port, method, path: urlPath, agent: false }, (response) => {
      let text = '';
      response.on('data', (d: Buffer) => (text += d.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

suite('collector: X-Ray read API through @aws-sdk/client-xray', () => {
  let collector: LocalCollector;
  let client: XRayClient;

  suiteSetup(async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    await sendDatagrams(collector.port, corpus.map(datagram));
    await waitFor(() => collector.counters().accepted === corpus.length, 'all 948 documents accepted');
  });

  suiteTeardown(async () => {
    client.destroy();
    await collector.close();
  });

  test('GetTraceSummaries pages through all 453 traces, 100 per page, each once, newest first', async () => {
    const pages: TraceSummary[][] = [];
    let processed = 0;
    for await (const page of paginateGetTraceSummaries({ client }, allTime())) {
      pages.push(page.TraceSummaries ?? []);
      // Per page, so that the sum over the pages is the number of traces.
      assert.equal(page.TracesProcessedCount, page.TraceSummaries?.length);
      processed += page.TracesProcessedCount ?? 0;
      assert.ok(page.ApproximateTime instanceof Date);
    }
    assert.deepEqual(pages.map((p) => p.length), [100, 100, 100, 100, 53]);
    assert.equal(processed, 453);
    const ids = pages.flat().map((s) => s.Id);
    assert.equal(new Set(ids).size, 453);
    const starts = pages.flat().map((s) => s.StartTime?.getTime() ?? Number.NaN);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i - 1] >= starts[i], `summary ${i} is newer than the one before it`);
    const [newest, oldest] = [pages[0][0], pages[4][52]];
    assert.ok(newest.StartTime instanceof Date, 'StartTime deserialized from epoch seconds');
    // The corpus's oldest trace is a frontend-api request, its newest the batch worker's job.
    assert.ok(oldest.ServiceIds?.some((s) => s.Name === 'frontend-api'));
    assert.ok(newest.ServiceIds?.some((s) => s.Name === 'batch-worker'));
  });

  test('a summary carries what the real trace had: fault, HTTP status, annotations', async () => {
    const summaries = (await client.send(new GetTraceSummariesCommand(allTime()))).TraceSummaries ?? [];
    const all = [...summaries];
    let token: string | undefined;
    do {
      const page: GetTraceSummariesCommandOutput = await client.send(new GetTraceSummariesCommand({ ...allTime(), NextToken: token }));
      all.push(...(page.TraceSummaries ?? []));
      token = page.NextToken;
    } while (token);
    const crash = all.find((s) => s.Id === scenarios['crash-500']);
    assert.ok(crash);
    assert.equal(crash.HasFault, true);
    assert.equal(crash.Http?.HttpStatus, 500);
    const orders = all.find((s) => s.Id === scenarios['orders-200-frontend']);
    assert.equal(orders?.Annotations?.route?.[0].AnnotationValue?.StringValue, 'GET /orders/:id');
  });

  test('a window narrower than the data returns only traces starting in it', async () => {
    const time = new Date(0x6b01eed0 * 1000);
    const page = await client.send(new GetTraceSummariesCommand({ StartTime: time, EndTime: new Date(time.getTime() + 999) }));
    assert.ok((page.TraceSummaries ?? []).length > 0);
    for (const s of page.TraceSummaries ?? []) {
      const start = s.StartTime?.getTime() ?? 0;
      assert.ok(start >= time.getTime() && start <= time.getTime() + 999);
    }
  });

  test('BatchGetTraces returns every trace in batches of 5 with segment documents as JSON strings', async () => {
    const ids: string[] = [];
    for await (const page of paginateGetTraceSummaries({ client }, allTime())) ids.push(...(page.TraceSummaries ?? []).map((s) => s.Id as string));
    let segments = 0;
    for (let i = 0; i < ids.length; i += 5) {
      const batch = ids.slice(i, i + 5);
      const reply = await client.send(new BatchGetTracesCommand({ TraceIds: batch }));
      assert.deepEqual(reply.Traces?.map((t) => t.Id).sort(), [...batch].sort());
      assert.deepEqual(reply.UnprocessedTraceIds, []);
      for (const trace of reply.Traces ?? []) {
        assert.equal(trace.LimitExceeded, false);
        for (const segment of trace.Segments ?? []) {
          const doc = JSON.parse(segment.Document as string) as { id: string; trace_id: string };
          assert.equal(doc.id, segment.Id);
          assert.equal(doc.trace_id, trace.Id);
          segments++;
        }
      }
    }
    assert.ok(segments >= 453, `${segments} segments`);
  });

  test('BatchGetTraces: more than 5 ids is InvalidRequestException; unknown ids come back unprocessed', async () => {
    await assert.rejects(
      client.send(new BatchGetTracesCommand({ TraceIds: Object.values(scenarios).concat('1-00000000-000000000000000000000000') })),
      (error: unknown) => error instanceof InvalidRequestException && /at most 5 trace ids/.test(error.message),
    );
    const unknown = '1-6b01eecc-000000000000000000000000';
    const reply = await client.send(new BatchGetTracesCommand({ TraceIds: [scenarios['crash-500'], unknown] }));
    assert.deepEqual(reply.Traces?.map((t) => t.Id), [scenarios['crash-500']]);
    assert.deepEqual(reply.UnprocessedTraceIds, [unknown]);
  });

  test('GetServiceGraph shows frontend-api calling inventory-svc', async () => {
    const graph = await client.send(new GetServiceGraphCommand(allTime()));
    const services = graph.Services ?? [];
    const frontend = services.find((s) => s.Name === 'frontend-api' && s.Type !== 'client');
    const inventory = services.find((s) => s.Name === 'inventory-svc' && s.Type !== 'client');
    assert.ok(frontend && inventory, JSON.stringify(services.map((s) => [s.Name, s.Type])));
    assert.ok(frontend.Edges?.some((e) => e.ReferenceId === inventory.ReferenceId), 'edge frontend-api -> inventory-svc');
    assert.ok(graph.StartTime instanceof Date);
  });

  test('GetTraceGraph builds the graph of the given traces only', async () => {
    const graph = await client.send(new GetTraceGraphCommand({ TraceIds: [scenarios['orders-200-frontend']] }));
    const names = (graph.Services ?? []).map((s) => s.Name);
    assert.ok(names.includes('frontend-api') && names.includes('inventory-svc'), names.join());
  });

  test('HTTP errors: unknown path 404, malformed JSON 400, huge body 413 — all JSON with a Message', async () => {
    const unknown = await rawRequest(collector, 'POST', '/Nope', '{}');
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.json.Message, 'string');
    const malformed = await rawRequest(collector, 'POST', '/TraceSummaries', '{"StartTime": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers['x-amzn-errortype'], 'InvalidRequestException');
    assert.match(String(malformed.json.Message), /not valid JSON/);
    const huge = await rawRequest(collector, 'POST', '/Traces', Buffer.alloc(2 * 1024 * 1024, 0x20));
    assert.equal(huge.status, 413);
    const missing = await rawRequest(collector, 'POST', '/TraceSummaries', '{}');
    assert.equal(missing.status, 400);
    assert.match(String(missing.json.Message), /StartTime is required/);
  });

  test('GET /xray-lens/status answers the identity with version and counters', async () => {
    const status = await rawRequest(collector, 'GET', '/xray-lens/status');
    assert.equal(status.status, 200);
    assert.equal(status.json.service, 'xray-lens');
    assert.match(String(status.json.version), /^\d+\.\d+\.\d+/);
    assert.equal((status.json.counters as { accepted: number }).accepted, 948);
  });
});

suite('collector: GetTraceSummaries paging, newest first', () => {
  const base = 1_700_000_000;
  let collector: LocalCollector;
  let client: XRayClient;
  /** 300 traces one second apart, oldest first. */
  const ids = Array.from({ length: 300 }, (_, i) => newTraceId(base + i));

  suiteSetup(async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    // Sent newest first, so that arrival order cannot stand in for start-time order.
    const docs = ids.map((id, i) => datagram(segmentDoc(id, { start_time: base + i, end_time: base + i + 0.5 }))).reverse();
    await sendDatagrams(collector.port, docs);
    await waitFor(() => collector.counters().accepted === 300, 'all 300 traces');
  });

  suiteTeardown(async () => {
    client.destroy();
    await collector.close();
  });

  const window = () => ({ StartTime: new Date((base - 10) * 1000), EndTime: new Date((base + 1000) * 1000) });

  test('a reader that stops at 200 summaries (as the extension does) holds exactly the newest 200', async () => {
    const held: TraceSummary[] = [];
    let token: string | undefined;
    do {
      const page: GetTraceSummariesCommandOutput = await client.send(new GetTraceSummariesCommand({ ...window(), NextToken: token }));
      held.push(...(page.TraceSummaries ?? []));
      token = page.NextToken;
    } while (token && held.length < 200);
    assert.equal(held.length, 200);
    assert.deepEqual(held.map((s) => s.Id), ids.slice(100).reverse());
  });

  test('TracesProcessedCount summed over all pages is the number of traces', async () => {
    let processed = 0;
    let pages = 0;
    for await (const page of paginateGetTraceSummaries({ client }, window())) {
      processed += page.TracesProcessedCount ?? 0;
      pages++;
    }
    assert.equal(pages, 3);
    assert.equal(processed, 300);
  });

  test('traces arriving between pages: no summary repeated, none of the ones already there skipped', async () => {
    const first = await client.send(new GetTraceSummariesCommand(window()));
    // Newer than everything (they sort before the cursor) and one older (it sorts after it).
    const newer = Array.from({ length: 5 }, (_, i) => newTraceId(base + 500 + i));
    const older = newTraceId(base - 5);
    await sendDatagrams(collector.port, [
      ...newer.map((id, i) => datagram(segmentDoc(id, { start_time: base + 500 + i, end_time: base + 501 + i }))),
      datagram(segmentDoc(older, { start_time: base - 5, end_time: base - 4 })),
    ]);
    await waitFor(() => collector.counters().accepted === 306, 'the 6 traces sent between pages');
    const seen = [...(first.TraceSummaries ?? [])];
    let token = first.NextToken;
    while (token) {
      const page: GetTraceSummariesCommandOutput = await client.send(new GetTraceSummariesCommand({ ...window(), NextToken: token }));
      seen.push(...(page.TraceSummaries ?? []));
      token = page.NextToken;
    }
    const seenIds = seen.map((s) => s.Id);
    assert.equal(new Set(seenIds).size, seenIds.length, 'no summary twice');
    assert.deepEqual(seenIds, [...ids.slice().reverse(), older]);
  });
});

suite('collector: read API on the collector\'s thread', () => {
  test('a filtered GetTraceSummaries over traces never summarised lets the event loop turn while it scans (the socket is read meanwhile)', async () => {
    const { TraceStore } = await import('../../../src/collector/traceStore');
    const { readApiRoutes } = await import('../../../src/collector/readApi');
    const store = new TraceStore();
    for (const line of corpus) store.ingest(line);
    const handler = new Map(readApiRoutes(store, { summariesPageSize: 1000 })).get('POST /TraceSummaries');
    assert.ok(handler);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const started = performance.now();
    const reply = (await handler({ StartTime: 0, EndTime: 4e9, FilterExpression: 'responsetime >= 0' })) as { TraceSummaries: unknown[] };
    const ms = performance.now() - started;
    counting = false;
    assert.equal(reply.TraceSummaries.length, 453);
    // 453 traces parsed and summarised take more than one 5 ms slice; in one task the loop would not turn before the answer.
    assert.ok(turns >= 1, `the event loop turned ${turns} times in ${ms.toFixed(0)} ms`);
  });
});
