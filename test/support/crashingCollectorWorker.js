// A stand-in for dist/collectorWorker.js that says it started and then dies (exit code 3), as a collector's
// thread that crashes would: for the owner's "the thread ended on its own" path.
'use strict';
const { parentPort } = require('node:worker_threads');

const counters = { received: 0, accepted: 0, rejected: 0, rejectedByReason: {}, traces: 0, evicted: 0, approximateBytes: 0 };
parentPort.postMessage({ type: 'started', port: 1, counters });
setTimeout(() => process.exit(3), 100);
