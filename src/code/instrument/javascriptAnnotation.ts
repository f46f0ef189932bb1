// "Add Annotation" / "Add Metadata" in JavaScript and TypeScript: one new statement at the cursor's statement
// that records the key and value on the span/subsegment in scope (the parameter of a startActiveSpan or
// captureAsyncFunc/captureFunc callback around the cursor), else on the active span/segment.
//
// Placement: the new line goes before the statement holding the cursor, or after it when the cursor is at the
// end of that statement's line (where one has just typed it) — unless that statement returns, throws, breaks or
// continues, where a line after it would never run.
import type { SyntaxNode } from '../functionRanges';
import type { AnnotationRequest, EditOutcome, TextEdit } from './instrumentTypes';
import { BindingPlan, readBindings } from './javascriptBindings';
import { calleeName, isFunctionNode, isTypeScriptTree, namedFunctionAt, nameFunction, plainString, quoted, shadowed, walk, WRAPPING_APIS } from './javascriptSyntax';

const STATEMENT_CONTAINERS = new Set(['statement_block', 'switch_case', 'switch_default', 'class_static_block']);
const JUMPS = new Set(['return_statement', 'throw_statement', 'break_statement', 'continue_statement']);
const OTEL_CALLBACK_APIS = new Set(['startActiveSpan']);
const XRAY_CALLBACK_APIS = new Set(['captureAsyncFunc', 'captureFunc', 'captureCallbackFunc']);

export function addJavaScriptAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome {
  if (typeof request.value === 'number' && !Number.isFinite(request.value)) {
    return { ok: false, code: 'invalid-input', reason: 'The value must be a finite number, a string or a boolean.' };
  }
  const place = placement(root, text, offset, request.style.indent);
  if (!place) return { ok: false, code: 'no-function', reason: 'Put the cursor on a statement of a function that has a line of its own.' };
  const { style } = request;
  const semi = style.semicolons ? ';' : '';
  const plan = new BindingPlan(readBindings(root, '', isTypeScriptTree(root)), style);
  const key = quoted(request.key, style.quote);
  const value = typeof request.value === 'string' ? quoted(request.value, style.quote) : String(request.value);
  const holder = recorderInScope(place.anchor, request.flavour === 'opentelemetry' ? OTEL_CALLBACK_APIS : XRAY_CALLBACK_APIS);
  const lines: string[] = [];
  if (request.flavour === 'opentelemetry') {
    if (request.kind === 'annotation') {
      lines.push('// An X-Ray annotation only if the exporter\'s indexed_attributes or the span\'s aws.xray.annotations lists it.');
    }
    const target = holder ? `${holder}.` : `${plan.otel('trace')}.getActiveSpan()?.`;
    lines.push(`${target}setAttribute(${key}, ${value})${semi}`);
  } else {
    // A captureAsyncFunc/captureFunc callback gets no subsegment when there is no segment, hence `?.`.
    const target = holder ? `${holder}?.` : `${plan.xray()}.getSegment()?.`;
    lines.push(`${target}${request.kind === 'annotation' ? 'addAnnotation' : 'addMetadata'}(${key}, ${value})${semi}`);
  }
  const owner = namedFunctionAt(root, place.anchor.startIndex);
  const clash = owner ? shadowed(owner.node, plan.used) : undefined;
  if (clash) return { ok: false, code: 'unsupported', reason: `${owner?.name} declares its own \`${clash}\`, which the inserted call needs from the module. Rename it first.` };
  const eol = style.eol;
  const statement = lines.map((l) => place.indent + l).join(eol);
  const insert: TextEdit = place.after
    ? { start: place.at, end: place.at, newText: eol + statement }
    : { start: place.at, end: place.at, newText: statement + eol };
  return { ok: true, edits: [...plan.edits(), insert], warnings: plan.warnings };
}

interface Placement {
  /** Where the new text goes: a line start (before) or a line end (after). */
  at: number;
  after: boolean;
  indent: string;
  /** A node at the insertion point, for the scope search. */
  anchor: SyntaxNode;
}

function placement(root: SyntaxNode, text: string, offset: number, unit: string): Placement | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const line = text.slice(lineStart, lineEnd);
  const contentStart = lineStart + (/^[ \t]*/.exec(line)?.[0].length ?? 0);
  const contentEnd = lineStart + line.trimEnd().length;
  if (contentStart >= contentEnd) return blankLinePlacement(root, text, lineStart, unit);
  const atEnd = offset >= contentEnd;
  let node = root.descendantForIndex(atEnd ? contentEnd - 1 : Math.max(offset, contentStart));
  // At the end of `code(); // note`, the statement is the code before the comment.
  if (atEnd && node?.type === 'comment' && node.startIndex > contentStart) {
    node = root.descendantForIndex(lineStart + text.slice(lineStart, node.startIndex).trimEnd().length - 1);
  }
  // At the end of a line opening a block (`function f() {`, `if (x) {`): the first line inside the block.
  if (atEnd && node?.type === '{' && node.parent?.type === 'statement_block') {
    const block = node.parent;
    const first = firstInside(block);
    if (first && beginsLine(text, first)) return { at: text.lastIndexOf('\n', first.startIndex - 1) + 1, after: false, indent: lineIndentOf(text, first.startIndex), anchor: first };
    if (!first && text.indexOf('\n', node.endIndex) < block.endIndex) return { at: lineEnd, after: true, indent: lineIndentOf(text, node.startIndex) + unit, anchor: block };
  }
  let statement = enclosingStatement(node);
  if (!statement) return undefined;
  const after = atEnd && !JUMPS.has(statement.type);
  // The statement must begin (before) or end (after) its line, else the enclosing statement is used.
  while (statement && !(after ? endsLine(text, statement) : beginsLine(text, statement))) statement = enclosingStatement(statement.parent);
  if (!statement) return undefined;
  const indent = lineIndentOf(text, statement.startIndex);
  if (after) {
    let end = text.indexOf('\n', statement.endIndex);
    if (end < 0) end = text.length;
    if (text[end - 1] === '\r') end--;
    return { at: end, after: true, indent, anchor: statement };
  }
  return { at: text.lastIndexOf('\n', statement.startIndex - 1) + 1, after: false, indent, anchor: statement };
}

/**
 * The first statement of a block; when that statement wraps the rest in a span or subsegment (a function we
 * traced), the first statement inside its callback (inside its `try`), so the call lands on that span.
 */
function firstInside(block: SyntaxNode): SyntaxNode | undefined {
  const firstOf = (b: SyntaxNode) => b.namedChildren.find((c): c is SyntaxNode => c !== null && c.type !== 'comment');
  const first = firstOf(block);
  const call = first && (first.type === 'return_statement' || first.type === 'expression_statement') ? first.namedChildren[0] : undefined;
  if (call?.type !== 'call_expression' || !WRAPPING_APIS.has(calleeName(call) ?? '')) return first;
  const callback = call.childForFieldName('arguments')?.namedChildren.at(-1);
  const body = callback && isFunctionNode(callback) ? callback.childForFieldName('body') : undefined;
  if (body?.type !== 'statement_block') return first;
  // Past the code.* metadata the X-Ray wrap writes first.
  const inner = body.namedChildren.find((c): c is SyntaxNode => c !== null && c.type !== 'comment' && !/^\w+\?\.addMetadata\((['"])code\./.test(c.text));
  const tried = inner?.type === 'try_statement' ? inner.childForFieldName('body') : undefined;
  return (tried ? firstOf(tried) : inner) ?? first;
}

/** `node` or its nearest ancestor that is a statement of a block (not of the module: a function is needed). */
function enclosingStatement(node: SyntaxNode | null): SyntaxNode | undefined {
  for (let n = node; n; n = n.parent) {
    if (n.parent && STATEMENT_CONTAINERS.has(n.parent.type) && n.type !== 'comment' && n.type !== '{' && n.type !== '}' && n.isNamed) return n;
  }
  return undefined;
}

function beginsLine(text: string, node: SyntaxNode): boolean {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  return text.slice(lineStart, node.startIndex).trim() === '';
}

function endsLine(text: string, node: SyntaxNode): boolean {
  let end = text.indexOf('\n', node.endIndex);
  if (end < 0) end = text.length;
  return /^\s*(\/\/.*)?$/.test(text.slice(node.endIndex, end));
}

function lineIndentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** On an empty line inside a block: insert there, indented like the block's statements. */
function blankLinePlacement(root: SyntaxNode, text: string, lineStart: number, unit: string): Placement | undefined {
  let block: SyntaxNode | null = root.descendantForIndex(lineStart);
  while (block && block.type !== 'statement_block') block = block.parent;
  if (!block || lineStart <= block.startIndex || lineStart >= block.endIndex) return undefined;
  const next = block.namedChildren.find((c): c is SyntaxNode => c !== null && c.startIndex >= lineStart);
  const previous = [...block.namedChildren].reverse().find((c): c is SyntaxNode => c !== null && c.endIndex <= lineStart);
  const sibling = next ?? previous;
  const indent = sibling ? lineIndentOf(text, sibling.startIndex) : lineIndentOf(text, block.startIndex) + unit;
  return { at: lineStart, after: false, indent, anchor: block };
}

/**
 * The parameter of the nearest callback, between `node` and its named function, passed to one of `apis`
 * (`tracer.startActiveSpan('x', (span) => …)`, `AWSXRay.captureAsyncFunc('x', async (subsegment) => …)`).
 */
function recorderInScope(node: SyntaxNode, apis: Set<string>): string | undefined {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (!isFunctionNode(n)) continue;
    const call = n.parent?.type === 'arguments' ? n.parent.parent : undefined;
    if (call?.type === 'call_expression' && apis.has(calleeName(call) ?? '')) {
      const single = n.childForFieldName('parameter');
      const params = n.childForFieldName('parameters');
      const first = single ?? params?.namedChildren[0];
      const name = first?.type === 'identifier' ? first : first?.namedChildren.find((c) => c?.type === 'identifier');
      if (name) return name.text;
    }
    if (nameFunction(n)) return undefined;
  }
  return undefined;
}

/**
 * Annotation keys the function at `offset` already sets: addAnnotation('k', …), and setAttribute('k', …) with
 * keys X-Ray could index (letters, digits, underscores — an exporter cannot index other keys).
 */
export function javascriptAnnotationKeys(root: SyntaxNode, _text: string, offset: number): string[] {
  const fn = namedFunctionAt(root, offset);
  if (!fn) return [];
  const keys = new Set<string>();
  walk(fn.node, (n) => {
    if (n.type !== 'call_expression') return;
    const api = calleeName(n);
    if (api !== 'addAnnotation' && api !== 'setAttribute') return;
    const key = plainString(n.childForFieldName('arguments')?.namedChildren[0]);
    if (key !== undefined && (api === 'addAnnotation' || /^\w+$/.test(key))) keys.add(key);
  });
  return [...keys];
}
