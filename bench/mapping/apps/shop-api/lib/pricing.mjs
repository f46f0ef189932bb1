// Pricing rules are shared with the storefront build, which is ESM-only,
// so this file stays an ES module and the API loads it with import().
import AWSXRay from 'aws-xray-sdk-core';
import { setTimeout as sleep } from 'node:timers/promises';

const PROMOTIONS = [
  { code: 'BUNDLE3', minQty: 3, percent: 5 },
  { code: 'KEYBOARD10', sku: 'KB-101', percent: 10 },
  { code: 'BIGSPENDER', minTotal: 10000, percent: 7 },
  { code: 'CABLES', sku: 'CB-007', percent: 15 },
  { code: 'MICE2', sku: 'MS-220', minQty: 2, percent: 8 },
  { code: 'SPRING', percent: 3 },
  { code: 'LOYAL', minTotal: 5000, percent: 4 },
  { code: 'WEEKEND', percent: 2 },
];

const SHIPPING_ZONES = { DE: 490, FR: 790, US: 1990 };

function applies(promo, lines, total) {
  if (promo.minTotal && total < promo.minTotal) return false;
  if (promo.sku) {
    const line = lines.find((l) => l.sku === promo.sku);
    return Boolean(line) && (!promo.minQty || line.qty >= promo.minQty);
  }
  if (promo.minQty) return lines.reduce((n, l) => n + l.qty, 0) >= promo.minQty;
  return true;
}

/**
 * Finds the best combination of at most three stackable promotions.
 * Brute force on purpose: the rule set is small and this is easy to audit.
 */
export function computeDiscount(order) {
  const total = order.lines.reduce((sum, l) => sum + l.total, 0);
  let best = { percent: 0, codes: [] };
  for (let mask = 1; mask < 1 << PROMOTIONS.length; mask++) {
    const picked = PROMOTIONS.filter((_, i) => mask & (1 << i));
    if (picked.length > 3) continue;
    if (!picked.every((p) => applies(p, order.lines, total))) continue;
    const percent = Math.min(25, picked.reduce((sum, p) => sum + p.percent, 0));
    if (percent > best.percent) best = { percent, codes: picked.map((p) => p.code) };
  }
  return { ...best, amountCents: Math.round((total * best.percent) / 100) };
}

export default async function estimateShipping(order, destination) {
  return AWSXRay.captureAsyncFunc('shippingQuote', async (subsegment) => {
    subsegment.addAnnotation('destination', destination);
    await sleep(4 + Math.random() * 4); // carrier rate API
    const base = SHIPPING_ZONES[destination];
    if (base === undefined) {
      const err = new Error(`no carrier serves ${destination}`);
      err.status = 422;
      subsegment.close(err);
      throw err;
    }
    const items = order.lines.reduce((n, l) => n + l.qty, 0);
    subsegment.close();
    return { destination, cents: base + Math.max(0, items - 3) * 150 };
  });
}
