// The extension loads in a real VS Code extension host and sees the settings the harness wrote.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { collectorAddress, EXTENSION_ID, startSampleApp } from './sampleApp';

suite('activation in a real VS Code', () => {
  test('the extension is installed and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} not found among ${vscode.extensions.all.length} extensions`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  test('it contributes the X-Ray activity-bar container with the Traces view', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const containers: { id: string; title: string }[] = manifest?.contributes?.viewsContainers?.activitybar ?? [];
    const xray = containers.find((c) => c.title === 'X-Ray');
    assert.ok(xray, `no "X-Ray" container in ${JSON.stringify(containers)}`);
    const views: { name: string }[] = manifest.contributes.views?.[xray.id] ?? [];
    assert.deepStrictEqual(views.map((v) => v.name), ['Traces']);
  });

  test('the collector address comes from the settings the test harness wrote', function () {
    const expected = process.env.XRAY_LENS_TEST_COLLECTOR_ADDRESS;
    if (!expected) this.skip(); // run outside scripts/vscodeTests.mjs
    assert.strictEqual(collectorAddress(), expected);
  });

  test('the sample app starts against that address and serves a traced request', async () => {
    const app = await startSampleApp({ count: 3, rate: 20, env: { INVENTORY_FAULT_EVERY: '0' } });
    try {
      assert.strictEqual(app.daemonAddress, collectorAddress());
      assert.strictEqual(await app.finished, 0);
    } finally {
      await app.stop();
    }
  });
});
