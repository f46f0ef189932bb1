// What the collector tests share: a collector on a free port, real UDP senders, the real X-Ray client
// pointed at the collector, and child processes for the peer programs in test/peers/.
import { XRayClient } from '@aws-sdk/client-xray';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as path from 'node:path';
import { LocalCollector, type CollectorOptions } from '../../../src/collector/localCollector';

/** The repository root (this file runs from out/test/unit/collector/). */
export const ROOT = path.resolve(__dirname, '../../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures');
export const HEADER = '{"format":"json","version":1}';

/** A collector on a port the kernel picked free for both UDP and TCP. */
export function startTestCollector(options: CollectorOptions = {}): Promise<LocalCollector> {
  return LocalCollector.start({ host: '127.0.0.1', port: 0, ...options });
}

/** A port free for UDP and TCP on 127.0.0.1 right now (for peers that need the number before we bind). */
export async function freePort(): Promise<number> {
  for (;;) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port } = udp.address();
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(resolve));
    if (tcpFree) return port;
  }
}

export function datagram(doc: unknown): string {
  return `${HEADER}\n${typeof doc === 'string' ? doc : JSON.stringify(doc)}`;
}

/**
 * Sends each datagram from one socket, waiting for each send. The collector under test shares this event
 * loop, so every 64 datagrams the sender yields to it (a real app is another process and never blocks it).
 */
export async function sendDatagrams(port: number, datagrams: (string | Buffer)[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < datagrams.length; i++) {
      await new Promise<void>((resolve, reject) => socket.send(datagrams[i], port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    socket.close();
  }
}

export function xrayClient(collector: { host: string; port: number }): XRayClient {
  return new XRayClient({
    endpoint: `http://${collector.host}:${collector.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface PeerResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines parsed as JSON (non-JSON lines skipped). */
  lines: Record<string, unknown>[];
}

export function runPeer(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30000): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      resolve({ code, stdout, stderr, lines });
    });
  });
}

/** The Node X-Ray SDK peer (test/peers/nodeSdkApp.js) sending to the collector. */
export function runNodeSdkApp(collector: { port: number }, args: string[]): Promise<PeerResult> {
  return runPeer(process.execPath, [path.join(ROOT, 'test/peers/nodeSdkApp.js'), ...args], {
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}`,
  });
}

export function newTraceId(epochSeconds = Math.floor(Date.now() / 1000)): string {
  return `1-${epochSeconds.toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

export function newId(): string {
  return randomBytes(8).toString('hex');
}

/** A small complete segment document as an SDK would send it. */
export function segmentDoc(traceId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const start = Date.now() / 1000;
  return { trace_id: traceId, id: newId(), name: 'test-svc', start_time: start, end_time: start + 0.01, ...fields };
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}
