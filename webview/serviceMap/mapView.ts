// The map itself: an SVG of nodes (a circle ringed in the proportions of ok / 4xx / 429 / 5xx, as the X-Ray
// console draws them) and edges, with pan (drag), zoom (wheel, buttons) and fit to view. Every name is a text
// node (svgEl); colours come from classes that map to VS Code theme variables (serviceMap.css).
import type { MapEdge, MapNode, MapSelection, ServiceMap } from '../../src/protocol/serviceMapMessages';
import { svgEl } from '../shared/dom';
import { labelText, visibleText } from '../shared/visibleText';
import { formatMs, formatPerMinute } from './format';
import { NODE_WIDTH, type MapLayout, type NodeBox } from './layout';

export interface View {
  x: number;
  y: number;
  scale: number;
}

export interface MapViewEvents {
  onSelect(selection: MapSelection | undefined): void;
  onViewChange(view: View): void;
}

type Point = { x: number; y: number };

const OUTCOMES = ['ok', 'error', 'throttle', 'fault'] as const;
const HEALTHS = ['ok', 'error', 'throttle', 'fault', 'selected'] as const;
/** Past this many edges their labels would be noise: the side panel has the numbers. */
const MAX_EDGE_LABELS = 150;
const MIN_SCALE = 0.05;
const MAX_SCALE = 4;

export class MapView {
  readonly element: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private view: View = { x: 0, y: 0, scale: 1 };
  private layout: MapLayout | undefined;
  private selection: MapSelection | undefined;
  private readonly items = new Map<string, SVGGElement>();

  constructor(private readonly events: MapViewEvents) {
    this.element = svgEl('svg', { class: 'map', role: 'application', 'aria-label': 'Service map' });
    const defs = svgEl('defs');
    for (const health of HEALTHS) {
      const marker = svgEl('marker', {
        id: `arrow-${health}`, class: `arrow arrow-${health}`, viewBox: '0 0 10 10', refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
      });
      marker.append(svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z' }));
      defs.append(marker);
    }
    this.viewport = svgEl('g', { class: 'viewport' });
    this.element.append(defs, this.viewport);
    this.installPanAndZoom();
  }

  /** Draws `map` at the positions of `layout` (computed for the same nodes and edges). */
  render(map: ServiceMap, layout: MapLayout, selection: MapSelection | undefined): void {
    this.layout = layout;
    this.items.clear();
    const edgeLayer = svgEl('g', { class: 'edges' });
    const nodeLayer = svgEl('g', { class: 'nodes' });
    const labels = map.edges.length <= MAX_EDGE_LABELS;
    for (const edge of map.edges) {
      const from = layout.nodes.get(edge.source);
      const to = layout.nodes.get(edge.target);
      if (!from || !to) continue;
      const g = this.edgeElement(edge, from, to, layout.bends.get(edge.id) ?? [], labels);
      this.items.set(edge.id, g);
      edgeLayer.append(g);
    }
    for (const node of map.nodes) {
      const box = layout.nodes.get(node.id);
      if (!box) continue;
      const g = this.nodeElement(node, box);
      this.items.set(node.id, g);
      nodeLayer.append(g);
    }
    this.viewport.replaceChildren(edgeLayer, nodeLayer);
    fitLabels(nodeLayer);
    this.select(selection);
  }

  select(selection: MapSelection | undefined): void {
    if (this.selection) this.items.get(this.selection.id)?.classList.remove('selected');
    this.selection = selection && this.items.has(selection.id) ? selection : undefined;
    if (this.selection) this.items.get(this.selection.id)?.classList.add('selected');
  }

  /** Dims the given nodes (the others match a search). */
  dim(ids: Set<string>): void {
    for (const [id, element] of this.items) if (element.classList.contains('node')) element.classList.toggle('dim', ids.has(id));
  }

  get currentView(): View {
    return { ...this.view };
  }

  setView(view: View): void {
    const scale = clamp(view.scale, MIN_SCALE, MAX_SCALE);
    this.view = { x: Number.isFinite(view.x) ? view.x : 0, y: Number.isFinite(view.y) ? view.y : 0, scale: Number.isFinite(scale) ? scale : 1 };
    this.viewport.setAttribute('transform', `translate(${this.view.x} ${this.view.y}) scale(${this.view.scale})`);
    this.events.onViewChange(this.currentView);
  }

  /** Scales and centres the whole map in the visible area (never above 1.5×: a two-node map stays readable). */
  fit(): void {
    if (!this.layout) return;
    const { width, height } = this.element.getBoundingClientRect();
    const margin = 24;
    const w = Math.max(1, this.layout.width);
    const h = Math.max(1, this.layout.height);
    const scale = clamp(Math.min((width - 2 * margin) / w, (height - 2 * margin) / h, 1.5), MIN_SCALE, MAX_SCALE);
    this.setView({ x: (width - w * scale) / 2, y: (height - h * scale) / 2, scale });
  }

  /** Zooms by `factor` around a point of the SVG (default: its centre). */
  zoomBy(factor: number, at?: Point): void {
    const rect = this.element.getBoundingClientRect();
    const p = at ?? { x: rect.width / 2, y: rect.height / 2 };
    const scale = clamp(this.view.scale * factor, MIN_SCALE, MAX_SCALE);
    const k = scale / this.view.scale;
    this.setView({ x: p.x - (p.x - this.view.x) * k, y: p.y - (p.y - this.view.y) * k, scale });
  }

  private nodeElement(node: MapNode, box: NodeBox): SVGGElement {
    const g = svgEl('g', {
      class: `node kind-${node.kind} health-${node.health}`, transform: `translate(${box.cx} ${box.cy})`,
      tabindex: 0, role: 'button', 'data-id': node.id,
      'aria-label': `${visibleText(node.name)} (${node.type}), ${node.stats.requests} requests, ${node.health}`,
    });
    g.append(svgEl('title', {}, `${visibleText(node.name)}\n${visibleText(node.type)}`));
    g.append(svgEl('circle', { class: 'node-body', r: box.r }));
    const circumference = 2 * Math.PI * box.r;
    const total = node.stats.requests;
    let offset = 0;
    if (total === 0) g.append(svgEl('circle', { class: 'ring ring-none', r: box.r }));
    for (const outcome of OUTCOMES) {
      const count = node.stats.outcomes[outcome];
      if (count === 0) continue;
      const length = (circumference * count) / total;
      g.append(svgEl('circle', {
        class: `ring ring-${outcome}`, r: box.r, transform: 'rotate(-90)',
        'stroke-dasharray': `${length} ${circumference}`, 'stroke-dashoffset': -offset,
      }));
      offset += length;
    }
    g.append(svgEl('text', { class: 'node-inner', 'text-anchor': 'middle', dy: '0.35em' },
      node.kind === 'client' ? 'client' : formatMs(node.stats.averageMs)));
    g.append(svgEl('text', { class: 'node-name', 'text-anchor': 'middle', y: box.r + 14 }, labelText(node.name, 22)));
    g.append(svgEl('text', { class: 'node-type', 'text-anchor': 'middle', y: box.r + 28 },
      labelText(node.kind === 'client' ? 'client' : `${node.type} · ${formatPerMinute(node.stats.perMinute)}`, 26)));
    const choose = () => this.events.onSelect({ kind: 'node', id: node.id });
    g.addEventListener('click', (e) => {
      e.stopPropagation();
      choose();
    });
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      }
    });
    return g;
  }

  private edgeElement(edge: MapEdge, from: NodeBox, to: NodeBox, bends: Point[], label: boolean): SVGGElement {
    const g = svgEl('g', { class: `edge health-${edge.health}`, 'data-id': edge.id });
    g.append(svgEl('title', {}, `${edge.stats.requests} requests · average ${formatMs(edge.stats.averageMs)} · p95 ${formatMs(edge.stats.p95Ms)}`));
    const d = edge.source === edge.target ? selfLoop(from) : polyline(from, to, bends);
    const width = 1 + Math.min(3, Math.log10(1 + edge.stats.requests));
    g.append(svgEl('path', { class: 'edge-line', d, 'stroke-width': width.toFixed(2), 'marker-end': `url(#arrow-${edge.health})` }));
    g.append(svgEl('path', { class: 'edge-hit', d }));
    if (label && edge.source !== edge.target) {
      const mid = midpoint([{ x: from.cx, y: from.cy }, ...bends, { x: to.cx, y: to.cy }]);
      g.append(svgEl('text', { class: 'edge-label', x: mid.x, y: mid.y - 4, 'text-anchor': 'middle' },
        `${formatMs(edge.stats.averageMs)} · ${formatPerMinute(edge.stats.perMinute)}`));
    }
    g.addEventListener('click', (e) => {
      e.stopPropagation();
      this.events.onSelect({ kind: 'edge', id: edge.id });
    });
    return g;
  }

  private installPanAndZoom(): void {
    let drag: { pointer: number; start: Point; view: View; moved: boolean } | undefined;
    let suppressClick = false;
    this.element.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { pointer: e.pointerId, start: { x: e.clientX, y: e.clientY }, view: this.currentView, moved: false };
    });
    this.element.addEventListener('pointermove', (e) => {
      if (!drag || e.pointerId !== drag.pointer) return;
      const dx = e.clientX - drag.start.x;
      const dy = e.clientY - drag.start.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return; // a click, not a drag
      if (!drag.moved) this.element.setPointerCapture(e.pointerId);
      drag.moved = true;
      this.element.classList.add('panning');
      this.setView({ ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy });
    });
    const end = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.pointer) return;
      const wasDrag = drag.moved;
      drag = undefined;
      suppressClick = wasDrag;
      this.element.classList.remove('panning');
      // A click on the background (nodes and edges stop their clicks) clears the selection.
      if (!wasDrag && e.type === 'pointerup' && e.target === this.element) this.events.onSelect(undefined);
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
    // A drag that ends over a node must not select it.
    this.element.addEventListener('click', (e) => {
      if (suppressClick) e.stopPropagation();
      suppressClick = false;
    }, true);
    this.element.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = this.element.getBoundingClientRect();
      this.zoomBy(Math.exp(-e.deltaY * 0.0015), { x: e.clientX - rect.left, y: e.clientY - rect.top });
    }, { passive: false });
  }
}

/**
 * Shortens labels wider than a node's slot (wide letters, "WWWW…"), so no name runs over its neighbours. Only
 * labels long enough to overflow are measured: measuring forces a layout.
 */
function fitLabels(layer: SVGGElement): void {
  const max = NODE_WIDTH - 8;
  for (const text of layer.querySelectorAll<SVGTextElement>('text.node-name, text.node-type')) {
    const full = [...(text.textContent ?? '')];
    if (full.length <= 12 || text.getComputedTextLength() <= max) continue;
    let lo = 1;
    let hi = full.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      text.textContent = `${full.slice(0, mid).join('')}…`;
      if (text.getComputedTextLength() <= max) lo = mid;
      else hi = mid - 1;
    }
    text.textContent = `${full.slice(0, lo).join('')}…`;
  }
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** The point `distance` from the circle's centre towards `target`. */
function towards(box: NodeBox, target: Point, distance: number): Point {
  const dx = target.x - box.cx;
  const dy = target.y - box.cy;
  const len = Math.hypot(dx, dy) || 1;
  return { x: box.cx + (dx / len) * distance, y: box.cy + (dy / len) * distance };
}

/** From the source circle's rim through ELK's bend points to the target circle's rim (the arrow's tip). */
function polyline(from: NodeBox, to: NodeBox, bends: Point[]): string {
  const centreTo = { x: to.cx, y: to.cy };
  const start = towards(from, bends[0] ?? centreTo, from.r);
  const end = towards(to, bends[bends.length - 1] ?? { x: from.cx, y: from.cy }, to.r + 1);
  return [start, ...bends, end].map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
}

/** A service calling itself: a loop over the top of its circle. */
function selfLoop(box: NodeBox): string {
  const { cx, cy, r } = box;
  const a = { x: cx - r * 0.5, y: cy - r * 0.87 };
  const b = { x: cx + r * 0.5, y: cy - r * 0.87 };
  return `M ${a.x} ${a.y} C ${cx - r * 1.6} ${cy - r * 2.6} ${cx + r * 1.6} ${cy - r * 2.6} ${b.x} ${b.y}`;
}

/** Halfway along a polyline, by length. */
function midpoint(points: Point[]): Point {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  let left = total / 2;
  for (let i = 1; i < points.length; i++) {
    const seg = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
    if (seg >= left && seg > 0) {
      const t = left / seg;
      return { x: points[i - 1].x + (points[i].x - points[i - 1].x) * t, y: points[i - 1].y + (points[i].y - points[i - 1].y) * t };
    }
    left -= seg;
  }
  return points[0];
}
