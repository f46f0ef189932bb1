// `hotspots --compare A..B`: per mapped function, the traces of "before" (A to B ago) against "after" (the last B),
// each side mapped by the same mapper, with the change of p95 and a significance test (src/xray/latencyCompare.ts).
import type { CodeMapper } from '../code/codeMapping';
import { entryLine, entryTitle, LatencyIndex, type LatencyEntry } from '../code/latencyIndex';
import { compareLatency, formatComparison, type LatencyComparison } from '../xray/latencyCompare';
import { formatMs } from '../xray/latencyStats';
import type { SegmentDocument } from '../xray/model';
import type { HotspotsIo } from './hotspotsCommand';

export interface CompareWindows {
  fromMinutes: number;
  splitMinutes: number;
  /** "Now": the end of "after" (epoch seconds). */
  endTime: number;
}

/** One row of `--compare --json`. */
export interface CompareRow extends LatencyComparison {
  file: string;
  line: number;
  function: string;
}

export function compareReport(traces: SegmentDocument[][], mapper: CodeMapper, windows: CompareWindows, json: boolean, io: HotspotsIo): CompareRow[] {
  const split = windows.endTime - windows.splitMinutes * 60;
  const start = windows.endTime - windows.fromMinutes * 60;
  const before: SegmentDocument[][] = [];
  const after: SegmentDocument[][] = [];
  for (const segments of traces) {
    const began = Math.min(...segments.map((s) => s.start_time));
    if (began >= split) after.push(segments);
    else if (began >= start) before.push(segments);
  }
  const sides = [before, after].map((side) => {
    const samples = new Map<string, number[]>();
    const index = LatencyIndex.build(side, mapper, {
      sample: (key, _mapped, ms) => {
        let list = samples.get(key);
        if (!list) samples.set(key, (list = []));
        list.push(ms);
      },
    });
    return { entries: new Map(index.entries().filter((e) => e.stats).map((e) => [e.key, e])), samples };
  });
  const keys = new Set([...sides[0].entries.keys(), ...sides[1].entries.keys()]);
  const rows: Array<CompareRow & { entry: LatencyEntry }> = [];
  for (const key of keys) {
    const entry = (sides[1].entries.get(key) ?? sides[0].entries.get(key))!;
    const comparison = compareLatency(sides[0].samples.get(key) ?? [], sides[1].samples.get(key) ?? []);
    rows.push({ file: entry.file, line: entryLine(entry) + 1, function: entry.function, ...comparison, entry });
  }
  // Changes first (slower before faster), the biggest first; then the rest by p95 after.
  const rank = { slower: 0, faster: 1, 'no-change': 2, 'too-few': 3 } as const;
  rows.sort((a, b) => rank[a.verdict] - rank[b.verdict] || Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0) || (b.after?.p95 ?? 0) - (a.after?.p95 ?? 0));
  // Milliseconds to 0.1, as the other --json rows have them.
  const rounded = (w?: LatencyComparison['before']) => w && { ...w, p50: ms(w.p50), p95: ms(w.p95), p99: ms(w.p99), avg: ms(w.avg) };
  const out = rows.map(({ entry: _entry, ...row }) => ({ ...row, before: rounded(row.before), after: rounded(row.after) }));
  if (json) {
    io.out(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const row of rows) {
      const p = row.pValue === undefined ? '' : `  p=${row.pValue < 0.001 ? '<0.001' : row.pValue.toFixed(3)}`;
      io.out(`${row.file}:${row.line}  ${entryTitle(row.entry)}  ${formatComparison(row, formatMs)}${p}\n`);
    }
    io.out(`${rows.length} functions; before: ${before.length} traces from ${describe(windows.fromMinutes)} to ${describe(windows.splitMinutes)} ago, after: ${after.length} traces in the last ${describe(windows.splitMinutes)}\n`);
  }
  return out;
}

const ms = (x: number) => Math.round(x * 10) / 10;

function describe(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  return `${Math.round(minutes / 60)} h`;
}
