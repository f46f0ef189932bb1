// `npm run bench`: runs every bench/*.bench.mjs in turn (after `npm run build` and `tsc`), each in its own
// process so one's heap and JIT state do not colour the next. Benchmarks print ratios measured in one run
// against a baseline on the same data; they are not tests and assert nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only))).sort()) {
  console.log(`\n### ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, file)], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${file} exited with ${r.status})`);
}
