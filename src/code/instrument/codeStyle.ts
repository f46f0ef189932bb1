// The indentation, line ending, quotes and semicolons a file already uses, read from its text, so that
// inserted code matches the code around it.
import type { CodeStyle } from './instrumentTypes';

export function detectCodeStyle(text: string): CodeStyle {
  const eol = /\r\n/.test(text.slice(0, 10_000)) ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/, 5000);
  let tabs = 0;
  const spaceCounts = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (lead.startsWith('\t')) {
      tabs++;
      continue;
    }
    const width = lead.length;
    const step = Math.abs(width - previous);
    previous = width;
    if (step >= 2 && step <= 8) spaceCounts.set(step, (spaceCounts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of spaceCounts) if (count > bestCount || (count === bestCount && step < best)) [best, bestCount] = [step, count];
  const indent = tabs > bestCount ? '\t' : ' '.repeat(best || 2);

  const singles = (text.match(/(^|[^\\\w])'(?:[^'\\\n]|\\.)*'/g) ?? []).length;
  const doubles = (text.match(/(^|[^\\\w])"(?:[^"\\\n]|\\.)*"/g) ?? []).length;
  const quote = doubles > singles ? '"' : "'";

  // Statement-ending lines: count those ending in `;` against those ending in an identifier, `)` or a literal.
  let withSemi = 0;
  let without = 0;
  for (const line of lines) {
    const t = line.replace(/\/\/.*$/, '').trimEnd();
    if (t === '' || /[{}[(,:=>+\-*/&|?.]$/.test(t) || /^\s*(\*|\/\*|\/\/|import\b.*\bfrom\b\s*$)/.test(t)) continue;
    if (t.endsWith(';')) withSemi++;
    else if (/[\w)'"`\]]$/.test(t)) without++;
  }
  return { indent, eol, quote, semicolons: withSemi >= without };
}

/** The leading whitespace of the line that holds `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, lineStart + 400))?.[0] ?? '';
}

/** Applies non-overlapping edits to `text` (the order given does not matter). */
export function applyEdits(text: string, edits: readonly { start: number; end: number; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const edit of sorted) {
    if (edit.end > limit || edit.start > edit.end) throw new Error(`overlapping or inverted edit at ${edit.start}`);
    out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
    limit = edit.start;
  }
  return out;
}
