// A big trace for the timeline's scale tests and benchmark: `spans` (sub)segments in a few services, each
// service's segment joined under the remote subsegment that called it, nested work, errors and annotations.
// Deterministic (seeded), and shaped as the Node SDK sends it: each segment a document with embedded subsegments.
import type { SegmentDocument } from '../../../src/xray/model';
import { seededRandom } from './fixtureData';

export const SYNTHETIC_TRACE_ID = '1-6b01eecc-000000000000000000010000';

const hex = (n: number) => n.toString(16).padStart(16, '0');

/** Segment documents of one trace with exactly `spans` (sub)segments in all. */
export function syntheticTrace(spans: number, seed = 1): SegmentDocument[] {
  const rand = seededRandom(seed);
  const t0 = 1795288780;
  let made = 0;
  let nextId = 1;
  const segments: SegmentDocument[] = [];
  const services = ['frontend-api', 'inventory-svc', 'pricing-svc', 'orders-db', 'search-svc', 'email-svc'];

  /** Fills `parent` with children inside [start, end] until the budget for it runs out. */
  const fill = (parent: SegmentDocument, start: number, end: number, depth: number, budget: number): void => {
    let at = start;
    const subs: SegmentDocument[] = [];
    while (budget > 0 && made < spans && at < end) {
      const length = Math.max(0.0001, (end - at) * (0.1 + rand() * 0.5));
      const s = at + rand() * 0.001;
      const e = Math.min(end, s + length);
      const remote = depth < 6 && rand() < 0.15;
      const sub: SegmentDocument = { id: hex(nextId++), name: remote ? `call-${nextId}` : `work-${nextId}`, start_time: s, end_time: e };
      if (remote) sub.namespace = 'remote';
      if (rand() < 0.03) sub.fault = true;
      if (rand() < 0.2) sub.annotations = { item: `item-${nextId}`, n: nextId };
      subs.push(sub);
      made++;
      const share = Math.floor(budget * rand() * 0.8);
      budget -= 1 + share;
      if (remote && made < spans) {
        const callee: SegmentDocument = {
          trace_id: SYNTHETIC_TRACE_ID,
          id: hex(nextId++),
          name: services[1 + Math.floor(rand() * (services.length - 1))],
          parent_id: sub.id,
          start_time: s + (e - s) * 0.1,
          end_time: e - (e - s) * 0.1,
          http: { request: { method: 'GET', url: `http://svc/${nextId}` }, response: { status: 200 } },
        };
        made++;
        segments.push(callee);
        fill(callee, callee.start_time, callee.end_time as number, depth + 1, share);
      } else if (share > 0 && depth < 40) {
        fill(sub, s, e, depth + 1, share);
      }
      at = rand() < 0.3 ? s : e; // some children overlap their siblings
    }
    if (subs.length) parent.subsegments = subs;
  };

  const root: SegmentDocument = {
    trace_id: SYNTHETIC_TRACE_ID,
    id: hex(nextId++),
    name: services[0],
    start_time: t0,
    end_time: t0 + 5,
    http: { request: { method: 'GET', url: 'http://frontend/orders/1' }, response: { status: 200 } },
  };
  made++;
  segments.unshift(root);
  // Keep adding work under the root until the count is reached.
  while (made < spans) {
    const before = made;
    const holder: SegmentDocument = { id: hex(nextId++), name: `batch-${nextId}`, start_time: t0 + rand() * 4, end_time: 0 };
    holder.end_time = Math.min(t0 + 5, holder.start_time + 0.5 + rand() * 0.5);
    made++;
    fill(holder, holder.start_time, holder.end_time as number, 1, spans - made);
    root.subsegments = [...(root.subsegments ?? []), holder];
    if (made === before) break;
  }
  return segments;
}
