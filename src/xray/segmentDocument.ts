// Parsing and validating segment documents: the ingest hot path. One pass over the already-parsed value,
// no cloning, no regular expressions; a bad document gives a reason and a message naming the field.
// Schema: https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
import type { SegmentDocument } from './model';

export type RejectReason =
  | 'invalid-json'
  | 'not-an-object'
  | 'missing-field'
  | 'bad-id'
  | 'bad-trace-id'
  | 'bad-parent-id'
  | 'bad-time'
  | 'bad-field-type'
  | 'too-deep';

export type DocumentParseResult =
  | { ok: true; doc: SegmentDocument }
  | { ok: false; reason: RejectReason; message: string };

/** Deepest embedded subsegment accepted (the top-level document is depth 0). SDKs nest a handful deep. */
export const MAX_SUBSEGMENT_DEPTH = 64;

/** Longest quoted value in a message, so a hostile multi-megabyte field cannot flood a log. */
const MAX_QUOTED = 64;

export function parseSegmentDocument(text: string): DocumentParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return reject('invalid-json', `not valid JSON: ${clip(e instanceof Error ? e.message : String(e))}`);
  }
  return validateSegmentDocument(value);
}

/** Validates an already-parsed value (e.g. a document converted from OpenTelemetry). The value is not copied. */
export function validateSegmentDocument(value: unknown): DocumentParseResult {
  if (!isObject(value)) return reject('not-an-object', `a segment document must be a JSON object, got ${describe(value)}`);
  const problem = checkDocument(value, true, 0);
  if (problem) return reject(problem.reason, problem.path ? `${clipPath(problem.path)}: ${problem.message}` : problem.message);
  return { ok: true, doc: value as unknown as SegmentDocument };
}

interface Problem {
  reason: RejectReason;
  /** Where the field sits, e.g. `subsegments[2].subsegments[0]`; built only on the way out of a failure. */
  path: string;
  message: string;
}

function checkDocument(doc: Record<string, unknown>, topLevel: boolean, depth: number): Problem | undefined {
  const name = doc.name;
  if (name === undefined) return missing('name');
  if (typeof name !== 'string') return wrongType('name', 'a string', name);

  const idProblem = checkHexId(doc, 'id', 'bad-id', true);
  if (idProblem) return idProblem;

  // Independent subsegments (sent on their own) say so with type "subsegment" and need trace_id and
  // parent_id; embedded subsegments inherit both from where they sit.
  const type = doc.type;
  if (type !== undefined && typeof type !== 'string') return wrongType('type', 'a string', type);
  const independent = topLevel && type === 'subsegment';

  if (topLevel) {
    const traceId = doc.trace_id;
    if (traceId === undefined) return missing('trace_id');
    if (!isTraceId(traceId)) {
      return problem('bad-trace-id', 'trace_id', `must look like 1-<8 hex>-<24 hex>, got ${describe(traceId)}`);
    }
  }
  const parentProblem = checkHexId(doc, 'parent_id', 'bad-parent-id', independent);
  if (parentProblem) return parentProblem;

  const start = doc.start_time;
  if (start === undefined) return missing('start_time');
  if (!isFiniteNumber(start)) return problem('bad-time', 'start_time', `must be a finite number of epoch seconds, got ${describe(start)}`);
  const inProgress = doc.in_progress;
  if (inProgress !== undefined && typeof inProgress !== 'boolean') return wrongType('in_progress', 'a boolean', inProgress);
  const end = doc.end_time;
  if (end === undefined) {
    if (inProgress !== true) return missing('end_time', ' unless "in_progress" is true');
  } else {
    if (!isFiniteNumber(end)) return problem('bad-time', 'end_time', `must be a finite number of epoch seconds, got ${describe(end)}`);
    if (end < start) return problem('bad-time', 'end_time', `must not be before "start_time" (${start}), got ${end}`);
  }

  const typed = checkOptionalFields(doc);
  if (typed) return typed;

  const subs = doc.subsegments;
  if (subs === undefined) return undefined;
  if (!Array.isArray(subs)) return wrongType('subsegments', 'an array', subs);
  if (subs.length > 0 && depth + 1 > MAX_SUBSEGMENT_DEPTH) {
    return problem('too-deep', 'subsegments', `nest deeper than ${MAX_SUBSEGMENT_DEPTH} levels`);
  }
  for (let i = 0; i < subs.length; i++) {
    const sub: unknown = subs[i];
    const found = isObject(sub)
      ? checkDocument(sub, false, depth + 1)
      : { reason: 'not-an-object' as const, path: '', message: `must be an object, got ${describe(sub)}` };
    if (found) {
      found.path = found.path ? `subsegments[${i}].${found.path}` : `subsegments[${i}]`;
      return found;
    }
  }
  return undefined;
}

// One pass over the keys actually present: on the hot path most optional fields are absent, and looking
// each one up by name on objects of many shapes costs more than visiting the few that are there.
function checkOptionalFields(doc: Record<string, unknown>): Problem | undefined {
  const keys = Object.keys(doc);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = doc[key];
    switch (key) {
      case 'namespace':
      case 'origin':
      case 'user':
        if (typeof v !== 'string') return wrongType(key, 'a string', v);
        break;
      case 'error':
      case 'fault':
      case 'throttle':
      case 'inferred':
        if (typeof v !== 'boolean') return wrongType(key, 'a boolean', v);
        break;
      case 'aws':
      case 'sql':
      case 'service':
        if (!isObject(v)) return wrongType(key, 'an object', v);
        break;
      case 'http': {
        const found = checkHttp(v);
        if (found) return found;
        break;
      }
      case 'annotations': {
        const found = checkValues(v, 'annotations', isAnnotationValue, 'a string, number or boolean');
        if (found) return found;
        break;
      }
      case 'metadata': {
        // metadata is { namespace: { key: anything } } — the namespace level must be an object.
        const found = checkValues(v, 'metadata', isObject, 'an object');
        if (found) return found;
        break;
      }
      case 'precursor_ids':
        if (!Array.isArray(v)) return wrongType(key, 'an array', v);
        break;
      case 'cause': {
        const found = checkCause(v);
        if (found) return found;
        break;
      }
    }
  }
  return undefined;
}

function checkHttp(http: unknown): Problem | undefined {
  if (!isObject(http)) return wrongType('http', 'an object', http);
  const request = http.request;
  if (request !== undefined && !isObject(request)) return wrongType('http.request', 'an object', request);
  const response = http.response;
  if (response === undefined) return undefined;
  if (!isObject(response)) return wrongType('http.response', 'an object', response);
  const status = response.status;
  if (status !== undefined && !isFiniteNumber(status)) return wrongType('http.response.status', 'a number', status);
  return undefined;
}

/** `field` must be an object whose every own value passes `ok`. */
function checkValues(value: unknown, field: string, ok: (v: unknown) => boolean, expected: string): Problem | undefined {
  if (!isObject(value)) return wrongType(field, 'an object', value);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (!ok(value[keys[i]])) return wrongType(`${field}.${clip(keys[i])}`, expected, value[keys[i]]);
  }
  return undefined;
}

function isAnnotationValue(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || isFiniteNumber(v);
}

// cause is an exception id string or an object; in the object, exceptions is an array of objects whose
// stack is an array of frames. The Node SDK also sends { id } alone (a reference) — that is valid.
function checkCause(cause: unknown): Problem | undefined {
  if (cause === undefined || typeof cause === 'string') return undefined;
  if (!isObject(cause)) return wrongType('cause', 'a string or an object', cause);
  if (cause.working_directory !== undefined && typeof cause.working_directory !== 'string') {
    return wrongType('cause.working_directory', 'a string', cause.working_directory);
  }
  if (cause.id !== undefined && typeof cause.id !== 'string') return wrongType('cause.id', 'a string', cause.id);
  const exceptions = cause.exceptions;
  if (exceptions === undefined) return undefined;
  if (!Array.isArray(exceptions)) return wrongType('cause.exceptions', 'an array', exceptions);
  for (let i = 0; i < exceptions.length; i++) {
    const ex: unknown = exceptions[i];
    if (!isObject(ex)) return wrongType(`cause.exceptions[${i}]`, 'an object', ex);
    const stack = ex.stack;
    if (stack === undefined) continue;
    if (!Array.isArray(stack)) return wrongType(`cause.exceptions[${i}].stack`, 'an array', stack);
    for (let j = 0; j < stack.length; j++) {
      if (!isObject(stack[j])) return wrongType(`cause.exceptions[${i}].stack[${j}]`, 'an object', stack[j]);
    }
  }
  return undefined;
}

function checkHexId(doc: Record<string, unknown>, field: 'id' | 'parent_id', reason: RejectReason, required: boolean): Problem | undefined {
  const v = doc[field];
  if (v === undefined) return required ? missing(field) : undefined;
  if (!isHex(v, 16)) return problem(reason, field, `must be 16 hex digits, got ${describe(v)}`);
  return undefined;
}

function isHex(value: unknown, length: number): boolean {
  if (typeof value !== 'string' || value.length !== length) return false;
  for (let i = 0; i < length; i++) if (!isHexCode(value.charCodeAt(i))) return false;
  return true;
}

/** `1-` + 8 hex (epoch seconds) + `-` + 24 hex. https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-traceids */
function isTraceId(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 35) return false;
  if (value.charCodeAt(0) !== 0x31 || value.charCodeAt(1) !== 0x2d || value.charCodeAt(10) !== 0x2d) return false;
  for (let i = 2; i < 35; i++) if (i !== 10 && !isHexCode(value.charCodeAt(i))) return false;
  return true;
}

function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(reason: RejectReason, field: string, what: string): Problem {
  return { reason, path: '', message: `"${field}" ${what}` };
}

function missing(field: string, note = ''): Problem {
  return problem('missing-field', field, `is required${note}`);
}

function wrongType(field: string, expected: string, got: unknown): Problem {
  return problem('bad-field-type', field, `must be ${expected}, got ${describe(got)}`);
}

function reject(reason: RejectReason, message: string): DocumentParseResult {
  return { ok: false, reason, message };
}

/** A short, log-safe description of a value: strings quoted and clipped, containers by kind only. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return clip(String(value));
}

/** A path 64 subsegments deep is ~1 KB; keep its start and its end. */
function clipPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 60)}…${path.slice(-80)}`;
}

function clip(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}… (${text.length} chars)`;
}
