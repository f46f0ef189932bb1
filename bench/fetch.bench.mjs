// Fetching 1,000 full traces from an X-Ray API that takes 100 ms per call (the test server's injected delay):
// GetTraceSummaries paged to the cap, then BatchGetTraces in batches of 5 with bounded concurrency and pacing.
// Prints the wall time against the concurrency-ideal time (pages are sequential; batches run `CONCURRENCY`
// at a time and no faster than the pace) and against a serial client (one call at a time), as ratios in one
// run, and the highest request rate the server saw against the configured pace.
// The server runs in its own process (this file, forked with --server), so its work does not slow the client.
// usage: npm run build && npx tsc -p . && node bench/fetch.bench.mjs
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, mostPerSecond, serve } from './apiServerProcess.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startXrayApiTestServer, syntheticDocuments, FIXTURE_WINDOW } = require(path.join(root, 'out/test/support/xrayApiTestServer.js'));
const { createXrayApiSource } = require(path.join(root, 'out/src/sources/xrayApiSource.js'));

const TRACES = 1000;
const DELAY_MS = 100;
const CONCURRENCY = 5;
// Two paces: one above what the concurrency allows (5 calls / 100 ms = 50/s), for the ratio to the
// concurrency-ideal time; one below it, where the pace decides and the observed rate must stay under it.
const FAST_PACE = 60;
const SLOW_PACE = 20;
const credentials = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench' };

if (process.argv.includes('--server')) {
  serve(await startXrayApiTestServer({ documents: syntheticDocuments(TRACES), faults: { delayMs: { '*': DELAY_MS } } }));
} else {
  await main();
}

async function main() {
const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
const [{ url }] = await once(child, 'message');

async function fetchAll(options) {
  const source = createXrayApiSource({ kind: 'aws', label: 'bench', region: 'us-east-1', endpoint: url, staticCredentials: credentials, ...options });
  // Warm the connection and the SDK (the first call loads credentials and endpoint rules), and the server's
  // summary cache: its first GetTraceSummaries assembles all 1,000 traces, a cost AWS would not show us.
  await source.getMode();
  await source.listTraceSummaries({ window: FIXTURE_WINDOW, maxTraces: 100 });
  child.send('reset');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const list = await source.listTraceSummaries({ window: FIXTURE_WINDOW, maxTraces: TRACES });
  const t1 = performance.now();
  const result = await source.getTraces(list.summaries.map((s) => s.id), { window: FIXTURE_WINDOW });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  source.dispose();
  if (result.traces.length !== TRACES || result.unprocessedIds.length) throw new Error(`got ${result.traces.length} traces, ${result.unprocessedIds.length} unprocessed`);
  const { requests } = await ask(child, 'requests');
  return { total: t2 - t0, summaries: t1 - t0, batches: t2 - t1, pages: list.pages, requests, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const paced = await fetchAll({ concurrency: CONCURRENCY, maxRequestsPerSecond: FAST_PACE });
const slow = await fetchAll({ concurrency: CONCURRENCY, maxRequestsPerSecond: SLOW_PACE });
const serial = await fetchAll({ concurrency: 1 });
child.send('close');

const batchCalls = Math.ceil(TRACES / 5);
// Ideal: the pages one after another, then the batches CONCURRENCY at a time, or at the pace if that is slower.
const idealSummaries = paced.pages * DELAY_MS;
const idealBatches = Math.max(Math.ceil(batchCalls / CONCURRENCY) * DELAY_MS, ((batchCalls - 1) * 1000) / FAST_PACE + DELAY_MS);
const ideal = idealSummaries + idealBatches;
const f = (ms) => `${(ms / 1000).toFixed(2)} s`;

console.log(`${TRACES} traces, ${DELAY_MS} ms per call: ${paced.pages} GetTraceSummaries pages + ${batchCalls} BatchGetTraces calls`);
console.log(`paced client (concurrency ${CONCURRENCY}, ${FAST_PACE} req/s): ${f(paced.total)} (summaries ${f(paced.summaries)}, batches ${f(paced.batches)})`);
console.log(`concurrency-ideal: ${f(ideal)} (summaries ${f(idealSummaries)}, batches ${f(idealBatches)})  → ratio ${(paced.total / ideal).toFixed(2)} (goal ≤ 1.3)`);
const overhead = (op) => {
  const calls = paced.requests.filter((r) => r.operation === op);
  return (calls.reduce((sum, r) => sum + (r.endedAt - r.startedAt), 0) / calls.length - DELAY_MS).toFixed(1);
};
console.log(`server time per call beyond the injected ${DELAY_MS} ms (mean): GetTraceSummaries ${overhead('GetTraceSummaries')} ms, BatchGetTraces ${overhead('BatchGetTraces')} ms; client CPU ${(paced.cpuMs / paced.requests.length).toFixed(1)} ms per call`);
console.log(`serial client: ${f(serial.total)}  → paced/serial ${(paced.total / serial.total).toFixed(3)} (serial is ${(serial.total / paced.total).toFixed(1)}× slower)`);
console.log(`observed at the server: at most ${mostPerSecond(paced.requests)} requests in any 1 s at pace ${FAST_PACE}/s; at pace ${SLOW_PACE}/s at most ${mostPerSecond(slow.requests)} (${f(slow.total)}, ideal ${f(idealSummaries + ((batchCalls - 1) * 1000) / SLOW_PACE + DELAY_MS)})`);
}
