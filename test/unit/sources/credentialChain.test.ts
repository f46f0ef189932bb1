// The AWS source's credentials and endpoint through the SDK's real default chain, with temporary shared
// config/credentials files: static keys, credential_process, assume-role (STS answered by the test server),
// SSO with a token cache (valid → GetRoleCredentials on the test server; expired → sso-expired), and the
// endpoint a profile configures. The test server records which access key signed each X-Ray call.
import * as assert from 'assert';
import { XRayClient, GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configuredEndpoint, defaultRegion, listAwsProfiles } from '../../../src/sources/awsProfiles';
import { describeSourceError } from '../../../src/sources/sourceErrors';
import type { TraceSource } from '../../../src/sources/traceSource';
import { createXrayApiSource } from '../../../src/sources/xrayApiSource';
import { FIXTURE_WINDOW, startXrayApiTestServer, type XrayApiTestServer } from '../../support/xrayApiTestServer';

const SSO_TOKEN = 'sso-access-token-test';
const SSO_CREDENTIALS = { accessKeyId: 'ASIASSOROLE000000001', secretAccessKey: 'sso-secret', sessionToken: 'sso-session-token' };
const ROLE_CREDENTIALS = { accessKeyId: 'ASIAASSUMEDROLE00001', secretAccessKey: 'role-secret', sessionToken: 'role-session-token' };
const QUERY = { window: FIXTURE_WINDOW, maxTraces: 5 };

/** Every variable the chain or the endpoint resolution reads; cleared for each test and restored after. */
const AWS_ENV = [
  'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_XRAY', 'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_SSO', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_EC2_METADATA_DISABLED', 'HOME',
];

suite('AWS credentials and endpoints through the SDK default chain', () => {
  let server: XrayApiTestServer;
  let other: XrayApiTestServer;
  let saved: Record<string, string | undefined>;
  let dir: string;
  let configFile: string;
  let credentialsFile: string;
  const sources: TraceSource[] = [];

  suiteSetup(async () => {
    server = await startXrayApiTestServer({ ssoAccessToken: SSO_TOKEN, ssoCredentials: SSO_CREDENTIALS, assumeRoleCredentials: ROLE_CREDENTIALS });
    other = await startXrayApiTestServer();
  });

  suiteTeardown(async () => {
    await server?.close();
    await other?.close();
  });

  setup(() => {
    saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
    for (const k of AWS_ENV) delete process.env[k];
    // Distinct files per test: the SDK's shared-ini loader caches by path.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-lens-creds-'));
    configFile = path.join(dir, 'config');
    credentialsFile = path.join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = configFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    process.env.HOME = dir; // the SSO token cache is ~/.aws/sso/cache
    process.env.AWS_EC2_METADATA_DISABLED = 'true'; // no instance-metadata probing at the end of the chain
    server.requests.length = 0;
    other.requests.length = 0;
  });

  teardown(() => {
    for (const s of sources.splice(0)) s.dispose();
    for (const k of AWS_ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function files(config: string, credentials = ''): void {
    fs.writeFileSync(configFile, config);
    fs.writeFileSync(credentialsFile, credentials);
  }

  function awsSource(profile?: string, endpoint?: string): TraceSource {
    const source = createXrayApiSource({ kind: 'aws', label: `AWS ${profile ?? 'default'}`, region: 'us-east-1', profile, endpoint, maxAttempts: 1 });
    sources.push(source);
    return source;
  }

  const xrayCalls = (s: XrayApiTestServer) => s.requests.filter((r) => r.operation === 'GetTraceSummaries');

  test('static keys of a profile, sent to the profile\'s endpoint_url (not the default profile\'s)', async () => {
    files(
      `[default]\nregion = us-east-1\nendpoint_url = ${other.url}\n\n[profile dev]\nregion = us-east-1\nendpoint_url = ${server.url}\n`,
      `[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = d\n\n[dev]\naws_access_key_id = AKIADEVPROFILE000001\naws_secret_access_key = s\n`,
    );
    const result = await awsSource('dev').listTraceSummaries(QUERY);
    assert.strictEqual(result.summaries.length, 5);
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), ['AKIADEVPROFILE000001']);
    assert.strictEqual(other.requests.length, 0);
  });

  test('why the source resolves the endpoint itself: the SDK client given a profile uses the default profile\'s endpoint_url', async () => {
    files(
      `[default]\nendpoint_url = ${other.url}\n\n[profile dev]\nendpoint_url = ${server.url}\n`,
      `[dev]\naws_access_key_id = AKIADEVPROFILE000002\naws_secret_access_key = s\n`,
    );
    const client = new XRayClient({ region: 'us-east-1', profile: 'dev', maxAttempts: 1 });
    try {
      await client.send(new GetTraceSummariesCommand({ StartTime: new Date(FIXTURE_WINDOW.startTime * 1000), EndTime: new Date(FIXTURE_WINDOW.endTime * 1000) }));
    } finally {
      client.destroy();
    }
    // dev's keys went to the default profile's endpoint (@smithy/core getEndpointFromConfig takes no profile).
    assert.deepStrictEqual(xrayCalls(other).map((r) => r.accessKeyId), ['AKIADEVPROFILE000002']);
    assert.strictEqual(server.requests.length, 0);
  });

  test('a profile without endpoint_url never borrows the default profile\'s', async () => {
    files(`[default]\nendpoint_url = ${other.url}\n\n[profile plain]\nregion = us-east-1\n`, `[plain]\naws_access_key_id = AKIAPLAIN00000000001\naws_secret_access_key = s\n`);
    assert.strictEqual(await configuredEndpoint('plain'), undefined);
    // With no endpoint the client would go to AWS itself; here it is enough that the resolution is empty and
    // the default profile's endpoint_url is not taken.
    assert.strictEqual(await configuredEndpoint(undefined), other.url);
  });

  test('a [services] section\'s xray endpoint_url, and AWS_ENDPOINT_URL_XRAY over the profile', async () => {
    files(
      `[profile svc]\nservices = local-stack\nendpoint_url = http://127.0.0.1:9\n\n[services local-stack]\nxray =\n  endpoint_url = ${server.url}\n`,
      `[svc]\naws_access_key_id = AKIASERVICESSECTION1\naws_secret_access_key = s\n`,
    );
    await awsSource('svc').listTraceSummaries(QUERY);
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), ['AKIASERVICESSECTION1']);

    process.env.AWS_ENDPOINT_URL_XRAY = other.url;
    await awsSource('svc').listTraceSummaries(QUERY);
    assert.deepStrictEqual(xrayCalls(other).map((r) => r.accessKeyId), ['AKIASERVICESSECTION1']);

    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    assert.strictEqual(await configuredEndpoint('svc'), undefined);
  });

  test('an explicit endpoint (the machine-scoped setting) wins over the profile and the environment', async () => {
    files(`[profile dev]\nendpoint_url = http://127.0.0.1:9\n`, `[dev]\naws_access_key_id = AKIAEXPLICITENDPOINT\naws_secret_access_key = s\n`);
    process.env.AWS_ENDPOINT_URL_XRAY = 'http://127.0.0.1:9';
    await awsSource('dev', server.url).listTraceSummaries(QUERY);
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), ['AKIAEXPLICITENDPOINT']);
  });

  test('environment keys and AWS_ENDPOINT_URL_XRAY when no profile is chosen', async () => {
    files('');
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT1';
    process.env.AWS_SECRET_ACCESS_KEY = 's';
    process.env.AWS_ENDPOINT_URL_XRAY = server.url;
    await awsSource().listTraceSummaries(QUERY);
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), ['AKIAFROMENVIRONMENT1']);
  });

  test('credential_process: the keys a program prints', async () => {
    const script = path.join(dir, 'credentials.js');
    fs.writeFileSync(script, `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAFROMPROCESS00001', SecretAccessKey: 'p' }));\n`);
    files(`[profile proc]\ncredential_process = "${process.execPath}" "${script}"\nendpoint_url = ${server.url}\n`);
    await awsSource('proc').listTraceSummaries(QUERY);
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), ['AKIAFROMPROCESS00001']);
  });

  test('assume-role: STS AssumeRole signed by the source profile, X-Ray signed by the role\'s session', async () => {
    files(
      `[profile role]\nrole_arn = arn:aws:iam::123456789012:role/XrayReader\nsource_profile = base\nregion = us-east-1\nendpoint_url = ${server.url}\n`,
      `[base]\naws_access_key_id = AKIABASEFORROLE00001\naws_secret_access_key = b\n`,
    );
    process.env.AWS_ENDPOINT_URL_STS = server.url;
    await awsSource('role').listTraceSummaries(QUERY);
    const assume = server.requests.filter((r) => r.operation === 'AssumeRole');
    assert.strictEqual(assume.length, 1);
    assert.strictEqual(assume[0].accessKeyId, 'AKIABASEFORROLE00001');
    assert.strictEqual(assume[0].body.RoleArn, 'arn:aws:iam::123456789012:role/XrayReader');
    const [call] = xrayCalls(server);
    assert.strictEqual(call.accessKeyId, ROLE_CREDENTIALS.accessKeyId);
    assert.strictEqual(call.sessionToken, ROLE_CREDENTIALS.sessionToken);
  });

  function ssoFiles(expiresAt: Date): void {
    files(
      `[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\nendpoint_url = ${server.url}\n\n` +
        `[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`,
    );
    // What `aws sso login` writes: ~/.aws/sso/cache/<sha1 of the session name>.json
    const cache = path.join(dir, '.aws', 'sso', 'cache');
    fs.mkdirSync(cache, { recursive: true });
    const name = crypto.createHash('sha1').update('corp').digest('hex');
    fs.writeFileSync(
      path.join(cache, `${name}.json`),
      JSON.stringify({ accessToken: SSO_TOKEN, expiresAt: expiresAt.toISOString(), region: 'us-east-1', startUrl: 'https://corp.awsapps.com/start' }),
    );
    process.env.AWS_ENDPOINT_URL_SSO = server.url;
  }

  test('SSO: the cached token buys role credentials from the SSO portal; X-Ray is signed with them', async () => {
    ssoFiles(new Date(Date.now() + 3600_000));
    await awsSource('sso-dev').listTraceSummaries(QUERY);
    const portal = server.requests.filter((r) => r.operation === 'GetRoleCredentials');
    assert.strictEqual(portal.length, 1);
    assert.strictEqual(portal[0].ssoBearerToken, SSO_TOKEN);
    assert.deepStrictEqual(portal[0].body, { account_id: '123456789012', role_name: 'ReadOnly' });
    assert.deepStrictEqual(xrayCalls(server).map((r) => r.accessKeyId), [SSO_CREDENTIALS.accessKeyId]);
  });

  test('SSO with an expired token: sso-expired, naming the profile and the login command', async () => {
    ssoFiles(new Date(Date.now() - 3600_000));
    await assert.rejects(awsSource('sso-dev').listTraceSummaries(QUERY), (err: unknown) => {
      const d = describeSourceError(err, 'AWS us-east-1');
      assert.strictEqual(d.kind, 'sso-expired', `${d.message} / ${String(err)}`);
      assert.strictEqual(d.profile, 'sso-dev');
      assert.strictEqual(d.command, 'aws sso login --profile sso-dev');
      assert.match(d.message, /Run `aws sso login --profile sso-dev`/);
      assert.ok(!d.message.includes(SSO_TOKEN));
      return true;
    });
    assert.strictEqual(server.requests.length, 0, 'nothing was sent with an expired session');
  });

  test('no credentials anywhere: no-credentials, naming the profile', async () => {
    files(`[profile empty]\nregion = us-east-1\nendpoint_url = ${server.url}\n`);
    await assert.rejects(awsSource('empty').listTraceSummaries(QUERY), (err: unknown) => {
      const d = describeSourceError(err, 'AWS us-east-1');
      assert.strictEqual(d.kind, 'no-credentials', `${d.message} / ${String(err)}`);
      assert.strictEqual(d.profile, 'empty');
      return true;
    });
    assert.strictEqual(server.requests.length, 0);
  });

  test('the profile list comes from the SDK\'s loader: kinds, regions, endpoints', async () => {
    files(
      `[default]\nregion = eu-west-1\n\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n\n` +
        `[profile proc]\ncredential_process = /bin/true\nregion = ap-south-1\n\n[profile role]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = default\n\n` +
        `[profile svc]\nservices = ls\n\n[services ls]\nxray =\n  endpoint_url = http://localhost:4566\n`,
      `[default]\naws_access_key_id = AKIALISTDEFAULT00001\naws_secret_access_key = s\n\n[keys-only]\naws_access_key_id = AKIALISTKEYSONLY0001\naws_secret_access_key = s\n`,
    );
    const profiles = await listAwsProfiles();
    assert.deepStrictEqual(
      profiles.map((p) => [p.name, p.kind, p.region ?? '', p.endpointUrl ?? '']),
      [
        ['default', 'static', 'eu-west-1', ''],
        ['keys-only', 'static', '', ''],
        ['proc', 'process', 'ap-south-1', ''],
        ['role', 'assume-role', '', ''],
        ['sso-dev', 'sso', '', ''],
        ['svc', 'other', '', 'http://localhost:4566'],
      ],
    );
    assert.deepStrictEqual(profiles.map((p) => p.hasEndpointUrl), [false, false, false, false, false, true]);
    // Edits show at once (the loader's cache is bypassed for the list).
    fs.appendFileSync(configFile, `\n[profile late]\nregion = sa-east-1\n`);
    assert.ok((await listAwsProfiles()).some((p) => p.name === 'late'));
  });

  test('defaultRegion: the profile\'s, then AWS_REGION, AWS_DEFAULT_REGION, us-east-1', async () => {
    files(`[profile withregion]\nregion = eu-central-2\n\n[profile noregion]\noutput = json\n`);
    assert.strictEqual(await defaultRegion('withregion'), 'eu-central-2');
    assert.strictEqual(await defaultRegion('noregion'), 'us-east-1');
    process.env.AWS_DEFAULT_REGION = 'ca-west-1';
    assert.strictEqual(await defaultRegion('noregion'), 'ca-west-1');
    process.env.AWS_REGION = 'ap-east-2';
    assert.strictEqual(await defaultRegion('noregion'), 'ap-east-2');
    assert.strictEqual(await defaultRegion('withregion'), 'eu-central-2');
  });
});
