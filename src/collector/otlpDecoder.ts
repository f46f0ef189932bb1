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

/**
 * More items than this in one request refuse it whole. An item is anything repeated that decoding
 * materialises: resource_spans, scope_spans, spans, events, links, attributes (KeyValues at every level),
 * array and kvlist values, entity refs and their keys, and a singular message field sent more than once in
 * the same message. Empty ones cost 2 bytes of protobuf each, so without this cap an 8 MiB body of empty
 * events decodes into 4 million objects (2.7 s, ~0.9 GB). Real batches are far below it: 512 spans with 30
 * attributes and 5 events of 10 attributes each are ~44,000 items; 8,192 such spans (the Collector's batch)
 * ~740,000 would not pass, 8,192 spans with 30 attributes and no events (~254,000) do.
 */
export const MAX_ITEMS_PER_REQUEST = 500_000;

/** A request with more than MAX_SPANS_PER_REQUEST spans: refused whole (HTTP 413, the batch is too large). */
export class OtlpTooManySpansError extends OtlpDecodeError {
  constructor(readonly maxSpans: number, message = `more than ${maxSpans} spans in one request: export smaller batches`) {
    super(message);
    this.name = 'OtlpTooManySpansError';
  }
}

/**
 * A request with more than MAX_ITEMS_PER_REQUEST items (spans, events, links, attributes, values...): also
 * a batch too large, refused whole with HTTP 413 (a kind of OtlpTooManySpansError, so the receiver answers
 * it the same way).
 */
export class OtlpTooManyItemsError extends OtlpTooManySpansError {
  constructor(readonly maxItems: number, maxSpans = MAX_SPANS_PER_REQUEST) {
    super(maxSpans, `more than ${maxItems} items (spans, events, links, attributes, array values) in one request: export smaller batches`);
    this.name = 'OtlpTooManyItemsError';
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
export function decodeOtlpProtobuf(bytes: Uint8Array, maxSpans = MAX_SPANS_PER_REQUEST, maxItems = MAX_ITEMS_PER_REQUEST): DecodedSpans {
  // The generated decode materialises every message before the walker sees one: count spans and items first.
  const counted = countProtobufItems(bytes, maxSpans, maxItems);
  if (counted.spans > maxSpans) throw new OtlpTooManySpansError(maxSpans);
  if (counted.items > maxItems) throw new OtlpTooManyItemsError(maxItems, maxSpans);
  let message: unknown;
  try {
    message = protobufCodec().exportTraceServiceRequest.decode(bytes);
  } catch (error) {
    throw new OtlpDecodeError(`not an OTLP ExportTraceServiceRequest in protobuf: ${describeError(error)}`);
  }
  return walk(message, maxSpans);
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest. Throws OtlpDecodeError; never anything else. */
export function decodeOtlpJson(text: string, maxSpans = MAX_SPANS_PER_REQUEST, maxItems = MAX_ITEMS_PER_REQUEST): DecodedSpans {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`not valid JSON: ${describeError(error)}`);
  }
  return walk(value, maxSpans, maxItems);
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

// The generated decode of every message in an ExportTraceServiceRequest (opentelemetry-proto trace/v1,
// common/v1, resource/v1), as field number → how the generated code reads it. It reads a known field by its
// declared type whatever the wire type says, so the counter below does too: anything else would let bytes
// the counter skips be decoded as messages.
type WireRead = 'uint32' | 'varint' | 'bytes' | 'fixed32' | 'fixed64';
type MessageName = 'request' | 'resourceSpans' | 'resource' | 'entityRef' | 'scopeSpans' | 'scope' | 'span' | 'event' | 'link'
  | 'status' | 'keyValue' | 'anyValue' | 'arrayValue' | 'keyValueList';
/** A field: a scalar read, or a message (`repeated`: pushed onto a list, else one value per occurrence). */
type WireField = WireRead | { message: MessageName; repeated: boolean } | { repeatedBytes: true };
const many = (message: MessageName): WireField => ({ message, repeated: true });
const one = (message: MessageName): WireField => ({ message, repeated: false });
const WIRE_SCHEMA: Record<MessageName, Record<number, WireField>> = {
  request: { 1: many('resourceSpans') },
  resourceSpans: { 1: one('resource'), 2: many('scopeSpans'), 3: 'bytes' },
  resource: { 1: many('keyValue'), 2: 'uint32', 3: many('entityRef') },
  entityRef: { 1: 'bytes', 2: 'bytes', 3: { repeatedBytes: true }, 4: { repeatedBytes: true } },
  scopeSpans: { 1: one('scope'), 2: many('span'), 3: 'bytes' },
  scope: { 1: 'bytes', 2: 'bytes', 3: many('keyValue'), 4: 'uint32' },
  span: {
    1: 'bytes', 2: 'bytes', 3: 'bytes', 4: 'bytes', 5: 'bytes', 6: 'uint32', 7: 'fixed64', 8: 'fixed64', 9: many('keyValue'),
    10: 'uint32', 11: many('event'), 12: 'uint32', 13: many('link'), 14: 'uint32', 15: one('status'), 16: 'fixed32',
  },
  event: { 1: 'fixed64', 2: 'bytes', 3: many('keyValue'), 4: 'uint32' },
  link: { 1: 'bytes', 2: 'bytes', 3: 'bytes', 4: many('keyValue'), 5: 'uint32', 6: 'fixed32' },
  status: { 2: 'bytes', 3: 'uint32' },
  keyValue: { 1: 'bytes', 2: one('anyValue') },
  anyValue: { 1: 'bytes', 2: 'uint32', 3: 'varint', 4: 'fixed64', 5: one('arrayValue'), 6: one('keyValueList'), 7: 'bytes' },
  arrayValue: { 1: many('anyValue') },
  keyValueList: { 1: many('keyValue') },
};

/**
 * Spans and items (see MAX_ITEMS_PER_REQUEST) in a binary ExportTraceServiceRequest, counted on the wire
 * without decoding anything: tags and lengths are read exactly as protobufjs's Reader reads them (a uint32
 * keeps the low 32 bits; a nested message's end may pass its parent's, decoding simply goes on), every
 * value is skipped. Iterative, so no nesting overflows it. Stops once past either limit. Where the bytes are
 * malformed the count ends: the generated decode throws at the same byte, having built no more than was
 * counted.
 */
function countProtobufItems(bytes: Uint8Array, maxSpans: number, maxItems: number): { spans: number; items: number } {
  const len = bytes.byteLength;
  let pos = 0;
  let spans = 0;
  let items = 0;
  // protobufjs Reader.uint32: 5 bytes at most are read (the 5th's low 4 bits kept); 5 more are skipped unread.
  const uint32 = (): number | undefined => {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= len) return undefined;
      const byte = bytes[pos++];
      value += i < 4 ? (byte & 0x7f) * 2 ** (7 * i) : (byte & 0x0f) * 2 ** 28;
      if (byte < 0x80) return value;
    }
    pos += 5;
    return pos > len ? undefined : value;
  };
  // A varint skipped (Reader.skip()) or read as a 64-bit integer (at most 10 bytes, else the decode throws).
  const varint = (limit: number): boolean => {
    for (let i = 0; i < limit; i++) {
      if (pos >= len) return false;
      if (bytes[pos++] < 0x80) return true;
    }
    return false;
  };
  const skip = (n: number | undefined): boolean => {
    if (n === undefined || pos + n > len) return false;
    pos += n;
    return true;
  };
  // Reader.skipType for an unknown field; groups (never used by OTLP) are skipped with a depth count, not recursion.
  const skipType = (wireType: number): boolean => {
    let groups = 0;
    for (;;) {
      if (wireType === 0) {
        if (!varint(Infinity)) return false;
      } else if (wireType === 1) {
        if (!skip(8)) return false;
      } else if (wireType === 2) {
        if (!skip(uint32())) return false;
      } else if (wireType === 5) {
        if (!skip(4)) return false;
      } else if (wireType === 3) {
        groups++;
      } else if (wireType === 4 && groups > 0) {
        groups--;
      } else {
        return false;
      }
      if (groups === 0) return true;
      const tag = uint32();
      if (tag === undefined) return false;
      wireType = tag & 7;
    }
  };
  const read = (how: WireRead): boolean => {
    switch (how) {
      case 'uint32': return uint32() !== undefined;
      case 'varint': return varint(10);
      case 'bytes': return skip(uint32());
      case 'fixed32': return skip(4);
      case 'fixed64': return skip(8);
    }
  };
  const stack: { message: MessageName; end: number; seen: number }[] = [{ message: 'request', end: len, seen: 0 }];
  while (stack.length > 0 && spans <= maxSpans && items <= maxItems) {
    const frame = stack[stack.length - 1];
    if (pos >= frame.end) {
      stack.pop();
      continue;
    }
    const tag = uint32();
    if (tag === undefined) break;
    const number = Math.floor(tag / 8);
    const known = WIRE_SCHEMA[frame.message][number] as WireField | undefined;
    if (known === undefined) {
      if (!skipType(tag & 7)) break;
    } else if (typeof known === 'string') {
      if (!read(known)) break;
    } else if ('repeatedBytes' in known) {
      items++;
      if (!read('bytes')) break;
    } else {
      const length = uint32();
      if (length === undefined) break;
      if (known.repeated) {
        items++;
        if (known.message === 'span') spans++;
      } else {
        // A singular message sent again replaces the first, but each copy is still decoded: count the repeats.
        const bit = 2 ** number;
        if (Math.floor(frame.seen / bit) % 2 === 1) items++;
        else frame.seen += bit;
      }
      stack.push({ message: known.message, end: pos + length, seen: 0 });
    }
  }
  return { spans, items };
}

function walk(request: unknown, maxSpans: number, maxItems?: number): DecodedSpans {
  const out: DecodedSpans = { batches: [], spanCount: 0, rejected: [] };
  try {
    // OTLP/JSON: JSON.parse has built the objects, but the span model would be built from them again. Count
    // first (protobuf was counted on the wire).
    if (maxItems !== undefined) countJsonItems(request, maxSpans, maxItems);
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

/**
 * The items (see MAX_ITEMS_PER_REQUEST) the walker would build from a parsed OTLP/JSON request, counted
 * without building anything: throws once past either limit. Anything not shaped as expected is left for
 * the walker to refuse.
 */
function countJsonItems(request: unknown, maxSpans: number, maxItems: number): void {
  let spans = 0;
  let items = 0;
  const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
  const pending: { value: unknown; kind: 'keyValue' | 'anyValue' }[] = [];
  const each = (value: unknown, visit: (item: Json) => void): void => {
    if (!Array.isArray(value)) return;
    items += value.length;
    if (items > maxItems) throw new OtlpTooManyItemsError(maxItems, maxSpans);
    for (const item of value) if (isObject(item)) visit(item);
  };
  // Attribute values nest (arrays and kvlists in values): walked with a queue, not recursion.
  const attributeList = (value: unknown): void => each(value, (kv) => pending.push({ value: kv, kind: 'keyValue' }));
  const drain = (): void => {
    while (pending.length > 0) {
      const { value, kind } = pending.pop() as { value: unknown; kind: 'keyValue' | 'anyValue' };
      if (!isObject(value)) continue;
      if (kind === 'keyValue') {
        pending.push({ value: value.value, kind: 'anyValue' });
        continue;
      }
      const array = field(value, 'arrayValue', 'array_value');
      if (isObject(array)) each(array.values, (item) => pending.push({ value: item, kind: 'anyValue' }));
      const kvlist = field(value, 'kvlistValue', 'kvlist_value');
      if (isObject(kvlist)) attributeList(kvlist.values);
    }
  };
  if (!isObject(request)) return;
  each(field(request, 'resourceSpans', 'resource_spans'), (resourceSpans) => {
    const resource = field(resourceSpans, 'resource');
    if (isObject(resource)) attributeList(resource.attributes);
    each(field(resourceSpans, 'scopeSpans', 'scope_spans'), (scopeSpans) => {
      const scope = field(scopeSpans, 'scope');
      if (isObject(scope)) attributeList(scope.attributes);
      const list = field(scopeSpans, 'spans');
      if (Array.isArray(list) && (spans += list.length) > maxSpans) throw new OtlpTooManySpansError(maxSpans);
      each(list, (span) => {
        attributeList(span.attributes);
        each(span.events, (event) => attributeList(event.attributes));
        each(span.links, (link) => attributeList(link.attributes));
        drain();
      });
      drain();
    });
    drain();
  });
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
