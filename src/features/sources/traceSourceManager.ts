// Owns the active TraceSource: the local collector's endpoint (default) or AWS X-Ray with the SDK's
// default credential chain. Recreated when the settings or the collector's address change.
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

export class TraceSourceManager extends Disposable {
  private source: TraceSource | undefined;
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
        if (affectsSettings(e, 'source', 'aws')) this.reset();
      }),
    );
    this._register(
      collector.onDidChangeState(() => {
        if (readSettings().source === 'local') this.reset();
      }),
    );
    this._register({ dispose: () => this.source?.dispose() });
  }

  get kind(): 'local' | 'aws' {
    return readSettings().source;
  }

  /** current(), once the AWS profile's default region has been read (when no region is set). */
  async ready(): Promise<SourceAvailability> {
    // The profile can change while its region is read (Select AWS Profile writes two settings): a region read
    // for another profile is not used, and the current profile's is read again.
    for (;;) {
      const settings = readSettings();
      if (this.source || settings.source !== 'aws' || settings.awsRegion || this.awsRegion?.profile === settings.awsProfile) return this.current();
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
    if (settings.source === 'local') {
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
    for (const item of items) item.picked = item.value === settings.source;
    const choice = await vscode.window.showQuickPick(items, { title: 'X-Ray: Select Trace Source', placeHolder: `Current: ${settings.source}` });
    if (!choice || choice.value === settings.source) return;
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('source', choice.value, vscode.ConfigurationTarget.Global);
  }

  private reset(): void {
    this.source?.dispose();
    this.source = undefined;
    this.awsRegion = undefined;
    this._onDidChange.fire();
  }
}
