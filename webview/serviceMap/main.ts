// The service map webview: says `ready`, then draws each `state` the host sends (layout by ELK, SVG map,
// side panel for the selection). Keeps its selection and pan/zoom across reloads (vscode.setState).
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
import { layoutServiceMap, topologyKey, type MapLayout } from './layout';
import { MapView } from './mapView';
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

const view = new MapView({
  onSelect: (selection) => select(selection),
  onViewChange: (v) => save({ view: v }),
});
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
  let layout = current?.key === key ? current.layout : undefined;
  if (!layout) {
    layout = await layoutServiceMap(map);
    if (mine !== generation) return; // a newer state arrived during the layout
    document.body.dataset.layoutMs = (performance.now() - started).toFixed(1);
  }
  const firstDraw = !current;
  const relaid = current?.key !== key;
  current = { map, layout, key };
  placeholder.classList.add('hidden');
  view.element.classList.remove('hidden');
  const selection = persisted.selection;
  view.render(map, layout, selection);
  renderSidePanel(side, map, selection, filter);
  highlight(find.value);
  if (firstDraw && persisted.view) view.setView(persisted.view);
  else if (relaid) view.fit();
  const since = new Date(map.startTime * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  status.textContent = `${state.sourceLabel ? `${visibleText(state.sourceLabel)} · ` : ''}${map.nodes.length} nodes · ${map.edges.length} edges · since ${since}`;
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
  document.body.dataset.renderState = 'ready';
  // First paint: the frame after this one has been drawn.
  requestAnimationFrame(() => setTimeout(() => (document.body.dataset.paintMs = (performance.now() - started).toFixed(1)), 0));
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
