// A cheap layered placement for the map's first paint while ELK lays out the same graph in its worker
// (layout.ts): left to right like ELK's, in time linear in nodes + edges (plus one sort per layer per sweep),
// a few milliseconds for 1,000 nodes / 3,000 edges. Edges are drawn straight; ELK's layout replaces it with
// routed bends when it arrives. The steps are the textbook ones (Sugiyama et al.), each in its cheapest form:
//   1. cycles: a depth-first search from the callers; an edge back to a node still on the search's stack is
//      left out of the layering (services do call each other in cycles);
//   2. layers: longest path from the callers, in the search's topological order;
//   3. order within a layer: the search's discovery order (children next to their caller), then barycenter
//      sweeps, down and up (mean position of each node's neighbours in the layers already ordered);
//   4. vertical position: each node as near the mean height of its callers as the spacing allows (two
//      one-pass clamps, one pushing down and one pushing up, averaged: both keep the spacing, so their mean
//      does).
import { LABEL_HEIGHT, LAYER_GAP, NODE_GAP, NODE_WIDTH, type MapLayout, type NodeBox } from './mapGeometry';

export interface PlacementNode {
  id: string;
  /** Circle radius (mapGeometry.ts nodeRadius). */
  r: number;
}

export interface PlacementEdge {
  source: string;
  target: string;
}

/** Down and up, twice: more sweeps barely change a first paint that ELK replaces within seconds. */
const SWEEPS = 4;

export function placeLayered(nodes: readonly PlacementNode[], edges: readonly PlacementEdge[]): MapLayout {
  const n = nodes.length;
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));

  // Adjacency in compressed arrays (targets of i: out[outStart[i] .. outStart[i + 1])), self-loops and edges
  // to unknown nodes dropped.
  const pairs: number[] = [];
  const inDegree = new Int32Array(n);
  const outDegree = new Int32Array(n);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    pairs.push(s, t);
    outDegree[s]++;
    inDegree[t]++;
  }
  const outStart = prefixSums(outDegree);
  const out = new Int32Array(pairs.length / 2);
  const fill = outStart.slice(0, n);
  for (let k = 0; k < pairs.length; k += 2) out[fill[pairs[k]]++] = pairs[k + 1];

  // 1. Depth-first search (iterative: a 1,000-node chain must not overflow the stack), callers first.
  const state = new Uint8Array(n); // 0 unseen, 1 on the stack, 2 done
  const back = new Uint8Array(out.length); // per adjacency slot: an edge back into the stack
  const discovery: number[] = [];
  const postorder: number[] = [];
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  const roots = [...nodes.keys()].sort((a, b) => Number(inDegree[a] > 0) - Number(inDegree[b] > 0));
  for (const root of roots) {
    if (state[root] !== 0) continue;
    let depth = 0;
    stack[0] = root;
    cursor[root] = outStart[root];
    state[root] = 1;
    discovery.push(root);
    while (depth >= 0) {
      const v = stack[depth];
      if (cursor[v] < outStart[v + 1]) {
        const slot = cursor[v]++;
        const w = out[slot];
        if (state[w] === 1) back[slot] = 1;
        else if (state[w] === 0) {
          state[w] = 1;
          cursor[w] = outStart[w];
          discovery.push(w);
          stack[++depth] = w;
        }
      } else {
        state[v] = 2;
        postorder.push(v);
        depth--;
      }
    }
  }

  // 2. Longest path from the callers, in reverse postorder (a topological order once back edges are out).
  const layer = new Int32Array(n);
  let layerCount = n > 0 ? 1 : 0;
  for (let k = postorder.length - 1; k >= 0; k--) {
    const v = postorder[k];
    for (let slot = outStart[v]; slot < outStart[v + 1]; slot++) {
      if (back[slot]) continue;
      const w = out[slot];
      if (layer[w] <= layer[v]) {
        layer[w] = layer[v] + 1;
        layerCount = Math.max(layerCount, layer[w] + 1);
      }
    }
  }

  // Neighbours across the layering (back edges included: they are drawn too), as lists per node.
  const preds: number[][] = Array.from({ length: n }, () => []);
  const succs: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    for (let slot = outStart[v]; slot < outStart[v + 1]; slot++) {
      const w = out[slot];
      if (layer[w] === layer[v]) continue;
      const [a, b] = layer[v] < layer[w] ? [v, w] : [w, v];
      succs[a].push(b);
      preds[b].push(a);
    }
  }

  // 3. Order within layers: discovery order, then barycenter sweeps on positions normalised to 0..1 (layers
  // differ in size).
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (const v of discovery) layers[layer[v]].push(v);
  const rank = new Float64Array(n);
  const setRanks = (members: number[]) => members.forEach((v, i) => (rank[v] = (i + 0.5) / members.length));
  layers.forEach(setRanks);
  const key = new Float64Array(n);
  const sweep = (members: number[], neighbours: number[][]) => {
    for (const v of members) {
      const list = neighbours[v];
      if (list.length === 0) {
        key[v] = rank[v];
        continue;
      }
      let sum = 0;
      for (const u of list) sum += rank[u];
      key[v] = sum / list.length;
    }
    members.sort((a, b) => key[a] - key[b] || rank[a] - rank[b]);
    setRanks(members);
  };
  for (let s = 0; s < SWEEPS; s++) {
    if (s % 2 === 0) for (let l = 1; l < layerCount; l++) sweep(layers[l], preds);
    else for (let l = layerCount - 2; l >= 0; l--) sweep(layers[l], succs);
  }

  // 4. Heights: box centres, each wanting the mean centre of its callers (in layers to its left).
  const centre = new Float64Array(n);
  const half = (v: number) => nodes[v].r + LABEL_HEIGHT / 2;
  for (const members of layers) {
    const wanted = members.map((v) => {
      const list = preds[v];
      if (list.length === 0) return NaN;
      let sum = 0;
      for (const u of list) sum += centre[u];
      return sum / list.length;
    });
    const gap = (i: number) => half(members[i - 1]) + NODE_GAP + half(members[i]);
    const down = new Float64Array(members.length);
    const up = new Float64Array(members.length);
    for (let i = 0; i < members.length; i++) {
      const floor = i === 0 ? -Infinity : down[i - 1] + gap(i);
      down[i] = Number.isNaN(wanted[i]) ? (i === 0 ? 0 : floor) : Math.max(wanted[i], floor);
    }
    for (let i = members.length - 1; i >= 0; i--) {
      const ceiling = i === members.length - 1 ? Infinity : up[i + 1] - gap(i + 1);
      up[i] = Number.isNaN(wanted[i]) ? (i === members.length - 1 ? down[i] : ceiling) : Math.min(wanted[i], ceiling);
    }
    members.forEach((v, i) => (centre[v] = (down[i] + up[i]) / 2));
  }

  // Into the map's coordinates: the top at 0, the circle's centre r below the box's top.
  let top = Infinity;
  let bottom = -Infinity;
  for (let v = 0; v < n; v++) {
    top = Math.min(top, centre[v] - half(v));
    bottom = Math.max(bottom, centre[v] + half(v));
  }
  const boxes = new Map<string, NodeBox>();
  for (let v = 0; v < n; v++) {
    const r = nodes[v].r;
    boxes.set(nodes[v].id, { cx: layer[v] * (NODE_WIDTH + LAYER_GAP) + NODE_WIDTH / 2, cy: centre[v] - half(v) - top + r, r });
  }
  return {
    nodes: boxes,
    bends: new Map(),
    width: layerCount > 0 ? layerCount * NODE_WIDTH + (layerCount - 1) * LAYER_GAP : 0,
    height: n > 0 ? bottom - top : 0,
  };
}

/** [0, c0, c0 + c1, ...]: where each node's slice of a compressed adjacency array starts. */
function prefixSums(counts: Int32Array): Int32Array {
  const starts = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) starts[i + 1] = starts[i] + counts[i];
  return starts;
}
