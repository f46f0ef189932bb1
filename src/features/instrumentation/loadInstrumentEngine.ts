// Loads the instrumentation engine (tree-sitter and the edit modules) on first use. In the extension bundle it
// lives in its own file (dist/instrumentEngine.js, see esbuild.js), so activation never parses it.
import type * as InstrumentEngineModule from './instrumentEngine';

let loaded: typeof InstrumentEngineModule | undefined;

export function loadInstrumentEngineModule(): typeof InstrumentEngineModule {
  // A plain require: esbuild leaves this path external for the extension bundle, and under tsc's output it
  // resolves to the compiled sibling module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: a lazy, synchronous load
  loaded ??= require('./instrumentEngine') as typeof InstrumentEngineModule;
  return loaded;
}

