// Feature configuration. /crash calls applyConfig() with a config that has no `limits` section, so
// readThreshold() throws a TypeError three calls below the route handler.
'use strict';

const { AWSXRay } = require('../../shared/tracedServer');

function readThreshold(config) {
  return config.limits.threshold;
}

function parseConfig(raw) {
  const config = JSON.parse(raw);
  return { threshold: readThreshold(config), source: 'inline' };
}

function applyConfig(raw) {
  return AWSXRay.captureFunc('applyConfig', (subsegment) => {
    subsegment.addMetadata('raw', raw);
    return parseConfig(raw);
  });
}

module.exports = { applyConfig };
