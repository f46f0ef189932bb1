// The trace tree in a real VS Code: the sample app (real aws-xray-sdk-core) sends to the extension's embedded
// collector, and the tree shows its traces down to stack frames that open the right file at the right line.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { TraceTreeNode } from '../../src/features/traceTree/traceTreeProvider';
import { activateWithCollector, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

async function children(api: XrayLensApi, node?: TraceTreeNode): Promise<TraceTreeNode[]> {
  return (await api.traceTree.getChildren(node)) ?? [];
}

/** Depth-first search of the outline under a node. */
async function findNode(api: XrayLensApi, root: TraceTreeNode, match: (n: TraceTreeNode) => boolean): Promise<TraceTreeNode | undefined> {
  for (const child of await children(api, root)) {
    if (match(child)) return child;
    const found = await findNode(api, child, match);
    if (found) return found;
  }
  return undefined;
}

suite('trace tree with the sample app in a real VS Code', () => {
  let api: XrayLensApi;
  let app: SampleApp;

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
    const statuses = [
      await request(`${app.frontendUrl}/orders/42`),
      await request(`${app.frontendUrl}/crash`),
      await request(`${app.frontendUrl}/bad`),
      await request(`${app.frontendUrl}/limited`),
    ];
    assert.deepStrictEqual(statuses, [200, 500, 400, 429]);
  });

  suiteTeardown(async () => {
    await app?.stop();
  });

  test('the collector runs on the configured address and the status bar source is local', () => {
    assert.ok(api.activationMs >= 0 && api.activationMs < 1000, `activate() took ${api.activationMs} ms`);
    console.log(`      activate() took ${api.activationMs.toFixed(1)} ms`);
    const expected = process.env.XRAY_LENS_TEST_COLLECTOR_ADDRESS;
    if (expected) assert.strictEqual(`${api.collector.endpoint?.host}:${api.collector.endpoint?.port}`, expected);
  });

  test('the tree lists the traces the app just produced, with outcome and timing', async () => {
    const items = await waitFor('four traces in the tree', async () => {
      const roots = await children(api);
      const labels = roots.map((n) => api.traceTree.getTreeItem(n) as vscode.TreeItem);
      const want = ['GET /orders/42', 'GET /crash', 'GET /bad', 'GET /limited'];
      return want.every((w) => labels.some((l) => l.label === w)) ? labels : undefined;
    });
    const byLabel = new Map(items.map((i) => [String(i.label), i]));
    assert.match(String(byLabel.get('GET /orders/42')?.description), /^200 · \d+(\.\d+)? (ms|s) · \d+(s|m) ago$/);
    assert.match(String(byLabel.get('GET /crash')?.description), /^500 · /);
    assert.strictEqual((byLabel.get('GET /orders/42')?.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.strictEqual((byLabel.get('GET /crash')?.iconPath as vscode.ThemeIcon).id, 'error');
    assert.strictEqual((byLabel.get('GET /bad')?.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.strictEqual((byLabel.get('GET /limited')?.iconPath as vscode.ThemeIcon).id, 'watch');
  });

  test('a trace expands to both services, subsegments and annotations', async () => {
    const roots = await children(api);
    const orders = roots.find((n) => n.type === 'trace' && n.summary.url?.endsWith('/orders/42'));
    assert.ok(orders);
    const segmentLabels = (await waitFor('the inventory segment to join the trace', async () => {
      const segs = await children(api, orders);
      const labels = segs.map((s) => String(api.traceTree.getTreeItem(s).label));
      return labels.includes('inventory-svc') ? labels : undefined;
    }));
    assert.ok(segmentLabels.includes('frontend-api'), segmentLabels.join(', '));
    const loadOrder = await findNode(api, orders, (n) => n.type === 'outline' && n.node.kind === 'subsegment' && n.node.label === 'loadOrder');
    assert.ok(loadOrder, 'no loadOrder subsegment');
    const annotation = await findNode(api, orders, (n) => n.type === 'outline' && n.node.kind === 'annotation' && n.node.label === 'order_id');
    assert.ok(annotation && annotation.type === 'outline');
    assert.strictEqual(annotation.node.description, '"42"');
  });

  test('an exception frame opens the right file at the right line', async () => {
    const crash = (await children(api)).find((n) => n.type === 'trace' && n.summary.url?.endsWith('/crash'));
    assert.ok(crash);
    const frameNode = await findNode(api, crash, (n) => n.type === 'outline' && n.node.kind === 'frame' && n.node.frame?.user === true);
    assert.ok(frameNode && frameNode.type === 'outline' && frameNode.node.frame, 'no user stack frame under the crash trace');
    const item = api.traceTree.getTreeItem(frameNode);
    assert.strictEqual(item.command?.command, 'xrayLens.openStackFrame');
    const frame = frameNode.node.frame;
    const editor = (await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []))) as vscode.TextEditor | undefined;
    assert.ok(editor, `frame ${frame.path}:${frame.line} did not open`);
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const opened = editor.document.uri.fsPath;
    assert.ok(opened.startsWith(workspace + path.sep), `${opened} is outside ${workspace}`);
    assert.ok(frame.path.endsWith(path.relative(workspace, opened)), `${frame.path} ↛ ${opened}`);
    assert.strictEqual(editor.selection.active.line, frame.line - 1);
    // The SDK recorded this frame from a real V8 stack: the line it names is code, not a blank line.
    assert.notStrictEqual(editor.document.lineAt(frame.line - 1).text.trim(), '');
  });

  test('a frame outside the workspace is never opened', async () => {
    const before = vscode.window.activeTextEditor?.document.uri.toString();
    for (const hostile of ['/etc/passwd', '../../../../etc/passwd', '/srv/app/../../etc/hosts']) {
      const editor = await vscode.commands.executeCommand('xrayLens.openStackFrame', { path: hostile, line: 1, user: true });
      assert.strictEqual(editor, undefined, hostile);
    }
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), before);
  });

  test('a symbolic link inside the workspace does not lead a frame outside it', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const link = path.join(workspace, 'xray-lens-test-link');
    fs.rmSync(link, { force: true });
    fs.symlinkSync('/etc', link);
    try {
      assert.ok(fs.existsSync(path.join(link, 'hostname')), 'the link itself works');
      const editor = await vscode.commands.executeCommand('xrayLens.openStackFrame', { path: '/srv/app/xray-lens-test-link/hostname', line: 1, user: true });
      assert.strictEqual(editor, undefined);
      assert.notStrictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, '/etc/hostname');
    } finally {
      fs.rmSync(link, { force: true });
    }
  });
});
