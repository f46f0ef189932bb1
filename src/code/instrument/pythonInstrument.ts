// Instrumentation edits for Python. OpenTelemetry: the body goes under `with tracer.start_as_current_span(…)`,
// which records an exception, sets the error status and ends the span on the way out, and keeps the span current
// across awaits (contextvars). X-Ray SDK: `@xray_recorder.capture('name')` (`capture_async` for `async def`), the
// decorator every aws-xray-sdk-python release has (the Debian package's 0.95 has no in_subsegment), with the
// code.* values written as metadata on the subsegment first thing in the body.
import type { SyntaxNode } from '../functionRanges';
import { lineIndentAt } from './codeStyle';
import {
  annotationKeysOnly, descendantsOfType, freeName, identifiersIn, innermostAt, lineStart, linesAddedBefore,
  nextLineStart, rowsInsideStrings, statementAfterBlankLine, traceableFunction,
  OTEL_ANNOTATION_NOTE,
} from './statementEdits';
import type { AnnotationRequest, EditOutcome, LanguageInstrumenter, TextEdit, TraceableFunction, TraceFunctionContext } from './instrumentTypes';

/** Calls that open a span/subsegment for what follows: in a decorator, a `with` item or the first statement. */
const OPENS_SPAN = new Set(['start_as_current_span', 'start_span', 'capture', 'capture_async', 'in_subsegment', 'in_subsegment_async', 'begin_subsegment']);
const WITH_SPAN = new Set(['start_as_current_span', 'start_span', 'in_subsegment', 'in_subsegment_async']);
const NESTED_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

export const pythonInstrumenter: LanguageInstrumenter = {
  languages: ['python'],
  functionAt: (root, _text, offset) => {
    const fn = functionNodeAt(root, offset);
    return fn ? describe(fn) : undefined;
  },
  traceFunction,
  addAnnotation,
  annotationKeysIn: (root, _text, offset) => {
    const fn = functionNodeAt(root, offset);
    if (!fn) return [];
    const keys = new Set<string>();
    for (const call of ownDescendants(fn, 'call')) {
      const api = lastName(call.childForFieldName('function'));
      if (api !== 'put_annotation' && api !== 'set_attribute') continue;
      const first = call.childForFieldName('arguments')?.namedChildren[0];
      const key = first ? stringValue(first) : undefined;
      if (key !== undefined) keys.add(key);
    }
    return annotationKeysOnly(keys);
  },
};

/** `Class.method` for a function written directly in a class body, else its own name (as functionRanges names it). */
/** The innermost function around `offset`; on a decorator line, the function it decorates. */
function functionNodeAt(root: SyntaxNode, offset: number): SyntaxNode | undefined {
  const definition = (n: SyntaxNode) => (n.type === 'decorated_definition' ? n.childForFieldName('definition') : n);
  const found = innermostAt(root, offset, (n) => {
    const fn = definition(n);
    return fn?.type === 'function_definition' && fn.childForFieldName('name') !== null;
  });
  return found ? definition(found) ?? undefined : undefined;
}

/** Nodes of `type` in the function's own body, not in a nested function, lambda or class. */
function ownDescendants(fn: SyntaxNode, type: string): SyntaxNode[] {
  const body = fn.childForFieldName('body');
  return body ? descendantsOfType(body, type, (n) => NESTED_SCOPES.has(n.type)) : [];
}

function qualifiedName(fn: SyntaxNode): string {
  const own = fn.childForFieldName('name')?.text ?? '';
  let up = fn.parent;
  if (up?.type === 'decorated_definition') up = up.parent;
  const cls = up?.type === 'block' && up.parent?.type === 'class_definition' ? up.parent : undefined;
  const className = cls?.childForFieldName('name')?.text;
  return className ? `${className}.${own}` : own;
}

function outerNode(fn: SyntaxNode): SyntaxNode {
  return fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
}

function describe(fn: SyntaxNode): TraceableFunction {
  return traceableFunction(fn, qualifiedName(fn), isTraced(fn), outerNode(fn));
}

function decorators(fn: SyntaxNode): SyntaxNode[] {
  const outer = outerNode(fn);
  return outer === fn ? [] : outer.namedChildren.filter((c): c is SyntaxNode => c?.type === 'decorator');
}

/** The API a decorator, `with` item or statement calls: `xray_recorder.capture('x')` → capture. */
function calledApi(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'call') return lastName(node.childForFieldName('function'));
  if (node.type === 'await') return calledApi(node.namedChildren[0]);
  return lastName(node);
}

function isTraced(fn: SyntaxNode): boolean {
  if (decorators(fn).some((d) => OPENS_SPAN.has(calledApi(d.namedChildren[0]) ?? ''))) return true;
  const first = bodyStatements(fn)[0];
  if (!first) return false;
  if (first.type === 'with_statement') return withItems(first).some((item) => WITH_SPAN.has(calledApi(item.call) ?? ''));
  if (first.type === 'expression_statement') {
    const expr = first.namedChildren[0];
    const value = expr?.type === 'assignment' ? expr.childForFieldName('right') : expr;
    return OPENS_SPAN.has(calledApi(value) ?? '');
  }
  return false;
}

/** The body's statements after the docstring. */
function bodyStatements(fn: SyntaxNode): SyntaxNode[] {
  const block = fn.childForFieldName('body');
  const statements = (block?.namedChildren ?? []).filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
  return docstringOf(fn) ? statements.slice(1) : statements;
}

function docstringOf(fn: SyntaxNode): SyntaxNode | undefined {
  const first = fn.childForFieldName('body')?.namedChildren.find((c) => c?.type !== 'comment');
  return first?.type === 'expression_statement' && first.namedChildren.length === 1 && first.namedChildren[0]?.type === 'string' ? first : undefined;
}

function withItems(statement: SyntaxNode): Array<{ call: SyntaxNode | null; alias: string | undefined }> {
  const clause = statement.namedChildren.find((c) => c?.type === 'with_clause');
  return (clause?.namedChildren ?? []).filter((c): c is SyntaxNode => c?.type === 'with_item').map((item) => {
    const value = item.childForFieldName('value') ?? item.namedChildren[0];
    if (value?.type === 'as_pattern') {
      const target = value.namedChildren.find((c) => c?.type === 'as_pattern_target')?.namedChildren[0];
      return { call: value.namedChildren[0], alias: target?.type === 'identifier' ? target.text : undefined };
    }
    return { call: value ?? null, alias: undefined };
  });
}

function lastName(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

function stringValue(node: SyntaxNode): string | undefined {
  if (node.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return /^[rRuUbB]?("""|'''|"|')([\s\S]*)\1$/.exec(node.text)?.[2];
}

/** A Python literal for a key or value, in the file's quote style. */
export function pythonLiteral(value: string | number | boolean, quote: "'" | '"'): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  const escaped = value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t').split(quote).join(`\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

// ---- module-level bindings (imports, tracer) ----

interface ModuleBindings {
  /** The name `from opentelemetry import trace` binds, if imported. */
  trace?: string;
  /** A module-level `x = ….get_tracer(…)`. */
  tracer?: string;
  /** The name `from aws_xray_sdk.core import xray_recorder` binds, if imported. */
  recorder?: string;
  /** Offset where new imports go (the start of a line). */
  importAt: number;
  /** Every name the module binds at its top level (imports, defs, classes, assignments), anywhere in the file. */
  taken: Set<string>;
}

/** The names a top-level statement binds. */
function boundNames(statement: SyntaxNode): string[] {
  switch (statement.type) {
    case 'import_statement':
    case 'import_from_statement':
      return statement.childrenForFieldName('name').flatMap((n) => {
        if (!n) return [];
        if (n.type === 'aliased_import') return [n.childForFieldName('alias')?.text ?? ''];
        return [n.text.split('.')[0]];
      });
    case 'function_definition':
    case 'class_definition':
      return [statement.childForFieldName('name')?.text ?? ''];
    case 'decorated_definition':
      return statement.childForFieldName('definition') ? boundNames(statement.childForFieldName('definition') as SyntaxNode) : [];
    case 'expression_statement': {
      const assignment = statement.namedChildren[0];
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
      return left ? descendantsOfType(left, 'identifier').map((n) => n.text) : [];
    }
    default:
      return [];
  }
}

function moduleBindings(root: SyntaxNode, text: string, before: number): ModuleBindings {
  const children = root.namedChildren.filter((c): c is SyntaxNode => c !== null);
  const out: ModuleBindings = { importAt: 0, taken: new Set(children.flatMap(boundNames)) };
  let lastImport: SyntaxNode | undefined;
  let docstring: SyntaxNode | undefined;
  for (const [i, child] of children.entries()) {
    // Only what comes before the function: a decorator runs at def time, and the tracer line goes above it.
    if (child.startIndex >= before) break;
    if (i === 0 && child.type === 'expression_statement' && child.namedChildren[0]?.type === 'string') docstring = child;
    if (IMPORTS.has(child.type)) {
      lastImport = child;
      if (child.type === 'import_from_statement') {
        const module = child.childForFieldName('module_name')?.text;
        for (const imported of child.childrenForFieldName('name')) {
          if (!imported) continue;
          const [name, alias] = imported.type === 'aliased_import'
            ? [imported.childForFieldName('name')?.text, imported.childForFieldName('alias')?.text]
            : [imported.text, imported.text];
          if (module === 'opentelemetry' && name === 'trace') out.trace = alias;
          if (module === 'aws_xray_sdk.core' && name === 'xray_recorder') out.recorder = alias;
        }
      }
    }
    if (child.type === 'expression_statement' && child.namedChildren[0]?.type === 'assignment') {
      const assignment = child.namedChildren[0];
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type === 'identifier' && right?.type === 'call' && lastName(right.childForFieldName('function')) === 'get_tracer') out.tracer = left.text;
    }
  }
  if (lastImport) out.importAt = nextLineStart(text, lastImport.endIndex);
  else if (docstring) out.importAt = nextLineStart(text, docstring.endIndex);
  else {
    // Keep a shebang, an encoding cookie and a header comment first.
    let at = 0;
    while (at < text.length && text.startsWith('#', at)) at = nextLineStart(text, at);
    out.importAt = at;
  }
  return out;
}

/** Text inserted at `at` (a line start): the lines given, with a blank line before when the line above is code. */
function importEdit(text: string, at: number, lines: string[], eol: string): TextEdit {
  const previousLine = text.slice(lineStart(text, Math.max(0, at - 1)), at).trim();
  const gap = at > 0 && previousLine !== '' && !/^(import|from)\s/.test(previousLine) ? eol : '';
  const tail = at >= text.length && !text.endsWith('\n') && text.length > 0 ? eol : '';
  const nextLine = text.slice(at, nextLineStart(text, at)).trim();
  const gapAfter = nextLine !== '' && !/^(import|from)\s/.test(nextLine) ? eol : '';
  return { start: at, end: at, newText: tail + gap + lines.join(eol) + eol + gapAfter };
}

/** The lines needed to have `trace` (and a tracer when `withTracer`) at module level, and the names to use. */
function otelBindings(b: ModuleBindings, withTracer: boolean): { lines: string[]; trace: string; tracer: string } {
  const lines: string[] = [];
  // The module's own `trace` or `tracer` (another library's, a function of its own) is left alone.
  const trace = b.trace ?? (b.taken.has('trace') ? 'otel_trace' : 'trace');
  if (withTracer && b.tracer) return { lines, trace, tracer: b.tracer };
  if (!b.trace) lines.push(trace === 'trace' ? 'from opentelemetry import trace' : `from opentelemetry import trace as ${trace}`);
  const tracer = b.taken.has('tracer') ? 'otel_tracer' : 'tracer';
  if (withTracer) lines.push('', `${tracer} = ${trace}.get_tracer(__name__)`);
  return { lines, trace, tracer };
}

// ---- Trace This Function ----

function traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome {
  const fn = functionNodeAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'The cursor is not inside a Python function.' };
  const info = describe(fn);
  if (info.traced) return { ok: false, code: 'already-traced', reason: `${info.name} already has its own span or subsegment.` };
  if (ownDescendants(fn, 'yield').length > 0) {
    return {
      ok: false,
      code: 'unsupported',
      reason: `${info.name} is a generator: its body runs piece by piece as items are read, so a decorator's subsegment would end `
        + "before any item is made and a with block's span would stay current in the caller's code between items.",
    };
  }
  const block = fn.childForFieldName('body');
  if (!block) return { ok: false, code: 'unsupported', reason: `${info.name} has no body to wrap.` };
  const isAsync = fn.children.some((c) => c?.type === 'async');
  const { style } = context;
  const defIndent = lineIndentAt(text, fn.startIndex);
  const oneLine = block.startPosition.row === fn.startPosition.row;
  const bodyIndent = oneLine ? defIndent + style.indent : lineIndentAt(text, block.startIndex);
  // One level as this function writes it (its body's indent past the def's), else as the file does.
  const unit = bodyIndent.startsWith(defIndent) && bodyIndent.length > defIndent.length ? bodyIndent.slice(defIndent.length) : style.indent;
  const q = pythonQuote(root);
  const eol = style.eol;
  const bindings = moduleBindings(root, text, outerNode(fn).startIndex);
  const edits: TextEdit[] = [];
  const warnings: string[] = [];

  let importLines: string[];
  let opener: (line: number) => string[];
  if (context.flavour === 'opentelemetry') {
    const names = otelBindings(bindings, true);
    importLines = names.lines;
    const span = freeName('span', identifiersIn(fn));
    opener = (line) => [
      `with ${names.tracer}.start_as_current_span(${pythonLiteral(info.name, q)}, attributes={`,
      ...codeAttributes(info.name, context.filePath, line, q).map(([k, v]) => `${unit}${k}: ${v},`),
      `}) as ${span}:`,
    ];
  } else {
    const recorder = bindings.recorder ?? 'xray_recorder';
    importLines = bindings.recorder ? [] : ['from aws_xray_sdk.core import xray_recorder'];
    const subsegment = freeName('subsegment', identifiersIn(fn));
    opener = (line) => [
      `${subsegment} = ${recorder}.current_subsegment()`,
      `if ${subsegment} is not None:`,
      ...codeAttributes(info.name, context.filePath, line, q).map(([k, v]) => `${unit}${subsegment}.put_metadata(${k}, ${v})`),
    ];
    const decorator = `@${recorder}.${isAsync ? 'capture_async' : 'capture'}(${pythonLiteral(info.name, q)})`;
    edits.push({ start: lineStart(text, fn.startIndex), end: lineStart(text, fn.startIndex), newText: `${defIndent}${decorator}${eol}` });
    if (isAsync) warnings.push('The X-Ray SDK records async functions correctly only with an async context: xray_recorder.configure(context=AsyncContext()).');
  }
  if (importLines.length > 0) edits.push(importEdit(text, bindings.importAt, importLines, eol));

  // code.line.number is the line of the function's name in the edited file: count the lines inserted above it.
  const nameOffset = fn.childForFieldName('name')?.startIndex ?? fn.startIndex;
  const header = opener(info.nameLine + 1 + linesAddedBefore(edits, text, nameOffset));

  if (context.flavour === 'opentelemetry') edits.push(wrapBody(text, fn, block, header, bodyIndent, unit, eol, oneLine));
  else edits.push(prependToBody(text, fn, block, header, bodyIndent, eol, oneLine));
  return { ok: true, edits, warnings };
}

function codeAttributes(name: string, filePath: string, line: number, q: "'" | '"'): Array<[string, string]> {
  return [
    [pythonLiteral('code.function.name', q), pythonLiteral(name, q)],
    [pythonLiteral('code.file.path', q), pythonLiteral(filePath, q)],
    [pythonLiteral('code.line.number', q), String(line)],
  ];
}

/** Just past the `:` that ends the def line (a one-line body follows it). */
function colonEndOf(fn: SyntaxNode): number {
  const body = fn.childForFieldName('body');
  const colon = fn.children.filter((c): c is SyntaxNode => c?.type === ':' && (!body || c.endIndex <= body.startIndex)).pop();
  return colon ? colon.endIndex : (body?.startIndex ?? fn.endIndex);
}

/**
 * The quote most one-line string literals of the file use (docstrings and other triple-quoted strings say
 * nothing: PEP 257 asks for double quotes there whatever the code uses); single quotes when nothing decides.
 */
export function pythonQuote(root: SyntaxNode): "'" | '"' {
  let single = 0;
  let double = 0;
  const stack: SyntaxNode[] = [root];
  for (let seen = 0; stack.length > 0 && seen < 50_000; seen++) {
    const node = stack.pop() as SyntaxNode;
    if (node.type === 'string') {
      const open = /^[A-Za-z]*("""|'''|"|')/.exec(node.text)?.[1];
      if (open === "'") single++;
      else if (open === '"') double++;
      continue;
    }
    for (const c of node.namedChildren) if (c) stack.push(c);
  }
  return double > single ? '"' : "'";
}

/** The `with` header before the statements after the docstring, which move one level in. */
function wrapBody(text: string, fn: SyntaxNode, block: SyntaxNode, header: string[], bodyIndent: string, unit: string, eol: string, oneLine: boolean): TextEdit {
  const headerText = header.map((l) => bodyIndent + l).join(eol);
  if (oneLine) {
    // `def f(): return x` → the with block on lines of its own.
    const body = text.slice(block.startIndex, block.endIndex).trim();
    return { start: colonEndOf(fn), end: block.endIndex, newText: `${eol}${headerText}${eol}${bodyIndent}${unit}${body}` };
  }
  const doc = docstringOf(fn);
  const first = bodyStatements(fn)[0];
  const start = doc ? nextLineStart(text, doc.endIndex) : lineStart(text, block.startIndex);
  if (!first) {
    // Only a docstring: the span still measures the call.
    return { start, end: start, newText: `${headerText}${eol}${bodyIndent}${unit}pass${eol}` };
  }
  const end = block.endIndex;
  const skip = rowsInsideStrings(block);
  const startRow = text.slice(0, start).split('\n').length - 1;
  const lines = text.slice(start, end).split('\n');
  const moved = lines.map((line, i) => (skip.has(startRow + i) || line.trim() === '' ? line : unit + line)).join('\n');
  return { start, end, newText: `${headerText}${eol}${moved}` };
}

/** Statements inserted first thing in the body (after the docstring), at the body's indent. */
function prependToBody(text: string, fn: SyntaxNode, block: SyntaxNode, lines: string[], bodyIndent: string, eol: string, oneLine: boolean): TextEdit {
  const inserted = lines.map((l) => bodyIndent + l).join(eol);
  if (oneLine) {
    const body = text.slice(block.startIndex, block.endIndex).trim();
    return { start: colonEndOf(fn), end: block.endIndex, newText: `${eol}${inserted}${eol}${bodyIndent}${body}` };
  }
  const doc = docstringOf(fn);
  const at = doc ? nextLineStart(text, doc.endIndex) : lineStart(text, block.startIndex);
  return { start: at, end: at, newText: `${inserted}${eol}` };
}

// ---- Add Annotation / Add Metadata ----

function addAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome {
  const fn = functionNodeAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'Place the cursor inside a Python function: annotations go on the span or subsegment that is current there.' };
  const block = fn.childForFieldName('body');
  if (!block || block.startPosition.row === fn.startPosition.row) {
    return { ok: false, code: 'unsupported', reason: `The body of ${qualifiedName(fn)} is on its def line: put it on a line of its own first.` };
  }
  const { style } = request;
  const q = pythonQuote(root);
  const at = insertionPoint(text, fn, offset, style.eol);
  const enclosing = enclosingSpanAlias(fn, at.anchor, request.flavour);
  const edits: TextEdit[] = [];
  let target: string;
  if (enclosing) {
    target = enclosing;
  } else {
    const bindings = moduleBindings(root, text, outerNode(fn).startIndex);
    if (request.flavour === 'opentelemetry') {
      const names = otelBindings(bindings, false);
      if (names.lines.length > 0) edits.push(importEdit(text, bindings.importAt, names.lines, style.eol));
      target = `${names.trace}.get_current_span()`;
    } else {
      target = bindings.recorder ?? 'xray_recorder';
      if (!bindings.recorder) edits.push(importEdit(text, bindings.importAt, ['from aws_xray_sdk.core import xray_recorder'], style.eol));
    }
  }
  const method = request.flavour === 'opentelemetry' ? 'set_attribute' : request.kind === 'annotation' ? 'put_annotation' : 'put_metadata';
  const lines: string[] = [];
  if (request.flavour === 'opentelemetry' && request.kind === 'annotation') {
    lines.push(`# ${OTEL_ANNOTATION_NOTE}`);
  }
  lines.push(`${target}.${method}(${pythonLiteral(request.key, q)}, ${pythonLiteral(request.value, q)})`);
  edits.push({ start: at.offset, end: at.offset, newText: at.before + lines.map((l) => at.indent + l).join(style.eol) + at.after });
  return { ok: true, edits, warnings: [] };
}

interface InsertionPoint {
  offset: number;
  indent: string;
  before: string;
  after: string;
  /** A node at the place of the new statement, for finding the `with` blocks around it. */
  anchor: SyntaxNode;
}

/**
 * Where a new statement goes (the body is not on the def line): before the statement the cursor is in, or after
 * it when the cursor is at the end of that statement's last line (unless it returns or raises); from a blank line
 * inside the body, before the next line of code; from the header or a line before the body's statements, first
 * thing after the docstring.
 */
function insertionPoint(text: string, fn: SyntaxNode, offset: number, eol: string): InsertionPoint {
  const block = fn.childForFieldName('body') as SyntaxNode;
  const isStatement = (n: SyntaxNode) => n.parent?.type === 'block' && n.type !== 'comment';
  const next = statementAfterBlankLine(text, block, offset, isStatement, /^(?:\s|#[^\n]*)*/);
  if (next && docstringOf(fn)?.id !== next.statement.id) {
    return { offset: next.lineAt, indent: lineIndentAt(text, next.statement.startIndex), before: '', after: eol, anchor: next.statement };
  }
  let statement = innermostAt(fn, offset, isStatement, fn);
  if (statement && docstringOf(fn)?.id === statement.id) statement = undefined;
  if (!statement) {
    const after = docstringOf(fn);
    const first = bodyStatements(fn)[0] ?? after ?? block;
    if (after && !bodyStatements(fn)[0]) {
      return { offset: nextLineStart(text, after.endIndex), indent: lineIndentAt(text, after.startIndex), before: '', after: eol, anchor: after };
    }
    return { offset: lineStart(text, first.startIndex), indent: lineIndentAt(text, first.startIndex), before: '', after: eol, anchor: first };
  }
  const indent = lineIndentAt(text, statement.startIndex);
  const lineEnd = text.indexOf('\n', statement.endIndex);
  const endOfLastLine = (lineEnd === -1 ? text.length : lineEnd) - (text[lineEnd - 1] === '\r' ? 1 : 0);
  // Nothing after a statement that leaves the block would run: the call goes before it.
  const leaves = ['return_statement', 'raise_statement', 'break_statement', 'continue_statement'].includes(statement.type);
  const atEnd = !leaves && offset >= statement.endIndex && text.slice(offset, endOfLastLine).trim() === '';
  if (atEnd) {
    const at = nextLineStart(text, statement.endIndex);
    const tail = at >= text.length && !text.endsWith('\n') ? eol : '';
    return { offset: at, indent, before: tail, after: tail ? '' : eol, anchor: statement };
  }
  return { offset: lineStart(text, statement.startIndex), indent, before: '', after: eol, anchor: statement };
}

/** The alias of the innermost `with …start_as_current_span(…) as span:` / `in_subsegment(…) as subsegment:` around `node`. */
function enclosingSpanAlias(fn: SyntaxNode, node: SyntaxNode, flavour: AnnotationRequest['flavour']): string | undefined {
  const wanted = flavour === 'opentelemetry' ? ['start_as_current_span', 'start_span'] : ['in_subsegment', 'in_subsegment_async'];
  for (let n: SyntaxNode | null = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const body = n.childForFieldName('body');
    if (!body || node.startIndex < body.startIndex) continue;
    const item = withItems(n).find((i) => wanted.includes(calledApi(i.call) ?? '') && i.alias);
    if (item) return item.alias;
  }
  return undefined;
}

