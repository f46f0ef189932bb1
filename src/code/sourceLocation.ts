// Mapping a stack frame from a trace (recorded where the service ran: a container, a CI box, Windows or
// Linux) to a file inside one of the open workspace folders. Pure string logic over `path.posix` /
// `path.win32`; the caller supplies `fileExists`. Nothing outside the workspace folders is ever returned.
import * as path from 'path';
import { fromFileUrl, splitPathSegments } from '../xray/stackFrame';

type PathApi = typeof path.posix;

/**
 * The workspace file a frame path stands for, trying in order:
 *  1. the path itself, when it is absolute and inside a workspace folder;
 *  2. the path relative to the trace's working_directory, re-rooted at each workspace folder;
 *  3. the longest suffix of the path that exists under a workspace folder
 *     (/srv/shop-demo/frontend/routes/misc.js + /home/me/shop → /home/me/shop/frontend/routes/misc.js).
 * Every candidate must exist and sit inside its folder after normalisation (`..` cannot escape).
 */
export function resolveFramePath(
  framePath: string,
  workingDirectory: string | undefined,
  workspaceFolders: string[],
  fileExists: (absPath: string) => boolean,
): string | undefined {
  if (typeof framePath !== 'string') return undefined;
  const frame = fromFileUrl(framePath.trim());
  if (frame === '' || frame.includes('\0')) return undefined;
  const folders = workspaceFolders
    .filter((f) => typeof f === 'string' && f.trim() !== '' && !f.includes('\0'))
    .map((f) => {
      const api = styleOf(f);
      return { api, root: api.normalize(f.trim()) };
    })
    .filter((f) => f.api.isAbsolute(f.root));
  if (folders.length === 0) return undefined;

  const exists = (candidate: string) => {
    try {
      return fileExists(candidate) === true;
    } catch {
      return false;
    }
  };
  const tryUnder = (segments: string[]) => {
    if (segments.length === 0 || segments.includes('..')) return undefined;
    for (const { api, root } of folders) {
      const candidate = api.join(root, ...segments);
      if (isInside(api, root, candidate) && exists(candidate)) return candidate;
    }
    return undefined;
  };

  const frameApi = styleOf(frame);
  const absolute = frameApi.isAbsolute(frame) ? frameApi.normalize(frame) : undefined;

  // 1. Exactly where the trace says, when that is inside a workspace folder.
  if (absolute) {
    for (const { api, root } of folders) {
      if (api === frameApi && isInside(api, root, absolute) && exists(absolute)) return absolute;
    }
  }

  // 2. Relative to working_directory (or already relative), re-rooted.
  let relative: string | undefined;
  if (!absolute) {
    relative = frame;
  } else if (typeof workingDirectory === 'string' && workingDirectory.trim() !== '') {
    const wd = fromFileUrl(workingDirectory.trim());
    if (styleOf(wd) === frameApi && frameApi.isAbsolute(wd) && isInside(frameApi, frameApi.normalize(wd), absolute)) {
      relative = frameApi.relative(frameApi.normalize(wd), absolute);
    }
  }
  if (relative !== undefined) {
    const found = tryUnder(splitPathSegments(relative));
    if (found) return found;
  }

  // 3. Longest suffix that exists. Only the part after the last `..` is meaningful.
  const segments = splitPathSegments(absolute ?? frame);
  const from = segments.lastIndexOf('..') + 1;
  for (let i = from; i < segments.length; i++) {
    const found = tryUnder(segments.slice(i));
    if (found) return found;
  }
  return undefined;
}

/** Windows style for drive-letter and UNC paths (and backslash-only relative paths); POSIX otherwise. */
function styleOf(p: string): PathApi {
  if (/^[A-Za-z]:([\\/]|$)/.test(p) || p.startsWith('\\\\')) return path.win32;
  if (p.includes('\\') && !p.includes('/')) return path.win32;
  return path.posix;
}

/** True when `candidate` is strictly below the folder `root`, by path text (POSIX or Windows style as `root` is). */
export function isInsideFolder(root: string, candidate: string): boolean {
  return isInside(styleOf(root), root, candidate);
}

function isInside(api: PathApi, root: string, candidate: string): boolean {
  const rel = api.relative(root, candidate);
  if (rel === '' || api.isAbsolute(rel)) return false;
  return splitPathSegments(rel)[0] !== '..';
}
