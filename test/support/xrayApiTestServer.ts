// A small HTTP server that speaks the X-Ray REST-JSON read API as @aws-sdk/client-xray calls it, serving traces
// built from real segment documents (through the collector's own store and read API), with fault injection
// per operation. It also answers the two credential calls the SDK's chain makes (SSO GetRoleCredentials,
// STS AssumeRole) and records every request it saw, so tests can prove which credentials signed what.
// Plain Node only (no mocha, no vscode): the real-VS-Code tier starts it inside the extension host too.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ApiError } from '../../src/collector/daemonHttpServer';
import { readApiRoutes } from '../../src/collector/readApi';
import { TraceStore } from '../../src/collector/traceStore';
import type { ApiTrace } from '../../src/xray/model';
import { seededRandom } from './seededRandom';

/** The operations the server tells apart, by the path the SDK's serializers use. */
export type XrayOperation =
  | 'GetTraceSummaries'
  | 'BatchGetTraces'
  | 'GetServiceGraph'
  | 'GetTraceGraph'
  | 'GetTraceSegmentDestination'
  | 'StartTraceRetrieval'
  | 'ListRetrievedTraces'
  | 'CancelTraceRetrieval'
  | 'GetRoleCredentials'
  | 'AssumeRole';

const OPERATION_BY_ROUTE: Partial<Record<string, XrayOperation>> = {
  'POST /TraceSummaries': 'GetTraceSummaries',
  'POST /Traces': 'BatchGetTraces',
  'POST /ServiceGraph': 'GetServiceGraph',
  'POST /TraceGraph': 'GetTraceGraph',
  'POST /GetTraceSegmentDestination': 'GetTraceSegmentDestination',
  'POST /StartTraceRetrieval': 'StartTraceRetrieval',
  'POST /ListRetrievedTraces': 'ListRetrievedTraces',
  'POST /CancelTraceRetrieval': 'CancelTraceRetrieval',
  'GET /federation/credentials': 'GetRoleCredentials',
};

/** An injected failure, answered the way AWS answers it. */
export type InjectedError =
  | 'throttled' // 429 ThrottledException
  | 'access-denied' // 403 AccessDeniedException naming the xray:* action
  | 'expired-token' // 403 ExpiredTokenException
  | 'invalid-request' // 400 InvalidRequestException
  | 'html' // 200 with an HTML page: a web server, not an X-Ray API
  | 'garbage' // 200 with bytes that are not JSON
  | 'not-found' // 404 HTML page
  | 'not-implemented'; // 501 InternalFailure, as an emulator (LocalStack) answers an operation it lacks

export interface Faults {
  /** Added before answering, per operation ('*' for every one). Honours the client hanging up. */
  delayMs?: Partial<Record<XrayOperation | '*', number>>;
  /** The next `times` calls (default: all) of the operation fail with `error`. */
  fail?: Partial<Record<XrayOperation | '*', { error: InjectedError; times?: number; message?: string }>>;
  /** BatchGetTraces: for the next `times` calls (default: all), only the first `answered` ids of a call come back; the rest are unprocessed. */
  partialBatches?: { answered: number; times?: number };
  /**
   * A quota shared with others: a share of all X-Ray calls, whatever the operation and however fast they come,
   * answered 429 ThrottledException. `every: 3` throttles the 3rd, 6th, 9th… call; `probability` throttles each
   * call with that chance, from a generator seeded with `seed` (default 1), so a run can be repeated.
   * `ratePerSecond` is a quota as AWS keeps one instead: a token bucket (burst `burst`, default 1) that throttles
   * only calls above the rate.
   */
  throttle?: { every?: number; probability?: number; seed?: number; ratePerSecond?: number; burst?: number };
  /** GetTraceSummaries pages of this many summaries (AWS pages by about 100). */
  summariesPageSize?: number;
  /** BatchGetTraces marks these traces LimitExceeded (too many segments for X-Ray to return them all). */
  limitExceeded?: string[];
  /** Transaction Search: GetTraceSegmentDestination says CloudWatchLogs; a retrieval completes after `pollsUntilDone` polls. */
  transactionSearch?: { pollsUntilDone: number; finalStatus?: 'COMPLETE' | 'FAILED' | 'TIMEOUT' | 'CANCELLED' };
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface XrayApiTestServerOptions {
  /** Segment documents (JSON text); default: the 453 traces of test/fixtures/xray-sdk-node. */
  documents?: string[];
  faults?: Faults;
  /** SSO GetRoleCredentials answers these when the bearer token is `ssoAccessToken`. */
  ssoAccessToken?: string;
  ssoCredentials?: IssuedCredentials;
  /** STS AssumeRole answers with these. */
  assumeRoleCredentials?: IssuedCredentials;
  host?: string;
}

export interface RecordedRequest {
  operation: XrayOperation | 'unknown';
  method: string;
  path: string;
  /** performance.now() when the request arrived, and when the answer was sent. */
  startedAt: number;
  endedAt?: number;
  /** performance.now() when the client hung up before the answer (a cancelled request). */
  hungUpAt?: number;
  /** The access key id of the SigV4 Authorization header (never the signature). */
  accessKeyId?: string;
  /** Whether a session token came along (x-amz-security-token), and which (tests compare it). */
  sessionToken?: string;
  /** SSO: the bearer token sent. */
  ssoBearerToken?: string;
  /** The parsed JSON body (or the form fields of an STS call). */
  body: Record<string, unknown>;
  status?: number;
}

export interface XrayApiTestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Replaces the faults in effect (counters of `times` start afresh). */
  setFaults(faults: Faults): void;
  close(): Promise<void>;
}

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/xray-sdk-node/udp-segment-documents.ndjson');

/** The real segment documents captured from aws-xray-sdk-core (453 traces around epoch 1795288778). */
export function fixtureDocuments(): string[] {
  return fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
}

/** The window that covers every fixture trace. */
export const FIXTURE_WINDOW = { startTime: 1795288000, endTime: 1795290000 };

/**
 * `count` traces made from the fixture's, each copy with its own trace id (same documents otherwise), for
 * tests and benchmarks that need more traces than were captured.
 */
export function syntheticDocuments(count: number, documents = fixtureDocuments()): string[] {
  const byTrace = new Map<string, string[]>();
  for (const doc of documents) {
    const id = (JSON.parse(doc) as { trace_id: string }).trace_id;
    byTrace.set(id, [...(byTrace.get(id) ?? []), doc]);
  }
  const traces = [...byTrace.entries()];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const [id, docs] = traces[i % traces.length];
    // Keep the id's time part (the store checks it against the documents' times); vary the random part.
    const copy = `${id.slice(0, 11)}${i.toString(16).padStart(8, '0')}${id.slice(19)}`;
    for (const doc of docs) out.push(doc.split(id).join(copy));
  }
  return out;
}

export async function startXrayApiTestServer(options: XrayApiTestServerOptions = {}): Promise<XrayApiTestServer> {
  const store = new TraceStore({ maxTraces: 1_000_000, maxBytes: 1024 * 1024 * 1024 });
  for (const doc of options.documents ?? fixtureDocuments()) {
    const result = store.ingest(doc);
    if (!result.ok) throw new Error(`test server: a document was rejected (${result.reason})`);
  }
  let routes = new Map(readApiRoutes(store));
  const requests: RecordedRequest[] = [];
  let faults: Faults = {};
  let failCounts = new Map<string, number>();
  let partialCount = 0;
  let throttleCalls = 0;
  let random = seededRandom(1);
  let bucket = { tokens: 1, at: performance.now() };
  const retrievals = new Map<string, { ids: string[]; window: { startTime: number; endTime: number }; polls: number }>();
  const sockets = new Set<import('node:net').Socket>();

  const setFaults = (next: Faults): void => {
    faults = next;
    failCounts = new Map();
    partialCount = 0;
    throttleCalls = 0;
    random = seededRandom(next.throttle?.seed ?? 1);
    bucket = { tokens: next.throttle?.burst ?? 1, at: performance.now() };
    routes = new Map(readApiRoutes(store, { summariesPageSize: next.summariesPageSize }));
  };
  setFaults(options.faults ?? {});

  const injectedFailure = (operation: XrayOperation): { error: InjectedError; message?: string } | undefined => {
    const throttle = faults.throttle;
    if (throttle) {
      throttleCalls++;
      if ((throttle.every && throttleCalls % throttle.every === 0) || (throttle.probability !== undefined && random() < throttle.probability)) {
        return { error: 'throttled' };
      }
      if (throttle.ratePerSecond) {
        const now = performance.now();
        bucket.tokens = Math.min(throttle.burst ?? 1, bucket.tokens + ((now - bucket.at) * throttle.ratePerSecond) / 1000);
        bucket.at = now;
        if (bucket.tokens < 1) return { error: 'throttled' };
        bucket.tokens -= 1;
      }
    }
    for (const key of [operation, '*'] as const) {
      const rule = faults.fail?.[key];
      if (!rule) continue;
      const used = failCounts.get(key) ?? 0;
      if (used >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      failCounts.set(key, used + 1);
      return rule;
    }
    return undefined;
  };

  const answerXray = async (operation: XrayOperation, route: string, body: Record<string, unknown>): Promise<unknown> => {
    const ts = faults.transactionSearch;
    switch (operation) {
      case 'GetTraceSegmentDestination':
        return { Destination: ts ? 'CloudWatchLogs' : 'XRay', Status: 'ACTIVE' };
      case 'StartTraceRetrieval': {
        const ids = body.TraceIds;
        if (!ts) throw new ApiError(400, 'InvalidRequestException', 'Transaction Search is not enabled for this account');
        if (!Array.isArray(ids) || typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number') {
          throw new ApiError(400, 'InvalidRequestException', 'TraceIds, StartTime and EndTime are required');
        }
        const token = `retrieval-${retrievals.size + 1}`;
        retrievals.set(token, { ids: ids as string[], window: { startTime: body.StartTime, endTime: body.EndTime }, polls: 0 });
        return { RetrievalToken: token };
      }
      case 'ListRetrievedTraces': {
        const retrieval = retrievals.get(String(body.RetrievalToken));
        if (!retrieval || !ts) throw new ApiError(404, 'ResourceNotFoundException', 'no such retrieval');
        retrieval.polls++;
        if (retrieval.polls <= ts.pollsUntilDone) {
          return { RetrievalStatus: retrieval.polls === 1 ? 'SCHEDULED' : 'RUNNING', Traces: [] };
        }
        const status = ts.finalStatus ?? 'COMPLETE';
        if (status !== 'COMPLETE') return { RetrievalStatus: status, Traces: [] };
        // Spans in the X-Ray format are segment documents: the same ones BatchGetTraces would give. Only
        // traces that started inside the retrieval's window are found, as in the Transaction Search log group.
        const batch = routes.get('POST /Traces')!;
        const traces: ApiTrace[] = [];
        for (let i = 0; i < retrieval.ids.length; i += 5) {
          traces.push(...((await batch({ TraceIds: retrieval.ids.slice(i, i + 5) })) as { Traces: ApiTrace[] }).Traces);
        }
        const inWindow = traces.filter((t) => {
          const start = Math.min(...t.Segments.map((s) => (JSON.parse(s.Document) as { start_time: number }).start_time));
          return start >= retrieval.window.startTime && start <= retrieval.window.endTime;
        });
        return {
          RetrievalStatus: 'COMPLETE',
          TraceFormat: body.TraceFormat ?? 'XRAY',
          Traces: inWindow.map((t) => ({ Id: t.Id, Duration: t.Duration, Spans: t.Segments.map((s) => ({ Id: s.Id, Document: s.Document })) })),
        };
      }
      case 'CancelTraceRetrieval': {
        if (!retrievals.delete(String(body.RetrievalToken))) throw new ApiError(404, 'ResourceNotFoundException', 'no such retrieval');
        return {};
      }
      case 'BatchGetTraces': {
        if (ts) {
          // With Transaction Search, X-Ray itself only keeps the indexed fraction: nothing here.
          return { Traces: [], UnprocessedTraceIds: body.TraceIds };
        }
        const reply = (await routes.get(route)!(body)) as { Traces: ApiTrace[]; UnprocessedTraceIds: string[] };
        for (const t of reply.Traces) if (faults.limitExceeded?.includes(t.Id)) t.LimitExceeded = true;
        const partial = faults.partialBatches;
        if (partial && partialCount < (partial.times ?? Number.POSITIVE_INFINITY)) {
          partialCount++;
          const kept = reply.Traces.slice(0, partial.answered);
          const dropped = reply.Traces.slice(partial.answered).map((t) => t.Id);
          return { Traces: kept, UnprocessedTraceIds: [...reply.UnprocessedTraceIds, ...dropped] };
        }
        return reply;
      }
      default:
        return routes.get(route)!(body);
    }
  };

  const server = http.createServer((request, response) => {
    const startedAt = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = `${request.method} ${url.pathname}`;
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = String(request.headers['content-type'] ?? '');
      let body: Record<string, unknown> = {};
      if (contentType.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
      else if (text.trim()) {
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = {};
        }
      }
      if (route === 'GET /federation/credentials') body = Object.fromEntries(url.searchParams);
      const operation: XrayOperation | 'unknown' =
        OPERATION_BY_ROUTE[route] ?? (route === 'POST /' && body.Action === 'AssumeRole' ? 'AssumeRole' : 'unknown');
      const recorded: RecordedRequest = {
        operation,
        method: request.method ?? '',
        path: url.pathname,
        startedAt,
        accessKeyId: /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1],
        sessionToken: headerValue(request.headers['x-amz-security-token']),
        ssoBearerToken: headerValue(request.headers['x-amz-sso_bearer_token']),
        body,
      };
      requests.push(recorded);
      response.on('finish', () => {
        recorded.endedAt = performance.now();
        recorded.status = response.statusCode;
      });
      const delay = operation === 'unknown' ? 0 : (faults.delayMs?.[operation] ?? faults.delayMs?.['*'] ?? 0);
      const timer = setTimeout(() => {
        if (response.destroyed || !response.socket || response.socket.destroyed) return;
        if (operation === 'unknown') return sendText(response, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>');
        void answer(operation, route, body, recorded, response);
      }, delay);
      // A client that hangs up (a cancel) does not leave a timer answering nobody.
      response.on('close', () => {
        clearTimeout(timer);
        if (!response.writableFinished) recorded.hungUpAt = performance.now();
      });
    });
  });

  const answer = async (operation: XrayOperation, route: string, body: Record<string, unknown>, recorded: RecordedRequest, response: http.ServerResponse): Promise<void> => {
    if (operation === 'GetRoleCredentials') {
      const issued = options.ssoCredentials;
      if (!issued || recorded.ssoBearerToken !== options.ssoAccessToken) {
        return sendError(response, new ApiError(401, 'UnauthorizedException', 'Session token not found or invalid'));
      }
      return sendJson(response, 200, { roleCredentials: { ...issued, expiration: Date.now() + 3600_000 } });
    }
    if (operation === 'AssumeRole') {
      const issued = options.assumeRoleCredentials;
      if (!issued) return sendText(response, 403, 'text/xml', stsError('AccessDenied', 'not authorized to perform: sts:AssumeRole'));
      return sendText(response, 200, 'text/xml', assumeRoleXml(issued, String(body.RoleArn), String(body.RoleSessionName)));
    }
    const failure = injectedFailure(operation);
    if (failure) return sendInjected(response, operation, failure.error, failure.message);
    try {
      sendJson(response, 200, await answerXray(operation, route, body));
    } catch (error) {
      if (error instanceof ApiError) return sendError(response, error);
      sendError(response, new ApiError(500, 'ServiceException', String(error)));
    }
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendInjected(response: http.ServerResponse, operation: XrayOperation, error: InjectedError, message?: string): void {
  switch (error) {
    case 'throttled':
      return sendError(response, new ApiError(429, 'ThrottledException', message ?? 'Rate exceeded'));
    case 'access-denied':
      return sendError(
        response,
        new ApiError(403, 'AccessDeniedException', message ?? `User: arn:aws:iam::123456789012:user/dev is not authorized to perform: xray:${operation} because no identity-based policy allows the xray:${operation} action`),
      );
    case 'expired-token':
      return sendError(response, new ApiError(403, 'ExpiredTokenException', message ?? 'The security token included in the request is expired'));
    case 'invalid-request':
      return sendError(response, new ApiError(400, 'InvalidRequestException', message ?? 'Invalid filter expression'));
    case 'html':
      return sendText(response, 200, 'text/html', '<!doctype html><html><head><title>Welcome</title></head><body>It works!</body></html>');
    case 'garbage':
      return sendText(response, 200, 'application/json', '\u0000\u0001{"Traces": [nonsense');
    case 'not-found':
      return sendText(response, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>');
    case 'not-implemented':
      return sendError(response, new ApiError(501, 'InternalFailure', message ?? `API action '${operation}' for service 'xray' not yet implemented or pro feature`));
  }
}

function sendError(response: http.ServerResponse, error: ApiError): void {
  response.setHeader('x-amzn-errortype', error.errorType);
  sendJson(response, error.status, { Message: error.message });
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  sendText(response, status, 'application/json', JSON.stringify(value ?? {}));
}

function sendText(response: http.ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function assumeRoleXml(c: IssuedCredentials, roleArn: string, sessionName: string): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${c.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>
      <SessionToken>${c.sessionToken}</SessionToken>
      <Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>${roleArn.replace(':role/', ':assumed-role/')}/${sessionName}</Arn>
      <AssumedRoleId>AROATEST:${sessionName}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
}

function stsError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>0</RequestId></ErrorResponse>`;
}
