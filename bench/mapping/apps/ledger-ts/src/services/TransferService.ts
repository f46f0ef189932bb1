import { trace } from '@opentelemetry/api';
import convert from '../fx/convert';
import { postEntries, PostedTransfer } from '../ledger/postEntries';
import { validateTransfer } from '../transfers/validate';
import { audit } from '../audit/auditLog';

const tracer = trace.getTracer('ledger-ts/transfers');

export class TransferService {
  async transfer(input: unknown): Promise<PostedTransfer> {
    const request = await validateTransfer(input);

    const amountEur = tracer.startActiveSpan('fx.convert', (span) => {
      try {
        return convert(request.amount, request.currency, 'EUR');
      } finally {
        span.end();
      }
    });

    const posted = await tracer.startActiveSpan('ledger.post', async (span) => {
      try {
        return await postEntries(request.from, request.to, amountEur, request.memo);
      } finally {
        span.end();
      }
    });

    audit('transfer.posted', posted.transferId);
    return posted;
  }
}
