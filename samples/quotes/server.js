// quote-svc: price quotes, instrumented ONLY with OpenTelemetry. It asks inventory-svc (an X-Ray SDK service)
// for stock; the X-Ray propagator carries the trace across, so a quote is one trace over both services.
// PORT (default 3003), INVENTORY_URL (default http://127.0.0.1:3002); spans go to
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (default http://127.0.0.1:4318/v1/traces).
'use strict';

require('./tracing');
const http = require('http');
const { QuoteError, computeQuote, validateSku } = require('./pricing');

const inventoryUrl = process.env.INVENTORY_URL || 'http://127.0.0.1:3002';

function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`inventory answered ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function quote(sku) {
  await validateSku(sku);
  const stock = await getJson(`${inventoryUrl}/inventory/${encodeURIComponent(sku)}`);
  return computeQuote(sku, stock);
}

const server = http.createServer((req, res) => {
  const match = /^\/quotes\/([^/?]+)/.exec(req.url || '');
  if (req.method !== 'GET' || !match) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  quote(decodeURIComponent(match[1])).then(
    (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (error) => {
      const status = error instanceof QuoteError ? 400 : 502;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    },
  );
});

server.listen(Number(process.env.PORT || 3003), '127.0.0.1', () => {
  if (!process.env.QUIET) console.log(`quote-svc listening on http://127.0.0.1:${server.address().port} (OpenTelemetry)`);
});
