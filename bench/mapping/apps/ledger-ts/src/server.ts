import './tracing';
import { createServer, get } from 'node:http';
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { SpanStatusCode } from '@opentelemetry/api';
import { Router, sendJson } from './http/router';
import { sleep } from './http/errors';
import { store } from './db/ledgerStore';
import { AccountService } from './services/AccountService';
import { TransferService } from './services/TransferService';
import { buildStatement } from './statements/buildStatement';
import { tracer, recordError } from './telemetry/tracing-helpers';

const port = Number(process.env.PORT ?? 8080);
const signingKey = process.env.RECEIPT_SIGNING_KEY ?? 'dev-only-signing-key';
const accounts = new AccountService();
const transfers = new TransferService();
const router = new Router();

function fetchJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : null }));
    }).on('error', reject);
  });
}

router.get('/health', (_req, res) => sendJson(res, 200, { status: 'ok' }));

router.get('/accounts/:id', async (_req, res, params) => {
  sendJson(res, 200, await accounts.getAccount(params.id));
});

router.get('/accounts/:id/statement', async (req, res, params) => {
  const month = new URL(req.url ?? '/', 'http://x').searchParams.get('month') ?? '2024-05';
  sendJson(res, 200, await buildStatement(accounts, params.id, month));
});

router.post('/transfers', async (_req, res, _params, body) => {
  const receipt = await transfers.transfer(body).then((posted) =>
    tracer.startActiveSpan('receipt.sign', (span) => {
      const salt = posted.transferId;
      const key = pbkdf2Sync(signingKey, salt, 3000, 32, 'sha256');
      const signature = createHmac('sha256', key).update(JSON.stringify(posted.entries)).digest('base64url');
      span.end();
      return { ...posted, signature };
    }),
  );
  sendJson(res, 201, receipt);
});

router.get('/reconcile', async (_req, res) => {
  const self = await fetchJson(`http://127.0.0.1:${port}/health`);
  const result = await tracer.startActiveSpan('reconcile.compare', async (span) => {
    try {
      const totals = await Promise.all(store.accountIds().map((id) => store.entriesFor(id)));
      const drift = totals.flat().reduce((sum, e) => sum + e.amountCents, 0);
      span.setAttribute('ledger.drift_cents', drift);
      await sleep(2);
      return { accounts: totals.length, driftCents: drift };
    } finally {
      span.end();
    }
  });
  sendJson(res, 200, { upstream: self.status, ...result });
});

router.post('/admin/reindex', async (_req, res) => {
  await tracer.startActiveSpan('index.rebuild', async (span) => {
    try {
      await sleep(4);
      throw new Error('reindex already running on another node');
    } catch (err) {
      recordError(span, err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'lock not acquired' });
      throw err;
    } finally {
      span.end();
    }
  });
  sendJson(res, 202, { queued: true });
});

createServer((req, res) => void router.handle(req, res)).listen(port, '127.0.0.1', () => {
  console.log(`ledger-ts listening on http://127.0.0.1:${port}`);
});
