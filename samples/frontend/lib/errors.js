// Errors the frontend turns into HTTP statuses (see shared/tracedServer.js: `statusCode` becomes the status).
'use strict';

const { HttpError } = require('../../shared/tracedServer');

class ValidationError extends HttpError {
  constructor(message) {
    super(message, 400);
  }
}

class RateLimitError extends HttpError {
  constructor(message) {
    super(message, 429);
  }
}

/** inventory-svc answered with an error status: the frontend answers 502. */
class DownstreamError extends HttpError {
  constructor(message, upstreamStatus) {
    super(message, 502);
    this.upstreamStatus = upstreamStatus;
  }
}

module.exports = { ValidationError, RateLimitError, DownstreamError };
