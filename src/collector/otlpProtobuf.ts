// The OTLP protobuf codec: the OpenTelemetry project's protobufjs-generated types for trace export requests
// and responses. Its own bundle in dist/ (see esbuild.js), required by otlpDecoder.ts on the first protobuf
// request: the generated code is most of the weight of the OpenTelemetry intake.
import Long from 'long';
import * as protobuf from 'protobufjs/minimal';
import generatedRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';

/** A message type of the generated code, as far as the decoder uses it. */
export interface GeneratedType {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(value: Record<string, unknown>): unknown;
}

// protobufjs finds long.js with a require it hides from bundlers, so in dist/ it would find nothing and read
// fixed64 nanoseconds as doubles (off by up to 256 ns). Handing it long.js keeps them exact.
protobuf.util.Long = Long;
protobuf.configure();

const v1 = (generatedRoot as unknown as {
  opentelemetry: { proto: { collector: { trace: { v1: Record<'ExportTraceServiceRequest' | 'ExportTraceServiceResponse', GeneratedType> } } } };
}).opentelemetry.proto.collector.trace.v1;

export const exportTraceServiceRequest: GeneratedType = v1.ExportTraceServiceRequest;
export const exportTraceServiceResponse: GeneratedType = v1.ExportTraceServiceResponse;
export const Writer = protobuf.Writer;
