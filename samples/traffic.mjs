// A request mix for the sample app: mostly order lookups and checkouts, and every few seconds a 400, a 429,
// a 500 (crash), a 502 (inventory out of stock). Deterministic: the same sequence every run.
// usage: node samples/traffic.mjs [--url http://127.0.0.1:3001] [--quotes-url http://127.0.0.1:3003] [--rate 2] [--count N] [--verbose]
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** An X-Amzn-Trace-Id as an upstream caller (a load balancer, another service) would send it. */
function upstreamTraceHeader() {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

/** The i-th request of the mix. */
export function requestFor(i) {
  const id = 10 + ((i * 37) % 90);
  const mix = [
    { method: 'GET', path: `/orders/${id}?tier=${i % 2 ? 'gold' : 'standard'}` },
    { method: 'POST', path: '/checkout', body: { orderId: id, quantity: 1 } },
    { method: 'GET', path: `/orders/${id}` },
    { method: 'GET', path: '/bad' },
    { method: 'GET', path: `/orders/${id}`, headers: { 'x-amzn-trace-id': upstreamTraceHeader() } },
    { method: 'POST', path: '/checkout', body: { orderId: id, sku: 'SKU-GONE' } },
    { method: 'GET', path: '/health', headers: { 'x-forwarded-for': '203.0.113.7' } },
    { method: 'GET', path: `/orders/${id}?tier=standard` },
    { method: 'GET', path: '/limited' },
    { method: 'GET', path: `/orders/${id}` },
    { method: 'GET', path: '/crash' },
    { method: 'POST', path: '/checkout', body: { orderId: id, quantity: 2, user: 'demo-user' } },
  ];
  // Now and then a request that opens 120 subsegments at once (the SDK then streams them separately).
  if (i % 60 === 59) return { method: 'GET', path: '/fanout?n=120' };
  return mix[i % mix.length];
}

async function send(baseUrl, { method, path, body, headers = {} }) {
  const init = { method, headers: { 'user-agent': 'xray-lens-sample-traffic/1.0', ...headers } };
  if (body) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  try {
    const res = await fetch(new URL(path, baseUrl), init);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection failed
  }
}

/**
 * Sends the mix to `url` at `rate` requests per second, `count` requests (Infinity: until `signal` aborts).
 * `log` gets a summary every 20 requests (every request with `verbose`). Resolves with the count of each status.
 */
/** Every 4th request of the mix is followed by one to quote-svc (OpenTelemetry), when its URL is given. */
export function quoteRequestFor(i) {
  if (i % 4 !== 1) return undefined;
  const n = (i - 1) / 4;
  return { method: 'GET', path: n % 5 === 4 ? '/quotes/not-a-sku' : `/quotes/SKU-${100 + (n % 7)}` };
}

export async function runTraffic({ url = 'http://127.0.0.1:3001', quotesUrl, rate = 2, count = Infinity, verbose = false, log = console.log, signal } = {}) {
  const statuses = {};
  const interval = 1000 / rate;
  const started = Date.now();
  const summary = (n) => Object.entries(statuses).map(([s, c]) => `${s}×${c}`).join(' ') + ` (${n} requests)`;
  for (let i = 0; i < count && !signal?.aborted; i++) {
    const request = requestFor(i);
    const status = await send(url, request);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (verbose) log(`[traffic] ${request.method} ${request.path} -> ${status}`);
    const quote = quotesUrl && quoteRequestFor(i);
    if (quote) {
      const quoteStatus = await send(quotesUrl, quote);
      if (verbose) log(`[traffic] quote-svc ${quote.method} ${quote.path} -> ${quoteStatus}`);
    }
    else if ((i + 1) % 20 === 0) log(`[traffic] ${summary(i + 1)}`);
    const wait = started + (i + 1) * interval - Date.now();
    if (wait > 0 && i + 1 < count) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return statuses;
}

export function parseFlag(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const statuses = await runTraffic({
    url: parseFlag(argv, 'url', 'http://127.0.0.1:3001'),
    quotesUrl: parseFlag(argv, 'quotes-url', undefined),
    rate: Number(parseFlag(argv, 'rate', 2)),
    count: Number(parseFlag(argv, 'count', Infinity)),
    verbose: argv.includes('--verbose'),
    signal: controller.signal,
  });
  console.log(`[traffic] done: ${JSON.stringify(statuses)}`);
}
