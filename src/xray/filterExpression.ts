// X-Ray filter expressions (GetTraceSummaries' FilterExpression): parsed into a small tree with errors that say
// what was expected and at which character, evaluated against one trace (its summary, and its segment
// documents when the expression needs them), and built safely from service names for other features.
// The language: https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html
//
// Decisions worth knowing:
// - Precedence, loosest first: OR (`||`), AND (`&&`, or two conditions side by side, as in the documented
//   `ok !partial duration <3`), NOT (`!`); parentheses group. Keywords and operators ignore case; annotation
//   keys and values do not.
// - Trace-level keywords read the root segment ("simple keywords find issues only at the trace level"): `error`
//   is the root segment's outcome (a throttle counts as an error, as in the summaries), while
//   `service() { error }` looks at every service. Without a segment that answered the request (Lambda mode:
//   the SDK never sends the facade segment) the summary flags decide.
// - A missing field matches no comparison, `!=` included (`http.status != 200` needs a status); a keyword alone
//   tests that the field is set. A field with several values (`user`, annotations) matches when one value does;
//   `!=` when the field is set and no value is equal.
// - What the local collector cannot evaluate (root causes, groups, `json`, `first`/`last`/`index`/`coverage`,
//   `message`, `remote`) is refused with an error, never read as true.
import { classifyDocument, responseStatus } from './classification';
import type { ApiServiceId, ApiTraceSummary, Outcome, SegmentDocument } from './model';
import { isObject } from './segmentDocument';
import { roundSeconds } from './segmentTime';
import { walkDocuments } from './segmentTree';
import { serviceType, traceTopology, type TraceTopology } from './traceTopology';
import { rootSegment, summarizeTrace } from './traceSummary';

/** Longer expressions are refused before parsing: nothing a person types or a feature builds comes close. */
export const MAX_FILTER_LENGTH = 8192;
/** Parentheses, braces and `!` nest at most this deep (the parser recurses once per level). */
export const MAX_FILTER_NESTING = 64;

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';
export type FilterValue = string | number | boolean;

/** A service named in `service(...)` / `edge(...)`: a quoted name, or `id(name: …, type: …)`. Absent parts match any. */
export interface ServiceSelector {
  name?: string;
  type?: string;
}

/** `at` is the 0-based offset of the node's first character in the expression. */
export type FilterNode =
  | { kind: 'or' | 'and'; operands: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'keyword'; keyword: string; op?: ComparisonOperator; value?: FilterValue; at: number }
  | { kind: 'annotation'; key: string; op?: ComparisonOperator; value?: FilterValue; at: number }
  | { kind: 'service'; service?: ServiceSelector; body?: FilterNode; at: number }
  | { kind: 'edge'; from: ServiceSelector; to: ServiceSelector; body?: FilterNode; at: number };

export interface FilterError {
  /** A sentence ending with "(character N)", N counted from 1: shown to the user as it is. */
  message: string;
  /** 0-based offsets of the offending text in the expression (start === end at the end of the text). */
  start: number;
  end: number;
  /** X-Ray itself accepts this (root causes, groups…); only the local collector cannot evaluate it. */
  localOnly?: true;
}

export type FilterParseResult = { ok: true; filter: TraceFilter } | { ok: false; error: FilterError };

/** What a filter reads from a trace. `documents()` is called only when the expression needs the segments. */
export interface FilterableTrace {
  summary: ApiTraceSummary;
  documents(): TraceDocuments;
}

/** Merged segments (TraceAssembler.segments) and streamed subsegments still waiting for their parent. */
export interface TraceDocuments {
  segments: SegmentDocument[];
  pending: SegmentDocument[];
}

export function parseFilterExpression(text: string): FilterParseResult {
  if (text.length > MAX_FILTER_LENGTH) {
    const message = `The filter expression is ${text.length.toLocaleString('en-US')} characters long; the local collector accepts at most ${MAX_FILTER_LENGTH.toLocaleString('en-US')}`;
    return { ok: false, error: { message, start: MAX_FILTER_LENGTH, end: text.length } };
  }
  try {
    return { ok: true, filter: new TraceFilter(text, new Parser(text).parse()) };
  } catch (error) {
    if (error instanceof SyntaxProblem) return { ok: false, error: { message: error.message, start: error.start, end: error.end, ...(error.localOnly ? { localOnly: true } : {}) } };
    throw error;
  }
}

/** A parsed expression, ready to test many traces (parse once per request, not per trace). */
export class TraceFilter {
  /** For each AND/OR node, its operands with those that read only the summary first: evaluation has no side effects. */
  private readonly cheapFirst = new Map<FilterNode, FilterNode[]>();

  constructor(readonly text: string, readonly expression: FilterNode) {
    this.plan(expression);
  }

  matches(trace: FilterableTrace): boolean {
    return this.evaluate(this.expression, new TraceFacts(trace), undefined);
  }

  private plan(node: FilterNode): boolean {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const costly = node.operands.map((operand) => this.plan(operand));
        this.cheapFirst.set(node, [...node.operands.filter((_, i) => !costly[i]), ...node.operands.filter((_, i) => costly[i])]);
        return costly.some(Boolean);
      }
      case 'not':
        return this.plan(node.operand);
      case 'keyword':
        return DOCUMENT_KEYWORDS.has(node.keyword);
      case 'annotation':
        return false;
      case 'service':
        // Without a body the summary's ServiceIds answer.
        if (node.body) this.plan(node.body);
        return node.body !== undefined;
      case 'edge':
        if (node.body) this.plan(node.body);
        return true;
    }
  }

  private evaluate(node: FilterNode, trace: TraceFacts, scope: DocumentScope | undefined): boolean {
    switch (node.kind) {
      case 'and':
        return (this.cheapFirst.get(node) ?? node.operands).every((operand) => this.evaluate(operand, trace, scope));
      case 'or':
        return (this.cheapFirst.get(node) ?? node.operands).some((operand) => this.evaluate(operand, trace, scope));
      case 'not':
        return !this.evaluate(node.operand, trace, scope);
      case 'keyword': {
        const values = scope ? documentValues(node.keyword, scope, trace) : traceValues(node.keyword, trace);
        return compare(values, node.op, node.value, FILTER_KEYWORDS.get(node.keyword)?.type === 'boolean');
      }
      case 'annotation':
        return compare(annotationValues(trace.summary, node.key), node.op, node.value, false);
      case 'service': {
        const { service, body } = node;
        if (!body) return (trace.summary.ServiceIds ?? []).some((id) => selects(service, id));
        return trace.topology().nodes.some((n) => selects(service, n.service)
          && this.evaluate(body, trace, { doc: n.doc, service: n.service, downstream: n.downstream }));
      }
      case 'edge': {
        const { from, to, body } = node;
        return trace.topology().edges.some((e) => selects(from, e.from) && selects(to, e.to)
          && (!body || this.evaluate(body, trace, { doc: e.doc, service: undefined, downstream: false })));
      }
    }
  }
}

/** A trace's summary and segments as one filterable value (tests, tools): the summary is computed here. */
export function filterableTrace(segments: SegmentDocument[], pending: SegmentDocument[] = []): FilterableTrace {
  return { summary: summarizeTrace(segments, pending), documents: () => ({ segments, pending }) };
}

// ---------------------------------------------------------------------------------------------------------
// Building expressions for other features (the service map filters by a node or an edge).

/** `"value"` with `\` and `"` escaped: the only escapes the parser knows. */
export function quoteFilterString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A service as the builders name it: by name, and by type too where two nodes share a name. */
export interface NamedService {
  name: string;
  type?: string;
}

/** `service("name")`, or `service(id(name: "name", type: "type"))` when the type is given. */
export function serviceFilter(name: string, type?: string): string {
  return `service(${selectorText({ name, type })})`;
}

/** `edge("from", "to")`; a service given with a type becomes `id(name: …, type: …)`. */
export function edgeFilter(from: string | NamedService, to: string | NamedService): string {
  const named = (s: string | NamedService) => selectorText(typeof s === 'string' ? { name: s } : s);
  return `edge(${named(from)}, ${named(to)})`;
}

function selectorText({ name, type }: NamedService): string {
  return type === undefined ? quoteFilterString(name) : `id(name: ${quoteFilterString(name)}, type: ${quoteFilterString(type)})`;
}

// ---------------------------------------------------------------------------------------------------------
// Keywords.

export type ValueType = 'boolean' | 'number' | 'string';
/** Where a condition is evaluated: the whole trace, or one service's segment / one edge's call inside { … }. */
export type FilterScope = 'trace' | 'service' | 'edge';
type Scope = FilterScope;

const EVERYWHERE: readonly Scope[] = ['trace', 'service', 'edge'];
/** The keywords the parser knows (lower case), with their value type and where they may be used. */
export const FILTER_KEYWORDS: ReadonlyMap<string, { type: ValueType; scopes: readonly Scope[] }> = new Map([
  ['ok', { type: 'boolean', scopes: EVERYWHERE }],
  ['error', { type: 'boolean', scopes: EVERYWHERE }],
  ['fault', { type: 'boolean', scopes: EVERYWHERE }],
  ['throttle', { type: 'boolean', scopes: EVERYWHERE }],
  ['partial', { type: 'boolean', scopes: EVERYWHERE }],
  ['inferred', { type: 'boolean', scopes: ['trace', 'service'] }],
  ['root', { type: 'boolean', scopes: ['service'] }],
  ['responsetime', { type: 'number', scopes: EVERYWHERE }],
  ['duration', { type: 'number', scopes: EVERYWHERE }],
  ['http.status', { type: 'number', scopes: EVERYWHERE }],
  ['http.url', { type: 'string', scopes: EVERYWHERE }],
  ['http.method', { type: 'string', scopes: EVERYWHERE }],
  ['http.useragent', { type: 'string', scopes: EVERYWHERE }],
  ['http.clientip', { type: 'string', scopes: EVERYWHERE }],
  ['user', { type: 'string', scopes: EVERYWHERE }],
  ['resource.arn', { type: 'string', scopes: EVERYWHERE }],
  ['instance.id', { type: 'string', scopes: EVERYWHERE }],
  ['availabilityzone', { type: 'string', scopes: EVERYWHERE }],
  ['name', { type: 'string', scopes: ['service'] }],
  ['type', { type: 'string', scopes: ['service'] }],
]);

/** Trace-level keywords the summary cannot answer: they need the segment documents. */
const DOCUMENT_KEYWORDS: ReadonlySet<string> = new Set(['ok', 'error', 'fault', 'throttle', 'inferred', 'availabilityzone']);

/** Documented keywords the local collector does not evaluate, with the reason shown to the user. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['first', 'root causes'], ['last', 'root causes'], ['index', 'root causes'], ['coverage', 'root causes'],
  ['remote', 'root causes'], ['message', 'root causes'], ['rootcause', 'root causes'], ['json', 'root causes'],
  ['group', 'groups'], ['group.name', 'groups'], ['group.arn', 'groups'],
]);

export const STRING_OPERATORS: readonly ComparisonOperator[] = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
export const NUMBER_OPERATORS: readonly ComparisonOperator[] = ['=', '!=', '<', '<=', '>', '>='];
export const BOOLEAN_OPERATORS: readonly ComparisonOperator[] = ['=', '!='];
export const WORD_OPERATORS: ReadonlyMap<string, ComparisonOperator> = new Map([
  ['contains', 'CONTAINS'], ['beginswith', 'BEGINSWITH'], ['endswith', 'ENDSWITH'],
]);

// ---------------------------------------------------------------------------------------------------------
// Evaluation.

/** Inside service(...) { … } or edge(...) { … }: the document that stands for the service or the call. */
interface DocumentScope {
  doc: SegmentDocument;
  /** Undefined on an edge. */
  service: ApiServiceId | undefined;
  downstream: boolean;
}

/** One trace while one filter looks at it: documents, root and topology computed on first use. */
class TraceFacts {
  readonly summary: ApiTraceSummary;
  private docs: TraceDocuments | undefined;
  private root: SegmentDocument | null | undefined;
  private topo: TraceTopology | undefined;

  constructor(private readonly trace: FilterableTrace) {
    this.summary = trace.summary;
  }

  documents(): TraceDocuments {
    return (this.docs ??= this.trace.documents());
  }

  /**
   * The segment that answered the request. rootSegment falls back to the earliest segment when every segment
   * has its parent in the trace (Lambda mode: the SDK's subsegments hang under a facade segment it never
   * sends); that one did not answer the request, so there is no root then.
   */
  rootSegment(): SegmentDocument | undefined {
    if (this.root === undefined) {
      const { segments, pending } = this.documents();
      const root = rootSegment(segments, pending);
      this.root = root && !(typeof root.parent_id === 'string' && documentIds(segments, pending).has(root.parent_id)) ? root : null;
    }
    return this.root ?? undefined;
  }

  topology(): TraceTopology {
    return (this.topo ??= traceTopology(this.documents().segments));
  }

  outcome(): Outcome {
    const root = this.rootSegment();
    if (root) return classifyDocument(root);
    const s = this.summary;
    return s.HasFault ? 'fault' : s.HasThrottle ? 'throttle' : s.HasError ? 'error' : 'ok';
  }
}

function documentIds(segments: SegmentDocument[], pending: SegmentDocument[]): Set<string> {
  const ids = new Set<string>();
  walkDocuments([...segments, ...pending], ({ doc }) => ids.add(doc.id));
  return ids;
}

function outcomeIs(keyword: string, outcome: Outcome): boolean {
  // A throttle is also an error, as HasError and the graph's ErrorStatistics count it.
  return keyword === 'error' ? outcome === 'error' || outcome === 'throttle' : outcome === keyword;
}

function traceValues(keyword: string, trace: TraceFacts): FilterValue[] {
  const s = trace.summary;
  switch (keyword) {
    case 'ok': case 'error': case 'fault': case 'throttle':
      return [outcomeIs(keyword, trace.outcome())];
    case 'partial': return [s.IsPartial === true];
    case 'inferred': return [trace.topology().nodes.some((n) => n.downstream)];
    case 'responsetime': return present(s.ResponseTime);
    case 'duration': return present(s.Duration);
    case 'http.status': return present(s.Http?.HttpStatus);
    case 'http.url': return present(s.Http?.HttpURL);
    case 'http.method': return present(s.Http?.HttpMethod);
    case 'http.useragent': return present(s.Http?.UserAgent);
    case 'http.clientip': return present(s.Http?.ClientIp);
    case 'user': return (s.Users ?? []).flatMap((u) => present(u.UserName));
    case 'resource.arn': return (s.ResourceARNs ?? []).flatMap((r) => present(r.ARN));
    case 'instance.id': return (s.InstanceIds ?? []).flatMap((r) => present(r.Id));
    case 'availabilityzone': return [...new Set(trace.documents().segments.flatMap((doc) => present(ec2Field(doc, 'availability_zone'))))];
    default: return [];
  }
}

function documentValues(keyword: string, scope: DocumentScope, trace: TraceFacts): FilterValue[] {
  const { doc } = scope;
  switch (keyword) {
    case 'ok': case 'error': case 'fault': case 'throttle':
      return [outcomeIs(keyword, classifyDocument(doc))];
    case 'partial': return [doc.in_progress === true];
    case 'inferred': return [scope.downstream];
    case 'root': return [doc === trace.rootSegment()];
    case 'responsetime':
    case 'duration':
      return typeof doc.end_time === 'number' ? [roundSeconds(Math.max(0, doc.end_time - doc.start_time))] : [];
    case 'http.status': return present(responseStatus(doc));
    case 'http.url': return present(requestField(doc, 'url'));
    case 'http.method': return present(requestField(doc, 'method'));
    case 'http.useragent': return present(requestField(doc, 'user_agent'));
    case 'http.clientip': return present(requestField(doc, 'client_ip'));
    case 'user': return present(doc.user);
    case 'resource.arn': return present(doc.resource_arn);
    case 'instance.id': return present(ec2Field(doc, 'instance_id'));
    case 'availabilityzone': return present(ec2Field(doc, 'availability_zone'));
    case 'name': return scope.service ? present(scope.service.Name) : [];
    case 'type': return scope.service ? [serviceType(scope.service)] : [];
    default: return [];
  }
}

function annotationValues(summary: ApiTraceSummary, key: string): FilterValue[] {
  const annotations = summary.Annotations ?? {};
  if (!Object.prototype.hasOwnProperty.call(annotations, key)) return [];
  return annotations[key].flatMap(({ AnnotationValue: v }) =>
    [v?.StringValue, v?.NumberValue, v?.BooleanValue].filter((x): x is FilterValue => x !== undefined));
}

/** `values` is what the trace or document holds for the keyword; see the rules at the top of the file. */
function compare(values: FilterValue[], op: ComparisonOperator | undefined, literal: FilterValue | undefined, isBoolean: boolean): boolean {
  if (op === undefined || literal === undefined) return isBoolean ? values[0] === true : values.length > 0;
  const same = values.filter((v) => typeof v === typeof literal);
  if (op === '!=') return same.length > 0 && same.every((v) => v !== literal);
  return same.some((v) => holds(v, op, literal));
}

function holds(value: FilterValue, op: ComparisonOperator, literal: FilterValue): boolean {
  switch (op) {
    case '=': return value === literal;
    // The parser lets only numbers reach the ordering operators.
    case '<': return (value as number) < (literal as number);
    case '<=': return (value as number) <= (literal as number);
    case '>': return (value as number) > (literal as number);
    case '>=': return (value as number) >= (literal as number);
    case 'CONTAINS': return (value as string).includes(literal as string);
    case 'BEGINSWITH': return (value as string).startsWith(literal as string);
    case 'ENDSWITH': return (value as string).endsWith(literal as string);
    default: return false;
  }
}

function selects(selector: ServiceSelector | undefined, id: ApiServiceId): boolean {
  if (!selector) return true;
  if (selector.name !== undefined && id.Name !== selector.name && !(id.Names ?? []).includes(selector.name)) return false;
  return selector.type === undefined || serviceType(id) === selector.type;
}

function present(value: unknown): FilterValue[] {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? [value] : [];
}

function requestField(doc: SegmentDocument, field: 'url' | 'method' | 'user_agent' | 'client_ip'): unknown {
  const request = isObject(doc.http) ? doc.http.request : undefined;
  return isObject(request) ? request[field] : undefined;
}

function ec2Field(doc: SegmentDocument, field: 'instance_id' | 'availability_zone'): unknown {
  const ec2 = isObject(doc.aws) ? doc.aws.ec2 : undefined;
  return isObject(ec2) ? ec2[field] : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing: a lexer that scans one token ahead, and a recursive-descent parser bounded by MAX_FILTER_NESTING.

class SyntaxProblem extends Error {
  localOnly = false;

  constructor(sentence: string, readonly start: number, readonly end: number) {
    super(`${sentence} (character ${start + 1})`);
  }
}

type TokenKind = 'word' | 'string' | 'number' | 'symbol' | 'key' | 'end';

interface Token {
  kind: TokenKind;
  /** The source text; for 'string' and 'key', `value` holds the decoded text. */
  text: string;
  value: string | number;
  start: number;
  end: number;
}

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const TWO_CHAR_SYMBOLS = new Set(['!=', '<=', '>=', '&&', '||', '==']);
const ONE_CHAR_SYMBOLS = new Set(['(', ')', '{', '}', ',', ':', '=', '<', '>', '!']);

class Lexer {
  private pos = 0;
  private ahead: Token | undefined;
  private last: Token | undefined;

  constructor(private readonly src: string) {}

  peek(): Token {
    return (this.ahead ??= this.scan());
  }

  next(): Token {
    const token = this.peek();
    this.ahead = undefined;
    this.last = token;
    return token;
  }

  private scan(): Token {
    const src = this.src;
    while (this.pos < src.length && /\s/.test(src[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= src.length) return { kind: 'end', text: '', value: '', start, end: start };
    const c = src[start];
    if (c === '"') return this.scanString();
    if (c === '[') return this.scanKey();
    if (c === "'") throw new SyntaxProblem('Strings are written in double quotes, as in "text"', start, start + 1);
    if (/[0-9]/.test(c) || ((c === '-' || c === '.') && /[0-9.]/.test(src[start + 1] ?? ''))) return this.scanNumber();
    WORD.lastIndex = start;
    const word = WORD.exec(src);
    if (word) return this.token('word', word[0], word[0]);
    const two = src.slice(start, start + 2);
    if (TWO_CHAR_SYMBOLS.has(two)) return this.token('symbol', two, two);
    if (ONE_CHAR_SYMBOLS.has(c)) return this.token('symbol', c, c);
    if (c === ']') throw new SyntaxProblem('Unexpected "]": there is no "[" to close', start, start + 1);
    throw new SyntaxProblem(`Unexpected character ${JSON.stringify(String.fromCodePoint(src.codePointAt(start) as number))}`, start, start + 1);
  }

  private token(kind: TokenKind, text: string, value: string | number): Token {
    const start = this.pos;
    this.pos += text.length;
    return { kind, text, value, start, end: this.pos };
  }

  private scanString(): Token {
    const src = this.src;
    const start = this.pos;
    let value = '';
    let i = start + 1;
    let run = i;
    for (;;) {
      if (i >= src.length) throw new SyntaxProblem('Unterminated string: add the closing " to the string that starts here', start, src.length);
      const ch = src[i];
      if (ch === '"') break;
      if (ch === '\\') {
        const escaped = src[i + 1];
        if (escaped !== '"' && escaped !== '\\') {
          if (escaped === undefined) throw new SyntaxProblem('Unterminated string: add the closing " to the string that starts here', start, src.length);
          throw new SyntaxProblem(`Unknown escape \\${escaped} in a string: only \\" and \\\\ are escapes`, i, i + 2);
        }
        value += src.slice(run, i) + escaped;
        i += 2;
        run = i;
        continue;
      }
      i++;
    }
    value += src.slice(run, i);
    this.pos = i + 1;
    return { kind: 'string', text: src.slice(start, i + 1), value, start, end: i + 1 };
  }

  /** `[key]` right after `annotation`: the key is quoted, or everything up to `]`. */
  private scanKey(): Token {
    const src = this.src;
    const start = this.pos;
    if (!(this.last?.kind === 'word' && this.last.text.toLowerCase() === 'annotation')) {
      throw new SyntaxProblem('Unexpected "[": brackets only follow annotation, as in annotation[key]', start, start + 1);
    }
    this.pos++;
    while (this.pos < src.length && /\s/.test(src[this.pos])) this.pos++;
    let key: string;
    if (src[this.pos] === '"') {
      key = this.scanString().value as string;
      while (this.pos < src.length && /\s/.test(src[this.pos])) this.pos++;
    } else {
      const close = src.indexOf(']', this.pos);
      key = src.slice(this.pos, close < 0 ? src.length : close).trim();
      this.pos = close < 0 ? src.length : close;
    }
    if (src[this.pos] !== ']') throw new SyntaxProblem('Missing "]" to close the annotation key that starts here', start, this.pos);
    this.pos++;
    if (key === '') throw new SyntaxProblem('Empty annotation key: write annotation[key]', start, this.pos);
    return { kind: 'key', text: src.slice(start, this.pos), value: key, start, end: this.pos };
  }

  private scanNumber(): Token {
    const src = this.src;
    const start = this.pos;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(src);
    const text = match ? match[0] : src[start];
    const after = start + text.length;
    if (!match || /[A-Za-z_.]/.test(src[after] ?? '')) {
      WORD.lastIndex = after;
      const whole = text + (WORD.exec(src)?.[0] ?? src[after] ?? '');
      throw new SyntaxProblem(`${JSON.stringify(whole)} is not a number: times are in seconds, as in 0.5`, start, start + whole.length);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) throw new SyntaxProblem(`${text} is out of range`, start, after);
    return this.token('number', text, value);
  }
}

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  parse(): FilterNode {
    const first = this.lexer.peek();
    if (first.kind === 'end') throw new SyntaxProblem('The filter expression is empty', first.start, first.end);
    const node = this.parseOr('trace');
    const rest = this.lexer.peek();
    if (rest.kind !== 'end') {
      if (isSymbol(rest, ')')) throw problemAt(rest, 'Unexpected ")": there is no "(" to close');
      if (isSymbol(rest, '}')) throw problemAt(rest, 'Unexpected "}": there is no "{" to close');
      throw problemAt(rest, `Expected AND, OR or the end of the expression, found ${describe(rest)}`);
    }
    return node;
  }

  private parseOr(scope: Scope): FilterNode {
    const operands = [this.parseAnd(scope)];
    while (isWord(this.lexer.peek(), 'or') || isSymbol(this.lexer.peek(), '||')) {
      this.lexer.next();
      operands.push(this.parseAnd(scope));
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private parseAnd(scope: Scope): FilterNode {
    const operands = [this.parseUnary(scope)];
    for (;;) {
      const next = this.lexer.peek();
      if (isWord(next, 'and') || isSymbol(next, '&&')) {
        this.lexer.next();
        operands.push(this.parseUnary(scope));
      } else if (startsCondition(next)) {
        // Two conditions side by side are both required, as in the documented `ok !partial duration <3`.
        operands.push(this.parseUnary(scope));
      } else {
        break;
      }
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  private parseUnary(scope: Scope): FilterNode {
    const next = this.lexer.peek();
    if (isSymbol(next, '!') || isWord(next, 'not')) {
      this.lexer.next();
      this.enter(next);
      const operand = this.parseUnary(scope);
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.parsePrimary(scope);
  }

  private parsePrimary(scope: Scope): FilterNode {
    const token = this.lexer.next();
    if (isSymbol(token, '(')) {
      this.enter(token);
      const inner = this.parseOr(scope);
      this.expect(')', `Missing ")" to close the "(" at character ${token.start + 1}`);
      this.depth--;
      return inner;
    }
    if (token.kind !== 'word' || isWord(token, 'and') || isWord(token, 'or')) {
      const what = token.kind === 'end' ? 'but the expression ends' : `found ${describe(token)}`;
      throw problemAt(token, `Expected a condition such as ok, responsetime > 1, http.url CONTAINS "/api" or service("name"), ${what}`);
    }
    const word = token.text.toLowerCase();
    if (word === 'service' || word === 'edge') {
      if (scope !== 'trace') throw problemAt(token, `${word}() cannot be used inside { … }`);
      return word === 'service' ? this.parseService(token) : this.parseEdge(token);
    }
    if (word === 'id') throw problemAt(token, 'id(...) names a service: use it inside service(...) or edge(...)');
    if (word === 'annotation' || word.startsWith('annotation.')) return this.parseAnnotation(token, scope);
    const spec = FILTER_KEYWORDS.get(word);
    if (spec) {
      if (!spec.scopes.includes(scope)) {
        const where = spec.scopes.includes('service') ? 'inside service(...) { … }' : 'outside { … }';
        throw problemAt(token, `${word} can only be used ${where}`);
      }
      return this.parseComparison(token, word, spec.type);
    }
    const unsupported = UNSUPPORTED.get(word) ?? (word.startsWith('rootcause.') ? 'root causes' : word.startsWith('group.') ? 'groups' : undefined);
    if (unsupported) {
      const problem = problemAt(token, `${token.text} filters on ${unsupported}, which the local collector does not support`);
      problem.localOnly = true;
      throw problem;
    }
    const suggestion = closestKeyword(word);
    throw problemAt(token, `Unknown keyword ${describe(token)}${suggestion ? `: did you mean ${suggestion}?` : ''}`);
  }

  private parseAnnotation(token: Token, scope: Scope): FilterNode {
    let key: string;
    if (token.text.length > 'annotation'.length) {
      key = token.text.slice('annotation.'.length);
      if (key === '') throw problemAt(token, 'Missing annotation key after "annotation.": write annotation.key or annotation[key]');
    } else {
      const keyToken = this.lexer.peek();
      if (keyToken.kind !== 'key') throw problemAt(token, 'annotation needs a key: write annotation.key or annotation[key]');
      this.lexer.next();
      key = keyToken.value as string;
    }
    if (scope !== 'trace') throw problemAt(token, 'Annotations belong to the whole trace: they cannot be used inside service() { … } or edge() { … }');
    const comparison = this.parseOperatorAndValue(token, undefined);
    return { kind: 'annotation', key, ...comparison, at: token.start };
  }

  private parseComparison(token: Token, keyword: string, type: ValueType): FilterNode {
    return { kind: 'keyword', keyword, ...this.parseOperatorAndValue(token, type), at: token.start };
  }

  /** The optional `operator value` after a keyword; `type` undefined (annotations) takes the value's type. */
  private parseOperatorAndValue(keyword: Token, type: ValueType | undefined): { op?: ComparisonOperator; value?: FilterValue } {
    const opToken = this.lexer.peek();
    const op = comparisonOperator(opToken);
    if (op === undefined) {
      if (isSymbol(opToken, '==')) throw problemAt(opToken, 'Equality is written with a single =');
      return {};
    }
    this.lexer.next();
    const valueToken = this.lexer.next();
    const after = `after "${keyword.text} ${opToken.text}"`;
    let value: FilterValue;
    if (valueToken.kind === 'string' || valueToken.kind === 'number') value = valueToken.value;
    else if (isWord(valueToken, 'true') || isWord(valueToken, 'false')) value = valueToken.text.toLowerCase() === 'true';
    else {
      const found = valueToken.kind === 'end' ? 'but the expression ends' : `found ${describe(valueToken)}`;
      const expected = type === 'string' ? 'a value in double quotes' : type === 'number' ? 'a number' : type === 'boolean' ? 'true or false' : 'a value (a number, "text", true or false)';
      throw problemAt(valueToken, `Expected ${expected} ${after}, ${found}`);
    }
    const name = keyword.text;
    // The documented form `ok = "true"` compares with the string: accept it as the boolean.
    if (type === 'boolean' && (value === 'true' || value === 'false')) value = value === 'true';
    const valueType = (type ?? typeof value) as ValueType;
    if (typeof value !== valueType) {
      if (valueType === 'string') throw problemAt(valueToken, `${name} is text: put the value in double quotes, as in ${name} ${opToken.text} ${quoteFilterString(String(value))}`);
      if (valueType === 'number') throw problemAt(valueToken, `${name} is a number: compare it with a number, as in ${name} ${opToken.text} 0.5`);
      throw problemAt(valueToken, `${name} is true or false: write ${name}, !${name} or ${name} = false`);
    }
    const allowed = valueType === 'string' ? STRING_OPERATORS : valueType === 'number' ? NUMBER_OPERATORS : BOOLEAN_OPERATORS;
    if (!allowed.includes(op)) {
      const what = valueType === 'string' ? 'text' : valueType === 'number' ? 'a number' : 'true or false';
      throw problemAt(opToken, `${opToken.text} does not apply to ${what}: ${name} takes ${allowed.join(', ')}`);
    }
    return { op, value };
  }

  private parseService(token: Token): FilterNode {
    this.expect('(', 'Expected "(" after service, as in service("name")');
    const service = isSymbol(this.lexer.peek(), ')') ? undefined : this.parseSelector();
    this.expect(')', 'Expected ")" to close service(');
    return { kind: 'service', service, body: this.parseBody('service'), at: token.start };
  }

  private parseEdge(token: Token): FilterNode {
    this.expect('(', 'Expected "(" after edge, as in edge("from", "to")');
    const from = this.parseSelector();
    this.expect(',', 'Expected "," and the second service: edge("from", "to")');
    const to = this.parseSelector();
    this.expect(')', 'Expected ")" to close edge(');
    return { kind: 'edge', from, to, body: this.parseBody('edge'), at: token.start };
  }

  private parseSelector(): ServiceSelector {
    const token = this.lexer.next();
    if (token.kind === 'string') return { name: token.value as string };
    if (isWord(token, 'id')) return this.parseId();
    const found = token.kind === 'end' ? 'but the expression ends' : `found ${describe(token)}`;
    throw problemAt(token, `Expected a service name in double quotes or id(name: "…", type: "…"), ${found}`);
  }

  private parseId(): ServiceSelector {
    const open = this.expect('(', 'Expected "(" after id, as in id(name: "name", type: "AWS::Lambda::Function")');
    const selector: ServiceSelector = {};
    if (isSymbol(this.lexer.peek(), ')')) throw problemAt(this.lexer.peek(), 'id() needs name: "…", type: "…" or both');
    do {
      const part = this.lexer.next();
      const name = part.kind === 'word' ? part.text.toLowerCase() : '';
      if (name !== 'name' && name !== 'type') throw problemAt(part, `id() takes name: and type:, found ${describe(part)}`);
      if (selector[name] !== undefined) throw problemAt(part, `id() has ${name}: twice`);
      this.expect(':', `Expected ":" after ${name}, as in ${name}: "…"`);
      const value = this.lexer.next();
      if (value.kind !== 'string') throw problemAt(value, `Expected the ${name} in double quotes after "${name}:", found ${describe(value)}`);
      selector[name] = value.value as string;
    } while (this.accept(','));
    this.expect(')', `Missing ")" to close the id( at character ${open.start + 1}`);
    return selector;
  }

  private parseBody(scope: Scope): FilterNode | undefined {
    const open = this.lexer.peek();
    if (!isSymbol(open, '{')) return undefined;
    this.lexer.next();
    this.enter(open);
    if (isSymbol(this.lexer.peek(), '}')) throw problemAt(this.lexer.peek(), 'Empty { }: put a condition inside, as in { fault }');
    const body = this.parseOr(scope);
    this.expect('}', `Missing "}" to close the "{" at character ${open.start + 1}`);
    this.depth--;
    return body;
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_FILTER_NESTING) {
      throw problemAt(token, `The expression nests deeper than ${MAX_FILTER_NESTING} levels of parentheses, braces and !`);
    }
  }

  private accept(symbol: string): boolean {
    if (!isSymbol(this.lexer.peek(), symbol)) return false;
    this.lexer.next();
    return true;
  }

  private expect(symbol: string, sentence: string): Token {
    const token = this.lexer.peek();
    if (!isSymbol(token, symbol)) {
      throw problemAt(token, `${sentence}, ${token.kind === 'end' ? 'but the expression ends' : `found ${describe(token)}`}`);
    }
    return this.lexer.next();
  }
}

function comparisonOperator(token: Token): ComparisonOperator | undefined {
  if (token.kind === 'symbol' && (NUMBER_OPERATORS as readonly string[]).includes(token.text)) return token.text as ComparisonOperator;
  return token.kind === 'word' ? WORD_OPERATORS.get(token.text.toLowerCase()) : undefined;
}

/** Whether `token` can begin a condition, so that `a b` reads as `a AND b`. */
function startsCondition(token: Token): boolean {
  if (token.kind === 'symbol') return token.text === '(' || token.text === '!';
  if (token.kind !== 'word') return token.kind === 'string' || token.kind === 'number';
  const word = token.text.toLowerCase();
  return word !== 'or' && !WORD_OPERATORS.has(word);
}

function isWord(token: Token, lower: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === lower;
}

function isSymbol(token: Token, symbol: string): boolean {
  return token.kind === 'symbol' && token.text === symbol;
}

function problemAt(token: Token, sentence: string): SyntaxProblem {
  return new SyntaxProblem(sentence, token.start, Math.max(token.end, token.start));
}

/** A token as an error message quotes it, clipped so a huge string does not flood the message. */
function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  const text = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return token.kind === 'string' ? text : `"${text}"`;
}

/** The known keyword within two edits of `word`, for "did you mean". */
function closestKeyword(word: string): string | undefined {
  if (word.length > 40) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of [...FILTER_KEYWORDS.keys(), 'service', 'edge', 'annotation']) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
