// Walking a segment document and its embedded subsegments. Iterative with an explicit stack, so a hostile
// or very deep document costs memory, never a stack overflow.
import type { SegmentDocument } from './model';
import { isObject } from './segmentDocument';

/** Deepest nesting that is walked; validated documents are far shallower (see MAX_SUBSEGMENT_DEPTH). */
export const MAX_WALK_DEPTH = 1024;

export interface WalkVisit {
  doc: SegmentDocument;
  /** The (sub)segment this one is embedded in; undefined for the document passed to the walk. */
  parent: SegmentDocument | undefined;
  /** 0 for the document passed to the walk. */
  depth: number;
}

/**
 * Calls `visit` for `root` and every embedded subsegment below it, parents before children, siblings in
 * document order. Entries of `subsegments` that are not objects are skipped.
 */
export function walkDocument(root: SegmentDocument, visit: (v: WalkVisit) => void): void {
  const stack: WalkVisit[] = [{ doc: root, parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const v = stack.pop() as WalkVisit;
    visit(v);
    const subs = v.doc.subsegments;
    if (!Array.isArray(subs) || v.depth >= MAX_WALK_DEPTH) continue;
    for (let i = subs.length - 1; i >= 0; i--) {
      const child = subs[i];
      if (isObject(child)) stack.push({ doc: child, parent: v.doc, depth: v.depth + 1 });
    }
  }
}

/** walkDocument over several documents, in order. */
export function walkDocuments(roots: readonly SegmentDocument[], visit: (v: WalkVisit) => void): void {
  for (const root of roots) if (isObject(root)) walkDocument(root, visit);
}
