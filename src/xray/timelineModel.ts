// The timeline's shapes: what src/xray/timeline.ts builds and the timeline webview draws. Types only, and
// importing nothing that needs Node, so the browser code type-checks against them.
//
// The rows are columns (typed arrays, one entry per row) and their strings one string table, not one object
// per row: a 50,000-span trace is then a few dozen objects instead of 50,000. Webview.postMessage does not
// send typed arrays as JSON: for an extension whose engines.vscode is ≥ 1.57 (ours: ^1.100) it takes every
// ArrayBuffer and typed array out of the message and sends them as binary buffers beside the JSON, and the
// webview gets typed arrays of the same type back (vscode `extHostWebviewMessaging.ts`,
// serializeWebviewMessage / deserializeWebviewMessage). The JSON part is a handful of fields and one string.
import type { Outcome } from './model';

export type TimelineRowKind = 'segment' | 'subsegment' | 'remote' | 'aws';

/**
 * The numbers the code columns hold. A type, so that the host and the webview each write the values out
 * (the webview imports types only) and the compiler checks that both wrote the same.
 */
export interface TimelineCodes {
  kind: { segment: 0; subsegment: 1; remote: 2; aws: 3 };
  outcome: { ok: 0; error: 1; fault: 2; throttle: 3 };
  /** Bits of TimelineColumns.flags. */
  flag: { inProgress: 1; critical: 2; source: 4 };
}

/** Row i of the trace is entry i of every column. Rows are in display order (pre-order); parents come first. */
export interface TimelineColumns {
  /** Milliseconds from the trace's start. */
  start: Float64Array;
  /** Milliseconds from the trace's start; for a row still in progress, the trace's end so far. */
  end: Float64Array;
  /** Index of the parent row, -1 for a root. */
  parent: Int32Array;
  depth: Int32Array;
  childCount: Int32Array;
  /** Index into TimelineModel.services: the service the row belongs to (its colour). */
  service: Int32Array;
  /** String table indices: the span's id (persisted state names rows by it), its name, and a few words shown after the name (HTTP method and status, AWS operation, database). */
  id: Int32Array;
  name: Int32Array;
  note: Int32Array;
  /** TimelineCodes.kind */
  kind: Uint8Array;
  /** TimelineCodes.outcome */
  outcome: Uint8Array;
  /** TimelineCodes.flag bits: in progress, on the critical path, maps to code (see TimelineModel.sources). */
  flags: Uint8Array;
}

/** All strings of the columns in one text: string k is text.slice(offsets[k], offsets[k + 1]). Repeated strings are stored once. */
export interface TimelineStrings {
  text: string;
  offsets: Uint32Array;
}

/**
 * Where rows map to code (a stack frame of their exception, or OpenTelemetry's code.* attributes), only for
 * the rows that do, in row order. Strings are string table indices, -1 when absent.
 */
export interface TimelineSourceColumns {
  row: Int32Array;
  path: Int32Array;
  line: Int32Array;
  label: Int32Array;
  workingDirectory: Int32Array;
}

/** Critical-path sections in milliseconds from the trace's start, latest first. */
export interface TimelineCriticalColumns {
  row: Int32Array;
  start: Float64Array;
  end: Float64Array;
}

export interface TimelineModel {
  traceId: string;
  /** Epoch seconds of the earliest start. */
  startTime: number;
  durationMs: number;
  rowCount: number;
  rows: TimelineColumns;
  strings: TimelineStrings;
  services: string[];
  sources: TimelineSourceColumns;
  critical: TimelineCriticalColumns;
  /** Rows left out past MAX_TIMELINE_ROWS. */
  omitted: number;
}

/** Where a row maps to code. */
export interface TimelineSource {
  path: string;
  line: number;
  label?: string;
  workingDirectory?: string;
}

/** One row read back out of the columns (the host and the tests use it; the webview reads the columns). */
export interface TimelineRow {
  id: string;
  parent: number;
  depth: number;
  start: number;
  end: number;
  name: string;
  service: number;
  kind: TimelineRowKind;
  outcome: Outcome;
  inProgress: boolean;
  childCount: number;
  critical: boolean;
  note: string;
  source?: TimelineSource;
}

export interface TimelineDetailSection {
  title: string;
  text: string;
}
