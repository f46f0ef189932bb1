// inventory-svc: stock lookups and reservations for frontend-api.
// PORT (default 3002); segments go to AWS_XRAY_DAEMON_ADDRESS (default 127.0.0.1:2000) over UDP.
'use strict';

const { configureXRay, createTracedServer, listen } = require('../shared/tracedServer');
const { lookupStock, reserveStock } = require('./stock');

configureXRay('inventory-svc');

async function getInventory({ params, segment }) {
  segment.addAnnotation('sku', params.sku);
  return { body: await lookupStock(params.sku) };
}

async function postReservation({ body, segment }) {
  segment.addAnnotation('sku', String(body.sku));
  return { status: 201, body: await reserveStock(String(body.sku), Number(body.quantity ?? 1)) };
}

listen(createTracedServer([
  { method: 'GET', path: '/inventory/:sku', handler: getInventory },
  { method: 'POST', path: '/reservations', handler: postReservation },
]), 'inventory-svc', Number(process.env.PORT || 3002));
