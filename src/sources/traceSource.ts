// Where traces come from. One interface for AWS X-Ray and for the local collector (which speaks the same
// read API), so the tree, the lenses and the map never care which one is behind it.
import type { ApiServiceGraph, ApiTraceGraph, SegmentDocument } from '../xray/model';

export interface TimeWindow {
  /** epoch seconds */
  startTime: number;
  /** epoch seconds */
  endTime: number;
}

export interface SummaryQuery {
  window: TimeWindow;
  filterExpression?: string;
  /** Stop paging once this many summaries are in hand (the console's default cap is 1,000). */
  maxTraces: number;
  /** Ask the service for a sample of the matching traces (GetTraceSummaries' Sampling); default false. */
  sampling?: boolean;
}

/** A trace summary normalised from the API's shape (dates as epoch seconds, absent flags as false). */
export interface TraceSummaryView {
  id: string;
  startTime: number;
  duration: number;
  responseTime: number;
  hasFault: boolean;
  hasError: boolean;
  hasThrottle: boolean;
  isPartial: boolean;
  method?: string;
  url?: string;
  status?: number;
  entryPoint?: string;
  services: string[];
  /**
   * Annotation key → the distinct values the trace holds (GetTraceSummaries' Annotations, without the ServiceIds);
   * absent when the service sent none. Own keys only (built with Object.fromEntries): read with Object.entries.
   */
  annotations?: Record<string, Array<string | number | boolean>>;
  /** Changes whenever X-Ray (or the collector) revises the trace: new segments arrived. */
  revision: number;
}

/**
 * A fetch that stopped before it had everything: the service throttled every request for the configured time
 * (`giveUpAfterMs`) without one getting through. What did arrive is kept and shown, marked partial.
 */
export interface Incomplete {
  reason: 'throttled';
  /** One sentence for the user: what is missing and why. */
  message: string;
  /** Why, for a caller that words what is missing itself: "AWS us-east-1 throttled every request for 60 s (41 throttled in all)". */
  cause: string;
}

/** "120 of 141 traces fetched, then AWS us-east-1 throttled …: 21 are missing." */
export function fetchedOf(fetched: number, wanted: number, cause: string): string {
  return `${fetched.toLocaleString('en-US')} of ${wanted.toLocaleString('en-US')} traces fetched, then ${cause}: ${(wanted - fetched).toLocaleString('en-US')} are missing.`;
}

export interface SummaryResult {
  /** Newest first; at most maxTraces. */
  summaries: TraceSummaryView[];
  /** How many traces the service looked at (GetTraceSummaries' TracesProcessedCount, summed over pages). */
  tracesProcessed: number;
  /** true when paging stopped at maxTraces with more pages left: older traces of the window are not listed. */
  truncated: boolean;
  /** true when the query asked the service to sample (SummaryQuery.sampling): the list is a subset. */
  sampled: boolean;
  /** The service's ApproximateTime of the last page read (epoch seconds): traces are complete up to about then. */
  approximateTime?: number;
  /** GetTraceSummaries calls made. */
  pages: number;
  /** Set when paging stopped early because the service kept throttling: older summaries of the window are missing. */
  incomplete?: Incomplete;
}

export interface RejectedDocument {
  segmentId: string;
  message: string;
}

export interface FetchedTrace {
  id: string;
  duration?: number;
  limitExceeded: boolean;
  segments: SegmentDocument[];
  /** Segment documents the API returned that did not parse: shown, never silently dropped. */
  rejected: RejectedDocument[];
}

export interface GetTracesResult {
  traces: FetchedTrace[];
  /** Ids the service did not return, after a few retry rounds (unknown, expired, or still being indexed), and those not asked for before a give-up. */
  unprocessedIds: string[];
  /** Set when some of the traces were never fetched because the service kept throttling. */
  incomplete?: Incomplete;
}

/** Progress and state while a call runs, for a progress notification or a "throttled — retrying" state. */
export type SourceProgress =
  /** GetTraceSummaries pages so far: summaries kept, traces the service scanned. */
  | { kind: 'summaries'; received: number; scanned: number }
  /** Full traces fetched so far out of the ids asked for. */
  | { kind: 'traces'; received: number; total: number }
  /** One attempt of `operation` (e.g. "BatchGetTraces") was throttled; it is retried, slower, until no request has got through for the give-up time. */
  | { kind: 'throttled'; operation: string; ratePerSecond: number }
  /** Transaction Search: the retrieval's status (SCHEDULED, RUNNING, COMPLETE) while polling. */
  | { kind: 'retrieval'; status: string; waitedMs: number };

export interface RequestOptions {
  /** Cancels every request of the call, and any wait (pacing, retry back-off, polling), within 200 ms. */
  signal?: AbortSignal;
  onProgress?: (event: SourceProgress) => void;
}

/**
 * Where the account keeps full traces (GetTraceSegmentDestination): 'XRay' → BatchGetTraces;
 * 'CloudWatchLogs' (Transaction Search) → StartTraceRetrieval + ListRetrievedTraces.
 */
export interface SourceMode {
  destination: 'XRay' | 'CloudWatchLogs';
  /** The destination's status as the service reported it (ACTIVE, PENDING); absent when not asked. */
  status?: string;
  /** Why the mode was assumed rather than read (the local collector; a service without the operation). */
  assumed?: string;
}

export interface TraceSource {
  readonly kind: 'local' | 'aws';
  /** Short, for the status bar: "local :2000", "AWS us-east-1 (dev)". */
  readonly label: string;
  listTraceSummaries(query: SummaryQuery, options?: RequestOptions): Promise<SummaryResult>;
  /**
   * Full traces. `window` bounds the time the traces started; Transaction Search needs it (without it, the
   * window is taken from the trace ids' timestamps).
   */
  getTraces(ids: string[], options?: RequestOptions & { window?: TimeWindow }): Promise<GetTracesResult>;
  getServiceGraph(window: TimeWindow, options?: RequestOptions): Promise<ApiServiceGraph>;
  /** The service graph of the given traces (GetTraceGraph). */
  getTraceGraph(ids: string[], options?: RequestOptions): Promise<ApiTraceGraph>;
  /** The account's trace mode; asked once per source and cached. */
  getMode(options?: RequestOptions): Promise<SourceMode>;
  dispose(): void;
}
