// Recent traces from the active source for the current query (time range + filter expression), and full
// traces fetched on demand (cached by id and revision). Keeps the last good result while a refresh runs
// or when one fails; results are cached per (source, range, filter) so switching back shows at once. A restriction
// to a set of trace ids (a lens's "through loadOrder") narrows what the tree shows without another request.
import * as vscode from 'vscode';
import { affectsSettings, readSettings } from '../../platform/config';
import { toAbortSignal } from '../../platform/cancellation';
import { Disposable } from '../../platform/disposable';
import { describeSourceError, type DescribedError } from '../../sources/sourceErrors';
import { fetchedOf, type FetchedTrace, type SourceMode, type SourceProgress, type TimeWindow, type TraceSource, type TraceSummaryView } from '../../sources/traceSource';
import { resolveTimeRange, timeRangeKey, type TimeRange } from '../../xray/timeRange';
import type { SourceAvailability, TraceSourceManager } from '../sources/traceSourceManager';

export interface TraceQuery {
  range: TimeRange;
  /** Sent to GetTraceSummaries as FilterExpression; undefined = all traces. */
  filterExpression?: string;
}

export type QueryOutcome = { ok: true } | { ok: false; error: DescribedError };

/**
 * The list narrowed on the client to a set of traces, e.g. those through one function (a latency lens's click).
 * It composes with the query: the tree shows the listed traces that are in the set.
 */
export interface TraceRestriction {
  /** What the set is, for the view: "through loadOrder". */
  label: string;
  traceIds: ReadonlySet<string>;
  /** Who set it, so that it can keep the set up to date (the lens whose function it is). */
  owner?: string;
}

interface ListResult {
  summaries: TraceSummaryView[];
  tracesProcessed: number;
  truncated: boolean;
  sampled: boolean;
  /** Set when the listing stopped early (X-Ray kept throttling): what is missing, for the view. */
  incomplete?: string;
  refreshedAt: number;
}

export interface TraceListState extends Omit<ListResult, 'refreshedAt'> {
  loading: boolean;
  /** Set when the last refresh failed; the summaries are then the last good ones. */
  error?: DescribedError;
  /** Why there is no source at all (collector not running, ...). */
  unavailable?: string;
  sourceLabel?: string;
  sourceKind?: 'local' | 'aws';
  refreshedAt?: number;
  /** What a running refresh is doing: "312 traces, 2,040 scanned", "throttled — retrying". */
  progress?: string;
  /** A call of the running refresh was throttled and is being retried. */
  throttled: boolean;
  /** Where the account keeps full traces (AWS only): X-Ray, or CloudWatch Logs with Transaction Search. */
  mode?: SourceMode;
  /** The last refresh was cancelled: the list is the previous result. */
  cancelled: boolean;
}

interface QueuedRefresh {
  run: Promise<QueryOutcome>;
  cancelled: boolean;
}

const EMPTY: TraceListState = { summaries: [], loading: false, tracesProcessed: 0, truncated: false, sampled: false, throttled: false, cancelled: false };
const RESULT_CACHE_SIZE = 16;
/** Traces asked for in one getTraces call by getTraces(): 10 BatchGetTraces requests of 5 ids. */
const TRACES_PER_CALL = 50;
const CANCELLED: QueryOutcome = { ok: false, error: { kind: 'cancelled', message: 'Cancelled.' } };

export class TraceListModel extends Disposable {
  private _state: TraceListState = EMPTY;
  private _sourceGeneration = 0;
  private _query: TraceQuery;
  private _restriction: TraceRestriction | undefined;
  /** The query whose list the state holds (listed, or shown from the cache); undefined when none. */
  private shownQuery: TraceQuery | undefined;
  private readonly traceCache = new Map<string, { revision: number; trace: Promise<FetchedTrace | undefined> }>();
  private readonly results = new Map<string, ListResult>();
  private inflight: { cts: vscode.CancellationTokenSource; done: Promise<QueryOutcome> } | undefined;
  /** The refresh queued behind the one in flight; `cancelled` when Cancel was pressed before it started. */
  private queued: QueuedRefresh | undefined;

  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly sources: TraceSourceManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._query = { range: { kind: 'last', minutes: readSettings().tracesTimeRangeMinutes } };
    this._register(
      sources.onDidChange(() => {
        this._sourceGeneration++;
        // What is in flight belongs to the previous source: cancel it; the refresh below is queued behind it.
        this.inflight?.cts.cancel();
        this.traceCache.clear();
        // Lists of the previous source: the same label can stand for another endpoint now.
        this.results.clear();
        this._state = EMPTY;
        this.shownQuery = undefined;
        void this.refresh();
      }),
    );
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        const minutes = readSettings().tracesTimeRangeMinutes;
        const range = this._query.range;
        if (affectsSettings(e, 'traces.timeRangeMinutes') && !(range.kind === 'last' && range.minutes === minutes)) {
          void this.setQuery({ range: { kind: 'last', minutes } });
        }
      }),
    );
    this._register({ dispose: () => this.inflight?.cts.cancel() });
    this.updateContext();
  }

  get state(): TraceListState {
    return this._state;
  }

  /**
   * Counts the sources the list has had: the same label can stand for another endpoint or pace, whose traces are
   * fetched afresh (what is built from traces keys on this, not on the label).
   */
  get sourceGeneration(): number {
    return this._sourceGeneration;
  }

  get query(): TraceQuery {
    return this._query;
  }

  get restriction(): TraceRestriction | undefined {
    return this._restriction;
  }

  /** The summaries the tree shows: the listed ones, narrowed to the restriction when there is one. */
  get shownSummaries(): TraceSummaryView[] {
    const restriction = this._restriction;
    return restriction ? this._state.summaries.filter((s) => restriction.traceIds.has(s.id)) : this._state.summaries;
  }

  /** Traces of the restriction the list does not hold (outside the time range or the filter, or past the cap). */
  get restrictionUnlisted(): number {
    if (!this._restriction) return 0;
    const listed = new Set(this._state.summaries.map((s) => s.id));
    let unlisted = 0;
    for (const id of this._restriction.traceIds) if (!listed.has(id)) unlisted++;
    return unlisted;
  }

  /** Narrows the list to a set of traces (replacing any set before), or shows the whole list again (undefined). */
  restrict(restriction: TraceRestriction | undefined): void {
    this._restriction = restriction;
    this.updateContext();
    this._onDidChange.fire();
  }

  /** Clear Filter: the restriction and the filter expression go; the time range stays. */
  clearFilters(): Promise<QueryOutcome> {
    this.restrict(undefined);
    return this.setQuery({ filterExpression: undefined });
  }

  /** The filter expression the list is showing (the service map's "Filter traces" sets it). */
  get filterExpression(): string | undefined {
    return this._query.filterExpression;
  }

  /**
   * Changes the query and refreshes. A filter the service refuses (InvalidRequestException) is not kept:
   * the previous query and its list stay, and the outcome carries the service's message.
   */
  async setQuery(patch: Partial<TraceQuery>): Promise<QueryOutcome> {
    const previous = this._query;
    const next: TraceQuery = { ...previous, ...patch };
    if ('filterExpression' in patch && !next.filterExpression) delete next.filterExpression;
    this._query = next;
    this.updateContext();
    const cached = this.cachedResult(next);
    if (cached) {
      this.shownQuery = next;
      this.update({ ...cached, error: undefined });
    } else this._onDidChange.fire();
    this.inflight?.cts.cancel(); // it was listing the previous query
    const outcome = await this.refresh();
    if (!outcome.ok && outcome.error.kind === 'invalid-request' && this._query === next) {
      // Back to the query whose list is on screen: after overlapping changes `previous` may never have been listed.
      this._query = this.shownQuery ?? previous;
      this.updateContext();
      this.update({ ...(this.cachedResult(this._query) ?? {}), error: undefined });
    }
    return outcome;
  }

  /** Cancels the running refresh (the progress notification's Cancel), and the one queued behind it; the previous list stays. */
  cancelRefresh(): void {
    this.inflight?.cts.cancel();
    if (this.queued) this.queued.cancelled = true;
  }

  /**
   * Lists the summaries of the current query. A refresh asked for while one runs is queued once (not
   * stacked) and shared by everyone who asked meanwhile, so a burst of collector events costs at most one
   * extra request.
   */
  refresh(token?: vscode.CancellationToken): Promise<QueryOutcome> {
    if (this.inflight) {
      // Asked for after a Cancel: wanted again.
      if (this.queued) this.queued.cancelled = false;
      else {
        const queued = { cancelled: false } as QueuedRefresh;
        queued.run = this.inflight.done.then(() => {
          this.queued = undefined;
          if (this.isDisposed) return CANCELLED;
          if (queued.cancelled) {
            // Cancel pressed while this waited: the previous list stays (the run before may have returned superseded,
            // leaving `loading` set).
            this.update({ loading: false, progress: undefined, throttled: false, cancelled: true });
            return CANCELLED;
          }
          return this.refresh(token);
        });
        this.queued = queued;
      }
      return this.queued.run;
    }
    const cts = new vscode.CancellationTokenSource();
    const sub = token?.onCancellationRequested(() => cts.cancel());
    const done = this.run(cts.token).finally(() => {
      sub?.dispose();
      cts.dispose();
      this.inflight = undefined;
    });
    this.inflight = { cts, done };
    return done;
  }

  private async run(token: vscode.CancellationToken): Promise<QueryOutcome> {
    let available: SourceAvailability;
    try {
      available = await this.sources.ready();
    } catch (err) {
      // Making the source failed (a malformed endpoint, an unreadable config file): say so in the view.
      const described = describeSourceError(err, 'the trace source');
      this.log.error(`Creating the trace source failed: ${described.message}`);
      this.update({ ...EMPTY, unavailable: described.message });
      return { ok: false, error: described };
    }
    if (token.isCancellationRequested) return CANCELLED;
    if (!available.source) {
      this.update({ ...EMPTY, unavailable: available.reason });
      return { ok: false, error: { kind: 'unknown', message: available.reason } };
    }
    const source = available.source;
    const query = this._query;
    this.update({ loading: true, unavailable: undefined, sourceLabel: source.label, sourceKind: source.kind, progress: undefined, throttled: false, cancelled: false });
    const settings = readSettings();
    const signal = toAbortSignal(token);
    const onProgress = (event: SourceProgress) => this.reportProgress(source, event);
    try {
      const mode = source.kind === 'aws' && !this._state.mode ? source.getMode({ signal }).catch(() => undefined) : undefined;
      const result = await source.listTraceSummaries(
        { window: resolveTimeRange(query.range, Date.now()), filterExpression: query.filterExpression, maxTraces: settings.tracesMaxShown },
        { signal, onProgress },
      );
      // Awaited before the check below: a query changed while the mode was still being asked supersedes this run too.
      const accountMode = await mode;
      if (this.sources.current().source !== source || this._query !== query) return CANCELLED; // superseded meanwhile
      result.summaries.sort((a, b) => b.startTime - a.startTime);
      const listed: ListResult = {
        summaries: result.summaries,
        tracesProcessed: result.tracesProcessed,
        truncated: result.truncated,
        sampled: result.sampled,
        incomplete: result.incomplete?.message,
        refreshedAt: Date.now(),
      };
      if (result.incomplete) this.log.warn(`Listing traces from ${source.label} stopped early: ${result.incomplete.message}`);
      this.remember(source, query, listed);
      this.shownQuery = query;
      this.update({ incomplete: undefined, ...listed, loading: false, error: undefined, progress: undefined, throttled: false, mode: accountMode ?? this._state.mode });
      return { ok: true };
    } catch (err) {
      const described = describeSourceError(err, source.label);
      if (described.kind !== 'cancelled') this.log.error(`Listing traces from ${source.label} failed: ${described.message}`);
      const current = this.sources.current().source === source;
      if (current && described.kind === 'cancelled') this.update({ loading: false, progress: undefined, throttled: false, cancelled: this._query === query });
      else if (current) this.update({ loading: false, progress: undefined, throttled: false, error: described });
      return { ok: false, error: described };
    }
  }

  private reportProgress(source: TraceSource, event: SourceProgress): void {
    if (this.sources.current().source !== source) return;
    switch (event.kind) {
      case 'summaries':
        this.update({ progress: `${event.received.toLocaleString('en-US')} traces, ${event.scanned.toLocaleString('en-US')} scanned` });
        break;
      case 'throttled':
        this.log.warn(`${source.label} throttled ${event.operation}; retrying at ${event.ratePerSecond.toFixed(1)} requests/s.`);
        this.update({ throttled: true, progress: `throttled by ${source.label} — retrying ${event.operation} at ${event.ratePerSecond.toFixed(1)}/s` });
        break;
      case 'traces':
        this.update({ progress: `${event.received} of ${event.total} traces` });
        break;
      case 'retrieval':
        this.update({ progress: `Transaction Search retrieval ${event.status.toLowerCase()} (${Math.round(event.waitedMs / 1000)} s)` });
        break;
    }
  }

  /** The full trace for a summary, fetched once per revision. */
  getTrace(summary: TraceSummaryView): Promise<FetchedTrace | undefined> {
    const cached = this.traceCache.get(summary.id);
    if (cached && cached.revision === summary.revision) return cached.trace;
    const trace = this.fetchTrace(summary.id);
    this.traceCache.set(summary.id, { revision: summary.revision, trace });
    this.pruneTraceCache();
    return trace;
  }

  /**
   * Full traces for many summaries (the latency lens's), through the same cache: the ones not cached are asked for
   * TRACES_PER_CALL at a time, one call after the other, so the source batches them (BatchGetTraces takes 5 ids per
   * request) and a failure loses one group only. `signal` aborts the requests in flight and the groups not begun.
   * Traces the source no longer has are left out; those of a group that failed too, counted in `failed`; those the
   * source stopped before fetching (it kept throttling) are counted in `failed` as well, and `incomplete` says so.
   */
  async getTraces(summaries: readonly TraceSummaryView[], signal?: AbortSignal): Promise<{ traces: FetchedTrace[]; failed: number; incomplete?: string }> {
    const wanted: Array<Promise<FetchedTrace | undefined>> = [];
    const missing: TraceSummaryView[] = [];
    for (const summary of summaries) {
      const cached = this.traceCache.get(summary.id);
      if (cached && cached.revision === summary.revision) wanted.push(cached.trace);
      else missing.push(summary);
    }
    let previous: Promise<unknown> = Promise.resolve();
    let incomplete: string | undefined;
    let stopped = false;
    for (let i = 0; i < missing.length; i += TRACES_PER_CALL) {
      const group = missing.slice(i, i + TRACES_PER_CALL);
      // After a group the source stopped (throttled for the give-up time), the rest are not asked for: the next build will.
      const fetched = previous.then(() => {
        if (stopped) throw new Error('not fetched: the source kept throttling');
        return this.fetchTraces(group.map((s) => s.id), signal).then(
          (result) => {
            if (result.incomplete) {
              stopped = true;
              incomplete = result.incomplete.cause;
            }
            return result.byId;
          },
          (err: unknown) => {
            // A group of which nothing got through stops the rest the same way.
            const cause = (err as { throttledCause?: string }).throttledCause;
            if (cause) {
              stopped = true;
              incomplete ??= cause;
            }
            throw err;
          },
        );
      });
      previous = fetched.catch(() => undefined);
      for (const summary of group) {
        const trace = fetched.then((byId) => byId.get(summary.id));
        const entry = { revision: summary.revision, trace };
        this.traceCache.set(summary.id, entry);
        // A failed or cancelled group is asked for again next time.
        trace.catch(() => {
          if (this.traceCache.get(summary.id) === entry) this.traceCache.delete(summary.id);
        });
        wanted.push(trace);
      }
    }
    this.pruneTraceCache();
    const traces: FetchedTrace[] = [];
    let failed = 0;
    for (const result of await Promise.allSettled(wanted)) {
      if (result.status === 'rejected') failed++;
      else if (result.value) traces.push(result.value);
    }
    if (incomplete) {
      // A trace the source stopped before fetching is not "gone": it counts as failed, and is asked for again next time.
      const missingIds = new Set(missing.map((s) => s.id).filter((id) => !traces.some((t) => t.id === id)));
      for (const id of missingIds) this.traceCache.delete(id);
      failed = summaries.length - traces.length;
    }
    return { traces, failed, ...(incomplete ? { incomplete: fetchedOf(traces.length, summaries.length, incomplete) } : {}) };
  }

  private async fetchTraces(ids: string[], signal?: AbortSignal): Promise<{ byId: Map<string, FetchedTrace>; incomplete?: { cause: string } }> {
    signal?.throwIfAborted();
    const available = await this.sources.ready();
    if (!available.source) throw new Error(available.reason);
    try {
      const result = await available.source.getTraces(ids, { signal });
      return { byId: new Map(result.traces.map((t) => [t.id, t])), incomplete: result.incomplete };
    } catch (err) {
      const described = describeSourceError(err, available.source.label);
      if (described.kind !== 'cancelled') this.log.error(`Fetching ${ids.length} traces failed: ${described.message}`);
      const failure = new Error(described.message) as Error & { throttledCause?: string };
      if (described.kind === 'throttled') failure.throttledCause = `${available.source.label} throttled every request for ${readSettings().awsGiveUpAfterSeconds} s`;
      throw failure;
    }
  }

  /** Only traces still listed stay cached. */
  private pruneTraceCache(): void {
    if (this.traceCache.size <= this._state.summaries.length + 50) return;
    const listed = new Set(this._state.summaries.map((s) => s.id));
    for (const id of this.traceCache.keys()) if (!listed.has(id)) this.traceCache.delete(id);
  }

  /**
   * Summaries of another window than the list's, with the list's filter (Compare Latency's "before"): neither shown
   * nor kept. Newest first, at most `maxTraces`.
   */
  async summariesIn(window: TimeWindow, maxTraces: number, signal?: AbortSignal): Promise<{ summaries: TraceSummaryView[]; truncated: boolean; incomplete?: string }> {
    const available = await this.sources.ready();
    if (!available.source) throw new Error(available.reason);
    try {
      const result = await available.source.listTraceSummaries({ window, filterExpression: this._query.filterExpression, maxTraces }, { signal });
      result.summaries.sort((a, b) => b.startTime - a.startTime);
      return { summaries: result.summaries, truncated: result.truncated, ...(result.incomplete ? { incomplete: result.incomplete.message } : {}) };
    } catch (err) {
      throw new Error(describeSourceError(err, available.source.label).message);
    }
  }

  /** A trace by id, listed or not (a trace id typed or pasted, a lens's slowest trace). */
  async fetchTrace(id: string, signal?: AbortSignal): Promise<FetchedTrace | undefined> {
    const available = await this.sources.ready();
    if (!available.source) throw new Error(available.reason);
    try {
      const result = await available.source.getTraces([id], { signal });
      const trace = result.traces.find((t) => t.id === id);
      if (!trace) this.traceCache.delete(id);
      return trace;
    } catch (err) {
      this.traceCache.delete(id);
      const described = describeSourceError(err, available.source.label);
      if (described.kind !== 'cancelled') this.log.error(`Fetching trace ${id} failed: ${described.message}`);
      throw new Error(described.message);
    }
  }

  private cacheKey(source: TraceSource, query: TraceQuery): string {
    return JSON.stringify([source.label, timeRangeKey(query.range), query.filterExpression ?? '']);
  }

  private cachedResult(query: TraceQuery): ListResult | undefined {
    const source = this.sources.current().source;
    return source ? this.results.get(this.cacheKey(source, query)) : undefined;
  }

  private remember(source: TraceSource, query: TraceQuery, result: ListResult): void {
    const key = this.cacheKey(source, query);
    this.results.delete(key); // re-inserted last: the map's order is least recently used first
    this.results.set(key, result);
    if (this.results.size > RESULT_CACHE_SIZE) this.results.delete(this.results.keys().next().value as string);
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'xrayLens.traceFilterActive', Boolean(this._query.filterExpression || this._restriction));
  }

  private update(patch: Partial<TraceListState>): void {
    this._state = { ...this._state, ...patch };
    this._onDidChange.fire();
  }
}
