'use strict';

const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('./xray');

const entries = new Map();

// Poor man's Redis: good enough for local dev and tests.
const cache = {
  ttlMs: 250,

  async get(key) {
    return AWSXRay.captureAsyncFunc('redis@cache.internal', async (subsegment) => {
      subsegment.namespace = 'remote';
      subsegment.addMetadata('command', `GET ${key}`);
      await sleep(1 + Math.random() * 2);
      const entry = entries.get(key);
      const hit = Boolean(entry && entry.expires > Date.now());
      subsegment.addAnnotation('cache_hit', hit);
      subsegment.close();
      return hit ? entry.value : undefined;
    });
  },

  set(key, value) {
    entries.set(key, { value, expires: Date.now() + this.ttlMs });
  },
};

module.exports = cache;
