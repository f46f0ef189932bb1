// Python instrumentation edits through the real tree-sitter grammar: golden outputs per flavour and function
// shape (test/fixtures/instrument/python), each compiled with `python3 -m py_compile`, refusals, annotations.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import { detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { pythonInstrumenter, pythonLiteral } from '../../../../src/code/instrument/pythonInstrument';
import { WASM_DIR } from '../functionRangesHelpers';
import { applied, checkAnnotationCase, checkTraceCase, readFixture, type AnnotationCase, type TraceCase } from './instrumentGolden';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Compiles `source` with the real Python; returns the compiler's complaint, or '' when it compiles. */
function pyCompile(source: string, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-py-'));
  try {
    const file = path.join(dir, name.replace(/[^\w.]/g, '_'));
    fs.writeFileSync(file, source);
    const run = spawnSync(PYTHON, ['-m', 'py_compile', file], { encoding: 'utf8' });
    assert.ok(!run.error, `python3 must be installed: ${run.error?.message}`);
    return run.status === 0 ? '' : run.stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SHAPES: Array<{ input: string; at: string; name: string; shape: string }> = [
  { input: 'orders.py', at: 'def load', name: 'OrderStore.load', shape: 'method with a docstring and a multi-line string' },
  { input: 'orders.py', at: 'def price', name: 'OrderStore.price', shape: 'decorated static method' },
  { input: 'orders.py', at: 'async def save', name: 'OrderStore.save', shape: 'async method' },
  { input: 'orders.py', at: 'def __init__', name: 'OrderStore.__init__', shape: 'constructor' },
  { input: 'orders.py', at: 'def handler', name: 'handler', shape: 'function holding a nested function' },
  { input: 'orders.py', at: 'return x * 2', name: 'nested', shape: 'nested function' },
  { input: 'orders.py', at: 'def ping', name: 'ping', shape: 'one-line body' },
  { input: 'orders.py', at: 'def only_doc', name: 'only_doc', shape: 'docstring only' },
  { input: 'tabs.py', at: 'def write', name: 'Ledger.write', shape: 'tabs, double quotes, existing tracer and recorder bindings' },
  { input: 'crlf.py', at: 'def total', name: 'total', shape: 'two spaces, CRLF, shebang and coding line' },
];

const FLAVOURS: Array<[TracingFlavour, string]> = [['opentelemetry', 'otel'], ['xray-sdk', 'xray']];

suite('instrumentation: Python', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['python']);
  });
  suiteTeardown(() => parser.dispose());

  for (const [flavour, short] of FLAVOURS) {
    for (const s of SHAPES) {
      test(`${flavour}: ${s.shape} (${s.name})`, () => {
        const c: TraceCase = { input: s.input, at: s.at, flavour, name: s.name, expected: `${s.input.replace(/\.py$/, '')}.${s.name}.${short}.py` };
        const output = checkTraceCase(parser, 'python', c);
        assert.strictEqual(pyCompile(output, c.expected), '');
      });
    }
  }

  test('OpenTelemetry: the import and the tracer are added once, and reused by a second function', () => {
    const text = readFixture('python', 'orders.py');
    const style = detectCodeStyle(text);
    const once = applied(traceFunctionEdits(parser, text, 'python', text.indexOf('def load'), { flavour: 'opentelemetry', filePath: 'orders.py', style }), text);
    const twice = applied(traceFunctionEdits(parser, once, 'python', once.indexOf('def ping'), { flavour: 'opentelemetry', filePath: 'orders.py', style }), once);
    assert.strictEqual(twice.match(/from opentelemetry import trace/g)?.length, 1);
    assert.strictEqual(twice.match(/get_tracer/g)?.length, 1);
    assert.strictEqual(twice.match(/tracer\.start_as_current_span/g)?.length, 2);
    assert.strictEqual(pyCompile(twice, 'twice.py'), '');
  });

  test('X-Ray SDK: the recorder import is added once across two functions; async def gets capture_async and a warning', () => {
    const text = readFixture('python', 'orders.py');
    const style = detectCodeStyle(text);
    const first = traceFunctionEdits(parser, text, 'python', text.indexOf('async def save'), { flavour: 'xray-sdk', filePath: 'orders.py', style });
    assert.ok(first.ok && first.warnings.some((w) => w.includes('AsyncContext')));
    const once = applied(first, text);
    const twice = applied(traceFunctionEdits(parser, once, 'python', once.indexOf('def load'), { flavour: 'xray-sdk', filePath: 'orders.py', style }), once);
    assert.strictEqual(twice.match(/from aws_xray_sdk\.core import xray_recorder/g)?.length, 1);
    assert.match(twice, /@xray_recorder\.capture_async\('OrderStore\.save'\)\n {4}async def save/);
    assert.match(twice, /@staticmethod\n|@xray_recorder\.capture\('OrderStore\.load'\)\n {4}def load/);
  });

  test('bindings below the function do not count: the decorator runs at def time, so the recorder is imported above it', () => {
    const text = "def late(x):\n    return x\n\n\nfrom aws_xray_sdk.core import xray_recorder\n";
    const output = applied(traceFunctionEdits(parser, text, 'python', 0, { flavour: 'xray-sdk', filePath: 'late.py', style: detectCodeStyle(text) }), text);
    assert.ok(output.indexOf('from aws_xray_sdk.core import xray_recorder') < output.indexOf("@xray_recorder.capture('late')"), output);
    assert.strictEqual(pyCompile(output, 'late.py'), '');
  });

  test("the module's own trace and tracer are left alone: the API comes in as otel_trace, the tracer as otel_tracer", () => {
    const text = "import traceback as trace\n\n\ndef work(x):\n    return x\n\n\ndef tracer():\n    return trace.format_exc()\n";
    const style = detectCodeStyle(text);
    const output = applied(traceFunctionEdits(parser, text, 'python', text.indexOf('def work'), { flavour: 'opentelemetry', filePath: 'work.py', style }), text);
    assert.match(output, /^import traceback as trace\nfrom opentelemetry import trace as otel_trace\n\notel_tracer = otel_trace\.get_tracer\(__name__\)\n/);
    assert.match(output, /with otel_tracer\.start_as_current_span\('work'/);
    assert.strictEqual(pyCompile(output, 'work.py'), '');
    const annotated = applied(annotationEdits(parser, text, 'python', text.indexOf('    return x'), { kind: 'metadata', key: 'x', value: 1, flavour: 'opentelemetry', style }), text);
    assert.match(annotated, /otel_trace\.get_current_span\(\)\.set_attribute\('x', 1\)/);
  });

  test('refusals: already traced (decorator, with block), a generator, outside any function', () => {
    const text = readFixture('python', 'tabs.py');
    const style = detectCodeStyle(text);
    for (const [at, flavour] of [['def read', 'opentelemetry'], ['def close', 'xray-sdk']] as const) {
      const outcome = traceFunctionEdits(parser, text, 'python', text.indexOf(at), { flavour, filePath: 'tabs.py', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'already-traced', at);
    }
    const orders = readFixture('python', 'orders.py');
    const generator = traceFunctionEdits(parser, orders, 'python', orders.indexOf('def rows'), { flavour: 'opentelemetry', filePath: 'orders.py', style });
    assert.ok(!generator.ok && generator.code === 'unsupported' && /generator/.test(generator.reason));
    const top = traceFunctionEdits(parser, orders, 'python', orders.indexOf('import time'), { flavour: 'opentelemetry', filePath: 'orders.py', style });
    assert.deepStrictEqual(top.ok ? 'edited' : top.code, 'no-function');
    assert.strictEqual(traceableFunctionAt(parser, orders, 'python', orders.indexOf('import json')), undefined);
    // On a decorator line: the function it decorates.
    assert.strictEqual(traceableFunctionAt(parser, orders, 'python', orders.indexOf('@staticmethod'))?.name, 'OrderStore.price');
  });

  const ANNOTATIONS: Array<AnnotationCase & { why: string }> = [
    { why: 'OpenTelemetry inside our span: span.set_attribute after the statement, with the indexing note', input: 'tabs.py', after: 'span.set_attribute("closing", True)', request: { kind: 'annotation', key: 'invoice_id', value: 'inv-"7"', flavour: 'opentelemetry' }, expected: 'tabs.annotation.otel-in-span.py' },
    { why: 'OpenTelemetry without a span in scope: the current span, the trace binding reused', input: 'tabs.py', after: '\t\tif cents < 0', request: { kind: 'metadata', key: 'cents', value: 12.5, flavour: 'opentelemetry' }, expected: 'tabs.metadata.otel-current.py' },
    { why: 'OpenTelemetry, no import yet: `from opentelemetry import trace` added; at the end of a return, before it', input: 'orders.py', after: "        return order['id']", request: { kind: 'annotation', key: 'saved', value: true, flavour: 'opentelemetry' }, expected: 'orders.annotation.otel-import.py' },
    { why: 'X-Ray SDK: the recorder, imported once, before the statement the cursor is in', input: 'orders.py', after: '        row = self.table', request: { kind: 'annotation', key: 'order_id', value: 42, flavour: 'xray-sdk' }, expected: 'orders.annotation.xray.py' },
    { why: 'X-Ray SDK metadata on a tab-indented file with an aliased recorder', input: 'tabs.py', after: '\t\treturn {"invoice"', request: { kind: 'metadata', key: 'ledger row', value: 'a\nb', flavour: 'xray-sdk' }, expected: 'tabs.metadata.xray.py' },
  ];
  for (const c of ANNOTATIONS) {
    test(`annotations: ${c.why}`, () => {
      const output = checkAnnotationCase(parser, 'python', c);
      assert.strictEqual(pyCompile(output, c.expected), '');
    });
  }

  test('annotations: the keys a function already sets; outside a function, and a body on the def line, are refused', () => {
    const text = readFixture('python', 'tabs.py');
    const keys = parser.withTree(text, 'python', (root) => pythonInstrumenter.annotationKeysIn(root, text, text.indexOf('return None')));
    assert.deepStrictEqual(keys, { ok: true, value: ['closing'] });
    const outcome = annotationEdits(parser, text, 'python', text.indexOf('TRACER ='), { kind: 'annotation', key: 'k', value: 1, flavour: 'opentelemetry', style: detectCodeStyle(text) });
    assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'no-function');
    const orders = readFixture('python', 'orders.py');
    const oneLine = annotationEdits(parser, orders, 'python', orders.indexOf("'pong'"), { kind: 'metadata', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(orders) });
    assert.deepStrictEqual(oneLine.ok ? 'edited' : oneLine.code, 'unsupported');
  });

  test('annotations: the 51st distinct key in a function is written with a warning (X-Ray indexes 50 per trace)', () => {
    const puts = Array.from({ length: 50 }, (_, i) => `    xray_recorder.put_annotation('key_${i}', ${i})`).join('\n');
    const text = `from aws_xray_sdk.core import xray_recorder\n\n\ndef busy():\n${puts}\n    return 1\n`;
    const style = detectCodeStyle(text);
    const at = text.indexOf('    return 1');
    const again = annotationEdits(parser, text, 'python', at, { kind: 'annotation', key: 'key_7', value: 1, flavour: 'xray-sdk', style });
    assert.deepStrictEqual(again.ok && again.warnings, []);
    const more = annotationEdits(parser, text, 'python', at, { kind: 'annotation', key: 'key_50', value: 1, flavour: 'xray-sdk', style });
    assert.ok(more.ok && more.warnings.some((w) => /51 annotations/.test(w)), JSON.stringify(more));
  });

  test('literals: quotes, backslashes and line breaks escaped in the file\'s quote; numbers and booleans as Python writes them', () => {
    assert.strictEqual(pythonLiteral(`it's a\\b\n`, "'"), `'it\\'s a\\\\b\\n'`);
    assert.strictEqual(pythonLiteral('say "hi"', '"'), '"say \\"hi\\""');
    assert.deepStrictEqual([pythonLiteral(true, "'"), pythonLiteral(false, "'"), pythonLiteral(-1.5, "'"), pythonLiteral(1e21, "'")], ['True', 'False', '-1.5', '1e+21']);
    const source = `x = [${pythonLiteral(`it's a\\b\n"`, "'")}, ${pythonLiteral(1e21, "'")}]\n`;
    assert.strictEqual(pyCompile(source, 'literal.py'), '');
  });

  test('annotations from a blank line inside the body go there, before the next line of code (its comment stays with it), not to the top of the function; never above the docstring', () => {
    const cases: Array<[string, number, string]> = [
      ['def f(x):\n    y = 1\n\n    # why\n    return x + y\n', 'def f(x):\n    y = 1\n'.length, 'def f(x):\n    y = 1\n\n    xray_recorder.put_metadata(\'k\', 1)\n    # why\n    return x + y\n'],
      ['def f(x):\n    if x:\n        y = 1\n\n        z = 2\n    return 2\n', 'def f(x):\n    if x:\n        y = 1\n'.length, 'def f(x):\n    if x:\n        y = 1\n\n        xray_recorder.put_metadata(\'k\', 1)\n        z = 2\n    return 2\n'],
      ['def f(x):\n\n    """Doc."""\n    return x\n', 'def f(x):\n'.length, 'def f(x):\n\n    """Doc."""\n    xray_recorder.put_metadata(\'k\', 1)\n    return x\n'],
    ];
    for (const [text, offset, expected] of cases) {
      const output = applied(annotationEdits(parser, text, 'python', offset, { kind: 'metadata', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(text) }), text);
      assert.strictEqual(output, `from aws_xray_sdk.core import xray_recorder\n\n${expected}`);
    }
  });
});
