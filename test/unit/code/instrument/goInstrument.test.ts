// Go instrumentation edits through the real tree-sitter grammar: golden outputs per flavour and function shape
// (test/fixtures/instrument/go), refusals, warnings and annotations. Where Debian's golang-go and
// golang-opentelemetry-otel-dev are installed, every golden output is also type-checked by `go vet` against the
// real OpenTelemetry Go packages and a signature stub of aws-xray-sdk-go.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import { detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { goInstrumenter } from '../../../../src/code/instrument/goInstrument';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { WASM_DIR } from '../functionRangesHelpers';
import { FIXTURES, applied, checkAnnotationCase, checkTraceCase, readFixture, syntaxError, type AnnotationCase } from './instrumentGolden';

const GO_DIR = path.join(FIXTURES, 'go');
/** Where golang-opentelemetry-otel-dev puts the sources (GOPATH layout). */
const DEBIAN_GOCODE = '/usr/share/gocode';

/** `go vet` (GOPATH mode) over each source as a package of its own: the combined output and exit code. */
function goVet(sources: Record<string, string>): { code: number | null; output: string; labels: Map<string, string> } {
  const gopath = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-govet-'));
  try {
    const labels = new Map<string, string>();
    Object.entries(sources).forEach(([label, text], i) => {
      const dir = path.join(gopath, 'src', 'check', `p${i}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'x.go'), text);
      labels.set(`check/p${i}`, label);
    });
    const run = spawnSync('go', ['vet', './check/...'], {
      cwd: path.join(gopath, 'src'),
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '', GOPATH: [gopath, path.join(GO_DIR, 'compile'), DEBIAN_GOCODE].join(path.delimiter) },
    });
    assert.ok(!run.error, `go: ${run.error?.message}`);
    return { code: run.status, output: `${run.stdout}${run.stderr}`, labels };
  } finally {
    fs.rmSync(gopath, { recursive: true, force: true });
  }
}

const SHAPES: Array<{ input: string; at: string; name: string; shape: string }> = [
  { input: 'store.go', at: 'func (s *Store) Get', name: 'Store.Get', shape: 'method with a context and a named error result' },
  { input: 'store.go', at: 'func (s *Store) Put', name: 'Store.Put', shape: 'method returning an unnamed error' },
  { input: 'store.go', at: 'func (s *Store) ServeHTTP', name: 'Store.ServeHTTP', shape: 'http handler: the request carries the new context' },
  { input: 'store.go', at: 'func Keys', name: 'Keys', shape: 'generic function with a raw string' },
  { input: 'traced.go', at: 'func Plain', name: 'Plain', shape: 'imports in a block after a single import' },
];

const FLAVOURS: Array<[TracingFlavour, string]> = [['opentelemetry', 'otel'], ['xray-sdk', 'xray']];

suite('instrumentation: Go', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['go', 'java']);
  });
  suiteTeardown(() => parser.dispose());

  for (const [flavour, short] of FLAVOURS) {
    for (const s of SHAPES.filter((x) => flavour === 'opentelemetry' || x.name !== 'Keys')) {
      test(`${flavour}: ${s.shape} (${s.name})`, () => {
        checkTraceCase(parser, 'go', { input: s.input, at: s.at, flavour, name: s.name, expected: `${s.input.replace(/\.go$/, '')}.${s.name}.${short}.go` });
      });
    }
  }

  test('OpenTelemetry without a context: context.Background() and a warning; one-line body laid out; an unnamed error warned about', () => {
    const text = readFixture('go', 'store.go');
    const context = { flavour: 'opentelemetry' as const, filePath: 'src/store.go', style: detectCodeStyle(text) };
    const sum = traceFunctionEdits(parser, text, 'go', text.indexOf('func Sum'), context);
    assert.ok(sum.ok && sum.warnings.some((w) => /new trace/.test(w)), JSON.stringify(sum));
    checkTraceCase(parser, 'go', { input: 'store.go', at: 'func Sum', flavour: 'opentelemetry', name: 'Sum', expected: 'store.Sum.otel.go' });
    const put = traceFunctionEdits(parser, text, 'go', text.indexOf('func (s *Store) Put'), context);
    assert.ok(put.ok && put.warnings.some((w) => /name its error result/.test(w)));
    const get = traceFunctionEdits(parser, text, 'go', text.indexOf('func (s *Store) Get'), context);
    assert.deepStrictEqual(get.ok && get.warnings, []);
  });

  test('imports are added once: a second traced function reuses them', () => {
    const text = readFixture('go', 'store.go');
    const context = { flavour: 'opentelemetry' as const, filePath: 'src/store.go', style: detectCodeStyle(text) };
    const once = applied(traceFunctionEdits(parser, text, 'go', text.indexOf('func (s *Store) Get'), context), text);
    const twice = applied(traceFunctionEdits(parser, once, 'go', once.indexOf('func (s *Store) Put'), context), once);
    assert.strictEqual(twice.match(/"go\.opentelemetry\.io\/otel\/attribute"/g)?.length, 1);
    assert.strictEqual(twice.match(/otel\.Tracer\("store"\)\.Start\(ctx, /g)?.length, 2);
  });

  test("a file importing runtime/trace gets OpenTelemetry's trace package as oteltrace; existing aliases are used", () => {
    const text = 'package jobs\n\nimport (\n\t"context"\n\t"runtime/trace"\n\n\tattr "go.opentelemetry.io/otel/attribute"\n)\n\nfunc Run(ctx context.Context) {\n\ttrace.Log(ctx, "jobs", "run")\n}\n';
    const output = applied(traceFunctionEdits(parser, text, 'go', text.indexOf('func Run'), { flavour: 'opentelemetry', filePath: 'jobs.go', style: detectCodeStyle(text) }), text);
    assert.match(output, /\toteltrace "go\.opentelemetry\.io\/otel\/trace"\n/);
    assert.match(output, /otel\.Tracer\("jobs"\)\.Start\(ctx, "Run", oteltrace\.WithAttributes\(\n\t\tattr\.String\("code\.function\.name", "Run"\),/);
    assert.match(output, /\ttrace\.Log\(ctx, "jobs", "run"\)/);
    assert.strictEqual(syntaxError(parser, output, 'go'), undefined);
  });

  test('new imports are placed as gofmt and goimports leave them: sorted in their group, the standard library apart; gofmt -l finds nothing to change', function () {
    const cases: Array<{ why: string; text: string; at: string; flavour: TracingFlavour; imports: string }> = [
      { why: 'a single import becomes a block', flavour: 'opentelemetry', at: 'func Load',
        text: 'package a\n\nimport "context"\n\nfunc Load(ctx context.Context) (n int, err error) {\n\treturn 1, nil\n}\n',
        imports: 'import (\n\t"context"\n\n\t"go.opentelemetry.io/otel"\n\t"go.opentelemetry.io/otel/attribute"\n\t"go.opentelemetry.io/otel/codes"\n\t"go.opentelemetry.io/otel/trace"\n)\n' },
      { why: 'no import: context goes in a group of its own', flavour: 'opentelemetry', at: 'func Len',
        text: 'package a\n\nfunc Len(s string) int {\n\treturn len(s)\n}\n',
        imports: 'import (\n\t"context"\n\n\t"go.opentelemetry.io/otel"\n\t"go.opentelemetry.io/otel/attribute"\n\t"go.opentelemetry.io/otel/trace"\n)\n' },
      { why: 'context at its sorted place in the standard library group, the modules after a blank line', flavour: 'opentelemetry', at: 'func Len',
        text: 'package a\n\nimport (\n\t"errors"\n\t"strings"\n)\n\nvar e = errors.New(strings.ToLower("X"))\n\nfunc Len(s string) int {\n\treturn len(s)\n}\n',
        imports: 'import (\n\t"context"\n\t"errors"\n\t"strings"\n\n\t"go.opentelemetry.io/otel"\n\t"go.opentelemetry.io/otel/attribute"\n\t"go.opentelemetry.io/otel/trace"\n)\n' },
      { why: 'a module group that sorts after the new imports: a group of their own', flavour: 'xray-sdk', at: 'func H',
        text: 'package a\n\nimport (\n\t"net/http"\n\n\t"zz.example/log"\n)\n\nfunc H(w http.ResponseWriter, r *http.Request) {\n\tlog.Print(r)\n}\n',
        imports: 'import (\n\t"net/http"\n\n\t"zz.example/log"\n\n\t"github.com/aws/aws-xray-sdk-go/xray"\n)\n' },
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-gofmt-'));
    try {
      cases.forEach((c, i) => {
        const output = applied(traceFunctionEdits(parser, c.text, 'go', c.text.indexOf(c.at), { flavour: c.flavour, filePath: 'a.go', style: detectCodeStyle(c.text) }), c.text);
        assert.ok(output.includes(c.imports), `${c.why}:\n${output}`);
        fs.writeFileSync(path.join(dir, `c${i}.go`), output);
      });
      const gofmt = spawnSync('gofmt', ['-l', dir], { encoding: 'utf8' });
      if (gofmt.error) return this.skip(); // golang-go not installed
      assert.strictEqual(`${gofmt.stdout}${gofmt.stderr}`, '', 'files gofmt would change');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a one-line function aligned with its neighbours (as gofmt aligns them) loses the padding before { when laid out on lines', () => {
    const text = 'package a\n\ntype S []int\n\nfunc (x S) Len() int           { return len(x) }\nfunc (x S) Less(i, j int) bool { return x[i] < x[j] }\n';
    const output = applied(traceFunctionEdits(parser, text, 'go', text.indexOf('Len'), { flavour: 'opentelemetry', filePath: 'a.go', style: detectCodeStyle(text) }), text);
    assert.match(output, /\nfunc \(x S\) Len\(\) int \{\n\t_, span := /);
    assert.ok(output.endsWith('\tdefer span.End()\n\treturn len(x)\n}\nfunc (x S) Less(i, j int) bool { return x[i] < x[j] }\n'), output);
  });

  test('refusals: BeginSubsegment or tracer.Start first, X-Ray without a context, outside a function', () => {
    const traced = readFixture('go', 'traced.go');
    const style = detectCodeStyle(traced);
    for (const at of ['func Open', 'func Load']) {
      assert.strictEqual(traceableFunctionAt(parser, traced, 'go', traced.indexOf(at))?.traced, true, at);
      const outcome = traceFunctionEdits(parser, traced, 'go', traced.indexOf(at), { flavour: 'opentelemetry', filePath: 'traced.go', style });
      assert.deepStrictEqual(outcome.ok ? 'edited' : outcome.code, 'already-traced', at);
    }
    const store = readFixture('go', 'store.go');
    const noContext = traceFunctionEdits(parser, store, 'go', store.indexOf('func Sum'), { flavour: 'xray-sdk', filePath: 'store.go', style });
    assert.ok(!noContext.ok && noContext.code === 'unsupported' && /context/.test(noContext.reason));
    const top = traceFunctionEdits(parser, store, 'go', store.indexOf('var errNotFound'), { flavour: 'xray-sdk', filePath: 'store.go', style });
    assert.deepStrictEqual(top.ok ? 'edited' : top.code, 'no-function');
  });

  test('a CRLF file gets CRLF line breaks only, in both flavours', () => {
    const text = 'package a\r\n\r\nimport "context"\r\n\r\nfunc F(ctx context.Context) {\r\n\tprintln(1)\r\n}\r\n';
    for (const flavour of ['opentelemetry', 'xray-sdk'] as const) {
      const output = applied(traceFunctionEdits(parser, text, 'go', text.indexOf('func F'), { flavour, filePath: 'c.go', style: detectCodeStyle(text) }), text);
      assert.ok(output.length > text.length + 100, flavour);
      assert.deepStrictEqual(output.match(/[^\r]\n/g), null, flavour);
    }
  });

  test('go vet: the fixtures and every golden output type-check against the OpenTelemetry Go API; a broken variant does not', function () {
    this.timeout(240_000);
    const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
    if (!hasGo || !fs.existsSync(path.join(DEBIAN_GOCODE, 'src/go.opentelemetry.io/otel/trace'))) {
      console.log('      skipped: needs the Debian packages golang-go and golang-opentelemetry-otel-dev');
      this.skip();
    }
    const sources: Record<string, string> = {};
    for (const file of fs.readdirSync(GO_DIR).filter((f) => f.endsWith('.go'))) sources[file] = readFixture('go', file);
    const expected = fs.readdirSync(path.join(GO_DIR, 'expected'));
    assert.ok(expected.length >= 14, `${expected.length} golden outputs`);
    for (const file of expected) sources[`expected/${file}`] = readFixture('go', `expected/${file}`);
    const all = goVet(sources);
    const named = all.output.replace(/check\/p\d+/g, (pkg) => all.labels.get(pkg) ?? pkg);
    assert.strictEqual(all.code, 0, named);
    // Go refuses an unused variable: the span without its End() must fail, so the check can fail.
    const broken = goVet({ broken: readFixture('go', 'expected/store.Sum.otel.go').replace(/\tdefer span\.End\(\)\n/, '') });
    assert.notStrictEqual(broken.code, 0);
    assert.match(broken.output, /span declared (but|and) not used/);
  });

  const ANNOTATIONS: Array<AnnotationCase & { why: string }> = [
    { why: 'OpenTelemetry with a span in scope, after the statement at the end of its line', input: 'traced.go', after: 'span.AddEvent("loaded")', request: { kind: 'annotation', key: 'rows', value: 3, flavour: 'opentelemetry' }, expected: 'traced.annotation.otel-local.go' },
    { why: 'OpenTelemetry from the request\'s context, the trace and attribute imports added', input: 'store.go', after: '\tw.WriteHeader', request: { kind: 'metadata', key: 'status', value: 'ok "fine"', flavour: 'opentelemetry' }, expected: 'store.metadata.otel-request.go' },
    { why: 'X-Ray SDK: xray.AddAnnotation on the function\'s context, before a return', input: 'store.go', after: '\treturn n, nil', request: { kind: 'annotation', key: 'found', value: true, flavour: 'xray-sdk' }, expected: 'store.annotation.xray.go' },
    { why: 'X-Ray SDK: the context BeginSubsegment returned', input: 'traced.go', after: '\tdefer seg.Close(nil)', request: { kind: 'metadata', key: 'ratio', value: 0.5, flavour: 'xray-sdk' }, expected: 'traced.metadata.xray-subsegment.go' },
  ];
  for (const c of ANNOTATIONS) test(`annotations: ${c.why}`, () => void checkAnnotationCase(parser, 'go', c));

  test('annotations: keys already set; no span and no context is refused', () => {
    const text = readFixture('go', 'traced.go');
    const withKey = applied(annotationEdits(parser, text, 'go', text.indexOf('span.AddEvent'), { kind: 'annotation', key: 'rows', value: 3, flavour: 'opentelemetry', style: detectCodeStyle(text) }), text);
    const keys = parser.withTree(withKey, 'go', (root) => goInstrumenter.annotationKeysIn(root, withKey, withKey.indexOf('span.AddEvent')));
    assert.deepStrictEqual(keys, { ok: true, value: ['rows'] });
    const store = readFixture('go', 'store.go');
    const keysInKeys = store.indexOf('keys := make');
    const refused = annotationEdits(parser, store, 'go', keysInKeys, { kind: 'annotation', key: 'k', value: 1, flavour: 'opentelemetry', style: detectCodeStyle(store) });
    assert.deepStrictEqual(refused.ok ? 'edited' : refused.code, 'unsupported');
  });

  test('annotations from a blank line inside the body go there, before the next line of code and its comment, or after the last (shared by Java and C#)', () => {
    const text = 'package a\n\nimport "context"\n\nfunc F(ctx context.Context) int {\n\ty := 1\n\n\t// why\n\treturn y\n}\n';
    const output = applied(annotationEdits(parser, text, 'go', text.indexOf('\n\n\t// why') + 1, { kind: 'metadata', key: 'k', value: 1, flavour: 'opentelemetry', style: detectCodeStyle(text) }), text);
    assert.ok(output.endsWith('\ty := 1\n\n\ttrace.SpanFromContext(ctx).SetAttributes(attribute.Int64("k", 1))\n\t// why\n\treturn y\n}\n'), output);
    const java = 'class A {\n    int f() {\n        int y = 1;\n\n        return y;\n    }\n}\n';
    const javaOutput = applied(annotationEdits(parser, java, 'java', java.indexOf('\n\n        return') + 1, { kind: 'metadata', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(java) }), java);
    assert.match(javaOutput, /int y = 1;\n\n {8}AWSXRay\.getCurrentSubsegmentOptional\(\)\.ifPresent\(current -> current\.putMetadata\("k", 1\)\);\n {8}return y;/);
    // From a blank line after the last statement: after it (before it when it returns).
    const last = 'class A {\n    void f() {\n        System.out.println(1); // done\n\n    }\n}\n';
    const lastOutput = applied(annotationEdits(parser, last, 'java', last.indexOf('\n\n    }') + 1, { kind: 'metadata', key: 'k', value: 1, flavour: 'xray-sdk', style: detectCodeStyle(last) }), last);
    assert.match(lastOutput, /println\(1\); \/\/ done\n {8}AWSXRay\.getCurrentSubsegmentOptional\(\)\.ifPresent\(current -> current\.putMetadata\("k", 1\)\);\n\n {4}\}/);
  });
});
