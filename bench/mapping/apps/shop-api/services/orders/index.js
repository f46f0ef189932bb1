'use strict';

const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('../../lib/xray');
const db = require('../../lib/db');
const cache = require('../../lib/cache');

class NotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotFoundError';
    this.status = 404;
  }
}

class OrderService {
  constructor(database = db) {
    this.db = database;
  }

  // Arrow field so routes can pass `orders.load` around without binding.
  load = async (orderId) =>
    AWSXRay.captureAsyncFunc('OrderService.load', async (subsegment) => {
      subsegment.addAnnotation('order_id', String(orderId));
      try {
        const [order] = await this.db.query('orders', 'SELECT * FROM orders WHERE id = $1', [orderId]);
        if (!order) throw new NotFoundError(`order ${orderId} not found`);
        order.lines = await this.db.query('order_lines', 'SELECT sku, qty, list_price FROM order_lines WHERE order_id = $1', [orderId]);
        subsegment.close();
        return order;
      } catch (err) {
        subsegment.close(err);
        throw err;
      }
    });
}

async function enrichOrder(order) {
  return AWSXRay.captureAsyncFunc('customer-enrichment', async (subsegment) => {
    const [customer] = await db.query('customers', 'SELECT id, name, lifetime_value FROM customers WHERE id = $1', [order.customerId]);

    const tier = await AWSXRay.captureAsyncFunc('loyalty-tier', async (tierSegment) => {
      const cached = await cache.get(`tier:${customer.id}`);
      if (cached) {
        tierSegment.close();
        return cached;
      }
      await sleep(3); // loyalty service is slow, hence the cache
      const computed = customer.lifetimeValue >= 1000 ? 'gold' : 'standard';
      cache.set(`tier:${customer.id}`, computed);
      tierSegment.close();
      return computed;
    });

    subsegment.close();
    return { ...order, customer: { id: customer.id, name: customer.name, tier } };
  });
}

module.exports = { OrderService, NotFoundError, enrichOrder };
