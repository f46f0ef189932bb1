// Quote computation with manual spans. The span attributes `code.function.name`, `code.file.path` and
// `code.line.number` tell X-Ray Lens where each span's code is.
'use strict';

const { SpanStatusCode, trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('quote-svc', '1.0.0');

class QuoteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'QuoteError';
  }
}

function inSpan(name, line, fn) {
  return tracer.startActiveSpan(name, async (span) => {
    span.setAttributes({ 'code.function.name': name, 'code.file.path': __filename, 'code.line.number': line });
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
  return inSpan('validateSku', 31, async () => {
    if (!/^SKU-[A-Z0-9]+$/.test(sku)) throw new QuoteError(`"${sku}" is not a SKU`);
    return sku;
  });
}

function computeQuote(sku, stock) {
  return inSpan('computeQuote', 38, async (span) => {
    const unit = 5 + (sku.length % 7);
    const discount = stock.available > 50 ? 0.1 : 0;
    span.setAttribute('quote.discount', discount);
    return { sku, unit, discount, total: Math.round(unit * (1 - discount) * 100) / 100 };
  });
}

module.exports = { QuoteError, computeQuote, validateSku };
