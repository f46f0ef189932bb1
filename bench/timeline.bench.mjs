// The trace timeline on a 10,000-span trace. In Node: building the model (src/xray/timeline.ts) against
// parsing the same documents from JSON (the least any reader of the trace pays). In Chromium (headless Debian
// chromium via playwright-core, as the UI tests use): the real webview bundle (dist/webview/timeline.js)
// under the panel's CSP, fed the model the way the host feeds it (a `state` message): first paint, rows in
// the DOM, and frame times over a scripted scroll, each against the same page on a 100-span trace or an idle
// page. Needs `npm run build` and `tsc` (npm run bench does both).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCodeServer, launchChromium } from '../scripts/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { buildTimeline } = require(path.join(root, 'out/src/xray/timeline.js'));
const { syntheticTrace, SYNTHETIC_TRACE_ID } = require(path.join(root, 'out/test/unit/xray/timelineSynthetic.js'));

const SPANS = 10_000;
const RUNS = 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// ---- the model, in Node ----------------------------------------------------------------------------------
const docs = syntheticTrace(SPANS);
const text = docs.map((d) => JSON.stringify(d));
const build = [];
const buildCpu = [];
const parse = [];
let model;
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  const parsed = text.map((s) => JSON.parse(s));
  parse.push(performance.now() - t);
  t = performance.now();
  const cpu = process.cpuUsage();
  model = buildTimeline(SYNTHETIC_TRACE_ID, parsed).model;
  build.push(performance.now() - t);
  const used = process.cpuUsage(cpu);
  buildCpu.push((used.user + used.system) / 1000);
}
const payloadBytes = Buffer.byteLength(JSON.stringify(model));
console.log(`model: ${model.rows.length} rows, ${model.services.length} services, ${model.critical.length} critical-path sections`);
console.log(`model build: median ${median(build).toFixed(1)} ms (min ${Math.min(...build).toFixed(1)}; CPU median ${median(buildCpu).toFixed(1)} ms, with GC threads) vs JSON.parse of the same documents ${median(parse).toFixed(1)} ms: ratio ${(median(build) / median(parse)).toFixed(2)}`);
console.log(`the state message the host posts: ${(payloadBytes / 1024).toFixed(0)} KiB of JSON`);
const small = buildTimeline(SYNTHETIC_TRACE_ID, syntheticTrace(100, 2)).model;

// ---- the webview, in Chromium --------------------------------------------------------------------------
const NONCE = 'benchnonce';
// The panel's CSP (src/platform/webviewHtml.ts) with 'self' standing for webview.cspSource.
const CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self'; font-src 'self'; img-src 'self'`;
const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="/timeline.css"></head><body>
<script nonce="${NONCE}">
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
// First paint: from posting the state until the frame after the one that rendered the rows.
window.firstPaint = (state) => new Promise((resolve) => {
  const t = performance.now();
  window.postMessage({ type: 'state', state }, '*');
  const check = () => {
    const rows = document.querySelectorAll('.tl-row:not([hidden])').length;
    if (rows > 0) requestAnimationFrame(() => resolve({ ms: performance.now() - t, rows, elements: document.querySelectorAll('*').length }));
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
  const open = async () => {
    await page.goto(`${base}/timeline.html`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  };
  const paints = { big: [], small: [] };
  let bigInfo;
  for (let i = 0; i < 5; i++) {
    for (const [key, m] of [['big', model], ['small', small]]) {
      await open();
      const r = await page.evaluate((state) => window.firstPaint(state), { traceId: SYNTHETIC_TRACE_ID, model: m, warnings: [] });
      paints[key].push(r.ms);
      if (key === 'big') bigInfo = r;
    }
  }
  console.log(`first paint, ${SPANS} spans: median ${median(paints.big).toFixed(1)} ms (${paints.big.map((x) => x.toFixed(0)).join(', ')}); ${bigInfo.rows} rows and ${bigInfo.elements} elements in the DOM`);
  console.log(`first paint, 100 spans: median ${median(paints.small).toFixed(1)} ms: ratio ${(median(paints.big) / median(paints.small)).toFixed(2)}`);

  // Scroll: the 10,000-span page, 240 frames at 66 px (3 rows) per frame; then the same page idle.
  await open();
  await page.evaluate((state) => window.firstPaint(state), { traceId: SYNTHETIC_TRACE_ID, model, warnings: [] });
  const scrolled = await page.evaluate(() => window.scrollFrames(240, 66));
  const idle = await page.evaluate(() => window.scrollFrames(240, 0));
  const fast = await page.evaluate(() => window.scrollFrames(120, 2200));
  const report = (label, r) =>
    `${label}: frame p50 ${percentile(r.deltas, 0.5).toFixed(1)} ms, p95 ${percentile(r.deltas, 0.95).toFixed(1)} ms, max ${Math.max(...r.deltas).toFixed(1)} ms`;
  console.log(report('scroll, 3 rows per frame', scrolled) + ` (ended at ${scrolled.top}px, ${scrolled.rows} row elements)`);
  console.log(report('scroll, 100 rows per frame', fast) + ` (ended at ${fast.top}px, ${fast.rows} row elements)`);
  console.log(report('idle page (baseline)', idle));
  console.log(`scroll p95 / idle p95: ${(percentile(scrolled.deltas, 0.95) / percentile(idle.deltas, 0.95)).toFixed(2)}`);
} finally {
  await browser.close();
  server.close();
}
