import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { sleep } from '../http/errors';

const tracer = trace.getTracer('ledger-ts/db');

export interface Account {
  id: string;
  owner: string;
  currency: string;
  openedAt: string;
}

export interface Entry {
  id: string;
  accountId: string;
  amountCents: number;
  memo: string;
  postedAt: string;
}

/** In-memory stand-in for the ledger Postgres, with the same latency profile-ish. */
export class LedgerStore {
  private readonly accounts = new Map<string, Account>();
  private readonly entries: Entry[] = [];
  private seq = 0;

  constructor() {
    this.accounts.set('acc-100', { id: 'acc-100', owner: 'Northwind GmbH', currency: 'EUR', openedAt: '2021-03-01' });
    this.accounts.set('acc-200', { id: 'acc-200', owner: 'Contoso Ltd', currency: 'EUR', openedAt: '2022-07-15' });
    const memos = ['invoice 2024-117', 'card settlement', 'refund #8812', 'payroll', 'fx adjustment'];
    memos.forEach((memo, i) => {
      this.entries.push(this.entry('acc-100', (i % 2 ? -1 : 1) * (12000 + i * 731), memo));
      this.entries.push(this.entry('acc-200', (i % 2 ? 1 : -1) * (8000 + i * 417), memo));
    });
  }

  private entry(accountId: string, amountCents: number, memo: string): Entry {
    this.seq += 1;
    return { id: `e-${this.seq}`, accountId, amountCents, memo, postedAt: new Date(Date.UTC(2024, 4, this.seq)).toISOString() };
  }

  async query<T>(statement: string, run: () => T): Promise<T> {
    const span = tracer.startSpan('ledger-db', {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.name': 'ledger',
        'db.statement': statement,
        'db.user': 'ledger_app',
        'server.address': 'ledger-db.internal',
        'server.port': 5432,
      },
    });
    try {
      await sleep(2 + Math.random() * 3);
      return run();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  findAccount(id: string): Promise<Account | undefined> {
    return this.query('SELECT * FROM accounts WHERE id = $1', () => this.accounts.get(id));
  }

  entriesFor(accountId: string, limit = 50): Promise<Entry[]> {
    return this.query('SELECT * FROM entries WHERE account_id = $1 ORDER BY posted_at DESC LIMIT $2', () =>
      this.entries.filter((e) => e.accountId === accountId).slice(-limit),
    );
  }

  insertEntries(rows: Array<Omit<Entry, 'id' | 'postedAt'>>): Promise<Entry[]> {
    return this.query('INSERT INTO entries (account_id, amount_cents, memo) VALUES ($1, $2, $3), ($4, $5, $6)', () => {
      const inserted = rows.map((r) => ({ ...this.entry(r.accountId, r.amountCents, r.memo), postedAt: new Date().toISOString() }));
      this.entries.push(...inserted);
      return inserted;
    });
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }
}

export const store = new LedgerStore();
