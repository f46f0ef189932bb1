// "Set Up Tracing in This Project" in a real VS Code, on a small project folder created for the test inside the
// workspace (and removed after): the changes are listed, Enter applies them, the tracing file is created and the
// entry file loads it first, pointed at this VS Code's collector. (Its own file, named to run after
// latencyLens.test.ts: it shows a JavaScript file, and that suite checks that no file editor asked for lenses first.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './sampleApp';

suite('Set Up Tracing in a real VS Code', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  test('Set Up Tracing on a project folder: the changes are listed, applying them creates the tracing file and edits the entry', async function () {
    this.timeout(30000);
    const dir = fs.mkdtempSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.xray-setup-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop-api', main: 'server.js', dependencies: {} }, null, 2));
      const server = "'use strict';\n\nconst http = require('http');\n\nhttp.createServer((req, res) => res.end('ok')).listen(3000);\n";
      fs.writeFileSync(path.join(dir, 'server.js'), server);
      const project = vscode.Uri.file(dir);
      const running = vscode.commands.executeCommand<{ applied: boolean; plan?: { newFiles: { path: string; text: string }[]; dependencies: string[] } }>('xrayLens.setUpTracing', project);
      // The changes are listed in a quick pick, "Apply" first: Enter applies them.
      let settled = false;
      void Promise.resolve(running).finally(() => (settled = true));
      await waitFor('the changes applied from the list', async () => {
        await new Promise((r) => setTimeout(r, 500));
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      }, 20000);
      const result = await running;
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
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
