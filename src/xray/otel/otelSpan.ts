// OpenTelemetry spans as the converter to X-Ray segment documents sees them: decoded from OTLP (protobuf or
// JSON, over HTTP or ADOT's UDP format) into plain values, independent of any protobuf library.
// Mirrors OTLP's trace data model (opentelemetry-proto trace/v1) with attribute values unwrapped.

/** An attribute value: AnyValue unwrapped. int64 values that do not fit a double exactly stay decimal strings. */
export type OtelValue = string | number | boolean | null | OtelValue[] | { [key: string]: OtelValue };

export type OtelAttributes = Record<string, OtelValue>;

export type OtelSpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

/** Status codes as OTLP numbers them: 0 unset, 1 ok, 2 error. */
export type OtelStatusCode = 0 | 1 | 2;

export interface OtelEvent {
  name: string;
  /** Nanoseconds since the epoch, as a decimal string (exact: int64 does not fit a double). */
  timeUnixNano: string;
  attributes: OtelAttributes;
}

export interface OtelLink {
  traceId: string;
  spanId: string;
  attributes: OtelAttributes;
}

export interface OtelSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits; absent (or empty) for a root span. */
  parentSpanId?: string;
  name: string;
  kind: OtelSpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtelAttributes;
  events: OtelEvent[];
  links?: OtelLink[];
  status: { code: OtelStatusCode; message?: string };
}

/** Spans that share a resource (service) and instrumentation scope: one ScopeSpans of one ResourceSpans. */
export interface OtelSpanBatch {
  resource: OtelAttributes;
  scope?: { name?: string; version?: string };
  spans: OtelSpan[];
}
