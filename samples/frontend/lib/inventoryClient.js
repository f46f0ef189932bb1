// Calls inventory-svc over HTTP. captureHTTPs wraps node:http so each call is a `remote` subsegment and
// carries the X-Amzn-Trace-Id header (traced: true), which links inventory-svc's segment into the trace.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');
const { DownstreamError } = require('./errors');

const http = AWSXRay.captureHTTPs(require('http'), true);
const baseUrl = new URL(process.env.INVENTORY_URL || 'http://127.0.0.1:3002');

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: baseUrl.hostname,
      port: baseUrl.port,
      path,
      method,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const json = text ? JSON.parse(text) : {};
        if (res.statusCode >= 400) {
          reject(new DownstreamError(`inventory-svc ${method} ${path} failed with ${res.statusCode}: ${json.error}`, res.statusCode));
        } else {
          resolve(json);
        }
      });
    });
    req.on('error', (err) => reject(new DownstreamError(`inventory-svc unreachable: ${err.message}`, 0)));
    req.end(payload);
  });
}

const getStock = (sku) => call('GET', `/inventory/${encodeURIComponent(sku)}`);
const reserve = (sku, quantity) => call('POST', '/reservations', { sku, quantity });

module.exports = { getStock, reserve };
