// "X-Ray: Why No Data?" in a real VS Code, walking through each failure it knows on the extension's own
// collector: no app pointed at it, everything refused, traces outside the time range, the port held by another
// program (and the fix that moves the collector), the collector off (and the fix that turns it on). The
// collector is moved to fresh ports for this, so it starts empty; the harness's address is put back after.
import * as assert from 'assert';
import { createSocket, type Socket } from 'dgram';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { createServer, type Server } from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { NoDataFinding } from '../../src/sources/noDataDiagnosis';
import { activateWithCollector, freePort, waitFor } from './sampleApp';

const HEADER = '{"format":"json","version":1}\n';

function send(port: number, datagrams: string[]): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = datagrams.length;
    for (const d of datagrams) {
      socket.send(Buffer.from(d), port, '127.0.0.1', (err) => {
        if (err) reject(err);
        else if (--left === 0) socket.close(() => resolve());
      });
    }
  });
}

/** A complete segment that started `ageSeconds` ago, with a trace id of the same epoch. */
function segment(ageSeconds: number): string {
  const start = Date.now() / 1000 - ageSeconds;
  const traceId = `1-${Math.floor(start).toString(16)}-${randomBytes(12).toString('hex')}`;
  return HEADER + JSON.stringify({ trace_id: traceId, id: randomBytes(8).toString('hex'), name: 'old-svc', start_time: start, end_time: start + 0.05 });
}

const summary = (findings: NoDataFinding[]) => findings.map((f) => `${f.check}:${f.status}`).join(' ');
const problem = (findings: NoDataFinding[]) => findings.find((f) => f.status === 'problem');

suite('Why No Data? in a real VS Code, on the extension\'s collector', () => {
  let api: XrayLensApi;
  const config = () => vscode.workspace.getConfiguration('xrayLens');
  let harnessAddress: string | undefined;
  let port = 0;
  const held: { udp?: Socket; tcp?: Server } = {};

  const run = () => vscode.commands.executeCommand<NoDataFinding[]>('xrayLens.whyNoData');
  const moveCollector = async (address: string, expect: 'running' | 'failed') => {
    await config().update('collector.address', address, vscode.ConfigurationTarget.Global);
    await waitFor(`the collector ${expect} on ${address}`, () => {
      const s = api.collector.state;
      return s.kind === expect && (s.kind !== 'running' || `${s.address.host}:${s.address.port}` === address);
    });
  };

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    harnessAddress = config().inspect<string>('collector.address')?.globalValue;
    port = await freePort();
    await moveCollector(`127.0.0.1:${port}`, 'running');
  });

  suiteTeardown(async function () {
    this.timeout(30000);
    held.udp?.close();
    held.tcp?.close();
    await config().update('collector.enabled', undefined, vscode.ConfigurationTarget.Global);
    await config().update('collector.address', harnessAddress, vscode.ConfigurationTarget.Global);
    await waitFor('the collector back on the harness address', () => api.collector.state.kind === 'running' || api.collector.state.kind === 'attached');
    await api.traces.setQuery({ range: { kind: 'last', minutes: 15 } });
  });

  test('a fresh collector nobody sends to: it listens; no app has contacted it, and the message says what to set', async function () {
    this.timeout(30000);
    const findings = await run();
    assert.strictEqual(summary(findings), 'collector:ok app:problem', findings.map((f) => f.message).join(' | '));
    assert.match(findings[0].message, new RegExp(`listens on 127\\.0\\.0\\.1:${port}`));
    assert.match(problem(findings)!.message, new RegExp(`AWS_XRAY_DAEMON_ADDRESS=127\\.0\\.0\\.1:${port}`));
    const copied = await vscode.commands.executeCommand<string>('xrayLens.applyNoDataFix', 'copyEnvironment');
    assert.strictEqual(await vscode.env.clipboard.readText(), copied);
    assert.match(copied, new RegExp(`^AWS_XRAY_DAEMON_ADDRESS=127\\.0\\.0\\.1:${port}$`, 'm'));
  });

  test('everything refused: the check names the reasons', async function () {
    this.timeout(30000);
    await send(port, ['no header, no JSON', `${HEADER}{"trace_id": "not a trace id"`, `${HEADER}{"name": "no ids"}`]);
    await waitFor('three documents checked', () => {
      const c = api.collector.counters();
      return c !== undefined && c.received >= 3 && c.queued === 0;
    });
    const findings = await run();
    assert.strictEqual(summary(findings), 'collector:ok app:ok rejected:problem', findings.map((f) => f.message).join(' | '));
    assert.match(problem(findings)!.message, /Everything that arrived was refused: \d+ [a-z-]+/);
    assert.deepStrictEqual(problem(findings)!.fixes, ['showLog']);
  });

  test('a trace two days old: kept, but outside the time range; a wide enough range lists it and no problem is left', async function () {
    this.timeout(30000);
    await send(port, [segment(2 * 24 * 3600)]);
    await waitFor('the old trace kept', () => (api.collector.counters()?.traces ?? 0) >= 1);
    const findings = await run();
    assert.strictEqual(problem(findings)?.check, 'range', findings.map((f) => f.message).join(' | '));
    assert.match(problem(findings)!.message, /1 traces are in the collector, but none started in the last 15 min/);
    await api.traces.setQuery({ range: { kind: 'last', minutes: 3 * 24 * 60 } });
    const widened = await run();
    assert.strictEqual(problem(widened), undefined, widened.map((f) => f.message).join(' | '));
    assert.match(widened[widened.length - 1].message, /lists 1 traces in the last 3 d/);
  });

  test('frames outside the workspace: the folder is named as the problem; frames found by file name only get a mapping, which Add Path Mapping writes', async function () {
    this.timeout(60000);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const settingsFile = path.join(folder, '.vscode', 'settings.json');
    const hadSettings = fs.existsSync(settingsFile);
    const start = Date.now() / 1000 - 5;
    const traceId = `1-${Math.floor(start).toString(16)}-${randomBytes(12).toString('hex')}`;
    // A service deployed elsewhere: one frame in code this workspace does not have, one in samples/'s config.js as
    // /var/task sees it (no working_directory: with it, the frame would resolve for certain and need no mapping).
    const stack = [
      { path: '/opt/billing/app/charge.js', line: 3, label: 'charge' },
      { path: '/var/task/frontend/lib/config.js', line: 16, label: 'applyConfig' },
    ];
    await send(port, [HEADER + JSON.stringify({
      trace_id: traceId, id: randomBytes(8).toString('hex'), name: 'billing-svc', start_time: start, end_time: start + 0.02, fault: true,
      cause: { exceptions: [{ id: randomBytes(8).toString('hex'), type: 'TypeError', message: 'no card', stack }] },
    })]);
    await waitFor('the trace listed', async () => {
      await api.traces.refresh();
      return api.traces.state.summaries.some((s) => s.id === traceId);
    });
    try {
      // As for a user with a source file open: a lens request starts the latency index (the check does not load it).
      const file = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, 'frontend/lib/config.js')));
      await vscode.commands.executeCommand('vscode.executeCodeLensProvider', file.uri);
      const findings = await run();
      const frames = findings.filter((f) => f.check === 'frames');
      assert.deepStrictEqual(frames.map((f) => f.status), ['problem', 'note'], findings.map((f) => f.message).join(' | '));
      assert.match(frames[0].message, /^Stack frames name 1 file this workspace does not have, under \/opt\/billing\/app \(1\); e\.g\. \/opt\/billing\/app\/charge\.js/);
      assert.deepStrictEqual(frames[0].fixes, ['openFolder']);
      assert.match(frames[1].message, /under \/var\/task were matched to the workspace by file name only \(\d+ frames\): the path mapping \/var\/task → \. /);
      const written = await vscode.commands.executeCommand<string>('xrayLens.applyNoDataFix', 'addPathMapping');
      assert.strictEqual(written, '/var/task=.');
      assert.deepStrictEqual(config().inspect('lens.pathMappings')?.workspaceValue, { '/var/task': '.' });
    } finally {
      await config().update('lens.pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
      // Leave the samples folder as it was: no settings file of ours.
      if (!hadSettings && fs.existsSync(settingsFile) && fs.readFileSync(settingsFile, 'utf8').replace(/\s/g, '') === '{}') {
        fs.rmSync(settingsFile);
        if (fs.readdirSync(path.dirname(settingsFile)).length === 0) fs.rmdirSync(path.dirname(settingsFile));
      }
    }
  });

  test('another program holds the port: the check says so, and "Use Another Port" moves the collector to a free one', async function () {
    this.timeout(45000);
    // A foreign daemon: UDP and TCP on one port, answering nothing X-Ray Lens recognises.
    const taken = await freePort();
    held.tcp = await new Promise<Server>((resolve) => {
      const server = createServer((s) => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')).listen(taken, '127.0.0.1', () => resolve(server));
    });
    held.udp = await new Promise<Socket>((resolve) => {
      const socket = createSocket('udp4');
      socket.bind(taken, '127.0.0.1', () => resolve(socket));
    });
    await moveCollector(`127.0.0.1:${taken}`, 'failed');
    const findings = await run();
    assert.strictEqual(summary(findings), 'collector:problem');
    assert.match(findings[0].message, new RegExp(`Another program already listens on 127\\.0\\.0\\.1:${taken}`));
    assert.deepStrictEqual(findings[0].fixes, ['useAnotherPort', 'retryCollector']);
    const moved = await vscode.commands.executeCommand<string>('xrayLens.applyNoDataFix', 'useAnotherPort');
    assert.ok(moved && moved !== `127.0.0.1:${taken}`, `moved to ${moved}`);
    await waitFor(`the collector running on ${moved}`, () => {
      const s = api.collector.state;
      return s.kind === 'running' && `${s.address.host}:${s.address.port}` === moved;
    });
    assert.strictEqual(config().get('collector.address'), moved);
    assert.strictEqual((await run())[0].status, 'ok');
  });

  test('the collector turned off: the check says so, and "Turn On the Collector" starts it again', async function () {
    this.timeout(45000);
    await config().update('collector.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('the collector off', () => api.collector.state.kind === 'off');
    const findings = await run();
    assert.strictEqual(summary(findings), 'collector:problem');
    assert.match(findings[0].message, /The local collector is off/);
    await vscode.commands.executeCommand('xrayLens.applyNoDataFix', 'turnOnCollector');
    await waitFor('the collector running again', () => api.collector.state.kind === 'running');
    assert.strictEqual((await run())[0].status, 'ok');
  });
});
