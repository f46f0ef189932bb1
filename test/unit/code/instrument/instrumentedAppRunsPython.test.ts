// The inserted Python code really runs, with the real Python X-Ray SDK (Debian package python3-aws-xray-sdk,
// installed by scripts/systemPackages.mjs): a copy of the uninstrumented worker (test/peers/uninstrumented/python)
// gets "Set Up Tracing" (configure + patch_all, a segment around the __main__ block) and "Trace This Function"
// (a plain function, one that raises, a method); it runs against a LocalCollector; the subsegments arrive named
// after each function with code.* metadata, the ValueError a fault with its exception, and the latency index
// gives each function the numbers of its subsegments.
import * as assert from 'assert';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWorkspace } from '../../../../src/cli/hotspotsWorkspace';
import { CodeMapper } from '../../../../src/code/codeMapping';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import type { ProjectFile } from '../../../../src/code/instrument/flavourDetection';
import { LatencyIndex } from '../../../../src/code/latencyIndex';
import type { LocalCollector } from '../../../../src/collector/localCollector';
import { indexExceptions, resolveCause } from '../../../../src/xray/cause';
import { classifyDocument } from '../../../../src/xray/classification';
import type { CauseObject, SegmentDocument } from '../../../../src/xray/model';
import { walkDocuments } from '../../../../src/xray/segmentTree';
import { ROOT, runPeer, startTestCollector, waitFor } from '../../collector/collectorHarness';
import { WASM_DIR } from '../functionRangesHelpers';
import { applyPlan, planFor, readProject, traceFunctions, writeProject } from './setUpTracingHelpers';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const WRAPPED: [needle: string, name: string][] = [
  ['value = int(raw)', 'parse_amount'],
  ['time.sleep(0.002)', 'charge'],
  ['self.lines.append', 'Ledger.record'],
];
/** Five invoices; 500 and 300 are over the limit, so charge raises for them and Ledger.record is not reached. */
const AMOUNTS = ['5', '500', '20', '7', '300'];

suite('instrumented app runs: Python, the real X-Ray SDK', () => {
  let parser: CodeParser;
  let collector: LocalCollector;
  let dir: string;
  let workerText: string;
  let traces: SegmentDocument[][];
  let run: { code: number | null; stdout: string; stderr: string };

  suiteSetup(async function () {
    this.timeout(60_000);
    parser = await loadCodeParser(WASM_DIR, ['python']);
    collector = await startTestCollector();
    dir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-run-python-'));
    const project = readProject(path.join(ROOT, 'test/peers/uninstrumented/python'));
    const plan = planFor(parser, project, 'xray-sdk', 'billing', 'python', { daemonAddress: `127.0.0.1:${collector.port}` });
    const setUp = applyPlan(project, plan);
    const worker = setUp.find((f) => f.path === 'main.py') as ProjectFile;
    workerText = traceFunctions(parser, worker.text, 'python', 'main.py', 'xray-sdk', WRAPPED.map(([needle]) => needle));
    writeProject(dir, setUp.map((f) => (f.path === 'main.py' ? { ...f, text: workerText } : f)));
    // The SDK prefers AWS_XRAY_DAEMON_ADDRESS over the written address: set it to the same collector, whatever
    // the test runner's environment holds.
    run = await runPeer(PYTHON, [path.join(dir, 'main.py'), ...AMOUNTS], { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}` });
    await waitFor(() => {
      traces = collector.store.segmentsOverlapping({ startTime: 0, endTime: Date.now() / 1000 + 60 });
      return traces.length > 0;
    }, 'the worker\'s segment', 10_000);
  });

  suiteTeardown(async () => {
    parser?.dispose();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the worker ran as before: 3 settled, 2 failed, nothing on stderr', () => {
    assert.strictEqual(run.code, 0, `python3-aws-xray-sdk (apt-get install -y python3-aws-xray-sdk) must be installed: ${run.stderr}`);
    assert.deepStrictEqual(JSON.parse(run.stdout.trim()), { settled: 3, failed: 2 });
    assert.strictEqual(run.stderr.trim(), '');
  });

  test('one segment for the run; a subsegment per call named after each function, with code.* metadata', () => {
    assert.strictEqual(traces.length, 1);
    const [segment] = traces[0];
    assert.strictEqual(segment.name, 'billing');
    const counts = Object.fromEntries(WRAPPED.map(([, name]) => [name, 0]));
    walkDocuments(traces[0], ({ doc }) => {
      if (!(doc.name in counts) || doc === segment) return;
      counts[doc.name]++;
      const code = doc.metadata?.default as Record<string, unknown> | undefined;
      assert.deepStrictEqual([code?.['code.function.name'], code?.['code.file.path']], [doc.name, 'main.py']);
      const line = workerText.split('\n')[Number(code?.['code.line.number']) - 1] ?? '';
      assert.match(line, new RegExp(`def ${doc.name.split('.').pop()}\\(`), `${doc.name}: line ${code?.['code.line.number']}`);
    });
    assert.deepStrictEqual(counts, { parse_amount: 5, charge: 5, 'Ledger.record': 3 });
  });

  test('the ValueError is a fault on charge with its exception; the segment itself is fine', () => {
    const failed: SegmentDocument[] = [];
    walkDocuments(traces[0], ({ doc }) => {
      if (doc.name === 'charge' && classifyDocument(doc) === 'fault') failed.push(doc);
    });
    assert.strictEqual(failed.length, 2);
    for (const doc of failed) {
      const exception = (doc.cause as CauseObject).exceptions?.[0];
      assert.deepStrictEqual([exception?.type, /over the limit/.test(exception?.message ?? '')], ['ValueError', true]);
    }
    assert.strictEqual(classifyDocument(traces[0][0]), 'ok');
  });

  test('the latency index gives each wrapped function the count and faults of its subsegments', () => {
    const index = LatencyIndex.build(traces, new CodeMapper(readWorkspace(dir, parser)));
    const rows = Object.fromEntries(index.forFile('main.py').map((e) => [e.function, e]));
    assert.deepStrictEqual(Object.keys(rows).sort(), ['Ledger.record', 'charge', 'parse_amount']);
    assert.deepStrictEqual(WRAPPED.map(([, name]) => [name, rows[name].stats?.count, rows[name].stats?.faults]), [['parse_amount', 5, 0], ['charge', 5, 2], ['Ledger.record', 3, 0]]);
    for (const [, name] of WRAPPED) assert.ok(rows[name].evidence.includes('d'), `${name}: ${rows[name].evidence.join()}`);
  });

  test('an exception out of the __main__ block is recorded on the segment, which is still sent; the script still fails', async function () {
    this.timeout(30_000);
    const before = new Set(traces.map((t) => t[0].trace_id));
    const failedRun = await runPeer(PYTHON, [path.join(dir, 'main.py'), '5', 'not-a-number'], { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}` });
    assert.strictEqual(failedRun.code, 1, failedRun.stderr);
    assert.match(failedRun.stderr, /ValueError: invalid literal for int\(\)/);
    let segment: SegmentDocument | undefined;
    await waitFor(() => {
      segment = collector.store.segmentsOverlapping({ startTime: 0, endTime: Date.now() / 1000 + 60 }).map((t) => t[0]).find((s) => !before.has(s.trace_id));
      return segment !== undefined;
    }, 'the failed run\'s segment', 10_000);
    // The SDK recorded the exception on parse_amount first; the segment's cause names it by id.
    const cause = resolveCause(segment as SegmentDocument, indexExceptions([segment as SegmentDocument]));
    assert.deepStrictEqual([classifyDocument(segment as SegmentDocument), cause?.referenced, cause?.exceptions[0]?.type], ['fault', true, 'ValueError']);
    const parse = segment?.subsegments?.filter((s) => s.name === 'parse_amount') ?? [];
    assert.deepStrictEqual(parse.map((s) => classifyDocument(s)), ['ok', 'fault']);
  });
});
