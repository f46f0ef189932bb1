// C# instrumentation edits through the real tree-sitter grammar: golden outputs per flavour and method shape
// (test/fixtures/instrument/csharp), refusals and annotations. No .NET SDK here: the checks are the goldens (read
// by hand), a parse without ERROR nodes, and the mapping back to the method.
import * as assert from 'assert';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import { detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { csharpInstrumenter, csharpLiteral } from '../../../../src/code/instrument/csharpInstrument';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { WASM_DIR } from '../functionRangesHelpers';
import { applied, checkAnnotationCase, checkTraceCase, readFixture, type AnnotationCase } from './instrumentGolden';

const SHAPES: Array<{ input: string; at: string; name: string; shape: string }> = [
  { input: 'Checkout.cs', at: 'Task<int> ChargeAsync', name: 'Checkout.ChargeAsync', shape: 'async method with a verbatim string' },
  { input: 'Checkout.cs', at: 'public Checkout(', name: 'Checkout.Checkout', shape: 'constructor' },
  { input: 'Checkout.cs', at: 'static int Twice', name: 'Checkout.Twice', shape: 'static expression-bodied method' },
  { input: 'Checkout.cs', at: 'async Task FlushAsync', name: 'Checkout.FlushAsync', shape: 'async Task expression body (no return)' },
  { input: 'Checkout.cs', at: 'var s = 0', name: 'Sum', shape: 'local function' },
  { input: 'Ledger.cs', at: 'void Write', name: 'Ledger.Write', shape: 'tabs, K&R braces, file-scoped namespace, usings and source already there' },
];

const FLAVOURS: Array<[TracingFlavour, string]> = [['opentelemetry', 'otel'], ['xray-sdk', 'xray']];

suite('instrumentation: C#', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['csharp']);
  });
  suiteTeardown(() => parser.dispose());

  for (const [flavour, short] of FLAVOURS) {
    for (const s of SHAPES) {
      test(`${flavour}: ${s.shape} (${s.name})`, () => {
        checkTraceCase(parser, 'csharp', { input: s.input, at: s.at, flavour, name: s.name, expected: `${s.input.replace(/\.cs$/, '')}.${s.name}.${short}.cs` });
      });
    }
  }

  test('OpenTelemetry: the usings and the ActivitySource field are added once and reused by a second method', () => {
    const text = readFixture('csharp', 'Checkout.cs');
    const context = { flavour: 'opentelemetry' as const, filePath: 'Checkout.cs', style: detectCodeStyle(text) };
    const once = applied(traceFunctionEdits(parser, text, 'csharp', text.indexOf('Task<int> ChargeAsync'), context), text);
    const twice = applied(traceFunctionEdits(parser, once, 'csharp', once.indexOf('static int Twice'), context), once);
    assert.strictEqual(twice.match(/using System\.Diagnostics;/g)?.length, 1);
    assert.strictEqual(twice.match(/static readonly ActivitySource/g)?.length, 1);
    assert.strictEqual(twice.match(/ActivitySource\.StartActivity\(/g)?.length, 2);
  });

  test('refusals: StartActivity or BeginSubsegment first, an iterator, an interface method, outside a method', () => {
    const ledger = readFixture('csharp', 'Ledger.cs');
    const style = detectCodeStyle(ledger);
    for (const at of ['void Close', 'void Flush']) {
      assert.strictEqual(traceableFunctionAt(parser, ledger, 'csharp', ledger.indexOf(at))?.traced, true, at);
      const outcome = traceFunctionEdits(parser, ledger, 'csharp', ledger.indexOf(at), { flavour: 'opentelemetry', filePath: 'Ledger.cs', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'already-traced', at);
    }
    const rows = traceFunctionEdits(parser, ledger, 'csharp', ledger.indexOf('IEnumerable<int> Rows'), { flavour: 'xray-sdk', filePath: 'Ledger.cs', style });
    assert.ok(!rows.ok && rows.code === 'unsupported' && /iterator/.test(rows.reason));
    const checkout = readFixture('csharp', 'Checkout.cs');
    const bodiless = traceFunctionEdits(parser, checkout, 'csharp', checkout.indexOf('Task FlushAsync();'), { flavour: 'xray-sdk', filePath: 'Checkout.cs', style });
    assert.deepStrictEqual(bodiless.ok ? 'edited' : bodiless.code, 'unsupported');
    const top = traceFunctionEdits(parser, checkout, 'csharp', checkout.indexOf('namespace'), { flavour: 'xray-sdk', filePath: 'Checkout.cs', style });
    assert.deepStrictEqual(top.ok ? 'edited' : top.code, 'no-function');
  });

  test('a CRLF file gets CRLF line breaks only, in both flavours', () => {
    const text = 'class C\r\n{\r\n    int F(int x)\r\n    {\r\n        return x;\r\n    }\r\n}\r\n';
    for (const flavour of ['opentelemetry', 'xray-sdk'] as const) {
      const output = applied(traceFunctionEdits(parser, text, 'csharp', text.indexOf('int F'), { flavour, filePath: 'C.cs', style: detectCodeStyle(text) }), text);
      assert.ok(output.length > text.length + 100, flavour);
      assert.deepStrictEqual(output.match(/[^\r]\n/g), null, flavour);
    }
  });

  const ANNOTATIONS: Array<AnnotationCase & { why: string }> = [
    { why: 'OpenTelemetry with an activity local in scope, after the statement at the end of its line', input: 'Ledger.cs', after: 'activity?.SetTag("closing", true);', request: { kind: 'annotation', key: 'invoice_id', value: 'inv-"7"', flavour: 'opentelemetry' }, expected: 'Ledger.annotation.otel-local.cs' },
    { why: 'OpenTelemetry without one: Activity.Current, System.Diagnostics added', input: 'Checkout.cs', after: '            if (cents <= 0)', request: { kind: 'metadata', key: 'cents', value: 12.5, flavour: 'opentelemetry' }, expected: 'Checkout.metadata.otel-current.cs' },
    { why: 'X-Ray SDK: AWSXRayRecorder.Instance.AddAnnotation, the using added; a long past int range', input: 'Checkout.cs', after: '            return await gateway', request: { kind: 'annotation', key: 'order_id', value: 9007199254740991, flavour: 'xray-sdk' }, expected: 'Checkout.annotation.xray.cs' },
  ];
  for (const c of ANNOTATIONS) test(`annotations: ${c.why}`, () => void checkAnnotationCase(parser, 'csharp', c));

  test('annotations: keys already set; an expression body is refused', () => {
    const text = readFixture('csharp', 'Ledger.cs');
    const keys = parser.withTree(text, 'csharp', (root) => csharpInstrumenter.annotationKeysIn(root, text, text.indexOf('activity?.SetTag')));
    assert.deepStrictEqual(keys, { ok: true, value: ['closing'] });
    const checkout = readFixture('csharp', 'Checkout.cs');
    const expression = annotationEdits(parser, checkout, 'csharp', checkout.indexOf('x * 2'), { kind: 'annotation', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(checkout) });
    assert.deepStrictEqual(expression.ok ? 'edited' : expression.code, 'unsupported');
  });

  test('literals: escaped strings, L past int range, doubles and booleans as C# writes them', () => {
    assert.deepStrictEqual(
      [csharpLiteral('a "b"\\\n'), csharpLiteral(42), csharpLiteral(3_000_000_000), csharpLiteral(-2.5), csharpLiteral(true)],
      ['"a \\"b\\"\\\\\\n"', '42', '3000000000L', '-2.5', 'true'],
    );
  });
});
