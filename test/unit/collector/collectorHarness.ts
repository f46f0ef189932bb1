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

/** A peer program running in its own process group (see startPeer). */
export interface RunningPeer {
  /** Settles once the peer has exited and its output is read. */
  readonly result: Promise<PeerResult>;
  /** stdout so far. */
  stdout(): string;
  /** Signals the peer and everything it started. */
  kill(signal?: NodeJS.Signals): void;
}

/** Peers still running, killed with their process groups if this process exits first (mocha exits at the end). */
const runningPeers = new Set<() => void>();
process.on('exit', () => {
  for (const kill of runningPeers) kill();
});

/** After the peer exits, how long its pipes may stay open (held by something that left the group) before we stop reading. */
const PIPE_DRAIN_MS = 2000;

/**
 * Starts a peer as the leader of its own process group (`detached`), so that a timeout kills what it started
 * too: samples/start.mjs's services, orphaned, would hold our pipes open and keep the test run alive. When the
 * peer exits, whatever it left in its group is killed as well.
 */
export function startPeer(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30000): RunningPeer {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // ESRCH: nothing left in the group.
    }
  };
  const killAll = () => killGroup('SIGKILL');
  runningPeers.add(killAll);
  const timer = setTimeout(killAll, timeoutMs);
  const result = new Promise<PeerResult>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      runningPeers.delete(killAll);
      reject(error);
    });
    // 'exit', not 'close': 'close' waits for every holder of the pipes, and an orphan may never let go.
    child.on('exit', (code) => {
      clearTimeout(timer);
      killAll();
      runningPeers.delete(killAll);
      const finish = () => {
        clearTimeout(drain);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, stdout, stderr, lines: jsonLines(stdout) });
      };
      // What the peer wrote just before exiting may still be in the pipes: read it until they close.
      const drain = setTimeout(finish, PIPE_DRAIN_MS);
      if (child.stdout.readableEnded && child.stderr.readableEnded) finish();
      else child.once('close', finish);
    });
  });
  return { result, stdout: () => stdout, kill: killGroup };
}

export function runPeer(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30000): Promise<PeerResult> {
  return startPeer(command, args, env, timeoutMs).result;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The Node X-Ray SDK peer (test/peers/nodeSdkApp.js) sending to the collector. */
export function startNodeSdkApp(collector: { port: number }, args: string[], timeoutMs?: number): RunningPeer {
  return startPeer(process.execPath, [path.join(ROOT, 'test/peers/nodeSdkApp.js'), ...args], {
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}`,
  }, timeoutMs);
}

export function runNodeSdkApp(collector: { port: number }, args: string[]): Promise<PeerResult> {
  return startNodeSdkApp(collector, args).result;
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
