// Holds what the collector received: one TraceAssembler per trace, bounded by trace count and bytes
// (the oldest trace goes first), with the counters and the queries the read API needs.
import type { ApiTrace, ApiTraceSummary, SegmentDocument } from '../xray/model';
import { parseSegmentDocument } from '../xray/segmentDocument';
import { TraceAssembler } from '../xray/traceAssembler';
import { summarizeTrace } from '../xray/traceSummary';

export const DEFAULT_MAX_TRACES = 5000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface StoreLimits {
  maxTraces?: number;
  maxBytes?: number;
}

export interface StoreCounters {
  /** Documents offered to the store, including ones refused before parsing (bad datagrams). */
  received: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  evicted: number;
  traces: number;
  approximateBytes: number;
}

/** Epoch seconds, inclusive. */
export interface TimeWindow {
  startTime: number;
  endTime: number;
}

/**
 * How GetTraceSummaries reads the window. X-Ray filters on trace start time by default; 'Event' and 'Service'
 * have no finer meaning here so they map to the same. 'TraceId' uses the epoch embedded in the trace id.
 */
export type TimeRangeType = 'TraceId' | 'Event' | 'Service';

export type IngestResult = { ok: true; traceId: string } | { ok: false; reason: string };

export interface StoredSummary {
  traceId: string;
  startTime: number;
  summary: ApiTraceSummary;
}

interface Entry {
  assembler: TraceAssembler;
  bytes: number;
  /** Cleared whenever a document arrives for the trace. */
  summary?: ApiTraceSummary;
}

export class TraceStore {
  private readonly traces = new Map<string, Entry>();
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private bytes = 0;
  private received = 0;
  private accepted = 0;
  private rejected = 0;
  private evicted = 0;
  private readonly rejectedByReason: Record<string, number> = {};

  /** `onTraceChanged` runs synchronously on every accepted document: keep it cheap. */
  constructor(limits: StoreLimits = {}, private readonly onTraceChanged?: (traceId: string) => void) {
    this.maxTraces = Math.max(1, limits.maxTraces ?? DEFAULT_MAX_TRACES);
    this.maxBytes = Math.max(1, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  }

  /** Parses one segment document (the text after the datagram header) and stores it. Never throws. */
  ingest(text: string, bytes = text.length): IngestResult {
    const parsed = parseSegmentDocument(text);
    const reason = parsed.ok ? (typeof parsed.doc.trace_id === 'string' ? undefined : 'missing-trace-id') : parsed.reason;
    if (reason !== undefined) {
      this.reject(reason);
      return { ok: false, reason };
    }
    this.received++;
    return this.store((parsed as { doc: SegmentDocument }).doc, bytes);
  }

  /** Counts a document that was refused before it reached the parser (e.g. a datagram without header). */
  reject(reason: string): void {
    this.received++;
    this.rejected++;
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
  }

  private store(doc: SegmentDocument, bytes: number): IngestResult {
    const traceId = doc.trace_id as string;
    let entry = this.traces.get(traceId);
    if (!entry) {
      entry = { assembler: new TraceAssembler(traceId), bytes: 0 };
      this.traces.set(traceId, entry);
    }
    this.accepted++;
    // The assembler ignores an in-progress copy of a segment it already holds complete (UDP may reorder):
    // a valid document, but nothing changed.
    if (!entry.assembler.add(doc, bytes)) {
      if (entry.assembler.documentCount === 0) this.traces.delete(traceId);
      return { ok: true, traceId };
    }
    const after = entry.assembler.approximateBytes;
    this.bytes += after - entry.bytes;
    entry.bytes = after;
    entry.summary = undefined;
    this.evictOverLimits(traceId);
    this.onTraceChanged?.(traceId);
    return { ok: true, traceId };
  }

  private evictOverLimits(keep: string): void {
    while (this.traces.size > this.maxTraces || (this.bytes > this.maxBytes && this.traces.size > 1)) {
      // Map iteration order is insertion order, so the first key is the trace seen first.
      const oldest = this.traces.keys().next().value as string;
      if (oldest === keep) {
        // The trace being written is the oldest one left: keep it, however big, so the newest data survives.
        if (this.traces.size === 1) break;
        const entry = this.traces.get(keep) as Entry;
        this.traces.delete(keep);
        this.traces.set(keep, entry);
        continue;
      }
      this.bytes -= (this.traces.get(oldest) as Entry).bytes;
      this.traces.delete(oldest);
      this.evicted++;
    }
  }

  get approximateBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.traces.size;
  }

  counters(): StoreCounters {
    return {
      received: this.received,
      accepted: this.accepted,
      rejected: this.rejected,
      rejectedByReason: { ...this.rejectedByReason },
      evicted: this.evicted,
      traces: this.traces.size,
      approximateBytes: this.bytes,
    };
  }

  has(traceId: string): boolean {
    return this.traces.has(traceId);
  }

  /** Summaries of the traces whose start falls in the window, oldest first (ties broken by trace id). */
  summaries(window: TimeWindow, rangeType: TimeRangeType = 'Event'): StoredSummary[] {
    const found: StoredSummary[] = [];
    for (const [traceId, entry] of this.traces) {
      const time = rangeType === 'TraceId' ? traceIdEpoch(traceId) : entry.assembler.startTime;
      if (time === undefined || time < window.startTime || time > window.endTime) continue;
      found.push({ traceId, startTime: entry.assembler.startTime, summary: this.summaryOf(entry) });
    }
    return found.sort(byStartThenId);
  }

  summary(traceId: string): ApiTraceSummary | undefined {
    const entry = this.traces.get(traceId);
    return entry && this.summaryOf(entry);
  }

  private summaryOf(entry: Entry): ApiTraceSummary {
    const { assembler } = entry;
    entry.summary ??= summarizeTrace(assembler.segments(), assembler.pendingSubsegments(), { revision: assembler.revision });
    return entry.summary;
  }

  /** Merged segments of one trace, one per segment id, as BatchGetTraces returns them. */
  segments(traceId: string): SegmentDocument[] | undefined {
    return this.traces.get(traceId)?.assembler.segments();
  }

  /** One trace in BatchGetTraces shape: its merged segments, then any subsegments still waiting for a parent. */
  trace(traceId: string): ApiTrace | undefined {
    const entry = this.traces.get(traceId);
    if (!entry) return undefined;
    const { assembler } = entry;
    // Streamed subsegments whose parent never arrived (Lambda mode: the facade segment is Lambda's, never
    // sent by the SDK) are listed too, as AWS would under that parent; otherwise a reader would see nothing.
    const segments = [...assembler.segments(), ...assembler.pendingSubsegments()];
    return {
      Id: traceId,
      Duration: roundSeconds(Math.max(0, (assembler.endTime ?? assembler.startTime) - assembler.startTime)),
      LimitExceeded: false,
      Segments: segments.map((segment) => ({ Id: segment.id, Document: JSON.stringify(segment) })),
    };
  }

  /** Segments of every trace that overlaps the window: the input of the service graph. */
  segmentsOverlapping(window: TimeWindow): SegmentDocument[][] {
    const found: SegmentDocument[][] = [];
    for (const { assembler } of this.traces.values()) {
      const end = assembler.endTime ?? assembler.startTime;
      if (assembler.startTime <= window.endTime && end >= window.startTime) found.push(assembler.segments());
    }
    return found;
  }
}

function byStartThenId(a: StoredSummary, b: StoredSummary): number {
  return a.startTime - b.startTime || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);
}

/** `1-5759e988-bd862e3fe1be46a994272793`: the middle part is the trace's start, hex epoch seconds. */
export function traceIdEpoch(traceId: string): number | undefined {
  const seconds = Number.parseInt(traceId.slice(2, 10), 16);
  return Number.isNaN(seconds) ? undefined : seconds;
}

function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
