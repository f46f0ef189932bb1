// The X-Ray setup both sample services share, and a tiny router on node:http.
// Tracing uses the SDK's generic HTTP support, the same calls aws-xray-sdk-express makes:
// middleware.traceRequestResponseCycle() opens the segment (and closes it with the status code's
// error/throttle/fault flags when the response ends); the handler runs inside the SDK's CLS namespace so
// captureFunc/captureAsyncFunc/captureHTTPs find their parent; a thrown error goes to segment.addError().
'use strict';

const http = require('http');
const path = require('path');
const AWSXRay = require('aws-xray-sdk-core');

/** Configures the SDK for a demo: every request sampled, no crash when a context is missing. */
function configureXRay(serviceName) {
  AWSXRay.setContextMissingStrategy('LOG_ERROR');
  // Local rules only (fixed_target 1, rate 1): the demo shows every request and never asks the daemon
  // address for centralized sampling rules. The daemon address comes from AWS_XRAY_DAEMON_ADDRESS
  // (the SDK reads it itself; default 127.0.0.1:2000).
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules(path.join(__dirname, '..', 'sampling-rules.json'));
  AWSXRay.middleware.setDefaultName(serviceName);
  return AWSXRay;
}

/** An error whose `statusCode` becomes the HTTP response status (default 500). */
class HttpError extends Error {
  constructor(message, statusCode) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
  }
}

function compileRoute(pattern) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  const regex = new RegExp(`^${source}$`);
  return (pathname) => {
    const m = regex.exec(pathname);
    return m && Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  };
}

function readJsonBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (err) {
        reject(new HttpError(`request body is not JSON: ${err.message}`, 400));
      }
    });
    req.on('error', reject);
  });
}

/**
 * A traced HTTP server. `routes` are `{ method, path: '/orders/:id', handler }`; a handler gets
 * `{ params, query, body, segment, req }` and returns `{ status?, body }` (or throws).
 */
function createTracedServer(routes) {
  const compiled = routes.map((r) => ({ ...r, match: compileRoute(r.path) }));

  async function dispatch(req, res, segment) {
    const url = new URL(req.url, 'http://localhost');
    let status = 200;
    let body;
    try {
      const route = compiled.find((r) => r.method === req.method && r.match(url.pathname));
      if (!route) throw new HttpError(`no route for ${req.method} ${url.pathname}`, 404);
      segment.addAnnotation('route', `${route.method} ${route.path}`);
      const params = route.match(url.pathname);
      const query = Object.fromEntries(url.searchParams);
      const requestBody = req.method === 'POST' ? await readJsonBody(req) : undefined;
      const result = await route.handler({ params, query, body: requestBody, segment, req });
      status = result.status ?? 200;
      body = result.body;
    } catch (err) {
      status = err.statusCode ?? 500;
      body = { error: err.message, type: err.name };
      // As aws-xray-sdk-express's errorHandler does. When the error already closed a subsegment, the SDK
      // records it there and puts only `cause: { id }` on the segment.
      segment.addError(err);
      // One line: the stack is in the trace.
      if (status >= 500 && !process.env.QUIET) console.error(`[${segment.name}] ${req.method} ${req.url} -> ${status} ${err.name}: ${err.message}`);
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  return http.createServer((req, res) => {
    const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
    const ns = AWSXRay.getNamespace();
    ns.bindEmitter(req);
    ns.bindEmitter(res);
    ns.run(() => {
      AWSXRay.setSegment(segment);
      dispatch(req, res, segment);
    });
  });
}

/** Listens on `port` and logs where it sends segments. */
function listen(server, serviceName, port) {
  server.listen(port, '127.0.0.1', () => {
    const daemon = process.env.AWS_XRAY_DAEMON_ADDRESS || '127.0.0.1:2000';
    console.log(`${serviceName} listening on http://127.0.0.1:${server.address().port}, segments to udp ${daemon}`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref(); // keep-alive sockets must not hold the exit
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { AWSXRay, configureXRay, createTracedServer, listen, HttpError };
