'use strict';

const express = require('express');
const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('../lib/xray');
const billing = require('../services/billing');
const { OrderService } = require('../services/orders');

const router = express.Router();
const orders = new OrderService();

let pricing;
const loadPricing = () => (pricing ??= import('../lib/pricing.mjs'));

router.post('/', function (req, res, next) {
  const { orderId, card, destination = 'DE' } = req.body ?? {};
  if (!orderId || !card) {
    return res.status(400).json({ error: 'orderId and card are required' });
  }

  Promise.all([orders.load(orderId), loadPricing()])
    .then(async ([order, pricingRules]) => {
      const lines = await Promise.all(order.lines.map((line) =>
        AWSXRay.captureAsyncFunc('priceLine', async (subsegment) => {
          subsegment.addAnnotation('sku', line.sku);
          await sleep(1 + Math.random() * 3); // list price lookup
          subsegment.close();
          return { ...line, total: line.qty * line.listPrice };
        })
      ));

      const discount = AWSXRay.captureFunc('computeDiscount', () => pricingRules.computeDiscount({ ...order, lines }));
      const shipping = await pricingRules.default({ lines }, destination);
      const subtotal = lines.reduce((sum, l) => sum + l.total, 0);
      const amountCents = subtotal - discount.amountCents + shipping.cents;
      const authorization = await billing.authorize({ card: String(card), amountCents });
      return { order, lines, discount, shipping, authorization, amountCents };
    })
    .then((result) => {
      return AWSXRay.captureAsyncFunc('renderReceipt', async (subsegment) => {
        await sleep(2);
        const receipt = {
          orderId: result.order.id,
          currency: result.order.currency,
          items: result.lines.map((l) => `${l.qty} x ${l.sku} = ${(l.total / 100).toFixed(2)}`),
          discount: result.discount.codes,
          shipping: result.shipping.cents,
          total: result.amountCents,
          authorizationId: result.authorization.authorizationId,
        };
        subsegment.close();
        return receipt;
      });
    })
    .then((receipt) => res.status(201).json(receipt))
    .catch(next);
});

module.exports = router;
