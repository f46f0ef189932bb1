// OTLP decoding: real ADOT protobuf against the span model it must produce, the same request as OTLP/JSON
// (hex ids, and base64 ids from generic protobuf JSON encoders), and bad requests refused with the field named.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs/minimal';
import {
  decodeOtlpBase64,
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusProtobuf,
  MAX_ITEMS_PER_REQUEST,
  MAX_SPANS_PER_REQUEST,
  OtlpDecodeError,
  OtlpTooManyItemsError,
  OtlpTooManySpansError,
  type DecodedSpans,
} from '../../../src/collector/otlpDecoder';
import type { OtelSpan } from '../../../src/xray/otel/otelSpan';
import { FIXTURES } from './collectorHarness';
import { adotPayloads, collectorTraceV1 as v1 } from './otlpFixtures';

/** Each span with its batch's resource and scope, as test/fixtures/adot-otel/otel-decoded-spans.ndjson lists them. */
function flatten(decoded: DecodedSpans[]): Record<string, unknown>[] {
  return decoded.flatMap((d) => d.batches.flatMap((batch) => batch.spans.map((span) => ({
    resource: batch.resource,
    ...(batch.scope ? { scope: batch.scope } : {}),
    ...span,
  }))));
}

/** Protobuf bytes → an OTLP/JSON object, via the generated code's toObject (ids come out base64). */
function toJsonRequest(bytes: Uint8Array, ids: 'hex' | 'base64'): Record<string, unknown> {
  const object = v1.ExportTraceServiceRequest.toObject(v1.ExportTraceServiceRequest.decode(bytes), { longs: String, enums: Number, bytes: String });
  if (ids === 'base64') return object;
  return JSON.parse(JSON.stringify(object), (key, value: unknown) =>
    ['traceId', 'spanId', 'parentSpanId'].includes(key) && typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value) as Record<string, unknown>;
}

function request(spans: Record<string, unknown>[], resourceAttributes: unknown[] = []): Record<string, unknown> {
  return { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
}

function jsonSpan(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: '6b01eed3d3dcc0cf352b2f2ffa14ae39',
    spanId: '99b5aaad667ee60b',
    name: 'op',
    kind: 2,
    startTimeUnixNano: '1795288787849000000',
    endTimeUnixNano: '1795288787859178810',
    ...fields,
  };
}

function decodeError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('decoded without an error');
}

suite('collector: OTLP decoding', () => {
  test('the ADOT datagrams decode to exactly the 19 spans of the decoded fixture (nanoseconds exact)', () => {
    const decoded = adotPayloads().map((p) => decodeOtlpBase64(p.base64));
    assert.deepEqual(decoded.map((d) => [d.spanCount, d.rejected.length]), [[10, 0], [9, 0]]);
    const expected = readFileSync(path.join(FIXTURES, 'adot-otel/otel-decoded-spans.ndjson'), 'utf8').split('\n').filter(Boolean)
      .map((line) => {
        const { datagram_prefix: _prefix, ...span } = JSON.parse(line) as Record<string, unknown>;
        // The fixture writes a root span's parent as ''; the model leaves it out (both allowed by otelSpan.ts).
        if (span.parentSpanId === '') delete span.parentSpanId;
        return span;
      });
    assert.equal(expected.length, 19);
    assert.deepEqual(flatten(decoded), expected);
  });

  test('the same request as OTLP/JSON with hex ids, and with base64 ids, decodes the same as protobuf', () => {
    for (const { base64 } of adotPayloads()) {
      const bytes = Buffer.from(base64, 'base64');
      const fromProtobuf = decodeOtlpProtobuf(bytes);
      assert.deepEqual(decodeOtlpJson(JSON.stringify(toJsonRequest(bytes, 'hex'))), fromProtobuf);
      assert.deepEqual(decodeOtlpJson(JSON.stringify(toJsonRequest(bytes, 'base64'))), fromProtobuf);
    }
  });

  test('OTLP/JSON: int64 as strings or numbers, enum names, snake_case field names, every AnyValue kind', () => {
    const decoded = decodeOtlpJson(JSON.stringify({
      resource_spans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scope_spans: [{
          spans: [jsonSpan({
            kind: 'SPAN_KIND_CLIENT',
            start_time_unix_nano: 1795288787849000000,
            startTimeUnixNano: undefined,
            status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
            attributes: [
              { key: 'small', value: { intValue: '42' } },
              { key: 'big', value: { intValue: '9007199254740993' } },
              { key: 'negative', value: { intValue: -7 } },
              { key: 'double', value: { doubleValue: 1.5 } },
              { key: 'nan', value: { doubleValue: 'NaN' } },
              { key: 'flag', value: { boolValue: false } },
              { key: 'bytes', value: { bytesValue: 'AAEC' } },
              { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } } },
              { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
              { key: 'empty' },
              { key: '__proto__', value: { stringValue: 'an own key, not a prototype' } },
            ],
            events: [{ name: 'exception', timeUnixNano: '1795288787850000000', attributes: [{ key: 'exception.type', value: { stringValue: 'E' } }] }],
            links: [{ traceId: '6b01eed3d3dcc0cf352b2f2ffa14ae40', spanId: '0000000000000001' }, { traceId: '', spanId: '' }],
          })],
        }],
      }],
    }));
    assert.equal(decoded.spanCount, 1);
    const span = decoded.batches[0].spans[0];
    assert.equal(decoded.batches[0].resource['service.name'], 'svc');
    assert.equal(decoded.batches[0].scope, undefined);
    assert.equal(span.kind, 'CLIENT');
    assert.equal(span.startTimeUnixNano, '1795288787849000000');
    assert.deepEqual(span.status, { code: 2, message: 'boom' });
    const a = span.attributes;
    assert.equal(a.small, 42);
    assert.equal(a.big, '9007199254740993');
    assert.equal(a.negative, -7);
    assert.equal(a.double, 1.5);
    assert.ok(Number.isNaN(a.nan));
    assert.equal(a.flag, false);
    assert.equal(a.bytes, 'AAEC');
    assert.deepEqual(a.list, ['a', 1, null]);
    assert.deepEqual(a.map, { k: true });
    assert.equal(a.empty, null);
    assert.ok(Object.hasOwn(a, '__proto__'));
    assert.equal(Object.getPrototypeOf(a), Object.prototype);
    assert.deepEqual(span.events, [{ name: 'exception', timeUnixNano: '1795288787850000000', attributes: { 'exception.type': 'E' } }]);
    assert.deepEqual(span.links, [{ traceId: '6b01eed3d3dcc0cf352b2f2ffa14ae40', spanId: '0000000000000001', attributes: {} }], 'the empty link is dropped');
  });

  test('a span with an unusable id is rejected with a reason; the spans around it are kept', () => {
    const decoded = decodeOtlpJson(JSON.stringify(request([
      jsonSpan({ spanId: '0000000000000001' }),
      jsonSpan({ spanId: '0000000000000002', traceId: '00000000000000000000000000000000' }),
      jsonSpan({ spanId: '0000000000000003', traceId: 'abc' }),
      jsonSpan({ spanId: '' }),
      jsonSpan({ spanId: '0000000000000005', parentSpanId: '12' }),
      jsonSpan({ spanId: '0000000000000006', parentSpanId: '' }),
    ])));
    assert.equal(decoded.spanCount, 6);
    assert.deepEqual(decoded.batches[0].spans.map((s: OtelSpan) => [s.spanId, s.parentSpanId]), [
      ['0000000000000001', undefined],
      ['0000000000000006', undefined],
    ]);
    assert.deepEqual(decoded.rejected, [
      { spanId: '0000000000000002', reason: 'invalid-trace-id' },
      { spanId: '0000000000000003', reason: 'invalid-trace-id' },
      { spanId: '', reason: 'invalid-span-id' },
      { spanId: '0000000000000005', reason: 'invalid-parent-span-id' },
    ]);
  });

  test('OTLP/JSON with wrong types is refused, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      ['{"resourceSpans": [', /^not valid JSON/],
      [[], /^expected an object, got an array/],
      [{ resourceSpans: {} }, /^resourceSpans: expected an array/],
      [{ resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }, /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array/],
      [request([jsonSpan(), jsonSpan({ startTimeUnixNano: { low: 1 } })]), /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.startTimeUnixNano: expected a non-negative integer/],
      [request([jsonSpan({ endTimeUnixNano: '-5' })]), /spans\[0\]\.endTimeUnixNano: expected a non-negative integer/],
      [request([jsonSpan({ traceId: 12 })]), /spans\[0\]\.traceId: expected a hex string, got number 12/],
      [request([jsonSpan({ name: ['x'] })]), /spans\[0\]\.name: expected a string, got an array/],
      [request([jsonSpan({ kind: 'SERVER' })]), /spans\[0\]\.kind: expected an enum number/],
      [request([jsonSpan({ attributes: [{ key: 'k', value: { intValue: 1.5 } }] })]), /spans\[0\]\.attributes\[0\]\.value\.intValue: expected an integer/],
      [request([jsonSpan({ attributes: [{ key: 'k', value: { arrayValue: { values: [{ boolValue: 'yes' }] } } }] })]),
        /spans\[0\]\.attributes\[0\]\.value\.arrayValue\.values\[0\]: expected a boolean/],
      [request([jsonSpan({ events: [{ timeUnixNano: true }] })]), /spans\[0\]\.events\[0\]\.timeUnixNano: expected a non-negative integer/],
      [request([jsonSpan()], [{ key: 7 }]), /^resourceSpans\[0\]\.resource\.attributes\[0\]\.key: expected a string/],
    ];
    for (const [body, message] of cases) {
      assert.match(decodeError(() => decodeOtlpJson(typeof body === 'string' ? body : JSON.stringify(body))), message);
    }
  });

  test('bytes that are not an ExportTraceServiceRequest are refused; empty bytes are an empty request', () => {
    const bytes = Buffer.from(adotPayloads()[0].base64, 'base64');
    assert.match(decodeError(() => decodeOtlpProtobuf(bytes.subarray(0, bytes.length - 7))), /^not an OTLP ExportTraceServiceRequest in protobuf/);
    assert.match(decodeError(() => decodeOtlpProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))), /protobuf/);
    assert.match(decodeError(() => decodeOtlpBase64('not base64!')), /base64/);
    assert.deepEqual(decodeOtlpProtobuf(new Uint8Array(0)), { batches: [], spanCount: 0, rejected: [] });
  });

  test('nesting deep enough to overflow the stack is refused, not thrown as a RangeError', () => {
    let value = '{"stringValue":"leaf"}';
    for (let i = 0; i < 20000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const body = JSON.stringify(request([jsonSpan()])).replace('"name":"op"', `"name":"op","attributes":[{"key":"deep","value":${value}}]`);
    assert.match(decodeError(() => decodeOtlpJson(body)), /cannot read the request|not valid JSON/);
  });

  test('responses: ExportTraceServiceResponse with partial success, empty on full success; google.rpc.Status', () => {
    const decodeResponse = (bytes: Uint8Array) => v1.ExportTraceServiceResponse.toObject(v1.ExportTraceServiceResponse.decode(bytes), { longs: String });
    assert.deepEqual(decodeResponse(encodeExportResponseProtobuf(3, '3 spans not stored')), { partialSuccess: { rejectedSpans: '3', errorMessage: '3 spans not stored' } });
    assert.deepEqual(decodeResponse(encodeExportResponseProtobuf(0, '')), {});
    assert.equal(encodeExportResponseProtobuf(0, '').length, 0);
    assert.deepEqual(JSON.parse(encodeExportResponseJson(2, 'two')), { partialSuccess: { rejectedSpans: '2', errorMessage: 'two' } });
    assert.equal(encodeExportResponseJson(0, ''), '{}');
    // google.rpc.Status: code = 1 (varint), message = 2 (string).
    const reader = protobuf.Reader.create(encodeStatusProtobuf(3, 'bad'));
    assert.equal(reader.uint32(), (1 << 3) | 0);
    assert.equal(reader.int32(), 3);
    assert.equal(reader.uint32(), (2 << 3) | 2);
    assert.equal(reader.string(), 'bad');
    assert.equal(reader.pos, reader.len);
  });

  test('an all-zero parent span id means no parent (a root span), in JSON and protobuf', () => {
    const json = decodeOtlpJson(JSON.stringify(request([jsonSpan({ parentSpanId: '0000000000000000' })])));
    assert.deepEqual(json.rejected, []);
    assert.equal(json.batches[0].spans.length, 1);
    assert.equal(json.batches[0].spans[0].parentSpanId, undefined);
    assert.ok(!('parentSpanId' in json.batches[0].spans[0]));
    const bytes = v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: Buffer.from('6b01eed3d3dcc0cf352b2f2ffa14ae39', 'hex'),
        spanId: Buffer.from('99b5aaad667ee60b', 'hex'),
        parentSpanId: Buffer.alloc(8),
        name: 'op',
        startTimeUnixNano: '1795288787849000000',
        endTimeUnixNano: '1795288787859178810',
      }] }] }],
    })).finish();
    const binary = decodeOtlpProtobuf(bytes);
    assert.deepEqual(binary.rejected, []);
    assert.equal(binary.batches[0].spans.length, 1);
    assert.ok(!('parentSpanId' in binary.batches[0].spans[0]));
  });

  test('more than MAX_SPANS_PER_REQUEST spans refuse the request, counted before the spans are decoded', () => {
    const emptySpans = Buffer.alloc(2 * (MAX_SPANS_PER_REQUEST + 1), Buffer.from([0x12, 0x00]));
    const bytes = v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{}] }] })).finish();
    // resource_spans { scope_spans { spans {} ... } }, lengths written by hand.
    const scope = Buffer.concat([Buffer.from([0x12]), varint(emptySpans.length), emptySpans]);
    const resource = Buffer.concat([Buffer.from([0x0a]), varint(scope.length), scope]);
    assert.ok(bytes.length > 0);
    assert.throws(() => decodeOtlpProtobuf(resource), (e: unknown) => e instanceof OtlpTooManySpansError && e instanceof OtlpDecodeError);
    assert.throws(() => decodeOtlpProtobuf(resource, 10), /more than 10 spans in one request/);
    const exactly = Buffer.concat([Buffer.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x00, 0x12, 0x00])]);
    assert.equal(decodeOtlpProtobuf(exactly, 2).spanCount, 2);
    assert.throws(() => decodeOtlpProtobuf(exactly, 1), OtlpTooManySpansError);
    assert.throws(() => decodeOtlpJson(JSON.stringify(request([jsonSpan(), jsonSpan(), jsonSpan()])), 2), OtlpTooManySpansError);
    assert.equal(decodeOtlpJson(JSON.stringify(request([jsonSpan(), jsonSpan()])), 2).spanCount, 2);
    assert.throws(() => decodeOtlpJson(`{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(MAX_SPANS_PER_REQUEST)}{}]}]}]}`), OtlpTooManySpansError);
  });

  suite('items (events, links, attributes, values, scope and resource spans) are counted before decoding', () => {
    /** A length-delimited field by hand: tag (wire type 2), length, payload. */
    const message = (field: number, payload: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([varint(field * 8 + 2), varint(payload.length), payload]);
    const repeat = (unit: Buffer, times: number): Buffer => Buffer.alloc(unit.length * times, unit);
    /** ExportTraceServiceRequest { resource_spans { scope_spans { spans { <body> } } } } */
    const inSpan = (body: Buffer): Buffer => message(1, message(2, message(2, body)));
    const tooMany = (e: unknown): boolean => e instanceof OtlpTooManyItemsError && e instanceof OtlpTooManySpansError
      && e instanceof OtlpDecodeError && /more than 500000 items/.test(e.message);

    test('8 MiB-class bombs of empty repeated messages are refused without being decoded', () => {
      const n = MAX_ITEMS_PER_REQUEST + 1;
      // Empty events (span field 11), attributes (9), links (13) in one span.
      for (const field of [11, 9, 13]) assert.throws(() => decodeOtlpProtobuf(inSpan(repeat(message(field), n))), tooMany, `span field ${field}`);
      // Empty ScopeSpans in one ResourceSpans; empty ResourceSpans.
      assert.throws(() => decodeOtlpProtobuf(message(1, repeat(message(2), n))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(repeat(message(1), n)), tooMany);
      // Empty attributes of a resource, a scope, an event and a link; empty array and kvlist values.
      assert.throws(() => decodeOtlpProtobuf(message(1, message(1, repeat(message(1), n)))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(message(1, message(2, message(1, repeat(message(3), n))))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(inSpan(message(11, repeat(message(3), n)))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(inSpan(message(13, repeat(message(4), n)))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(inSpan(message(9, message(2, message(5, repeat(message(1), n)))))), tooMany);
      assert.throws(() => decodeOtlpProtobuf(inSpan(message(9, message(2, message(6, repeat(message(1), n)))))), tooMany);
      // A singular message (status) sent again and again: each copy would be decoded.
      assert.throws(() => decodeOtlpProtobuf(inSpan(repeat(message(15), n))), tooMany);
      // Entity refs' repeated key strings.
      assert.throws(() => decodeOtlpProtobuf(message(1, message(1, message(3, repeat(message(3), n))))), tooMany);
    });

    test('the count is exact: resource spans, scope spans, spans and each nested item', () => {
      // 1 resource_spans + 1 scope_spans + 1 span + 3 events + 2 attributes of the first event = 8 items.
      const bytes = inSpan(Buffer.concat([message(11, repeat(message(3), 2)), message(11), message(11)]));
      assert.equal(decodeOtlpProtobuf(bytes, MAX_SPANS_PER_REQUEST, 8).spanCount, 1);
      assert.throws(() => decodeOtlpProtobuf(bytes, MAX_SPANS_PER_REQUEST, 7), /more than 7 items/);
      // The span limit still speaks first for spans.
      assert.throws(() => decodeOtlpProtobuf(message(1, message(2, repeat(message(2), 3))), 2, 10), /more than 2 spans/);
    });

    test('bytes read the way the generated decode reads them, not the way the wire type says', () => {
      const events = repeat(message(3), 10); // an Event's empty attributes
      // Span field 11 (events) sent with wire type 1: the generated code still reads a length and an Event.
      const wrongWireType = inSpan(Buffer.concat([varint(11 * 8 + 1), varint(events.length), events]));
      assert.throws(() => decodeOtlpProtobuf(wrongWireType, MAX_SPANS_PER_REQUEST, 5), OtlpTooManyItemsError);
      // A length past the end of the body: the decode goes on reading what is there before it fails.
      const overlong = Buffer.concat([varint(1 * 8 + 2), varint(1000), repeat(message(2), 10)]);
      assert.throws(() => decodeOtlpProtobuf(overlong, MAX_SPANS_PER_REQUEST, 5), OtlpTooManyItemsError);
      assert.throws(() => decodeOtlpProtobuf(overlong), (e: unknown) => e instanceof OtlpDecodeError && !(e instanceof OtlpTooManySpansError));
      // A length whose varint passes 32 bits: protobufjs keeps the low 32 (here 20).
      const scopes = repeat(message(2), 10);
      const wide = Buffer.concat([Buffer.from([0x0a, 0x80 | 20, 0x80, 0x80, 0x80, 0x10]), scopes]);
      assert.throws(() => decodeOtlpProtobuf(wide, MAX_SPANS_PER_REQUEST, 5), OtlpTooManyItemsError);
      // An unknown group before the items is skipped, not the end of the count.
      const group = Buffer.from([(9 << 3) | 3, (1 << 3) | 0, 0x01, (9 << 3) | 4]);
      assert.throws(() => decodeOtlpProtobuf(Buffer.concat([group, repeat(message(1), 10)]), MAX_SPANS_PER_REQUEST, 5), OtlpTooManyItemsError);
      // Deeply nested values neither overflow the counter's stack nor pass the limit.
      let nested: Buffer = Buffer.alloc(0);
      for (let i = 0; i < 1000; i++) nested = message(1, message(5, nested));
      assert.throws(() => decodeOtlpProtobuf(inSpan(message(9, message(2, message(5, nested)))), MAX_SPANS_PER_REQUEST, 500), OtlpTooManyItemsError);
    });

    test('OTLP/JSON: counted on the parsed request before the span model is built', () => {
      const n = MAX_ITEMS_PER_REQUEST + 1;
      const inJsonSpan = (span: string): string => `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`;
      const empties = `${'{},'.repeat(n - 1)}{}`;
      assert.throws(() => decodeOtlpJson(inJsonSpan(`{"events":[${empties}]}`)), tooMany);
      assert.throws(() => decodeOtlpJson(inJsonSpan(`{"attributes":[${empties}]}`)), tooMany);
      assert.throws(() => decodeOtlpJson(inJsonSpan(`{"links":[{"attributes":[${empties}]}]}`)), tooMany);
      assert.throws(() => decodeOtlpJson(`{"resourceSpans":[{"scopeSpans":[${empties}]}]}`), tooMany);
      assert.throws(() => decodeOtlpJson(`{"resource_spans":[${empties}]}`), tooMany);
      assert.throws(() => decodeOtlpJson(`{"resourceSpans":[{"resource":{"attributes":[${empties}]}}]}`), tooMany);
      assert.throws(() => decodeOtlpJson(inJsonSpan(`{"attributes":[{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{"arrayValue":{"values":[${empties}]}}}]}}}]}`)), tooMany);
      // Exact: 1 + 1 + 1 span + 2 events + 1 attribute + 2 array values = 8.
      const exact = inJsonSpan('{"events":[{},{"attributes":[{"key":"a","value":{"array_value":{"values":[{},{}]}}}]}]}');
      assert.throws(() => decodeOtlpJson(exact, MAX_SPANS_PER_REQUEST, 7), /more than 7 items/);
      assert.equal(decodeOtlpJson(exact, MAX_SPANS_PER_REQUEST, 8).spanCount, 1);
      // Absurd nesting is refused as unreadable, never a crash.
      const deep = inJsonSpan(`{"attributes":[{"key":"a","value":${'{"arrayValue":{"values":['.repeat(200_000)}${']}}'.repeat(200_000)}}]}`);
      assert.throws(() => decodeOtlpJson(deep), OtlpDecodeError);
    });

    test('a large real batch passes: 512 spans x 30 attributes x 5 events of 10 attributes', () => {
      const attributes = (count: number, prefix: string): Record<string, unknown>[] => Array.from({ length: count }, (_, i) =>
        ({ key: `${prefix}.attribute.${i}`, value: i % 3 === 0 ? { intValue: i } : i % 3 === 1 ? { stringValue: `value ${i}` } : { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } }));
      const spans = Array.from({ length: 512 }, (_, i) => ({
        traceId: Buffer.from('5759e988bd862e3fe1be46a994272793', 'hex'),
        spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
        name: `operation ${i}`, kind: 2, startTimeUnixNano: 1795288787849000000, endTimeUnixNano: 1795288787859000000,
        attributes: attributes(30, 'span'),
        events: Array.from({ length: 5 }, (_, e) => ({ name: `event ${e}`, timeUnixNano: 1795288787850000000, attributes: attributes(10, 'event') })),
      }));
      const object = { resourceSpans: [{ resource: { attributes: attributes(20, 'resource') }, scopeSpans: [{ scope: { name: 'big' }, spans }] }] };
      const bytes = v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject(object)).finish();
      const binary = decodeOtlpProtobuf(bytes);
      assert.equal(binary.spanCount, 512);
      assert.equal(binary.batches[0].spans[511].events.length, 5);
      assert.equal(Object.keys(binary.batches[0].spans[0].attributes).length, 30);
      const json = decodeOtlpJson(JSON.stringify(toJsonRequest(bytes, 'hex')));
      assert.equal(json.spanCount, 512);
      assert.deepEqual(json.rejected, []);
    });
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80);
  bytes.push(n);
  return Buffer.from(bytes);
}
