// Bundle sizes (minified production build) and the cost of loading the extension bundle. The AWS SDK lives in
// its own file, loaded on first use: this shows what activation does and does not pay for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageExtension } from '../scripts/package.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: root, env: { ...process.env, QUIET_BUILD: '1' } });
const kib = (p) => statSync(p).size / 1024;
const dist = path.join(root, 'dist');
console.log('minified bundles:');
for (const f of readdirSync(dist).filter((f) => f.endsWith('.js'))) console.log(`  dist/${f.padEnd(22)} ${kib(path.join(dist, f)).toFixed(0).padStart(6)} KiB`);

// Load time of each bundle in a fresh process (V8 parse + top-level evaluation). `vscode` is not there
// outside VS Code: a stand-in with empty classes for what the top level touches (a few icons are built at
// load) lets it evaluate; nothing of the extension runs.
function loadMs(file, runs = 15) {
  const script = `const t=process.hrtime.bigint();const M=require('module');const o=M._load;M._load=function(r,...a){return r==='vscode'?{ThemeIcon:class{},ThemeColor:class{},EventEmitter:class{}}:o.call(this,r,...a)};require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = [];
  for (let i = 0; i < runs; i++) times.push(Number(execFileSync(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()));
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}
const ext = loadMs(path.join(dist, 'extension.js'));
const sdk = loadMs(path.join(dist, 'xrayApiSource.js'));
console.log(`require() median of 15 fresh processes: extension.js ${ext.toFixed(1)} ms; xrayApiSource.js (AWS SDK, loaded on first use) ${sdk.toFixed(1)} ms; ratio ${(sdk / ext).toFixed(1)}x`);

const vsix = packageExtension(path.join(mkdtempSync(path.join(os.tmpdir(), 'vsix-')), 'x.vsix'), { quiet: true });
console.log(`.vsix: ${kib(vsix).toFixed(0)} KiB`);
execFileSync(process.execPath, ['esbuild.js'], { cwd: root, env: { ...process.env, QUIET_BUILD: '1' } });
