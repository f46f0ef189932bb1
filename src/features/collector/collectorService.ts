// Runs the embedded local collector inside the extension host, or attaches to an X-Ray Lens collector
// already listening on the configured address (e.g. `xray-lens collect` in a terminal).
import * as vscode from 'vscode';
import { CollectorThread } from '../../collector/collectorThread';
import { CollectorAddressInUseError, describeCounters, probeCollector, type AddressOccupant, type CollectorCounters } from '../../collector/localCollector';
import { affectsSettings, readSettings } from '../../platform/config';
import { Disposable } from '../../platform/disposable';
import { formatHostPort, parseHostPort, type HostPort } from '../../sources/address';

export type CollectorState =
  | { kind: 'off' }
  | { kind: 'starting'; address: HostPort }
  | { kind: 'running'; address: HostPort }
  | { kind: 'attached'; address: HostPort }
  /** `occupant`: when the address was taken, by whom (`other`: a program that is not X-Ray Lens). */
  | { kind: 'failed'; address?: HostPort; message: string; occupant?: AddressOccupant };

export class CollectorService extends Disposable {
  /** On a thread of its own: a flood of segments never waits on, or delays, the extension host. */
  private collector: CollectorThread | undefined;
  private collectorSubscription: { dispose(): void } | undefined;
  private _state: CollectorState = { kind: 'off' };
  /** Starts and stops run one after another: two binds racing for one port would each see the other. */
  private queue: Promise<void> = Promise.resolve();

  private readonly _onDidChangeState = this._register(new vscode.EventEmitter<CollectorState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  /** Fires (batched by the collector) when new segment documents were stored. */
  private readonly _onDidReceive = this._register(new vscode.EventEmitter<void>());
  readonly onDidReceive = this._onDidReceive.event;
  /** Fires when an SDK reported its sampling statistics (requests, traced). */
  private readonly _onDidReportSampling = this._register(new vscode.EventEmitter<void>());
  readonly onDidReportSampling = this._onDidReportSampling.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, 'collector')) void this.restart();
      }),
    );
    this._register({ dispose: () => void this.enqueue(() => this.stopCurrent()) });
  }

  get state(): CollectorState {
    return this._state;
  }

  /** The endpoint readers use: our own collector or the one we attached to. */
  get endpoint(): HostPort | undefined {
    const s = this._state;
    return s.kind === 'running' || s.kind === 'attached' ? s.address : undefined;
  }

  /** What the embedded collector received, kept and refused (undefined when attached to another one). */
  counters(): CollectorCounters | undefined {
    return this.collector?.counters();
  }

  /** The counters as one line for people, or why there are none here. */
  describeCounters(): string {
    const counters = this.counters();
    if (counters) return describeCounters(counters);
    const s = this._state;
    return s.kind === 'attached'
      ? `attached to the X-Ray Lens collector on ${formatHostPort(s.address)}: its counters are in its own output`
      : 'the local collector is not running';
  }

  /** Where OpenTelemetry apps send OTLP/HTTP, when our own collector runs a receiver. */
  get otlpEndpoint(): HostPort | undefined {
    return this.collector?.otlpAddress;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopCurrent();
      await this.startNow();
    });
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation);
    this.queue = next.catch((err) => this.log.error(`Local collector: ${err instanceof Error ? err.message : String(err)}`));
    return this.queue;
  }

  private async startNow(): Promise<void> {
    if (this.isDisposed || this.collector) return;
    const settings = readSettings();
    if (!settings.collectorEnabled) {
      this.setState({ kind: 'off' });
      return;
    }
    const parsed = parseHostPort(settings.collectorAddress);
    if (!parsed.ok) {
      this.fail(undefined, `xrayLens.collector.address: ${parsed.message}`);
      return;
    }
    const address = parsed.address;
    // OTLP is optional: an empty setting turns it off; a bad one is reported but the daemon port still runs.
    const otlpText = settings.collectorOtlpAddress.trim();
    const otlp = otlpText ? parseHostPort(otlpText) : undefined;
    if (otlp && !otlp.ok) this.warn(`xrayLens.collector.otlpAddress: ${otlp.message}. OpenTelemetry over OTLP/HTTP is off.`);
    this.setState({ kind: 'starting', address });
    try {
      const collector = await CollectorThread.start({
        host: address.host,
        port: address.port,
        sampleAll: settings.collectorSampleAll,
        maxTraces: settings.collectorMaxTraces,
        maxBytes: settings.collectorMaxMegabytes * 1024 * 1024,
        ...(otlp?.ok ? { otlpHost: otlp.address.host, otlpPort: otlp.address.port } : {}),
        otelIndexedAttributes: settings.otelIndexedAttributes,
        log: (line) => this.log.debug(`[collector] ${line}`),
      });
      if (this.isDisposed) {
        await collector.close();
        return;
      }
      this.collector = collector;
      const received = collector.onDidChange(() => this._onDidReceive.fire());
      const reported = collector.onDidReportSampling(() => this._onDidReportSampling.fire());
      // A thread that ends on its own took the sockets with it: say so (Retry starts it again), never show "running".
      const exited = collector.onDidExit((code) => {
        if (this.collector !== collector) return;
        this.collectorSubscription?.dispose();
        this.collectorSubscription = undefined;
        this.collector = undefined;
        this.fail(address, `the collector stopped unexpectedly (its thread exited with code ${code})`);
      });
      this.collectorSubscription = { dispose: () => (received.dispose(), reported.dispose(), exited.dispose()) };
      this.log.info(`Local collector listening on ${formatHostPort(address)} (UDP segments, HTTP sampling + read API)`);
      if (collector.otlpAddress) this.log.info(`OpenTelemetry: OTLP/HTTP on http://${formatHostPort(collector.otlpAddress)}/v1/traces`);
      if (collector.otlpError) this.warn(collector.otlpError);
      this.setState({ kind: 'running', address });
    } catch (err) {
      if (err instanceof CollectorAddressInUseError && err.occupant === 'xray-lens') {
        this.log.info(`An X-Ray Lens collector already listens on ${formatHostPort(address)}: attaching to it.`);
        this.setState({ kind: 'attached', address });
        return;
      }
      if (err instanceof CollectorAddressInUseError) {
        // Double-check: the occupant may have been one of ours that was still starting.
        if ((await probeCollector(address.host, address.port)) === 'xray-lens') {
          this.setState({ kind: 'attached', address });
          return;
        }
      }
      this.fail(address, err instanceof Error ? err.message : String(err), err instanceof CollectorAddressInUseError ? err.occupant : undefined);
    }
  }

  private async stopCurrent(): Promise<void> {
    this.collectorSubscription?.dispose();
    this.collectorSubscription = undefined;
    const c = this.collector;
    this.collector = undefined;
    if (c) {
      const counters = c.counters();
      this.log.info(`Local collector stopped: ${JSON.stringify(counters)}`);
      await c.close();
    }
    if (!this.isDisposed) this.setState({ kind: 'off' });
  }

  /** A problem that leaves the collector running: said once, with the way out. */
  private warn(message: string): void {
    this.log.warn(message);
    void vscode.window.showWarningMessage(`X-Ray Lens: ${message}`, 'Open Setting').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'xrayLens.collector.otlpAddress');
    });
  }

  private fail(address: HostPort | undefined, message: string, occupant?: AddressOccupant): void {
    this.log.error(`Local collector: ${message}`);
    this.setState({ kind: 'failed', address, message, ...(occupant ? { occupant } : {}) });
    void vscode.window
      .showErrorMessage(`X-Ray Lens could not start the local collector: ${message}`, 'Choose Another Port', 'Retry')
      .then((choice) => {
        if (choice === 'Choose Another Port') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'xrayLens.collector.address');
        } else if (choice === 'Retry') {
          void this.restart();
        }
      });
  }

  private setState(state: CollectorState): void {
    this._state = state;
    this._onDidChangeState.fire(state);
  }
}
