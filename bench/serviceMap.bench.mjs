// The service map in Chromium (headless Debian chromium via playwright-core, as the UI tests use): the real
// webview bundle (dist/webview/serviceMap.js) served under the panel's CSP, fed a 300-node / 1,000-edge map
// the way the host feeds it (a `state` message); layout and first paint as the page measures them. Then the
// layout alone of the same graph by ELK (the options the map uses) and by dagre (the library not chosen), in
// the same browser. Also reports any CSP violation the page raised (there must be none).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import { installCodeServer, launchChromium } from '../scripts/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;

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

// The layouts alone, in the browser: ELK with the map's options (webview/serviceMap/layout.ts) and dagre.
const layoutsEntry = `
import ELK from 'elkjs/lib/elk.bundled.js';
import dagre from '@dagrejs/dagre';
import { LARGE_GRAPH_OPTIONS, NODE_WIDTH } from './webview/serviceMap/layout';
window.layoutElk = async (map, large) => {
  const t = performance.now();
  await new ELK().layout({ id: 'root', layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.edgeRouting': 'POLYLINE', ...(large ? LARGE_GRAPH_OPTIONS : {}) },
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
// The panel's CSP (src/platform/webviewHtml.ts) with 'self' standing for webview.cspSource.
const CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'self' 'nonce-style${NONCE}'; font-src 'self'; img-src 'self'`;
const page = (body) => `<!DOCTYPE html><html><head><meta charset="UTF-8"><meta property="csp-nonce" content="style${NONCE}"><link rel="stylesheet" href="/serviceMap.css"></head><body>
<script nonce="${NONCE}">
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || '')));
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
</script>${body}</body></html>`;

const files = {
  '/map.html': ['text/html', () => page(`<script nonce="${NONCE}" src="/serviceMap.js"></script>`)],
  '/layouts.html': ['text/html', () => page(`<script nonce="${NONCE}" src="/layouts.js"></script>`)],
  '/serviceMap.js': ['text/javascript', () => readFileSync(path.join(root, 'dist/webview/serviceMap.js'))],
  '/serviceMap.css': ['text/css', () => readFileSync(path.join(root, 'dist/webview/serviceMap.css'))],
  '/layouts.js': ['text/javascript', () => layoutsBundle],
};
const server = createServer((req, res) => {
  const file = files[req.url];
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[0], 'content-security-policy': CSP }).end(file[1]());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launchChromium(installCodeServer());
try {
  const { page: tab } = browser;
  const errors = [];
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const big = syntheticMap(300, 1000);
  const random = syntheticMap(300, 1000, 'random');
  const small = syntheticMap(20, 30);

  const panelRun = async (map) => {
    await tab.goto(`${base}/map.html`);
    await tab.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await tab.evaluate((state) => window.postMessage({ type: 'state', state }, '*'), { map, sourceLabel: 'bench' });
    await tab.waitForFunction(() => document.body.dataset.paintMs !== undefined, null, { timeout: 60000 });
    return tab.evaluate(() => ({
      layout: Number(document.body.dataset.layoutMs), paint: Number(document.body.dataset.paintMs),
      nodes: document.querySelectorAll('g.node').length, edges: document.querySelectorAll('g.edge').length, violations: window.__violations,
    }));
  };
  for (const [label, map] of [['300 nodes / 1,000 edges, tiered', big], ['300 nodes / 1,000 edges, random DAG', random], ['20 nodes / 30 edges', small]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await panelRun(map));
    const r = runs[runs.length - 1];
    console.log(`service map webview, ${label} (${r.nodes} nodes, ${r.edges} edges drawn): layout ${median(runs.map((x) => x.layout)).toFixed(0)} ms, ` +
      `state → first paint ${median(runs.map((x) => x.paint)).toFixed(0)} ms (median of ${RUNS}; goal ≤ 500 ms for 300/1,000)`);
    const violations = runs.flatMap((x) => x.violations);
    console.log(`  CSP violations: ${violations.length ? violations.join(' | ') : 'none'}`);
  }

  await tab.goto(`${base}/layouts.html`);
  await tab.waitForFunction(() => typeof window.layoutDagre === 'function');
  await tab.evaluate((map) => window.layoutElk(map, true), small); // ELK's start-up, outside the timings
  for (const [label, map] of [['tiered', big], ['random DAG', random]]) {
    const elkLarge = [];
    const elkDefault = [];
    const dagreTimes = [];
    for (let i = 0; i < 3; i++) {
      elkLarge.push(await tab.evaluate((m) => window.layoutElk(m, true), map));
      elkDefault.push(await tab.evaluate((m) => window.layoutElk(m, false), map));
      dagreTimes.push(await tab.evaluate((m) => window.layoutDagre(m), map));
    }
    const [e1, e2, d] = [median(elkLarge), median(elkDefault), median(dagreTimes)];
    console.log(`layout only, 300 nodes / 1,000 edges ${label}, median of 3: ELK (the map's large-graph options) ${e1.toFixed(0)} ms; ` +
      `ELK layered defaults ${e2.toFixed(0)} ms (${(e2 / e1).toFixed(1)}x); dagre ${d.toFixed(0)} ms (${(d / e1).toFixed(1)}x)`);
  }
  if (errors.length) console.log(`console errors: ${errors.slice(0, 5).join(' | ')}`);
} finally {
  await browser.close();
  server.close();
}
