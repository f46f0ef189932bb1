// The service-map nodes and edges of one trace, each with the (sub)segment document that stands for it, by
// the rules the service map is drawn with (buildServiceGraph counts these): what `service(...) { … }` and
// `edge(...) { … }` filter expressions look at, so a filter built from a node or edge of the map finds the
// traces that drew it.
import type { ApiServiceId, SegmentDocument } from './model';
import { downstreamService, segmentService } from './serviceIdentity';
import { isObject } from './segmentDocument';
import { walkDocument } from './segmentTree';

/** Service type used for a segment whose SDK sent no `origin` (no platform plugin). */
export const UNKNOWN_SERVICE_TYPE = 'unknown';

/** The type of the node X-Ray draws in front of an entry service. */
export const CLIENT_SERVICE_TYPE = 'client';

/** One appearance of a service in the trace: a segment of it, or a call to it. */
export interface TopologyNode {
  service: ApiServiceId;
  doc: SegmentDocument;
  /** True when the node is not a segment of its own: a call subsegment or an inferred segment stands for it. */
  downstream: boolean;
}

/** One call between two services, with the document its statistics come from (the caller's side when there is one). */
export interface TopologyEdge {
  from: ApiServiceId;
  to: ApiServiceId;
  doc: SegmentDocument;
}

export interface TraceTopology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

/** The node type buildServiceGraph gives a service: its Type, or `unknown`. */
export function serviceType(id: ApiServiceId): string {
  return id.Type ?? UNKNOWN_SERVICE_TYPE;
}

/**
 * Nodes and edges of one trace's merged segments (as TraceAssembler returns them): a node per non-inferred
 * segment, per inferred segment and per call subsegment that no segment of the trace answers; an edge from a
 * `client` node to each root segment's service, from a segment's service to each service it calls.
 */
export function traceTopology(trace: readonly SegmentDocument[]): TraceTopology {
  const segments = trace.filter(isObject);
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  const byParent = new Map<string, SegmentDocument[]>();
  for (const s of segments) {
    if (typeof s.parent_id !== 'string') continue;
    const list = byParent.get(s.parent_id);
    if (list) list.push(s);
    else byParent.set(s.parent_id, [s]);
  }
  const ids = new Set<string>();
  for (const s of segments) walkDocument(s, ({ doc }) => ids.add(doc.id));

  const inferredSeen = new Set<SegmentDocument>();
  const inferredNode = (segment: SegmentDocument): ApiServiceId => {
    const service = downstreamService(segment) ?? segmentService(segment);
    if (!inferredSeen.has(segment)) {
      inferredSeen.add(segment);
      nodes.push({ service, doc: segment, downstream: true });
    }
    return service;
  };

  for (const segment of segments) {
    if (segment.inferred === true) continue;
    const service = segmentService(segment);
    nodes.push({ service, doc: segment, downstream: false });
    if (typeof segment.parent_id !== 'string' || !ids.has(segment.parent_id)) {
      edges.push({ from: { Name: service.Name, Names: service.Names, Type: CLIENT_SERVICE_TYPE }, to: service, doc: segment });
    }
    walkDocument(segment, ({ doc, depth }) => {
      const callees = byParent.get(doc.id);
      if (callees) {
        for (const callee of callees) {
          const target = callee.inferred === true ? inferredNode(callee) : segmentService(callee);
          // A segment parented directly by a segment (Lambda service → function) has no caller-side timing.
          edges.push({ from: service, to: target, doc: depth === 0 ? callee : doc });
        }
        return;
      }
      if (depth === 0) return;
      const downstream = downstreamService(doc);
      if (!downstream) return;
      nodes.push({ service: downstream, doc, downstream: true });
      edges.push({ from: service, to: downstream, doc });
    });
  }
  for (const segment of segments) {
    if (segment.inferred === true && !inferredSeen.has(segment)) inferredNode(segment);
  }
  return { nodes, edges };
}
