// Prices an order: synchronous subsegments (captureFunc) nested two deep.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');

const DISCOUNTS = { gold: 0.15, standard: 0 };

function applyDiscount(subtotal, tier) {
  return AWSXRay.captureFunc('applyDiscount', (subsegment) => {
    const rate = DISCOUNTS[tier] ?? 0;
    subsegment.addMetadata('discount', { tier, rate });
    return Math.round(subtotal * (1 - rate) * 100) / 100;
  });
}

function priceOrder(order, stock) {
  return AWSXRay.captureFunc('priceOrder', (subsegment) => {
    const subtotal = order.unitPrice * order.quantity;
    const total = applyDiscount(subtotal, order.customerTier);
    const priced = { ...order, subtotal, total, available: stock.available };
    subsegment.addMetadata('price', { subtotal, total, currency: 'EUR' });
    return priced;
  });
}

module.exports = { priceOrder, applyDiscount };
