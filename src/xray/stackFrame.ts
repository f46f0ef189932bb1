// What a stack frame recorded in a trace says, before anyone looks for the file: whether it is the user's code,
// and the path inside a `file://` URL (ES module stacks). Pure string logic; finding the workspace file a frame
// stands for is src/code/sourceLocation.ts.
import type { StackFrame } from './model';

/**
 * False for frames that are not the user's code: no path; Node internals (the Node SDK writes path "node"
 * with line null for them, newer stacks say `node:internal/...`); `file`, which is what the Node SDK's
 * stack parser leaves of an ES module's `file:///...` URL (the location is lost); `<anonymous>`; and
 * anything under node_modules.
 */
export function isUserFrame(frame: StackFrame): boolean {
  const p = typeof frame === 'object' && frame !== null ? frame.path : undefined;
  if (typeof p !== 'string') return false;
  const t = p.trim();
  if (t === '' || t === 'node' || t === 'file' || t === 'native') return false;
  if (t.startsWith('node:') || t.startsWith('internal/') || t.startsWith('<')) return false;
  return !splitPathSegments(t).includes('node_modules');
}

/**
 * file:///srv/app/x.js → /srv/app/x.js; file:///C:/app/x.js → C:/app/x.js; file://localhost/x → /x;
 * percent-decoded. Other text is returned as is. Stack frames of ES modules carry these URLs.
 */
export function fromFileUrl(location: string): string {
  if (!location.toLowerCase().startsWith('file://')) return location;
  let rest = location.slice('file://'.length);
  if (rest.toLowerCase().startsWith('localhost/')) rest = rest.slice('localhost'.length);
  if (rest.includes('%')) {
    try {
      rest = decodeURIComponent(rest);
    } catch {
      // Not valid percent-encoding: keep it as written.
    }
  }
  return /^\/[A-Za-z]:[\\/]/.test(rest) ? rest.slice(1) : rest;
}

/** Path segments on either separator, without empty and `.` segments and without a leading drive (C:). */
export function splitPathSegments(p: string): string[] {
  const parts = p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (parts.length > 0 && /^[A-Za-z]:$/.test(parts[0])) parts.shift();
  return parts;
}
