// A real app instrumented with the real aws-xray-sdk-core, used by the collector tests as a peer process.
// It serves HTTP through the SDK's middleware (so sampling decisions go through centralized sampling, the
// SDK's default: GetSamplingRules + SamplingTargets on the daemon address), sends itself requests, and
// prints one JSON line per request: {"traceId", "sampled", "status"}, then {"done": true}.
//
// usage: AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:PORT node test/peers/nodeSdkApp.js [--requests N] [--interval-ms M]
//          [--warmup-ms W]     first request, then wait W ms so the sampling rules are fetched before counting
//          [--paths P,Q]       request i goes to the i-th of these prefixes (in turn) + its number; default /orders/
//          [--linger-ms L]     after the requests stay up to L ms (SIGTERM ends it, exit 0): the SDK reports its
//                              sampling statistics only every 10 s and only while the process runs
//          [--die-mid-trace]   open a segment, flush it in progress, and exit without closing it
'use strict';

const http = require('http');
const AWSXRay = require('aws-xray-sdk-core');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

AWSXRay.setContextMissingStrategy('LOG_ERROR');
AWSXRay.setLogger({ error: () => {}, warn: () => {}, info: () => {}, debug: () => {} });
AWSXRay.middleware.setDefaultName('peer-orders');

function stringFlag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class ValidationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValidationError';
  }
}

// Nested async and sync subsegments, annotations, metadata and, for every third order, an error thrown
// inside a subsegment that bubbles up to the segment (the SDK then records `cause: { id }` by reference).
async function handleOrder(id, segment) {
  segment.addAnnotation('order_id', id);
  const order = await AWSXRay.captureAsyncFunc('loadOrder', async (sub) => {
    sub.addAnnotation('source', 'db');
    try {
      return await AWSXRay.captureAsyncFunc('queryOrders', async (query) => {
        query.addMetadata('sql', `SELECT * FROM orders WHERE id = ${id}`);
        await sleep(2);
        query.close();
        return { id, total: 10 * id };
      });
    } finally {
      sub.close();
    }
  });
  return AWSXRay.captureFunc('priceOrder', (sub) => {
    sub.addAnnotation('tier', id % 2 ? 'gold' : 'standard');
    if (id % 3 === 0) throw new ValidationError(`order ${id} has no price`);
    return AWSXRay.captureFunc('applyDiscount', () => order.total * 0.9);
  });
}

function startServer() {
  const server = http.createServer((req, res) => {
    const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
    const ns = AWSXRay.getNamespace();
    ns.bindEmitter(req);
    ns.bindEmitter(res);
    ns.run(() => {
      AWSXRay.setSegment(segment);
      const id = Number(req.url.split('/').pop());
      handleOrder(id, segment).then(
        (price) => {
          res.setHeader('x-trace', JSON.stringify({ traceId: segment.trace_id, sampled: segment.notTraced !== true }));
          res.end(String(price));
        },
        (err) => {
          segment.addError(err);
          res.statusCode = 500;
          res.setHeader('x-trace', JSON.stringify({ traceId: segment.trace_id, sampled: segment.notTraced !== true }));
          res.end(err.message);
        },
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ...JSON.parse(res.headers['x-trace']) }));
    }).on('error', reject);
  });
}

async function dieMidTrace() {
  const segment = new AWSXRay.Segment('peer-dying-worker');
  segment.addAnnotation('job', 'reindex');
  const sub = segment.addNewSubsegment('step-1');
  sub.close();
  // The SDK sends a copy with in_progress: true; the process then dies before close() sends the final one.
  segment.flush();
  console.log(JSON.stringify({ traceId: segment.trace_id, sampled: true, status: 0 }));
  await sleep(100);
  process.exit(3);
}

async function main() {
  if (process.argv.includes('--die-mid-trace')) return dieMidTrace();
  const requests = flag('requests', 10);
  const intervalMs = flag('interval-ms', 0);
  const warmupMs = flag('warmup-ms', 0);
  const lingerMs = flag('linger-ms', 0);
  const paths = stringFlag('paths', '/orders/').split(',');
  const server = await startServer();
  const { port } = server.address();
  if (warmupMs > 0) {
    await get(port, '/orders/1');
    await sleep(warmupMs);
  }
  for (let i = 0; i < requests; i++) {
    const path = `${paths[i % paths.length]}${100 + i}`;
    const result = await get(port, path);
    console.log(JSON.stringify({ ...result, path }));
    if (intervalMs) await sleep(intervalMs);
  }
  // Segments leave on res 'finish'; give the last UDP sends a moment before exiting.
  await sleep(200);
  console.log(JSON.stringify({ done: true }));
  server.close();
  if (lingerMs) {
    process.once('SIGTERM', () => process.exit(0));
    await sleep(lingerMs);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
