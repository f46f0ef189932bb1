// Trace This Function, Add Annotation and Add Metadata for JavaScript/TypeScript: golden files per flavour and
// function shape (test/fixtures/instrument/javascript), each output parsed by tree-sitter, checked by
// `node --check` (JS) or the TypeScript compiler (TS, type-checked against the real @opentelemetry/api and
// aws-xray-sdk-core types), refused a second time, and mapped back to the wrapped function.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { Module } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as vm from 'vm';
import { loadCodeParser, type CodeLanguage, type CodeParser } from '../../../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt, MAX_ANNOTATIONS } from '../../../../src/code/instrument/instrumentation';
import type { AnnotationRequest, TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { WASM_DIR } from '../functionRangesHelpers';
import { applied, assertGolden, assertMapsBack, FIXTURES, readFixture, syntaxError } from './instrumentGolden';

const JS = 'javascript';
const ROOT = path.resolve(FIXTURES, '../../..');

interface Shape {
  input: string;
  at: string;
  name: string;
  /** Expected file name without flavour and extension: `<base>.otel.<ext>`, `<base>.xray.<ext>`. */
  base: string;
}

const SHAPES: Shape[] = [
  { input: 'orders.js', at: 'function priceOrder', name: 'priceOrder', base: 'orders-sync' },
  { input: 'orders.js', at: 'async function loadOrder', name: 'loadOrder', base: 'orders-async' },
  { input: 'orders.js', at: 'formatOrder = ', name: 'formatOrder', base: 'orders-arrow-expression' },
  { input: 'orders.js', at: "throw new Error('empty cart')", name: 'validateCart', base: 'orders-arrow-block' },
  { input: 'store.js', at: 'async find', name: 'OrderStore.find', base: 'store-method' },
  { input: 'store.js', at: 'count()', name: 'OrderStore.count', base: 'store-one-line-method' },
  { input: 'store.js', at: 'refresh = ', name: 'OrderStore.refresh', base: 'store-class-field-arrow' },
  { input: 'store.js', at: 'return this.entries', name: 'cache.lookup', base: 'store-object-method' },
  { input: 'nested.js', at: 'return total * 0.9', name: 'applyDiscount', base: 'nested-inner' },
  { input: 'nested.js', at: 'const price', name: 'checkout', base: 'nested-callback-skipped' },
  { input: 'handler.mjs', at: 'export async function listQuotes', name: 'listQuotes', base: 'handler-esm-no-semicolons' },
  { input: 'handler.mjs', at: '.reduce', name: 'quoteTotal', base: 'handler-multiline-arrow' },
  { input: 'tabs.js', at: 'console.warn', name: 'audit', base: 'tabs' },
  { input: 'fourSpaces.js', at: 'function ratesFor', name: 'ratesFor', base: 'four-spaces-double-quotes' },
  { input: 'quotes.ts', at: 'async quote', name: 'QuoteService.quote', base: 'quotes-async-method' },
  { input: 'quotes.ts', at: 'rateFor(sku: string)', name: 'QuoteService.rateFor', base: 'quotes-promise-method' },
  { input: 'quotes.ts', at: 'readonly total', name: 'QuoteService.total', base: 'quotes-class-field-arrow' },
  { input: 'quotes.ts', at: 'export function firstOf', name: 'firstOf', base: 'quotes-generic' },
  { input: 'cart.tsx', at: 'export function CartList', name: 'CartList', base: 'cart-tsx' },
];

const FLAVOURS: Array<[TracingFlavour, string]> = [['opentelemetry', 'otel'], ['xray-sdk', 'xray']];

function languageOf(file: string): CodeLanguage {
  return file.endsWith('.tsx') ? 'tsx' : file.endsWith('.ts') ? 'typescript' : 'javascript';
}

function extensionOf(file: string): string {
  return file.slice(file.lastIndexOf('.'));
}

/** `node --check` on the text, written to a file with the input's extension (.mjs parses as a module). */
function nodeCheck(text: string, extension: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-lens-instrument-'));
  try {
    const file = path.join(dir, `check${extension}`);
    fs.writeFileSync(file, text);
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    return r.status === 0 ? '' : r.stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function transpileErrors(text: string, fileName: string): string[] {
  const out = ts.transpileModule(text, { fileName, reportDiagnostics: true, compilerOptions: { jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** Type errors of TypeScript texts compiled together under strict options, with the repository's node_modules. */
function typeErrors(files: Map<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true, skipLibCheck: true, jsx: ts.JsxEmit.Preserve, types: ['node'], lib: ['lib.es2022.d.ts'], noUnusedLocals: true, noUnusedParameters: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  host.fileExists = (f) => files.has(f) || exists(f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : getSource(f, language, onError, create);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/**
 * One Trace This Function case (the shared golden checks, with the grammar chosen by the file's extension, as
 * all fixtures share one folder): golden output, no syntax errors, traced afterwards and refused a second time,
 * and the span's name and code.* values map back to the function.
 */
function checkTrace(parser: CodeParser, shape: Shape, flavour: TracingFlavour, expected: string): string {
  const language = languageOf(shape.input);
  const text = readFixture(JS, shape.input);
  const offset = text.indexOf(shape.at);
  assert.ok(offset >= 0, `${shape.at} in ${shape.input}`);
  const filePath = `src/${shape.input}`;
  const context = { flavour, filePath, style: detectCodeStyle(text) };
  const before = traceableFunctionAt(parser, text, language, offset);
  assert.deepStrictEqual([before?.name, before?.traced], [shape.name, false]);
  const output = applied(traceFunctionEdits(parser, text, language, offset, context), text);
  assertGolden(JS, expected, output);
  assert.strictEqual(syntaxError(parser, output, language), undefined, `${expected} parses`);
  const newOffset = output.indexOf(shape.at);
  assert.deepStrictEqual(traceableFunctionAt(parser, output, language, newOffset)?.traced, true, 'traced after the edit');
  const again = traceFunctionEdits(parser, output, language, newOffset, { ...context, style: detectCodeStyle(output) });
  assert.deepStrictEqual(again.ok ? 'edited twice' : again.code, 'already-traced');
  assertMapsBack(parser, language, output, filePath, shape.name);
  return output;
}

function checkAnnotation(parser: CodeParser, input: string, after: string, request: Omit<AnnotationRequest, 'style'>, expected: string): string {
  const language = languageOf(input);
  const text = readFixture(JS, input);
  const at = text.indexOf(after);
  assert.ok(at >= 0, `${after} in ${input}`);
  const output = applied(annotationEdits(parser, text, language, at + after.length, { ...request, style: detectCodeStyle(text) }), text);
  assertGolden(JS, expected, output);
  assert.strictEqual(syntaxError(parser, output, language), undefined, `${expected} parses`);
  if (language === 'javascript') assert.strictEqual(nodeCheck(output, extensionOf(input)), '', 'node --check');
  else assert.deepStrictEqual(transpileErrors(output, `x${extensionOf(input)}`), [], 'TypeScript syntax');
  return output;
}

suite('javascript instrumentation', () => {
  let parser: CodeParser;
  const typescriptOutputs = new Map<string, string>();

  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['javascript', 'typescript', 'tsx']);
  });

  suiteTeardown(() => parser?.dispose());

  for (const shape of SHAPES) {
    for (const [flavour, tag] of FLAVOURS) {
      test(`${shape.base} (${tag}): golden, parses, compiles, refused twice, maps back to ${shape.name}`, () => {
        const language = languageOf(shape.input);
        const extension = extensionOf(shape.input);
        const output = checkTrace(parser, shape, flavour, `${shape.base}.${tag}${extension}`);
        if (language === 'javascript') {
          assert.strictEqual(nodeCheck(output, extension), '', 'node --check');
        } else {
          assert.deepStrictEqual(transpileErrors(output, `x${extension}`), [], 'TypeScript syntax');
          typescriptOutputs.set(path.join(ROOT, 'test/fixtures/instrument/javascript/expected', `${shape.base}.${tag}${extension}`), output);
        }
      });
    }
  }

  // Bindings the file already has, in TypeScript (type-checked with the outputs below) and JavaScript.
  const BINDING_CASES: Array<{ file: string; text: string; at: string; flavour: TracingFlavour; expect: string[] }> = [
    {
      file: 'namespace.ts', flavour: 'opentelemetry', at: 'get total',
      text: "import * as api from '@opentelemetry/api';\nimport type { Span } from '@opentelemetry/api';\n\nexport class Cart {\n  private items: number[] = [];\n\n  get total(): number {\n    return this.items.reduce((a, b) => a + b, 0);\n  }\n\n  set total(value: number) {\n    this.items = [value];\n  }\n}\n\nexport function label(span: Span): string {\n  return String(span);\n}\n\nexport const ok = api.SpanStatusCode.OK;\n",
      expect: ["const tracer = api.trace.getTracer('src/namespace.ts');", 'code: api.SpanStatusCode.ERROR', '    return tracer.startActiveSpan(\'Cart.total\''],
    },
    {
      file: 'setter.ts', flavour: 'xray-sdk', at: 'set total',
      text: "export class Cart {\n  private items: number[] = [];\n\n  set total(value: number) {\n    this.items = [value];\n  }\n\n  get count(): number {\n    return this.items.length;\n  }\n}\n",
      expect: ["import * as AWSXRay from 'aws-xray-sdk-core';", "  set total(value: number) {\n    AWSXRay.captureFunc('Cart.total', (subsegment) => {"],
    },
    {
      file: 'debug.js', flavour: 'opentelemetry', at: 'function work',
      text: "'use strict';\n\nconst trace = require('debug')('app');\n\nfunction work(n) {\n  trace('working');\n  return n + 1;\n}\n\nmodule.exports = { work };\n",
      expect: ["const trace = require('debug')('app');\nconst { trace: otelTrace, SpanStatusCode } = require('@opentelemetry/api');\n\nconst tracer = otelTrace.getTracer('src/debug.js');"],
    },
    {
      file: 'strict.js', flavour: 'xray-sdk', at: 'function work',
      text: "'use strict';\n\nfunction work(n) {\n  return n + 1;\n}\n\nmodule.exports = { work };\n",
      expect: ["'use strict';\n\nconst AWSXRay = require('aws-xray-sdk-core');\n\nfunction work(n) {"],
    },
  ];

  function bindingCase(c: (typeof BINDING_CASES)[number]): string {
    const language = languageOf(c.file);
    const output = applied(traceFunctionEdits(parser, c.text, language, c.text.indexOf(c.at), { flavour: c.flavour, filePath: `src/${c.file}`, style: detectCodeStyle(c.text) }), c.text);
    for (const expected of c.expect) assert.ok(output.includes(expected), `${c.file} has ${expected}:\n${output}`);
    assert.strictEqual(syntaxError(parser, output, language), undefined);
    return output;
  }

  test('existing bindings: a namespace import, a type-only import, a `trace` of another module, a setter, \'use strict\'', () => {
    for (const c of BINDING_CASES.filter((b) => b.file.endsWith('.js'))) assert.strictEqual(nodeCheck(bindingCase(c), '.js'), '', c.file);
  });

  test('the TypeScript outputs type-check against the real @opentelemetry/api and aws-xray-sdk-core types, as their inputs do', function () {
    this.timeout(60_000);
    const inputs = new Map(['quotes.ts', 'cart.tsx'].map((f) => [path.join(FIXTURES, JS, f), readFixture(JS, f)]));
    for (const c of BINDING_CASES.filter((b) => b.file.endsWith('.ts'))) {
      inputs.set(path.join(ROOT, 'in', c.file), c.text);
      typescriptOutputs.set(path.join(ROOT, 'out', c.file), bindingCase(c));
    }
    assert.deepStrictEqual(typeErrors(inputs), [], 'the inputs type-check');
    assert.strictEqual(typescriptOutputs.size, SHAPES.filter((s) => languageOf(s.input) !== 'javascript').length * 2 + 2);
    // One program: every file is a module, and the JSX declarations of the .tsx files merge (they are the same).
    assert.deepStrictEqual(typeErrors(new Map([...inputs, ...typescriptOutputs])), []);
  });

  test('every function of the sample apps, the code fixtures and this module\'s own source, both flavours: wrapped or refused for a reason, never broken', function () {
    this.timeout(120_000);
    const files = [
      ...['frontend/server.js', 'frontend/lib/orderStore.js', 'frontend/lib/pricing.js', 'frontend/routes/orders.js', 'inventory/stock.js', 'quotes/pricing.js', 'shared/tracedServer.js'].map((f) => `samples/${f}`),
      'test/fixtures/code/quotes.ts', 'test/fixtures/code/Cart.tsx', 'test/fixtures/code/ts-app/src/checkout.ts',
      'src/code/instrument/javascriptInstrument.ts', 'src/code/instrument/javascriptBindings.ts', 'src/code/instrument/javascriptAnnotation.ts',
    ];
    const tally = { wrapped: 0, refused: 0 };
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const language = languageOf(file);
      const lines = text.split('\n');
      for (const fn of parser.parse(text, language).functions) {
        const offset = lines.slice(0, fn.nameLine).join('\n').length + (fn.nameLine > 0 ? 1 : 0) + fn.nameColumn;
        for (const [flavour] of FLAVOURS) {
          const outcome = traceFunctionEdits(parser, text, language, offset, { flavour, filePath: file, style: detectCodeStyle(text) });
          if (!outcome.ok) {
            assert.ok(fn.kind === 'constructor' || outcome.code === 'already-traced' || /declares its own/.test(outcome.reason), `${file} ${fn.name}: ${outcome.reason}`);
            tally.refused++;
            continue;
          }
          const output = applyEdits(text, outcome.edits);
          const where = `${file} ${fn.name} ${flavour}`;
          assert.strictEqual(syntaxError(parser, output, language), undefined, where);
          if (language === 'javascript') new vm.Script(Module.wrap(output), { filename: file });
          else assert.deepStrictEqual(transpileErrors(output, file), [], where);
          tally.wrapped++;
        }
      }
    }
    assert.ok(tally.wrapped > 100 && tally.refused > 10, JSON.stringify(tally));
  });

  test('CRLF files get CRLF code; the result is the LF golden with CRLF line endings', () => {
    const text = readFixture(JS, 'orders.js').replace(/\n/g, '\r\n');
    const style = detectCodeStyle(text);
    assert.strictEqual(style.eol, '\r\n');
    const output = applied(traceFunctionEdits(parser, text, JS, text.indexOf('async function loadOrder'), { flavour: 'opentelemetry', filePath: 'src/orders.js', style }), text);
    const golden = fs.readFileSync(path.join(FIXTURES, JS, 'expected', 'orders-async.otel.js'), 'utf8');
    assert.strictEqual(output, golden.replace(/\n/g, '\r\n'));
    assert.ok(!/[^\r]\n/.test(output), 'no bare LF');
  });

  test('refusals: generator, constructor, already traced (our wrap or the user\'s), no named function', () => {
    const cases: Array<[string, string, string]> = [
      ['store.js', '*ids', 'unsupported'],
      ['store.js', 'this.db = db', 'unsupported'],
      ['nested.js', "captureFunc('reserve'", 'already-traced'],
      ['nested.js', 'span.end()', 'already-traced'],
      ['orders.js', 'module.exports', 'no-function'],
    ];
    for (const [file, at, code] of cases) {
      const text = readFixture(JS, file);
      const outcome = traceFunctionEdits(parser, text, JS, text.indexOf(at), { flavour: 'opentelemetry', filePath: file, style: detectCodeStyle(text) });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, code, `${file} at ${at}`);
      if (!outcome.ok) assert.ok(outcome.reason.length > 10, outcome.reason);
    }
    const text = readFixture(JS, 'nested.js');
    assert.strictEqual(traceableFunctionAt(parser, text, JS, text.indexOf('AWSXRay.captureFunc'))?.traced, true);
    assert.strictEqual(traceableFunctionAt(parser, text, JS, text.indexOf('span.end'))?.name, 'ship');
  });

  test('functionAt: the name a function is bound to counts; extent covers the declaration; names equal the function ranges\'', () => {
    for (const file of ['orders.js', 'store.js', 'nested.js', 'handler.mjs', 'quotes.ts']) {
      const text = readFixture(JS, file);
      const language = languageOf(file);
      const ranges = parser.parse(text, language).functions;
      for (const range of ranges) {
        const lineStart = text.split('\n').slice(0, range.nameLine).join('\n').length + (range.nameLine > 0 ? 1 : 0);
        const found = traceableFunctionAt(parser, text, language, lineStart + range.nameColumn);
        assert.strictEqual(found?.name, range.name, `${file}:${range.nameLine + 1}`);
        assert.strictEqual(found?.nameLine, range.nameLine);
      }
    }
    const decorated = "export class Api {\n  @Get('/orders')\n  @Auth(() => 'admin')\n  list(): string[] {\n    return [];\n  }\n}\n";
    for (const at of ["@Get('/orders')", "'admin'", 'list()']) {
      const fn = traceableFunctionAt(parser, decorated, 'typescript', decorated.indexOf(at));
      assert.deepStrictEqual([fn?.name, fn?.nameLine, fn?.start], ['Api.list', 3, decorated.indexOf('@Get')], at);
    }
    const text = readFixture(JS, 'orders.js');
    const arrow = traceableFunctionAt(parser, text, JS, text.indexOf('validateCart ='));
    assert.strictEqual(text.slice(arrow?.start, arrow?.end).split('\n')[0], 'const validateCart = async (cart) => {');
    assert.ok(text.slice(arrow?.start, arrow?.end).endsWith('};'));
  });

  test('the OpenTelemetry import and tracer are added once and reused; SpanStatusCode joins an existing destructuring', () => {
    const text = readFixture(JS, 'orders.js');
    const style = detectCodeStyle(text);
    const context = { flavour: 'opentelemetry' as const, filePath: 'src/orders.js', style };
    const once = applied(traceFunctionEdits(parser, text, JS, text.indexOf('function priceOrder'), context), text);
    const twice = applied(traceFunctionEdits(parser, once, JS, once.indexOf('async function loadOrder'), context), once);
    assert.strictEqual(twice.split("require('@opentelemetry/api')").length, 2);
    assert.strictEqual(twice.split('trace.getTracer(').length, 2);
    assert.strictEqual(syntaxError(parser, twice, JS), undefined);
    const parsed = parser.parse(twice, JS).functions;
    for (const name of ['priceOrder', 'loadOrder']) {
      const line = Number(new RegExp(`startActiveSpan\\('${name}'[^]*?'code\\.line\\.number': (\\d+)`).exec(twice)?.[1]);
      assert.strictEqual(line, (parsed.find((f) => f.name === name)?.nameLine ?? -2) + 1, name);
    }

    const store = fs.readFileSync(path.join(FIXTURES, JS, 'expected', 'store-method.otel.js'), 'utf8');
    assert.ok(store.includes("const { trace, SpanStatusCode } = require('@opentelemetry/api');"), 'joined the destructuring');
    assert.ok(!store.includes('getTracer(\'src/'), 'the file\'s own tracer is used');
  });

  test('annotations and metadata: span or subsegment in scope, else the active span or segment; golden', () => {
    checkAnnotation(parser, 'orders.js', 'const row = await db.get(id);', { kind: 'annotation', key: 'order_id', value: 'A-17', flavour: 'opentelemetry' }, 'annotation-active-span.otel.js');
    checkAnnotation(parser, 'tabs.js', '\treturn ', { kind: 'metadata', key: 'entry.level', value: 3, flavour: 'xray-sdk' }, 'metadata-active-segment.xray.js');
    checkAnnotation(parser, 'quotes.ts', 'const rate = await this.rateFor(sku);', { kind: 'annotation', key: 'sku_known', value: true, flavour: 'xray-sdk' }, 'annotation-ts.xray.ts');
    checkAnnotation(parser, 'handler.mjs', 'const quotes = await', { kind: 'annotation', key: 'quote_count', value: 2, flavour: 'opentelemetry' }, 'annotation-esm.otel.mjs');

    // Inside a wrapped function the callback's own span/subsegment is used.
    for (const [flavour, tag, call] of [['opentelemetry', 'otel', 'span.setAttribute('], ['xray-sdk', 'xray', 'subsegment?.addAnnotation(']] as const) {
      const wrapped = fs.readFileSync(path.join(FIXTURES, JS, 'expected', `orders-async.${tag}.js`), 'utf8');
      const at = wrapped.indexOf('const row = await db.get(id);');
      const output = applied(annotationEdits(parser, wrapped, JS, at, { kind: 'annotation', key: 'order_id', value: 'A-17', flavour, style: detectCodeStyle(wrapped) }), wrapped);
      assertGolden(JS, `annotation-in-wrap.${tag}.js`, output);
      assert.ok(output.includes(`${call}'order_id', 'A-17');`), output);
      assert.strictEqual(nodeCheck(output, '.js'), '');
      // At the end of the wrapped function's first line, the call goes inside the wrap, on its span/subsegment.
      const header = wrapped.indexOf('\n', wrapped.indexOf('async function loadOrder'));
      const first = applied(annotationEdits(parser, wrapped, JS, header, { kind: 'metadata', key: 'k', value: 1, flavour, style: detectCodeStyle(wrapped) }), wrapped);
      const lines = first.split('\n');
      const index = lines.findIndex((l) => l.includes("'k', 1)"));
      assert.ok(lines[index].trim().startsWith(flavour === 'opentelemetry' ? 'span.setAttribute(' : 'subsegment?.addMetadata('), lines[index]);
      assert.deepStrictEqual([lines[index - 1].trim(), lines[index + 1].trim()], ['try {', 'const row = await db.get(id);']);
    }
  });

  test('annotation placement: before the statement, after it when the cursor ends its line, never after a return', () => {
    const text = readFixture(JS, 'orders.js');
    const style = detectCodeStyle(text);
    const request = { kind: 'metadata' as const, key: 'k', value: 1, flavour: 'xray-sdk' as const, style };
    const insertedLine = (offset: number) => {
      const out = applied(annotationEdits(parser, text, JS, offset, request), text).split('\n');
      const index = out.findIndex((l) => l.includes("addMetadata('k', 1)"));
      return [out[index - 1].trim(), out[index + 1].trim()];
    };
    const total = text.indexOf('const total');
    assert.deepStrictEqual(insertedLine(total + 3), ['function priceOrder(order) {', 'const total = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);']);
    const lineEnd = text.indexOf('\n', total);
    assert.deepStrictEqual(insertedLine(lineEnd), ['const total = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);', "if (total < 0) throw new Error('negative total');"]);
    const returnEnd = text.indexOf('\n', text.indexOf('return total;'));
    assert.deepStrictEqual(insertedLine(returnEnd), ["if (total < 0) throw new Error('negative total');", 'return total;']);
    // Inside the one-line `if`, the whole `if` statement is the anchor: nothing goes between `if (…)` and its body.
    assert.deepStrictEqual(insertedLine(text.indexOf("throw new Error('negative")), ['const total = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);', "if (total < 0) throw new Error('negative total');"]);
    // At the end of the line opening the function's body: its first line.
    assert.deepStrictEqual(insertedLine(text.indexOf('\n', text.indexOf('function priceOrder'))), ['function priceOrder(order) {', 'const total = order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);']);
    // At the end of a line with a trailing comment: after that statement; in an empty block: inside it.
    const small = 'function f(a) {\n  a.x = 1; // set x\n  if (a.y) {\n  }\n  return a;\n}\n';
    const smallOut = (offset: number) => applied(annotationEdits(parser, small, JS, offset, { ...request, style: detectCodeStyle(small) }), small);
    assert.strictEqual(smallOut(small.indexOf('\n', small.indexOf('// set x'))), "function f(a) {\n  a.x = 1; // set x\n  AWSXRay.getSegment()?.addMetadata('k', 1);\n  if (a.y) {\n  }\n  return a;\n}\n".replace('function f', "const AWSXRay = require('aws-xray-sdk-core');\n\nfunction f"));
    assert.ok(smallOut(small.indexOf('\n', small.indexOf('if (a.y) {'))).includes("  if (a.y) {\n    AWSXRay.getSegment()?.addMetadata('k', 1);\n  }"));
    const outside = annotationEdits(parser, text, JS, text.indexOf('module.exports'), request);
    assert.deepStrictEqual(outside.ok ? 'edited' : outside.code, 'no-function');
  });

  test('annotation values become literals in the file\'s quote style that evaluate back to the value; bad keys are refused', () => {
    const values: Array<string | number | boolean> = ["it's \"quoted\"", 'back\\slash\nnew line\ttab\u2028', '', 'ünï©ødé 🚀', -12.5, 0, 1e21, true, false];
    for (const quote of ["'", '"'] as const) {
      const text = `function f() {\n  return 1;\n}\n`;
      const style = { ...detectCodeStyle(text), quote };
      for (const value of values) {
        const output = applied(annotationEdits(parser, text, JS, text.indexOf('return'), { kind: 'metadata', key: 'k', value, flavour: 'xray-sdk', style }), text);
        const literal = /addMetadata\((['"])k\1, (.*)\);/.exec(output)?.[2] ?? '';
        assert.strictEqual(literal.startsWith('"') || literal.startsWith("'") ? literal[0] : quote, quote, literal);
        assert.strictEqual(new Function(`return ${literal};`)(), value, literal);
      }
    }
    const text = 'function f() {\n  return 1;\n}\n';
    const style = detectCodeStyle(text);
    for (const key of ['order-id', 'a.b', '', 'naïve']) {
      const outcome = annotationEdits(parser, text, JS, 20, { kind: 'annotation', key, value: 1, flavour: 'opentelemetry', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'invalid-input', key);
    }
    const nan = annotationEdits(parser, text, JS, 20, { kind: 'metadata', key: 'n', value: Number.NaN, flavour: 'opentelemetry', style });
    assert.deepStrictEqual(nan.ok ? 'edited' : nan.code, 'invalid-input');
  });

  test(`more than ${MAX_ANNOTATIONS} annotation keys in a function: the edit warns; keys already set are counted`, () => {
    const lines = ['function busy(segment) {'];
    for (let i = 0; i < MAX_ANNOTATIONS; i++) lines.push(`  segment.addAnnotation('key_${i}', ${i});`);
    lines.push("  span.setAttribute('code.function.name', 'x');", '  return 1;', '}', '');
    const text = lines.join('\n');
    const style = detectCodeStyle(text);
    const at = text.indexOf('return 1');
    const repeat = annotationEdits(parser, text, JS, at, { kind: 'annotation', key: 'key_3', value: 1, flavour: 'xray-sdk', style });
    assert.ok(repeat.ok && !repeat.warnings.some((w) => w.includes('annotations;')), 'a key already set does not count twice');
    const extra = annotationEdits(parser, text, JS, at, { kind: 'annotation', key: 'key_new', value: 1, flavour: 'xray-sdk', style });
    assert.ok(extra.ok && extra.warnings.some((w) => w.includes(`${MAX_ANNOTATIONS + 1} annotations`)), JSON.stringify(extra));
  });

  test('a body using `span` gets a callback parameter of another name; a function declaring `tracer` is refused', () => {
    const text = "const { trace } = require('@opentelemetry/api');\nconst tracer = trace.getTracer('t');\n\nfunction paint(span) {\n  return span * 2;\n}\n\nfunction own() {\n  const tracer = 1;\n  return tracer;\n}\n";
    const style = detectCodeStyle(text);
    const output = applied(traceFunctionEdits(parser, text, JS, text.indexOf('function paint'), { flavour: 'opentelemetry', filePath: 'p.js', style }), text);
    assert.ok(output.includes('(span2) => {') && output.includes('return span * 2;') && output.includes('span2.end();'), output);
    assert.strictEqual(nodeCheck(output, '.js'), '');
    const refused = traceFunctionEdits(parser, text, JS, text.indexOf('function own'), { flavour: 'opentelemetry', filePath: 'p.js', style });
    assert.deepStrictEqual(refused.ok ? 'edited' : refused.code, 'unsupported');
  });

  test('a function returning a promise without async is wrapped with a warning', () => {
    const text = readFixture(JS, 'quotes.ts');
    const outcome = traceFunctionEdits(parser, text, 'typescript', text.indexOf('rateFor(sku: string)'), { flavour: 'opentelemetry', filePath: 'q.ts', style: detectCodeStyle(text) });
    assert.ok(outcome.ok && outcome.warnings.some((w) => w.includes('returns a promise without being async')), JSON.stringify(outcome));
    const asyncOne = traceFunctionEdits(parser, text, 'typescript', text.indexOf('async quote'), { flavour: 'opentelemetry', filePath: 'q.ts', style: detectCodeStyle(text) });
    assert.ok(asyncOne.ok && !asyncOne.warnings.some((w) => w.includes('promise')));
  });
});
