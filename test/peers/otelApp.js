// A real app instrumented only with OpenTelemetry (@opentelemetry/sdk-node, the HTTP instrumentation, the AWS
// X-Ray id generator and propagator), exporting spans over OTLP/HTTP, used by the collector tests as a peer
// process. It serves GET /orders/:id (a server span with internal children: loadOrder, priceOrder, which
// records an exception and fails for every third id; with --downstream, a client call whose X-Amzn-Trace-Id
// header carries the trace into that service), sends itself the requests (uninstrumented, so the server span
// is the root), flushes the exporter and prints one JSON line per request: {"traceId", "status"} (trace id in
// X-Ray form) and whether it was sampled, then {"done": true}.
//
// usage: node test/peers/otelApp.js --endpoint http://127.0.0.1:PORT/v1/traces [--protocol http/protobuf|http/json]
//          [--gzip] [--requests N] [--downstream http://127.0.0.1:PORT] [--service-name NAME]
//          [--xray-sampler http://127.0.0.1:PORT]  sample with OpenTelemetry's AWS X-Ray remote sampler, which asks
//                                                   that daemon address for GetSamplingRules and SamplingTargets
//          [--interval-ms M] [--linger-ms L]        M ms between requests; stay up L ms after them (SIGTERM ends it)
//                                                   so the sampler reports its statistics (every 10 s)
'use strict';

// Traces only: NodeSDK would otherwise also export metrics and logs over OTLP.
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_LOGS_EXPORTER = 'none';

const { diag, DiagLogLevel, SpanStatusCode, trace } = require('@opentelemetry/api');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter: OTLPProtoTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: OTLPJsonTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { AWSXRayIdGenerator } = require('@opentelemetry/id-generator-aws-xray');
const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const endpoint = flag('endpoint');
const protocol = flag('protocol', 'http/protobuf');
const requests = Number(flag('requests', 3));
const downstream = flag('downstream');
const serviceName = flag('service-name', 'otel-orders');
const xraySampler = flag('xray-sampler');
const intervalMs = Number(flag('interval-ms', 0));
const lingerMs = Number(flag('linger-ms', 0));
if (!endpoint) throw new Error('--endpoint is required');

// Export failures would otherwise be silent; the test shows stderr when it fails.
diag.setLogger({
  error: (...args) => console.error('otel error:', ...args),
  warn: (...args) => console.error('otel warn:', ...args),
  info: () => {}, debug: () => {}, verbose: () => {},
}, DiagLogLevel.WARN);

const exporterOptions = { url: endpoint, ...(process.argv.includes('--gzip') ? { compression: 'gzip' } : {}) };
const exporter = protocol === 'http/json' ? new OTLPJsonTraceExporter(exporterOptions) : new OTLPProtoTraceExporter(exporterOptions);
let ownPort = 0;

const sampler = xraySampler
  ? new (require('@opentelemetry/sampler-aws-xray').AWSXRayRemoteSampler)({
    resource: require('@opentelemetry/resources').resourceFromAttributes({ 'service.name': serviceName }),
    endpoint: xraySampler,
  })
  : undefined;

const sdk = new NodeSDK({
  serviceName,
  ...(sampler ? { sampler } : {}),
  spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100 })],
  idGenerator: new AWSXRayIdGenerator(),
  textMapPropagator: new AWSXRayPropagator(),
  instrumentations: [new HttpInstrumentation({
    // The app's requests to itself stand in for outside callers: no client span, no propagated context.
    ignoreOutgoingRequestHook: (options) => Number(options.port) === ownPort,
  })],
});
sdk.start();

// Required after sdk.start() so the HTTP instrumentation patches it.
const http = require('http');

const tracer = trace.getTracer('otel-orders-manual', '1.0.0');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class PricingError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PricingError';
  }
}

function priceOrder(id) {
  return tracer.startActiveSpan('priceOrder', (span) => {
    try {
      span.setAttribute('order.currency', 'EUR');
      if (id % 3 === 0) throw new PricingError(`order ${id} has no price`);
      return 10 * id;
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    }).on('error', reject);
  });
}

async function handleOrder(id) {
  await tracer.startActiveSpan('loadOrder', async (span) => {
    span.setAttribute('order.id', String(id));
    span.setAttribute('order.items', 3);
    await sleep(2);
    span.end();
  });
  const total = priceOrder(id);
  if (downstream) await get(`${downstream}/inventory/SKU-${id}`);
  return total;
}

const server = http.createServer((req, res) => {
  const span = trace.getActiveSpan();
  const traceId = span ? span.spanContext().traceId : '';
  const sampled = span ? (span.spanContext().traceFlags & 1) === 1 : false;
  span?.setAttribute('customer.tier', 'gold');
  const match = /^\/orders\/(\d+)$/.exec(req.url);
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-trace-id': traceId, 'x-sampled': String(sampled) });
    res.end(JSON.stringify(body));
  };
  if (!match) return reply(404, { error: 'not found' });
  handleOrder(Number(match[1])).then(
    (total) => reply(200, { total }),
    (error) => reply(500, { error: error.message }),
  );
});

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ownPort = server.address().port;
  for (let id = 1; id <= requests; id++) {
    const res = await get(`http://127.0.0.1:${ownPort}/orders/${id}`);
    const hex = res.headers['x-trace-id'];
    console.log(JSON.stringify({ traceId: `1-${hex.slice(0, 8)}-${hex.slice(8)}`, status: res.status, sampled: res.headers['x-sampled'] === 'true' }));
    if (intervalMs) await sleep(intervalMs);
  }
  if (lingerMs) {
    // The statistics go out on the sampler's own timer; SIGTERM (the test, once they arrived) ends the wait.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, lingerMs);
      process.once('SIGTERM', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  await new Promise((resolve) => server.close(resolve));
  await sdk.shutdown(); // flushes the batch processor: every span is exported (or has failed) after this
  console.log(JSON.stringify({ done: true }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
