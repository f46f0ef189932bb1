// `npm run bench:mapping`: does the lens put each subsegment on the right function in code written elsewhere?
// Each app in bench/mapping/apps/ (and the demo's sample app) is copied twice — a workspace, and a "deployment"
// in another folder it runs from — then run on its real SDK against the real collector (`dist/cli.js collect`),
// driven by its traffic; `dist/cli.js hotspots --json` on the workspace is scored against the app's
// ground-truth.json. Prints recall and precision per app and in total. A benchmark, not a test: it asserts nothing.
//
// Recall: ground-truth names whose row stands at the function (or an accepted alternative line) the answer key
// gives. Precision: of every (row, name) pair hotspots reports, the share that the answer key puts there; a name
// the key does not list (the SDK's own HTTP subsegments, say) counts against it.
//
// usage: node bench/mapping/run.mjs [app-name-substring] [--verbose]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureSystemPackages } from '../../scripts/systemPackages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/cli.js');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const only = args.find((a) => !a.startsWith('--'));

if (!fs.existsSync(cli)) {
  console.error('bench/mapping: dist/cli.js is missing; run `npm run build` first (npm run bench:mapping does)');
  process.exit(1);
}

// catalog-py runs on Debian's Python X-Ray SDK and Flask (as root: installed with apt when missing).
ensureSystemPackages(['python3-aws-xray-sdk', 'python3-flask']);

/** Apps: bench/mapping/apps/<name>/bench.json, and the demo's sample app (bench/mapping/demo.bench.json). */
function listApps() {
  const apps = [];
  const appsDir = path.join(here, 'apps');
  for (const name of fs.readdirSync(appsDir).sort()) {
    const dir = path.join(appsDir, name);
    if (!fs.existsSync(path.join(dir, 'bench.json'))) continue;
    apps.push({ name, dir, config: readJson(path.join(dir, 'bench.json')), truth: readJson(path.join(dir, 'ground-truth.json')) });
  }
  const demo = path.join(here, 'demo.bench.json');
  if (fs.existsSync(demo)) {
    const config = readJson(demo);
    apps.push({ name: 'demo (samples/)', dir: path.join(root, 'samples'), config, truth: readJson(path.join(here, 'demo.ground-truth.json')) });
  }
  return apps.filter((a) => !only || a.name.includes(only));
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child whose output is kept; `ready(regex)` waits until a line matches. */
function start(command, argv, options) {
  const child = spawn(command, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = [];
  const onData = (chunk) => {
    output += chunk;
    for (const w of [...waiters]) {
      const m = w.regex.exec(output);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => output,
    ready: (regex, ms) => new Promise((resolve, reject) => {
      const m = regex.exec(output);
      if (m) return resolve(m);
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${regex}:\n${output.slice(-2000)}`)), ms);
      waiters.push({ regex, resolve: (x) => { clearTimeout(timer); resolve(x); } });
      void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`exited (${code}) before ${regex}:\n${output.slice(-2000)}`)); });
    }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The app's files, without what a checkout does not hold (build output, dependencies, caches). */
function copyApp(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist|__pycache__|\.pytest_cache)$/.test(src),
  });
}

async function request(port, { method, path: urlPath, body, headers }) {
  const init = { method, headers: { ...(headers ?? {}) } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  try {
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { ...init, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return `failed: ${error.message}`;
  }
}

async function waitForHealth(port, healthPath, app, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await request(port, { method: 'GET', path: healthPath })) === 200) return;
    if (app.child.exitCode !== null) throw new Error(`the app exited (${app.child.exitCode}):\n${app.output().slice(-2000)}`);
    await sleep(200);
  }
  throw new Error(`no 200 from ${healthPath} within ${ms} ms:\n${app.output().slice(-2000)}`);
}

/** Traces the collector holds in the last hour, by GetTraceSummaries (the read API the SDK client uses). */
async function traceCount(apiPort) {
  const now = Date.now() / 1000;
  const response = await fetch(`http://127.0.0.1:${apiPort}/TraceSummaries`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ StartTime: now - 3600, EndTime: now + 60 }),
  });
  const json = await response.json();
  return (json.TraceSummaries ?? []).length;
}

/** Runs one app end to end; returns the hotspots rows. */
async function runApp(app, tmp) {
  const workspace = path.join(tmp, 'workspace', path.basename(app.dir));
  const deployment = path.join(tmp, 'deployment', path.basename(app.dir));
  copyApp(app.dir, workspace);
  for (const base of [path.dirname(workspace), path.dirname(deployment)]) {
    fs.mkdirSync(base, { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  }
  if (app.config.build) {
    const [command, ...rest] = app.config.build;
    const resolved = command.startsWith('node_modules/') ? path.join(root, command) : command;
    const r = spawnSync(resolved, rest, { cwd: workspace, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
  }
  // The deployment is the built workspace, somewhere else (as /var/task or /app would be).
  fs.cpSync(workspace, deployment, { recursive: true });

  const collector = start(process.execPath, [cli, 'collect', '--address', '127.0.0.1:0', '--otlp-address', '127.0.0.1:0', '--sample-all'], { cwd: tmp });
  const [, apiPort] = await collector.ready(/collecting on 127\.0\.0\.1:(\d+)/, 15_000);
  const [, otlpPort] = await collector.ready(/OTLP\/HTTP on http:\/\/127\.0\.0\.1:(\d+)/, 15_000);
  const [port, port2, port3] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env, ...(app.config.env ?? {}),
    PORT: String(port), AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${apiPort}`,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${otlpPort}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '500',
  };
  const placeholders = { $PORT2: port2, $PORT3: port3, $PORT: port, $DAEMON: `127.0.0.1:${apiPort}`, $OTLP: `127.0.0.1:${otlpPort}` };
  const [command, ...rest] = app.config.start.map((a) => placeholders[a] !== undefined ? String(placeholders[a]) : a);
  const runner = start(command, rest, { cwd: deployment, env });
  const statuses = new Map();
  try {
    // An app that drives its own traffic (the demo's start.mjs --count) is done when it exits.
    if (app.config.selfDriven) {
      const { code } = await Promise.race([runner.exited, sleep(180_000).then(() => ({ code: 'timeout' }))]);
      if (code !== 0) throw new Error(`the app exited with ${code}:\n${runner.output().slice(-2000)}`);
    } else await waitForHealth(port, app.config.health ?? '/health', runner);
    for (const step of app.config.traffic ?? []) {
      for (let i = 0; i < (step.times ?? 1); i++) {
        const status = await request(port, step);
        const key = `${step.method} ${step.path} → ${status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    }
    // Let batching exporters flush (OTLP every 500 ms here, the X-Ray SDK's streamed subsegments at once).
    let last = -1;
    for (let i = 0; i < 20; i++) {
      await sleep(750);
      const n = await traceCount(apiPort);
      if (n === last && n > 0) break;
      last = n;
    }
  } finally {
    await runner.stop();
  }
  await sleep(500);
  const hotspots = spawnSync(process.execPath, [cli, 'hotspots', '--workspace', workspace, '--endpoint', `http://127.0.0.1:${apiPort}`, '--since', '60m', '--json'], { encoding: 'utf8' });
  const traces = await traceCount(apiPort);
  await collector.stop();
  if (hotspots.status !== 0) throw new Error(`hotspots failed (${hotspots.status}): ${hotspots.stderr}`);
  if (verbose) {
    for (const [k, v] of statuses) console.log(`    ${v} × ${k}`);
    if (hotspots.stderr.trim()) console.log(hotspots.stderr.trim().replace(/^/gm, '    stderr: '));
  }
  return { rows: JSON.parse(hotspots.stdout), traces };
}

/** Recall and precision of the rows against the app's answer key. */
function score(rows, truth) {
  const accepted = new Map();
  for (const e of truth.entries) {
    const places = [{ file: e.file, line: e.line }, ...(e.alternatives ?? [])];
    accepted.set(e.name, places.map((p) => `${p.file}:${p.line}`));
  }
  const found = new Set();
  const misplaced = [];
  let pairs = 0;
  let right = 0;
  for (const row of rows) {
    for (const name of row.names) {
      pairs++;
      const at = `${row.file}:${row.line}`;
      if (accepted.get(name)?.includes(at)) {
        right++;
        found.add(name);
      } else {
        misplaced.push(`${name} at ${at} (${row.function})${accepted.has(name) ? `, expected ${accepted.get(name)[0]}` : ', not in the answer key'}`);
      }
    }
  }
  const missing = truth.entries.filter((e) => !found.has(e.name)).map((e) => `${e.name} (${e.shape}) expected ${e.file}:${e.line} ${e.function}`);
  return { entries: truth.entries.length, found: found.size, pairs, right, misplaced, missing };
}

const pct = (a, b) => (b === 0 ? 'n/a' : `${((a / b) * 100).toFixed(1)}%`);

const apps = listApps();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-lens-mapping-'));
const totals = { entries: 0, found: 0, pairs: 0, right: 0 };
console.log(`mapping benchmark: ${apps.length} apps, each run from a copy outside its workspace (${tmp})`);
console.log('app                      language     sdk                    traces  truth  found  recall   precision');
let failed = 0;
for (const app of apps) {
  const appTmp = path.join(tmp, app.name.replace(/\W+/g, '-'));
  fs.mkdirSync(appTmp, { recursive: true });
  try {
    const { rows, traces } = await runApp(app, appTmp);
    const s = score(rows, app.truth);
    for (const k of Object.keys(totals)) totals[k] += s[k];
    console.log(`${app.name.padEnd(24)} ${String(app.config.language).padEnd(12)} ${String(app.config.sdk).padEnd(22)} ${String(traces).padStart(6)} ${String(s.entries).padStart(6)} ${String(s.found).padStart(6)}  ${pct(s.found, s.entries).padStart(6)}   ${pct(s.right, s.pairs).padStart(6)}`);
    for (const m of s.missing) console.log(`    missed: ${m}`);
    for (const m of s.misplaced) console.log(`    wrong:  ${m}`);
  } catch (error) {
    failed++;
    console.log(`${app.name.padEnd(24)} failed: ${error.message}`);
  }
}
console.log(`total: recall ${pct(totals.found, totals.entries)} (${totals.found} of ${totals.entries} names on the right function), precision ${pct(totals.right, totals.pairs)} (${totals.right} of ${totals.pairs} reported pairs)${failed ? `; ${failed} app(s) failed to run` : ''}`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
