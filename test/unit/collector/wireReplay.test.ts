// Replays the exact HTTP requests @aws-sdk/client-xray sent (test/fixtures/api-wire) against the collector
// holding the real SDK capture, and checks each answer's status and shape (keys from test/fixtures/api-derived,
// which are shapes only, never expected values). Page tokens in the capture came from another server: the
// collector must refuse them cleanly, not crash or restart paging.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { FIXTURES, startTestCollector } from './collectorHarness';

interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const requests = readFileSync(path.join(FIXTURES, 'api-wire/xray-client-requests.ndjson'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as WireRequest);
const corpus = readFileSync(path.join(FIXTURES, 'xray-sdk-node/udp-segment-documents.ndjson'), 'utf8').split('\n').filter(Boolean);
const shape = (file: string) => Object.keys(JSON.parse(readFileSync(path.join(FIXTURES, 'api-derived', file), 'utf8'))).sort();

function replay(port: number, r: WireRequest): Promise<{ status: number; errorType?: string; body: Record<string, unknown> }> {
  const payload = JSON.stringify(r.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method, path: r.url, headers: { 'content-type': r.headers['content-type'], 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const errorType = res.headers['x-amzn-errortype'];
          resolve({ status: res.statusCode ?? 0, errorType: typeof errorType === 'string' ? errorType : undefined, body: JSON.parse(text || '{}') });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

suite('the recorded client-xray wire requests, replayed', () => {
  let collector: LocalCollector;
  suiteSetup(async () => {
    collector = await startTestCollector();
    for (const line of corpus) assert.ok(collector.store.ingest(line).ok);
  });
  suiteTeardown(() => collector?.close());

  test('first-page TraceSummaries requests answer 200 with the API shape', async () => {
    const firstPages = requests.filter((r) => r.url === '/TraceSummaries' && !('NextToken' in r.body));
    assert.ok(firstPages.length >= 2);
    for (const r of firstPages) {
      const res = await replay(collector.port, r);
      assert.strictEqual(res.status, 200, JSON.stringify(res.body));
      for (const key of ['TraceSummaries', 'ApproximateTime', 'TracesProcessedCount']) assert.ok(key in res.body, key);
      assert.ok(shape('GetTraceSummaries.page1.json').every((k) => k === 'NextToken' || k in res.body), Object.keys(res.body).join());
      assert.ok(Array.isArray(res.body.TraceSummaries) && (res.body.TraceSummaries as unknown[]).length > 0);
    }
  });

  test("another server's page tokens are refused with InvalidRequestException", async () => {
    const foreign = requests.filter((r) => r.url === '/TraceSummaries' && 'NextToken' in r.body);
    assert.ok(foreign.length > 10);
    for (const r of foreign) {
      const res = await replay(collector.port, r);
      assert.strictEqual(res.status, 400, `${JSON.stringify(r.body)} → ${res.status}`);
      assert.strictEqual(res.errorType?.split(':')[0], 'InvalidRequestException');
    }
  });

  test('Traces (BatchGetTraces): recorded ids answer with documents, six ids are refused', async () => {
    for (const r of requests.filter((x) => x.url === '/Traces')) {
      const ids = r.body.TraceIds as string[];
      const res = await replay(collector.port, r);
      if (ids.length > 5) {
        assert.strictEqual(res.status, 400);
        assert.strictEqual(res.errorType?.split(':')[0], 'InvalidRequestException');
        continue;
      }
      assert.strictEqual(res.status, 200);
      assert.ok(shape('BatchGetTraces.page1.json').every((k) => k === 'NextToken' || k in res.body), Object.keys(res.body).join());
      const traces = res.body.Traces as { Id: string; Segments: { Document: string }[] }[];
      assert.deepStrictEqual(traces.map((t) => t.Id).sort(), [...ids].sort());
      for (const t of traces) for (const s of t.Segments) assert.strictEqual(JSON.parse(s.Document).trace_id, t.Id);
    }
  });

  test('ServiceGraph and TraceGraph answer with the API shape; an operation the collector lacks is a JSON 404', async () => {
    const graph = await replay(collector.port, requests.find((r) => r.url === '/ServiceGraph')!);
    assert.strictEqual(graph.status, 200);
    assert.ok(Array.isArray(graph.body.Services));
    assert.ok(shape('GetServiceGraph.json').every((k) => k === 'NextToken' || k in graph.body), Object.keys(graph.body).join());
    const traceGraph = await replay(collector.port, requests.find((r) => r.url === '/TraceGraph')!);
    assert.strictEqual(traceGraph.status, 200);
    assert.ok((traceGraph.body.Services as unknown[]).length > 0);
    const insights = await replay(collector.port, requests.find((r) => r.url === '/InsightSummaries')!);
    assert.strictEqual(insights.status, 404);
    assert.ok(typeof (insights.body.Message ?? insights.body.message) === 'string');
  });
});
