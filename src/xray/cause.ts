// Resolving `cause` in its three wire forms to the exceptions it stands for.
//  - full: { working_directory, exceptions: [...] };
//  - by reference { id } — aws-xray-sdk-node sends this when an error bubbles up to a (sub)segment that
//    did not record it first (`Subsegment.addError` / `Segment.addError`): the id is that of the
//    (sub)segment holding the full cause, which the SDK keeps as `segment.exception.cause = this.id`;
//    a subsegment also adds `exceptions: []`;
//  - a bare string, which the X-Ray schema defines as an exception id
//    (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html#api-segmentdocuments-errors).
// Either kind of id is looked up both ways (document id first for { id }, exception id first for a string),
// and a reference that cannot be resolved is reported, not dropped.
import type { CauseObject, ExceptionInfo, SegmentDocument } from './model';
import { isObject } from './segmentDocument';
import { walkDocuments } from './segmentTree';

export interface ResolvedCause {
  workingDirectory?: string;
  exceptions: ExceptionInfo[];
  /** True when the cause was a reference to exceptions recorded elsewhere. */
  referenced: boolean;
  /** The reference that could not be found in the trace. */
  unresolvedId?: string;
  /** Id of the (sub)segment whose cause holds the exceptions, when it is not the document itself. */
  sourceId?: string;
}

export interface ExceptionIndex {
  /** Exception id → the exception and the (sub)segment that recorded it. */
  exceptions: Map<string, { exception: ExceptionInfo; owner: SegmentDocument }>;
  /** (Sub)segment id → the (sub)segment, for those with a cause. */
  documents: Map<string, SegmentDocument>;
}

/** Longest chain of references followed (a reference to a reference ...), also a guard against cycles. */
const MAX_HOPS = 32;

/** Indexes every exception and every (sub)segment with a cause in `segments` (pass pending subsegments too). */
export function indexExceptions(segments: SegmentDocument[]): ExceptionIndex {
  const index: ExceptionIndex = { exceptions: new Map(), documents: new Map() };
  walkDocuments(segments, ({ doc }) => {
    const cause = doc.cause;
    if (cause === undefined) return;
    if (typeof doc.id === 'string' && !index.documents.has(doc.id)) index.documents.set(doc.id, doc);
    for (const exception of exceptionsOf(cause)) {
      if (typeof exception.id === 'string' && !index.exceptions.has(exception.id)) {
        index.exceptions.set(exception.id, { exception, owner: doc });
      }
    }
  });
  return index;
}

/** The exceptions behind `doc.cause`, following references; undefined when the document has no cause. */
export function resolveCause(doc: SegmentDocument, index: ExceptionIndex): ResolvedCause | undefined {
  const cause = doc.cause;
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause !== 'string' && !isObject(cause)) return undefined;

  let current: SegmentDocument = doc;
  let lastRef = '';
  const seen = new Set<SegmentDocument>([doc]);
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const c = current.cause;
    const exceptions = exceptionsOf(c);
    if (exceptions.length > 0) return found(current, doc, exceptions, hop > 0);
    const ref = referenceOf(c);
    if (ref === undefined) {
      // Neither exceptions nor a reference: nothing to show on the document itself; an empty cause at
      // the end of a reference chain means the reference did not lead anywhere.
      return hop === 0 ? withDirectory(doc, { exceptions: [], referenced: false }) : unresolved(doc, lastRef);
    }
    lastRef = ref;
    const byException = index.exceptions.get(ref);
    let byDocument = index.documents.get(ref);
    if (byDocument && seen.has(byDocument)) byDocument = undefined;
    // A bare string names an exception (X-Ray schema); { id } names a (sub)segment (Node SDK).
    if (byException && (typeof c === 'string' || !byDocument)) {
      return found(byException.owner, doc, [byException.exception], true);
    }
    if (!byDocument) return unresolved(doc, ref);
    seen.add(byDocument);
    current = byDocument;
  }
  return unresolved(doc, lastRef);
}

function found(owner: SegmentDocument, doc: SegmentDocument, exceptions: ExceptionInfo[], referenced: boolean): ResolvedCause {
  const resolved: ResolvedCause = withDirectory(owner, { exceptions, referenced });
  if (owner !== doc && typeof owner.id === 'string') resolved.sourceId = owner.id;
  return resolved;
}

function unresolved(doc: SegmentDocument, id: string): ResolvedCause {
  return withDirectory(doc, { exceptions: [], referenced: true, unresolvedId: id });
}

function withDirectory(owner: SegmentDocument, resolved: ResolvedCause): ResolvedCause {
  const cause = owner.cause;
  if (isObject(cause) && typeof (cause as CauseObject).working_directory === 'string') {
    resolved.workingDirectory = (cause as CauseObject).working_directory;
  }
  return resolved;
}

function exceptionsOf(cause: unknown): ExceptionInfo[] {
  if (!isObject(cause)) return [];
  const list = (cause as CauseObject).exceptions;
  if (!Array.isArray(list)) return [];
  return list.filter((e): e is ExceptionInfo => isObject(e));
}

function referenceOf(cause: unknown): string | undefined {
  if (typeof cause === 'string') return cause.length > 0 ? cause : undefined;
  if (!isObject(cause)) return undefined;
  const id = (cause as CauseObject).id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
