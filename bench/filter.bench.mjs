// Filter cost: GetTraceSummaries (the collector's handler, no HTTP) over a full store with
// `service("inventory-svc") AND responsetime > 0.1` against the same request with no filter. The summaries are
// cached first, as in a running collector. Filters that must read the segments (`service(...) { fault }`,
// trace-level `fault`) are shown for scale: they parse and merge each trace they scan the first time.
// usage: npm run build && npx tsc -p . && node bench/filter.bench.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshCorpus } from './ingest.bench.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { TraceStore } = require(path.join(root, 'out/src/collector/traceStore.js'));
const { readApiRoutes } = require(path.join(root, 'out/src/collector/readApi.js'));

const store = new TraceStore();
for (const doc of freshCorpus(100_000)) store.ingest(doc);
const getTraceSummaries = new Map(readApiRoutes(store)).get('POST /TraceSummaries');

/** Every page of one listing; returns the traces listed. */
async function listAll(filter) {
  let listed = 0;
  let token;
  do {
    const page = await getTraceSummaries({ StartTime: 0, EndTime: 4e9, FilterExpression: filter, NextToken: token });
    listed += page.TraceSummaries.length;
    token = page.NextToken;
  } while (token);
  return listed;
}

async function bestOf(runs, fn) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

await listAll(undefined); // caches every summary
const firstPage = (filter) => getTraceSummaries({ StartTime: 0, EndTime: 4e9, FilterExpression: filter });
const cases = [
  ['no filter (baseline)', undefined],
  ['service("inventory-svc") AND responsetime > 0.1', 'service("inventory-svc") AND responsetime > 0.1'],
  ['service("inventory-svc") { fault }', 'service("inventory-svc") { fault }'],
  ['fault (the root segment: reads segments)', 'fault'],
];
const lines = [
  `filter: ${store.size} traces in the store, best of 5 each. One request = the first page; "new" = the expression`,
  `changed since the last request (nothing remembered: every scanned trace is evaluated), "again" = the same`,
  `expression again (the store remembers each trace's answer until the trace changes), all pages = every match`,
  `  ${'filter'.padEnd(50)} ${'new'.padStart(9)} ${'ratio'.padStart(6)} ${'again'.padStart(9)} ${'ratio'.padStart(6)} ${'all pages'.padStart(9)} ${'ratio'.padStart(6)} ${'scanned'.padStart(8)} ${'listed'.padStart(7)}`,
];
let base;
for (const [label, filter] of cases) {
  const listed = await listAll(filter);
  // A trailing space makes a new expression text each time, so nothing is remembered between runs.
  let flip = 1;
  const cold = await bestOf(5, () => firstPage(filter === undefined ? undefined : filter + ' '.repeat(flip++ % 2)));
  await firstPage(filter);
  const warm = await bestOf(5, () => firstPage(filter));
  const all = await bestOf(5, () => listAll(filter));
  const scanned = (await firstPage(filter)).TracesProcessedCount;
  base ??= { cold, warm, all };
  const cell = (ms, b) => `${ms.toFixed(1).padStart(6)} ms ${(ms / b).toFixed(2).padStart(6)}`;
  lines.push(`  ${label.padEnd(50)} ${cell(cold, base.cold)} ${cell(warm, base.warm)} ${cell(all, base.all)} ${String(scanned).padStart(8)} ${String(listed).padStart(7)}`);
}
console.log(lines.join('\n'));
