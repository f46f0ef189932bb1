// The trace timeline webview: a virtualised waterfall (only the rows in view are in the DOM, recycled as
// the list scrolls), a time axis, collapsible rows (mouse and keyboard), a search over names and
// annotations, the critical path drawn over the bars, and a details area for the selected row.
// Every string from trace data goes in through textContent; sizes and positions through the CSSOM.
import type { TimelineDetailSection, TimelineModel, TimelineRow } from '../../src/xray/timelineModel';
import type { TimelineHostToWebview, TimelinePersisted, TimelineState, TimelineWebviewToHost } from '../../src/protocol/timelineMessages';
import { el, replaceChildren } from '../shared/dom';
import { connectToHost } from '../shared/vscodeApi';
import { button, progressRing, textField, toolbar } from '../shared/toolkit';
import './timeline.css';

const ROW_HEIGHT = 22;
const OVERSCAN = 8;
const SERVICE_COLOURS = 12;
const MAX_INDENT_DEPTH = 32;
const INDENT_PX = 12;

const host = connectToHost<TimelineWebviewToHost, TimelineHostToWebview, TimelinePersisted>();

// ---- state --------------------------------------------------------------------------------------------

let model: TimelineModel | undefined;
let traceId = host.persisted()?.traceId ?? '';
/** Rows whose children are hidden. */
let collapsed = new Set<number>();
/** Row indices currently shown (not inside a collapsed row), in order. */
let visible: number[] = [];
/** Position of each row in `visible`, -1 when hidden. */
let position = new Int32Array(0);
let selected = -1;
let matches: number[] = [];
let matchSet = new Set<number>();
let currentMatch = -1;
let query = '';
/** Critical sections of each row (milliseconds from the trace's start). */
let critical = new Map<number, [number, number][]>();
const details = new Map<number, TimelineDetailSection[]>();

// ---- page -----------------------------------------------------------------------------------------------

const summary = el('span', { class: 'tl-summary' });
const matchCount = el('span', { class: 'tl-match-count', attrs: { 'aria-live': 'polite' } });
const search = textField({
  placeholder: 'Search names, annotations, metadata',
  ariaLabel: 'Search the timeline',
  class: 'tl-search',
  onInput: (value) => scheduleSearch(value),
});
search.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    stepMatch(event.shiftKey ? -1 : 1);
  } else if (event.key === 'Escape') {
    search.value = '';
    runSearch('');
  }
});
const busy = progressRing({ ariaLabel: 'Loading the trace', class: 'tl-busy' });
busy.hidden = true;
const legend = el('div', { class: 'tl-legend', ariaLabel: 'Services' });
const header = el('div', { class: 'tl-header' });
header.append(
  toolbar(
    search,
    button('Previous', { appearance: 'secondary', title: 'Previous match (Shift+Enter)', class: 'tl-prev', onClick: () => stepMatch(-1) }),
    button('Next', { appearance: 'secondary', title: 'Next match (Enter)', class: 'tl-next', onClick: () => stepMatch(1) }),
    matchCount,
    button('Collapse All', { appearance: 'secondary', class: 'tl-collapse-all', onClick: () => setAllCollapsed(true) }),
    button('Expand All', { appearance: 'secondary', class: 'tl-expand-all', onClick: () => setAllCollapsed(false) }),
    button('Refresh', { appearance: 'secondary', title: 'Fetch the trace again', class: 'tl-refresh', onClick: () => host.post({ type: 'refresh' }) }),
    busy,
  ),
  summary,
  legend,
);
const message = el('div', { class: 'tl-message', role: 'status' });

const axisTicks = el('div', { class: 'tl-axis-ticks' });
const axis = el('div', { class: 'tl-axis' });
axis.append(el('div', { class: 'tl-axis-title' }, 'Span'), axisTicks);

const sizer = el('div', { class: 'tl-sizer' });
const scroller = el('div', { class: 'tl-scroller', role: 'tree', ariaLabel: 'Trace timeline', attrs: { tabindex: 0 } });
scroller.append(sizer);
const waterfall = el('div', { class: 'tl-waterfall' });
waterfall.append(axis, scroller);
const detailsPane = el('div', { class: 'tl-details', role: 'region', ariaLabel: 'Details of the selected span' });
const main = el('div', { class: 'tl-main' });
main.append(waterfall, detailsPane);
document.body.append(header, message, main);
replaceChildren(detailsPane, el('div', { class: 'tl-placeholder' }, 'Select a span to see its details.'));

// ---- rendering: a pool of row elements, recycled -------------------------------------------------------

interface RowView {
  root: HTMLElement;
  label: HTMLElement;
  twisty: HTMLElement;
  name: HTMLElement;
  note: HTMLElement;
  markers: HTMLElement;
  track: HTMLElement;
  bar: HTMLElement;
  duration: HTMLElement;
  crit: HTMLElement[];
  /** The row it shows now, -1 when unused. */
  row: number;
  /** What it showed last: re-rendered only when one of these changes. */
  key: string;
}

const pool: RowView[] = [];

function makeRowView(): RowView {
  const root = el('div', { class: 'tl-row', role: 'treeitem' });
  const label = el('div', { class: 'tl-label' });
  const twisty = el('span', { class: 'tl-twisty', attrs: { 'aria-hidden': 'true' } });
  const name = el('span', { class: 'tl-name' });
  const note = el('span', { class: 'tl-note' });
  const markers = el('span', { class: 'tl-markers' });
  label.append(twisty, name, note, markers);
  const track = el('div', { class: 'tl-track' });
  const bar = el('div', { class: 'tl-bar' });
  const duration = el('span', { class: 'tl-duration' });
  track.append(bar, duration);
  root.append(label, track);
  sizer.append(root);
  const view: RowView = { root, label, twisty, name, note, markers, track, bar, duration, crit: [], row: -1, key: '' };
  return view;
}

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render(): void {
  if (!model) {
    for (const view of pool) view.root.hidden = true;
    return;
  }
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_HEIGHT) + OVERSCAN);
  const count = Math.max(0, last - first);
  while (pool.length < count) pool.push(makeRowView());
  // Keep views that still show a row in range where they are; hand the others the rows that lack one.
  const shown = new Map<number, RowView>();
  const free: RowView[] = [];
  for (const view of pool) {
    const at = view.row >= 0 ? position[view.row] : -1;
    if (at >= first && at < last && !shown.has(view.row)) shown.set(view.row, view);
    else free.push(view);
  }
  for (let p = first; p < last; p++) {
    const row = visible[p];
    const view = shown.get(row) ?? (free.pop() as RowView);
    paintRow(view, row, p);
  }
  for (const view of free) {
    view.root.hidden = true;
    view.row = -1;
    view.key = '';
  }
  const active = selected >= 0 ? pool.find((v) => v.row === selected) : undefined;
  if (active) scroller.setAttribute('aria-activedescendant', active.root.id);
  else scroller.removeAttribute('aria-activedescendant');
}

function paintRow(view: RowView, index: number, at: number): void {
  const m = model as TimelineModel;
  const row = m.rows[index];
  const isCollapsed = collapsed.has(index);
  const classes = ['tl-row'];
  if (row.critical) classes.push('critical');
  if (index === selected) classes.push('selected');
  if (matchSet.has(index)) classes.push(index === matches[currentMatch] ? 'current-match' : 'match');
  const className = classes.join(' ');
  const key = `${index}|${isCollapsed}`;
  view.root.hidden = false;
  view.root.style.transform = `translateY(${at * ROW_HEIGHT}px)`;
  if (view.root.className !== className) view.root.className = className;
  view.row = index;
  if (view.key === key) return;
  view.key = key;
  view.root.id = `tl-row-${index}`;
  view.root.dataset.row = String(index);
  view.root.setAttribute('aria-level', String(row.depth + 1));
  view.root.setAttribute('aria-label', rowLabel(m, row));
  if (row.childCount > 0) view.root.setAttribute('aria-expanded', String(!isCollapsed));
  else view.root.removeAttribute('aria-expanded');
  view.label.style.paddingLeft = `${Math.min(row.depth, MAX_INDENT_DEPTH) * INDENT_PX + 4}px`;
  view.twisty.textContent = row.childCount > 0 ? (isCollapsed ? '▸' : '▾') : '';
  view.name.textContent = row.name;
  view.name.title = row.name;
  view.note.textContent = row.note;
  const markers: HTMLElement[] = [];
  if (row.outcome !== 'ok') markers.push(el('span', { class: `tl-marker ${row.outcome}`, title: outcomeTitle(row) }, row.outcome));
  if (row.inProgress) markers.push(el('span', { class: 'tl-marker progress', title: 'in progress: not closed yet' }, 'in progress'));
  if (row.source) markers.push(el('span', { class: 'tl-marker source', title: 'maps to code: Go to source in the details' }, '{ }'));
  view.markers.replaceChildren(...markers);

  const total = m.durationMs > 0 ? m.durationMs : 1;
  const left = (row.start / total) * 100;
  const width = ((row.end - row.start) / total) * 100;
  view.bar.className = `tl-bar svc-${row.service % SERVICE_COLOURS}${row.inProgress ? ' in-progress' : ''}${row.outcome !== 'ok' ? ` ${row.outcome}` : ''}`;
  view.bar.style.left = `${left}%`;
  view.bar.style.width = `${width}%`;
  view.bar.title = `${m.services[row.service] ?? ''} · ${formatMs(row.end - row.start)}`;
  view.duration.textContent = row.inProgress ? `${formatMs(row.end - row.start)}+` : formatMs(row.end - row.start);
  // The duration sits right of the bar, else left of it, else (a bar across the whole axis) inside it.
  view.duration.classList.toggle('inside', false);
  if (left + width <= 85) {
    view.duration.style.right = '';
    view.duration.style.left = `calc(${left + width}% + 4px)`;
  } else if (left >= 12) {
    view.duration.style.left = '';
    view.duration.style.right = `calc(${100 - left}% + 4px)`;
  } else {
    view.duration.classList.toggle('inside', true);
    view.duration.style.right = '';
    view.duration.style.left = `calc(${left}% + 4px)`;
  }
  const sections = critical.get(index) ?? [];
  while (view.crit.length < sections.length) {
    const line = el('div', { class: 'tl-crit', title: 'critical path' });
    view.track.append(line);
    view.crit.push(line);
  }
  view.crit.forEach((line, i) => {
    const section = sections[i];
    line.hidden = !section;
    if (section) {
      line.style.left = `${(section[0] / total) * 100}%`;
      line.style.width = `${((section[1] - section[0]) / total) * 100}%`;
    }
  });
}

function rowLabel(m: TimelineModel, row: TimelineRow): string {
  const parts = [row.name, m.services[row.service] ?? '', formatMs(row.end - row.start)];
  if (row.outcome !== 'ok') parts.push(row.outcome);
  if (row.critical) parts.push('on the critical path');
  return parts.join(', ');
}

function outcomeTitle(row: TimelineRow): string {
  if (row.outcome === 'fault') return 'fault (5xx or an exception)';
  if (row.outcome === 'throttle') return 'throttled (429)';
  return 'error (4xx)';
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function renderAxis(): void {
  const m = model;
  if (!m) {
    axisTicks.replaceChildren();
    return;
  }
  const total = m.durationMs > 0 ? m.durationMs : 1;
  // A "nice" step (1, 2 or 5 × 10^k) that gives about six ticks.
  const rough = total / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => total / s <= 7) ?? power * 10;
  const ticks: HTMLElement[] = [];
  for (let t = 0; t <= total + 1e-9 && ticks.length < 20; t += step) {
    const tick = el('span', { class: 'tl-tick' }, formatMs(t));
    tick.style.left = `${(t / total) * 100}%`;
    ticks.push(tick);
  }
  axisTicks.replaceChildren(...ticks);
}

// ---- visibility, collapse, selection ---------------------------------------------------------------------

function computeVisible(): void {
  const m = model;
  visible = [];
  if (!m) return;
  position = new Int32Array(m.rows.length).fill(-1);
  // Pre-order: a collapsed row hides everything deeper that follows it, up to the next row at its depth or above.
  let hideDeeperThan = Number.POSITIVE_INFINITY;
  for (let i = 0; i < m.rows.length; i++) {
    const depth = m.rows[i].depth;
    if (depth > hideDeeperThan) continue;
    hideDeeperThan = collapsed.has(i) ? depth : Number.POSITIVE_INFINITY;
    position[i] = visible.length;
    visible.push(i);
  }
  sizer.style.height = `${visible.length * ROW_HEIGHT}px`;
}

function relayout(): void {
  computeVisible();
  for (const view of pool) view.key = '';
  scheduleRender();
  persist();
}

function toggle(index: number, collapse?: boolean): void {
  const m = model;
  if (!m || m.rows[index].childCount === 0) return;
  const want = collapse ?? !collapsed.has(index);
  if (want === collapsed.has(index)) return;
  if (want) collapsed.add(index);
  else collapsed.delete(index);
  relayout();
}

function setAllCollapsed(collapse: boolean): void {
  const m = model;
  if (!m) return;
  collapsed = new Set();
  // Collapse all: every root's children stay in view (one level), the rest folds.
  if (collapse) {
    m.rows.forEach((row, i) => {
      if (row.childCount > 0 && row.depth >= 1) collapsed.add(i);
    });
  }
  if (selected >= 0 && position.length && !isShown(selected)) selected = -1;
  relayout();
}

function isShown(index: number): boolean {
  const m = model as TimelineModel;
  for (let p = m.rows[index].parent; p >= 0; p = m.rows[p].parent) if (collapsed.has(p)) return false;
  return true;
}

/** Expands every collapsed ancestor of a row, so it can be shown. */
function reveal(index: number): void {
  const m = model as TimelineModel;
  let changed = false;
  for (let p = m.rows[index].parent; p >= 0; p = m.rows[p].parent) changed = collapsed.delete(p) || changed;
  if (changed) computeVisible();
}

function select(index: number, options: { scroll?: boolean } = {}): void {
  const m = model;
  if (!m || index < 0 || index >= m.rows.length) return;
  reveal(index);
  selected = index;
  if (options.scroll !== false) scrollToRow(index);
  showDetails(index);
  scheduleRender();
  persist();
}

function scrollToRow(index: number): void {
  const at = position[index];
  if (at < 0) return;
  const top = at * ROW_HEIGHT;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight;
}

scroller.addEventListener('scroll', () => scheduleRender(), { passive: true });
new ResizeObserver(() => scheduleRender()).observe(scroller);

scroller.addEventListener('click', (event) => {
  const target = event.target as Element | null;
  const rowElement = target?.closest('.tl-row') as HTMLElement | null;
  if (!rowElement?.dataset.row) return;
  const index = Number(rowElement.dataset.row);
  if (target?.closest('.tl-twisty')) toggle(index);
  else select(index, { scroll: false });
});

scroller.addEventListener('dblclick', (event) => {
  const rowElement = (event.target as Element | null)?.closest('.tl-row') as HTMLElement | null;
  if (rowElement?.dataset.row) toggle(Number(rowElement.dataset.row));
});

scroller.addEventListener('keydown', (event) => {
  const m = model;
  if (!m || visible.length === 0) return;
  const at = selected >= 0 ? position[selected] : -1;
  const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT) - 1);
  const go = (p: number) => select(visible[Math.max(0, Math.min(visible.length - 1, p))]);
  switch (event.key) {
    case 'ArrowDown':
      go(at + 1);
      break;
    case 'ArrowUp':
      go(at < 0 ? 0 : at - 1);
      break;
    case 'PageDown':
      go(at + page);
      break;
    case 'PageUp':
      go(at - page);
      break;
    case 'Home':
      go(0);
      break;
    case 'End':
      go(visible.length - 1);
      break;
    case 'ArrowLeft':
      if (selected < 0) return;
      if (m.rows[selected].childCount > 0 && !collapsed.has(selected)) toggle(selected, true);
      else if (m.rows[selected].parent >= 0) select(m.rows[selected].parent);
      break;
    case 'ArrowRight':
      if (selected < 0) return;
      if (collapsed.has(selected)) toggle(selected, false);
      else if (m.rows[selected].childCount > 0) go(at + 1);
      break;
    case 'Enter':
    case ' ':
      if (selected >= 0) toggle(selected);
      break;
    default:
      return;
  }
  event.preventDefault();
});

// ---- search ---------------------------------------------------------------------------------------------

let searchTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleSearch(value: string): void {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => runSearch(value), 120);
}

function runSearch(value: string): void {
  query = value.trim().toLowerCase();
  matches = [];
  const m = model;
  if (m && query) for (let i = 0; i < m.rows.length; i++) if (m.rows[i].search.includes(query)) matches.push(i);
  matchSet = new Set(matches);
  currentMatch = -1;
  for (const view of pool) view.key = '';
  if (matches.length > 0) stepMatch(1);
  else scheduleRender();
  updateMatchCount();
  persist();
}

function stepMatch(direction: 1 | -1): void {
  if (matches.length === 0) return;
  currentMatch = currentMatch < 0 ? (direction > 0 ? 0 : matches.length - 1) : (currentMatch + direction + matches.length) % matches.length;
  select(matches[currentMatch]);
  updateMatchCount();
}

function updateMatchCount(): void {
  if (!query) matchCount.textContent = '';
  else if (matches.length === 0) matchCount.textContent = 'No matches';
  else matchCount.textContent = `${currentMatch + 1} of ${matches.length}`;
}

// ---- details ----------------------------------------------------------------------------------------------

function showDetails(index: number): void {
  const m = model as TimelineModel;
  const row = m.rows[index];
  const parts: HTMLElement[] = [el('h2', {}, row.name)];
  parts.push(el('div', { class: 'tl-placeholder' }, `${m.services[row.service] ?? ''} · ${formatMs(row.end - row.start)} from +${formatMs(row.start)}${row.critical ? ' · on the critical path' : ''}`));
  if (row.source) {
    const source = el('div', { class: 'tl-source' });
    const where = `${row.source.path}:${row.source.line}`;
    source.append(
      button('Go to Source', { appearance: 'primary', class: 'tl-go-to-source', title: `Open ${where}`, onClick: () => host.post({ type: 'goToSource', row: index }) }),
      el('span', { class: 'tl-source-path' }, where),
    );
    parts.push(source);
  }
  const sections = details.get(index);
  if (sections) {
    for (const section of sections) parts.push(el('h3', {}, section.title), el('pre', {}, section.text));
  } else {
    parts.push(el('div', { class: 'tl-placeholder' }, 'Loading details…'));
    host.post({ type: 'details', row: index });
  }
  replaceChildren(detailsPane, ...parts);
}

// ---- state from the host ------------------------------------------------------------------------------

function applyState(state: TimelineState): void {
  const previous = host.persisted();
  const sameTrace = state.traceId === traceId || previous?.traceId === state.traceId;
  traceId = state.traceId;
  model = state.model;
  details.clear();
  critical = new Map();
  collapsed = new Set();
  selected = -1;
  const notes = [state.message ?? '', ...state.warnings].filter(Boolean);
  message.textContent = notes.join('\n');
  if (!model) {
    summary.textContent = `Trace ${traceId}`;
    legend.replaceChildren();
    computeVisible();
    renderAxis();
    scheduleRender();
    return;
  }
  for (const section of model.critical) {
    const list = critical.get(section.row);
    if (list) list.push([section.start, section.end]);
    else critical.set(section.row, [[section.start, section.end]]);
  }
  const spanCount = `${model.rows.length} span${model.rows.length === 1 ? '' : 's'}`;
  summary.textContent = `Trace ${traceId} · ${formatMs(model.durationMs)} · ${spanCount} · ${model.services.length} service${model.services.length === 1 ? '' : 's'}${state.sourceLabel ? ` · ${state.sourceLabel}` : ''}`;
  legend.replaceChildren(
    ...model.services.slice(0, 24).map((name, i) => {
      const item = el('span', { class: 'tl-legend-item', title: name });
      item.append(el('span', { class: `tl-swatch svc-${i % SERVICE_COLOURS}` }), el('span', {}, name));
      return item;
    }),
  );
  if (model.services.length > 24) legend.append(el('span', { class: 'tl-legend-item' }, `+${model.services.length - 24} more`));

  // What the user had before a reload (or a refresh) comes back if the rows still exist.
  if (sameTrace && previous) {
    const ids = new Map(model.rows.map((r, i) => [r.id, i]));
    for (const id of previous.collapsed ?? []) {
      const i = ids.get(id);
      if (i !== undefined) collapsed.add(i);
    }
    if (previous.search) search.value = previous.search;
    computeVisible();
    renderAxis();
    if (previous.search) runSearch(previous.search);
    const chosen = previous.selected !== undefined ? ids.get(previous.selected) : undefined;
    if (chosen !== undefined) select(chosen);
  } else {
    computeVisible();
    renderAxis();
    if (search.value) runSearch(search.value);
  }
  for (const view of pool) view.key = '';
  scheduleRender();
  persist();
}

function persist(): void {
  const m = model;
  const state: TimelinePersisted = { traceId };
  if (m) {
    if (collapsed.size) state.collapsed = [...collapsed].map((i) => m.rows[i].id);
    if (selected >= 0) state.selected = m.rows[selected].id;
  }
  if (query) state.search = query;
  host.setPersisted(state);
}

host.onMessage((msg) => {
  switch (msg.type) {
    case 'state':
      applyState(msg.state);
      break;
    case 'details':
      details.set(msg.row, msg.sections);
      if (msg.row === selected) showDetails(msg.row);
      break;
    case 'busy':
      busy.hidden = !msg.busy;
      break;
    case 'error':
      message.textContent = msg.message;
      break;
  }
});

host.post({ type: 'ready' });
