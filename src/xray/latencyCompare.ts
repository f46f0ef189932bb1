// Before/after for one function: the same statistic in two windows, its change, and whether the change is more
// than chance. The test is simple-statistics' permutation test on the log of the durations: no normality assumed
// (latencies are skewed), the log keeps one slow outlier from deciding it, and a seeded random source keeps the
// answer the same run after run. Under MIN_COMPARE_SAMPLES a side is too small to claim anything.
import { permutationTest } from 'simple-statistics';
import { nearestRank, type LensStatistic } from './latencyStats';

/** Fewer samples than this on either side: no change is claimed. */
export const MIN_COMPARE_SAMPLES = 20;
/** The p-value under which a change is called one. */
export const SIGNIFICANCE = 0.05;
/** Permutations per test: the p-value's resolution is 1/this, ample at SIGNIFICANCE, and a test takes milliseconds. */
const PERMUTATIONS = 2000;
/** Samples per side the test looks at (see thin). */
const TESTED_SAMPLES = 1000;

export type CompareVerdict = 'slower' | 'faster' | 'no-change' | 'too-few';

export interface WindowStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  avg: number;
}

export interface LatencyComparison {
  before?: WindowStats;
  after?: WindowStats;
  statistic: LensStatistic;
  /** (after − before) / before of the statistic; undefined when a side has no sample. */
  change?: number;
  /** Two-sided p-value of the permutation test; undefined when too few to test. */
  pValue?: number;
  verdict: CompareVerdict;
}

/** Durations in ms of the two windows. */
export function compareLatency(before: readonly number[], after: readonly number[], statistic: LensStatistic = 'p95'): LatencyComparison {
  const b = windowStats(before);
  const a = windowStats(after);
  const result: LatencyComparison = { ...(b ? { before: b } : {}), ...(a ? { after: a } : {}), statistic, verdict: 'too-few' };
  if (a && b && b[statistic] > 0) result.change = (a[statistic] - b[statistic]) / b[statistic];
  if (before.length < MIN_COMPARE_SAMPLES || after.length < MIN_COMPARE_SAMPLES) return result;
  // The test's cost grows with permutations × samples: past TESTED_SAMPLES a side is thinned evenly (its statistics
  // above use every sample), so a lens with thousands of samples still costs a few milliseconds.
  const logOf = (xs: readonly number[]) => thin(xs, TESTED_SAMPLES).map((x) => Math.log1p(Math.max(0, x)));
  result.pValue = permutationTest(logOf(after), logOf(before), 'two_side', PERMUTATIONS, seeded(before.length * 7919 + after.length));
  const shifted = result.change !== undefined && result.change !== 0;
  result.verdict = result.pValue < SIGNIFICANCE && shifted ? (result.change! > 0 ? 'slower' : 'faster') : 'no-change';
  return result;
}

function thin(xs: readonly number[], most: number): readonly number[] {
  if (xs.length <= most) return xs;
  const step = xs.length / most;
  return Array.from({ length: most }, (_, i) => xs[Math.floor(i * step)]);
}

function windowStats(samples: readonly number[]): WindowStats | undefined {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return { count: sorted.length, p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99), avg: sum / sorted.length };
}

/** `p95 212 ms (+38% vs before, n=318/290)`; with no significant change or too few samples it says so instead. */
export function formatComparison(c: LatencyComparison, formatMs: (ms: number) => string): string {
  const s = c.statistic;
  const now = c.after ? `${s} ${formatMs(c.after[s])}` : `${s} —`;
  const n = `n=${c.after?.count ?? 0}/${c.before?.count ?? 0}`;
  if (c.verdict === 'too-few') return `${now} (too few to compare with before, ${n})`;
  if (c.verdict === 'no-change') return `${now} (no significant change vs before, ${n})`;
  const percent = Math.round(c.change! * 100);
  return `${now} (${percent > 0 ? '+' : ''}${percent}% vs before, ${n})`;
}

/** A small deterministic generator (mulberry32), so the same samples give the same p-value. */
function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
