// Loads the latency engine (tree-sitter, mapping, statistics) on the first lens request. In the extension bundle
// it lives in its own file (dist/latencyEngine.js, see esbuild.js), so activation never parses it.
import type * as LatencyEngineModule from './latencyEngine';

let loaded: typeof LatencyEngineModule | undefined;

export function loadLatencyEngineModule(): typeof LatencyEngineModule {
  // A plain require: esbuild leaves this path external for the extension bundle, and under tsc's output it
  // resolves to the compiled sibling module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: a lazy, synchronous load
  loaded ??= require('./latencyEngine') as typeof LatencyEngineModule;
  return loaded;
}
