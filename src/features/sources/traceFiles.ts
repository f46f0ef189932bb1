// Trace files as a source: X-Ray: Open Trace File… (or a file dropped on the Traces view) shows the file's
// traces in the tree, the map, the timeline and the lenses instead of the configured source, with the time range
// set to the file's own span; Close Trace File goes back to the source and the range shown before. Export
// writes the listed traces, or one, as `aws xray batch-get-traces` output or as a JSON array of segment documents.
import * as path from 'path';
import * as vscode from 'vscode';
import { loadTraceFileServer } from '../../collector/loadTraceFileServer';
import { Disposable } from '../../platform/disposable';
import type { TraceSummaryView } from '../../sources/traceSource';
import type { TimeRange } from '../../xray/timeRange';
import type { TraceListModel } from '../traceTree/traceListModel';
import type { TraceTreeNode } from '../traceTree/traceTreeProvider';
import type { OpenTraceFile, TraceSourceManager } from './traceSourceManager';

export const OPEN_TRACE_FILE_COMMAND = 'xrayLens.openTraceFile';
export const CLOSE_TRACE_FILE_COMMAND = 'xrayLens.closeTraceFile';
export const EXPORT_TRACES_COMMAND = 'xrayLens.exportTraces';
export const EXPORT_TRACE_COMMAND = 'xrayLens.exportTrace';

export type ExportFormat = 'batch-get-traces' | 'segment-documents';

/** What opening a file found: also the command's result, for tests and other extensions. */
export interface TraceFileOpened {
  name: string;
  formats: string[];
  traces: number;
  documents: number;
  rejected: Record<string, number>;
  range: TimeRange;
}

export interface ExportResult {
  uri: vscode.Uri;
  traces: number;
  /** Listed traces that could not be fetched (left out of the file). */
  failed: number;
}

const FILE_FILTERS = { 'Trace files': ['json', 'ndjson', 'jsonl'], 'All files': ['*'] };
const FORMATS: Array<vscode.QuickPickItem & { format: ExportFormat }> = [
  { format: 'batch-get-traces', label: 'batch-get-traces output', detail: 'As `aws xray batch-get-traces` prints it: {"Traces": [{"Id", "Segments": [{"Id", "Document"}]}]}' },
  { format: 'segment-documents', label: 'JSON array of segment documents', detail: 'One segment document (with its subsegments) per element' },
];

export class TraceFiles extends Disposable {
  /** The query shown before the first file was opened: restored when the file is closed. */
  private before: { range: TimeRange; filterExpression?: string } | undefined;
  readonly dragAndDrop: vscode.TreeDragAndDropController<TraceTreeNode> = {
    // `files`: any file dropped from the OS; `text/uri-list`: from the Explorer or an editor tab.
    dropMimeTypes: ['files', 'text/uri-list'],
    dragMimeTypes: [],
    handleDrop: (_target, dataTransfer) => this.dropped(dataTransfer),
  };

  constructor(
    private readonly sources: TraceSourceManager,
    private readonly traces: TraceListModel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(vscode.commands.registerCommand(OPEN_TRACE_FILE_COMMAND, (uri?: unknown) => this.open(uri instanceof vscode.Uri ? uri : undefined)));
    this._register(vscode.commands.registerCommand(CLOSE_TRACE_FILE_COMMAND, () => this.close()));
    this._register(
      vscode.commands.registerCommand(EXPORT_TRACES_COMMAND, (target?: unknown, format?: unknown) =>
        this.exportList(target instanceof vscode.Uri ? target : undefined, isFormat(format) ? format : undefined),
      ),
    );
    this._register(
      vscode.commands.registerCommand(EXPORT_TRACE_COMMAND, (node?: unknown, target?: unknown, format?: unknown) =>
        this.exportOne(node as TraceTreeNode | undefined, target instanceof vscode.Uri ? target : undefined, isFormat(format) ? format : undefined),
      ),
    );
    this._register(this.sources.onDidChange(() => void this.updateContext()));
    void this.updateContext();
  }

  /** Opens `uri` (or asks for a file) as the source. Every failure is shown; the source shown before stays. */
  async open(uri?: vscode.Uri): Promise<TraceFileOpened | undefined> {
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ title: 'X-Ray: Open Trace File', canSelectMany: false, filters: FILE_FILTERS, openLabel: 'Open Traces' });
      if (!picked?.length) return undefined;
      uri = picked[0];
    }
    const name = path.posix.basename(uri.path);
    let served: Awaited<ReturnType<ReturnType<typeof loadTraceFileServer>['serveTraceFile']>>;
    try {
      served = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `X-Ray: reading ${name}…` }, async () => {
        const module = loadTraceFileServer();
        const size = (await vscode.workspace.fs.stat(uri)).size;
        if (size > module.MAX_TRACE_FILE_BYTES) {
          throw new Error(`it is ${(size / 1024 / 1024).toFixed(0)} MB; files of at most ${module.MAX_TRACE_FILE_BYTES / 1024 / 1024} MB are read`);
        }
        const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
        return module.serveTraceFile(module.readTraceFile(text), (line) => this.log.info(`trace file ${name}: ${line}`));
      });
    } catch (error) {
      const message = `X-Ray: cannot open ${name} as traces: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    const file: OpenTraceFile = { name, uri, traces: served.traces, endpoint: served.endpoint, close: () => served.close() };
    this.before ??= { range: this.traces.query.range, filterExpression: this.traces.query.filterExpression };
    await this.sources.setFile(file);
    // The file's own span: a file of last week's traces is not empty because the range says "last 15 min".
    const range: TimeRange = { kind: 'between', startTime: served.extent.startTime, endTime: served.extent.endTime };
    await this.traces.setQuery({ range, filterExpression: undefined });
    const refused = Object.values(served.rejected).reduce((a, b) => a + b, 0);
    const summary = `${served.traces.toLocaleString('en-US')} trace${served.traces === 1 ? '' : 's'} (${served.documents.toLocaleString('en-US')} documents, ${served.formats.join(' + ')})`;
    this.log.info(`Opened ${uri.toString(true)}: ${summary}`);
    if (refused > 0) {
      this.log.warn(`${name}: ${refused} entries not kept: ${Object.entries(served.rejected).map(([reason, n]) => `${n} ${reason}`).join(', ')}; e.g. ${served.examples.join(' | ')}`);
    }
    void vscode.commands.executeCommand('xrayLens.traces.focus');
    const text = `X-Ray: showing ${summary} from ${name}${refused > 0 ? `; ${refused.toLocaleString('en-US')} entries refused (see the log)` : ''}.`;
    void vscode.window.showInformationMessage(text, 'Close Trace File', ...(refused > 0 ? ['Show Log'] : [])).then((choice) => {
      if (choice === 'Close Trace File') void this.close();
      else if (choice === 'Show Log') this.log.show();
    });
    return { name, formats: served.formats, traces: served.traces, documents: served.documents, rejected: served.rejected, range };
  }

  /** Back to the configured source, with the time range and filter shown before the file. */
  async close(): Promise<void> {
    if (!this.sources.openFile) return;
    const before = this.before;
    this.before = undefined;
    await this.sources.setFile(undefined);
    if (before) await this.traces.setQuery(before);
  }

  /** The listed traces (the whole list, filtered as shown) to a file. */
  async exportList(target?: vscode.Uri, format?: ExportFormat): Promise<ExportResult | undefined> {
    const summaries = this.traces.shownSummaries;
    if (summaries.length === 0) {
      void vscode.window.showWarningMessage('X-Ray: the Traces view lists no trace to export.');
      return undefined;
    }
    return this.export(summaries, `traces-${stamp()}`, target, format);
  }

  async exportOne(node?: TraceTreeNode, target?: vscode.Uri, format?: ExportFormat): Promise<ExportResult | undefined> {
    const summary = node?.type === 'trace' ? node.summary : undefined;
    if (!summary) {
      void vscode.window.showWarningMessage('X-Ray: choose a trace in the Traces view to export it.');
      return undefined;
    }
    return this.export([summary], `trace-${summary.id}`, target, format);
  }

  private async export(summaries: readonly TraceSummaryView[], baseName: string, target?: vscode.Uri, format?: ExportFormat): Promise<ExportResult | undefined> {
    format ??= (await vscode.window.showQuickPick(FORMATS, { title: `X-Ray: Export ${summaries.length === 1 ? 'Trace' : `${summaries.length} Traces`} as…` }))?.format;
    if (!format) return undefined;
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      target = await vscode.window.showSaveDialog({
        title: 'X-Ray: Export Traces',
        filters: { JSON: ['json'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${baseName}.json`) } : {}),
      });
      if (!target) return undefined;
    }
    const chosen = format;
    const where = target;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `X-Ray: exporting ${summaries.length.toLocaleString('en-US')} trace${summaries.length === 1 ? '' : 's'}`, cancellable: true },
        async (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          const { traces, failed } = await this.traces.getTraces(summaries, abort.signal);
          if (token.isCancellationRequested) return undefined;
          const module = loadTraceFileServer();
          const exported = traces.map((t) => ({ id: t.id, duration: t.duration, limitExceeded: t.limitExceeded, segments: t.segments }));
          const text = chosen === 'batch-get-traces' ? module.writeBatchGetTraces(exported) : module.writeSegmentDocuments(exported);
          await vscode.workspace.fs.writeFile(where, new TextEncoder().encode(text));
          const missing = failed > 0 ? `; ${failed} could not be fetched and are not in it (see the log)` : '';
          void vscode.window.showInformationMessage(`X-Ray: wrote ${traces.length.toLocaleString('en-US')} trace${traces.length === 1 ? '' : 's'} to ${path.posix.basename(where.path)}${missing}.`);
          return { uri: where, traces: traces.length, failed };
        },
      );
    } catch (error) {
      const message = `X-Ray: export to ${path.posix.basename(where.path)} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  private async dropped(dataTransfer: vscode.DataTransfer): Promise<void> {
    const file = dataTransfer.get('files')?.asFile();
    if (file?.uri) {
      await this.open(file.uri);
      return;
    }
    const list = await dataTransfer.get('text/uri-list')?.asString();
    const first = list
      ?.split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line && !line.startsWith('#'));
    if (first) {
      await this.open(vscode.Uri.parse(first));
      return;
    }
    if (file) void vscode.window.showErrorMessage('X-Ray: the dropped file has no path this window can read; use X-Ray: Open Trace File… instead.');
  }

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', 'xrayLens.traceFileOpen', this.sources.openFile !== undefined);
  }
}

function isFormat(value: unknown): value is ExportFormat {
  return value === 'batch-get-traces' || value === 'segment-documents';
}

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
}
