// The TraceSource over @aws-sdk/client-xray: AWS X-Ray itself, or the local collector's endpoint (the
// collector answers the same REST-JSON read API, so one code path serves both).
// The extension loads this module lazily (see loadXrayApiSource.ts): the SDK is not needed to activate.
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
  XRayClient,
  type Service,
  type TraceSummary,
  type XRayClientConfig,
} from '@aws-sdk/client-xray';
import type { ApiEdge, ApiServiceGraph, ApiServiceNode, ApiTraceGraph } from '../xray/model';
import { parseSegmentDocument } from '../xray/segmentDocument';
import { traceIdEpoch } from '../xray/traceId';
import type {
  FetchedTrace,
  GetTracesResult,
  RequestOptions,
  SourceMode,
  SummaryQuery,
  SummaryResult,
  TimeWindow,
  TraceSource,
  TraceSummaryView,
} from './traceSource';

/** BatchGetTraces takes at most 5 ids per call. */
export const BATCH_GET_TRACES_MAX_IDS = 5;
const BATCH_CONCURRENCY = 3;

export interface XrayApiSourceOptions {
  kind: 'local' | 'aws';
  label: string;
  region: string;
  /**
   * For the local collector: http://127.0.0.1:2000. For AWS, an explicit override (a machine-scoped setting);
   * unset, the SDK resolves it, honouring the profile's endpoint_url and AWS_ENDPOINT_URL_XRAY.
   */
  endpoint?: string;
  /** A named profile from the shared config files; unset = the SDK's default chain (AWS_PROFILE, default). */
  profile?: string;
  /** Pace of our own fan-out (BatchGetTraces batches, pages), requests per second; unset = unlimited. */
  maxRequestsPerSecond?: number;
  /** The local collector does not check signatures, but the SDK still signs: give it fixed, fake keys. */
  staticCredentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createXrayApiSource(options: XrayApiSourceOptions): TraceSource {
  return new XrayApiSource(options);
}

class XrayApiSource implements TraceSource {
  readonly kind: 'local' | 'aws';
  readonly label: string;
  private readonly client: XRayClient;

  constructor(options: XrayApiSourceOptions) {
    this.kind = options.kind;
    this.label = options.label;
    const config: XRayClientConfig = { region: options.region, maxAttempts: 3 };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.profile) config.profile = options.profile;
    if (options.staticCredentials) config.credentials = options.staticCredentials;
    this.client = new XRayClient(config);
  }

  async listTraceSummaries(query: SummaryQuery, options: RequestOptions = {}): Promise<SummaryResult> {
    const signal = options.signal;
    const summaries: TraceSummaryView[] = [];
    let tracesProcessed = 0;
    let pages = 0;
    let approximateTime: number | undefined;
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(query.window.startTime * 1000),
          EndTime: new Date(query.window.endTime * 1000),
          FilterExpression: query.filterExpression || undefined,
          Sampling: query.sampling ?? false,
          NextToken: nextToken,
        }),
        { abortSignal: signal },
      );
      pages++;
      if (page.ApproximateTime) approximateTime = seconds(page.ApproximateTime);
      tracesProcessed += page.TracesProcessedCount ?? 0;
      for (const s of page.TraceSummaries ?? []) {
        const view = toSummaryView(s);
        if (view) summaries.push(view);
      }
      nextToken = page.NextToken;
    } while (nextToken && summaries.length < query.maxTraces);
    return {
      summaries: summaries.slice(0, query.maxTraces),
      tracesProcessed,
      truncated: Boolean(nextToken) || summaries.length > query.maxTraces,
      sampled: query.sampling ?? false,
      approximateTime,
      pages,
    };
  }

  async getTraces(ids: string[], options: RequestOptions = {}): Promise<GetTracesResult> {
    const signal = options.signal;
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_GET_TRACES_MAX_IDS) batches.push(ids.slice(i, i + BATCH_GET_TRACES_MAX_IDS));
    const traces: FetchedTrace[] = [];
    const unprocessedIds: string[] = [];
    // Bounded concurrency: a few batches in flight, not one request per trace all at once.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        let nextToken: string | undefined;
        do {
          const page = await this.client.send(new BatchGetTracesCommand({ TraceIds: batch, NextToken: nextToken }), {
            abortSignal: signal,
          });
          for (const t of page.Traces ?? []) traces.push(toFetchedTrace(t));
          unprocessedIds.push(...(page.UnprocessedTraceIds ?? []));
          nextToken = page.NextToken;
        } while (nextToken);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batches.length) }, worker));
    // BatchGetTraces pages return parts of a trace's segments under the same id: merge them.
    return { traces: mergeById(traces), unprocessedIds };
  }

  async getServiceGraph(window: TimeWindow, options: RequestOptions = {}): Promise<ApiServiceGraph> {
    const signal = options.signal;
    const services: Service[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetServiceGraphCommand({
          StartTime: new Date(window.startTime * 1000),
          EndTime: new Date(window.endTime * 1000),
          NextToken: nextToken,
        }),
        { abortSignal: signal },
      );
      services.push(...(page.Services ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return { StartTime: window.startTime, EndTime: window.endTime, Services: services.map(toApiServiceNode) };
  }

  async getTraceGraph(ids: string[], options: RequestOptions = {}): Promise<ApiTraceGraph> {
    const services: Service[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new GetTraceGraphCommand({ TraceIds: ids, NextToken: nextToken }), { abortSignal: options.signal });
      services.push(...(page.Services ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return { Services: services.map(toApiServiceNode) };
  }

  async getMode(options: RequestOptions = {}): Promise<SourceMode> {
    if (this.kind === 'local') return { destination: 'XRay', assumed: 'the local collector keeps full traces itself' };
    const answer = await this.client.send(new GetTraceSegmentDestinationCommand({}), { abortSignal: options.signal });
    return { destination: answer.Destination === 'CloudWatchLogs' ? 'CloudWatchLogs' : 'XRay', status: answer.Status };
  }

  dispose(): void {
    this.client.destroy();
  }
}

// The SDK gives Dates; the domain model uses epoch seconds throughout, as the wire does.
const seconds = (d: Date | undefined): number => (d ? d.getTime() / 1000 : 0);

function toApiServiceNode(s: Service): ApiServiceNode {
  return {
    ...(s as Omit<Service, 'StartTime' | 'EndTime' | 'Edges'>),
    ReferenceId: s.ReferenceId ?? -1,
    Names: s.Names ?? (s.Name ? [s.Name] : []),
    Type: s.Type ?? '',
    State: s.State ?? '',
    StartTime: seconds(s.StartTime),
    EndTime: seconds(s.EndTime),
    Edges: (s.Edges ?? []).map(
      (e): ApiEdge => ({
        ...(e as Omit<typeof e, 'StartTime' | 'EndTime'>),
        ReferenceId: e.ReferenceId ?? -1,
        StartTime: seconds(e.StartTime),
        EndTime: seconds(e.EndTime),
      }) as ApiEdge,
    ),
    DurationHistogram: (s.DurationHistogram ?? []) as ApiServiceNode['DurationHistogram'],
    ResponseTimeHistogram: (s.ResponseTimeHistogram ?? []) as ApiServiceNode['ResponseTimeHistogram'],
  } as ApiServiceNode;
}

function toSummaryView(s: TraceSummary): TraceSummaryView | undefined {
  if (!s.Id) return undefined;
  const start = s.StartTime ? s.StartTime.getTime() / 1000 : (traceIdEpoch(s.Id) ?? 0);
  const services = (s.ServiceIds ?? []).map((id) => id.Name ?? '').filter(Boolean);
  return {
    id: s.Id,
    startTime: start,
    duration: s.Duration ?? 0,
    responseTime: s.ResponseTime ?? s.Duration ?? 0,
    hasFault: s.HasFault ?? false,
    hasError: s.HasError ?? false,
    hasThrottle: s.HasThrottle ?? false,
    isPartial: s.IsPartial ?? false,
    method: s.Http?.HttpMethod,
    url: s.Http?.HttpURL,
    status: s.Http?.HttpStatus,
    entryPoint: s.EntryPoint?.Name,
    services: [...new Set(services)],
    revision: s.Revision ?? 0,
  };
}

function toFetchedTrace(t: { Id?: string; Duration?: number; LimitExceeded?: boolean; Segments?: { Id?: string; Document?: string }[] }): FetchedTrace {
  const trace: FetchedTrace = {
    id: t.Id ?? '',
    duration: t.Duration,
    limitExceeded: t.LimitExceeded ?? false,
    segments: [],
    rejected: [],
  };
  for (const s of t.Segments ?? []) {
    const parsed = parseSegmentDocument(s.Document ?? '');
    if (parsed.ok) trace.segments.push(parsed.doc);
    else trace.rejected.push({ segmentId: s.Id ?? '?', message: parsed.message });
  }
  return trace;
}

function mergeById(traces: FetchedTrace[]): FetchedTrace[] {
  const byId = new Map<string, FetchedTrace>();
  for (const t of traces) {
    const seen = byId.get(t.id);
    if (!seen) {
      byId.set(t.id, t);
      continue;
    }
    seen.segments.push(...t.segments);
    seen.rejected.push(...t.rejected);
    seen.limitExceeded ||= t.limitExceeded;
  }
  return [...byId.values()];
}
