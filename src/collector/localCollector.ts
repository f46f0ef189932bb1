// The embedded local collector: the X-Ray daemon's address (UDP segments + TCP sampling) plus the X-Ray read
// API, sampling rules and groups on the same TCP port, so the extension, the CLI and @aws-sdk/client-xray all
// use it like AWS; and OpenTelemetry's OTLP/HTTP on a port of its own, into the same store.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createDaemonHttpServer, type DaemonHttpServer, type HttpCounters, type JsonHandler } from './daemonHttpServer';
import { startOtlpHttpReceiver, type OtlpHttpReceiver } from './otlpHttpReceiver';
import { OtlpIntake, type OtlpCounters } from './otlpIntake';
import { readApiRoutes } from './readApi';
import { describeSampling, SamplingEndpoints, type SamplingCounters } from './samplingEndpoints';
import { TraceGroupBook, traceGroupRoutes } from './traceGroups';
import { TraceStore, type StoreCounters } from './traceStore';
import { bindUdpReceiver, type DatagramResult, type UdpReceiver } from './udpReceiver';

export interface CollectorOptions {
  /** Default 127.0.0.1: loopback only, nothing on the network can send or read traces. */
  host?: string;
  /** Default 2000, the daemon's port. 0 picks a port that is free for both UDP and TCP. */
  port?: number;
  /** Sampling rules that trace every request instead of 1/s + 5 %. */
  sampleAll?: boolean;
  maxTraces?: number;
  maxBytes?: number;
  /**
   * OTLP/HTTP (POST /v1/traces) on this port of `otlpHost`; 0 picks a free port; unset, none. ADOT's UDP
   * format on `port` is read either way. A port that is taken does not stop the collector: see `otlpError`.
   */
  otlpPort?: number;
  /** Default: `host`. */
  otlpHost?: string;
  /** OpenTelemetry span attributes recorded as annotations (searchable); the others go to metadata. */
  otelIndexedAttributes?: string[];
  /** Every string, number and boolean OpenTelemetry attribute becomes an annotation. */
  otelIndexAllAttributes?: boolean;
  log?: (line: string) => void;
}

export interface CollectorCounters extends StoreCounters {
  sampling: SamplingCounters;
  http: HttpCounters;
  /** Errors the sockets reported after binding (e.g. accept failing with EMFILE): logged, never thrown. */
  socketErrors: { udp: number; http: number };
  /** OpenTelemetry intake, OTLP/HTTP and ADOT's UDP format together. */
  otlp: OtlpCounters;
}

/** One line for people: what the collector received, kept and refused (the CLI prints it; so does the extension's log). */
export function describeCounters(c: CollectorCounters): string {
  const reasons = Object.entries(c.rejectedByReason).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const otlp = c.otlp.requests > 0
    ? `, OTLP: ${c.otlp.requests} requests (${c.otlp.refusedRequests} refused), spans ${c.otlp.spansAccepted} accepted, ${c.otlp.spansRejected} rejected`
    : '';
  // `queued` is absent from a collector of an earlier version answering the status request.
  const queued = c.queued ? ` (${c.queued} not yet checked)` : '';
  return `received ${c.received}${queued}, accepted ${c.accepted}, rejected ${c.rejected}${reasons ? ` (${reasons})` : ''}, `
    + `traces ${c.traces}, evicted ${c.evicted}, ${(c.approximateBytes / 1024).toFixed(0)} KiB${otlp}; ${describeSampling(c.sampling)}`;
}

/** What GET /xray-lens/status answers; `probeCollector` recognises a collector by `service`. */
export interface CollectorIdentity {
  service: 'xray-lens';
  version: string;
  host: string;
  port: number;
  /** Where OTLP/HTTP is received, when it is. */
  otlp?: { host: string; port: number };
  startedAt: number;
  counters: CollectorCounters;
}

export const STATUS_PATH = '/xray-lens/status';

export type AddressOccupant = 'xray-lens' | 'other';

export class CollectorAddressInUseError extends Error {
  constructor(readonly host: string, readonly port: number, readonly occupant: AddressOccupant) {
    super(occupant === 'xray-lens'
      ? `${host}:${port} is in use by another X-Ray Lens collector (for example \`xray-lens collect\`); `
        + 'read from it, stop it, or set xrayLens.collector.address to another port.'
      : `${host}:${port} is in use by another program (an X-Ray daemon or another collector?); `
        + 'stop it or set xrayLens.collector.address to another port (and AWS_XRAY_DAEMON_ADDRESS for your app).');
    this.name = 'CollectorAddressInUseError';
  }
}

/** Change events are batched: a busy app would otherwise wake every listener once per datagram. */
const CHANGE_EVENT_INTERVAL_MS = 250;
const PICK_PORT_ATTEMPTS = 20;

export class LocalCollector {
  readonly store: TraceStore;
  readonly otlp: OtlpIntake;
  /** Why OTLP/HTTP was asked for but is not received (e.g. the port is taken); undefined otherwise. */
  otlpError: string | undefined;
  private otlpReceiver: OtlpHttpReceiver | undefined;
  private readonly sampling: SamplingEndpoints;
  /** Groups live in memory, as the user's sampling rules do (in `sampling`): a restart starts without them. */
  private readonly groups = new TraceGroupBook();
  private readonly listeners = new Set<(e: { traceIds: string[] }) => void>();
  private readonly reportListeners = new Set<() => void>();
  private changed = new Set<string>();
  private changeTimer: NodeJS.Timeout | undefined;
  private lastChangeEvent = 0;
  private udp: UdpReceiver | undefined;
  private http: DaemonHttpServer | undefined;
  private closed = false;
  private readonly startedAt = Date.now();
  private readonly log: (line: string) => void;
  private readonly socketErrors = { udp: 0, http: 0 };

  private constructor(readonly host: string, private boundPort: number, options: CollectorOptions) {
    this.log = options.log ?? (() => undefined);
    this.store = new TraceStore(options, (traceId) => this.traceChanged(traceId));
    this.otlp = new OtlpIntake(this.store, { indexedAttributes: options.otelIndexedAttributes, indexAllAttributes: options.otelIndexAllAttributes });
    this.sampling = new SamplingEndpoints(options.sampleAll ?? false, this.startedAt, () => this.store.entryServiceNames(), () => {
      for (const listener of [...this.reportListeners]) listener();
    });
  }

  static async start(options: CollectorOptions = {}): Promise<LocalCollector> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 2000;
    const collector = new LocalCollector(host, port, options);
    await collector.bind(port);
    collector.log(`xray-lens collector listening on ${host}:${collector.port} (UDP segments, HTTP sampling + X-Ray API)`);
    if (options.otlpPort !== undefined) await collector.bindOtlp(options.otlpHost ?? host, options.otlpPort);
    return collector;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Where OTLP/HTTP is received (POST /v1/traces), or undefined when it is not. */
  get otlpAddress(): { host: string; port: number } | undefined {
    return this.otlpReceiver && { host: this.otlpReceiver.host, port: this.otlpReceiver.port };
  }

  private async bindOtlp(host: string, port: number): Promise<void> {
    try {
      this.otlpReceiver = await startOtlpHttpReceiver(this.otlp, { host, port, log: this.log });
      this.log(`xray-lens collector receiving OTLP/HTTP on http://${host}:${this.otlpReceiver.port}/v1/traces`);
    } catch (error) {
      // The X-Ray daemon half stays useful without OTLP, so a taken port is reported, not thrown.
      this.otlpError = isAddressInUse(error)
        ? `${host}:${port} is in use by another program (an OpenTelemetry Collector or agent?), so OpenTelemetry apps `
          + 'cannot send OTLP/HTTP here: stop it or set xrayLens.collector.otlpAddress to another port '
          + '(and OTEL_EXPORTER_OTLP_ENDPOINT for your app).'
        : `cannot receive OTLP/HTTP on ${host}:${port}: ${(error as Error).message}`;
      this.log(`otlp: ${this.otlpError}`);
    }
  }

  private async bind(port: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const udp = await bindUdpReceiver(this.host, port, (d) => this.receive(d), (e) => this.socketError('udp', e))
        .catch((error: NodeJS.ErrnoException) => this.rethrowBindError(error, port));
      const boundPort = (udp.socket.address() as AddressInfo).port;
      const server = this.createHttpServer();
      try {
        await listen(server.server, this.host, boundPort);
      } catch (error) {
        await udp.close();
        // With port 0 the kernel chose a UDP port whose TCP twin is taken: try another one.
        if (port === 0 && isAddressInUse(error) && attempt < PICK_PORT_ATTEMPTS) continue;
        return this.rethrowBindError(error as NodeJS.ErrnoException, boundPort);
      }
      // From here on an 'error' without a listener would be thrown and take the extension host down.
      server.server.on('error', (error) => this.socketError('http', error));
      this.udp = udp;
      this.http = server;
      this.boundPort = boundPort;
      return;
    }
  }

  private socketError(socket: 'udp' | 'http', error: Error): void {
    this.socketErrors[socket]++;
    this.log(`${socket}: ${error.message}`);
  }

  private async rethrowBindError(error: NodeJS.ErrnoException, port: number): Promise<never> {
    if (!isAddressInUse(error)) throw error;
    const occupant = await probeCollector(this.host, port);
    throw new CollectorAddressInUseError(this.host, port, occupant === 'xray-lens' ? 'xray-lens' : 'other');
  }

  private createHttpServer(): DaemonHttpServer {
    const routes = new Map<string, JsonHandler>([
      // The SDKs' poll and the API's GetSamplingRules are one route, with one answer.
      ['POST /GetSamplingRules', this.sampling.getSamplingRules],
      ['POST /SamplingTargets', this.sampling.samplingTargets],
      ['POST /CreateSamplingRule', this.sampling.createSamplingRule],
      ['POST /UpdateSamplingRule', this.sampling.updateSamplingRule],
      ['POST /DeleteSamplingRule', this.sampling.deleteSamplingRule],
      ...traceGroupRoutes(this.groups),
      ...readApiRoutes(this.store),
      [`GET ${STATUS_PATH}`, () => this.identity()],
    ]);
    return createDaemonHttpServer(routes, this.log);
  }

  private receive(datagram: DatagramResult): void {
    try {
      if (!datagram.ok) this.store.reject(datagram.reason);
      else if (datagram.otlp) this.otlp.ingestAdotPayload(datagram.otlp === 'sampled', datagram.document);
      else this.store.enqueue(datagram.body);
    } catch (error) {
      // The parser and assembler promise not to throw on bad data; if one ever does, lose that datagram only.
      this.store.reject('internal-error');
      this.log(`ingest: ${String(error)}`);
    }
  }

  identity(): CollectorIdentity {
    return {
      service: 'xray-lens',
      version: ownVersion(),
      host: this.host,
      port: this.port,
      ...(this.otlpAddress ? { otlp: this.otlpAddress } : {}),
      startedAt: this.startedAt / 1000,
      counters: this.counters(),
    };
  }

  counters(): CollectorCounters {
    return {
      ...this.store.counters(),
      sampling: this.sampling.counters(),
      http: this.http?.counters() ?? { requests: 0, errors: 0 },
      socketErrors: { ...this.socketErrors },
      otlp: this.otlp.counters(),
    };
  }

  /** Fires at most every 250 ms with the ids of the traces that changed since the last event. */
  onDidChange(listener: (e: { traceIds: string[] }) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Fires after an SDK's SamplingTargets report (its requests and how many it traced) was counted. */
  onDidReportSampling(listener: () => void): { dispose(): void } {
    this.reportListeners.add(listener);
    return { dispose: () => this.reportListeners.delete(listener) };
  }

  private traceChanged(traceId: string): void {
    if (this.listeners.size === 0) return;
    this.changed.add(traceId);
    if (this.changeTimer) return;
    const wait = Math.max(0, this.lastChangeEvent + CHANGE_EVENT_INTERVAL_MS - Date.now());
    this.changeTimer = setTimeout(() => this.fireChange(), wait);
    this.changeTimer.unref();
  }

  private fireChange(): void {
    this.changeTimer = undefined;
    this.lastChangeEvent = Date.now();
    const traceIds = [...this.changed];
    this.changed = new Set();
    for (const listener of [...this.listeners]) {
      try {
        listener({ traceIds });
      } catch (error) {
        this.log(`onDidChange listener threw: ${String(error)}`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.changeTimer);
    this.listeners.clear();
    this.reportListeners.clear();
    const server = this.http?.server;
    await Promise.all([
      this.udp?.close(),
      this.otlpReceiver?.close(),
      server && new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() would wait for their idle timeout.
        server.closeAllConnections();
      }),
    ]);
  }
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/**
 * Who holds host:port? 'xray-lens' when GET /xray-lens/status answers our identity, 'other' when anything
 * else holds the TCP port or the UDP port, 'free' when neither is bound. Never rejects.
 */
export async function probeCollector(host: string, port: number, timeoutMs = 1000): Promise<'xray-lens' | 'other' | 'free'> {
  const tcp = await probeStatus(host, port, timeoutMs);
  if (tcp !== 'refused') return tcp;
  return (await udpPortTaken(host, port)) ? 'other' : 'free';
}

async function probeStatus(host: string, port: number, timeoutMs: number): Promise<'xray-lens' | 'other' | 'refused'> {
  const answer = await getStatus(host, port, timeoutMs);
  return typeof answer === 'string' ? answer : 'xray-lens';
}

/** The identity and counters of the X-Ray Lens collector on host:port, or undefined if none answers there. Never rejects. */
export async function readCollectorStatus(host: string, port: number, timeoutMs = 1000): Promise<CollectorIdentity | undefined> {
  const answer = await getStatus(host, port, timeoutMs);
  return typeof answer === 'string' ? undefined : answer;
}

function getStatus(host: string, port: number, timeoutMs: number): Promise<CollectorIdentity | 'other' | 'refused'> {
  return new Promise((resolve) => {
    const request = http.get({ host, port, path: STATUS_PATH, timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 1024 * 1024) request.destroy();
        else chunks.push(chunk);
      });
      response.on('error', () => resolve('other'));
      response.on('end', () => {
        try {
          const identity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<CollectorIdentity>;
          resolve(response.statusCode === 200 && identity.service === 'xray-lens' ? (identity as CollectorIdentity) : 'other');
        } catch {
          resolve('other');
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

function udpPortTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(error.code === 'EADDRINUSE');
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(false)));
  });
}

let cachedVersion: string | undefined;

/** The package version, read once from the nearest package.json named xray-lens (dist/, out/src/collector/). */
function ownVersion(): string {
  if (cachedVersion) return cachedVersion;
  cachedVersion = 'unknown';
  for (let dir = __dirname, i = 0; i < 5; dir = path.dirname(dir), i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'xray-lens' && pkg.version) {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      // not here: look one level up
    }
  }
  return cachedVersion;
}
