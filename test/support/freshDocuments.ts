// The captured SDK documents (test/fixtures) moved in time so that they end `agoSeconds` before now: start and
// end times and the trace ids' epoch part shift together, so "the last 15 minutes" finds real SDK data.
// Plain Node: used by the real-VS-Code tests, in the extension host and in the Playwright runner.
import { fixtureDocuments } from './xrayApiTestServer';

export function freshDocuments(agoSeconds = 120, documents = fixtureDocuments()): string[] {
  const newest = Math.max(...documents.map((d) => (JSON.parse(d) as { start_time: number }).start_time));
  const shift = Math.floor(Date.now() / 1000 - agoSeconds - newest);
  const move = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(move);
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'start_time' || k === 'end_time') && typeof v === 'number') out[k] = v + shift;
      else if (k === 'trace_id' && typeof v === 'string') out[k] = moveTraceId(v, shift);
      else out[k] = move(v);
    }
    return out;
  };
  return documents.map((d) => JSON.stringify(move(JSON.parse(d))));
}

function moveTraceId(id: string, shift: number): string {
  const [version, epoch, rest] = id.split('-');
  return `${version}-${(parseInt(epoch, 16) + shift).toString(16).padStart(8, '0')}-${rest}`;
}
