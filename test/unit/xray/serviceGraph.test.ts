import * as assert from 'assert';
import { classifyDocument } from '../../../src/xray/classification';
import type { ApiServiceGraph, ApiServiceNode, SegmentDocument } from '../../../src/xray/model';
import { parseSegmentDocument } from '../../../src/xray/segmentDocument';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { buildServiceGraph, buildTraceGraph } from '../../../src/xray/serviceGraph';
import { assembleAll, fixtureText, scenarioSegments, sdkDocuments } from './fixtureData';

function allTraces(): SegmentDocument[][] {
  return [...assembleAll(sdkDocuments()).values()].map((t) => t.segments());
}

function node(graph: { Services: ApiServiceNode[] }, name: string, type: string): ApiServiceNode {
  const found = graph.Services.find((s) => s.Name === name && s.Type === type);
  assert.ok(found, `no node ${type} ${name}; have ${graph.Services.map((s) => `${s.Type} ${s.Name}`).join(', ')}`);
  return found;
}

function edge(from: ApiServiceNode, to: ApiServiceNode) {
  const found = from.Edges.find((e) => e.ReferenceId === to.ReferenceId);
  assert.ok(found, `no edge ${from.Name} → ${to.Name}`);
  return found;
}

suite('buildServiceGraph over the SDK capture', () => {
  const traces = allTraces();
  const segments = traces.flat();
  const start = Math.min(...segments.map((s) => s.start_time));
  const end = Math.max(...segments.map((s) => s.end_time ?? s.start_time));
  const graph: ApiServiceGraph = buildServiceGraph(traces, { startTime: Math.floor(start), endTime: Math.ceil(end) });

  test('frontend-api and inventory-svc, linked by an edge; a client node; DynamoDB table nodes', () => {
    const frontend = node(graph, 'frontend-api', 'AWS::ECS::Container');
    const inventory = node(graph, 'inventory-svc', 'unknown');
    const client = node(graph, 'frontend-api', 'client');
    assert.strictEqual(frontend.Root, true);
    assert.strictEqual(frontend.State, 'active');
    assert.strictEqual(client.State, 'unknown');
    assert.strictEqual(client.SummaryStatistics, undefined, 'client nodes carry no statistics, as in the public example');

    // Every inventory-svc segment whose parent is a frontend-api subsegment is one call on the edge.
    const frontendSubsegmentIds = new Set<string>();
    walkDocuments(segments.filter((s) => s.name === 'frontend-api'), ({ doc, depth }) => depth > 0 && frontendSubsegmentIds.add(doc.id));
    const called = segments.filter((s) => s.name === 'inventory-svc' && frontendSubsegmentIds.has(s.parent_id as string));
    assert.ok(called.length > 300);
    assert.strictEqual(edge(frontend, inventory).SummaryStatistics.TotalCount, called.length);
    assert.ok(!graph.Services.some((s) => s.Name === '127.0.0.1'), 'traced calls are edges to inventory-svc, not remote nodes');

    const frontendSegments = segments.filter((s) => s.name === 'frontend-api');
    assert.strictEqual(edge(client, frontend).SummaryStatistics.TotalCount, frontendSegments.length);
    assert.strictEqual(frontend.SummaryStatistics?.TotalCount, frontendSegments.length);

    const dynamo = graph.Services.filter((s) => s.Type === 'AWS::DynamoDB::Table');
    const calls: SegmentDocument[] = [];
    walkDocuments(frontendSegments, ({ doc }) => doc.namespace === 'aws' && doc.name === 'DynamoDB' && calls.push(doc));
    const tables = [...new Set(calls.map((c) => c.aws?.table_name as string))].sort();
    assert.deepStrictEqual(dynamo.map((s) => s.Name).sort(), tables);
    const hot = node(graph, 'Hot', 'AWS::DynamoDB::Table');
    const hotCalls = calls.filter((c) => c.aws?.table_name === 'Hot');
    assert.strictEqual(hot.SummaryStatistics?.ErrorStatistics.ThrottleCount, hotCalls.filter((c) => classifyDocument(c) === 'throttle').length);
    assert.ok((hot.SummaryStatistics?.ErrorStatistics.ThrottleCount ?? 0) > 0);
  });

  test('statistics add up: Ok + Error + Fault = Total; histogram counts = Total; response time = sum of durations', () => {
    for (const s of graph.Services) {
      const stats = [s.SummaryStatistics, ...s.Edges.map((e) => e.SummaryStatistics)].filter((x) => x !== undefined);
      for (const st of stats) {
        assert.strictEqual(st.OkCount + st.ErrorStatistics.TotalCount + st.FaultStatistics.TotalCount, st.TotalCount);
        assert.strictEqual(st.ErrorStatistics.ThrottleCount + st.ErrorStatistics.OtherCount, st.ErrorStatistics.TotalCount);
      }
      if (s.SummaryStatistics) {
        assert.strictEqual(s.DurationHistogram.reduce((n, h) => n + h.Count, 0), s.SummaryStatistics.TotalCount, s.Name);
        for (const h of s.DurationHistogram) assert.strictEqual(h.Value, Math.round(h.Value * 1000) / 1000);
      }
      for (const e of s.Edges) assert.strictEqual(e.ResponseTimeHistogram.reduce((n, h) => n + h.Count, 0), e.SummaryStatistics.TotalCount);
    }
    const frontend = node(graph, 'frontend-api', 'AWS::ECS::Container');
    const durations = segments.filter((s) => s.name === 'frontend-api').map((s) => Math.round(((s.end_time as number) - s.start_time) * 1e6) / 1e6);
    assert.strictEqual(frontend.SummaryStatistics?.TotalResponseTime, Math.round(durations.reduce((a, b) => a + b, 0) * 1e6) / 1e6);
  });

  test('a window that holds nothing gives no nodes; a window around one trace gives only its services', () => {
    assert.deepStrictEqual(buildServiceGraph(traces, { startTime: 0, endTime: 1 }).Services, []);
    const orders = scenarioSegments('orders-200-frontend');
    const only = buildServiceGraph([orders], { startTime: 0, endTime: 2e9 });
    assert.deepStrictEqual(only.Services.map((s) => `${s.Type} ${s.Name}`).sort(), [
      'AWS::ECS::Container frontend-api',
      'client frontend-api',
      'remote orders-db@127.0.0.1',
      'remote redis@127.0.0.1',
      'unknown inventory-svc',
    ]);
    const inventory = node(only, 'inventory-svc', 'unknown');
    assert.deepStrictEqual(inventory.Edges.map((e) => only.Services[e.ReferenceId].Name), ['redis@127.0.0.1']);
  });
});

suite('buildTraceGraph on the public Scorekeep trace', () => {
  test('client → Scorekeep (Root) → DynamoDB table and Lambda; the inferred segments name the downstream nodes', () => {
    const batch = JSON.parse(fixtureText('public/BatchGetTraces.awsdocs-xray-api-gettingdata.json')) as {
      Traces: { Segments: { Document: string }[] }[];
    };
    const segments = batch.Traces[0].Segments.map((s) => {
      const parsed = parseSegmentDocument(s.Document);
      assert.ok(parsed.ok);
      return parsed.doc;
    });
    const graph = buildTraceGraph([segments]);
    const client = node(graph, 'Scorekeep', 'client');
    const scorekeep = node(graph, 'Scorekeep', 'AWS::ElasticBeanstalk::Environment');
    const table = node(graph, 'scorekeep-user', 'AWS::DynamoDB::Table');
    const sns = node(graph, 'SNS', 'AWS::SNS');
    const lambda = node(graph, 'random-name', 'AWS::Lambda');
    const fn = node(graph, 'random-name', 'AWS::Lambda::Function');
    assert.strictEqual(scorekeep.Root, true);
    assert.strictEqual(graph.Services.filter((s) => s.Root).length, 1);
    edge(client, scorekeep);
    edge(scorekeep, table);
    edge(scorekeep, lambda);
    edge(lambda, fn);
    edge(fn, sns);
    // The inferred DynamoDB segment (0.079 s) is the table node's one request.
    assert.deepStrictEqual(table.DurationHistogram, [{ Value: 0.079, Count: 1 }]);
    assert.strictEqual(table.State, 'unknown');
    assert.strictEqual(graph.Services.length, 6);
  });
});
