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
  const { parseDaemonDatagram } = require(path.join(root, 'out/src/collector/udpReceiver.js'));
  const docs = freshCorpus(100_000);
  const bytes = docs.map((d) => Buffer.byteLength(d));
  // The same documents as datagrams (header line + document), as the UDP socket hands them over.
  const datagrams = docs.map((d) => Buffer.from(`{"format":"json","version":1}\n${d}`));
  let sink = 0;

  const runs = {
    // Baselines: what a bare socket does with each datagram (decode + JSON.parse), and JSON.parse of the text.
    parseDatagram: () => {
      for (let i = 0; i < datagrams.length; i++) {
        const d = datagrams[i];
        sink += JSON.parse(d.toString('utf8', d.indexOf(10) + 1)).start_time > 0 ? 1 : 0;
      }
    },
    parseText: () => {
      for (let i = 0; i < docs.length; i++) sink += JSON.parse(docs[i]).start_time > 0 ? 1 : 0;
    },
    // The collector's receive path alone: header check + queue (what runs between two socket reads).
    receive: () => {
      const store = new TraceStore();
      for (let i = 0; i < datagrams.length; i++) {
        const result = parseDaemonDatagram(datagrams[i]);
        if (result.ok && !result.otlp) store.enqueue(result.body);
      }
      sink += store.counters().queued;
      store.flush();
    },
    // The whole path: receive, then decode + parse + validate + store every document (default limits, so
    // eviction runs too).
    receiveAndStore: () => {
      const store = new TraceStore();
      for (let i = 0; i < datagrams.length; i++) {
        const result = parseDaemonDatagram(datagrams[i]);
        if (result.ok && !result.otlp) store.enqueue(result.body);
      }
      store.flush();
      sink += store.counters().accepted;
    },
    // TraceStore.ingest on text (the path of documents that do not come over UDP).
    ingest: () => {
      const store = new TraceStore();
      for (let i = 0; i < docs.length; i++) store.ingest(docs[i], bytes[i]);
    },
  };
  // The receive run also flushes its queue (so it does not pile up), timed apart and subtracted.
  const receiveOnly = () => {
    const store = new TraceStore();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < datagrams.length; i++) {
      const result = parseDaemonDatagram(datagrams[i]);
      if (result.ok && !result.otlp) store.enqueue(result.body);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    store.flush();
    return seconds;
  };

  // Interleave the runs so JIT warm-up and GC pressure fall on all alike; keep the best of 5 each.
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let round = 0; round < 5; round++) {
    for (const [name, run] of Object.entries(runs)) times[name].push(name === 'receive' ? receiveOnly() : timeOnce(run));
  }
  const rate = (name) => docs.length / Math.min(...times[name]);
  const line = (label, name) => `  ${label.padEnd(58)}${Math.round(rate(name)).toLocaleString('en-US').padStart(11)} docs/s`;
  const store = new TraceStore();
  for (let i = 0; i < docs.length; i++) store.ingest(docs[i], bytes[i]);
  const counters = store.counters();
  const readSeconds = timeOnce(() => store.summaries({ startTime: 0, endTime: 4e9 }));
  console.log([
    `ingest: ${docs.length} real SDK documents (948 repeated with fresh trace ids), best of 5 runs`,
    line('baseline: decode + JSON.parse each datagram (a bare socket)', 'parseDatagram'),
    line('baseline: JSON.parse each document text', 'parseText'),
    line('collector receive path (header check + queue)', 'receive'),
    line('collector receive + parse + validate + store, all of it', 'receiveAndStore'),
    line('TraceStore.ingest of the text (parse + validate + store)', 'ingest'),
    `  ratio receive path / bare socket: ${(rate('receive') / rate('parseDatagram')).toFixed(2)}`,
    `  ratio whole path / bare socket: ${(rate('receiveAndStore') / rate('parseDatagram')).toFixed(2)} (goal >= 0.7)`,
    `  ratio TraceStore.ingest / JSON.parse: ${(rate('ingest') / rate('parseText')).toFixed(2)}`,
    `  store after a run: ${counters.accepted} accepted, ${counters.rejected} rejected, ${counters.traces} traces kept, ${counters.evicted} evicted`,
    `  deferred merge: first GetTraceSummaries over all ${counters.traces} kept traces (parse again + assemble + summarize) ${(readSeconds * 1000).toFixed(0)} ms`,
  ].join('\n'));
  if (sink < 0) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
