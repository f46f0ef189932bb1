// `npm run package`: a production build and the .vsix (default dist-vsix/xray-lens.vsix; `--out FILE`).
// vsce rewrites README's relative links against a GitHub/GitLab repository; ours is not one, so it gets
// the base URLs from package.json's repository.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function packageExtension(out = path.join(root, 'dist-vsix/xray-lens.vsix'), { quiet = false } = {}) {
  const run = (cmd, args, what) => {
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'], env: { ...process.env, QUIET_BUILD: quiet ? '1' : '' } });
    if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
  };
  run(process.execPath, ['esbuild.js', '--production'], 'production build');
  const repo = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).repository?.url ?? 'https://example.invalid/xray-lens';
  const base = repo.replace(/\.git$/, '');
  mkdirSync(path.dirname(out), { recursive: true });
  run('npx', ['vsce', 'package', '--no-dependencies', '--baseContentUrl', `${base}/blob/HEAD`, '--baseImagesUrl', `${base}/raw/HEAD`, '--out', out], 'vsce package');
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  console.log(packageExtension(i > 0 ? path.resolve(process.argv[i + 1]) : undefined));
}
