// The "done when", in a real VS Code on the demo workspace: "Trace This Function" on a function of the
// sample app that has no subsegment (estimateDelivery in frontend/lib/orderStore.js), save, restart the app, send
// traffic, and a latency lens with that function's numbers appears above it. The file is restored whatever happens.
// (Named to run after latencyLens.test.ts, whose first test checks that nothing asked for a lens before it.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import { walkDocuments } from '../../src/xray/segmentTree';
import { activateWithCollector, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

const FILE = 'frontend/lib/orderStore.js';
const FUNCTION = 'estimateDelivery';
const SHOW_TRACES_THROUGH = 'xrayLens.lens.showTracesThrough';

suite('Trace This Function on the sample app, then a lens with its numbers', () => {
  let api: XrayLensApi;
  const config = () => vscode.workspace.getConfiguration('xrayLens');
  const uri = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, FILE);

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', 0, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await config().update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', undefined, vscode.ConfigurationTarget.Global);
  });

  async function lensOnFunction(document: vscode.TextDocument, declaration = `async function ${FUNCTION}(`): Promise<vscode.CodeLens | undefined> {
    const line = document.getText().split('\n').findIndex((l) => l.includes(declaration));
    assert.ok(line >= 0, `"${declaration}" is not in ${FILE}`);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
    return lenses.find((l) => l.command?.command === SHOW_TRACES_THROUGH && l.range.start.line === line);
  }

  /** How many estimateDelivery subsegments the listed traces hold (each counted once by id). */
  async function subsegmentCount(): Promise<number> {
    const ids = new Set<string>();
    for (const summary of api.traces.state.summaries) {
      const trace = await api.traces.fetchTrace(summary.id);
      walkDocuments(trace?.segments ?? [], ({ doc }) => void (doc.name === FUNCTION && !doc.in_progress && ids.add(doc.id)));
    }
    return ids.size;
  }

  async function traffic(app: SampleApp, n: number): Promise<void> {
    for (let i = 1; i <= n; i++) assert.strictEqual(await request(`${app.frontendUrl}/orders/${i}`), 200);
  }

  test('untraced: no lens; traced, saved, app restarted, traffic: a lens whose n counts the new subsegments', async function () {
    this.timeout(150000);
    const original = fs.readFileSync(uri().fsPath);
    let app: SampleApp | undefined;
    try {
      app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
      await traffic(app, 6);
      const document = await vscode.workspace.openTextDocument(uri());
      // The index covers these requests once loadOrder, in the same file, has its lens.
      await waitFor('a lens above loadOrder', () => lensOnFunction(document, 'function loadOrder('), 60000);
      assert.strictEqual(await lensOnFunction(document), undefined, `${FUNCTION} has a lens before it is traced`);

      const at = document.positionAt(document.getText().indexOf('await delay(', document.getText().indexOf(`function ${FUNCTION}(`)));
      const result = await vscode.commands.executeCommand<{ ok: boolean; reason?: string }>('xrayLens.traceFunction', document.uri, at);
      assert.ok(result?.ok, `refused: ${result?.reason}`);
      // samples/frontend/package.json names aws-xray-sdk-core: the X-Ray SDK flavour, reusing the file's AWSXRay.
      assert.match(document.getText(), new RegExp(`AWSXRay\\.captureAsyncFunc\\('${FUNCTION}'`));
      assert.ok(!document.getText().includes("require('aws-xray-sdk-core')"), 'the file\'s own AWSXRay binding is reused');
      assert.ok(await document.save(), 'saved');

      await app.stop();
      app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
      await traffic(app, 12);
      let last = '';
      const lens = await waitFor('a lens above the traced function with the numbers of its subsegments', async () => {
        const found = await lensOnFunction(document);
        const expected = await subsegmentCount();
        last = `lens "${found?.command?.title}", ${expected} subsegments listed`;
        return found && expected >= 12 && found.command?.title.includes(`n=${expected} `) ? found : undefined;
      }, 60000).catch((err: Error) => {
        throw new Error(`${err.message}: ${last}`);
      });
      assert.match(lens.command!.title, /^p95 \d+(\.\d+)? ms · p50 \d+(\.\d+)? ms · 0% faults · n=\d+ · /);
    } finally {
      await app?.stop();
      fs.writeFileSync(uri().fsPath, original);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri().toString());
      if (open?.isDirty) {
        await vscode.window.showTextDocument(open);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
      await waitFor(`${FILE} restored`, () => (open ? open.getText() === original.toString('utf8') : true), 10000);
    }
  });
});
