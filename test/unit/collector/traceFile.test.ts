// Trace files read as a source: the public AWS batch-get-traces example, the 948 real aws-xray-sdk-core
// documents as a JSON array and as lines, OTLP/JSON written by the real OpenTelemetry SDK's own serializer, and
// what a file that is not trace data gets. Each file is served by its own read API and read back through the
// real @aws-sdk/client-xray, as the extension reads it.
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readTraceFile, TraceFileError, writeBatchGetTraces, writeSegmentDocuments } from '../../../src/collector/traceFile';
import { serveTraceFile, type TraceFileServer } from '../../../src/collector/traceFileServer';
import { TraceStore } from '../../../src/collector/traceStore';
import { FIXTURES } from './collectorHarness';

const sdkLines = readFileSync(path.join(FIXTURES, 'xray-sdk-node/udp-segment-documents.ndjson'), 'utf8').split('\n').filter(Boolean);
const awsExample = readFileSync(path.join(FIXTURES, 'public/BatchGetTraces.awsdocs-xray-api-gettingdata.json'), 'utf8');
const allTime = () => ({ StartTime: new Date(0), EndTime: new Date(4e12) });

function clientFor(server: TraceFileServer): XRayClient {
  return new XRayClient({
    region: 'us-east-1',
    endpoint: `http://${server.endpoint.host}:${server.endpoint.port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

async function listAll(client: XRayClient): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetTraceSummariesCommand({ ...allTime(), NextToken: token }));
    for (const s of page.TraceSummaries ?? []) ids.push(s.Id!);
    token = page.NextToken;
  } while (token);
  return ids.sort();
}

/** The traces the collector's own store keeps of the same documents, as the baseline. */
function storedTraceIds(documents: string[]): string[] {
  const store = new TraceStore({ maxTraces: 1e9, maxBytes: 1e12 });
  for (const d of documents) store.ingest(d);
  return store.listed({ startTime: -Infinity, endTime: Infinity }).map((t) => t.traceId).sort();
}

suite('trace files', () => {
  const servers: TraceFileServer[] = [];
  const serve = async (text: string) => {
    const server = await serveTraceFile(readTraceFile(text), () => undefined);
    servers.push(server);
    return server;
  };
  teardown(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  test('the public AWS batch-get-traces example: its trace, every segment, read back by the real client', async () => {
    const contents = readTraceFile(awsExample);
    assert.deepEqual(contents.formats, ['batch-get-traces']);
    const example = JSON.parse(awsExample) as { Traces: Array<{ Id: string; Segments: unknown[] }> };
    assert.equal(contents.documents.length, example.Traces[0].Segments.length);
    const server = await serve(awsExample);
    const client = clientFor(server);
    assert.deepEqual(await listAll(client), [example.Traces[0].Id]);
    const got = await client.send(new BatchGetTracesCommand({ TraceIds: [example.Traces[0].Id] }));
    assert.equal(got.Traces?.[0].Segments?.length, example.Traces[0].Segments.length);
    // The extent is the trace's own: 2017, not "the last 15 minutes".
    assert.ok(server.extent.startTime > 1.49e9 && server.extent.startTime < 1.5e9, String(server.extent.startTime));
    assert.ok(server.extent.endTime >= server.extent.startTime);
    client.destroy();
  });

  test('948 real SDK documents as a JSON array and as lines: the same traces the collector keeps of them', async () => {
    const expected = storedTraceIds(sdkLines);
    assert.ok(expected.length > 400, `${expected.length} traces`);
    const asArray = `[${sdkLines.join(',\n')}]`;
    const asLines = sdkLines.join('\n');
    assert.deepEqual(readTraceFile(asArray).formats, ['segment documents']);
    assert.equal(readTraceFile(asLines).documents.length, sdkLines.length);
    for (const text of [asArray, asLines]) {
      const server = await serve(text);
      assert.equal(server.traces, expected.length);
      const client = clientFor(server);
      assert.deepEqual(await listAll(client), expected);
      client.destroy();
    }
  });

  test('OTLP/JSON written by the OpenTelemetry SDK\'s own serializer: every span becomes a document of its trace', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'file-svc' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('trace-file-test');
    for (let i = 0; i < 3; i++) {
      const root = tracer.startSpan(`GET /item/${i}`, { kind: SpanKind.SERVER });
      tracer.startSpan('load', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
      root.end();
    }
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 6);
    const text = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans));
    const contents = readTraceFile(text);
    assert.deepEqual(contents.formats, ['OTLP/JSON']);
    assert.deepEqual(contents.rejected, []);
    assert.equal(contents.documents.length, 6);
    // As the OpenTelemetry Collector's file exporter writes it: one request a line.
    assert.equal(readTraceFile(`${text}\n${text}\n`).documents.length, 12);
    const server = await serve(text);
    assert.equal(server.traces, 3);
    const client = clientFor(server);
    const ids = await listAll(client);
    const wanted = [...new Set(spans.map((s) => s.spanContext().traceId))].map((hex) => `1-${hex.slice(0, 8)}-${hex.slice(8)}`).sort();
    assert.deepEqual(ids, wanted);
    client.destroy();
    await provider.shutdown();
  });

  test('what is not trace data is refused with what was found; bad entries among good ones are counted, not dropped', async () => {
    assert.throws(() => readTraceFile('hello'), (e: unknown) => e instanceof TraceFileError && /not JSON/.test(e.message));
    assert.throws(() => readTraceFile('{"name":"my-app","version":"1.0.0"}'), (e: unknown) => e instanceof TraceFileError && /keys "name", "version"/.test(e.message));
    assert.throws(() => readTraceFile('[]'), (e: unknown) => e instanceof TraceFileError && /no segment documents/.test(e.message));
    const mixed = [sdkLines[0], '{"resourceSpans": "nope"}', 'not json at all', '42', sdkLines[1], '{"id":"zz","trace_id":"bad"}'].join('\n');
    const contents = readTraceFile(mixed);
    assert.equal(contents.rejected.length, 3, JSON.stringify(contents.rejected));
    assert.match(contents.rejected.map((r) => r.where).join(), /line 2.*line 3.*line 4/);
    const server = await serve(mixed);
    // The store refuses the invalid document too, with its reason: 4 refusals in all, 2 documents kept.
    assert.equal(Object.values(server.rejected).reduce((a, b) => a + b, 0), 4, JSON.stringify(server.rejected));
    assert.equal(server.documents, 2);
    // A file with no document that can be kept is an error, not an empty source.
    await assert.rejects(serveTraceFile(readTraceFile('{"id":"zz","trace_id":"bad"}'), () => undefined), /no trace in it could be kept/);
  });

  test('an export in either format reads back as the same traces and segments', async () => {
    const server = await serve(sdkLines.join('\n'));
    const client = clientFor(server);
    const ids = (await listAll(client)).slice(0, 20);
    const traces = [];
    for (let i = 0; i < ids.length; i += 5) {
      const got = await client.send(new BatchGetTracesCommand({ TraceIds: ids.slice(i, i + 5) }));
      for (const t of got.Traces ?? []) traces.push({ id: t.Id!, duration: t.Duration, segments: (t.Segments ?? []).map((s) => JSON.parse(s.Document!)) });
    }
    client.destroy();
    assert.equal(traces.length, 20);
    const segmentCount = traces.reduce((n, t) => n + t.segments.length, 0);
    for (const [format, text] of [['batch-get-traces', writeBatchGetTraces(traces)], ['segment documents', writeSegmentDocuments(traces)]] as const) {
      const back = readTraceFile(text);
      assert.deepEqual(back.formats, [format]);
      assert.equal(back.documents.length, segmentCount);
      const again = await serve(text);
      const c = clientFor(again);
      assert.deepEqual(await listAll(c), [...ids].sort());
      c.destroy();
    }
  });
});
