// OTLP trace export requests (ExportTraceServiceRequest, protobuf or OTLP/JSON) → OtelSpanBatch[], the span
// model the converter reads (src/xray/otel/otelSpan.ts). Protobuf is read by the protobufjs code the
// OpenTelemetry project generates from opentelemetry-proto; both encodings then go through one walker.
// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
import type Long from 'long';
import type * as OtlpProtobuf from './otlpProtobuf';
import type { OtelAttributes, OtelEvent, OtelLink, OtelSpan, OtelSpanBatch, OtelSpanKind, OtelStatusCode, OtelValue } from '../xray/otel/otelSpan';

/** Why a well-formed request still could not carry a span into the span model. */
export type SpanRejectReason = 'invalid-trace-id' | 'invalid-span-id' | 'invalid-parent-span-id';

export interface RejectedSpan {
  spanId: string;
  reason: string;
}

export interface DecodedSpans {
  batches: OtelSpanBatch[];
  /** Spans in the request, decoded or rejected. */
  spanCount: number;
  rejected: RejectedSpan[];
}

/** The body is not an ExportTraceServiceRequest: the whole request is refused (HTTP 400). */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/**
 * More spans than this in one request refuse it whole. OpenTelemetry's exporters batch far fewer (the JS SDK's
 * BatchSpanProcessor sends at most 512, the Collector's batch processor 8,192); the cap stops a small body of
 * empty spans (2 bytes each in protobuf, 3 in JSON) from turning into millions of objects in the extension host.
 */
export const MAX_SPANS_PER_REQUEST = 50_000;

/** A request with more than MAX_SPANS_PER_REQUEST spans: refused whole (HTTP 413, the batch is too large). */
export class OtlpTooManySpansError extends OtlpDecodeError {
  constructor(readonly maxSpans: number) {
    super(`more than ${maxSpans} spans in one request: export smaller batches`);
    this.name = 'OtlpTooManySpansError';
  }
}

let codec: typeof OtlpProtobuf | undefined;

/** The protobuf codec, loaded on the first protobuf request (a bundle of its own in dist/; see otlpProtobuf.ts). */
function protobufCodec(): typeof OtlpProtobuf {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: a lazy, synchronous load
  codec ??= require('./otlpProtobuf') as typeof OtlpProtobuf;
  return codec;
}

/** A long.js Long, as the generated code hands out 64-bit integers (long.js marks them so). */
function isLong(value: unknown): value is Long {
  return typeof value === 'object' && value !== null && (value as { __isLong__?: unknown }).__isLong__ === true;
}

/** Decodes a binary ExportTraceServiceRequest. Throws OtlpDecodeError; never anything else. */
export function decodeOtlpProtobuf(bytes: Uint8Array, maxSpans = MAX_SPANS_PER_REQUEST): DecodedSpans {
  // The generated decode materialises every message before the walker sees one: count the spans first.
  if (countProtobufSpans(bytes, maxSpans) > maxSpans) throw new OtlpTooManySpansError(maxSpans);
  let message: unknown;
  try {
    message = protobufCodec().exportTraceServiceRequest.decode(bytes);
  } catch (error) {
    throw new OtlpDecodeError(`not an OTLP ExportTraceServiceRequest in protobuf: ${describeError(error)}`);
  }
  return walk(message, maxSpans);
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest. Throws OtlpDecodeError; never anything else. */
export function decodeOtlpJson(text: string, maxSpans = MAX_SPANS_PER_REQUEST): DecodedSpans {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`not valid JSON: ${describeError(error)}`);
  }
  return walk(value, maxSpans);
}

/** ADOT's UDP payload: base64 of a binary ExportTraceServiceRequest (after the `T1S`/`T1U` prefix). */
export function decodeOtlpBase64(text: string): DecodedSpans {
  if (!BASE64.test(text)) throw new OtlpDecodeError('not base64');
  return decodeOtlpProtobuf(Buffer.from(text, 'base64'));
}

/**
 * ExportTraceServiceResponse in protobuf. Without rejected spans partial_success stays unset, as the OTLP
 * specification asks of a fully successful export.
 */
export function encodeExportResponseProtobuf(rejectedSpans: number, errorMessage: string): Uint8Array {
  const response = protobufCodec().exportTraceServiceResponse;
  const message = response.fromObject(rejectedSpans > 0 || errorMessage ? { partialSuccess: { rejectedSpans, errorMessage } } : {});
  return response.encode(message).finish();
}

/** ExportTraceServiceResponse in OTLP/JSON (int64 as a decimal string, as the protobuf JSON mapping writes it). */
export function encodeExportResponseJson(rejectedSpans: number, errorMessage: string): string {
  return JSON.stringify(rejectedSpans > 0 || errorMessage
    ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }
    : {});
}

/**
 * google.rpc.Status, the body OTLP/HTTP gives 4xx and 5xx answers. The generated code has no type for it, so
 * its two fields are written with protobufjs's Writer by their numbers in google/rpc/status.proto
 * (`int32 code = 1; string message = 2;`); details, optional, are left out.
 */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  return protobufCodec().Writer.create().uint32((1 << 3) | 0).int32(code).uint32((2 << 3) | 2).string(message).finish();
}

export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}

// ---------------------------------------------------------------------------------------------------------
// One walker for both encodings. Decoded protobuf messages have the JSON mapping's lowerCamelCase field
// names, `null` for unset fields, Buffers for bytes and Longs for 64-bit integers; OTLP/JSON has hex ids and
// int64 as strings or numbers. Protobuf JSON parsers also accept the .proto (snake_case) names, so this does
// too. A wrong type anywhere refuses the request with the path of the field; a bad id refuses one span.

const SPAN_KINDS: readonly OtelSpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const DIGITS = /^-?\d+$/;
const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

type Json = Record<string, unknown>;

/** Thrown inside the walker; each level adds its name to the path on the way out. */
class FieldError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
  }

  within(name: string): FieldError {
    return new FieldError(this.path ? `${name}.${this.path}` : name, this.problem);
  }
}

/**
 * Spans in a binary ExportTraceServiceRequest, counted on the wire without decoding: resource_spans (1) →
 * scope_spans (2) → spans (2), every other field skipped. Stops once past `max`. Malformed bytes end the count
 * early; the generated decode then says what is wrong with them.
 */
function countProtobufSpans(bytes: Uint8Array, max: number): number {
  const wanted = [1, 2, 2];
  let spans = 0;
  const scan = (start: number, end: number, depth: number): void => {
    let pos = start;
    while (pos < end && spans <= max) {
      const tag = readVarint(bytes, pos, end);
      if (!tag) return;
      pos = tag.next;
      const wireType = tag.value % 8;
      if (wireType === 0) {
        const skipped = readVarint(bytes, pos, end);
        if (!skipped) return;
        pos = skipped.next;
      } else if (wireType === 1) {
        pos += 8;
      } else if (wireType === 5) {
        pos += 4;
      } else if (wireType === 2) {
        const length = readVarint(bytes, pos, end);
        if (!length || length.next + length.value > end) return;
        pos = length.next;
        if (Math.floor(tag.value / 8) === wanted[depth]) {
          if (depth === wanted.length - 1) spans++;
          else scan(pos, pos + length.value, depth + 1);
        }
        pos += length.value;
      } else {
        return; // groups (deprecated, unused by OTLP) or garbage
      }
    }
  };
  scan(0, bytes.byteLength, 0);
  return spans;
}

/** A base-128 varint at `pos` (as a double: exact up to 2^53, plenty for tags and lengths), or undefined. */
function readVarint(bytes: Uint8Array, pos: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 1, i = pos; i < end && i < pos + 10; i++, shift *= 128) {
    value += (bytes[i] & 0x7f) * shift;
    if (bytes[i] < 0x80) return { value, next: i + 1 };
  }
  return undefined;
}

function walk(request: unknown, maxSpans: number): DecodedSpans {
  const out: DecodedSpans = { batches: [], spanCount: 0, rejected: [] };
  try {
    const root = record(request, '');
    forEach(list(field(root, 'resourceSpans', 'resource_spans'), 'resourceSpans'), 'resourceSpans', (item) => {
      const resourceSpans = record(item, '');
      const resourceMessage = optionalRecord(field(resourceSpans, 'resource'), 'resource');
      const resource = resourceMessage ? attributes(field(resourceMessage, 'attributes'), 'resource.attributes') : {};
      forEach(list(field(resourceSpans, 'scopeSpans', 'scope_spans'), 'scopeSpans'), 'scopeSpans', (item) => {
        const scopeSpans = record(item, '');
        const batch: OtelSpanBatch = { resource, spans: [] };
        const scope = instrumentationScope(field(scopeSpans, 'scope'));
        if (scope) batch.scope = scope;
        forEach(list(field(scopeSpans, 'spans'), 'spans'), 'spans', (message) => {
          if (++out.spanCount > maxSpans) throw new OtlpTooManySpansError(maxSpans);
          const result = span(message);
          if ('reason' in result) out.rejected.push(result);
          else batch.spans.push(result);
        });
        if (batch.spans.length > 0) out.batches.push(batch);
      });
    });
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    if (error instanceof FieldError) {
      throw new OtlpDecodeError(error.path ? `${error.path}: ${error.problem}` : error.problem);
    }
    // Stack overflow on absurdly nested values, or a bug: refuse the request, never crash the collector.
    throw new OtlpDecodeError(`cannot read the request: ${describeError(error)}`);
  }
  return out;
}

function span(message: unknown): OtelSpan | RejectedSpan {
  const s = record(message, '');
  const spanId = id(field(s, 'spanId', 'span_id'), SPAN_ID_BYTES, 'spanId');
  const traceId = id(field(s, 'traceId', 'trace_id'), TRACE_ID_BYTES, 'traceId');
  const parentSpanId = id(field(s, 'parentSpanId', 'parent_span_id'), SPAN_ID_BYTES, 'parentSpanId');
  const result: OtelSpan = {
    traceId: traceId ?? '',
    spanId: spanId ?? '',
    name: string(field(s, 'name'), 'name'),
    kind: spanKind(field(s, 'kind')),
    startTimeUnixNano: unsignedInt64(field(s, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTimeUnixNano: unsignedInt64(field(s, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: attributes(field(s, 'attributes'), 'attributes'),
    events: events(field(s, 'events')),
    status: status(field(s, 'status')),
  };
  const links = spanLinks(field(s, 'links'));
  if (links.length > 0) result.links = links;
  // Type errors above refuse the whole request; an id that is well-typed but not a usable id refuses the span.
  if (!isUsableId(traceId, TRACE_ID_BYTES)) return { spanId: spanId ?? '', reason: 'invalid-trace-id' };
  if (!isUsableId(spanId, SPAN_ID_BYTES)) return { spanId: spanId ?? '', reason: 'invalid-span-id' };
  // An all-zero parent is how some exporters write "no parent" (OTLP and the X-Ray exporter read it so): a root.
  if (parentSpanId === undefined || (parentSpanId !== '' && !/^0+$/.test(parentSpanId))) {
    if (!isUsableId(parentSpanId, SPAN_ID_BYTES)) return { spanId: spanId as string, reason: 'invalid-parent-span-id' };
    result.parentSpanId = parentSpanId as string;
  }
  return result;
}

/** A valid id is the right length and not all zeros (the W3C and OTLP rule). */
function isUsableId(hex: string | undefined, bytes: number): boolean {
  return hex !== undefined && hex.length === bytes * 2 && !/^0+$/.test(hex);
}

function events(value: unknown): OtelEvent[] {
  const out: OtelEvent[] = [];
  forEach(list(value, 'events'), 'events', (message) => {
    const e = record(message, '');
    out.push({
      name: string(field(e, 'name'), 'name'),
      timeUnixNano: unsignedInt64(field(e, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
      attributes: attributes(field(e, 'attributes'), 'attributes'),
    });
  });
  return out;
}

function spanLinks(value: unknown): OtelLink[] {
  const out: OtelLink[] = [];
  forEach(list(value, 'links'), 'links', (message) => {
    const l = record(message, '');
    const traceId = id(field(l, 'traceId', 'trace_id'), TRACE_ID_BYTES, 'traceId');
    const spanId = id(field(l, 'spanId', 'span_id'), SPAN_ID_BYTES, 'spanId');
    const linkAttributes = attributes(field(l, 'attributes'), 'attributes');
    // A link to nothing usable says nothing: drop it rather than the span.
    if (isUsableId(traceId, TRACE_ID_BYTES) && isUsableId(spanId, SPAN_ID_BYTES)) {
      out.push({ traceId: traceId as string, spanId: spanId as string, attributes: linkAttributes });
    }
  });
  return out;
}

function status(value: unknown): OtelSpan['status'] {
  const s = optionalRecord(value, 'status');
  if (!s) return { code: 0 };
  const number = enumValue(field(s, 'code'), STATUS_CODE_NAMES, 'status.code');
  // An unknown code (a newer schema) reads as unset.
  const code = (number <= 2 ? number : 0) as OtelStatusCode;
  const message = optionalString(field(s, 'message'), 'status.message');
  return message ? { code, message } : { code };
}

function spanKind(value: unknown): OtelSpanKind {
  const kind = enumValue(value, SPAN_KINDS.map((k) => `SPAN_KIND_${k}`), 'kind');
  // proto3 enums are open: a kind from a newer schema reads as unspecified.
  return SPAN_KINDS[kind] ?? 'UNSPECIFIED';
}

function instrumentationScope(value: unknown): OtelSpanBatch['scope'] {
  const s = optionalRecord(value, 'scope');
  if (!s) return undefined;
  const name = optionalString(field(s, 'name'), 'scope.name');
  const version = optionalString(field(s, 'version'), 'scope.version');
  if (!name && !version) return undefined;
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

function attributes(value: unknown, name: string): OtelAttributes {
  const out: OtelAttributes = {};
  forEach(list(value, name), name, (keyValue) => {
    const kv = record(keyValue, '');
    setKey(out, string(field(kv, 'key'), 'key'), anyValue(field(kv, 'value'), 'value'));
  });
  return out;
}

/** AnyValue unwrapped; an empty AnyValue (or none) is null. */
function anyValue(value: unknown, name: string): OtelValue {
  const v = optionalRecord(value, name);
  if (!v) return null;
  try {
    let x = field(v, 'stringValue', 'string_value');
    if (x != null) return string(x, 'stringValue');
    x = field(v, 'boolValue', 'bool_value');
    if (x != null) {
      if (typeof x !== 'boolean') throw wrongType('a boolean', x);
      return x;
    }
    x = field(v, 'intValue', 'int_value');
    if (x != null) return int64Value(x);
    x = field(v, 'doubleValue', 'double_value');
    if (x != null) return double(x);
    x = field(v, 'arrayValue', 'array_value');
    if (x != null) {
      const values: OtelValue[] = [];
      forEach(list(field(record(x, 'arrayValue'), 'values'), 'arrayValue.values'), 'arrayValue.values', (item) => values.push(anyValue(item, '')));
      return values;
    }
    x = field(v, 'kvlistValue', 'kvlist_value');
    if (x != null) return attributes(field(record(x, 'kvlistValue'), 'values'), 'kvlistValue.values');
    x = field(v, 'bytesValue', 'bytes_value');
    if (x != null) return bytesValue(x);
    return null;
  } catch (error) {
    throw error instanceof FieldError && name ? error.within(name) : error;
  }
}

/** int64 attribute: a number when a double holds it exactly, else the decimal string (the span model's rule). */
function int64Value(value: unknown): number | string {
  if (isLong(value)) {
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && DIGITS.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value).toString();
  }
  throw new FieldError('intValue', `expected an integer (a decimal string or a number), got ${describe(value)}`);
}

/** fixed64 nanoseconds as an exact decimal string; unset is "0". */
function unsignedInt64(value: unknown, name: string): string {
  if (value == null) return '0';
  if (isLong(value)) {
    // Through BigInt: several times faster than Long's own toString, and three of these per span.
    const { high, low } = value;
    return ((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
  }
  if (typeof value === 'string' && DIGITS.test(value) && value[0] !== '-') return BigInt(value).toString();
  // A JSON number this large is already rounded; String() gives the digits the sender wrote (shortest form),
  // BigInt() the rounded double's. Below 1e21 String() writes no exponent.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value < 1e21 ? String(value) : BigInt(value).toString();
  throw new FieldError(name, `expected a non-negative integer (a decimal string or a number), got ${describe(value)}`);
}

function double(value: unknown): number {
  if (typeof value === 'number') return value;
  // The protobuf JSON mapping writes these three as strings.
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new FieldError('doubleValue', `expected a number, got ${describe(value)}`);
}

function bytesValue(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'string' && BASE64.test(value)) return value;
  throw new FieldError('bytesValue', `expected base64 bytes, got ${describe(value)}`);
}

/**
 * An id as lowercase hex; '' when unset. OTLP/JSON says hex, but some senders run a generic protobuf JSON
 * encoder that writes bytes as base64: a string of the wrong length for hex is tried as base64. A string
 * that is neither comes back as it was, to fail the length check and refuse its span.
 */
function id(value: unknown, bytes: number, name: string): string | undefined {
  if (value == null) return '';
  if (value instanceof Uint8Array) {
    return value.byteLength === 0 ? '' : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  if (typeof value !== 'string') throw new FieldError(name, `expected a hex string, got ${describe(value)}`);
  if (value.length === bytes * 2 && HEX.test(value)) return value.toLowerCase();
  if (value === '') return '';
  if (BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  return undefined;
}

function enumValue(value: unknown, names: readonly string[], name: string): number {
  if (value == null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index >= 0) return index;
  }
  throw new FieldError(name, `expected an enum number, got ${describe(value)}`);
}

function field(message: Json, name: string, protoName?: string): unknown {
  const value = message[name];
  return value == null && protoName ? message[protoName] : value;
}

function record(value: unknown, name: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new FieldError(name, `expected an object, got ${describe(value)}`);
  }
  return value as Json;
}

function optionalRecord(value: unknown, name: string): Json | undefined {
  return value == null ? undefined : record(value, name);
}

function list(value: unknown, name: string): unknown[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw new FieldError(name, `expected an array, got ${describe(value)}`);
  return value;
}

/** Runs `each` on every item, naming the item (`spans[3]`) in any FieldError that comes out. */
function forEach(items: unknown[], name: string, each: (item: unknown) => void): void {
  for (let i = 0; i < items.length; i++) {
    try {
      each(items[i]);
    } catch (error) {
      throw error instanceof FieldError ? error.within(`${name}[${i}]`) : error;
    }
  }
}

function string(value: unknown, name: string): string {
  if (value == null) return '';
  if (typeof value !== 'string') throw new FieldError(name, `expected a string, got ${describe(value)}`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  return string(value, name) || undefined;
}

/** `record[key] = value`, except that a key `__proto__` becomes an own property instead of a prototype. */
function setKey(target: Record<string, OtelValue>, key: string, value: OtelValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function wrongType(expected: string, value: unknown): FieldError {
  return new FieldError('', `expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
