// The real Python X-Ray SDK (Debian package python3-aws-xray-sdk, /usr/bin/python3) as a second emitter:
// its spaced header, embedded subsegments that carry trace_id/parent_id/type, and its exception format.
import { BatchGetTracesCommand, CreateSamplingRuleCommand, GetSamplingRulesCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import type { SegmentDocument } from '../../../src/xray/model';
import { ROOT, runPeer, startPeer, startTestCollector, waitFor, xrayClient } from './collectorHarness';

// The Debian package installs for the system interpreter, which may not be the first python3 on PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

suite('collector: real Python X-Ray SDK', () => {
  let collector: LocalCollector;
  let client: XRayClient;

  suiteSetup(async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
  });

  suiteTeardown(async () => {
    client.destroy();
    await collector.close();
  });

  test('a segment with a subsegment, an annotation and an exception reads back through client-xray', async () => {
    const result = await runPeer(PYTHON, [path.join(ROOT, 'test/peers/pythonXraySdkEmitter.py'), `127.0.0.1:${collector.port}`]);
    assert.equal(result.code, 0, `python3-aws-xray-sdk (apt-get install -y python3-aws-xray-sdk) must be installed: ${result.stderr}`);
    const { traceId, segmentId, subsegmentId } = result.lines[0] as { traceId: string; segmentId: string; subsegmentId: string };
    await waitFor(() => collector.store.has(traceId), 'the Python segment');
    assert.equal(collector.counters().rejected, 0);

    const page = await client.send(new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 60_000), EndTime: new Date() }));
    const summary = page.TraceSummaries?.find((s) => s.Id === traceId);
    assert.ok(summary);
    assert.equal(summary.HasFault, true);
    assert.equal(summary.Annotations?.invoice?.[0].AnnotationValue?.StringValue, 'INV-42');
    assert.ok(summary.ServiceIds?.some((s) => s.Name === 'python-billing'));

    const reply = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
    const segments = (reply.Traces?.[0].Segments ?? []).map((s) => JSON.parse(s.Document as string) as SegmentDocument);
    assert.deepEqual(segments.map((s) => s.id), [segmentId]);
    const sub = segments[0].subsegments?.find((s) => s.id === subsegmentId);
    assert.equal(sub?.name, 'chargeCard');
    assert.equal(sub?.annotations?.attempt, 1);
    const exception = (sub?.cause as { exceptions: { type: string; message: string; stack: unknown[] }[] }).exceptions[0];
    assert.equal(exception.type, 'ValueError');
    assert.equal(exception.message, 'card declined');
    assert.ok(exception.stack.length > 0);
  });
});

// Centralized sampling needs aws-xray-sdk 2.x (Debian's 0.95 samples on local rules only). PyPI is out of reach
// here, so it runs where a python3 on PATH has it (this machine image's pyenv Python ships 2.15.0) and says so
// as pending where none does.
suite('collector: the Python X-Ray SDK\'s centralized sampling (aws-xray-sdk 2.x)', () => {
  /** The SDK's version, or the test skipped (and says why) where no python3 on PATH has 2.x. */
  function sdkVersion(context: Mocha.Context): string {
    const probe = spawnSync('python3', ['-c', 'import aws_xray_sdk.version as v; print(v.VERSION)'], { encoding: 'utf8' });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    if (!/^[2-9]\./.test(version)) {
      console.log(`      (skipped: no python3 on PATH has aws-xray-sdk 2.x: ${version || probe.stderr.trim().split('\n').pop()})`);
      context.skip();
    }
    return version;
  }
  const app = path.join(ROOT, 'test/peers/pythonSamplingApp.py');

  test('it takes the rules and targets, samples every request with sample-all, and reports them under its service\'s rule', async function () {
    this.timeout(90_000);
    const version = sdkVersion(this);
    const collector = await startTestCollector({ sampleAll: true });
    try {
      // One request first makes the service known, so the rules the next run fetches have one for it.
      const first = await runPeer('python3', [app, `127.0.0.1:${collector.port}`, '1', '0', '0']);
      assert.equal(first.code, 0, first.stderr);
      const peer = startPeer('python3', [app, `127.0.0.1:${collector.port}`, '300', '5', '40'], {}, 80_000);
      try {
        await waitFor(() => peer.stdout().includes('"done"'), 'the 300 requests', 30_000);
        await waitFor(() => collector.counters().sampling.reportedRequests >= 295, 'its statistics report', 40_000);
      } finally {
        peer.kill('SIGTERM');
      }
      const lines = (await peer.result).lines.filter((l) => typeof l.traceId === 'string') as { traceId: string; sampled: boolean }[];
      assert.equal(lines.length, 300);
      const unsampled = lines.map((r, i) => (r.sampled ? -1 : i)).filter((i) => i >= 0);
      assert.ok(unsampled.every((i) => i < 5), `aws-xray-sdk ${version}: unsampled requests at ${unsampled.join(', ')}`);
      const sampled = lines.filter((r) => r.sampled);
      await waitFor(() => sampled.every((r) => collector.store.has(r.traceId)), `all ${sampled.length} sampled traces`, 20_000);
      const sampling = collector.counters().sampling;
      assert.equal(sampling.reportedTraced, sampling.reportedRequests, JSON.stringify(sampling));
      assert.deepEqual(sampling.byService.map((r) => [r.service, r.rule]), [['py-orders', 'py-orders-1']]);
      assert.ok(sampling.reportedRequests <= 300 - unsampled.length);
    } finally {
      await collector.close();
    }
  });

  test('a sampling rule created while it runs: the SamplingTargets after it has a newer LastRuleModification, the SDK fetches the rules again and stops tracing', async function () {
    this.timeout(90_000);
    sdkVersion(this);
    const collector = await startTestCollector({ sampleAll: true });
    const client = xrayClient(collector);
    try {
      // The service's own rule made beforehand (a run, then a rule request to add it), and a second gone by: so that
      // only the rule created below moves LastRuleModification past the running app's copy of the rules.
      assert.equal((await runPeer('python3', [app, `127.0.0.1:${collector.port}`, '1', '0', '0'])).code, 0);
      await waitFor(() => collector.store.entryServiceNames().includes('py-orders'), 'the service known');
      assert.ok((await client.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords?.some((r) => r.SamplingRule?.RuleName === 'py-orders-1'));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const ruleRequests = collector.counters().sampling.ruleRequests;
      // 200 requests, one every 100 ms: its first target report (10 s) comes halfway.
      const peer = startPeer('python3', [app, `127.0.0.1:${collector.port}`, '200', '100', '0'], {}, 80_000);
      let createdAfter = 0;
      try {
        await waitFor(() => peer.stdout().split('\n').length > 10, 'the first requests', 20_000);
        createdAfter = peer.stdout().split('\n').length - 1;
        await client.send(new CreateSamplingRuleCommand({ SamplingRule: {
          RuleName: 'py-drop', ResourceARN: '*', Priority: 1, FixedRate: 0, ReservoirSize: 0, ServiceName: 'py-*', ServiceType: '*',
          Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1,
        } }));
        await waitFor(() => peer.stdout().includes('"done"'), 'the 200 requests', 60_000);
      } finally {
        peer.kill('SIGTERM');
      }
      const lines = (await peer.result).lines.filter((l) => typeof l.traceId === 'string') as { sampled: boolean }[];
      assert.equal(lines.length, 200);
      const sampled = lines.map((l) => l.sampled);
      // Still on the old rules for a while after the create (until its report), none traced at the end.
      assert.ok(sampled.slice(5, createdAfter + 20).every(Boolean), `traced until its target report: ${sampled.map(Number).join('')}`);
      assert.ok(sampled.slice(160).every((s) => !s), `none traced after it fetched py-drop: ${sampled.map(Number).join('')}`);
      assert.ok(collector.counters().sampling.ruleRequests >= ruleRequests + 2, 'fetched the rules at its start and again');
    } finally {
      client.destroy();
      await collector.close();
    }
  });
});
