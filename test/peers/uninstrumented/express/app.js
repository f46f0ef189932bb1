// A small Express app with no tracing, for the instrumentation tests (the X-Ray SDK's Express set-up is applied
// to a copy of it and run). GET /stock/:sku looks stock up through an async function; skus starting with "x"
// fail in it and reach the app's own error handler (a 500).
// usage: node app.js   (listens on PORT or a free port, prints {"port": N} once listening)
'use strict';

const express = require('express');

async function lookUpStock(sku) {
  await new Promise((resolve) => setTimeout(resolve, 3));
  if (sku.startsWith('x')) throw new Error(`unknown sku ${sku}`);
  return { sku, available: 7 };
}

const app = express();

app.get('/health', (req, res) => {
  res.json({ ok: true });
});

app.get('/stock/:sku', async (req, res) => {
  res.json(await lookUpStock(req.params.sku));
});

app.use((err, req, res, _next) => {
  res.status(500).json({ error: err.message });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
