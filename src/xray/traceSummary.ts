// One trace's summary in the GetTraceSummaries shape (https://docs.aws.amazon.com/xray/latest/api/API_TraceSummary.html),
// computed from its merged segment documents (plus streamed subsegments still waiting for their parent).
import { traceFlags } from './classification';
import type { AnnotationValue, ApiAnnotationValue, ApiServiceId, ApiTraceSummary, SegmentDocument } from './model';
import { segmentService, serviceKey, traceServices } from './serviceIdentity';
import { isObject } from './segmentDocument';
import { endOrStart, roundSeconds } from './segmentTime';
import { walkDocument, walkDocuments } from './segmentTree';

export interface SummaryOptions {
  /** X-Ray's Revision: grows when the trace changes. A store passes TraceAssembler.revision. Default 1. */
  revision?: number;
}

export function summarizeTrace(segments: SegmentDocument[], pending: SegmentDocument[] = [], options: SummaryOptions = {}): ApiTraceSummary {
  const tops = segments.filter(isObject);
  const all = [...tops, ...pending.filter(isObject)];
  const traceId = all.find((d) => typeof d.trace_id === 'string')?.trace_id ?? '';

  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let partial = false;
  const arns = new Set<string>();
  walkDocuments(all, ({ doc }) => {
    if (typeof doc.start_time === 'number') start = Math.min(start, doc.start_time);
    const e = endOrStart(doc);
    if (typeof e === 'number') end = Math.max(end, e);
    if (doc.in_progress === true) partial = true;
    if (typeof doc.resource_arn === 'string' && doc.resource_arn) arns.add(doc.resource_arn);
  });

  const flags = traceFlags(all);
  const summary: ApiTraceSummary = {
    Id: traceId,
    HasFault: flags.hasFault,
    HasError: flags.hasError,
    HasThrottle: flags.hasThrottle,
    IsPartial: partial,
    Annotations: annotationsOf(tops, pending),
    Users: usersOf(tops),
    ServiceIds: traceServices(tops),
    ResourceARNs: [...arns].map((ARN) => ({ ARN })),
    InstanceIds: instanceIdsOf(tops),
    Revision: options.revision ?? 1,
  };
  if (Number.isFinite(start)) {
    summary.StartTime = start;
    if (Number.isFinite(end)) summary.Duration = roundSeconds(Math.max(0, end - start));
  }
  const root = rootSegment(tops, pending);
  if (root) {
    if (typeof root.end_time === 'number') summary.ResponseTime = roundSeconds(Math.max(0, root.end_time - root.start_time));
    const http = httpOf(root);
    if (http) summary.Http = http;
    if (root.inferred !== true) summary.EntryPoint = segmentService(root);
  }
  return summary;
}

/**
 * The segment that answered the request: the earliest segment without parent_id; else the earliest whose
 * parent is not in the trace (an untraced upstream caller, or a Lambda facade segment the SDK never sends);
 * else the earliest segment. Inferred segments are never the root.
 */
export function rootSegment(segments: SegmentDocument[], pending: SegmentDocument[] = []): SegmentDocument | undefined {
  const candidates = segments.filter((s) => isObject(s) && s.inferred !== true);
  const earliest = (list: SegmentDocument[]) =>
    list.reduce<SegmentDocument | undefined>((best, s) => (best === undefined || s.start_time < best.start_time ? s : best), undefined);
  const noParent = candidates.filter((s) => typeof s.parent_id !== 'string');
  if (noParent.length > 0) return earliest(noParent);
  const ids = new Set<string>();
  walkDocuments([...candidates, ...pending.filter(isObject)], ({ doc }) => ids.add(doc.id));
  const orphans = candidates.filter((s) => !ids.has(s.parent_id as string));
  return earliest(orphans.length > 0 ? orphans : candidates);
}

function httpOf(root: SegmentDocument): ApiTraceSummary['Http'] | undefined {
  const request = root.http?.request;
  const response = root.http?.response;
  const http: NonNullable<ApiTraceSummary['Http']> = {};
  if (typeof request === 'object' && request !== null) {
    if (typeof request.url === 'string') http.HttpURL = request.url;
    if (typeof request.method === 'string') http.HttpMethod = request.method;
    if (typeof request.user_agent === 'string') http.UserAgent = request.user_agent;
    if (typeof request.client_ip === 'string') http.ClientIp = request.client_ip;
  }
  if (typeof response === 'object' && response !== null && typeof response.status === 'number') http.HttpStatus = response.status;
  return Object.keys(http).length > 0 ? http : undefined;
}

type AnnotationEntry = { AnnotationValue: ApiAnnotationValue; ServiceIds: ApiServiceId[] };

/** { key: [{ AnnotationValue: { StringValue | NumberValue | BooleanValue }, ServiceIds }] }, one entry per distinct value. */
function annotationsOf(segments: SegmentDocument[], pending: SegmentDocument[]): NonNullable<ApiTraceSummary['Annotations']> {
  const byKey = new Map<string, Map<string, { entry: AnnotationEntry; services: Set<string> }>>();
  const collect = (top: SegmentDocument, service: ApiServiceId | undefined) => {
    walkDocument(top, ({ doc }) => {
      const annotations = doc.annotations;
      if (typeof annotations !== 'object' || annotations === null) return;
      for (const [key, value] of Object.entries(annotations)) {
        const apiValue = annotationValue(value);
        if (!apiValue) continue;
        let values = byKey.get(key);
        if (!values) byKey.set(key, (values = new Map()));
        const valueKey = `${typeof value}:${String(value)}`;
        let slot = values.get(valueKey);
        if (!slot) values.set(valueKey, (slot = { entry: { AnnotationValue: apiValue, ServiceIds: [] }, services: new Set() }));
        if (service && !slot.services.has(serviceKey(service))) {
          slot.services.add(serviceKey(service));
          slot.entry.ServiceIds.push(service);
        }
      }
    });
  };
  for (const s of segments) collect(s, s.inferred === true ? undefined : segmentService(s));
  for (const p of pending) if (isObject(p)) collect(p, undefined);
  // fromEntries defines own properties, so a key like "__proto__" stays a plain key.
  return Object.fromEntries([...byKey].map(([key, values]) => [key, [...values.values()].map((v) => v.entry)]));
}

function annotationValue(value: AnnotationValue | unknown): ApiAnnotationValue | undefined {
  if (typeof value === 'string') return { StringValue: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { NumberValue: value };
  if (typeof value === 'boolean') return { BooleanValue: value };
  return undefined;
}

function usersOf(segments: SegmentDocument[]): NonNullable<ApiTraceSummary['Users']> {
  const users = new Map<string, { UserName: string; ServiceIds: ApiServiceId[] }>();
  for (const s of segments) {
    if (typeof s.user !== 'string' || !s.user || s.inferred === true) continue;
    const service = segmentService(s);
    let user = users.get(s.user);
    if (!user) users.set(s.user, (user = { UserName: s.user, ServiceIds: [] }));
    if (!user.ServiceIds.some((id) => serviceKey(id) === serviceKey(service))) user.ServiceIds.push(service);
  }
  return [...users.values()];
}

function instanceIdsOf(segments: SegmentDocument[]): NonNullable<ApiTraceSummary['InstanceIds']> {
  const ids = new Set<string>();
  for (const s of segments) {
    const ec2 = s.aws?.ec2;
    const id = typeof ec2 === 'object' && ec2 !== null ? (ec2 as Record<string, unknown>).instance_id : undefined;
    if (typeof id === 'string' && id) ids.add(id);
  }
  return [...ids].map((Id) => ({ Id }));
}
