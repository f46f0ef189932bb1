// The service map as the panel draws it, from a service graph (GetServiceGraph on AWS, buildServiceGraph for
// the local collector): nodes with a kind and a health, edges with request counts, latencies and rates, and
// the response-time histogram of each. Pure: values in, values out.
//
// Health follows the X-Ray console's colours: ok (green), error = 4xx client errors (yellow), throttle = 429
// (purple), fault = 5xx (red). The console draws each node's ring in the proportions of those outcomes; the
// map does the same (`outcomes`), and `health` names the worst outcome present, for the legend and labels.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-console.html#xray-console-servicemap
import type { ApiEdgeStatistics, ApiHistogramEntry, ApiServiceGraph, ApiServiceNode } from './model';

export type MapHealth = 'ok' | 'error' | 'throttle' | 'fault';

/**
 * client: the users in front of a root service; service: something that sent its own segments;
 * aws: an AWS resource called through the SDK (DynamoDB table, S3, ...); remote: any other downstream host.
 */
export type MapNodeKind = 'client' | 'service' | 'aws' | 'remote';

/** Counts of each outcome; `error` is 4xx other than 429 (X-Ray's ErrorStatistics.OtherCount). */
export interface OutcomeCounts {
  ok: number;
  error: number;
  throttle: number;
  fault: number;
}

export interface HistogramBucket {
  /** Response time in milliseconds. */
  ms: number;
  count: number;
}

export interface MapStats {
  requests: number;
  outcomes: OutcomeCounts;
  /** Fractions of `requests` (0 when there are none). */
  errorRate: number;
  throttleRate: number;
  faultRate: number;
  /** Mean response time (TotalResponseTime / TotalCount); undefined without requests. */
  averageMs?: number;
  /** 95th percentile by nearest rank over the histogram; undefined without one. */
  p95Ms?: number;
  /** Requests per minute over the graph's window. */
  perMinute: number;
  histogram: HistogramBucket[];
}

export interface MapNode {
  /** Stable within one map: `n<ReferenceId>`. */
  id: string;
  name: string;
  /** The service type: `client`, an origin (`AWS::ECS::Container`), `AWS::DynamoDB::Table`, `remote`, ... */
  type: string;
  kind: MapNodeKind;
  /** The entry service(s) of the traces. */
  root: boolean;
  health: MapHealth;
  /** The node's own statistics; a client node has none in X-Ray, so its outgoing edges' sum is used. */
  stats: MapStats;
}

export interface MapEdge {
  /** `<source id>-><target id>` */
  id: string;
  source: string;
  target: string;
  health: MapHealth;
  stats: MapStats;
}

export interface ServiceMap {
  /** Epoch seconds. */
  startTime: number;
  endTime: number;
  nodes: MapNode[];
  edges: MapEdge[];
}

export function buildServiceMap(graph: ApiServiceGraph): ServiceMap {
  const minutes = Math.max(1 / 60, (graph.EndTime - graph.StartTime) / 60);
  const byRef = new Map<number, ApiServiceNode>();
  for (const service of graph.Services) byRef.set(service.ReferenceId, service);

  const edges: MapEdge[] = [];
  for (const service of graph.Services) {
    for (const edge of service.Edges) {
      if (!byRef.has(edge.ReferenceId)) continue; // a reference outside the page: nothing to draw it to
      const stats = mapStats(edge.SummaryStatistics, edge.ResponseTimeHistogram, minutes);
      const source = nodeId(service.ReferenceId);
      const target = nodeId(edge.ReferenceId);
      edges.push({ id: `${source}->${target}`, source, target, health: healthOf(stats.outcomes), stats });
    }
  }

  const nodes = graph.Services.map((service): MapNode => {
    const outgoing = edges.filter((e) => e.source === nodeId(service.ReferenceId));
    const stats = service.SummaryStatistics
      ? mapStats(service.SummaryStatistics, service.ResponseTimeHistogram, minutes)
      : sumStats(outgoing.map((e) => e.stats), minutes);
    return {
      id: nodeId(service.ReferenceId),
      name: service.Name ?? service.Names[0] ?? '',
      type: service.Type,
      kind: nodeKind(service),
      root: service.Root === true,
      health: healthOf(stats.outcomes),
      stats,
    };
  });
  return { startTime: graph.StartTime, endTime: graph.EndTime, nodes, edges };
}

export function nodeKind(service: Pick<ApiServiceNode, 'Type' | 'State' | 'Root'>): MapNodeKind {
  if (service.Type === 'client') return 'client';
  if (service.State === 'active' || service.Root === true) return 'service';
  if (service.Type.startsWith('AWS::')) return 'aws';
  return 'remote';
}

/** The worst outcome present: fault > throttle > error > ok (the order X-Ray classifies a trace in). */
export function healthOf(outcomes: OutcomeCounts): MapHealth {
  if (outcomes.fault > 0) return 'fault';
  if (outcomes.throttle > 0) return 'throttle';
  if (outcomes.error > 0) return 'error';
  return 'ok';
}

/** The smallest histogram value at or above which `fraction` of the requests fall (nearest rank). */
export function percentileMs(histogram: HistogramBucket[], fraction: number): number | undefined {
  const sorted = histogram.filter((b) => b.count > 0).sort((a, b) => a.ms - b.ms);
  const total = sorted.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (const bucket of sorted) {
    seen += bucket.count;
    if (seen >= rank) return bucket.ms;
  }
  return sorted[sorted.length - 1].ms;
}

function mapStats(statistics: ApiEdgeStatistics, histogram: ApiHistogramEntry[], minutes: number): MapStats {
  const outcomes: OutcomeCounts = {
    ok: statistics.OkCount,
    error: statistics.ErrorStatistics.OtherCount,
    throttle: statistics.ErrorStatistics.ThrottleCount,
    fault: statistics.FaultStatistics.TotalCount,
  };
  const buckets = mergeBuckets(histogram.map((h) => ({ ms: roundMs(h.Value * 1000), count: h.Count })));
  const requests = statistics.TotalCount;
  return {
    requests,
    outcomes,
    ...rates(outcomes, requests),
    averageMs: requests > 0 ? roundMs((statistics.TotalResponseTime / requests) * 1000) : undefined,
    p95Ms: percentileMs(buckets, 0.95),
    perMinute: requests / minutes,
    histogram: buckets,
  };
}

/** A client node's stats: the sum of its edges (X-Ray gives a client node no SummaryStatistics). */
function sumStats(parts: MapStats[], minutes: number): MapStats {
  const outcomes: OutcomeCounts = { ok: 0, error: 0, throttle: 0, fault: 0 };
  let requests = 0;
  let totalMs = 0;
  for (const p of parts) {
    outcomes.ok += p.outcomes.ok;
    outcomes.error += p.outcomes.error;
    outcomes.throttle += p.outcomes.throttle;
    outcomes.fault += p.outcomes.fault;
    requests += p.requests;
    totalMs += (p.averageMs ?? 0) * p.requests;
  }
  const histogram = mergeBuckets(parts.flatMap((p) => p.histogram));
  return {
    requests,
    outcomes,
    ...rates(outcomes, requests),
    averageMs: requests > 0 ? roundMs(totalMs / requests) : undefined,
    p95Ms: percentileMs(histogram, 0.95),
    perMinute: requests / minutes,
    histogram,
  };
}

function rates(outcomes: OutcomeCounts, requests: number): Pick<MapStats, 'errorRate' | 'throttleRate' | 'faultRate'> {
  const rate = (n: number) => (requests > 0 ? n / requests : 0);
  return { errorRate: rate(outcomes.error), throttleRate: rate(outcomes.throttle), faultRate: rate(outcomes.fault) };
}

/** Buckets sorted by time, equal times merged (AWS may list a value twice across merged groups). */
function mergeBuckets(buckets: HistogramBucket[]): HistogramBucket[] {
  const byMs = new Map<number, number>();
  for (const b of buckets) byMs.set(b.ms, (byMs.get(b.ms) ?? 0) + b.count);
  return [...byMs].sort((a, b) => a[0] - b[0]).map(([ms, count]) => ({ ms, count }));
}

/** Milliseconds to 3 decimals: seconds from the API are doubles with float noise (0.157 s → 157.00000000000003). */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function nodeId(referenceId: number): string {
  return `n${referenceId}`;
}
