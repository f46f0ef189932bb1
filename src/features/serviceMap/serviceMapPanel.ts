// The service map panel's host side: one panel (revealed if open), restored after a reload, fed with the
// active TraceSource's service graph for the trace list's time window (local collector and AWS alike), and
// refreshed when the trace list changes. "Filter traces" in the webview runs xrayLens.filterTraces.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import { webviewHtml, webviewOptions } from '../../platform/webviewHtml';
import {
  SERVICE_MAP_VIEW_TYPE,
  type MapSelection,
  type ServiceMapHostToWebview,
  type ServiceMapState,
  type ServiceMapWebviewToHost,
} from '../../protocol/serviceMapMessages';
import { describeSourceError } from '../../sources/sourceErrors';
import { edgeFilter, serviceFilter, type NamedService } from '../../xray/filterExpression';
import { buildServiceMap, type MapNode, type ServiceMap } from '../../xray/serviceMapModel';
import { resolveTimeRange } from '../../xray/timeRange';
import type { TraceSourceManager } from '../sources/traceSourceManager';
import type { QueryOutcome, TraceListModel } from '../traceTree/traceListModel';
import { FILTER_TRACES_COMMAND } from '../traceTree/traceQueryCommands';

export const SHOW_SERVICE_MAP_COMMAND = 'xrayLens.showServiceMap';
/** Collector events arrive in bursts while an app is busy: one graph request per second at most. */
const REFRESH_DEBOUNCE_MS = 1000;

interface Dependencies {
  extensionUri: vscode.Uri;
  traces: TraceListModel;
  sources: TraceSourceManager;
  log: vscode.LogOutputChannel;
}

/** The command, the panel serializer, and the one panel they share. */
export function registerServiceMap(deps: Dependencies): vscode.Disposable {
  let panel: ServiceMapPanel | undefined;
  const adopt = (webviewPanel: vscode.WebviewPanel): ServiceMapPanel => {
    const created = new ServiceMapPanel(webviewPanel, deps);
    panel = created;
    webviewPanel.onDidDispose(() => {
      if (panel === created) panel = undefined;
    });
    return created;
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(SHOW_SERVICE_MAP_COMMAND, (): ServiceMapPanel => {
      if (panel) {
        panel.reveal();
        return panel;
      }
      const webviewPanel = vscode.window.createWebviewPanel(
        SERVICE_MAP_VIEW_TYPE, 'X-Ray Service Map', vscode.ViewColumn.Active,
        { ...webviewOptions(deps.extensionUri), retainContextWhenHidden: false },
      );
      return adopt(webviewPanel);
    }),
    vscode.window.registerWebviewPanelSerializer(SERVICE_MAP_VIEW_TYPE, {
      // The webview keeps its own selection and zoom (setState); the host only has to feed it again.
      deserializeWebviewPanel: async (webviewPanel) => {
        panel?.dispose();
        webviewPanel.webview.options = webviewOptions(deps.extensionUri);
        adopt(webviewPanel);
      },
    }),
    { dispose: () => panel?.dispose() },
  );
}

export class ServiceMapPanel extends Disposable {
  private ready = false;
  private _state: ServiceMapState = {};
  private inflight: AbortController | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastListRefresh: number | undefined;
  private lastSourceLabel: string | undefined;
  private readonly _onDidUpdate = this._register(new vscode.EventEmitter<ServiceMapState>());
  /** Fires after each state sent to the webview (tests wait on it). */
  readonly onDidUpdate = this._onDidUpdate.event;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: Dependencies,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'xray.svg');
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, {
      name: 'serviceMap', title: 'X-Ray Service Map', stylesheet: 'serviceMap.css', blobWorkers: true,
    });
    this._register(panel.webview.onDidReceiveMessage((m: ServiceMapWebviewToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(deps.traces.onDidChange(() => this.onTraceListChange()));
    this._register({
      dispose: () => {
        this.inflight?.abort();
        clearTimeout(this.debounce);
      },
    });
  }

  /** What the webview was last sent. */
  get state(): ServiceMapState {
    return this._state;
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  reveal(): void {
    this.panel.reveal();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  /** Fetches the graph now and sends it. */
  async refresh(): Promise<void> {
    this.inflight?.abort();
    const available = await this.deps.sources.ready();
    if (!available.source) {
      this.send({ message: available.reason });
      return;
    }
    const source = available.source;
    const controller = new AbortController();
    this.inflight = controller;
    this.post({ type: 'busy', busy: true });
    try {
      const graph = await source.getServiceGraph(resolveTimeRange(this.deps.traces.query.range, Date.now()), { signal: controller.signal });
      if (controller.signal.aborted) return;
      this.send({ map: buildServiceMap(graph), sourceLabel: source.label });
    } catch (err) {
      const described = describeSourceError(err, source.label);
      if (described.kind === 'cancelled' || controller.signal.aborted) return;
      this.deps.log.error(`Service graph from ${source.label} failed: ${described.message}`);
      // Keep the last map on screen; the webview shows the reason above it.
      this.send({ ...this._state, message: `The service graph could not be fetched: ${described.message}` });
    } finally {
      if (this.inflight === controller) {
        this.inflight = undefined;
        this.post({ type: 'busy', busy: false });
      }
    }
  }

  private onMessage(message: ServiceMapWebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.refresh();
        break;
      case 'refresh':
        void this.refresh();
        break;
      case 'filterTraces':
        void this.filterTraces(message.selection);
        break;
      case 'webviewFailure':
        this.deps.log.error(`Service map webview: ${message.message}`);
        break;
      case 'openSource':
        break; // the map has no source locations
    }
  }

  private async filterTraces(selection: MapSelection): Promise<void> {
    const map = this._state.map;
    const expression = map ? filterExpressionFor(map, selection) : undefined;
    if (!expression) {
      this.post({ type: 'error', message: 'That node or edge is no longer on the map.' });
      return;
    }
    try {
      // The command shows the service's refusal itself; the map says it too, beside the button.
      const outcome = await vscode.commands.executeCommand<QueryOutcome | undefined>(FILTER_TRACES_COMMAND, expression);
      if (outcome && !outcome.ok && outcome.error.kind !== 'cancelled') this.post({ type: 'error', message: `Could not filter the traces: ${outcome.error.message}` });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`Filtering traces by ${expression} failed: ${message}`);
      this.post({ type: 'error', message: `Could not filter the traces: ${message}` });
    }
  }

  /** The list refreshed (new traces, another source): fetch the graph again, at most once a second. */
  private onTraceListChange(): void {
    const { refreshedAt, sourceLabel } = this.deps.traces.state;
    if (refreshedAt === this.lastListRefresh && sourceLabel === this.lastSourceLabel) return; // only loading toggled
    this.lastListRefresh = refreshedAt;
    this.lastSourceLabel = sourceLabel;
    if (!this.ready) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  private send(state: ServiceMapState): void {
    this._state = state;
    this.post({ type: 'state', state });
    this._onDidUpdate.fire(state);
  }

  private post(message: ServiceMapHostToWebview): void {
    if (!this.ready || this.isDisposed) return;
    void this.panel.webview.postMessage(message);
  }
}

/**
 * The filter expression for a node or an edge: `service("name")`, `edge("a", "b")`, with the type too
 * (`id(name: …, type: …)`) where two services on the map share a name. A client node, and an edge from it,
 * stand for the entry service's own requests: its traces are the service's.
 */
export function filterExpressionFor(map: ServiceMap, selection: MapSelection): string | undefined {
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  const services = map.nodes.filter((n) => n.kind !== 'client');
  const named = (node: MapNode): NamedService =>
    services.filter((n) => n.name === node.name).length > 1 ? { name: node.name, type: node.type } : { name: node.name };
  const service = (node: MapNode) => {
    const { name, type } = named(node);
    return serviceFilter(name, type);
  };
  if (selection.kind === 'node') {
    const node = byId.get(selection.id);
    return node ? service(node) : undefined;
  }
  const edge = map.edges.find((e) => e.id === selection.id);
  const source = edge && byId.get(edge.source);
  const target = edge && byId.get(edge.target);
  if (!source || !target) return undefined;
  return source.kind === 'client' ? service(target) : edgeFilter(named(source), named(target));
}
