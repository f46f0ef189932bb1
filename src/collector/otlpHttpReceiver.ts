// OTLP/HTTP trace intake: POST /v1/traces with an ExportTraceServiceRequest in protobuf or JSON, optionally
// gzipped, answered as the OTLP specification says (200 with an ExportTraceServiceResponse, partial success
// when spans were rejected; 4xx with a google.rpc.Status in the request's encoding).
// https://opentelemetry.io/docs/specs/otlp/#otlphttp
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  OtlpDecodeError,
  OtlpTooManySpansError,
  type DecodedSpans,
  type RejectedSpan,
} from './otlpDecoder';
import type { OtlpIntake } from './otlpIntake';

/** The OTLP/HTTP port every OpenTelemetry SDK exports to by default. */
export const DEFAULT_OTLP_HTTP_PORT = 4318;
export const TRACES_PATH = '/v1/traces';
/**
 * Request bodies, compressed and decompressed. Below the OpenTelemetry Collector's 20 MiB (confighttp): this
 * collector decodes in the extension host, and the generated protobuf decode materialises a whole request
 * at once. So spans (MAX_SPANS_PER_REQUEST) and every other repeated item (MAX_ITEMS_PER_REQUEST: events,
 * links, attributes, values, scope and resource spans) are counted on the wire first, and OTLP/JSON on the
 * parsed object before the span model is built. Before the item count, 8 MiB of empty events in one span
 * took 2.7 s and ~0.9 GB peak RSS to decode; empty ScopeSpans or ResourceSpans 1.3 s, ~450 MB; empty
 * attributes 0.74 s, ~266 MB; JSON empty events 2.0 s, ~650 MB. Measured now (Node 20, x64; decode only,
 * peak RSS of the whole process, ~75 MB of it the process itself): each of those protobuf bombs is refused
 * in under 40 ms; the worst 8 MiB protobuf body still accepted (500,000 empty events or attributes with
 * empty kvlist values, the rest one repeated empty field) takes ~0.8 s and ~195 MB. OTLP/JSON is bounded
 * by JSON.parse itself: 8 MiB of `{},` is parsed and refused in ~0.75 s, ~310 MB; the worst accepted
 * JSON body ~0.3 s, ~180 MB. At 20 MiB the JSON and the repeated-field costs would be 2.5 times these.
 */
export const DEFAULT_MAX_OTLP_BODY_BYTES = 8 * 1024 * 1024;
/** Concurrent connections: a handful of exporters is the expected load; this bounds parallel decoding. */
const MAX_CONNECTIONS = 16;
/** A request (headers and body) must arrive within this, so a slow sender cannot hold a connection. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A sender that keeps streaming this far past the limit is cut off instead of drained. */
const DRAIN_FACTOR = 4;

export interface OtlpHttpOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4318; 0 picks a free port. */
  port?: number;
  /** Largest body accepted as sent (gzipped or not). */
  maxBodyBytes?: number;
  /** Largest body accepted after gunzip: a small gzip bomb stops here. */
  maxDecompressedBytes?: number;
  log?: (line: string) => void;
}

export interface OtlpHttpReceiver {
  readonly server: http.Server;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

type Encoding = 'protobuf' | 'json';

// gRPC codes for google.rpc.Status (the OTLP specification lets servers leave the code out; clients log it).
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;

class Refusal {
  constructor(readonly status: number, readonly reason: string, readonly message: string) {}
}

/** Binds host:port and serves OTLP/HTTP into `intake`. Rejects with the listen error (e.g. EADDRINUSE). */
export async function startOtlpHttpReceiver(intake: OtlpIntake, options: OtlpHttpOptions = {}): Promise<OtlpHttpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const limits = {
    body: options.maxBodyBytes ?? DEFAULT_MAX_OTLP_BODY_BYTES,
    decompressed: options.maxDecompressedBytes ?? DEFAULT_MAX_OTLP_BODY_BYTES,
  };
  const log = options.log ?? (() => undefined);
  // DNS rebinding: a web page whose name now resolves to 127.0.0.1 can POST here, but its Host header still
  // names its own site. On loopback only local names are served; bound elsewhere the host is a choice.
  const allowedHost = isLoopbackHost(host) ? (value: string) => isLoopbackHost(value) || value === hostName(host) : () => true;
  const server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    intake.countRequest();
    handle(intake, limits, allowedHost, request, response).catch((error: unknown) => {
      // handle() answers everything it expects; this keeps a bug from taking the collector down.
      log(`otlp: unexpected error on ${request.method} ${request.url}: ${String(error)}`);
      intake.refuse('internal-error');
      if (!response.headersSent) sendStatus(response, 'json', 500, INTERNAL, 'internal error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? DEFAULT_OTLP_HTTP_PORT, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('error', (error) => log(`otlp: ${error.message}`));
  return {
    server,
    host,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Exporters keep connections alive; without this close() would wait for their idle timeout.
      server.closeAllConnections();
    }),
  };
}

async function handle(
  intake: OtlpIntake,
  limits: { body: number; decompressed: number },
  allowedHost: (host: string) => boolean,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const encoding = mediaEncoding(request.headers['content-type']);
  const refuse = (refusal: Refusal) => {
    intake.refuse(refusal.reason);
    const code = refusal.status === 404 ? NOT_FOUND : refusal.status === 405 ? UNIMPLEMENTED
      : refusal.status === 403 ? PERMISSION_DENIED : INVALID_ARGUMENT;
    if (refusal.status === 405) response.setHeader('allow', 'POST');
    sendStatus(response, encoding ?? 'json', refusal.status, code, refusal.message);
  };
  const path = (request.url ?? '/').split('?')[0];
  const hostHeader = request.headers.host;
  const early = hostHeader !== undefined && !allowedHost(hostName(hostHeader))
    ? new Refusal(403, 'foreign-host', `host ${JSON.stringify(hostHeader)} is not served here: send to localhost or 127.0.0.1`)
    : path !== TRACES_PATH
    ? new Refusal(404, 'not-found', `no OTLP endpoint at ${path}: traces go to POST ${TRACES_PATH}`)
    : request.method !== 'POST'
      ? new Refusal(405, 'method-not-allowed', `${request.method} is not supported on ${TRACES_PATH}: use POST`)
      : encoding === undefined
        ? new Refusal(415, 'unsupported-media-type',
          `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: use application/x-protobuf or application/json`)
        : contentCoding(request.headers['content-encoding']) === undefined
          ? new Refusal(415, 'unsupported-content-encoding',
            `unsupported content encoding ${JSON.stringify(request.headers['content-encoding'])}: use gzip or none`)
          : undefined;
  if (early) {
    await drain(request, limits.body * DRAIN_FACTOR);
    refuse(early);
    return;
  }
  const body = await readBody(request, limits.body);
  if (body instanceof Refusal) return refuse(body);
  const bytes = contentCoding(request.headers['content-encoding']) === 'gzip' ? await gunzip(body, limits.decompressed) : body;
  if (bytes instanceof Refusal) return refuse(bytes);
  let decoded: DecodedSpans;
  try {
    decoded = encoding === 'protobuf' ? decodeOtlpProtobuf(bytes) : decodeOtlpJson(bytes.toString('utf8'));
  } catch (error) {
    // Too many spans or items (OtlpTooManyItemsError is a kind of OtlpTooManySpansError) is a batch too
    // large, not a malformed one: 413, as for a body over the byte limit.
    if (error instanceof OtlpTooManySpansError) return refuse(new Refusal(413, 'too-many-spans', error.message));
    if (!(error instanceof OtlpDecodeError)) throw error;
    return refuse(new Refusal(400, 'undecodable', error.message));
  }
  const { rejected, rejectedCount } = intake.ingest(decoded);
  const message = rejectionMessage(rejected, rejectedCount);
  if (encoding === 'protobuf') send(response, 200, 'application/x-protobuf', encodeExportResponseProtobuf(rejectedCount, message));
  else send(response, 200, 'application/json', encodeExportResponseJson(rejectedCount, message));
}

/** The name in a Host header or a bound host, lowercased, without the port; IPv6 in brackets. */
function hostName(value: string): string {
  const host = value.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  if (host.split(':').length > 2) return `[${host}]`; // a bare IPv6 address, as a bound host is given
  return host.split(':')[0];
}

function isLoopbackHost(value: string): boolean {
  const host = hostName(value);
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `application/x-protobuf` (or `application/protobuf`) and `application/json`, parameters ignored. */
function mediaEncoding(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function contentCoding(header: string | undefined): 'gzip' | 'identity' | undefined {
  const coding = (header ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
  return undefined;
}

/** The whole body, or a 413 refusal once it passes `limit` (the rest is drained so the answer can be read). */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | Refusal> {
  const tooLarge = new Refusal(413, 'too-large', `request body exceeds ${limit} bytes`);
  if (Number(request.headers['content-length']) > limit) return drain(request, limit * DRAIN_FACTOR).then(() => tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      chunks.length = 0;
      resolve(drain(request, limit * DRAIN_FACTOR).then(() => tooLarge));
    };
    request.on('data', onData);
    request.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks, size));
    });
    // An aborted upload: nobody is left to answer; the Refusal only counts it.
    request.on('error', () => resolve(new Refusal(400, 'aborted', 'request aborted')));
  });
}

/**
 * Reads and discards the rest of a body so the client, still sending, can read the answer; a sender that
 * goes on past `max` bytes is disconnected.
 */
function drain(request: http.IncomingMessage, max: number): Promise<void> {
  if (request.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        request.socket.destroy();
        resolve();
      }
    });
    request.on('end', () => resolve());
    request.on('error', () => resolve());
    request.on('close', () => resolve());
    request.resume();
  });
}

function gunzip(body: Buffer, limit: number): Promise<Buffer | Refusal> {
  return new Promise((resolve) => {
    zlib.gunzip(body, { maxOutputLength: limit }, (error, result) => {
      if (!error) return resolve(result);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        resolve(new Refusal(413, 'too-large', `request body exceeds ${limit} bytes once decompressed`));
      } else {
        resolve(new Refusal(400, 'undecodable', `body is not valid gzip: ${error.message}`));
      }
    });
  });
}

/**
 * partial_success.error_message: how many spans were rejected and, for the first few (`listed`, the intake
 * keeps at most MAX_LISTED_REJECTIONS), their reasons and span ids.
 */
function rejectionMessage(listed: RejectedSpan[], count: number): string {
  if (count === 0) return '';
  const byReason = new Map<string, string[]>();
  for (const span of listed) {
    const ids = byReason.get(span.reason) ?? [];
    ids.push(span.spanId || '(no span id)');
    byReason.set(span.reason, ids);
  }
  const parts = [...byReason].map(([reason, ids]) =>
    `${ids.length} ${reason} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''})`);
  const more = count > listed.length ? ` (the first ${listed.length} listed)` : '';
  return `${count} span(s) not stored: ${parts.join('; ')}${more}`;
}

function sendStatus(response: http.ServerResponse, encoding: Encoding, status: number, code: number, message: string): void {
  if (encoding === 'protobuf') send(response, status, 'application/x-protobuf', encodeStatusProtobuf(code, message));
  else send(response, status, 'application/json', encodeStatusJson(code, message));
}

function send(response: http.ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
