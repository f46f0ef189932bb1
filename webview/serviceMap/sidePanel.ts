// The details of the selected node or edge: its statistics in a data grid, its response-time histogram, and
// "Filter traces", which asks the host to filter the Traces view to traces through it.
import type { HistogramBucket, MapEdge, MapNode, MapSelection, MapStats, ServiceMap } from '../../src/protocol/serviceMapMessages';
import { el, svgEl } from '../shared/dom';
import { button, dataGrid } from '../shared/toolkit';
import { visibleText } from '../shared/visibleText';
import { formatCount, formatMs, formatPercent, formatPerMinute } from './format';

const HEALTH_LABEL = { ok: 'OK', error: 'Errors (4xx)', throttle: 'Throttled (429)', fault: 'Faults (5xx)' } as const;
/** Histogram bars at most; finer histograms are binned. */
const MAX_BARS = 24;

export function renderSidePanel(
  container: HTMLElement,
  map: ServiceMap,
  selection: MapSelection | undefined,
  onFilter: (selection: MapSelection) => void,
): void {
  const node = selection?.kind === 'node' ? map.nodes.find((n) => n.id === selection.id) : undefined;
  const edge = selection?.kind === 'edge' ? map.edges.find((e) => e.id === selection.id) : undefined;
  if (!selection || (!node && !edge)) {
    container.replaceChildren(el('p', { class: 'hint' }, 'Select a node or an edge to see its response times.'));
    container.classList.add('empty');
    return;
  }
  container.classList.remove('empty');
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  const heading = node ? headingForNode(node) : headingForEdge(edge as MapEdge, byId);
  const stats = (node ?? (edge as MapEdge)).stats;
  const health = (node ?? (edge as MapEdge)).health;
  container.replaceChildren(
    ...heading,
    el('div', { class: `health-badge health-${health}` }, health === 'ok' ? 'Healthy' : HEALTH_LABEL[health]),
    statsGrid(stats),
    el('h3', {}, 'Response time'),
    histogram(stats.histogram),
    button('Filter traces', {
      appearance: 'primary', class: 'filter-traces',
      title: node ? 'Show only traces through this service in the Traces view' : 'Show only traces that made this call in the Traces view',
      onClick: () => onFilter(selection),
    }),
  );
}

function headingForNode(node: MapNode): HTMLElement[] {
  return [
    el('h2', { class: 'selection-name' }, visibleText(node.name)),
    el('div', { class: 'selection-type' }, `${visibleText(node.type)}${node.root ? ' · entry point' : ''}`),
  ];
}

function headingForEdge(edge: MapEdge, byId: Map<string, MapNode>): HTMLElement[] {
  const name = (id: string) => visibleText(byId.get(id)?.name ?? id);
  return [
    el('h2', { class: 'selection-name' }, `${name(edge.source)} → ${name(edge.target)}`),
    el('div', { class: 'selection-type' }, 'calls'),
  ];
}

function statsGrid(stats: MapStats): HTMLElement {
  const rows: string[][] = [
    ['Requests', formatCount(stats.requests)],
    ['Rate', formatPerMinute(stats.perMinute)],
    ['Average', formatMs(stats.averageMs)],
    ['p95', formatMs(stats.p95Ms)],
    [HEALTH_LABEL.ok, formatCount(stats.outcomes.ok)],
    [HEALTH_LABEL.error, `${formatCount(stats.outcomes.error)} (${formatPercent(stats.errorRate)})`],
    [HEALTH_LABEL.throttle, `${formatCount(stats.outcomes.throttle)} (${formatPercent(stats.throttleRate)})`],
    [HEALTH_LABEL.fault, `${formatCount(stats.outcomes.fault)} (${formatPercent(stats.faultRate)})`],
  ];
  return dataGrid([{ title: 'Statistic', width: '1fr' }, { title: 'Value', width: '1fr' }], rows, { ariaLabel: 'Statistics', class: 'stats' });
}

/** Bars of request counts by response time; more distinct times than MAX_BARS are grouped into equal ranges. */
export function histogramBins(buckets: HistogramBucket[]): { from: number; to: number; count: number }[] {
  if (buckets.length === 0) return [];
  if (buckets.length <= MAX_BARS) return buckets.map((b) => ({ from: b.ms, to: b.ms, count: b.count }));
  const lo = buckets[0].ms;
  const hi = buckets[buckets.length - 1].ms;
  const width = (hi - lo) / MAX_BARS;
  const bins = Array.from({ length: MAX_BARS }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, count: 0 }));
  for (const b of buckets) bins[Math.min(MAX_BARS - 1, Math.floor((b.ms - lo) / width))].count += b.count;
  return bins;
}

function histogram(buckets: HistogramBucket[]): Element {
  const bins = histogramBins(buckets);
  if (bins.length === 0) return el('p', { class: 'hint' }, 'No completed requests.');
  const width = 280;
  const height = 110;
  const axis = 18;
  const max = Math.max(...bins.map((b) => b.count));
  const barWidth = width / bins.length;
  const svg = svgEl('svg', { class: 'histogram', viewBox: `0 0 ${width} ${height + axis}`, role: 'img', 'aria-label': 'Response time histogram' });
  bins.forEach((bin, i) => {
    const h = Math.max(1, (bin.count / max) * height);
    const range = bin.from === bin.to ? formatMs(bin.from) : `${formatMs(bin.from)} – ${formatMs(bin.to)}`;
    const bar = svgEl('rect', { class: 'bar', x: i * barWidth + 1, y: height - h, width: Math.max(1, barWidth - 2), height: h });
    bar.append(svgEl('title', {}, `${range}: ${bin.count} request${bin.count === 1 ? '' : 's'}`));
    svg.append(bar);
  });
  svg.append(
    svgEl('line', { class: 'axis', x1: 0, y1: height + 0.5, x2: width, y2: height + 0.5 }),
    svgEl('text', { class: 'axis-label', x: 0, y: height + 14 }, formatMs(bins[0].from)),
    svgEl('text', { class: 'axis-label', x: width, y: height + 14, 'text-anchor': 'end' }, formatMs(bins[bins.length - 1].to)),
  );
  return svg;
}
