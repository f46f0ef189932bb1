// The service map webview: says `ready`, then draws each `state` the host sends (SVG map, side panel for the
// selection). Keeps its selection and pan/zoom across reloads (vscode.setState). Layout: ELK in a worker
// (layout.ts). A small map waits for it; a large one is drawn at once from a cheap layered placement
// (layeredPlacement.ts) and moved in place to ELK's layout when it arrives. If the user has panned, zoomed or
// clicked by then, the view keeps its scale and the node they were looking at; otherwise it fits the new
// layout. A refresh that only changes counts keeps the layout (`topologyKey`).
// The page reports what it did in data- attributes of <body> (bench/ and test/ui/ read them): render-state
// (empty | ready), layout (quick | elk: what is drawn), layout-engine (worker | main-thread), paint-ms and
// final-ms (state → first paint, → ELK's layout painted), layout-ms (state → ELK's answer).
import type {
  MapSelection,
  ServiceMap,
  ServiceMapHostToWebview,
  ServiceMapPersisted,
  ServiceMapState,
  ServiceMapWebviewToHost,
} from '../../src/protocol/serviceMapMessages';
import { el } from '../shared/dom';
import { button, progressRing, textField } from '../shared/toolkit';
import { connectToHost } from '../shared/vscodeApi';
import { visibleText } from '../shared/visibleText';
import { isLargeGraph } from './elkOptions';
import { layoutEngine, layoutWithElk } from './layout';
import { placeLayered } from './layeredPlacement';
import { nodeRadii, topologyKey, type MapLayout } from './mapGeometry';
import { MapView, type View } from './mapView';
import { renderSidePanel } from './sidePanel';
import './serviceMap.css';

const host = connectToHost<ServiceMapWebviewToHost, ServiceMapHostToWebview, ServiceMapPersisted>();
let persisted: ServiceMapPersisted = host.persisted() ?? {};
const save = (patch: Partial<ServiceMapPersisted>) => {
  persisted = { ...persisted, ...patch };
  host.setPersisted(persisted);
};

let current: { map: ServiceMap; layout: MapLayout; key: string } | undefined;
let generation = 0;
/** The view saved before a reload: it belongs to ELK's layout of the map, so it waits for that. */
let restoreView: View | undefined = persisted.view;
/** How long a small map's first paint waits for ELK before it draws the cheap placement instead. */
const SMALL_MAP_WAIT_MS = 1000;
/** Pan and zoom change the view on every frame; the saved copy needs it once they pause. */
const SAVE_VIEW_AFTER_MS = 250;
let saveViewTimer: ReturnType<typeof setTimeout> | undefined;

const view = new MapView({
  onSelect: (selection) => select(selection),
  onViewChange: (v) => {
    clearTimeout(saveViewTimer);
    saveViewTimer = setTimeout(() => save({ view: v }), SAVE_VIEW_AFTER_MS);
  },
});
void layoutEngine().then((engine) => (document.body.dataset.layoutEngine = engine), () => undefined);
const busy = progressRing({ ariaLabel: 'Loading the service graph', class: 'busy hidden' });
const status = el('span', { class: 'status', role: 'status' });
const find = textField({
  ariaLabel: 'Find a node by name', placeholder: 'Find node', class: 'find',
  onInput: (text) => highlight(text),
});
const banner = el('div', { class: 'banner hidden', role: 'alert' });
const placeholder = el('div', { class: 'placeholder' }, 'Loading the service map…');
const mapContainer = el('div', { class: 'map-container' });
const side = el('aside', { class: 'side-panel empty', ariaLabel: 'Selection details' });
mapContainer.append(view.element, placeholder);

const toolbar = el('div', { class: 'toolbar', role: 'toolbar' });
const content = el('div', { class: 'content' });
document.body.append(toolbar, banner, content);
toolbar.append(
  button('Fit', { title: 'Fit the map to the view', onClick: () => view.fit() }),
  button('+', { appearance: 'secondary', title: 'Zoom in', onClick: () => view.zoomBy(1.25) }),
  button('−', { appearance: 'secondary', title: 'Zoom out', onClick: () => view.zoomBy(0.8) }),
  button('Refresh', { appearance: 'secondary', title: 'Fetch the service graph again', onClick: () => host.post({ type: 'refresh' }) }),
  find,
  busy,
  status,
  legend(),
);
content.append(mapContainer, side);

host.onMessage((message) => {
  switch (message.type) {
    case 'state':
      void showState(message.state);
      break;
    case 'busy':
      busy.classList.toggle('hidden', !message.busy);
      break;
    case 'error':
      showBanner(message.message);
      break;
  }
});
window.addEventListener('error', (e) => host.post({ type: 'webviewFailure', message: String(e.message) }));
window.addEventListener('unhandledrejection', (e) => host.post({ type: 'webviewFailure', message: String(e.reason) }));
host.post({ type: 'ready' });

async function showState(state: ServiceMapState): Promise<void> {
  const mine = ++generation;
  showBanner(state.map && state.message ? state.message : undefined);
  if (!state.map || state.map.nodes.length === 0) {
    current = undefined;
    view.element.classList.add('hidden');
    placeholder.classList.remove('hidden');
    placeholder.textContent = state.message ?? (state.map ? 'No services in the time window yet.' : 'Loading the service map…');
    status.textContent = state.sourceLabel ? visibleText(state.sourceLabel) : '';
    renderSidePanel(side, { startTime: 0, endTime: 0, nodes: [], edges: [] }, undefined, filter);
    document.body.dataset.renderState = 'empty';
    return;
  }
  const map = state.map;
  const key = topologyKey(map);
  const started = performance.now();
  if (current?.key === key) {
    draw(state, key, current.layout, started); // counts only; an ELK layout still on its way moves it later
    return;
  }
  const radius = nodeRadii(map);
  const elk = layoutWithElk(map, radius).then((layout) => {
    if (layout) document.body.dataset.layoutMs = (performance.now() - started).toFixed(1);
    return layout;
  });
  let layout = isLargeGraph(map.nodes.length, map.edges.length) ? undefined : await withDeadline(elk, SMALL_MAP_WAIT_MS);
  if (mine !== generation) return; // a newer state arrived during the layout
  const final = layout !== undefined;
  layout ??= placeLayered(map.nodes.map((n) => ({ id: n.id, r: radius.get(n.id) as number })), map.edges);
  const firstDraw = !current;
  draw(state, key, layout, started);
  document.body.dataset.layout = final ? 'elk' : 'quick';
  if (final) {
    if (firstDraw && restoreView) view.setView(restoreView);
    else view.fit();
    restoreView = undefined;
    markFinal(started);
    return;
  }
  view.fit();
  if (!firstDraw) restoreView = undefined; // a later map than the one the saved view was for
  const interactions = view.interactionCount;
  elk.then((elkLayout) => {
    if (!elkLayout || current?.key !== key) return; // superseded by another map
    current.layout = elkLayout;
    const moved = view.interactionCount > interactions;
    view.move(elkLayout, moved);
    if (!moved) {
      if (restoreView) view.setView(restoreView);
      else view.fit();
    }
    restoreView = undefined;
    document.body.dataset.layout = 'elk';
    markFinal(started);
  }).catch((err: unknown) => {
    // The cheap placement stays: the map is usable, only its edges are not routed.
    host.post({ type: 'webviewFailure', message: `service map layout: ${err instanceof Error ? err.message : String(err)}` });
  });
}

/** Draws `state.map` (whose topologyKey is `key`) at `layout` with the toolbar's status and the side panel. */
function draw(state: ServiceMapState, key: string, layout: MapLayout, started: number): void {
  const map = state.map as ServiceMap;
  current = { map, layout, key };
  placeholder.classList.add('hidden');
  view.element.classList.remove('hidden');
  const selection = persisted.selection;
  view.render(map, layout, selection);
  renderSidePanel(side, map, selection, filter);
  highlight(find.value);
  const since = new Date(map.startTime * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  status.textContent = `${state.sourceLabel ? `${visibleText(state.sourceLabel)} · ` : ''}${map.nodes.length} nodes · ${map.edges.length} edges · since ${since}`;
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
  document.body.dataset.renderState = 'ready';
  afterPaint(() => (document.body.dataset.paintMs = (performance.now() - started).toFixed(1)));
}

/** Records when ELK's layout was on screen (`final-ms`). */
function markFinal(started: number): void {
  afterPaint(() => (document.body.dataset.finalMs = (performance.now() - started).toFixed(1)));
}

/** Runs `then` once the frame with the DOM as it is now has been drawn. */
function afterPaint(then: () => void): void {
  requestAnimationFrame(() => setTimeout(then, 0));
}

/** `promise`'s value if it settles within `ms`, else (or if it fails) `undefined`. */
function withDeadline<T>(promise: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(resolve, () => resolve(undefined)).finally(() => clearTimeout(timer));
  });
}

function select(selection: MapSelection | undefined): void {
  save({ selection });
  view.select(selection);
  if (current) renderSidePanel(side, current.map, selection, filter);
}

function filter(selection: MapSelection): void {
  host.post({ type: 'filterTraces', selection });
}

/** Dims the nodes whose name does not contain `text` (case-insensitive). */
function highlight(text: string): void {
  const needle = text.trim().toLowerCase();
  if (!current) return;
  view.dim(new Set(needle === '' ? [] : current.map.nodes.filter((n) => !n.name.toLowerCase().includes(needle)).map((n) => n.id)));
}

function showBanner(message: string | undefined): void {
  banner.textContent = message ?? '';
  banner.classList.toggle('hidden', !message);
}

function legend(): HTMLElement {
  const box = el('div', { class: 'legend', ariaLabel: 'Legend' });
  for (const [health, label] of [['ok', 'OK'], ['error', '4xx'], ['throttle', '429'], ['fault', '5xx']] as const) {
    const item = el('span', { class: 'legend-item' });
    item.append(el('span', { class: `swatch health-${health}` }), el('span', {}, label));
    box.append(item);
  }
  return box;
}
