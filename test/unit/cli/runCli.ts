// Runs the bundled command line (dist/cli.js, built by `npm run build`) as a user does, to completion.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(REPO_ROOT, 'dist/cli.js');

/** Exit code and output of `node dist/cli.js …args`; the environment is only what `env` gives (PATH by default). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Promise<{ code: number | null; out: string; err: string }> {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}
