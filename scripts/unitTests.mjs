// Runs the plain-Node unit tier (compiled to out/test/unit) and writes {passed, failed} to $TEST_RESULTS.
// usage: node scripts/unitTests.mjs [substring filter on the file path]
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'out/test/unit');
const filter = process.argv[2] ?? '';
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js') && f.includes(filter))
  .sort();
const mocha = new Mocha({ ui: 'tdd', timeout: 60000, reporter: 'spec', color: !process.env.CI });
for (const f of files) mocha.addFile(path.join(dir, f));
const runner = mocha.run((failures) => {
  const stats = { passed: runner.stats.passes, failed: failures };
  if (process.env.TEST_RESULTS) writeFileSync(process.env.TEST_RESULTS, JSON.stringify(stats));
  process.exitCode = failures ? 1 : 0;
});
