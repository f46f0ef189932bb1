// Function ranges through the real tree-sitter grammars (@vscode/tree-sitter-wasm) on small files of each
// language (test/fixtures/code) and on the repository's own sample apps.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CodeParser, languageForFile, loadCodeParser, type FunctionRange, type ParsedCode } from '../../../src/code/functionRanges';
import { WASM_DIR, generatedModule } from './functionRangesHelpers';

const ROOT = path.resolve(__dirname, '../../../..');

function parseFile(parser: CodeParser, relative: string): ParsedCode {
  const language = languageForFile(relative);
  assert.ok(language, relative);
  return parser.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'), language);
}

/** name → [first line, last line, name line] 1-based, and its call sites as "api name @line" (1-based). */
function outline(fns: FunctionRange[]): Record<string, unknown> {
  return Object.fromEntries(fns.map((f) => [f.name, {
    lines: [f.startLine + 1, f.endLine + 1, f.nameLine + 1],
    kind: f.kind,
    calls: f.callSites.map((c) => `${c.api} ${c.name} @${c.line + 1}`),
    tracedAs: f.tracedAs,
  }]));
}

suite('function ranges (tree-sitter)', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR);
  });
  suiteTeardown(() => parser.dispose());

  test('Python: methods with their class, capture decorators with and without a name, in_subsegment (positional and name=)', () => {
    assert.deepStrictEqual(outline(parseFile(parser, 'test/fixtures/code/orders.py').functions), {
      'OrderStore.__init__': { lines: [6, 7, 6], kind: 'constructor', calls: [], tracedAs: [] },
      'OrderStore.load': { lines: [9, 11, 10], kind: 'method', calls: ['capture load_order @9'], tracedAs: [] },
      'OrderStore.save': { lines: [13, 17, 14], kind: 'method', calls: ['in_subsegment orders-put @15'], tracedAs: ['save'] },
      price_order: { lines: [20, 22, 21], kind: 'function', calls: [], tracedAs: ['price_order'] },
      handler: { lines: [25, 29, 25], kind: 'function', calls: ['in_subsegment handler-body @28'], tracedAs: [] },
      nested: { lines: [26, 27, 26], kind: 'function', calls: [], tracedAs: [] },
    });
  });

  test('Java: Class.method, constructor, nested class, beginSubsegment, @XRayEnabled on the class', () => {
    assert.deepStrictEqual(outline(parseFile(parser, 'test/fixtures/code/Inventory.java').functions), {
      'Inventory.Inventory': { lines: [11, 13, 11], kind: 'constructor', calls: [], tracedAs: [] },
      'Inventory.lookup': { lines: [15, 22, 15], kind: 'method', calls: ['beginSubsegment stock-lookup @16'], tracedAs: ['lookup'] },
      // Spring's @XRayEnabled advises the annotated class's bean, not a nested class.
      'Store.count': { lines: [25, 27, 25], kind: 'method', calls: [], tracedAs: [] },
    });
  });

  test('Go: receiver-qualified methods, xray.Capture(ctx, "name", fn) and BeginSubsegment', () => {
    assert.deepStrictEqual(outline(parseFile(parser, 'test/fixtures/code/store.go').functions), {
      'Store.Get': { lines: [12, 19, 12], kind: 'method', calls: ['Capture store-get @14'], tracedAs: [] },
      Open: { lines: [21, 25, 21], kind: 'function', calls: ['BeginSubsegment store-open @22'], tracedAs: [] },
    });
  });

  test('C#: methods with their class, AWSXRayRecorder.Instance.BeginSubsegment', () => {
    assert.deepStrictEqual(outline(parseFile(parser, 'test/fixtures/code/Checkout.cs').functions), {
      'Checkout.Charge': { lines: [7, 18, 7], kind: 'method', calls: ['BeginSubsegment charge-card @9'], tracedAs: [] },
      'Checkout.Gateway': { lines: [20, 20, 20], kind: 'method', calls: [], tracedAs: [] },
    });
  });

  test('OpenTelemetry span names in Python, Java, Go and C#, and Python capture_async: the call sites the instrumentation commands write', () => {
    const calls = (text: string, language: Parameters<CodeParser['parse']>[1]) => Object.fromEntries(parser.parse(text, language).functions
      .map((f) => [f.name, [...f.callSites.map((c) => `${c.api} ${c.name} @${c.line + 1}`), ...f.tracedAs.map((t) => `as ${t}`)]]));
    assert.deepStrictEqual(calls([
      'class Cart:',
      '    def total(self):',
      "        with tracer.start_as_current_span('Cart.total', attributes={'a': 1}) as span:",
      '            return 1',
      '    @xray_recorder.capture_async()',
      '    async def save(self):',
      '        span = tracer.start_span("cart-save")',
      "@xray_recorder.capture_async('pay')",
      'async def pay():',
      '    pass',
    ].join('\n'), 'python'), {
      'Cart.total': ['start_as_current_span Cart.total @3'],
      'Cart.save': ['start_span cart-save @7', 'as save'],
      pay: ['capture_async pay @8'],
    });
    assert.deepStrictEqual(calls([
      'class Orders {',
      '  void place() {',
      '    Span span = tracer.spanBuilder("Orders.place").setAttribute("code.function.name", "Orders.place").startSpan();',
      '  }',
      '  void other(String n) { Span s = tracer.spanBuilder(n).startSpan(); }',
      '}',
    ].join('\n'), 'java'), { 'Orders.place': ['spanBuilder Orders.place @3'], 'Orders.other': [] });
    assert.deepStrictEqual(calls([
      'package shop',
      'func (s *Shop) Buy(ctx context.Context, name string) {',
      '\tctx, span := otel.Tracer("shop").Start(ctx, "Shop.Buy", trace.WithAttributes())',
      '\tdefer span.End()',
      '\ttimer.Start("not a span name")',
      '\t_, other := tracer.Start(ctx, name)',
      '}',
    ].join('\n'), 'go'), { 'Shop.Buy': ['Start Shop.Buy @3'] });
    assert.deepStrictEqual(calls([
      'class Pay {',
      '  void Run() {',
      '    using var activity = Source.StartActivity("Pay.Run");',
      '  }',
      '}',
    ].join('\n'), 'csharp'), { 'Pay.Run': ['StartActivity Pay.Run @3'] });
  });

  test('TypeScript: class methods and arrow fields, exported arrows, startActiveSpan; a template-literal span name is no call site', () => {
    const parsed = parseFile(parser, 'test/fixtures/code/quotes.ts');
    assert.deepStrictEqual(outline(parsed.functions), {
      'QuoteService.constructor': { lines: [8, 8, 8], kind: 'constructor', calls: [], tracedAs: [] },
      'QuoteService.quote': { lines: [10, 16, 10], kind: 'method', calls: ['startActiveSpan quote @11'], tracedAs: [] },
      'QuoteService.refresh': { lines: [18, 22, 18], kind: 'method', calls: ['captureAsyncFunc refresh-rates @19'], tracedAs: [] },
      computeTax: { lines: [25, 29, 25], kind: 'function', calls: [], tracedAs: [] },
      formatQuote: { lines: [31, 33, 31], kind: 'function', calls: ['captureFunc formatQuote @32'], tracedAs: [] },
    });
    assert.deepStrictEqual(parsed.topLevelCallSites, []);
  });

  test('TSX: a component and the arrow bound inside it', () => {
    assert.deepStrictEqual(outline(parseFile(parser, 'test/fixtures/code/Cart.tsx').functions), {
      Cart: { lines: [6, 9, 6], kind: 'function', calls: [], tracedAs: [] },
      onCheckout: { lines: [7, 7, 7], kind: 'function', calls: ['startActiveSpan checkout-click @7'], tracedAs: [] },
    });
  });

  test('the sample app: each captureFunc/captureAsyncFunc lands in the named function around it', () => {
    const orders = outline(parseFile(parser, 'samples/frontend/routes/orders.js').functions);
    assert.deepStrictEqual(Object.keys(orders), ['formatOrder', 'getOrder', 'validateCart', 'checkout']);
    assert.deepStrictEqual((orders.formatOrder as { calls: string[] }).calls, ['captureFunc formatOrder @11']);
    assert.deepStrictEqual((orders.checkout as { calls: string[] }).calls, ['captureAsyncFunc checkout @40']);
    const stock = parseFile(parser, 'samples/inventory/stock.js').functions;
    const byCall = Object.fromEntries(stock.flatMap((f) => f.callSites.map((c) => [c.name, f.name])));
    assert.deepStrictEqual(byCall, { 'stock-cache': 'readCache', lookupStock: 'lookupStock', reserveStock: 'reserveStock' });
    const store = parseFile(parser, 'samples/frontend/lib/orderStore.js').functions;
    const load = store.find((f) => f.callSites.some((c) => c.name === 'loadOrder'));
    // queryOrders is opened inside loadOrder's callback: an anonymous arrow, so it belongs to the same function.
    assert.deepStrictEqual(load?.callSites.map((c) => c.name), ['loadOrder', 'queryOrders']);
    // startActiveSpan(name, …) with a variable name is not a call site: OpenTelemetry's code.* attributes map those.
    const quotes = parseFile(parser, 'samples/quotes/pricing.js');
    assert.deepStrictEqual(quotes.functions.map((f) => f.name), ['QuoteError.constructor', 'callerLine', 'inSpan', 'validateSku', 'computeQuote']);
    assert.ok(quotes.functions.every((f) => f.callSites.length === 0));
  });

  test('hostile input: 20,000 nested blocks and a 3 MB file finish in bounded time; over the size limit is refused', () => {
    const deep = `function f() {\n${'{'.repeat(20_000)}${'}'.repeat(20_000)}\n}\n`;
    let started = performance.now();
    const parsed = parser.parse(deep, 'javascript');
    assert.ok(performance.now() - started < 5000);
    assert.deepStrictEqual(parsed.functions.map((f) => f.name), ['f']);
    const body = 'def g(x):\n    return [' + '('.repeat(5_000) + 'x' + ')'.repeat(5_000) + ']\n';
    assert.deepStrictEqual(parser.parse(body, 'python').functions.map((f) => f.name), ['g']);
    const big = 'function h() { return 1; }\n'.repeat(120_000);
    started = performance.now();
    const huge = parser.parse(big, 'javascript', { maxMillis: 1000 });
    assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
    assert.ok(huge.incomplete === 'timeout' || huge.functions.length === 120_000);
    assert.deepStrictEqual(parser.parse(big, 'javascript', { maxChars: 1000 }), { language: 'javascript', functions: [], topLevelCallSites: [], incomplete: 'too-large' });
  });

  test('a 2,000-line file parses in well under a second (printed)', () => {
    const text = generatedModule(2000);
    assert.ok(text.split('\n').length >= 2000);
    parser.parse(text, 'typescript');
    const started = performance.now();
    const parsed = parser.parse(text, 'typescript');
    const ms = performance.now() - started;
    console.log(`      2,000-line TypeScript file: ${ms.toFixed(1)} ms, ${parsed.functions.length} functions`);
    assert.strictEqual(parsed.functions.length, (text.match(/async method\d+\(/g) ?? []).length);
    assert.ok(ms < 1000);
  });
});
