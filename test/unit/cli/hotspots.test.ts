// `xray-lens hotspots` as a user runs it (the bundled dist/cli.js, grammars from dist/tree-sitter): the captured
// SDK traces as a JSON array of documents, as `aws xray batch-get-traces` output, and through the X-Ray API
// (the real client against the test server) map to the same functions of samples/, with numbers equal to those
// computed from the raw documents.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHotspotsArgs, type HotspotRow } from '../../../src/cli/hotspotsCommand';
import { classifyDocument } from '../../../src/xray/classification';
import { nearestRank } from '../../../src/xray/latencyStats';
import type { SegmentDocument } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { BatchGetTracesCommand, GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import { freePort, ROOT, runPeer, startTestCollector, xrayClient } from '../collector/collectorHarness';
import { FIXTURE_WINDOW, fixtureDocuments, startXrayApiTestServer, type XrayApiTestServer } from '../../support/xrayApiTestServer';
import { runCli } from './runCli';


suite('xray-lens hotspots', () => {
  let dir: string;
  let arrayFile: string;
  let batchFile: string;
  const docs = fixtureDocuments();

  suiteSetup(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-hotspots-'));
    arrayFile = path.join(dir, 'documents.json');
    writeFileSync(arrayFile, `[${docs.join(',')}]`);
    // What `aws xray batch-get-traces --trace-ids …` prints: Documents as JSON strings, grouped by trace.
    const byTrace = new Map<string, Array<{ Id: string; Document: string }>>();
    for (const text of docs) {
      const doc = JSON.parse(text) as SegmentDocument;
      const list = byTrace.get(doc.trace_id as string) ?? [];
      list.push({ Id: doc.id, Document: text });
      byTrace.set(doc.trace_id as string, list);
    }
    batchFile = path.join(dir, 'batch-get-traces.json');
    writeFileSync(batchFile, JSON.stringify({ Traces: [...byTrace].map(([Id, Segments]) => ({ Id, Duration: 1, Segments })), UnprocessedTraceIds: [] }));
  });

  suiteTeardown(() => rmSync(dir, { recursive: true, force: true }));

  /** count, p50/p95/p99 and faults of the subsegments with this name, straight from the captured documents. */
  function direct(name: string): Pick<HotspotRow, 'count' | 'p50' | 'p95' | 'p99' | 'faults'> {
    const durations: number[] = [];
    let faults = 0;
    // Streamed (independent) subsegments are their own documents here; each subsegment counts once by id.
    const seen = new Set<string>();
    walkDocuments(docs.map((d) => JSON.parse(d) as SegmentDocument), ({ doc }) => {
      if (doc.name !== name || seen.has(doc.id) || typeof doc.end_time !== 'number' || doc.in_progress) return;
      seen.add(doc.id);
      durations.push((doc.end_time - doc.start_time) * 1000);
      if (classifyDocument(doc) === 'fault') faults++;
    });
    durations.sort((a, b) => a - b);
    const ms = (x: number) => Math.round(x * 10) / 10;
    return { count: durations.length, p50: ms(nearestRank(durations, 0.5)), p95: ms(nearestRank(durations, 0.95)), p99: ms(nearestRank(durations, 0.99)), faults };
  }

  test('--file with a JSON array of segment documents: the traced functions of samples/, numbers equal to the raw subsegments\'', async function () {
    this.timeout(30_000);
    const run = await runCli(['hotspots', '--workspace', 'samples', '--file', arrayFile, '--json']);
    assert.equal(run.code, 0, run.err);
    const rows = JSON.parse(run.out) as HotspotRow[];
    const where = Object.fromEntries(rows.map((r) => [r.function, `${r.file}:${r.line}`]));
    assert.deepEqual(where, {
      checkout: 'frontend/routes/orders.js:38',
      loadOrder: 'frontend/lib/orderStore.js:21',
      reserveStock: 'inventory/stock.js:64',
      lookupStock: 'inventory/stock.js:50',
      applyConfig: 'frontend/lib/config.js:16',
      formatOrder: 'frontend/routes/orders.js:10',
      validateCart: 'frontend/routes/orders.js:28',
    });
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), ['file', 'line', 'function', 'names', 'count', 'p50', 'p95', 'p99', 'faults', 'errors', 'throttles', 'evidence']);
      const { count, p50, p95, p99, faults } = row;
      assert.deepEqual({ count, p50, p95, p99, faults }, direct(row.function), row.function);
      assert.ok(row.evidence.includes('b'), row.function);
    }
    // The checkout failures' stack frames point into routes/orders.js inside checkout: path evidence too.
    assert.deepEqual(rows.find((r) => r.function === 'checkout')?.evidence, ['a', 'b']);
    // Slowest first.
    assert.deepEqual(rows.map((r) => r.p95), [...rows.map((r) => r.p95)].sort((a, b) => b - a));
  });

  test('--file with `aws xray batch-get-traces` output gives the same rows; the text report has the lens line', async function () {
    this.timeout(30_000);
    const [fromArray, fromBatch, text] = await Promise.all([
      runCli(['hotspots', '--workspace', 'samples', '--file', arrayFile, '--json']),
      runCli(['hotspots', '--workspace', 'samples', '--file', batchFile, '--json']),
      runCli(['hotspots', '--workspace', 'samples', '--file', batchFile]),
    ]);
    assert.equal(fromBatch.code, 0, fromBatch.err);
    assert.deepEqual(JSON.parse(fromBatch.out), JSON.parse(fromArray.out));
    assert.match(text.out, /^frontend\/routes\/orders\.js:38 {2}checkout {2}\[a,b\] {2}p95 \d+ ms · p50 \d+ ms · \d+% faults · n=110 · 1 min$/m);
    assert.match(text.out, /7 functions mapped from 453 traces/);
  });

  test('--profile: through the AWS credential chain (the profile\'s keys and endpoint_url) to the API test server, paced', async function () {
    this.timeout(60_000);
    let server: XrayApiTestServer | undefined;
    try {
      server = await startXrayApiTestServer();
      writeFileSync(path.join(dir, 'config'), `[profile dev]\nregion = eu-west-1\nendpoint_url = ${server.url}\n`);
      writeFileSync(path.join(dir, 'credentials'), '[dev]\naws_access_key_id = AKIAHOTSPOTS00000001\naws_secret_access_key = secret\n');
      const env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
      const minutes = Math.ceil((Date.now() / 1000 - FIXTURE_WINDOW.startTime) / 60) + 1;
      // 60 traces keep the paced fetch (5 requests/s, 5 ids a call) short.
      const [api, file] = await Promise.all([
        runCli(['hotspots', '--workspace', 'samples', '--profile', 'dev', '--since', `${minutes}m`, '--max-traces', '60', '--json'], env),
        runCli(['hotspots', '--workspace', 'samples', '--file', arrayFile, '--json']),
      ]);
      assert.equal(api.code, 0, api.err);
      const rows = JSON.parse(api.out) as HotspotRow[];
      const all = JSON.parse(file.out) as HotspotRow[];
      assert.ok(rows.length > 0);
      for (const row of rows) {
        const same = all.find((r) => r.file === row.file && r.line === row.line && r.function === row.function);
        assert.ok(same && row.count <= same.count, JSON.stringify(row));
      }
      const keys = new Set(server.requests.map((r) => r.accessKeyId));
      assert.deepEqual([...keys], ['AKIAHOTSPOTS00000001']);
    } finally {
      await server?.close();
    }
  });

  test('--endpoint of a running local collector (no AWS credentials anywhere): the same rows', async function () {
    this.timeout(60_000);
    const collector = await startTestCollector();
    try {
      for (const text of docs) assert.ok(collector.store.ingest(text).ok);
      const minutes = Math.ceil((Date.now() / 1000 - FIXTURE_WINDOW.startTime) / 60) + 1;
      const [api, file] = await Promise.all([
        runCli(['hotspots', '--workspace', 'samples', '--endpoint', `http://127.0.0.1:${collector.port}`, '--since', `${minutes}m`, '--json'], { PATH: process.env.PATH, HOME: dir }),
        runCli(['hotspots', '--workspace', 'samples', '--file', arrayFile, '--json']),
      ]);
      assert.equal(api.code, 0, api.err);
      assert.deepEqual(JSON.parse(api.out), JSON.parse(file.out));
    } finally {
      await collector.close();
    }
  });

  suite('through an X-Ray API that throttles', () => {
    let server: XrayApiTestServer;
    let env: NodeJS.ProcessEnv;
    let direct: unknown;
    const minutes = () => Math.ceil((Date.now() / 1000 - FIXTURE_WINDOW.startTime) / 60) + 1;
    const viaProfile = (...extra: string[]) =>
      runCli(['hotspots', '--workspace', 'samples', '--profile', 'dev', '--since', `${minutes()}m`, '--rate', '50', '--json', ...extra], env);

    suiteSetup(async function () {
      this.timeout(60_000);
      server = await startXrayApiTestServer();
      const home = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-throttled-'));
      writeFileSync(path.join(home, 'config'), `[profile dev]\nregion = eu-west-1\nendpoint_url = ${server.url}\n`);
      writeFileSync(path.join(home, 'credentials'), '[dev]\naws_access_key_id = AKIAHOTSPOTS00000002\naws_secret_access_key = secret\n');
      env = { PATH: process.env.PATH, HOME: home, AWS_CONFIG_FILE: path.join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
      // The same documents read straight from a local collector: what the throttled fetch must equal.
      const collector = await startTestCollector();
      try {
        for (const text of docs) assert.ok(collector.store.ingest(text).ok);
        const local = await runCli(['hotspots', '--workspace', 'samples', '--endpoint', `http://127.0.0.1:${collector.port}`, '--since', `${minutes()}m`, '--json'], { PATH: process.env.PATH, HOME: home });
        assert.equal(local.code, 0, local.err);
        direct = JSON.parse(local.out);
      } finally {
        await collector.close();
      }
    });

    suiteTeardown(() => server?.close());

    for (const throttle of [{ every: 3 }, { probability: 1 / 3, seed: 5 }]) {
      test(`a third of all calls throttled (${throttle.every ? 'every third' : 'at random'}), pages of 7, batches answered 3 of 5: --profile equals --endpoint on a collector`, async function () {
        this.timeout(120_000);
        server.setFaults({ throttle, summariesPageSize: 7, partialBatches: { answered: 3 } });
        server.requests.length = 0;
        const api = await viaProfile();
        assert.equal(api.code, 0, api.err);
        const throttled = server.requests.filter((r) => r.status === 429).length;
        assert.ok(throttled > server.requests.length / 5, `${throttled} of ${server.requests.length} throttled`);
        assert.match(api.err, /throttled \(\d+ so far, last (GetTraceSummaries|BatchGetTraces)\); retrying at [\d.]+ requests\/s/);
        assert.deepEqual(JSON.parse(api.out), direct);
      });
    }

    test('every call throttled: one message after --give-up-after, exit 1', async function () {
      this.timeout(60_000);
      server.setFaults({ throttle: { every: 1 } });
      const t0 = performance.now();
      const api = await viaProfile('--give-up-after', '3s');
      const took = performance.now() - t0;
      assert.equal(api.code, 1);
      assert.equal(api.out, '');
      const failures = api.err.split('\n').filter((line) => line.startsWith('xray-lens:'));
      assert.deepEqual(failures.length, 1, api.err);
      assert.match(failures[0], /throttled every request for 3 s \(\d+ throttled attempts\), so the fetch stopped/);
      // Node and the SDK take about a second to start; the give-up itself is at 3 s.
      assert.ok(took < 3000 + 4000, `took ${took.toFixed(0)} ms`);
    });

    test('throttling that sets in mid-fetch: the traces that arrived are reported, stderr says what is missing, exit 3', async function () {
      this.timeout(60_000);
      server.setFaults({});
      server.requests.length = 0;
      const running = viaProfile('--give-up-after', '2s');
      // Once some batches are in, everything is throttled.
      while (server.requests.filter((r) => r.operation === 'BatchGetTraces' && r.status === 200).length < 20) await new Promise((r) => setTimeout(r, 10));
      server.setFaults({ throttle: { every: 1 } });
      const api = await running;
      assert.equal(api.code, 3, api.err);
      assert.match(api.err, /xray-lens: partial report: \d+ of 453 traces fetched, then AWS eu-west-1 \(dev\) throttled every request for 2 s \(\d+ throttled in all\): \d+ are missing\./);
      const rows = JSON.parse(api.out) as HotspotRow[];
      const all = direct as HotspotRow[];
      assert.ok(rows.length > 0);
      assert.ok(rows.reduce((n, r) => n + r.count, 0) < all.reduce((n, r) => n + r.count, 0), 'fewer samples than the whole');
    });
  });

  test('usage: a source is required, --file excludes the API options, --since and --path-map are checked', () => {
    assert.equal(parseHotspotsArgs(['--file', 'x.json']), '--workspace DIR is required');
    assert.match(String(parseHotspotsArgs(['--workspace', '.'])), /say where the traces come from/);
    assert.match(String(parseHotspotsArgs(['--workspace', '.', '--file', 'x', '--profile', 'p'])), /cannot be combined/);
    assert.match(String(parseHotspotsArgs(['--workspace', '.', '--file', 'x', '--since', 'soon'])), /--since needs a duration/);
    const args = parseHotspotsArgs(['--workspace', '.', '--profile', 'dev', '--region', 'eu-west-1', '--since', '2h', '--path-map=/var/task=.', '--json']);
    assert.ok(typeof args !== 'string');
    assert.deepEqual([args.sinceMinutes, args.pathMappings, args.json], [120, [{ from: '/var/task', to: '.' }], true]);
  });

  test('a missing workspace or an unreadable file is one line on stderr and exit 1', async function () {
    this.timeout(30_000);
    const missing = await runCli(['hotspots', '--workspace', path.join(dir, 'nowhere'), '--file', arrayFile]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /is not a folder/);
    const bad = await runCli(['hotspots', '--workspace', 'samples', '--file', path.join(dir, 'nothing.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^xray-lens: cannot read .*nothing\.json/);
  });

  test('--compare: the sample app (real aws-xray-sdk-core) made slower between two runs shows its slower function, and only that', async function () {
    this.timeout(120_000);
    const collector = await startTestCollector();
    const client = xrayClient(collector);
    try {
      const run = async (extra: Record<string, string>) => {
        const [frontendPort, inventoryPort] = [await freePort(), await freePort()];
        const result = await runPeer(process.execPath, [
          path.join(ROOT, 'samples/start.mjs'), '--count', '90', '--rate', '40',
          '--frontend-port', String(frontendPort), '--inventory-port', String(inventoryPort), '--daemon', `127.0.0.1:${collector.port}`,
        ], { QUIET: '1', INVENTORY_FAULT_EVERY: '0', ...extra }, 60_000);
        assert.equal(result.code, 0, result.stderr);
      };
      await run({});
      const between = Date.now() / 1000;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // The regression: each stock-cache read 30 ms slower.
      await run({ INVENTORY_CACHE_EXTRA_MS: '30' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Both runs as `aws xray batch-get-traces` prints them (the real client), so the windows are the file's.
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 600_000), EndTime: new Date(), NextToken: token }));
        for (const t of page.TraceSummaries ?? []) ids.push(t.Id!);
        token = page.NextToken;
      } while (token);
      assert.equal(ids.length, 180);
      const traces = [];
      for (let i = 0; i < ids.length; i += 5) traces.push(...((await client.send(new BatchGetTracesCommand({ TraceIds: ids.slice(i, i + 5) }))).Traces ?? []));
      const file = path.join(dir, 'two-runs.json');
      writeFileSync(file, JSON.stringify({ Traces: traces, UnprocessedTraceIds: [] }));
      const times = traces.flatMap((t) => (t.Segments ?? []).map((s) => JSON.parse(s.Document!) as { start_time: number; end_time?: number }));
      const lastEnd = Math.max(...times.map((d) => d.end_time ?? d.start_time));
      const firstStart = Math.min(...times.map((d) => d.start_time));
      // "before" reaches back past the first run; "after" starts in the pause between the runs.
      const from = `${(lastEnd - firstStart + 1).toFixed(1)}s`;
      const split = `${(lastEnd - (between + 0.75)).toFixed(1)}s`;
      const json = await runCli(['hotspots', '--workspace', 'samples', '--file', file, '--compare', `${from}..${split}`, '--json']);
      assert.equal(json.code, 0, json.err);
      const rows = JSON.parse(json.out) as Array<{ function: string; verdict: string; change?: number; before?: { count: number }; after?: { count: number } }>;
      const row = (fn: string) => rows.find((r) => r.function === fn);
      for (const fn of ['readCache', 'lookupStock']) {
        const r = row(fn);
        assert.equal(r?.verdict, 'slower', JSON.stringify(r));
        assert.ok(r!.change! > 1, `${fn}: +${Math.round(r!.change! * 100)}%`);
        assert.equal(r!.before!.count, r!.after!.count, 'the same request mix on both sides');
      }
      // Code the regression did not touch is not claimed to have changed much.
      for (const r of rows.filter((x) => x.verdict === 'slower' || x.verdict === 'faster')) {
        assert.ok(['readCache', 'lookupStock', 'reserveStock'].includes(r.function) || Math.abs(r.change ?? 0) < 1, JSON.stringify(r));
      }
      // The text report: the lens's words, with the p-value.
      const text = await runCli(['hotspots', '--workspace', 'samples', '--file', file, '--compare', `${from}..${split}`]);
      assert.match(text.out, /inventory\/stock\.js:\d+ {2}lookupStock {2}p95 \d+ ms \(\+\d+% vs before, n=(\d+)\/\1\) {2}p=/);
      assert.match(text.out, /before: 90 traces from \d+ s to \d+ s ago, after: 90 traces in the last \d+ s/);
    } finally {
      client.destroy();
      await collector.close();
    }
  });

  test('--compare needs A..B with A further back than B', () => {
    assert.match(String(parseHotspotsArgs(['--workspace', 'samples', '--file', 'x.json', '--compare', '15m..60m'])), /--compare needs A\.\.B/);
    assert.match(String(parseHotspotsArgs(['--workspace', 'samples', '--file', 'x.json', '--compare', '60m'])), /--compare needs A\.\.B/);
    const ok = parseHotspotsArgs(['--workspace', 'samples', '--endpoint', 'http://127.0.0.1:2000', '--compare', '60m..15m']);
    assert.ok(typeof ok !== 'string');
    assert.deepEqual(ok.compare, { fromMinutes: 60, splitMinutes: 15 });
    assert.equal(ok.sinceMinutes, 60, 'both windows are fetched');
  });
});
