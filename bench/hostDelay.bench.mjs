// How much a flood of segments delays the thread that owns the collector, the extension host's, where CodeLens,
// hovers and every other extension run: its event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution)
// idle and during a UDP flood of real SDK datagrams from another process, with the collector in this thread
// (LocalCollector, as before) and on a thread of its own (CollectorThread, as the extension runs it now).
// The baseline is the same thread idle, in the same run. Also printed: what each collector received of what was sent.
// usage: npm run build && npx tsc -p . && node bench/hostDelay.bench.mjs [RATE]   (default 100,000 datagrams/s)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { LocalCollector } = require(path.join(root, 'out/src/collector/localCollector.js'));
const { CollectorThread } = require(path.join(root, 'out/src/collector/collectorThread.js'));

const RATE = Number(process.argv[2] ?? 100_000);
const SECONDS = 3;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The udp benchmark's sender: real SDK datagrams, fresh trace ids, paced at `rate` from its own process. */
function flood(port, rate, count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bench/udp.bench.mjs'), '--sender', String(port), String(rate), String(count)]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}`))));
  });
}

/** Event-loop delay of this thread over `ms` (or while `during` runs): p50, p99 and max in ms. */
async function delay(during) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const result = await during();
  h.disable();
  const ms = (ns) => ns / 1e6;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), result };
}

async function settle(counters) {
  let last = -1;
  while (counters().received !== last) {
    last = counters().received;
    await sleep(400);
  }
  return last;
}

async function measure(name, start) {
  const collector = await start();
  try {
    const idle = await delay(() => sleep(SECONDS * 1000));
    const before = await settle(() => collector.counters());
    const flooded = await delay(() => flood(collector.port, RATE, RATE * SECONDS));
    const received = (await settle(() => collector.counters())) - before;
    return { name, idle, flooded, sent: flooded.result.sent, achieved: Math.round(flooded.result.sent / flooded.result.seconds), received };
  } finally {
    await collector.close();
  }
}

const f = (x) => `${x.toFixed(1)} ms`;
const runs = [
  await measure('collector in this thread (LocalCollector)', () => LocalCollector.start({ port: 0 })),
  await measure('collector on its own thread (CollectorThread)', () => CollectorThread.start({ port: 0 })),
];
console.log(`event-loop delay of the owning thread, idle ${SECONDS} s vs a ${SECONDS} s flood at ${RATE.toLocaleString('en-US')} datagrams/s (sender in another process)`);
for (const r of runs) {
  console.log(
    `${r.name}: idle p99 ${f(r.idle.p99)} max ${f(r.idle.max)}; flood p50 ${f(r.flooded.p50)} p99 ${f(r.flooded.p99)} max ${f(r.flooded.max)}` +
      ` → p99 ${(r.flooded.p99 / r.idle.p99).toFixed(1)}× idle; sent ${r.sent.toLocaleString('en-US')} at ${r.achieved.toLocaleString('en-US')}/s, received ${r.received.toLocaleString('en-US')} (${((r.received / r.sent) * 100).toFixed(1)}%)`,
  );
}
console.log(`own thread vs this thread during the flood: p99 ${(runs[1].flooded.p99 / runs[0].flooded.p99).toFixed(3)}, max ${(runs[1].flooded.max / runs[0].flooded.max).toFixed(3)}`);
