// What the OTLP tests share: the real ADOT datagrams (test/fixtures/adot-otel) and the generated protobuf
// types of @opentelemetry/otlp-transformer, to build and read requests and responses the way exporters do.
import generatedRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';
import { readFileSync } from 'node:fs';
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
