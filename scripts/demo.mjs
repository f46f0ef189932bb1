// `npm run demo`: X-Ray Lens in a real VS Code (code-server in your browser) with live traces.
// Builds the extension, packages it to a .vsix, installs it into a demo profile of code-server, starts the
// sample app sending a request mix to the extension's embedded collector, and serves the workbench with
// samples/ as the workspace. Ctrl-C stops everything it started.
// usage: npm run demo [-- --port 8080] [-- --collector 127.0.0.1:2000] [-- --check]
//   --check   headless: opens the workbench in Chromium, waits for trace rows in the X-Ray view, saves
//             test-results/demo.png and exits (0 when the rows appeared)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createProfile, freePort, installCodeServer, installExtension, launchChromium, repoRoot, startCodeServer, workbenchUrl,
} from './codeServer.mjs';
import { ensureSystemPackages } from './systemPackages.mjs';
import { packageExtension } from './package.mjs';
import { parseFlag } from '../samples/traffic.mjs';
import { startSampleApp } from '../samples/start.mjs';
import { openWorkbench, openXRayContainer, waitForRows, TRACE_ROW } from '../test/ui/workbench.mjs';

const argv = process.argv.slice(2);
const check = argv.includes('--check');
const collectorAddress = parseFlag(argv, 'collector', '127.0.0.1:2000');
const demoDir = path.join(repoRoot, '.vscode-test/demo');
const workspace = path.join(repoRoot, 'samples');
const t0 = Date.now();
const say = (msg) => console.log(`[demo ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

/** Builds dist/ and packages the .vsix, as a user's install would get it. */
function buildVsix() {
  say('building and packaging the extension (npm run package)');
  return packageExtension(path.join(demoDir, 'xray-lens.vsix'));
}

const running = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping the sample app and code-server');
  for (const stop of running.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));

async function main() {
  ensureSystemPackages();
  mkdirSync(demoDir, { recursive: true });
  const vsix = buildVsix();
  const codeServer = installCodeServer();

  // A fresh demo profile each time: the .vsix just built, no leftovers from an earlier run.
  const profileDir = path.join(demoDir, 'profile');
  rmSync(profileDir, { recursive: true, force: true });
  const settings = collectorAddress === '127.0.0.1:2000' ? {} : { 'xrayLens.collector.address': collectorAddress };
  const profile = createProfile(profileDir, settings);
  mkdirSync(path.join(profileDir, 'ud/Machine'), { recursive: true }); // machine-scoped settings live here
  writeFileSync(path.join(profileDir, 'ud/Machine/settings.json'), JSON.stringify(settings, null, 2));
  say(`installing ${path.relative(repoRoot, vsix)} into the demo profile`);
  installExtension(codeServer, profile, vsix);

  const app = await startSampleApp({
    daemonAddress: collectorAddress,
    // quote-svc is instrumented only with OpenTelemetry: its spans go to the collector's OTLP receiver.
    quotesPort: 3003,
    otlpAddress: parseFlag(argv, 'otlp', '127.0.0.1:4318'),
    // Quiet services; a traffic summary every 10 s outside --check. The traces tell the rest.
    traffic: { rate: 2, log: check ? () => {} : console.log },
    stdio: 'ignore',
    // Interactive demo: a saved edit (Trace This Function) restarts its service, so its traces follow.
    watch: !check,
  });
  running.push(app.stop);
  say(`sample app: frontend-api ${app.frontendUrl}, inventory-svc ${app.inventoryUrl}; segments to udp ${collectorAddress}`);

  const port = Number(parseFlag(argv, 'port', check ? await freePort() : 8080));
  const server = await startCodeServer(codeServer, profile, { port });
  running.push(server.stop);
  const url = workbenchUrl(server.url, workspace);

  if (!check) {
    console.log(`\n  X-Ray Lens demo: open ${url}\n  then click the X-Ray icon in the activity bar. Ctrl-C stops everything.\n`);
    return; // the children keep the process alive until Ctrl-C
  }

  const resultsDir = path.join(repoRoot, 'test-results');
  mkdirSync(resultsDir, { recursive: true });
  const shot = path.join(resultsDir, 'demo.png');
  const browser = await launchChromium(codeServer);
  running.push(browser.close);
  const { page } = browser;
  let ok = false;
  try {
    say(`checking ${url} in headless Chromium`);
    await openWorkbench(page, url);
    await openXRayContainer(page);
    const rows = await waitForRows(page, TRACE_ROW, 5);
    say(`the X-Ray view shows ${rows.length} trace rows, e.g. ${JSON.stringify(rows[0].replace(/\s+/g, ' '))}`);
    // quote-svc is instrumented only with OpenTelemetry: its traces must be there too.
    const quotes = await waitForRows(page, /GET \/quotes\//, 1, { timeout: 30000 });
    say(`OpenTelemetry (quote-svc) traces too, e.g. ${JSON.stringify(quotes[0].replace(/\s+/g, ' '))}`);
    ok = true;
  } catch (err) {
    say(`check failed: ${String(err.message ?? err).split('\n')[0]}`);
  } finally {
    await page.screenshot({ path: shot }).catch(() => {});
    say(`screenshot ${path.relative(repoRoot, shot)}`);
  }
  await stopAll(ok ? 0 : 1);
}

main().catch(async (err) => {
  console.error(`[demo] ${err.message ?? err}`);
  await stopAll(1);
});
