// Orders live in memory; a lookup waits a few milliseconds like a database round trip would, so the
// subsegments have a visible duration.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function orderFor(id) {
  const n = Number.parseInt(id, 10) || 0;
  return {
    id: String(id),
    sku: `SKU-${n % 50}`,
    quantity: 1 + (n % 3),
    unitPrice: 5 + (n % 7) * 2.5,
    customerTier: n % 4 === 0 ? 'gold' : 'standard',
  };
}

/** loadOrder > queryOrders: an async subsegment with a nested one, annotated with the order id. */
function loadOrder(id) {
  return AWSXRay.captureAsyncFunc('loadOrder', async (subsegment) => {
    subsegment.addAnnotation('order_id', String(id));
    try {
      const order = await AWSXRay.captureAsyncFunc('queryOrders', async (query) => {
        await delay(8 + (Number(id) % 5) * 3);
        query.addMetadata('statement', 'SELECT * FROM orders WHERE id = $1', 'orders-store');
        query.close();
        return orderFor(id);
      });
      subsegment.close();
      return order;
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

/**
 * A delivery estimate that takes a few milliseconds, like a carrier's API. It has no subsegment of its own on
 * purpose: put the cursor in it, run "X-Ray: Trace This Function" and save, and a lens with its numbers appears.
 */
async function estimateDelivery(order) {
  await delay(6 + ((Number.parseInt(order.id, 10) || 0) % 4) * 4);
  return { days: order.customerTier === 'gold' ? 1 : 3 };
}

module.exports = { loadOrder, orderFor, estimateDelivery };
