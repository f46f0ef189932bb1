// The trace timeline on 10,000- and 50,000-span traces. In Node: building the model (src/xray/timeline.ts)
// against parsing the same documents from JSON (the least any reader of the trace pays), and the `state`
// message as Webview.postMessage sends it (VS Code takes the typed arrays out as binary buffers beside the
// JSON: test/unit/vscodeWebviewMessage.ts), against the one-object-per-row JSON the timeline sent before.
// In Chromium (headless Debian chromium via playwright-core, as the UI tests use): the real webview bundle
// (dist/webview/timeline.js) under the panel's CSP, handed the message as VS Code hands it to a webview
// (JSON parsed with the buffers put back as typed arrays, then posted to the page with the buffers
// transferred): first paint, rows in the DOM, and frame times over a scripted scroll, each against the same
// page on a 100-span trace or an idle page. "Open to paint" adds the host's part (build + serialise) to the
// page's (deserialise + post + paint). Needs `npm run build` and `tsc` (npm run bench does both).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCodeServer, launchChromium } from '../scripts/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { buildTimeline, searchTimeline, timelineRow } = require(path.join(root, 'out/src/xray/timeline.js'));
const { syntheticTrace, SYNTHETIC_TRACE_ID } = require(path.join(root, 'out/test/unit/xray/timelineSynthetic.js'));
const { serializeWebviewMessage } = require(path.join(root, 'out/test/unit/vscodeWebviewMessage.js'));

const SIZES = [10_000, 50_000];

// `--cold N`: one build of an N-span trace in a fresh process (the timeline's code not yet compiled, as when
// the first timeline of a session opens), with the serialisation for postMessage; prints the ms.
if (process.argv[2] === '--cold') {
  const parsed = syntheticTrace(Number(process.argv[3])).map((d) => JSON.parse(JSON.stringify(d)));
  const t = performance.now();
  serializeWebviewMessage({ type: 'state', state: { model: buildTimeline(SYNTHETIC_TRACE_ID, parsed).model } });
  console.log(performance.now() - t);
  process.exit(0);
}
const coldBuild = (spans) => Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cold', String(spans)], { encoding: 'utf8' }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

/** The state message as the timeline sent it before the columns: one object per row, with its search text. */
function rowObjectsMessage(index) {
  const { model } = index;
  const search = index.searchTexts();
  const rows = Array.from({ length: model.rowCount }, (_, i) => {
    const doc = index.documents[i];
    const row = timelineRow(model, i);
    return { ...row, error: doc.error === true, fault: doc.fault === true, throttle: doc.throttle === true, search: search[i] };
  });
  const critical = Array.from(model.critical.row, (row, k) => ({ row, start: model.critical.start[k], end: model.critical.end[k] }));
  const old = { traceId: model.traceId, startTime: model.startTime, durationMs: model.durationMs, rows, services: model.services, critical, omitted: model.omitted };
  return JSON.stringify({ type: 'state', state: { traceId: model.traceId, model: old, warnings: [] } });
}

const stateMessage = (model) => ({ type: 'state', state: { traceId: SYNTHETIC_TRACE_ID, model, warnings: [] } });

// ---- the model and the message, in Node ------------------------------------------------------------------
const payloads = {};
const host = {};
for (const spans of SIZES) {
  const text = syntheticTrace(spans).map((d) => JSON.stringify(d));
  const runs = spans > 10_000 ? 9 : 15;
  const build = [];
  const parse = [];
  const serialise = [];
  let index;
  let wire;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const parsed = text.map((s) => JSON.parse(s));
    parse.push(performance.now() - t);
    t = performance.now();
    index = buildTimeline(SYNTHETIC_TRACE_ID, parsed);
    build.push(performance.now() - t);
    t = performance.now();
    wire = serializeWebviewMessage(stateMessage(index.model));
    serialise.push(performance.now() - t);
  }
  const { model } = index;
  // A search on the host: the first builds every row's search text, later ones only match.
  let t = performance.now();
  const hits = searchTimeline(index, 'item-4').length;
  const first = performance.now() - t;
  t = performance.now();
  searchTimeline(index, 'svc/1');
  const searchLine = `  search: the first ${first.toFixed(0)} ms (${hits} matches), the next ${(performance.now() - t).toFixed(1)} ms`;
  const bytes = Buffer.byteLength(wire.json) + wire.buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const before = Buffer.byteLength(rowObjectsMessage(index));
  host[spans] = { warm: median(build) + median(serialise), cold: coldBuild(spans) };
  payloads[spans] = wire;
  console.log(`${spans} spans: ${model.rowCount} rows, ${model.services.length} services, ${model.critical.row.length} critical-path sections, ${model.strings.offsets.length - 1} strings`);
  console.log(`  model build: median ${median(build).toFixed(1)} ms (${range(build)}; cold, in a fresh process, with the serialisation: ${host[spans].cold.toFixed(0)}) vs JSON.parse of the same documents ${median(parse).toFixed(1)} ms: ratio ${(median(build) / median(parse)).toFixed(2)}`);
  console.log(`  the state message: ${kib(bytes)} (${kib(Buffer.byteLength(wire.json))} JSON + ${wire.buffers.length} buffers of ${kib(bytes - Buffer.byteLength(wire.json))}); one object per row, as before: ${kib(before)} of JSON: ${(before / bytes).toFixed(1)}× smaller`);
  console.log(`  serialised for postMessage in ${median(serialise).toFixed(1)} ms`);
  console.log(searchLine);
}
payloads.small = serializeWebviewMessage(stateMessage(buildTimeline(SYNTHETIC_TRACE_ID, syntheticTrace(100, 2)).model));

// ---- the webview, in Chromium --------------------------------------------------------------------------
const NONCE = 'benchnonce';
// The panel's CSP (src/platform/webviewHtml.ts) with 'self' standing for webview.cspSource.
const CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self'; font-src 'self'; img-src 'self'; connect-src 'self'`;
const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="/timeline.css"></head><body>
<script nonce="${NONCE}">
window.__posted = [];
window.__payloads = {};
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
// Fetched before any timing starts: what arrives from the extension host (JSON text and binary buffers).
window.loadPayload = async (key, count) => {
  const json = await (await fetch('/payload/' + key + '/json')).text();
  const buffers = await Promise.all(Array.from({ length: count }, async (_, i) => (await fetch('/payload/' + key + '/' + i)).arrayBuffer()));
  window.__payloads[key] = { json, buffers };
};
const TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
// As VS Code's deserializeWebviewMessage: the buffers copied, the JSON parsed with typed arrays put back.
const deserialize = ({ json, buffers }) => {
  const copies = buffers.map((b) => b.slice(0));
  const message = JSON.parse(json, (_k, v) => {
    if (!v || typeof v !== 'object' || !v.$$vscode_array_buffer_reference$$) return v;
    const buffer = copies[v.index];
    return v.view ? new TYPES[v.view.type](buffer, v.view.byteOffset, v.view.byteLength / TYPES[v.view.type].BYTES_PER_ELEMENT) : buffer;
  });
  return { message, transfer: copies };
};
// First paint: from the message's arrival until the frame after the one that rendered the rows.
window.firstPaint = (key) => new Promise((resolve) => {
  const t = performance.now();
  const { message, transfer } = deserialize(window.__payloads[key]);
  const received = performance.now() - t;
  window.postMessage(message, '*', transfer);
  const check = () => {
    const rows = document.querySelectorAll('.tl-row:not([hidden])').length;
    if (rows > 0) requestAnimationFrame(() => resolve({ ms: performance.now() - t, received, rows, elements: document.querySelectorAll('*').length }));
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});
// Frame intervals over a scripted scroll (step px per frame), or with nothing to do (step 0).
window.scrollFrames = (frames, step) => new Promise((resolve) => {
  const scroller = document.querySelector('.tl-scroller');
  const deltas = [];
  let last = performance.now();
  const tick = (now) => {
    deltas.push(now - last);
    last = now;
    if (deltas.length > frames) return resolve({ deltas: deltas.slice(1), top: scroller.scrollTop, rows: document.querySelectorAll('.tl-row').length });
    if (step) scroller.scrollTop += step;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
</script><script nonce="${NONCE}" src="/timeline.js"></script></body></html>`;

const files = {
  '/timeline.html': ['text/html', () => html],
  '/timeline.js': ['text/javascript', () => readFileSync(path.join(root, 'dist/webview/timeline.js'))],
  '/timeline.css': ['text/css', () => readFileSync(path.join(root, 'dist/webview/timeline.css'))],
};
for (const [key, { json, buffers }] of Object.entries(payloads)) {
  files[`/payload/${key}/json`] = ['application/json', () => json];
  buffers.forEach((b, i) => (files[`/payload/${key}/${i}`] = ['application/octet-stream', () => Buffer.from(b)]));
}
const server = createServer((req, res) => {
  const file = files[req.url];
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[0], 'content-security-policy': CSP }).end(file[1]());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await launchChromium(installCodeServer());
try {
  const { page } = browser;
  await page.setViewportSize({ width: 1400, height: 900 });
  const open = async (key) => {
    await page.goto(`${base}/timeline.html`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await page.evaluate(([k, n]) => window.loadPayload(k, n), [String(key), payloads[key].buffers.length]);
  };
  const keys = ['small', ...SIZES];
  const paints = Object.fromEntries(keys.map((k) => [k, []]));
  const info = {};
  for (let i = 0; i < 5; i++) {
    for (const key of keys) {
      await open(key);
      const r = await page.evaluate((k) => window.firstPaint(k), String(key));
      paints[key].push(r.ms);
      info[key] = r;
    }
  }
  const small = median(paints.small);
  console.log(`first paint, 100 spans (baseline): median ${small.toFixed(1)} ms`);
  for (const spans of SIZES) {
    const p = median(paints[spans]);
    console.log(`first paint, ${spans} spans: median ${p.toFixed(1)} ms (${paints[spans].map((x) => x.toFixed(0)).join(', ')}; message received in ${info[spans].received.toFixed(1)} ms): ratio ${(p / small).toFixed(2)}; ${info[spans].rows} rows and ${info[spans].elements} elements in the DOM`);
    const { warm, cold } = host[spans];
    console.log(`  open to paint, host build + serialise + page: ${(warm + p).toFixed(0)} ms (${warm.toFixed(0)} + ${p.toFixed(0)}); with the cold build ${(cold + p).toFixed(0)} ms; the slowest page load with it ${(cold + Math.max(...paints[spans])).toFixed(0)} ms`);
  }

  // Scroll: each big page, 240 frames at 66 px (3 rows) per frame, then 120 at 100 rows; then the page idle.
  const report = (label, r) =>
    `${label}: frame p50 ${percentile(r.deltas, 0.5).toFixed(1)} ms, p95 ${percentile(r.deltas, 0.95).toFixed(1)} ms, max ${Math.max(...r.deltas).toFixed(1)} ms`;
  for (const spans of SIZES) {
    await open(spans);
    await page.evaluate((k) => window.firstPaint(k), String(spans));
    const scrolled = await page.evaluate(() => window.scrollFrames(240, 66));
    const fast = await page.evaluate(() => window.scrollFrames(120, 2200));
    const idle = await page.evaluate(() => window.scrollFrames(240, 0));
    console.log(`${spans} spans, ` + report('scroll 3 rows per frame', scrolled) + ` (ended at ${scrolled.top}px, ${scrolled.rows} row elements)`);
    console.log(`${spans} spans, ` + report('scroll 100 rows per frame', fast) + ` (${fast.rows} row elements)`);
    console.log(`${spans} spans, ` + report('idle page (baseline)', idle) + `; scroll p95 / idle p95: ${(percentile(scrolled.deltas, 0.95) / percentile(idle.deltas, 0.95)).toFixed(2)}`);
  }
} finally {
  await browser.close();
  server.close();
}
