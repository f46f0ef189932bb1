// The X-Ray read API over the store, in the REST-JSON shape @aws-sdk/client-xray reads from AWS:
// GetTraceSummaries (POST /TraceSummaries), BatchGetTraces (POST /Traces), GetServiceGraph
// (POST /ServiceGraph), GetTraceGraph (POST /TraceGraph). Times are epoch seconds.
// https://docs.aws.amazon.com/xray/latest/api/API_Operations.html
import { parseFilterExpression, type TraceFilter } from '../xray/filterExpression';
import type { ApiTrace, SegmentDocument } from '../xray/model';
import { buildServiceGraph, buildTraceGraph } from '../xray/serviceGraph';
import { invalidRequest, type JsonHandler } from './daemonHttpServer';
import { newestFirst, type ListedTrace, type TimeRangeType, type TraceStore } from './traceStore';

/** AWS pages trace summaries by about 100. */
export const SUMMARIES_PAGE_SIZE = 100;
/** BatchGetTraces takes at most 5 trace ids per call, as on AWS. */
export const MAX_TRACE_IDS_PER_CALL = 5;

const TIME_RANGE_TYPES: readonly TimeRangeType[] = ['TraceId', 'Event', 'Service'];
/**
 * The longest a read runs before the collector's socket is read again (ms). The reads share the thread that
 * drains the socket; the kernel's buffer holds about 175 ms of a 20,000/s flood, and a read that summarised
 * every trace in one task lost half of such a flood (bench/readsDuringFlood.bench.mjs).
 */
const READ_SLICE_MS = 5;

/** One turn of the event loop: the socket's datagrams (I/O) are read before the read goes on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ReadApiOptions {
  /** Summaries per GetTraceSummaries page (default SUMMARIES_PAGE_SIZE). */
  summariesPageSize?: number;
}

export function readApiRoutes(store: TraceStore, options: ReadApiOptions = {}): [string, JsonHandler][] {
  const pageSize = Math.max(1, options.summariesPageSize ?? SUMMARIES_PAGE_SIZE);
  return [
    ['POST /TraceSummaries', (body) => getTraceSummaries(store, body, pageSize)],
    ['POST /Traces', (body) => batchGetTraces(store, body)],
    ['POST /ServiceGraph', (body) => getServiceGraph(store, body)],
    ['POST /TraceGraph', (body) => getTraceGraph(store, body)],
  ];
}

async function getTraceSummaries(store: TraceStore, body: Record<string, unknown>, pageSize: number) {
  const window = requireWindow(body);
  const filter = requireFilter(body.FilterExpression);
  const rangeType = body.TimeRangeType ?? 'Event';
  if (!TIME_RANGE_TYPES.includes(rangeType as TimeRangeType)) {
    throw invalidRequest(`TimeRangeType must be one of ${TIME_RANGE_TYPES.join(', ')}`);
  }
  await store.settle(READ_SLICE_MS);
  // Newest first, as AWS pages them: a client that stops at a cap keeps the latest traces.
  const all = store.listed(window, rangeType as TimeRangeType);
  const from = body.NextToken === undefined ? 0 : pageStart(all, decodeCursor(body.NextToken));
  // The filter runs while the page fills, so a page costs the traces it scans, not the whole window; a filter
  // that scans thousands yields between slices. The cursor is the last trace scanned (then also the last one
  // sent), so the next page goes on from there.
  const page: ListedTrace[] = [];
  let next = from;
  let sliceEnd = performance.now() + READ_SLICE_MS;
  while (next < all.length && page.length < pageSize) {
    const entry = all[next++];
    if (!filter || store.matches(entry, filter)) page.push(entry);
    if (filter && performance.now() >= sliceEnd) {
      await nextTurn();
      sliceEnd = performance.now() + READ_SLICE_MS;
    }
  }
  return {
    // A trace evicted while the filter yielded is left out (as if it had not matched).
    TraceSummaries: page.flatMap((entry) => store.summary(entry.traceId) ?? []),
    ApproximateTime: Date.now() / 1000,
    // The traces this page looked at, matching or not (as on AWS): clients add it up over the pages
    // (xrayApiSource does), which gives the traces in the window.
    TracesProcessedCount: next - from,
    ...(next < all.length ? { NextToken: encodeCursor(all[next - 1]) } : {}),
  };
}

/** The request's filter, parsed once; undefined when absent or blank. Its parse error is the answer's message. */
function requireFilter(expression: unknown): TraceFilter | undefined {
  if (expression === undefined || expression === null) return undefined;
  if (typeof expression !== 'string') throw invalidRequest('FilterExpression must be a string');
  if (expression.trim() === '') return undefined;
  const parsed = parseFilterExpression(expression);
  if (!parsed.ok) throw invalidRequest(parsed.error.message);
  return parsed.filter;
}

// NextToken is a cursor (start time + trace id of the last summary sent), not an offset: traces keep
// arriving between pages. Newer ones sort before the cursor and older late arrivals after it, so a cursor
// neither repeats nor skips a trace, where an offset would repeat one per new trace.
interface Cursor {
  startTime: number;
  traceId: string;
}

function encodeCursor(last: ListedTrace): string {
  return Buffer.from(JSON.stringify([last.startTime, last.traceId])).toString('base64');
}

function decodeCursor(token: unknown): Cursor {
  if (typeof token === 'string') {
    try {
      const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
        return { startTime: value[0], traceId: value[1] };
      }
    } catch {
      // fall through to the error below
    }
  }
  throw invalidRequest('NextToken is not one this collector issued');
}

/** Index of the first summary after the cursor in `all`'s order (newest first). */
function pageStart(all: ListedTrace[], cursor: Cursor): number {
  const index = all.findIndex((entry) => newestFirst(entry, cursor) > 0);
  return index < 0 ? all.length : index;
}

async function batchGetTraces(store: TraceStore, body: Record<string, unknown>) {
  const ids = requireTraceIds(body, 'BatchGetTraces', MAX_TRACE_IDS_PER_CALL);
  await store.settle(READ_SLICE_MS);
  const traces: ApiTrace[] = [];
  const unprocessed: string[] = [];
  for (const id of ids) {
    const trace = store.trace(id);
    if (trace) traces.push(trace);
    else unprocessed.push(id);
  }
  return { Traces: traces, UnprocessedTraceIds: unprocessed };
}

async function getServiceGraph(store: TraceStore, body: Record<string, unknown>) {
  const window = requireWindow(body);
  await store.settle(READ_SLICE_MS);
  return buildServiceGraph(await segmentsInSlices(store, store.overlapping(window)), window);
}

async function getTraceGraph(store: TraceStore, body: Record<string, unknown>) {
  const ids = requireTraceIds(body, 'GetTraceGraph', Number.POSITIVE_INFINITY);
  await store.settle(READ_SLICE_MS);
  return buildTraceGraph(await segmentsInSlices(store, ids));
}

/** The merged segments of each trace still kept, parsed in slices (a graph of 5,000 traces parses them all). */
async function segmentsInSlices(store: TraceStore, ids: readonly string[]): Promise<SegmentDocument[][]> {
  const traces: SegmentDocument[][] = [];
  let sliceEnd = performance.now() + READ_SLICE_MS;
  for (const id of ids) {
    const segments = store.segments(id);
    if (segments) traces.push(segments);
    if (performance.now() >= sliceEnd) {
      await nextTurn();
      sliceEnd = performance.now() + READ_SLICE_MS;
    }
  }
  return traces;
}

function requireWindow(body: Record<string, unknown>): { startTime: number; endTime: number } {
  const startTime = requireEpoch(body, 'StartTime');
  const endTime = requireEpoch(body, 'EndTime');
  if (endTime < startTime) throw invalidRequest('EndTime must not be earlier than StartTime');
  return { startTime, endTime };
}

function requireEpoch(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidRequest(`${name} is required: epoch seconds as a number`);
  }
  return value;
}

function requireTraceIds(body: Record<string, unknown>, operation: string, max: number): string[] {
  const ids = body.TraceIds;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
    throw invalidRequest('TraceIds is required: a list of trace id strings');
  }
  const unique = [...new Set(ids as string[])];
  if (unique.length > max) {
    throw invalidRequest(`${operation} takes at most ${max} trace ids per call; got ${unique.length}`);
  }
  return unique;
}
