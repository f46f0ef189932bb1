'use strict';

const AWSXRay = require('./lib/xray');
const express = require('express');
const xrayExpress = require('aws-xray-sdk-express');
const ordersRouter = require('./routes/orders');
const checkoutRouter = require('./routes/checkout');
const registerReportRoutes = require('./routes/reports');
const { getJson } = require('./lib/http-client');

const port = Number(process.env.PORT || 3000);
const app = express();

app.use(express.json());
app.use(xrayExpress.openSegment('shop-api'));

app.get('/health', (req, res) => {
  res.json({ status: 'ok', uptime: Math.round(process.uptime()) });
});

app.use('/orders', ordersRouter);
app.use('/checkout', checkoutRouter);
registerReportRoutes(app);

app.get('/status/deep', async (req, res) => {
  const self = await getJson(`http://127.0.0.1:${port}/health`);
  res.status(self.status === 200 ? 200 : 503).json({ api: self.body, xray: Boolean(AWSXRay.getSegment()) });
});

app.use(xrayExpress.closeSegment());

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  const status = err.status || 500;
  if (status >= 500) console.error(err);
  res.status(status).json({ error: err.message });
});

app.listen(port, '127.0.0.1', () => {
  console.log(`shop-api listening on http://127.0.0.1:${port}`);
});
