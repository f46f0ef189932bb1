import * as assert from 'assert';
import type { ApiTraceSummary, SegmentDocument } from '../../../src/xray/model';
import { parseSegmentDocument } from '../../../src/xray/segmentDocument';
import { TraceAssembler } from '../../../src/xray/traceAssembler';
import { rootSegment, summarizeTrace } from '../../../src/xray/traceSummary';
import { fixtureText, scenarioSegments, scenarioTraceId, sdkDocuments } from './fixtureData';

suite('summarizeTrace', () => {
  test('orders-200: two services, times from the root, Http from the root, annotations per service', () => {
    const segments = scenarioSegments('orders-200-frontend');
    const frontend = segments.find((s) => s.name === 'frontend-api') as SegmentDocument;
    const inventory = segments.find((s) => s.name === 'inventory-svc') as SegmentDocument;
    const summary = summarizeTrace(segments);
    assert.strictEqual(summary.Id, scenarioTraceId('orders-200-frontend'));
    assert.strictEqual(summary.StartTime, frontend.start_time);
    assert.strictEqual(summary.Duration, Math.round(((frontend.end_time as number) - frontend.start_time) * 1e6) / 1e6);
    assert.strictEqual(summary.ResponseTime, summary.Duration, 'the root segment spans the trace');
    assert.deepStrictEqual(summary.Http, {
      HttpURL: frontend.http?.request?.url,
      HttpMethod: 'GET',
      UserAgent: 'xray-fixture-driver/1.0',
      ClientIp: '127.0.0.1',
      HttpStatus: 200,
    });
    const frontendId = { Name: 'frontend-api', Names: ['frontend-api'], Type: 'AWS::ECS::Container' };
    const inventoryId = { Name: 'inventory-svc', Names: ['inventory-svc'] };
    assert.deepStrictEqual(summary.EntryPoint, frontendId);
    const ids = summary.ServiceIds ?? [];
    assert.deepStrictEqual(ids.filter((id) => id.Type !== 'remote'), [frontendId, inventoryId]);
    assert.deepStrictEqual(ids.filter((id) => id.Type === 'remote').map((id) => id.Name).sort(), ['orders-db@127.0.0.1', 'redis@127.0.0.1']);
    assert.ok(!ids.some((id) => id.Name === '127.0.0.1'), 'the call to inventory-svc is inventory-svc, not a remote node');
    assert.deepStrictEqual(summary.Annotations?.sku, [{ AnnotationValue: { StringValue: inventory.annotations?.sku }, ServiceIds: [inventoryId] }]);
    assert.deepStrictEqual(summary.Annotations?.route, [{ AnnotationValue: { StringValue: 'GET /orders/:id' }, ServiceIds: [frontendId] }]);
    assert.deepStrictEqual(Object.keys(summary.Annotations ?? {}).sort(), ['customer_tier', 'order_id', 'route', 'sku']);
    assert.deepStrictEqual([summary.HasFault, summary.HasError, summary.HasThrottle, summary.IsPartial], [false, false, false, false]);
  });

  test('checkout-502: users, number annotations, flags', () => {
    const summary = summarizeTrace(scenarioSegments('checkout-502-frontend'));
    assert.deepStrictEqual(summary.Users, [
      { UserName: 'anonymous', ServiceIds: [{ Name: 'frontend-api', Names: ['frontend-api'], Type: 'AWS::ECS::Container' }] },
    ]);
    assert.deepStrictEqual(summary.Annotations?.items?.map((e) => e.AnnotationValue), [{ NumberValue: 1 }]);
    assert.deepStrictEqual([summary.HasFault, summary.HasError, summary.HasThrottle], [true, true, false]);
    assert.strictEqual(summary.Http?.HttpStatus, 502);
  });

  test('upstream-parented: the root is the segment whose parent is not in the trace', () => {
    const segments = scenarioSegments('upstream-parented');
    assert.ok(segments.every((s) => typeof s.parent_id === 'string'));
    assert.strictEqual(rootSegment(segments)?.name, 'frontend-api');
    assert.strictEqual(summarizeTrace(segments).EntryPoint?.Name, 'frontend-api');
  });

  test('manual-in-progress: partial while only the in-progress copy is held, no ResponseTime', () => {
    const [open, done] = sdkDocuments().filter((d) => d.trace_id === scenarioTraceId('manual-in-progress'));
    const a = new TraceAssembler(open.trace_id as string);
    a.add(open);
    const partial = summarizeTrace(a.segments(), a.pendingSubsegments(), { revision: a.revision });
    assert.strictEqual(partial.IsPartial, true);
    assert.strictEqual(partial.ResponseTime, undefined);
    assert.strictEqual(partial.Revision, 1);
    a.add(done);
    const complete = summarizeTrace(a.segments(), a.pendingSubsegments(), { revision: a.revision });
    assert.strictEqual(complete.IsPartial, false);
    assert.strictEqual(complete.Revision, 2);
    assert.strictEqual(complete.HasFault, true, 'compactShard failed');
    assert.deepStrictEqual(complete.Annotations?.job, [{ AnnotationValue: { StringValue: 'nightly-reindex' }, ServiceIds: [{ Name: 'batch-worker', Names: ['batch-worker'] }] }]);
  });

  test('Lambda mode: pending subsegments count for flags, annotations and time span', () => {
    const id = scenarioTraceId('lambda-mode-subsegment-error');
    const a = new TraceAssembler(id);
    for (const d of sdkDocuments()) if (d.trace_id === id) a.add(d);
    const pending = a.pendingSubsegments();
    const withPending = summarizeTrace(a.segments(), pending);
    const without = summarizeTrace(a.segments());
    assert.strictEqual(withPending.HasFault, true, 'processRecord r2 threw');
    assert.strictEqual(without.HasFault, false);
    assert.deepStrictEqual(withPending.Annotations?.record_id?.map((e) => e.AnnotationValue.StringValue), ['r1', 'r2']);
    assert.strictEqual(withPending.StartTime, Math.min(...pending.map((p) => p.start_time)));
  });

  test('the public Scorekeep trace: annotations and user as in the public GetTraceSummaries example', () => {
    const batch = JSON.parse(fixtureText('public/BatchGetTraces.awsdocs-xray-api-gettingdata.json')) as {
      Traces: { Id: string; Duration: number; Segments: { Document: string }[] }[];
    };
    const expected = (JSON.parse(fixtureText('public/GetTraceSummaries.awsdocs-xray-api-gettingdata.json')) as {
      TraceSummaries: ApiTraceSummary[];
    }).TraceSummaries.find((t) => t.Id === batch.Traces[0].Id) as ApiTraceSummary;
    const a = new TraceAssembler(batch.Traces[0].Id);
    for (const s of batch.Traces[0].Segments) {
      const parsed = parseSegmentDocument(s.Document);
      assert.ok(parsed.ok);
      a.add(parsed.doc);
    }
    const summary = summarizeTrace(a.segments());
    assert.strictEqual(summary.Duration, batch.Traces[0].Duration);
    assert.strictEqual(summary.ResponseTime, expected.ResponseTime);
    assert.strictEqual(summary.Users?.[0].UserName, expected.Users?.[0].UserName);
    for (const [key, values] of Object.entries(expected.Annotations ?? {})) {
      assert.deepStrictEqual(summary.Annotations?.[key]?.map((v) => v.AnnotationValue), values.map((v) => v.AnnotationValue), key);
    }
    assert.strictEqual(summary.EntryPoint?.Name, 'Scorekeep');
    assert.deepStrictEqual(summary.ResourceARNs, [{ ARN: 'arn:aws:lambda:us-west-2:123456789012:function:random-name' }]);
    assert.deepStrictEqual(summary.InstanceIds, [{ Id: 'i-0cd9e448944061b4a' }]);
    const types = (summary.ServiceIds ?? []).map((s) => `${s.Type}:${s.Name}`).sort();
    assert.deepStrictEqual(types, [
      'AWS::DynamoDB::Table:scorekeep-user',
      'AWS::ElasticBeanstalk::Environment:Scorekeep',
      'AWS::Lambda::Function:random-name',
      'AWS::Lambda:random-name',
      'AWS::SNS:SNS',
    ]);
  });

  test('an annotation key "__proto__" stays a plain key', () => {
    const [root] = scenarioSegments('bad-400');
    const doc = JSON.parse(JSON.stringify({ ...root, annotations: { a: 1 } }).replace('"a":1', '"__proto__":"x"')) as SegmentDocument;
    const summary = summarizeTrace([doc]);
    assert.ok(Object.prototype.hasOwnProperty.call(summary.Annotations, '__proto__'));
    assert.strictEqual(Object.getPrototypeOf(summary.Annotations), Object.prototype);
  });
});
