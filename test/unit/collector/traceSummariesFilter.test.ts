// GetTraceSummaries with a FilterExpression, through the real @aws-sdk/client-xray, on the 948 real SDK
// datagrams sent by UDP (plus one trace whose service names need escaping).
import {
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  InvalidRequestException,
  paginateGetTraceSummaries,
  type TraceSummary,
  type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { edgeFilter, serviceFilter } from '../../../src/xray/filterExpression';
import type { SegmentDocument } from '../../../src/xray/model';
import { FIXTURES, datagram, newId, newTraceId, segmentDoc, sendDatagrams, startTestCollector, waitFor, xrayClient } from './collectorHarness';

const corpus = readFileSync(path.join(FIXTURES, 'xray-sdk-node/udp-segment-documents.ndjson'), 'utf8').split('\n').filter(Boolean);
const scenarios = JSON.parse(readFileSync(path.join(FIXTURES, 'xray-sdk-node/scenario-trace-index.json'), 'utf8')) as Record<string, string>;
const allTime = () => ({ StartTime: new Date(0), EndTime: new Date(4e12) });

// A service name with a quote and a backslash, calling a remote host whose name has them too.
const ODD_CALLER = 'caller "A" \\ svc';
const ODD_CALLEE = 'down\\"stream';

interface Listing {
  pages: TraceSummary[][];
  processed: number;
  ids: string[];
}

suite('collector: GetTraceSummaries FilterExpression through @aws-sdk/client-xray', () => {
  let collector: LocalCollector;
  let client: XRayClient;
  let everything: TraceSummary[];
  /** Every trace's segment documents, read back with BatchGetTraces. */
  const documents = new Map<string, SegmentDocument[]>();
  let oddTraceId: string;

  async function list(FilterExpression?: string): Promise<Listing> {
    const pages: TraceSummary[][] = [];
    let processed = 0;
    for await (const page of paginateGetTraceSummaries({ client }, { ...allTime(), FilterExpression })) {
      pages.push(page.TraceSummaries ?? []);
      processed += page.TracesProcessedCount ?? 0;
    }
    return { pages, processed, ids: pages.flat().map((s) => s.Id as string) };
  }

  const sorted = (ids: string[]) => [...ids].sort();

  suiteSetup(async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    oddTraceId = newTraceId();
    const call = { id: newId(), name: ODD_CALLEE, namespace: 'remote', start_time: Date.now() / 1000, end_time: Date.now() / 1000 + 0.2, fault: true, http: { response: { status: 503 } } };
    const odd = segmentDoc(oddTraceId, { name: ODD_CALLER, end_time: Date.now() / 1000 + 0.3, subsegments: [call], http: { response: { status: 502 } } });
    await sendDatagrams(collector.port, [...corpus.map(datagram), datagram(odd)]);
    await waitFor(() => collector.counters().accepted === corpus.length + 1, 'all documents accepted');
    everything = (await list()).pages.flat();
    const ids = everything.map((s) => s.Id as string);
    for (let i = 0; i < ids.length; i += 5) {
      const reply = await client.send(new BatchGetTracesCommand({ TraceIds: ids.slice(i, i + 5) }));
      for (const trace of reply.Traces ?? []) {
        documents.set(trace.Id as string, (trace.Segments ?? []).map((s) => JSON.parse(s.Document as string) as SegmentDocument));
      }
    }
  });

  suiteTeardown(async () => {
    client.destroy();
    await collector.close();
  });

  test('the setup holds the 453 captured traces and the odd one', () => {
    assert.equal(everything.length, 454);
    assert.equal(documents.size, 454);
  });

  test('summary-level filters return exactly the traces whose unfiltered summaries match', async () => {
    const cases: [string, (s: TraceSummary) => boolean][] = [
      ['http.status = 500', (s) => s.Http?.HttpStatus === 500],
      ['service("inventory-svc") AND responsetime > 0.1', (s) => !!s.ServiceIds?.some((id) => id.Name === 'inventory-svc') && (s.ResponseTime ?? 0) > 0.1],
      ['annotation.amount >= 30', (s) => !!s.Annotations?.amount?.some((v) => (v.AnnotationValue?.NumberValue ?? 0) >= 30)],
      ['http.method = "GET" AND !annotation.customer_tier', (s) => s.Http?.HttpMethod === 'GET' && s.Annotations?.customer_tier === undefined],
      ['user CONTAINS ""', (s) => (s.Users ?? []).length > 0],
    ];
    for (const [expression, predicate] of cases) {
      const expected = everything.filter(predicate).map((s) => s.Id as string);
      assert.ok(expected.length > 0, `${expression} matches something in the corpus`);
      const got = await list(expression);
      assert.deepEqual(sorted(got.ids), sorted(expected), expression);
      assert.equal(got.processed, 454, `${expression}: TracesProcessedCount adds up to the traces scanned`);
    }
  });

  test('service() { … } and edge() { … } look at each service\'s documents (read back with BatchGetTraces)', async () => {
    // inventory-svc segments that answered 5xx, or carry the fault flag without a 4xx/5xx status.
    const faulted = (doc: SegmentDocument) => {
      const status = doc.http?.response?.status;
      return typeof status === 'number' && status >= 400 ? status >= 500 : doc.fault === true;
    };
    const expected = [...documents].filter(([, docs]) => docs.some((d) => d.name === 'inventory-svc' && faulted(d))).map(([id]) => id);
    const got = await list('service("inventory-svc") { fault }');
    assert.ok(expected.length > 0);
    assert.deepEqual(sorted(got.ids), sorted(expected));
    // Hand-checked: checkout-502's inventory-svc answered 409 (an error, not a fault) while its root answered 502.
    assert.ok(!got.ids.includes(scenarios['checkout-502-frontend']));
    const errors = await list('edge("frontend-api", "inventory-svc") { error } AND fault');
    assert.ok(errors.ids.includes(scenarios['checkout-502-frontend']));
    assert.ok(!errors.ids.includes(scenarios['orders-200-frontend']));
  });

  test('a filter matching more than a page pages through it once, each page full but the last, TracesProcessedCount per page', async () => {
    const got = await list('ok');
    const expectedCount = everything.filter((s) => s.Http?.HttpStatus === 200 && !s.HasFault && !s.HasError && !s.HasThrottle).length;
    assert.equal(got.ids.length, new Set(got.ids).size, 'no trace twice');
    assert.ok(got.ids.length >= expectedCount && got.ids.length > 200, `${got.ids.length} ok traces`);
    assert.deepEqual(got.pages.map((p) => p.length), [100, 100, got.ids.length - 200]);
    assert.equal(got.processed, 454);
    // The same order as unfiltered: newest first.
    const order = everything.map((s) => s.Id);
    const positions = got.ids.map((id) => order.indexOf(id));
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  });

  test('a filter that every trace passes lists what no filter lists; a blank one is no filter', async () => {
    const all = everything.map((s) => s.Id as string);
    assert.deepEqual((await list('ok OR !ok')).ids, all);
    assert.deepEqual((await list('   ')).ids, all);
  });

  test('serviceFilter / edgeFilter names with quotes and backslashes find exactly their trace', async () => {
    assert.deepEqual((await list(serviceFilter(ODD_CALLER))).ids, [oddTraceId]);
    assert.deepEqual((await list(`${serviceFilter(ODD_CALLEE, 'remote')} { fault AND http.status = 503 }`)).ids, [oddTraceId]);
    assert.deepEqual((await list(edgeFilter(ODD_CALLER, ODD_CALLEE))).ids, [oddTraceId]);
    assert.deepEqual((await list(edgeFilter(ODD_CALLEE, ODD_CALLER))).ids, []);
    assert.deepEqual((await list(serviceFilter('caller "A"'))).ids, [], 'a prefix of the name is another name');
  });

  test('a trace that changes after a filtered listing is evaluated again (the store remembers answers per trace)', async () => {
    const traceId = newTraceId();
    const first = segmentDoc(traceId, { name: 'memo-svc', http: { response: { status: 200 } } });
    await sendDatagrams(collector.port, [datagram(first)]);
    await waitFor(() => collector.counters().accepted === corpus.length + 2, 'the first document');
    const filter = 'service("memo-svc") { fault }';
    assert.deepEqual((await list(filter)).ids, []);
    assert.deepEqual((await list('service("memo-svc")')).ids, [traceId]);
    assert.deepEqual((await list(filter)).ids, [], 'asked again after another expression');
    // A second memo-svc segment, called by the first, answers 500.
    const second = segmentDoc(traceId, { name: 'memo-svc', parent_id: first.id, http: { response: { status: 500 } } });
    await sendDatagrams(collector.port, [datagram(second)]);
    await waitFor(() => collector.counters().accepted === corpus.length + 3, 'the second document');
    assert.deepEqual((await list(filter)).ids, [traceId]);
  });

  test('an invalid expression is InvalidRequestException carrying the parser\'s message', async () => {
    const cases: [string, string][] = [
      ['responsetime > "fast"', 'responsetime is a number: compare it with a number, as in responsetime > 0.5 (character 16)'],
      ['service("inventory-svc") { fault', 'Missing "}" to close the "{" at character 26, but the expression ends (character 33)'],
      ['rootcause.fault.service { name = "Auth" }', 'rootcause.fault.service filters on root causes, which the local collector does not support (character 1)'],
      ['(('.repeat(100), 'The expression nests deeper than 64 levels of parentheses, braces and ! (character 65)'],
    ];
    for (const [FilterExpression, message] of cases) {
      await assert.rejects(
        client.send(new GetTraceSummariesCommand({ ...allTime(), FilterExpression })),
        (error: unknown) => error instanceof InvalidRequestException && error.message === message && error.$metadata.httpStatusCode === 400,
        FilterExpression,
      );
    }
  });

  test('a FilterExpression that is not a string is refused (raw HTTP: the SDK would not send it)', async () => {
    const response = await fetch(`http://${collector.host}:${collector.port}/TraceSummaries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ StartTime: 0, EndTime: 4e9, FilterExpression: 5 }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'InvalidRequestException');
    assert.deepEqual(await response.json(), { Message: 'FilterExpression must be a string' });
  });
});
