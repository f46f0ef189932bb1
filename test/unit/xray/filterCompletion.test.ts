import * as assert from 'assert';
import { completeFilter, filterVocabulary, rememberFilter, type FilterCompletion, type FilterVocabulary } from '../../../src/xray/filterCompletion';
import { parseFilterExpression } from '../../../src/xray/filterExpression';

const VOCABULARY: FilterVocabulary = filterVocabulary([
  { services: ['frontend-api', 'inventory-svc'], annotations: { route: ['GET /orders/:id'], customer_tier: ['gold'], items: [2] } },
  { services: ['frontend-api'], annotations: { route: ['POST /orders/:id/checkout'], customer_tier: ['standard'], 'odd-key': [true] } },
  { services: ['frontend-api', 'inventory-svc'], annotations: { route: ['GET /orders/:id'], items: [1, 2] } },
]);

/** Completions at the `|` in `text`. */
function at(marked: string, history: string[] = []): FilterCompletion[] {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, `no | in ${marked}`);
  return completeFilter(marked.slice(0, offset) + marked.slice(offset + 1), offset, VOCABULARY, history);
}

function labels(items: FilterCompletion[], kind?: FilterCompletion['kind']): string[] {
  return items.filter((i) => kind === undefined || i.kind === kind).map((i) => i.label);
}

/** The text after applying `item` to `marked`. */
function apply(marked: string, item: FilterCompletion): string {
  const text = marked.replace('|', '');
  return text.slice(0, item.start) + item.insertText + text.slice(item.end);
}

function find(items: FilterCompletion[], label: string): FilterCompletion {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no ${label} among ${labels(items).join(', ')}`);
  return item;
}

suite('filter completion', () => {
  test('the vocabulary counts traces per service, annotation key and value, most traces first', () => {
    assert.deepStrictEqual([...VOCABULARY.services], [['frontend-api', 3], ['inventory-svc', 2]]);
    assert.deepStrictEqual([...VOCABULARY.annotations.keys()], ['route', 'customer_tier', 'items', 'odd-key']);
    const route = VOCABULARY.annotations.get('route');
    assert.deepStrictEqual(route, { traces: 3, values: [{ value: 'GET /orders/:id', traces: 2 }, { value: 'POST /orders/:id/checkout', traces: 1 }] });
    assert.deepStrictEqual(VOCABULARY.annotations.get('items')?.values, [{ value: 2, traces: 2 }, { value: 1, traces: 1 }]);
    // A key named like an Object.prototype property is a plain key.
    const odd = filterVocabulary([{ services: [], annotations: Object.fromEntries([['__proto__', ['x']]]) }]);
    assert.deepStrictEqual([...odd.annotations.keys()], ['__proto__']);
  });

  test('at the start: the documented keywords, AWS-only ones marked', () => {
    const items = at('|');
    const keywords = labels(items, 'keyword');
    for (const k of ['fault', 'error', 'throttle', 'ok', 'partial', 'responsetime', 'duration', 'http.status', 'http.url', 'http.method',
      'http.useragent', 'http.clientip', 'user', 'service()', 'edge()', 'annotation.', 'group.name', 'rootcause.fault.service']) {
      assert.ok(keywords.includes(k), `${k} missing from ${keywords.join(', ')}`);
    }
    // name, type and root belong inside service() { … }.
    assert.ok(!keywords.includes('name') && !keywords.includes('root'));
    assert.match(find(items, 'group.name').detail ?? '', /AWS X-Ray only/);
    assert.doesNotMatch(find(items, 'fault').detail ?? '', /AWS X-Ray only/);
    assert.deepStrictEqual(find(items, 'service()'), { ...find(items, 'service()'), insertText: 'service(', retrigger: true, start: 0, end: 0 });
  });

  test('a word being typed is replaced whole', () => {
    const item = find(at('fault AND resp|onse'), 'responsetime');
    assert.deepStrictEqual([item.start, item.end], [10, 18]);
    assert.strictEqual(apply('fault AND resp|onse', item), 'fault AND responsetime');
  });

  test('after AND, OR, NOT, ( and !: keywords again', () => {
    for (const marked of ['fault AND |', 'fault or |', 'NOT |', '(|', 'ok && !|', 'fault OR (error AND |']) {
      assert.ok(labels(at(marked), 'keyword').includes('http.status'), marked);
    }
  });

  test('inside service() { … } the service keywords, not annotations or service()', () => {
    const inside = labels(at('service("frontend-api") { |'), 'keyword');
    assert.ok(['name', 'type', 'root', 'fault', 'responsetime'].every((k) => inside.includes(k)), inside.join(', '));
    assert.ok(!inside.includes('annotation.') && !inside.includes('service()'));
    const edge = labels(at('edge("a", "b") { fault OR |'), 'keyword');
    assert.ok(edge.includes('fault') && !edge.includes('root') && !edge.includes('name'), edge.join(', '));
    // After the body closes, the trace's keywords are back.
    assert.ok(labels(at('service("a") { fault } AND |'), 'keyword').includes('annotation.'));
  });

  test('after service( and edge(: the services seen, quoted, with the closing that is missing', () => {
    const items = at('service(|');
    assert.deepStrictEqual(labels(items, 'service'), ['"frontend-api"', '"inventory-svc"']);
    assert.strictEqual(find(items, '"frontend-api"').detail, 'service · in 3 traces');
    assert.strictEqual(apply('service(|', find(items, '"frontend-api"')), 'service("frontend-api")');
    assert.strictEqual(apply('service(|) { fault }', find(at('service(|) { fault }'), '"inventory-svc"')), 'service("inventory-svc") { fault }');
    assert.ok(labels(items).includes('id()'));
    // A string being typed is replaced with its quotes.
    const typing = at('service("inv|');
    assert.strictEqual(apply('service("inv|', find(typing, '"inventory-svc"')), 'service("inventory-svc")');
    // edge: the first name leads to the second.
    const first = find(at('edge(|'), '"frontend-api"');
    assert.strictEqual(apply('edge(|', first), 'edge("frontend-api", ');
    assert.strictEqual(first.retrigger, true);
    assert.strictEqual(apply('edge("frontend-api", |', find(at('edge("frontend-api", |'), '"inventory-svc"')), 'edge("frontend-api", "inventory-svc")');
    assert.deepStrictEqual(labels(at('service(id(name: |'), 'service'), ['"frontend-api"', '"inventory-svc"']);
    // Names with quotes are escaped as the parser reads them.
    const odd = completeFilter('service(', 8, filterVocabulary([{ services: ['a"b\\c'] }]));
    assert.strictEqual(odd[0].insertText, '"a\\"b\\\\c")');
    const parsed = parseFilterExpression(`service(${odd[0].insertText}`);
    assert.ok(parsed.ok && parsed.filter.expression.kind === 'service' && parsed.filter.expression.service?.name === 'a"b\\c');
  });

  test('after annotation.: the keys seen, replacing what follows the dot', () => {
    const items = at('fault AND annotation.|');
    assert.deepStrictEqual(labels(items, 'annotationKey'), ['route', 'customer_tier', 'items', 'annotation["odd-key"]']);
    assert.strictEqual(find(items, 'route').detail, 'annotation · 2 values · in 3 traces');
    assert.strictEqual(apply('fault AND annotation.cus|', find(at('fault AND annotation.cus|'), 'customer_tier')), 'fault AND annotation.customer_tier');
    // A key a dotted name cannot spell is written in brackets, and parses.
    const odd = apply('annotation.|', find(at('annotation.|'), 'annotation["odd-key"]'));
    assert.strictEqual(odd, 'annotation["odd-key"]');
    assert.ok(parseFilterExpression(`${odd} = true`).ok);
  });

  test("after annotation.KEY <op>: that key's values, strings quoted, numbers for < and >", () => {
    const route = at('annotation.route = |');
    assert.deepStrictEqual(labels(route, 'annotationValue'), ['"GET /orders/:id"', '"POST /orders/:id/checkout"']);
    assert.strictEqual(find(route, '"GET /orders/:id"').detail, 'string · in 2 traces');
    assert.deepStrictEqual(labels(at('annotation.items > |')), ['2', '1']);
    assert.deepStrictEqual(labels(at('annotation.items CONTAINS |')), []);
    assert.deepStrictEqual(labels(at('annotation[customer_tier] != |')), ['"gold"', '"standard"']);
    assert.deepStrictEqual(labels(at('annotation["odd-key"] = |')), ['true']);
    // An open string is completed in place.
    assert.strictEqual(apply('annotation.route = "PO|', find(at('annotation.route = "PO|'), '"POST /orders/:id/checkout"')), 'annotation.route = "POST /orders/:id/checkout"');
    // Every value offered makes a valid expression.
    for (const item of at('annotation.route = |')) assert.ok(parseFilterExpression(apply('annotation.route = |', item)).ok, item.label);
  });

  test('after a complete comparison: AND and OR; after a field alone its operators too', () => {
    for (const marked of ['fault |', 'responsetime > 2 |', 'http.url CONTAINS "/api" |', 'service("a") { fault } |', '(ok OR error) |', 'annotation.route = "x" |']) {
      const items = at(marked);
      assert.deepStrictEqual(labels(items, 'operator').filter((l) => l === 'AND' || l === 'OR'), ['AND', 'OR'], marked);
      assert.deepStrictEqual(labels(items, 'keyword'), [], marked);
    }
    assert.deepStrictEqual(labels(at('fault A|'), 'operator'), ['AND', 'OR']);
    assert.deepStrictEqual(labels(at('responsetime |'), 'operator'), ['=', '!=', '<', '<=', '>', '>=', 'AND', 'OR']);
    assert.deepStrictEqual(labels(at('http.method |'), 'operator'), ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH', 'AND', 'OR']);
    assert.ok(labels(at('annotation.items |'), 'operator').includes('>'));
    assert.ok(labels(at('service("frontend-api") |'), 'operator').includes('{ … }'));
    assert.strictEqual(apply('fault |', find(at('fault |'), 'AND')), 'fault AND ');
  });

  test('nowhere to complete: inside a value, after a keyword operator, inside a closed string', () => {
    assert.deepStrictEqual(at('responsetime > |'), []);
    assert.deepStrictEqual(at('http.url CONTAINS "/a|pi"'), []);
    assert.deepStrictEqual(at('annotation.route = "x" AND http.status = 5|00'), []);
  });

  test('the empty text offers the history first, replacing everything', () => {
    const items = at('  |  ', ['fault', 'service("a")']);
    assert.deepStrictEqual(labels(items, 'history'), ['fault', 'service("a")']);
    assert.deepStrictEqual([items[0].start, items[0].end], [0, 4]);
    assert.ok(labels(items, 'keyword').includes('fault'));
    assert.deepStrictEqual(labels(at('f|', ['fault']), 'history'), []);
  });

  test('the history keeps 20 distinct expressions, newest first', () => {
    let history: string[] = [];
    for (let i = 0; i < 25; i++) history = rememberFilter(history, `responsetime > ${i}`);
    assert.strictEqual(history.length, 20);
    assert.strictEqual(history[0], 'responsetime > 24');
    assert.strictEqual(history[19], 'responsetime > 5');
    history = rememberFilter(history, '  responsetime > 10 ');
    assert.deepStrictEqual(history.slice(0, 2), ['responsetime > 10', 'responsetime > 24']);
    assert.strictEqual(history.filter((h) => h === 'responsetime > 10').length, 1);
    assert.strictEqual(history.length, 20);
    assert.deepStrictEqual(rememberFilter(history, '   '), history);
  });
});
