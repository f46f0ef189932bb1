// The X-Ray data model: segment documents as SDKs send them (and BatchGetTraces returns them), and the
// read-API shapes (trace summaries, service graph) in the REST-JSON form the X-Ray API uses.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html

/** A stack frame inside `cause.exceptions[].stack`. SDKs send `line: null` and `path: "node"` for internals. */
export interface StackFrame {
  path?: string;
  line?: number | null;
  label?: string;
}

export interface ExceptionInfo {
  id?: string;
  message?: string;
  type?: string;
  remote?: boolean;
  truncated?: number;
  skipped?: number;
  cause?: string;
  stack?: StackFrame[];
  [unknown: string]: unknown;
}

/** The full form of `cause`. The other two forms are a bare exception id string, and `{ id }` (see CauseValue). */
export interface CauseObject {
  working_directory?: string;
  paths?: string[];
  exceptions?: ExceptionInfo[];
  id?: string;
  [unknown: string]: unknown;
}

/**
 * `cause` as sent on the wire. Three forms:
 *  - a full CauseObject with `exceptions`;
 *  - `{ "id": X }` — the Node SDK sends this when an error bubbles up: X is the id of the exception held by
 *    the (sub)segment that first recorded it;
 *  - a bare exception-id string (the older form of the same reference).
 */
export type CauseValue = CauseObject | string;

export interface HttpBlock {
  request?: {
    method?: string;
    url?: string;
    user_agent?: string;
    client_ip?: string;
    x_forwarded_for?: boolean;
    traced?: boolean;
    [unknown: string]: unknown;
  };
  response?: {
    status?: number;
    content_length?: number;
    [unknown: string]: unknown;
  };
  [unknown: string]: unknown;
}

export type AnnotationValue = string | number | boolean;

/**
 * A segment or subsegment document. Unknown fields are kept (the index signature), never dropped.
 * Segments carry `trace_id`; independent subsegment documents carry `type: "subsegment"`, `trace_id`
 * and `parent_id`; embedded subsegments carry neither.
 */
export interface SegmentDocument {
  id: string;
  name: string;
  trace_id?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  parent_id?: string;
  type?: string;
  namespace?: string;
  origin?: string;
  inferred?: boolean;
  user?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  http?: HttpBlock;
  aws?: Record<string, unknown>;
  sql?: Record<string, unknown>;
  service?: Record<string, unknown>;
  annotations?: Record<string, AnnotationValue>;
  metadata?: Record<string, Record<string, unknown>>;
  cause?: CauseValue;
  precursor_ids?: string[];
  subsegments?: SegmentDocument[];
  [unknown: string]: unknown;
}

/** How X-Ray classifies a (sub)segment or a trace. */
export type Outcome = 'ok' | 'error' | 'fault' | 'throttle';

// ---------------------------------------------------------------------------------------------------------
// Read-API shapes (REST JSON, PascalCase), as GetTraceSummaries / BatchGetTraces / GetServiceGraph return them.
// Times are epoch seconds (the REST JSON protocol sends timestamps as numbers).

export interface ApiAnnotationValue {
  NumberValue?: number;
  BooleanValue?: boolean;
  StringValue?: string;
}

export interface ApiTraceSummary {
  Id: string;
  StartTime?: number;
  Duration?: number;
  ResponseTime?: number;
  HasFault?: boolean;
  HasError?: boolean;
  HasThrottle?: boolean;
  IsPartial?: boolean;
  Http?: { HttpURL?: string; HttpStatus?: number; HttpMethod?: string; UserAgent?: string; ClientIp?: string };
  Annotations?: Record<string, { AnnotationValue: ApiAnnotationValue; ServiceIds?: ApiServiceId[] }[]>;
  Users?: { UserName?: string; ServiceIds?: ApiServiceId[] }[];
  ServiceIds?: ApiServiceId[];
  EntryPoint?: ApiServiceId;
  ResourceARNs?: { ARN?: string }[];
  InstanceIds?: { Id?: string }[];
  Revision?: number;
  MatchedEventTime?: number;
  [unknown: string]: unknown;
}

export interface ApiServiceId {
  Name?: string;
  Names?: string[];
  AccountId?: string;
  Type?: string;
}

export interface ApiTrace {
  Id: string;
  Duration?: number;
  LimitExceeded?: boolean;
  Segments: { Id: string; Document: string }[];
}

export interface ApiHistogramEntry {
  Value: number;
  Count: number;
}

export interface ApiErrorStatistics {
  ThrottleCount: number;
  OtherCount: number;
  TotalCount: number;
}

export interface ApiFaultStatistics {
  OtherCount: number;
  TotalCount: number;
}

export interface ApiEdgeStatistics {
  OkCount: number;
  ErrorStatistics: ApiErrorStatistics;
  FaultStatistics: ApiFaultStatistics;
  TotalCount: number;
  TotalResponseTime: number;
}

export type ApiServiceStatistics = ApiEdgeStatistics;

export interface ApiEdge {
  ReferenceId: number;
  StartTime: number;
  EndTime: number;
  SummaryStatistics: ApiEdgeStatistics;
  ResponseTimeHistogram: ApiHistogramEntry[];
  Aliases: { Name: string; Names?: string[]; Type?: string }[];
  EdgeType?: string;
}

export interface ApiServiceNode {
  ReferenceId: number;
  Name?: string;
  Names: string[];
  Root?: boolean;
  AccountId?: string;
  Type: string;
  State: string;
  StartTime: number;
  EndTime: number;
  Edges: ApiEdge[];
  SummaryStatistics?: ApiServiceStatistics;
  DurationHistogram: ApiHistogramEntry[];
  ResponseTimeHistogram: ApiHistogramEntry[];
}

export interface ApiServiceGraph {
  StartTime: number;
  EndTime: number;
  Services: ApiServiceNode[];
  ContainsOldGroupVersions?: boolean;
}

/** GetTraceGraph: the service graph of specific traces, without a time window. */
export interface ApiTraceGraph {
  Services: ApiServiceNode[];
}
