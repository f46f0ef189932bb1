// `npm test`: every tier, in order, then one closing line `N passed, N failed`.
//   0. Debian packages the tiers need (scripts/systemPackages.mjs: chromium, libkrb5-dev, python3-aws-xray-sdk)
//   1. build + typecheck + lint
//   2. unit tier: plain-Node mocha over out/test/unit (everything that does not need VS Code)
//   3. real-VS-Code tier: mocha inside code-server's extension host, then UI screenshots (scripts/vscodeTests.mjs)
// Set XRAY_LENS_SKIP_VSCODE=1 to run only tiers 1-2 (the closing line then says so).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './systemPackages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const MINUTE = 60_000;
let passed = 0;
let failed = 0;

/**
 * Runs one step: 'ok', 'failed', or 'timeout' when it ran past `timeoutMs` (a leaked handle, a stuck child)
 * and was killed, instead of hanging the whole run.
 */
function run(label, cmd, args, env = {}, timeoutMs = undefined) {
  const t0 = Date.now();
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.error?.code === 'ETIMEDOUT') {
    console.log(`=== ${label}: TIMED OUT after ${timeoutMs / MINUTE} min, killed (${seconds} s)`);
    return 'timeout';
  }
  console.log(`=== ${label}: ${r.status === 0 ? 'ok' : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`} (${seconds} s)`);
  return r.status === 0 ? 'ok' : 'failed';
}

function countTier(file, label) {
  if (!existsSync(file)) {
    console.log(`${label}: no results file (${path.relative(root, file)}) — counted as 1 failure`);
    failed += 1;
    return;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`${label}: ${r.passed} passed, ${r.failed} failed`);
  passed += r.passed;
  failed += r.failed;
}

/** A test tier: what its results file says, plus 1 failure if it timed out (hung before or after writing it). */
function runTier(label, script, env, resultsFile, timeoutMs) {
  if (run(label, 'node', [script], env, timeoutMs) === 'timeout') {
    console.log(`${label}: TIMED OUT after ${timeoutMs / MINUTE} min — counted as 1 failure`);
    failed += 1;
    if (!existsSync(resultsFile)) return;
  }
  countTier(resultsFile, label);
}

const step = (outcome, what) => { if (outcome !== 'ok') { failed += 1; console.log(`${what} failed — counted as 1 failure`); } };
try {
  ensureSystemPackages();
} catch (err) {
  console.error(`\n=== system packages: ${err.message}`);
  step('failed', 'system packages');
}
step(run('build', 'node', ['esbuild.js']), 'build');
// out/ is rebuilt from scratch: tsc never deletes the output of a test file that no longer exists.
rmSync(path.join(root, 'out'), { recursive: true, force: true });
step(run('typecheck + compile tests', 'npx', ['tsc', '-p', '.']), 'tsc');
// The webview code type-checks against the DOM library and the protocol on its own (webview/tsconfig.json).
step(run('typecheck webviews', 'npx', ['tsc', '-p', 'webview', '--noEmit']), 'tsc -p webview');
step(run('lint', 'npx', ['eslint', '.']), 'lint');

const unitResults = path.join(resultsDir, 'unit.json');
runTier('unit tier (plain Node)', 'scripts/unitTests.mjs', { TEST_RESULTS: unitResults }, unitResults, 15 * MINUTE);

if (process.env.XRAY_LENS_SKIP_VSCODE === '1') {
  console.log('real-VS-Code tier skipped (XRAY_LENS_SKIP_VSCODE=1)');
} else if (existsSync(path.join(root, 'scripts/vscodeTests.mjs'))) {
  runTier('real VS Code tier (code-server)', 'scripts/vscodeTests.mjs', { TEST_RESULTS_DIR: resultsDir }, path.join(resultsDir, 'vscode.json'), 20 * MINUTE);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
