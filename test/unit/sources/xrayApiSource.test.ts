// The TraceSource over the real @aws-sdk/client-xray, reading the real collector over HTTP: paging with a
// cap, batches of 5, unparseable documents reported, errors described, cancellation.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { LocalCollector } from '../../../src/collector/localCollector';
import { describeSourceError } from '../../../src/sources/sourceErrors';
import type { TraceSource } from '../../../src/sources/traceSource';
import { createXrayApiSource } from '../../../src/sources/xrayApiSource';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/xray-sdk-node/udp-segment-documents.ndjson');
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
// The fixture's traces were captured around epoch 1795288778: a window that covers all of them.
const WINDOW = { startTime: 1795288000, endTime: 1795290000 };

suite('XrayApiSource over the local collector', () => {
  let collector: LocalCollector;
  let source: TraceSource;
  let traceIds: string[];

  suiteSetup(async () => {
    collector = await LocalCollector.start({ host: '127.0.0.1', port: 0 });
    const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
    for (const line of lines) assert.ok(collector.store.ingest(line).ok);
    traceIds = [...new Set(lines.map((l) => (JSON.parse(l) as { trace_id: string }).trace_id))];
    source = createXrayApiSource({
      kind: 'local',
      label: 'local test',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${collector.port}`,
      staticCredentials: CREDENTIALS,
    });
  });

  suiteTeardown(async () => {
    source?.dispose();
    await collector?.close();
  });

  test('lists every trace of the window across pages', async () => {
    const all = await source.listTraceSummaries({ window: WINDOW, maxTraces: 10_000 });
    assert.strictEqual(all.summaries.length, traceIds.length);
    assert.strictEqual(all.truncated, false);
    assert.deepStrictEqual(new Set(all.summaries.map((s) => s.id)), new Set(traceIds));
    const crash = all.summaries.find((s) => s.status === 500 && s.url?.endsWith('/crash'));
    assert.ok(crash?.hasFault, 'the crash trace is a fault');
    assert.ok(all.summaries.every((s) => s.startTime >= WINDOW.startTime && s.startTime <= WINDOW.endTime));
  });

  test("summaries keep the annotations GetTraceSummaries returns, each key's distinct values", async () => {
    const all = await source.listTraceSummaries({ window: WINDOW, maxTraces: 10_000 });
    const gold = all.summaries.find((s) => s.annotations?.customer_tier?.includes('gold'));
    assert.ok(gold, 'no trace with customer_tier "gold"');
    assert.deepStrictEqual(gold.annotations?.route, ['GET /orders/:id']);
    assert.ok(all.summaries.some((s) => s.annotations?.items?.includes(2)), 'number annotations are kept as numbers');
    assert.ok(all.summaries.every((s) => Object.values(s.annotations ?? {}).every((values) => values.length === new Set(values).size)));
  });

  test('stops paging at the cap and says the list is truncated', async () => {
    const capped = await source.listTraceSummaries({ window: WINDOW, maxTraces: 120 });
    assert.strictEqual(capped.summaries.length, 120);
    assert.strictEqual(capped.truncated, true);
    // The cap keeps the newest traces: none left out started after the oldest one kept.
    const all = await source.listTraceSummaries({ window: WINDOW, maxTraces: 10_000 });
    const kept = new Set(capped.summaries.map((s) => s.id));
    const oldestKept = Math.min(...capped.summaries.map((s) => s.startTime));
    const newestLeftOut = Math.max(...all.summaries.filter((s) => !kept.has(s.id)).map((s) => s.startTime));
    assert.ok(newestLeftOut <= oldestKept, `left out a trace from ${newestLeftOut}, kept one from ${oldestKept}`);
    // Summed over the pages read: at least what was kept, never more than the window holds.
    assert.ok(capped.tracesProcessed >= 120 && capped.tracesProcessed <= traceIds.length, String(capped.tracesProcessed));
  });

  test('fetches traces in batches of five, reporting ids the API did not know', async () => {
    const wanted = traceIds.slice(0, 12);
    const unknown = '1-00000000-000000000000000000000000';
    const result = await source.getTraces([...wanted, unknown]);
    assert.deepStrictEqual(new Set(result.traces.map((t) => t.id)), new Set(wanted));
    assert.deepStrictEqual(result.unprocessedIds, [unknown]);
    for (const t of result.traces) {
      assert.ok(t.segments.length > 0);
      assert.deepStrictEqual(t.rejected, []);
      assert.ok(t.segments.every((s) => s.trace_id === t.id));
    }
  });

  test('the service graph has both sample services', async () => {
    const graph = await source.getServiceGraph(WINDOW);
    const names = graph.Services.map((s) => s.Name);
    assert.ok(names.includes('frontend-api') && names.includes('inventory-svc'), names.join(', '));
    assert.ok(graph.Services.every((s) => typeof s.StartTime === 'number'));
  });

  test('a filter expression the collector refuses is an InvalidRequestException, its message kept for display', async () => {
    await assert.rejects(
      source.listTraceSummaries({ window: WINDOW, maxTraces: 10, filterExpression: 'responsetime >' }),
      (err: unknown) => {
        const d = describeSourceError(err, 'local test');
        assert.strictEqual(d.kind, 'invalid-request', d.message);
        assert.ok(d.detail && d.message.endsWith(d.detail), d.message);
        return true;
      },
    );
  });

  test('an aborted request rejects at once and is described as cancelled', async () => {
    const controller = new AbortController();
    const pending = source.listTraceSummaries({ window: WINDOW, maxTraces: 10_000 }, { signal: controller.signal });
    controller.abort();
    const t0 = Date.now();
    await assert.rejects(pending, (err: unknown) => describeSourceError(err, 'local test').kind === 'cancelled');
    assert.ok(Date.now() - t0 < 200, `cancel took ${Date.now() - t0} ms`);
  });

  test('nothing listening: described as unreachable', async () => {
    const closed = await LocalCollector.start({ host: '127.0.0.1', port: 0 });
    const port = closed.port;
    await closed.close();
    const dead = createXrayApiSource({ kind: 'local', label: 'local :dead', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, staticCredentials: CREDENTIALS });
    try {
      await assert.rejects(dead.listTraceSummaries({ window: WINDOW, maxTraces: 1 }), (err: unknown) => {
        const d = describeSourceError(err, 'local :dead');
        assert.strictEqual(d.kind, 'unreachable', d.message);
        return true;
      });
    } finally {
      dead.dispose();
    }
  });
});
