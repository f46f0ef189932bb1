'use strict';

const { randomUUID } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('../../lib/xray');

class PaymentDeclinedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentDeclinedError';
    this.status = 402;
  }
}

// Test cards from the PSP sandbox docs.
const DECLINED = new Set(['4000000000000002', '4000000000009995']);

function authorize(payment) {
  return AWSXRay.captureAsyncFunc('billing.authorize', async (subsegment) => {
    subsegment.addAnnotation('amount_cents', payment.amountCents);
    await sleep(6 + Math.random() * 6); // PSP round trip
    if (DECLINED.has(payment.card)) {
      const err = new PaymentDeclinedError('card declined by issuer');
      subsegment.addErrorFlag();
      subsegment.close(err);
      throw err;
    }
    subsegment.close();
    return { authorizationId: randomUUID(), amountCents: payment.amountCents, last4: payment.card.slice(-4) };
  });
}

module.exports = {
  authorize,
  PaymentDeclinedError,
};
