// The AWS source through the real @aws-sdk/client-xray against the X-Ray API test server: throttling and
// its progress, pacing, partial batches, LimitExceeded, cancellation within 200 ms wherever the call waits,
// Transaction Search retrieval, and one described error per failure.
import * as assert from 'assert';
import * as net from 'node:net';
import { describeSourceError, type SourceErrorKind } from '../../../src/sources/sourceErrors';
import type { RequestOptions, SourceProgress, TraceSource } from '../../../src/sources/traceSource';
import { createXrayApiSource, type XrayApiSourceOptions } from '../../../src/sources/xrayApiSource';
import { FIXTURE_WINDOW, startXrayApiTestServer, type Faults, type XrayApiTestServer } from '../../support/xrayApiTestServer';

const CREDENTIALS = { accessKeyId: 'AKIATESTFAULTS000001', secretAccessKey: 'fault-secret-never-shown' };
const WINDOW = FIXTURE_WINDOW;

suite('XrayApiSource against the X-Ray API test server', () => {
  let server: XrayApiTestServer;
  let traceIds: string[];
  const sources: TraceSource[] = [];

  /** An AWS-kind source (retries, mode detection) pointed at the test server. */
  function awsSource(extra: Partial<XrayApiSourceOptions> = {}): TraceSource {
    const source = createXrayApiSource({
      kind: 'aws',
      label: 'AWS test',
      region: 'us-east-1',
      endpoint: server.url,
      staticCredentials: CREDENTIALS,
      unprocessedBackoffMs: 20,
      retrievalPollMs: 30,
      ...extra,
    });
    sources.push(source);
    return source;
  }

  function withFaults(faults: Faults): void {
    server.setFaults(faults);
    server.requests.length = 0;
  }

  async function rejectsAs(promise: Promise<unknown>, kind: SourceErrorKind): Promise<ReturnType<typeof describeSourceError>> {
    let described: ReturnType<typeof describeSourceError> | undefined;
    await assert.rejects(promise, (err: unknown) => {
      described = describeSourceError(err, 'AWS test');
      assert.strictEqual(described.kind, kind, described.message);
      return true;
    });
    return described!;
  }

  /** Starts `run`, aborts after `afterMs`, and returns how long the rejection took after the abort. */
  async function cancelLatency(run: (options: RequestOptions) => Promise<unknown>, afterMs: number): Promise<number> {
    const controller = new AbortController();
    const pending = run({ signal: controller.signal });
    pending.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const t0 = performance.now();
    controller.abort();
    await assert.rejects(pending, (err: unknown) => describeSourceError(err, 'x').kind === 'cancelled');
    return performance.now() - t0;
  }

  suiteSetup(async () => {
    server = await startXrayApiTestServer();
    const list = await createXrayApiSource({ kind: 'local', label: 'probe', region: 'us-east-1', endpoint: server.url, staticCredentials: CREDENTIALS })
      .listTraceSummaries({ window: WINDOW, maxTraces: 10_000 });
    traceIds = list.summaries.map((s) => s.id);
  });

  teardown(() => {
    for (const s of sources.splice(0)) s.dispose();
    server.setFaults({});
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  test('serves the fixture traces; summaries carry what was scanned and when', async () => {
    assert.strictEqual(traceIds.length, 453);
    const result = await awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 150 });
    assert.strictEqual(result.summaries.length, 150);
    assert.strictEqual(result.truncated, true);
    assert.strictEqual(result.sampled, false);
    assert.strictEqual(result.pages, 2);
    assert.ok(result.tracesProcessed >= 150, String(result.tracesProcessed));
    assert.ok(result.approximateTime && Math.abs(result.approximateTime - Date.now() / 1000) < 60);
  });

  test('throttled attempts are retried, each one reported with the pace it slowed to', async () => {
    withFaults({ fail: { GetTraceSummaries: { error: 'throttled', times: 2 } } });
    const events: SourceProgress[] = [];
    const result = await awsSource({ maxRequestsPerSecond: 20 }).listTraceSummaries({ window: WINDOW, maxTraces: 50 }, { onProgress: (e) => events.push(e) });
    assert.strictEqual(result.summaries.length, 50, 'never a silently empty list');
    assert.strictEqual(result.incomplete, undefined);
    // The first throttle cuts 20/s by a fifth; the second was sent after the cut, and cuts again.
    assert.deepStrictEqual(events.filter((e) => e.kind === 'throttled'), [
      { kind: 'throttled', operation: 'GetTraceSummaries', ratePerSecond: 16 },
      { kind: 'throttled', operation: 'GetTraceSummaries', ratePerSecond: 12.8 },
    ]);
    assert.deepStrictEqual(events.at(-1), { kind: 'summaries', received: 50, scanned: 100 });
    assert.deepStrictEqual(server.requests.map((r) => r.status), [429, 429, 200]);
  });

  test('a third of all calls throttled (every third, and at random), pages of 7, batches answered in part: every trace arrives, none marked missing', async function () {
    this.timeout(60_000);
    const wanted = traceIds.slice(0, 60);
    const window = { startTime: WINDOW.startTime, endTime: WINDOW.endTime };
    withFaults({ summariesPageSize: 7 });
    const plain = await awsSource().listTraceSummaries({ window, maxTraces: 60 });
    for (const throttle of [{ every: 3 }, { probability: 1 / 3, seed: 11 }]) {
      withFaults({ throttle, summariesPageSize: 7, partialBatches: { answered: 3 } });
      const source = awsSource({ maxRequestsPerSecond: 100 });
      const listed = await source.listTraceSummaries({ window, maxTraces: 60 });
      const fetched = await source.getTraces(wanted);
      const throttled = server.requests.filter((r) => r.status === 429).length;
      assert.ok(throttled >= 10, `${JSON.stringify(throttle)}: only ${throttled} of ${server.requests.length} calls were throttled`);
      assert.deepStrictEqual(listed.summaries.map((s) => s.id), plain.summaries.map((s) => s.id), JSON.stringify(throttle));
      assert.strictEqual(listed.incomplete, undefined);
      assert.deepStrictEqual(new Set(fetched.traces.map((t) => t.id)), new Set(wanted));
      assert.deepStrictEqual(fetched.unprocessedIds, []);
      assert.strictEqual(fetched.incomplete, undefined);
    }
  });

  test('every call throttled: the fetch gives up after giveUpAfterMs without progress, with one message', async () => {
    withFaults({ throttle: { every: 1 } });
    const t0 = performance.now();
    const d = await rejectsAs(awsSource({ giveUpAfterMs: 1500, maxRequestsPerSecond: 50 }).getTraces(traceIds.slice(0, 30)), 'throttled');
    const took = performance.now() - t0;
    assert.ok(took <= 1500 + 300, `gave up after ${took.toFixed(0)} ms`);
    assert.match(d.message, /^AWS test throttled every request for 2 s \(\d+ throttled attempts\), so the fetch stopped\. Wait a minute/);
    // Six batches in flight at most, each retried with a growing back-off: tens of attempts, not hundreds.
    assert.ok(server.requests.length >= 6 && server.requests.length < 200, String(server.requests.length));
    const listing = await rejectsAs(awsSource({ giveUpAfterMs: 1000 }).listTraceSummaries({ window: WINDOW, maxTraces: 10 }), 'throttled');
    assert.match(listing.message, /throttled every request for 1 s/);
  });

  test('throttling that sets in mid-fetch: what arrived comes back, marked incomplete with what is missing', async () => {
    // The summaries: pages of 7; after the third page every call is throttled.
    withFaults({ summariesPageSize: 7 });
    const source = awsSource({ giveUpAfterMs: 1000, maxRequestsPerSecond: 100 });
    const listed = await source.listTraceSummaries({ window: WINDOW, maxTraces: 100 }, {
      onProgress: (e) => {
        if (e.kind === 'summaries' && e.received === 21) server.setFaults({ summariesPageSize: 7, throttle: { every: 1 } });
      },
    });
    assert.strictEqual(listed.summaries.length, 21);
    assert.strictEqual(listed.truncated, false);
    assert.match(listed.incomplete?.message ?? '', /^21 traces listed, then AWS test throttled every request for 1 s \(\d+ throttled in all\): older traces of the time range are missing\.$/);

    // The traces: after the first batch every call is throttled.
    withFaults({});
    const wanted = traceIds.slice(0, 40);
    const fetched = await awsSource({ giveUpAfterMs: 1000, concurrency: 1, maxRequestsPerSecond: 100 }).getTraces(wanted, {
      onProgress: (e) => {
        if (e.kind === 'traces' && e.received === 5) server.setFaults({ throttle: { every: 1 } });
      },
    });
    assert.deepStrictEqual(fetched.traces.map((t) => t.id).sort(), wanted.slice(0, 5).sort());
    assert.deepStrictEqual(new Set(fetched.unprocessedIds), new Set(wanted.slice(5)));
    assert.match(fetched.incomplete?.message ?? '', /^5 of 40 traces fetched, then AWS test throttled every request for 1 s \(\d+ throttled in all\): 35 are missing\.$/);
  });

  test('the pace never goes above the configured rate, retries included', async () => {
    withFaults({ throttle: { every: 2 } });
    await awsSource({ maxRequestsPerSecond: 20, concurrency: 5 }).getTraces(traceIds.slice(0, 50));
    const starts = server.requests.map((r) => r.startedAt).sort((a, b) => a - b);
    assert.ok(starts.length >= 20, String(starts.length));
    let most = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[j] <= starts[i] - 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    // 20/s spaces requests 50 ms apart: at most 21 start within any second (arrival jitter can bring one closer).
    assert.ok(most <= 21, `${most} requests within 1 s`);
  });

  test('BatchGetTraces: at most 5 ids a call, no more calls in flight than the concurrency', async () => {
    withFaults({ delayMs: { BatchGetTraces: 30 } });
    const events: SourceProgress[] = [];
    const result = await awsSource({ concurrency: 3 }).getTraces(traceIds.slice(0, 42), { onProgress: (e) => events.push(e) });
    assert.strictEqual(result.traces.length, 42);
    assert.deepStrictEqual(result.unprocessedIds, []);
    const calls = server.requests.filter((r) => r.operation === 'BatchGetTraces');
    assert.strictEqual(calls.length, 9);
    assert.ok(calls.every((c) => (c.body.TraceIds as string[]).length <= 5));
    const maxInFlight = Math.max(...calls.map((c) => calls.filter((o) => o.startedAt <= c.startedAt && o.endedAt! > c.startedAt).length));
    assert.strictEqual(maxInFlight, 3);
    assert.deepStrictEqual(events.filter((e) => e.kind === 'traces').at(-1), { kind: 'traces', received: 42, total: 42 });
  });

  test('UnprocessedTraceIds are asked for again; ids still missing after the rounds are reported', async () => {
    withFaults({ partialBatches: { answered: 2, times: 3 } });
    const unknown = '1-00000000-000000000000000000000000';
    const wanted = traceIds.slice(0, 10);
    const result = await awsSource().getTraces([...wanted, unknown]);
    assert.deepStrictEqual(new Set(result.traces.map((t) => t.id)), new Set(wanted));
    assert.deepStrictEqual(result.unprocessedIds, [unknown]);
    // 3 first-round calls (2 answered each); the second round brings the 5 unprocessed known ids, so the unknown one
    // is asked for again until two rounds in a row bring nothing: 4 times in all.
    const calls = server.requests.filter((r) => r.operation === 'BatchGetTraces');
    assert.strictEqual(calls.filter((c) => (c.body.TraceIds as string[]).includes(unknown)).length, 4);
  });

  test('a trace X-Ray marks LimitExceeded keeps the flag', async () => {
    withFaults({ limitExceeded: [traceIds[3]] });
    const result = await awsSource().getTraces(traceIds.slice(0, 5));
    assert.deepStrictEqual(result.traces.filter((t) => t.limitExceeded).map((t) => t.id), [traceIds[3]]);
  });

  test('calls are paced at the configured rate', async () => {
    withFaults({});
    await awsSource({ maxRequestsPerSecond: 20, concurrency: 5 }).getTraces(traceIds.slice(0, 50));
    const starts = server.requests.filter((r) => r.operation === 'BatchGetTraces').map((r) => r.startedAt).sort((a, b) => a - b);
    assert.strictEqual(starts.length, 10);
    // 50 ms apart at 20 per second: 450 ms from the first to the tenth. Each arrival is measured at the server,
    // so a busy machine can push one request later and the next closer to it; the span cannot shrink.
    // Unpaced, 5 at a time with no delay, the ten arrive within a few tens of milliseconds.
    const span = starts[9] - starts[0];
    assert.ok(span >= 430, `10 calls within ${span.toFixed(0)} ms: ${starts.map((t) => (t - starts[0]).toFixed(0)).join(', ')}`);
  });

  test('cancel takes effect within 200 ms: in flight, waiting on the pacer, in a retry back-off, while polling', async () => {
    withFaults({ delayMs: { GetTraceSummaries: 5000 } });
    const inFlight = await cancelLatency((o) => awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 10 }, o), 100);

    withFaults({});
    const paced = awsSource({ maxRequestsPerSecond: 0.2 });
    await paced.getServiceGraph(WINDOW);
    const onPacer = await cancelLatency((o) => paced.getServiceGraph(WINDOW, o), 100);
    assert.strictEqual(server.requests.filter((r) => r.operation === 'GetServiceGraph').length, 1, 'the cancelled call never went out');

    withFaults({ fail: { GetTraceSummaries: { error: 'throttled' } } });
    const inBackoff = await cancelLatency((o) => awsSource({ maxAttempts: 10 }).listTraceSummaries({ window: WINDOW, maxTraces: 10 }, o), 250);
    assert.ok(server.requests.length >= 1);

    withFaults({ transactionSearch: { pollsUntilDone: 1000 } });
    const polling = await cancelLatency((o) => awsSource({ retrievalPollMs: 5000 }).getTraces(traceIds.slice(0, 2), o), 200);
    assert.ok(server.requests.some((r) => r.operation === 'ListRetrievedTraces'));
    // The abandoned retrieval is cancelled on the service, not left to run.
    await waitUntil(() => server.requests.some((r) => r.operation === 'CancelTraceRetrieval' && r.status === 200));

    for (const [where, ms] of Object.entries({ inFlight, onPacer, inBackoff, polling })) {
      assert.ok(ms < 200, `${where}: ${ms.toFixed(0)} ms`);
    }
  });

  test('Transaction Search: the mode is asked once, traces come from a retrieval polled until COMPLETE', async () => {
    withFaults({ transactionSearch: { pollsUntilDone: 3 } });
    const source = awsSource();
    assert.deepStrictEqual(await source.getMode(), { destination: 'CloudWatchLogs', status: 'ACTIVE' });
    const events: SourceProgress[] = [];
    const wanted = traceIds.slice(0, 7);
    const result = await source.getTraces(wanted, { window: WINDOW, onProgress: (e) => events.push(e) });
    assert.deepStrictEqual(new Set(result.traces.map((t) => t.id)), new Set(wanted));
    assert.ok(result.traces.every((t) => t.segments.length > 0 && t.rejected.length === 0));
    assert.deepStrictEqual(events.filter((e) => e.kind === 'retrieval').map((e) => (e as { status: string }).status), ['SCHEDULED', 'RUNNING', 'RUNNING', 'COMPLETE']);
    const ops = server.requests.map((r) => r.operation);
    assert.strictEqual(ops.filter((o) => o === 'GetTraceSegmentDestination').length, 1);
    assert.ok(!ops.includes('BatchGetTraces'));
    const start = server.requests.find((r) => r.operation === 'StartTraceRetrieval')!;
    assert.deepStrictEqual(start.body, { TraceIds: wanted, StartTime: WINDOW.startTime, EndTime: WINDOW.endTime });
    assert.ok(server.requests.filter((r) => r.operation === 'ListRetrievedTraces').every((r) => r.body.TraceFormat === 'XRAY'));
  });

  test('one caller cancelling while the mode is asked does not fail the others waiting for it', async () => {
    withFaults({ delayMs: { GetTraceSegmentDestination: 300 } });
    const source = awsSource();
    const controller = new AbortController();
    const listing = source.getMode({ signal: controller.signal }); // the trace list's refresh asks first...
    listing.catch(() => undefined);
    const expanding = source.getTraces(traceIds.slice(0, 2)); // ...and a trace is opened meanwhile
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(listing, (err: unknown) => describeSourceError(err, 'x').kind === 'cancelled');
    assert.strictEqual((await expanding).traces.length, 2);
  });

  test('Transaction Search without a window: the window comes from the trace ids', async () => {
    withFaults({ transactionSearch: { pollsUntilDone: 0 } });
    const result = await awsSource().getTraces(traceIds.slice(0, 3));
    assert.strictEqual(result.traces.length, 3);
    assert.deepStrictEqual(result.unprocessedIds, []);
  });

  test('Transaction Search retrieval FAILED: a clear error', async () => {
    withFaults({ transactionSearch: { pollsUntilDone: 1, finalStatus: 'FAILED' } });
    const d = await rejectsAs(awsSource().getTraces(traceIds.slice(0, 2)), 'retrieval-failed');
    assert.match(d.message, /ended FAILED/);
  });

  test('Transaction Search retrieval that never completes: given up after retrievalTimeoutMs, said so', async () => {
    withFaults({ transactionSearch: { pollsUntilDone: 1000 } });
    const d = await rejectsAs(awsSource({ retrievalTimeoutMs: 150 }).getTraces(traceIds.slice(0, 2)), 'retrieval-failed');
    assert.match(d.message, /The trace retrieval was still RUNNING after 0 s/);
  });

  test('the local collector is always in X-Ray mode without asking', async () => {
    withFaults({});
    const local = createXrayApiSource({ kind: 'local', label: 'local', region: 'us-east-1', endpoint: server.url, staticCredentials: CREDENTIALS });
    sources.push(local);
    assert.strictEqual((await local.getMode()).destination, 'XRay');
    assert.strictEqual(server.requests.length, 0);
  });

  test('GetTraceGraph and GetServiceGraph through the same source', async () => {
    withFaults({});
    const source = awsSource();
    const graph = await source.getTraceGraph(traceIds.slice(0, 3));
    assert.ok(graph.Services.length > 0);
    const map = await source.getServiceGraph(WINDOW);
    assert.ok(map.Services.some((s) => s.Name === 'frontend-api'));
  });

  suite('one described error per failure', () => {
    test('AccessDenied names the missing xray action, from the message', async () => {
      withFaults({ fail: { GetTraceSummaries: { error: 'access-denied' } } });
      const d = await rejectsAs(awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 5 }), 'access-denied');
      assert.strictEqual(d.action, 'xray:GetTraceSummaries');
      assert.match(d.message, /lack xray:GetTraceSummaries/);
    });

    test('AccessDenied without an action in the message: the failed operation names it', async () => {
      withFaults({ fail: { BatchGetTraces: { error: 'access-denied', message: 'Access denied' } } });
      const d = await rejectsAs(awsSource().getTraces(traceIds.slice(0, 1)), 'access-denied');
      assert.strictEqual(d.action, 'xray:BatchGetTraces');
    });

    test('no permission for GetTraceSegmentDestination: X-Ray mode is assumed, traces still come', async () => {
      withFaults({ fail: { GetTraceSegmentDestination: { error: 'access-denied' } } });
      const source = awsSource();
      const mode = await source.getMode();
      assert.strictEqual(mode.destination, 'XRay');
      assert.match(mode.assumed ?? '', /access-denied/);
      assert.strictEqual((await source.getTraces(traceIds.slice(0, 2))).traces.length, 2);
    });

    test('an endpoint that lacks GetTraceSegmentDestination (an emulator answers 501): X-Ray mode is assumed, traces still come', async () => {
      withFaults({ fail: { GetTraceSegmentDestination: { error: 'not-implemented' } } });
      const source = awsSource();
      assert.match((await source.getMode()).assumed ?? '', /GetTraceSegmentDestination/);
      assert.strictEqual((await source.getTraces(traceIds.slice(0, 2))).traces.length, 2);
    });

    test('an expired session token', async () => {
      withFaults({ fail: { '*': { error: 'expired-token' } } });
      await rejectsAs(awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 5 }), 'expired-credentials');
    });

    test('an invalid filter: the service message kept for display', async () => {
      withFaults({ fail: { GetTraceSummaries: { error: 'invalid-request', message: 'Invalid filter expression: unexpected end at 15' } } });
      const d = await rejectsAs(awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 5, filterExpression: 'responsetime >' }), 'invalid-request');
      assert.strictEqual(d.detail, 'Invalid filter expression: unexpected end at 15');
      assert.strictEqual(server.requests[0].body.FilterExpression, 'responsetime >');
    });

    for (const error of ['html', 'garbage', 'not-found'] as const) {
      test(`an endpoint that is not an X-Ray API (${error})`, async () => {
        withFaults({ fail: { '*': { error } } });
        const d = await rejectsAs(awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 5 }), 'not-xray');
        assert.match(d.message, /did not answer like an X-Ray API endpoint/);
      });
    }

    test('nothing listening: network unreachable', async () => {
      const port = await freePort();
      await rejectsAs(awsSource({ endpoint: `http://127.0.0.1:${port}` }).listTraceSummaries({ window: WINDOW, maxTraces: 5 }), 'unreachable');
    });

    test('a region that does not exist', async function () {
      this.timeout(20_000); // a real DNS lookup of xray.<region>.amazonaws.com
      const d = await rejectsAs(awsSource({ endpoint: undefined, region: 'xx-nowhere-9', maxAttempts: 1 }).listTraceSummaries({ window: WINDOW, maxTraces: 5 }), 'unknown-region');
      assert.match(d.message, /"xx-nowhere-9" is not an AWS region/);
    });

    test('no error message, log line or description carries the keys', async () => {
      withFaults({ fail: { '*': { error: 'access-denied', message: `denied for ${CREDENTIALS.accessKeyId} secret_access_key=${CREDENTIALS.secretAccessKey}` } } });
      await assert.rejects(awsSource().listTraceSummaries({ window: WINDOW, maxTraces: 5 }), (err: unknown) => {
        const d = describeSourceError(err, 'AWS test');
        const shown = JSON.stringify(d);
        assert.ok(!shown.includes(CREDENTIALS.accessKeyId) && !shown.includes(CREDENTIALS.secretAccessKey), shown);
        return true;
      });
    });
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}
