// Trace files in a real VS Code. The sample app (real aws-xray-sdk-core) sends to the extension's collector; the
// file is made as `aws xray batch-get-traces` makes it, by the real @aws-sdk/client-xray (GetTraceSummaries, then
// BatchGetTraces of 5 ids; the response bodies as the CLI prints them), and written outside the workspace. Opened
// as the source it fills the tree, its lenses equal `xray-lens hotspots --file` on the same file, a drop on the
// Traces view opens it, exports read back as the same traces, and closing it restores what was shown before.
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient, type Trace } from '@aws-sdk/client-xray';
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { ExportResult, TraceFileOpened } from '../../src/features/sources/traceFiles';
import { activateWithCollector, collectorAddress, EXTENSION_ID, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

const SHOW_THROUGH = 'xrayLens.lens.showTracesThrough';

suite('trace files in a real VS Code (a batch-get-traces file made by the real @aws-sdk/client-xray from real SDK traffic)', () => {
  let api: XrayLensApi;
  let app: SampleApp | undefined;
  let dir: string;
  let file: string;
  let fileTraceIds: string[];
  let rangeBefore: unknown;
  const config = () => vscode.workspace.getConfiguration('xrayLens');
  const listedIds = () => api.traces.state.summaries.map((s) => s.id).sort();
  const showingFile = (name: string) =>
    waitFor(`the traces of ${name} listed`, () => api.traces.state.sourceLabel === `file ${name}` && !api.traces.state.loading && api.traces.state.summaries.length > 0, 20000);

  suiteSetup(async function () {
    this.timeout(90000);
    api = await activateWithCollector();
    await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', 0, vscode.ConfigurationTarget.Global);
    app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
    for (let i = 1; i <= 10; i++) assert.strictEqual(await request(`${app.frontendUrl}/orders/${i}`), 200);
    for (let i = 0; i < 2; i++) assert.strictEqual(await request(`${app.frontendUrl}/checkout`, 'POST', JSON.stringify({ orderId: 3 + i, quantity: 1 })), 201);
    assert.strictEqual(await request(`${app.frontendUrl}/crash`), 500);
    await app.stop();
    app = undefined;
    // What `aws xray get-trace-summaries` and `aws xray batch-get-traces` do, with the same client library.
    const client = new XRayClient({ region: 'us-east-1', endpoint: `http://${collectorAddress()}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const window = () => ({ StartTime: new Date(Date.now() - 15 * 60_000), EndTime: new Date(Date.now() + 60_000) });
    const ids = await waitFor('the sample app\'s 13 traces complete in the collector', async () => {
      const found: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetTraceSummariesCommand({ ...window(), NextToken: token }));
        for (const s of page.TraceSummaries ?? []) if (!s.IsPartial) found.push(s.Id!);
        token = page.NextToken;
      } while (token);
      return found.length >= 13 ? found : undefined;
    }, 30000);
    // Every fourth trace stays out of the file (from the middle of its time span, not its ends): what the views
    // show then can only have come from the file, not from the collector, which holds them all.
    const chosen = ids.filter((_, i) => i % 4 !== 1);
    const traces: Trace[] = [];
    for (let i = 0; i < chosen.length; i += 5) traces.push(...((await client.send(new BatchGetTracesCommand({ TraceIds: chosen.slice(i, i + 5) }))).Traces ?? []));
    client.destroy();
    fileTraceIds = traces.map((t) => t.Id!).sort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-lens-file-'));
    file = path.join(dir, 'orders.batch-get-traces.json');
    fs.writeFileSync(file, JSON.stringify({ Traces: traces, UnprocessedTraceIds: [] }, null, 4));
  });

  suiteTeardown(async function () {
    this.timeout(30000);
    await app?.stop();
    await vscode.commands.executeCommand('xrayLens.closeTraceFile');
    await config().update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', undefined, vscode.ConfigurationTarget.Global);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Open Trace File lists exactly the file\'s traces, over the file\'s own time span, named in the status bar', async function () {
    this.timeout(30000);
    rangeBefore = api.traces.query.range;
    const opened = await vscode.commands.executeCommand<TraceFileOpened | undefined>('xrayLens.openTraceFile', vscode.Uri.file(file));
    assert.ok(opened, 'the file opened');
    assert.deepStrictEqual(opened.formats, ['batch-get-traces']);
    assert.strictEqual(opened.traces, fileTraceIds.length);
    assert.deepStrictEqual(opened.rejected, {});
    await showingFile('orders.batch-get-traces.json');
    assert.deepStrictEqual(listedIds(), fileTraceIds);
    assert.strictEqual(api.traces.query.range.kind, 'between');
    assert.notDeepStrictEqual(api.traces.query.range, rangeBefore);
    assert.match(api.statusBar.text, /X-Ray: file orders\.batch-get-traces\.json · /);
    // A trace's whole document set comes from the file.
    const trace = await api.traces.getTrace(api.traces.state.summaries[0]);
    assert.ok(trace && trace.segments.length > 0);
  });

  test('the lenses over the file equal `xray-lens hotspots --file` on the same file', async function () {
    this.timeout(60000);
    const folder = vscode.workspace.workspaceFolders![0];
    const service = api.latencyLens.service;
    const lensesOf = async (rel: string) => {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, rel));
      return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
    };
    await lensesOf('frontend/lib/orderStore.js');
    await waitFor('the latency index to cover the file\'s traces', () => {
      const indexed = service.snapshot?.traceIds;
      return !service.busy && !api.traces.state.loading && indexed?.size === fileTraceIds.length && fileTraceIds.every((id) => indexed.has(id));
    }, 45000);
    const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), 'hotspots', '--workspace', folder.uri.fsPath, '--file', file], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    // `file:line  title  [evidence]  lens text`
    const rows = stdout.split('\n').map((line) => /^(\S+):(\d+) {2}.* {2}\[[^\]]*\] {2}(.+)$/.exec(line)).filter((m) => m !== null);
    assert.ok(rows.length >= 3, `hotspots printed:\n${stdout}`);
    for (const [, rel, line, text] of rows) {
      const lens = (await lensesOf(rel)).find((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === Number(line) - 1);
      assert.ok(lens?.command?.title.endsWith(text), `${rel}:${line}: lens "${lens?.command?.title}", hotspots "${text}"`);
    }
  });

  test('Export Listed Traces writes batch-get-traces output that opens as the same list; Export Trace writes one trace', async function () {
    this.timeout(30000);
    const listTarget = vscode.Uri.file(path.join(dir, 'exported.json'));
    const written = await vscode.commands.executeCommand<ExportResult | undefined>('xrayLens.exportTraces', listTarget, 'batch-get-traces');
    assert.strictEqual(written?.traces, fileTraceIds.length);
    assert.strictEqual(written?.failed, 0);
    const exported = JSON.parse(fs.readFileSync(listTarget.fsPath, 'utf8')) as { Traces: Array<{ Id: string; Segments: Array<{ Id: string; Document: string }> }> };
    assert.deepStrictEqual(exported.Traces.map((t) => t.Id).sort(), fileTraceIds);
    const original = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof exported;
    const segmentIds = (t: typeof exported) => t.Traces.flatMap((x) => x.Segments.map((s) => s.Id)).sort();
    assert.deepStrictEqual(segmentIds(exported), segmentIds(original), 'every segment of the file is in the export');

    const summary = api.traces.state.summaries[0];
    const oneTarget = vscode.Uri.file(path.join(dir, 'one.json'));
    const one = await vscode.commands.executeCommand<ExportResult | undefined>('xrayLens.exportTrace', { type: 'trace', summary }, oneTarget, 'segment-documents');
    assert.strictEqual(one?.traces, 1);
    const docs = JSON.parse(fs.readFileSync(oneTarget.fsPath, 'utf8')) as Array<{ trace_id: string }>;
    assert.ok(docs.length > 0 && docs.every((d) => d.trace_id === summary.id));

    // The export opens as a source of its own, with the same traces.
    await vscode.commands.executeCommand('xrayLens.openTraceFile', listTarget);
    await showingFile('exported.json');
    assert.deepStrictEqual(listedIds(), fileTraceIds);
  });

  test('a file dropped on the Traces view opens; a file that is not traces is refused and the list stays', async function () {
    this.timeout(30000);
    const transfer = new vscode.DataTransfer();
    transfer.set('text/uri-list', new vscode.DataTransferItem(`${vscode.Uri.file(file).toString()}\r\n`));
    await api.traceFiles.dragAndDrop.handleDrop!(undefined, transfer, new vscode.CancellationTokenSource().token);
    await showingFile('orders.batch-get-traces.json');
    const notTraces = path.join(dir, 'package.json');
    fs.writeFileSync(notTraces, JSON.stringify({ name: 'app', version: '1.0.0' }));
    const refused = await vscode.commands.executeCommand<TraceFileOpened | undefined>('xrayLens.openTraceFile', vscode.Uri.file(notTraces));
    assert.strictEqual(refused, undefined);
    assert.strictEqual(api.traces.state.sourceLabel, 'file orders.batch-get-traces.json');
    assert.deepStrictEqual(listedIds(), fileTraceIds);
  });

  test('Close Trace File goes back to the collector and the time range shown before the first file', async function () {
    this.timeout(30000);
    await vscode.commands.executeCommand('xrayLens.closeTraceFile');
    await waitFor('the collector\'s list back', () => api.traces.state.sourceLabel?.startsWith('local') && !api.traces.state.loading);
    assert.deepStrictEqual(api.traces.query.range, rangeBefore);
    assert.doesNotMatch(api.statusBar.text, /file /);
  });
});
