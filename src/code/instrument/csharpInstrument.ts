// Instrumentation edits for C#. OpenTelemetry on .NET is System.Diagnostics: `using var activity =
// ActivitySource.StartActivity(name)` (disposing stops it) with the code.* values as tags, the body in a try whose
// catch sets the error status and rethrows; a static ActivitySource field is added once. X-Ray SDK:
// `AWSXRayRecorder.Instance.BeginSubsegment(name)`, the code.* values as metadata, AddException and rethrow,
// EndSubsegment in finally. Expression-bodied members get a block body; iterators are refused (C# forbids a
// yield inside a try with a catch).
import type { SyntaxNode } from '../functionRanges';
import { lineIndentAt } from './codeStyle';
import {
  annotationKeysOnly, braceBody, descendantsOfType, innermostAt, freeName, identifiersIn, lineStart,
  linesAddedBefore, localInScope, nextLineStart, placeText, quoted, renderLines, rewriteBody, statementPlace,
  traceableFunction, type CodeLine,
  OTEL_ANNOTATION_NOTE,
} from './statementEdits';
import type { AnnotationRequest, EditOutcome, LanguageInstrumenter, TextEdit, TraceableFunction, TraceFunctionContext } from './instrumentTypes';

const FUNCTIONS = new Set(['method_declaration', 'constructor_declaration', 'local_function_statement']);
const TYPES = new Set(['class_declaration', 'struct_declaration', 'record_declaration', 'interface_declaration']);
const OPENS_SPAN = new Set(['StartActivity', 'BeginSubsegment', 'TraceMethod', 'TraceMethodAsync']);
const CONTAINERS = new Set(['block']);
const LEAVES = new Set(['return_statement', 'throw_statement', 'break_statement', 'continue_statement', 'goto_statement']);

export const csharpInstrumenter: LanguageInstrumenter = {
  languages: ['csharp'],
  functionAt: (root, _text, offset) => {
    const fn = functionAt(root, offset);
    return fn ? describe(fn) : undefined;
  },
  traceFunction,
  addAnnotation,
  annotationKeysIn: (root, _text, offset) => {
    const fn = functionAt(root, offset);
    const keys = new Set<string>();
    for (const call of fn ? descendantsOfType(fn, 'invocation_expression') : []) {
      const api = calledName(call);
      if (api !== 'AddAnnotation' && api !== 'SetTag') continue;
      const first = call.childForFieldName('arguments')?.namedChildren[0]?.namedChildren[0];
      if (first?.type === 'string_literal') keys.add(first.text.slice(1, -1));
    }
    return annotationKeysOnly(keys);
  },
};

function functionAt(root: SyntaxNode, offset: number): SyntaxNode | undefined {
  return innermostAt(root, offset, (n) => (FUNCTIONS.has(n.type)) && n.childForFieldName('name') !== null);
}

function enclosingType(fn: SyntaxNode): SyntaxNode | undefined {
  for (let n = fn.parent; n; n = n.parent) if (TYPES.has(n.type)) return n;
  return undefined;
}

/** `Class.Method` (local functions by their own name), as functionRanges names them. */
function qualifiedName(fn: SyntaxNode): string {
  const own = fn.childForFieldName('name')?.text ?? '';
  if (fn.type === 'local_function_statement') return own;
  const cls = enclosingType(fn)?.childForFieldName('name')?.text;
  return cls ? `${cls}.${own}` : own;
}

function describe(fn: SyntaxNode): TraceableFunction {
  return traceableFunction(fn, qualifiedName(fn), isTraced(fn));
}

function calledName(call: SyntaxNode): string | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'member_access_expression') return callee.childForFieldName('name')?.text.replace(/<.*$/s, '');
  if (callee?.type === 'identifier' || callee?.type === 'generic_name') return callee.text.replace(/<.*$/s, '');
  // activity?.SetTag(…)
  const binding = callee?.type === 'conditional_access_expression' ? callee.namedChildren.find((c) => c?.type === 'member_binding_expression') : undefined;
  return binding?.childForFieldName('name')?.text ?? binding?.namedChildren.find((c) => c?.type === 'identifier')?.text;
}

function bodyOf(fn: SyntaxNode): SyntaxNode | undefined {
  return fn.childForFieldName('body') ?? fn.namedChildren.find((c) => c?.type === 'block' || c?.type === 'arrow_expression_clause') ?? undefined;
}

function isTraced(fn: SyntaxNode): boolean {
  const body = bodyOf(fn);
  if (!body) return false;
  const first = body.type === 'block' ? body.namedChildren.find((c) => c !== null && c.type !== 'comment') : body;
  // The statement's own calls, not those in a block or lambda it holds.
  const calls = first ? descendantsOfType(first, 'invocation_expression', (n) => n.type === 'block' || /lambda|anonymous_method/.test(n.type)) : [];
  return calls.some((c) => OPENS_SPAN.has(calledName(c) ?? ''));
}

/** A C# literal for an annotation value: integers past int range get an L. */
export function csharpLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2_147_483_647 && Math.abs(value) < 2 ** 63 && !/e/.test(String(value))) return `${value}L`;
  return String(value);
}

// ---- usings and the ActivitySource field ----

/** The namespaces the file's using directives name (global ones included). */
function usingsIn(root: SyntaxNode): Set<string> {
  const present = new Set<string>();
  const add = (container: SyntaxNode | null | undefined) => {
    for (const child of container?.namedChildren ?? []) {
      if (child?.type === 'using_directive') present.add(child.text.replace(/^(global\s+)?using\s+|\s*;$/g, '').replace(/\s+/g, ''));
    }
  };
  add(root);
  add(root.namedChildren.find((c) => c?.type === 'namespace_declaration')?.childForFieldName('body'));
  return present;
}

/**
 * `catch (Exception e)` when the file has `using System;`, else the qualified name: in a project with implicit
 * usings an added `using System;` would only repeat the global one.
 */
function exceptionType(root: SyntaxNode): string {
  return usingsIn(root).has('System') ? 'Exception' : 'System.Exception';
}

function usingEdit(root: SyntaxNode, text: string, wanted: string[], eol: string): TextEdit | undefined {
  const present = usingsIn(root);
  let last: SyntaxNode | undefined;
  const scan = (container: SyntaxNode) => {
    for (const child of container.namedChildren) if (child?.type === 'using_directive') last = child;
  };
  scan(root);
  if (!last) {
    const ns = root.namedChildren.find((c) => c?.type === 'namespace_declaration');
    const list = ns?.childForFieldName('body');
    if (list) scan(list);
  }
  const missing = wanted.filter((w) => !present.has(w));
  if (missing.length === 0) return undefined;
  if (last) {
    const at = nextLineStart(text, last.endIndex);
    const indent = lineIndentAt(text, last.startIndex);
    return { start: at, end: at, newText: missing.map((m) => `${indent}using ${m};`).join(eol) + eol };
  }
  return { start: 0, end: 0, newText: missing.map((m) => `using ${m};`).join(eol) + eol + eol };
}

function namespaceOf(fn: SyntaxNode): string | undefined {
  for (let n = fn.parent; n; n = n.parent) {
    if (n.type === 'namespace_declaration') return n.childForFieldName('name')?.text;
  }
  const root = (() => {
    let r: SyntaxNode = fn;
    while (r.parent) r = r.parent;
    return r;
  })();
  return root.namedChildren.find((c) => c?.type === 'file_scoped_namespace_declaration')?.childForFieldName('name')?.text;
}

function sourceField(fn: SyntaxNode, type: SyntaxNode, text: string, unit: string, eol: string): { name: string; edit?: TextEdit } {
  const list = type.childForFieldName('body') ?? type.namedChildren.find((c) => c?.type === 'declaration_list');
  for (const member of list?.namedChildren ?? []) {
    if (member?.type !== 'field_declaration') continue;
    const declaration = member.namedChildren.find((c) => c?.type === 'variable_declaration');
    if (declaration?.childForFieldName('type')?.text !== 'ActivitySource') continue;
    const name = declaration.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name')?.text
      ?? declaration.namedChildren.find((c) => c?.type === 'variable_declarator')?.namedChildren[0]?.text;
    if (name) return { name };
  }
  const name = 'ActivitySource';
  if (!list) return { name };
  const source = [namespaceOf(fn), type.childForFieldName('name')?.text].filter(Boolean).join('.');
  const memberIndent = lineIndentAt(text, type.startIndex) + unit;
  const at = nextLineStart(text, list.startIndex + 1);
  return { name, edit: { start: at, end: at, newText: `${memberIndent}private static readonly ActivitySource ${name} = new ActivitySource(${quoted(source)});${eol}${eol}` } };
}

// ---- Trace This Function ----

function traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome {
  const fn = functionAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'The cursor is not inside a C# method.' };
  const info = describe(fn);
  if (info.traced) return { ok: false, code: 'already-traced', reason: `${info.name} already has its own activity or subsegment.` };
  const body = bodyOf(fn);
  if (!body) return { ok: false, code: 'unsupported', reason: `${info.name} has no body (abstract, extern or partial).` };
  if (descendantsOfType(body, 'yield_statement').length > 0) {
    return { ok: false, code: 'unsupported', reason: `${info.name} is an iterator: C# does not allow yield inside a try with a catch, and the span would end before the items are read.` };
  }
  const type = enclosingType(fn);
  const { style } = context;
  const eol = style.eol;
  const taken = identifiersIn(fn);
  const edits: TextEdit[] = [];
  let rewrite: (line: number) => { before: CodeLine[]; wrapOpen: CodeLine[]; wrapClose: CodeLine[] };
  const allman = body.type !== 'block' || firstOnItsLine(text, body.startIndex);
  const opening = (head: string): CodeLine[] => (allman ? [[0, head], [0, '{']] : [[0, `${head} {`]]);
  const between = (head: string): CodeLine[] => (allman ? [[0, '}'], [0, head], [0, '{']] : [[0, `} ${head} {`]]);
  const error = freeName('e', taken);
  const exception = exceptionType(root);
  if (context.flavour === 'opentelemetry') {
    if (!type || type.type === 'interface_declaration') return { ok: false, code: 'unsupported', reason: `${info.name} is not in a class, struct or record that can hold the ActivitySource field.` };
    const usings = usingEdit(root, text, ['System.Diagnostics'], eol);
    if (usings) edits.push(usings);
    const field = sourceField(fn, type, text, style.indent, eol);
    if (field.edit) edits.push(field.edit);
    const activity = freeName('activity', taken);
    rewrite = (line) => ({
      before: [
        [0, `using var ${activity} = ${field.name}.StartActivity(${quoted(info.name)});`],
        [0, `${activity}?.SetTag("code.function.name", ${quoted(info.name)});`],
        [0, `${activity}?.SetTag("code.file.path", ${quoted(context.filePath)});`],
        [0, `${activity}?.SetTag("code.line.number", ${line});`],
      ],
      wrapOpen: opening('try'),
      wrapClose: [...between(`catch (${exception} ${error})`), [1, `${activity}?.SetStatus(ActivityStatusCode.Error, ${error}.Message);`], [1, 'throw;'], [0, '}']],
    });
  } else {
    const usings = usingEdit(root, text, ['Amazon.XRay.Recorder.Core'], eol);
    if (usings) edits.push(usings);
    rewrite = (line) => ({
      before: [[0, `AWSXRayRecorder.Instance.BeginSubsegment(${quoted(info.name)});`]],
      wrapOpen: [
        ...opening('try'),
        [1, `AWSXRayRecorder.Instance.AddMetadata("code.function.name", ${quoted(info.name)});`],
        [1, `AWSXRayRecorder.Instance.AddMetadata("code.file.path", ${quoted(context.filePath)});`],
        [1, `AWSXRayRecorder.Instance.AddMetadata("code.line.number", ${line});`],
      ],
      wrapClose: [
        ...between(`catch (${exception} ${error})`), [1, `AWSXRayRecorder.Instance.AddException(${error});`], [1, 'throw;'],
        ...between('finally'), [1, 'AWSXRayRecorder.Instance.EndSubsegment();'], [0, '}'],
      ],
    });
  }
  const nameOffset = fn.childForFieldName('name')?.startIndex ?? fn.startIndex;
  const line = info.nameLine + 1 + linesAddedBefore(edits, text, nameOffset);
  if (body.type === 'block') {
    edits.push(rewriteBody(text, braceBody(text, body, fn, style.indent), body, rewrite(line), eol));
  } else {
    edits.push(expressionBodyEdit(text, fn, body, rewrite(line), style.indent, eol));
  }
  return { ok: true, edits, warnings: [] };
}

function firstOnItsLine(text: string, offset: number): boolean {
  return text.slice(lineStart(text, offset), offset).trim() === '';
}

/** `int F(int x) => x * 2;` → a block body holding `return x * 2;` (or `x * 2;` for void / async Task), wrapped. */
function expressionBodyEdit(text: string, fn: SyntaxNode, clause: SyntaxNode, rewrite: { before: CodeLine[]; wrapOpen: CodeLine[]; wrapClose: CodeLine[] }, unit: string, eol: string): TextEdit {
  const expression = clause.namedChildren[0]?.text ?? '';
  const returns = fn.childForFieldName('returns') ?? fn.childForFieldName('type');
  const isAsync = fn.children.some((c) => c?.type === 'modifier' && c.text === 'async');
  const noValue = !returns || returns.text === 'void' || (isAsync && /^(System\.Threading\.Tasks\.)?(Task|ValueTask)$/.test(returns.text));
  const statement = `${noValue ? '' : 'return '}${expression};`;
  const outer = lineIndentAt(text, fn.startIndex);
  const lines: CodeLine[] = [...rewrite.before, ...rewrite.wrapOpen, [1, statement], ...rewrite.wrapClose];
  // From the end of the parameter list (or constraints) to the `;` after the expression.
  const start = clause.previousSibling ? clause.previousSibling.endIndex : clause.startIndex;
  return { start, end: fn.endIndex, newText: `${eol}${outer}{${eol}${renderLines(lines, outer + unit, unit, eol)}${eol}${outer}}` };
}

// ---- Add Annotation / Add Metadata ----

function addAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome {
  const fn = functionAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'Place the cursor inside a C# method: annotations go on the activity or subsegment that is current there.' };
  const body = bodyOf(fn);
  const eol = request.style.eol;
  const place = body?.type === 'block' ? statementPlace(text, body, offset, CONTAINERS, LEAVES, eol) : undefined;
  if (!place) return { ok: false, code: 'unsupported', reason: `Give ${qualifiedName(fn)} a block body with its statements on lines of their own first.` };
  const key = quoted(request.key);
  const value = csharpLiteral(request.value);
  const edits: TextEdit[] = [];
  const lines: string[] = [];
  if (request.flavour === 'opentelemetry') {
    const activity = localInScope(fn, place.anchor, activityDeclared);
    if (!activity) {
      const usings = usingEdit(root, text, ['System.Diagnostics'], eol);
      if (usings) edits.push(usings);
    }
    if (request.kind === 'annotation' && place.after !== ' ') lines.push(`// ${OTEL_ANNOTATION_NOTE}`);
    lines.push(`${activity ?? 'Activity.Current'}?.SetTag(${key}, ${value});`);
  } else {
    const usings = usingEdit(root, text, ['Amazon.XRay.Recorder.Core'], eol);
    if (usings) edits.push(usings);
    lines.push(`AWSXRayRecorder.Instance.${request.kind === 'annotation' ? 'AddAnnotation' : 'AddMetadata'}(${key}, ${value});`);
  }
  edits.push({ start: place.offset, end: place.offset, newText: placeText(place, lines, eol) });
  return { ok: true, edits, warnings: [] };
}

/** `using var activity = ….StartActivity(…)` or `Activity? a = …`: the local's name. */
function activityDeclared(statement: SyntaxNode): string | undefined {
  if (statement.type !== 'local_declaration_statement' && statement.type !== 'using_statement') return undefined;
  const declaration = statement.namedChildren.find((c) => c?.type === 'variable_declaration');
  const declarator = declaration?.namedChildren.find((c) => c?.type === 'variable_declarator');
  if (!declaration || !declarator) return undefined;
  const typeText = declaration.childForFieldName('type')?.text ?? '';
  const starts = descendantsOfType(declarator, 'invocation_expression').some((c) => calledName(c) === 'StartActivity');
  return starts || /^Activity\??$/.test(typeText) ? (declarator.childForFieldName('name') ?? declarator.namedChildren[0])?.text : undefined;
}
