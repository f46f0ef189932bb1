// The TraceSource over @aws-sdk/client-xray: AWS X-Ray itself, or the local collector's endpoint (the
// collector answers the same REST-JSON read API, so one code path serves both).
// The extension loads this module lazily (see loadXrayApiSource.ts): the SDK is not needed to activate.
// Every attempt is paced (RequestPacer, whose rate drops on throttling and recovers: AIMD), cancellable at once
// (the signal also ends our own waits), and reports progress. Throttling never fails a call by itself: a throttled
// request is retried, slower, until no request of the whole fetch has got through for `giveUpAfterMs` (60 s);
// then what arrived is returned marked incomplete, or, when nothing did, the fetch fails with one message. The
// SDK retries only transient failures (network, 5xx), so each throttle passes through the pacer.
import {
  BatchGetTracesCommand,
  CancelTraceRetrievalCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
  ListRetrievedTracesCommand,
  StartTraceRetrievalCommand,
  XRayClient,
  type RetrievedTrace,
  type Service,
  type TraceSummary,
  type XRayClientConfig,
} from '@aws-sdk/client-xray';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { ApiEdge, ApiServiceGraph, ApiServiceNode, ApiTraceGraph } from '../xray/model';
import { parseSegmentDocument } from '../xray/segmentDocument';
import { traceIdEpoch } from '../xray/traceId';
import { configuredEndpoint } from './awsProfiles';
import { AWS_REGIONS } from './awsRegions';
import { abortableSleep, raceAbort, RequestPacer, systemClock, type Clock } from './requestPacer';
import { describeSourceError, SOURCE_CALL_ERROR, type SourceCallError } from './sourceErrors';
import {
  fetchedOf,
  type FetchedTrace,
  type GetTracesResult,
  type Incomplete,
  RequestOptions,
  SourceMode,
  SummaryQuery,
  SummaryResult,
  TimeWindow,
  TraceSource,
  TraceSummaryView,
} from './traceSource';

// The profile helpers live in this lazily loaded bundle too (they need the SDK's shared-ini loader).
export { configuredEndpoint, defaultRegion, listAwsProfiles } from './awsProfiles';

/** The regions for a picker (the SDK's partition data; see awsRegions.ts). */
export function awsRegions(): readonly string[] {
  return AWS_REGIONS;
}

/** BatchGetTraces takes at most 5 ids per call. */
export const BATCH_GET_TRACES_MAX_IDS = 5;
/** Trace ids per StartTraceRetrieval: several retrievals for more, one after the other. */
const RETRIEVAL_MAX_IDS = 100;

export interface XrayApiSourceOptions {
  kind: 'local' | 'aws';
  label: string;
  region: string;
  /**
   * For the local collector: http://127.0.0.1:2000. For AWS, an explicit override (a machine-scoped setting);
   * unset, the SDK resolves it, honouring the profile's endpoint_url and AWS_ENDPOINT_URL_XRAY.
   */
  endpoint?: string;
  /** A named profile from the shared config files; unset = the SDK's default chain (AWS_PROFILE, default). */
  profile?: string;
  /** The local collector does not check signatures, but the SDK still signs: give it fixed, fake keys. */
  staticCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Pace of our own calls, requests per second; unset = unlimited (right for the local collector). */
  maxRequestsPerSecond?: number;
  /** BatchGetTraces calls in flight at once (default 5). */
  concurrency?: number;
  /** Attempts per request for transient failures (network errors, 5xx), retries included (default 4). Throttling is not counted: see giveUpAfterMs. */
  maxAttempts?: number;
  /**
   * A fetch (a listing, a set of traces) stops when the service has throttled every request of it for this long
   * (default 60,000 ms): it returns what arrived, marked incomplete. Throttled requests are retried until then.
   */
  giveUpAfterMs?: number;
  /** Time for pacing and the give-up (tests). */
  clock?: Clock;
  /** Rounds of asking again for UnprocessedTraceIds (default 2 for AWS, 0 for the local collector, which has no index lag). */
  unprocessedRetries?: number;
  /** Back-off before the first such round, doubled each round (default 500 ms). */
  unprocessedBackoffMs?: number;
  /** Transaction Search: time between ListRetrievedTraces polls (default 1,000 ms) and the most to wait (default 5 min). */
  retrievalPollMs?: number;
  retrievalTimeoutMs?: number;
  /** Details for the log ("X-Ray Lens" channel); never given secrets. */
  log?: (line: string) => void;
}

export function createXrayApiSource(options: XrayApiSourceOptions): TraceSource {
  return new XrayApiSource(options);
}

/** How long a fetch may go without a request getting through before it stops (xrayLens.aws.giveUpAfterSeconds). */
export const DEFAULT_GIVE_UP_AFTER_MS = 60_000;

type AnyCommand = BatchGetTracesCommand | GetServiceGraphCommand | GetTraceGraphCommand | GetTraceSegmentDestinationCommand | GetTraceSummariesCommand | ListRetrievedTracesCommand | StartTraceRetrievalCommand;

/**
 * One fetch's progress: when a request of it last got through. Every request of the fetch shares it, so a give-up
 * stops the whole fetch at once instead of each remaining batch waiting its own full time.
 */
class FetchWatch {
  private last: number;
  /** Attempts of this fetch the service throttled. */
  throttled = 0;

  constructor(
    private readonly clock: Clock,
    readonly giveUpAfterMs: number,
  ) {
    this.last = clock.now();
  }

  progressed(): void {
    this.last = this.clock.now();
  }

  /** Milliseconds since a request of this fetch got through (or since it began). */
  quietMs(): number {
    return this.clock.now() - this.last;
  }
}

class XrayApiSource implements TraceSource {
  readonly kind: 'local' | 'aws';
  readonly label: string;
  private readonly client: Promise<XRayClient>;
  private readonly pacer: RequestPacer;
  private readonly clock: Clock;
  private mode: Promise<SourceMode> | undefined;
  private disposed = false;

  constructor(private readonly options: XrayApiSourceOptions) {
    this.kind = options.kind;
    this.label = options.label;
    this.clock = options.clock ?? systemClock;
    this.pacer = new RequestPacer({ ratePerSecond: options.maxRequestsPerSecond }, this.clock);
    this.client = createClient(options);
    this.client.catch(() => undefined); // surfaced by the first call
  }

  async listTraceSummaries(query: SummaryQuery, options: RequestOptions = {}): Promise<SummaryResult> {
    const byId = new Map<string, TraceSummaryView>();
    const watch = this.watch();
    let tracesProcessed = 0;
    let pages = 0;
    let approximateTime: number | undefined;
    let nextToken: string | undefined;
    let incomplete: Incomplete | undefined;
    do {
      const token = nextToken;
      let page;
      try {
        page = await this.send(
          'GetTraceSummaries',
          () =>
            new GetTraceSummariesCommand({
              StartTime: new Date(query.window.startTime * 1000),
              EndTime: new Date(query.window.endTime * 1000),
              FilterExpression: query.filterExpression?.trim() || undefined,
              Sampling: query.sampling ?? false,
              NextToken: token,
            }),
          options,
          watch,
        );
      } catch (err) {
        // Pages already read are kept: the list is shown as the newest part of the window.
        if (pages === 0 || !gaveUp(err)) throw err;
        const cause = this.throttledFor(watch);
        incomplete = { reason: 'throttled', cause, message: `${byId.size.toLocaleString('en-US')} traces listed, then ${cause}: older traces of the time range are missing.` };
        break;
      }
      pages++;
      if (page.ApproximateTime) approximateTime = seconds(page.ApproximateTime);
      tracesProcessed += page.TracesProcessedCount ?? 0;
      // A trace revised between pages can come twice: the later copy is the newer revision.
      for (const s of page.TraceSummaries ?? []) {
        const view = toSummaryView(s);
        if (view) byId.set(view.id, view);
      }
      nextToken = page.NextToken;
      options.onProgress?.({ kind: 'summaries', received: Math.min(byId.size, query.maxTraces), scanned: tracesProcessed });
    } while (nextToken && byId.size < query.maxTraces);
    // X-Ray pages newest first; sorting keeps the newest ones at the cap whatever order a page had.
    const summaries = [...byId.values()].sort((a, b) => b.startTime - a.startTime);
    return {
      summaries: summaries.slice(0, query.maxTraces),
      tracesProcessed,
      // Stopped by throttling, the pages left say nothing about the cap: `incomplete` tells that story.
      truncated: (Boolean(nextToken) && !incomplete) || summaries.length > query.maxTraces,
      sampled: query.sampling ?? false,
      approximateTime,
      pages,
      ...(incomplete ? { incomplete } : {}),
    };
  }

  async getTraces(ids: string[], options: RequestOptions & { window?: TimeWindow } = {}): Promise<GetTracesResult> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return { traces: [], unprocessedIds: [] };
    const mode = await this.getMode(options);
    return mode.destination === 'CloudWatchLogs' ? this.retrieveTraces(unique, options) : this.batchGetTraces(unique, options);
  }

  async getServiceGraph(window: TimeWindow, options: RequestOptions = {}): Promise<ApiServiceGraph> {
    const services: Service[] = [];
    const watch = this.watch();
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.send(
        'GetServiceGraph',
        () => new GetServiceGraphCommand({ StartTime: new Date(window.startTime * 1000), EndTime: new Date(window.endTime * 1000), NextToken: token }),
        options,
        watch,
      );
      services.push(...(page.Services ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return { StartTime: window.startTime, EndTime: window.endTime, Services: services.map(toApiServiceNode) };
  }

  async getTraceGraph(ids: string[], options: RequestOptions = {}): Promise<ApiTraceGraph> {
    const services: Service[] = [];
    const watch = this.watch();
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.send('GetTraceGraph', () => new GetTraceGraphCommand({ TraceIds: ids, NextToken: token }), options, watch);
      services.push(...(page.Services ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return { Services: services.map(toApiServiceNode) };
  }

  getMode(options: RequestOptions = {}): Promise<SourceMode> {
    if (this.kind === 'local') return Promise.resolve({ destination: 'XRay', assumed: 'the local collector keeps full traces itself' });
    // One question per source, shared by every caller: so it carries no caller's signal (one cancelling would
    // fail the others); each caller stops waiting on its own. A failed one is asked again next time.
    this.mode ??= this.askMode({}).catch((err: unknown) => {
      this.mode = undefined;
      throw err;
    });
    return raceAbort(this.mode, options.signal);
  }

  dispose(): void {
    this.disposed = true;
    void this.client.then((c) => c.destroy(), () => undefined);
  }

  private async askMode(options: RequestOptions): Promise<SourceMode> {
    try {
      const answer = await this.send('GetTraceSegmentDestination', () => new GetTraceSegmentDestinationCommand({}), options, this.watch());
      return { destination: answer.Destination === 'CloudWatchLogs' ? 'CloudWatchLogs' : 'XRay', status: answer.Status };
    } catch (err) {
      // Without permission for the question (older read-only policies), or where the API lacks it (404, or
      // 501 "not yet implemented" as LocalStack answers), the account still has X-Ray's own store:
      // BatchGetTraces is the right guess, and the log says why.
      const kind = lacksOperation(err) ? 'not-implemented' : describeSourceError(err, this.label).kind;
      if (kind === 'access-denied' || kind === 'not-xray' || kind === 'not-implemented') {
        const assumed = `GetTraceSegmentDestination failed (${kind}); assuming traces are in X-Ray`;
        this.options.log?.(`${this.label}: ${assumed}`);
        return { destination: 'XRay', assumed };
      }
      throw err;
    }
  }

  /**
   * X-Ray mode: BatchGetTraces, ≤ 5 ids a call, a few calls in flight. Unprocessed ids are asked for again in
   * rounds while the rounds bring traces back (X-Ray sheds load by answering part of a batch), and up to
   * `unprocessedRetries` rounds that bring none (still being indexed, or unknown). A give-up under throttling
   * returns the traces fetched so far, marked incomplete; it fails only when none arrived.
   */
  private async batchGetTraces(ids: string[], options: RequestOptions): Promise<GetTracesResult> {
    const found = new Map<string, FetchedTrace>();
    const watch = this.watch();
    const retries = this.options.unprocessedRetries ?? (this.kind === 'local' ? 0 : 2);
    let pending = ids;
    let fruitless = 0;
    for (let round = 0; ; round++) {
      const before = found.size;
      const { unprocessed, unsent, stopped } = await this.batchRound(pending, found, ids.length, options, watch);
      if (stopped) {
        if (found.size === 0) throw stopped;
        const cause = this.throttledFor(watch);
        return {
          traces: [...found.values()],
          unprocessedIds: [...new Set([...unprocessed, ...unsent])].filter((id) => !found.has(id)),
          incomplete: { reason: 'throttled', cause, message: fetchedOf(found.size, ids.length, cause) },
        };
      }
      if (round > 0 && found.size === before) fruitless++;
      if (unprocessed.length === 0 || fruitless >= retries) return { traces: [...found.values()], unprocessedIds: unprocessed };
      // X-Ray answers UnprocessedTraceIds for traces it is still indexing or when it sheds load: wait, ask again.
      await abortableSleep((this.options.unprocessedBackoffMs ?? 500) * 2 ** fruitless, options.signal);
      pending = unprocessed;
    }
  }

  /** One pass over `ids`. A give-up under throttling stops it: the ids of that batch and of those not begun are `unsent`. */
  private async batchRound(
    ids: string[],
    found: Map<string, FetchedTrace>,
    total: number,
    options: RequestOptions,
    watch: FetchWatch,
  ): Promise<{ unprocessed: string[]; unsent: string[]; stopped?: unknown }> {
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_GET_TRACES_MAX_IDS) batches.push(ids.slice(i, i + BATCH_GET_TRACES_MAX_IDS));
    const unprocessed = new Set<string>();
    const unsent: string[] = [];
    let stopped: unknown;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length && stopped === undefined) {
        const batch = batches[next++];
        let nextToken: string | undefined;
        try {
          do {
            const token = nextToken;
            const page = await this.send('BatchGetTraces', () => new BatchGetTracesCommand({ TraceIds: batch, NextToken: token }), options, watch);
            // Pages can carry parts of one trace's segments under the same id: merge them.
            for (const t of page.Traces ?? []) mergeInto(found, toFetchedTrace(t.Id, t.Duration, t.LimitExceeded, t.Segments));
            for (const id of page.UnprocessedTraceIds ?? []) unprocessed.add(id);
            nextToken = page.NextToken;
          } while (nextToken);
        } catch (err) {
          if (!gaveUp(err)) throw err;
          stopped ??= err;
          unsent.push(...batch.filter((id) => !found.has(id)));
        }
        options.onProgress?.({ kind: 'traces', received: found.size, total });
      }
    };
    const concurrency = Math.max(1, this.options.concurrency ?? 5);
    // Each call in flight listens on the signal a few times (the SDK's handler, our waits): not a leak.
    if (options.signal) setMaxListeners(Math.max(getMaxListeners(options.signal), 10 + 4 * concurrency), options.signal);
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    for (const batch of batches.slice(next)) unsent.push(...batch);
    return { unprocessed: [...unprocessed].filter((id) => !found.has(id)), unsent, stopped };
  }

  /**
   * Transaction Search mode: spans live in CloudWatch Logs, so full traces come from a retrieval:
   * StartTraceRetrieval (ids + window) → ListRetrievedTraces (X-Ray format) polled until COMPLETE.
   * https://docs.aws.amazon.com/xray/latest/api/API_StartTraceRetrieval.html
   */
  private async retrieveTraces(ids: string[], options: RequestOptions & { window?: TimeWindow }): Promise<GetTracesResult> {
    const found = new Map<string, FetchedTrace>();
    const watch = this.watch();
    const window = options.window ?? windowFromTraceIds(ids);
    for (let i = 0; i < ids.length; i += RETRIEVAL_MAX_IDS) {
      const chunk = ids.slice(i, i + RETRIEVAL_MAX_IDS);
      const started = await this.send(
        'StartTraceRetrieval',
        () => new StartTraceRetrievalCommand({ TraceIds: chunk, StartTime: new Date(window.startTime * 1000), EndTime: new Date(window.endTime * 1000) }),
        options,
        watch,
      );
      const token = started.RetrievalToken;
      if (!token) throw new Error('StartTraceRetrieval returned no RetrievalToken');
      // A retrieval nobody waits for any more would run on (and be billed) for up to 60 minutes: cancel it.
      const cancel = (): void => void this.cancelRetrieval(token);
      options.signal?.addEventListener('abort', cancel, { once: true });
      let retrieved: RetrievedTrace[];
      try {
        retrieved = await this.pollRetrieval(token, options, watch);
      } finally {
        options.signal?.removeEventListener('abort', cancel);
      }
      for (const t of retrieved) {
        mergeInto(found, toFetchedTrace(t.Id, t.Duration, false, t.Spans));
      }
      options.onProgress?.({ kind: 'traces', received: found.size, total: ids.length });
    }
    return { traces: [...found.values()], unprocessedIds: ids.filter((id) => !found.has(id)) };
  }

  private async pollRetrieval(token: string, options: RequestOptions, watch: FetchWatch): Promise<RetrievedTrace[]> {
    const pollMs = this.options.retrievalPollMs ?? 1000;
    const timeoutMs = this.options.retrievalTimeoutMs ?? 5 * 60_000;
    const t0 = Date.now();
    for (;;) {
      const traces: RetrievedTrace[] = [];
      let nextToken: string | undefined;
      let status: string | undefined;
      do {
        const pageToken = nextToken;
        const page = await this.send('ListRetrievedTraces', () => new ListRetrievedTracesCommand({ RetrievalToken: token, TraceFormat: 'XRAY', NextToken: pageToken }), options, watch);
        status = page.RetrievalStatus;
        traces.push(...(page.Traces ?? []));
        nextToken = status === 'COMPLETE' ? page.NextToken : undefined;
      } while (nextToken);
      const waitedMs = Date.now() - t0;
      options.onProgress?.({ kind: 'retrieval', status: status ?? 'UNKNOWN', waitedMs });
      if (status === 'COMPLETE') return traces;
      if (status === 'FAILED' || status === 'TIMEOUT' || status === 'CANCELLED') throw retrievalFailed(`ended ${status}`, waitedMs);
      if (waitedMs + pollMs > timeoutMs) throw retrievalFailed(`was still ${status ?? 'not done'}`, waitedMs);
      await abortableSleep(pollMs, options.signal);
    }
  }

  /** Best effort, outside the cancelled call's signal and pace; a failure only goes to the log. */
  private async cancelRetrieval(token: string): Promise<void> {
    try {
      await (await this.client).send(new CancelTraceRetrievalCommand({ RetrievalToken: token }));
    } catch (err) {
      this.options.log?.(`${this.label}: cancelling the trace retrieval failed: ${describeSourceError(err, this.label).message}`);
    }
  }

  private watch(): FetchWatch {
    return new FetchWatch(this.clock, this.options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS);
  }

  /** "AWS us-east-1 throttled every request for 60 s (41 throttled)": the reason of an incomplete result. */
  private throttledFor(watch: FetchWatch): string {
    return `${this.label} throttled every request for ${Math.round(watch.giveUpAfterMs / 1000)} s (${watch.throttled.toLocaleString('en-US')} throttled in all)`;
  }

  /**
   * One API call, made by `make` (a command is sent once: a retry needs a new one). Every attempt is paced and
   * carries the signal (ending at once on abort, even in a back-off); a throttled one is reported and retried
   * until no request of `watch`'s fetch has got through for its give-up time; failures are wrapped with what was
   * being done.
   */
  private async send<C extends AnyCommand>(operation: string, make: () => C, options: RequestOptions, watch: FetchWatch): Promise<OutputOf<C>> {
    const { signal } = options;
    for (let retry = 0; ; retry++) {
      if (this.disposed) throw new Error(`${this.label} was closed`);
      try {
        const client = await raceAbort(this.client, signal);
        const command = make();
        this.paceAttempts(command, operation, options, watch);
        // The union of commands is too wide for send()'s overloads; each command's own output type is kept.
        const sent = client.send(command as GetTraceSummariesCommand, { abortSignal: signal }) as unknown as Promise<OutputOf<C>>;
        return await raceAbort(sent, signal);
      } catch (err) {
        if ((err as Error | undefined)?.name === 'AbortError') throw err;
        if (!isThrottle(err)) throw wrapError(err, operation, this.options);
        const wait = throttleBackoffMs(retry);
        if (watch.quietMs() + wait >= watch.giveUpAfterMs) {
          throw wrapError(err, operation, this.options, { quietMs: watch.giveUpAfterMs, throttled: watch.throttled });
        }
        await abortableSleep(wait, signal);
      }
    }
  }

  /**
   * Below the SDK's retry step a middleware sees every attempt: it waits for the pacer, tells it how the attempt
   * went (a throttle cuts the rate, an answer recovers it), counts the fetch's progress and reports throttles.
   */
  private paceAttempts(command: AnyCommand, operation: string, options: RequestOptions, watch: FetchWatch): void {
    // Typed against one command: the stacks of a union of commands have no common add() signature.
    (command as GetTraceSummariesCommand).middlewareStack.add(
      (next) => async (args) => {
        const ticket = await this.pacer.take(options.signal);
        try {
          const result = await next(args);
          this.pacer.succeeded();
          watch.progressed();
          return result;
        } catch (err) {
          if (isThrottle(err)) {
            this.pacer.throttled(ticket);
            watch.throttled++;
            options.onProgress?.({ kind: 'throttled', operation, ratePerSecond: this.pacer.ratePerSecond });
          } else if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) {
            this.pacer.succeeded(); // answered, if with an error: not a sign of load
          }
          throw err;
        }
      },
      { step: 'deserialize', priority: 'high', name: 'xrayLensPacer' },
    );
  }
}

/**
 * Before retrying a throttled request: at once the first time (the pacer, just slowed, spaces it), then 100 ms
 * doubling to 3.2 s, with jitter so that retries of parallel batches spread.
 */
function throttleBackoffMs(retry: number): number {
  return retry === 0 ? 0 : Math.min(3200, 100 * 2 ** (retry - 1)) * (0.5 + Math.random() / 2);
}

type OutputOf<C> = C extends { resolveMiddleware(...args: never[]): infer H }
  ? H extends (...args: never[]) => Promise<{ output: infer O }>
    ? O
    : never
  : never;

async function createClient(options: XrayApiSourceOptions): Promise<XRayClient> {
  const config: XRayClientConfig = {
    region: options.region,
    retryStrategy: transientRetries(options.maxAttempts ?? 4),
  };
  if (options.staticCredentials) config.credentials = options.staticCredentials;
  else config.credentials = fromNodeProviderChain({ profile: options.profile, ignoreCache: true });
  if (options.endpoint) config.endpoint = options.endpoint;
  else if (options.profile) {
    // The SDK reads endpoint_url from the AWS_PROFILE (or default) profile even when the client is given
    // another one (@smithy/core getEndpointFromConfig takes no profile), so the chosen profile's is read
    // here, with the SDK's precedence; and none at all rather than another profile's.
    const endpoint = await configuredEndpoint(options.profile);
    if (endpoint) config.endpoint = endpoint;
    else config.ignoreConfiguredEndpointUrls = true;
  }
  if (options.profile) config.profile = options.profile;
  return new XRayClient(config);
}

type SdkRetryStrategy = Extract<NonNullable<XRayClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;

/**
 * The SDK's retries, for transient failures only (network errors, timeouts, 5xx): exponential back-off with full
 * jitter, up to `maxAttempts`. Throttles come back to send(), which paces and retries them, so that every attempt
 * goes through the pacer and throttling is judged by time without progress, not by a count of attempts.
 */
function transientRetries(maxAttempts: number): SdkRetryStrategy {
  const token = (count: number, delay: number) => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    acquireInitialRetryToken: () => Promise.resolve(token(0, 0)),
    refreshRetryTokenForRetry: (previous, info) => {
      const count = previous.getRetryCount() + 1;
      if (info.errorType === 'THROTTLING' || info.errorType === 'CLIENT_ERROR' || count >= maxAttempts) return Promise.reject(new Error('not retried by the SDK'));
      return Promise.resolve(token(count, Math.random() * Math.min(20_000, 100 * 2 ** count)));
    },
    recordSuccess: () => undefined,
  };
}

/** The endpoint does not have the operation: 501 Not Implemented, or the protocol's unknown-operation error. */
function lacksOperation(err: unknown): boolean {
  const e = ((err as { cause?: unknown } | undefined)?.cause ?? err) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$metadata?.httpStatusCode === 501 || e?.name === 'UnknownOperationException';
}

/** A throttle as the SDK classifies one (429, the services' throttling error names, or marked retryable as throttling). */
function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } } | undefined;
  return (
    e?.$metadata?.httpStatusCode === 429 ||
    e?.$retryable?.throttling === true ||
    /^(ThrottledException|ThrottlingException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled(Exception)?|SlowDown)$/.test(e?.name ?? '')
  );
}

/** The error a fetch stopped with because the service kept throttling (then what arrived is returned incomplete). */
function gaveUp(err: unknown): boolean {
  return (err as SourceCallError | undefined)?.name === SOURCE_CALL_ERROR && (err as SourceCallError).throttledFor !== undefined;
}

function wrapError(err: unknown, operation: string, options: XrayApiSourceOptions, stop?: { quietMs: number; throttled: number }): SourceCallError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as Error;
  const wrapped = new Error(e.message ?? String(err), { cause: err }) as SourceCallError;
  wrapped.name = SOURCE_CALL_ERROR;
  wrapped.operation = operation;
  wrapped.profile = options.profile;
  wrapped.region = options.region;
  wrapped.customEndpoint = Boolean(options.endpoint) || options.kind === 'local';
  if (stop) {
    wrapped.throttledFor = stop.quietMs;
    wrapped.throttledAttempts = stop.throttled;
  }
  return wrapped;
}

function retrievalFailed(what: string, waitedMs: number): Error {
  const err = new Error(`The trace retrieval ${what} after ${Math.round(waitedMs / 1000)} s`);
  err.name = 'TraceRetrievalFailed';
  return err;
}

/** Transaction Search needs a window: a trace id carries its start second; spans end later, up to 15 min here. */
function windowFromTraceIds(ids: string[]): TimeWindow {
  const epochs = ids.map((id) => traceIdEpoch(id)).filter((e): e is number => e !== undefined);
  const now = Math.floor(Date.now() / 1000);
  if (epochs.length === 0) return { startTime: now - 3600, endTime: now };
  return { startTime: Math.min(...epochs) - 60, endTime: Math.min(now + 60, Math.max(...epochs) + 900) };
}

// The SDK gives Dates; the domain model uses epoch seconds throughout, as the wire does.
const seconds = (d: Date | undefined): number => (d ? d.getTime() / 1000 : 0);

function toApiServiceNode(s: Service): ApiServiceNode {
  return {
    ...(s as Omit<Service, 'StartTime' | 'EndTime' | 'Edges'>),
    ReferenceId: s.ReferenceId ?? -1,
    Names: s.Names ?? (s.Name ? [s.Name] : []),
    Type: s.Type ?? '',
    State: s.State ?? '',
    StartTime: seconds(s.StartTime),
    EndTime: seconds(s.EndTime),
    Edges: (s.Edges ?? []).map(
      (e): ApiEdge => ({
        ...(e as Omit<typeof e, 'StartTime' | 'EndTime'>),
        ReferenceId: e.ReferenceId ?? -1,
        StartTime: seconds(e.StartTime),
        EndTime: seconds(e.EndTime),
      }) as ApiEdge,
    ),
    DurationHistogram: (s.DurationHistogram ?? []) as ApiServiceNode['DurationHistogram'],
    ResponseTimeHistogram: (s.ResponseTimeHistogram ?? []) as ApiServiceNode['ResponseTimeHistogram'],
  } as ApiServiceNode;
}

function toSummaryView(s: TraceSummary): TraceSummaryView | undefined {
  if (!s.Id) return undefined;
  const start = s.StartTime ? s.StartTime.getTime() / 1000 : (traceIdEpoch(s.Id) ?? 0);
  const services = (s.ServiceIds ?? []).map((id) => id.Name ?? '').filter(Boolean);
  return {
    id: s.Id,
    startTime: start,
    duration: s.Duration ?? 0,
    responseTime: s.ResponseTime ?? s.Duration ?? 0,
    hasFault: s.HasFault ?? false,
    hasError: s.HasError ?? false,
    hasThrottle: s.HasThrottle ?? false,
    isPartial: s.IsPartial ?? false,
    method: s.Http?.HttpMethod,
    url: s.Http?.HttpURL,
    status: s.Http?.HttpStatus,
    entryPoint: s.EntryPoint?.Name,
    services: [...new Set(services)],
    ...annotationsView(s.Annotations),
    revision: s.Revision ?? 0,
  };
}

/** `{ key: [{ AnnotationValue: { StringValue | NumberValue | BooleanValue }, ServiceIds }] }` → `{ key: [value, …] }`. */
function annotationsView(annotations: TraceSummary['Annotations']): Pick<TraceSummaryView, 'annotations'> {
  const entries = Object.entries(annotations ?? {}).map(([key, list]): [string, Array<string | number | boolean>] => {
    const values = (list ?? []).map(({ AnnotationValue: v }) => v?.StringValue ?? v?.NumberValue ?? v?.BooleanValue);
    return [key, [...new Set(values.filter((v): v is string | number | boolean => v !== undefined))]];
  });
  // fromEntries defines own properties, so a key like "__proto__" stays a plain key.
  return entries.length > 0 ? { annotations: Object.fromEntries(entries) } : {};
}

/** BatchGetTraces' Segments and ListRetrievedTraces' Spans (X-Ray format) both hold segment documents. */
function toFetchedTrace(id: string | undefined, duration: number | undefined, limitExceeded: boolean | undefined, docs: { Id?: string; Document?: string }[] | undefined): FetchedTrace {
  const trace: FetchedTrace = { id: id ?? '', duration, limitExceeded: limitExceeded ?? false, segments: [], rejected: [] };
  for (const s of docs ?? []) {
    const parsed = parseSegmentDocument(s.Document ?? '');
    if (parsed.ok) trace.segments.push(parsed.doc);
    else trace.rejected.push({ segmentId: s.Id ?? '?', message: parsed.message });
  }
  return trace;
}

function mergeInto(byId: Map<string, FetchedTrace>, t: FetchedTrace): void {
  const seen = byId.get(t.id);
  if (!seen) {
    byId.set(t.id, t);
    return;
  }
  seen.segments.push(...t.segments);
  seen.rejected.push(...t.rejected);
  seen.limitExceeded ||= t.limitExceeded;
}
