// The critical path of a trace: the chain of spans that determines when it ends, by Jaeger's algorithm
// (jaeger-ui `CriticalPath/index.tsx`): start at the root's end, step into the last-finishing child that
// ends before the current point, and when a span has no such child, its time back to its start is on the
// path and the walk returns to the parent at that start. Works on flat arrays in pre-order so it is
// iterative (no recursion on deep traces) and O(n log n).

export interface CriticalSpanInput {
  /** Index of the parent in the same arrays, or -1 for a root. Parents come before their children. */
  parent: Int32Array | readonly number[];
  start: Float64Array | readonly number[];
  end: Float64Array | readonly number[];
}

/** A stretch of one span that is on the critical path: [start, end] in the inputs' time unit. */
export interface CriticalSection {
  row: number;
  start: number;
  end: number;
}

/**
 * The sections on the critical path, latest first. Several roots (a trace whose root is missing, or
 * segments whose parent never arrived) are treated as children of one virtual root spanning them all.
 *
 * As in Jaeger, a child is first fitted into its parent: one that starts after the parent ends, or ends
 * before it starts, is left out; one that sticks out is clipped to the parent. Clock skew between services
 * therefore never sends the walk outside the span it came from. One difference: a child counts as ending
 * "before" a point when it ends at or before it (Jaeger: strictly before), since X-Ray SDKs record
 * milliseconds, and a call that ends in the millisecond the next one starts is back to back.
 */
export function criticalPath(input: CriticalSpanInput): CriticalSection[] {
  const n = input.parent.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const included = new Uint8Array(n);
  // The virtual root is index n.
  let rootStart = Number.POSITIVE_INFINITY;
  let rootEnd = Number.NEGATIVE_INFINITY;
  const childCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = input.parent[i];
    let s = input.start[i];
    let e = input.end[i];
    if (!(e >= s)) e = s; // NaN or reversed: a point
    if (p >= 0 && p < i) {
      if (!included[p] || s > end[p] || e < start[p]) continue;
      if (s < start[p]) s = start[p];
      if (e > end[p]) e = end[p];
      childCount[p]++;
    } else {
      if (!Number.isFinite(s) || !Number.isFinite(e)) continue;
      if (s < rootStart) rootStart = s;
      if (e > rootEnd) rootEnd = e;
      childCount[n]++;
    }
    start[i] = s;
    end[i] = e;
    included[i] = 1;
  }
  if (childCount[n] === 0) return [];

  // Children of each span (and of the virtual root) in one array, each group sorted by end, latest first.
  const offset = new Int32Array(n + 2);
  for (let i = 0; i <= n; i++) offset[i + 1] = offset[i] + childCount[i];
  const fill = offset.slice(0, n + 1);
  const children = new Int32Array(offset[n + 1]);
  for (let i = 0; i < n; i++) {
    if (!included[i]) continue;
    const p = input.parent[i];
    const slot = p >= 0 && p < i ? p : n;
    children[fill[slot]++] = i;
  }
  for (let p = 0; p <= n; p++) {
    if (offset[p + 1] - offset[p] > 1) {
      const group = Array.from(children.subarray(offset[p], offset[p + 1]));
      group.sort((a, b) => end[b] - end[a] || start[b] - start[a] || a - b);
      children.set(group, offset[p]);
    }
  }

  const parentOf = (i: number): number => (i === n ? -1 : input.parent[i] >= 0 && input.parent[i] < i ? input.parent[i] : n);
  const startOf = (i: number): number => (i === n ? rootStart : start[i]);
  // Next child of each span still to consider: every child is stepped into at most once.
  const cursor = offset.slice(0, n + 1);
  const sections: CriticalSection[] = [];
  let current = n;
  let point = rootEnd;
  while (current >= 0) {
    let next = -1;
    for (let k = cursor[current]; k < offset[current + 1]; k++) {
      const child = children[k];
      cursor[current] = k + 1;
      if (end[child] <= point) {
        next = child;
        break;
      }
    }
    if (next >= 0) {
      if (current !== n && end[next] < point) sections.push({ row: current, start: end[next], end: point });
      current = next;
      point = end[next];
    } else {
      const s = startOf(current);
      if (current !== n && s < point) sections.push({ row: current, start: s, end: point });
      point = Math.min(point, s);
      current = parentOf(current);
    }
  }
  return sections;
}
