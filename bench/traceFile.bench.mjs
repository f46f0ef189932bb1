// Opening a trace file: readTraceFile + serveTraceFile (find the documents, validate and store them, list the
// first GetTraceSummaries page through the read API) against a bare JSON.parse of the same file's text, for the
// real SDK documents (freshCorpus) written as `aws xray batch-get-traces` output and as a JSON array of
// documents. Prints the time of each and the ratio (bare JSON.parse time / ours).
// usage: npm run build && npx tsc -p . && node bench/traceFile.bench.mjs [DOCUMENTS]
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshCorpus } from './ingest.bench.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { readTraceFile } = require(path.join(root, 'out/src/collector/traceFile.js'));
const { serveTraceFile } = require(path.join(root, 'out/src/collector/traceFileServer.js'));

const count = Number(process.argv[2] ?? 100_000);
const docs = freshCorpus(count);
const byTrace = new Map();
for (const text of docs) {
  const id = /"trace_id":"([^"]+)"/.exec(text)[1];
  const segment = /"id":"([0-9a-f]{16})"/.exec(text)[1];
  if (!byTrace.has(id)) byTrace.set(id, []);
  byTrace.get(id).push({ Id: segment, Document: text });
}
const files = {
  'batch-get-traces': JSON.stringify({ Traces: [...byTrace].map(([Id, Segments]) => ({ Id, Segments })), UnprocessedTraceIds: [] }),
  'segment documents': `[${docs.join(',\n')}]`,
};

async function firstPage(server) {
  const response = await fetch(`http://${server.endpoint.host}:${server.endpoint.port}/TraceSummaries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ StartTime: 0, EndTime: 4e9 }),
  });
  return (await response.json()).TraceSummaries.length;
}

const lines = [`trace files: ${count.toLocaleString('en-US')} real SDK documents in ${byTrace.size.toLocaleString('en-US')} traces, best of 3`];
for (const [format, text] of Object.entries(files)) {
  let bare = Infinity;
  let ours = Infinity;
  let listed = 0;
  for (let run = 0; run < 3; run++) {
    let t0 = performance.now();
    JSON.parse(text);
    bare = Math.min(bare, performance.now() - t0);
    t0 = performance.now();
    const server = await serveTraceFile(readTraceFile(text), () => undefined);
    listed = await firstPage(server);
    ours = Math.min(ours, performance.now() - t0);
    await server.close();
  }
  lines.push(`  ${format.padEnd(18)} ${(text.length / 1024 / 1024).toFixed(1).padStart(6)} MB  JSON.parse ${bare.toFixed(0).padStart(5)} ms  open + first page ${ours.toFixed(0).padStart(6)} ms (${listed} listed)  ratio ${(bare / ours).toFixed(2)}`);
}
console.log(lines.join('\n'));
