// The map itself: an SVG of nodes (a circle ringed in the proportions of ok / 4xx / 429 / 5xx, as the X-Ray
// console draws them) and edges, with pan (drag), zoom (wheel, buttons) and fit to view. Every name is a text
// node (svgEl); colours come from classes that map to VS Code theme variables (serviceMap.css). A drawn map can
// move to another layout of the same graph in place (`move`: the first paint's placement → ELK's).
// Pan and zoom move the SVG as a composited layer (a CSS transform, drawn by the compositor without painting the
// map again) while the user drags or turns the wheel; once they pause, the view is committed to the SVG's own
// transform and painted once, sharp. Painting 1,000 edges on every frame of a drag dropped frames.
import type { MapEdge, MapNode, MapSelection, ServiceMap } from '../../src/protocol/serviceMapMessages';
import { el, svgEl } from '../shared/dom';
import { labelText, visibleText } from '../shared/visibleText';
import { formatMs, formatPerMinute } from './format';
import { NODE_WIDTH, type MapLayout, type NodeBox } from './mapGeometry';

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

/** What `move` rewrites of a drawn edge. */
interface EdgeParts {
  edge: MapEdge;
  width: number;
  line: SVGPathElement;
  arrow: SVGPathElement;
  hit: SVGPathElement;
  label: SVGTextElement | undefined;
}

const OUTCOMES = ['ok', 'error', 'throttle', 'fault'] as const;
/** Past this many edges their labels would be noise: the side panel has the numbers. */
const MAX_EDGE_LABELS = 150;
const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
/** Below this scale a 12 px name is under 5 px high: labels are not drawn (serviceMap.css `.far`). */
const FAR_SCALE = 0.4;
/** A wheel zoom is committed (painted sharp at its scale) once the wheel has been still this long. */
const COMMIT_AFTER_MS = 150;

export class MapView {
  /** The frame: fixed on the page, it takes the pointer and the wheel, and clips the moving SVG. */
  readonly element: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  /** What the user sees. */
  private view: View = { x: 0, y: 0, scale: 1 };
  /** What the SVG's own transform draws; the layer's CSS transform takes it to `view` meanwhile. */
  private committed: View = { x: 0, y: 0, scale: 1 };
  private commitTimer: ReturnType<typeof setTimeout> | undefined;
  private layout: MapLayout | undefined;
  private selection: MapSelection | undefined;
  private readonly items = new Map<string, SVGGElement>();
  private readonly edgeParts = new Map<string, EdgeParts>();
  private interactions = 0;

  constructor(private readonly events: MapViewEvents) {
    this.svg = svgEl('svg', { class: 'map', role: 'application', 'aria-label': 'Service map' });
    this.viewport = svgEl('g', { class: 'viewport' });
    this.svg.append(this.viewport);
    this.element = el('div', { class: 'map-frame' });
    this.element.append(this.svg);
    this.installPanAndZoom();
  }

  /** Draws `map` at the positions of `layout` (computed for the same nodes and edges). */
  render(map: ServiceMap, layout: MapLayout, selection: MapSelection | undefined): void {
    this.layout = layout;
    this.items.clear();
    this.edgeParts.clear();
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

  /**
   * Moves the drawn map to `layout` (the same nodes and edges, placed again). With `keepView`, the view keeps
   * its scale and the node the user is looking at (the selected one, else the one nearest the centre) stays
   * where it is on screen; otherwise the caller sets the view.
   */
  move(layout: MapLayout, keepView: boolean): void {
    const anchor = keepView ? this.anchor() : undefined;
    this.layout = layout;
    for (const [id, element] of this.items) {
      const box = layout.nodes.get(id);
      if (box && element.classList.contains('node')) element.setAttribute('transform', `translate(${box.cx} ${box.cy})`);
    }
    for (const parts of this.edgeParts.values()) {
      const from = layout.nodes.get(parts.edge.source);
      const to = layout.nodes.get(parts.edge.target);
      if (!from || !to) continue;
      const shape = edgeShape(parts.edge, from, to, layout.bends.get(parts.edge.id) ?? [], parts.width);
      parts.line.setAttribute('d', shape.d);
      parts.arrow.setAttribute('d', shape.arrow);
      parts.hit.setAttribute('d', shape.d);
      parts.label?.setAttribute('x', shape.mid.x.toFixed(1));
      parts.label?.setAttribute('y', (shape.mid.y - 4).toFixed(1));
    }
    const box = anchor && layout.nodes.get(anchor.id);
    if (anchor && box) this.setView({ x: anchor.screen.x - box.cx * this.view.scale, y: anchor.screen.y - box.cy * this.view.scale, scale: this.view.scale });
  }

  /** Counts the user's pans, zooms and clicks: compared across a relayout, it says whether they moved. */
  get interactionCount(): number {
    return this.interactions;
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

  /** Shows `view` at once, painted at its scale. */
  setView(view: View): void {
    this.view = normalised(view);
    this.commit();
    this.events.onViewChange(this.currentView);
  }

  /**
   * Shows `view` by moving the painted layer (the compositor's work, no repaint: scaled up it is blurred until
   * committed). `commitAfterMs`: when to paint it sharp, if no other move comes first; `undefined`: the caller
   * commits (a drag, at its end).
   */
  private moveLayer(view: View, commitAfterMs: number | undefined): void {
    this.view = normalised(view);
    const k = this.view.scale / this.committed.scale;
    const x = this.view.x - k * this.committed.x;
    const y = this.view.y - k * this.committed.y;
    this.svg.style.transform = `translate(${x}px, ${y}px) scale(${k})`;
    clearTimeout(this.commitTimer);
    if (commitAfterMs !== undefined) this.commitTimer = setTimeout(() => this.commit(), commitAfterMs);
    this.events.onViewChange(this.currentView);
  }

  /** Draws the view with the SVG's own transform and puts the layer back in place: one paint. */
  private commit(): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.committed = { ...this.view };
    this.viewport.setAttribute('transform', `translate(${this.view.x} ${this.view.y}) scale(${this.view.scale})`);
    this.svg.style.transform = '';
    this.svg.classList.toggle('far', this.view.scale < FAR_SCALE);
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
    this.interactions++;
    const rect = this.element.getBoundingClientRect();
    const p = at ?? { x: rect.width / 2, y: rect.height / 2 };
    const scale = clamp(this.view.scale * factor, MIN_SCALE, MAX_SCALE);
    const k = scale / this.view.scale;
    this.moveLayer({ x: p.x - (p.x - this.view.x) * k, y: p.y - (p.y - this.view.y) * k, scale }, COMMIT_AFTER_MS);
  }

  /** The node to keep in place across a relayout, and where it is on screen now. */
  private anchor(): { id: string; screen: Point } | undefined {
    if (!this.layout) return undefined;
    const toScreen = (box: NodeBox): Point => ({ x: box.cx * this.view.scale + this.view.x, y: box.cy * this.view.scale + this.view.y });
    const selected = this.selection?.kind === 'edge' ? this.edgeParts.get(this.selection.id)?.edge.source : this.selection?.id;
    const box = selected === undefined ? undefined : this.layout.nodes.get(selected);
    if (selected !== undefined && box) return { id: selected, screen: toScreen(box) };
    const { width, height } = this.element.getBoundingClientRect();
    let best: { id: string; screen: Point } | undefined;
    let bestDistance = Infinity;
    for (const [id, b] of this.layout.nodes) {
      const screen = toScreen(b);
      const distance = Math.hypot(screen.x - width / 2, screen.y - height / 2);
      if (distance < bestDistance) [best, bestDistance] = [{ id, screen }, distance];
    }
    return best;
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
    const choose = () => {
      this.interactions++;
      this.events.onSelect({ kind: 'node', id: node.id });
    };
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
    const width = 1 + Math.min(3, Math.log10(1 + edge.stats.requests));
    const { d, arrow: arrowPath, mid } = edgeShape(edge, from, to, bends, width);
    const line = svgEl('path', { class: 'edge-line', d, 'stroke-width': width.toFixed(2) });
    const arrow = svgEl('path', { class: 'edge-arrow', d: arrowPath });
    const hit = svgEl('path', { class: 'edge-hit', d });
    g.append(line, arrow, hit);
    let text: SVGTextElement | undefined;
    if (label && edge.source !== edge.target) {
      text = svgEl('text', { class: 'edge-label', x: mid.x.toFixed(1), y: (mid.y - 4).toFixed(1), 'text-anchor': 'middle' },
        `${formatMs(edge.stats.averageMs)} · ${formatPerMinute(edge.stats.perMinute)}`);
      g.append(text);
    }
    this.edgeParts.set(edge.id, { edge, width, line, arrow, hit, label: text });
    g.addEventListener('click', (e) => {
      e.stopPropagation();
      this.interactions++;
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
      if (!drag.moved) this.interactions++;
      drag.moved = true;
      this.svg.classList.add('panning');
      this.moveLayer({ ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy }, undefined);
    });
    const end = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.pointer) return;
      const wasDrag = drag.moved;
      drag = undefined;
      suppressClick = wasDrag;
      this.svg.classList.remove('panning');
      if (wasDrag) this.commit();
      // A click on the background (nodes and edges stop their clicks) clears the selection.
      if (!wasDrag && e.type === 'pointerup' && (e.target === this.svg || e.target === this.element)) this.events.onSelect(undefined);
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

/** `view` with its scale within bounds and no NaN (a saved view may be anything). */
function normalised(view: View): View {
  const scale = clamp(view.scale, MIN_SCALE, MAX_SCALE);
  return { x: Number.isFinite(view.x) ? view.x : 0, y: Number.isFinite(view.y) ? view.y : 0, scale: Number.isFinite(scale) ? scale : 1 };
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

/**
 * The edge's path, its arrowhead (a filled triangle of its own: with an SVG marker, which Chromium paints for
 * each use on every frame, a pan of 1,000 edges dropped every other frame; bench/README.md, Service map), and
 * the point halfway along it (for its label). `width`: the line's stroke width, which sizes the arrowhead.
 */
function edgeShape(edge: MapEdge, from: NodeBox, to: NodeBox, bends: Point[], width: number): { d: string; arrow: string; mid: Point } {
  const length = 4 + 2.5 * width;
  if (edge.source === edge.target) {
    const loop = selfLoop(from);
    return { d: loop.d, arrow: arrowHead(loop.end, loop.towards, length), mid: { x: from.cx, y: from.cy } };
  }
  const centreTo = { x: to.cx, y: to.cy };
  const start = towards(from, bends[0] ?? centreTo, from.r);
  const tip = towards(to, bends[bends.length - 1] ?? { x: from.cx, y: from.cy }, to.r + 1);
  const before = bends[bends.length - 1] ?? start;
  // The line stops inside the arrowhead, so its square end never shows past the tip.
  const end = along(tip, before, Math.min(length * 0.7, Math.hypot(tip.x - before.x, tip.y - before.y)));
  const d = [start, ...bends, end].map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
  return { d, arrow: arrowHead(tip, before, length), mid: midpoint([{ x: from.cx, y: from.cy }, ...bends, centreTo]) };
}

/** The point `distance` from `from` towards `to`. */
function along(from: Point, to: Point, distance: number): Point {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) / len) * distance, y: from.y + ((to.y - from.y) / len) * distance };
}

/** A triangle with its tip at `tip`, pointing away from `from`, `length` long and 0.9 × `length` wide. */
function arrowHead(tip: Point, from: Point, length: number): string {
  const dx = tip.x - from.x;
  const dy = tip.y - from.y;
  const len = Math.hypot(dx, dy) || 1;
  const [ux, uy] = [dx / len, dy / len];
  const half = length * 0.45;
  const bx = tip.x - ux * length;
  const by = tip.y - uy * length;
  const f = (x: number, y: number) => `${x.toFixed(1)} ${y.toFixed(1)}`;
  return `M ${f(tip.x, tip.y)} L ${f(bx - uy * half, by + ux * half)} L ${f(bx + uy * half, by - ux * half)} Z`;
}

/** A service calling itself: a loop over the top of its circle. */
function selfLoop(box: NodeBox): { d: string; end: Point; towards: Point } {
  const { cx, cy, r } = box;
  const a = { x: cx - r * 0.5, y: cy - r * 0.87 };
  const b = { x: cx + r * 0.5, y: cy - r * 0.87 };
  const control = { x: cx + r * 1.6, y: cy - r * 2.6 };
  return { d: `M ${a.x} ${a.y} C ${cx - r * 1.6} ${cy - r * 2.6} ${control.x} ${control.y} ${b.x} ${b.y}`, end: b, towards: control };
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
