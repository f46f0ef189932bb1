// What the OTLP tests share: the real ADOT datagrams (test/fixtures/adot-otel), the generated protobuf
// types of @opentelemetry/otlp-transformer to read requests and responses, and a plain HTTP POST.
import generatedRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { FIXTURES } from './collectorHarness';

export interface GeneratedType {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(value: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}

export const collectorTraceV1 = (generatedRoot as unknown as {
  opentelemetry: { proto: { collector: { trace: { v1: Record<'ExportTraceServiceRequest' | 'ExportTraceServiceResponse', GeneratedType> } } } };
}).opentelemetry.proto.collector.trace.v1;

/** The raw ADOT datagrams (header line, `T1S`, base64), as an X-Ray daemon receives them. */
export function adotDatagrams(): string[] {
  return readFileSync(path.join(FIXTURES, 'adot-otel/otlp-udp-datagrams-raw.ndjson'), 'utf8').split('\n').filter(Boolean)
    .map((line) => (JSON.parse(line) as { raw: string }).raw);
}

/** The ADOT datagrams' payloads: the prefix (T1S/T1U) and the base64 protobuf after it. */
export function adotPayloads(): { prefix: string; base64: string }[] {
  return adotDatagrams().map((raw) => {
    const body = raw.slice(raw.indexOf('\n') + 1);
    return { prefix: body.slice(0, 3), base64: body.slice(3) };
  });
}

export interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
}

/** One HTTP request on a fresh connection; the whole answer. */
export function post(port: number, body: string | Buffer, headers: Record<string, string>, options: { path?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: options.path ?? '/v1/traces', method: options.method ?? 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(10000, () => request.destroy(new Error('no answer in 10 s')));
    request.end(body);
  });
}
