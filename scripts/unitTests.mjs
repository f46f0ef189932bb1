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
  // Done: exit even if a test leaked a handle (a server, a socket, a child's pipe) that would keep Node alive
  // and hang `npm test`, but name what was left so the leak gets fixed. Teardowns get a moment to finish
  // closing first; without a leak the process ends on its own before this fires.
  setTimeout(() => {
    const stdio = new Set([process.stdin, process.stdout, process.stderr]);
    const open = process._getActiveHandles().filter((handle) => !stdio.has(handle));
    if (open.length > 0) {
      const names = open.map((handle) => handle?.constructor?.name ?? typeof handle);
      console.error(`unit tier: ${open.length} handle(s) still open after the tests, exiting anyway: ${names.join(', ')}`);
    }
    process.exit();
  }, 500).unref();
});
