// Fetching 1,000 full traces through an X-Ray API that throttles a third of all calls (429 ThrottledException,
// whatever the rate: a quota shared with others), pages summaries 7 at a time and answers BatchGetTraces in part
// (3 of 5 ids; the rest come back as UnprocessedTraceIds). The same fetch, same source settings, against the same
// server without the throttling is the baseline: the ratio of wall times is the cost of the throttling (goal ≤ 2).
// Also printed: the most requests the server saw in any 1 s against the pace, and the pacer's rate at the end.
// The server runs in its own process (this file, forked with --server), so its work does not slow the client.
// usage: npm run build && npx tsc -p . && node bench/throttle.bench.mjs [--source OTHER/out]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, mostPerSecond, serve } from './apiServerProcess.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startXrayApiTestServer, syntheticDocuments, FIXTURE_WINDOW } = require(path.join(root, 'out/test/support/xrayApiTestServer.js'));
// --source DIR: another build's out/ (e.g. an older commit's), run through the same doubles for a before/after.
const sourceAt = process.argv.includes('--source') ? process.argv[process.argv.indexOf('--source') + 1] : path.join(root, 'out');
const { createXrayApiSource } = require(path.join(sourceAt, 'src/sources/xrayApiSource.js'));

const TRACES = 1000;
const DELAY_MS = 50;
const PACE = 25;
const SHAPE = { summariesPageSize: 7, partialBatches: { answered: 3 }, delayMs: { '*': DELAY_MS } };
const credentials = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench' };

if (process.argv.includes('--server')) {
  serve(await startXrayApiTestServer({ documents: syntheticDocuments(TRACES) }));
} else {
  await main();
}

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const [{ url }] = await once(child, 'message');

  async function fetchAll(label, throttle) {
    await ask(child, { faults: { ...SHAPE } });
    const source = createXrayApiSource({ kind: 'aws', label: 'bench', region: 'us-east-1', endpoint: url, staticCredentials: credentials, maxRequestsPerSecond: PACE, unprocessedBackoffMs: 200 });
    // Warm the SDK (credentials, endpoint rules) and the server's summary cache before timing.
    await source.getMode();
    await source.listTraceSummaries({ window: FIXTURE_WINDOW, maxTraces: 7 });
    await ask(child, { faults: { ...SHAPE, ...(throttle ? { throttle } : {}) } });
    let throttled = 0;
    let lastRate = PACE;
    const onProgress = (e) => {
      if (e.kind === 'throttled') {
        throttled++;
        lastRate = e.ratePerSecond ?? Number.NaN; // builds before AIMD do not report it
      }
    };
    const t0 = performance.now();
    let list;
    let result;
    try {
      list = await source.listTraceSummaries({ window: FIXTURE_WINDOW, maxTraces: TRACES }, { onProgress });
      result = await source.getTraces(list.summaries.map((s) => s.id), { window: FIXTURE_WINDOW, onProgress });
    } catch (error) {
      const { requests } = await ask(child, 'requests');
      source.dispose();
      return { label, failed: `failed after ${((performance.now() - t0) / 1000).toFixed(2)} s and ${requests.length} requests: ${error.message}` };
    }
    const ms = performance.now() - t0;
    source.dispose();
    const { requests } = await ask(child, 'requests');
    const complete = list.summaries.length === TRACES && result.traces.length === TRACES && !list.incomplete && !result.incomplete;
    return { label, ms, requests: requests.length, throttled, most: mostPerSecond(requests), complete, pages: list.pages, lastRate, traces: result.traces.length };
  }

  const plain = await fetchAll('unthrottled', undefined);
  const every3 = await fetchAll('every 3rd call throttled', { every: 3 });
  const random = await fetchAll('33% of calls throttled at random', { probability: 1 / 3, seed: 7 });
  // A quota that throttles only what exceeds it (how AWS counts one), at half our pace: the pacer should find it.
  const quota = await fetchAll(`a quota of ${PACE / 2} req/s`, { ratePerSecond: PACE / 2, burst: 2 });
  child.send('close');

  console.log(`${TRACES} traces, ${DELAY_MS} ms per call, pages of 7, batches answered 3 of 5, pace ${PACE} req/s`);
  for (const r of [plain, every3, random, quota]) {
    if (r.failed) {
      console.log(`${r.label}: ${r.failed}`);
      continue;
    }
    console.log(
      `${r.label}: ${(r.ms / 1000).toFixed(2)} s, ${r.requests} requests (${r.throttled} throttled), ${r.pages} pages, ${r.traces} traces${r.complete ? '' : ' INCOMPLETE'}; ` +
        `most in any 1 s ${r.most} (pace ${PACE}); rate at the last throttle ${r.lastRate.toFixed(1)}/s` +
        (r === plain ? '' : ` → ratio ${(r.ms / plain.ms).toFixed(2)}${r === quota ? '' : ' (goal ≤ 2)'}`),
    );
  }
  if (quota.failed || plain.failed) return;
  // At the quota the fetch cannot beat its successful calls at the quota's rate.
  const floor = ((quota.requests - quota.throttled) * 1000) / (PACE / 2);
  console.log(`quota: ${(quota.ms / 1000).toFixed(2)} s against ${(floor / 1000).toFixed(2)} s for its ${quota.requests - quota.throttled} answered calls at the quota's rate → ${(quota.ms / floor).toFixed(2)}×; ${((quota.throttled / quota.requests) * 100).toFixed(0)}% of requests throttled`);
}
