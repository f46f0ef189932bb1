// When the trace list refreshes: as the embedded collector receives data (batched), on a timer while the
// view is visible and the data lives elsewhere (AWS, or a collector we attached to), and when the view
// becomes visible. The tree view's message says what the list is showing.
import * as vscode from 'vscode';
import { affectsSettings, readSettings } from '../../platform/config';
import type { CollectorService } from '../collector/collectorService';
import type { TraceListModel } from './traceListModel';
import type { TraceTreeNode } from './traceTreeProvider';

const RECEIVE_DEBOUNCE_MS = 500;
const POLL_LOCAL_ATTACHED_MS = 5_000;
const POLL_AWS_MS = 60_000;

export function registerTraceRefresh(
  view: vscode.TreeView<TraceTreeNode>,
  traces: TraceListModel,
  collector: CollectorService,
): vscode.Disposable {
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      void traces.refresh();
    }, RECEIVE_DEBOUNCE_MS);
  };
  const schedulePoll = () => {
    if (poll) clearInterval(poll);
    poll = undefined;
    const settings = readSettings();
    if (!settings.tracesAutoRefresh || !view.visible) return;
    const interval = settings.source === 'aws' ? POLL_AWS_MS : collector.state.kind === 'attached' ? POLL_LOCAL_ATTACHED_MS : 0;
    if (interval) poll = setInterval(() => void traces.refresh(), interval);
  };
  const renderMessage = () => {
    const s = traces.state;
    if (s.unavailable) view.message = s.unavailable;
    else if (s.error) view.message = `${s.error.message}${s.summaries.length ? ' Showing the last good result.' : ''}`;
    else if (s.truncated) view.message = `Showing ${s.summaries.length} traces, the most the list holds (xrayLens.traces.maxShown); ${s.tracesProcessed} scanned.`;
    else view.message = undefined;
  };
  const subscriptions = [
    collector.onDidReceive(() => {
      if (readSettings().tracesAutoRefresh) refreshSoon();
    }),
    collector.onDidChangeState(() => {
      schedulePoll();
      refreshSoon();
    }),
    view.onDidChangeVisibility((e) => {
      schedulePoll();
      if (e.visible) refreshSoon();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSettings(e, 'traces', 'source')) {
        schedulePoll();
        refreshSoon();
      }
    }),
    traces.onDidChange(renderMessage),
  ];
  schedulePoll();
  return new vscode.Disposable(() => {
    if (debounce) clearTimeout(debounce);
    if (poll) clearInterval(poll);
    for (const s of subscriptions) s.dispose();
  });
}
