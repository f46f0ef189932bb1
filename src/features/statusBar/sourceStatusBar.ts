// "X-Ray: local :2000 · 42 traces" — which source the views read, and how much it holds. Click: pick a source.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { CollectorService } from '../collector/collectorService';
import type { TraceListModel } from '../traceTree/traceListModel';

export const SELECT_SOURCE_COMMAND = 'xrayLens.selectSource';

export class SourceStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('xrayLens.source', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly collector: CollectorService,
    private readonly traces: TraceListModel,
  ) {
    super();
    this.item.name = 'X-Ray Lens: Trace Source';
    this.item.command = SELECT_SOURCE_COMMAND;
    this._register(collector.onDidChangeState(() => this.render()));
    this._register(traces.onDidChange(() => this.render()));
    this.render();
    this.item.show();
  }

  private render(): void {
    const s = this.traces.state;
    const c = this.collector.state;
    const count = `${s.summaries.length}${s.truncated ? '+' : ''} trace${s.summaries.length === 1 ? '' : 's'}${s.incomplete ? ' (partial)' : ''}`;
    if (s.sourceLabel) {
      const icon = s.error ? '$(warning)' : s.loading ? '$(sync~spin)' : '$(pulse)';
      this.item.text = `${icon} X-Ray: ${s.sourceLabel} · ${count}`;
      this.item.tooltip = s.error
        ? s.error.message
        : `Reading traces from ${s.sourceLabel}. Click to choose another source.${s.incomplete ? `\n\nPartial list: ${s.incomplete}` : ''}${s.sourceLabel.startsWith('local') ? `\n\nCollector: ${this.collector.describeCounters()}` : ''}`;
      this.item.backgroundColor = s.error ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } else {
      this.item.text = c.kind === 'failed' ? '$(error) X-Ray: collector failed' : c.kind === 'starting' ? '$(sync~spin) X-Ray: starting' : '$(circle-slash) X-Ray: no source';
      this.item.tooltip = s.unavailable ?? (c.kind === 'failed' ? c.message : 'Click to choose a trace source.');
      this.item.backgroundColor = c.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }
  }
}
