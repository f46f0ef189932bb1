// The trace timeline panel: command `xrayLens.openTimeline` (from a trace row, a lens with a trace id, or
// an input box), one panel per trace, fetched from the active trace source, restored after a window reload
// by fetching the trace id again. The waterfall itself is webview/timeline; the model src/xray/timeline.ts.
import * as vscode from 'vscode';
import { toAbortSignal } from '../../platform/cancellation';
import { Disposable } from '../../platform/disposable';
import { webviewHtml, webviewOptions } from '../../platform/webviewHtml';
import type { TimelineHostToWebview, TimelinePersisted, TimelineState, TimelineWebviewToHost } from '../../protocol/timelineMessages';
import { TIMELINE_VIEW_TYPE } from '../../protocol/timelineMessages';
import { describeSourceError } from '../../sources/sourceErrors';
import type { FetchedTrace } from '../../sources/traceSource';
import { xrayTraceId } from '../../xray/otel/spanConverter';
import { buildTimeline, searchTimeline, timelineDetails, timelineRow, timelineSource, type TimelineIndex } from '../../xray/timeline';
import { clip } from '../../xray/traceOutline';
import type { TraceSourceManager } from '../sources/traceSourceManager';
import { openStackFrame } from '../traceTree/openStackFrame';

export const OPEN_TIMELINE_COMMAND = 'xrayLens.openTimeline';

/** What the command returns: the panel it opened or revealed, or why there is none (also shown to the user). */
export interface OpenTimelineResult {
  panel?: TimelinePanel;
  message?: string;
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/i;

/** An X-Ray trace id (1-5759e988-bd862e3fe1be46a994272793), or OpenTelemetry's 32 hex digits converted to one. */
export function parseTraceId(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (XRAY_TRACE_ID.test(trimmed)) return trimmed.toLowerCase();
  return xrayTraceId(trimmed);
}

/** The ways the command is called: a Traces view row, a trace id (lenses), or nothing (ask). */
function traceIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const node = arg as { type?: unknown; summary?: { id?: unknown } };
    if (node.type === 'trace' && typeof node.summary?.id === 'string') return node.summary.id;
  }
  return undefined;
}

type Fetched = { trace: FetchedTrace; sourceLabel: string } | { message: string; sourceLabel?: string };

export class TimelinePanels extends Disposable {
  private readonly panels = new Map<string, TimelinePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sources: TraceSourceManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(vscode.commands.registerCommand(OPEN_TIMELINE_COMMAND, (arg?: unknown) => this.open(arg)));
    this._register(
      vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.restore(panel, state as TimelinePersisted | undefined),
      }),
    );
    // A panel with nothing to show (restored while the collector was still starting, or its source failed)
    // tries again when the source changes; one that shows a trace keeps it.
    this._register(
      sources.onDidChange(() => {
        for (const panel of this.panels.values()) if (!panel.state.model) void panel.reload();
      }),
    );
    this._register({ dispose: () => [...this.panels.values()].forEach((p) => p.dispose()) });
  }

  async open(arg?: unknown): Promise<OpenTimelineResult> {
    let raw = traceIdOf(arg);
    if (raw === undefined) {
      raw = await vscode.window.showInputBox({
        title: 'Open Trace Timeline',
        prompt: 'X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx) or OpenTelemetry trace id (32 hex digits)',
        placeHolder: '1-5759e988-bd862e3fe1be46a994272793',
        validateInput: (value) => (value.trim() === '' || parseTraceId(value) ? undefined : 'Not a trace id: expected 1-<8 hex>-<24 hex>, or 32 hex digits.'),
      });
      if (raw === undefined || raw.trim() === '') return {};
    }
    const traceId = parseTraceId(raw);
    if (!traceId) {
      const message = `"${clip(String(raw), 80)}" is not a trace id.`;
      void vscode.window.showWarningMessage(message);
      return { message };
    }
    const open = this.panels.get(traceId);
    if (open) {
      open.reveal();
      return { panel: open };
    }
    const fetched = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Fetching trace ${traceId}`, cancellable: true },
      (_progress, token) => this.fetch(traceId, token),
    );
    if (!('trace' in fetched)) {
      void vscode.window.showWarningMessage(fetched.message);
      return { message: fetched.message };
    }
    // Another call may have opened it while this one fetched.
    const raced = this.panels.get(traceId);
    if (raced) {
      raced.reveal();
      return { panel: raced };
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, `Timeline ${traceId}`, vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      retainContextWhenHidden: false,
    });
    const timeline = this.adopt(panel, traceId);
    timeline.show(fetched);
    return { panel: timeline };
  }

  /** After a window reload: the webview kept its persisted state; the data is fetched again. */
  private async restore(panel: vscode.WebviewPanel, persisted: TimelinePersisted | undefined): Promise<void> {
    const traceId = parseTraceId(persisted?.traceId);
    panel.webview.options = webviewOptions(this.extensionUri);
    if (!traceId || this.panels.has(traceId)) {
      panel.dispose();
      return;
    }
    const timeline = this.adopt(panel, traceId);
    await timeline.reload();
  }

  private adopt(panel: vscode.WebviewPanel, traceId: string): TimelinePanel {
    const timeline = new TimelinePanel(panel, traceId, this.extensionUri, (token) => this.fetch(traceId, token), this.log);
    this.panels.set(traceId, timeline);
    timeline.onDidDispose(() => {
      if (this.panels.get(traceId) === timeline) this.panels.delete(traceId);
    });
    return timeline;
  }

  private async fetch(traceId: string, token?: vscode.CancellationToken): Promise<Fetched> {
    const available = await this.sources.ready();
    if (!available.source) return { message: `No trace source: ${available.reason}` };
    const source = available.source;
    try {
      const result = await source.getTraces([traceId], { signal: toAbortSignal(token) });
      const trace = result.traces.find((t) => t.id === traceId);
      if (!trace || trace.segments.length === 0) {
        return { sourceLabel: source.label, message: `Trace ${traceId} was not found in ${source.label}: it may have been dropped, or it belongs to another source.` };
      }
      return { trace, sourceLabel: source.label };
    } catch (err) {
      const described = describeSourceError(err, source.label);
      if (described.kind !== 'cancelled') this.log.error(`Fetching trace ${traceId} for the timeline failed: ${described.message}`);
      return { sourceLabel: source.label, message: described.kind === 'cancelled' ? `Fetching trace ${traceId} was cancelled.` : described.message };
    }
  }
}

/** One panel: its webview, the model it shows, the details it answers. */
export class TimelinePanel extends Disposable {
  private index: TimelineIndex | undefined;
  private _state: TimelineState;
  private ready = false;
  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;
  private readonly _onDidReceiveReady = this._register(new vscode.EventEmitter<void>());
  /** Fires when the webview has said `ready` (tests wait for it). */
  readonly onDidReceiveReady = this._onDidReceiveReady.event;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    readonly traceId: string,
    extensionUri: vscode.Uri,
    private readonly fetchTrace: (token?: vscode.CancellationToken) => Promise<Fetched>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._state = { traceId, warnings: [] };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'xray.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { name: 'timeline', title: 'Trace Timeline', stylesheet: 'timeline.css' });
    this._register(panel.webview.onDidReceiveMessage((message: TimelineWebviewToHost) => this.onMessage(message)));
    this._register(panel.onDidDispose(() => this.dispose()));
  }

  get state(): TimelineState {
    return this._state;
  }

  /**
   * What the panel is when the command's result goes back to the window as JSON (run from the palette, a
   * Traces view button, a lens link): its trace id, not its model and documents. Without it, opening a
   * 50,000-span trace from the palette blocked the extension host ~0.9 s after the command and the panel
   * showed its rows 4–5 s later than with it (test/ui/timelineLarge.ui.mjs).
   */
  toJSON(): { traceId: string } {
    return { traceId: this.traceId };
  }

  get isReady(): boolean {
    return this.ready;
  }

  reveal(): void {
    this.panel.reveal();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }

  /** Opens the code a row maps to; paths come from the host's model, and only workspace files open. */
  async goToSource(row: number): Promise<vscode.TextEditor | undefined> {
    const source = this.index && Number.isInteger(row) ? timelineSource(this.index.model, row) : undefined;
    if (!source) return undefined;
    return openStackFrame({ ...source, user: true });
  }

  show(fetched: Fetched): void {
    if ('trace' in fetched) {
      const { trace } = fetched;
      this.index = buildTimeline(trace.id, trace.segments);
      const warnings = trace.rejected.map((r) => `Segment ${clip(r.segmentId, 40)} could not be read: ${clip(r.message)}`);
      if (trace.limitExceeded) warnings.push('X-Ray marked this trace LimitExceeded: some segments are missing.');
      if (this.index.model.omitted > 0) warnings.push(`${this.index.model.omitted} spans past the first ${this.index.model.rowCount} are not shown.`);
      this._state = { traceId: this.traceId, model: this.index.model, sourceLabel: fetched.sourceLabel, warnings };
      const root = timelineRow(this.index.model, 0);
      this.panel.title = root ? `Timeline: ${clip(root.name, 40)}` : `Timeline ${this.traceId}`;
    } else {
      this.index = undefined;
      this._state = { traceId: this.traceId, sourceLabel: fetched.sourceLabel, message: fetched.message, warnings: [] };
    }
    this.postState();
  }

  /** Fetches the trace again; the page shows a progress ring meanwhile. */
  async reload(): Promise<void> {
    this.post({ type: 'busy', busy: true });
    const fetched = await this.fetchTrace();
    if (this.isDisposed) return;
    this.post({ type: 'busy', busy: false });
    this.show(fetched);
  }

  private postState(): void {
    if (this.ready) this.post({ type: 'state', state: this._state });
  }

  private post(message: TimelineHostToWebview): void {
    if (this.ready && !this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private onMessage(message: TimelineWebviewToHost): void {
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        this._onDidReceiveReady.fire();
        return;
      case 'details': {
        if (!this.index || !Number.isInteger(message.row)) return;
        this.post({ type: 'details', row: message.row, sections: timelineDetails(this.index, message.row) });
        return;
      }
      case 'search': {
        if (!this.index || typeof message.query !== 'string') return;
        this.post({ type: 'searchResult', query: message.query, rows: searchTimeline(this.index, message.query) });
        return;
      }
      case 'goToSource':
        void this.goToSource(message.row).catch((err: unknown) => this.log.error(`Timeline: opening the source of row ${message.row} failed: ${String(err)}`));
        return;
      case 'refresh':
        void this.reload();
        return;
      case 'webviewFailure':
        this.log.error(`Timeline webview: ${clip(String(message.message), 2000)}`);
        return;
      case 'openSource':
        // The timeline asks by row (goToSource) so the host uses paths from its own model.
        return;
    }
  }
}
