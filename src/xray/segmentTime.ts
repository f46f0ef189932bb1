// Times in segment documents: epoch seconds as numbers, with at most microsecond precision.
import type { SegmentDocument } from './model';

/**
 * start_time and end_time are accepted from 0 up to (not including) this: 1e10 s is the year 2286. A time
 * in range is always a valid Date (which ends near 8.64e12 s), and a time in milliseconds by mistake
 * (~1.7e12) is refused instead of drawn 50,000 years long.
 */
export const MAX_EPOCH_SECONDS = 1e10;

/** A number in [0, MAX_EPOCH_SECONDS); NaN and the infinities fail the comparisons. */
export function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < MAX_EPOCH_SECONDS;
}

/** end_time if the document is complete, else start_time (an in-progress document has no end yet). */
export function endOrStart(doc: SegmentDocument): number {
  return typeof doc.end_time === 'number' ? doc.end_time : doc.start_time;
}

/** Rounds to microseconds: X-Ray times carry at most µs precision, so this only removes float noise. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
