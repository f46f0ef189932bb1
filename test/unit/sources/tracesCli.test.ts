// `xray-lens traces --profile P` as a user runs it (the bundled dist/cli.js, which loads the SDK bundle
// dist/xrayApiSource.js on demand): the profile's keys and endpoint_url reach the test server, and a failure
// prints its one-sentence message.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTracesArgs } from '../../../src/cli/tracesCommand';
import { FIXTURE_WINDOW, startXrayApiTestServer, type XrayApiTestServer } from '../../support/xrayApiTestServer';
import { runCli } from '../cli/runCli';


suite('xray-lens traces', () => {
  let server: XrayApiTestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  // The fixture's traces were recorded at a fixed time: a window of minutes reaching back to them.
  const minutes = () => String(Math.ceil((Date.now() / 1000 - FIXTURE_WINDOW.startTime) / 60) + 1);

  suiteSetup(async () => {
    server = await startXrayApiTestServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-cli-'));
    writeFileSync(path.join(dir, 'config'), `[profile dev]\nregion = eu-west-1\nendpoint_url = ${server.url}\n`);
    writeFileSync(path.join(dir, 'credentials'), `[dev]\naws_access_key_id = AKIACLIPROFILE000001\naws_secret_access_key = cli-secret\n`);
    env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
  });

  suiteTeardown(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('lists the newest traces through the profile\'s credentials and endpoint', async function () {
    this.timeout(30_000);
    server.requests.length = 0;
    const { code, out, err } = await runCli(['traces', '--profile', 'dev', '--minutes', minutes(), '--max', '20'], env);
    assert.equal(code, 0, err);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 21, out);
    assert.match(lines[0], /^1-[0-9a-f]{8}-[0-9a-f]{24} +\d+s ago/);
    assert.match(lines[20], /^20 traces in the last \d+ min from AWS eu-west-1 \(dev\), \d+ scanned; more in the window than --max 20$/);
    assert.deepEqual(server.requests.map((r) => [r.operation, r.accessKeyId]), [['GetTraceSummaries', 'AKIACLIPROFILE000001']]);
  });

  test('a failure prints one actionable sentence and exits 1, without the keys', async function () {
    this.timeout(30_000);
    server.setFaults({ fail: { GetTraceSummaries: { error: 'access-denied' } } });
    try {
      const { code, out, err } = await runCli(['traces', '--profile', 'dev', '--minutes', '5'], env);
      assert.equal(code, 1);
      assert.equal(out, '');
      assert.match(err, /^xray-lens: Access denied by AWS eu-west-1 \(dev\): the credentials \(profile dev\) lack xray:GetTraceSummaries\./m);
      assert.ok(!err.includes('AKIACLIPROFILE000001') && !err.includes('cli-secret'), err);
    } finally {
      server.setFaults({});
    }
  });

  test('options: refused with a reason', () => {
    assert.deepEqual(parseTracesArgs(['--profile', 'p', '--region=eu-west-2', '--filter', 'ok', '--minutes', '60']), { minutes: 60, max: 100, profile: 'p', region: 'eu-west-2', filter: 'ok' });
    assert.equal(parseTracesArgs(['--minutes', '0']), '--minutes needs a positive whole number');
    assert.equal(parseTracesArgs(['--profile']), '--profile needs a value');
    assert.equal(parseTracesArgs(['--bogus', 'x']), 'unknown option "--bogus"');
  });
});
