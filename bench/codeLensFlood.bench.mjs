// How much a flood of segments delays a CodeLens request in a real VS Code (code-server's extension host):
// runs test/vscode/codeLensFlood.bench.ts there, which times vscode.executeCodeLensProvider idle and while
// another process sends real SDK datagrams at 100,000/s to the extension's collector, in one run.
// usage: npm run build && npx tsc -p . && node bench/codeLensFlood.bench.mjs   (XRAY_LENS_FLOOD_RATE=N for another rate)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync(process.execPath, [path.join(root, 'scripts/vscodeTests.mjs'), '--host-only'], {
  stdio: 'inherit',
  env: { ...process.env, XRAY_LENS_TEST_FILES: 'codeLensFlood\\.bench\\.js$' },
});
process.exit(run.status ?? 1);
