// Stack traces from OpenTelemetry `exception.stacktrace` strings → X-Ray stack frames, innermost first.
// The formats are the ones the AWS X-Ray exporter of the OpenTelemetry Collector reads (translator/cause.go):
// V8 (`at fn (path:line:col)`), Python tracebacks (most recent call last, chained with "During handling of
// the above exception..."), Java (`at pkg.Class.method(File.java:123)`, chained with `Caused by:`).
// Bounded: hostile strings give at most MAX_EXCEPTIONS × MAX_FRAMES frames of clipped text, never a throw.
import type { StackFrame } from '../model';
import { fromFileUrl } from '../stackFrame';

/** Frames kept per exception; the rest are counted in `truncated`, as X-Ray SDKs do. */
export const MAX_FRAMES = 64;
/** Exceptions kept from one chained stack (`Caused by:` ...). */
export const MAX_EXCEPTIONS = 8;
/**
 * Lines of a stack string looked at; a frame is one line, so this bounds the work. The first lines for V8
 * and Java (innermost frame first); the last lines for Python, which prints the innermost frames and the
 * exception itself last.
 */
const MAX_LINES = 4096;
/** Longer lines are not frames (a path, a label and two numbers); they are skipped, not clipped. */
const MAX_FRAME_LINE = 2048;
/** Longest exception type or message kept from a stack string. */
const MAX_TEXT = 4096;

export type StackLanguage = 'node' | 'python' | 'java';

/** One exception of a (possibly chained) stack string: the top-level one first, then what caused it. */
export interface ParsedException {
  /** From the stack text itself; set for the chained causes (the top-level type comes from the event). */
  type?: string;
  message?: string;
  stack: StackFrame[];
  /** Frames beyond MAX_FRAMES, left out. */
  truncated?: number;
}

/** The frames of the top-level exception of a stack string, innermost first. */
export function parseStackTrace(text: string, language?: string): StackFrame[] {
  return parseExceptionChain(text, language)[0]?.stack ?? [];
}

/**
 * Every exception of a stack string, the top-level one first and each next one its cause
 * (Java `Caused by:`, Python's chained tracebacks). Never empty for a string; never throws.
 * `language` is `telemetry.sdk.language` (nodejs, javascript, webjs, python, java, php...); unknown or
 * absent → recognised per line (Python's `File "..."` lines, Java frames have no space before `(`).
 */
export function parseExceptionChain(text: string, language?: string): ParsedException[] {
  if (typeof text !== 'string' || text === '') return [{ stack: [] }];
  const known = stackLanguage(language);
  if (known === 'python') return parsePython(lastLines(text));
  const lines = firstLines(text);
  const lang = known ?? detectLanguage(lines);
  if (lang !== 'python') return parseAtFrames(lines);
  return parsePython(lines.length < MAX_LINES ? lines : lastLines(text));
}

/** Maps `telemetry.sdk.language` to a stack format; undefined when the format is not known. */
export function stackLanguage(language: unknown): StackLanguage | undefined {
  switch (language) {
    case 'nodejs':
    case 'javascript':
    case 'webjs':
      return 'node';
    case 'python':
      return 'python';
    case 'java':
    case 'php': // the PHP SDK formats its stacks like Java (translator/cause.go)
      return 'java';
    default:
      return undefined;
  }
}

/** The first MAX_LINES lines (over-long ones as ''). */
function firstLines(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  while (from <= text.length && lines.length < MAX_LINES) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    lines.push(lineText(text, from, to));
    from = to + 1;
  }
  return lines;
}

/** The last MAX_LINES lines, in order (over-long ones as ''). */
function lastLines(text: string): string[] {
  const lines: string[] = [];
  let to = text.length;
  while (to >= 0 && lines.length < MAX_LINES) {
    const from = to > 0 ? text.lastIndexOf('\n', to - 1) + 1 : 0;
    lines.push(lineText(text, from, to));
    to = from - 1;
  }
  return lines.reverse();
}

function lineText(text: string, from: number, to: number): string {
  const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to; // \r\n
  return end - from > MAX_FRAME_LINE ? '' : text.slice(from, end);
}

function detectLanguage(lines: string[]): StackLanguage {
  for (const line of lines) {
    if (line.startsWith('Traceback (most recent call last)') || line.startsWith('  File "')) return 'python';
  }
  return 'node';
}

// ---------------------------------------------------------------------------------------------------------
// V8 and Java: the first line is "Type: message", then one "at ..." line per frame, innermost first.

// Java prints an exception's suppressed exceptions (and their causes) one level deeper than its own lines:
//   java.lang.RuntimeException: top          ← the chain: header at indentation h,
//   \tat a.B.c(B.java:1)                      ← its frames deeper, all at one indentation
//   \tSuppressed: java.io.IOException: x      ← not in the chain: skipped with all that is indented as deep
//   \t\tat a.R.close(R.java:5)                  or deeper, its frames and its own `Caused by:`
//   \tCaused by: java.lang.Error: y
//   \t\tat ...
//   Caused by: java.sql.SQLException: z       ← back at indentation h: the next exception of the chain
// Only frames at the current block's frame indentation belong to it.

function parseAtFrames(lines: string[]): ParsedException[] {
  const chain: ParsedException[] = [{ stack: [] }];
  let current = chain[0];
  /** Indentation of the chain's headers (the first line, each `Caused by:` of the chain). */
  const headerIndent = indentation(lines[0] ?? '');
  /** Indentation of the current exception's frames: its first frame's. */
  let frameIndent: number | undefined;
  /** While set, lines indented this deep or deeper belong to a Suppressed: block and are skipped. */
  let skipIndent: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const indent = indentation(line);
    const trimmed = line.slice(indentEnd(line)).trimEnd();
    if (trimmed === '') continue;
    if (skipIndent !== undefined) {
      // Without indentation (a flattened trace) a skipped block can only end at the chain's next Caused by.
      const flat = skipIndent <= headerIndent;
      if (flat ? !(trimmed.startsWith('Caused by: ') && indent <= headerIndent) : indent >= skipIndent) continue;
      skipIndent = undefined;
    }
    if (trimmed.startsWith('at ')) {
      frameIndent ??= indent;
      if (indent !== frameIndent) continue; // a frame of something nested deeper
      const frame = parseAtFrame(trimmed.slice(3));
      if (frame) addFrame(current, frame);
    } else if (trimmed.startsWith('Caused by: ')) {
      if (indent > headerIndent) {
        skipIndent = indent; // the cause of something nested
        continue;
      }
      if (chain.length >= MAX_EXCEPTIONS) break;
      current = { ...typeAndMessage(trimmed.slice('Caused by: '.length)), stack: [] };
      chain.push(current);
      frameIndent = undefined;
    } else if (trimmed.startsWith('Suppressed: ')) {
      skipIndent = indent;
    }
    // Anything else: Java's "... 3 more", message continuation lines.
  }
  return chain;
}

/** Leading whitespace width, a tab counting as 4 (Java indents with tabs, V8 with spaces). */
function indentation(line: string): number {
  let width = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) width++;
    else if (c === 9) width += 4;
    else break;
  }
  return width;
}

function indentEnd(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * One frame after "at ". V8: `label (location)`, `location`, `label (native)`, `async label (location)`,
 * `eval (eval at f (location), <anonymous>:1:1)`. Java: `pkg.Class.method(File.java:123)`,
 * `java.base/pkg.Class.method(Native Method)`.
 */
function parseAtFrame(rest: string): StackFrame | undefined {
  if (rest === '') return undefined;
  const open = rest.indexOf('(');
  if (open < 0 || !rest.endsWith(')')) return locationFrame(rest, 'anonymous');
  if (open > 0 && rest.charCodeAt(open - 1) === 32) {
    // V8 "label (location)": the label ends at the first " (" (labels hold no parentheses).
    const label = rest.slice(0, open - 1);
    let location = rest.slice(open + 1, -1);
    if (location.startsWith('eval at ')) {
      // The place the eval was called from is the useful location: the innermost "(...)".
      const innerOpen = location.lastIndexOf('(');
      const innerClose = location.indexOf(')', innerOpen);
      location = innerOpen >= 0 && innerClose > innerOpen ? location.slice(innerOpen + 1, innerClose) : location;
    }
    return locationFrame(location, label || 'anonymous');
  }
  return javaFrame(rest.slice(0, open), rest.slice(open + 1, -1));
}

/** A V8 location: `path:line:col`, `path:line`, `file:///...`, `node:internal/x:1:2`, `C:\x.js:1:2`, `native`. */
function locationFrame(location: string, label: string): StackFrame {
  let path = location;
  let line: number | null = null;
  const last = trailingDigits(path);
  if (last >= 0) {
    line = parseDecimal(path, last, path.length) ?? null;
    path = path.slice(0, last - 1);
    const before = trailingDigits(path);
    if (before >= 0) {
      // path:line:col — the first number is the line.
      line = parseDecimal(path, before, path.length) ?? null;
      path = path.slice(0, before - 1);
    }
  }
  return { path: fromFileUrl(path), line, label };
}

function javaFrame(qualified: string, location: string): StackFrame {
  // "app//com.x.Y.m" or "java.base/java.lang.Thread.run": a class loader or module prefix.
  const slash = qualified.lastIndexOf('/');
  const label = slash >= 0 ? qualified.slice(slash + 1) : qualified;
  let file = location;
  let line: number | null = null;
  const colon = location.lastIndexOf(':');
  if (colon >= 0) {
    const n = parseDecimal(location, colon + 1, location.length);
    if (n !== undefined) {
      file = location.slice(0, colon);
      line = n;
    }
  }
  // A source file ("Foo.java", not "Native Method") gets its package's directories, so that the frame can
  // be found in a workspace (src/main/java/com/x/Foo.java) instead of naming only "Foo.java".
  let path = file;
  if (file.indexOf('.') > 0 && !file.includes(' ') && !file.includes('/')) {
    const parts = label.split('.');
    if (parts.length > 2) path = `${parts.slice(0, -2).join('/')}/${file}`;
  }
  return { path, line, label };
}

// ---------------------------------------------------------------------------------------------------------
// Python: blocks of `  File "path", line N, in fn` (outermost first), each followed by its indented source
// and caret lines, ending with "Type: message"; the message may go on over the following lines, up to the
// sentence that chains the next block. The last block is the exception that was raised.

const PY_CONTEXT = 'During handling of the above exception, another exception occurred:';
const PY_CAUSE = 'The above exception was the direct cause of the following exception:';

function parsePython(lines: string[]): ParsedException[] {
  const blocks: ParsedException[] = [];
  let frames: StackFrame[] = [];
  /** The exception's lines: from the first unindented line after the frames up to the next separator. */
  let text: string[] = [];
  let textLength = 0;
  const close = () => {
    while (text.length > 0 && text[text.length - 1].trim() === '') text.pop(); // the blank line before a separator
    const ex: ParsedException = { ...pythonTypeAndMessage(text), stack: [] };
    // Most recent call last in the text; X-Ray lists the innermost frame first.
    for (let i = frames.length - 1; i >= 0; i--) addFrame(ex, frames[i]);
    blocks.push(ex);
    frames = [];
    text = [];
    textLength = 0;
  };
  for (const line of lines) {
    if (line === PY_CONTEXT || line === PY_CAUSE) {
      close();
    } else if (line.startsWith('  File "')) {
      const frame = pythonFrame(line);
      if (frame) frames.push(frame);
      // A frame after text: that text was not the exception line (only what follows the last frame is).
      text = [];
      textLength = 0;
    } else if (text.length > 0) {
      if (textLength <= MAX_TEXT) text.push(line);
      textLength += line.length + 1;
    } else if (line !== '' && !line.startsWith(' ') && !line.startsWith('Traceback (')) {
      text.push(line);
      textLength = line.length;
    }
    // Otherwise: a frame's source and caret lines, "Traceback (most recent call last):", blank lines.
  }
  close();
  // The block raised last is the top-level exception; each earlier block is the cause of the next.
  blocks.reverse();
  return blocks.slice(0, MAX_EXCEPTIONS);
}

function pythonFrame(line: string): StackFrame | undefined {
  // `  File "/app/x.py", line 12, in handler` — the path may itself contain `", line `; take the last one.
  const marker = line.lastIndexOf('", line ');
  if (marker < 8) return undefined;
  const path = line.slice(8, marker);
  const numberStart = marker + '", line '.length;
  let numberEnd = numberStart;
  while (numberEnd < line.length && isDigit(line.charCodeAt(numberEnd))) numberEnd++;
  const n = parseDecimal(line, numberStart, numberEnd);
  const inAt = line.indexOf(', in ', numberEnd);
  const label = inAt >= 0 ? line.slice(inAt + 5) : '';
  return { path, line: n ?? null, label };
}

// ---------------------------------------------------------------------------------------------------------

function addFrame(ex: ParsedException, frame: StackFrame): void {
  if (ex.stack.length < MAX_FRAMES) ex.stack.push(frame);
  else ex.truncated = (ex.truncated ?? 0) + 1;
}

/** Python's exception lines: the type before the first ": " of the first line; the rest, newlines kept, the message. */
function pythonTypeAndMessage(text: string[]): { type?: string; message?: string } {
  if (text.length === 0) return {};
  const first = typeAndMessage(text[0]);
  if (text.length === 1) return first;
  const rest = text.slice(1).join('\n');
  const message = first.message !== undefined ? `${first.message}\n${rest}` : rest;
  return { ...first, message: message.length > MAX_TEXT ? message.slice(0, MAX_TEXT) : message };
}

/** "pkg.Error: message" → type and message; a line without ": " is a type alone. */
function typeAndMessage(text: string): { type?: string; message?: string } {
  const clipped = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  const colon = clipped.indexOf(': ');
  if (colon < 0) return clipped ? { type: clipped } : {};
  return { type: clipped.slice(0, colon), message: clipped.slice(colon + 2) };
}

/** Where the digits ending `text` start, when a ':' precedes them; -1 otherwise. */
function trailingDigits(text: string): number {
  let start = text.length;
  while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
  return start < text.length && start > 0 && text.charCodeAt(start - 1) === 58 ? start : -1;
}

/** A non-negative integer from digits only, at most 9 of them (line numbers), else undefined. */
function parseDecimal(text: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 9) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    n = n * 10 + (c - 48);
  }
  return n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

