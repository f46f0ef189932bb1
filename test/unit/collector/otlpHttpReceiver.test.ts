// OTLP/HTTP over a real socket: both encodings, gzip, partial success, and every kind of bad request answered
// with a 4xx and a message in the request's encoding, the good requests around them kept and counted.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs/minimal';
import { startOtlpHttpReceiver, type OtlpHttpReceiver } from '../../../src/collector/otlpHttpReceiver';
import { OtlpIntake } from '../../../src/collector/otlpIntake';
import { TraceStore } from '../../../src/collector/traceStore';
import { adotPayloads, collectorTraceV1, post, type Reply } from './otlpFixtures';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** google.rpc.Status's message field (2) from protobuf bytes. */
function statusMessage(bytes: Buffer): string {
  const reader = protobuf.Reader.create(bytes);
  let message = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2) message = reader.string();
    else reader.skipType(tag & 7);
  }
  return message;
}

const responseType = collectorTraceV1.ExportTraceServiceResponse;

function jsonRequest(spans: Record<string, unknown>[]): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
      scopeSpans: [{ scope: { name: 'manual' }, spans }],
    }],
  });
}

function jsonSpan(traceId: string, spanId: string): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return { traceId, spanId, name: 'GET /', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n) };
}

suite('collector: OTLP/HTTP receiver', () => {
  let store: TraceStore;
  let intake: OtlpIntake;
  let receiver: OtlpHttpReceiver;
  const adot = adotPayloads().map((p) => Buffer.from(p.base64, 'base64'));

  setup(async () => {
    store = new TraceStore();
    intake = new OtlpIntake(store);
    receiver = await startOtlpHttpReceiver(intake, { port: 0, maxBodyBytes: 256 * 1024, maxDecompressedBytes: 512 * 1024 });
  });

  teardown(async () => {
    await receiver.close();
  });

  test('protobuf, plain and gzipped: 200 with an empty ExportTraceServiceResponse; every span stored', async () => {
    const plain = await post(receiver.port, adot[0], PROTOBUF);
    const gzipped = await post(receiver.port, zlib.gzipSync(adot[1]), { ...PROTOBUF, 'content-encoding': 'gzip' });
    for (const reply of [plain, gzipped]) {
      assert.equal(reply.status, 200);
      assert.equal(reply.contentType, 'application/x-protobuf');
      assert.deepEqual(responseType.toObject(responseType.decode(reply.body), {}), {});
    }
    const counters = intake.counters();
    assert.equal(counters.requests, 2);
    assert.equal(counters.spansReceived, 19);
    assert.equal(counters.spansAccepted, 19);
    assert.equal(store.counters().accepted, 19);
    assert.equal(store.size, 3);
  });

  test('JSON: 200 with {}; a rejected span makes it a partial success naming the span and the reason', async () => {
    const traceId = '6b01eed3d3dcc0cf352b2f2ffa14ae39';
    const ok = await post(receiver.port, jsonRequest([jsonSpan(traceId, '1111111111111111')]), { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(ok.status, 200);
    assert.equal(ok.contentType, 'application/json');
    assert.deepEqual(JSON.parse(ok.body.toString()), {});
    const partial = await post(receiver.port, jsonRequest([
      jsonSpan(traceId, '2222222222222222'),
      jsonSpan('00000000000000000000000000000000', '3333333333333333'),
    ]), JSON_TYPE);
    assert.equal(partial.status, 200);
    const body = JSON.parse(partial.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '1');
    assert.match(body.partialSuccess.errorMessage, /1 invalid-trace-id \(3333333333333333\)/);
    assert.equal(store.segments('1-6b01eed3-d3dcc0cf352b2f2ffa14ae39')?.length, 2);
    const counters = intake.counters();
    assert.deepEqual([counters.spansReceived, counters.spansAccepted, counters.spansRejected], [3, 2, 1]);
    assert.deepEqual(counters.spansRejectedByReason, { 'invalid-trace-id': 1 });
  });

  test('a protobuf partial success comes back as protobuf', async () => {
    const bytes = Buffer.from(adot[0]);
    // Zero the first span's trace id in place (field 1 of the first Span: 0x0a 0x10 + 16 bytes).
    const at = bytes.indexOf(Buffer.from([0x0a, 0x10, 0x6b, 0x01]));
    assert.ok(at > 0);
    bytes.fill(0, at + 2, at + 18);
    const reply = await post(receiver.port, bytes, PROTOBUF);
    assert.equal(reply.status, 200);
    const response = responseType.toObject(responseType.decode(reply.body), { longs: String });
    assert.deepEqual((response.partialSuccess as { rejectedSpans: string }).rejectedSpans, '1');
    assert.equal(intake.counters().spansAccepted, 9);
  });

  test('bad requests get a 4xx and a message in their encoding; the good ones around them are kept', async () => {
    const good = () => post(receiver.port, adot[1], PROTOBUF);
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 256 * 1024, 'the bomb itself fits the body limit');
    const cases: { name: string; send: () => Promise<Reply>; status: number; message: RegExp; reason: string }[] = [
      { name: 'truncated protobuf', send: () => post(receiver.port, adot[0].subarray(0, 100), PROTOBUF), status: 400, message: /not an OTLP ExportTraceServiceRequest/, reason: 'undecodable' },
      { name: 'wrong content type', send: () => post(receiver.port, adot[0], { 'content-type': 'text/plain' }), status: 415, message: /unsupported content type "text\/plain"/, reason: 'unsupported-media-type' },
      { name: 'no content type', send: () => post(receiver.port, adot[0], {}), status: 415, message: /unsupported content type ""/, reason: 'unsupported-media-type' },
      { name: 'unknown content encoding', send: () => post(receiver.port, adot[0], { ...PROTOBUF, 'content-encoding': 'br' }), status: 415, message: /content encoding "br"/, reason: 'unsupported-content-encoding' },
      { name: 'truncated gzip', send: () => post(receiver.port, zlib.gzipSync(adot[0]).subarray(0, 200), { ...PROTOBUF, 'content-encoding': 'gzip' }), status: 400, message: /not valid gzip/, reason: 'undecodable' },
      { name: 'gzip that is not gzip', send: () => post(receiver.port, adot[0], { ...PROTOBUF, 'content-encoding': 'gzip' }), status: 400, message: /not valid gzip/, reason: 'undecodable' },
      { name: 'gzip bomb', send: () => post(receiver.port, bomb, { ...PROTOBUF, 'content-encoding': 'gzip' }), status: 413, message: /exceeds 524288 bytes once decompressed/, reason: 'too-large' },
      { name: 'huge body', send: () => post(receiver.port, Buffer.alloc(300 * 1024, 1), PROTOBUF), status: 413, message: /exceeds 262144 bytes/, reason: 'too-large' },
      { name: 'JSON with wrong types', send: () => post(receiver.port, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":5}]}]}]}', JSON_TYPE), status: 400, message: /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected a hex string/, reason: 'undecodable' },
      { name: 'not JSON', send: () => post(receiver.port, '<xml/>', JSON_TYPE), status: 400, message: /not valid JSON/, reason: 'undecodable' },
      { name: 'GET', send: () => post(receiver.port, '', {}, { method: 'GET' }), status: 405, message: /GET is not supported/, reason: 'method-not-allowed' },
      { name: 'other path', send: () => post(receiver.port, adot[0], PROTOBUF, { path: '/v1/metrics' }), status: 404, message: /no OTLP endpoint at \/v1\/metrics/, reason: 'not-found' },
    ];
    const refusedByReason: Record<string, number> = {};
    assert.equal((await good()).status, 200);
    for (const c of cases) {
      const reply = await c.send();
      assert.equal(reply.status, c.status, c.name);
      const message = reply.contentType === 'application/x-protobuf'
        ? statusMessage(reply.body)
        : (JSON.parse(reply.body.toString()) as { message: string }).message;
      assert.match(message, c.message, c.name);
      refusedByReason[c.reason] = (refusedByReason[c.reason] ?? 0) + 1;
      assert.equal((await good()).status, 200, `the good request after: ${c.name}`);
    }
    const counters = intake.counters();
    assert.equal(counters.requests, 2 * cases.length + 1);
    assert.equal(counters.refusedRequests, cases.length);
    assert.deepEqual(counters.refusedByReason, refusedByReason);
    assert.equal(counters.spansAccepted, 9 * (cases.length + 1));
    assert.equal(counters.spansRejected, 0);
  });

  test('a body over the limit with no content-length (chunked) is refused the same way', async () => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: receiver.port, path: '/v1/traces', method: 'POST', headers: PROTOBUF, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body: Buffer.concat(chunks) }));
      });
      request.on('error', reject);
      for (let i = 0; i < 10; i++) request.write(Buffer.alloc(64 * 1024, 7));
      request.end();
    });
    assert.equal(reply.status, 413);
    assert.equal(intake.counters().refusedByReason['too-large'], 1);
  });

  test('random bytes in either encoding, 300 requests: every one answered 200 or 4xx, never 5xx', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(random() * 2000);
      const body = i % 3 === 0
        // Mutate a real request: flip a few bytes of the ADOT protobuf.
        ? Buffer.from(Buffer.from(adot[i % 2]).map((byte) => (random() < 0.01 ? Math.floor(random() * 256) : byte)))
        : Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      const reply = await post(receiver.port, body, i % 2 ? JSON_TYPE : PROTOBUF);
      assert.ok(reply.status === 200 || (reply.status >= 400 && reply.status < 500), `request ${i}: ${reply.status}`);
    }
    assert.equal(intake.counters().requests, 300);
    assert.equal(intake.counters().refusedByReason['internal-error'], undefined);
  });

  test('a small gzipped body of empty spans is refused with 413 and the next good request is stored', async () => {
    // ExportTraceServiceRequest { resource_spans { scope_spans { spans {} x 200,000 } } }: 400 KB, ~400 bytes gzipped.
    const emptySpans = Buffer.alloc(400_000, Buffer.from([0x12, 0x00]));
    const scopeSpans = Buffer.concat([Buffer.from([0x12]), varint(emptySpans.length), emptySpans]);
    const resourceSpans = Buffer.concat([Buffer.from([0x0a]), varint(scopeSpans.length), scopeSpans]);
    const bomb = await post(receiver.port, zlib.gzipSync(resourceSpans), { ...PROTOBUF, 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.match(statusMessage(bomb.body), /more than 50000 spans in one request/);
    const good = await post(receiver.port, adot[0], PROTOBUF);
    assert.equal(good.status, 200);
    assert.equal(intake.counters().refusedByReason['too-many-spans'], 1);
    assert.ok(store.counters().accepted > 0);
  });

  test('the JSON variant ({} spans) is refused with 413 as JSON', async () => {
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(60_000)}{}]}]}]}`;
    const reply = await post(receiver.port, zlib.gzipSync(body), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    assert.equal(reply.status, 413);
    assert.match((JSON.parse(reply.body.toString()) as { message: string }).message, /more than 50000 spans/);
    const good = await post(receiver.port, jsonRequest([jsonSpan('6b01eed3d3dcc0cf352b2f2ffa14ae41', '1111111111111111')]), JSON_TYPE);
    assert.equal(good.status, 200);
  });

  test('bombs of other empty repeated messages are refused with 413 at the default limits; the next good request is stored', async () => {
    const full = await startOtlpHttpReceiver(intake, { port: 0 });
    try {
      const message = (field: number, payload: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([varint(field * 8 + 2), varint(payload.length), payload]);
      const empties = (field: number): Buffer => Buffer.alloc(2 * 600_000, message(field)); // 1.2 MB, 600,000 items
      const inSpan = (body: Buffer): Buffer => message(1, message(2, message(2, body)));
      const bombs: [string, Buffer][] = [
        ['empty events in one span', inSpan(empties(11))],
        ['empty ScopeSpans', message(1, empties(2))],
        ['empty ResourceSpans', empties(1)],
        ['empty attributes', inSpan(empties(9))],
      ];
      let good = 0;
      for (const [name, bomb] of bombs) {
        const reply = await post(full.port, zlib.gzipSync(bomb), { ...PROTOBUF, 'content-encoding': 'gzip' });
        assert.equal(reply.status, 413, name);
        assert.match(statusMessage(reply.body), /more than 500000 items .* in one request/, name);
        assert.equal((await post(full.port, adot[good++ % 2], PROTOBUF)).status, 200, `after ${name}`);
      }
      const json = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[${'{},'.repeat(600_000)}{}]}]}]}]}`;
      const reply = await post(full.port, zlib.gzipSync(json), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      assert.equal(reply.status, 413);
      assert.match((JSON.parse(reply.body.toString()) as { message: string }).message, /more than 500000 items/);
      assert.equal((await post(full.port, jsonRequest([jsonSpan('6b01eed3d3dcc0cf352b2f2ffa14ae41', '2222222222222222')]), JSON_TYPE)).status, 200);
      assert.equal(intake.counters().refusedByReason['too-many-spans'], 5);
      assert.equal(intake.counters().refusedByReason['internal-error'], undefined);
    } finally {
      await full.close();
    }
  });

  test('a large real batch (512 spans x 30 attributes x 5 events) is accepted, protobuf and JSON', async () => {
    const full = await startOtlpHttpReceiver(intake, { port: 0 });
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const attributes = (count: number, prefix: string): Record<string, unknown>[] => Array.from({ length: count }, (_, i) =>
        ({ key: `${prefix}.attribute.${i}`, value: i % 2 ? { stringValue: `value ${i}` } : { intValue: String(i) } }));
      const spans = (trace: string): Record<string, unknown>[] => Array.from({ length: 512 }, (_, i) => ({
        ...jsonSpan(trace, (i + 1).toString(16).padStart(16, '0')),
        attributes: attributes(30, 'span'),
        events: Array.from({ length: 5 }, (_, e) => ({ name: `event ${e}`, timeUnixNano: String(now), attributes: attributes(10, 'event') })),
      }));
      const json = JSON.parse(jsonRequest(spans('1b01eed3d3dcc0cf352b2f2ffa14ae41'))) as Record<string, unknown>;
      const reply = await post(full.port, zlib.gzipSync(JSON.stringify(json)), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      assert.equal(reply.status, 200);
      const request = JSON.parse(jsonRequest(spans('2b01eed3d3dcc0cf352b2f2ffa14ae41')), (key, value: unknown) =>
        (key === 'traceId' || key === 'spanId') && typeof value === 'string' ? Buffer.from(value, 'hex') : value) as Record<string, unknown>;
      const bytes = collectorTraceV1.ExportTraceServiceRequest.encode(collectorTraceV1.ExportTraceServiceRequest.fromObject(request)).finish();
      assert.equal((await post(full.port, Buffer.from(bytes), PROTOBUF)).status, 200);
      assert.equal(store.counters().accepted, 1024);
    } finally {
      await full.close();
    }
  });

  test('a Host header naming another site (DNS rebinding) is refused with 403; local names are served', async () => {
    const foreign = await post(receiver.port, adot[0], { ...PROTOBUF, host: `evil.example:${receiver.port}` });
    assert.equal(foreign.status, 403);
    assert.match(statusMessage(foreign.body), /host "evil\.example:\d+" is not served here/);
    assert.equal(store.counters().accepted, 0);
    for (const host of [`localhost:${receiver.port}`, `127.0.0.1:${receiver.port}`, '127.1.2.3', `[::1]:${receiver.port}`]) {
      const reply = await post(receiver.port, adot[0], { ...PROTOBUF, host });
      assert.equal(reply.status, 200, host);
    }
    assert.equal(intake.counters().refusedByReason['foreign-host'], 1);
  });

  test('a partial success with many rejected spans lists only the first 20 ids and counts them all', async () => {
    const spans = Array.from({ length: 500 }, (_, i) => jsonSpan('00000000000000000000000000000000', (i + 1).toString(16).padStart(16, '0')));
    const reply = await post(receiver.port, jsonRequest(spans), JSON_TYPE);
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '500');
    assert.match(body.partialSuccess.errorMessage, /^500 span\(s\) not stored: 20 invalid-trace-id \(0000000000000001, 0000000000000002, 0000000000000003, \.\.\.\) \(the first 20 listed\)$/);
    assert.equal(intake.counters().spansRejected, 500);
  });

  // Here rather than in traceStore.test.ts (another change owns that file now): both ways into the store.
  test('non-ASCII documents are counted in UTF-8 bytes, so they cannot slip past maxBytes', async () => {
    const name = '注文サービス-🚀'.repeat(20);
    const reply = await post(receiver.port, jsonRequest([{ ...jsonSpan('6b01eed3d3dcc0cf352b2f2ffa14ae42', '1111111111111111'), attributes: [{ key: 'note', value: { stringValue: name } }] }]), JSON_TYPE);
    assert.equal(reply.status, 200);
    const text = store.segments('1-6b01eed3-d3dcc0cf352b2f2ffa14ae42')?.map((doc) => JSON.stringify(doc)) ?? [];
    assert.equal(text.length, 1);
    assert.ok(text[0].includes(name));
    assert.equal(store.approximateBytes, Buffer.byteLength(text[0]));
    assert.ok(store.approximateBytes >= text[0].length + Buffer.byteLength(name) - name.length, 'more than UTF-16 units');

    const direct = new TraceStore();
    const doc = JSON.stringify({ trace_id: '1-6b01eed3-d3dcc0cf352b2f2ffa14ae43', id: '2222222222222222', name, start_time: 1, end_time: 2 });
    assert.equal(direct.ingest(doc).ok, true);
    assert.equal(direct.approximateBytes, Buffer.byteLength(doc));
  });

  test('the receiver bounds connections and request time', () => {
    assert.equal(receiver.server.maxConnections, 16);
    assert.equal(receiver.server.requestTimeout, 30_000);
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80);
  bytes.push(n);
  return Buffer.from(bytes);
}
