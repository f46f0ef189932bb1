// Java instrumentation edits through the real tree-sitter grammar: golden outputs per flavour and method shape
// (test/fixtures/instrument/java), refusals and annotations. Every golden output is also compiled with the JDK's
// javac against signature stubs of the OpenTelemetry and X-Ray APIs (no Maven Central here for the real jars):
// that checks the Java itself — precise rethrow, final fields assigned in a try, try-with-resources, lambdas.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import { detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { javaInstrumenter, javaLiteral } from '../../../../src/code/instrument/javaInstrument';
import { WASM_DIR } from '../functionRangesHelpers';
import { FIXTURES, applied, checkAnnotationCase, checkTraceCase, readFixture, syntaxError, type AnnotationCase } from './instrumentGolden';

const JAVA_DIR = path.join(FIXTURES, 'java');

/** javac's errors for each source (compiled on its own against the API stubs), by the name given. */
function compileJava(sources: Record<string, string>): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-javac-'));
  try {
    const files = Object.entries(sources).map(([label, text], i) => {
      // javac wants a public class in a file of its name.
      const publicClass = /public\s+(?:final\s+|abstract\s+)*class\s+(\w+)/.exec(text)?.[1] ?? /class\s+(\w+)/.exec(text)?.[1] ?? 'Source';
      const file = path.join(dir, String(i), `${publicClass}.java`);
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, text);
      return [file, label] as const;
    });
    const run = spawnSync('java', [path.join(JAVA_DIR, 'compile/CompileEach.java'), path.join(JAVA_DIR, 'compile/api'), ...files.map(([f]) => f)], { encoding: 'utf8', timeout: 120_000 });
    assert.ok(!run.error && run.status === 0, `java (a JDK 17) must be installed: ${run.error?.message ?? run.stderr}`);
    const byFile = new Map(files);
    return Object.fromEntries(run.stdout.trim().split('\n').map((line) => {
      const { file, errors } = JSON.parse(line) as { file: string; errors: string };
      return [byFile.get(file) ?? file, errors];
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SHAPES: Array<{ input: string; at: string; name: string; shape: string }> = [
  { input: 'Orders.java', at: 'String load', name: 'Orders.load', shape: 'method with a checked exception and a text block' },
  { input: 'Orders.java', at: 'public Orders(', name: 'Orders.Orders', shape: 'constructor: super() stays first' },
  { input: 'Orders.java', at: 'String toString', name: 'Orders.toString', shape: 'annotated method (@Override)' },
  { input: 'Orders.java', at: 'static int count', name: 'Orders.count', shape: 'static method on one line' },
  { input: 'Orders.java', at: '<T> T first', name: 'Orders.first', shape: 'generic method starting with a comment' },
  { input: 'Orders.java', at: 'void hit', name: 'Cache.hit', shape: 'method of a nested class' },
  { input: 'Ledger.java', at: 'void write', name: 'Ledger.write', shape: 'tabs, no package, the Tracer field and imports already there' },
];

const FLAVOURS: Array<[TracingFlavour, string]> = [['opentelemetry', 'otel'], ['xray-sdk', 'xray']];

suite('instrumentation: Java', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['java']);
  });
  suiteTeardown(() => parser.dispose());

  for (const [flavour, short] of FLAVOURS) {
    for (const s of SHAPES) {
      test(`${flavour}: ${s.shape} (${s.name})`, () => {
        checkTraceCase(parser, 'java', { input: s.input, at: s.at, flavour, name: s.name, expected: `${s.input.replace(/\.java$/, '')}.${s.name}.${short}.java` });
      });
    }
  }

  test('OpenTelemetry: imports and the Tracer field are added once and reused by a second method; the nested class gets its own field', () => {
    const text = readFixture('java', 'Orders.java');
    const style = detectCodeStyle(text);
    const context = { flavour: 'opentelemetry' as const, filePath: 'Orders.java', style };
    const once = applied(traceFunctionEdits(parser, text, 'java', text.indexOf('String load'), context), text);
    const twice = applied(traceFunctionEdits(parser, once, 'java', once.indexOf('String toString'), context), once);
    assert.strictEqual(twice.match(/import io\.opentelemetry\.api\.trace\.Span;/g)?.length, 1);
    assert.strictEqual(twice.match(/private static final Tracer tracer/g)?.length, 1);
    assert.strictEqual(twice.match(/tracer\.spanBuilder/g)?.length, 2);
    const nested = applied(traceFunctionEdits(parser, twice, 'java', twice.indexOf('void hit'), context), twice);
    assert.match(nested, /static class Cache \{\n {8}private static final Tracer tracer = GlobalOpenTelemetry\.getTracer\("com\.shop\.orders\.Cache"\);/);
  });

  test('a line comment after the opening brace stays on its line; the statements below move into the try', () => {
    const text = 'class K {\n    int f(int x) { // doubles\n        return x * 2;\n    }\n}\n';
    const output = applied(traceFunctionEdits(parser, text, 'java', text.indexOf('int f'), { flavour: 'xray-sdk', filePath: 'K.java', style: detectCodeStyle(text) }), text);
    assert.match(output, /int f\(int x\) \{ \/\/ doubles\n {8}Subsegment subsegment = AWSXRay\.beginSubsegment\("K\.f"\);\n/);
    assert.match(output, /\n {8}try \{\n {12}return x \* 2;\n {8}\} catch/);
  });

  test('refusals: an @XRayEnabled class, a method that begins a subsegment or span first, abstract and interface methods, outside a method', () => {
    const traced = readFixture('java', 'Traced.java');
    const style = detectCodeStyle(traced);
    for (const at of ['int advised', 'int lookup']) {
      assert.strictEqual(traceableFunctionAt(parser, traced, 'java', traced.indexOf(at))?.traced, true, at);
      const outcome = traceFunctionEdits(parser, traced, 'java', traced.indexOf(at), { flavour: 'xray-sdk', filePath: 'Traced.java', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'already-traced', at);
    }
    const ledger = readFixture('java', 'Ledger.java');
    const close = traceFunctionEdits(parser, ledger, 'java', ledger.indexOf('void close'), { flavour: 'opentelemetry', filePath: 'Ledger.java', style });
    assert.deepStrictEqual(close.ok ? 'edited' : close.code, 'already-traced');
    const shapes = 'interface Api {\n    int call();\n    default int twice() {\n        return call() * 2;\n    }\n}\n';
    for (const [at, code] of [['int call', 'unsupported'], ['int twice', 'unsupported'], ['interface Api', 'no-function']] as const) {
      const outcome = traceFunctionEdits(parser, shapes, 'java', shapes.indexOf(at), { flavour: 'opentelemetry', filePath: 'Api.java', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, code, at);
    }
    // A subsegment begun inside a block the first statement holds is not the method's own.
    const inner = 'class Cond {\n    int f(boolean on) {\n        if (on) {\n            AWSXRay.beginSubsegment("inner");\n        }\n        return 1;\n    }\n}\n';
    assert.strictEqual(traceableFunctionAt(parser, inner, 'java', inner.indexOf('int f'))?.traced, false);
    // An anonymous class cannot hold the Tracer field; the X-Ray flavour needs none.
    const anonymous = 'class Jobs {\n    Runnable job() {\n        return new Runnable() {\n            public void run() {\n                System.out.println(1);\n            }\n        };\n    }\n}\n';
    const otelAnonymous = traceFunctionEdits(parser, anonymous, 'java', anonymous.indexOf('void run'), { flavour: 'opentelemetry', filePath: 'Jobs.java', style });
    assert.deepStrictEqual(otelAnonymous.ok ? 'edited' : otelAnonymous.code, 'unsupported');
    const xrayAnonymous = applied(traceFunctionEdits(parser, anonymous, 'java', anonymous.indexOf('void run'), { flavour: 'xray-sdk', filePath: 'Jobs.java', style }), anonymous);
    assert.match(xrayAnonymous, /AWSXRay\.beginSubsegment\("Jobs\.run"\)/);
    // The X-Ray flavour needs no field: an interface's default method can be traced.
    const xray = traceFunctionEdits(parser, shapes, 'java', shapes.indexOf('int twice'), { flavour: 'xray-sdk', filePath: 'Api.java', style });
    assert.ok(xray.ok);
  });

  test('a CRLF file gets CRLF line breaks only, in both flavours', () => {
    const text = 'package a;\r\n\r\nclass C {\r\n    int f(int x) {\r\n        return x;\r\n    }\r\n}\r\n';
    for (const flavour of ['opentelemetry', 'xray-sdk'] as const) {
      const output = applied(traceFunctionEdits(parser, text, 'java', text.indexOf('int f'), { flavour, filePath: 'C.java', style: detectCodeStyle(text) }), text);
      assert.ok(output.length > text.length + 100, flavour);
      assert.deepStrictEqual(output.match(/[^\r]\n/g), null, flavour);
    }
  });

  const ANNOTATIONS: Array<AnnotationCase & { why: string }> = [
    { why: 'OpenTelemetry with a Span local in scope, after the statement at the end of its line', input: 'Ledger.java', after: 'span.setAttribute("closing", true);', request: { kind: 'annotation', key: 'invoice_id', value: 'inv-"7"', flavour: 'opentelemetry' }, expected: 'Ledger.annotation.otel-local.java' },
    { why: 'OpenTelemetry without one: Span.current(), the import reused', input: 'Ledger.java', after: '\t\tSystem.out', request: { kind: 'metadata', key: 'cents', value: 12.5, flavour: 'opentelemetry' }, expected: 'Ledger.metadata.otel-current.java' },
    { why: 'X-Ray SDK: the current subsegment if there is one, the AWSXRay import added; a long past int range', input: 'Orders.java', after: '        return rows.get(id) + sql;', request: { kind: 'annotation', key: 'order_id', value: 9007199254740991, flavour: 'xray-sdk' }, expected: 'Orders.annotation.xray-current.java' },
    { why: 'X-Ray SDK with a Subsegment local in scope', input: 'Traced.java', after: '            return 2;', request: { kind: 'metadata', key: 'row', value: true, flavour: 'xray-sdk' }, expected: 'Traced.metadata.xray-local.java' },
  ];
  for (const c of ANNOTATIONS) test(`annotations: ${c.why}`, () => void checkAnnotationCase(parser, 'java', c));

  test('annotations: keys already set; a body on the method line is refused', () => {
    const text = readFixture('java', 'Ledger.java');
    const keys = parser.withTree(text, 'java', (root) => javaInstrumenter.annotationKeysIn(root, text, text.indexOf('span.end()')));
    assert.deepStrictEqual(keys, { ok: true, value: ['closing'] });
    // The code.* attributes a traced method sets are not annotations (X-Ray cannot index dotted keys).
    const traced = readFixture('java', 'expected/Orders.Orders.load.otel.java');
    const none = parser.withTree(traced, 'java', (root) => javaInstrumenter.annotationKeysIn(root, traced, traced.indexOf('return rows.get')));
    assert.deepStrictEqual(none, { ok: true, value: [] });
    const orders = readFixture('java', 'Orders.java');
    const oneLine = annotationEdits(parser, orders, 'java', orders.indexOf('return ids.size()'), { kind: 'annotation', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(orders) });
    assert.deepStrictEqual(oneLine.ok ? 'edited' : oneLine.code, 'unsupported');
  });

  test('javac: the fixtures and every golden output compile; a broken variant does not (the check can fail)', function () {
    this.timeout(120_000);
    const sources: Record<string, string> = {};
    for (const file of fs.readdirSync(JAVA_DIR).filter((f) => f.endsWith('.java'))) sources[file] = readFixture('java', file);
    const expected = fs.readdirSync(path.join(JAVA_DIR, 'expected'));
    assert.ok(expected.length >= 18, `${expected.length} golden outputs`);
    for (const file of expected) sources[`expected/${file}`] = readFixture('java', `expected/${file}`);
    const load = readFixture('java', 'expected/Orders.Orders.load.otel.java');
    sources.broken = load.replace('            throw t;\n', '');
    const errors = compileJava(sources);
    assert.match(errors.broken, /missing return statement/);
    delete errors.broken;
    assert.deepStrictEqual(errors, Object.fromEntries(Object.keys(errors).map((k) => [k, ''])));
  });

  test('a file that imports another Span gets the OpenTelemetry types by their qualified names where they would clash; it compiles', function () {
    this.timeout(120_000);
    const text = 'import brave.Span;\n\nclass Jobs {\n    void run(Span legacy) {\n        legacy.name("run");\n    }\n}\n';
    const style = detectCodeStyle(text);
    const traced = applied(traceFunctionEdits(parser, text, 'java', text.indexOf('void run'), { flavour: 'opentelemetry', filePath: 'Jobs.java', style }), text);
    assert.match(traced, /\n {8}io\.opentelemetry\.api\.trace\.Span span = tracer\.spanBuilder\("Jobs\.run"\)\n/);
    assert.doesNotMatch(traced, /import io\.opentelemetry\.api\.trace\.Span;/);
    assert.match(traced, /import io\.opentelemetry\.context\.Scope;/);
    const annotated = applied(annotationEdits(parser, traced, 'java', traced.indexOf('legacy.name'), { kind: 'metadata', key: 'k', value: 1, flavour: 'opentelemetry', style }), traced);
    assert.match(annotated, /\n {12}span\.setAttribute\("k", 1\);\n {12}legacy\.name/);
    const current = applied(annotationEdits(parser, text, 'java', text.indexOf('legacy.name'), { kind: 'metadata', key: 'k', value: 1, flavour: 'opentelemetry', style }), text);
    assert.match(current, /io\.opentelemetry\.api\.trace\.Span\.current\(\)\.setAttribute\("k", 1\);/);
    assert.deepStrictEqual(compileJava({ traced, annotated, current }), { traced: '', annotated: '', current: '' });
  });

  test('annotations in a constructor go after its this()/super() call, which has to stay first; it compiles', function () {
    this.timeout(120_000);
    const text = 'class Joiner {\n    Joiner(String d) {\n        this(d, "");\n    }\n\n    Joiner(String d, String p) {\n        super();\n        System.out.println(d + p);\n    }\n}\n';
    const style = detectCodeStyle(text);
    const outputs: Record<string, string> = {};
    for (const [at, flavour] of [['this(d', 'opentelemetry'], ['super()', 'xray-sdk'], ['Joiner(String d) {', 'xray-sdk']] as const) {
      const output = applied(annotationEdits(parser, text, 'java', text.indexOf(at), { kind: 'annotation', key: 'k', value: 1, flavour, style }), text);
      assert.match(output, /\n {8}(this\(d, ""\)|super\(\));\n {8}(\/\/|[A-Z])/, `${at}: the call follows this()/super()`);
      assert.strictEqual(syntaxError(parser, output, 'java'), undefined, at);
      outputs[at.replace(/\W/g, '_')] = output;
    }
    assert.deepStrictEqual(compileJava(outputs), Object.fromEntries(Object.keys(outputs).map((k) => [k, ''])));
  });

  test('literals: escaped strings, L past int range, doubles and booleans as Java writes them', () => {
    assert.deepStrictEqual(
      [javaLiteral('a "b"\\\n'), javaLiteral(42), javaLiteral(3_000_000_000), javaLiteral(-2.5), javaLiteral(false)],
      ['"a \\"b\\"\\\\\\n"', '42', '3000000000L', '-2.5', 'false'],
    );
  });
});
