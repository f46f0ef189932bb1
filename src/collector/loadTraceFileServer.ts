// Loads the trace-file reader and its read API on first use. In the extension bundle it lives in its own file
// (dist/traceFileServer.js, see esbuild.js): the store, the read API and the OTLP decoder are not parsed at
// activation (the collector itself runs them on its own thread, from dist/collectorWorker.js).
import type * as TraceFileServerModule from './traceFileServer';

let loaded: typeof TraceFileServerModule | undefined;

export function loadTraceFileServer(): typeof TraceFileServerModule {
  // A plain require: esbuild leaves this path external for the extension bundle, and under tsc's output it
  // resolves to the compiled sibling module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: a lazy, synchronous load
  loaded ??= require('./traceFileServer') as typeof TraceFileServerModule;
  return loaded;
}
