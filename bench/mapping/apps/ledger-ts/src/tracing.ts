// Loaded first by server.ts so the http module is instrumented before use.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

// The exporter reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT on its own.
const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'ledger-ts',
  idGenerator: new AWSXRayIdGenerator(),
  textMapPropagator: new AWSXRayPropagator(),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })],
  instrumentations: [
    new HttpInstrumentation({
      // Load balancer health checks are noise; only trace them when part of a trace.
      ignoreIncomingRequestHook: (req) => req.url === '/health' && !req.headers['x-amzn-trace-id'],
    }),
  ],
});

sdk.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    sdk.shutdown().finally(() => process.exit(0));
  });
}
