// The service graph, built the way X-Ray builds its map (GetServiceGraph / GetTraceGraph):
//  - a node per service: each (non-inferred) segment's name + origin, counted once per segment;
//  - a `client` node, named after the entry service, in front of every root segment (no parent_id, or a
//    parent that is not in the trace, e.g. an upstream caller that is not traced); the entry service is Root;
//  - a segment whose parent is a segment (Lambda service → function) is an edge between their services;
//  - a call subsegment (namespace aws/remote) is an edge to a downstream node, counted from the caller's side;
//    when a segment of the same trace has that subsegment as parent (X-Amzn-Trace-Id propagation, or an
//    inferred segment), the edge goes to that segment's service instead of a separate remote node.
// Statistics and histograms follow the public GetServiceGraph example: each request lands in exactly one of
// Ok / Error (Throttle, Other) / Fault, times in seconds, histogram values rounded to milliseconds.
import { classifyDocument } from './classification';
import type {
  ApiEdge,
  ApiEdgeStatistics,
  ApiHistogramEntry,
  ApiServiceGraph,
  ApiServiceId,
  ApiServiceNode,
  ApiTraceGraph,
  SegmentDocument,
} from './model';
import { serviceKey } from './serviceIdentity';
import { endOrStart, roundSeconds } from './segmentTime';
import { CLIENT_SERVICE_TYPE, traceTopology, UNKNOWN_SERVICE_TYPE } from './traceTopology';

export function buildServiceGraph(traces: SegmentDocument[][], window: { startTime: number; endTime: number }): ApiServiceGraph {
  const graph = new GraphBuilder((t) => t >= window.startTime && t <= window.endTime);
  for (const trace of traces) graph.addTrace(trace);
  return {
    StartTime: window.startTime,
    EndTime: window.endTime,
    Services: graph.nodes(window),
    ContainsOldGroupVersions: false,
  };
}

/** GetTraceGraph: the same nodes and edges for the given traces, whatever their time. */
export function buildTraceGraph(traces: SegmentDocument[][]): ApiTraceGraph {
  const graph = new GraphBuilder(() => true);
  for (const trace of traces) graph.addTrace(trace);
  return { Services: graph.nodes(undefined) };
}

/** The time a node or edge was seen over. */
class Span {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;

  extend(doc: SegmentDocument): void {
    this.start = Math.min(this.start, doc.start_time);
    this.end = Math.max(this.end, endOrStart(doc));
  }
}

class Stats extends Span {
  ok = 0;
  errorOther = 0;
  throttle = 0;
  fault = 0;
  totalTime = 0;
  readonly histogram = new Map<number, number>();

  observe(doc: SegmentDocument): void {
    this.extend(doc);
    if (typeof doc.end_time !== 'number') return; // in progress: seen, not yet a request with a time
    // Epoch-second doubles carry ~1e-7 s of noise; rounding each duration keeps the sums clean.
    const seconds = roundSeconds(Math.max(0, doc.end_time - doc.start_time));
    const outcome = classifyDocument(doc);
    if (outcome === 'ok') this.ok++;
    else if (outcome === 'error') this.errorOther++;
    else if (outcome === 'throttle') this.throttle++;
    else this.fault++;
    this.totalTime += seconds;
    const bucket = Math.round(seconds * 1000) / 1000;
    this.histogram.set(bucket, (this.histogram.get(bucket) ?? 0) + 1);
  }

  statistics(): ApiEdgeStatistics {
    const errors = this.errorOther + this.throttle;
    return {
      OkCount: this.ok,
      ErrorStatistics: { ThrottleCount: this.throttle, OtherCount: this.errorOther, TotalCount: errors },
      FaultStatistics: { OtherCount: this.fault, TotalCount: this.fault },
      TotalCount: this.ok + errors + this.fault,
      TotalResponseTime: roundSeconds(this.totalTime),
    };
  }

  histogramEntries(): ApiHistogramEntry[] {
    return [...this.histogram].sort((a, b) => a[0] - b[0]).map(([Value, Count]) => ({ Value, Count }));
  }
}

interface NodeState {
  id: ApiServiceId;
  type: string;
  state: 'active' | 'unknown';
  root: boolean;
  /** Undefined for client nodes, which X-Ray shows without statistics. */
  stats: Stats | undefined;
  span: Span;
  edges: Map<string, Stats>;
}

class GraphBuilder {
  private readonly byKey = new Map<string, NodeState>();

  constructor(private readonly inWindow: (time: number) => boolean) {}

  /** Counts one trace's nodes and edges: the walk is traceTopology's, so filters and the map agree by construction. */
  addTrace(trace: SegmentDocument[]): void {
    const { nodes, edges } = traceTopology(trace);
    for (const { service, doc, downstream } of nodes) this.observeNode(this.node(service, downstream ? 'unknown' : 'active'), doc);
    for (const { from, to, doc } of edges) {
      // Every endpoint but the client is among the nodes above, so 'unknown' never downgrades one.
      const target = this.node(to, 'unknown');
      if (from.Type === CLIENT_SERVICE_TYPE && this.inWindow(doc.start_time)) target.root = true;
      this.observeEdge(this.node(from, 'unknown'), target, doc);
    }
  }

  nodes(window: { startTime: number; endTime: number } | undefined): ApiServiceNode[] {
    const states = [...this.byKey.values()].filter((n) => n.span.start !== Number.POSITIVE_INFINITY);
    states.sort((a, b) => compare(a.id.Name ?? '', b.id.Name ?? '') || compare(a.type, b.type));
    const refs = new Map<NodeState, number>();
    states.forEach((n, i) => refs.set(n, i));
    const [lo, hi] = window ? [window.startTime, window.endTime] : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    const clampSpan = (s: Span) => ({
      StartTime: Math.max(lo, Math.floor(s.start)),
      EndTime: Math.min(hi, Math.ceil(s.end)),
    });
    return states.map((n) => {
      const edges: ApiEdge[] = [];
      for (const [key, stats] of n.edges) {
        const target = this.byKey.get(key) as NodeState;
        edges.push({
          ReferenceId: refs.get(target) as number,
          ...clampSpan(stats),
          SummaryStatistics: stats.statistics(),
          ResponseTimeHistogram: stats.histogramEntries(),
          Aliases: [],
        });
      }
      edges.sort((a, b) => a.ReferenceId - b.ReferenceId);
      const out: ApiServiceNode = {
        ReferenceId: refs.get(n) as number,
        Name: n.id.Name,
        Names: n.id.Names ?? [n.id.Name ?? ''],
        Type: n.type,
        State: n.state,
        ...clampSpan(n.span),
        Edges: edges,
        DurationHistogram: n.stats?.histogramEntries() ?? [],
        ResponseTimeHistogram: n.stats?.histogramEntries() ?? [],
      };
      if (n.root) out.Root = true;
      if (n.id.AccountId) out.AccountId = n.id.AccountId;
      if (n.stats) out.SummaryStatistics = n.stats.statistics();
      return out;
    });
  }

  private node(id: ApiServiceId, state: 'active' | 'unknown'): NodeState {
    const type = id.Type ?? UNKNOWN_SERVICE_TYPE;
    const key = serviceKey({ ...id, Type: type });
    let node = this.byKey.get(key);
    if (!node) {
      node = { id, type, state, root: false, stats: type === CLIENT_SERVICE_TYPE ? undefined : new Stats(), span: new Span(), edges: new Map() };
      this.byKey.set(key, node);
    } else if (state === 'active') {
      node.state = 'active';
    }
    return node;
  }

  private observeNode(node: NodeState, doc: SegmentDocument): void {
    if (!this.inWindow(doc.start_time)) return;
    node.span.extend(doc);
    node.stats?.observe(doc);
  }

  private observeEdge(from: NodeState, to: NodeState, doc: SegmentDocument): void {
    if (!this.inWindow(doc.start_time)) return;
    const key = serviceKey({ ...to.id, Type: to.type });
    let stats = from.edges.get(key);
    if (!stats) from.edges.set(key, (stats = new Stats()));
    stats.observe(doc);
    from.span.extend(doc);
    to.span.extend(doc);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
