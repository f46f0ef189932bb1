// "X-Ray: local :2000 · 42 traces" — which source the views read, and how much it holds. Click: pick a source.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { CollectorService } from '../collector/collectorService';
import type { TraceListModel } from '../traceTree/traceListModel';

export const SELECT_SOURCE_COMMAND = 'xrayLens.selectSource';

/** What the sampling counts cannot show: requests an SDK decided on its own before it had the collector's rules. */
const SAMPLING_NOTE = "\n\nAn app's first requests, decided before its SDK has the collector's sampling rules (a few milliseconds), follow the SDK's own fallback (1/s + 5%) and are not in these counts.";

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
    // The SDKs' sampling reports change the tooltip without a change of the list.
    this._register(collector.onDidReportSampling(() => this.render()));
    this._register(traces.onDidChange(() => this.render()));
    this.render();
    this.item.show();
  }

  /** The item's text (tests read it). */
  get text(): string {
    return this.item.text;
  }

  /** What hovering the item shows (tests read it). */
  get tooltip(): string {
    const t = this.item.tooltip;
    return typeof t === 'string' ? t : (t?.value ?? '');
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
        : `Reading traces from ${s.sourceLabel}. Click to choose another source.${s.incomplete ? `\n\nPartial list: ${s.incomplete}` : ''}${s.sourceLabel.startsWith('local') ? `\n\nCollector: ${this.collector.describeCounters()}${SAMPLING_NOTE}` : ''}`;
      this.item.backgroundColor = s.error ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } else {
      this.item.text = c.kind === 'failed' ? '$(error) X-Ray: collector failed' : c.kind === 'starting' ? '$(sync~spin) X-Ray: starting' : '$(circle-slash) X-Ray: no source';
      this.item.tooltip = s.unavailable ?? (c.kind === 'failed' ? c.message : 'Click to choose a trace source.');
      this.item.backgroundColor = c.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }
  }
}
