// The latency lens over the AWS source in a real VS Code: the extension's own @aws-sdk/client-xray talks HTTP to a
// local server answering the X-Ray API (test/support/xrayApiTestServer.ts, real SDK documents moved to now), which
// records every request. The lens fetches the newest listed traces in BatchGetTraces calls of up to 5 ids, and
// turning the lens off aborts the calls in flight.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import { freshDocuments } from '../support/freshDocuments';
import { startXrayApiTestServer, type RecordedRequest, type XrayApiTestServer } from '../support/xrayApiTestServer';
import { activateWithCollector, waitFor } from './sampleApp';

const AWS_TRACE_CAP = 100;

suite('latency lens over the AWS source (the real @aws-sdk/client-xray against a local X-Ray API server)', () => {
  let api: XrayLensApi;
  let server: XrayApiTestServer;
  const savedEnv = { ...process.env };
  const config = () => vscode.workspace.getConfiguration('xrayLens');
  const batches = (since: number) => server.requests.filter((r) => r.operation === 'BatchGetTraces' && r.startedAt >= since);
  const idsOf = (r: RecordedRequest) => (r.body.TraceIds as string[] | undefined) ?? [];
  const listedFromAws = () => waitFor('traces listed from the AWS source', () =>
    api.traces.state.sourceKind === 'aws' && !api.traces.state.loading && api.traces.state.summaries.length > 0, 30000);
  /** The lens numbers of every mapped function, as the index holds them. */
  const lensNumbers = () =>
    [...(api.latencyLens.service.snapshot?.folders.values() ?? [])]
      .flatMap((folder) => folder.index.entries())
      .filter((e) => e.stats)
      .map((e) => ({ file: e.file, function: e.function, names: e.names, ...e.stats }))
      .sort((a, b) => `${a.file}:${a.function}:${a.names.join()}`.localeCompare(`${b.file}:${b.function}:${b.names.join()}`));
  const lensTitles = async (file = 'frontend/lib/orderStore.js') => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, file);
    await vscode.workspace.openTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    return lenses.map((l) => l.command?.title ?? '');
  };

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    server = await startXrayApiTestServer({ documents: freshDocuments() });
    for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_XRAY']) delete process.env[k];
    process.env.AWS_ACCESS_KEY_ID = 'AKIALENSLENSTEST0001';
    process.env.AWS_SECRET_ACCESS_KEY = 'lens-test-secret';
    // A lens request starts the index (if no earlier suite made one).
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'frontend/lib/orderStore.js'));
    await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri);
  });

  suiteTeardown(async function () {
    this.timeout(30000);
    server?.setFaults({});
    await config().update('lens.enabled', undefined, vscode.ConfigurationTarget.Global);
    await config().update('source', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.endpointUrl', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', undefined, vscode.ConfigurationTarget.Global);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await server?.close();
  });

  test('the newest 100 listed traces are fetched in BatchGetTraces calls of up to 5 ids, each id once', async function () {
    this.timeout(60000);
    const since = performance.now();
    await config().update('aws.region', 'eu-west-1', vscode.ConfigurationTarget.Global);
    await config().update('aws.endpointUrl', server.url, vscode.ConfigurationTarget.Global);
    await config().update('source', 'aws', vscode.ConfigurationTarget.Global);
    await listedFromAws();
    const newest = api.traces.state.summaries.slice(0, AWS_TRACE_CAP).map((s) => s.id).sort();
    assert.ok(api.traces.state.summaries.length > AWS_TRACE_CAP, `${api.traces.state.summaries.length} traces listed: more than the lens fetches`);
    const service = api.latencyLens.service;
    await waitFor('the index to hold the newest 100 listed traces', () => {
      const indexed = service.snapshot?.traceIds;
      return !service.busy && indexed !== undefined && [...indexed].sort().join() === newest.join();
    }, 45000);
    const calls = batches(since);
    const asked = calls.flatMap(idsOf);
    assert.ok(calls.every((c) => idsOf(c).length >= 1 && idsOf(c).length <= 5), `ids per call: ${calls.map((c) => idsOf(c).length).join(' ')}`);
    assert.deepStrictEqual([...new Set(asked)].sort(), newest, 'exactly the newest 100');
    assert.strictEqual(asked.length, new Set(asked).size, 'no trace asked for twice');
    assert.strictEqual(calls.length, Math.ceil(newest.length / 5), `${calls.length} BatchGetTraces calls for ${newest.length} traces`);
  });

  test('a third of all calls throttled, pages of 7, batches answered in part: the same lens numbers, not marked partial', async function () {
    this.timeout(90000);
    const before = lensNumbers();
    const newest = [...(api.latencyLens.service.snapshot?.traceIds ?? [])].sort();
    assert.ok(before.length > 0 && newest.length === AWS_TRACE_CAP);
    server.setFaults({ throttle: { every: 3 }, summariesPageSize: 7, partialBatches: { answered: 3 } });
    const since = performance.now();
    // Another pace is another source: nothing cached, the list and the lens's traces are fetched again, throttled.
    await config().update('aws.maxRequestsPerSecond', 50, vscode.ConfigurationTarget.Global);
    await waitFor('the index rebuilt from the throttled fetch', () => {
      const snapshot = api.latencyLens.service.snapshot;
      return !api.traces.state.loading && !api.latencyLens.service.busy && batches(since).length >= AWS_TRACE_CAP / 5 && snapshot !== undefined &&
        [...snapshot.traceIds].sort().join() === newest.join();
    }, 60000);
    const seen = server.requests.filter((r) => r.startedAt >= since);
    const throttled = seen.filter((r) => r.status === 429).length;
    assert.ok(throttled >= seen.length / 4, `${throttled} of ${seen.length} calls throttled`);
    assert.ok(seen.filter((r) => r.operation === 'GetTraceSummaries').length > 20, 'listed in pages of 7');
    assert.strictEqual(api.traces.state.incomplete, undefined);
    assert.strictEqual(api.latencyLens.service.snapshot?.incomplete, undefined);
    assert.deepStrictEqual(lensNumbers(), before);
    // Every mapped function gets a lens (the captured functions are fast: no threshold), none marked partial.
    await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    const titles: string[] = [];
    for (const file of new Set(before.map((n) => n.file))) titles.push(...(await lensTitles(file)));
    assert.ok(titles.length > 0 && titles.every((t) => /^p\d\d /.test(t) && !t.includes('partial')), titles.join(' | '));
  });

  test('throttling that does not let up: the lens shows the numbers of the traces that arrived, marked partial', async function () {
    this.timeout(90000);
    server.setFaults({ delayMs: { BatchGetTraces: 200 } });
    const since = performance.now();
    await config().update('aws.giveUpAfterSeconds', 2, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('some BatchGetTraces answered', () => batches(since).filter((r) => r.status === 200).length >= 3, 30000);
      server.setFaults({ throttle: { every: 1 } });
      const snapshot = await waitFor('a partial index', () => {
        const s = api.latencyLens.service.snapshot;
        return !api.latencyLens.service.busy && s?.incomplete ? s : undefined;
      }, 30000);
      assert.match(snapshot.incomplete!, /^\d+ of 100 traces fetched, then AWS eu-west-1 throttled every request for 2 s \(\d+ throttled in all\): \d+ are missing\.$/);
      assert.ok(snapshot.traceIds.size > 0 && snapshot.traceIds.size < AWS_TRACE_CAP, `${snapshot.traceIds.size} traces indexed`);
      // Every lens of every file with numbers says so (which functions pass the lens threshold depends on what arrived).
      const titles: string[] = [];
      for (const file of new Set(lensNumbers().map((n) => n.file))) titles.push(...(await lensTitles(file)));
      assert.ok(titles.length > 0 && titles.every((t) => t.endsWith(' · partial')), titles.join(' | '));
    } finally {
      server.setFaults({});
      await config().update('aws.giveUpAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
      await config().update('aws.maxRequestsPerSecond', undefined, vscode.ConfigurationTarget.Global);
      await config().update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('turning the lens off while it fetches aborts the BatchGetTraces calls in flight', async function () {
    this.timeout(60000);
    server.setFaults({ delayMs: { BatchGetTraces: 8000 } });
    const since = performance.now();
    // Another region is another source: its traces are not cached, so the lens fetches them again (slowly now).
    await config().update('aws.region', 'eu-west-2', vscode.ConfigurationTarget.Global);
    await listedFromAws();
    const inFlight = await waitFor('BatchGetTraces calls in flight', () => {
      const open = batches(since).filter((r) => r.endedAt === undefined && r.hungUpAt === undefined);
      return open.length > 0 ? open : undefined;
    }, 30000);
    const off = performance.now();
    await config().update('lens.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('the calls in flight to be hung up', () => inFlight.every((r) => r.hungUpAt !== undefined), 5000);
    assert.ok(inFlight.every((r) => r.hungUpAt! - off < 3000 && r.endedAt === undefined), 'hung up before the server answered');
    await waitFor('no index while the lens is off', () => api.latencyLens.service.snapshot === undefined && !api.latencyLens.service.busy);
    // Nothing more is asked for once it is off.
    const after = batches(since).length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(batches(since).length, after);
    server.setFaults({});
  });
});
