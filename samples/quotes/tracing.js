// OpenTelemetry set-up for quote-svc, the way AWS recommends instrumenting new code for X-Ray: the
// OpenTelemetry Node SDK, X-Ray-compatible trace ids, the X-Ray propagator (so a call into an X-Ray SDK
// service stays one trace), spans exported over OTLP/HTTP (protobuf) to X-Ray Lens's collector.
// Required before anything else, so the HTTP instrumentation can patch `http`.
'use strict';

process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_LOGS_EXPORTER = 'none';

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { AWSXRayIdGenerator } = require('@opentelemetry/id-generator-aws-xray');
const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || 'http://127.0.0.1:4318/v1/traces';

const sdk = new NodeSDK({
  serviceName: 'quote-svc',
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), { scheduledDelayMillis: 200 })],
  idGenerator: new AWSXRayIdGenerator(),
  textMapPropagator: new AWSXRayPropagator(),
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

async function shutdown() {
  await sdk.shutdown().catch(() => {});
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

module.exports = { endpoint };
