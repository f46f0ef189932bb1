// The trace timeline webview: a virtualised waterfall (only the rows in view are in the DOM, recycled as
// the list scrolls), a time axis, collapsible rows (mouse and keyboard), a search over names and
// annotations, the critical path drawn over the bars, and a details area for the selected row.
// Every string from trace data goes in through textContent; sizes and positions through the CSSOM.
// The model arrives as columns (typed arrays and one string table, src/xray/timelineModel.ts): a row is read
// out of them only when it is painted, so a 50,000-span trace costs what its ~50 visible rows cost.
import type { TimelineCodes, TimelineDetailSection, TimelineModel } from '../../src/xray/timelineModel';
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

// The numbers of the code columns, written out again here (the webview imports types only); the type makes
// the compiler check them against the host's.
const CODES: TimelineCodes = {
  kind: { segment: 0, subsegment: 1, remote: 2, aws: 3 },
  outcome: { ok: 0, error: 1, fault: 2, throttle: 3 },
  flag: { inProgress: 1, critical: 2, source: 4 },
};
type OutcomeName = keyof TimelineCodes['outcome'];
const OUTCOMES: OutcomeName[] = [];
for (const [name, code] of Object.entries(CODES.outcome)) OUTCOMES[code] = name as OutcomeName;

// ---- state --------------------------------------------------------------------------------------------

let model: TimelineModel | undefined;
let traceId = host.persisted()?.traceId ?? '';
/** Rows whose children are hidden. */
let collapsed = new Set<number>();
/** Row indices currently shown (not inside a collapsed row), in order: the first `visibleCount` entries. */
let visible = new Int32Array(0);
let visibleCount = 0;
/** Position of each row in `visible`, -1 when hidden. */
let position = new Int32Array(0);
let selected = -1;
/** Rows the search matched (from the host), in row order; isMatch marks them by row. */
let matches: Int32Array = new Int32Array(0);
let isMatch = new Uint8Array(0);
let currentMatch = -1;
let query = '';
/** The query the host is searching for, while its answer has not come; and whether to select the first match then. */
let pendingQuery: string | undefined;
let jumpToMatch = true;
/** Critical sections of each row (milliseconds from the trace's start). */
let critical = new Map<number, [number, number][]>();
const details = new Map<number, TimelineDetailSection[]>();

/** String k of the model's string table ('' for -1, absent). */
function str(m: TimelineModel, k: number): string {
  return k < 0 ? '' : m.strings.text.slice(m.strings.offsets[k], m.strings.offsets[k + 1]);
}

const outcomeOf = (m: TimelineModel, row: number): OutcomeName => OUTCOMES[m.rows.outcome[row]] ?? 'ok';
const hasFlag = (m: TimelineModel, row: number, flag: number): boolean => (m.rows.flags[row] & flag) !== 0;

/** Where a row maps to code: its entry in model.sources (rows in order, so a binary search), or undefined. */
function sourceOf(m: TimelineModel, row: number): { path: string; line: number } | undefined {
  if (!hasFlag(m, row, CODES.flag.source)) return undefined;
  const rows = m.sources.row;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] === row) return { path: str(m, m.sources.path[mid]), line: m.sources.line[mid] };
    if (rows[mid] < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

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
  const last = Math.min(visibleCount, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_HEIGHT) + OVERSCAN);
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
  const c = m.rows;
  const isCollapsed = collapsed.has(index);
  const onPath = hasFlag(m, index, CODES.flag.critical);
  const classes = ['tl-row'];
  if (onPath) classes.push('critical');
  if (index === selected) classes.push('selected');
  if (isMatch[index]) classes.push(index === matches[currentMatch] ? 'current-match' : 'match');
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
  const name = str(m, c.name[index]);
  const service = m.services[c.service[index]] ?? '';
  const outcome = outcomeOf(m, index);
  const inProgress = hasFlag(m, index, CODES.flag.inProgress);
  const start = c.start[index];
  const duration = c.end[index] - start;
  const hasChildren = c.childCount[index] > 0;
  view.root.setAttribute('aria-level', String(c.depth[index] + 1));
  view.root.setAttribute('aria-label', rowLabel(name, service, duration, outcome, onPath));
  if (hasChildren) view.root.setAttribute('aria-expanded', String(!isCollapsed));
  else view.root.removeAttribute('aria-expanded');
  view.label.style.paddingLeft = `${Math.min(c.depth[index], MAX_INDENT_DEPTH) * INDENT_PX + 4}px`;
  view.twisty.textContent = hasChildren ? (isCollapsed ? '▸' : '▾') : '';
  view.name.textContent = name;
  view.name.title = name;
  view.note.textContent = str(m, c.note[index]);
  const markers: HTMLElement[] = [];
  if (outcome !== 'ok') markers.push(el('span', { class: `tl-marker ${outcome}`, title: outcomeTitle(outcome) }, outcome));
  if (inProgress) markers.push(el('span', { class: 'tl-marker progress', title: 'in progress: not closed yet' }, 'in progress'));
  if (hasFlag(m, index, CODES.flag.source)) markers.push(el('span', { class: 'tl-marker source', title: 'maps to code: Go to source in the details' }, '{ }'));
  view.markers.replaceChildren(...markers);

  const total = m.durationMs > 0 ? m.durationMs : 1;
  const left = (start / total) * 100;
  const width = (duration / total) * 100;
  view.bar.className = `tl-bar svc-${c.service[index] % SERVICE_COLOURS}${inProgress ? ' in-progress' : ''}${outcome !== 'ok' ? ` ${outcome}` : ''}`;
  view.bar.style.left = `${left}%`;
  view.bar.style.width = `${width}%`;
  view.bar.title = `${service} · ${formatMs(duration)}`;
  view.duration.textContent = inProgress ? `${formatMs(duration)}+` : formatMs(duration);
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

function rowLabel(name: string, service: string, duration: number, outcome: OutcomeName, onPath: boolean): string {
  const parts = [name, service, formatMs(duration)];
  if (outcome !== 'ok') parts.push(outcome);
  if (onPath) parts.push('on the critical path');
  return parts.join(', ');
}

function outcomeTitle(outcome: OutcomeName): string {
  if (outcome === 'fault') return 'fault (5xx or an exception)';
  if (outcome === 'throttle') return 'throttled (429)';
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
  visibleCount = 0;
  if (!m) {
    sizer.style.height = '0px';
    return;
  }
  if (visible.length !== m.rowCount) visible = new Int32Array(m.rowCount);
  if (position.length !== m.rowCount) position = new Int32Array(m.rowCount);
  position.fill(-1);
  const depths = m.rows.depth;
  // Pre-order: a collapsed row hides everything deeper that follows it, up to the next row at its depth or above.
  let hideDeeperThan = Number.POSITIVE_INFINITY;
  for (let i = 0; i < m.rowCount; i++) {
    const depth = depths[i];
    if (depth > hideDeeperThan) continue;
    hideDeeperThan = collapsed.size > 0 && collapsed.has(i) ? depth : Number.POSITIVE_INFINITY;
    position[i] = visibleCount;
    visible[visibleCount++] = i;
  }
  sizer.style.height = `${visibleCount * ROW_HEIGHT}px`;
}

function relayout(): void {
  computeVisible();
  for (const view of pool) view.key = '';
  scheduleRender();
  persist();
}

function toggle(index: number, collapse?: boolean): void {
  const m = model;
  if (!m || !(m.rows.childCount[index] > 0)) return;
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
    for (let i = 0; i < m.rowCount; i++) if (m.rows.childCount[i] > 0 && m.rows.depth[i] >= 1) collapsed.add(i);
  }
  if (selected >= 0 && position.length && !isShown(selected)) selected = -1;
  relayout();
}

function isShown(index: number): boolean {
  const m = model as TimelineModel;
  for (let p = m.rows.parent[index]; p >= 0; p = m.rows.parent[p]) if (collapsed.has(p)) return false;
  return true;
}

/** Expands every collapsed ancestor of a row, so it can be shown. */
function reveal(index: number): void {
  const m = model as TimelineModel;
  let changed = false;
  for (let p = m.rows.parent[index]; p >= 0; p = m.rows.parent[p]) changed = collapsed.delete(p) || changed;
  if (changed) computeVisible();
}

function select(index: number, options: { scroll?: boolean } = {}): void {
  const m = model;
  if (!m || !Number.isInteger(index) || index < 0 || index >= m.rowCount) return;
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
  if (!m || visibleCount === 0) return;
  const at = selected >= 0 ? position[selected] : -1;
  const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT) - 1);
  const go = (p: number) => select(visible[Math.max(0, Math.min(visibleCount - 1, p))]);
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
      go(visibleCount - 1);
      break;
    case 'ArrowLeft':
      if (selected < 0) return;
      if (m.rows.childCount[selected] > 0 && !collapsed.has(selected)) toggle(selected, true);
      else if (m.rows.parent[selected] >= 0) select(m.rows.parent[selected]);
      break;
    case 'ArrowRight':
      if (selected < 0) return;
      if (collapsed.has(selected)) toggle(selected, false);
      else if (m.rows.childCount[selected] > 0) go(at + 1);
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

// The host holds what a search matches (annotations, metadata, SQL, URLs: never sent with the rows) and
// answers with the matching rows.
function runSearch(value: string, options: { jump?: boolean } = {}): void {
  query = value.trim().toLowerCase();
  pendingQuery = model && query ? query : undefined;
  jumpToMatch = options.jump !== false;
  if (pendingQuery !== undefined) host.post({ type: 'search', query: pendingQuery });
  showMatches(new Int32Array(0));
  persist();
}

function showMatches(rows: Int32Array): void {
  const m = model;
  matches = rows;
  isMatch = new Uint8Array(m ? m.rowCount : 0);
  for (const row of rows) if (row >= 0 && row < isMatch.length) isMatch[row] = 1;
  currentMatch = -1;
  for (const view of pool) view.key = '';
  if (matches.length > 0 && jumpToMatch) stepMatch(1);
  else scheduleRender();
  updateMatchCount();
}

function stepMatch(direction: 1 | -1): void {
  if (matches.length === 0) return;
  currentMatch = currentMatch < 0 ? (direction > 0 ? 0 : matches.length - 1) : (currentMatch + direction + matches.length) % matches.length;
  select(matches[currentMatch]);
  updateMatchCount();
}

function updateMatchCount(): void {
  if (!query) matchCount.textContent = '';
  else if (pendingQuery !== undefined) matchCount.textContent = 'Searching…';
  else if (matches.length === 0) matchCount.textContent = 'No matches';
  else if (currentMatch < 0) matchCount.textContent = `${matches.length} match${matches.length === 1 ? '' : 'es'}`;
  else matchCount.textContent = `${currentMatch + 1} of ${matches.length}`;
}

// ---- details ----------------------------------------------------------------------------------------------

function showDetails(index: number): void {
  const m = model as TimelineModel;
  const c = m.rows;
  const parts: HTMLElement[] = [el('h2', {}, str(m, c.name[index]))];
  const onPath = hasFlag(m, index, CODES.flag.critical) ? ' · on the critical path' : '';
  parts.push(el('div', { class: 'tl-placeholder' }, `${m.services[c.service[index]] ?? ''} · ${formatMs(c.end[index] - c.start[index])} from +${formatMs(c.start[index])}${onPath}`));
  const where = sourceOf(m, index);
  if (where) {
    const source = el('div', { class: 'tl-source' });
    const at = `${where.path}:${where.line}`;
    source.append(
      button('Go to Source', { appearance: 'primary', class: 'tl-go-to-source', title: `Open ${at}`, onClick: () => host.post({ type: 'goToSource', row: index }) }),
      el('span', { class: 'tl-source-path' }, at),
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
  model = state.model && isColumns(state.model) ? state.model : undefined;
  details.clear();
  critical = new Map();
  collapsed = new Set();
  selected = -1;
  const unreadable = state.model && !model ? 'The trace arrived in a form this page cannot read (no typed-array columns).' : '';
  if (unreadable) host.post({ type: 'webviewFailure', message: unreadable });
  const notes = [state.message ?? '', unreadable, ...state.warnings].filter(Boolean);
  message.textContent = notes.join('\n');
  if (!model) {
    summary.textContent = `Trace ${traceId}`;
    legend.replaceChildren();
    computeVisible();
    renderAxis();
    scheduleRender();
    return;
  }
  const path = model.critical;
  for (let k = 0; k < path.row.length; k++) {
    const list = critical.get(path.row[k]);
    if (list) list.push([path.start[k], path.end[k]]);
    else critical.set(path.row[k], [[path.start[k], path.end[k]]]);
  }
  const spanCount = `${model.rowCount} span${model.rowCount === 1 ? '' : 's'}`;
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
    const ids = rowsById(model, [...(previous.collapsed ?? []), ...(previous.selected !== undefined ? [previous.selected] : [])]);
    for (const id of previous.collapsed ?? []) {
      const i = ids.get(id);
      if (i !== undefined) collapsed.add(i);
    }
    if (previous.search) search.value = previous.search;
    computeVisible();
    renderAxis();
    // The restored selection stays: the search's answer marks the matches without jumping to the first.
    if (previous.search) runSearch(previous.search, { jump: previous.selected === undefined });
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

/** The rows of the wanted ids (a persisted state names rows by span id); reads the id column only if asked. */
function rowsById(m: TimelineModel, wanted: string[]): Map<string, number> {
  const rows = new Map<string, number>();
  if (wanted.length === 0) return rows;
  const want = new Set(wanted);
  for (let i = 0; i < m.rowCount && rows.size < want.size; i++) {
    const id = str(m, m.rows.id[i]);
    if (want.has(id) && !rows.has(id)) rows.set(id, i);
  }
  return rows;
}

/** The columns arrived as typed arrays of one length (not, say, as JSON objects with numbered keys). */
function isColumns(m: TimelineModel): boolean {
  const c = m.rows;
  const columns = [c.start, c.end, c.parent, c.depth, c.childCount, c.service, c.id, c.name, c.note, c.kind, c.outcome, c.flags];
  return (
    columns.every((column) => ArrayBuffer.isView(column) && column.length === m.rowCount) &&
    ArrayBuffer.isView(m.strings.offsets) &&
    typeof m.strings.text === 'string' &&
    [m.sources.row, m.sources.path, m.sources.line, m.critical.row, m.critical.start, m.critical.end].every((column) => ArrayBuffer.isView(column))
  );
}

function persist(): void {
  const m = model;
  const state: TimelinePersisted = { traceId };
  if (m) {
    if (collapsed.size) state.collapsed = [...collapsed].map((i) => str(m, m.rows.id[i]));
    if (selected >= 0) state.selected = str(m, m.rows.id[selected]);
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
    case 'searchResult':
      // An answer to an older query (the user kept typing) is dropped.
      if (msg.query !== pendingQuery) break;
      pendingQuery = undefined;
      showMatches(msg.rows);
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
