// The extension-tests entry VS Code calls (extensionTestsPath): runs every out/test/vscode/**/*.test.js with
// mocha inside the real extension host. Same contract as for @vscode/test-electron: run() resolves when all
// pass, rejects otherwise. The counts also go to $XRAY_LENS_VSCODE_RESULTS (JSON {passed, failed}) when
// set: scripts/vscodeTests.mjs sets it in code-server's environment, which the extension host inherits.
// $XRAY_LENS_TEST_FILES (a regular expression on the file name) picks other files instead: the benchmarks
// that must run in a real extension host are out/test/vscode/*.bench.js (bench/codeLensFlood.bench.mjs).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function writeResults(passed: number, failed: number): void {
  console.log(`${passed} passed, ${failed} failed`);
  const file = process.env.XRAY_LENS_VSCODE_RESULTS;
  if (file) fs.writeFileSync(file, JSON.stringify({ passed, failed }));
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec' });
  const grep = process.env.XRAY_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  const pattern = new RegExp(process.env.XRAY_LENS_TEST_FILES ?? '\\.test\\.js$');
  const files = fs
    .readdirSync(__dirname, { recursive: true })
    .map(String)
    .filter((f) => pattern.test(f) && f.endsWith('.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        writeResults(runner.stats?.passes ?? 0, failures);
        if (failures > 0) reject(new Error(`${failures} tests failed.`));
        else resolve();
      });
    } catch (err) {
      // A test file that throws while loading: count it, and let VS Code report the failure.
      writeResults(0, 1);
      reject(err);
    }
  });
}
