// Completion for X-Ray filter expressions: what can be typed at the cursor (a keyword, a service name, an annotation
// key or one of its values, an operator, AND / OR), read from the text before it, with the names and values taken
// from the traces listed. Also the history of applied expressions. The keywords are the documented ones
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html); those the local collector refuses
// (root causes, groups) are offered too, marked, since AWS evaluates them.
//
// The text is read with a scanner of its own rather than the parser's lexer: the parser stops at the first problem,
// and the text being completed is unfinished by definition (an open string, a dangling operator).
import {
  BOOLEAN_OPERATORS,
  FILTER_KEYWORDS,
  NUMBER_OPERATORS,
  quoteFilterString,
  STRING_OPERATORS,
  WORD_OPERATORS,
  type ComparisonOperator,
  type FilterScope,
  type FilterValue,
  type ValueType,
} from './filterExpression';

export type FilterCompletionKind = 'keyword' | 'service' | 'annotationKey' | 'annotationValue' | 'operator' | 'history';

export interface FilterCompletion {
  label: string;
  insertText: string;
  /** 0-based offsets of the text the item replaces (start === end: inserted at the cursor). */
  start: number;
  end: number;
  kind: FilterCompletionKind;
  detail?: string;
  /** Inserting it leads straight to the next list (after `service(`, `annotation.`, `AND `). */
  retrigger?: boolean;
}

export interface AnnotationVocabulary {
  /** Traces that have the key. */
  traces: number;
  /** The values seen, most traces first. */
  values: ReadonlyArray<{ value: FilterValue; traces: number }>;
}

/** What the listed traces hold: names and values to offer, each with the number of traces it was seen in. */
export interface FilterVocabulary {
  /** Service name → traces, most traces first. */
  services: ReadonlyMap<string, number>;
  /** Annotation key → its values, keys with most traces first. */
  annotations: ReadonlyMap<string, AnnotationVocabulary>;
}

/** The part of a trace summary the vocabulary reads (TraceSummaryView has it). */
export interface VocabularySource {
  services: readonly string[];
  annotations?: Readonly<Record<string, readonly FilterValue[]>>;
}

export const EMPTY_VOCABULARY: FilterVocabulary = { services: new Map(), annotations: new Map() };

/** How many applied expressions the history keeps. */
export const FILTER_HISTORY_SIZE = 20;

export function filterVocabulary(summaries: readonly VocabularySource[]): FilterVocabulary {
  const services = new Map<string, number>();
  const keys = new Map<string, { traces: number; values: Map<string, { value: FilterValue; traces: number }> }>();
  for (const summary of summaries) {
    for (const name of new Set(summary.services)) services.set(name, (services.get(name) ?? 0) + 1);
    for (const [key, values] of Object.entries(summary.annotations ?? {})) {
      let slot = keys.get(key);
      if (!slot) keys.set(key, (slot = { traces: 0, values: new Map() }));
      slot.traces++;
      for (const value of new Set(values)) {
        const id = `${typeof value}:${String(value)}`;
        const seen = slot.values.get(id);
        if (seen) seen.traces++;
        else slot.values.set(id, { value, traces: 1 });
      }
    }
  }
  const byTraces = <T>(entries: Iterable<[string, T]>, traces: (t: T) => number) =>
    [...entries].sort((a, b) => traces(b[1]) - traces(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    services: new Map(byTraces(services, (n) => n)),
    annotations: new Map(byTraces(keys, (k) => k.traces).map(([key, { traces, values }]) =>
      [key, { traces, values: [...values.values()].sort((a, b) => b.traces - a.traces) }])),
  };
}

/** The history with `expression` put first (once); at most `limit` entries. An empty expression changes nothing. */
export function rememberFilter(history: readonly string[], expression: string, limit = FILTER_HISTORY_SIZE): string[] {
  const text = expression.trim();
  if (!text) return history.slice(0, limit);
  return [text, ...history.filter((h) => h !== text)].slice(0, limit);
}

/**
 * The completions at `offset` in `text`. Not narrowed to what is typed so far: the editor filters (and ranks) by the
 * text between `start` and the cursor. `history` is offered when the text is empty.
 */
export function completeFilter(text: string, offset: number, vocabulary: FilterVocabulary, history: readonly string[] = []): FilterCompletion[] {
  offset = Math.max(0, Math.min(offset, text.length));
  const tokens = scan(text);
  // The word or string the cursor is in (or right after, for a word): the items replace it.
  const current = tokens.find((t) => t.start < offset && (offset < t.end || (offset === t.end && (t.kind === 'word' || (t.kind === 'string' && !t.closed)))));
  if (current && current.kind !== 'word' && current.kind !== 'string') return [];
  const before = tokens.filter((t) => t.end <= (current ? current.start : offset));
  const start = current ? current.start : offset;
  const end = current ? current.end : offset;
  const after = text.slice(end);
  const context = contextOf(before);

  if (text.trim() === '') {
    const recent = history.map((h): FilterCompletion => ({ label: h, insertText: h, start: 0, end: text.length, kind: 'history', detail: 'recent filter' }));
    return [...recent, ...keywordItems('trace', start, end)];
  }

  if (current?.kind === 'word' && /^annotation\./i.test(current.text) && context.kind === 'keyword' && context.scope === 'trace') {
    return annotationKeyItems(vocabulary, current, end);
  }

  switch (context.kind) {
    case 'keyword':
      // A string where a condition goes is not a start of one.
      return current?.kind === 'string' ? [] : keywordItems(context.scope, start, end);
    case 'service': {
      const closing = context.closing === ')' ? (/^\s*\)/.test(after) ? '' : ')') : /^\s*,/.test(after) ? '' : ', ';
      const items = [...vocabulary.services].map(([name, traces]): FilterCompletion => ({
        label: quoteFilterString(name), insertText: quoteFilterString(name) + closing, start, end, kind: 'service',
        detail: `service · in ${plural(traces, 'trace')}`, retrigger: closing === ', ',
      }));
      if (context.allowId && current?.kind !== 'string') {
        items.push({ label: 'id()', insertText: 'id(name: ', start, end, kind: 'keyword', detail: 'a service by name and type: id(name: "…", type: "…")', retrigger: true });
      }
      return items;
    }
    case 'annotationValue': {
      const values = vocabulary.annotations.get(context.key)?.values ?? [];
      const type: ValueType | undefined = (NUMBER_ONLY as readonly string[]).includes(context.op) ? 'number' : (STRING_ONLY as readonly string[]).includes(context.op) ? 'string' : undefined;
      return values
        .filter(({ value }) => type === undefined || typeof value === type)
        .filter(({ value }) => current?.kind !== 'string' || typeof value === 'string')
        .map(({ value, traces }): FilterCompletion => {
          const literal = typeof value === 'string' ? quoteFilterString(value) : String(value);
          return { label: literal, insertText: literal, start, end, kind: 'annotationValue', detail: `${typeof value} · in ${plural(traces, 'trace')}` };
        });
    }
    case 'complete': {
      if (current?.kind === 'string') return [];
      const items: FilterCompletion[] = [];
      // A field alone tests that it is set (or true); an operator can still follow it.
      if (!current && context.operand) {
        const operators = context.operand === 'string' ? STRING_OPERATORS : context.operand === 'number' ? NUMBER_OPERATORS : context.operand === 'boolean' ? BOOLEAN_OPERATORS : ANY_OPERATORS;
        for (const op of operators) items.push({ label: op, insertText: `${op} `, start, end, kind: 'operator', detail: `compare ${context.operand === 'any' ? 'the annotation' : `a ${context.operand}`}`, retrigger: context.operand === 'any' });
      }
      if (context.body) items.push({ label: '{ … }', insertText: '{ ', start, end, kind: 'operator', detail: `conditions on the ${context.body === 'service' ? "service's segments" : "edge's calls"}`, retrigger: true });
      items.push(
        { label: 'AND', insertText: 'AND ', start, end, kind: 'operator', detail: 'both conditions', retrigger: true },
        { label: 'OR', insertText: 'OR ', start, end, kind: 'operator', detail: 'either condition', retrigger: true },
      );
      return items;
    }
    case 'none':
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// What comes at the cursor, from the tokens before it.

type Context =
  | { kind: 'keyword'; scope: FilterScope }
  | { kind: 'service'; closing: ')' | ','; allowId: boolean }
  | { kind: 'annotationValue'; key: string; op: ComparisonOperator }
  /** A condition is complete; `operand` when it is a field alone (an operator may follow), `body` after service()/edge(). */
  | { kind: 'complete'; operand?: ValueType | 'any'; body?: 'service' | 'edge' }
  | { kind: 'none' };

const NUMBER_ONLY: readonly ComparisonOperator[] = ['<', '<=', '>', '>='];
const STRING_ONLY: readonly ComparisonOperator[] = ['CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
const ANY_OPERATORS: readonly ComparisonOperator[] = ['=', '!=', ...NUMBER_ONLY, ...STRING_ONLY];
const SYMBOL_OPERATORS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);

function contextOf(before: Token[]): Context {
  // Open parentheses and braces, each with the word it belongs to (service, edge, id) or the body it opens.
  const open: Array<{ symbol: '(' | '{'; owner: string }> = [];
  let closedOwner = '';
  for (let i = 0; i < before.length; i++) {
    const t = before[i];
    if (isSymbol(t, '(')) open.push({ symbol: '(', owner: before[i - 1]?.kind === 'word' ? before[i - 1].text.toLowerCase() : '' });
    else if (isSymbol(t, '{')) open.push({ symbol: '{', owner: isSymbol(before[i - 1], ')') ? closedOwner : '' });
    else if (isSymbol(t, ')') || isSymbol(t, '}')) closedOwner = open.pop()?.owner ?? '';
  }
  const inner = open[open.length - 1];
  const body = [...open].reverse().find((o) => o.symbol === '{')?.owner;
  const scope: FilterScope = body === 'service' || body === 'edge' ? body : 'trace';
  const last = before[before.length - 1];
  if (!last) return { kind: 'keyword', scope };

  // Service names: service(|, edge(|, edge("a", |, id(name: |.
  if (inner?.symbol === '(' && (inner.owner === 'service' || inner.owner === 'edge')) {
    if (isSymbol(last, '(')) return { kind: 'service', closing: inner.owner === 'edge' ? ',' : ')', allowId: true };
    if (isSymbol(last, ',') && inner.owner === 'edge') return { kind: 'service', closing: ')', allowId: true };
    return { kind: 'none' };
  }
  if (inner?.symbol === '(' && inner.owner === 'id') {
    const name = before[before.length - 2];
    return isSymbol(last, ':') && name?.kind === 'word' && name.text.toLowerCase() === 'name'
      ? { kind: 'service', closing: ',', allowId: false }
      : { kind: 'none' };
  }

  if (isSymbol(last, '(') || isSymbol(last, '{') || isSymbol(last, '!') || isSymbol(last, '&&') || isSymbol(last, '||')) return { kind: 'keyword', scope };
  if (last.kind === 'word' && ['and', 'or', 'not'].includes(last.text.toLowerCase())) return { kind: 'keyword', scope };

  const op = operatorOf(last);
  if (op) {
    const key = annotationKeyBefore(before, before.length - 2);
    return key === undefined ? { kind: 'none' } : { kind: 'annotationValue', key, op };
  }

  // A value after an operator, a closed group, or a field alone: the condition is complete.
  const previous = before[before.length - 2];
  if ((last.kind === 'string' && last.closed) || last.kind === 'number' || (last.kind === 'word' && /^(true|false)$/i.test(last.text))) {
    return previous && operatorOf(previous) ? { kind: 'complete' } : { kind: 'none' };
  }
  if (isSymbol(last, '}')) return { kind: 'complete' };
  if (isSymbol(last, ')')) return { kind: 'complete', body: closedOwner === 'service' || closedOwner === 'edge' ? closedOwner : undefined };
  if (annotationKeyBefore(before, before.length - 1) !== undefined) return { kind: 'complete', operand: 'any' };
  if (last.kind === 'word') {
    const spec = FILTER_KEYWORDS.get(last.text.toLowerCase());
    if (spec) return { kind: 'complete', operand: spec.type === 'boolean' ? undefined : spec.type };
  }
  return { kind: 'none' };
}

/** The annotation key whose last token is before[i]: `annotation.key` or `annotation[key]`. */
function annotationKeyBefore(before: Token[], i: number): string | undefined {
  const t = before[i];
  if (t?.kind === 'word' && /^annotation\../i.test(t.text)) return t.text.slice('annotation.'.length);
  const word = before[i - 1];
  if (t?.kind === 'key' && word?.kind === 'word' && word.text.toLowerCase() === 'annotation') return t.value;
  return undefined;
}

function operatorOf(t: Token): ComparisonOperator | undefined {
  if (t.kind === 'symbol' && SYMBOL_OPERATORS.has(t.text)) return t.text as ComparisonOperator;
  return t.kind === 'word' ? WORD_OPERATORS.get(t.text.toLowerCase()) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Items.

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map([
  ['ok', 'response status 2XX'],
  ['error', 'response status 4XX'],
  ['throttle', 'response status 429'],
  ['fault', 'response status 5XX'],
  ['partial', 'the request has incomplete segments'],
  ['inferred', 'the request has inferred segments'],
  ['root', "the service is the trace's entry point"],
  ['responsetime', 'seconds the server took to respond'],
  ['duration', 'seconds in all, downstream calls included'],
  ['http.status', 'response status code'],
  ['http.url', 'request URL'],
  ['http.method', 'request method'],
  ['http.useragent', 'request user agent'],
  ['http.clientip', "requester's IP address"],
  ['user', 'the user field of any segment'],
  ['resource.arn', 'the resource ARN of any segment'],
  ['instance.id', 'the EC2 instance id of any segment'],
  ['availabilityzone', 'the availability zone of any segment'],
  ['name', 'the service name'],
  ['type', 'the service type'],
]);

/** Documented, evaluated by AWS X-Ray only: the local collector refuses them. */
const AWS_ONLY: ReadonlyArray<[string, string]> = [
  ['group.name', "a group's filter expression, by name"],
  ['group.arn', "a group's filter expression, by ARN"],
  ...['fault', 'error', 'responsetime'].flatMap((cause): Array<[string, string]> =>
    ['service', 'entity', ...(cause === 'responsetime' ? [] : ['exception'])].map((what) => [`rootcause.${cause}.${what}`, `${cause} root cause ${what} { … }`])),
  ['rootcause.json', 'a JSON root cause object'],
];

function keywordItems(scope: FilterScope, start: number, end: number): FilterCompletion[] {
  const item = (label: string, insertText: string, detail: string, retrigger = false): FilterCompletion =>
    ({ label, insertText, start, end, kind: 'keyword', detail, retrigger });
  const items: FilterCompletion[] = [];
  for (const [keyword, spec] of FILTER_KEYWORDS) {
    if (spec.scopes.includes(scope)) items.push(item(keyword, keyword, `${spec.type} · ${DESCRIPTIONS.get(keyword) ?? ''}`));
  }
  if (scope === 'trace') {
    items.push(
      item('service()', 'service(', 'traces through a service: service("name") { … }', true),
      item('edge()', 'edge(', 'traces with a call between two services: edge("from", "to") { … }', true),
      item('annotation.', 'annotation.', 'an annotation: annotation.key = value', true),
      ...AWS_ONLY.map(([keyword, what]) => item(keyword, keyword, `${what} · AWS X-Ray only (the local collector refuses it)`)),
    );
  }
  items.push({ label: 'NOT', insertText: 'NOT ', start, end, kind: 'operator', detail: 'the condition after it is false', retrigger: true });
  return items;
}

function annotationKeyItems(vocabulary: FilterVocabulary, word: Token, end: number): FilterCompletion[] {
  const keyStart = word.start + 'annotation.'.length;
  return [...vocabulary.annotations].map(([key, { traces, values }]): FilterCompletion => {
    const detail = `annotation · ${plural(values.length, 'value')} · in ${plural(traces, 'trace')}`;
    // annotation.key takes the characters of a keyword; any other key is written annotation["key"].
    if (/^[A-Za-z0-9_]+$/.test(key)) return { label: key, insertText: key, start: keyStart, end, kind: 'annotationKey', detail };
    return { label: `annotation[${quoteFilterString(key)}]`, insertText: `annotation[${quoteFilterString(key)}]`, start: word.start, end, kind: 'annotationKey', detail };
  });
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------------
// A scanner that never fails: an unterminated string runs to the end, an unknown character is a symbol.

interface Token {
  kind: 'word' | 'string' | 'number' | 'symbol' | 'key';
  text: string;
  /** For strings and keys: the decoded text. */
  value: string;
  start: number;
  end: number;
  /** Strings: the closing quote is there. */
  closed?: boolean;
}

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const TWO_CHAR_SYMBOLS: ReadonlySet<string> = new Set(['!=', '<=', '>=', '&&', '||', '==']);

function scan(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], end: number, value?: string, closed?: boolean) => {
    tokens.push({ kind, text: src.slice(i, end), value: value ?? src.slice(i, end), start: i, end, closed });
    i = end;
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const { end, value, closed } = scanString(src, i);
      push('string', end, value, closed);
      continue;
    }
    const previous = tokens[tokens.length - 1];
    if (c === '[' && previous?.kind === 'word' && previous.text.toLowerCase() === 'annotation') {
      const close = src.indexOf(']', i);
      const end = close < 0 ? src.length : close + 1;
      const inner = src.slice(i + 1, close < 0 ? src.length : close).trim();
      push('key', end, inner.startsWith('"') ? scanString(inner, 0).value : inner);
      continue;
    }
    NUMBER.lastIndex = i;
    const number = /[0-9.-]/.test(c) ? NUMBER.exec(src) : null;
    if (number) {
      push('number', i + number[0].length);
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(src);
    if (word) {
      push('word', i + word[0].length);
      continue;
    }
    push('symbol', i + (TWO_CHAR_SYMBOLS.has(src.slice(i, i + 2)) ? 2 : 1));
  }
  return tokens;
}

function scanString(src: string, start: number): { end: number; value: string; closed: boolean } {
  let value = '';
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '"') return { end: i + 1, value, closed: true };
    if (src[i] === '\\' && i + 1 < src.length) i++;
    value += src[i];
  }
  return { end: src.length, value, closed: false };
}

function isSymbol(t: Token | undefined, symbol: string): boolean {
  return t?.kind === 'symbol' && t.text === symbol;
}
