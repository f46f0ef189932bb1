// What reading the collector costs its receiver: the share of a UDP flood the collector (LocalCollector on a
// thread of its own, as the extension runs it) takes off its socket, and how long that thread's event loop was
// held at most (monitorEventLoopDelay in that thread: the longest the socket went unread), while nobody reads,
// vs while a reader does what the
// trace list and the lenses do on every refresh: GetTraceSummaries of the last 15 minutes (up to 1,000, pages of
// 100) and BatchGetTraces of the newest READ_TRACES of them, through the product's own source (the real
// @aws-sdk/client-xray over HTTP), again 500 ms after each round. Same sender, same rate, same run.
// The sender is udp.bench.mjs's: the real SDK documents, fresh trace ids, times moved to now.
// usage: npm run build && npx tsc -p . && node bench/readsDuringFlood.bench.mjs [RATE] [SECONDS]   (20,000/s, 6 s)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createXrayApiSource } = require(path.join(root, 'out/src/sources/xrayApiSource.js'));

const RATE = Number(process.argv[2] ?? 20_000);
const SECONDS = Number(process.argv[3] ?? 6);
const READ_TRACES = 200;
const PAUSE_MS = 500;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function flood(port) {
  return new Promise((resolve, reject) => {
    const args = [path.join(root, 'bench/udp.bench.mjs'), '--sender', String(port), String(RATE), String(RATE * SECONDS), 'Infinity', 'now'];
    const child = spawn(process.execPath, args);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}`))));
  });
}

/** LocalCollector in a worker of its own, with that thread's event-loop delay measured per phase. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { LocalCollector } = require(workerData.collector);
LocalCollector.start({ port: 0 }).then((collector) => {
  let h;
  parentPort.on('message', (m) => {
    if (m === 'counters') parentPort.postMessage({ counters: collector.counters() });
    if (m === 'start') { h = monitorEventLoopDelay({ resolution: 1 }); h.enable(); parentPort.postMessage({ started: true }); }
    if (m === 'stop') { h.disable(); parentPort.postMessage({ delay: { p99: h.percentile(99) / 1e6, max: h.max / 1e6 } }); }
    if (m === 'close') collector.close().then(() => process.exit(0));
  });
  parentPort.postMessage({ port: collector.port });
});`;

async function startCollector() {
  const worker = new Worker(WORKER, { eval: true, workerData: { collector: path.join(root, 'out/src/collector/localCollector.js') } });
  const ask = (message, key) => new Promise((resolve) => {
    const on = (reply) => {
      if (key in reply) {
        worker.off('message', on);
        resolve(reply[key]);
      }
    };
    worker.on('message', on);
    if (message) worker.postMessage(message);
  });
  const port = await ask(undefined, 'port');
  return {
    port,
    received: async () => (await ask('counters', 'counters')).received,
    startDelay: () => ask('start', 'started'),
    stopDelay: () => ask('stop', 'delay'),
    close: () => new Promise((resolve) => (worker.once('exit', resolve), worker.postMessage('close'))),
  };
}

async function settle(collector) {
  let last = -1;
  while ((await collector.received()) !== last) {
    last = await collector.received();
    await sleep(400);
  }
  return last;
}

/** Refresh rounds until `done` resolves: the round times (ms) and what they read. */
async function readUntil(source, done) {
  let finished = false;
  void done.then(() => (finished = true));
  const rounds = [];
  let listed = 0;
  let fetched = 0;
  while (!finished) {
    const started = performance.now();
    const now = Date.now() / 1000;
    const list = await source.listTraceSummaries({ window: { startTime: now - 900, endTime: now }, maxTraces: 1000 });
    const ids = list.summaries.slice(0, READ_TRACES).map((s) => s.id);
    const got = await source.getTraces(ids);
    rounds.push(performance.now() - started);
    listed += list.summaries.length;
    fetched += got.traces.length;
    await sleep(PAUSE_MS);
  }
  return { rounds, listed, fetched };
}

async function phase(collector, source) {
  const before = await settle(collector);
  await collector.startDelay();
  const sending = flood(collector.port);
  const reads = source ? await readUntil(source, sending) : undefined;
  const sent = await sending;
  const delay = await collector.stopDelay();
  const received = (await settle(collector)) - before;
  return { sent: sent.sent, rate: Math.round(sent.sent / sent.seconds), received, reads, delay };
}

const collector = await startCollector();
const source = createXrayApiSource({
  kind: 'local', label: 'bench', region: 'us-east-1', endpoint: `http://127.0.0.1:${collector.port}`,
  staticCredentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
});
try {
  const quiet = await phase(collector, undefined);
  const read = await phase(collector, source);
  const pct = (p) => (p.received / p.sent) * 100;
  const sorted = [...read.reads.rounds].sort((a, b) => a - b);
  console.log([
    `readsDuringFlood: ${RATE.toLocaleString('en-US')} datagrams/s for ${SECONDS} s from another process, the collector on a thread of its own`,
    `  nobody reading:  sent ${quiet.sent.toLocaleString('en-US')} at ${quiet.rate.toLocaleString('en-US')}/s, received ${quiet.received.toLocaleString('en-US')} (${pct(quiet).toFixed(1)}%);` +
      ` collector thread's loop delay p99 ${quiet.delay.p99.toFixed(1)} ms, max ${quiet.delay.max.toFixed(1)} ms`,
    `  trace list reading: sent ${read.sent.toLocaleString('en-US')} at ${read.rate.toLocaleString('en-US')}/s, received ${read.received.toLocaleString('en-US')} (${pct(read).toFixed(1)}%);` +
      ` loop delay p99 ${read.delay.p99.toFixed(1)} ms, max ${read.delay.max.toFixed(1)} ms;` +
      ` ${sorted.length} rounds (median ${sorted[sorted.length >> 1]?.toFixed(0)} ms, longest ${sorted.at(-1)?.toFixed(0)} ms), ${read.reads.listed.toLocaleString('en-US')} summaries and ${read.reads.fetched.toLocaleString('en-US')} traces read`,
    `  ratio received while read / while not read: ${(pct(read) / pct(quiet)).toFixed(2)}; loop delay max while read / while not read: ${(read.delay.max / quiet.delay.max).toFixed(2)}`,
  ].join('\n'));
} finally {
  source.dispose();
  await collector.close();
}
