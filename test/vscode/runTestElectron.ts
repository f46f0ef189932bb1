// The same extension tests in desktop VS Code (Electron), for machines with internet access:
// @vscode/test-electron downloads VS Code from update.code.visualstudio.com. CI uses code-server instead
// (scripts/vscodeTests.mjs), because that download is not possible there.
// usage: npm run test:electron    (after `npx tsc -p .`; optional env VSCODE_VERSION, default 1.100.3)
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

export async function runElectronTests(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-electron-'));
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  // A port of its own, so the tests do not fight over 127.0.0.1:2000 with a collector already running.
  const collectorAddress = process.env.XRAY_LENS_TEST_COLLECTOR_ADDRESS ?? '127.0.0.1:2999';
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'xrayLens.collector.address': collectorAddress,
  }));
  await runTests({
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/vscode/index.js'),
    launchArgs: [path.join(root, 'samples'), '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { XRAY_LENS_TEST_COLLECTOR_ADDRESS: collectorAddress },
  });
}

if (require.main === module) {
  runElectronTests().catch((err) => {
    console.error('extension tests failed:', err);
    process.exit(1);
  });
}
