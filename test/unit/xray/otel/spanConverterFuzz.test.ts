// Seeded fuzzing of the span converter with mutations of the real ADOT spans: whatever arrives, nothing
// throws, every span is either a valid document or a rejection with a reason, and no attribute can pollute
// Object.prototype.
import * as assert from 'assert';
import type { SegmentDocument } from '../../../../src/xray/model';
import { convertSpanBatches } from '../../../../src/xray/otel/spanConverter';
import type { OtelSpan, OtelSpanBatch } from '../../../../src/xray/otel/otelSpan';
import { validateSegmentDocument } from '../../../../src/xray/segmentDocument';
import { TraceAssembler } from '../../../../src/xray/traceAssembler';
import { seededRandom } from '../fixtureData';
import { adotSpanBatches } from './otelFixture';

const ITERATIONS = 2000;

suite('fuzz: mutated ADOT spans through convertSpanBatches', () => {
  test(`${ITERATIONS} seeded mutations: no throw, every span a valid document or a reason`, function () {
    this.timeout(120000);
    const random = seededRandom(20250301);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const fixture = adotSpanBatches();
    const allSpans = fixture.flatMap((b) => b.spans.map((s) => ({ resource: b.resource, span: s })));
    const stacks = allSpans.flatMap(({ span }) => span.events.map((e) => e.attributes['exception.stacktrace'])).filter((s): s is string => typeof s === 'string');

    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 400; i++) deep = { d: deep };
    const deepJson = `${'{"a":'.repeat(600)}1${'}'.repeat(600)}`;
    const huge = 'x'.repeat(200_000);
    const throwing = Object.defineProperty({}, 'http.method', { enumerable: true, get: () => { throw new Error('getter'); } });

    const weirdValues: unknown[] = [
      undefined, null, NaN, Infinity, -Infinity, -0, 1e308, 12345678901234567890n, '', huge, '\u0000\ud800', '🙂'.repeat(500),
      () => 1, Symbol('s'), [], [1, 'a', null, [2, [3]]], { nested: { x: [1, { y: 2 }] } }, cyclic, deep, new Date(0), true, 429, '503',
      JSON.parse('{"__proto__": {"polluted": true}}'), deepJson, Array.from({ length: 5000 }, (_, i) => i),
    ];
    const semanticKeys = [
      'http.method', 'http.request.method', 'http.status_code', 'http.response.status_code', 'http.url', 'url.full', 'url.path', 'url.query',
      'http.target', 'http.host', 'net.peer.name', 'net.peer.port', 'net.host.port', 'server.address', 'server.port', 'client.address',
      'network.peer.address', 'db.system', 'db.system.name', 'db.name', 'db.statement', 'db.connection_string', 'rpc.system', 'rpc.service',
      'rpc.method', 'aws.operation', 'aws.region', 'aws.dynamodb.table_names', 'aws.remote.service', 'aws.local.service', 'peer.service',
      'aws.xray.annotations', 'aws.xray.metadata.ns', 'aws.xray.metadata.default', 'enduser.id', 'code.function', 'code.lineno', '__proto__',
      'constructor', 'http.status_text', 'messaging.url', 'aws.service', 'process.working_directory', 'telemetry.sdk.language',
    ];
    const badIds = ['', 'zz', 'Z'.repeat(16), 'A'.repeat(32), 'a'.repeat(31), '0'.repeat(32), '0'.repeat(16), huge, 5, null, undefined, {}, 'ba9165798701b0a4'];
    const badTimes = ['', '-5', '1e18', '9'.repeat(25), '0', 1795288787849000000, 17952887878490n, null, undefined, ' 1795288787849000000', '1795288787849000000.5'];

    const mutate = (original: OtelSpan, resource: OtelSpanBatch['resource']): { span: unknown; resource: unknown } => {
      const span = structuredClone(original) as unknown as Record<string, unknown>;
      let res: unknown = structuredClone(resource);
      const attrs = () => (typeof span.attributes === 'object' && span.attributes !== null ? span.attributes : (span.attributes = {})) as Record<string, unknown>;
      const rounds = 1 + Math.floor(random() * 4);
      for (let r = 0; r < rounds; r++) {
        switch (Math.floor(random() * 16)) {
          case 0: span.traceId = pick(badIds); break;
          case 1: span.spanId = pick(badIds); break;
          case 2: span.parentSpanId = pick(badIds); break;
          case 3: span[pick(['startTimeUnixNano', 'endTimeUnixNano'])] = pick(badTimes); break;
          case 4: span.kind = pick(['SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'INTERNAL', 'UNSPECIFIED', 'server', 7, undefined, null]); break;
          case 5: span.name = pick([huge, '', '<<>>', '\n\t', 42, undefined, '🙂 ok', 'a/b:c@d']); break;
          case 6: attrs()[pick(semanticKeys)] = pick(weirdValues); break;
          case 7: attrs()[`k${Math.floor(random() * 50)}`] = pick(weirdValues); break;
          case 8: span.attributes = pick([null, [], 'attrs', 5, throwing, cyclic]); break;
          case 9: span.events = pick([null, 'e', [null], [{ name: 'exception', attributes: null }], [{ name: 'exception', timeUnixNano: '1', attributes: { 'exception.stacktrace': pick([...stacks, huge, 5, `Error\n${'    at f (/a.js:1:1)\n'.repeat(20000)}`, 'Traceback (most recent call last):\n  File "', '\tat (((:']), 'exception.type': pick(weirdValues), 'exception.message': pick(weirdValues) } }]]); break;
          case 10: span.status = pick([null, {}, { code: 2 }, { code: 2, message: huge }, { code: 'x' }, { code: 2, message: 5 }]); break;
          case 11: span.links = pick([null, 'l', [null], [{ traceId: pick(badIds), spanId: pick(badIds), attributes: pick(weirdValues) }], [{ traceId: original.traceId, spanId: original.spanId, attributes: { deep } }]]); break;
          case 12: res = pick([null, [], 5, { 'service.name': pick(weirdValues), 'cloud.platform': pick(['aws_ec2', 'aws_ecs', 'aws_lambda', 5, null]), 'telemetry.sdk.language': pick(['python', 'java', 'nodejs', 'go', 3]) }]); break;
          case 13: delete span[pick(['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'status'])]; break;
          case 14: attrs()['aws.xray.metadata.x'] = pick([deepJson, '[1,2]', '{"a":{"b":[1,2,{"c":3}]}}', 'not json', huge]); break;
          default: attrs()[pick(semanticKeys)] = pick(['GET', 'aws-api', 'postgresql', 200, 429, 503, 'http://h/p', ['a', 'b'], 'DynamoDB']); break;
        }
      }
      return { span, resource: res };
    };

    let documents = 0;
    let rejections = 0;
    const assemblers = new Map<string, TraceAssembler>();
    for (let i = 0; i < ITERATIONS; i++) {
      const count = 1 + Math.floor(random() * 4);
      const spans: unknown[] = [];
      let resource: unknown = fixture[0].resource;
      for (let j = 0; j < count; j++) {
        const { span, resource: res } = random() < 0.15 ? { span: pick(allSpans).span, resource: pick(allSpans).resource } : (() => {
          const source = pick(allSpans);
          return mutate(source.span, source.resource);
        })();
        spans.push(span);
        resource = res;
      }
      const options = pick([undefined, { indexAllAttributes: true }, { indexedAttributes: ['http.method', 'order.id', 'k1', '__proto__', 5 as unknown as string] }, null]);
      let result: ReturnType<typeof convertSpanBatches>;
      try {
        result = convertSpanBatches([{ resource, spans } as unknown as OtelSpanBatch], options ?? undefined);
      } catch (e) {
        assert.fail(`iteration ${i} threw: ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.strictEqual(result.documents.length + result.rejected.length, count, `iteration ${i}: every span accounted for`);
      for (const r of result.rejected) assert.ok(typeof r.reason === 'string' && r.reason.length > 0 && r.reason.length < 1000 && typeof r.spanId === 'string');
      for (const doc of result.documents) {
        const again = validateSegmentDocument(doc);
        assert.ok(again.ok, again.ok ? '' : `iteration ${i}: ${again.message}`);
        const text = JSON.stringify(doc);
        const parsed = validateSegmentDocument(JSON.parse(text));
        assert.ok(parsed.ok, parsed.ok ? '' : `iteration ${i} after JSON: ${parsed.message}`);
        assert.ok(doc.name.length <= 200 && doc.name.length > 0);
        const traceId = doc.trace_id as string;
        let assembler = assemblers.get(traceId);
        if (!assembler) assemblers.set(traceId, (assembler = new TraceAssembler(traceId)));
        assembler.add(doc as SegmentDocument, text.length);
      }
      documents += result.documents.length;
      rejections += result.rejected.length;
    }
    for (const assembler of assemblers.values()) {
      assembler.segments();
      assembler.pendingSubsegments();
    }
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    // Both outcomes happen a lot: the mutations are neither all fatal nor all harmless.
    assert.ok(documents > 1000 && rejections > 1000, `documents ${documents}, rejections ${rejections}`);
  });
});
