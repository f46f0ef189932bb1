// GET /orders/:id and POST /checkout: the happy paths, and a 502 when inventory-svc fails.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');
const { loadOrder, estimateDelivery } = require('../lib/orderStore');
const { priceOrder } = require('../lib/pricing');
const { getStock, reserve } = require('../lib/inventoryClient');
const { ValidationError } = require('../lib/errors');

function formatOrder(priced, stock) {
  return AWSXRay.captureFunc('formatOrder', (subsegment) => {
    subsegment.addMetadata('stock', stock, 'inventory');
    return { order: priced.id, sku: priced.sku, quantity: priced.quantity, total: priced.total, inStock: stock.available > 0 };
  });
}

async function getOrder({ params, query, segment }) {
  const order = await loadOrder(params.id);
  const tier = query.tier || order.customerTier;
  segment.addAnnotation('customer_tier', tier);
  segment.addAnnotation('order_id', params.id);
  segment.addMetadata('query', query);
  const [stock, delivery] = await Promise.all([getStock(order.sku), estimateDelivery(order)]);
  const priced = priceOrder({ ...order, customerTier: tier }, stock);
  return { body: { ...formatOrder(priced, stock), deliveryDays: delivery.days } };
}

function validateCart(body) {
  return AWSXRay.captureFunc('validateCart', (subsegment) => {
    if (!body || !body.orderId) throw new ValidationError('checkout needs an "orderId"');
    const quantity = Number(body.quantity ?? 1);
    if (!Number.isInteger(quantity) || quantity < 1) throw new ValidationError(`bad quantity ${body.quantity}`);
    subsegment.addAnnotation('items', quantity);
    return { orderId: String(body.orderId), sku: body.sku, quantity };
  });
}

async function checkout({ body, segment }) {
  segment.setUser(body?.user ?? 'anonymous');
  return AWSXRay.captureAsyncFunc('checkout', async (subsegment) => {
    try {
      const cart = validateCart(body);
      segment.addAnnotation('order_id', cart.orderId);
      const order = await loadOrder(cart.orderId);
      const sku = cart.sku ?? order.sku;
      const reservation = await reserve(sku, cart.quantity);
      const priced = priceOrder({ ...order, quantity: cart.quantity }, { available: reservation.remaining });
      subsegment.close();
      return { status: 201, body: { order: order.id, sku, reservation: reservation.id, total: priced.total } };
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

const orderRoutes = [
  { method: 'GET', path: '/orders/:id', handler: getOrder },
  { method: 'POST', path: '/checkout', handler: checkout },
];

module.exports = { orderRoutes };
