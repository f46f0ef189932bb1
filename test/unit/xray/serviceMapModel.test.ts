import * as assert from 'assert';
import type { ApiServiceGraph } from '../../../src/xray/model';
import { buildServiceGraph } from '../../../src/xray/serviceGraph';
import { buildServiceMap, percentileMs, type MapEdge, type MapNode, type ServiceMap } from '../../../src/xray/serviceMapModel';
import { traceIdEpoch } from '../../../src/xray/traceId';
import { assembleAll, fixtureText, scenarioSegments, scenarioTraceId, sdkDocuments } from './fixtureData';

function node(map: ServiceMap, name: string, type: string): MapNode {
  const found = map.nodes.find((n) => n.name === name && n.type === type);
  assert.ok(found, `no node ${type} ${name}; have ${map.nodes.map((n) => `${n.type} ${n.name}`).join(', ')}`);
  return found;
}

function edge(map: ServiceMap, from: MapNode, to: MapNode): MapEdge {
  const found = map.edges.find((e) => e.source === from.id && e.target === to.id);
  assert.ok(found, `no edge ${from.name} → ${to.name}`);
  return found;
}

suite('buildServiceMap on the public GetServiceGraph example (xray-sample, Elastic Beanstalk)', () => {
  // The example has no top-level window: one minute around its nodes' times (1528317567 – 1528317589).
  const graph = { ...JSON.parse(fixtureText('public/GetServiceGraph.awsdocs-xray-api-gettingdata.json')), StartTime: 1528317540, EndTime: 1528317600 } as ApiServiceGraph;
  const map = buildServiceMap(graph);

  test('four nodes: the client, the EC2 service (root), a DynamoDB table and SNS; three edges', () => {
    const client = node(map, 'xray-sample.elasticbeanstalk.com', 'client');
    const service = node(map, 'xray-sample.elasticbeanstalk.com', 'AWS::EC2::Instance');
    const table = node(map, 'awseb-e-dixzws4s9p-stack-StartupSignupsTable-4IMSMHAYX2BA', 'AWS::DynamoDB::Table');
    const sns = node(map, 'SNS', 'AWS::SNS');
    assert.deepStrictEqual([client.kind, service.kind, table.kind, sns.kind], ['client', 'service', 'aws', 'aws']);
    assert.deepStrictEqual([client.root, service.root, table.root], [false, true, false]);
    assert.strictEqual(map.nodes.length, 4);
    assert.strictEqual(map.edges.length, 3);
    edge(map, client, service);
    edge(map, service, table);
    edge(map, service, sns);
  });

  test('client → service: 4 requests, 1 error (4xx) of 4, average 273/4 = 68.25 ms, p95 = the slowest (157 ms)', () => {
    const e = edge(map, node(map, 'xray-sample.elasticbeanstalk.com', 'client'), node(map, 'xray-sample.elasticbeanstalk.com', 'AWS::EC2::Instance'));
    assert.strictEqual(e.stats.requests, 4);
    assert.deepStrictEqual(e.stats.outcomes, { ok: 3, error: 1, throttle: 0, fault: 0 });
    assert.strictEqual(e.stats.errorRate, 0.25);
    assert.strictEqual(e.stats.faultRate, 0);
    assert.strictEqual(e.stats.averageMs, 68.25);
    // Nearest rank: ceil(0.95 × 4) = 4th of 5, 15, 96, 157 ms.
    assert.strictEqual(e.stats.p95Ms, 157);
    assert.deepStrictEqual(e.stats.histogram, [{ ms: 5, count: 1 }, { ms: 15, count: 1 }, { ms: 96, count: 1 }, { ms: 157, count: 1 }]);
    assert.strictEqual(e.stats.perMinute, 4);
    assert.strictEqual(e.health, 'error');
  });

  test('the client node, which X-Ray gives no statistics, sums its outgoing edges; the table is healthy', () => {
    const client = node(map, 'xray-sample.elasticbeanstalk.com', 'client');
    assert.strictEqual(client.stats.requests, 4);
    assert.strictEqual(client.stats.averageMs, 68.25);
    assert.strictEqual(client.health, 'error');
    const table = node(map, 'awseb-e-dixzws4s9p-stack-StartupSignupsTable-4IMSMHAYX2BA', 'AWS::DynamoDB::Table');
    // 0.120 s over 2 requests; histogram 44 and 76 ms: p95 rank ceil(1.9) = 2 → 76 ms.
    assert.deepStrictEqual([table.stats.requests, table.stats.averageMs, table.stats.p95Ms, table.health], [2, 60, 76, 'ok']);
  });
});

suite('buildServiceMap on a graph built from the SDK capture', () => {
  const labels = ['orders-200-frontend', 'crash-500', 'bad-400', 'limited-429', 'dynamodb-throttle'];
  // The five traces start within two seconds of each other; a two-minute window holds them all.
  const start = Math.min(...labels.map((l) => traceIdEpoch(scenarioTraceId(l)) as number)) - 10;
  const graph = buildServiceGraph(labels.map(scenarioSegments), { startTime: start, endTime: start + 120 });
  const map = buildServiceMap(graph);

  test('the services and downstream resources of the five scenarios, of the right kinds', () => {
    assert.deepStrictEqual(map.nodes.map((n) => `${n.kind} ${n.type} ${n.name}`).sort(), [
      'aws AWS::DynamoDB::Table Hot',
      'client client frontend-api',
      'remote remote orders-db@127.0.0.1',
      'remote remote redis@127.0.0.1',
      'service AWS::ECS::Container frontend-api',
      'service unknown inventory-svc',
    ]);
  });

  test('client → frontend-api: 200, 500, 400, 429, 500 → 1 ok, 1 error, 1 throttle, 2 faults; 54+6+2+2+286 ms', () => {
    const frontend = node(map, 'frontend-api', 'AWS::ECS::Container');
    const e = edge(map, node(map, 'frontend-api', 'client'), frontend);
    assert.deepStrictEqual(e.stats.outcomes, { ok: 1, error: 1, throttle: 1, fault: 2 });
    assert.deepStrictEqual([e.stats.errorRate, e.stats.throttleRate, e.stats.faultRate], [0.2, 0.2, 0.4]);
    assert.strictEqual(e.stats.averageMs, 70); // 350 ms / 5
    assert.strictEqual(e.stats.p95Ms, 286); // rank ceil(4.75) = 5 of 2, 2, 6, 54, 286
    assert.strictEqual(e.stats.perMinute, 2.5); // 5 requests in 2 minutes
    assert.strictEqual(e.health, 'fault');
    assert.strictEqual(frontend.health, 'fault');
    assert.strictEqual(frontend.stats.requests, 5);
  });

  test('frontend-api → inventory-svc is timed by the calling subsegment (44 ms), inventory-svc by its segment (10 ms)', () => {
    const frontend = node(map, 'frontend-api', 'AWS::ECS::Container');
    const inventory = node(map, 'inventory-svc', 'unknown');
    const e = edge(map, frontend, inventory);
    assert.deepStrictEqual([e.stats.requests, e.stats.averageMs, e.stats.p95Ms, e.health], [1, 44, 44, 'ok']);
    assert.deepStrictEqual([inventory.stats.requests, inventory.stats.averageMs, inventory.health], [1, 10, 'ok']);
    const redis = node(map, 'redis@127.0.0.1', 'remote');
    assert.deepStrictEqual([edge(map, inventory, redis).stats.averageMs, redis.health], [8, 'ok']);
  });

  test('the DynamoDB call throttled (400 + throttle flag, 279 ms): the Hot table is purple, not red', () => {
    const hot = node(map, 'Hot', 'AWS::DynamoDB::Table');
    assert.deepStrictEqual(hot.stats.outcomes, { ok: 0, error: 0, throttle: 1, fault: 0 });
    assert.strictEqual(hot.health, 'throttle');
    assert.strictEqual(hot.stats.averageMs, 279);
    assert.strictEqual(edge(map, node(map, 'frontend-api', 'AWS::ECS::Container'), hot).health, 'throttle');
  });

  test('over the whole capture: every node and edge has outcomes that add up and a histogram that counts its requests', () => {
    const traces = [...assembleAll(sdkDocuments()).values()].map((t) => t.segments());
    const whole = buildServiceMap(buildServiceGraph(traces, { startTime: 0, endTime: 2e9 }));
    assert.ok(whole.edges.length >= 5);
    for (const item of [...whole.nodes, ...whole.edges]) {
      const { ok, error, throttle, fault } = item.stats.outcomes;
      assert.strictEqual(ok + error + throttle + fault, item.stats.requests, item.id);
      assert.strictEqual(item.stats.histogram.reduce((n, b) => n + b.count, 0), item.stats.requests, item.id);
      if (item.stats.requests > 0) assert.ok((item.stats.p95Ms as number) >= Math.min(...item.stats.histogram.map((b) => b.ms)));
    }
    const ids = new Set(whole.nodes.map((n) => n.id));
    for (const e of whole.edges) assert.ok(ids.has(e.source) && ids.has(e.target), e.id);
  });
});

suite('percentileMs', () => {
  test('nearest rank over unsorted buckets; empty → undefined', () => {
    const buckets = [{ ms: 30, count: 1 }, { ms: 10, count: 18 }, { ms: 20, count: 1 }];
    // rank ceil(0.95 × 20) = 19: 18 requests at 10 ms, the 19th at 20 ms.
    assert.strictEqual(percentileMs(buckets, 0.95), 20);
    assert.strictEqual(percentileMs(buckets, 0.5), 10);
    assert.strictEqual(percentileMs([], 0.95), undefined);
    assert.strictEqual(percentileMs([{ ms: 5, count: 0 }], 0.95), undefined);
  });
});
