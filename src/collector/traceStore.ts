// Holds what the collector received, per trace, bounded by trace count and bytes, with the counters and the
// queries the read API needs.
import type { TraceFilter } from '../xray/filterExpression';
import type { ApiTrace, ApiTraceSummary, SegmentDocument } from '../xray/model';
import { traceIdEpoch } from '../xray/traceId';
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
  /** Received over UDP and waiting to be parsed and validated (see TraceStore.enqueue): not yet accepted or rejected. */
  queued: number;
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

/** Entry services remembered for the sampling rules (each gets its own rule, see samplingEndpoints.ts). */
const MAX_ENTRY_SERVICES = 256;

export type IngestResult = { ok: true; traceId: string } | { ok: false; reason: string };

/** A trace in a window, before its summary is made (see `listed`). */
export interface ListedTrace {
  traceId: string;
  startTime: number;
}

export interface StoredSummary extends ListedTrace {
  summary: ApiTraceSummary;
}

/**
 * One accepted document, kept as the text it arrived as (see TraceStore): the text itself when complete (most
 * are), wrapped when in progress. No object per complete document: fewer objects for the collector to trace.
 */
type Held = Copy | { inProgress: Copy };
/**
 * A document as received: its text, or over UDP the bytes it was decoded from. Bytes are kept there because the
 * decoded string would be copied by every young-generation collection that finds it alive (retaining the
 * strings made ingest 1.6x as costly, bench/ingest.bench.mjs); a Buffer's bytes live outside the heap, and the
 * text is decoded again when the trace is read, as cheap as a copy.
 */
type Copy = string | Buffer;

const isComplete = (held: Held): held is Copy => typeof held === 'string' || Buffer.isBuffer(held);
const textOf = (held: Held): string => {
  const copy = isComplete(held) ? held : held.inProgress;
  return typeof copy === 'string' ? copy : copy.toString('utf8');
};

interface Entry {
  /** By id, segments and streamed (type "subsegment") documents apart, as TraceAssembler keeps them. */
  segments: Map<string, Held>;
  streamed: Map<string, Held> | undefined;
  bytes: number;
  /** Earliest start_time and latest end_time of the top-level documents, kept at ingest for window queries. */
  startTime: number;
  endTime: number | undefined;
  /** Grows on every change; the summary's Revision. */
  revision: number;
  /** Cleared whenever the trace changes. */
  summary: ApiTraceSummary | undefined;
  /** Whether the trace matched the store's current filter expression (generation), cleared when the trace changes. */
  filtered: { generation: number; matched: boolean } | undefined;
}

/**
 * How long one slice of the validation queue may run (ms). libuv reads at most 32 datagrams from a socket per
 * turn of the event loop, so while datagrams keep coming a slice must end before more than that arrive, or the
 * read rate falls below the arrival rate and the kernel's buffer overflows (a fixed 8 ms slice lost datagrams
 * at 20,000/s). So a slice lasts as long as ~16 arrivals take at the rate seen since the last slice, between
 * MIN_SLICE_MS (validation always progresses) and IDLE_SLICE_MS (nothing arrived).
 */
const IDLE_SLICE_MS = 8;
const MIN_SLICE_MS = 0.05;
const ARRIVALS_PER_SLICE = 16;

/**
 * Everything the collector received, one entry per trace, bounded by trace count and bytes (the trace seen
 * first is evicted first).
 *
 * Each document is validated on arrival and then kept as its text, not as the parsed tree: a flat string is
 * one heap object the garbage collector never traces, whereas retained trees (dozens of objects per document)
 * made GC the largest cost of ingest; the text is also a little smaller (bench/memory.bench.mjs: 1.25x vs
 * 1.45x the raw bytes). A trace is parsed again and merged by a TraceAssembler when it is read (a stale
 * summary, BatchGetTraces, a graph); summaries stay cached until the trace changes.
 */
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
  /** Names of the segments that began a trace (no parent): the services that make sampling decisions, first seen first. */
  private readonly entryServices = new Set<string>();
  /** The filter expression whose results the entries remember, and its generation (see matches()). */
  private filterText: string | undefined;
  private filterGeneration = 0;
  /** Documents received by `enqueue`, not yet parsed: the datagrams' bodies, oldest first from `queueHead`. */
  private queue: (Buffer | undefined)[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  /** Documents ever enqueued, and ever taken off the queue (validated or dropped): what `settle` waits on. */
  private enqueuedTotal = 0;
  private dequeuedTotal = 0;
  /** Documents enqueued since the last slice ended, and when it ended (performance.now()). */
  private arrivals = 0;
  private lastSliceEnd = 0;
  private sliceScheduled = false;

  /** `onTraceChanged` runs synchronously on every accepted document: keep it cheap. */
  constructor(limits: StoreLimits = {}, private readonly onTraceChanged?: (traceId: string) => void) {
    this.maxTraces = Math.max(1, limits.maxTraces ?? DEFAULT_MAX_TRACES);
    this.maxBytes = Math.max(1, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  }

  /** Validates one segment document (the text after the datagram header) and stores it. Never throws. */
  ingest(text: string, bytes = Buffer.byteLength(text)): IngestResult {
    this.received++;
    return this.validateAndKeep(text, text, bytes);
  }

  /**
   * The UDP receive path: counts the document and queues its bytes as they arrived; it is decoded, parsed,
   * validated and stored in slices between socket reads (`drainSlice`), or at once by any read
   * (`flush`), so the socket is read again after a few microseconds however costly the documents are. A burst
   * that outruns validation waits here (bounded by `maxBytes`: past it the oldest queued documents are dropped
   * and counted as rejected, reason `overloaded`) instead of overflowing the kernel's buffer, where it would
   * be lost without a count.
   */
  enqueue(body: Buffer): void {
    this.received++;
    this.queue.push(body);
    this.queuedBytes += body.length;
    this.arrivals++;
    this.enqueuedTotal++;
    while (this.queuedBytes > this.maxBytes && this.queueHead < this.queue.length - 1) {
      this.queuedBytes -= (this.queue[this.queueHead] as Buffer).length;
      this.queue[this.queueHead++] = undefined;
      this.dequeuedTotal++;
      this.countRejected('overloaded');
    }
    if (!this.sliceScheduled) {
      this.sliceScheduled = true;
      setImmediate(this.drainSlice);
    }
  }

  /** Validates and stores every queued document now: a read must see all that was received. */
  flush(): void {
    while (this.queueHead < this.queue.length) this.validateQueued();
    this.compactQueue();
  }

  /**
   * Resolves once every document received before the call is stored, validating them in slices of `sliceMs`
   * with the event loop's I/O between (the socket is read meanwhile): what the read API waits on, where a
   * `flush` of a backlog would keep the socket unread for as long as the backlog takes.
   */
  async settle(sliceMs: number): Promise<void> {
    const mark = this.enqueuedTotal;
    while (this.dequeuedTotal < mark) {
      const deadline = performance.now() + sliceMs;
      for (let n = 1; this.dequeuedTotal < mark; n++) {
        this.validateQueued();
        if ((n & 3) === 0 && performance.now() >= deadline) break;
      }
      this.compactQueue();
      if (this.dequeuedTotal < mark) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private readonly drainSlice = (): void => {
    this.sliceScheduled = false;
    const start = performance.now();
    const perMs = this.arrivals / Math.max(start - this.lastSliceEnd, MIN_SLICE_MS);
    const budget = perMs > 0 ? Math.min(IDLE_SLICE_MS, Math.max(MIN_SLICE_MS, ARRIVALS_PER_SLICE / perMs)) : IDLE_SLICE_MS;
    const deadline = start + budget;
    for (let n = 1; this.queueHead < this.queue.length; n++) {
      this.validateQueued();
      if ((n & 3) === 0 && performance.now() >= deadline) break;
    }
    this.compactQueue();
    this.arrivals = 0;
    this.lastSliceEnd = performance.now();
    if (this.queueHead < this.queue.length && !this.sliceScheduled) {
      this.sliceScheduled = true;
      setImmediate(this.drainSlice);
    }
  };

  private validateQueued(): void {
    const body = this.queue[this.queueHead] as Buffer;
    this.queue[this.queueHead++] = undefined;
    this.queuedBytes -= body.length;
    this.dequeuedTotal++;
    try {
      this.validateAndKeep(body.toString('utf8'), body, body.length);
    } catch {
      // The parser and the store promise not to throw on bad data; if one ever does, lose that document only.
      this.countRejected('internal-error');
    }
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** `copy` is what is kept: the text, or the bytes it was decoded from (see Held). */
  private validateAndKeep(text: string, copy: string | Buffer, bytes: number): IngestResult {
    const parsed = parseSegmentDocument(text);
    if (!parsed.ok) {
      this.countRejected(parsed.reason);
      return { ok: false, reason: parsed.reason };
    }
    return this.keep(parsed.doc, copy, bytes);
  }

  /**
   * Stores a document that is valid by construction, as the span converter's output is: it is
   * only serialised, not parsed and checked again (OTLP ingest 26,000 → 35,000 spans/s, bench/otlp.bench.mjs).
   */
  ingestValidated(doc: SegmentDocument): IngestResult {
    this.received++;
    const text = JSON.stringify(doc);
    return this.keep(doc, text, Buffer.byteLength(text));
  }

  private keep(doc: SegmentDocument, text: string | Buffer, bytes: number): IngestResult {
    this.accepted++;
    // The parser guarantees trace_id, id and start_time on a top-level document.
    const traceId = doc.trace_id as string;
    let entry = this.traces.get(traceId);
    if (!entry) {
      entry = {
        segments: new Map(), streamed: undefined, bytes: 0, startTime: doc.start_time, endTime: undefined, revision: 0,
        summary: undefined, filtered: undefined,
      };
      this.traces.set(traceId, entry);
    }
    const docs = doc.type === 'subsegment' ? (entry.streamed ??= new Map()) : entry.segments;
    if (doc.type !== 'subsegment' && doc.parent_id === undefined && typeof doc.name === 'string' && this.entryServices.size < MAX_ENTRY_SERVICES) {
      this.entryServices.add(doc.name);
    }
    const old = docs.get(doc.id);
    const inProgress = doc.in_progress === true;
    // TraceAssembler's rule: an in-progress copy never replaces the completed document (UDP may reorder).
    // Applied here too so a sender repeating a document cannot grow the store.
    if (inProgress && old !== undefined && isComplete(old)) return { ok: true, traceId };
    docs.set(doc.id, inProgress ? { inProgress: text } : text);
    // A copy replaced is rare (in progress, then complete): its size is measured again rather than kept per document.
    const change = old === undefined ? bytes : bytes - Buffer.byteLength(textOf(old));
    entry.bytes += change;
    this.bytes += change;
    if (doc.start_time < entry.startTime) entry.startTime = doc.start_time;
    if (typeof doc.end_time === 'number' && !(entry.endTime !== undefined && doc.end_time <= entry.endTime)) entry.endTime = doc.end_time;
    entry.revision++;
    entry.summary = undefined;
    entry.filtered = undefined;
    this.evictOverLimits(traceId);
    this.onTraceChanged?.(traceId);
    return { ok: true, traceId };
  }

  /** Counts a document that was refused before it reached the parser (e.g. a datagram without header). */
  reject(reason: string): void {
    this.received++;
    this.countRejected(reason);
  }

  private countRejected(reason: string): void {
    this.rejected++;
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
  }

  private evictOverLimits(keep: string): void {
    if (!this.overLimits()) return;
    // Map iteration order is insertion order, so the first keys are the traces seen first. One iterator for the
    // whole sweep: a Map keeps deleted slots until it is rehashed, and a fresh iterator per eviction would
    // walk over all of them again.
    for (const [oldest, entry] of this.traces) {
      if (!this.overLimits()) return;
      if (oldest === keep) continue;
      this.bytes -= entry.bytes;
      this.traces.delete(oldest);
      this.evicted++;
    }
    // Only the trace being written is left over the limit: keep it, however big, so the newest data survives.
  }

  private overLimits(): boolean {
    return this.traces.size > this.maxTraces || (this.bytes > this.maxBytes && this.traces.size > 1);
  }

  /** The services that began traces so far (whatever was evicted since), in the order first seen; at most 256. */
  entryServiceNames(): string[] {
    return [...this.entryServices];
  }

  get approximateBytes(): number {
    return this.bytes;
  }

  /** Traces kept, queued documents included (they are stored first). */
  get size(): number {
    this.flush();
    return this.traces.size;
  }

  counters(): StoreCounters {
    return {
      received: this.received,
      queued: this.queue.length - this.queueHead,
      accepted: this.accepted,
      rejected: this.rejected,
      rejectedByReason: { ...this.rejectedByReason },
      evicted: this.evicted,
      traces: this.traces.size,
      approximateBytes: this.bytes,
    };
  }

  has(traceId: string): boolean {
    this.flush();
    return this.traces.has(traceId);
  }

  /**
   * Summaries of the traces whose start falls in the window, newest first (ties broken by trace id, also
   * descending): a reader that stops paging at a cap must see the latest traces, as AWS returns them.
   */
  summaries(window: TimeWindow, rangeType: TimeRangeType = 'Event'): StoredSummary[] {
    return this.listed(window, rangeType).map((listed) => ({ ...listed, summary: this.summaryOf(listed.traceId, this.traces.get(listed.traceId) as Entry) }));
  }


  /**
   * The traces of the window in `summaries()`' order, without their summaries: a page of GetTraceSummaries
   * then summarises only the traces it returns (or filters), not every trace kept (5,000 traces changed by a
   * flood took 250–440 ms in one task, bench/readsDuringFlood.bench.mjs).
   */
  listed(window: TimeWindow, rangeType: TimeRangeType = 'Event'): ListedTrace[] {
    this.flush();
    const found: ListedTrace[] = [];
    for (const [traceId, entry] of this.traces) {
      const time = rangeType === 'TraceId' ? traceIdEpoch(traceId) : entry.startTime;
      if (time === undefined || time < window.startTime || time > window.endTime) continue;
      found.push({ traceId, startTime: entry.startTime });
    }
    return found.sort(newestFirst);
  }

  /** The earliest start and the latest end over every trace kept (epoch seconds), without assembling any; undefined when empty. */
  timeExtent(): { startTime: number; endTime: number } | undefined {
    this.flush();
    let startTime = Number.POSITIVE_INFINITY;
    let endTime = Number.NEGATIVE_INFINITY;
    for (const entry of this.traces.values()) {
      startTime = Math.min(startTime, entry.startTime);
      endTime = Math.max(endTime, entry.endTime ?? entry.startTime);
    }
    return this.traces.size === 0 ? undefined : { startTime, endTime };
  }

  /** Ids of the traces that overlap the window, cheaply (segmentsOverlapping without assembling them). */
  overlapping(window: TimeWindow): string[] {
    this.flush();
    const found: string[] = [];
    for (const [traceId, entry] of this.traces) {
      const end = entry.endTime ?? entry.startTime;
      if (entry.startTime <= window.endTime && end >= window.startTime) found.push(traceId);
    }
    return found;
  }

  summary(traceId: string): ApiTraceSummary | undefined {
    this.flush();
    const entry = this.traces.get(traceId);
    return entry && this.summaryOf(traceId, entry);
  }

  private summaryOf(traceId: string, entry: Entry): ApiTraceSummary {
    if (!entry.summary) {
      const assembler = assemble(traceId, entry);
      entry.summary = summarizeTrace(assembler.segments(), assembler.pendingSubsegments(), { revision: entry.revision });
    }
    return entry.summary;
  }

  /**
   * Whether a listed trace matches the filter. The answer is remembered per trace until the trace changes, for
   * the latest expression only: the trace list asks again with the same filter on every refresh and every page,
   * and a filter that reads the segments costs a parse and merge of the trace (bench/filter.bench.mjs).
   */
  matches(listed: ListedTrace, filter: TraceFilter): boolean {
    const { traceId } = listed;
    const entry = this.traces.get(traceId);
    if (!entry) return false;
    // Only the generation number is kept per trace, so 5,000 traces do not hold 5,000 copies of a long expression.
    if (filter.text !== this.filterText) {
      this.filterText = filter.text;
      this.filterGeneration++;
    }
    if (entry.filtered?.generation === this.filterGeneration) return entry.filtered.matched;
    const matched = filter.matches({
      summary: this.summaryOf(traceId, entry),
      documents: () => {
        const assembler = assemble(traceId, entry);
        return { segments: assembler.segments(), pending: assembler.pendingSubsegments() };
      },
    });
    entry.filtered = { generation: this.filterGeneration, matched };
    return matched;
  }

  /** Merged segments of one trace, one per segment id, as BatchGetTraces returns them. */
  segments(traceId: string): SegmentDocument[] | undefined {
    this.flush();
    const entry = this.traces.get(traceId);
    return entry && assemble(traceId, entry).segments();
  }

  /** One trace in BatchGetTraces shape: its merged segments, then any subsegments still waiting for a parent. */
  trace(traceId: string): ApiTrace | undefined {
    this.flush();
    const entry = this.traces.get(traceId);
    if (!entry) return undefined;
    const assembler = assemble(traceId, entry);
    // Streamed subsegments whose parent never arrived (Lambda mode: the facade segment is Lambda's, never
    // sent by the SDK) are listed too, as AWS would under that parent; otherwise a reader would see nothing.
    const segments = [...assembler.segments(), ...assembler.pendingSubsegments()];
    return {
      Id: traceId,
      Duration: roundToMillis(Math.max(0, (entry.endTime ?? entry.startTime) - entry.startTime)),
      LimitExceeded: false,
      Segments: segments.map((segment) => ({ Id: segment.id, Document: JSON.stringify(segment) })),
    };
  }

  /** Segments of every trace that overlaps the window: the input of the service graph. */
  segmentsOverlapping(window: TimeWindow): SegmentDocument[][] {
    return this.overlapping(window).map((traceId) => assemble(traceId, this.traces.get(traceId) as Entry).segments());
  }

}

/** Parses a trace's held texts again (they were validated on arrival) and merges them. */
function assemble(traceId: string, entry: Entry): TraceAssembler {
  const assembler = new TraceAssembler(traceId);
  for (const held of entry.segments.values()) add(assembler, textOf(held));
  for (const held of entry.streamed?.values() ?? []) add(assembler, textOf(held));
  return assembler;
}

function add(assembler: TraceAssembler, text: string): void {
  assembler.add(JSON.parse(text) as SegmentDocument, Buffer.byteLength(text));
}

/** The order of `summaries()`: start time descending, then trace id descending. */
export function newestFirst(a: { startTime: number; traceId: string }, b: { startTime: number; traceId: string }): number {
  return b.startTime - a.startTime || (a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0);
}

function roundToMillis(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
