// The text of ELK's web-worker script (elkjs/lib/elk-worker.min.js), inlined into the map's bundle by esbuild's
// text loader: the worker is started from a Blob of it (layout.ts), because a webview cannot start a Worker
// from its own resource URLs (another origin, served by VS Code's service worker), nor fetch them under a CSP
// without `connect-src`.
// @ts-expect-error -- esbuild's text loader gives the file's text; elk-worker.d.ts types its exports instead.
import source from 'elkjs/lib/elk-worker.min.js' with { type: 'text' };

export const ELK_WORKER_SOURCE: string = source;
