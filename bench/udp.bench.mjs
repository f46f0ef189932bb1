// UDP ingest over loopback: the highest send rate at which every datagram is received, for the collector
// (LocalCollector: split, parse, validate, store) and, as the baseline on the same data, a bare dgram socket
// that only JSON.parses each document. The sender is a separate process pacing real SDK datagrams (the 948
// documents, fresh trace ids on each repetition) at a target rate for 2 s per step.
// usage: npm run build && npx tsc -p . && node bench/udp.bench.mjs
//        (internally: node bench/udp.bench.mjs --sender PORT RATE COUNT [DISTINCT [now]])
//        DISTINCT: cycle through that many repetitions' trace ids (948 documents, 453 traces each), so a long
//        flood re-sends the same traces instead of evicting everything else; `now`: the documents' times
//        moved so the newest starts now (the captured ones are from 2026-11-21, outside any recent window).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(root, 'test/fixtures/xray-sdk-node/udp-segment-documents.ndjson');
const HEADER = '{"format":"json","version":1}\n';
const RATES = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000, 125_000, 150_000, 200_000, 250_000];
const STEP_SECONDS = 2;
const RECEIVE_BUFFER = 16 * 1024 * 1024;

// ---- sender (child process) -------------------------------------------------------------------------------
function runSender(port, rate, count, distinct = Infinity, recent = false) {
  const lines = readFileSync(CORPUS, 'utf8').split('\n').filter(Boolean);
  const templates = (recent ? shiftedToNow(lines) : lines).map((line) => {
    const buf = Buffer.from(HEADER + line);
    // Where the trace id's 24-hex part starts; its first 8 digits become the repetition number.
    const at = buf.indexOf('"trace_id":"1-') + '"trace_id":"1-'.length + 9;
    return { buf, at };
  });
  const socket = dgram.createSocket('udp4');
  let sent = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const tick = () => {
    const due = Math.min(count, Math.ceil(elapsed() * rate));
    for (; sent < due; sent++) {
      const { buf, at } = templates[sent % templates.length];
      const datagram = Buffer.from(buf);
      datagram.write((Math.floor(sent / templates.length) % distinct).toString(16).padStart(8, '0'), at, 'latin1');
      socket.send(datagram, (e) => { if (e) errors++; });
    }
    if (sent < count) return setImmediate(tick);
    const seconds = elapsed();
    const drain = () => (socket.getSendQueueCount() > 0 ? setTimeout(drain, 5) : finish(seconds));
    drain();
  };
  const finish = (seconds) => {
    process.stdout.write(JSON.stringify({ sent, errors, seconds }));
    socket.close();
  };
  // Bound (and connected) before the clock starts, so no datagram waits in Node's pre-bind queue.
  socket.bind(0, '127.0.0.1', () => socket.connect(port, '127.0.0.1', tick));
}

/** The documents with every start_time / end_time moved by one offset, so the newest starts now. */
function shiftedToNow(lines) {
  const docs = lines.map((line) => JSON.parse(line));
  const offset = Date.now() / 1000 - Math.max(...docs.map((doc) => doc.start_time ?? 0));
  const shift = (doc) => {
    if (typeof doc.start_time === 'number') doc.start_time += offset;
    if (typeof doc.end_time === 'number') doc.end_time += offset;
    for (const sub of doc.subsegments ?? []) shift(sub);
  };
  return docs.map((doc) => (shift(doc), JSON.stringify(doc)));
}

// ---- receivers ------------------------------------------------------------------------------------------
async function collectorReceiver() {
  const require = createRequire(import.meta.url);
  const { LocalCollector } = require(path.join(root, 'out/src/collector/localCollector.js'));
  const collector = await LocalCollector.start({ port: 0 });
  return {
    port: collector.port,
    received: () => collector.counters().received,
    extra: () => { const c = collector.counters(); return `accepted ${c.accepted}, rejected ${c.rejected}, traces kept ${c.traces}`; },
    close: () => collector.close(),
  };
}

async function bareReceiver() {
  const socket = dgram.createSocket('udp4');
  let received = 0;
  let sink = 0;
  socket.on('message', (message) => {
    const body = message.indexOf(10) + 1;
    sink += JSON.parse(message.toString('utf8', body)).start_time > 0 ? 1 : 0;
    received++;
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(RECEIVE_BUFFER);
  return {
    port: socket.address().port,
    received: () => received,
    extra: () => `parsed ${sink}`,
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}

function sendStep(port, rate) {
  const count = rate * STEP_SECONDS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sender', String(port), String(rate), String(count)]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}`))));
  });
}

async function settle(receiver) {
  let last = -1;
  while (receiver.received() !== last) {
    last = receiver.received();
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return last;
}

/** Steps the rate up until a step loses datagrams (up to two retries, as other processes share the machine). */
async function highestLossless(name, makeReceiver) {
  const receiver = await makeReceiver();
  const steps = [];
  let best;
  try {
    for (const rate of RATES) {
      let step;
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = await settle(receiver);
        // The receiver runs in this process: its CPU time over the step (the settling waits cost next to nothing).
        const cpu = process.cpuUsage();
        const sender = await sendStep(receiver.port, rate);
        const received = (await settle(receiver)) - before;
        const used = process.cpuUsage(cpu);
        const cpuMicrosPerDatagram = (used.user + used.system) / Math.max(1, received);
        step = { rate, achieved: Math.round(sender.sent / sender.seconds), sent: sender.sent, received, lost: sender.sent - received, cpuMicrosPerDatagram };
        if (step.lost === 0) break;
      }
      steps.push(step);
      if (step.lost !== 0) break;
      best = step;
      // The sender could not reach the target: a higher target would only measure the sender.
      if (step.achieved < rate * 0.9) break;
    }
  } finally {
    const extra = receiver.extra();
    await receiver.close();
    console.log(`  ${name}: ${steps.map((s) => `${s.rate / 1000}k→${s.lost === 0 ? 'ok' : `lost ${s.lost}`}`).join(', ')} (${extra})`);
  }
  return { best, steps };
}

async function main() {
  console.log(`udp: real SDK datagrams over loopback, sender in its own process, ${STEP_SECONDS} s per rate step`);
  const { best: bare, steps: bareSteps } = await highestLossless('baseline (bare socket, JSON.parse only)', bareReceiver);
  const { best: ours, steps: ourSteps } = await highestLossless('collector (LocalCollector)              ', collectorReceiver);
  // CPU per datagram at each rate both received: what the receiving process pays, whatever the sender leaves it.
  const cost = ourSteps.filter((s) => bareSteps.some((b) => b.rate === s.rate)).map((s) => {
    const b = bareSteps.find((x) => x.rate === s.rate);
    return `${s.rate / 1000}k: ${s.cpuMicrosPerDatagram.toFixed(1)} vs ${b.cpuMicrosPerDatagram.toFixed(1)} µs (${(b.cpuMicrosPerDatagram / s.cpuMicrosPerDatagram).toFixed(2)})`;
  });
  const fmt = (step) => (step ? `${Math.round(step.achieved).toLocaleString('en-US')} datagrams/s (target ${step.rate / 1000}k, ${step.sent} sent, 0 lost)` : 'none (lost datagrams at the lowest rate)');
  console.log([
    `  highest zero-loss rate, baseline:  ${fmt(bare)}`,
    `  highest zero-loss rate, collector: ${fmt(ours)}`,
    `  ratio collector/baseline: ${bare && ours ? (ours.achieved / bare.achieved).toFixed(2) : 'n/a'} (goal: collector >= 100,000/s; < 26,000/s is a defect)`,
    `  receiver CPU per datagram, collector (receive + parse + validate + store) vs baseline (bare socket + JSON.parse), and baseline/collector: ${cost.join('; ')}`,
  ].join('\n'));
}

if (process.argv[2] === '--sender') {
  runSender(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? Infinity), process.argv[7] === 'now');
}
else await main();
