// Ingest cost: TraceStore.ingest (parse + validate + store, default limits so eviction runs too) against a bare
// JSON.parse of the same texts: the 948 real SDK documents repeated with fresh trace ids up to 100k documents.
// Prints documents/s for both and their ratio (goal ≥ 0.5). The store merges a trace (TraceAssembler) when it
// is read, so the bench also times that deferred cost: the first summaries of every trace kept.
// usage: npm run build && npx tsc -p . && node bench/ingest.bench.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(root, 'test/fixtures/xray-sdk-node/udp-segment-documents.ndjson');

/**
 * The real SDK documents, repeated until `count` documents, each repetition under fresh trace ids (the 24-hex
 * part gets the repetition number), so every repetition makes new traces as a running app would.
 */
export function freshCorpus(count) {
  const lines = readFileSync(CORPUS, 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (let rep = 0; out.length < count; rep++) {
    const prefix = rep.toString(16).padStart(8, '0');
    for (const line of lines) {
      if (out.length >= count) break;
      out.push(line.replace(/"trace_id":"1-([0-9a-f]{8})-[0-9a-f]{8}([0-9a-f]{16})"/g, `"trace_id":"1-$1-${prefix}$2"`));
    }
  }
  return out;
}

function timeOnce(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function main() {
  const require = createRequire(import.meta.url);
  const { TraceStore } = require(path.join(root, 'out/src/collector/traceStore.js'));
  const docs = freshCorpus(100_000);
  const bytes = docs.map((d) => Buffer.byteLength(d));
  let sink = 0;

  const baseline = () => {
    for (let i = 0; i < docs.length; i++) sink += JSON.parse(docs[i]).start_time > 0 ? 1 : 0;
  };
  let store;
  const ingest = () => {
    store = new TraceStore();
    for (let i = 0; i < docs.length; i++) store.ingest(docs[i], bytes[i]);
  };

  // Alternate the two so JIT warm-up and GC pressure fall on both alike; keep the best of 5 each.
  const times = { baseline: [], ingest: [] };
  for (let round = 0; round < 5; round++) {
    times.baseline.push(timeOnce(baseline));
    times.ingest.push(timeOnce(ingest));
  }
  const best = (list) => Math.min(...list);
  const baseRate = docs.length / best(times.baseline);
  const ingestRate = docs.length / best(times.ingest);
  const counters = store.counters();
  const readSeconds = timeOnce(() => store.summaries({ startTime: 0, endTime: 4e9 }));
  console.log([
    `ingest: ${docs.length} real SDK documents (948 repeated with fresh trace ids), best of 5 runs`,
    `  baseline  JSON.parse only                         ${Math.round(baseRate).toLocaleString('en-US').padStart(10)} docs/s`,
    `  collector TraceStore.ingest                       ${Math.round(ingestRate).toLocaleString('en-US').padStart(10)} docs/s`,
    `  ratio collector/baseline: ${(ingestRate / baseRate).toFixed(2)} (goal >= 0.5)`,
    `  store after a run: ${counters.accepted} accepted, ${counters.rejected} rejected, ${counters.traces} traces kept, ${counters.evicted} evicted`,
    `  deferred merge: first GetTraceSummaries over all ${counters.traces} kept traces (parse again + assemble + summarize) ${(readSeconds * 1000).toFixed(0)} ms`,
  ].join('\n'));
  if (sink < 0) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
