// Latency statistics: exact nearest-rank percentiles for small samples, the t-digest past EXACT_SAMPLES (checked
// against the exact values of the same samples), outcome counts, parent share, and the lens text.
import * as assert from 'assert';
import { EXACT_SAMPLES, LatencyAccumulator, formatLensText, formatMs, nearestRank } from '../../../src/xray/latencyStats';

suite('latency statistics', () => {
  test('small samples: exact nearest rank, fault/error/throttle counts (a throttle is also an error), mean share of the parent', () => {
    const acc = new LatencyAccumulator();
    const durations = [12, 40, 7, 212, 55, 40, 33, 18, 90, 41];
    durations.forEach((d, i) => acc.add(d, i === 3 ? 'fault' : i === 4 ? 'throttle' : i === 5 ? 'error' : 'ok', i < 2 ? d * 4 : undefined));
    const stats = acc.summary();
    assert.deepStrictEqual(stats, { count: 10, p50: 40, p95: 212, p99: 212, avg: 54.8, faults: 1, errors: 2, throttles: 1, parentShare: 0.25, exact: true });
    assert.strictEqual(new LatencyAccumulator().summary(), undefined);
    acc.add(Number.NaN, 'ok');
    acc.add(-1, 'ok');
    assert.strictEqual(acc.summary()?.count, 10, 'not-a-duration is ignored');
  });

  test(`past ${EXACT_SAMPLES.toLocaleString()} samples the t-digest takes over, within 2% of the exact percentiles on a skewed distribution`, () => {
    const acc = new LatencyAccumulator();
    const all: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200_000; i++) {
      const d = -Math.log(1 - random()) * 40 + (random() < 0.02 ? 500 : 0); // exponential body, a slow 2% tail
      all.push(d);
      acc.add(d, 'ok');
    }
    const stats = acc.summary()!;
    assert.strictEqual(stats.exact, false);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    assert.ok(Math.abs(stats.avg - mean) / mean < 1e-9, `the mean stays exact: ${stats.avg} vs ${mean}`);
    all.sort((a, b) => a - b);
    for (const [q, got] of [[0.5, stats.p50], [0.95, stats.p95], [0.99, stats.p99]] as const) {
      const exact = nearestRank(all, q);
      assert.ok(Math.abs(got - exact) / exact < 0.02, `q=${q}: ${got} vs exact ${exact}`);
    }
  });

  test('lens text: p95 · p50 · faults · n · window, errors and throttles only when there are some; another statistic leads when asked', () => {
    const stats = { count: 318, p50: 40.2, p95: 212.4, p99: 300, avg: 52, faults: 4, errors: 0, throttles: 0, exact: true };
    assert.strictEqual(formatLensText(stats, 15), 'p95 212 ms · p50 40 ms · 1.3% faults · n=318 · 15 min');
    assert.strictEqual(formatLensText({ ...stats, faults: 0, errors: 40, throttles: 8 }, 180), 'p95 212 ms · p50 40 ms · 0% faults · 13% errors · 2.5% throttled · n=318 · 3 h');
    // Another statistic leads, before p95 and p50.
    const more = { ...stats, p99: 480, avg: 61.3 };
    assert.strictEqual(formatLensText(more, 15, 'p50'), 'p50 40 ms · p95 212 ms · 1.3% faults · n=318 · 15 min');
    assert.strictEqual(formatLensText(more, 15, 'p99'), 'p99 480 ms · p95 212 ms · p50 40 ms · 1.3% faults · n=318 · 15 min');
    assert.strictEqual(formatLensText(more, 15, 'avg'), 'avg 61 ms · p95 212 ms · p50 40 ms · 1.3% faults · n=318 · 15 min');
    assert.deepStrictEqual([formatMs(0.04), formatMs(9.96), formatMs(12_345)], ['0.0 ms', '10.0 ms', '12.3 s']);
  });
});
