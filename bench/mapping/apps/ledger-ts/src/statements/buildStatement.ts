import { SpanStatusCode } from '@opentelemetry/api';
import { sleep } from '../http/errors';
import { AccountService } from '../services/AccountService';
import { tracer } from '../telemetry/tracing-helpers';

const CATEGORIES: Array<[RegExp, string]> = [
  [/invoice/i, 'receivables'],
  [/refund/i, 'refunds'],
  [/payroll/i, 'payroll'],
  [/card|settlement/i, 'cards'],
];

function categorize(memo: string): string {
  return CATEGORIES.find(([re]) => re.test(memo))?.[1] ?? 'other';
}

export async function buildStatement(accounts: AccountService, accountId: string, month: string) {
  return tracer.startActiveSpan('statement.build', async (span) => {
    try {
      const account = await accounts.getAccount(accountId);
      const entries = await accounts.listEntries(accountId);

      const categorized = await Promise.all(entries.map((entry) =>
        tracer.startActiveSpan('entry.enrich', async (entrySpan) => {
          await sleep(1); // counterparty lookup
          entrySpan.end();
          return { ...entry, category: categorize(entry.memo) };
        }),
      ));

      const lines = tracer.startActiveSpan('statement.render', (renderSpan) => {
        const fmt = new Intl.NumberFormat('de-DE', { style: 'currency', currency: account.currency });
        const out = categorized.map((e) => `${e.postedAt.slice(0, 10)}  ${e.category.padEnd(12)} ${fmt.format(e.amountCents / 100).padStart(14)}  ${e.memo}`);
        out.push(`closing balance ${fmt.format(account.balanceCents / 100)}`);
        renderSpan.setAttribute('statement.lines', out.length);
        renderSpan.end();
        return out;
      });

      return { account: account.id, owner: account.owner, month, lines };
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
