// Loads the @aws-sdk/client-xray source on first use. In the extension bundle it lives in its own file
// (dist/xrayApiSource.js, see esbuild.js), so activation never pays for parsing the AWS SDK.
import type * as XrayApiSourceModule from './xrayApiSource';

let loaded: typeof XrayApiSourceModule | undefined;

export function loadXrayApiSource(): typeof XrayApiSourceModule {
  // A plain require: esbuild leaves this path external for the extension bundle (see esbuild.js), and
  // under tsc's output it resolves to the compiled sibling module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: a lazy, synchronous load
  loaded ??= require('./xrayApiSource') as typeof XrayApiSourceModule;
  return loaded;
}
