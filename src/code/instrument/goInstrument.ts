// Instrumentation edits for Go. Nothing is wrapped: the span or subsegment starts first thing in the body and
// ends in a defer. OpenTelemetry: `ctx, span := otel.Tracer(pkg).Start(ctx, name, trace.WithAttributes(code.*))`
// from the function's context.Context (or an *http.Request's, which then carries the new context; without either,
// context.Background() and a warning); a named error result is recorded on the span. X-Ray SDK:
// `ctx, seg := xray.BeginSubsegment(ctx, name)` — nil when the context holds no segment, so everything on it is
// guarded — with the code.* values as metadata and `seg.Close(err)` for a named error result.
import type { SyntaxNode } from '../functionRanges';
import {
  annotationKeysOnly, braceBody, descendantsOfType, innermostAt, freeName, identifiersIn, linesAddedBefore,
  localInScope, placeText, quoted, rewriteBody, statementPlace, traceableFunction, type CodeLine,
  OTEL_ANNOTATION_NOTE,
} from './statementEdits';
import type { AnnotationRequest, EditOutcome, LanguageInstrumenter, TextEdit, TraceableFunction, TraceFunctionContext } from './instrumentTypes';

const CONTAINERS = new Set(['statement_list']);
const LEAVES = new Set(['return_statement', 'break_statement', 'continue_statement', 'goto_statement', 'fallthrough_statement']);
const OPENS_SPAN = new Set(['BeginSubsegment', 'Capture', 'CaptureAsync']);
const PATHS = {
  otel: 'go.opentelemetry.io/otel',
  attribute: 'go.opentelemetry.io/otel/attribute',
  trace: 'go.opentelemetry.io/otel/trace',
  codes: 'go.opentelemetry.io/otel/codes',
  context: 'context',
  xray: 'github.com/aws/aws-xray-sdk-go/xray',
};

export const goInstrumenter: LanguageInstrumenter = {
  languages: ['go'],
  functionAt: (root, _text, offset) => {
    const fn = functionAt(root, offset);
    return fn ? describe(fn) : undefined;
  },
  traceFunction,
  addAnnotation,
  annotationKeysIn: (root, _text, offset) => {
    const fn = functionAt(root, offset);
    const keys = new Set<string>();
    for (const call of fn ? descendantsOfType(fn, 'call_expression') : []) {
      const api = calledName(call);
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      // xray.AddAnnotation(ctx, "k", v), seg.AddAnnotation("k", v), attribute.String("k", v) inside SetAttributes.
      if (api === 'AddAnnotation') {
        const key = args.find((a) => a?.type === 'interpreted_string_literal');
        if (key) keys.add(key.text.slice(1, -1));
      } else if (api === 'SetAttributes') {
        for (const inner of descendantsOfType(call, 'call_expression')) {
          const first = inner.childForFieldName('arguments')?.namedChildren[0];
          if (inner.id !== call.id && first?.type === 'interpreted_string_literal') keys.add(first.text.slice(1, -1));
        }
      }
    }
    return annotationKeysOnly(keys);
  },
};

function functionAt(root: SyntaxNode, offset: number): SyntaxNode | undefined {
  return innermostAt(root, offset, (n) => (n.type === 'function_declaration' || n.type === 'method_declaration') && n.childForFieldName('name') !== null);
}

/** `Receiver.Method` for methods (pointer and type parameters dropped), as functionRanges names them. */
function qualifiedName(fn: SyntaxNode): string {
  const own = fn.childForFieldName('name')?.text ?? '';
  if (fn.type !== 'method_declaration') return own;
  const type = fn.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type');
  const receiver = type?.text.replace(/^\*/, '').replace(/\[.*$/s, '');
  return receiver ? `${receiver}.${own}` : own;
}

function describe(fn: SyntaxNode): TraceableFunction {
  return traceableFunction(fn, qualifiedName(fn), isTraced(fn));
}

function calledName(call: SyntaxNode): string | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'selector_expression') return callee.childForFieldName('field')?.text;
  return callee?.type === 'identifier' ? callee.text : undefined;
}

function statementsOf(fn: SyntaxNode): SyntaxNode[] {
  const list = fn.childForFieldName('body')?.namedChildren.find((c) => c?.type === 'statement_list');
  return (list?.namedChildren ?? []).filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

function isTraced(fn: SyntaxNode): boolean {
  const first = statementsOf(fn)[0];
  if (!first) return false;
  // The statement's own calls, not those in a block or function literal it holds.
  return descendantsOfType(first, 'call_expression', (n) => n.type === 'block' || n.type === 'func_literal').some((call) => {
    const api = calledName(call);
    const args = call.childForFieldName('arguments')?.namedChildren.length ?? 0;
    return OPENS_SPAN.has(api ?? '') || (api === 'Start' && args >= 2);
  });
}

interface Parameters {
  /** A named context.Context parameter. */
  ctx?: string;
  /** A named *http.Request parameter. */
  request?: string;
  /** The name of an `error` result, when results are named. */
  namedError?: string;
  /** The function returns an error it does not name. */
  unnamedError: boolean;
}

function parametersOf(fn: SyntaxNode): Parameters {
  const out: Parameters = { unnamedError: false };
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p?.type !== 'parameter_declaration') continue;
    const type = p.childForFieldName('type')?.text.replace(/\s+/g, '');
    const name = p.childForFieldName('name')?.text;
    if (!name || name === '_') continue;
    if (type === 'context.Context' && !out.ctx) out.ctx = name;
    if (type === '*http.Request' && !out.request) out.request = name;
  }
  const result = fn.childForFieldName('result');
  if (result?.type === 'parameter_list') {
    for (const p of result.namedChildren) {
      if (p?.type !== 'parameter_declaration' || p.childForFieldName('type')?.text !== 'error') continue;
      const names = p.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c?.text ?? '');
      const name = names[names.length - 1];
      if (name && name !== '_') out.namedError = name;
      else out.unnamedError = true;
    }
  } else if (result?.text === 'error') {
    out.unnamedError = true;
  }
  return out;
}

/** A Go literal for a value passed as interface{} or to attribute.String/Int64/Float64/Bool. */
function goValue(value: string | number | boolean): { literal: string; attribute: string } {
  if (typeof value === 'string') return { literal: quoted(value), attribute: 'String' };
  if (typeof value === 'boolean') return { literal: String(value), attribute: 'Bool' };
  return { literal: String(value), attribute: Number.isInteger(value) && Math.abs(value) < 2 ** 63 && !/e/.test(String(value)) ? 'Int64' : 'Float64' };
}

// ---- imports ----

interface Imports {
  /**
   * The name a package is used under: its import's (alias included) when imported, else its own unless another
   * import already uses that name (runtime/trace and OpenTelemetry's trace): then otel + the name, as an alias.
   */
  nameOf(path: string): string;
  /** The edits that import the paths not imported yet, placed and ordered as gofmt and goimports leave them. */
  edits(paths: string[], eol: string): TextEdit[];
}

function importsOf(root: SyntaxNode, text: string): Imports {
  const names = new Map<string, string>();
  let block: SyntaxNode | undefined;
  let last: SyntaxNode | undefined;
  let pkg: SyntaxNode | undefined;
  for (const child of root.namedChildren) {
    if (child?.type === 'package_clause') pkg = child;
    if (child?.type !== 'import_declaration') continue;
    last = child;
    const list = child.namedChildren.find((c) => c?.type === 'import_spec_list');
    if (list) block ??= list;
    for (const spec of list ? list.namedChildren : [child.namedChildren.find((c) => c?.type === 'import_spec')]) {
      if (spec?.type !== 'import_spec') continue;
      const path = spec.childForFieldName('path')?.text.slice(1, -1);
      if (!path) continue;
      names.set(path, spec.childForFieldName('name')?.text ?? path.slice(path.lastIndexOf('/') + 1));
    }
  }
  const used = new Set(names.values());
  const nameOf = (path: string): string => {
    const own = path.slice(path.lastIndexOf('/') + 1);
    return names.get(path) ?? (used.has(own) ? `otel${own}` : own);
  };
  const spec = (path: string) => {
    const name = nameOf(path);
    return name === path.slice(path.lastIndexOf('/') + 1) ? `\t"${path}"` : `\t${name} "${path}"`;
  };
  return {
    nameOf,
    edits: (paths, eol) => {
      // gofmt sorts each blank-line-separated group of an import block by path; goimports keeps the standard
      // library in a group of its own before the modules. New imports follow both, so the file stays formatted.
      const missing = paths.filter((p) => !names.has(p)).sort();
      if (missing.length === 0) return [];
      const std = missing.filter(isStandardLibrary);
      const modules = missing.filter((p) => !isStandardLibrary(p));
      if (block) return blockEdits(text, block, std.map(spec), modules.map(spec), eol);
      const declarations = root.namedChildren.filter((c) => c?.type === 'import_declaration');
      const single = declarations.length === 1 ? declarations[0]?.namedChildren.find((c) => c?.type === 'import_spec') : undefined;
      if (declarations.length === 1 && single && !text.slice(single.endIndex, nextLineEnd(text, single.endIndex)).includes('//')) {
        // One `import "x"`: it becomes a block holding it and the new imports.
        const existing = { path: single.childForFieldName('path')?.text.slice(1, -1) ?? '', line: `\t${single.text}` };
        const all = [...missing.map((p) => ({ path: p, line: spec(p) })), existing].sort((a, b) => (a.path < b.path ? -1 : 1));
        const groups = [all.filter((i) => isStandardLibrary(i.path)), all.filter((i) => !isStandardLibrary(i.path))].filter((g) => g.length > 0);
        const body = groups.map((g) => g.map((i) => i.line).join(eol)).join(eol + eol);
        const declaration = declarations[0] as SyntaxNode;
        return [{ start: declaration.startIndex, end: declaration.endIndex, newText: `import (${eol}${body}${eol})` }];
      }
      const after = last ?? pkg;
      const at = after ? after.endIndex : 0;
      const body = [std, modules].filter((g) => g.length > 0).map((g) => g.map(spec).join(eol)).join(eol + eol);
      return [{ start: at, end: at, newText: `${eol}${eol}import (${eol}${body}${eol})` }];
    },
  };
}

function isStandardLibrary(path: string): boolean {
  return !path.split('/')[0].includes('.');
}

function nextLineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

/**
 * New specs in an existing import block: standard-library ones at their sorted place in the block's first group
 * when that group is the standard library's (else as a group of their own at the top); modules appended to the
 * last group when they sort after it and it holds modules, else as a new group at the end.
 */
function blockEdits(text: string, block: SyntaxNode, std: string[], modules: string[], eol: string): TextEdit[] {
  const specs = block.namedChildren.filter((c): c is SyntaxNode => c?.type === 'import_spec');
  const pathOf = (s: SyntaxNode) => s.childForFieldName('path')?.text.slice(1, -1) ?? '';
  const groups: SyntaxNode[][] = [];
  for (const s of specs) {
    const group = groups[groups.length - 1];
    const previous = group?.[group.length - 1];
    if (previous && /\n[ \t]*\r?\n/.test(text.slice(previous.endIndex, s.startIndex))) groups.push([s]);
    else if (group) group.push(s);
    else groups.push([s]);
  }
  const lineOf = (node: SyntaxNode) => text.lastIndexOf('\n', node.startIndex) + 1;
  const closing = text.lastIndexOf('\n', block.endIndex - 1) + 1;
  const inserts: Array<{ at: number; text: string }> = [];
  const first = groups[0];
  if (std.length > 0) {
    if (first?.every((s) => isStandardLibrary(pathOf(s)))) {
      for (const line of std) {
        const path = /"(.*)"/.exec(line)?.[1] ?? '';
        const before = first.find((s) => pathOf(s) > path);
        const lastOfFirst = first[first.length - 1];
        inserts.push({ at: before ? lineOf(before) : nextLineEnd(text, lastOfFirst.endIndex) + 1, text: line + eol });
      }
    } else {
      inserts.push({ at: first ? lineOf(first[0]) : closing, text: std.join(eol) + eol + (first ? eol : '') });
    }
  }
  if (modules.length > 0) {
    const lastGroup = groups[groups.length - 1];
    const lastSpec = lastGroup?.[lastGroup.length - 1];
    const joins = lastGroup !== undefined && lastGroup.some((s) => !isStandardLibrary(pathOf(s))) && pathOf(lastSpec as SyntaxNode) < (/"(.*)"/.exec(modules[0])?.[1] ?? '');
    inserts.push({ at: closing, text: (lastGroup && !joins ? eol : '') + modules.join(eol) + eol });
  }
  // Insertions at one offset become one edit, in the order made (edits of one result never overlap).
  const merged: TextEdit[] = [];
  for (const i of inserts) {
    const same = merged.find((e) => e.start === i.at);
    if (same) same.newText += i.text;
    else merged.push({ start: i.at, end: i.at, newText: i.text });
  }
  return merged;
}

// ---- Trace This Function ----

function traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome {
  const fn = functionAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'The cursor is not inside a Go function.' };
  const info = describe(fn);
  if (info.traced) return { ok: false, code: 'already-traced', reason: `${info.name} already starts its own span or subsegment.` };
  const block = fn.childForFieldName('body');
  if (!block) return { ok: false, code: 'unsupported', reason: `${info.name} has no body (implemented in assembly).` };
  const { style } = context;
  const eol = style.eol;
  const params = parametersOf(fn);
  const taken = identifiersIn(fn);
  const imports = importsOf(root, text);
  const warnings: string[] = [];
  const edits: TextEdit[] = [];
  const name = quoted(info.name);
  const errorName = params.namedError;
  if (params.unnamedError && !errorName) {
    warnings.push(`Errors ${info.name} returns are not recorded: name its error result (err error) and trace it again to have them recorded.`);
  }
  // The context the span starts from, and the statement that hands the new context on (an http handler's request).
  let parent: string;
  let ctxTarget: string;
  const after: CodeLine[] = [];
  if (params.ctx) {
    parent = params.ctx;
    ctxTarget = params.ctx;
  } else if (params.request) {
    parent = `${params.request}.Context()`;
    ctxTarget = freeName('ctx', taken);
    after.push([0, `${params.request} = ${params.request}.WithContext(${ctxTarget})`]);
  } else if (context.flavour === 'opentelemetry') {
    parent = 'context.Background()';
    ctxTarget = '_';
    warnings.push(`${info.name} takes no context.Context: its span starts a new trace instead of joining the caller's. Pass a context in to connect them.`);
  } else {
    return { ok: false, code: 'unsupported', reason: `${info.name} takes no context.Context (or *http.Request): the X-Ray SDK finds the parent segment in the context.` };
  }

  let lines: (line: number) => CodeLine[];
  const needed: string[] = [];
  if (context.flavour === 'opentelemetry') {
    const span = freeName('span', taken);
    needed.push(PATHS.otel, PATHS.attribute, PATHS.trace);
    if (parent === 'context.Background()') needed.push(PATHS.context);
    if (errorName) needed.push(PATHS.codes);
    const n = imports.nameOf;
    const pkg = root.namedChildren.find((c) => c?.type === 'package_clause')?.namedChildren[0]?.text ?? 'app';
    const end: CodeLine[] = errorName
      ? [
        [0, 'defer func() {'],
        [1, `if ${errorName} != nil {`],
        [2, `${span}.RecordError(${errorName})`],
        [2, `${span}.SetStatus(${n(PATHS.codes)}.Error, ${errorName}.Error())`],
        [1, '}'],
        [1, `${span}.End()`],
        [0, '}()'],
      ]
      : [[0, `defer ${span}.End()`]];
    lines = (line) => [
      [0, `${ctxTarget}, ${span} := ${n(PATHS.otel)}.Tracer(${quoted(pkg)}).Start(${parent}, ${name}, ${n(PATHS.trace)}.WithAttributes(`],
      [1, `${n(PATHS.attribute)}.String("code.function.name", ${name}),`],
      [1, `${n(PATHS.attribute)}.String("code.file.path", ${quoted(context.filePath)}),`],
      [1, `${n(PATHS.attribute)}.Int("code.line.number", ${line}),`],
      [0, '))'],
      ...end,
      ...after,
    ];
  } else {
    const seg = freeName('seg', taken);
    needed.push(PATHS.xray);
    const xray = imports.nameOf(PATHS.xray);
    lines = (line) => [
      [0, `${ctxTarget}, ${seg} := ${xray}.BeginSubsegment(${parent}, ${name})`],
      // nil when the context holds no segment (the SDK logs that): nothing may be called on it then.
      [0, `if ${seg} != nil {`],
      [1, `${seg}.AddMetadata("code.function.name", ${name})`],
      [1, `${seg}.AddMetadata("code.file.path", ${quoted(context.filePath)})`],
      [1, `${seg}.AddMetadata("code.line.number", ${line})`],
      [1, errorName ? `defer func() { ${seg}.Close(${errorName}) }()` : `defer ${seg}.Close(nil)`],
      [0, '}'],
      ...after,
    ];
  }
  edits.push(...imports.edits(needed, eol));
  const nameOffset = fn.childForFieldName('name')?.startIndex ?? fn.startIndex;
  const line = info.nameLine + 1 + linesAddedBefore(edits, text, nameOffset);
  const body = braceBody(text, block, fn, '\t');
  edits.push(rewriteBody(text, body, block, { before: lines(line) }, eol));
  return { ok: true, edits, warnings };
}

// ---- Add Annotation / Add Metadata ----

function addAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome {
  const fn = functionAt(root, offset);
  if (!fn) return { ok: false, code: 'no-function', reason: 'Place the cursor inside a Go function: annotations go on the span or subsegment its context holds.' };
  const block = fn.childForFieldName('body');
  const eol = request.style.eol;
  const place = block ? statementPlace(text, block, offset, CONTAINERS, LEAVES, eol) : undefined;
  if (!place) return { ok: false, code: 'unsupported', reason: `Put the body of ${qualifiedName(fn)} on lines of its own first.` };
  const imports = importsOf(root, text);
  const n = imports.nameOf;
  const params = parametersOf(fn);
  const paramContext = params.ctx ?? (params.request ? `${params.request}.Context()` : undefined);
  const key = quoted(request.key);
  const value = goValue(request.value);
  const lines: string[] = [];
  const needed: string[] = [];
  if (request.flavour === 'opentelemetry') {
    const span = localInScope(fn, place.anchor, (s) => declaredBy(s, 'Start', 1));
    const ctx = paramContext;
    if (!span && !ctx) return { ok: false, code: 'unsupported', reason: `${qualifiedName(fn)} has no span in scope and no context.Context (or *http.Request) to find one in.` };
    needed.push(PATHS.attribute);
    if (!span) needed.push(PATHS.trace);
    if (request.kind === 'annotation' && place.after !== ' ') lines.push(`// ${OTEL_ANNOTATION_NOTE}`);
    lines.push(`${span ?? `${n(PATHS.trace)}.SpanFromContext(${ctx})`}.SetAttributes(${n(PATHS.attribute)}.${value.attribute}(${key}, ${value.literal}))`);
  } else {
    // The package functions: nil-safe, and they find the subsegment the traced function put in its context.
    const ctx = localInScope(fn, place.anchor, (s) => declaredBy(s, 'BeginSubsegment', 0)) ?? paramContext;
    if (!ctx || ctx === '_') return { ok: false, code: 'unsupported', reason: `${qualifiedName(fn)} has no context.Context in scope: the X-Ray SDK finds the subsegment in it.` };
    needed.push(PATHS.xray);
    lines.push(`${n(PATHS.xray)}.${request.kind === 'annotation' ? 'AddAnnotation' : 'AddMetadata'}(${ctx}, ${key}, ${value.literal})`);
  }
  const edits: TextEdit[] = [];
  edits.push(...imports.edits(needed, eol));
  edits.push({ start: place.offset, end: place.offset, newText: placeText(place, lines, eol) });
  return { ok: true, edits, warnings: [] };
}

/** `a, b := x.Api(…)`: the name at `index` on the left when the right calls `api`. */
function declaredBy(statement: SyntaxNode, api: string, index: number): string | undefined {
  if (statement.type !== 'short_var_declaration') return undefined;
  const right = statement.childForFieldName('right');
  if (!right || !descendantsOfType(right, 'call_expression').some((c) => calledName(c) === api)) return undefined;
  const name = statement.childForFieldName('left')?.namedChildren[index]?.text;
  return name && name !== '_' ? name : undefined;
}

