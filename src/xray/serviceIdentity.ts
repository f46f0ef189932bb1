// Which service a (sub)segment stands for, as trace summaries (ServiceIds) and the service graph name them.
// A segment is its own service: name + origin (e.g. AWS::ECS::Container). A subsegment is a downstream
// service only when it is a call: namespace "aws" (AWS::<Service>, or the DynamoDB table it used) or
// "remote" (type "remote", a downstream service of indeterminate type). Inferred segments — which X-Ray
// adds for such calls and BatchGetTraces returns — name the same downstream service.
// https://docs.aws.amazon.com/xray/latest/api/API_Service.html
import type { ApiServiceId, SegmentDocument } from './model';
import { walkDocument } from './segmentTree';

/** The service of a segment (not inferred). Type is the origin; absent when the SDK sent none. */
export function segmentService(segment: SegmentDocument): ApiServiceId {
  const name = stringOr(segment.name, '');
  const id: ApiServiceId = { Name: name, Names: [name] };
  if (typeof segment.origin === 'string' && segment.origin) id.Type = segment.origin;
  const account = segment.aws?.account_id;
  if (typeof account === 'string' && account) id.AccountId = account;
  return id;
}

/** The downstream service a call subsegment or an inferred segment stands for; undefined for local work. */
export function downstreamService(doc: SegmentDocument): ApiServiceId | undefined {
  const name = stringOr(doc.name, '');
  const origin = typeof doc.origin === 'string' && doc.origin ? doc.origin : undefined;
  if (doc.namespace === 'aws' || (doc.inferred === true && (origin || doc.aws))) {
    let type = origin ?? `AWS::${name}`;
    let resource = name;
    // A call that targeted a DynamoDB table is drawn as the table (as in the public GetServiceGraph example).
    const table = doc.aws?.table_name;
    if ((type === 'AWS::DynamoDB' || type === 'AWS::DynamoDB::Table') && typeof table === 'string' && table) {
      type = 'AWS::DynamoDB::Table';
      resource = table;
    }
    return { Name: resource, Names: [resource], Type: type };
  }
  if (doc.namespace === 'remote' || doc.inferred === true) return { Name: name, Names: [name], Type: origin ?? 'remote' };
  return undefined;
}

/** One key per service: name + type. */
export function serviceKey(id: ApiServiceId): string {
  return `${id.Type ?? ''}\u0000${id.Name ?? ''}`;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Every service a trace touches — its segments' services and the downstream services they call — once each. */
export function traceServices(segments: SegmentDocument[]): ApiServiceId[] {
  const byKey = new Map<string, ApiServiceId>();
  const add = (id: ApiServiceId | undefined) => {
    if (id && !byKey.has(serviceKey(id))) byKey.set(serviceKey(id), id);
  };
  // A call answered by a segment of the same trace is that segment's service, not a separate remote one.
  const callers = new Set<unknown>(segments.map((s) => s?.parent_id));
  for (const segment of segments) {
    if (typeof segment !== 'object' || segment === null) continue;
    add(segment.inferred === true ? downstreamService(segment) : segmentService(segment));
    walkDocument(segment, ({ doc, depth }) => {
      if (depth > 0 && !callers.has(doc.id)) add(downstreamService(doc));
    });
  }
  return [...byKey.values()];
}
