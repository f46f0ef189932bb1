// Who holds the daemon address: a foreign UDP or TCP socket, something else speaking HTTP, or another
// X-Ray Lens collector (which the extension attaches to instead of starting a second one).
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import * as net from 'node:net';
import { CollectorAddressInUseError, LocalCollector, probeCollector } from '../../../src/collector/localCollector';
import { freePort, startTestCollector } from './collectorHarness';

async function expectInUse(port: number, occupant: 'xray-lens' | 'other'): Promise<void> {
  await assert.rejects(LocalCollector.start({ port }), (error: unknown) => {
    assert.ok(error instanceof CollectorAddressInUseError, String(error));
    assert.equal(error.occupant, occupant);
    assert.equal(error.host, '127.0.0.1');
    assert.equal(error.port, port);
    assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:${port} is in use by another .*xrayLens\\.collector\\.address`));
    return true;
  });
}

function close(server: net.Server | dgram.Socket): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

suite('collector: address in use', () => {
  test('a foreign UDP socket on the port: occupant other, probe says other', async () => {
    const port = await freePort();
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    try {
      await expectInUse(port, 'other');
      assert.equal(await probeCollector('127.0.0.1', port), 'other');
    } finally {
      await close(socket);
    }
  });

  test('a foreign TCP listener on the port (UDP free): occupant other, and the UDP side is released again', async () => {
    const port = await freePort();
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expectInUse(port, 'other');
      assert.equal(await probeCollector('127.0.0.1', port, 500), 'other');
    } finally {
      await close(server);
    }
    // The failed start must not leave its UDP socket behind.
    const collector = await LocalCollector.start({ port });
    await collector.close();
  });

  test('an HTTP server that is not ours: probe says other', async () => {
    const port = await freePort();
    const server = http.createServer((_req, res) => res.end('{"service":"something-else"}'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await probeCollector('127.0.0.1', port), 'other');
    } finally {
      await close(server);
    }
  });

  test('another LocalCollector on the port: occupant xray-lens, probe says xray-lens', async () => {
    const first = await startTestCollector();
    try {
      await expectInUse(first.port, 'xray-lens');
      assert.equal(await probeCollector('127.0.0.1', first.port), 'xray-lens');
      assert.match(new CollectorAddressInUseError('127.0.0.1', first.port, 'xray-lens').message, /another X-Ray Lens collector/);
    } finally {
      await first.close();
    }
  });

  test('nothing on the port: probe says free, and a closed collector frees its port for the next one', async () => {
    const collector = await startTestCollector();
    const { port } = collector;
    await collector.close();
    assert.equal(await probeCollector('127.0.0.1', port), 'free');
    const again = await LocalCollector.start({ port });
    assert.equal(again.port, port);
    await again.close();
  });
});
