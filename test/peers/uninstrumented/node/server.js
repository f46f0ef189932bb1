// A small Node HTTP app with no tracing at all, for the instrumentation tests: they copy it, apply
// "Set Up Tracing" and "Trace This Function" to the copy, run it against a local collector and send it traffic.
// GET /quote?sku=ABC&qty=3 prices a basket through a sync function, an async one, an arrow function and a
// class method; skus starting with "x" make priceFor throw (a 500).
// usage: node server.js   (listens on PORT or a free port, prints {"port": N} once listening)
'use strict';

const http = require('http');

function parseQuantity(raw) {
  const quantity = Number.parseInt(raw ?? '1', 10);
  if (!Number.isInteger(quantity) || quantity < 1) return 1;
  return quantity;
}

async function loadStock(sku) {
  await new Promise((resolve) => setTimeout(resolve, 5 + (sku.length % 3)));
  return { sku, available: 100 - sku.length };
}

const priceFor = (sku, quantity) => {
  if (sku.startsWith('x')) throw new RangeError(`no price for ${sku}`);
  return quantity * (10 + sku.length);
};

class Basket {
  constructor(sku, quantity) {
    this.sku = sku;
    this.quantity = quantity;
  }

  total(stock) {
    const price = priceFor(this.sku, Math.min(this.quantity, stock.available));
    return { sku: this.sku, price };
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let status = 200;
  let body;
  try {
    const sku = url.searchParams.get('sku') ?? 'ABC';
    const stock = await loadStock(sku);
    body = new Basket(sku, parseQuantity(url.searchParams.get('qty'))).total(stock);
  } catch (err) {
    status = 500;
    body = { error: err.message };
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
