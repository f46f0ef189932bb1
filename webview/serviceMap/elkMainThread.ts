// The map's fallback when its layout worker cannot start (layout.ts): ELK run on the page's main thread.
// Its own file (dist/webview/serviceMapElk.js, see esbuild.js), loaded only then, so that the map's bundle
// does not carry a second copy of ELK's 1.6 MB; it hands the constructor over through a global of the page.
import ELK from 'elkjs/lib/elk.bundled.js';

// The name layout.ts reads.
(globalThis as Record<string, unknown>).xrayLensMainThreadElk = ELK;
