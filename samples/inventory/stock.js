// Stock levels in memory. Every FAULT_EVERY-th lookup (env INVENTORY_FAULT_EVERY, default 9; 0 = never) times out: a
// fault that starts in this service. INVENTORY_CACHE_EXTRA_MS (default 0) slows each cache read: a regression to find.
'use strict';

const { AWSXRay, HttpError } = require('../shared/tracedServer');

const [faultEvery, cacheExtraMs] = [Number(process.env.INVENTORY_FAULT_EVERY ?? 9), Number(process.env.INVENTORY_CACHE_EXTRA_MS ?? 0)];
const stock = new Map();
let lookups = 0;
let reservations = 0;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class StockCacheTimeout extends HttpError {
  constructor(sku) {
    super(`stock cache did not answer for ${sku} within 25 ms`, 500);
  }
}

class OutOfStockError extends HttpError {
  constructor(sku) {
    super(`SKU ${sku} is out of stock`, 409);
  }
}

function available(sku) {
  if (!stock.has(sku)) stock.set(sku, sku === 'SKU-GONE' ? 0 : 10 + (sku.length * 7) % 40);
  return stock.get(sku);
}

function readCache(sku) {
  return AWSXRay.captureAsyncFunc('stock-cache', async (subsegment) => {
    lookups += 1;
    subsegment.addMetadata('key', `stock:${sku}`);
    try {
      if (faultEvery > 0 && lookups % faultEvery === 0) {
        await delay(25);
        throw new StockCacheTimeout(sku);
      }
      await delay(3 + (lookups % 4) * 2 + cacheExtraMs);
      subsegment.close();
      return available(sku);
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

function lookupStock(sku) {
  return AWSXRay.captureAsyncFunc('lookupStock', async (subsegment) => {
    try {
      const count = await readCache(sku);
      subsegment.addMetadata('available', count);
      subsegment.close();
      return { sku, available: count };
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

function reserveStock(sku, quantity) {
  return AWSXRay.captureAsyncFunc('reserveStock', async (subsegment) => {
    subsegment.addAnnotation('sku', sku);
    try {
      await delay(4);
      const count = available(sku);
      if (count < quantity) throw new OutOfStockError(sku);
      stock.set(sku, count - quantity);
      reservations += 1;
      subsegment.close();
      return { id: `R-${reservations}`, sku, quantity, remaining: count - quantity };
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

module.exports = { lookupStock, reserveStock };
