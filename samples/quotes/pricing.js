// Quote computation with manual spans. The span attributes `code.function.name`, `code.file.path` and
// `code.line.number` (the line that opens the span) tell X-Ray Lens where each span's code is.
'use strict';

const { SpanStatusCode, trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('quote-svc', '1.0.0');

class QuoteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'QuoteError';
  }
}

/** The line in this file that called inSpan(), read off a V8 stack: [0] message, [1] here, [2] inSpan, [3] caller. */
function callerLine() {
  const frame = (new Error().stack || '').split('\n')[3] || '';
  const match = /:(\d+):\d+\)?$/.exec(frame);
  return match ? Number(match[1]) : undefined;
}

function inSpan(name, fn) {
  const line = callerLine();
  return tracer.startActiveSpan(name, async (span) => {
    span.setAttributes({ 'code.function.name': name, 'code.file.path': __filename });
    if (line !== undefined) span.setAttribute('code.line.number', line);
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

function validateSku(sku) {
  return inSpan('validateSku', async () => {
    if (!/^SKU-[A-Z0-9]+$/.test(sku)) throw new QuoteError(`"${sku}" is not a SKU`);
    return sku;
  });
}

function computeQuote(sku, stock) {
  return inSpan('computeQuote', async (span) => {
    const unit = 5 + (sku.length % 7);
    const discount = stock.available > 50 ? 0.1 : 0;
    span.setAttribute('quote.discount', discount);
    return { sku, unit, discount, total: Math.round(unit * (1 - discount) * 100) / 100 };
  });
}

module.exports = { QuoteError, computeQuote, validateSku };
