// The error routes (400, 429, 500) and the ones that exercise SDK behaviour: /fanout opens more than 100
// subsegments at once, so the SDK streams the finished ones as separate `"type":"subsegment"` documents.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');
const { applyConfig } = require('../lib/config');
const { ValidationError, RateLimitError } = require('../lib/errors');

function search({ query }) {
  if (!query.q) throw new ValidationError('missing required parameter "q"');
  return { body: { q: query.q, results: [] } };
}

function limited({ req }) {
  throw new RateLimitError(`too many requests for client ${req.socket.remoteAddress}`);
}

function crash() {
  const settings = applyConfig('{"features":{"fastCheckout":true}}');
  return { body: settings };
}

function health() {
  return { body: { ok: true } };
}

async function fanout({ query }) {
  const n = Math.min(Number(query.n) || 120, 500);
  const done = await AWSXRay.captureAsyncFunc('batch-worker', async (worker) => {
    const items = Array.from({ length: n }, (_, i) =>
      AWSXRay.captureAsyncFunc(`work-item-${i}`, (item) => new Promise((resolve) => {
        setTimeout(() => {
          item.close();
          resolve(i);
        }, 5 + (i % 10));
      })));
    const results = await Promise.all(items);
    worker.close();
    return results.length;
  });
  return { body: { processed: done } };
}

const miscRoutes = [
  { method: 'GET', path: '/bad', handler: search },
  { method: 'GET', path: '/limited', handler: limited },
  { method: 'GET', path: '/crash', handler: crash },
  { method: 'GET', path: '/health', handler: health },
  { method: 'GET', path: '/fanout', handler: fanout },
];

module.exports = { miscRoutes };
