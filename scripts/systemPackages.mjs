// Ensures the Debian packages the tests and the demo need are installed:
//   chromium              the browser playwright-core drives (no `npx playwright install` here: no downloads)
//   libkrb5-dev           headers for code-server's `kerberos` native module, built from source on install
//   python3-aws-xray-sdk  the real Python X-Ray SDK, used by the collector tests as a second real emitter
//   openjdk-17-jdk-headless  javac, which compiles the Java code the instrumentation commands write
// As root: `apt-get update` + `apt-get install -y` of only what is missing (checked with `dpkg -s`).
// Not root: prints the exact command and exits 1.
// usage: node scripts/systemPackages.mjs     or     import { ensureSystemPackages } from './systemPackages.mjs'
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SYSTEM_PACKAGES = ['chromium', 'libkrb5-dev', 'python3-aws-xray-sdk', 'openjdk-17-jdk-headless',
  'golang-go', 'golang-opentelemetry-otel-dev'];

function isInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Installs whatever of `packages` is missing; throws with the command to run when that is not possible. */
export function ensureSystemPackages(packages = SYSTEM_PACKAGES) {
  const missing = packages.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Install them with:\n  sudo sh -c '${command}'`);
  }
  const t0 = Date.now();
  console.log(`[system packages] installing ${missing.join(', ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); run: ${command}`);
  }
  const still = missing.filter((p) => !isInstalled(p));
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
  console.log(`[system packages] installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureSystemPackages();
    console.log(`[system packages] ok: ${SYSTEM_PACKAGES.join(', ')}`);
  } catch (err) {
    console.error(`[system packages] ${err.message}`);
    process.exit(1);
  }
}
