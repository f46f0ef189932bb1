// A trace file as a source of its own: its documents in a TraceStore of their own, answered by the same read
// API as the local collector (GetTraceSummaries with filter expressions, BatchGetTraces, the service and trace
// graphs) on an ephemeral loopback port. The tree, the map, the timeline and the lenses then read a file
// exactly as they read the collector, and nothing of the collector's own traces is touched.
import type { AddressInfo } from 'node:net';
import { createDaemonHttpServer } from './daemonHttpServer';
import { readApiRoutes } from './readApi';
import type { TraceFileContents, TraceFileFormat } from './traceFile';
import { TraceStore } from './traceStore';

export { readTraceFile, writeBatchGetTraces, writeSegmentDocuments } from './traceFile';

/** A file is read whole: bigger than this is refused before it is read (about 2 GB of heap once parsed). */
export const MAX_TRACE_FILE_BYTES = 512 * 1024 * 1024;

const SLICE_MS = 10;

export interface TraceFileServer {
  /** Where the read API answers: always loopback. */
  readonly endpoint: { host: string; port: number };
  readonly formats: TraceFileFormat[];
  readonly traces: number;
  readonly documents: number;
  /** Entries that were not stored, by reason (the file's own refusals and the store's validation). */
  readonly rejected: Record<string, number>;
  /** The first few refusals with where they are, for the log. */
  readonly examples: string[];
  /** From the first start to the last end of the stored documents (epoch seconds). */
  readonly extent: { startTime: number; endTime: number };
  close(): Promise<void>;
}

export async function serveTraceFile(contents: TraceFileContents, log: (line: string) => void): Promise<TraceFileServer> {
  const store = new TraceStore({ maxTraces: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER });
  const rejected: Record<string, number> = {};
  const examples: string[] = [];
  const refuse = (reason: string, where: string) => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    if (examples.length < 5) examples.push(`${where ? `${where}: ` : ''}${reason}`);
  };
  for (const entry of contents.rejected) refuse(entry.reason, entry.where);
  let stored = 0;
  // A file of 100,000 documents takes a second or more to store: in slices, so the editor answers meanwhile.
  let sliceEnd = performance.now() + SLICE_MS;
  for (let i = 0; i < contents.documents.length; i++) {
    const result = store.ingest(contents.documents[i]);
    if (result.ok) stored++;
    else refuse(result.reason, `document ${i + 1}`);
    if (performance.now() >= sliceEnd) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceEnd = performance.now() + SLICE_MS;
    }
  }
  // The extent of what was kept (each trace's top-level documents), not of the raw texts.
  const extent = store.timeExtent();
  if (!extent) {
    const reasons = Object.entries(rejected).map(([reason, n]) => `${n.toLocaleString('en-US')} ${reason}`).join(', ');
    throw new Error(`no trace in it could be kept: ${contents.documents.length.toLocaleString('en-US')} documents refused (${reasons})`);
  }
  const http = createDaemonHttpServer(new Map(readApiRoutes(store)), log);
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (http.server.address() as AddressInfo).port;
  return {
    endpoint: { host: '127.0.0.1', port },
    formats: contents.formats,
    traces: store.size,
    documents: stored,
    rejected,
    examples,
    extent,
    close: () =>
      new Promise<void>((resolve) => {
        http.server.closeAllConnections();
        http.server.close(() => resolve());
      }),
  };
}
