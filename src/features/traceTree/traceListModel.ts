// Recent traces from the active source: summaries for the time window, and full traces fetched on demand
// (cached by id and revision). Keeps the last good result while a refresh runs or when one fails.
import * as vscode from 'vscode';
import { readSettings } from '../../platform/config';
import { toAbortSignal } from '../../platform/cancellation';
import { Disposable } from '../../platform/disposable';
import { describeSourceError, type DescribedError } from '../../sources/sourceErrors';
import type { FetchedTrace, TraceSummaryView } from '../../sources/traceSource';
import type { TraceSourceManager } from '../sources/traceSourceManager';

export interface TraceListState {
  summaries: TraceSummaryView[];
  loading: boolean;
  /** Set when the last refresh failed; the summaries are then the last good ones. */
  error?: DescribedError;
  /** Why there is no source at all (collector not running, ...). */
  unavailable?: string;
  sourceLabel?: string;
  tracesProcessed: number;
  truncated: boolean;
  refreshedAt?: number;
}

export class TraceListModel extends Disposable {
  private _state: TraceListState = { summaries: [], loading: false, tracesProcessed: 0, truncated: false };
  private readonly traceCache = new Map<string, { revision: number; trace: Promise<FetchedTrace | undefined> }>();
  private inflight: vscode.CancellationTokenSource | undefined;
  private queued = false;

  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly sources: TraceSourceManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      sources.onDidChange(() => {
        // What is in flight belongs to the previous source: cancel it; the refresh below is queued behind it.
        this.inflight?.cancel();
        this.traceCache.clear();
        this._state = { summaries: [], loading: false, tracesProcessed: 0, truncated: false };
        void this.refresh();
      }),
    );
    this._register({ dispose: () => this.inflight?.cancel() });
  }

  get state(): TraceListState {
    return this._state;
  }

  /**
   * Fetches the summaries of the configured window. A refresh asked for while one runs is queued once
   * (not stacked), so a burst of collector events costs at most one extra request.
   */
  async refresh(token?: vscode.CancellationToken): Promise<void> {
    if (this.inflight) {
      this.queued = true;
      return;
    }
    const available = this.sources.current();
    if (!available.source) {
      this.update({ unavailable: available.reason, loading: false, summaries: [], error: undefined, sourceLabel: undefined });
      return;
    }
    const source = available.source;
    const cts = new vscode.CancellationTokenSource();
    const sub = token?.onCancellationRequested(() => cts.cancel());
    this.inflight = cts;
    this.update({ loading: true, unavailable: undefined, sourceLabel: source.label });
    const settings = readSettings();
    const now = Date.now() / 1000;
    try {
      const result = await source.listTraceSummaries(
        { window: { startTime: now - settings.tracesTimeRangeMinutes * 60, endTime: now + 60 }, maxTraces: settings.tracesMaxShown },
        { signal: toAbortSignal(cts.token) },
      );
      if (this.sources.current().source !== source) return; // the source changed meanwhile
      result.summaries.sort((a, b) => b.startTime - a.startTime);
      this.update({
        summaries: result.summaries,
        tracesProcessed: result.tracesProcessed,
        truncated: result.truncated,
        loading: false,
        error: undefined,
        refreshedAt: Date.now(),
      });
    } catch (err) {
      const described = describeSourceError(err, source.label);
      if (described.kind !== 'cancelled') this.log.error(`Listing traces from ${source.label} failed: ${described.message}`);
      if (this.sources.current().source === source) {
        this.update({ loading: false, error: described.kind === 'cancelled' ? undefined : described });
      }
    } finally {
      sub?.dispose();
      cts.dispose();
      this.inflight = undefined;
      if (this.queued && !this.isDisposed) {
        this.queued = false;
        void this.refresh();
      }
    }
  }

  /** The full trace for a summary, fetched once per revision. */
  getTrace(summary: TraceSummaryView): Promise<FetchedTrace | undefined> {
    const cached = this.traceCache.get(summary.id);
    if (cached && cached.revision === summary.revision) return cached.trace;
    const trace = this.fetchTrace(summary.id);
    this.traceCache.set(summary.id, { revision: summary.revision, trace });
    // Only traces still listed stay cached.
    if (this.traceCache.size > this._state.summaries.length + 50) {
      const listed = new Set(this._state.summaries.map((s) => s.id));
      for (const id of this.traceCache.keys()) if (!listed.has(id)) this.traceCache.delete(id);
    }
    return trace;
  }

  private async fetchTrace(id: string): Promise<FetchedTrace | undefined> {
    const available = this.sources.current();
    if (!available.source) return undefined;
    try {
      const result = await available.source.getTraces([id]);
      const trace = result.traces.find((t) => t.id === id);
      if (!trace) this.traceCache.delete(id);
      return trace;
    } catch (err) {
      this.traceCache.delete(id);
      const described = describeSourceError(err, available.source.label);
      this.log.error(`Fetching trace ${id} failed: ${described.message}`);
      throw new Error(described.message);
    }
  }

  private update(patch: Partial<TraceListState>): void {
    this._state = { ...this._state, ...patch };
    this._onDidChange.fire();
  }
}
