// Latency statistics of one mapped function: count, p50/p95/p99 and the mean, fault/error/throttle counts, the share of the
// segment's (request's) time, and the one-line text a lens shows (`p95 212 ms · p50 40 ms · 1.2% faults · n=318 · 15 min`).
//
// Percentiles are exact (nearest rank on the sorted samples) up to EXACT_SAMPLES; past that the samples go into
// a t-digest (Dunning's streaming quantile sketch, the `tdigest` package, pinned at 0.1.3: pure JavaScript, no
// native code, the reference port used by statsd-style tools). Its tails are the most accurate part, which is
// what p95/p99 need, and its memory stays bounded (a few hundred centroids) however many subsegments arrive.
import { TDigest } from 'tdigest';
import type { Outcome } from './model';

/** Below this many samples percentiles are exact. */
export const EXACT_SAMPLES = 10_000;

/** What a lens leads with and what its threshold and top N compare (`xrayLens.lens.statistic`). */
export type LensStatistic = 'p50' | 'p95' | 'p99' | 'avg';

export interface LatencyStats {
  count: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  /** The mean, exact at any sample size. */
  avg: number;
  faults: number;
  /** Errors include throttles, as X-Ray counts them (ErrorStatistics.ThrottleCount). */
  errors: number;
  throttles: number;
  /** Mean of (duration / duration of the segment it ran in) over subsegment samples; undefined when there are none. */
  parentShare?: number;
  /** False once the t-digest took over. */
  exact: boolean;
}

export class LatencyAccumulator {
  private samples: number[] | undefined = [];
  private digest: TDigest | undefined;
  private count = 0;
  private sum = 0;
  private faults = 0;
  private errors = 0;
  private throttles = 0;
  private shareSum = 0;
  private shareCount = 0;

  /** `segmentDurationMs`: the time of the segment (the service's request) the sample is part of. */
  add(durationMs: number, outcome: Outcome, segmentDurationMs?: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    this.count++;
    this.sum += durationMs;
    if (outcome === 'fault') this.faults++;
    else if (outcome === 'throttle') {
      this.throttles++;
      this.errors++;
    } else if (outcome === 'error') this.errors++;
    if (segmentDurationMs !== undefined && segmentDurationMs > 0) {
      this.shareSum += Math.min(1, durationMs / segmentDurationMs);
      this.shareCount++;
    }
    if (this.samples) {
      this.samples.push(durationMs);
      if (this.samples.length > EXACT_SAMPLES) {
        this.digest = new TDigest();
        this.digest.push(this.samples);
        this.samples = undefined;
      }
    } else {
      (this.digest as TDigest).push(durationMs);
    }
  }

  summary(): LatencyStats | undefined {
    if (this.count === 0) return undefined;
    let p50: number;
    let p95: number;
    let p99: number;
    if (this.samples) {
      const sorted = Float64Array.from(this.samples).sort();
      [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => nearestRank(sorted, q));
    } else {
      const digest = this.digest as TDigest;
      digest.compress();
      [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => digest.percentile(q) ?? 0);
    }
    const stats: LatencyStats = {
      count: this.count, p50, p95, p99, avg: this.sum / this.count, faults: this.faults, errors: this.errors, throttles: this.throttles, exact: !!this.samples,
    };
    if (this.shareCount > 0) stats.parentShare = this.shareSum / this.shareCount;
    return stats;
  }
}

/** The smallest sample with at least q of the samples at or below it. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

/**
 * `p95 212 ms · p50 40 ms · 1.2% faults · n=318 · 15 min`; errors and throttles are added when there are any. Another
 * `lead` comes first, before p95 and p50: `p99 480 ms · p95 212 ms · p50 40 ms · …`, `avg 61 ms · p95 212 ms · …`.
 */
export function formatLensText(stats: LatencyStats, windowMinutes: number, lead: LensStatistic = 'p95'): string {
  const latencies = [lead, ...(['p95', 'p50'] as const).filter((s) => s !== lead)].map((s) => `${s} ${formatMs(stats[s])}`);
  const parts = [...latencies, `${formatPercent(stats.faults / stats.count)} faults`];
  if (stats.errors > 0) parts.push(`${formatPercent(stats.errors / stats.count)} errors`);
  if (stats.throttles > 0) parts.push(`${formatPercent(stats.throttles / stats.count)} throttled`);
  parts.push(`n=${stats.count}`, formatWindow(windowMinutes));
  return parts.join(' · ');
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

function formatPercent(rate: number): string {
  if (rate === 0) return '0%';
  const percent = rate * 100;
  return percent < 10 ? `${percent.toFixed(1)}%` : `${Math.round(percent)}%`;
}

export function formatWindow(minutes: number): string {
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}
