// The timeline's shapes: what src/xray/timeline.ts builds and the timeline webview draws. Types only, and
// importing nothing that needs Node, so the browser code type-checks against them.
import type { Outcome } from './model';

export type TimelineRowKind = 'segment' | 'subsegment' | 'remote' | 'aws';

/** Where a row maps to code: a stack frame of its exception, or OpenTelemetry's code.* attributes. */
export interface TimelineSource {
  path: string;
  line: number;
  label?: string;
  workingDirectory?: string;
}

export interface TimelineRow {
  id: string;
  /** Index of the parent row, -1 for a root. Parents come before their children. */
  parent: number;
  depth: number;
  /** Milliseconds from the trace's start. */
  start: number;
  /** Milliseconds from the trace's start; for a row still in progress, the trace's end so far. */
  end: number;
  name: string;
  /** Index into TimelineModel.services: the service the row belongs to (its colour). */
  service: number;
  kind: TimelineRowKind;
  outcome: Outcome;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  inProgress: boolean;
  childCount: number;
  /** On the critical path (TimelineModel.critical has its sections). */
  critical: boolean;
  /** A few words shown after the name: HTTP method and status, AWS operation, database. */
  note: string;
  /** Lower-case text a search matches: name, annotations, metadata, SQL, URL. */
  search: string;
  source?: TimelineSource;
}

export interface TimelineModel {
  traceId: string;
  /** Epoch seconds of the earliest start. */
  startTime: number;
  durationMs: number;
  rows: TimelineRow[];
  services: string[];
  /** Critical-path sections in milliseconds from the trace's start, latest first. */
  critical: { row: number; start: number; end: number }[];
  /** Rows left out past MAX_TIMELINE_ROWS. */
  omitted: number;
}

export interface TimelineDetailSection {
  title: string;
  text: string;
}
