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
}

export interface FunctionRange {
  /** As written; methods with their class (`Class.method`), Go methods with their receiver type. */
  name: string;
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
  while (stack.length > 0) {
    const { node, classes, owner } = stack.pop() as Frame;
    let innerClasses = classes;
    let innerOwner = owner;
    const className = classNameOf(node, language);
    if (className !== undefined) innerClasses = [...classes, className];

    const fn = functionOf(node, language, classes);
    if (fn) {
      out.functions.push(fn);
      innerOwner = fn;
      addDecorations(node, language, fn);
    } else if (isDecoration(node, language)) {
      continue; // read by addDecorations on the function it decorates
    } else {
      const call = callSiteOf(node, language);
      if (call) (owner ? owner.callSites : out.topLevelCallSites).push(call);
    }
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push({ node: child, classes: innerClasses, owner: innerOwner });
    }
  }
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
      if (!expression) continue;
      const call = callSiteOf(expression, language);
      if (call) {
        fn.callSites.push(call);
        continue;
      }
      // @xray_recorder.capture() or @xray_recorder.capture (capture_async alike): the SDK names the subsegment func.__name__.
      const callee = expression.type === 'call' ? expression.childForFieldName('function') : expression;
      const api = lastName(callee);
      if (api === 'capture' || api === 'capture_async') {
        const bare = fnNode.childForFieldName('name')?.text;
        if (bare && !fn.tracedAs.includes(bare)) fn.tracedAs.push(bare);
      }
    }
  }
  if (language === 'java' && fn.kind === 'method') {
    const onMethod = hasAnnotation(fnNode, 'XRayEnabled');
    let cls = fnNode.parent;
    while (cls && !CLASS_NODES.java.includes(cls.type)) cls = cls.parent;
    const onClass = cls ? hasAnnotation(cls, 'XRayEnabled') : false;
    const bare = fnNode.childForFieldName('name')?.text;
    if ((onMethod || onClass) && bare) fn.tracedAs.push(bare);
  }
}

function hasAnnotation(declaration: Node, name: string): boolean {
  const modifiers = declaration.namedChildren.find((c) => c?.type === 'modifiers');
  return !!modifiers?.namedChildren.some((a) => (a?.type === 'marker_annotation' || a?.type === 'annotation')
    && lastName(a.childForFieldName('name')) === name);
}

const CALL_NODES: Record<CodeLanguage, string> = {
  javascript: 'call_expression', typescript: 'call_expression', tsx: 'call_expression', python: 'call',
  java: 'method_invocation', go: 'call_expression', csharp: 'invocation_expression',
};

function callSiteOf(node: Node, language: CodeLanguage): CallSite | undefined {
  if (node.type !== CALL_NODES[language]) return undefined;
  const api = language === 'java' ? node.childForFieldName('name')?.text : lastName(node.childForFieldName('function'));
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
