// "X-Ray: Why No Data?": refreshes the list, gathers what the collector and the list know, runs the checks
// (src/sources/noDataDiagnosis.ts), writes the whole report to the log and shows the first problem with the
// buttons that fix it. The command returns the findings (tests read them); the fixes are a command of their own.
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { probeCollector, readCollectorStatus, type CollectorIdentity } from '../../collector/localCollector';
import { readSettings } from '../../platform/config';
import { Disposable } from '../../platform/disposable';
import { formatHostPort, parseHostPort } from '../../sources/address';
import { diagnoseNoData, type CollectorFacts, type FrameFacts, type NoDataFacts, type NoDataFinding, type NoDataFix } from '../../sources/noDataDiagnosis';
import { describeTimeRange } from '../../xray/timeRange';
import type { CollectorService } from '../collector/collectorService';
import { SET_UP_TRACING_COMMAND } from '../instrumentation/registerInstrumentation';
import { SELECT_SOURCE_COMMAND } from '../statusBar/sourceStatusBar';
import type { LatencyIndexService } from '../latencyLens/latencyIndexService';
import type { TraceListModel } from '../traceTree/traceListModel';

export const WHY_NO_DATA_COMMAND = 'xrayLens.whyNoData';
/** Carries out one fix (the buttons of the report call it; so can tests). Not in the palette. */
export const APPLY_NO_DATA_FIX_COMMAND = 'xrayLens.applyNoDataFix';

const FIX_LABELS: Record<NoDataFix, string> = {
  turnOnCollector: 'Turn On the Collector',
  useAnotherPort: 'Use Another Port',
  retryCollector: 'Retry',
  copyEnvironment: 'Copy Environment Variables',
  setUpTracing: 'Set Up Tracing…',
  showLog: 'Show Log',
  setTimeRange: 'Set Time Range…',
  clearFilter: 'Clear Filter',
  selectSource: 'Choose Trace Source…',
  addPathMapping: 'Add Path Mapping',
  openFolder: 'Add Folder to Workspace…',
};
/** How long the check waits for the latency lens to map the listed traces' frames. */
const LENS_WAIT_MS = 15_000;
const SHOW_REPORT = 'Show Full Report';

export interface WhyNoDataDeps {
  collector: CollectorService;
  traces: TraceListModel;
  /** The latency lens's index: what it made of the listed traces' stack frames. */
  lens: LatencyIndexService;
  log: vscode.LogOutputChannel;
}

export class WhyNoData extends Disposable {
  constructor(private readonly deps: WhyNoDataDeps) {
    super();
    this._register(vscode.commands.registerCommand(WHY_NO_DATA_COMMAND, () => this.run()));
    this._register(vscode.commands.registerCommand(APPLY_NO_DATA_FIX_COMMAND, (fix: NoDataFix) => this.apply(fix)));
  }

  /** Runs the checks (with progress: the list is refreshed first), reports them, and returns the findings. */
  async run(): Promise<NoDataFinding[]> {
    const findings = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'X-Ray Lens: checking why no data shows…' },
      async () => {
        // The answer must be about now: a list refreshed a minute ago may miss what just arrived.
        await this.deps.traces.refresh().catch(() => undefined);
        return diagnoseNoData(await this.facts());
      },
    );
    this.deps.log.info(`Why no data? ${findings.length} checks:\n${findings.map((f) => `  ${mark(f)} ${f.message}`).join('\n')}`);
    void this.show(findings);
    return findings;
  }

  private async facts(): Promise<NoDataFacts> {
    const { collector, traces } = this.deps;
    const state = collector.state;
    let facts: CollectorFacts;
    let attachedStatus: CollectorIdentity | undefined;
    switch (state.kind) {
      case 'off':
      case 'starting':
        facts = { kind: state.kind };
        break;
      case 'running':
        facts = { kind: 'running', address: formatHostPort(state.address), counters: collector.counters() };
        break;
      case 'attached':
        // Its counters come from its status endpoint (another process, e.g. `xray-lens collect`, or the collector
        // thread of a window that is closing).
        attachedStatus = await readCollectorStatus(state.address.host, state.address.port);
        facts = { kind: 'attached', address: formatHostPort(state.address), counters: attachedStatus?.counters };
        break;
      case 'failed':
        facts = { kind: 'failed', address: state.address && formatHostPort(state.address), message: state.message, occupant: state.occupant };
        break;
    }
    const list = traces.state;
    return {
      source: list.sourceKind ?? (readSettings().source === 'aws' ? 'aws' : 'local'),
      collector: facts,
      list: {
        listed: list.summaries.length, rangeLabel: describeTimeRange(traces.query.range), filterExpression: traces.filterExpression,
        error: list.error?.message, unavailable: list.unavailable,
      },
      endpoints: this.endpoints(attachedStatus),
      frames: list.summaries.length > 0 ? await this.frames() : undefined,
    };
  }

  /**
   * The frames the lens could not place, and the ones it placed by file name only: the folders common to every
   * workspace folder's index (a frame another root holds is no problem). Undefined with the lens off, not yet asked
   * for, or not built in time.
   */
  private async frames(): Promise<FrameFacts | undefined> {
    const { lens, traces } = this.deps;
    // The frames are the lens's work: looked at once a lens has been asked for (the check does not load tree-sitter
    // itself), and on the local collector only (AWS bills every trace fetched).
    if (!readSettings().lensEnabled || !lens.isStarted || traces.state.sourceKind === 'aws' || !vscode.workspace.workspaceFolders?.length) return undefined;
    const deadline = Date.now() + LENS_WAIT_MS;
    const covers = () => {
      const ids = lens.snapshot?.traceIds;
      return !lens.busy && ids !== undefined && traces.state.summaries.some((s) => ids.has(s.id));
    };
    while (!covers() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const folders = [...(lens.snapshot?.folders.values() ?? [])];
    if (!covers() || folders.length === 0) return undefined;
    const [first, ...rest] = folders;
    const unresolved = first.unresolved.filter((u) => rest.every((f) => f.unresolved.some((o) => o.folder === u.folder)));
    return { suggestions: folders.flatMap((f) => f.pathSuggestions).sort((a, b) => b.frames - a.frames), unresolved };
  }

  /** Where an app should send: the collector in use (ours, or the one attached to), else the setting. */
  private endpoints(attached?: CollectorIdentity): NoDataFacts['endpoints'] {
    const { collector } = this.deps;
    const otlp = collector.otlpEndpoint ?? attached?.otlp;
    return { daemon: collector.endpoint ? formatHostPort(collector.endpoint) : readSettings().collectorAddress, otlp: otlp && formatHostPort(otlp) };
  }

  /** The first problem as a warning with its fixes; or, when every check passed, what was found. */
  private async show(findings: NoDataFinding[]): Promise<void> {
    const first = findings.find((f) => f.status === 'problem') ?? findings.find((f) => f.status === 'note' && f.check === 'frames' && f.fixes.length > 0);
    // Nothing hides the data, but a mapping would make the lenses certain: offered, not warned about.
    if (first?.status === 'note') return this.offer((m, ...items) => vscode.window.showInformationMessage(m, ...items), `X-Ray Lens: no problem found. ${first.message}`, first.fixes);
    if (!first) {
      const choice = await vscode.window.showInformationMessage(`X-Ray Lens: no problem found. ${findings.filter((f) => f.status === 'ok').map((f) => f.message).join(' ')}`, SHOW_REPORT);
      if (choice) this.deps.log.show(true);
      return;
    }
    // The refresh this check ran has shown its failure already, with the buttons for that failure.
    if (first.refreshError) return;
    return this.offer((m, ...items) => vscode.window.showWarningMessage(m, ...items), `X-Ray Lens: ${first.message}`, first.fixes);
  }

  /** `message` with a button per fix and Show Full Report; the fix chosen is carried out. */
  private async offer(show: (message: string, ...items: string[]) => Thenable<string | undefined>, message: string, fixes: NoDataFix[]): Promise<void> {
    const choice = await show(message, ...fixes.map((f) => FIX_LABELS[f]), SHOW_REPORT);
    if (choice === SHOW_REPORT) this.deps.log.show(true);
    const fix = fixes.find((f) => FIX_LABELS[f] === choice);
    if (fix) await this.apply(fix);
  }

  /** Carries out `fix`; returns what it changed, when it changed a setting (the new address, for tests). */
  async apply(fix: NoDataFix): Promise<string | undefined> {
    const { collector, traces, log } = this.deps;
    const config = vscode.workspace.getConfiguration('xrayLens');
    switch (fix) {
      case 'turnOnCollector':
        await config.update('collector.enabled', true, vscode.ConfigurationTarget.Global);
        return undefined;
      case 'useAnotherPort': {
        const current = parseHostPort(readSettings().collectorAddress);
        const host = current.ok ? current.address.host : '127.0.0.1';
        const port = await freeCollectorPort(host);
        const address = formatHostPort({ host, port });
        // Machine-scoped: user settings (a workspace cannot set where the collector listens).
        await config.update('collector.address', address, vscode.ConfigurationTarget.Global);
        void vscode.window.showInformationMessage(`X-Ray Lens: the collector now listens on ${address}. Start your app with AWS_XRAY_DAEMON_ADDRESS=${address}.`, FIX_LABELS.copyEnvironment)
          .then((choice) => choice && this.apply('copyEnvironment'));
        return address;
      }
      case 'retryCollector':
        await collector.restart();
        return undefined;
      case 'copyEnvironment': {
        const { daemon, otlp } = this.endpoints();
        const text = [`AWS_XRAY_DAEMON_ADDRESS=${daemon}`, ...(otlp ? [`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://${otlp}/v1/traces`] : [])].join('\n');
        await vscode.env.clipboard.writeText(text);
        void vscode.window.setStatusBarMessage('X-Ray Lens: copied the environment variables that point an app at the collector', 4000);
        return text;
      }
      case 'setUpTracing':
        await vscode.commands.executeCommand(SET_UP_TRACING_COMMAND);
        return undefined;
      case 'showLog':
        log.show(true);
        return undefined;
      case 'setTimeRange':
        await vscode.commands.executeCommand('xrayLens.setTimeRange');
        return undefined;
      case 'clearFilter':
        await traces.clearFilters();
        return undefined;
      case 'selectSource':
        await vscode.commands.executeCommand(SELECT_SOURCE_COMMAND);
        return undefined;
      case 'openFolder':
        await vscode.commands.executeCommand('workbench.action.addRootFolder');
        return undefined;
      case 'addPathMapping': {
        const suggestion = (await this.frames())?.suggestions[0];
        if (!suggestion) return undefined;
        return addPathMapping(suggestion);
      }
    }
  }
}

/**
 * Adds `from → to` to xrayLens.lens.pathMappings, in the workspace's settings when a folder is open (where the code
 * lives is the workspace's business), in the form the setting already has. Returns the mapping as written.
 */
async function addPathMapping(mapping: { from: string; to: string }): Promise<string> {
  const config = vscode.workspace.getConfiguration('xrayLens');
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = config.inspect<unknown>('lens.pathMappings');
  const current = target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue;
  const next = Array.isArray(current)
    ? [...current, { from: mapping.from, to: mapping.to }]
    : { ...(current && typeof current === 'object' ? (current as Record<string, string>) : {}), [mapping.from]: mapping.to };
  await config.update('lens.pathMappings', next, target);
  void vscode.window.setStatusBarMessage(`X-Ray Lens: frames under ${mapping.from} now map to ${mapping.to}`, 4000);
  return `${mapping.from}=${mapping.to}`;
}

function mark(finding: NoDataFinding): string {
  return finding.status === 'ok' ? '✓' : finding.status === 'problem' ? '✗' : '·';
}

/** A port free for both the collector's UDP socket and its HTTP server on `host`: one the OS gives for TCP, kept if its UDP twin is free too. */
async function freeCollectorPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer().once('error', reject).listen(0, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && (await probeCollector(host, port)) === 'free') return port;
  }
  throw new Error(`no free port on ${host} for both UDP and TCP`);
}
