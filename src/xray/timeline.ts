// The trace timeline as flat rows in display order (a waterfall): segments and their subsegments, the
// segments of called services joined under the subsegment that called them, times as milliseconds from
// the trace's start, the critical path marked, and the text a search and the details area need.
// Pure and flat (arrays, no recursion), so a 10,000-span trace builds in a few milliseconds.
import { indexExceptions, resolveCause, type ExceptionIndex } from './cause';
import { classifyDocument } from './classification';
import { criticalPath } from './criticalPath';
import type { SegmentDocument, StackFrame } from './model';
import { isObject } from './segmentDocument';
import { isEpochSeconds } from './segmentTime';
import { MAX_WALK_DEPTH } from './segmentTree';
import { downstreamService } from './serviceIdentity';
import { isUserFrame } from './stackFrame';
import type { TimelineDetailSection, TimelineModel, TimelineRow, TimelineRowKind, TimelineSource } from './timelineModel';
import { clip, formatDuration } from './traceOutline';

/** The model plus what the host keeps to answer details requests (never sent to the webview). */
export interface TimelineIndex {
  model: TimelineModel;
  documents: SegmentDocument[];
  /** Every exception of the trace by id, built on the first details request (most rows are never opened). */
  exceptions: () => ExceptionIndex;
}


/** Rows beyond this are left out (and counted): even virtualised, a million rows is not a view anyone reads. */
export const MAX_TIMELINE_ROWS = 100_000;
const MAX_SEARCH_TEXT = 1000;
const MAX_SECTION_TEXT = 8000;
const NO_SEGMENT = '(no parent segment)';

interface Node {
  doc: SegmentDocument;
  /** The node this one is embedded in, or -1 for a document of its own. */
  embeddedIn: number;
  /** Index of the document of its own this node belongs to. */
  top: number;
}

/**
 * Builds the timeline of one trace from its segment documents (as BatchGetTraces or TraceAssembler give
 * them) and any streamed subsegments still waiting for their parent.
 */
export function buildTimeline(traceId: string, segments: readonly SegmentDocument[], pending: readonly SegmentDocument[] = []): TimelineIndex {
  const tops = [...segments, ...pending].filter((d) => isObject(d) && typeof d.id === 'string');
  // Only ids some document names as its parent are looked up, so only those go into the map.
  const wanted = new Set<string>();
  for (const doc of tops) if (typeof doc.parent_id === 'string') wanted.add(doc.parent_id);
  const nodes: Node[] = [];
  const byId = new Map<string, number>();
  // Walk each document with an explicit stack of (document, index of the node it is embedded in, depth).
  const stackDocs: SegmentDocument[] = [];
  const stackParent: number[] = [];
  const stackDepth: number[] = [];
  tops.forEach((doc, top) => {
    stackDocs.push(doc);
    stackParent.push(-1);
    stackDepth.push(0);
    while (stackDocs.length > 0) {
      const d = stackDocs.pop() as SegmentDocument;
      const embeddedIn = stackParent.pop() as number;
      const depth = stackDepth.pop() as number;
      if (typeof d.id !== 'string') continue; // and nothing below it
      const index = nodes.length;
      nodes.push({ doc: d, embeddedIn, top });
      if (wanted.has(d.id) && !byId.has(d.id)) byId.set(d.id, index);
      const subs = d.subsegments;
      if (!Array.isArray(subs) || depth >= MAX_WALK_DEPTH) continue;
      for (let k = subs.length - 1; k >= 0; k--) {
        if (!isObject(subs[k])) continue;
        stackDocs.push(subs[k]);
        stackParent.push(index);
        stackDepth.push(depth + 1);
      }
    }
  });

  // A document of its own joins under the node its parent_id names (a called service under the calling
  // subsegment), unless that would close a loop of documents.
  const joinedTo = tops.map((doc, top) => {
    const p = typeof doc.parent_id === 'string' ? byId.get(doc.parent_id) : undefined;
    return p !== undefined && nodes[p].top !== top ? p : -1;
  });
  for (let top = 0; top < tops.length; top++) {
    let at = joinedTo[top];
    for (let hops = 0; at >= 0 && hops <= tops.length; hops++) {
      if (nodes[at].top === top) {
        joinedTo[top] = -1;
        break;
      }
      at = joinedTo[nodes[at].top];
    }
  }

  // Children lists only for nodes that have children: most spans are leaves.
  const children: (number[] | undefined)[] = new Array(nodes.length);
  const roots: number[] = [];
  nodes.forEach((node, i) => {
    const parent = node.embeddedIn >= 0 ? node.embeddedIn : joinedTo[node.top];
    if (parent >= 0) (children[parent] ??= []).push(i);
    else roots.push(i);
  });

  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const { doc } of nodes) {
    if (isEpochSeconds(doc.start_time) && doc.start_time < t0) t0 = doc.start_time;
    const e = isEpochSeconds(doc.end_time) ? doc.end_time : doc.start_time;
    if (isEpochSeconds(e) && e > t1) t1 = e;
  }
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  const ms = (seconds: number) => Math.round((seconds - t0) * 1e6) / 1e3;
  const endMs = ms(t1);

  const startKey = new Float64Array(nodes.length);
  nodes.forEach((node, i) => (startKey[i] = startOf(node.doc)));
  const byStart = (a: number, b: number) => startKey[a] - startKey[b] || a - b;
  roots.sort(byStart);

  const rows: TimelineRow[] = [];
  const documents: SegmentDocument[] = [];
  const services: string[] = [];
  const serviceIndex = new Map<string, number>();
  const serviceOf = (name: string) => {
    let index = serviceIndex.get(name);
    if (index === undefined) {
      index = services.length;
      services.push(name);
      serviceIndex.set(name, index);
    }
    return index;
  };
  let omitted = 0;
  // Pre-order walk with an explicit stack of (node, parent row, depth) triples.
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r], -1, 0);
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const parentRow = stack.pop() as number;
    const i = stack.pop() as number;
    if (rows.length >= MAX_TIMELINE_ROWS) {
      omitted++;
      continue;
    }
    const node = nodes[i];
    const doc = node.doc;
    const ownDocument = node.embeddedIn < 0;
    const kind = kindOf(doc, ownDocument);
    const name = clip(typeof doc.name === 'string' && doc.name ? doc.name : '(unnamed)');
    let service: number;
    if (kind === 'segment' && doc.type !== 'subsegment') service = serviceOf(name);
    else if (ownDocument && doc.inferred === true) service = serviceOf(clip(downstreamService(doc)?.Name || name));
    else service = parentRow >= 0 ? rows[parentRow].service : serviceOf(NO_SEGMENT);
    const inProgress = doc.in_progress === true || !isEpochSeconds(doc.end_time);
    const start = isEpochSeconds(doc.start_time) ? ms(doc.start_time) : parentRow >= 0 ? rows[parentRow].start : 0;
    const end = inProgress ? Math.max(start, endMs) : Math.max(start, ms(doc.end_time as number));
    const row: TimelineRow = {
      id: doc.id.length > 64 ? clip(doc.id, 64) : doc.id,
      parent: parentRow,
      depth,
      start,
      end,
      name,
      service,
      kind,
      outcome: classifyDocument(doc),
      error: doc.error === true,
      fault: doc.fault === true,
      throttle: doc.throttle === true,
      inProgress,
      childCount: 0,
      critical: false,
      note: noteOf(doc),
      search: searchText(doc, name),
    };
    const source = sourceOf(doc);
    if (source) row.source = source;
    const index = rows.length;
    rows.push(row);
    documents.push(doc);
    if (parentRow >= 0) rows[parentRow].childCount++;
    const kids = children[i];
    if (!kids) continue;
    if (kids.length > 1) kids.sort(byStart);
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k], index, depth + 1);
  }

  // Rows were counted as children before a cap could drop them: recount from what is there.
  if (omitted > 0) {
    for (const row of rows) row.childCount = 0;
    for (const row of rows) if (row.parent >= 0) rows[row.parent].childCount++;
  }

  const parent = new Int32Array(rows.length);
  const starts = new Float64Array(rows.length);
  const ends = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    parent[i] = row.parent;
    starts[i] = row.start;
    ends[i] = row.end;
  });
  const critical = criticalPath({ parent, start: starts, end: ends });
  for (const section of critical) rows[section.row].critical = true;

  const model: TimelineModel = {
    traceId: clip(traceId, 64),
    startTime: t0,
    durationMs: endMs,
    rows,
    services,
    critical,
    omitted,
  };
  let exceptions: ExceptionIndex | undefined;
  return { model, documents, exceptions: () => (exceptions ??= indexExceptions(tops)) };
}

function startOf(doc: SegmentDocument): number {
  return isEpochSeconds(doc.start_time) ? doc.start_time : Number.POSITIVE_INFINITY;
}

function kindOf(doc: SegmentDocument, ownDocument: boolean): TimelineRowKind {
  if (ownDocument && doc.type !== 'subsegment') {
    if (doc.inferred !== true) return 'segment';
    return typeof doc.origin === 'string' && doc.origin.startsWith('AWS::') ? 'aws' : 'remote';
  }
  if (doc.namespace === 'aws') return 'aws';
  if (doc.namespace === 'remote') return 'remote';
  return 'subsegment';
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function noteOf(doc: SegmentDocument): string {
  let note = '';
  const add = (part: string | undefined) => {
    if (part) note = note ? `${note} ${part}` : part;
  };
  if (isObject(doc.http)) {
    add(text(isObject(doc.http.request) ? doc.http.request.method : undefined));
    add(text(isObject(doc.http.response) ? doc.http.response.status : undefined));
  }
  if (isObject(doc.aws)) add(text(doc.aws.operation));
  if (isObject(doc.sql)) add(text(doc.sql.database_type));
  return note ? clip(note, 80) : note;
}

function searchText(doc: SegmentDocument, name: string): string {
  // Never shown, only matched: no need to strip controls, only to bound it.
  let out = name;
  if (isObject(doc.annotations)) {
    for (const key in doc.annotations) out += `\n${key}=${text(doc.annotations[key]) ?? ''}`;
  }
  if (isObject(doc.http) && isObject(doc.http.request)) out += `\n${text(doc.http.request.url) ?? ''}`;
  if (isObject(doc.sql)) out += `\n${text(doc.sql.sanitized_query) ?? text(doc.sql.url) ?? ''}`;
  if (isObject(doc.metadata) && out.length < MAX_SEARCH_TEXT) out += `\n${safeJson(doc.metadata, undefined, MAX_SEARCH_TEXT)}`;
  return (out.length > MAX_SEARCH_TEXT ? out.slice(0, MAX_SEARCH_TEXT) : out).toLowerCase();
}

/** JSON text of any value; one too deep or circular to write gets a note instead. */
function safeJson(value: unknown, indent: number | undefined, max: number): string {
  try {
    return (JSON.stringify(value, null, indent) ?? String(value)).slice(0, max);
  } catch {
    return '(too deeply nested or circular to show)';
  }
}

/** The first user frame of the row's own exceptions, else OpenTelemetry's code.* attributes in metadata. */
function sourceOf(doc: SegmentDocument): TimelineSource | undefined {
  const cause = doc.cause;
  if (isObject(cause) && Array.isArray(cause.exceptions)) {
    const workingDirectory = text(cause.working_directory);
    for (const exception of cause.exceptions) {
      if (!isObject(exception) || !Array.isArray(exception.stack)) continue;
      const frame = (exception.stack as unknown[]).find((f): f is StackFrame => isObject(f) && isUserFrame(f) && typeof f.line === 'number' && f.line > 0);
      if (frame) return withoutUndefined({ path: clip(frame.path as string, 1000), line: frame.line as number, label: text(frame.label), workingDirectory });
    }
  }
  const code = isObject(doc.metadata) && isObject(doc.metadata.default) ? doc.metadata.default : undefined;
  if (code) {
    // Semantic conventions before and after 1.26 (code.filepath → code.file.path, code.lineno → code.line.number).
    const path = text(code['code.file.path']) ?? text(code['code.filepath']);
    const line = Number(code['code.line.number'] ?? code['code.lineno']);
    if (path) {
      return withoutUndefined({
        path: clip(path, 1000),
        line: Number.isInteger(line) && line > 0 ? line : 1,
        label: text(code['code.function.name']) ?? text(code['code.function']),
      });
    }
  }
  return undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * What the details area shows for one row, as plain text sections: the span itself, HTTP, SQL, AWS,
 * annotations, metadata and the cause with its stack.
 */
export function timelineDetails(index: TimelineIndex, rowIndex: number): TimelineDetailSection[] {
  const row = index.model.rows[rowIndex];
  const doc = index.documents[rowIndex];
  if (!row || !doc) return [];
  const sections: TimelineDetailSection[] = [];
  const add = (title: string, body: string) => sections.push({ title: clip(title, 200), text: clipBlock(body, MAX_SECTION_TEXT) });
  const started = new Date((index.model.startTime + row.start / 1000) * 1000);
  add(
    row.kind === 'segment' ? 'Segment' : row.kind === 'subsegment' ? 'Subsegment' : row.kind === 'aws' ? 'AWS call' : 'Remote call',
    [
      `name: ${text(doc.name) ?? ''}`,
      `id: ${doc.id}`,
      `service: ${index.model.services[row.service] ?? ''}`,
      `start: ${Number.isFinite(started.getTime()) ? started.toISOString() : '?'} (+${formatDuration(row.start)})`,
      row.inProgress ? 'in progress' : `duration: ${formatDuration(row.end - row.start)}`,
      row.outcome !== 'ok' ? `outcome: ${row.outcome}` : '',
      text(doc.origin) ? `origin: ${text(doc.origin)}` : '',
      text(doc.namespace) ? `namespace: ${text(doc.namespace)}` : '',
      text(doc.user) ? `user: ${text(doc.user)}` : '',
      row.critical ? 'on the critical path' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  if (isObject(doc.http)) add('HTTP', safeJson(doc.http, 2, MAX_SECTION_TEXT));
  if (isObject(doc.sql)) add('SQL', safeJson(doc.sql, 2, MAX_SECTION_TEXT));
  if (isObject(doc.aws)) add('AWS', safeJson(doc.aws, 2, MAX_SECTION_TEXT));
  if (isObject(doc.annotations)) {
    const lines = Object.entries(doc.annotations).map(([k, v]) => `${k} = ${typeof v === 'string' ? JSON.stringify(v) : (text(v) ?? '')}`);
    if (lines.length) add('Annotations', lines.join('\n'));
  }
  if (isObject(doc.metadata)) {
    for (const [namespace, values] of Object.entries(doc.metadata)) add(`Metadata: ${namespace}`, safeJson(values, 2, MAX_SECTION_TEXT));
  }
  const cause = doc.cause !== undefined ? resolveCause(doc, index.exceptions()) : undefined;
  if (cause) {
    const lines: string[] = [];
    if (cause.sourceId) lines.push(`recorded by ${cause.sourceId}`);
    for (const exception of cause.exceptions) {
      const type = text(exception.type) || 'Error';
      const message = text(exception.message);
      lines.push(message ? `${type}: ${message}` : type);
      for (const frame of Array.isArray(exception.stack) ? exception.stack : []) {
        if (!isObject(frame)) continue;
        const line = typeof frame.line === 'number' ? `:${frame.line}` : '';
        lines.push(`    at ${text(frame.label) || '(anonymous)'} (${text(frame.path) ?? '?'}${line})`);
      }
    }
    if (cause.unresolvedId) lines.push(`refers to ${cause.unresolvedId}, not found in this trace`);
    if (lines.length) add('Cause', lines.join('\n'));
  }
  return sections;
}

// Keep line breaks (a details section is multi-line), drop other controls and direction overrides, which
// would reorder or hide what the user reads.
const HIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

function clipBlock(value: string, max: number): string {
  return (value.length > max ? `${value.slice(0, max - 1)}…` : value).replace(HIDDEN, ' ');
}
