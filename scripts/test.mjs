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

function run(label, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: ${r.status === 0 ? 'ok' : `exit ${r.status}`} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return r.status === 0;
}

let passed = 0;
let failed = 0;
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

const step = (ok, what) => { if (!ok) { failed += 1; console.log(`${what} failed — counted as 1 failure`); } };
try {
  ensureSystemPackages();
} catch (err) {
  console.error(`\n=== system packages: ${err.message}`);
  step(false, 'system packages');
}
step(run('build', 'node', ['esbuild.js']), 'build');
step(run('typecheck + compile tests', 'npx', ['tsc', '-p', '.']), 'tsc');
step(run('lint', 'npx', ['eslint', '.']), 'lint');

run('unit tier (plain Node)', 'node', ['scripts/unitTests.mjs'], { TEST_RESULTS: path.join(resultsDir, 'unit.json') });
countTier(path.join(resultsDir, 'unit.json'), 'unit tier');

if (process.env.XRAY_LENS_SKIP_VSCODE === '1') {
  console.log('real-VS-Code tier skipped (XRAY_LENS_SKIP_VSCODE=1)');
} else if (existsSync(path.join(root, 'scripts/vscodeTests.mjs'))) {
  run('real VS Code tier (code-server)', 'node', ['scripts/vscodeTests.mjs'], { TEST_RESULTS_DIR: resultsDir });
  countTier(path.join(resultsDir, 'vscode.json'), 'real VS Code tier');
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
