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
