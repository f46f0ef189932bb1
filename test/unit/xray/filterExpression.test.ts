import * as assert from 'assert';
import {
  edgeFilter,
  filterableTrace,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NESTING,
  parseFilterExpression,
  quoteFilterString,
  serviceFilter,
  type FilterError,
  type FilterNode,
  type ServiceSelector,
  type TraceFilter,
} from '../../../src/xray/filterExpression';
import type { SegmentDocument } from '../../../src/xray/model';
import { TraceAssembler } from '../../../src/xray/traceAssembler';
import { scenarioTraceId, sdkDocuments, seededRandom } from './fixtureData';

function parse(text: string): TraceFilter {
  const result = parseFilterExpression(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.filter;
}

function parseError(text: string): FilterError {
  const result = parseFilterExpression(text);
  if (result.ok) throw new Error(`${text} parsed, expected an error`);
  return result.error;
}

/** The tree with every group in parentheses, so precedence shows. */
function show(node: FilterNode): string {
  const selector = (s: ServiceSelector | undefined) =>
    s === undefined ? '' : s.type === undefined ? JSON.stringify(s.name) : `id(${JSON.stringify(s.name ?? null)}, ${JSON.stringify(s.type)})`;
  const comparison = (op: string | undefined, value: unknown) => (op === undefined ? '' : ` ${op} ${JSON.stringify(value)}`);
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.operands.map(show).join(` ${node.kind.toUpperCase()} `)})`;
    case 'not':
      return `NOT ${show(node.operand)}`;
    case 'keyword':
      return `${node.keyword}${comparison(node.op, node.value)}`;
    case 'annotation':
      return `annotation[${node.key}]${comparison(node.op, node.value)}`;
    case 'service':
      return `service(${selector(node.service)})${node.body ? ` {${show(node.body)}}` : ''}`;
    case 'edge':
      return `edge(${selector(node.from)}, ${selector(node.to)})${node.body ? ` {${show(node.body)}}` : ''}`;
  }
}

const tree = (text: string) => show(parse(text).expression);

/** Every fixture trace, merged as the store merges it, with its own summary. */
function fixtureTraces(): Map<string, { segments: SegmentDocument[]; pending: SegmentDocument[] }> {
  const assemblers = new Map<string, TraceAssembler>();
  for (const doc of sdkDocuments()) {
    const id = doc.trace_id as string;
    let assembler = assemblers.get(id);
    if (!assembler) assemblers.set(id, (assembler = new TraceAssembler(id)));
    assembler.add(doc);
  }
  return new Map([...assemblers].map(([id, a]) => [id, { segments: a.segments(), pending: a.pendingSubsegments() }]));
}

suite('filter expressions: parsing', () => {
  test('precedence: NOT binds tightest, then AND (also written as two conditions side by side), then OR', () => {
    assert.strictEqual(tree('ok OR error AND fault'), '(ok OR (error AND fault))');
    assert.strictEqual(tree('ok AND error OR fault'), '((ok AND error) OR fault)');
    assert.strictEqual(tree('!ok AND fault'), '(NOT ok AND fault)');
    assert.strictEqual(tree('NOT (ok OR fault)'), 'NOT (ok OR fault)');
    assert.strictEqual(tree('(ok OR error) AND fault'), '((ok OR error) AND fault)');
    assert.strictEqual(tree('ok || error && fault'), '(ok OR (error AND fault))');
    // The documented example: three conditions, all required.
    assert.strictEqual(tree('ok !partial duration <3'), '(ok AND NOT partial AND duration < 3)');
    assert.strictEqual(tree('ok fault OR error'), '((ok AND fault) OR error)');
    assert.strictEqual(tree('!!ok'), 'NOT NOT ok');
  });

  test('keywords and operators ignore case; annotation keys and values keep it', () => {
    assert.strictEqual(tree('http.url AND ResponseTime > 2'), '(http.url AND responsetime > 2)');
    assert.strictEqual(tree('HTTP.URL contains "/Api" or Http.Method BeginsWith "P"'), '(http.url CONTAINS "/Api" OR http.method BEGINSWITH "P")');
    assert.strictEqual(tree('annotation.GameId = "817DL6VO" and not Fault'), '(annotation[GameId] = "817DL6VO" AND NOT fault)');
  });

  test('values: numbers, quoted strings with escapes, true / false (also quoted, as documented for booleans)', () => {
    assert.strictEqual(tree('responsetime >= -0.5e1'), 'responsetime >= -5');
    assert.strictEqual(tree('duration < .25'), 'duration < 0.25');
    assert.strictEqual(tree('http.url = "a\\"b\\\\c"'), 'http.url = "a\\"b\\\\c"');
    assert.strictEqual((parse('http.url = "a\\"b\\\\c"').expression as { value: string }).value, 'a"b\\c');
    assert.strictEqual(tree('ok = false'), 'ok = false');
    assert.strictEqual(tree('ok != "true"'), 'ok != true');
    assert.strictEqual(tree('annotation.flag = TRUE'), 'annotation[flag] = true');
  });

  test('annotation.key, annotation[key] with any characters, annotation["quoted ] key"]', () => {
    assert.strictEqual(tree('annotation.age > 29'), 'annotation[age] > 29');
    assert.strictEqual(tree('annotation.a.b'), 'annotation[a.b]');
    assert.strictEqual(tree('annotation[ my-key/v2 ] = "x"'), 'annotation[my-key/v2] = "x"');
    assert.strictEqual(tree('annotation["odd ] \\" key"]'), 'annotation[odd ] " key]');
    assert.strictEqual(tree('!annotation.age'), 'NOT annotation[age]');
  });

  test('service(), edge() and id() with their optional { … } bodies', () => {
    assert.strictEqual(tree('service("api.example.com") { fault }'), 'service("api.example.com") {fault}');
    assert.strictEqual(tree('service() { fault }'), 'service() {fault}');
    assert.strictEqual(tree('service()'), 'service()');
    assert.strictEqual(tree('edge("api.example.com", "backend.example.com") { error OR responsetime > 1 }'),
      'edge("api.example.com", "backend.example.com") {(error OR responsetime > 1)}');
    assert.strictEqual(tree('service(id(name: "random-name", type: "AWS::Lambda::Function")) { error }'),
      'service(id("random-name", "AWS::Lambda::Function")) {error}');
    assert.strictEqual(tree('service(id(type: "AWS::Lambda::Function"))'), 'service(id(null, "AWS::Lambda::Function"))');
    assert.strictEqual(tree('edge(id(name: "a", type: "client"), id(name: "b"))'), 'edge(id("a", "client"), "b")');
    assert.strictEqual(tree('service("data-plane") {root = true and fault = true}'), 'service("data-plane") {(root = true AND fault = true)}');
    assert.strictEqual(tree('http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")'),
      '(http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND NOT service("api.example.com"))');
  });

  test('errors say what was expected and where (character counted from 1)', () => {
    const cases: [string, string, number][] = [
      ['responsetime >', 'Expected a number after "responsetime >", but the expression ends (character 15)', 14],
      ['responsetime > "fast"', 'responsetime is a number: compare it with a number, as in responsetime > 0.5 (character 16)', 15],
      ['http.url = 5', 'http.url is text: put the value in double quotes, as in http.url = "5" (character 12)', 11],
      ['http.url < "b"', '< does not apply to text: http.url takes =, !=, CONTAINS, BEGINSWITH, ENDSWITH (character 10)', 9],
      ['ok = 1', 'ok is true or false: write ok, !ok or ok = false (character 6)', 5],
      ['respnsetime > 1', 'Unknown keyword "respnsetime": did you mean responsetime? (character 1)', 0],
      ['ok AND (fault OR error', 'Missing ")" to close the "(" at character 8, but the expression ends (character 23)', 22],
      ['ok) OR fault', 'Unexpected ")": there is no "(" to close (character 3)', 2],
      ['http.url CONTAINS "/api', 'Unterminated string: add the closing " to the string that starts here (character 19)', 18],
      ["http.url = 'x'", 'Strings are written in double quotes, as in "text" (character 12)', 11],
      ['http.url = "a\\nb"', 'Unknown escape \\n in a string: only \\" and \\\\ are escapes (character 14)', 13],
      ['responsetime > 5s', '"5s" is not a number: times are in seconds, as in 0.5 (character 16)', 15],
      ['duration == 2', 'Equality is written with a single = (character 10)', 9],
      ['ok AND', 'Expected a condition such as ok, responsetime > 1, http.url CONTAINS "/api" or service("name"), but the expression ends (character 7)', 6],
      ['ok fault 3', 'Expected a condition such as ok, responsetime > 1, http.url CONTAINS "/api" or service("name"), found "3" (character 10)', 9],
      ['service("a") {', 'Expected a condition such as ok, responsetime > 1, http.url CONTAINS "/api" or service("name"), but the expression ends (character 15)', 14],
      ['service("a") { }', 'Empty { }: put a condition inside, as in { fault } (character 16)', 15],
      ['service("a") { fault', 'Missing "}" to close the "{" at character 14, but the expression ends (character 21)', 20],
      ['service(a)', 'Expected a service name in double quotes or id(name: "…", type: "…"), found "a" (character 9)', 8],
      ['edge("a")', 'Expected "," and the second service: edge("from", "to"), found ")" (character 9)', 8],
      ['service(id())', 'id() needs name: "…", type: "…" or both (character 12)', 11],
      ['service(id(kind: "x"))', 'id() takes name: and type:, found "kind" (character 12)', 11],
      ['service(id(name: "a", name: "b"))', 'id() has name: twice (character 23)', 22],
      ['id(name: "a")', 'id(...) names a service: use it inside service(...) or edge(...) (character 1)', 0],
      ['service("a") { service("b") }', 'service() cannot be used inside { … } (character 16)', 15],
      ['edge("a", "b") { annotation.x = 1 }', 'Annotations belong to the whole trace: they cannot be used inside service() { … } or edge() { … } (character 18)', 17],
      ['name = "x"', 'name can only be used inside service(...) { … } (character 1)', 0],
      ['edge("a", "b") { inferred }', 'inferred can only be used inside service(...) { … } (character 18)', 17],
      ['annotation', 'annotation needs a key: write annotation.key or annotation[key] (character 1)', 0],
      ['annotation. = 1', 'Missing annotation key after "annotation.": write annotation.key or annotation[key] (character 1)', 0],
      ['annotation[] = 1', 'Empty annotation key: write annotation[key] (character 11)', 10],
      ['annotation[abc = 1', 'Missing "]" to close the annotation key that starts here (character 11)', 10],
      ['http.url[x]', 'Unexpected "[": brackets only follow annotation, as in annotation[key] (character 9)', 8],
      ['ok % fault', 'Unexpected character "%" (character 4)', 3],
      ['ok \u0000', 'Unexpected character "\\u0000" (character 4)', 3],
      ['', 'The filter expression is empty (character 1)', 0],
      ['   ', 'The filter expression is empty (character 4)', 3],
    ];
    for (const [text, message, start] of cases) {
      const error = parseError(text);
      assert.strictEqual(error.message, message, text);
      assert.strictEqual(error.start, start, text);
      assert.ok(error.end >= error.start && error.end <= text.length, `${text}: end ${error.end}`);
    }
  });

  test('what the local collector cannot evaluate is refused by name, never read as true', () => {
    const cases: [string, string][] = [
      ['rootcause.fault.service { name = "Auth" }', 'rootcause.fault.service filters on root causes, which the local collector does not support (character 1)'],
      ['rootcause.responsetime.entity { last and coverage > 0.8 }', 'rootcause.responsetime.entity filters on root causes, which the local collector does not support (character 1)'],
      ['group.name = "high_response_time" AND user = "alice"', 'group.name filters on groups, which the local collector does not support (character 1)'],
      ['ok AND json', 'json filters on root causes, which the local collector does not support (character 8)'],
      ['service() { first }', 'first filters on root causes, which the local collector does not support (character 13)'],
      ['message = "x"', 'message filters on root causes, which the local collector does not support (character 1)'],
    ];
    for (const [text, message] of cases) {
      assert.strictEqual(parseError(text).message, message);
      // X-Ray accepts these: the views do not mark them as mistakes on AWS.
      assert.strictEqual(parseError(text).localOnly, true, text);
    }
    for (const text of ['fualt', 'annotation.x =', 'service("a") {']) assert.strictEqual(parseError(text).localOnly, undefined, text);
  });

  test('hostile input: too long, too deep, huge strings and random bytes give errors, never a throw or a stack overflow', () => {
    const long = parseError('ok OR '.repeat(2000) + 'ok');
    assert.strictEqual(long.message, `The filter expression is 12,002 characters long; the local collector accepts at most ${MAX_FILTER_LENGTH.toLocaleString('en-US')}`);

    // Just under the limit: 1,360 operands in one flat OR, no recursion per operand.
    const wide = parse(`${'ok OR '.repeat(1360)}ok`.slice(0, MAX_FILTER_LENGTH));
    assert.strictEqual(wide.expression.kind, 'or');
    assert.strictEqual((wide.expression as { operands: FilterNode[] }).operands.length, 1361);

    const deep = parseError(`${'('.repeat(4000)}ok${')'.repeat(4000)}`);
    assert.strictEqual(deep.message, `The expression nests deeper than ${MAX_FILTER_NESTING} levels of parentheses, braces and ! (character ${MAX_FILTER_NESTING + 1})`);
    assert.match(parseError(`${'!'.repeat(8000)}ok`).message, /nests deeper than 64 levels/);
    assert.match(parseError(`service() {${' service() {'.repeat(100)}`).message, /service\(\) cannot be used inside/);
    // The deepest nesting allowed still parses.
    assert.strictEqual(parse(`${'('.repeat(MAX_FILTER_NESTING)}ok${')'.repeat(MAX_FILTER_NESTING)}`).expression.kind, 'keyword');

    const bigString = 'x'.repeat(MAX_FILTER_LENGTH - 30);
    assert.strictEqual((parse(`http.url CONTAINS "${bigString}"`).expression as { value: string }).value, bigString);
    // An error quoting a huge token stays short.
    assert.ok(parseError(`ok ${'"'}${'y'.repeat(5000)}" ok`).message.length < 200);

    const random = seededRandom(7);
    const alphabet = ['ok', ' ', '(', ')', '{', '}', '!', '=', '!=', '<', '>', '"', '\\', 'AND', 'or', 'service', 'edge', 'id', ':', ',', 'name',
      'annotation', '[', ']', '.', 'x', '5', '-', 'responsetime', 'http.url', 'CONTAINS', 'true', '\u0000', '\u202e', '😀'];
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(random() * 30);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const result = parseFilterExpression(text);
      if (result.ok) parsed++;
      else {
        assert.match(result.error.message, /\(character \d+\)$/, text);
        assert.ok(result.error.start >= 0 && result.error.start <= text.length, text);
      }
    }
    assert.ok(parsed > 0 && parsed < 3000, `${parsed} of 3000 random expressions parsed`);
  });
});

suite('filter expressions: builders', () => {
  test('serviceFilter / edgeFilter quote and escape any name; the parser reads back exactly that name', () => {
    assert.strictEqual(serviceFilter('frontend-api'), 'service("frontend-api")');
    assert.strictEqual(serviceFilter('random-name', 'AWS::Lambda::Function'), 'service(id(name: "random-name", type: "AWS::Lambda::Function"))');
    assert.strictEqual(edgeFilter('a', 'b'), 'edge("a", "b")');
    assert.strictEqual(edgeFilter({ name: 'a', type: 'client' }, 'b'), 'edge(id(name: "a", type: "client"), "b")');
    assert.strictEqual(quoteFilterString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');

    const names = ['plain', 'with "quotes"', 'back\\slash', 'trailing\\', '"', '\\"', '") OR ok OR ("', '} { fault', 'ünïcödé 😀', 'new\nline', '', ' spaced '];
    for (const name of names) {
      const service = parse(serviceFilter(name)).expression;
      assert.deepStrictEqual(service, { kind: 'service', service: { name }, body: undefined, at: 0 }, name);
      const typed = parse(serviceFilter(name, `AWS::${name}`)).expression;
      assert.deepStrictEqual(typed.kind === 'service' && typed.service, { name, type: `AWS::${name}` }, name);
      const edge = parse(edgeFilter(name, { name: `${name}2`, type: name })).expression;
      assert.deepStrictEqual(edge.kind === 'edge' && [edge.from, edge.to], [{ name }, { name: `${name}2`, type: name }], name);
      // Usable inside a larger expression too.
      assert.strictEqual(parse(`${serviceFilter(name)} { fault } AND ok`).expression.kind, 'and');
    }
  });
});

suite('filter expressions: evaluation on the captured SDK traces', () => {
  const traces = fixtureTraces();
  const matching = (text: string) => {
    const filter = parse(text);
    return [...traces].filter(([, t]) => filter.matches(filterableTrace(t.segments, t.pending))).map(([id]) => id);
  };
  const matches = (scenario: string, text: string) => matching(text).includes(scenarioTraceId(scenario));

  test('trace-level outcome is the root segment\'s: 500 → fault, 400 → error, 429 → throttle and error', () => {
    // crash-500: frontend-api answered 500 (fault flag set too).
    assert.deepStrictEqual(['ok', 'error', 'fault', 'throttle'].map((k) => matches('crash-500', k)), [false, false, true, false]);
    // bad-400: the SDK set fault as well (next(err)), the 400 decides.
    assert.deepStrictEqual(['ok', 'error', 'fault', 'throttle'].map((k) => matches('bad-400', k)), [false, true, false, false]);
    assert.deepStrictEqual(['ok', 'error', 'fault', 'throttle'].map((k) => matches('limited-429', k)), [false, true, false, true]);
    assert.deepStrictEqual(['ok', 'error', 'fault', 'throttle'].map((k) => matches('orders-200-frontend', k)), [true, false, false, false]);
    assert.ok(matches('crash-500', '!ok') && matches('crash-500', 'ok = false') && matches('crash-500', 'ok != true'));
    assert.ok(!matches('crash-500', 'ok = true'));
  });

  test('checkout-502: the root faulted, inventory-svc answered 409: service() { … } looks at each service', () => {
    // frontend-api → 127.0.0.1 (remote call, 409) → inventory-svc segment (409, fault flag from the SDK).
    assert.ok(matches('checkout-502-frontend', 'fault AND http.status = 502'));
    assert.ok(matches('checkout-502-frontend', 'service("inventory-svc") { error }'));
    assert.ok(!matches('checkout-502-frontend', 'service("inventory-svc") { fault }'));
    assert.ok(matches('checkout-502-frontend', 'service("frontend-api") { fault AND root }'));
    assert.ok(!matches('checkout-502-frontend', 'service("inventory-svc") { root }'));
    assert.ok(matches('checkout-502-frontend', 'edge("frontend-api", "inventory-svc") { error AND http.status = 409 }'));
    assert.ok(!matches('checkout-502-frontend', 'edge("inventory-svc", "frontend-api")'));
    assert.ok(matches('checkout-502-frontend', 'edge(id(name: "frontend-api", type: "client"), id(name: "frontend-api", type: "AWS::ECS::Container"))'));
    assert.ok(matches('checkout-502-frontend', 'service(id(name: "inventory-svc", type: "unknown"))'));
    assert.ok(!matches('checkout-502-frontend', 'service(id(name: "inventory-svc", type: "AWS::ECS::Container"))'));
    assert.ok(matches('checkout-502-frontend', 'user = "anonymous" AND annotation.route = "POST /orders/:id/checkout" AND annotation.items = 1'));
    assert.ok(matches('checkout-502-frontend', 'service() { name BEGINSWITH "inv" AND type = "unknown" }'));
    assert.ok(!matches('checkout-502-frontend', 'user != "anonymous"'));
  });

  test('dynamodb-throttle: the DynamoDB call throttled (400 + throttle flag), the root answered 500', () => {
    assert.ok(matches('dynamodb-throttle', 'fault AND !throttle'));
    assert.ok(matches('dynamodb-throttle', 'service(id(type: "AWS::DynamoDB::Table")) { throttle AND error AND http.status = 400 }'));
    // The GetItem call on table Hot is drawn as the table, as the service graph draws it.
    assert.ok(matches('dynamodb-throttle', 'edge("frontend-api", id(name: "Hot", type: "AWS::DynamoDB::Table")) { throttle AND responsetime > 0.2 }'));
    assert.ok(!matches('dynamodb-throttle', 'edge("frontend-api", "Orders")'));
    assert.ok(matches('dynamodb-throttle', 'inferred'));
    assert.ok(matches('dynamodb-throttle', 'service() { inferred AND throttle }'));
    assert.ok(!matches('crash-500', 'inferred'), 'crash-500 calls nothing downstream');
  });

  test('Lambda mode (no segment answered the request): the summary flags decide; annotations of streamed subsegments count', () => {
    // Two inventory-svc segments (200) under remote calls of processRecord subsegments; one processRecord faulted.
    assert.ok(matches('lambda-mode-subsegment-ok', 'fault'));
    assert.ok(!matches('lambda-mode-subsegment-ok', 'ok'));
    assert.ok(matches('lambda-mode-subsegment-ok', 'annotation.record_id = "r2" AND annotation.sku = "SKU-BAD"'));
    assert.ok(matches('lambda-mode-subsegment-ok', 'service("inventory-svc") { ok AND !root }'));
  });

  test('numbers, strings, presence and missing fields', () => {
    assert.ok(matches('crash-500', 'http.status = 500 AND http.status >= 500 AND http.status < 501 AND http.status != 200'));
    assert.ok(matches('crash-500', 'http.method = "GET" AND http.url CONTAINS "/" AND http.clientip = "127.0.0.1"'));
    assert.ok(matches('crash-500', 'http.useragent BEGINSWITH "xray-fixture" AND http.useragent ENDSWITH "/1.0"'));
    assert.ok(matches('crash-500', 'responsetime < 0.1 AND duration < 0.1 AND responsetime > 0'));
    assert.ok(!matches('crash-500', 'user != "x"'), 'a missing field matches no comparison, != included');
    assert.ok(matches('crash-500', '!user'));
    assert.ok(matches('checkout-502-frontend', 'user CONTAINS ""'));
    assert.ok(!matches('crash-500', 'user CONTAINS ""'));
    assert.ok(!matches('crash-500', 'annotation.route'), 'crash-500 has no annotations');
    assert.ok(matches('crash-500', '!annotation.route'));
    // An annotation holding a number is not equal to the same digits as text.
    assert.ok(!matches('checkout-502-frontend', 'annotation.items = "1"'));
    assert.ok(!matches('checkout-502-frontend', 'annotation.items != "1"'));
  });

  test('counts over all 453 traces agree with a direct reading of the documents', () => {
    assert.strictEqual(traces.size, 453);
    const summaries = [...traces.values()].map((t) => filterableTrace(t.segments, t.pending).summary);
    assert.strictEqual(matching('http.status = 500').length, summaries.filter((s) => s.Http?.HttpStatus === 500).length);
    assert.strictEqual(matching('responsetime > 0.1').length, summaries.filter((s) => (s.ResponseTime ?? 0) > 0.1).length);
    assert.strictEqual(matching('service("inventory-svc")').length, summaries.filter((s) => s.ServiceIds?.some((id) => id.Name === 'inventory-svc')).length);
    // Every trace is ok, error or fault at its root (throttles are errors), never two of ok / error / fault.
    const [ok, error, fault] = ['ok', 'error AND !fault', 'fault'].map((k) => new Set(matching(k)));
    assert.strictEqual(ok.size + error.size + fault.size, 453);
    assert.strictEqual(matching('ok OR error OR fault').length, 453);
    assert.strictEqual(matching('!(ok OR error OR fault)').length, 0);
    // De Morgan holds on real data.
    assert.deepStrictEqual(matching('!(service("inventory-svc") AND responsetime > 0.05)'), matching('!service("inventory-svc") OR !(responsetime > 0.05)'));
    // A service body that always holds is the service alone.
    assert.deepStrictEqual(matching('service("redis@127.0.0.1") { ok OR !ok }'), matching('service("redis@127.0.0.1")'));
  });
});
