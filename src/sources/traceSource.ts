// Where traces come from. One interface for AWS X-Ray and for the local collector (which speaks the same
// read API), so the tree, the lenses and the map never care which one is behind it.
import type { ApiServiceGraph, SegmentDocument } from '../xray/model';

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
  /** Changes whenever X-Ray (or the collector) revises the trace: new segments arrived. */
  revision: number;
}

export interface SummaryResult {
  summaries: TraceSummaryView[];
  /** How many traces the service looked at (GetTraceSummaries' TracesProcessedCount, summed over pages). */
  tracesProcessed: number;
  /** true when paging stopped at maxTraces with more pages left. */
  truncated: boolean;
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
  unprocessedIds: string[];
}

export interface TraceSource {
  readonly kind: 'local' | 'aws';
  /** Short, for the status bar: "local :2000", "AWS us-east-1 (dev)". */
  readonly label: string;
  listTraceSummaries(query: SummaryQuery, signal?: AbortSignal): Promise<SummaryResult>;
  getTraces(ids: string[], signal?: AbortSignal): Promise<GetTracesResult>;
  getServiceGraph(window: TimeWindow, signal?: AbortSignal): Promise<ApiServiceGraph>;
  dispose(): void;
}
