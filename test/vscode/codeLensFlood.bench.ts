// A benchmark that needs a real extension host (bench/codeLensFlood.bench.mjs runs it; the test tier does not):
// how long VS Code takes to answer a CodeLens request for a traced file, idle and while another process floods
// the extension's collector with real SDK datagrams at 100,000/s. The baseline is the same request idle, in the
// same run. The flood re-sends a few thousand traces (the captured SDK documents, their times moved to now) so
// it keeps the lens index busy without evicting the sample app's traces. Prints; asserts only that it measured.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { activateWithCollector, collectorAddress, request, startSampleApp, waitFor } from './sampleApp';

const FILE = 'frontend/lib/orderStore.js';
const RATE = Number(process.env.XRAY_LENS_FLOOD_RATE ?? 100_000);
const FLOOD_SECONDS = 6;
/** Repetitions of the 453 captured traces the flood cycles through: ~3,600 traces, under the store's 5,000. */
const DISTINCT = Number(process.env.XRAY_LENS_FLOOD_DISTINCT ?? Infinity);
const PAUSE_MS = 20;

interface Phase {
  /** Round trips of vscode.executeCodeLensProvider, ms. */
  trips: number[];
  /** The extension host thread's event-loop delay over the phase, ms. */
  loopP99: number;
  loopMax: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function describe(name: string, phase: Phase): string {
  const s = [...phase.trips].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  return `${name}: ${s.length} requests, round trip p50 ${f(percentile(s, 50))} / p95 ${f(percentile(s, 95))} / p99 ${f(percentile(s, 99))} / max ${f(s[s.length - 1])} ms; host event loop p99 ${f(phase.loopP99)} / max ${f(phase.loopMax)} ms`;
}

/** CodeLens requests one after another (PAUSE_MS apart) until `until` resolves or `ms` pass. */
async function measure(uri: vscode.Uri, ms: number, until?: Promise<unknown>): Promise<Phase & { lenses: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const trips: number[] = [];
  let done = false;
  void until?.then(() => (done = true));
  const deadline = Date.now() + ms;
  let lenses = 0;
  while (!done && Date.now() < deadline) {
    const t = performance.now();
    const result = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    trips.push(performance.now() - t);
    lenses = Math.max(lenses, result?.length ?? 0);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  loop.disable();
  return { trips, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, lenses };
}

/** With $XRAY_LENS_FLOOD_PROFILE set: a CPU profile of the extension host over `during`, written there. */
async function profiled<T>(during: () => Promise<T>): Promise<T> {
  const file = process.env.XRAY_LENS_FLOOD_PROFILE;
  if (!file) return during();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<{ profile?: unknown }>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as { profile?: unknown }))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await during();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

function flood(port: number): Promise<{ sent: number; errors: number; seconds: number }> {
  const sender = path.join(__dirname, '../../../bench/udp.bench.mjs');
  const child = spawn(process.execPath, [sender, '--sender', String(port), String(RATE), String(RATE * FLOOD_SECONDS), String(DISTINCT), 'now'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}`))));
  });
}

suite('bench: CodeLens round trip during a UDP flood', () => {
  test('CodeLens requests idle, then while 100,000 datagrams/s arrive', async function () {
    this.timeout(300000);
    const api = await activateWithCollector();
    const settings = vscode.workspace.getConfiguration('xrayLens');
    await settings.update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    try {
      await run(api);
    } finally {
      await settings.update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
      await settings.update('traces.autoRefresh', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

async function run(api: Awaited<ReturnType<typeof activateWithCollector>>): Promise<void> {
  const app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
  try {
    for (let i = 1; i <= 12; i++) assert.strictEqual(await request(`${app.frontendUrl}/orders/${i}`), 200);
  } finally {
    await app.stop();
  }
  const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, FILE);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  await waitFor('a latency lens in ' + FILE, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return lenses?.some((l) => l.command?.title.includes('n=')) === true;
  });

  // XRAY_LENS_FLOOD_QUIET=1: the trace list does not follow the collector during the flood (what reads cost the receiver).
  if (process.env.XRAY_LENS_FLOOD_QUIET) await vscode.workspace.getConfiguration('xrayLens').update('traces.autoRefresh', false, vscode.ConfigurationTarget.Global);
  const idle = await measure(uri, 5000);
  const before = api.collector.counters()?.received ?? 0;
  const port = Number(collectorAddress().split(':').pop());
  const sending = flood(port);
  const during = await profiled(() => measure(uri, 60000, sending));
  const sent = await sending;
  await new Promise((r) => setTimeout(r, 1000));
  const received = (api.collector.counters()?.received ?? 0) - before;
  const after = await measure(uri, 2000);

  const p95 = (phase: Phase) => percentile([...phase.trips].sort((a, b) => a - b), 95);
  console.log([
    `codeLensFlood: ${FILE}, one request every ${PAUSE_MS} ms after the last answer`,
    `  ${describe('idle ', idle)}`,
    `  ${describe('flood', during)}`,
    `  flood: ${sent.sent.toLocaleString('en-US')} datagrams in ${sent.seconds.toFixed(2)} s (${Math.round(sent.sent / sent.seconds).toLocaleString('en-US')}/s), the collector received ${received.toLocaleString('en-US')}`,
    `  ratio p95 flood/idle ${(p95(during) / p95(idle)).toFixed(2)}; added at p95 ${(p95(during) - p95(idle)).toFixed(1)} ms`,
    `  lenses in the file: idle ${idle.lenses}, during ${during.lenses}, after ${after.lenses}`,
  ].join('\n'));
  assert.ok(idle.trips.length > 10 && during.trips.length > 10, 'too few requests measured');
}
