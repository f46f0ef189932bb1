// Instrumentation edits for Java. OpenTelemetry: a span from `tracer.spanBuilder(name)` with the code.* attributes,
// made current in try-with-resources; an exception is recorded, the status set to ERROR and rethrown; the span
// ends in finally; a `private static final Tracer` field and the imports are added once. X-Ray SDK:
// `AWSXRay.beginSubsegment(name)` with the code.* values as metadata, the exception added and rethrown,
// `AWSXRay.endSubsegment()` in finally. Methods of an @XRayEnabled class (or with it) already count as traced.
import type { SyntaxNode } from '../functionRanges';
import { lineIndentAt } from './codeStyle';
import {
  annotationKeysOnly, braceBody, descendantsOfType, innermostAt, freeName, identifiersIn, linesAddedBefore,
  localInScope, nextLineStart, placeText, quoted, rewriteBody, statementPlace, traceableFunction, type CodeLine,
  OTEL_ANNOTATION_NOTE,
} from './statementEdits';
import type { AnnotationRequest, EditOutcome, LanguageInstrumenter, TextEdit, TraceableFunction, TraceFunctionContext } from './instrumentTypes';

const TYPE_DECLARATIONS = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']);
/** Calls that open a span or subsegment as a method's first statement. */
const OPENS_SPAN = new Set(['spanBuilder', 'startSpan', 'beginSubsegment', 'createSubsegment', 'traceSubsegment']);
const TRACING_ANNOTATIONS = new Set(['XRayEnabled', 'WithSpan']);
const CONTAINERS = new Set(['block', 'constructor_body', 'switch_block_statement_group']);
const LEAVES = new Set(['return_statement', 'throw_statement', 'break_statement', 'continue_statement', 'yield_statement']);

export const javaInstrumenter: LanguageInstrumenter = {
  languages: ['java'],
  functionAt: (root, _text, offset) => {
    const fn = methodAt(root, offset);
    return fn ? describe(fn) : undefined;
  },
  traceFunction,
  addAnnotation,
  annotationKeysIn: (root, _text, offset) => {
    const fn = methodAt(root, offset);
    const keys = new Set<string>();
    for (const call of fn ? descendantsOfType(fn, 'method_invocation') : []) {
      const api = call.childForFieldName('name')?.text;
      if (api !== 'putAnnotation' && api !== 'setAttribute') continue;
      const key = call.childForFieldName('arguments')?.namedChildren[0];
      if (key?.type === 'string_literal') keys.add(key.text.slice(1, -1));
    }
    return annotationKeysOnly(keys);
  },
};

function methodAt(root: SyntaxNode, offset: number): SyntaxNode | undefined {
  return innermostAt(root, offset, (n) => (n.type === 'method_declaration' || n.type === 'constructor_declaration') && n.childForFieldName('name') !== null);
}

function enclosingType(fn: SyntaxNode): SyntaxNode | undefined {
  for (let n = fn.parent; n; n = n.parent) if (TYPE_DECLARATIONS.has(n.type) || n.type === 'object_creation_expression') return n;
  return undefined;
}

/** `Class.method` with the innermost enclosing class, as functionRanges names it. */
function qualifiedName(fn: SyntaxNode): string {
  const own = fn.childForFieldName('name')?.text ?? '';
  let type: SyntaxNode | null = fn.parent;
  while (type && !TYPE_DECLARATIONS.has(type.type)) type = type.parent;
  const cls = type?.childForFieldName('name')?.text;
  return cls ? `${cls}.${own}` : own;
}

function annotationNames(declaration: SyntaxNode): string[] {
  const modifiers = declaration.namedChildren.find((c) => c?.type === 'modifiers');
  return (modifiers?.namedChildren ?? [])
    .filter((a): a is SyntaxNode => a?.type === 'marker_annotation' || a?.type === 'annotation')
    .map((a) => a.childForFieldName('name')?.text.replace(/^.*\./, '') ?? '');
}

function describe(fn: SyntaxNode): TraceableFunction {
  return traceableFunction(fn, qualifiedName(fn), isTraced(fn));
}

function statementsOf(fn: SyntaxNode): SyntaxNode[] {
  return (fn.childForFieldName('body')?.namedChildren ?? []).filter((c): c is SyntaxNode => c !== null && !/comment/.test(c.type));
}

function isTraced(fn: SyntaxNode): boolean {
  if (annotationNames(fn).some((a) => TRACING_ANNOTATIONS.has(a))) return true;
  const type = enclosingType(fn);
  // Spring's X-Ray interceptor advises every public method of an @XRayEnabled bean (functionRanges: tracedAs).
  if (type && fn.type === 'method_declaration' && annotationNames(type).includes('XRayEnabled')) return true;
  const first = statementsOf(fn).find((s) => s.type !== 'explicit_constructor_invocation');
  // The statement's own calls, not those in a block or lambda it holds: `try { … beginSubsegment … }` is not first.
  const calls = first ? descendantsOfType(first, 'method_invocation', (n) => n.type === 'block' || n.type === 'lambda_expression') : [];
  return calls.some((c) => OPENS_SPAN.has(c.childForFieldName('name')?.text ?? ''));
}

/** A Java literal for an annotation value: integers past int range get an L. */
export function javaLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2_147_483_647 && Math.abs(value) < 2 ** 63 && !/e/.test(String(value))) return `${value}L`;
  return String(value);
}

// ---- imports and the tracer field ----

const API = {
  global: 'io.opentelemetry.api.GlobalOpenTelemetry',
  span: 'io.opentelemetry.api.trace.Span',
  status: 'io.opentelemetry.api.trace.StatusCode',
  tracer: 'io.opentelemetry.api.trace.Tracer',
  scope: 'io.opentelemetry.context.Scope',
  xray: 'com.amazonaws.xray.AWSXRay',
  subsegment: 'com.amazonaws.xray.entities.Subsegment',
};

interface JavaImports {
  /**
   * How code names a type: its simple name when imported (or importable), the qualified name when another
   * import already takes the simple name (a Span of another tracing library).
   */
  nameOf(qualified: string): string;
  /** The import declarations the names used need, added after the last import (or the package line). */
  edit(wanted: string[], eol: string): TextEdit | undefined;
}

function javaImports(root: SyntaxNode, text: string): JavaImports {
  const { names, at, needsGap } = importsOf(root, text);
  const simple = (q: string) => q.slice(q.lastIndexOf('.') + 1);
  const imported = (q: string) => names.has(q) || names.has(q.replace(/\.[^.]+$/, '.*'));
  const taken = new Set([...names].filter((n) => !n.endsWith('.*') && !n.startsWith('static')).map(simple));
  const nameOf = (q: string) => (imported(q) || !taken.has(simple(q)) ? simple(q) : q);
  return {
    nameOf,
    edit: (wanted, eol) => {
      const missing = wanted.filter((w) => !imported(w) && nameOf(w) !== w);
      if (missing.length === 0) return undefined;
      const lines = missing.map((m) => `import ${m};`).join(eol);
      return { start: at, end: at, newText: needsGap ? `${eol}${lines}${eol}` : at === 0 ? `${lines}${eol}${eol}` : `${lines}${eol}` };
    },
  };
}

function importsOf(root: SyntaxNode, text: string): { names: Set<string>; at: number; needsGap: boolean } {
  const names = new Set<string>();
  let last: SyntaxNode | undefined;
  let pkg: SyntaxNode | undefined;
  for (const child of root.namedChildren) {
    if (child?.type === 'import_declaration') {
      last = child;
      names.add(child.text.replace(/^import\s+|\s*;$/g, '').replace(/\s+/g, ''));
    } else if (child?.type === 'package_declaration') pkg = child;
  }
  if (last) return { names, at: nextLineStart(text, last.endIndex), needsGap: false };
  if (pkg) return { names, at: nextLineStart(text, pkg.endIndex), needsGap: true };
  return { names, at: 0, needsGap: false };
}

function packageName(root: SyntaxNode): string | undefined {
  const pkg = root.namedChildren.find((c) => c?.type === 'package_declaration');
  return pkg?.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier')?.text;
}

/** An existing `Tracer` field of the type, or an edit adding one as its first member. */
function tracerField(root: SyntaxNode, type: SyntaxNode, text: string, unit: string, eol: string, n: (q: string) => string): { name: string; edit?: TextEdit } {
  const body = type.childForFieldName('body');
  for (const member of body?.namedChildren ?? []) {
    const fieldType = member?.type === 'field_declaration' ? member.childForFieldName('type')?.text : undefined;
    if (fieldType !== 'Tracer' && fieldType !== API.tracer) continue;
    const name = member?.childForFieldName('declarator')?.childForFieldName('name')?.text;
    if (name) return { name };
  }
  if (!body) return { name: 'tracer' };
  const className = type.childForFieldName('name')?.text ?? 'app';
  const scope = [packageName(root), className].filter(Boolean).join('.');
  const memberIndent = lineIndentAt(text, type.startIndex) + unit;
  const line = `${memberIndent}private static final ${n(API.tracer)} tracer = ${n(API.global)}.getTracer(${quoted(scope)});`;
  // After the `{` line (an enum's constants must stay first: after them).
  let anchor = body.startIndex + 1;
  if (type.type === 'enum_declaration') {
    const declarations = body.namedChildren.find((c) => c?.type === 'enum_body_declarations');
    if (!declarations) return { name: 'tracer' };
    anchor = declarations.startIndex + 1;
  }
  const at = nextLineStart(text, anchor);
  return { name: 'tracer', edit: { start: at, end: at, newText: `${line}${eol}${eol}` } };
}

// ---- Trace This Function ----

function traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome {
  const fn = methodAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'The cursor is not inside a Java method.' };
  const info = describe(fn);
  if (info.traced) return { ok: false, code: 'already-traced', reason: `${info.name} already has its own span or subsegment (or its class is @XRayEnabled).` };
  const block = fn.childForFieldName('body');
  if (!block) return { ok: false, code: 'unsupported', reason: `${info.name} has no body (abstract, native or an interface method).` };
  const type = enclosingType(fn);
  const { style } = context;
  const eol = style.eol;
  const body = braceBody(text, block, fn, style.indent);
  const statements = statementsOf(fn);
  const delegation = statements[0]?.type === 'explicit_constructor_invocation' ? statements[0] : undefined;
  if (delegation && (body.compact || delegation.endPosition.row === block.startPosition.row)) {
    return { ok: false, code: 'unsupported', reason: `Put the body of ${info.name} on lines of its own first: its this()/super() call has to stay first.` };
  }

  const taken = identifiersIn(fn);
  const javaImport = javaImports(root, text);
  const n = javaImport.nameOf;
  const edits: TextEdit[] = [];
  const nameOffset = fn.childForFieldName('name')?.startIndex ?? fn.startIndex;
  let rewrite: (line: number) => { before: CodeLine[]; wrapOpen: CodeLine[]; wrapClose: CodeLine[] };
  if (context.flavour === 'opentelemetry') {
    if (!type || type.type === 'object_creation_expression') {
      return { ok: false, code: 'unsupported', reason: `${info.name} is in an anonymous class, which cannot hold the static Tracer field: trace the method that creates it.` };
    }
    if (type.type === 'interface_declaration') {
      return { ok: false, code: 'unsupported', reason: `${info.name} is an interface method: an interface cannot hold the private Tracer field.` };
    }
    const field = tracerField(root, type, text, body.unit, eol, n);
    const imports = javaImport.edit(field.edit ? [API.global, API.span, API.status, API.tracer, API.scope] : [API.span, API.status, API.scope], eol);
    if (imports) edits.push(imports);
    if (field.edit) edits.push(field.edit);
    const span = freeName('span', taken);
    const scope = freeName('scope', taken);
    const error = freeName('t', taken);
    rewrite = (line) => ({
      before: [
        [0, `${n(API.span)} ${span} = ${field.name}.spanBuilder(${quoted(info.name)})`],
        [2, `.setAttribute("code.function.name", ${quoted(info.name)})`],
        [2, `.setAttribute("code.file.path", ${quoted(context.filePath)})`],
        [2, `.setAttribute("code.line.number", ${line}L)`],
        [2, '.startSpan();'],
      ],
      wrapOpen: [[0, `try (${n(API.scope)} ${scope} = ${span}.makeCurrent()) {`]],
      wrapClose: [
        [0, `} catch (Throwable ${error}) {`],
        [1, `${span}.recordException(${error});`],
        [1, `${span}.setStatus(${n(API.status)}.ERROR);`],
        [1, `throw ${error};`],
        [0, '} finally {'],
        [1, `${span}.end();`],
        [0, '}'],
      ],
    });
  } else {
    const imports = javaImport.edit([API.xray, API.subsegment], eol);
    if (imports) edits.push(imports);
    const subsegment = freeName('subsegment', taken);
    const error = freeName('e', taken);
    rewrite = (line) => ({
      before: [
        [0, `${n(API.subsegment)} ${subsegment} = ${n(API.xray)}.beginSubsegment(${quoted(info.name)});`],
        [0, `${subsegment}.putMetadata("code.function.name", ${quoted(info.name)});`],
        [0, `${subsegment}.putMetadata("code.file.path", ${quoted(context.filePath)});`],
        [0, `${subsegment}.putMetadata("code.line.number", ${line});`],
      ],
      wrapOpen: [[0, 'try {']],
      // Exception, not RuntimeException: a checked exception is recorded too, and rethrowing it is allowed
      // because the catch parameter is effectively final (Java 7 precise rethrow).
      wrapClose: [
        [0, `} catch (Exception ${error}) {`],
        [1, `${subsegment}.addException(${error});`],
        [1, `throw ${error};`],
        [0, '} finally {'],
        [1, `${n(API.xray)}.endSubsegment();`],
        [0, '}'],
      ],
    });
  }
  const line = info.nameLine + 1 + linesAddedBefore(edits, text, nameOffset);
  edits.push(rewriteBody(text, body, block, { ...rewrite(line), keepUntil: delegation?.endIndex }, eol));
  return { ok: true, edits, warnings: [] };
}

// ---- Add Annotation / Add Metadata ----

function addAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome {
  const fn = methodAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'Place the cursor inside a Java method: annotations go on the span or subsegment that is current there.' };
  const block = fn.childForFieldName('body');
  const eol = request.style.eol;
  let place = block ? statementPlace(text, block, offset, CONTAINERS, LEAVES, eol) : undefined;
  // A constructor's this()/super() call must stay its first statement: the call goes after it instead.
  if (place?.anchor.type === 'explicit_constructor_invocation' && place.offset <= place.anchor.startIndex && block) {
    place = statementPlace(text, block, place.anchor.endIndex, CONTAINERS, LEAVES, eol);
    if (place && place.offset <= place.anchor.startIndex) {
      return { ok: false, code: 'unsupported', reason: `Put the cursor after the this()/super() call of ${qualifiedName(fn)}: that call has to stay first.` };
    }
  }
  if (!place) return { ok: false, code: 'unsupported', reason: `Put the body of ${qualifiedName(fn)} on lines of its own first.` };
  const key = quoted(request.key);
  const value = javaLiteral(request.value);
  const javaImport = javaImports(root, text);
  const n = javaImport.nameOf;
  const edits: TextEdit[] = [];
  const lines: string[] = [];
  if (request.flavour === 'opentelemetry') {
    const span = localInScope(fn, place.anchor, (s) => declaredOfType(s, [n(API.span), API.span]));
    if (!span) {
      const imports = javaImport.edit([API.span], eol);
      if (imports) edits.push(imports);
    }
    if (request.kind === 'annotation' && place.after !== ' ') lines.push(`// ${OTEL_ANNOTATION_NOTE}`);
    lines.push(`${span ?? `${n(API.span)}.current()`}.setAttribute(${key}, ${value});`);
  } else {
    const subsegment = localInScope(fn, place.anchor, (s) => declaredOfType(s, [n(API.subsegment), API.subsegment]));
    const method = request.kind === 'annotation' ? 'putAnnotation' : 'putMetadata';
    if (subsegment) {
      lines.push(`${subsegment}.${method}(${key}, ${value});`);
    } else {
      const imports = javaImport.edit([API.xray], eol);
      if (imports) edits.push(imports);
      const current = freeName('current', identifiersIn(fn));
      lines.push(`${n(API.xray)}.getCurrentSubsegmentOptional().ifPresent(${current} -> ${current}.${method}(${key}, ${value}));`);
    }
  }
  edits.push({ start: place.offset, end: place.offset, newText: placeText(place, lines, eol) });
  return { ok: true, edits, warnings: [] };
}


function declaredOfType(statement: SyntaxNode, types: string[]): string | undefined {
  if (statement.type !== 'local_variable_declaration' || !types.includes(statement.childForFieldName('type')?.text ?? '')) return undefined;
  return statement.childForFieldName('declarator')?.childForFieldName('name')?.text;
}
