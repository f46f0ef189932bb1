import { randomUUID } from 'node:crypto';
import { sleep } from '../http/errors';
import { Entry, store } from '../db/ledgerStore';

export interface PostedTransfer {
  transferId: string;
  amountEur: number;
  entries: Entry[];
}

/** Double-entry posting: one debit, one credit, same transaction. */
export async function postEntries(from: string, to: string, amountEur: number, memo: string): Promise<PostedTransfer> {
  const cents = Math.round(amountEur * 100);
  const entries = await store.insertEntries([
    { accountId: from, amountCents: -cents, memo },
    { accountId: to, amountCents: cents, memo },
  ]);
  await sleep(3); // journal fsync
  return { transferId: randomUUID(), amountEur, entries };
}
