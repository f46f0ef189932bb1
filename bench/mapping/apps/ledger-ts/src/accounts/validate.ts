import { HttpError, sleep } from '../http/errors';
import { withSpan } from '../telemetry/tracing-helpers';

const ACCOUNT_ID = /^acc-\d{3,}$/;
const BLOCKED = new Set(['acc-666']);

export async function validateAccountId(id: string): Promise<string> {
  return withSpan('account.validate', async (span) => {
    span.setAttribute('ledger.account_id', id);
    if (!ACCOUNT_ID.test(id)) throw new HttpError(400, `malformed account id: ${id}`);
    await sleep(1); // sanctions list lookup, cached in-process
    if (BLOCKED.has(id)) throw new HttpError(403, `account ${id} is blocked`);
    return id;
  });
}
