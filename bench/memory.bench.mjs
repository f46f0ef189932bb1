// Memory per stored trace: TraceStore holding the 948 real SDK documents repeated with fresh trace ids (~4,500
// traces), against the raw bytes of those documents, measured after ingest and again once every summary has
// been computed and cached (what a reader listing all traces leaves behind); and, for comparison, the same
// documents held as parsed trees.
// usage: npm run build && npx tsc -p . && node --expose-gc bench/memory.bench.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshCorpus } from './ingest.bench.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { TraceStore } = require(path.join(root, 'out/src/collector/traceStore.js'));

if (typeof globalThis.gc !== 'function') {
  console.log('memory: run with --expose-gc (node --expose-gc bench/memory.bench.mjs)');
  process.exit(0);
}

function heapUsed() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** The JS heap and the memory of ArrayBuffers (Buffers' bytes live outside the heap). */
function memoryUsed() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, offHeap: arrayBuffers };
}

const REPEATS = 10;

/**
 * The corpus as Buffers of their own (off the JS heap), as dgram hands datagrams over: each in its own
 * ArrayBuffer, not a slice of Buffer.from's shared pool. In a function so no temporary outlives it.
 */
function corpusBuffers() {
  return freshCorpus(948 * REPEATS).map((d) => {
    const buffer = Buffer.allocUnsafeSlow(Buffer.byteLength(d));
    buffer.write(d, 'utf8');
    return buffer;
  });
}

/** The UDP path: each body queued as received, then parsed and stored; only the store survives this function. */
function fill() {
  const store = new TraceStore({ maxTraces: 1e9, maxBytes: 1e12 });
  for (const buffer of corpusBuffers()) store.enqueue(buffer);
  store.flush();
  return store;
}

function summarizeAll(store) {
  store.summaries({ startTime: 0, endTime: 4e9 });
}

const rawBytes = corpusBuffers().reduce((sum, d) => sum + d.length, 0);
const base = memoryUsed();
const store = fill();
const filled = memoryUsed();
const afterIngest = filled.heap - base.heap;
const offHeap = filled.offHeap - base.offHeap;
const traces = store.size;
summarizeAll(store);
const afterSummaries = memoryUsed().heap - base.heap;
const corpus = corpusBuffers();

/** For comparison: the same documents kept as parsed trees (what a store of TraceAssemblers holds). */
function parsedTrees(corpus) {
  return corpus.map((buffer) => JSON.parse(buffer.toString('utf8')));
}
const before = heapUsed();
const trees = parsedTrees(corpus);
const treeBytes = heapUsed() - before;

const perTrace = (bytes) => Math.round(bytes / traces).toLocaleString('en-US').padStart(7);
console.log([
  `memory: ${store.counters().accepted} real SDK documents in ${traces} traces (948 documents x ${REPEATS}, fresh trace ids)`,
  `  raw document bytes                 ${perTrace(rawBytes)} bytes/trace`,
  `  heap after ingest                  ${perTrace(afterIngest)} bytes/trace   ratio heap/raw ${(afterIngest / rawBytes).toFixed(2)}`,
  `  + off the heap (the kept bytes)    ${perTrace(offHeap)} bytes/trace   ratio (heap + off-heap)/raw ${((afterIngest + offHeap) / rawBytes).toFixed(2)}`,
  `  heap with every summary cached     ${perTrace(afterSummaries)} bytes/trace   ratio heap/raw ${(afterSummaries / rawBytes).toFixed(2)}`,
  `  baseline: parsed trees only        ${perTrace(treeBytes)} bytes/trace   ratio heap/raw ${(treeBytes / rawBytes).toFixed(2)} (${trees.length} documents)`,
  `  store.approximateBytes             ${perTrace(store.approximateBytes)} bytes/trace (what maxBytes bounds)`,
].join('\n'));
