import * as assert from 'assert';
import { placeLayered, type PlacementEdge, type PlacementNode } from '../../../webview/serviceMap/layeredPlacement';
import { LABEL_HEIGHT, LAYER_GAP, NODE_GAP, NODE_WIDTH } from '../../../webview/serviceMap/mapGeometry';

const nodes = (n: number, r = 20): PlacementNode[] => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, r }));
const edge = (s: number, t: number): PlacementEdge => ({ source: `n${s}`, target: `n${t}` });

/** A deterministic pseudo-random DAG (s < t) of `n` nodes and `m` edges. */
function randomDag(n: number, m: number): PlacementEdge[] {
  let a = 11;
  const random = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
  const seen = new Set<string>();
  const edges: PlacementEdge[] = [];
  while (edges.length < m) {
    const s = Math.floor(random() * n);
    const t = Math.floor(random() * n);
    if (s >= t || seen.has(`${s}-${t}`)) continue;
    seen.add(`${s}-${t}`);
    edges.push(edge(s, t));
  }
  return edges;
}

const column = (cx: number) => Math.round((cx - NODE_WIDTH / 2) / (NODE_WIDTH + LAYER_GAP));

/** Nodes sharing a column keep the spacing: each box (circle + label room) NODE_GAP from the next. */
function assertNoOverlap(placed: PlacementNode[], layout: ReturnType<typeof placeLayered>): void {
  const byColumn = new Map<number, { top: number; bottom: number; id: string }[]>();
  for (const node of placed) {
    const box = layout.nodes.get(node.id);
    assert.ok(box, `${node.id} is not placed`);
    const list = byColumn.get(column(box.cx)) ?? [];
    list.push({ top: box.cy - box.r, bottom: box.cy + box.r + LABEL_HEIGHT, id: node.id });
    byColumn.set(column(box.cx), list);
  }
  for (const list of byColumn.values()) {
    list.sort((x, y) => x.top - y.top);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].top - list[i - 1].bottom >= NODE_GAP - 1e-6, `${list[i - 1].id} and ${list[i].id} overlap or touch`);
    }
  }
}

suite('placeLayered: the service map\'s first-paint placement', () => {
  test('a call chain runs left to right, one layer per hop, callers before callees', () => {
    const layout = placeLayered(nodes(4), [edge(0, 1), edge(1, 2), edge(2, 3)]);
    const columns = [0, 1, 2, 3].map((i) => column(layout.nodes.get(`n${i}`)!.cx));
    assert.deepStrictEqual(columns, [0, 1, 2, 3]);
    assert.strictEqual(layout.width, 4 * NODE_WIDTH + 3 * LAYER_GAP);
    assert.ok(layout.bends.size === 0, 'the quick placement draws edges straight');
  });

  test('in a DAG every edge points to a later layer, and no two nodes of a layer overlap (300 nodes / 1,000 edges)', () => {
    const placed = nodes(300, 25);
    const edges = randomDag(300, 1000);
    const layout = placeLayered(placed, edges);
    assert.strictEqual(layout.nodes.size, 300);
    for (const e of edges) {
      const s = column(layout.nodes.get(e.source)!.cx);
      const t = column(layout.nodes.get(e.target)!.cx);
      assert.ok(s < t, `${e.source} (layer ${s}) → ${e.target} (layer ${t})`);
    }
    assertNoOverlap(placed, layout);
    // Every box lies within the reported size, starting at the top.
    const tops = [...layout.nodes.values()].map((b) => b.cy - b.r);
    assert.ok(Math.abs(Math.min(...tops)) < 1e-6, `the highest box starts at ${Math.min(...tops)}`);
    for (const b of layout.nodes.values()) assert.ok(b.cy + b.r + LABEL_HEIGHT <= layout.height + 1e-6 && b.cx + NODE_WIDTH / 2 <= layout.width + 1e-6);
  });

  test('services calling each other in a cycle, self-calls and edges to unknown nodes: all placed, spacing kept', () => {
    const placed = nodes(5);
    const layout = placeLayered(placed, [edge(0, 1), edge(1, 2), edge(2, 1), edge(2, 0), edge(3, 3), { source: 'n4', target: 'nowhere' }]);
    assert.strictEqual(layout.nodes.size, 5);
    for (const b of layout.nodes.values()) assert.ok(Number.isFinite(b.cx) && Number.isFinite(b.cy), JSON.stringify(b));
    assert.ok(column(layout.nodes.get('n0')!.cx) < column(layout.nodes.get('n1')!.cx), 'the caller that started the cycle comes first');
    assertNoOverlap(placed, layout);
  });

  test('a 5,000-node chain does not overflow the stack; an empty map has no size', () => {
    const chain = Array.from({ length: 4999 }, (_, i) => edge(i, i + 1));
    const layout = placeLayered(nodes(5000), chain);
    assert.strictEqual(column(layout.nodes.get('n4999')!.cx), 4999);
    const empty = placeLayered([], []);
    assert.deepStrictEqual([empty.nodes.size, empty.width, empty.height], [0, 0, 0]);
  });

  test('a callee sits near its caller\'s height: two separate call trees do not interleave', () => {
    // Two trees: 0 → 1, 2 and 3 → 4, 5. Each tree's callees are next to each other in layer 1.
    const layout = placeLayered(nodes(6), [edge(0, 1), edge(0, 2), edge(3, 4), edge(3, 5)]);
    const y = (i: number) => layout.nodes.get(`n${i}`)!.cy;
    const [first, second] = y(0) < y(3) ? [[1, 2], [4, 5]] : [[4, 5], [1, 2]];
    assert.ok(Math.max(y(first[0]), y(first[1])) < Math.min(y(second[0]), y(second[1])), `layer 1 heights: ${[1, 2, 4, 5].map(y).join(', ')}`);
  });
});
