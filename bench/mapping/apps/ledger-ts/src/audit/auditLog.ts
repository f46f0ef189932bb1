import { tracer } from '../telemetry/tracing-helpers';
import { sleep } from '../http/errors';

interface AuditEvent {
  type: string;
  subject: string;
  at: number;
}

const pending: AuditEvent[] = [];
export const shipped: AuditEvent[] = [];

export function audit(type: string, subject: string): void {
  pending.push({ type, subject, at: Date.now() });
  // Batch writes: flush shortly after the request instead of on the hot path.
  setTimeout(() => {
    tracer.startActiveSpan('audit.flush', async (span) => {
      const batch = pending.splice(0, pending.length);
      span.setAttribute('audit.batch_size', batch.length);
      await sleep(2); // append to the audit stream
      shipped.push(...batch);
      span.end();
    });
  }, 5);
}
