// The real-VS-Code tier: code-server (VS Code 1.100.3) driven by headless Debian Chromium.
//   1. mocha inside the real extension host: out/test/vscode/index.js via the workbench's
//      extensionDevelopmentPath/extensionTestsPath payload; the exit code comes back through
//      window.codeAutomationExit, the counts through $XRAY_LENS_VSCODE_RESULTS
//   2. UI checks: every test/ui/*.ui.mjs against a second code-server with the extension loaded from source,
//      screenshots into test-results/
// Each session: fresh user-data-dir, extensions dir, TMPDIR and XDG dirs; its own collector port in the
// settings (`xrayLens.collector.address`) so tests do not fight over 127.0.0.1:2000.
// Writes $TEST_RESULTS_DIR/vscode.json {passed, failed}. Needs `npm run build` and `npx tsc -p .` first.
// usage: node scripts/vscodeTests.mjs [--host-only | --ui-only]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import {
  createProfile, freePort, installCodeServer, launchChromium, repoRoot, startCodeServer, workbenchUrl,
} from './codeServer.mjs';
import { ensureSystemPackages } from './systemPackages.mjs';
import { startSampleApp } from '../samples/start.mjs';

const resultsDir = process.env.TEST_RESULTS_DIR ?? path.join(repoRoot, 'test-results');
const workspace = path.join(repoRoot, 'samples');
const testsEntry = path.join(repoRoot, 'out/test/vscode/index.js');
// A safety net for a hung extension host, not a timing: the host tests take 160-200 s on 2 shared cores.
const HOST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 420000);
const t0 = Date.now();
const lap = (msg) => console.log(`[vscode ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const timings = {};
// Workbench chatter that the tests' log does not need (VERBOSE=1 shows it): connection set-up, and the
// marketplace lookup that cannot reach open-vsx.org offline (harmless).
const WORKBENCH_NOISE = /open-vsx\.org|^\s+at async |Creating a socket|connection token|\[Service Worker\]|ChatSessionStore|additional builtin extensions|Creation of workbench contribution/;

/** A fresh profile for one code-server session, with the collector on a port of its own. */
async function session(name) {
  const dir = path.join(runsDir, name);
  const collectorAddress = `127.0.0.1:${await freePort()}`;
  const otlpAddress = `127.0.0.1:${await freePort()}`;
  const settings = { 'xrayLens.collector.address': collectorAddress, 'xrayLens.collector.otlpAddress': otlpAddress };
  const profile = createProfile(dir, settings);
  // Machine-scoped settings (the collector address is one) are read from the remote "Machine" settings
  // in code-server, so write them there too.
  mkdirSync(path.join(dir, 'ud/Machine'), { recursive: true });
  writeFileSync(path.join(dir, 'ud/Machine/settings.json'), JSON.stringify(settings, null, 2));
  // AWS shared files of the session's own (tests write profiles there): the machine's ~/.aws is never read.
  const awsFiles = { config: path.join(dir, 'aws/config'), credentials: path.join(dir, 'aws/credentials') };
  mkdirSync(path.join(dir, 'aws'), { recursive: true });
  const awsEnv = { AWS_CONFIG_FILE: awsFiles.config, AWS_SHARED_CREDENTIALS_FILE: awsFiles.credentials };
  return { profile, collectorAddress, otlpAddress, awsFiles, awsEnv };
}

function logTail(file, lines = 30) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Tier 1: mocha in the extension host. Returns {passed, failed}. */
async function runHostTests(codeServer) {
  if (!existsSync(testsEntry)) {
    console.error(`missing ${testsEntry}: run \`npx tsc -p .\` first`);
    return { passed: 0, failed: 1 };
  }
  const t = Date.now();
  const { profile, collectorAddress, otlpAddress, awsEnv } = await session('host');
  const resultsFile = path.join(profile.dir, 'mocha-results.json');
  const server = await startCodeServer(codeServer, profile, {
    port: await freePort(),
    env: { ...awsEnv, XRAY_LENS_VSCODE_RESULTS: resultsFile, XRAY_LENS_TEST_COLLECTOR_ADDRESS: collectorAddress, XRAY_LENS_TEST_OTLP_ADDRESS: otlpAddress },
  });
  const browser = await launchChromium(codeServer);
  let exitCode;
  try {
    const { page } = browser;
    let reportExit;
    const exited = new Promise((resolve) => (reportExit = resolve));
    // Exposed before navigating: the workbench calls these when it runs extension tests.
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = format(...args);
      if (process.env.VERBOSE || !WORKBENCH_NOISE.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
    if (process.env.VERBOSE) page.on('console', (m) => console.log('[page]', m.type(), m.text()));
    const url = workbenchUrl(server.url, workspace, { extensionDevelopmentPath: repoRoot, extensionTestsPath: testsEntry });
    lap(`extension tests: collector on ${collectorAddress}; opening the workbench`);
    await page.goto(url);
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), HOST_TIMEOUT_MS)));
    exitCode = await Promise.race([exited, timeout]);
    clearTimeout(timer);
  } finally {
    await browser.close();
    await server.stop();
  }
  timings.hostTests = Date.now() - t;
  lap(`extension host reported exit code ${exitCode}`);
  if (!existsSync(resultsFile)) {
    console.error(`the extension host wrote no results (exit ${exitCode}). code-server log tail:\n${logTail(server.logFile)}`);
    return { passed: 0, failed: 1 };
  }
  const counts = JSON.parse(readFileSync(resultsFile, 'utf8'));
  // A non-zero exit with no failing test (e.g. the entry itself crashed) still counts as a failure.
  if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** Tier 2: the UI scripts, each in its own browser against one code-server. Returns {passed, failed}. */
async function runUiTests(codeServer) {
  const uiDir = path.join(repoRoot, 'test/ui');
  // XRAY_LENS_UI_FILTER='timeline|serviceMap' runs only the UI files whose name matches it (while working on one).
  const files = readdirSync(uiDir).filter((f) => f.endsWith('.ui.mjs') && new RegExp(process.env.XRAY_LENS_UI_FILTER ?? '').test(f)).sort();
  const counts = { passed: 0, failed: 0 };
  if (files.length === 0) return counts;
  const t = Date.now();
  const { profile, collectorAddress, otlpAddress, awsFiles, awsEnv } = await session('ui');
  const server = await startCodeServer(codeServer, profile, { port: await freePort(), env: awsEnv });
  try {
    for (const file of files) {
      const ui = await import(path.join(uiDir, file));
      lap(`UI ${file}: ${ui.title ?? ''} (collector on ${collectorAddress})`);
      const browser = await launchChromium(codeServer);
      const failedBefore = counts.failed;
      let stopped = null; // the first failing step: later steps are reported "not run" and counted as failed
      const step = async (name, fn) => {
        if (stopped) {
          console.log(`  - ${name} (not run)`);
          counts.failed += 1;
          return;
        }
        const s = Date.now();
        try {
          await fn();
          counts.passed += 1;
          console.log(`  ✓ ${name} (${Date.now() - s} ms)`);
        } catch (err) {
          counts.failed += 1;
          stopped = name;
          console.log(`  ✗ ${name} (${Date.now() - s} ms)\n    ${String(err.message ?? err).split('\n').slice(0, 6).join('\n    ')}`);
        }
      };
      try {
        await ui.run({
          page: browser.page,
          step,
          collectorAddress,
          awsFiles,
          workbenchUrl: workbenchUrl(server.url, workspace, { extensionDevelopmentPath: repoRoot }),
          startSampleApp: async (traffic = {}) => startSampleApp({
            frontendPort: await freePort(), inventoryPort: await freePort(), daemonAddress: collectorAddress,
            quotesPort: await freePort(), otlpAddress,
            traffic: { log: () => {}, ...traffic }, stdio: 'ignore',
          }),
          screenshot: async (name) => {
            await browser.page.screenshot({ path: path.join(resultsDir, name) });
            console.log(`    screenshot ${path.relative(repoRoot, path.join(resultsDir, name))}`);
          },
        });
      } catch (err) {
        // Outside any step (e.g. the sample app did not start).
        counts.failed += 1;
        console.log(`  ✗ ${file}: ${err.message ?? err}`);
      } finally {
        await browser.close();
      }
      if (counts.failed > failedBefore) console.log(`  code-server log: ${server.logFile}`);
    }
  } finally {
    await server.stop();
  }
  timings.uiTests = Date.now() - t;
  return counts;
}

const runsDir = path.join(repoRoot, '.vscode-test/runs');
rmSync(runsDir, { recursive: true, force: true }); // the previous run's profiles and logs
mkdirSync(resultsDir, { recursive: true });
const mode = process.argv[2];
const total = { passed: 0, failed: 0 };
const add = (label, c) => {
  lap(`${label}: ${c.passed} passed, ${c.failed} failed`);
  total.passed += c.passed;
  total.failed += c.failed;
};
try {
  ensureSystemPackages(['chromium', 'libkrb5-dev']);
  const t = Date.now();
  const codeServer = installCodeServer();
  timings.install = Date.now() - t;
  if (mode !== '--ui-only') add('extension tests in the host', await runHostTests(codeServer));
  if (mode !== '--host-only') add('UI checks', await runUiTests(codeServer));
} catch (err) {
  console.error(`real-VS-Code tier could not run: ${err.stack ?? err}`);
  total.failed += 1;
}
const secs = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, `${(v / 1000).toFixed(1)} s`]));
lap(`timings: ${JSON.stringify(secs)}`);
writeFileSync(path.join(resultsDir, 'vscode.json'), JSON.stringify(total));
console.log(`real VS Code tier: ${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
