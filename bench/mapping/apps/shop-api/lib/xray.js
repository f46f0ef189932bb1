'use strict';

// Single place where the X-Ray SDK gets configured. Everything else requires
// this module (not aws-xray-sdk-core directly) so the patches run exactly once.
const AWSXRay = require('aws-xray-sdk-core');
const http = require('http');

// Daemon address comes from AWS_XRAY_DAEMON_ADDRESS; the SDK picks it up itself.
AWSXRay.setContextMissingStrategy('LOG_ERROR');
AWSXRay.captureHTTPsGlobal(http, true);
AWSXRay.capturePromise();

if (process.env.XRAY_DEBUG) {
  AWSXRay.setLogger(console);
}

module.exports = AWSXRay;
