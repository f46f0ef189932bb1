// The service map in Chromium (headless Debian chromium via playwright-core, as the UI tests use): the real
// webview bundle (dist/webview/serviceMap.js) served under the panel's CSP, fed maps of 20 to 1,000 nodes the
// way the host feeds them (a `state` message). Per map, as the page measures them: state → first paint, →
// ELK's layout painted, the longest frame in between (is the page frozen while ELK works in its worker?); then
// pan and zoom frame times, scripted. Then the layout alone of the same graphs by ELK with its layered
// defaults, the map's options and dagre (the library not chosen), in the same browser: the map's times as a
// ratio of ELK's default layout. Also the fallback (a CSP without `worker-src`: ELK on the main thread), and
// any CSP violation the page raised under the panel's CSP (there must be none).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import { installCodeServer, launchChromium } from '../scripts/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A deterministic service map: `n` nodes, `m` distinct edges mostly flowing one way (as requests do). */
function syntheticMap(n, m, shape = 'tiered') {
  let a = 7;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const stats = (requests) => {
    const fault = Math.floor(requests * 0.02);
    const error = Math.floor(requests * 0.05);
    const throttle = Math.floor(requests * 0.01);
    const histogram = [{ ms: 5, count: requests - fault - error - throttle }, { ms: 40, count: error + throttle }, { ms: 300, count: fault }].filter((b) => b.count > 0);
    return {
      requests, outcomes: { ok: requests - fault - error - throttle, error, throttle, fault },
      errorRate: error / requests, throttleRate: throttle / requests, faultRate: fault / requests,
      averageMs: 20, p95Ms: 300, perMinute: requests / 15, histogram,
    };
  };
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`, name: `service-${i}`, type: i === 0 ? 'client' : i % 5 === 0 ? 'AWS::DynamoDB::Table' : 'AWS::ECS::Container',
    kind: i === 0 ? 'client' : i % 5 === 0 ? 'aws' : 'service', root: i === 1, health: i % 7 === 0 ? 'fault' : 'ok', stats: stats(100 + i),
  }));
  // tiered: services in tiers (client → edge APIs → ... → data stores), calls go mostly one tier down, as in
  // a real service graph; random: any node may call any later node (deep, long edges: ELK's worst case).
  const tierOf = (i) => Math.min(5, Math.floor((i / n) * 6));
  const seen = new Set();
  const edges = [];
  while (edges.length < m) {
    let s = Math.floor(random() * n);
    let t = Math.floor(random() * n);
    if (s === t) continue;
    if (shape === 'tiered') {
      const step = random() < 0.85 ? 1 : random() < 0.7 ? 2 : 0;
      if (tierOf(t) - tierOf(s) !== step && !(step === 0 && tierOf(t) === tierOf(s))) continue;
    } else if (random() < 0.95 && s > t) [s, t] = [t, s];
    const id = `n${s}->n${t}`;
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push({ id, source: `n${s}`, target: `n${t}`, health: 'ok', stats: stats(50) });
  }
  return { startTime: 0, endTime: 900, nodes, edges };
}

// The layouts alone, in the browser, on the page's main thread: ELK with its layered defaults (the baseline),
// ELK with the map's options (webview/serviceMap/elkOptions.ts), dagre.
const layoutsEntry = `
import ELK from 'elkjs/lib/elk.bundled.js';
import dagre from '@dagrejs/dagre';
import { elkOptions } from './webview/serviceMap/elkOptions';
import { NODE_WIDTH } from './webview/serviceMap/mapGeometry';
const elk = new ELK();
window.layoutElk = async (map, mapOptions) => {
  const t = performance.now();
  await elk.layout({ id: 'root',
    layoutOptions: mapOptions ? elkOptions(map.nodes.length, map.edges.length) : { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.edgeRouting': 'POLYLINE' },
    children: map.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: 80 })),
    edges: map.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })) });
  return performance.now() - t;
};
window.layoutDagre = (map) => {
  const t = performance.now();
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of map.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: 80 });
  for (const e of map.edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return performance.now() - t;
};`;

const layoutsBundle = (await esbuild.build({
  stdin: { contents: layoutsEntry, resolveDir: root, loader: 'ts' }, bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'error',
})).outputFiles[0].text;

const NONCE = 'benchnonce';
// The map panel's CSP (src/platform/webviewHtml.ts, `workers: true`) with 'self' standing for
// webview.cspSource; without `worker-src` for the fallback run (the page's other panels' CSP).
const csp = (workers) => `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self' 'nonce-style${NONCE}'; font-src 'self'; img-src 'self'${workers ? '; worker-src blob:' : ''}`;
const page = (body) => `<!DOCTYPE html><html><head><meta charset="UTF-8"><meta property="csp-nonce" content="style${NONCE}"><link rel="stylesheet" href="/serviceMap.css"></head><body>
<script nonce="${NONCE}">
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || '')));
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
</script>${body}</body></html>`;

const mapPage = () => page(`<script nonce="${NONCE}" src="/serviceMap.js"></script>`);
const files = {
  '/map.html': ['text/html', mapPage, csp(true)],
  '/map-no-worker.html': ['text/html', mapPage, csp(false)],
  '/layouts.html': ['text/html', () => page(`<script nonce="${NONCE}" src="/layouts.js"></script>`), csp(false)],
  '/serviceMap.js': ['text/javascript', () => readFileSync(path.join(root, 'dist/webview/serviceMap.js'))],
  '/serviceMapElk.js': ['text/javascript', () => readFileSync(path.join(root, 'dist/webview/serviceMapElk.js'))],
  '/serviceMap.css': ['text/css', () => readFileSync(path.join(root, 'dist/webview/serviceMap.css'))],
  '/layouts.js': ['text/javascript', () => layoutsBundle],
};
const server = createServer((req, res) => {
  const file = files[req.url];
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[0], ...(file[2] ? { 'content-security-policy': file[2] } : {}) }).end(file[1]());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (x) => `${Math.round(x).toLocaleString('en-US')} ms`;

// Frame times: the gaps between requestAnimationFrame callbacks, recorded in the page.
const startFrames = (tab) => tab.evaluate(() => {
  window.__frames = [];
  window.__recording = true;
  const tick = (t) => {
    window.__frames.push(t);
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
const stopFrames = (tab) => tab.evaluate(() => {
  window.__recording = false;
  return window.__frames;
});
const gaps = (frames, from = -Infinity) => frames.slice(1).map((t, i) => [frames[i], t - frames[i]]).filter(([t]) => t >= from).map(([, gap]) => gap);

const browser = await launchChromium(installCodeServer());
try {
  const { page: tab } = browser;
  const errors = [];
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const maps = [
    ['20 nodes / 30 edges (a real app\'s size)', syntheticMap(20, 30), 5],
    ['300 nodes / 1,000 edges, tiered', syntheticMap(300, 1000), 5],
    ['300 nodes / 1,000 edges, random DAG', syntheticMap(300, 1000, 'random'), 5],
    ['1,000 nodes / 3,000 edges, tiered', syntheticMap(1000, 3000), 3],
    ['1,000 nodes / 3,000 edges, random DAG', syntheticMap(1000, 3000, 'random'), 3],
  ];

  /** One fresh page, one `state`: the page's own timings, and the longest frame after its first paint. */
  const panelRun = async (map, pageName = 'map.html') => {
    await tab.goto(`${base}/${pageName}`);
    await tab.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await startFrames(tab);
    const sentAt = await tab.evaluate((state) => {
      const t = performance.now();
      window.postMessage({ type: 'state', state }, '*');
      return t;
    }, { map, sourceLabel: 'bench' });
    await tab.waitForFunction(() => document.body.dataset.paintMs !== undefined, null, { timeout: 120000, polling: 5 });
    const firstLayout = await tab.evaluate(() => document.body.dataset.layout);
    await tab.waitForFunction(() => document.body.dataset.finalMs !== undefined, null, { timeout: 180000 });
    const frames = await stopFrames(tab);
    const r = await tab.evaluate(() => ({
      paint: Number(document.body.dataset.paintMs), final: Number(document.body.dataset.finalMs), layout: Number(document.body.dataset.layoutMs),
      engine: document.body.dataset.layoutEngine, nodes: document.querySelectorAll('g.node').length, edges: document.querySelectorAll('g.edge').length,
      violations: window.__violations,
    }));
    return { ...r, firstLayout, longestFrame: Math.max(0, ...gaps(frames, sentAt + r.paint)) };
  };

  /** Drag across the map, then wheel in and out: frame times while the view moves. */
  const panZoom = async () => {
    const box = await tab.locator('svg.map').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await startFrames(tab);
    await tab.mouse.move(cx, cy);
    await tab.mouse.down();
    for (let i = 1; i <= 120; i++) await tab.mouse.move(cx + 250 * Math.sin(i / 12), cy + 150 * Math.sin(i / 20));
    await tab.mouse.up();
    for (let i = 0; i < 80; i++) await tab.mouse.wheel(0, i < 40 ? -40 : 40);
    const frames = gaps(await stopFrames(tab)).slice(1); // the first gap is from before the drag
    return { p50: percentile(frames, 0.5), p95: percentile(frames, 0.95), max: Math.max(...frames), frames: frames.length };
  };

  const results = [];
  for (const [label, map, runs] of maps) {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await panelRun(map));
    const r = times[times.length - 1];
    const interaction = map.nodes.length >= 300 ? await panZoom() : undefined;
    results.push({ label, map, paint: median(times.map((x) => x.paint)), final: median(times.map((x) => x.final)) });
    console.log(`service map webview, ${label} (${r.nodes} nodes, ${r.edges} edges drawn; first paint from ${r.firstLayout === 'quick' ? 'the quick placement' : "ELK's layout"}, ELK in the ${r.engine}), median of ${runs}:`);
    console.log(`  state → first paint ${ms(median(times.map((x) => x.paint)))} (${times.map((x) => Math.round(x.paint)).join(', ')}); → ELK's layout painted ${ms(median(times.map((x) => x.final)))}` +
      ` (ELK answered after ${ms(median(times.map((x) => x.layout)))}); longest frame after the first paint ${ms(median(times.map((x) => x.longestFrame)))}`);
    if (interaction) console.log(`  pan and zoom (120 drag moves, 80 wheel steps): frame p50 ${interaction.p50.toFixed(1)} ms, p95 ${interaction.p95.toFixed(1)} ms, max ${interaction.max.toFixed(1)} ms (${interaction.frames} frames)`);
    const violations = times.flatMap((x) => x.violations);
    console.log(`  CSP violations: ${violations.length ? violations.join(' | ') : 'none'}`);
  }

  // The fallback: the same page under a CSP without `worker-src` (the worker is refused; ELK on the main thread).
  {
    const [label, map] = maps[1];
    const r = await panelRun(map, 'map-no-worker.html');
    console.log(`fallback (CSP without worker-src), ${label}: ELK in the ${r.engine}; first paint ${ms(r.paint)}, ELK's layout painted ${ms(r.final)}, ` +
      `longest frame after the first paint ${ms(r.longestFrame)}; the refusal as expected: ${r.violations.map((v) => v.split(' ').slice(0, 2).join(' ')).join(' | ') || 'none'}`);
  }

  await tab.goto(`${base}/layouts.html`);
  await tab.waitForFunction(() => typeof window.layoutDagre === 'function');
  await tab.evaluate((map) => window.layoutElk(map, true), maps[0][1]); // ELK's start-up, outside the timings
  for (const { label, map, paint, final } of results) {
    const big = map.nodes.length >= 1000;
    const elkDefault = [];
    const elkMap = [];
    const dagreTimes = [];
    for (let i = 0; i < (big ? 1 : 3); i++) {
      elkDefault.push(await tab.evaluate((m) => window.layoutElk(m, false), map));
      elkMap.push(await tab.evaluate((m) => window.layoutElk(m, true), map));
      if (!big) dagreTimes.push(await tab.evaluate((m) => window.layoutDagre(m), map));
    }
    const [base0, e, d] = [median(elkDefault), median(elkMap), dagreTimes.length ? median(dagreTimes) : undefined];
    console.log(`${label}, layout only on the main thread (${big ? 'one run' : 'median of 3'}): ELK layered defaults ${ms(base0)} (baseline); ` +
      `ELK with the map's options ${ms(e)} (${(e / base0).toFixed(2)}x)${d === undefined ? '' : `; dagre ${ms(d)} (${(d / base0).toFixed(2)}x)`}`);
    console.log(`  the map vs ELK's default layout: first paint ${(paint / base0).toFixed(2)}x, ELK's layout painted ${(final / base0).toFixed(2)}x`);
  }
  if (errors.length) console.log(`console errors: ${errors.slice(0, 5).join(' | ')}`);
} finally {
  await browser.close();
  server.close();
}
