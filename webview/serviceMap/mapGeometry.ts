// The geometry the map's layouts share: node boxes, spacing, circle radius. Pure (no DOM, no ELK), so that the
// cheap first-paint placement (layeredPlacement.ts) is unit-tested in plain Node.
import type { ServiceMap } from '../../src/protocol/serviceMapMessages';

export interface NodeBox {
  /** Centre of the node's circle. */
  cx: number;
  cy: number;
  r: number;
}

type Point = { x: number; y: number };

export interface MapLayout {
  nodes: Map<string, NodeBox>;
  /** Bend points between the two circles, per edge id (empty: a straight line). */
  bends: Map<string, Point[]>;
  width: number;
  height: number;
}

/** The width given to each node: its label is clipped to fit (webview/shared/visibleText.ts). */
export const NODE_WIDTH = 150;
/** Room under the circle for two lines of label. */
export const LABEL_HEIGHT = 34;
/** Between two nodes of one layer (vertical). */
export const NODE_GAP = 28;
/** Between two layers (horizontal). */
export const LAYER_GAP = 70;

/** Circle radius by traffic: 18 px for the quietest node, 30 px for the busiest. */
export function nodeRadius(requests: number, maxRequests: number): number {
  return maxRequests > 0 ? Math.round(18 + 12 * Math.sqrt(requests / maxRequests)) : 18;
}

/** Each node's radius, by its share of the busiest node's requests. */
export function nodeRadii(map: ServiceMap): Map<string, number> {
  let maxRequests = 0;
  for (const n of map.nodes) maxRequests = Math.max(maxRequests, n.stats.requests);
  return new Map(map.nodes.map((n) => [n.id, nodeRadius(n.stats.requests, maxRequests)]));
}

/** Which nodes and edges exist: equal keys, equal layouts. */
export function topologyKey(map: ServiceMap): string {
  return `${map.nodes.map((n) => n.id).join(',')}|${map.edges.map((e) => e.id).join(',')}`;
}
