// Parsing and validating segment documents: the ingest hot path. One pass over the already-parsed value,
// no cloning, no regular expressions; a bad document gives a reason and a message naming the field.
// Schema: https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
import type { SegmentDocument } from './model';
import { isEpochSeconds, MAX_EPOCH_SECONDS } from './segmentTime';

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

/**
 * Deepest nesting of objects and arrays accepted anywhere in a document, the document itself being level 1
 * (the SDK fixtures reach 10). JSON.parse takes any depth, but JSON.stringify and recursive walks later
 * overflow the stack a few thousand levels down, so metadata, aws, sql, cause and unknown fields are
 * bounded too, not only subsegments (64 subsegments use 129 of these levels).
 */
export const MAX_JSON_DEPTH = 256;

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

/**
 * Validates an already-parsed value (e.g. a document converted from OpenTelemetry). The value is not copied.
 * A value that refers to itself is refused as 'too-deep', so JSON.stringify of an accepted one cannot fail.
 */
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
  if (!isEpochSeconds(start)) return badTime('start_time', start);
  const inProgress = doc.in_progress;
  if (inProgress !== undefined && typeof inProgress !== 'boolean') return wrongType('in_progress', 'a boolean', inProgress);
  const end = doc.end_time;
  if (end === undefined) {
    if (inProgress !== true) return missing('end_time', ' unless "in_progress" is true');
  } else {
    if (!isEpochSeconds(end)) return badTime('end_time', end);
    if (end < start) return problem('bad-time', 'end_time', `must not be before "start_time" (${start}), got ${end}`);
  }

  const typed = checkOptionalFields(doc, depth);
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

function badTime(field: 'start_time' | 'end_time', value: unknown): Problem {
  if (!isFiniteNumber(value)) return problem('bad-time', field, `must be a finite number of epoch seconds, got ${describe(value)}`);
  return problem('bad-time', field, `must be epoch seconds from 0 to ${MAX_EPOCH_SECONDS} (the year 2286), got ${value}`);
}

// One pass over the keys actually present: on the hot path most optional fields are absent, and looking
// each one up by name on objects of many shapes costs more than visiting the few that are there.
// The same pass bounds the nesting of every field but subsegments (checkDocument bounds those): a
// (sub)segment at subsegment depth d is JSON level 1 + 2d, so its fields' values start at level 2 + 2d.
function checkOptionalFields(doc: Record<string, unknown>, depth: number): Problem | undefined {
  const levelsLeft = MAX_JSON_DEPTH - 1 - 2 * depth;
  const keys = Object.keys(doc);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = doc[key];
    if (typeof v === 'object' && v !== null && key !== 'subsegments' && nestsDeeperThan(v, levelsLeft)) {
      return problem('too-deep', clip(key), `nests objects and arrays deeper than the ${MAX_JSON_DEPTH} levels a document may have`);
    }
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

/**
 * Whether `value` (an object or array, itself one level) holds containers more than `levels` levels deep.
 * Measured on the parsed value, not by scanning the text before JSON.parse: the walk visits containers
 * only, and on the SDK fixtures parse+validate went from 0.78× to 0.72× the speed of bare JSON.parse with
 * it, against ~0.5× with a character scan. Recursion is at most MAX_JSON_DEPTH frames, so it cannot
 * overflow; a cycle (only possible in a value not from text) runs out of levels and counts as too deep.
 */
function nestsDeeperThan(value: object, levels: number): boolean {
  if (levels <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && nestsDeeperThan(v, levels - 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]];
    if (typeof v === 'object' && v !== null && nestsDeeperThan(v, levels - 1)) return true;
  }
  return false;
}

function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A JSON object: not null, not an array. Segment documents, causes, http blocks... */
export function isObject(value: unknown): value is Record<string, unknown> {
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
