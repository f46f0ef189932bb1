// ELK's options for the map, by size (layout.ts; bench/serviceMap.bench.mjs times them against ELK's defaults).
import type { LayoutOptions } from 'elkjs/lib/elk-api';
import { LAYER_GAP, NODE_GAP } from './mapGeometry';

// Beyond this size ELK's crossing minimisation dominates (seconds for 300 nodes / 1,000 edges on a slow
// machine); the large-graph options keep the layered structure and drop the sweeps. Measured in bench/.
const LARGE_NODES = 100;
const LARGE_EDGES = 300;

const BASE_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': String(NODE_GAP),
  'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
};

const LARGE_GRAPH_OPTIONS: LayoutOptions = {
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.strategy': 'NONE',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
};

/** Large maps get the cheaper options, and their first paint does not wait for ELK (main.ts). */
export function isLargeGraph(nodes: number, edges: number): boolean {
  return nodes > LARGE_NODES || edges > LARGE_EDGES;
}

export function elkOptions(nodes: number, edges: number): LayoutOptions {
  return isLargeGraph(nodes, edges) ? { ...BASE_OPTIONS, ...LARGE_GRAPH_OPTIONS } : BASE_OPTIONS;
}
