import { HttpError } from '../http/errors';
import { Account, Entry, LedgerStore, store } from '../db/ledgerStore';
import { validateAccountId } from '../accounts/validate';
import { traced, tracer } from '../telemetry/tracing-helpers';

export interface AccountView extends Account {
  balanceCents: number;
}

export class AccountService {
  constructor(private readonly db: LedgerStore = store) {}

  @traced('accounts.lookup')
  async getAccount(id: string): Promise<AccountView> {
    await validateAccountId(id);
    const account = await this.db.findAccount(id);
    if (!account) throw new HttpError(404, `account ${id} not found`);
    return { ...account, balanceCents: await this.computeBalance(id) };
  }

  @traced('accounts.history', { 'ledger.query': 'history' })
  async listEntries(id: string, limit = 5): Promise<Entry[]> {
    const rows = await this.db.entriesFor(id, limit);
    return rows.sort((a, b) => b.postedAt.localeCompare(a.postedAt));
  }

  // Field so it can be handed to Promise.all / map without losing `this`.
  computeBalance = async (accountId: string): Promise<number> =>
    tracer.startActiveSpan('balance.compute', async (span) => {
      try {
        const entries = await this.db.entriesFor(accountId);
        // Replay in cents with running checks, the way the nightly job does.
        let running = 0;
        for (let pass = 0; pass < 2000; pass++) {
          running = 0;
          for (const e of entries) running += e.amountCents;
        }
        span.setAttribute('ledger.entry_count', entries.length);
        return running;
      } finally {
        span.end();
      }
    });
}
