// The index the lenses and the hotspots report read: built once from a set of traces (mapping every
// (sub)segment to code, then statistics per function), looked up by workspace file.
import type { CodeMapper, Evidence, FunctionRef } from './codeMapping';
import { classifyDocument } from './classification';
import { LatencyAccumulator, type LatencyStats } from './latencyStats';
import type { SegmentDocument } from './model';

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
  /** The subsegment/span names whose data the entry holds. */
  names: string[];
  /** Undefined when every document naming this function was ambiguous. */
  stats?: LatencyStats;
  evidence: Evidence[];
  /** Documents that fit this function and others equally: how many, under which names, and all the candidates. */
  ambiguous?: { count: number; names: string[]; candidates: AmbiguousCandidate[] };
}

interface Building {
  ref: FunctionRef;
  names: Set<string>;
  evidence: Set<Evidence>;
  latency: LatencyAccumulator;
  ambiguous?: { count: number; names: Set<string>; candidates: Map<string, AmbiguousCandidate> };
}

export class LatencyIndex {
  private constructor(private readonly byFile: Map<string, LatencyEntry[]>) {}

  /** Maps every trace (assembled segments) and gathers statistics per function. */
  static build(traces: Iterable<readonly SegmentDocument[]>, mapper: CodeMapper): LatencyIndex {
    const building = new Map<string, Building>();
    const entry = (ref: FunctionRef): Building => {
      let b = building.get(ref.key);
      if (!b) {
        b = { ref, names: new Set(), evidence: new Set(), latency: new LatencyAccumulator() };
        building.set(ref.key, b);
      }
      return b;
    };
    for (const segments of traces) {
      const keyOf = new Map<SegmentDocument, string>();
      for (const mapped of mapper.mapTrace(segments)) {
        const name = String(mapped.doc.name);
        if (mapped.match) {
          keyOf.set(mapped.doc, mapped.match.key);
          // A subsegment opened inside its parent's callback in the same function (loadOrder > queryOrders):
          // its time is part of the parent's sample already.
          if (mapped.parent && keyOf.get(mapped.parent) === mapped.match.key) continue;
          const b = entry(mapped.match);
          const duration = durationMs(mapped.doc);
          if (duration === undefined) continue;
          b.names.add(name);
          for (const e of mapped.match.evidence) b.evidence.add(e);
          b.latency.add(duration, classifyDocument(mapped.doc), mapped.parent ? durationMs(mapped.segment) : undefined);
        } else if (mapped.ambiguous) {
          for (const candidate of mapped.ambiguous) {
            const b = entry(candidate);
            b.ambiguous ??= { count: 0, names: new Set(), candidates: new Map() };
            b.ambiguous.count++;
            b.ambiguous.names.add(name);
            for (const other of mapped.ambiguous) {
              b.ambiguous.candidates.set(other.key, { file: other.file, function: other.fn.name, line: other.fn.startLine });
            }
          }
        }
      }
    }
    const byFile = new Map<string, LatencyEntry[]>();
    for (const b of building.values()) {
      const e: LatencyEntry = {
        key: b.ref.key, file: b.ref.file, function: b.ref.fn.name, line: b.ref.fn.startLine, nameLine: b.ref.fn.nameLine,
        names: [...b.names].sort(), evidence: [...b.evidence].sort(),
      };
      const stats = b.latency.summary();
      if (stats) e.stats = stats;
      if (b.ambiguous) {
        e.ambiguous = { count: b.ambiguous.count, names: [...b.ambiguous.names].sort(), candidates: [...b.ambiguous.candidates.values()] };
      }
      const list = byFile.get(e.file);
      if (list) list.push(e);
      else byFile.set(e.file, [e]);
    }
    for (const list of byFile.values()) list.sort((a, b) => a.line - b.line);
    return new LatencyIndex(byFile);
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

/** end − start in milliseconds; undefined while in progress or when the times are not numbers. */
export function durationMs(doc: SegmentDocument): number | undefined {
  const { start_time: start, end_time: end } = doc;
  if (typeof start !== 'number' || typeof end !== 'number' || !(end >= start)) return undefined;
  return (end - start) * 1000;
}
