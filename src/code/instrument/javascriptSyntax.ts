// Reading JavaScript/TypeScript syntax trees for the instrumentation edits: the named function around a
// position (named by code/functionRanges.ts's javascriptFunctionName, so spans we name map back to it), whether it
// already opens a span/subsegment of its own, and small readers of calls and string literals.
import { javascriptFunctionName, JS_BINDINGS, JS_FUNCTION_NODES, type SyntaxNode } from '../functionRanges';
import type { CodeStyle } from './instrumentTypes';

/** Calls that open a span or subsegment around a callback (OpenTelemetry, aws-xray-sdk-node). */
export const WRAPPING_APIS = new Set(['startActiveSpan', 'captureAsyncFunc', 'captureFunc', 'captureCallbackFunc']);
/** Calls whose result is a span/subsegment the code then ends itself. */
const OPENING_APIS = new Set(['startSpan', 'addNewSubsegment']);

export interface NamedFunction {
  node: SyntaxNode;
  /** As functionRanges names it: `Class.method`, `obj.key`, `name`, `module.exports.handler`. */
  name: string;
  nameNode: SyntaxNode;
  kind: 'function' | 'method' | 'constructor';
}

export function isFunctionNode(node: SyntaxNode): boolean {
  return JS_FUNCTION_NODES.has(node.type);
}

/**
 * The innermost named function holding `offset`; anonymous callbacks are passed over for the function they
 * are in. The cursor on the name a function expression is bound to (`const handler = async () => …`) counts.
 */
export function namedFunctionAt(root: SyntaxNode, offset: number): NamedFunction | undefined {
  for (let node: SyntaxNode | null = declared(root.descendantForIndex(offset)); node; node = node.parent) {
    const bindingChild = JS_BINDINGS[node.type];
    const candidate = JS_FUNCTION_NODES.has(node.type) ? node : bindingChild ? node.childForFieldName(bindingChild) : null;
    if (candidate && JS_FUNCTION_NODES.has(candidate.type)) {
      const named = nameFunction(candidate);
      if (named) return named;
    }
  }
  return undefined;
}

/**
 * On `export` or `const` of a declaration of one function: that function's declaration or declarator; on a
 * method's decorator (TypeScript keeps decorators beside the method in the class body): the method.
 */
function declared(node: SyntaxNode | null): SyntaxNode | null {
  let n = node;
  for (let up = n; up && up.type !== 'class_body'; up = up.parent) {
    if (up.type !== 'decorator') continue;
    let next = up.nextNamedSibling;
    while (next?.type === 'decorator') next = next.nextNamedSibling;
    if (next?.type === 'method_definition') return next;
  }
  if (n && !n.isNamed && n.parent) n = n.parent;
  if (n?.type === 'export_statement') n = n.childForFieldName('declaration') ?? n;
  if (n && (n.type === 'lexical_declaration' || n.type === 'variable_declaration')) {
    const declarators = n.namedChildren.filter((c) => c?.type === 'variable_declarator');
    if (declarators.length === 1 && declarators[0]) n = declarators[0];
  }
  return n;
}

/** The name functionRanges gives a function node, or undefined for an anonymous one. */
export function nameFunction(node: SyntaxNode): NamedFunction | undefined {
  const named = javascriptFunctionName(node);
  return named ? { node, ...named } : undefined;
}

/** The whole function as the code action sees it: decorators, and the declaration it is bound in. */
export function functionExtent(fn: NamedFunction): { start: number; end: number } {
  let outer = fn.node;
  const parent = outer.parent;
  if (parent && JS_BINDINGS[parent.type] && parent.type !== 'assignment_expression') outer = parent;
  if (outer.type === 'variable_declarator' && outer.parent && outer.parent.namedChildren.length === 1) outer = outer.parent;
  if (outer.parent?.type === 'export_statement') outer = outer.parent;
  let start = outer.startIndex;
  for (let prev = outer.previousNamedSibling; prev?.type === 'decorator'; prev = prev.previousNamedSibling) start = prev.startIndex;
  return { start, end: outer.endIndex };
}

export function isAsync(fn: SyntaxNode): boolean {
  return fn.children.some((c) => c?.type === 'async');
}

export function isGenerator(fn: SyntaxNode): boolean {
  return fn.type.startsWith('generator_') || (fn.type === 'method_definition' && fn.children.some((c) => c?.type === '*'));
}

export function isSetter(fn: SyntaxNode): boolean {
  return fn.type === 'method_definition' && fn.children.some((c) => c?.type === 'set');
}

/** The first of `names` the function declares itself (a parameter or a local), which would hide the module's. */
export function shadowed(fn: SyntaxNode, names: Iterable<string>): string | undefined {
  const declared = new Set<string>();
  const add = (n: SyntaxNode) => void ((n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') && declared.add(n.text));
  walk(fn, (n) => {
    if (n.type === 'formal_parameters') walk(n, add);
    else if (n.type === 'variable_declarator') {
      const name = n.childForFieldName('name');
      if (name) walk(name, add);
    } else if ((n.type === 'function_declaration' || n.type === 'class_declaration') && n.id !== fn.id) {
      const name = n.childForFieldName('name');
      if (name) declared.add(name.text);
    }
  });
  return [...names].find((n) => declared.has(n));
}

/** The identifier after the last `.` of a callee: `AWSXRay.captureAsyncFunc` → captureAsyncFunc. */
export function calleeName(call: SyntaxNode): string | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (callee.type === 'identifier') return callee.text;
  if (callee.type === 'member_expression') return callee.childForFieldName('property')?.text;
  return undefined;
}

/** The first statement of a block that is not a comment. */
function firstStatement(block: SyntaxNode): SyntaxNode | undefined {
  return block.namedChildren.find((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

/** `await x`, `(x)`, `x as T`, `x!` → x. */
function unwrapExpression(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let n = node ?? undefined;
  while (n && ['await_expression', 'parenthesized_expression', 'as_expression', 'non_null_expression', 'satisfies_expression'].includes(n.type)) {
    n = n.namedChildren[0] ?? undefined;
  }
  return n;
}

/**
 * Whether the function already has a span/subsegment of its own: its body begins with a call that wraps a
 * callback in one (`return tracer.startActiveSpan(…)`, `return AWSXRay.captureAsyncFunc(…)`), or opens one
 * (`const span = tracer.startSpan(…)`, `const sub = segment.addNewSubsegment(…)`).
 */
export function isTraced(fn: SyntaxNode): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  if (body.type !== 'statement_block') {
    const call = unwrapExpression(body);
    return call?.type === 'call_expression' && WRAPPING_APIS.has(calleeName(call) ?? '');
  }
  const first = firstStatement(body);
  if (!first) return false;
  let expression: SyntaxNode | undefined;
  if (first.type === 'return_statement' || first.type === 'expression_statement') expression = unwrapExpression(first.namedChildren[0]);
  if (expression?.type === 'call_expression') return WRAPPING_APIS.has(calleeName(expression) ?? '');
  if (first.type === 'lexical_declaration' || first.type === 'variable_declaration') {
    const value = unwrapExpression(first.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('value'));
    return value?.type === 'call_expression' && (OPENING_APIS.has(calleeName(value) ?? '') || WRAPPING_APIS.has(calleeName(value) ?? ''));
  }
  return false;
}

/** The unquoted text of a string literal without escapes or substitutions, else undefined. */
export function plainString(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c?.type === 'escape_sequence')) return undefined;
  return node.text.slice(1, -1);
}

/** Walks `node`'s subtree (without recursion), not descending where `enter` returns false. */
export function walk(node: SyntaxNode, enter: (n: SyntaxNode) => boolean | void): void {
  const stack: SyntaxNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    if (enter(n) === false) continue;
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c) stack.push(c);
    }
  }
}

/** TypeScript trees know type annotations; JavaScript's grammar has no such node. */
export function isTypeScriptTree(root: SyntaxNode): boolean {
  return root.tree.language.idForNodeType('type_annotation', true) !== null;
}

/** A string literal in the file's quote style. */
export function quoted(value: string, quote: CodeStyle['quote']): string {
  const escaped = value.replace(/[\\\n\r\t\u2028\u2029\0-\x1f\x7f]/g, (c) => {
    switch (c) {
      case '\\': return '\\\\';
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return quote + escaped.split(quote).join(`\\${quote}`) + quote;
}
