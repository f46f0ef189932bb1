// frontend-api: the shop's public API. Calls inventory-svc (INVENTORY_URL, default http://127.0.0.1:3002).
// PORT (default 3001); segments go to AWS_XRAY_DAEMON_ADDRESS (default 127.0.0.1:2000) over UDP.
'use strict';

const { configureXRay, createTracedServer, listen } = require('../shared/tracedServer');

configureXRay('frontend-api');
// Required after configureXRay: inventoryClient wraps node:http with the configured SDK.
const { orderRoutes } = require('./routes/orders');
const { miscRoutes } = require('./routes/misc');

listen(createTracedServer([...orderRoutes, ...miscRoutes]), 'frontend-api', Number(process.env.PORT || 3001));
