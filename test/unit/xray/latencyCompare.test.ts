// Before/after per function: the change of the statistic, and a change claimed only when the permutation test
// (simple-statistics) says it is more than chance and both sides have enough samples.
import * as assert from 'node:assert/strict';
import { compareLatency, formatComparison, MIN_COMPARE_SAMPLES } from '../../../src/xray/latencyCompare';
import { formatMs } from '../../../src/xray/latencyStats';
import { seededRandom } from '../../support/seededRandom';

/** Skewed like latencies: a base plus an exponential tail. */
function latencies(n: number, baseMs: number, tailMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => baseMs - tailMs * Math.log(1 - random()));
}

suite('latency compare', () => {
  test('a real slowdown is claimed with its size and both sample sizes, in the lens\'s words', () => {
    const c = compareLatency(latencies(290, 20, 8, 1), latencies(318, 30, 10, 2));
    assert.equal(c.verdict, 'slower');
    assert.ok(c.pValue! < 0.01, String(c.pValue));
    assert.ok(c.change! > 0.25 && c.change! < 0.8, String(c.change));
    assert.match(formatComparison(c, formatMs), /^p95 \d+ ms \(\+\d+% vs before, n=318\/290\)$/);
    // The other way round it is faster.
    assert.equal(compareLatency(latencies(318, 30, 10, 2), latencies(290, 20, 8, 1)).verdict, 'faster');
  });

  test('the same distribution twice: no change claimed, whatever the p95s happen to be', () => {
    // Twenty pairs from one distribution: at a 5% level about one false claim is expected, never many.
    const verdicts = Array.from({ length: 20 }, (_, seed) => compareLatency(latencies(300, 20, 8, seed + 1), latencies(300, 20, 8, seed + 101)).verdict);
    assert.ok(!verdicts.includes('too-few'));
    assert.ok(verdicts.filter((v) => v !== 'no-change').length <= 3, verdicts.join());
    const same = compareLatency(latencies(300, 20, 8, 3), latencies(300, 20, 8, 103));
    assert.equal(same.verdict, 'no-change');
    assert.match(formatComparison(same, formatMs), /\(no significant change vs before, n=300\/300\)$/);
  });

  test('tiny samples claim nothing, even when the numbers look very different', () => {
    const c = compareLatency(latencies(MIN_COMPARE_SAMPLES - 1, 10, 2, 4), latencies(MIN_COMPARE_SAMPLES + 50, 90, 5, 5));
    assert.equal(c.verdict, 'too-few');
    assert.equal(c.pValue, undefined);
    assert.ok(c.change! > 3);
    assert.match(formatComparison(c, formatMs), /too few to compare with before, n=70\/19\)$/);
    // A function seen only after (new code) or only before.
    assert.equal(compareLatency([], latencies(50, 10, 2, 6)).before, undefined);
    assert.equal(compareLatency(latencies(50, 10, 2, 6), []).after, undefined);
  });

  test('the same samples give the same p-value every time (seeded permutations)', () => {
    const before = latencies(200, 20, 8, 7);
    const after = latencies(200, 22, 8, 8);
    assert.equal(compareLatency(before, after).pValue, compareLatency(before, after).pValue);
  });
});
