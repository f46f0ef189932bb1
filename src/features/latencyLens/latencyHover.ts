// Hover on a mapped function's first or name line, or on the line of its tracing call: a latency histogram as
// text bars, the statistics, and the slowest traces as links that open them. Every string from trace data is
// escaped; the markdown is trusted for the one command its links run, and renders no HTML.
import * as vscode from 'vscode';
import type { LatencyEntry } from '../../code/latencyIndex';
import { readSettings } from '../../platform/config';
import type { LatencyComparison } from '../../xray/latencyCompare';
import type { LatencyStats } from '../../xray/latencyStats';
import { placeEntries } from './latencyCodeLens';
import type { SlowTrace } from './latencyEngine';
import type { LatencyIndexService, LensSnapshot } from './latencyIndexService';
import { loadLatencyEngineModule } from './loadLatencyEngine';
import { openTraceCommand, TRACE_ID } from './openTrace';

const EVIDENCE: Record<string, string> = { a: 'exception stack frames', b: 'tracing call name', c: 'function name', d: 'code.* attributes' };
/** Histogram buckets: upper bounds in ms, 1-2-5 steps. */
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000, Infinity];
const BAR_WIDTH = 24;

export class LatencyHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: LatencyIndexService) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!readSettings().lensEnabled) return undefined;
    this.service.start();
    const place = this.service.place(document.uri);
    const entries = place?.index.index.forFile(place.file) ?? [];
    if (!place || entries.length === 0) return undefined;
    const code = await this.service.parseDocument(document);
    if (!code || token.isCancellationRequested) return undefined;
    const line = position.line;
    // The entry's own line first (a row at a tracing call inside a function), then its function's lines.
    const placed = placeEntries(entries, code).filter(({ entry }) => entry.stats);
    const hit = placed.find((p) => p.line === line)
      ?? placed.find(({ entry, fn }) => entry.site === undefined
        && (line === fn.startLine || line === fn.nameLine || fn.callSites.some((c) => c.line === line && entry.names.includes(c.name))));
    if (!hit) return undefined;
    const command = await openTraceCommand();
    const comparison = this.service.comparison(place, hit.entry.key, readSettings().lensStatistic);
    const beforeSamples = place.snapshot.before?.folders.get(place.folder.uri.toString())?.samples.get(hit.entry.key) ?? [];
    const compared = comparison && place.snapshot.before ? { comparison, label: place.snapshot.before.label, samples: beforeSamples } : undefined;
    const markdown = hoverMarkdown(hit.entry, place.snapshot, place.index.samples.get(hit.entry.key) ?? [], place.index.slowest.get(hit.entry.key) ?? [], command, compared);
    return new vscode.Hover(markdown, document.lineAt(line).range);
  }
}

/** Compare Latency's other window, for the hover: the comparison, how the window was chosen, and its samples. */
export interface HoverComparison {
  comparison: LatencyComparison;
  label: string;
  samples: readonly number[];
}

export function hoverMarkdown(entry: LatencyEntry, snapshot: LensSnapshot, samples: readonly number[], slowest: readonly SlowTrace[], command: string, compared?: HoverComparison): vscode.MarkdownString {
  const stats = entry.stats as LatencyStats;
  const { formatMs, formatWindow } = loadLatencyEngineModule();
  const md = new vscode.MarkdownString(undefined, false);
  md.supportHtml = false;
  md.isTrusted = { enabledCommands: [command] };
  md.appendMarkdown(`**X-Ray · ${escapeMarkdown(entry.function)}** — ${entry.names.map((n) => `\`${escapeCode(n)}\``).join(', ')}\n\n`);
  const rate = (n: number) => `${((n / stats.count) * 100).toFixed(1)}%`;
  md.appendMarkdown(`p50 ${formatMs(stats.p50)} · p95 ${formatMs(stats.p95)} · p99 ${formatMs(stats.p99)} · avg ${formatMs(stats.avg)} · n=${stats.count} · ${formatWindow(snapshot.windowMinutes)}\n\n`);
  if (snapshot.incomplete) md.appendMarkdown(`**Partial:** ${escapeMarkdown(snapshot.incomplete)} Refresh the trace list to fetch the rest.\n\n`);
  md.appendMarkdown(`faults ${rate(stats.faults)} · errors ${rate(stats.errors)} · throttled ${rate(stats.throttles)}`);
  if (stats.parentShare !== undefined) md.appendMarkdown(` · ${(stats.parentShare * 100).toFixed(0)}% of the request's time`);
  md.appendMarkdown('\n\n');
  // While comparing: what the test made of the difference, then each window with its own histogram.
  if (compared) {
    const c = compared.comparison;
    const p = c.pValue === undefined ? '' : ` (permutation test p=${c.pValue < 0.001 ? '<0.001' : c.pValue.toFixed(3)})`;
    // Our own words and numbers; the label may hold a file name, so it is escaped.
    md.appendMarkdown(`**Compared** with ${escapeMarkdown(compared.label)}: ${loadLatencyEngineModule().formatComparison(c, formatMs)}${p}\n\n`);
    md.appendMarkdown(`Now (n=${samples.length}):\n`);
  }
  md.appendCodeblock(histogram(samples), 'text');
  if (compared) {
    const b = compared.comparison.before;
    md.appendMarkdown(`\nBefore (n=${compared.samples.length}${b ? ` · p50 ${formatMs(b.p50)} · p95 ${formatMs(b.p95)} · p99 ${formatMs(b.p99)}` : ''}):\n`);
    md.appendCodeblock(histogram(compared.samples), 'text');
  }
  if (slowest.length > 0) {
    md.appendMarkdown('\nSlowest traces:\n\n');
    for (const slow of slowest.slice(0, 5)) {
      if (!TRACE_ID.test(slow.traceId)) continue; // becomes part of a command link: only well-formed ids
      const summary = snapshot.summaries.get(slow.traceId);
      const what = summary ? `${summary.method ?? ''} ${pathOf(summary.url)}`.trim() : slow.traceId;
      const args = encodeURIComponent(JSON.stringify([slow.traceId]));
      md.appendMarkdown(`- [${formatMs(slow.durationMs)} · ${escapeMarkdown(slow.outcome)} · ${escapeMarkdown(what)}](command:${command}?${args} "Open trace")\n`);
    }
  }
  md.appendMarkdown(`\n_Mapped by ${entry.evidence.map((e) => EVIDENCE[e] ?? e).join(', ')}._`);
  return md;
}

/** Text bars, one per 1-2-5 bucket from the fastest sample's to the slowest's. */
export function histogram(samples: readonly number[]): string {
  if (samples.length === 0) return '(no samples)';
  const { formatMs } = loadLatencyEngineModule();
  const counts = new Array<number>(BOUNDS.length).fill(0);
  for (const ms of samples) counts[BOUNDS.findIndex((b) => ms < b)]++;
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  const max = Math.max(...counts);
  const label = (i: number) => (BOUNDS[i] === Infinity ? `≥ ${formatMs(BOUNDS[i - 1])}` : `< ${formatMs(BOUNDS[i])}`);
  const width = Math.max(...counts.slice(first, last + 1).map((_, k) => label(first + k).length));
  const lines: string[] = [];
  for (let i = first; i <= last; i++) {
    const bar = '█'.repeat(Math.round((counts[i] / max) * BAR_WIDTH)) || (counts[i] > 0 ? '▏' : '');
    lines.push(`${label(i).padEnd(width)}  ${bar.padEnd(BAR_WIDTH)}  ${counts[i]}`);
  }
  return lines.join('\n');
}

/** Backslash-escapes markdown punctuation (link brackets and parentheses included) in text from trace data. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, '\\$&').replace(/[\r\n]+/g, ' ');
}

/** The path of a request URL (no query: it may carry data), or the text as it came when it is no URL. */
function pathOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url, 'http://host').pathname;
  } catch {
    return url.slice(0, 120);
  }
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
}
