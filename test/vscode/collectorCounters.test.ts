// Bad input in a real VS Code: datagrams the embedded collector refuses are counted by reason, and the
// "Show Collector Counters" command shows (and returns) those counters; good data around them is kept.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as dgram from 'dgram';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CollectorCounters } from '../../src/collector/localCollector';
import type { XrayLensApi } from '../../src/extension';
import { EXTENSION_ID } from './sampleApp';

const HEADER = '{"format":"json","version":1}';
const REPO_ROOT = path.resolve(__dirname, '../../..');

function send(port: number, host: string, datagrams: string[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.bind(0, '127.0.0.1', async () => {
      try {
        for (const d of datagrams) await new Promise<void>((done, fail) => socket.send(d, port, host, (e) => (e ? fail(e) : done())));
        resolve();
      } catch (e) {
        reject(e);
      } finally {
        socket.close();
      }
    });
  });
}

suite('collector counters in a real VS Code', () => {
  test('refused datagrams are counted by reason; good ones are kept; the command shows the counters', async () => {
    const api = await vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID)!.activate();
    const endpoint = api.collector.endpoint;
    assert.ok(endpoint, 'the collector is not running');
    const before = (await vscode.commands.executeCommand('xrayLens.showCollectorCounters')) as CollectorCounters;
    const now = Date.now() / 1000;
    const traceId = `1-${Math.floor(now).toString(16)}-${'c0ffee'.repeat(4)}`;
    const good = JSON.stringify({ trace_id: traceId, id: 'a1b2c3d4e5f60718', name: 'counted-svc', start_time: now, end_time: now + 0.01 });
    await send(endpoint.port, endpoint.host, [
      '{"trace_id":"no header"}',
      `${HEADER}\n{"broken json`,
      `${HEADER}\n${JSON.stringify({ trace_id: traceId, id: 'not-hex', name: 'x', start_time: now, end_time: now })}`,
      `${HEADER}\n${good}`,
    ]);
    let after = before;
    for (let i = 0; i < 50 && after.received < before.received + 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await vscode.commands.executeCommand('xrayLens.showCollectorCounters')) as CollectorCounters;
    }
    assert.strictEqual(after.received - before.received, 4);
    assert.strictEqual(after.accepted - before.accepted, 1);
    assert.strictEqual(after.rejected - before.rejected, 3);
    const delta = (reason: string) => (after.rejectedByReason[reason] ?? 0) - (before.rejectedByReason[reason] ?? 0);
    assert.strictEqual(delta('missing-header'), 1, JSON.stringify(after.rejectedByReason));
    assert.strictEqual(delta('invalid-json'), 1, JSON.stringify(after.rejectedByReason));
    assert.strictEqual(delta('bad-id'), 1, JSON.stringify(after.rejectedByReason));
    assert.match(api.collector.describeCounters(), /rejected \d+ \(.*missing-header \d+/);
  });
});

suite('sampling counters in a real VS Code', () => {
  test('a real aws-xray-sdk-core app: its requests and how many were traced, from its own SamplingTargets reports, in the status bar tooltip', async function () {
    this.timeout(90_000);
    const api = await vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID)!.activate();
    const endpoint = api.collector.endpoint;
    assert.ok(endpoint, 'the collector is not running');
    const before = api.collector.counters()!.sampling.reportedRequests;
    // The app stays up after its requests until its first report (10 s after its first request) reaches us.
    const app = spawn(process.execPath, [path.join(REPO_ROOT, 'test/peers/nodeSdkApp.js'), '--requests', '30', '--warmup-ms', '300', '--linger-ms', '60000'], {
      env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: `${endpoint.host}:${endpoint.port}` },
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 60_000;
      while (api.collector.counters()!.sampling.reportedRequests < before + 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    } finally {
      app.kill('SIGTERM');
    }
    const sampling = api.collector.counters()!.sampling;
    assert.strictEqual(sampling.reportedRequests - before, 30, JSON.stringify(sampling));
    assert.strictEqual(sampling.reportedTraced, sampling.reportedRequests, 'sample-all traced every reported request');
    const n = sampling.reportedRequests.toLocaleString('en-US');
    assert.match(api.statusBar.tooltip, new RegExp(`sampling: SDKs reported ${n} requests, ${n} traced`), api.statusBar.tooltip);
    assert.match(api.statusBar.tooltip, /decided before its SDK has the collector's sampling rules/);
  });
});
