// Positions for the service map's nodes and the bends of its edges, computed by ELK's layered algorithm
// (elkjs; why ELK and not dagre: bench/README.md). Left to right, the way X-Ray draws requests flowing from
// the client to downstream resources. The layout depends only on which nodes and edges exist, so a refresh
// that only changes counts reuses it (see `topologyKey`).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { ServiceMap } from '../../src/protocol/serviceMapMessages';

export interface NodeBox {
  /** Centre of the node's circle. */
  cx: number;
  cy: number;
  r: number;
}

export interface MapLayout {
  nodes: Map<string, NodeBox>;
  /** Bend points between the two circles, per edge id (empty: a straight line). */
  bends: Map<string, { x: number; y: number }[]>;
  width: number;
  height: number;
}

/** The width given to each node: its label is clipped to fit (webview/shared/visibleText.ts). */
export const NODE_WIDTH = 150;
/** Room under the circle for two lines of label. */
const LABEL_HEIGHT = 34;

// Beyond this size ELK's crossing minimisation dominates (seconds for 300 nodes / 1,000 edges on a slow
// machine); the large-graph options keep the layered structure and drop the sweeps. Measured in bench/.
const LARGE_NODES = 100;
const LARGE_EDGES = 300;

const BASE_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '70',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
};

export const LARGE_GRAPH_OPTIONS: LayoutOptions = {
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.strategy': 'NONE',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
};

// Created, and run once on an empty graph, when the page loads, while the host answers `ready`: ELK's
// start-up (its compiled Java runtime) is then off the first real layout.
const elk = new ELK();
void elk.layout({ id: 'warm-up', children: [] }).catch(() => undefined);

/** Circle radius by traffic: 18 px for the quietest node, 30 px for the busiest. */
export function nodeRadius(requests: number, maxRequests: number): number {
  return maxRequests > 0 ? Math.round(18 + 12 * Math.sqrt(requests / maxRequests)) : 18;
}

/** Which nodes and edges exist: equal keys, equal layouts. */
export function topologyKey(map: ServiceMap): string {
  return `${map.nodes.map((n) => n.id).join(',')}|${map.edges.map((e) => e.id).join(',')}`;
}

export async function layoutServiceMap(map: ServiceMap): Promise<MapLayout> {
  const maxRequests = Math.max(0, ...map.nodes.map((n) => n.stats.requests));
  const radius = new Map(map.nodes.map((n) => [n.id, nodeRadius(n.stats.requests, maxRequests)]));
  const large = map.nodes.length > LARGE_NODES || map.edges.length > LARGE_EDGES;
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: large ? { ...BASE_OPTIONS, ...LARGE_GRAPH_OPTIONS } : BASE_OPTIONS,
    children: map.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: 2 * (radius.get(n.id) as number) + LABEL_HEIGHT })),
    edges: map.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const result = await elk.layout(graph);
  const nodes = new Map<string, NodeBox>();
  for (const child of result.children ?? []) {
    const r = radius.get(child.id) as number;
    nodes.set(child.id, { cx: (child.x ?? 0) + NODE_WIDTH / 2, cy: (child.y ?? 0) + r, r });
  }
  const bends = new Map<string, { x: number; y: number }[]>();
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    bends.set(edge.id, (edge.sections ?? []).flatMap((s) => s.bendPoints ?? []));
  }
  return { nodes, bends, width: result.width ?? 0, height: result.height ?? 0 };
}
