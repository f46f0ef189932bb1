// A socket error after binding (accept failing with EMFILE, a UDP receive error) is logged and counted; an
// 'error' event without a listener would be thrown and take the extension host down with the collector.
// The kernel cannot be made to fail accept() on demand (libuv absorbs most EMFILEs itself), so the test
// emits the event the sockets would emit.
import * as assert from 'node:assert/strict';
import type * as dgram from 'node:dgram';
import type * as http from 'node:http';
import { STATUS_PATH, type LocalCollector } from '../../../src/collector/localCollector';
import { startTestCollector } from './collectorHarness';

/** The collector's bound sockets (private: the test reaches them to emit what the kernel would). */
function sockets(collector: LocalCollector): { http: http.Server; udp: dgram.Socket } {
  const inside = collector as unknown as { http: { server: http.Server }; udp: { socket: dgram.Socket } };
  return { http: inside.http.server, udp: inside.udp.socket };
}

async function status(collector: LocalCollector): Promise<number> {
  const response = await fetch(`http://${collector.host}:${collector.port}${STATUS_PATH}`);
  await response.arrayBuffer();
  return response.status;
}

suite('collector: socket errors after binding', () => {
  test('an accept error on the HTTP server and a UDP socket error are logged, counted, and the collector keeps serving', async () => {
    const log: string[] = [];
    const collector = await startTestCollector({ log: (line) => log.push(line) });
    try {
      const { http, udp } = sockets(collector);
      http.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }));
      udp.emit('error', Object.assign(new Error('recvmsg ENOBUFS'), { code: 'ENOBUFS' }));
      assert.deepEqual(collector.counters().socketErrors, { udp: 1, http: 1 });
      assert.ok(log.includes('http: accept EMFILE'), log.join('\n'));
      assert.ok(log.includes('udp: recvmsg ENOBUFS'), log.join('\n'));
      assert.equal(await status(collector), 200);
    } finally {
      await collector.close();
    }
  });
});
