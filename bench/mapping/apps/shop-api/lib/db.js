'use strict';

const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('./xray');

// In-memory stand-in for the orders Postgres. Same call shape as the pg pool
// wrapper we use in prod (`query(table, sql, params)`), so services don't care.
const tables = {
  orders: new Map(),
  order_lines: new Map(),
  customers: new Map(),
};

(function seed() {
  tables.customers.set('c-1', { id: 'c-1', name: 'Ada Lovelace', lifetimeValue: 2400 });
  tables.customers.set('c-2', { id: 'c-2', name: 'Alan Turing', lifetimeValue: 310 });
  for (const id of ['41', '42', '43']) {
    tables.orders.set(id, { id, customerId: id === '43' ? 'c-2' : 'c-1', currency: 'EUR', status: 'open' });
    tables.order_lines.set(id, [
      { sku: 'KB-101', qty: 1, listPrice: 8900 },
      { sku: 'MS-220', qty: 2, listPrice: 2900 },
      { sku: 'CB-007', qty: 3, listPrice: 990 },
    ]);
  }
})();

function lookup(table, params) {
  const rows = tables[table];
  if (!rows) throw new Error(`relation "${table}" does not exist`);
  const row = rows.get(String(params[0]));
  if (row === undefined) return [];
  return Array.isArray(row) ? row.map((r) => ({ ...r })) : [{ ...row }];
}

async function query(table, sql, params = []) {
  return AWSXRay.captureAsyncFunc('orders-db@db.internal', async (subsegment) => {
    subsegment.namespace = 'remote';
    subsegment.addSqlData({
      url: 'postgres://db.internal:5432/orders',
      database_type: 'PostgreSQL',
      database_version: '15.4',
      driver_version: 'node-postgres 8.11',
      user: 'shop_api',
      sanitized_query: sql,
    });
    try {
      await sleep(2 + Math.random() * 4);
      const rows = lookup(table, params);
      subsegment.close();
      return rows;
    } catch (err) {
      subsegment.close(err);
      throw err;
    }
  });
}

module.exports = { query };
