// Bad input in a real VS Code: datagrams the embedded collector refuses are counted by reason, and the
// "Show Collector Counters" command shows (and returns) those counters; good data around them is kept.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as vscode from 'vscode';
import type { CollectorCounters } from '../../src/collector/localCollector';
import type { XrayLensApi } from '../../src/extension';
import { EXTENSION_ID } from './sampleApp';

const HEADER = '{"format":"json","version":1}';

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
