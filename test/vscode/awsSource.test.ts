// The AWS source in a real VS Code: the extension's own @aws-sdk/client-xray talks HTTP to a local server that
// answers the X-Ray REST-JSON API (test/support/xrayApiTestServer.ts) — AWS itself is unreachable here.
// Profiles come from temporary AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE read by the SDK's own loader; the
// profile's endpoint_url points at the server. Each failure the issue names is injected and its message checked.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { QueryOutcome } from '../../src/features/traceTree/traceListModel';
import type { NoDataFinding } from '../../src/sources/noDataDiagnosis';
import { freshDocuments } from '../support/freshDocuments';
import { startXrayApiTestServer, type XrayApiTestServer } from '../support/xrayApiTestServer';
import { EXTENSION_ID, waitFor } from './sampleApp';

const ACCESS_KEY = 'AKIALENSTEST00000001';

suite('AWS X-Ray source in a real VS Code (the real @aws-sdk/client-xray against a local X-Ray API server)', () => {
  let api: XrayLensApi;
  let server: XrayApiTestServer;
  let evil: XrayApiTestServer;
  let dir: string;
  const savedEnv = { ...process.env };
  const config = () => vscode.workspace.getConfiguration('xrayLens');

  const settled = (what: string) =>
    waitFor(what, () => !api.traces.state.loading && api.traces.state.sourceKind === 'aws', 20000);

  const failWith = async (fault: Parameters<XrayApiTestServer['setFaults']>[0]): Promise<QueryOutcome> => {
    server.setFaults(fault);
    try {
      return await api.traces.refresh();
    } finally {
      server.setFaults({});
    }
  };

  suiteSetup(async function () {
    this.timeout(60000);
    const extension = vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    server = await startXrayApiTestServer({ documents: freshDocuments() });
    evil = await startXrayApiTestServer({ documents: [] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-lens-aws-'));
    const configFile = path.join(dir, 'config');
    const credentialsFile = path.join(dir, 'credentials');
    fs.writeFileSync(
      configFile,
      [
        '[profile lens-test]',
        'region = eu-west-1',
        `endpoint_url = ${server.url}`,
        '',
        '[profile lens-nocreds]',
        'region = eu-west-1',
        `endpoint_url = ${server.url}`,
        '',
        '[profile lens-sso]',
        'sso_session = lens-corp',
        'sso_account_id = 111122223333',
        'sso_role_name = ReadOnly',
        'region = eu-west-1',
        `endpoint_url = ${server.url}`,
        '',
        '[sso-session lens-corp]',
        'sso_start_url = https://lens-corp.awsapps.com/start',
        'sso_region = eu-west-1',
        '',
        '[profile lens-noregion]',
        'region = xx-nowhere-7',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      credentialsFile,
      ['[lens-test]', `aws_access_key_id = ${ACCESS_KEY}`, 'aws_secret_access_key = lens-test-secret', '', '[lens-noregion]', `aws_access_key_id = ${ACCESS_KEY}`, 'aws_secret_access_key = lens-test-secret', ''].join('\n'),
    );
    // An expired `aws sso login` token, where the SDK looks for it (~/.aws/sso/cache/<sha1 of the session name>.json).
    const cache = path.join(dir, 'home/.aws/sso/cache');
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(
      path.join(cache, `${createHash('sha1').update('lens-corp').digest('hex')}.json`),
      JSON.stringify({ accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3600_000).toISOString(), region: 'eu-west-1', startUrl: 'https://lens-corp.awsapps.com/start' }),
    );
    process.env.AWS_CONFIG_FILE = configFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    process.env.HOME = path.join(dir, 'home');
    for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_XRAY']) delete process.env[k];
  });

  suiteTeardown(async function () {
    this.timeout(30000);
    const c = config();
    await c.update('aws.endpointUrl', undefined, vscode.ConfigurationTarget.Global);
    await c.update('aws.region', undefined, vscode.ConfigurationTarget.Global);
    await c.update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    await c.update('source', undefined, vscode.ConfigurationTarget.Global);
    if (api) await api.traces.setQuery({ filterExpression: undefined, range: { kind: 'last', minutes: 15 } });
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await server?.close();
    await evil?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Select AWS Profile lists the profiles the SDK finds; choosing one shows its last 15 minutes of traces', async function () {
    this.timeout(30000);
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-test');
    assert.strictEqual(config().get('source'), 'aws');
    assert.strictEqual(config().get('aws.profile'), 'lens-test');
    await waitFor('traces listed from the AWS source', () => api.traces.state.sourceKind === 'aws' && !api.traces.state.loading && api.traces.state.summaries.length > 0, 20000);
    const s = api.traces.state;
    assert.strictEqual(s.sourceLabel, 'AWS eu-west-1 (lens-test)', 'the profile\'s own region applies');
    assert.strictEqual(s.error, undefined);
    assert.deepStrictEqual(api.traces.query.range, { kind: 'last', minutes: 15 });
    const listing = server.requests.filter((r) => r.operation === 'GetTraceSummaries');
    assert.ok(listing.length > 0, 'GetTraceSummaries reached the profile\'s endpoint_url');
    assert.ok(listing.every((r) => r.accessKeyId === ACCESS_KEY), 'signed with the profile\'s keys');
    const asked = listing[listing.length - 1].body as { StartTime: number; EndTime: number };
    const now = Date.now() / 1000;
    assert.ok(Math.abs(asked.StartTime - (now - 900)) < 30, `StartTime ${asked.StartTime} is about 15 minutes ago`);
    // The whole trace behind a row, through BatchGetTraces (or retrieval), parsed.
    const trace = await api.traces.getTrace(s.summaries[0]);
    assert.ok(trace && trace.segments.length > 0);
    assert.strictEqual(s.mode?.destination, 'XRay', 'GetTraceSegmentDestination was asked');
  });

  test('a workspace settings.json cannot redirect the endpoint, the profile or the region', async function () {
    this.timeout(30000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run with a workspace folder');
    const settingsDir = path.join(folder.uri.fsPath, '.vscode');
    const settingsFile = path.join(settingsDir, 'settings.json');
    // A run killed mid-test can leave the file below behind: remove only that one, never someone's own settings.
    if (fs.existsSync(settingsFile) && fs.readFileSync(settingsFile, 'utf8').includes('"xrayLens.traces.maxShown":777')) fs.rmSync(settingsDir, { recursive: true });
    assert.ok(!fs.existsSync(settingsFile), 'the workspace has no settings.json of its own to overwrite');
    const before = evil.requests.length;
    fs.mkdirSync(settingsDir, { recursive: true });
    try {
      fs.writeFileSync(
        settingsFile,
        JSON.stringify({
          'xrayLens.aws.endpointUrl': evil.url,
          'xrayLens.aws.profile': 'lens-nocreds',
          'xrayLens.aws.region': 'us-gov-west-1',
          'xrayLens.source': 'local',
          // A window-scoped setting, which a workspace may set: proves VS Code has read the file.
          'xrayLens.traces.maxShown': 777,
        }),
      );
      await waitFor('VS Code reads the workspace settings', () => config().get('traces.maxShown') === 777, 15000);
      assert.strictEqual(config().get('aws.endpointUrl'), '');
      assert.strictEqual(config().get('aws.profile'), 'lens-test');
      assert.strictEqual(config().get('aws.region'), '');
      assert.strictEqual(config().get('source'), 'aws');
      const outcome = await api.traces.refresh();
      assert.deepStrictEqual(outcome, { ok: true });
      assert.strictEqual(evil.requests.length, before, 'nothing was sent to the workspace\'s endpoint');
      assert.strictEqual(api.traces.state.sourceLabel, 'AWS eu-west-1 (lens-test)');
    } finally {
      fs.rmSync(settingsDir, { recursive: true, force: true });
      await waitFor('the workspace settings are gone', () => config().get('traces.maxShown') !== 777, 15000);
    }
  });

  test('a filter is sent to GetTraceSummaries; one the service refuses is shown and the last good list kept', async function () {
    this.timeout(30000);
    await settled('the list');
    const all = api.traces.state.summaries.length;
    const ok = (await vscode.commands.executeCommand('xrayLens.filterTraces', 'fault')) as QueryOutcome;
    assert.deepStrictEqual(ok, { ok: true });
    const last = server.requests.filter((r) => r.operation === 'GetTraceSummaries').pop();
    assert.strictEqual(last?.body.FilterExpression, 'fault');
    assert.strictEqual(api.traces.filterExpression, 'fault');
    const filtered = api.traces.state.summaries;
    assert.ok(filtered.length > 0 && filtered.length < all, `fault traces ${filtered.length} of ${all}`);
    assert.ok(filtered.every((t) => t.hasFault));

    const bad = (await vscode.commands.executeCommand('xrayLens.filterTraces', 'service(')) as QueryOutcome;
    assert.strictEqual(bad.ok, false);
    assert.strictEqual(!bad.ok && bad.error.kind, 'invalid-request');
    // The service's own message, with the position, for the filter box to show inline.
    assert.match(!bad.ok ? (bad.error.detail ?? '') : '', /character 9/);
    assert.strictEqual(api.traces.filterExpression, 'fault', 'the last good query stays');
    assert.deepStrictEqual(api.traces.state.summaries.map((t) => t.id), filtered.map((t) => t.id), 'the last good list stays');
    assert.strictEqual(api.traces.state.error, undefined);

    await vscode.commands.executeCommand('xrayLens.clearTraceFilter');
    assert.strictEqual(api.traces.filterExpression, undefined);
    assert.strictEqual(api.traces.state.summaries.length, all);

    // Two changes in quick succession (a map click, then a typo in the box): the first is never listed, so the
    // refusal of the second goes back to the query whose list is on screen, not to the first.
    const never = api.traces.setQuery({ filterExpression: 'error' });
    const refused = await api.traces.setQuery({ filterExpression: 'service(' });
    await never;
    assert.strictEqual(!refused.ok && refused.error.kind, 'invalid-request');
    assert.strictEqual(api.traces.filterExpression, undefined, 'the query matches the list shown');
    assert.strictEqual(api.traces.state.summaries.length, all);
  });

  test('time-range presets and custom ranges reach the request', async function () {
    this.timeout(30000);
    await vscode.commands.executeCommand('xrayLens.setTimeRange', '5m');
    let asked = server.requests.filter((r) => r.operation === 'GetTraceSummaries').pop()?.body as { StartTime: number; EndTime: number };
    assert.ok(Math.abs(asked.StartTime - (Date.now() / 1000 - 300)) < 30);
    assert.strictEqual(config().get('traces.timeRangeMinutes'), 5, 'a relative range is remembered');
    await vscode.commands.executeCommand('xrayLens.setTimeRange', '2026-11-20T10:00:00Z - 2026-11-20T11:00:00Z');
    asked = server.requests.filter((r) => r.operation === 'GetTraceSummaries').pop()?.body as { StartTime: number; EndTime: number };
    assert.deepStrictEqual([asked.StartTime, asked.EndTime], [Date.parse('2026-11-20T10:00:00Z') / 1000, Date.parse('2026-11-20T11:00:00Z') / 1000]);
    await vscode.commands.executeCommand('xrayLens.setTimeRange', '15m');
    await settled('the list');
    assert.ok(api.traces.state.summaries.length > 0);
  });

  test('a slow fetch is cancelled within 200 ms; the previous list stays', async function () {
    this.timeout(30000);
    await settled('the list');
    const shown = api.traces.state.summaries.map((t) => t.id);
    server.setFaults({ delayMs: { GetTraceSummaries: 20_000 } });
    try {
      const seen = server.requests.length;
      const refresh = api.traces.refresh();
      await waitFor('the slow request reached the server', () => server.requests.slice(seen).some((r) => r.operation === 'GetTraceSummaries'), 10000);
      const t0 = performance.now();
      api.traces.cancelRefresh();
      const outcome = await refresh;
      const took = performance.now() - t0;
      assert.strictEqual(!outcome.ok && outcome.error.kind, 'cancelled');
      assert.ok(took < 200, `cancel took ${took.toFixed(0)} ms`);
      assert.strictEqual(api.traces.state.cancelled, true);
      assert.strictEqual(api.traces.state.loading, false);
      assert.deepStrictEqual(api.traces.state.summaries.map((t) => t.id), shown);
    } finally {
      server.setFaults({});
    }
  });

  test('Cancel also drops the refresh queued behind the slow one', async function () {
    this.timeout(30000);
    await settled('the list');
    server.setFaults({ delayMs: { GetTraceSummaries: 20_000 } });
    try {
      const seen = server.requests.length;
      const listing = () => server.requests.slice(seen).filter((r) => r.operation === 'GetTraceSummaries');
      const first = api.traces.refresh();
      await waitFor('the slow request reached the server', () => listing().length > 0, 10000);
      const second = api.traces.refresh(); // the refresh button pressed again: queued behind the first
      api.traces.cancelRefresh();
      assert.strictEqual(!(await first).ok && ((await first) as { error: { kind: string } }).error.kind, 'cancelled');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.strictEqual(listing().length, 1, 'no request was sent after Cancel');
      assert.strictEqual(!(await second).ok && ((await second) as { error: { kind: string } }).error.kind, 'cancelled');
      assert.strictEqual(api.traces.state.loading, false);
      assert.strictEqual(api.traces.state.cancelled, true);
    } finally {
      api.traces.cancelRefresh();
      server.setFaults({});
    }
  });

  test('every failure has its own message, and the last good list stays', async function () {
    this.timeout(60000);
    await api.traces.refresh();
    const shown = api.traces.state.summaries.length;
    assert.ok(shown > 0);
    const expectKind = (outcome: QueryOutcome, kind: string, text: RegExp) => {
      assert.strictEqual(outcome.ok, false, `expected ${kind}`);
      if (outcome.ok) return;
      assert.strictEqual(outcome.error.kind, kind, outcome.error.message);
      assert.match(outcome.error.message, text);
      assert.strictEqual(api.traces.state.error?.kind, kind);
      assert.strictEqual(api.traces.state.summaries.length, shown, 'the last good list stays');
      assert.ok(!/lens-test-secret/.test(outcome.error.message));
    };
    expectKind(await failWith({ fail: { GetTraceSummaries: { error: 'access-denied' } } }), 'access-denied', /xray:GetTraceSummaries/);
    expectKind(await failWith({ fail: { GetTraceSummaries: { error: 'expired-token' } } }), 'expired-credentials', /expired/i);
    expectKind(await failWith({ fail: { GetTraceSummaries: { error: 'html' } } }), 'not-xray', /X-Ray/);
    // Throttled throughout: retried, slower, until nothing got through for aws.giveUpAfterSeconds; then one message.
    await config().update('aws.giveUpAfterSeconds', 3, vscode.ConfigurationTarget.Global);
    await settled('the source with the short give-up');
    let throttled = false;
    const sub = api.traces.onDidChange(() => (throttled ||= api.traces.state.throttled));
    try {
      const t0 = Date.now();
      expectKind(await failWith({ fail: { GetTraceSummaries: { error: 'throttled' } } }), 'throttled', /throttled every request for 3 s \(\d+ throttled attempts\), so the fetch stopped/);
      assert.ok(Date.now() - t0 < 3000 + 2000, `gave up after ${Date.now() - t0} ms`);
    } finally {
      sub.dispose();
      await config().update('aws.giveUpAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(throttled, 'the view showed "throttled — retrying" while the requests were retried');
    await settled('back to the default give-up');

    // Unreachable: an endpoint nobody listens on (a machine-scoped setting, which wins over the profile's).
    const closed = await startXrayApiTestServer({ documents: [] });
    const closedUrl = closed.url;
    await closed.close();
    await config().update('aws.endpointUrl', closedUrl, vscode.ConfigurationTarget.Global);
    await waitFor('the source follows the endpoint setting', () => api.traces.state.sourceKind === 'aws' && !api.traces.state.loading && api.traces.state.error !== undefined, 20000);
    assert.strictEqual(api.traces.state.error?.kind, 'unreachable', api.traces.state.error?.message);
    await config().update('aws.endpointUrl', undefined, vscode.ConfigurationTarget.Global);
    await settled('back on the test server');

    // Profiles that cannot sign: no credentials at all; an SSO session whose token expired.
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-nocreds');
    await waitFor('no credentials', () => api.traces.state.error?.kind === 'no-credentials', 20000);
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-sso');
    await waitFor('SSO expired', () => api.traces.state.error?.kind === 'sso-expired', 20000);
    assert.match(api.traces.state.error!.message, /aws sso login --profile lens-sso/);
    assert.strictEqual(api.traces.state.error!.command, 'aws sso login --profile lens-sso');
    // A region that does not exist (no endpoint_url: the SDK would call xray.<region>.amazonaws.com).
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-noregion');
    await waitFor('unknown region', () => api.traces.state.error?.kind === 'unknown-region', 30000);
    assert.match(api.traces.state.error!.message, /xx-nowhere-7/);
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-test');
    await settled('back on lens-test');
  });

  test('Why No Data? on AWS: access denied is the problem, with the IAM action; once it is lifted the listed traces', async function () {
    this.timeout(60000);
    await vscode.commands.executeCommand('xrayLens.selectProfile', 'lens-test');
    await settled('lens-test');
    server.setFaults({ fail: { GetTraceSummaries: { error: 'access-denied' } } });
    let findings: NoDataFinding[];
    try {
      findings = (await vscode.commands.executeCommand<NoDataFinding[]>('xrayLens.whyNoData'))!;
    } finally {
      server.setFaults({});
    }
    const problem = findings.find((f) => f.status === 'problem');
    assert.strictEqual(problem?.check, 'source', findings.map((f) => f.message).join(' | '));
    assert.match(problem.message, /AWS X-Ray answered: .*xray:GetTraceSummaries/);
    assert.strictEqual(problem.refreshError, true, 'the refresh has shown this failure with its own buttons');
    const after = (await vscode.commands.executeCommand<NoDataFinding[]>('xrayLens.whyNoData'))!;
    assert.strictEqual(after.find((f) => f.status === 'problem'), undefined, after.map((f) => f.message).join(' | '));
    assert.match(after[0].message, /lists \d+ traces from AWS X-Ray in the last 15 min/);
  });

  test('throttling that sets in after a few pages: the traces listed so far are shown, marked partial', async function () {
    this.timeout(60000);
    await settled('the list');
    server.setFaults({ summariesPageSize: 7 });
    const seen = server.requests.length;
    const pages = () => server.requests.slice(seen).filter((r) => r.operation === 'GetTraceSummaries' && r.status === 200).length;
    try {
      // Another give-up time is another source: it lists again, in pages of 7, until everything is throttled.
      await config().update('aws.giveUpAfterSeconds', 2, vscode.ConfigurationTarget.Global);
      await waitFor('three pages listed', () => pages() >= 3, 20000);
      server.setFaults({ summariesPageSize: 7, throttle: { every: 1 } });
      await waitFor('the partial list', () => !api.traces.state.loading && api.traces.state.incomplete !== undefined, 20000);
      const state = api.traces.state;
      assert.strictEqual(state.error, undefined, 'not an error: what arrived is shown');
      assert.ok(state.summaries.length >= 21 && state.summaries.length === pages() * 7, `${state.summaries.length} listed from ${pages()} pages`);
      assert.match(state.incomplete!, new RegExp(`^${state.summaries.length} traces listed, then AWS eu-west-1 \\(lens-test\\) throttled every request for 2 s \\(\\d+ throttled in all\\): older traces of the time range are missing\\.$`));
      assert.match(api.statusBar.text, /· \d+ traces \(partial\)$/);
      assert.match(api.statusBar.tooltip, /Partial list: \d+ traces listed, then/);
    } finally {
      server.setFaults({});
      await config().update('aws.giveUpAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the whole list again', () => !api.traces.state.loading && api.traces.state.sourceKind === 'aws' && api.traces.state.incomplete === undefined && api.traces.state.summaries.length > 21, 20000);
    assert.doesNotMatch(api.statusBar.text, /partial/);
  });

  test('a pace of 0 in settings.json (VS Code only warns) still lists, at the slowest pace the setting allows', async function () {
    this.timeout(60000);
    await config().update('aws.maxRequestsPerSecond', 0, vscode.ConfigurationTarget.Global);
    try {
      // A filter keeps the listing to one page: two paced calls with the mode question.
      assert.deepStrictEqual(await api.traces.setQuery({ filterExpression: 'fault' }), { ok: true });
    } finally {
      await config().update('aws.maxRequestsPerSecond', undefined, vscode.ConfigurationTarget.Global);
      await api.traces.setQuery({ filterExpression: undefined });
      await settled('back at the default pace');
    }
  });

  test('Transaction Search: the mode is detected and full traces come through StartTraceRetrieval', async function () {
    this.timeout(60000);
    server.setFaults({ transactionSearch: { pollsUntilDone: 2 } });
    try {
      // A new source (another region) asks GetTraceSegmentDestination again.
      await vscode.commands.executeCommand('xrayLens.selectRegion', 'eu-west-2');
      await waitFor('Transaction Search mode', () => api.traces.state.mode?.destination === 'CloudWatchLogs' && api.traces.state.summaries.length > 0, 20000);
      const seen = server.requests.length;
      const trace = await api.traces.getTrace(api.traces.state.summaries[1]);
      assert.ok(trace && trace.segments.length > 0);
      const ops = server.requests.slice(seen).map((r) => r.operation);
      assert.ok(ops.includes('StartTraceRetrieval') && ops.includes('ListRetrievedTraces'), ops.join(','));
      assert.ok(!ops.includes('BatchGetTraces'));
    } finally {
      server.setFaults({});
      await config().update('aws.region', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
