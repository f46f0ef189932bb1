// OTLP ingest cost: spans/s through OtlpIntake (protobuf decode + convert to X-Ray documents + TraceStore)
// against decode-only on the same bytes, as a ratio in one run. Data: the 2 real ADOT requests (19 spans of
// a Node app) repeated with fresh trace ids to 100,000 spans, each repetition encoded up front. Also times
// the stages apart (decode, convert, store) to show where an ingest goes.
// usage: npm run build && npx tsc -p . && node bench/otlp.bench.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const SPANS = 100_000;

/** Encoded ExportTraceServiceRequests: the ADOT ones, trace id bytes 4..7 replaced by the repetition number. */
function corpus() {
  const generated = require(path.join(root, 'node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js'));
  const Request = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const raws = readFileSync(path.join(root, 'test/fixtures/adot-otel/otlp-udp-datagrams-raw.ndjson'), 'utf8')
    .split('\n').filter(Boolean).map((line) => JSON.parse(line).raw);
  const messages = raws.map((raw) => Request.decode(Buffer.from(raw.slice(raw.indexOf('\n') + 4), 'base64')));
  const requests = [];
  let spans = 0;
  for (let rep = 0; spans < SPANS; rep++) {
    for (const message of messages) {
      for (const rs of message.resourceSpans) {
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            // Bytes 0..3 are the X-Ray epoch (kept), the rest random: a new trace per repetition.
            span.traceId = Buffer.from(span.traceId);
            span.traceId.writeUInt32BE(rep, 4);
            spans++;
          }
        }
      }
      requests.push(Request.encode(message).finish());
    }
  }
  return { requests, spans };
}

function timeOnce(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function main() {
  const { decodeOtlpProtobuf } = require(path.join(root, 'out/src/collector/otlpDecoder.js'));
  const { OtlpIntake } = require(path.join(root, 'out/src/collector/otlpIntake.js'));
  const { TraceStore } = require(path.join(root, 'out/src/collector/traceStore.js'));
  const { convertSpanBatches } = require(path.join(root, 'out/src/xray/otel/spanConverter.js'));
  const { requests, spans } = corpus();
  const bytes = requests.reduce((sum, r) => sum + r.length, 0);
  let sink = 0;

  const decodeOnly = () => {
    for (const request of requests) sink += decodeOtlpProtobuf(request).spanCount;
  };
  let intake;
  let store;
  const ingest = () => {
    store = new TraceStore();
    intake = new OtlpIntake(store);
    for (const request of requests) sink += intake.ingest(decodeOtlpProtobuf(request)).accepted;
  };

  // Alternate the two so JIT warm-up and GC pressure fall on both alike; keep the best of 5 each.
  const times = { decode: [], ingest: [] };
  for (let round = 0; round < 5; round++) {
    times.decode.push(timeOnce(decodeOnly));
    times.ingest.push(timeOnce(ingest));
  }
  const best = (list) => Math.min(...list);
  const decodeRate = spans / best(times.decode);
  const ingestRate = spans / best(times.ingest);

  // The stages apart, on the same data (best of 3 each), to see what the store path costs.
  const decoded = requests.map((r) => decodeOtlpProtobuf(r));
  let documents = [];
  const convert = () => {
    documents = [];
    for (const d of decoded) for (const doc of convertSpanBatches(d.batches).documents) documents.push(doc);
  };
  const storeValidated = () => {
    const s = new TraceStore();
    for (const doc of documents) sink += s.ingestValidated(doc).ok ? 1 : 0;
  };
  // What ingestValidated saves: storing the same documents as text, parsed and validated again.
  const texts = () => documents.map((doc) => JSON.stringify(doc));
  let textList = [];
  const storeText = () => {
    const s = new TraceStore();
    for (const text of textList) sink += s.ingest(text).ok ? 1 : 0;
  };
  const stage = (fn) => {
    const list = [];
    for (let i = 0; i < 3; i++) list.push(timeOnce(fn));
    return best(list);
  };
  const stringify = () => {
    for (const doc of documents) sink += JSON.stringify(doc).length;
  };
  const convertSeconds = stage(convert);
  const validatedSeconds = stage(storeValidated);
  const stringifySeconds = stage(stringify);
  textList = texts();
  const textSeconds = stage(storeText);
  const decodeSeconds = best(times.decode);
  const rate = (n) => `${Math.round(n).toLocaleString('en-US').padStart(10)} spans/s`;
  const ms = (s) => `${(s * 1000).toFixed(0).padStart(5)} ms`;
  const counters = intake.counters();
  const storeCounters = store.counters();
  console.log([
    `otlp: ${spans.toLocaleString('en-US')} spans in ${requests.length.toLocaleString('en-US')} protobuf requests (${(bytes / 1048576).toFixed(1)} MiB; the 19 ADOT spans repeated with fresh trace ids), best of 5 runs`,
    `  decode only   decodeOtlpProtobuf                          ${rate(decodeRate)}`,
    `  ingest        decode + convertSpanBatches + TraceStore    ${rate(ingestRate)}`,
    `  ratio ingest/decode: ${(ingestRate / decodeRate).toFixed(2)}`,
    `  stages (best of 3): decode ${ms(decodeSeconds)}, convert ${ms(convertSeconds)}, TraceStore.ingestValidated (JSON.stringify + keep) ${ms(validatedSeconds)}, of which JSON.stringify ${ms(stringifySeconds)}`,
    `  not taken: TraceStore.ingest of the same texts (JSON.parse + validate + keep) ${ms(textSeconds)}, on top of the JSON.stringify`,
    `  intake after a run: ${counters.spansAccepted} spans accepted, ${counters.spansRejected} rejected; store: ${storeCounters.traces} traces kept, ${storeCounters.evicted} evicted`,
  ].join('\n'));
  if (sink < 0) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
