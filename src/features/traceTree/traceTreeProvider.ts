// The sidebar tree: recent traces → segments → subsegments → details, exceptions and stack frames.
// A lookup into TraceListModel; the outline of a trace is computed by src/xray/traceOutline.ts.
import * as vscode from 'vscode';
import type { Outcome } from '../../xray/model';
import { formatAge, formatDuration, outlineTrace, traceTitle, type OutlineNode } from '../../xray/traceOutline';
import { Disposable } from '../../platform/disposable';
import type { TraceSummaryView } from '../../sources/traceSource';
import type { TraceListModel } from './traceListModel';

export const OPEN_FRAME_COMMAND = 'xrayLens.openStackFrame';

export type TraceTreeNode =
  | { type: 'trace'; summary: TraceSummaryView }
  | { type: 'outline'; node: OutlineNode; id: string }
  | { type: 'message'; text: string; icon: string; id: string };

export class TraceTreeProvider extends Disposable implements vscode.TreeDataProvider<TraceTreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TraceTreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly model: TraceListModel) {
    super();
    this._register(model.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  getChildren(element?: TraceTreeNode): vscode.ProviderResult<TraceTreeNode[]> {
    if (!element) {
      return this.model.shownSummaries.map((summary) => ({ type: 'trace', summary }));
    }
    if (element.type === 'trace') return this.traceChildren(element.summary);
    if (element.type === 'outline') {
      return element.node.children.map((node, i) => ({ type: 'outline', node, id: `${element.id}/${i}` }));
    }
    return [];
  }

  getTreeItem(element: TraceTreeNode): vscode.TreeItem {
    switch (element.type) {
      case 'trace':
        return traceItem(element.summary);
      case 'outline':
        return outlineItem(element.node, element.id);
      case 'message': {
        const item = new vscode.TreeItem(element.text, vscode.TreeItemCollapsibleState.None);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(element.icon);
        return item;
      }
    }
  }

  private async traceChildren(summary: TraceSummaryView): Promise<TraceTreeNode[]> {
    try {
      const trace = await this.model.getTrace(summary);
      if (!trace) return [{ type: 'message', id: `${summary.id}/gone`, icon: 'info', text: 'This trace is no longer available from the source.' }];
      const nodes: TraceTreeNode[] = outlineTrace(trace.segments).map((node, i) => ({ type: 'outline', node, id: `${summary.id}/${i}` }));
      for (const [i, r] of trace.rejected.entries()) {
        nodes.push({ type: 'message', id: `${summary.id}/rejected/${i}`, icon: 'warning', text: `Segment ${r.segmentId} could not be read: ${r.message}` });
      }
      if (trace.limitExceeded) {
        nodes.push({ type: 'message', id: `${summary.id}/limit`, icon: 'warning', text: 'X-Ray marked this trace LimitExceeded: some segments are missing.' });
      }
      return nodes;
    } catch (err) {
      return [{ type: 'message', id: `${summary.id}/error`, icon: 'error', text: err instanceof Error ? err.message : String(err) }];
    }
  }
}

function outcomeOf(s: TraceSummaryView): Outcome {
  if (s.hasFault) return 'fault';
  if (s.hasThrottle) return 'throttle';
  if (s.hasError) return 'error';
  return 'ok';
}

const OUTCOME_ICONS: Record<Outcome, vscode.ThemeIcon> = {
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  error: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  throttle: new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground')),
  fault: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
};

function traceItem(s: TraceSummaryView): vscode.TreeItem {
  const item = new vscode.TreeItem(traceTitle(s), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = s.id;
  const outcome = outcomeOf(s);
  item.iconPath = s.isPartial ? new vscode.ThemeIcon('loading~spin') : OUTCOME_ICONS[outcome];
  const parts = [s.status !== undefined ? String(s.status) : '', s.isPartial ? 'in progress' : formatDuration(s.duration * 1000), formatAge(Date.now() / 1000 - s.startTime)];
  item.description = parts.filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.isTrusted = false;
  tooltip.supportHtml = false;
  tooltip.appendMarkdown(`**${escapeMd(traceTitle(s))}**\n\n`);
  if (s.url) tooltip.appendMarkdown(`${escapeMd(s.url)}\n\n`);
  tooltip.appendMarkdown(`Trace \`${s.id}\` · ${outcome}${s.isPartial ? ' · in progress' : ''}\n\n`);
  tooltip.appendMarkdown(`Duration ${formatDuration(s.duration * 1000)} · response ${formatDuration(s.responseTime * 1000)}\n\n`);
  if (s.services.length) tooltip.appendMarkdown(`Services: ${s.services.map(escapeMd).join(', ')}`);
  item.tooltip = tooltip;
  item.contextValue = 'xrayTrace';
  return item;
}

const KIND_ICONS: Partial<Record<OutlineNode['kind'], string>> = {
  http: 'globe',
  sql: 'database',
  aws: 'cloud',
  annotations: 'tag',
  annotation: 'tag',
  metadata: 'json',
  note: 'info',
};

function outlineItem(node: OutlineNode, id: string): vscode.TreeItem {
  const collapsible =
    node.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : node.kind === 'segment' || node.kind === 'exception' || (node.kind === 'subsegment' && node.outcome !== 'ok')
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(node.label, collapsible);
  item.id = id;
  item.description = node.description;
  if (node.detail) item.tooltip = node.detail;
  if (node.kind === 'segment' || node.kind === 'subsegment') {
    item.iconPath = node.inProgress ? new vscode.ThemeIcon('loading~spin') : node.outcome && node.outcome !== 'ok' ? OUTCOME_ICONS[node.outcome] : new vscode.ThemeIcon(node.kind === 'segment' ? 'server-process' : 'symbol-method');
  } else if (node.kind === 'exception') {
    item.iconPath = new vscode.ThemeIcon('bug', new vscode.ThemeColor('list.errorForeground'));
  } else if (node.kind === 'frame') {
    item.iconPath = new vscode.ThemeIcon(node.frame?.user ? 'go-to-file' : 'debug-stackframe-dot');
    if (node.frame?.user && node.frame.line > 0) {
      item.command = { command: OPEN_FRAME_COMMAND, title: 'Open Stack Frame', arguments: [node.frame] };
      item.contextValue = 'xrayFrame';
    }
  } else {
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[node.kind] ?? 'circle-small');
  }
  return item;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}
