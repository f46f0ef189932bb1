// Owns the active TraceSource: the local collector's endpoint (default) or AWS X-Ray with the SDK's
// default credential chain, or, while one is open, a trace file (served by its own read API on loopback).
// Recreated when the settings or the collector's address change.
import * as vscode from 'vscode';
import { affectsSettings, readSettings, SETTINGS_SECTION } from '../../platform/config';
import { Disposable } from '../../platform/disposable';
import { formatHostPort } from '../../sources/address';
import { loadXrayApiSource } from '../../sources/loadXrayApiSource';
import type { TraceSource } from '../../sources/traceSource';
import type { CollectorService } from '../collector/collectorService';

/** The local collector does not check signatures; the SDK still signs, so it gets fixed, fake keys. */
const LOCAL_CREDENTIALS = { accessKeyId: 'xray-lens-local', secretAccessKey: 'xray-lens-local' };
const LOCAL_REGION = 'us-east-1';

export type SourceAvailability = { source: TraceSource } | { source: undefined; reason: string };

/** A trace file shown instead of the configured source (X-Ray: Open Trace File…). */
export interface OpenTraceFile {
  /** The file's name, for labels. */
  readonly name: string;
  readonly uri: vscode.Uri;
  readonly traces: number;
  readonly endpoint: { host: string; port: number };
  close(): Promise<void>;
}

export class TraceSourceManager extends Disposable {
  private source: TraceSource | undefined;
  private file: OpenTraceFile | undefined;
  /** The default region of the profile it was read for (by ready()). */
  private awsRegion: { profile: string; region: string } | undefined;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly collector: CollectorService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Choosing a source or an AWS profile means that source: an open trace file makes way for it.
        if (!affectsSettings(e, 'source', 'aws')) return;
        // Now, not a turn later: the trace list refreshes on the same change and must see the new source.
        if (this.file) void this.setFile(undefined);
        else this.reset();
      }),
    );
    this._register(
      collector.onDidChangeState(() => {
        if (readSettings().source === 'local' && !this.file) this.reset();
      }),
    );
    this._register({
      dispose: () => {
        this.source?.dispose();
        void this.file?.close();
      },
    });
  }

  get kind(): 'local' | 'aws' {
    return readSettings().source;
  }

  /** The trace file shown instead of the configured source, if one is open. */
  get openFile(): OpenTraceFile | undefined {
    return this.file;
  }

  /** Shows `file` instead of the configured source (undefined: back to it); a file open before is closed. */
  async setFile(file: OpenTraceFile | undefined): Promise<void> {
    const previous = this.file;
    if (!previous && !file) return;
    this.file = file;
    this.reset();
    await previous?.close();
  }

  /** current(), once the AWS profile's default region has been read (when no region is set). */
  async ready(): Promise<SourceAvailability> {
    // The profile can change while its region is read (Select AWS Profile writes two settings): a region read
    // for another profile is not used, and the current profile's is read again.
    for (;;) {
      const settings = readSettings();
      if (this.source || this.file || settings.source !== 'aws' || settings.awsRegion || this.awsRegion?.profile === settings.awsProfile) return this.current();
      const profile = settings.awsProfile;
      const region = await loadXrayApiSource()
        .defaultRegion(profile || undefined)
        .catch(() => 'us-east-1'); // an unreadable config file: the source itself reports it on first use
      this.awsRegion = { profile, region };
    }
  }

  /** The source to read from, created on first use (this is when the AWS SDK is loaded). */
  current(): SourceAvailability {
    if (this.source) return { source: this.source };
    const settings = readSettings();
    if (this.file) {
      // Read like a collector: the same read API, no signature checked.
      this.source = loadXrayApiSource().createXrayApiSource({
        kind: 'local',
        label: `file ${this.file.name}`,
        region: LOCAL_REGION,
        endpoint: `http://${formatHostPort(this.file.endpoint)}`,
        staticCredentials: LOCAL_CREDENTIALS,
      });
    } else if (settings.source === 'local') {
      const endpoint = this.collector.endpoint;
      if (!endpoint) {
        const state = this.collector.state;
        return {
          source: undefined,
          reason:
            state.kind === 'failed'
              ? `The local collector is not running: ${state.message}`
              : state.kind === 'off'
                ? 'The local collector is turned off (xrayLens.collector.enabled).'
                : 'The local collector is starting…',
        };
      }
      this.source = loadXrayApiSource().createXrayApiSource({
        kind: 'local',
        label: `local :${endpoint.port}`,
        region: LOCAL_REGION,
        endpoint: `http://${formatHostPort(endpoint)}`,
        staticCredentials: LOCAL_CREDENTIALS,
      });
    } else {
      // Without a region setting the profile's own region applies; reading it is asynchronous (ready()).
      const region = settings.awsRegion || (this.awsRegion?.profile === settings.awsProfile ? this.awsRegion.region : undefined);
      if (!region) return { source: undefined, reason: 'Reading the AWS profile…' };
      const profile = settings.awsProfile || undefined;
      this.source = loadXrayApiSource().createXrayApiSource({
        kind: 'aws',
        label: `AWS ${region}${profile ? ` (${profile})` : ''}`,
        region,
        profile,
        endpoint: settings.awsEndpointUrl || undefined,
        maxRequestsPerSecond: settings.awsMaxRequestsPerSecond,
        giveUpAfterMs: settings.awsGiveUpAfterSeconds * 1000,
        log: (line) => this.log.info(line),
      });
    }
    return { source: this.source };
  }

  async pickSource(): Promise<void> {
    const settings = readSettings();
    const local = this.collector.endpoint ?? this.collector.state;
    const localDetail = 'host' in local ? `embedded collector on ${formatHostPort(local)}` : 'embedded collector (not running)';
    type Item = vscode.QuickPickItem & { value: 'local' | 'aws' };
    const items: Item[] = [
      { value: 'local', label: '$(server-process) Local collector', description: localDetail, detail: 'Apps on this machine send segments over UDP; no AWS account needed.' },
      {
        value: 'aws',
        label: '$(cloud) AWS X-Ray',
        description: `${settings.awsProfile || 'default credentials'} · ${settings.awsRegion || process.env.AWS_REGION || 'us-east-1'}`,
        detail: 'Recent traces from your AWS account (the AWS SDK default credential chain).',
      },
    ];
    for (const item of items) item.picked = !this.file && item.value === settings.source;
    const current = this.file ? `the trace file ${this.file.name}` : settings.source;
    const choice = await vscode.window.showQuickPick(items, { title: 'X-Ray: Select Trace Source', placeHolder: `Current: ${current}` });
    if (!choice) return;
    // Picking the configured source again while a file is shown goes back to it.
    if (choice.value === settings.source) return this.setFile(undefined);
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('source', choice.value, vscode.ConfigurationTarget.Global);
  }

  private reset(): void {
    this.source?.dispose();
    this.source = undefined;
    this.awsRegion = undefined;
    this._onDidChange.fire();
  }
}
