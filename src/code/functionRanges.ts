// Function ranges of a source file (JavaScript, TypeScript/TSX, Python, Java, Go, C#) read with tree-sitter:
// each named function with its lines, its name's position, the tracing calls inside it that name a subsegment
// or span, and the names its tracing decorators give it. Parsing is a pure function of (text, language); the
// grammars are .wasm files loaded from a directory the caller names (node_modules in tests, dist/ in the bundle).
import { Language, Parser, type Node } from '@vscode/tree-sitter-wasm';

export type CodeLanguage = 'javascript' | 'typescript' | 'tsx' | 'python' | 'java' | 'go' | 'csharp';

export const CODE_LANGUAGES: readonly CodeLanguage[] = ['javascript', 'typescript', 'tsx', 'python', 'java', 'go', 'csharp'];

/** The grammar file each language needs, as @vscode/tree-sitter-wasm names them (esbuild.js copies these). */
export const GRAMMAR_FILES: Record<CodeLanguage, string> = {
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  python: 'tree-sitter-python.wasm',
  java: 'tree-sitter-java.wasm',
  go: 'tree-sitter-go.wasm',
  csharp: 'tree-sitter-c-sharp.wasm',
};

/** A tracing call that names a subsegment/span with a string literal, e.g. captureAsyncFunc('loadOrder', …). */
export interface CallSite {
  /** The API called, as written after the last dot: captureAsyncFunc, startActiveSpan, in_subsegment, … */
  api: string;
  /** The string literal: the subsegment or span name the call records. */
  name: string;
  /** 0-based line of the call. */
  line: number;
  /**
   * The wrapper pattern: the call's callback (or Python `with` block) does nothing but call this one function —
   * `captureFunc('discount', () => computeDiscount(order))` — so the subsegment's time is that function's.
   */
  wraps?: string;
}

export interface FunctionRange {
  /**
   * As written; methods with their class (`Class.method`), Go methods with their receiver type. An anonymous
   * function is named as people read it: `GET /slow handler`, `setTimeout callback in main`, `(anonymous)`.
   */
  name: string;
  /** A function without a name of its own (arrow, lambda, closure, func literal): never found by name. */
  anonymous?: true;
  kind: 'function' | 'method' | 'constructor';
  /** 0-based, inclusive; decorators and annotations included in startLine. */
  startLine: number;
  endLine: number;
  /** 0-based position of the name. */
  nameLine: number;
  nameColumn: number;
  /** Tracing calls directly in this function (not in a nested named function). */
  callSites: CallSite[];
  /**
   * Subsegment names the function gets from how it is traced rather than from a call: Python
   * `@xray_recorder.capture()` without a name (the SDK uses the function's __name__), Java `@XRayEnabled`
   * (the SDK's interceptor begins a subsegment named `pjp.getSignature().getName()`, the method's name).
   */
  tracedAs: string[];
  /**
   * A tracing helper of the code's own: the parameter (0-based, `self` not counted) whose value the function
   * passes as the name of a tracing call — `function withSpan(name, fn) { return tracer.startActiveSpan(name, …) }`.
   */
  spanNameParameter?: number;
  /**
   * Calls of functions that are not tracing APIs, with a string literal argument (at `argument`) and a callback or
   * a `with` block: tracing calls when the callee turns out to be a helper of the workspace (`withSpan('x', …)`).
   */
  namedCalls?: Array<CallSite & { argument: number }>;
}

export interface ParsedCode {
  language: CodeLanguage;
  functions: FunctionRange[];
  /** Tracing calls outside any named function (module level, anonymous callbacks at the top). */
  topLevelCallSites: CallSite[];
  /** Why the result is empty or partial: the text was over the size limit, or parsing ran out of time. */
  incomplete?: 'too-large' | 'timeout';
}

export type TreeOutcome<T> = { ok: true; value: T } | { ok: false; incomplete: 'too-large' | 'timeout' };

export type { Node as SyntaxNode } from '@vscode/tree-sitter-wasm';

export interface ParseLimits {
  /** Characters; bigger texts are not parsed. Default 4 MiB. */
  maxChars?: number;
  /** Milliseconds tree-sitter may spend before the parse is abandoned. Default 2,000. */
  maxMillis?: number;
}

/**
 * Tracing APIs whose string argument names a subsegment or span (aws-xray-sdk-node, OpenTelemetry,
 * aws-xray-sdk-python, -java, -go, -dotnet, and OpenTelemetry for Python, Java, Go and .NET).
 */
const TRACING_APIS = new Set([
  'captureAsyncFunc', 'captureFunc', 'captureCallbackFunc', 'addNewSubsegment',
  'startActiveSpan', 'startSpan', 'StartSpan', 'StartActiveSpan',
  'capture', 'capture_async', 'in_subsegment', 'in_subsegment_async', 'begin_subsegment',
  'start_as_current_span', 'start_span',
  'beginSubsegment', 'createSubsegment', 'spanBuilder',
  'Capture', 'CaptureAsync', 'BeginSubsegment', 'TraceMethod', 'TraceMethodAsync', 'StartActivity',
]);

/**
 * Go's OpenTelemetry `tracer.Start(ctx, "name", …)`: a method name too common to take on its own, so only with a
 * string literal as the second argument (the span name after the context).
 */
const GO_OTEL_START = 'Start';

let initialised: Promise<void> | undefined;

/** Loads web-tree-sitter and the grammars from `wasmDirectory` (a folder holding tree-sitter.wasm and the grammar files). */
export async function loadCodeParser(wasmDirectory: string, languages: readonly CodeLanguage[] = CODE_LANGUAGES): Promise<CodeParser> {
  const dir = wasmDirectory.replace(/[\\/]+$/, '');
  initialised ??= Parser.init({ locateFile: (file: string) => `${dir}/${file}` });
  await initialised;
  const loaded = new Map<CodeLanguage, Language>();
  for (const language of languages) loaded.set(language, await Language.load(`${dir}/${GRAMMAR_FILES[language]}`));
  return new CodeParser(loaded);
}

/** The language of a file name by its extension, or undefined when it is not one of ours. */
export function languageForFile(fileName: string): CodeLanguage | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(fileName)?.[1]?.toLowerCase();
  switch (ext) {
    case 'js': case 'mjs': case 'cjs': case 'jsx': return 'javascript';
    case 'ts': case 'mts': case 'cts': return 'typescript';
    case 'tsx': return 'tsx';
    case 'py': return 'python';
    case 'java': return 'java';
    case 'go': return 'go';
    case 'cs': return 'csharp';
    default: return undefined;
  }
}

export class CodeParser {
  private readonly parser = new Parser();

  constructor(private readonly languages: Map<CodeLanguage, Language>) {}

  has(language: CodeLanguage): boolean {
    return this.languages.has(language);
  }

  parse(text: string, language: CodeLanguage, limits: ParseLimits = {}): ParsedCode {
    const result: ParsedCode = { language, functions: [], topLevelCallSites: [] };
    const outcome = this.withTree(text, language, (root) => collect(root, language, result), limits);
    return outcome.ok ? result : { ...result, incomplete: outcome.incomplete };
  }

  /**
   * Parses `text` and hands the syntax tree's root to `read`; the tree is freed when `read` returns, so no
   * node may escape it. For code that needs more than `parse` keeps (the instrumentation edits).
   */
  withTree<T>(text: string, language: CodeLanguage, read: (root: Node) => T, limits: ParseLimits = {}): TreeOutcome<T> {
    const grammar = this.languages.get(language);
    if (!grammar) throw new Error(`no grammar loaded for ${language}`);
    if (text.length > (limits.maxChars ?? 4 * 1024 * 1024)) return { ok: false, incomplete: 'too-large' };
    this.parser.setLanguage(grammar);
    this.parser.reset();
    const deadline = performance.now() + (limits.maxMillis ?? 2000);
    const tree = this.parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
    if (!tree) return { ok: false, incomplete: 'timeout' };
    try {
      return { ok: true, value: read(tree.rootNode) };
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    this.parser.delete();
  }
}

interface Frame {
  node: Node;
  /** Enclosing class names, outermost first. */
  classes: string[];
  /** The named function the node is in, or undefined at the top. */
  owner: FunctionRange | undefined;
}

/** Walks the tree without recursion (deeply nested input cannot overflow the stack). */
function collect(root: Node, language: CodeLanguage, out: ParsedCode): void {
  const stack: Frame[] = [{ node: root, classes: [], owner: undefined }];
  const rangeOf = new Map<number, FunctionRange>();
  while (stack.length > 0) {
    const { node, classes, owner } = stack.pop() as Frame;
    let innerClasses = classes;
    let innerOwner = owner;
    const className = classNameOf(node, language);
    if (className !== undefined) innerClasses = [...classes, className];

    const fn = functionOf(node, language, classes) ?? anonymousFunctionOf(node, language, owner);
    if (fn) {
      out.functions.push(fn);
      rangeOf.set(node.id, fn);
      innerOwner = fn;
      addDecorations(node, language, fn);
    } else if (isDecoration(node, language)) {
      continue; // read by addDecorations on the function it decorates
    } else {
      const call = callSiteOf(node, language);
      if (call) {
        const wraps = wrappedFunction(node, language);
        if (wraps) call.wraps = wraps;
        (owner ? owner.callSites : out.topLevelCallSites).push(call);
      } else if (node.type === CALL_NODES[language]) {
        noteHelperCall(node, language, owner, rangeOf);
      }
    }
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push({ node: child, classes: innerClasses, owner: innerOwner });
    }
  }
  // An anonymous function is a range of its own only to hold tracing calls; without one it stays part of its enclosing function.
  out.functions = out.functions.filter((f) => !f.anonymous || f.callSites.length > 0 || (f.namedCalls?.length ?? 0) > 0);
  out.functions.sort((a, b) => a.startLine - b.startLine || a.nameColumn - b.nameColumn);
}

const CLASS_NODES: Record<CodeLanguage, string[]> = {
  javascript: ['class_declaration', 'class'],
  typescript: ['class_declaration', 'class', 'abstract_class_declaration', 'interface_declaration'],
  tsx: ['class_declaration', 'class', 'abstract_class_declaration', 'interface_declaration'],
  python: ['class_definition'],
  java: ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration'],
  go: [],
  csharp: ['class_declaration', 'struct_declaration', 'record_declaration', 'interface_declaration'],
};

function classNameOf(node: Node, language: CodeLanguage): string | undefined {
  if (!CLASS_NODES[language].includes(node.type)) return undefined;
  const name = node.childForFieldName('name')?.text;
  if (name) return name;
  // `const Foo = class { … }`
  const parent = node.parent;
  return parent?.type === 'variable_declarator' ? parent.childForFieldName('name')?.text : undefined;
}

function functionOf(node: Node, language: CodeLanguage, classes: string[]): FunctionRange | undefined {
  const qualify = (name: string) => (classes.length > 0 ? `${classes[classes.length - 1]}.${name}` : name);
  let nameNode: Node | null = null;
  let name: string | undefined;
  let kind: FunctionRange['kind'] = 'function';
  switch (language) {
    case 'javascript': case 'typescript': case 'tsx': {
      const named = JS_FUNCTION_NODES.has(node.type) ? javascriptFunctionName(node) : undefined;
      if (named) ({ nameNode, name, kind } = named);
      break;
    }
    case 'python':
      if (node.type === 'function_definition') {
        nameNode = node.childForFieldName('name');
        const inClass = pythonClassOf(node) !== undefined;
        kind = inClass ? (nameNode?.text === '__init__' ? 'constructor' : 'method') : 'function';
        name = nameNode ? (inClass ? qualify(nameNode.text) : nameNode.text) : undefined;
      }
      break;
    case 'java':
      if (node.type === 'method_declaration' || node.type === 'constructor_declaration') {
        nameNode = node.childForFieldName('name');
        kind = node.type === 'constructor_declaration' ? 'constructor' : 'method';
        name = nameNode ? qualify(nameNode.text) : undefined;
      }
      break;
    case 'go':
      if (node.type === 'function_declaration') {
        nameNode = node.childForFieldName('name');
        name = nameNode?.text;
      } else if (node.type === 'method_declaration') {
        nameNode = node.childForFieldName('name');
        const receiver = goReceiverType(node);
        kind = 'method';
        name = nameNode ? (receiver ? `${receiver}.${nameNode.text}` : nameNode.text) : undefined;
      }
      break;
    case 'csharp':
      if (node.type === 'method_declaration' || node.type === 'constructor_declaration' || node.type === 'local_function_statement') {
        nameNode = node.childForFieldName('name');
        kind = node.type === 'constructor_declaration' ? 'constructor' : node.type === 'method_declaration' ? 'method' : 'function';
        name = nameNode ? (node.type === 'local_function_statement' ? nameNode.text : qualify(nameNode.text)) : undefined;
      }
      break;
  }
  if (!name || !nameNode) return undefined;
  // A decorated Python function starts at its first decorator, as the lens goes above it.
  const outer = language === 'python' && node.parent?.type === 'decorated_definition' ? node.parent : node;
  return {
    name,
    kind,
    startLine: outer.startPosition.row,
    endLine: node.endPosition.row,
    nameLine: nameNode.startPosition.row,
    nameColumn: nameNode.startPosition.column,
    callSites: [],
    tracedAs: [],
  };
}

/** Node types of functions that have no name of their own, per language (JavaScript's come from JS_FUNCTION_NODES). */
const ANONYMOUS_NODES: Record<CodeLanguage, ReadonlySet<string>> = {
  javascript: new Set(['function_expression', 'function', 'arrow_function', 'generator_function']),
  typescript: new Set(['function_expression', 'function', 'arrow_function', 'generator_function']),
  tsx: new Set(['function_expression', 'function', 'arrow_function', 'generator_function']),
  python: new Set(['lambda']),
  java: new Set(['lambda_expression']),
  go: new Set(['func_literal']),
  csharp: new Set(['lambda_expression', 'anonymous_method_expression']),
};

/** Registration calls whose callback is a request handler, by the name called (Express, Koa, Fastify, Javalin, gin, …). */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all']);
/** Go's net/http and .NET's minimal APIs: the pattern is the first argument. */
const HANDLER_REGISTRATIONS = /^(HandleFunc|Handle|HandlerFunc|Map(Get|Post|Put|Patch|Delete|Methods)?)$/;

/** A call that registers a request handler or middleware: its callback is a function of its own, not a traced block. */
function isHandlerRegistration(api: string): boolean {
  return ROUTE_METHODS.has(api.toLowerCase()) || HANDLER_REGISTRATIONS.test(api) || api === 'use';
}

/**
 * A function without a name of its own, as a range of its own so that the tracing calls inside it (a route
 * handler's `captureAsyncFunc('slowStep', …)`) have a place to go. The callback handed to a tracing call is not
 * one: it is the traced block itself, part of the function that makes the call.
 */
function anonymousFunctionOf(node: Node, language: CodeLanguage, owner: FunctionRange | undefined): FunctionRange | undefined {
  // Asked only where functionOf found no name (a JavaScript arrow bound to `const f =` is functionOf's).
  if (!ANONYMOUS_NODES[language].has(node.type)) return undefined;
  const call = enclosingCall(node, language);
  if (call && isTracedBlock(call, language)) return undefined;
  const name = anonymousName(node, language, call);
  if (name === undefined) return undefined;
  return {
    name: owner && !name.startsWith(`${owner.name} `) ? `${name} in ${owner.name}` : name,
    anonymous: true,
    kind: 'function',
    startLine: node.startPosition.row,
    endLine: node.endPosition.row,
    nameLine: node.startPosition.row,
    nameColumn: node.startPosition.column,
    callSites: [],
    tracedAs: [],
  };
}

/**
 * Two things a call that is not a literal-named tracing call can say: `tracer.startActiveSpan(name, …)` with `name` a
 * parameter makes the function declaring it a tracing helper; `withSpan('x', () => …)` is a tracing call if
 * `withSpan` is one (decided by the code mapping, which sees every file).
 */
function noteHelperCall(call: Node, language: CodeLanguage, owner: FunctionRange | undefined, rangeOf: Map<number, FunctionRange>): void {
  const api = calledName(call, language);
  const args = call.childForFieldName('arguments');
  if (!api || !args) return;
  const list = args.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  if (TRACING_APIS.has(api) || (language === 'go' && api === GO_OTEL_START)) {
    const nameArg = list[language === 'go' ? 1 : 0];
    const param = nameArg?.type === 'identifier' ? nameArg.text : undefined;
    if (!param) return;
    for (let up = call.parent; up; up = up.parent) {
      const fn = rangeOf.get(up.id);
      const params = fn ? parameterNames(up, language) : undefined;
      const at = params?.indexOf(param) ?? -1;
      if (fn && at >= 0) {
        fn.spanNameParameter = at;
        return;
      }
    }
    return;
  }
  if (!owner || isHandlerRegistration(api)) return;
  const argument = list.slice(0, 2).findIndex((a) => stringValue(a) !== undefined);
  if (argument < 0) return;
  const withBlock = language === 'python' && (call.parent?.type === 'with_item' || call.parent?.parent?.type === 'with_item');
  if (!withBlock && !list.some((a) => ANONYMOUS_NODES[language].has(a.type) || JS_FUNCTION_NODES.has(a.type))) return;
  const name = stringValue(list[argument]) as string;
  const site: CallSite & { argument: number } = { api, name, line: call.startPosition.row, argument };
  const wraps = wrappedFunction(call, language);
  if (wraps) site.wraps = wraps;
  (owner.namedCalls ??= []).push(site);
}

/** A function node's parameter names in order; Python's self/cls left out, as callers do not pass them. */
function parameterNames(fn: Node, language: CodeLanguage): string[] {
  const list = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!list) return [];
  if (list.type === 'identifier') return [list.text]; // x => …
  const names = list.namedChildren.filter((p): p is Node => p !== null && p.type !== 'comment').map((p) => {
    if (p.type === 'identifier') return p.text;
    const named = p.childForFieldName('pattern') ?? p.childForFieldName('name') ?? p.childForFieldName('left') ?? p.namedChildren.find((c) => c?.type === 'identifier');
    return named?.type === 'identifier' ? named.text : '';
  });
  return language === 'python' && (names[0] === 'self' || names[0] === 'cls') ? names.slice(1) : names;
}

/**
 * A call whose callback is the traced block itself: a tracing API (`startActiveSpan(name, (span) => …)`), or any
 * call that names its callback with a string literal — a team's own `withSpan('charge', async () => …)` helper —
 * except the registrations whose callback is a route handler.
 */
function isTracedBlock(call: Node, language: CodeLanguage): boolean {
  const api = calledName(call, language);
  if (!api) return false;
  if (TRACING_APIS.has(api)) return true;
  if (isHandlerRegistration(api)) return false;
  const args = call.childForFieldName('arguments');
  return !!args && firstStringArgument(args, language) !== undefined;
}

/** The call a function is an argument of (C#'s arguments are wrapped in an `argument` node). */
function enclosingCall(node: Node, language: CodeLanguage): Node | undefined {
  let up = node.parent;
  if (language === 'csharp' && up?.type === 'argument') up = up.parent;
  if (!up || !['arguments', 'argument_list'].includes(up.type)) return undefined;
  const call = up.parent;
  return call?.type === CALL_NODES[language] ? call : undefined;
}

/** How people read an anonymous function: by the route it handles, the call it is the callback of, or its binding. */
function anonymousName(node: Node, language: CodeLanguage, call: Node | undefined): string | undefined {
  if (call) {
    const api = calledName(call, language);
    if (!api) return '(anonymous)';
    const args = call.childForFieldName('arguments');
    const pattern = args ? firstStringArgument(args, language) : undefined;
    if (ROUTE_METHODS.has(api.toLowerCase())) {
      // router.route('/x').get(handler): the path is on the call before.
      const routed = pattern ?? routeOf(call.childForFieldName('function'), language);
      if (routed !== undefined) return `${api.toUpperCase()} ${routed} handler`;
    }
    if (HANDLER_REGISTRATIONS.test(api) && pattern !== undefined) {
      const verb = /^Map(Get|Post|Put|Patch|Delete)$/.exec(api)?.[1]?.toUpperCase();
      return `${verb ? `${verb} ` : ''}${pattern} handler`;
    }
    if (api === 'use' && pattern !== undefined) return `${pattern} middleware`;
    return `${api} callback`;
  }
  const parent = node.parent;
  if (parent?.type === 'export_statement') return 'default export';
  // Python's `check = lambda x: …` is read as check.
  if (language === 'python' && parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') {
    return parent.childForFieldName('left')?.text;
  }
  return language === 'python' ? 'lambda' : '(anonymous)';
}

/** `router.route('/x').get`: the '/x'. */
function routeOf(callee: Node | null | undefined, language: CodeLanguage): string | undefined {
  const object = callee?.type === 'member_expression' ? callee.childForFieldName('object') : undefined;
  if (object?.type !== 'call_expression' || lastName(object.childForFieldName('function')) !== 'route') return undefined;
  const args = object.childForFieldName('arguments');
  return args ? firstStringArgument(args, language) : undefined;
}

/**
 * The function a tracing call wraps: its callback (JavaScript) or `with` block (Python) holds one call and nothing
 * else but calls on the subsegment/span itself (`span.end()` in a finally, `sub.close()`, annotations):
 * `captureFunc('discount', () => computeDiscount(order))`, `startActiveSpan('charge', (span) => { try { return
 * charge(x) } finally { span.end() } })`, `with xray_recorder.in_subsegment('x'): one_call()`.
 */
function wrappedFunction(call: Node, language: CodeLanguage): string | undefined {
  if (language === 'javascript' || language === 'typescript' || language === 'tsx') {
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    const callback = args.find((a) => a !== null && JS_FUNCTION_NODES.has(a.type));
    if (!callback) return undefined;
    const params = new Set(identifiersIn(callback.childForFieldName('parameters') ?? callback.childForFieldName('parameter')));
    const body = callback.childForFieldName('body');
    return body ? soleCallee(body, params, language) : undefined;
  }
  if (language === 'python') {
    // call → (as_pattern →) with_item → with_clause → with_statement
    let up = call.parent;
    if (up?.type === 'as_pattern') up = up.parent;
    if (up?.type !== 'with_item' || up.parent?.type !== 'with_clause') return undefined;
    const statement = up.parent.parent;
    if (statement?.type !== 'with_statement' || up.parent.namedChildren.length !== 1) return undefined;
    const alias = call.parent?.type === 'as_pattern' ? call.parent.childForFieldName('alias') : undefined;
    const body = statement.childForFieldName('body');
    return body ? soleCallee(body, new Set(identifiersIn(alias)), language) : undefined;
  }
  return undefined;
}

function identifiersIn(node: Node | null | undefined): string[] {
  if (!node) return [];
  if (node.type === 'identifier') return [node.text];
  return node.namedChildren.flatMap((c) => (c ? identifiersIn(c) : []));
}

/** The name of the one function a block or expression calls, ignoring calls on `own` (the span or subsegment). */
function soleCallee(body: Node, own: ReadonlySet<string>, language: CodeLanguage): string | undefined {
  const callNode = CALL_NODES[language];
  const isOwnCall = (statement: Node): boolean => {
    const expression = unwrapAwait(statement.namedChildren[0]);
    if (statement.type !== 'expression_statement' || expression?.type !== callNode) return false;
    const callee = expression.childForFieldName('function');
    const object = callee?.childForFieldName('object');
    return object?.type === 'identifier' && own.has(object.text);
  };
  let block: Node = body;
  for (;;) {
    if (block.type !== 'statement_block' && block.type !== 'block') return calleeName(block, own, language);
    const statements = block.namedChildren.filter((s): s is Node => s !== null && s.type !== 'comment' && !isOwnCall(s));
    if (statements.length !== 1) return undefined;
    const only = statements[0];
    if (only.type === 'try_statement') {
      const tryBody = only.childForFieldName('body');
      if (!tryBody) return undefined;
      block = tryBody;
      continue;
    }
    let value: Node | null | undefined;
    if (only.type === 'return_statement' || only.type === 'expression_statement') value = only.namedChildren[0];
    else if (only.type === 'lexical_declaration' || only.type === 'variable_declaration') {
      const declarators = only.namedChildren.filter((d) => d?.type === 'variable_declarator');
      value = declarators.length === 1 ? declarators[0]?.childForFieldName('value') : undefined;
    }
    if (value?.type === 'assignment') value = value.childForFieldName('right');
    return value ? calleeName(value, own, language) : undefined;
  }
}

function unwrapAwait(node: Node | null | undefined): Node | null | undefined {
  let n = node;
  while (n && (n.type === 'await_expression' || n.type === 'await' || n.type === 'parenthesized_expression')) n = n.namedChildren[0];
  return n;
}

/** `await charge(x)`, `charge(x).then(…)`, `svc.charge(x)` → charge; a call on the span itself, or a tracing API, → undefined. */
function calleeName(expression: Node, own: ReadonlySet<string>, language: CodeLanguage): string | undefined {
  let e = unwrapAwait(expression);
  for (;;) {
    if (!e || e.type !== CALL_NODES[language]) return undefined;
    const callee = e.childForFieldName('function');
    const method = lastName(callee);
    const object = callee?.childForFieldName('object');
    // charge(x).then(…).finally(…): the call the chain starts with.
    if (method && ['then', 'catch', 'finally'].includes(method) && object?.type === CALL_NODES[language]) {
      e = unwrapAwait(object);
      continue;
    }
    if (!method || TRACING_APIS.has(method) || (object?.type === 'identifier' && own.has(object.text))) return undefined;
    return method;
  }
}

/** JavaScript/TypeScript node types that are functions. */
export const JS_FUNCTION_NODES: ReadonlySet<string> = new Set([
  'function_declaration', 'generator_function_declaration', 'method_definition',
  'function_expression', 'function', 'arrow_function', 'generator_function',
]);

/** Where a function expression gets its name from, and the child that holds the function. */
export const JS_BINDINGS: Readonly<Record<string, string>> = {
  variable_declarator: 'value', pair: 'value', public_field_definition: 'value', field_definition: 'value', assignment_expression: 'right',
};

/**
 * The name of a JavaScript/TypeScript function node as the code mapping knows it: `Class.method` (nearest named
 * class), `obj.k` for a method of an object bound to a name, a function expression or arrow by the name it is bound
 * to (`const f =`, `module.exports.handler =`, a class field); undefined for an anonymous function. The
 * instrumentation edits name their spans with it, so what they write maps back here.
 */
export function javascriptFunctionName(node: Node): { name: string; nameNode: Node; kind: FunctionRange['kind'] } | undefined {
  if (node.type === 'function_declaration' || node.type === 'generator_function_declaration') {
    const nameNode = node.childForFieldName('name');
    return nameNode ? { name: nameNode.text, nameNode, kind: 'function' } : undefined;
  }
  if (node.type === 'method_definition') {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return undefined;
    const kind = nameNode.text === 'constructor' ? 'constructor' : 'method';
    const name = node.parent?.type === 'class_body' ? qualifyByClass(node, nameNode.text) : objectMemberName(node, nameNode.text);
    return { name, nameNode, kind };
  }
  const own = node.childForFieldName('name');
  if (own) return { name: own.text, nameNode: own, kind: 'function' };
  const parent = node.parent;
  if (!parent || parent.childForFieldName(JS_BINDINGS[parent.type] ?? '')?.id !== node.id) return undefined;
  switch (parent.type) {
    case 'variable_declarator': {
      const n = parent.childForFieldName('name');
      return n?.type === 'identifier' ? { name: n.text, nameNode: n, kind: 'function' } : undefined;
    }
    case 'pair': {
      const key = parent.childForFieldName('key');
      if (!key || key.type === 'computed_property_name') return undefined;
      return { name: objectMemberName(parent, key.text.replace(/^['"]|['"]$/g, '')), nameNode: key, kind: 'method' };
    }
    case 'public_field_definition': case 'field_definition': {
      if (parent.parent?.type !== 'class_body') return undefined;
      const n = parent.childForFieldName('name') ?? parent.childForFieldName('property');
      return n ? { name: qualifyByClass(parent, n.text), nameNode: n, kind: 'method' } : undefined;
    }
    case 'assignment_expression': {
      const left = parent.childForFieldName('left');
      if (!left || (left.type !== 'identifier' && left.type !== 'member_expression') || left.text.length > 120 || left.text.includes('\n')) return undefined;
      const nameNode = left.type === 'member_expression' ? left.childForFieldName('property') ?? left : left;
      return { name: left.text, nameNode, kind: 'function' };
    }
    default:
      return undefined;
  }
}

/** `Class.name` with the nearest enclosing named class (`class Foo`, or `const Foo = class { … }`). */
function qualifyByClass(member: Node, name: string): string {
  for (let up = member.parent; up; up = up.parent) {
    const className = classNameOf(up, 'typescript');
    if (className) return `${className}.${name}`;
  }
  return name;
}

/** `{ k() {} }` as `obj.k` when the object is assigned to a name, else `k`. */
function objectMemberName(member: Node, name: string): string {
  const object = member.parent;
  const holder = object?.type === 'object' ? object.parent : undefined;
  const owner = holder?.type === 'variable_declarator' ? holder.childForFieldName('name')?.text : undefined;
  return owner && /^[\w$]+$/.test(owner) ? `${owner}.${name}` : name;
}

function pythonClassOf(fn: Node): Node | undefined {
  // function_definition → block → class_definition, with a decorated_definition possibly in between.
  let up = fn.parent;
  if (up?.type === 'decorated_definition') up = up.parent;
  return up?.type === 'block' && up.parent?.type === 'class_definition' ? up.parent : undefined;
}

function goReceiverType(method: Node): string | undefined {
  const receiver = method.childForFieldName('receiver');
  const type = receiver?.namedChildren[0]?.childForFieldName('type');
  if (!type) return undefined;
  const text = type.text.replace(/^\*/, '');
  return text.replace(/\[.*$/s, '');
}

function isDecoration(node: Node, language: CodeLanguage): boolean {
  return (language === 'python' && node.type === 'decorator')
    || (language === 'java' && (node.type === 'marker_annotation' || node.type === 'annotation'));
}

/** Python decorators and Java annotations of a function (and of its class, for @XRayEnabled). */
function addDecorations(fnNode: Node, language: CodeLanguage, fn: FunctionRange): void {
  if (language === 'python' && fnNode.parent?.type === 'decorated_definition') {
    for (const decorator of fnNode.parent.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const expression = decorator.namedChildren[0];
      // @xray_recorder.capture() or @xray_recorder.capture (capture_async alike): the SDK names the subsegment func.__name__.
      if (expression) readDecorator(expression, language, fn, [fnNode.childForFieldName('name')?.text]);
    }
  }
  if ((language === 'javascript' || language === 'typescript' || language === 'tsx') && fnNode.type === 'method_definition') {
    // Decorators stand before the method in the class body: @traced('reconcile'), @Span(), @traced.
    for (let d = fnNode.previousNamedSibling; d?.type === 'decorator'; d = d.previousNamedSibling) {
      fn.startLine = Math.min(fn.startLine, d.startPosition.row);
      const expression = d.namedChildren[0];
      if (expression) readDecorator(expression, language, fn, [fnNode.childForFieldName('name')?.text, fn.name]);
    }
  }
  if (language === 'java' && fn.kind === 'method') {
    // OpenTelemetry's @WithSpan("name"), or @WithSpan alone: the agent names the span Class.method.
    const withSpan = annotationOf(fnNode, 'WithSpan');
    if (withSpan) {
      const args = withSpan.childForFieldName('arguments');
      const value = args?.namedChildren.map((a) => (a?.type === 'element_value_pair' ? a.childForFieldName('value') : a)).find((v) => v && stringValue(v) !== undefined);
      const name = value ? stringValue(value) : undefined;
      if (name) fn.callSites.push({ api: 'WithSpan', name, line: withSpan.startPosition.row });
      else if (!fn.tracedAs.includes(fn.name)) fn.tracedAs.push(fn.name);
    }
    const onMethod = hasAnnotation(fnNode, 'XRayEnabled');
    let cls = fnNode.parent;
    while (cls && !CLASS_NODES.java.includes(cls.type)) cls = cls.parent;
    const onClass = cls ? hasAnnotation(cls, 'XRayEnabled') : false;
    const bare = fnNode.childForFieldName('name')?.text;
    if ((onMethod || onClass) && bare) fn.tracedAs.push(bare);
  }
}

function hasAnnotation(declaration: Node, name: string): boolean {
  return annotationOf(declaration, name) !== undefined;
}

function annotationOf(declaration: Node, name: string): Node | undefined {
  const modifiers = declaration.namedChildren.find((c) => c?.type === 'modifiers');
  return modifiers?.namedChildren.find((a) => (a?.type === 'marker_annotation' || a?.type === 'annotation')
    && lastName(a.childForFieldName('name')) === name) ?? undefined;
}

/**
 * Decorators a team writes around its tracer — `@traced('reconcile')`, `@span("load")`, `@instrument(name=…)` — by
 * the usual names; the string they are given is the span's name.
 */
const TRACING_DECORATOR = /^(trace|traced|tracing|span|with_?span|instrument(ed)?|timed|xray_?\w*)$/i;

/**
 * One decorator of a function: a tracing call naming the span (`@xray_recorder.capture('x')`, `@traced('x')`) is a
 * call site of the function; a tracing decorator without a name (`@traced`, Python's `@xray_recorder.capture()`)
 * traces it under `names`.
 */
function readDecorator(expression: Node, language: CodeLanguage, fn: FunctionRange, names: Array<string | undefined>): void {
  const call = expression.type === CALL_NODES[language];
  const known = callSiteOf(expression, language);
  const api = lastName(call ? expression.childForFieldName('function') : expression);
  const args = call ? expression.childForFieldName('arguments') : null;
  const literal = args && api && TRACING_DECORATOR.test(api) ? firstStringArgument(args, language) : undefined;
  if (known) fn.callSites.push(known);
  else if (api && literal !== undefined) fn.callSites.push({ api, name: literal, line: expression.startPosition.row });
  else if (api && (TRACING_DECORATOR.test(api) || (language === 'python' && (api === 'capture' || api === 'capture_async')))) {
    for (const name of names) if (name && !fn.tracedAs.includes(name)) fn.tracedAs.push(name);
  }
}

const CALL_NODES: Record<CodeLanguage, string> = {
  javascript: 'call_expression', typescript: 'call_expression', tsx: 'call_expression', python: 'call',
  java: 'method_invocation', go: 'call_expression', csharp: 'invocation_expression',
};

/** The name a call calls, after the last dot: `AWSXRay.captureAsyncFunc(…)` → captureAsyncFunc (Java's method_invocation names it). */
function calledName(call: Node, language: CodeLanguage): string | undefined {
  return language === 'java' ? call.childForFieldName('name')?.text : lastName(call.childForFieldName('function'));
}

function callSiteOf(node: Node, language: CodeLanguage): CallSite | undefined {
  if (node.type !== CALL_NODES[language]) return undefined;
  const api = calledName(node, language);
  const goStart = language === 'go' && api === GO_OTEL_START;
  if (!api || (!TRACING_APIS.has(api) && !goStart)) return undefined;
  const args = node.childForFieldName('arguments');
  if (!args) return undefined;
  if (goStart) {
    const second = args.namedChildren.filter((c) => c !== null && c.type !== 'comment')[1];
    const name = second ? stringValue(second) : undefined;
    return name === undefined ? undefined : { api, name, line: node.startPosition.row };
  }
  const name = firstStringArgument(args, language);
  return name === undefined ? undefined : { api, name, line: node.startPosition.row };
}

/** The identifier after the last `.` of a callee: `AWSXRay.captureAsyncFunc` → captureAsyncFunc. */
function lastName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier': case 'property_identifier': case 'field_identifier': case 'type_identifier':
      return node.text;
    case 'member_expression': return node.childForFieldName('property')?.text;
    case 'attribute': return node.childForFieldName('attribute')?.text;
    case 'selector_expression': return node.childForFieldName('field')?.text;
    case 'member_access_expression': return lastName(node.childForFieldName('name'));
    case 'generic_name': return node.namedChildren[0]?.text;
    case 'scoped_identifier': return node.childForFieldName('name')?.text;
    default: return undefined;
  }
}

/** The first string literal among the first two arguments (Go and .NET put a context first); a keyword name= in Python. */
function firstStringArgument(args: Node, language: CodeLanguage): string | undefined {
  const list = args.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  for (const arg of list) {
    if (language === 'python' && arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'name') {
      const value = arg.childForFieldName('value');
      return value ? stringValue(value) : undefined;
    }
  }
  for (const arg of list.slice(0, 2)) {
    const value = stringValue(language === 'csharp' && arg.type === 'argument' ? arg.namedChildren[0] ?? arg : arg);
    if (value !== undefined) return value;
  }
  return undefined;
}

const STRING_NODES = new Set(['string', 'template_string', 'string_literal', 'interpreted_string_literal', 'raw_string_literal', 'verbatim_string_literal']);
const INTERPOLATIONS = new Set(['template_substitution', 'interpolation', 'string_interpolation', 'interpolated_string_expression']);

/** The text of a string literal without interpolation, unquoted; undefined for anything else. */
function stringValue(node: Node): string | undefined {
  if (!STRING_NODES.has(node.type)) return undefined;
  if (node.namedChildren.some((c) => c !== null && INTERPOLATIONS.has(c.type))) return undefined;
  const match = /^[A-Za-z@]*("""|'''|"|'|`)([\s\S]*)\1$/.exec(node.text);
  if (!match || match[2].length > 200) return undefined;
  return match[2];
}
