// What a trace looks like as an outline: segments → subsegments → details (http, sql, aws, annotations,
// metadata) → exceptions → stack frames. Pure, so the tree (and tests) only map nodes to rows.
import { indexExceptions, resolveCause } from './cause';
import { classifyDocument } from './classification';
import type { AnnotationValue, ExceptionInfo, Outcome, SegmentDocument, StackFrame } from './model';
import { isObject } from './segmentDocument';
import { isUserFrame } from './stackFrame';

export type OutlineKind =
  | 'segment'
  | 'subsegment'
  | 'http'
  | 'sql'
  | 'aws'
  | 'annotations'
  | 'annotation'
  | 'metadata'
  | 'exception'
  | 'frame'
  | 'note';

export interface OutlineFrame {
  path: string;
  line: number;
  label?: string;
  workingDirectory?: string;
  /** false for runtime internals and node_modules: shown, but not offered as "open in editor". */
  user: boolean;
}

export interface OutlineNode {
  kind: OutlineKind;
  label: string;
  description?: string;
  /** Multi-line plain text for the hover. */
  detail?: string;
  outcome?: Outcome;
  inProgress?: boolean;
  /** Milliseconds, for segments and subsegments. */
  durationMs?: number;
  frame?: OutlineFrame;
  children: OutlineNode[];
}

/** Longest string we put in a label or description: trace data can be hostile or just huge. */
const MAX_TEXT = 200;

export function clip(text: string, max = MAX_TEXT): string {
  // Cut first (the replacement keeps lengths), so a multi-megabyte value costs no more than a short one.
  let head = text;
  if (text.length > max) {
    const cut = isHighSurrogate(text.charCodeAt(max - 2)) ? max - 2 : max - 1;
    head = `${text.slice(0, cut)}…`;
  }
  // Controls, direction marks and overrides, line separators would reorder or hide what the user reads.
  return head.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, ' ');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A string, number or boolean as text; anything else (an object, a deep array) as undefined. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** ISO date and time; a document validated elsewhere, or not at all, may carry a time no Date can hold. */
function formatEpochSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isFinite(date.getTime())) return date.toISOString();
  return typeof seconds === 'number' ? `${seconds} (not a valid date)` : 'not a number';
}

export function durationMs(doc: SegmentDocument): number | undefined {
  if (doc.end_time === undefined || doc.in_progress) return undefined;
  return (doc.end_time - doc.start_time) * 1000;
}

/** Outline of a whole trace: one node per segment, in start order. Pending streamed subsegments last. */
export function outlineTrace(segments: SegmentDocument[], pending: SegmentDocument[] = []): OutlineNode[] {
  const index = indexExceptions([...segments, ...pending]);
  const ordered = [...segments].sort((a, b) => a.start_time - b.start_time);
  const nodes = ordered.map((s) => outlineDocument(s, index, 'segment'));
  if (pending.length) {
    nodes.push({
      kind: 'note',
      label: `${pending.length} subsegment${pending.length === 1 ? '' : 's'} waiting for their parent`,
      description: 'streamed before the parent segment arrived',
      children: pending.map((p) => outlineDocument(p, index, 'subsegment')),
    });
  }
  return nodes;
}

type ExceptionIndex = ReturnType<typeof indexExceptions>;

function outlineDocument(doc: SegmentDocument, index: ExceptionIndex, kind: 'segment' | 'subsegment'): OutlineNode {
  const ms = durationMs(doc);
  const outcome = classifyDocument(doc);
  const descriptionParts = [doc.in_progress ? 'in progress' : formatDuration(ms)];
  if (kind === 'segment') descriptionParts.push(clip(scalarText(doc.origin) ?? '', 80));
  if (kind === 'subsegment') descriptionParts.push(clip(scalarText(doc.namespace) ?? '', 80));
  if (doc.inferred) descriptionParts.push('inferred');
  const status = doc.http?.response?.status;
  if (typeof status === 'number') descriptionParts.push(String(status));
  const children: OutlineNode[] = [...detailNodes(doc), ...exceptionNodes(doc, index)];
  const subs = Array.isArray(doc.subsegments) ? doc.subsegments.filter(isObject) : [];
  for (const sub of subs.sort((a, b) => a.start_time - b.start_time)) {
    children.push(outlineDocument(sub, index, 'subsegment'));
  }
  return {
    kind,
    label: clip(scalarText(doc.name) || '(unnamed)'),
    description: clip(descriptionParts.filter(Boolean).join(' · ')),
    detail: [
      `${kind} ${doc.id}`,
      doc.trace_id ? `trace ${doc.trace_id}` : '',
      doc.parent_id ? `parent ${doc.parent_id}` : '',
      `start ${formatEpochSeconds(doc.start_time)}`,
      doc.in_progress ? 'in progress (the segment has not been closed yet)' : `duration ${formatDuration(ms)}`,
      outcome !== 'ok' ? `outcome: ${outcome}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
    outcome,
    inProgress: doc.in_progress === true,
    durationMs: ms,
    children,
  };
}

function detailNodes(doc: SegmentDocument): OutlineNode[] {
  const nodes: OutlineNode[] = [];
  const req = doc.http?.request;
  const res = doc.http?.response;
  if (req || res) {
    const label = [scalarText(req?.method), scalarText(req?.url)].filter(Boolean).join(' ') || 'HTTP';
    const status = scalarText(res?.status);
    nodes.push({
      kind: 'http',
      label: clip(label),
      description: status !== undefined ? clip(`→ ${status}`) : undefined,
      detail: clip(safeJson(doc.http, 1), 2000),
      children: [],
    });
  }
  if (doc.sql && typeof doc.sql === 'object') {
    const sql = doc.sql as Record<string, unknown>;
    const query = scalarText(sql.sanitized_query) ?? scalarText(sql.url) ?? 'SQL';
    nodes.push({
      kind: 'sql',
      label: clip(query),
      description: clip([sql.database_type, sql.user].filter((v) => typeof v === 'string').join(' · ')) || undefined,
      detail: clip(safeJson(doc.sql, 1), 2000),
      children: [],
    });
  }
  if (doc.aws && typeof doc.aws === 'object' && doc.namespace === 'aws') {
    const aws = doc.aws as Record<string, unknown>;
    const parts = [scalarText(aws.operation), scalarText(aws.table_name ?? aws.queue_url ?? aws.function_name ?? aws.bucket_name)];
    const retries = scalarText(aws.retries);
    nodes.push({
      kind: 'aws',
      label: clip(parts.filter(Boolean).join(' ') || 'AWS call'),
      description: clip([scalarText(aws.region), retries !== undefined ? `${retries} retries` : undefined].filter(Boolean).join(' · ')) || undefined,
      detail: clip(safeJson(doc.aws, 1), 2000),
      children: [],
    });
  }
  const annotations = Object.entries(doc.annotations ?? {});
  if (annotations.length) {
    nodes.push({
      kind: 'annotations',
      label: 'annotations',
      description: String(annotations.length),
      children: annotations.map(([k, v]) => ({
        kind: 'annotation' as const,
        label: clip(k),
        description: clip(formatAnnotation(v)),
        children: [],
      })),
    });
  }
  for (const [namespace, values] of Object.entries(doc.metadata ?? {})) {
    if (!values || typeof values !== 'object') continue;
    nodes.push({
      kind: 'metadata',
      label: `metadata: ${clip(namespace, 60)}`,
      description: `${Object.keys(values).length} keys`,
      children: Object.entries(values).map(([k, v]) => ({
        kind: 'metadata' as const,
        label: clip(k),
        description: clip(safeJson(v)),
        detail: clip(safeJson(v, 1), 4000),
        children: [],
      })),
    });
  }
  return nodes;
}

function formatAnnotation(v: AnnotationValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : safeJson(v);
}

/** JSON text of any value; one too deep or circular to write (a document not validated) gets a note. */
function safeJson(v: unknown, indent?: number): string {
  try {
    return JSON.stringify(v, null, indent) ?? String(v);
  } catch {
    // Not String(v): on a deeply nested array that overflows the stack too.
    return '(too deeply nested or circular to show)';
  }
}

function exceptionNodes(doc: SegmentDocument, index: ExceptionIndex): OutlineNode[] {
  if (doc.cause === undefined) return [];
  const resolved = resolveCause(doc, index);
  if (!resolved) return [];
  const nodes = resolved.exceptions.map((ex) => exceptionNode(ex, resolved.workingDirectory, resolved.referenced));
  if (resolved.unresolvedId) {
    nodes.push({
      kind: 'note',
      label: `cause refers to exception ${clip(resolved.unresolvedId, 40)}`,
      description: 'not found in this trace',
      children: [],
    });
  }
  return nodes;
}

function exceptionNode(ex: ExceptionInfo, workingDirectory: string | undefined, referenced: boolean): OutlineNode {
  const type = typeof ex.type === 'string' && ex.type ? ex.type : 'Error';
  const message = typeof ex.message === 'string' ? ex.message : '';
  const frames = Array.isArray(ex.stack) ? ex.stack : [];
  return {
    kind: 'exception',
    label: clip(message ? `${type}: ${message}` : type),
    description: [referenced ? 'from a subsegment' : '', ex.remote ? 'remote' : ''].filter(Boolean).join(' · ') || undefined,
    detail: clip(message, 4000),
    outcome: 'fault',
    children: frames.map((f) => frameNode(f, workingDirectory)),
  };
}

function frameNode(f: StackFrame, workingDirectory: string | undefined): OutlineNode {
  const path = typeof f.path === 'string' ? f.path : '';
  const line = typeof f.line === 'number' && Number.isFinite(f.line) ? f.line : 0;
  const user = isUserFrame(f);
  return {
    kind: 'frame',
    label: clip(typeof f.label === 'string' && f.label ? f.label : '(anonymous)'),
    description: clip(line ? `${path}:${line}` : path),
    frame: { path, line, label: f.label, workingDirectory, user },
    children: [],
  };
}

export function formatAge(ageSeconds: number): string {
  if (!Number.isFinite(ageSeconds) || ageSeconds < 0) return 'just now';
  if (ageSeconds < 60) return `${Math.floor(ageSeconds)}s ago`;
  if (ageSeconds < 3600) return `${Math.floor(ageSeconds / 60)}m ago`;
  if (ageSeconds < 86400) return `${Math.floor(ageSeconds / 3600)}h ago`;
  return `${Math.floor(ageSeconds / 86400)}d ago`;
}

/** "GET /orders/42" for an HTTP trace (the path, not the whole URL), else the entry point's name. */
export function traceTitle(t: { method?: string; url?: string; entryPoint?: string; id: string }): string {
  if (t.url) {
    let path = t.url;
    try {
      const u = new URL(t.url);
      path = `${u.pathname}${u.search}`;
    } catch {
      // Not an absolute URL: show it as it came.
    }
    return clip([t.method, path].filter(Boolean).join(' '));
  }
  return clip(t.entryPoint || t.id);
}
