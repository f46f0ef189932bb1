// "Set Up Tracing in This Project" in a real VS Code, on a small project folder created for the test inside the
// workspace (and removed after): the changes are listed, Enter applies them, the tracing file is created and the
// entry file loads it first, pointed at this VS Code's collector. (Its own file, named to run after
// latencyLens.test.ts: it shows a JavaScript file, and that suite checks that no file editor asked for lenses first.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './sampleApp';

interface SetUpResult {
  applied: boolean;
  reason?: string;
  plan?: { alreadySetUp: boolean; newFiles: { path: string; text: string }[]; dependencies: string[] };
}

const SERVER = "'use strict';\n\nconst http = require('http');\n\nhttp.createServer((req, res) => res.end('ok')).listen(3000);\n";

/** A project folder inside the workspace (removed by the test): package.json and an entry file without tracing. */
function projectFolder(): string {
  const dir = fs.mkdtempSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.xray-setup-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop-api', main: 'server.js', dependencies: {} }, null, 2));
  fs.writeFileSync(path.join(dir, 'server.js'), SERVER);
  return dir;
}

/** Runs Set Up Tracing on `dir`, pressing Enter in the list of changes ("Apply" is first) if one opens. */
async function setUpAccepting(dir: string): Promise<SetUpResult> {
  const running = vscode.commands.executeCommand<SetUpResult>('xrayLens.setUpTracing', vscode.Uri.file(dir));
  let settled = false;
  void Promise.resolve(running).finally(() => (settled = true));
  await waitFor('the command to finish', async () => {
    await new Promise((r) => setTimeout(r, 500));
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return settled;
  }, 20000);
  return running;
}

suite('Set Up Tracing in a real VS Code', () => {
  const config = () => vscode.workspace.getConfiguration('xrayLens');

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('instrumentation.flavour', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Set Up Tracing on a project folder: the changes are listed, applying them creates the tracing file and edits the entry', async function () {
    this.timeout(30000);
    const dir = projectFolder();
    try {
      const result = await setUpAccepting(dir);
      assert.ok(result?.applied, 'not applied');
      const created = result.plan!.newFiles;
      assert.ok(created.length > 0, 'no tracing file planned');
      for (const file of created) assert.strictEqual(fs.readFileSync(path.join(dir, file.path), 'utf8'), file.text);
      assert.ok(created.some((f) => /AWSXRayIdGenerator/.test(f.text) && /AWSXRayPropagator/.test(f.text)), 'an OpenTelemetry set-up with X-Ray ids and propagation');
      const otlp = vscode.workspace.getConfiguration('xrayLens').get<string>('collector.otlpAddress');
      assert.ok(created.some((f) => f.text.includes(`http://${otlp}/v1/traces`)), `the exporter points at this VS Code's collector (${otlp})`);
      const entry = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'server.js')));
      const loads = entry.getText().search(/require\('\.\/tracing(\.js)?'\)/);
      assert.ok(loads >= 0 && loads < entry.getText().indexOf("require('http')"), 'the entry file loads the tracing set-up before http');
      // Files a workspace edit changes are saved by VS Code (files.refactoring.autoSave): the set-up is on disk.
      await waitFor('server.js saved', () => !entry.isDirty && fs.readFileSync(path.join(dir, 'server.js'), 'utf8') === entry.getText());
      assert.ok(result.plan!.dependencies.includes('@opentelemetry/sdk-node'));

      // Run again: the project is set up, nothing is listed or changed.
      const again = await setUpAccepting(dir);
      assert.strictEqual(again.applied, false);
      assert.strictEqual(again.reason, 'nothing-to-change');
      assert.ok(again.plan?.alreadySetUp);
      assert.strictEqual(fs.readFileSync(path.join(dir, 'server.js'), 'utf8'), entry.getText());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the X-Ray SDK flavour (from the setting): aws-xray-sdk-core set up in the entry, sending to this VS Code\'s collector', async function () {
    this.timeout(30000);
    await config().update('instrumentation.flavour', 'xray-sdk', vscode.ConfigurationTarget.Global);
    const dir = projectFolder();
    try {
      const result = await setUpAccepting(dir);
      assert.ok(result.applied, `not applied: ${result.reason}`);
      assert.ok(result.plan!.dependencies.includes('aws-xray-sdk-core'));
      const entry = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'server.js')));
      assert.match(entry.getText(), /require\('aws-xray-sdk-core'\)/);
      const daemon = config().get<string>('collector.address');
      assert.ok(entry.getText().includes(daemon!), `the daemon address is this VS Code's collector (${daemon})`);
      await waitFor('server.js saved', () => !entry.isDirty && fs.readFileSync(path.join(dir, 'server.js'), 'utf8') === entry.getText());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
