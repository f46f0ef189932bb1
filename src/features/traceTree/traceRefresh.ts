// When the trace list refreshes: as the embedded collector receives data (batched), on a timer while the
// view is visible and the data lives elsewhere (a collector we attached to; AWS only when its own
// auto-refresh is on, since every call is billed), and when the view becomes visible. The view's
// description and message say what the list is showing: range, filter, mode, cap, throttling, failures.
import * as vscode from 'vscode';
import { affectsSettings, readSettings } from '../../platform/config';
import { clip } from '../../xray/traceOutline';
import { describeTimeRange } from '../../xray/timeRange';
import type { CollectorService } from '../collector/collectorService';
import type { TraceSourceManager } from '../sources/traceSourceManager';
import type { TraceListModel } from './traceListModel';
import type { TraceTreeNode } from './traceTreeProvider';

const RECEIVE_DEBOUNCE_MS = 500;
/**
 * While data keeps arriving, the next refresh waits at least this many times as long as the last one took: a
 * flood then costs the extension host (and the collector's thread, which answers the reads) a bounded share of
 * their time instead of back-to-back refreshes (bench/codeLensFlood.bench.mjs).
 */
const REFRESH_COST_FACTOR = 4;
const MAX_RECEIVE_DEBOUNCE_MS = 10_000;
const POLL_LOCAL_ATTACHED_MS = 5_000;
const POLL_AWS_MS = 60_000;

export function registerTraceRefresh(
  view: vscode.TreeView<TraceTreeNode>,
  traces: TraceListModel,
  collector: CollectorService,
  sources: Pick<TraceSourceManager, 'openFile'>,
): vscode.Disposable {
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let lastCostMs = 0;
  /** Data arrived while a refresh ran: one more follows it. */
  let pending = false;
  let disposed = false;
  const refreshSoon = () => {
    if (disposed) return;
    if (debounce) {
      pending = true;
      return;
    }
    const wait = Math.min(MAX_RECEIVE_DEBOUNCE_MS, Math.max(RECEIVE_DEBOUNCE_MS, lastCostMs * REFRESH_COST_FACTOR));
    debounce = setTimeout(() => {
      pending = false;
      const started = performance.now();
      void traces.refresh().finally(() => {
        lastCostMs = performance.now() - started;
        debounce = undefined;
        if (pending) refreshSoon();
      });
    }, wait);
  };
  const schedulePoll = () => {
    if (poll) clearInterval(poll);
    poll = undefined;
    const settings = readSettings();
    // A trace file does not change: nothing to poll.
    if (!view.visible || sources.openFile) return;
    const interval =
      settings.source === 'aws'
        ? settings.awsAutoRefresh ? POLL_AWS_MS : 0
        : settings.tracesAutoRefresh && collector.state.kind === 'attached' ? POLL_LOCAL_ATTACHED_MS : 0;
    if (interval) poll = setInterval(() => void traces.refresh(), interval);
  };
  const renderMessage = () => {
    const s = traces.state;
    const q = traces.query;
    const awsMode = s.sourceKind === 'aws' && s.mode ? (s.mode.destination === 'CloudWatchLogs' ? 'Transaction Search' : 'X-Ray') : undefined;
    const restriction = traces.restriction;
    view.description = [sources.openFile && `file ${clip(sources.openFile.name, 30)}`, describeTimeRange(q.range), restriction?.label, q.filterExpression && `filter: ${clip(q.filterExpression, 40)}`, awsMode].filter(Boolean).join(' · ');
    if (s.unavailable) {
      view.message = s.unavailable;
      return;
    }
    const count = s.summaries.length.toLocaleString('en-US');
    const scanned = s.tracesProcessed.toLocaleString('en-US');
    const lines: string[] = [];
    if (s.error) lines.push(`${s.error.message}${s.summaries.length ? ' Showing the last good result.' : ''}`);
    if (s.loading && s.throttled) lines.push(`Throttled — retrying… ${s.progress ?? ''}`.trim());
    if (s.cancelled) lines.push('Refresh cancelled: showing the previous result.');
    if (s.incomplete && !s.error) lines.push(`Partial list: ${s.incomplete}`);
    if (s.truncated) lines.push(`Showing the newest ${count} traces, the cap (xrayLens.traces.maxShown); ${scanned} scanned.`);
    else if (s.sampled) lines.push(`${count} traces, a sample chosen by X-Ray; ${scanned} scanned.`);
    else if (q.filterExpression && !s.error && !s.loading && !restriction) lines.push(`${count} traces match ${clip(q.filterExpression, 60)}; ${scanned} scanned.`);
    if (restriction) {
      const shown = traces.shownSummaries.length;
      const matching = q.filterExpression ? ` matching ${clip(q.filterExpression, 60)}` : '';
      const unlisted = traces.restrictionUnlisted;
      // Traces of the set the list does not hold are counted, not silently dropped.
      const more = unlisted > 0 ? ` ${unlisted} more went through it outside this list (time range, filter or cap).` : '';
      lines.push(`${shown.toLocaleString('en-US')} trace${shown === 1 ? '' : 's'} ${restriction.label}${matching}.${more}`);
    }
    view.message = lines.length ? lines.join(' ') : undefined;
  };
  const subscriptions = [
    collector.onDidReceive(() => {
      const settings = readSettings();
      if (settings.source === 'local' && settings.tracesAutoRefresh && !sources.openFile) refreshSoon();
    }),
    collector.onDidChangeState(() => {
      schedulePoll();
      if (readSettings().source === 'local' && !sources.openFile) refreshSoon();
    }),
    view.onDidChangeVisibility((e) => {
      schedulePoll();
      // AWS: calls are billed, so showing the view again lists only what was never listed.
      const settings = readSettings();
      if (e.visible && (settings.source === 'local' || settings.awsAutoRefresh || traces.state.refreshedAt === undefined)) refreshSoon();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The time range is the model's own (it refreshes when it changes); the rest re-arm the poll.
      if (affectsSettings(e, 'traces.maxShown', 'traces.autoRefresh', 'aws.autoRefresh', 'source')) {
        schedulePoll();
        refreshSoon();
      }
    }),
    traces.onDidChange(renderMessage),
  ];
  schedulePoll();
  return new vscode.Disposable(() => {
    disposed = true;
    if (debounce) clearTimeout(debounce);
    if (poll) clearInterval(poll);
    for (const s of subscriptions) s.dispose();
  });
}
