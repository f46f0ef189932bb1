// The index by file: entries in line order with names, evidence and stats; nested subsegments of the same function
// are not counted twice; ambiguous documents give no numbers; a 2,000-line file's lookup stays cheap.
import * as assert from 'assert';
import { CodeMapper } from '../../../src/code/codeMapping';
import { CodeParser, loadCodeParser, type ParsedCode } from '../../../src/code/functionRanges';
import { LatencyIndex } from '../../../src/code/latencyIndex';
import type { SegmentDocument } from '../../../src/xray/model';
import { WASM_DIR, generatedModule } from './functionRangesHelpers';

suite('latency index', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['typescript']);
  });
  suiteTeardown(() => parser.dispose());

  test('a 2,000-line file: one entry per traced method in line order, each with its own numbers; lookups stay under 2 ms', () => {
    const text = generatedModule(2000);
    const code = new Map<string, ParsedCode>([['src/service.ts', parser.parse(text, 'typescript')]]);
    const mapper = new CodeMapper({ files: ['src/service.ts'], code });
    const traces: SegmentDocument[][] = [];
    for (let i = 0; i < 2000; i++) {
      const op = i % 50;
      traces.push([{ id: `s${i}`, name: 'svc', start_time: 1, end_time: 2, subsegments: [
        { id: `a${i}`, name: `op-${op}`, start_time: 1, end_time: 1 + (op + 1) / 1000, fault: i % 200 === 0 },
        // The SDK's record of an HTTP call that happens to share the name: the peer's time, not the method's.
        { id: `r${i}`, name: `op-${op}`, namespace: 'remote', start_time: 1, end_time: 1.9, http: { request: { url: `http://op-${op}/`, method: 'GET' } } },
      ] } as SegmentDocument]);
    }
    const index = LatencyIndex.build(traces, mapper);
    const entries = index.forFile('src/service.ts');
    assert.strictEqual(entries.length, 50);
    assert.deepStrictEqual(entries.map((e) => e.line), [...entries.map((e) => e.line)].sort((a, b) => a - b));
    const op7 = entries.find((e) => e.names[0] === 'op-7')!;
    assert.strictEqual(op7.function, 'Service4.method7'); // classes are named after their first method's number
    assert.deepStrictEqual([op7.stats?.count, Math.round(op7.stats!.p50), op7.evidence], [40, 8, ['b']]);
    assert.strictEqual(entries.find((e) => e.names[0] === 'op-0')?.stats?.faults, 10);
    // Share of the segment's time: 8 ms of a 1 s request.
    assert.ok(Math.abs((op7.stats?.parentShare ?? 0) - 0.008) < 1e-9, String(op7.stats?.parentShare));
    assert.deepStrictEqual(index.forFile('src/other.ts'), []);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      index.forFile('src/service.ts');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    assert.ok(times[Math.floor(times.length * 0.99)] < 2, `p99 ${times[Math.floor(times.length * 0.99)]} ms`);
  });
});
