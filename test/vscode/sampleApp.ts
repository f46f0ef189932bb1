// For feature tests in the real extension host: starts the sample app (samples/start.mjs) so that it sends
// its segments to the collector address this VS Code is configured with (`xrayLens.collector.address`; the
// test harness sets a free port per run). Pattern for a test that needs live traces:
//
//   const app = await startSampleApp({ count: 24, rate: 20 });   // 24 requests, then the app stops by itself
//   try { await app.finished; /* assert on what the extension shows */ } finally { await app.stop(); }
import { spawn } from 'child_process';
import * as http from 'http';
import { createServer } from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';

export const EXTENSION_ID = 'xray-lens.xray-lens';

export interface SampleApp {
  readonly frontendUrl: string;
  /** Set when started with `quotes: true`. */
  readonly quotesUrl?: string;
  readonly daemonAddress: string;
  /** Resolves with the exit code once a bounded run (`count`) has sent its requests and stopped. */
  readonly finished: Promise<number | null>;
  stop(): Promise<void>;
}

export interface SampleAppOptions {
  /** Requests to send before the app stops by itself; omit to only start the services (no traffic). */
  count?: number;
  /** Requests per second (default 10). */
  rate?: number;
  /** Extra environment for the services, e.g. { INVENTORY_FAULT_EVERY: '0' } for no random faults. */
  env?: Record<string, string>;
  /** Also start quote-svc (OpenTelemetry only), sending OTLP/HTTP to the configured OTLP address. */
  quotes?: boolean;
}

/** The `host:port` the extension's collector listens on, as configured in this VS Code. */
export function collectorAddress(): string {
  return vscode.workspace.getConfiguration('xrayLens').get<string>('collector.address') ?? '127.0.0.1:2000';
}

/** The `host:port` of the collector's OTLP/HTTP receiver, as configured in this VS Code. */
export function otlpAddress(): string {
  return vscode.workspace.getConfiguration('xrayLens').get<string>('collector.otlpAddress') ?? '127.0.0.1:4318';
}

/** A TCP port nobody listens on at the moment (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startSampleApp(options: SampleAppOptions = {}): Promise<SampleApp> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
  const [frontendPort, inventoryPort] = [await freePort(), await freePort()];
  const daemonAddress = collectorAddress();
  const args = [path.join(extension.extensionPath, 'samples', 'start.mjs'),
    '--frontend-port', String(frontendPort), '--inventory-port', String(inventoryPort), '--daemon', daemonAddress];
  const quotesPort = options.quotes ? await freePort() : 0;
  if (quotesPort) args.push('--quotes-port', String(quotesPort), '--otlp', otlpAddress());
  if (options.count !== undefined) args.push('--count', String(options.count), '--rate', String(options.rate ?? 10));
  // process.execPath is node in code-server's extension host and Electron in desktop VS Code: in Electron,
  // ELECTRON_RUN_AS_NODE makes it behave as node.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1', QUIET: '1' },
  });
  let output = '';
  const finished = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('sample app:')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void finished.then((code) => reject(new Error(`sample app exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    frontendUrl: `http://127.0.0.1:${frontendPort}`,
    quotesUrl: quotesPort ? `http://127.0.0.1:${quotesPort}` : undefined,
    daemonAddress,
    finished,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await finished;
    },
  };
}

/** Sends one request to the sample app and resolves with its status (the body is drained and dropped). */
export function request(url: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `probe` until it gives something other than undefined or false: what the extension shows arrives over time. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Activates the extension and waits for its collector (its own, or one it attached to): most suites start here. */
export async function activateWithCollector(): Promise<XrayLensApi> {
  const extension = vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
  const api = await extension.activate();
  await waitFor('the embedded collector', () => api.collector.state.kind === 'running' || api.collector.state.kind === 'attached');
  return api;
}
