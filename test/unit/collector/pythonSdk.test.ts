// The real Python X-Ray SDK (Debian package python3-aws-xray-sdk, /usr/bin/python3) as a second emitter:
// its spaced header, embedded subsegments that carry trace_id/parent_id/type, and its exception format.
import { BatchGetTracesCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import type { SegmentDocument } from '../../../src/xray/model';
import { ROOT, runPeer, startTestCollector, waitFor, xrayClient } from './collectorHarness';

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
