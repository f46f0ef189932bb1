// Builds one trace from the documents that arrive for it, in any order: segments keyed by id (a completed
// document replaces its in-progress copy, never the reverse), and independent subsegments grafted under
// their parent wherever it is. The Node SDK streams subsegments on their own once a segment has more than
// 100 open subsegments, and in Lambda mode it sends every subsegment on its own under the Lambda facade
// segment, which the SDK never sends (aws-xray-sdk-core `Subsegment.close` / `streamSubsegments`).
// Inputs are never mutated: a document that gains grafted children is a shallow copy.
import type { SegmentDocument } from './model';
import { isObject } from './segmentDocument';
import { MAX_WALK_DEPTH, walkDocument, walkDocuments } from './segmentTree';

interface Held {
  doc: SegmentDocument;
  bytes: number;
}

interface Assembled {
  segments: SegmentDocument[];
  pending: SegmentDocument[];
  /** Computed on first use. */
  partial: boolean | undefined;
}

export class TraceAssembler {
  private readonly segmentsById = new Map<string, Held>();
  private readonly streamedById = new Map<string, Held>();
  private bytes = 0;
  private adds = 0;
  private assembled: Assembled | undefined;
  private spanCache: { start: number; end: number | undefined } | undefined;

  constructor(readonly traceId: string) {}

  /**
   * Adds one document. Returns false (and changes nothing) when it belongs to another trace, has no id,
   * or is an in-progress copy of a document already held complete.
   * `bytes` is the document's size on the wire, summed into approximateBytes so a store can bound memory.
   */
  add(doc: SegmentDocument, bytes = 0): boolean {
    if (!isObject(doc) || typeof doc.id !== 'string') return false;
    if (doc.trace_id !== undefined && doc.trace_id !== this.traceId) return false;
    const map = doc.type === 'subsegment' ? this.streamedById : this.segmentsById;
    const old = map.get(doc.id);
    if (old && doc.in_progress === true && old.doc.in_progress !== true) return false;
    const size = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
    this.bytes += size - (old?.bytes ?? 0);
    map.set(doc.id, { doc, bytes: size });
    this.adds++;
    this.assembled = undefined;
    this.spanCache = undefined;
    return true;
  }

  /** The merged segment documents in start-time order, one per segment, as BatchGetTraces returns them. */
  segments(): SegmentDocument[] {
    return this.assemble().segments;
  }

  /** Streamed subsegments whose parent has not arrived (with their own streamed children grafted in). */
  pendingSubsegments(): SegmentDocument[] {
    return this.assemble().pending;
  }

  /** True while any (sub)segment of the assembled trace is in progress. */
  isPartial(): boolean {
    const assembled = this.assemble();
    if (assembled.partial === undefined) {
      let partial = false;
      const visit = ({ doc }: { doc: SegmentDocument }) => (partial ||= doc.in_progress === true);
      walkDocuments(assembled.segments, visit);
      walkDocuments(assembled.pending, visit);
      assembled.partial = partial;
    }
    return assembled.partial;
  }

  /** Earliest start_time held; NaN while empty. */
  get startTime(): number {
    return this.span().start;
  }

  /** Latest end_time held; undefined until some document has ended. */
  get endTime(): number | undefined {
    return this.span().end;
  }

  /** Documents held now (a replaced document counts once). */
  get documentCount(): number {
    return this.segmentsById.size + this.streamedById.size;
  }

  /** Sum of the `bytes` given to add() for the documents held now. */
  get approximateBytes(): number {
    return this.bytes;
  }

  /** Grows by one on every accepted add(); a summary built at one revision is stale at the next. */
  get revision(): number {
    return this.adds;
  }

  private *held(): Iterable<Held> {
    yield* this.segmentsById.values();
    yield* this.streamedById.values();
  }

  private span(): { start: number; end: number | undefined } {
    if (this.spanCache) return this.spanCache;
    let start = Number.POSITIVE_INFINITY;
    let end: number | undefined;
    for (const { doc } of this.held()) {
      if (doc.start_time < start) start = doc.start_time;
      if (typeof doc.end_time === 'number' && (end === undefined || doc.end_time > end)) end = doc.end_time;
    }
    this.spanCache = { start: start === Number.POSITIVE_INFINITY ? Number.NaN : start, end };
    return this.spanCache;
  }

  private assemble(): Assembled {
    if (this.assembled) return this.assembled;
    const roots = sortByStart([...this.segmentsById.values()].map((h) => h.doc));
    const streamed = sortByStart([...this.streamedById.values()].map((h) => h.doc));
    const grafter = new Grafter(streamed);
    const segments = roots.map((doc) => grafter.graft(doc));
    this.assembled = { segments, pending: grafter.graftOrphans(), partial: undefined };
    return this.assembled;
  }
}

/** Start time, then id, so the result does not depend on arrival order. */
function sortByStart(docs: SegmentDocument[]): SegmentDocument[] {
  return docs.sort((a, b) => a.start_time - b.start_time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One assembly pass: hands each streamed subsegment to the first node (in walk order) carrying its parent id. */
class Grafter {
  private readonly childrenOf = new Map<string, SegmentDocument[]>();
  private readonly attached = new Set<SegmentDocument>();

  constructor(private readonly streamed: SegmentDocument[]) {
    for (const doc of streamed) {
      const parent = doc.parent_id;
      if (typeof parent !== 'string') continue;
      const list = this.childrenOf.get(parent);
      if (list) list.push(doc);
      else this.childrenOf.set(parent, [doc]);
    }
  }

  /** `doc` with every streamed descendant nested at its parent; `doc` itself when nothing changes. */
  graft(doc: SegmentDocument, depth = 0): SegmentDocument {
    const subs = doc.subsegments;
    let children: SegmentDocument[] | undefined;
    if (Array.isArray(subs) && depth < MAX_WALK_DEPTH) {
      for (let i = 0; i < subs.length; i++) {
        const child = subs[i];
        if (!isObject(child)) continue;
        const grafted = this.graft(child, depth + 1);
        if (grafted !== child) {
          children ??= subs.slice();
          children[i] = grafted;
        }
      }
    }
    const streamedChildren = typeof doc.id === 'string' && depth < MAX_WALK_DEPTH ? this.childrenOf.get(doc.id) : undefined;
    if (streamedChildren) {
      for (const child of streamedChildren) {
        // Each streamed document is placed once, which also breaks parent_id cycles.
        if (this.attached.has(child)) continue;
        this.attached.add(child);
        children ??= Array.isArray(subs) ? subs.slice() : [];
        // The same subsegment embedded in a flushed parent and streamed on its own is kept once, the
        // completed copy winning (the same rule as for whole documents in add()).
        const same = children.findIndex((c) => isObject(c) && c.id === child.id);
        if (same < 0) children.push(this.graft(child, depth + 1));
        else if (!(child.in_progress === true && children[same].in_progress !== true)) children[same] = this.graft(child, depth + 1);
      }
    }
    return children ? { ...doc, subsegments: children } : doc;
  }

  /**
   * The streamed subsegments not placed under a segment, as trees: those whose parent is not among them
   * first, then any left over (members of a parent_id cycle), so nothing is lost.
   */
  graftOrphans(): SegmentDocument[] {
    const left = this.streamed.filter((d) => !this.attached.has(d));
    if (left.length === 0) return [];
    const idsInLeft = new Set<string>();
    for (const doc of left) walkDocument(doc, ({ doc: d }) => idsInLeft.add(d.id));
    const out: SegmentDocument[] = [];
    for (const doc of left) {
      if (!this.attached.has(doc) && !idsInLeft.has(doc.parent_id as string)) this.placeRoot(doc, out);
    }
    for (const doc of left) if (!this.attached.has(doc)) this.placeRoot(doc, out);
    return out;
  }

  private placeRoot(doc: SegmentDocument, out: SegmentDocument[]): void {
    this.attached.add(doc);
    out.push(this.graft(doc));
  }
}
