// Composition root: build the services, register them, push every disposable, return the API.
import * as vscode from 'vscode';
import { CollectorService } from './features/collector/collectorService';
import { WhyNoData } from './features/diagnosis/whyNoData';
import { Instrumentation } from './features/instrumentation/registerInstrumentation';
import { LatencyLens } from './features/latencyLens/registerLatencyLens';
import { selectProfile, selectRegion } from './features/sources/awsPickers';
import { TraceFiles } from './features/sources/traceFiles';
import { TraceSourceManager } from './features/sources/traceSourceManager';
import { registerServiceMap } from './features/serviceMap/serviceMapPanel';
import { SELECT_SOURCE_COMMAND, SourceStatusBar } from './features/statusBar/sourceStatusBar';
import { TimelinePanels } from './features/timeline/timelinePanel';
import { registerTraceRefresh } from './features/traceTree/traceRefresh';
import { TraceListModel } from './features/traceTree/traceListModel';
import { OPEN_FRAME_COMMAND, TraceTreeProvider, type TraceTreeNode } from './features/traceTree/traceTreeProvider';
import { openStackFrame } from './features/traceTree/openStackFrame';
import { registerRefreshFeedback } from './features/traceTree/refreshFeedback';
import { FilterEditor } from './features/traceTree/filterEditor';
import { FilterHistory } from './features/traceTree/filterHistory';
import { FILTER_TRACES_COMMAND, filterTraces, setTimeRange } from './features/traceTree/traceQueryCommands';

/** What activate() returns: used by the extension's own tests in a real VS Code, and by other extensions. */
export interface XrayLensApi {
  readonly collector: CollectorService;
  readonly traces: TraceListModel;
  readonly traceTree: TraceTreeProvider;
  /** Trace files opened as the source, and exports (its drop handler is the Traces view's). */
  readonly traceFiles: TraceFiles;
  /** CodeLens latency hints, hovers and X-Ray problems. */
  readonly latencyLens: LatencyLens;
  /** The status bar item: which source, how much, and the collector's counters in its tooltip. */
  readonly statusBar: SourceStatusBar;
  /** Milliseconds spent inside activate() (the collector binds after it returns). */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): XrayLensApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('X-Ray Lens', { log: true });
  const collector = new CollectorService(log);
  const sources = new TraceSourceManager(collector, log);
  const traces = new TraceListModel(sources, log);
  const traceTree = new TraceTreeProvider(traces);
  const latencyLens = new LatencyLens(traces, context.extensionPath, log);
  const traceFiles = new TraceFiles(sources, traces, log);
  const treeView = vscode.window.createTreeView<TraceTreeNode>('xrayLens.traces', {
    treeDataProvider: traceTree,
    showCollapseAll: true,
    // A trace file dropped on the view opens as the source.
    dragAndDropController: traceFiles.dragAndDrop,
  });
  const statusBar = new SourceStatusBar(collector, traces);
  const filterHistory = new FilterHistory(context.globalState);

  context.subscriptions.push(
    log,
    collector,
    sources,
    traces,
    traceFiles,
    traceTree,
    latencyLens,
    treeView,
    statusBar,
    registerServiceMap({ extensionUri: context.extensionUri, traces, sources, log }),
    new TimelinePanels(context.extensionUri, sources, log),
    new Instrumentation(context.extensionPath, log),
    registerTraceRefresh(treeView, traces, collector, sources),
    new WhyNoData({ collector, traces, lens: latencyLens.service, log }),
    registerRefreshFeedback(traces, log),
    vscode.commands.registerCommand('xrayLens.refresh', () => traces.refresh()),
    new FilterEditor(traces, filterHistory),
    vscode.commands.registerCommand(FILTER_TRACES_COMMAND, (expression?: unknown) => filterTraces(traces, filterHistory, expression)),
    vscode.commands.registerCommand('xrayLens.clearTraceFilter', () => traces.clearFilters()),
    vscode.commands.registerCommand('xrayLens.setTimeRange', (range?: unknown) => setTimeRange(traces, range)),
    vscode.commands.registerCommand(SELECT_SOURCE_COMMAND, () => sources.pickSource()),
    vscode.commands.registerCommand('xrayLens.selectProfile', (name?: unknown) => selectProfile(name)),
    vscode.commands.registerCommand('xrayLens.selectRegion', (region?: unknown) => selectRegion(region)),
    vscode.commands.registerCommand(OPEN_FRAME_COMMAND, openStackFrame),
    vscode.commands.registerCommand('xrayLens.restartCollector', () => collector.restart()),
    vscode.commands.registerCommand('xrayLens.showLog', () => log.show()),
    vscode.commands.registerCommand('xrayLens.showCollectorCounters', () => {
      const counters = collector.counters();
      log.info(`Collector: ${collector.describeCounters()}`);
      if (counters) log.info(`Collector counters: ${JSON.stringify(counters)}`);
      log.show(true);
      return counters;
    }),
    vscode.commands.registerCommand('xrayLens.copyTraceId', async (node?: TraceTreeNode) => {
      if (node?.type !== 'trace') return;
      await vscode.env.clipboard.writeText(node.summary.id);
      void vscode.window.setStatusBarMessage(`Copied ${node.summary.id}`, 3000);
    }),
    vscode.commands.registerCommand('xrayLens.gettingStarted', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#xrayLens.gettingStarted`, false),
    ),
  );
  void collector.start();
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);
  return { collector, traces, traceTree, traceFiles, latencyLens, statusBar, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
