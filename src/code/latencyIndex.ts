// The index the lenses and the hotspots report read: built once from a set of traces (mapping every
// (sub)segment to code, then statistics per function), looked up by workspace file.
import { classifyDocument } from '../xray/classification';
import { LatencyAccumulator, type LatencyStats } from '../xray/latencyStats';
import type { SegmentDocument } from '../xray/model';
import type { CodeMapper, CodeMatch, DocumentMapping, Evidence, FunctionRef } from './codeMapping';

export interface AmbiguousCandidate {
  file: string;
  function: string;
  /** 0-based first line. */
  line: number;
}

export interface LatencyEntry {
  key: string;
  file: string;
  function: string;
  /** 0-based first line of the function, and of its name. */
  line: number;
  nameLine: number;
  /**
   * 0-based line of the tracing call the entry stands at, when that is not the function's first line: a
   * subsegment opened inside another one of the same function under another name (loadOrder > queryOrders) is a
   * row of its own, at its call.
   */
  site?: number;
  /** The subsegment/span names whose data the entry holds. */
  names: string[];
  /** Undefined when every document naming this function was ambiguous. */
  stats?: LatencyStats;
  evidence: Evidence[];
  /** Documents that fit this function and others equally: how many, under which names, and all the candidates. */
  ambiguous?: { count: number; names: string[]; candidates: AmbiguousCandidate[] };
}

/** What the index decided for each document, for callers that keep more per entry (the lens's slowest traces, samples). */
export interface LatencyObserver {
  /** `doc` of `segments` (one trace) counts for entry `key` with `ms` (a sample of its statistics). */
  sample?(key: string, mapped: DocumentMapping, ms: number, segments: readonly SegmentDocument[]): void;
  /** `doc` went through entry `key`, a sample of its own or inside one (a nested call of the same name). */
  through?(key: string, mapped: DocumentMapping, segments: readonly SegmentDocument[]): void;
  /** Every document of `segments` has been decided. */
  traceDone?(segments: readonly SegmentDocument[]): void;
}

/** The 0-based line an entry stands at: its tracing call for a row inside its function, else the function's first line. */
export function entryLine(e: LatencyEntry): number {
  return e.site ?? e.line;
}

/** What an entry is, as a person reads it: `loadOrder`, or `loadOrder › queryOrders` for a row at a call inside it. */
export function entryTitle(e: LatencyEntry): string {
  return e.site !== undefined ? `${e.function} › ${e.names.join(', ')}` : e.function;
}

interface Building {
  ref: FunctionRef;
  key: string;
  site?: number;
  names: Set<string>;
  evidence: Set<Evidence>;
  latency: LatencyAccumulator;
  ambiguous?: { count: number; names: Set<string>; candidates: Map<string, AmbiguousCandidate> };
}

/**
 * The entry a mapped document counts for: a function traced by a named call (b) has an entry per name, so that
 * two operations of one function never share numbers; a function found only by its own name or `code.*` has one.
 */
function entryKey(match: CodeMatch, name: string): string {
  return match.evidence.includes('b') ? `${match.key}>${name}` : match.key;
}

export class LatencyIndex {
  /** Made by `build` or a LatencyIndexBuilder. */
  constructor(private readonly byFile: Map<string, LatencyEntry[]>) {}

  /** Maps every trace (assembled segments) and gathers statistics per function and name. */
  static build(traces: Iterable<readonly SegmentDocument[]>, mapper: CodeMapper, observer: LatencyObserver = {}): LatencyIndex {
    const builder = new LatencyIndexBuilder(mapper, observer);
    for (const segments of traces) builder.add(segments);
    return builder.finish();
  }

  /** The entries of one workspace file (relative, `/`), in line order. */
  forFile(file: string): readonly LatencyEntry[] {
    return this.byFile.get(file) ?? [];
  }

  files(): string[] {
    return [...this.byFile.keys()].sort();
  }

  entries(): LatencyEntry[] {
    return this.files().flatMap((f) => this.forFile(f));
  }
}

/**
 * LatencyIndex.build one trace at a time: a caller on a thread that must stay responsive (the extension host)
 * adds traces in slices and yields between them, instead of mapping thousands of traces in one task.
 */
export class LatencyIndexBuilder {
  private readonly building = new Map<string, Building>();

  constructor(private readonly mapper: CodeMapper, private readonly observer: LatencyObserver = {}) {}

  private entry(ref: FunctionRef, key: string): Building {
    let b = this.building.get(key);
    if (!b) {
      b = { ref, key, names: new Set(), evidence: new Set(), latency: new LatencyAccumulator() };
      this.building.set(key, b);
    }
    return b;
  }

  /** Maps one trace (assembled segments) and adds it to the statistics. */
  add(segments: readonly SegmentDocument[]): void {
    const observer = this.observer;
    const matchOf = new Map<SegmentDocument, CodeMatch>();
    for (const mapped of this.mapper.mapTrace(segments)) {
      const name = String(mapped.doc.name);
      if (mapped.match) {
        const match = mapped.match;
        matchOf.set(mapped.doc, match);
        const parentMatch = mapped.parent ? matchOf.get(mapped.parent) : undefined;
        const sameFunction = parentMatch?.key === match.key;
        const key = entryKey(match, name);
        // Opened inside its parent under the same name (recursion, a retry loop): already in the parent's sample.
        if (sameFunction && entryKey(parentMatch, String(mapped.parent?.name)) === key) {
          observer.through?.(key, mapped, segments);
          continue;
        }
        const b = this.entry(match, key);
        // Inside another subsegment opened by the same function under another name: a row at its own call.
        if (sameFunction && parentMatch?.callSiteLine !== undefined && match.callSiteLine !== undefined) b.site ??= match.callSiteLine;
        observer.through?.(key, mapped, segments);
        const duration = durationMs(mapped.doc);
        if (duration === undefined) continue;
        b.names.add(name);
        for (const e of match.evidence) b.evidence.add(e);
        b.latency.add(duration, classifyDocument(mapped.doc), mapped.parent ? durationMs(mapped.segment) : undefined);
        observer.sample?.(key, mapped, duration, segments);
      } else if (mapped.ambiguous) {
        for (const candidate of mapped.ambiguous) {
          const b = this.entry(candidate, entryKey(candidate, name));
          b.ambiguous ??= { count: 0, names: new Set(), candidates: new Map() };
          b.ambiguous.count++;
          b.ambiguous.names.add(name);
          for (const other of mapped.ambiguous) {
            b.ambiguous.candidates.set(other.key, { file: other.file, function: other.fn.name, line: other.fn.startLine });
          }
        }
      }
    }
    observer.traceDone?.(segments);
  }

  /** The index of the traces added so far. */
  finish(): LatencyIndex {
    const byFile = new Map<string, LatencyEntry[]>();
    for (const b of this.building.values()) {
      const e: LatencyEntry = {
        key: b.key, file: b.ref.file, function: b.ref.fn.name, line: b.ref.fn.startLine, nameLine: b.ref.fn.nameLine,
        names: [...b.names].sort(), evidence: [...b.evidence].sort(),
      };
      if (b.site !== undefined) e.site = b.site;
      const stats = b.latency.summary();
      if (stats) e.stats = stats;
      if (b.ambiguous) {
        e.ambiguous = { count: b.ambiguous.count, names: [...b.ambiguous.names].sort(), candidates: [...b.ambiguous.candidates.values()] };
      }
      const list = byFile.get(e.file);
      if (list) list.push(e);
      else byFile.set(e.file, [e]);
    }
    for (const list of byFile.values()) list.sort((a, b) => entryLine(a) - entryLine(b) || a.key.localeCompare(b.key));
    return new LatencyIndex(byFile);
  }
}

/** end − start in milliseconds; undefined while in progress or when the times are not numbers. */
export function durationMs(doc: SegmentDocument): number | undefined {
  const { start_time: start, end_time: end } = doc;
  if (typeof start !== 'number' || typeof end !== 'number' || !(end >= start)) return undefined;
  return (end - start) * 1000;
}
