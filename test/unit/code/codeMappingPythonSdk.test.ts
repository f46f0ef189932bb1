// The real Python X-Ray SDK (Debian package python3-aws-xray-sdk) running test/fixtures/code/python-app/billing.py
// against a LocalCollector: @xray_recorder.capture() names the subsegment after the function (c), capture('name')
// on a method and begin_subsegment('name') are call sites (b); the numbers equal those of the raw subsegments.
import * as assert from 'assert';
import { existsSync } from 'fs';
import * as path from 'path';
import { readWorkspace } from '../../../src/cli/hotspotsWorkspace';
import { CodeMapper } from '../../../src/code/codeMapping';
import { loadCodeParser } from '../../../src/code/functionRanges';
import { LatencyIndex } from '../../../src/code/latencyIndex';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { classifyDocument } from '../../../src/xray/classification';
import { nearestRank } from '../../../src/xray/latencyStats';
import type { SegmentDocument } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { ROOT, runPeer, startTestCollector, waitFor } from '../collector/collectorHarness';
import { WASM_DIR } from './functionRangesHelpers';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

suite('code mapping: the real Python X-Ray SDK', () => {
  let collector: LocalCollector;

  suiteSetup(async () => {
    collector = await startTestCollector();
  });
  suiteTeardown(async () => {
    await collector.close();
  });

  test('charge_card (capture() → its __name__), Ledger.write (capture(\'ledger-write\')), bill (begin_subsegment(\'fraud-check\'))', async function () {
    this.timeout(60_000);
    const run = await runPeer(PYTHON, [path.join(ROOT, 'test/fixtures/code/python-app/billing.py'), `127.0.0.1:${collector.port}`, '12']);
    assert.strictEqual(run.code, 0, `python3-aws-xray-sdk (apt-get install -y python3-aws-xray-sdk) must be installed: ${run.stderr}`);
    const { traceIds } = run.lines[0] as { traceIds: string[] };
    await waitFor(() => traceIds.every((id) => collector.store.has(id)), 'the 12 Python segments');
    const traces = traceIds.map((id) => collector.store.segments(id) as SegmentDocument[]);

    const parser = await loadCodeParser(WASM_DIR, ['python', 'javascript', 'typescript', 'tsx', 'java', 'go', 'csharp']);
    try {
      const index = LatencyIndex.build(traces, new CodeMapper(readWorkspace(path.join(ROOT, 'test/fixtures/code'), parser)));
      const rows = Object.fromEntries(index.forFile('python-app/billing.py').map((e) => [e.function, e]));
      assert.deepStrictEqual(Object.keys(rows).sort(), ['Ledger.write', 'bill', 'charge_card']);
      assert.deepStrictEqual([rows.charge_card.names, rows['Ledger.write'].names, rows.bill.names], [['charge_card'], ['ledger-write'], ['fraud-check']]);
      assert.ok(rows.charge_card.evidence.includes('c'), rows.charge_card.evidence.join());
      assert.ok(rows['Ledger.write'].evidence.includes('b'));
      assert.ok(rows.bill.evidence.includes('b'));
      for (const [fn, name] of [['charge_card', 'charge_card'], ['Ledger.write', 'ledger-write'], ['bill', 'fraud-check']]) {
        const durations: number[] = [];
        let faults = 0;
        walkDocuments(traces.flat(), ({ doc }) => {
          if (doc.name !== name || typeof doc.end_time !== 'number') return;
          durations.push((doc.end_time - doc.start_time) * 1000);
          if (classifyDocument(doc) === 'fault') faults++;
        });
        durations.sort((a, b) => a - b);
        const s = rows[fn].stats!;
        assert.deepStrictEqual([s.count, s.p50, s.p95, s.p99, s.faults], [durations.length, nearestRank(durations, 0.5), nearestRank(durations, 0.95), nearestRank(durations, 0.99), faults], fn);
      }
      assert.strictEqual(rows.charge_card.stats?.count, 12);
      assert.strictEqual(rows['Ledger.write'].stats?.count, 9, 'every fourth charge fails before the ledger write');
    } finally {
      parser.dispose();
    }
  });
});
