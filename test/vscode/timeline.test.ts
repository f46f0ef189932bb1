// The trace timeline panel in a real VS Code: opened by trace id (as a lens does) and from a Traces view row
// on traces the sample app (real aws-xray-sdk-core) just sent, one panel per trace, "Go to source" on a
// crash opens the file and refuses paths outside the workspace, and a trace that does not exist says so.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { OpenTimelineResult, TimelinePanel } from '../../src/features/timeline/timelinePanel';
import type { TraceTreeNode } from '../../src/features/traceTree/traceTreeProvider';
import { timelineRow } from '../../src/xray/timeline';
import type { TimelineModel, TimelineRow } from '../../src/xray/timelineModel';
import { activateWithCollector, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

async function traceRow(api: XrayLensApi, urlEnd: string): Promise<Extract<TraceTreeNode, { type: 'trace' }>> {
  return waitFor(`a ${urlEnd} trace in the tree`, async () => {
    await api.traces.refresh();
    const roots = (await api.traceTree.getChildren()) ?? [];
    const node = roots.find((n) => n.type === 'trace' && n.summary.url?.endsWith(urlEnd) && !n.summary.isPartial);
    return node?.type === 'trace' ? node : undefined;
  });
}

/** The panel's model (columns) read back as one object per row. */
const rowsOf = (model: TimelineModel): TimelineRow[] => Array.from({ length: model.rowCount }, (_, i) => timelineRow(model, i) as TimelineRow);

async function openTimeline(arg: unknown): Promise<OpenTimelineResult> {
  return (await vscode.commands.executeCommand('xrayLens.openTimeline', arg)) as OpenTimelineResult;
}

/** Waits until the panel's webview has said `ready` (and so has been sent the model). */
async function loaded(panel: TimelinePanel | undefined): Promise<TimelinePanel> {
  assert.ok(panel, 'no panel');
  await waitFor('the webview to say ready', () => panel.isReady);
  return panel;
}

suite('trace timeline panel in a real VS Code', () => {
  let api: XrayLensApi;
  let app: SampleApp;

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
    assert.strictEqual(await request(`${app.frontendUrl}/orders/42`), 200);
    assert.strictEqual(await request(`${app.frontendUrl}/crash`), 500);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await app?.stop();
  });

  test('opened by trace id: rows of both services, the call joined to the segment it reached, a critical path', async () => {
    const row = await traceRow(api, '/orders/42');
    // The inventory segment arrives a moment after the frontend's: wait until the trace has both.
    const result = await waitFor('both services in the timeline', async () => {
      const opened = await openTimeline(row.summary.id);
      const services = opened.panel?.state.model?.services ?? [];
      if (services.includes('inventory-svc')) return opened;
      opened.panel?.dispose();
      return undefined;
    });
    const panel = await loaded(result.panel);
    const model = panel.state.model;
    assert.ok(model);
    assert.strictEqual(panel.traceId, row.summary.id);
    assert.deepStrictEqual(model.services.slice(0, 2), ['frontend-api', 'inventory-svc']);
    const rows = rowsOf(model);
    const inventory = rows.findIndex((r) => r.name === 'inventory-svc');
    assert.ok(inventory > 0);
    assert.strictEqual(rows[rows[inventory].parent].kind, 'remote', 'inventory-svc sits under the HTTP call that reached it');
    assert.ok(rows.some((r) => r.name === 'loadOrder'));
    assert.ok(model.critical.row.length > 0 && model.critical.row.every((c) => rows[c].critical));
    assert.strictEqual(rows[0].name, 'frontend-api');
    assert.ok(Math.abs(model.durationMs - row.summary.duration * 1000) < 2, `${model.durationMs} ms vs the summary's ${row.summary.duration} s`);

    // Opening the same trace again reveals the same panel.
    const again = await openTimeline(row.summary.id);
    assert.strictEqual(again.panel, panel);
    // Run from the window (palette, a tree button, a lens link), the result goes back as JSON: the trace id only.
    assert.deepStrictEqual(JSON.parse(JSON.stringify(again)), { panel: { traceId: row.summary.id } });
    panel.dispose();
  });

  test('opened from a Traces view row (the inline button passes the row), with "Go to source" on the crash', async () => {
    const row = await traceRow(api, '/crash');
    const panel = await loaded((await openTimeline(row)).panel);
    const model = panel.state.model;
    assert.ok(model);
    const rows = rowsOf(model);
    assert.strictEqual(rows[0].outcome, 'fault');
    const withSource = rows.findIndex((r) => r.source !== undefined);
    assert.ok(withSource >= 0, 'a row of the crash maps to code');
    const editor = await panel.goToSource(withSource);
    assert.ok(editor, 'the file did not open');
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    assert.ok(editor.document.uri.fsPath.startsWith(workspace + path.sep), editor.document.uri.fsPath);
    const source = rows[withSource].source!;
    assert.ok(source.path.endsWith(path.relative(workspace, editor.document.uri.fsPath)), `${source.path} ↛ ${editor.document.uri.fsPath}`);
    assert.strictEqual(editor.selection.active.line, source.line - 1);
    // A row without a source opens nothing.
    const without = rows.findIndex((r) => r.source === undefined);
    assert.strictEqual(await panel.goToSource(without), undefined);
    panel.dispose();
  });

  test('a trace id that is not in the source: no panel, a message saying so; text that is no trace id is refused', async () => {
    const missing = '1-6b01eecc-000000000000000000000000';
    const result = await openTimeline(missing);
    assert.strictEqual(result.panel, undefined);
    assert.match(result.message ?? '', new RegExp(`Trace ${missing} was not found in local`));

    const bad = await openTimeline('<script>alert(1)</script>');
    assert.strictEqual(bad.panel, undefined);
    assert.match(bad.message ?? '', /is not a trace id/);

    // OpenTelemetry's form of an id is accepted and converted.
    const otel = await openTimeline('6b01eecc000000000000000000000000');
    assert.match(otel.message ?? '', /Trace 1-6b01eecc-000000000000000000000000 was not found/);
  });
});
