// The time range the trace list queries: "the last N minutes" (moves with the clock) or a fixed interval.
// Parsing what a user types for a custom range, and the short label the views show.
export type TimeRange = { kind: 'last'; minutes: number } | { kind: 'between'; startTime: number; endTime: number };

/** The presets the picker offers, in minutes (5 m, 15 m, 1 h, 6 h). */
export const TIME_RANGE_PRESETS: readonly number[] = [5, 15, 60, 360];

/** X-Ray keeps traces for 30 days: a range reaching further back finds nothing, so it is refused up front. */
export const MAX_LOOKBACK_MINUTES = 30 * 24 * 60;

/** Segments from a clock slightly ahead of ours still belong to "now". */
const FUTURE_SLACK_SECONDS = 60;

const UNIT_MINUTES: Record<string, number> = { m: 1, min: 1, h: 60, hr: 60, d: 24 * 60 };

/**
 * Reads "45m", "2h", "1d", "90" (minutes), or two date-times separated by " - ", "–" or " to "
 * (anything Date.parse reads, e.g. "2026-11-21 10:00 - 2026-11-21 11:30"; no zone = local time).
 */
export function parseTimeRange(text: string, nowMs: number): TimeRange | { error: string } {
  const t = text.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*(m|min|h|hr|d)?$/i.exec(t);
  if (relative) {
    const minutes = Number(relative[1]) * UNIT_MINUTES[(relative[2] ?? 'm').toLowerCase()];
    if (!(minutes >= 1)) return { error: 'The range must be at least 1 minute.' };
    if (minutes > MAX_LOOKBACK_MINUTES) return { error: 'X-Ray keeps traces for 30 days: choose at most 30d.' };
    return { kind: 'last', minutes: Math.round(minutes) };
  }
  const parts = t.split(/\s+(?:-|–|to)\s+|\s*–\s*/i);
  if (parts.length === 2) {
    const start = Date.parse(parts[0].replace(' ', 'T'));
    const end = Date.parse(parts[1].replace(' ', 'T'));
    if (Number.isNaN(start)) return { error: `Cannot read the start "${parts[0]}" as a date and time.` };
    if (Number.isNaN(end)) return { error: `Cannot read the end "${parts[1]}" as a date and time.` };
    if (end <= start) return { error: 'The end must be after the start.' };
    if (start < nowMs - MAX_LOOKBACK_MINUTES * 60_000) return { error: 'X-Ray keeps traces for 30 days: the start is older than that.' };
    return { kind: 'between', startTime: start / 1000, endTime: end / 1000 };
  }
  return { error: 'Type a duration such as 45m, 2h or 1d, or "start - end" date-times.' };
}

/** The query window (epoch seconds) for a range at `nowMs`. */
export function resolveTimeRange(range: TimeRange, nowMs: number): { startTime: number; endTime: number } {
  if (range.kind === 'between') return { startTime: range.startTime, endTime: range.endTime };
  const now = nowMs / 1000;
  return { startTime: now - range.minutes * 60, endTime: now + FUTURE_SLACK_SECONDS };
}

/** "last 15 min", "last 6 h", "21 Nov 10:00 – 11:30". */
export function describeTimeRange(range: TimeRange): string {
  if (range.kind === 'last') {
    const m = range.minutes;
    if (m % (24 * 60) === 0) return `last ${m / (24 * 60)} d`;
    if (m % 60 === 0) return `last ${m / 60} h`;
    return `last ${m} min`;
  }
  const start = new Date(range.startTime * 1000);
  const end = new Date(range.endTime * 1000);
  const day = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  const time = (d: Date) => d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${day(start)} ${time(start)} – ${day(end) === day(start) ? '' : `${day(end)} `}${time(end)}`;
}

/** Identity of a range for caching: equal keys, same query. */
export function timeRangeKey(range: TimeRange): string {
  return range.kind === 'last' ? `last:${range.minutes}` : `between:${range.startTime}:${range.endTime}`;
}
