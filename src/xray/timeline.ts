// The trace timeline as flat rows in display order (a waterfall): segments and their subsegments, the
// segments of called services joined under the subsegment that called them, times as milliseconds from
// the trace's start, the critical path marked. The rows are columns (typed arrays) and one string table
// (src/xray/timelineModel.ts), not one object per row: a 50,000-span trace is a few dozen objects to post to
// the webview and to receive there. What only a search or the details area needs is made from the documents
// when it is first asked for.
import { indexExceptions, resolveCause, type ExceptionIndex } from './cause';
import { classifyDocument } from './classification';
import { criticalPath } from './criticalPath';
import type { Outcome, SegmentDocument, StackFrame } from './model';
import { isObject } from './segmentDocument';
import { isEpochSeconds } from './segmentTime';
import { MAX_WALK_DEPTH } from './segmentTree';
import { downstreamService } from './serviceIdentity';
import { isUserFrame } from './stackFrame';
import type {
  TimelineCodes,
  TimelineColumns,
  TimelineCriticalColumns,
  TimelineDetailSection,
  TimelineModel,
  TimelineRow,
  TimelineSource,
  TimelineSourceColumns,
  TimelineStrings,
} from './timelineModel';
import { clip, formatDuration } from './traceOutline';

/** The model plus what the host keeps to answer the webview (never sent to it). */
export interface TimelineIndex {
  model: TimelineModel;
  /** The document of each row. */
  documents: SegmentDocument[];
  /** Every exception of the trace by id, built on the first details request (most rows are never opened). */
  exceptions: () => ExceptionIndex;
  /** Lower-case text a search matches, per row (name, annotations, metadata, SQL, URL), built on the first search. */
  searchTexts: () => string[];
}

/** Rows beyond this are left out (and counted): even virtualised, a million rows is not a view anyone reads. */
export const MAX_TIMELINE_ROWS = 100_000;
const MAX_SEARCH_TEXT = 1000;
const MAX_NAME = 200;
const MAX_NOTE = 80;
const MAX_SECTION_TEXT = 8000;
const NO_SEGMENT = '(no parent segment)';

export const TIMELINE_CODES: TimelineCodes = {
  kind: { segment: 0, subsegment: 1, remote: 2, aws: 3 },
  outcome: { ok: 0, error: 1, fault: 2, throttle: 3 },
  flag: { inProgress: 1, critical: 2, source: 4 },
};
const { kind: KIND, outcome: OUTCOME, flag: FLAG } = TIMELINE_CODES;
const KIND_NAMES = namesByCode(KIND);
const OUTCOME_NAMES = namesByCode(OUTCOME);

function namesByCode<K extends string>(codes: Record<K, number>): K[] {
  const names: K[] = [];
  for (const name in codes) names[codes[name]] = name;
  return names;
}

/**
 * Builds the timeline of one trace from its segment documents (as BatchGetTraces or TraceAssembler give
 * them) and any streamed subsegments still waiting for their parent.
 */
export function buildTimeline(traceId: string, segments: readonly SegmentDocument[], pending: readonly SegmentDocument[] = []): TimelineIndex {
  const tops = [...segments, ...pending].filter((d) => isObject(d) && typeof d.id === 'string');
  const nodes = collectNodes(tops);
  const tree = treeOf(nodes, joinDocuments(tops, nodes));
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < nodes.count; i++) {
    const s = nodes.start[i];
    const e = nodes.end[i] >= 0 ? nodes.end[i] : s;
    if (s < t0) t0 = s;
    if (e > t1) t1 = e;
  }
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  const rows = makeRows(nodes, tree, Math.min(nodes.count, MAX_TIMELINE_ROWS), t0, t1);
  const columns = rows.columns;
  const model: TimelineModel = {
    traceId: clip(traceId, 64),
    startTime: t0,
    durationMs: rows.endMs,
    rowCount: columns.start.length,
    rows: columns,
    strings: joinStrings(rows.strings.list),
    services: rows.services,
    sources: rows.sources,
    critical: markCriticalPath(columns),
    // Every node is a root or some node's child (joinDocuments cuts every loop of documents), so the rows
    // not made are exactly the ones past the cap.
    omitted: nodes.count - columns.start.length,
  };
  const { documents } = rows;
  const names = rows.strings.list;
  let exceptions: ExceptionIndex | undefined;
  let searchTexts: string[] | undefined;
  return {
    model,
    documents,
    exceptions: () => (exceptions ??= indexExceptions(tops)),
    searchTexts: () => (searchTexts ??= documents.map((doc, r) => searchText(doc, names[columns.name[r]]))),
  };
}

/** Every (sub)segment of the trace once, as parallel arrays. */
interface Nodes {
  count: number;
  doc: SegmentDocument[];
  /** The node this one is embedded in, or -1 for a document of its own. */
  embeddedIn: number[];
  /** Index (in tops) of the document of its own this node belongs to. */
  top: number[];
  /** Epoch seconds, NaN when absent or not a time. */
  start: number[];
  end: number[];
  /** The node of each id that some document names as its parent_id. */
  byId: Map<string, number>;
}

function collectNodes(tops: readonly SegmentDocument[]): Nodes {
  // Only ids some document names as its parent are looked up, so only those go into the map.
  const wanted = new Set<string>();
  for (const doc of tops) if (typeof doc.parent_id === 'string') wanted.add(doc.parent_id);
  const lookUp = wanted.size > 0;
  const nodes: Nodes = { count: 0, doc: [], embeddedIn: [], top: [], start: [], end: [], byId: new Map() };
  // Walk each document with an explicit stack of (document, index of the node it is embedded in, depth).
  const stackDocs: SegmentDocument[] = [];
  const stackParent: number[] = [];
  const stackDepth: number[] = [];
  for (let top = 0; top < tops.length; top++) {
    stackDocs.push(tops[top]);
    stackParent.push(-1);
    stackDepth.push(0);
    while (stackDocs.length > 0) {
      const d = stackDocs.pop() as SegmentDocument;
      const embeddedIn = stackParent.pop() as number;
      const depth = stackDepth.pop() as number;
      const id = d.id;
      if (typeof id !== 'string') continue; // and nothing below it
      const index = nodes.doc.length;
      nodes.doc.push(d);
      nodes.embeddedIn.push(embeddedIn);
      nodes.top.push(top);
      const s = d.start_time;
      const e = d.end_time;
      nodes.start.push(isEpochSeconds(s) ? s : Number.NaN);
      nodes.end.push(isEpochSeconds(e) ? e : Number.NaN);
      if (lookUp && wanted.has(id) && !nodes.byId.has(id)) nodes.byId.set(id, index);
      const subs = d.subsegments;
      if (!Array.isArray(subs) || depth >= MAX_WALK_DEPTH) continue;
      for (let k = subs.length - 1; k >= 0; k--) {
        if (!isObject(subs[k])) continue;
        stackDocs.push(subs[k]);
        stackParent.push(index);
        stackDepth.push(depth + 1);
      }
    }
  }
  nodes.count = nodes.doc.length;
  return nodes;
}

/**
 * For each document of its own, the node it joins under (a called service under the subsegment that called
 * it, by its parent_id), or -1: also when joining would close a loop of documents.
 */
function joinDocuments(tops: readonly SegmentDocument[], nodes: Nodes): number[] {
  const joinedTo = tops.map((doc, top) => {
    const p = typeof doc.parent_id === 'string' ? nodes.byId.get(doc.parent_id) : undefined;
    return p !== undefined && nodes.top[p] !== top ? p : -1;
  });
  for (let top = 0; top < tops.length; top++) {
    let at = joinedTo[top];
    for (let hops = 0; at >= 0 && hops <= tops.length; hops++) {
      if (nodes.top[at] === top) {
        joinedTo[top] = -1;
        break;
      }
      at = joinedTo[nodes.top[at]];
    }
  }
  return joinedTo;
}

/** The parent of each node, and the children of every node in one array (node i's in kids[kidStart[i], kidStart[i + 1])), in start order. */
interface Tree {
  parent: Int32Array;
  kidStart: Int32Array;
  kids: Int32Array;
  roots: number[];
}

function treeOf(nodes: Nodes, joinedTo: readonly number[]): Tree {
  const n = nodes.count;
  const startKey = new Float64Array(n);
  const parent = new Int32Array(n);
  const kidStart = new Int32Array(n + 1);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    startKey[i] = nodes.start[i] >= 0 ? nodes.start[i] : Number.POSITIVE_INFINITY;
    const p = nodes.embeddedIn[i] >= 0 ? nodes.embeddedIn[i] : joinedTo[nodes.top[i]];
    parent[i] = p;
    if (p >= 0) kidStart[p + 1]++;
    else roots.push(i);
  }
  for (let i = 0; i < n; i++) kidStart[i + 1] += kidStart[i];
  const kids = new Int32Array(kidStart[n]);
  const fill = kidStart.slice(0, n);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) kids[fill[parent[i]]++] = i;
  for (let p = 0; p < n; p++) sortRange(kids, kidStart[p], kidStart[p + 1], startKey);
  roots.sort((a, b) => startKey[a] - startKey[b] || a - b);
  return { parent, kidStart, kids, roots };
}

/**
 * The string table as it grows. Each kind of string (names, notes, source paths) has a map from every string
 * seen to the index of its clipped form, so a name seen again costs one lookup, and names that clip alike
 * (differing only in controls, or past the limit) are stored once.
 */
interface StringList {
  list: string[];
}

/**
 * Index of the string shown for `value` in the table (clip(value, clipTo), or the value itself when
 * clipTo is Infinity), added if new; `seen` is the map of one kind of string.
 */
function intern(strings: StringList, seen: Map<string, number>, value: string, clipTo: number): number {
  let k = seen.get(value);
  if (k === undefined) {
    const clipped = clipTo === Infinity ? value : clip(value, clipTo);
    // clip(clipped) === clipped, so the clipped form is a key of the same map.
    if (clipped !== value) k = seen.get(clipped);
    if (k === undefined) {
      k = strings.list.push(clipped) - 1;
      if (clipped !== value) seen.set(clipped, k);
    }
    seen.set(value, k);
  }
  return k;
}

function joinStrings(list: readonly string[]): TimelineStrings {
  const offsets = new Uint32Array(list.length + 1);
  for (let k = 0; k < list.length; k++) offsets[k + 1] = offsets[k] + list[k].length;
  return { text: list.join(''), offsets };
}

interface Rows {
  columns: TimelineColumns;
  documents: SegmentDocument[];
  strings: StringList;
  services: string[];
  sources: TimelineSourceColumns;
  endMs: number;
}

/** The rows in display order: a pre-order walk, children by start time; at most `rowCount` of them. */
function makeRows(nodes: Nodes, tree: Tree, rowCount: number, t0: number, t1: number): Rows {
  const ms = (seconds: number) => Math.round((seconds - t0) * 1e6) / 1e3;
  const endMs = ms(t1);
  const start = new Float64Array(rowCount);
  const end = new Float64Array(rowCount);
  const parent = new Int32Array(rowCount);
  const depth = new Int32Array(rowCount);
  const childCount = new Int32Array(rowCount);
  const service = new Int32Array(rowCount);
  const id = new Int32Array(rowCount);
  const name = new Int32Array(rowCount);
  const note = new Int32Array(rowCount);
  const kind = new Uint8Array(rowCount);
  const outcome = new Uint8Array(rowCount);
  const flags = new Uint8Array(rowCount);
  const documents: SegmentDocument[] = [];
  const strings: StringList = { list: [] };
  const names = new Map<string, number>();
  const notes = new Map<string, number>();
  const paths = new Map<string, number>();
  const services: string[] = [];
  const serviceIndex = new Map<string, number>();
  const serviceOf = (serviceName: string) => {
    let index = serviceIndex.get(serviceName);
    if (index === undefined) {
      index = services.length;
      services.push(serviceName);
      serviceIndex.set(serviceName, index);
    }
    return index;
  };
  const unnamed = strings.list.push('(unnamed)') - 1;
  const noNote = strings.list.push('') - 1;
  const src = { row: [] as number[], path: [] as number[], line: [] as number[], label: [] as number[], workingDirectory: [] as number[] };

  const { kids, kidStart } = tree;
  // Pre-order walk with an explicit stack of nodes; a node's parent row is its parent node's row.
  const rowOfNode = new Int32Array(nodes.count);
  const stack = new Int32Array(nodes.count);
  let top = 0;
  for (let r = tree.roots.length - 1; r >= 0; r--) stack[top++] = tree.roots[r];
  for (let row = 0; top > 0 && row < rowCount; row++) {
    const i = stack[--top];
    for (let k = kidStart[i + 1] - 1; k >= kidStart[i]; k--) stack[top++] = kids[k];
    const doc = nodes.doc[i];
    const ownDocument = nodes.embeddedIn[i] < 0;
    const parentRow = tree.parent[i] >= 0 ? rowOfNode[tree.parent[i]] : -1;
    rowOfNode[i] = row;
    documents.push(doc);
    parent[row] = parentRow;
    if (parentRow >= 0) {
      depth[row] = depth[parentRow] + 1;
      childCount[parentRow]++;
    }

    const type = doc.type;
    const inferred = doc.inferred === true;
    const rowKind = kindOf(doc, ownDocument, type, inferred);
    kind[row] = rowKind;
    const rawName = doc.name;
    const nameIndex = typeof rawName === 'string' && rawName ? intern(strings, names, rawName, MAX_NAME) : unnamed;
    name[row] = nameIndex;
    // Span ids are unique: appended without a lookup.
    const spanId = doc.id as string;
    id[row] = strings.list.push(spanId.length > 64 ? clip(spanId, 64) : spanId) - 1;
    if (rowKind === KIND.segment && type !== 'subsegment') service[row] = serviceOf(strings.list[nameIndex]);
    else if (ownDocument && inferred) service[row] = serviceOf(clip(downstreamService(doc)?.Name || strings.list[nameIndex]));
    else service[row] = parentRow >= 0 ? service[parentRow] : serviceOf(NO_SEGMENT);

    const inProgress = doc.in_progress === true || !(nodes.end[i] >= 0);
    const s = nodes.start[i] >= 0 ? ms(nodes.start[i]) : parentRow >= 0 ? start[parentRow] : 0;
    start[row] = s;
    end[row] = inProgress ? Math.max(s, endMs) : Math.max(s, ms(nodes.end[i]));
    outcome[row] = OUTCOME[classifyDocument(doc)];
    const noteText = noteOf(doc);
    note[row] = noteText ? intern(strings, notes, noteText, MAX_NOTE) : noNote;
    let flag = inProgress ? FLAG.inProgress : 0;
    const source = sourceOf(doc);
    if (source) {
      flag |= FLAG.source;
      src.row.push(row);
      src.path.push(intern(strings, paths, source.path, Infinity));
      src.line.push(source.line);
      src.label.push(source.label !== undefined ? intern(strings, paths, source.label, Infinity) : -1);
      src.workingDirectory.push(source.workingDirectory !== undefined ? intern(strings, paths, source.workingDirectory, Infinity) : -1);
    }
    flags[row] = flag;
  }

  return {
    columns: { start, end, parent, depth, childCount, service, id, name, note, kind, outcome, flags },
    documents,
    strings,
    services,
    sources: {
      row: Int32Array.from(src.row),
      path: Int32Array.from(src.path),
      line: Int32Array.from(src.line),
      label: Int32Array.from(src.label),
      workingDirectory: Int32Array.from(src.workingDirectory),
    },
    endMs,
  };
}

/** The critical path as columns, and each row on it flagged. */
function markCriticalPath(columns: TimelineColumns): TimelineCriticalColumns {
  const sections = criticalPath(columns);
  const critical = { row: new Int32Array(sections.length), start: new Float64Array(sections.length), end: new Float64Array(sections.length) };
  sections.forEach((section, k) => {
    columns.flags[section.row] |= FLAG.critical;
    critical.row[k] = section.row;
    critical.start[k] = section.start;
    critical.end[k] = section.end;
  });
  return critical;
}

/** Sorts kids[from, to) by start, then index (the order documents gave). Most groups are small and nearly sorted. */
function sortRange(kids: Int32Array, from: number, to: number, key: Float64Array): void {
  if (to - from < 2) return;
  if (to - from > 32) {
    kids.subarray(from, to).sort((a, b) => key[a] - key[b] || a - b);
    return;
  }
  for (let k = from + 1; k < to; k++) {
    const v = kids[k];
    let j = k - 1;
    while (j >= from && (key[kids[j]] > key[v] || (key[kids[j]] === key[v] && kids[j] > v))) {
      kids[j + 1] = kids[j];
      j--;
    }
    kids[j + 1] = v;
  }
}

/** String k of the model's string table; undefined for -1 (absent). */
export function timelineString(model: TimelineModel, k: number): string | undefined {
  if (k < 0) return undefined;
  const { text, offsets } = model.strings;
  return text.slice(offsets[k], offsets[k + 1]);
}

/** Index into model.sources of a row's source, -1 if it has none. */
function sourceEntry(model: TimelineModel, row: number): number {
  const rows = model.sources.row;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] === row) return mid;
    if (rows[mid] < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Where a row maps to code, if it does. */
export function timelineSource(model: TimelineModel, row: number): TimelineSource | undefined {
  const k = sourceEntry(model, row);
  if (k < 0) return undefined;
  const { path, line, label, workingDirectory } = model.sources;
  return withoutUndefined({
    path: timelineString(model, path[k]) as string,
    line: line[k],
    label: timelineString(model, label[k]),
    workingDirectory: timelineString(model, workingDirectory[k]),
  });
}

/** Row `index` read back out of the columns; undefined past the last row. */
export function timelineRow(model: TimelineModel, index: number): TimelineRow | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= model.rowCount) return undefined;
  const c = model.rows;
  const row: TimelineRow = {
    id: timelineString(model, c.id[index]) as string,
    parent: c.parent[index],
    depth: c.depth[index],
    start: c.start[index],
    end: c.end[index],
    name: timelineString(model, c.name[index]) as string,
    service: c.service[index],
    kind: KIND_NAMES[c.kind[index]],
    outcome: OUTCOME_NAMES[c.outcome[index]] as Outcome,
    inProgress: (c.flags[index] & FLAG.inProgress) !== 0,
    childCount: c.childCount[index],
    critical: (c.flags[index] & FLAG.critical) !== 0,
    note: timelineString(model, c.note[index]) as string,
  };
  const source = timelineSource(model, index);
  if (source) row.source = source;
  return row;
}

/** Rows whose search text contains the query (trimmed, any case), in row order. */
export function searchTimeline(index: TimelineIndex, query: string): Int32Array {
  // Search texts are at most MAX_SEARCH_TEXT characters: a longer query matches nothing.
  const q = query.length <= MAX_SEARCH_TEXT ? query.trim().toLowerCase() : '';
  if (!q) return new Int32Array(0);
  const texts = index.searchTexts();
  const hits: number[] = [];
  for (let r = 0; r < texts.length; r++) if (texts[r].includes(q)) hits.push(r);
  return Int32Array.from(hits);
}

function kindOf(doc: SegmentDocument, ownDocument: boolean, type: unknown, inferred: boolean): number {
  if (ownDocument && type !== 'subsegment') {
    if (!inferred) return KIND.segment;
    const origin = doc.origin;
    return typeof origin === 'string' && origin.startsWith('AWS::') ? KIND.aws : KIND.remote;
  }
  const namespace = doc.namespace;
  if (namespace === 'aws') return KIND.aws;
  if (namespace === 'remote') return KIND.remote;
  return KIND.subsegment;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** HTTP method and status, AWS operation, database type (not clipped yet). */
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
  return note;
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
  const row = timelineRow(index.model, rowIndex);
  const doc = row ? index.documents[rowIndex] : undefined;
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
