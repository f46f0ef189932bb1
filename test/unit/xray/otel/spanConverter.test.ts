import * as assert from 'assert';
import { classifyDocument } from '../../../../src/xray/classification';
import type { ApiServiceNode, CauseObject, SegmentDocument } from '../../../../src/xray/model';
import type { OtelAttributes, OtelSpan, OtelSpanBatch } from '../../../../src/xray/otel/otelSpan';
import { convertSpanBatches, nanosToSeconds, serviceSegmentId } from '../../../../src/xray/otel/spanConverter';
import { validateSegmentDocument } from '../../../../src/xray/segmentDocument';
import { buildServiceGraph } from '../../../../src/xray/serviceGraph';
import { isUserFrame } from '../../../../src/xray/stackFrame';
import { TraceAssembler } from '../../../../src/xray/traceAssembler';
import { adotSpanBatches, span } from './otelFixture';

const NODE_RESOURCE: OtelAttributes = { 'service.name': 'orders', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '2.8.0' };

function convertOne(fields: Partial<OtelSpan>, resource: OtelAttributes = NODE_RESOURCE, options?: Parameters<typeof convertSpanBatches>[1]): SegmentDocument {
  const { documents, rejected } = convertSpanBatches([{ resource, spans: [span(fields)] }], options);
  assert.deepStrictEqual(rejected, []);
  assert.strictEqual(documents.length, 1);
  assertValid(documents[0]);
  return documents[0];
}

function assertValid(doc: SegmentDocument): void {
  const checked = validateSegmentDocument(JSON.parse(JSON.stringify(doc)));
  assert.ok(checked.ok, checked.ok ? '' : `${checked.reason}: ${checked.message}`);
}

function causeOf(doc: SegmentDocument): CauseObject {
  assert.ok(typeof doc.cause === 'object' && doc.cause !== null, 'has a cause object');
  return doc.cause as CauseObject;
}

suite('convertSpanBatches: the ADOT capture', () => {
  const batches = adotSpanBatches();
  const { documents, rejected } = convertSpanBatches(batches);
  const byId = new Map(documents.map((d) => [d.id, d]));

  test('all 19 spans convert, every document validates (also after a JSON round trip)', () => {
    assert.strictEqual(batches.reduce((n, b) => n + b.spans.length, 0), 19);
    assert.deepStrictEqual(rejected, []);
    assert.strictEqual(documents.length, 19);
    for (const doc of documents) assertValid(doc);
  });

  test('ids: X-Ray trace ids, span ids, parent ids; SERVER spans and roots are segments, the rest subsegments', () => {
    const server = byId.get('de376643ad1ca02a') as SegmentDocument;
    assert.strictEqual(server.trace_id, '1-6b01eed3-d3dcc0cf352b2f2ffa14ae39');
    assert.strictEqual(server.parent_id, 'c54b9697715cf81f');
    assert.strictEqual(server.type, undefined);
    assert.strictEqual(server.name, 'otel-orders');
    // A CLIENT span without a parent: a segment for the service holding the call (which keeps the span id).
    const service = byId.get(serviceSegmentId('c54b9697715cf81f')) as SegmentDocument;
    assert.deepStrictEqual([service.type, service.parent_id, service.name, service.http], [undefined, undefined, 'otel-orders', undefined]);
    assert.strictEqual(service.subsegments?.length, 1);
    const root = service.subsegments[0];
    assert.deepStrictEqual([root.id, root.name, root.namespace, root.start_time, root.end_time], ['c54b9697715cf81f', '127.0.0.1:3011', 'remote', service.start_time, service.end_time]);
    assert.deepStrictEqual(root.http, { request: { method: 'GET', url: 'http://127.0.0.1:3011/orders/42' }, response: { status: 200, content_length: 11 } });
    const internal = byId.get('59ffba24a2d9c7fd') as SegmentDocument;
    assert.deepStrictEqual([internal.type, internal.parent_id, internal.name, internal.namespace], ['subsegment', '4e06475305a901fb', 'loadOrder', undefined]);
    const segments = documents.filter((d) => d.type !== 'subsegment').map((d) => d.id).sort();
    const roots = ['426a00ffbaa8a6ff', '56446b5a388edd98', 'c54b9697715cf81f'].map(serviceSegmentId);
    assert.deepStrictEqual(segments, ['3f1bd73530f2b013', '4bcf6cc14c7ed782', 'de376643ad1ca02a', ...roots].sort());
  });

  test('times are exact to the microsecond', () => {
    const tcp = byId.get('99b5aaad667ee60b') as SegmentDocument;
    assert.strictEqual(tcp.start_time, 1795288787.849);
    assert.strictEqual(tcp.end_time, 1795288787.859179); // ...859178810 ns rounds up
    assert.strictEqual(JSON.stringify(tcp.end_time), '1795288787.859179');
  });

  test('assembled by TraceAssembler: the server segment holds its internal spans as a tree', () => {
    const id = '1-6b01eed3-d3dcc0cf352b2f2ffa14ae39';
    const assembler = new TraceAssembler(id);
    for (const doc of documents) if (doc.trace_id === id) assert.ok(assembler.add(doc));
    assert.deepStrictEqual(assembler.pendingSubsegments(), []);
    const segments = assembler.segments();
    assert.deepStrictEqual(segments.map((s) => s.id), [serviceSegmentId('c54b9697715cf81f'), 'de376643ad1ca02a']);
    const [client, server] = segments;
    assert.deepStrictEqual(client.subsegments?.map((s) => s.id), ['c54b9697715cf81f']);
    assert.deepStrictEqual(client.subsegments?.[0].subsegments?.map((s) => s.name), ['tcp.connect']);
    const chain: string[] = [];
    for (let doc: SegmentDocument | undefined = server; doc; doc = doc.subsegments?.[0]) {
      chain.push(doc.name);
      assert.ok((doc.subsegments?.length ?? 0) <= 1);
    }
    assert.deepStrictEqual(chain, ['otel-orders', 'middleware - patched', 'request handler', 'request handler - /orders/:id', 'loadOrder']);
  });

  test('the crash trace: applyConfig holds the TypeError with its stack resolved to app.js lines 6 and 18', () => {
    const apply = byId.get('ba9165798701b0a4') as SegmentDocument;
    assert.strictEqual(apply.fault, true, 'span status ERROR → fault');
    assert.strictEqual(classifyDocument(apply), 'fault');
    const [exception] = causeOf(apply).exceptions ?? [];
    assert.strictEqual(exception.type, 'TypeError');
    assert.strictEqual(exception.message, "Cannot read properties of undefined (reading 'threshold')");
    assert.match(exception.id ?? '', /^[0-9a-f]{16}$/);
    const stack = exception.stack ?? [];
    assert.deepStrictEqual(stack.slice(0, 2), [
      { path: '/srv/shop-demo/otel/app.js', line: 6, label: 'parseConfig' },
      { path: '/srv/shop-demo/otel/app.js', line: 18, label: 'anonymous' },
    ]);
    const user = stack.filter(isUserFrame).map((f) => f.line);
    assert.deepStrictEqual(user, [6, 18, 17]);
    assert.ok(stack.some((f) => f.path === 'node:async_hooks' && !isUserFrame(f)));
    assert.ok(stack.some((f) => f.path?.includes('/node_modules/') && !isUserFrame(f)));

    const id = '1-6b01eed3-7d999026edbd8d51c6be80ad';
    const assembler = new TraceAssembler(id);
    for (const doc of documents) if (doc.trace_id === id) assembler.add(doc);
    const [client, server] = assembler.segments();
    assert.deepStrictEqual([classifyDocument(client), classifyDocument(server)], ['fault', 'fault']);
    const [call] = client.subsegments ?? [];
    assert.strictEqual(classifyDocument(call), 'fault');
    assert.strictEqual(call.http?.response?.status, 500);
    // No status message on the client span: the exporter takes http.status_text as the cause message.
    assert.strictEqual(causeOf(call).exceptions?.[0].message, 'INTERNAL SERVER ERROR');
  });

  test('resource: service name, SDK as aws.xray, resource attributes as otel.resource.* metadata on segments only', () => {
    const server = byId.get('de376643ad1ca02a') as SegmentDocument;
    assert.deepStrictEqual(server.aws?.xray, { sdk: 'opentelemetry for nodejs', sdk_version: '2.8.0', auto_instrumentation: true });
    assert.strictEqual(server.metadata?.default['otel.resource.service.name'], 'otel-orders');
    assert.strictEqual(server.metadata?.default['http.route'], '/orders/:id');
    const internal = byId.get('59ffba24a2d9c7fd') as SegmentDocument;
    assert.strictEqual(internal.aws, undefined);
    assert.deepStrictEqual(internal.metadata, { default: { 'order.id': '42' } });
  });
});

suite('convertSpanBatches: HTTP', () => {
  test('old conventions, SERVER: method, URL as sent, client ip, status; consumed attributes leave metadata', () => {
    const doc = convertOne({
      kind: 'SERVER',
      attributes: {
        'http.method': 'POST', 'http.url': 'http://shop.local:8080/cart?x=1', 'http.status_code': 201, 'http.user_agent': 'curl/8.5',
        'net.peer.ip': '10.0.0.7', 'http.route': '/cart',
      },
    });
    assert.deepStrictEqual(doc.http, {
      request: { method: 'POST', url: 'http://shop.local:8080/cart?x=1', user_agent: 'curl/8.5', client_ip: '10.0.0.7' },
      response: { status: 201 },
    });
    assert.deepStrictEqual(doc.metadata?.default && Object.keys(doc.metadata.default).filter((k) => !k.startsWith('otel.resource.')), ['http.route']);
  });

  test('old conventions, SERVER without http.url: the URL from scheme, host, port and target', () => {
    const doc = convertOne({
      kind: 'SERVER',
      attributes: { 'http.method': 'GET', 'http.scheme': 'https', 'http.server_name': 'api.example.com', 'net.host.port': 8443, 'http.target': '/v1/items?q=a' },
    });
    assert.strictEqual(doc.http?.request?.url, 'https://api.example.com:8443/v1/items?q=a');
    const defaultPort = convertOne({ kind: 'SERVER', attributes: { 'http.method': 'GET', 'net.host.name': 'a.b', 'net.host.port': 80, 'http.target': '/' } });
    assert.strictEqual(defaultPort.http?.request?.url, 'http://a.b/');
  });

  test('new conventions, SERVER: http.request.method, url.scheme/path/query, server.address/port, client.address', () => {
    const doc = convertOne({
      kind: 'SERVER',
      attributes: {
        'http.request.method': 'GET', 'url.scheme': 'http', 'url.path': '/orders/7', 'url.query': 'full=1', 'server.address': 'orders.internal',
        'server.port': 3000, 'client.address': '203.0.113.9', 'http.response.status_code': 200, 'user_agent.original': 'k6/0.49',
      },
    });
    assert.deepStrictEqual(doc.http, {
      request: { method: 'GET', url: 'http://orders.internal:3000/orders/7?full=1', user_agent: 'k6/0.49', client_ip: '203.0.113.9', x_forwarded_for: true },
      response: { status: 200 },
    });
  });

  test('CLIENT spans: url.full, named for the host they call, namespace remote, no client_ip', () => {
    const doc = convertOne({
      kind: 'CLIENT', name: 'GET',
      attributes: { 'http.request.method': 'GET', 'url.full': 'https://pay.example.com/charge', 'server.address': 'pay.example.com', 'network.peer.address': '198.51.100.4', 'http.response.status_code': 200 },
    });
    assert.deepStrictEqual([doc.type, doc.namespace, doc.name], ['subsegment', 'remote', 'pay.example.com']);
    assert.deepStrictEqual(doc.http?.request, { method: 'GET', url: 'https://pay.example.com/charge' });
    const old = convertOne({ kind: 'CLIENT', name: 'GET', attributes: { 'http.method': 'GET', 'net.peer.name': 'inventory', 'net.peer.port': 8081, 'http.target': '/stock' } });
    assert.deepStrictEqual([old.name, old.http?.request?.url], ['inventory', 'http://inventory:8081/stock']);
    assert.strictEqual(convertOne({ kind: 'CLIENT', attributes: { 'peer.service': 'billing', 'http.host': 'b:1' } }).name, 'billing');
  });

  test('status → error / throttle / fault, over the span status; span status ERROR alone → fault', () => {
    const cases: [number | undefined, 0 | 2, string][] = [
      [200, 0, 'ok'], [404, 0, 'error'], [429, 0, 'throttle'], [503, 0, 'fault'], [404, 2, 'error'], [200, 2, 'fault'], [undefined, 2, 'fault'], [undefined, 0, 'ok'],
    ];
    for (const [status, code, outcome] of cases) {
      const attributes: OtelAttributes = status === undefined ? {} : { 'http.response.status_code': status };
      const doc = convertOne({ kind: 'SERVER', attributes, status: { code } });
      assert.strictEqual(classifyDocument(doc), outcome, `status ${status}, span status ${code}`);
    }
    const throttled = convertOne({ kind: 'CLIENT', attributes: { 'http.status_code': '429' } });
    assert.deepStrictEqual([throttled.error, throttled.throttle, throttled.fault], [true, true, undefined]);
    const withMessage = convertOne({ kind: 'SERVER', status: { code: 2, message: 'upstream timed out' } });
    assert.deepStrictEqual(causeOf(withMessage).exceptions?.map((e) => e.message), ['upstream timed out']);
  });

  test('non-HTTP spans with net.* attributes get no http block and keep them as metadata', () => {
    const doc = convertOne({ name: 'tcp.connect', attributes: { 'net.peer.name': 'db', 'net.peer.port': 5432, 'net.host.port': 41000 } });
    assert.strictEqual(doc.http, undefined);
    assert.deepStrictEqual(doc.metadata?.default, { 'net.peer.name': 'db', 'net.peer.port': 5432, 'net.host.port': 41000 });
  });
});

suite('convertSpanBatches: SQL and AWS', () => {
  test('old database conventions: sql block, named <db>@<host>, remote', () => {
    const doc = convertOne({
      kind: 'CLIENT', name: 'SELECT shop.orders',
      attributes: {
        'db.system': 'postgresql', 'db.name': 'shop', 'db.user': 'app', 'db.statement': 'SELECT * FROM orders WHERE id = $1',
        'db.connection_string': 'jdbc:postgresql://db.internal:5432', 'db.operation': 'SELECT',
      },
    });
    assert.deepStrictEqual([doc.name, doc.namespace], ['shop@db.internal', 'remote']);
    assert.deepStrictEqual(doc.sql, {
      url: 'SELECT shop.orders', connection_string: 'jdbc:postgresql://db.internal:5432/shop', database_type: 'postgresql', user: 'app',
      sanitized_query: 'SELECT * FROM orders WHERE id = $1',
    });
    assert.deepStrictEqual(doc.metadata?.default, { 'db.operation': 'SELECT' });
  });

  test('new database conventions: db.system.name, db.namespace, db.query.text, server.address', () => {
    const doc = convertOne({
      kind: 'CLIENT', name: 'SELECT',
      attributes: { 'db.system.name': 'mysql', 'db.namespace': 'inventory', 'db.query.text': 'SELECT 1', 'server.address': 'mysql.local', 'server.port': 3306 },
    });
    assert.strictEqual(doc.name, 'inventory@mysql.local');
    assert.deepStrictEqual(doc.sql, { url: 'SELECT', connection_string: 'mysql.local:3306/inventory', database_type: 'mysql', sanitized_query: 'SELECT 1' });
  });

  test('non-SQL databases get no sql block', () => {
    const doc = convertOne({ kind: 'CLIENT', name: 'GET', attributes: { 'db.system': 'redis', 'db.statement': 'GET k' } });
    assert.strictEqual(doc.sql, undefined);
    assert.strictEqual(doc.metadata?.default['db.statement'], 'GET k');
  });

  test('AWS SDK calls: namespace aws, named for the service, aws block from rpc.* and aws.*', () => {
    const doc = convertOne({
      kind: 'CLIENT', name: 'DynamoDB.GetItem',
      attributes: {
        'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.region': 'eu-west-1',
        'aws.request_id': 'R3Q', 'aws.dynamodb.table_names': ['orders'], 'http.status_code': 200,
      },
    });
    assert.deepStrictEqual([doc.type, doc.namespace, doc.name], ['subsegment', 'aws', 'DynamoDB']);
    assert.deepStrictEqual(doc.aws, { operation: 'GetItem', region: 'eu-west-1', request_id: 'R3Q', table_name: 'orders' });
    const sqs = convertOne({
      kind: 'PRODUCER', name: 'orders send',
      attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'aws.operation': 'SendMessage', 'messaging.url': 'https://sqs.eu-west-1.amazonaws.com/1/q', 'aws.remote.service': 'AWS::SQS' },
    });
    assert.deepStrictEqual([sqs.namespace, sqs.name, sqs.aws?.operation, sqs.aws?.queue_url], ['aws', 'SQS', 'SendMessage', 'https://sqs.eu-west-1.amazonaws.com/1/q']);
    const tables = convertOne({ kind: 'CLIENT', attributes: { 'aws.service': 'DynamoDB', 'aws.dynamodb.table_names': ['a', 'b'] } });
    assert.deepStrictEqual([tables.namespace, tables.name, tables.aws?.table_names], ['aws', 'DynamoDB', ['a', 'b']]);
  });

  test('resource: origin from cloud.platform, service.version, EC2 and ECS metadata; another cloud → none', () => {
    const ec2 = convertOne({ kind: 'SERVER' }, { 'service.name': 'api', 'service.version': '1.4.2', 'cloud.provider': 'aws', 'cloud.platform': 'aws_ec2', 'host.id': 'i-0abc', 'cloud.availability_zone': 'eu-west-1a' });
    assert.deepStrictEqual([ec2.origin, ec2.service, ec2.aws?.ec2], ['AWS::EC2::Instance', { version: '1.4.2' }, { instance_id: 'i-0abc', availability_zone: 'eu-west-1a' }]);
    const ecs = convertOne({ kind: 'SERVER' }, { 'service.name': 'api', 'cloud.platform': 'aws_ecs', 'container.name': 'web', 'aws.ecs.launchtype': 'fargate' });
    assert.deepStrictEqual([ecs.origin, ecs.aws?.ecs], ['AWS::ECS::Fargate', { container: 'web', launch_type: 'fargate' }]);
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': 'f', 'cloud.platform': 'aws_lambda' }).origin, 'AWS::Lambda::Function');
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': 'f', 'cloud.platform': 'aws_ecs' }).origin, 'AWS::ECS::Container');
    const gcp = convertOne({ kind: 'SERVER' }, { 'service.name': 'g', 'cloud.provider': 'gcp', 'cloud.platform': 'gcp_compute_engine' });
    assert.deepStrictEqual([gcp.origin, gcp.aws], [undefined, undefined]);
    const sub = convertOne({ kind: 'CLIENT' }, { 'service.name': 'api', 'cloud.platform': 'aws_ec2', 'service.version': '1' });
    assert.deepStrictEqual([sub.origin, sub.service], [undefined, undefined], 'resource fields go on segments only');
  });
});

suite('convertSpanBatches: names, annotations, metadata, exceptions', () => {
  test('segment names: aws.local.service, else service.name; sanitised to X-Ray characters and 200 long', () => {
    assert.strictEqual(convertOne({ kind: 'SERVER', attributes: { 'aws.local.service': 'checkout' } }).name, 'checkout');
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': 'shop<front>*(v2)!' }).name, 'shopfrontv2');
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': 'unknown_service:node' }).name, 'unknown_service:node');
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': 'x'.repeat(300) }).name.length, 200);
    assert.strictEqual(convertOne({ kind: 'SERVER' }, { 'service.name': '<>' }).name, 'span');
    assert.strictEqual(convertOne({ kind: 'SERVER' }, {}).name, 'work', 'no service name: the span name');
    assert.strictEqual(convertOne({ name: 'GET /a?b="c"' }).name, 'GET /ab=c');
  });

  test('indexed attributes → annotations with X-Ray keys; only strings, numbers, booleans; the rest stays metadata', () => {
    const doc = convertOne(
      { kind: 'SERVER', attributes: { 'order.id': '42', 'order.total': 12.5, 'cart.items': ['a'], vip: true, 'http.method': 'GET', 'enduser.id': 'ann' } },
      { 'service.name': 'shop', 'deployment.environment': 'dev' },
      { indexedAttributes: ['order.id', 'order.total', 'cart.items', 'vip', 'http.method', 'otel.resource.deployment.environment'] },
    );
    assert.deepStrictEqual(doc.annotations, { order_id: '42', order_total: 12.5, vip: true, http_method: 'GET', otel_resource_deployment_environment: 'dev' });
    assert.deepStrictEqual(doc.metadata?.default, { 'otel.resource.service.name': 'shop', 'cart.items': ['a'] });
    assert.strictEqual(doc.user, 'ann');
    assert.strictEqual(doc.http?.request?.method, 'GET');
  });

  test('indexAllAttributes, and a span naming its own keys in aws.xray.annotations', () => {
    const all = convertOne({ attributes: { 'a-b': 1, c: 'x', d: { e: 1 } } }, {}, { indexAllAttributes: true });
    assert.deepStrictEqual(all.annotations, { a_b: 1, c: 'x' });
    assert.deepStrictEqual(all.metadata?.default, { d: { e: 1 } });
    const own = convertOne({ attributes: { 'aws.xray.annotations': ['tenant'], tenant: 't1', other: 2 } });
    assert.deepStrictEqual([own.annotations, own.metadata?.default], [{ tenant: 't1' }, { other: 2 }]);
  });

  test('code.* attributes (new and old names) are kept in metadata, even when indexed', () => {
    const attributes: OtelAttributes = {
      'code.function.name': 'loadOrder', 'code.file.path': '/srv/app/orders.js', 'code.line.number': 14,
      'code.function': 'loadOrder', 'code.filepath': '/srv/app/orders.js', 'code.lineno': 14, 'code.namespace': 'orders',
    };
    const doc = convertOne({ attributes }, NODE_RESOURCE, { indexAllAttributes: true });
    assert.deepStrictEqual(doc.metadata?.default, attributes);
    assert.strictEqual(doc.annotations?.code_lineno, 14);
  });

  test('aws.xray.metadata.<namespace> JSON becomes that metadata namespace', () => {
    const doc = convertOne({ attributes: { 'aws.xray.metadata.orders': '{"batch":{"size":3}}', 'aws.xray.metadata.default': '{"k":1}', 'aws.xray.metadata.bad': '{' } });
    assert.deepStrictEqual(doc.metadata, { orders: { batch: { size: 3 } }, default: { k: 1, 'aws.xray.metadata.bad': '{' } });
  });

  test('exception events on a CLIENT span: remote exceptions; Java Caused by chained through cause ids', () => {
    const stacktrace = 'java.lang.RuntimeException: wrapper\n\tat com.a.B.c(B.java:3)\nCaused by: java.io.IOException: disk\n\tat com.a.D.e(D.java:9)';
    const doc = convertOne(
      { kind: 'CLIENT', status: { code: 2 }, events: [{ name: 'exception', timeUnixNano: '1795288787850000000', attributes: { 'exception.type': 'java.lang.RuntimeException', 'exception.message': 'wrapper', 'exception.stacktrace': stacktrace } }] },
      { 'service.name': 'j', 'telemetry.sdk.language': 'java' },
    );
    const [top, inner] = causeOf(doc).exceptions ?? [];
    assert.deepStrictEqual([top.type, top.message, top.remote, top.stack], ['java.lang.RuntimeException', 'wrapper', true, [{ path: 'com/a/B.java', line: 3, label: 'com.a.B.c' }]]);
    assert.deepStrictEqual([inner.type, inner.message, inner.stack?.[0].line], ['java.io.IOException', 'disk', 9]);
    assert.strictEqual(top.cause, inner.id);
    assert.notStrictEqual(top.id, inner.id);
    assert.strictEqual(doc.fault, true);
  });

  test('exception ids are stable across conversions; working_directory from process.working_directory', () => {
    const fields: Partial<OtelSpan> = { events: [{ name: 'exception', timeUnixNano: '1', attributes: { 'exception.type': 'Error', 'exception.stacktrace': 'Error\n    at f (src/a.js:1:1)' } }] };
    const resource = { ...NODE_RESOURCE, 'process.working_directory': '/srv/app' };
    const a = convertOne(fields, resource);
    const b = convertOne(fields, resource);
    assert.deepStrictEqual(a.cause, b.cause);
    assert.strictEqual(causeOf(a).working_directory, '/srv/app');
    assert.strictEqual(a.fault, undefined, 'an exception event without an error status is recorded, not classified (as the exporter does)');
  });

  test('span links become links with X-Ray trace ids; bad links are left out', () => {
    const doc = convertOne({ kind: 'CONSUMER', links: [
      { traceId: '6b01eed37d999026edbd8d51c6be80ad', spanId: 'ba9165798701b0a4', attributes: { 'messaging.operation': 'receive' } },
      { traceId: 'nope', spanId: 'ba9165798701b0a4', attributes: {} },
    ] });
    assert.strictEqual(doc.type, undefined, 'a CONSUMER span is a segment');
    assert.deepStrictEqual(doc.links, [{ trace_id: '1-6b01eed3-7d999026edbd8d51c6be80ad', id: 'ba9165798701b0a4', attributes: { 'messaging.operation': 'receive' } }]);
  });
});

suite('convertSpanBatches: rejections', () => {
  test('bad ids and times are rejected with a reason; the good spans of the batch still convert', () => {
    const batch: OtelSpanBatch = {
      resource: NODE_RESOURCE,
      spans: [
        span({ spanId: 'aaaaaaaaaaaaaaaa' }),
        span({ spanId: 'xyz' }),
        span({ spanId: '0000000000000000' }),
        span({ spanId: 'bbbbbbbbbbbbbbbb', traceId: '00000000000000000000000000000000' }),
        span({ spanId: 'cccccccccccccccc', parentSpanId: '12' }),
        span({ spanId: 'dddddddddddddddd', startTimeUnixNano: '' }),
        span({ spanId: 'eeeeeeeeeeeeeeee', endTimeUnixNano: '1795288787000000000', startTimeUnixNano: '1795288788000000000' }),
        span({ spanId: 'ffffffffffffffff', endTimeUnixNano: '99999999999999999999' }),
        span({ spanId: 'abababababababab', parentSpanId: '0000000000000000' }),
      ],
    };
    const { documents, rejected } = convertSpanBatches([batch]);
    assert.deepStrictEqual(documents.map((d) => d.id), ['aaaaaaaaaaaaaaaa', 'abababababababab']);
    assert.strictEqual(documents[1].parent_id, undefined, 'an all-zero parent means no parent');
    assert.deepStrictEqual(rejected.map((r) => r.spanId), ['xyz', '0000000000000000', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc', 'dddddddddddddddd', 'eeeeeeeeeeeeeeee', 'ffffffffffffffff']);
    assert.match(rejected[0].reason, /spanId/);
    assert.match(rejected[2].reason, /traceId/);
    assert.match(rejected[3].reason, /parentSpanId/);
    assert.match(rejected[4].reason, /startTimeUnixNano/);
    assert.match(rejected[5].reason, /before/);
  });

  test('nanosToSeconds: exact digits, rounding to µs, refusals', () => {
    assert.strictEqual(nanosToSeconds('1795288787859178810'), 1795288787.859179);
    assert.strictEqual(nanosToSeconds('1795288787859178499'), 1795288787.859178);
    assert.strictEqual(nanosToSeconds('0001000'), 0.000001);
    for (const bad of ['0', '', '-1', '1e18', '12.5', ' 1', '100000000000000000000000', 1.5, null]) assert.strictEqual(nanosToSeconds(bad), undefined, String(bad));
  });

  test('input that is not batches gives nothing, never a throw', () => {
    for (const value of [undefined, null, 5, 'x', [null], [{}], [{ spans: [null, 5, 'x', []] }], [{ resource: null, spans: [span()] }]]) {
      const result = convertSpanBatches(value as unknown as OtelSpanBatch[]);
      for (const doc of result.documents) assertValid(doc);
    }
    assert.strictEqual(convertSpanBatches([{ resource: null, spans: [span()] }] as unknown as OtelSpanBatch[]).documents.length, 1);
  });
});

suite('convertSpanBatches: local roots that call out (service segment + dependency subsegment)', () => {
  const RESOURCE: OtelAttributes = { 'service.name': 'svc', 'service.version': '2.0', 'cloud.platform': 'aws_ec2', 'host.id': 'i-0abc' };
  const ROOT = { parentSpanId: '', spanId: '3333333333333333', events: [] };

  /** The span's one document: the service segment, the call embedded as its only subsegment. */
  function convertRoot(fields: Partial<OtelSpan>, resource: OtelAttributes = RESOURCE): { service: SegmentDocument; call: SegmentDocument; documents: SegmentDocument[] } {
    const service = convertOne({ ...ROOT, ...fields }, resource);
    assert.strictEqual(service.subsegments?.length, 1);
    return { service, call: service.subsegments[0], documents: [service] };
  }

  function graphOf(documents: SegmentDocument[]): ApiServiceNode[] {
    const assembler = new TraceAssembler(documents[0].trace_id as string);
    for (const doc of documents) assert.ok(assembler.add(doc));
    assert.deepStrictEqual(assembler.pendingSubsegments(), []);
    const segments = assembler.segments();
    assert.strictEqual(segments.length, 1, 'one segment');
    assert.strictEqual(segments[0].subsegments?.length, 1, 'with one child');
    return buildServiceGraph([segments], { startTime: 0, endTime: 4e9 }).Services;
  }

  test('a root AWS SDK DynamoDB CLIENT span: segment "svc", subsegment "DynamoDB" in namespace aws with the aws block', () => {
    const { service, call, documents } = convertRoot({
      kind: 'CLIENT', name: 'DynamoDB.GetItem', status: { code: 2, message: 'throttled' },
      attributes: {
        'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.region': 'eu-west-1',
        'aws.request_id': 'R3Q', 'aws.dynamodb.table_names': ['orders'], 'enduser.id': 'batch-user',
      },
    });
    const id = serviceSegmentId('3333333333333333');
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.notStrictEqual(id, '3333333333333333');
    assert.strictEqual(serviceSegmentId('3333333333333333'), id, 'derived, so a re-sent span converts the same');
    assert.deepStrictEqual(
      [service.id, service.type, service.name, service.parent_id, service.origin, service.service, service.user, service.fault],
      [id, undefined, 'svc', undefined, 'AWS::EC2::Instance', { version: '2.0' }, 'batch-user', true],
    );
    assert.deepStrictEqual(service.aws, { ec2: { instance_id: 'i-0abc' } });
    assert.deepStrictEqual([service.start_time, service.end_time], [call.start_time, call.end_time]);
    assert.strictEqual(service.metadata?.default['otel.resource.service.name'], 'svc');
    assert.deepStrictEqual(
      [call.id, call.name, call.namespace, call.origin, call.user, call.fault, call.trace_id, call.parent_id],
      ['3333333333333333', 'DynamoDB', 'aws', undefined, undefined, true, undefined, undefined],
    );
    assert.deepStrictEqual(call.aws, { operation: 'GetItem', region: 'eu-west-1', request_id: 'R3Q', table_name: 'orders' });
    assert.strictEqual(causeOf(call).exceptions?.[0].message, 'throttled');
    assert.strictEqual(call.metadata?.default['otel.resource.service.name'], undefined, 'resource metadata on the segment only');

    const nodes = graphOf(documents);
    const svc = nodes.find((n) => n.Name === 'svc' && n.Type === 'AWS::EC2::Instance');
    // X-Ray's graph shows the table the call reached (a DynamoDB call with one table_name).
    const dynamo = nodes.find((n) => n.Name === 'orders' && n.Type === 'AWS::DynamoDB::Table');
    assert.ok(svc && dynamo, nodes.map((n) => `${n.Type} ${n.Name}`).join(', '));
    assert.deepStrictEqual(svc.Edges.map((e) => e.ReferenceId), [dynamo.ReferenceId]);
  });

  test('a root HTTP CLIENT span: subsegment in namespace remote named for the host, with the http block', () => {
    const { service, call, documents } = convertRoot({
      kind: 'CLIENT', name: 'GET',
      attributes: { 'http.request.method': 'GET', 'url.full': 'https://inventory.internal:8443/stock/7', 'server.address': 'inventory.internal', 'server.port': 8443, 'http.response.status_code': 200 },
    }, { 'service.name': 'svc' });
    assert.deepStrictEqual([service.name, service.type, service.http, service.namespace], ['svc', undefined, undefined, undefined]);
    assert.deepStrictEqual([call.name, call.namespace], ['inventory.internal', 'remote']);
    assert.deepStrictEqual(call.http, { request: { method: 'GET', url: 'https://inventory.internal:8443/stock/7' }, response: { status: 200 } });

    const nodes = graphOf(documents);
    const svc = nodes.find((n) => n.Name === 'svc' && n.Type !== 'client');
    const inventory = nodes.find((n) => n.Name === 'inventory.internal');
    assert.ok(svc && inventory, nodes.map((n) => `${n.Type} ${n.Name}`).join(', '));
    assert.deepStrictEqual(svc.Edges.map((e) => e.ReferenceId), [inventory.ReferenceId]);
  });

  test("children of the split span attach to the call; LOCAL_ROOT with a parent splits too, keeping the parent", () => {
    const child = span({ spanId: '4444444444444444', parentSpanId: '3333333333333333', kind: 'INTERNAL', name: 'marshal' });
    const root = span({ ...ROOT, kind: 'PRODUCER', name: 'send', attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'rpc.method': 'SendMessage' } });
    const { documents } = convertSpanBatches([{ resource: { 'service.name': 'svc' }, spans: [root, child] }]);
    const assembler = new TraceAssembler(documents[0].trace_id as string);
    for (const doc of documents) assert.ok(assembler.add(doc));
    const [segment] = assembler.segments();
    assert.deepStrictEqual([segment.name, segment.subsegments?.[0].name, segment.subsegments?.[0].subsegments?.[0].name], ['svc', 'SQS', 'marshal']);

    const local = convertSpanBatches([{ resource: { 'service.name': 'svc' }, spans: [span({ kind: 'CLIENT', attributes: { 'aws.span.kind': 'LOCAL_ROOT', 'peer.service': 'billing' } })] }]);
    const [service] = local.documents;
    const [call] = service.subsegments ?? [];
    assert.deepStrictEqual([local.documents.length, service.name, service.parent_id, call.name, call.id, call.namespace], [1, 'svc', '2222222222222222', 'billing', '1111111111111111', 'remote']);
    // Not split: a CLIENT span with a parent, and a root SERVER span.
    assert.strictEqual(convertSpanBatches([{ resource: {}, spans: [span({ kind: 'CLIENT' })] }]).documents.length, 1);
    assert.strictEqual(convertSpanBatches([{ resource: {}, spans: [span({ ...ROOT, kind: 'SERVER' })] }]).documents.length, 1);
  });
});
