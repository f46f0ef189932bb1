// The TCP half of the daemon address: a small JSON-over-HTTP router. Errors use the REST-JSON protocol's
// form (HTTP 4xx, `x-amzn-errortype` header, `{"Message": ...}` body) so @aws-sdk/client-xray surfaces
// them as typed exceptions, exactly as it would for AWS.
import * as http from 'node:http';

/** Requests to the X-Ray API are a few hundred bytes; anything near this is not a real client. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export class ApiError extends Error {
  constructor(readonly status: number, readonly errorType: string, message: string) {
    super(message);
  }
}

export function invalidRequest(message: string): ApiError {
  return new ApiError(400, 'InvalidRequestException', message);
}

/** A handler gets the parsed JSON body (`{}` for GET) and returns the JSON reply (or a promise of it), or throws an ApiError. */
export type JsonHandler = (body: Record<string, unknown>) => unknown;

/** Keys are `METHOD /path`, e.g. `POST /TraceSummaries`. */
export type Routes = ReadonlyMap<string, JsonHandler>;

export interface HttpCounters {
  requests: number;
  errors: number;
}

export interface DaemonHttpServer {
  readonly server: http.Server;
  counters(): HttpCounters;
}

export function createDaemonHttpServer(routes: Routes, log: (line: string) => void): DaemonHttpServer {
  const counts: HttpCounters = { requests: 0, errors: 0 };
  const server = http.createServer((request, response) => {
    counts.requests++;
    response.on('finish', () => {
      if (response.statusCode >= 400) counts.errors++;
    });
    handle(routes, request, response).catch((error: unknown) => {
      // handle() answers every error it expects; this is the last line that keeps a bug from crashing us.
      log(`http: unexpected error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) sendError(response, new ApiError(500, 'ServiceException', 'internal error'));
      else response.destroy();
    });
  });
  return { server, counters: () => ({ ...counts }) };
}

async function handle(routes: Routes, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  const handler = routes.get(`${request.method} ${path}`);
  if (!handler) {
    request.resume();
    const known = [...routes.keys()].some((key) => key.endsWith(` ${path}`));
    sendError(response, known
      ? new ApiError(405, 'MethodNotAllowedException', `${request.method} is not supported on ${path}`)
      : new ApiError(404, 'UnknownOperationException', `no operation at ${request.method} ${path}`));
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = await readJsonBody(request);
  } catch (error) {
    sendError(response, error instanceof ApiError ? error : invalidRequest(String(error)));
    return;
  }
  let reply: unknown;
  try {
    reply = await handler(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sendError(response, error);
    return;
  }
  sendJson(response, 200, reply);
}

function readJsonBody(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > MAX_REQUEST_BODY_BYTES) {
      request.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        // Stop buffering but keep draining, so the 413 can still be written on this connection.
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > MAX_REQUEST_BODY_BYTES) return reject(tooLarge());
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return reject(invalidRequest(`request body is not valid JSON: ${(error as Error).message}`));
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return reject(invalidRequest('request body must be a JSON object'));
      }
      resolve(value as Record<string, unknown>);
    });
  });
}

function tooLarge(): ApiError {
  return new ApiError(413, 'RequestEntityTooLargeException', `request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`);
}

function sendError(response: http.ServerResponse, error: ApiError): void {
  response.setHeader('x-amzn-errortype', error.errorType);
  sendJson(response, error.status, { Message: error.message });
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? {});
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
