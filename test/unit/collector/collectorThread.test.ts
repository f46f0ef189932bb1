// The collector on its own thread (worker_threads), as the extension runs it: it listens, stores what a real SDK
// sends, answers the read API from its thread, tells its owner about changes, sampling reports and counters, keeps
// the address-in-use error's kind across the thread boundary, and closes with its thread.
import { GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CollectorThread } from '../../../src/collector/collectorThread';
import { CollectorAddressInUseError } from '../../../src/collector/localCollector';
import { datagram, newId, newTraceId, nowSeconds, ROOT, runNodeSdkApp, sendDatagrams, waitFor, xrayClient } from './collectorHarness';

suite('collector: on its own thread', () => {
  test('a real SDK app\'s traces are stored on the thread and read through the read API; events and counters reach the owner', async function () {
    this.timeout(60_000);
    const lines: string[] = [];
    const collector = await CollectorThread.start({ port: 0, sampleAll: true, log: (line) => lines.push(line) });
    const client = xrayClient(collector);
    try {
      assert.ok(collector.port > 0);
      assert.ok(lines.some((l) => l.includes(`listening on 127.0.0.1:${collector.port}`)), lines.join('\n'));
      const changed: string[] = [];
      collector.onDidChange((e) => changed.push(...e.traceIds));
      // A warm-up request first: requests decided before the SDK has the rules may go unsampled (its fallback).
      const result = await runNodeSdkApp(collector, ['--requests', '5', '--warmup-ms', '300']);
      assert.equal(result.code, 0, result.stderr);
      const ids = result.lines.filter((l) => typeof l.traceId === 'string' && l.sampled === true).map((l) => l.traceId as string);
      assert.equal(ids.length, 5, result.stdout);
      await waitFor(() => ids.every((id) => changed.includes(id)), 'change events for the 5 traces');
      await waitFor(() => collector.counters().traces >= 5 && collector.counters().sampling.ruleRequests >= 1, 'the counters');
      const now = Date.now() / 1000;
      const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 5) * 1000) }));
      const listed = new Set(page.TraceSummaries?.map((s) => s.Id));
      assert.ok(ids.every((id) => listed.has(id)), `${ids.join(', ')} not all in ${[...listed].join(', ')}`);
      // Refused input is counted on the thread and reaches the owner's counters too.
      await sendDatagrams(collector.port, ['{"no":"header"}', datagram({ trace_id: newTraceId(), id: newId(), name: 'ok', start_time: nowSeconds(), end_time: nowSeconds() })]);
      await waitFor(() => (collector.counters().rejectedByReason['missing-header'] ?? 0) === 1, 'the refused datagram counted');
    } finally {
      client.destroy();
      await collector.close();
    }
    // Closed with its thread: the port is free again.
    const again = await CollectorThread.start({ port: collector.port });
    await again.close();
  });

  test('an address in use comes back as CollectorAddressInUseError, occupant and all', async () => {
    const first = await CollectorThread.start({ port: 0 });
    try {
      await assert.rejects(CollectorThread.start({ port: first.port }), (error: unknown) => {
        assert.ok(error instanceof CollectorAddressInUseError, String(error));
        assert.equal(error.occupant, 'xray-lens');
        assert.equal(error.port, first.port);
        return true;
      });
    } finally {
      await first.close();
    }
  });
});

suite('collector: its thread ending on its own', () => {
  test('the owner hears of it with the exit code, and a close() afterwards still resolves', async () => {
    const lines: string[] = [];
    const script = path.join(ROOT, 'test/support/crashingCollectorWorker.js');
    const collector = await CollectorThread.start({ log: (line) => lines.push(line) }, script);
    const code = await new Promise<number>((resolve) => collector.onDidExit(resolve));
    assert.equal(code, 3);
    assert.ok(lines.some((l) => l.includes('ended (exit code 3)')), lines.join('\n'));
    await collector.close();
  });
});
