// Statement-level edits shared by the Python, Java, Go and C# instrumentation: the function around the cursor, a
// body between braces rewritten with statements before it and a try/finally around it (moved one level in,
// multi-line strings untouched), where a new statement goes for the cursor, names that do not shadow the
// function's own, and literals.
import type { SyntaxNode } from '../functionRanges';
import { lineIndentAt } from './codeStyle';
import type { TextEdit, TraceableFunction } from './instrumentTypes';

/** The function as the commands see it; `outer` is where it starts with its decorators (Python). */
export function traceableFunction(fn: SyntaxNode, name: string, traced: boolean, outer: SyntaxNode = fn): TraceableFunction {
  return {
    name,
    nameLine: fn.childForFieldName('name')?.startPosition.row ?? fn.startPosition.row,
    start: outer.startIndex,
    end: outer.endIndex,
    traced,
  };
}

/** A line of inserted code: how many levels deeper than the body's statements, and its text ('' for a blank line). */
export type CodeLine = [depth: number, text: string];

/**
 * The innermost node `accept` takes around `offset`. A cursor just past a node's last character (the end of a
 * function's last line) still counts as in it, where the tree hands out the enclosing node.
 */
export function innermostAt(root: SyntaxNode, offset: number, accept: (node: SyntaxNode) => boolean, within?: SyntaxNode): SyntaxNode | undefined {
  const at = (o: number): SyntaxNode | undefined => {
    for (let n: SyntaxNode | null = root.descendantForIndex(o); n; n = n.parent) {
      if (within && n.id === within.id) return undefined;
      if (accept(n) && n.startIndex <= offset && offset <= n.endIndex) return n;
    }
    return undefined;
  };
  const here = at(offset);
  const before = offset > 0 ? at(offset - 1) : undefined;
  return before && (!here || (before.startIndex >= here.startIndex && before.endIndex <= here.endIndex)) ? before : here;
}

/** Nodes of `type` under `node` (itself included), not looking inside nodes `skip` takes (nested functions). */
export function descendantsOfType(node: SyntaxNode, type: string, skip?: (n: SyntaxNode) => boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.id !== node.id && skip?.(n)) continue;
    if (n.type === type) out.push(n);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

export function renderLines(lines: readonly CodeLine[], base: string, unit: string, eol: string): string {
  return lines.map(([depth, line]) => (line === '' ? '' : base + unit.repeat(depth) + line)).join(eol);
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break of the line holding `offset`, or the text's end. */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

function firstOnLine(text: string, offset: number): boolean {
  return text.slice(lineStart(text, offset), offset).trim() === '';
}

export interface BraceBody {
  /** Just past `{`, and at `}`. */
  open: number;
  close: number;
  /** The indent of the line holding `}` (the declaration's), and of the body's statements. */
  outerIndent: string;
  innerIndent: string;
  unit: string;
  /** `{` and `}` do not both sit on lines of their own around the statements (`{ return 1; }`). */
  compact: boolean;
}

/** The shape of a `{ … }` body; `declaration` gives the indent when `}` shares its line. */
export function braceBody(text: string, block: SyntaxNode, declaration: SyntaxNode, fallbackUnit: string): BraceBody {
  const open = block.startIndex + 1;
  const close = block.endIndex - 1;
  const outerIndent = firstOnLine(text, close) ? lineIndentAt(text, close) : lineIndentAt(text, declaration.startIndex);
  const firstContent = /\S/.exec(text.slice(open, close));
  const contentAt = firstContent ? open + firstContent.index : close;
  // A line comment after `{` (`{ // why`) stays where it is; code there makes the body compact.
  const compact = text.slice(open, nextLineStart(text, open)).replace(/\/\/.*$/s, '').trim() !== '' || !firstOnLine(text, close);
  const statedIndent = !compact && contentAt < close ? lineIndentAt(text, contentAt) : '';
  const unit = statedIndent.startsWith(outerIndent) && statedIndent.length > outerIndent.length ? statedIndent.slice(outerIndent.length) : fallbackUnit;
  return { open, close, outerIndent, innerIndent: outerIndent + unit, unit, compact };
}

/** Rows that begin inside a multi-line string literal: their leading whitespace is content, never re-indented. */
export function rowsInsideStrings(node: SyntaxNode): Set<number> {
  const rows = new Set<number>();
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.endPosition.row === n.startPosition.row) continue;
    if (/string/.test(n.type)) {
      for (let r = n.startPosition.row + 1; r <= n.endPosition.row; r++) rows.add(r);
      continue;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return rows;
}

export interface BodyRewrite {
  /** Statements before the wrapped part, at the body's indent. */
  before: CodeLine[];
  /** Lines opening the wrapper (`try {`) and closing it (`} finally { … }`); the body moves one level in. */
  wrapOpen?: CodeLine[];
  wrapClose?: CodeLine[];
  /** Statements at the start of the body that stay first, outside the wrapper (Java's this()/super()). */
  keepUntil?: number;
}

/**
 * One edit rewriting the inside of `body`: `before`, then the statements (inside the wrapper when given). A body
 * on lines of its own keeps its lines (re-indented when wrapped); a compact one is laid out on lines.
 */
export function rewriteBody(text: string, body: BraceBody, block: SyntaxNode, rewrite: BodyRewrite, eol: string): TextEdit {
  const { innerIndent: base, unit } = body;
  const wrapped = rewrite.wrapOpen !== undefined;
  const head = [...rewrite.before, ...(rewrite.wrapOpen ?? [])];
  if (body.compact) {
    const content = text.slice(body.open, body.close).trim();
    const lines: CodeLine[] = [...head, ...(content ? [[wrapped ? 1 : 0, content] as CodeLine] : []), ...(rewrite.wrapClose ?? [])];
    // Spaces that aligned a one-line body with its neighbours' (gofmt does that) go: the body is no longer one line.
    const padding = /\S([ \t]{2,})$/.exec(text.slice(lineStart(text, block.startIndex), block.startIndex))?.[1].length ?? 0;
    const start = padding > 0 ? block.startIndex - padding : body.open;
    const open = padding > 0 ? ' {' : '';
    return { start, end: body.close, newText: `${open}${eol}${renderLines(lines, base, unit, eol)}${eol}${body.outerIndent}` };
  }
  const start = rewrite.keepUntil !== undefined ? nextLineStart(text, rewrite.keepUntil) : nextLineStart(text, body.open);
  const headText = head.length > 0 ? renderLines(head, base, unit, eol) + eol : '';
  if (!wrapped) return { start, end: start, newText: headText };
  const end = lineStart(text, body.close);
  const skip = rowsInsideStrings(block);
  const startRow = text.slice(0, start).split('\n').length - 1;
  const moved = text.slice(start, end).split('\n').map((line, i) => (skip.has(startRow + i) || line.trim() === '' ? line : unit + line)).join('\n');
  return { start, end, newText: headText + moved + renderLines(rewrite.wrapClose ?? [], base, unit, eol) + eol };
}

/** Identifiers used anywhere in `node`, so an inserted name does not shadow or collide with one. */
export function identifiersIn(node: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (n.type === 'identifier') names.add(n.text);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return names;
}

export function freeName(preferred: string, taken: Set<string>): string {
  if (!taken.has(preferred)) return preferred;
  for (let i = 2; ; i++) if (!taken.has(`${preferred}${i}`)) return `${preferred}${i}`;
}

/**
 * The keys among those a function sets that X-Ray can index as annotations (letters, digits, underscores):
 * the code.* attributes and other dotted keys never count toward the 50.
 */
export function annotationKeysOnly(keys: Iterable<string>): string[] {
  return [...keys].filter((k) => /^[A-Za-z0-9_]+$/.test(k));
}

/** A double-quoted string literal (Java, Go, C# escape alike for these characters). */
export function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

export interface StatementPlace {
  /** Where the new text goes, and the text around the rendered statement lines. */
  offset: number;
  indent: string;
  before: string;
  after: string;
  /** The statement the new one goes next to (for finding declarations in scope). */
  anchor: SyntaxNode;
}

/**
 * Where a new statement goes for a cursor at `offset` inside `body`: before the statement holding the cursor,
 * or after it when the cursor is at the end of its last line (unless it returns, throws or jumps); from a blank
 * line, before the next line of code, or after the last one; from the header, before the body's first statement.
 * Undefined when the body has no statement to go by or its statements share the line of `{`.
 */
export function statementPlace(text: string, body: SyntaxNode, cursor: number, containers: ReadonlySet<string>, leaves: ReadonlySet<string>, eol: string): StatementPlace | undefined {
  const isStatement = (n: SyntaxNode) => n.isNamed && n.type !== 'comment' && n.type !== 'line_comment' && n.type !== 'block_comment'
    && containers.has(n.parent?.type ?? '');
  const next = statementAfterBlankLine(text, body, cursor, isStatement, /^(?:\s|\/\/[^\n]*)*/);
  if (next) return { offset: next.lineAt, indent: lineIndentAt(text, next.statement.startIndex), before: '', after: eol, anchor: next.statement };
  // From a blank line after the last statement: as from the end of the code on the line above it.
  const code = text.slice(body.startIndex + 1, lineStart(text, cursor)).trimEnd().replace(/[ \t]*\/\/[^\n]*$/, '');
  const offset = onBlankLine(text, cursor) && cursor > body.startIndex && code !== '' ? body.startIndex + 1 + code.length : cursor;
  let statement = innermostAt(body, offset, isStatement, body.parent ?? undefined);
  let atEnd = false;
  if (statement) {
    const lineEnd = text.indexOf('\n', statement.endIndex);
    const rest = text.slice(offset, lineEnd === -1 ? text.length : lineEnd).trim();
    atEnd = !leaves.has(statement.type) && offset >= statement.endIndex && (rest === '' || rest.startsWith('//'));
  } else {
    statement = firstStatement(body, isStatement);
  }
  if (!statement || statement.startPosition.row === body.startPosition.row) return undefined;
  const indent = lineIndentAt(text, statement.startIndex);
  if (atEnd) {
    const at = nextLineStart(text, statement.endIndex);
    const tail = at >= text.length && !text.endsWith('\n') ? eol : '';
    return { offset: at, indent, before: tail, after: tail ? '' : eol, anchor: statement };
  }
  return placeBefore(text, statement, eol);
}

function placeBefore(text: string, statement: SyntaxNode, eol: string): StatementPlace {
  if (!firstOnLine(text, statement.startIndex)) return { offset: statement.startIndex, indent: '', before: '', after: ' ', anchor: statement };
  return { offset: lineStart(text, statement.startIndex), indent: lineIndentAt(text, statement.startIndex), before: '', after: eol, anchor: statement };
}

function onBlankLine(text: string, offset: number): boolean {
  const lineEnd = text.indexOf('\n', offset);
  return text.slice(lineStart(text, offset), lineEnd < 0 ? text.length : lineEnd).trim() === '';
}

/**
 * With the cursor on a blank line inside `within`: the statement that begins the next line of code (past
 * comments `comments` matches) and the start of the first non-blank line after the cursor (the comments above
 * that statement stay with it), so a call added there goes where the cursor is rather than to the top of the body.
 */
export function statementAfterBlankLine(
  text: string, within: SyntaxNode, offset: number, isStatement: (n: SyntaxNode) => boolean, comments: RegExp,
): { statement: SyntaxNode; lineAt: number } | undefined {
  if (offset <= within.startIndex || !onBlankLine(text, offset)) return undefined;
  const rest = text.slice(offset, within.endIndex);
  const at = offset + (comments.exec(rest)?.[0].length ?? 0);
  if (at >= within.endIndex) return undefined;
  const statement = innermostAt(within, at, isStatement, within);
  return statement?.startIndex === at ? { statement, lineAt: lineStart(text, offset + (/^\s*/.exec(rest)?.[0].length ?? 0)) } : undefined;
}

function firstStatement(body: SyntaxNode, isStatement: (n: SyntaxNode) => boolean): SyntaxNode | undefined {
  const stack = [...body.namedChildren].reverse();
  while (stack.length > 0) {
    const n = stack.pop();
    if (!n) continue;
    if (isStatement(n)) return n;
    stack.push(...[...n.namedChildren].reverse());
  }
  return undefined;
}

/**
 * The innermost local the predicate accepts that is declared before `anchor` in a block enclosing it (and
 * inside `fn`): e.g. the `span` or `subsegment` a traced function opened. Returns the variable's name.
 */
export function localInScope(fn: SyntaxNode, anchor: SyntaxNode, declares: (statement: SyntaxNode) => string | undefined): string | undefined {
  for (let child: SyntaxNode | null = anchor; child && child.id !== fn.id; child = child.parent) {
    const parent = child.parent;
    if (!parent) break;
    for (const sibling of parent.namedChildren) {
      if (!sibling || sibling.startIndex >= child.startIndex) break;
      const name = declares(sibling);
      if (name) return name;
    }
  }
  return undefined;
}

/** Text of the inserted statements, in the place's indentation. */
export function placeText(place: StatementPlace, lines: readonly string[], eol: string): string {
  if (place.after === ' ') return `${lines.join(' ')} `;
  return place.before + lines.map((l) => place.indent + l).join(eol) + place.after;
}

/** How many line breaks the edits put before `offset` (for code.line.number in the edited file). */
export function linesAddedBefore(edits: readonly TextEdit[], text: string, offset: number): number {
  let added = 0;
  for (const e of edits) {
    if (e.start > offset) continue;
    added += (e.newText.match(/\n/g)?.length ?? 0) - (text.slice(e.start, Math.min(e.end, offset)).match(/\n/g)?.length ?? 0);
  }
  return added;
}

/** The comment an OpenTelemetry annotation gets: the X-Ray exporter indexes an attribute only when told to. */
export const OTEL_ANNOTATION_NOTE = "Indexed by X-Ray only when the exporter's indexed_attributes (or the span's aws.xray.annotations) lists this key.";
