// Instrumentation edits for JavaScript and TypeScript: "Trace This Function" wraps the body of the named
// function at the cursor in an OpenTelemetry span (tracer.startActiveSpan) or an X-Ray SDK subsegment
// (AWSXRay.captureAsyncFunc / captureFunc) named as the code mapping names the function, with code.* values;
// "Add Annotation/Metadata" inserts the call on the span/subsegment in scope (javascriptAnnotation.ts).
import type { SyntaxNode } from '../functionRanges';
import { applyEdits, lineIndentAt } from './codeStyle';
import type { EditOutcome, LanguageInstrumenter, TextEdit, TraceableFunction, TraceFunctionContext } from './instrumentTypes';
import { addJavaScriptAnnotation, javascriptAnnotationKeys } from './javascriptAnnotation';
import { BindingPlan, readBindings } from './javascriptBindings';
import { functionExtent, isAsync, isFunctionNode, isGenerator, isSetter, isTraced, isTypeScriptTree, namedFunctionAt, quoted, shadowed, walk, type NamedFunction } from './javascriptSyntax';

export const javascriptInstrumenter: LanguageInstrumenter = {
  languages: ['javascript', 'typescript', 'tsx'],
  functionAt,
  traceFunction,
  addAnnotation: addJavaScriptAnnotation,
  annotationKeysIn: javascriptAnnotationKeys,
};

function functionAt(root: SyntaxNode, _text: string, offset: number): TraceableFunction | undefined {
  const fn = namedFunctionAt(root, offset);
  if (!fn) return undefined;
  return { name: fn.name, nameLine: fn.nameNode.startPosition.row, ...functionExtent(fn), traced: isTraced(fn.node) };
}

function traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome {
  const fn = namedFunctionAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'The cursor is not inside a named function.' };
  if (fn.kind === 'constructor') {
    return { ok: false, code: 'unsupported', reason: `${fn.name} is a constructor: its body cannot move into a callback (super() and the new object belong to it). Trace the work it calls instead.` };
  }
  if (isGenerator(fn.node)) {
    return { ok: false, code: 'unsupported', reason: `${fn.name} is a generator: a span around its body would end at the first yield, not when the caller is done with it.` };
  }
  if (isTraced(fn.node)) return { ok: false, code: 'already-traced', reason: `${fn.name} already opens a span or subsegment of its own.` };
  const body = fn.node.childForFieldName('body');
  if (!body) return { ok: false, code: 'unsupported', reason: `${fn.name} has no body to wrap.` };
  const typescript = isTypeScriptTree(root);
  const bindings = readBindings(root, context.filePath, typescript);
  const plan = new BindingPlan(bindings, context.style);
  const wrapper = context.flavour === 'opentelemetry'
    ? openTelemetryWrapper(text, fn, plan, context, typescript)
    : xraySdkWrapper(text, fn, plan, context, typescript);
  const clash = shadowed(fn.node, plan.used);
  if (clash) return { ok: false, code: 'unsupported', reason: `${fn.name} declares its own \`${clash}\`, which the inserted tracing code needs from the module. Rename it first.` };
  const topEdits = plan.edits();
  // code.line.number is the name's line in the edited file: the lines added above it move it down.
  const added = topEdits.filter((e) => e.start <= fn.nameNode.startIndex).reduce((n, e) => n + lineBreaks(e.newText) - lineBreaks(text.slice(e.start, e.end)), 0);
  const bodyText = wrapper(fn.nameNode.startPosition.row + 1 + added).replace(/\n/g, context.style.eol);
  const edits: TextEdit[] = [...topEdits, { start: body.startIndex, end: body.endIndex, newText: bodyText }];
  return { ok: true, edits, warnings: [...plan.warnings, ...promiseWarning(fn)] };
}

function lineBreaks(s: string): number {
  return s.split('\n').length - 1;
}

/** A name for the callback's parameter that nothing in the function already uses. */
function freshName(fn: SyntaxNode, base: string): string {
  const used = new Set<string>();
  walk(fn, (n) => void ((n.type === 'identifier' || n.type === 'shorthand_property_identifier' || n.type === 'shorthand_property_identifier_pattern') && used.add(n.text)));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** A function that is not async but hands back a promise ends its span when it returns the promise. */
function promiseWarning(fn: NamedFunction): string[] {
  if (isAsync(fn.node)) return [];
  const returnType = fn.node.childForFieldName('return_type')?.text ?? '';
  const body = fn.node.childForFieldName('body');
  let promise = /\bPromise</.test(returnType) || (body?.type !== 'statement_block' && /^(new\s+Promise\b|[\s\S]*\.then\s*\()/.test(body?.text ?? ''));
  if (!promise) {
    walk(fn.node, (n) => {
      if (n !== fn.node && isFunctionNode(n)) return false;
      if (n.type === 'return_statement' && /^\s*return\s+(new\s+Promise\b|[\s\S]*\.then\s*\()/.test(n.text)) promise = true;
      return !promise;
    });
  }
  return promise ? [`${fn.name} returns a promise without being async: the span ends when the promise is returned, not when it settles. Make the function async to time the whole operation.`] : [];
}

type Wrapper = (line: number) => string;

/** The wrapper's value is the function's, except in a setter, which cannot return one. */
function returns(fn: NamedFunction): string {
  return isSetter(fn.node) ? '' : 'return ';
}

function openTelemetryWrapper(text: string, fn: NamedFunction, plan: BindingPlan, context: TraceFunctionContext, typescript: boolean): Wrapper {
  const { style } = context;
  const q = (s: string) => quoted(s, style.quote);
  const semi = style.semicolons ? ';' : '';
  const tracer = plan.tracer(context.filePath);
  const status = plan.otel('SpanStatusCode');
  const span = freshName(fn.node, 'span');
  const async = isAsync(fn.node);
  const error = typescript ? 'err as Error' : 'err';
  return (line) => {
    const u = style.indent;
    const open = [
      `${returns(fn)}${tracer}.startActiveSpan(${q(fn.name)}, {`,
      `${u}attributes: {`,
      `${u}${u}${q('code.function.name')}: ${q(fn.name)},`,
      `${u}${u}${q('code.file.path')}: ${q(context.filePath)},`,
      `${u}${u}${q('code.line.number')}: ${line}`,
      `${u}}`,
      `}, ${async ? 'async ' : ''}(${span}) => {`,
      `${u}try {`,
    ];
    const close = [
      `${u}} catch (err) {`,
      `${u}${u}${span}.recordException(${error})${semi}`,
      `${u}${u}${span}.setStatus({ code: ${status}.ERROR, message: err instanceof Error ? err.message : String(err) })${semi}`,
      `${u}${u}throw err${semi}`,
      `${u}} finally {`,
      `${u}${u}${span}.end()${semi}`,
      `${u}}`,
      `})${semi}`,
    ];
    return wrapBody(text, fn, context, open, close, 2);
  };
}

function xraySdkWrapper(text: string, fn: NamedFunction, plan: BindingPlan, context: TraceFunctionContext, typescript: boolean): Wrapper {
  const { style } = context;
  const q = (s: string) => quoted(s, style.quote);
  const semi = style.semicolons ? ';' : '';
  const xray = plan.xray();
  const sub = freshName(fn.node, 'subsegment');
  const async = isAsync(fn.node);
  return (line) => {
    const u = style.indent;
    // Without a segment (no request in progress) the SDK logs and calls the callback with no subsegment.
    const metadata = [
      `${u}${sub}?.addMetadata(${q('code.function.name')}, ${q(fn.name)})${semi}`,
      `${u}${sub}?.addMetadata(${q('code.file.path')}, ${q(context.filePath)})${semi}`,
      `${u}${sub}?.addMetadata(${q('code.line.number')}, ${line})${semi}`,
    ];
    if (!async) {
      // captureFunc closes the subsegment itself, with the error when the callback throws (capture.js).
      return wrapBody(text, fn, context, [`${returns(fn)}${xray}.captureFunc(${q(fn.name)}, (${sub}) => {`, ...metadata], [`})${semi}`], 1);
    }
    // captureAsyncFunc leaves closing to the callback: once, in finally, after addError on a failure.
    const open = [`${returns(fn)}${xray}.captureAsyncFunc(${q(fn.name)}, async (${sub}) => {`, ...metadata, `${u}try {`];
    const close = [
      `${u}} catch (err) {`,
      `${u}${u}${sub}?.addError(${typescript ? 'err as Error' : 'err'})${semi}`,
      `${u}${u}throw err${semi}`,
      `${u}} finally {`,
      `${u}${u}${sub}?.close()${semi}`,
      `${u}}`,
      `})${semi}`,
    ];
    return wrapBody(text, fn, context, open, close, 2);
  };
}

/**
 * The new body: `{`, the opening lines, the old body moved in by `depth` levels, the closing lines, `}`.
 * Lines inside a multi-line template literal are left alone (indenting them would change the string), and an
 * async function's `return x` becomes `return await x` so a rejection is caught before the span ends.
 * Lines are joined with \n here; the caller converts to the file's line ending.
 */
function wrapBody(text: string, fn: NamedFunction, context: TraceFunctionContext, open: string[], close: string[], depth: number): string {
  const body = fn.node.childForFieldName('body') as SyntaxNode;
  const { indent: u, semicolons } = context.style;
  const base = lineIndentAt(text, body.startIndex);
  const inner = base + u;
  const shift = u.repeat(depth);
  const awaits = isAsync(fn.node) ? returnAwaits(body) : [];
  const out = ['{', ...open.map((l) => inner + l)];
  if (body.type === 'statement_block') {
    const moved = moveLines(text, body.startIndex + 1, body.endIndex - 1, shift, protectedRanges(body), awaits);
    if (moved !== '') out.push(moved.startsWith('\n') ? moved.slice(1) : inner + shift + moved);
  } else {
    const expression = moveLines(text, body.startIndex, body.endIndex, shift + u, protectedRanges(body), awaits);
    out.push(`${inner}${shift}return ${expression}${semicolons ? ';' : ''}`);
  }
  out.push(...close.map((l) => inner + l), `${base}}`);
  return out.join('\n');
}

/**
 * The text of [from, to) with every line after the first moved in by `shift` (blank lines emptied, lines in
 * protected ranges kept), `extra` edits applied, leading blanks of the first line and trailing blank lines
 * dropped. A result starting with \n means the first line was blank (the body began on the next line).
 */
function moveLines(text: string, from: number, to: number, shift: string, ranges: Array<[number, number]>, extra: TextEdit[]): string {
  const edits: TextEdit[] = [...extra];
  const firstBreak = text.indexOf('\n', from);
  const firstBlank = firstBreak >= 0 && firstBreak < to && text.slice(from, firstBreak).trim() === '';
  if (!firstBlank) {
    const lead = /^[ \t]*/.exec(text.slice(from, to))?.[0].length ?? 0;
    if (lead > 0) edits.push({ start: from, end: from + lead, newText: '' });
  }
  for (let s = firstBreak + 1; firstBreak >= 0 && s > 0 && s < to; s = text.indexOf('\n', s) + 1) {
    if (ranges.some(([a, b]) => a < s && s < b)) continue;
    const lineEnd = Math.min(to, text.indexOf('\n', s) < 0 ? to : text.indexOf('\n', s));
    const contentEnd = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    if (text.slice(s, contentEnd).trim() === '') {
      if (contentEnd > s) edits.push({ start: s, end: contentEnd, newText: '' });
    } else {
      edits.push({ start: s, end: s, newText: shift });
    }
  }
  const moved = applyEdits(text.slice(from, to), edits.map((e) => ({ ...e, start: e.start - from, end: e.end - from }))).replace(/\r\n/g, '\n').trimEnd();
  return firstBlank ? moved.slice(moved.indexOf('\n')).replace(/^\n+/, '\n') : moved;
}

/** Multi-line string and template literals in the body: their inner lines are text, not code to indent. */
function protectedRanges(body: SyntaxNode): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  walk(body, (n) => {
    if ((n.type === 'template_string' || n.type === 'string') && n.startPosition.row !== n.endPosition.row) ranges.push([n.startIndex, n.endIndex]);
  });
  return ranges;
}

const NOT_PROMISES = new Set(['await_expression', 'number', 'string', 'template_string', 'true', 'false', 'null', 'undefined', 'object', 'array', 'arrow_function', 'function_expression', 'regex']);
const PRIMARY = new Set(['call_expression', 'member_expression', 'identifier', 'subscript_expression', 'parenthesized_expression', 'new_expression', 'this']);

/** Edits turning the function's own `return x` (or expression body x) into `return await x`. */
function returnAwaits(body: SyntaxNode): TextEdit[] {
  const edits: TextEdit[] = [];
  const awaitIt = (value: SyntaxNode | undefined) => {
    if (!value || NOT_PROMISES.has(value.type)) return;
    if (PRIMARY.has(value.type)) edits.push({ start: value.startIndex, end: value.startIndex, newText: 'await ' });
    else edits.push({ start: value.startIndex, end: value.startIndex, newText: 'await (' }, { start: value.endIndex, end: value.endIndex, newText: ')' });
  };
  if (body.type !== 'statement_block') {
    awaitIt(body);
    return edits;
  }
  walk(body, (n) => {
    if (isFunctionNode(n) || n.type === 'class_body') return false;
    if (n.type === 'return_statement') awaitIt(n.namedChildren.find((c): c is SyntaxNode => c !== null && c.type !== 'comment'));
    return true;
  });
  return edits;
}
