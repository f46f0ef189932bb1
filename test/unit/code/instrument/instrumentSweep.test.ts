// Robustness sweep: Trace This Function (both flavours) and Add Annotation/Metadata (at a statement, and from a
// blank line) on every function the parser finds in a fixed sample of code nobody here wrote — JavaScript and
// TypeScript from node_modules, Python's and Go's standard libraries, the JDK's sources, a C# file shipped with
// npm's node-gyp. Every result must be an edit or a refusal with a reason; every edit must parse without new
// syntax errors, keep all of the original text, compile where a checker is cheap (vm.Script, TypeScript's parser,
// python3 compile(), gofmt -e, and gofmt-clean stays clean), and, for Trace This Function, be refused a second
// time. Sources that are not installed are skipped and named in the log.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { Module } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as vm from 'vm';
import { loadCodeParser, type CodeLanguage, type CodeParser, type FunctionRange } from '../../../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { EditOutcome, TextEdit, TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { WASM_DIR } from '../functionRangesHelpers';
import { syntaxError } from './instrumentGolden';

const ROOT = path.resolve(__dirname, '../../../../..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const FLAVOURS: TracingFlavour[] = ['opentelemetry', 'xray-sdk'];
/** Functions tried per language, spread evenly over its files: keeps the sweep well under a minute. */
const FUNCTIONS_PER_LANGUAGE = 80;

interface SourceFile {
  /** Where it came from, for the report. */
  name: string;
  text: string;
}

function readIfExists(file: string): SourceFile[] {
  return fs.existsSync(file) ? [{ name: path.relative(ROOT, file).startsWith('..') ? file : path.relative(ROOT, file), text: fs.readFileSync(file, 'utf8') }] : [];
}

function filesIn(dir: string, filter: (name: string) => boolean): SourceFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter(filter).sort().flatMap((f) => readIfExists(path.join(dir, f)));
}

/** The installed Python's standard library folder (/usr/lib/python3.X), matching the python3 that compiles. */
function pythonStdlib(): { python: string; dir: string } | undefined {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const run = spawnSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' });
  const dir = run.status === 0 ? run.stdout.trim() : '';
  return dir && fs.existsSync(dir) ? { python, dir } : undefined;
}

const PYTHON_MODULES = ['textwrap.py', 'contextlib.py', 'functools.py', 'json/decoder.py', 'json/encoder.py', 'shlex.py', 'string.py',
  'fnmatch.py', 'heapq.py', 'queue.py', 'copy.py', 'glob.py', 'graphlib.py', 'asyncio/locks.py', 'asyncio/queues.py', 'bisect.py'];
const GO_FILES = ['strings/builder.go', 'strings/replace.go', 'bytes/buffer.go', 'sort/sort.go', 'container/list/list.go', 'errors/wrap.go',
  'path/path.go', 'bufio/scan.go', 'encoding/csv/reader.go', 'text/tabwriter/tabwriter.go', 'sync/once.go', 'context/context.go', 'net/http/header.go'];
const JAVA_FILES = ['java/util/Optional.java', 'java/util/StringJoiner.java', 'java/util/ArrayDeque.java', 'java/util/concurrent/CountDownLatch.java',
  'java/util/Objects.java', 'java/io/BufferedReader.java'];

/** JDK sources from the first src.zip found (none is fine: the Java part is then skipped). */
function jdkSources(): SourceFile[] {
  const zips = ['/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip', '/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip'];
  const zip = zips.find((z) => fs.existsSync(z));
  if (!zip) return [];
  return JAVA_FILES.flatMap((file) => {
    const run = spawnSync('unzip', ['-p', zip, `java.base/${file}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return run.status === 0 && run.stdout ? [{ name: `${zip}!${file}`, text: run.stdout }] : [];
  });
}

function samples(): Map<CodeLanguage, SourceFile[]> {
  const js = [
    ...filesIn(path.join(NODE_MODULES, 'express/lib'), (f) => f.endsWith('.js')),
    ...filesIn(path.join(NODE_MODULES, 'aws-xray-sdk-core/dist/lib'), (f) => f.endsWith('.js')),
    ...filesIn(path.join(NODE_MODULES, 'aws-xray-sdk-core/dist/lib/segments'), (f) => f.endsWith('.js')),
    ...filesIn(path.join(NODE_MODULES, 'protobufjs/src'), (f) => f.endsWith('.js')),
  ];
  const typescript = [
    ...filesIn(path.join(NODE_MODULES, '@textlint/linter-formatter/src/formatters'), (f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
    ...filesIn(path.join(NODE_MODULES, 'editions/source'), (f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
  ];
  const stdlib = pythonStdlib();
  const python = stdlib ? PYTHON_MODULES.flatMap((m) => readIfExists(path.join(stdlib.dir, m))) : [];
  const go = GO_FILES.flatMap((f) => readIfExists(path.join('/usr/lib/go/src', f)));
  const csharp = readIfExists('/usr/lib/node_modules/npm/node_modules/node-gyp/lib/Find-VisualStudio.cs');
  return new Map<CodeLanguage, SourceFile[]>([['javascript', js], ['typescript', typescript], ['python', python], ['go', go], ['java', jdkSources()], ['csharp', csharp]]);
}

/** Every non-whitespace character of `original`, in order, is still in `output` (nothing was dropped). */
function keepsOriginal(original: string, output: string): boolean {
  let j = 0;
  for (let i = 0; i < original.length; i++) {
    const c = original[i];
    if (/\s/.test(c)) continue;
    while (j < output.length && output[j] !== c) j++;
    if (j === output.length) return false;
    j++;
  }
  return true;
}

function offsetOf(lineStarts: number[], line: number, column: number): number {
  return lineStarts[line] + column;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A statement line strictly inside the function (the middle of its non-blank, non-comment lines), or undefined. */
function statementOffset(text: string, lineStarts: number[], fn: FunctionRange): number | undefined {
  const candidates: number[] = [];
  for (let line = fn.nameLine + 1; line < fn.endLine; line++) {
    const content = text.slice(lineStarts[line], (lineStarts[line + 1] ?? text.length + 1) - 1);
    const t = content.trim();
    if (t === '' || /^(\/\/|\/\*|\*|#)/.test(t)) continue;
    candidates.push(lineStarts[line] + content.length - content.trimStart().length);
  }
  return candidates[Math.floor(candidates.length / 2)];
}

/** The start of the first blank line strictly inside the function, or undefined. */
function blankLineOffset(text: string, lineStarts: number[], fn: FunctionRange): number | undefined {
  for (let line = fn.nameLine + 1; line < fn.endLine; line++) {
    if (text.slice(lineStarts[line], lineStarts[line + 1] ?? text.length).trim() === '') return lineStarts[line];
  }
  return undefined;
}

/** Evenly spaced picks: at most `count` of `items`, always including the first. */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]);
}

interface Tally {
  functions: number;
  attempts: number;
  ok: number;
  refused: Map<string, number>;
  failures: string[];
  compiled: number;
  millis: number;
}

/** What a JavaScript/TypeScript checker says about the text: undefined when it compiles. */
function scriptProblem(language: CodeLanguage, text: string, name: string): string | undefined {
  if (language === 'javascript') {
    try {
      new vm.Script(Module.wrap(text), { filename: name });
      return undefined;
    } catch (e) {
      return String(e);
    }
  }
  const out = ts.transpileModule(text, { fileName: name, reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  return errors.length > 0 ? errors.join('; ') : undefined;
}

/** Outputs waiting for a batched checker (python3, gofmt): name → text, and the name of the input that must compile. */
interface Batch {
  outputs: Map<string, { text: string; where: string }>;
}

/** Compiles each file with python3's compile(); returns the names that fail, with the message. */
function pythonFailures(python: string, files: Map<string, string>): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-sweep-py-'));
  try {
    const names = [...files.keys()];
    names.forEach((n, i) => fs.writeFileSync(path.join(dir, `${i}.py`), files.get(n) as string));
    const script = 'import sys, json\nfor f in sys.argv[1:]:\n  try:\n    compile(open(f, encoding="utf-8").read(), f, "exec")\n  except SyntaxError as e:\n    print(json.dumps([f, str(e)]))\n';
    const run = spawnSync(python, ['-c', script, ...names.map((_, i) => path.join(dir, `${i}.py`))], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    assert.strictEqual(run.status, 0, run.stderr);
    const failed = new Map<string, string>();
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      const [file, message] = JSON.parse(line) as [string, string];
      failed.set(names[Number(path.basename(file, '.py'))], message);
    }
    return failed;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** gofmt -e over each file; returns the names that fail, with gofmt's complaint. */
function goFailures(files: Map<string, string>): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-sweep-go-'));
  try {
    const names = [...files.keys()];
    names.forEach((n, i) => fs.writeFileSync(path.join(dir, `f${i}.go`), files.get(n) as string));
    const run = spawnSync('gofmt', ['-e', '-l', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const failed = new Map<string, string>();
    for (const line of run.stderr.split('\n').filter(Boolean)) {
      const index = /f(\d+)\.go:/.exec(line)?.[1];
      if (index !== undefined) failed.set(names[Number(index)], `${failed.get(names[Number(index)]) ?? ''}${line.replace(dir, '')}\n`);
    }
    // Listed on stdout: gofmt would reformat it. An edit of a gofmt-clean input must leave it clean, but for the
    // spaces that align one-line functions with their neighbours (a neighbour's padding is outside the edit).
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      const name = names[Number(/f(\d+)\.go$/.exec(line)?.[1])];
      const diff = name === undefined || failed.has(name) ? undefined : gofmtDiff(files.get(name) as string);
      if (diff) failed.set(name, `not gofmt-clean:\n${diff}`);
    }
    return failed;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The first lines gofmt would change other than in the spaces inside a line, or '' when there are none. */
function gofmtDiff(text: string): string {
  const run = spawnSync('gofmt', [], { input: text, encoding: 'utf8' });
  const inner = (l: string) => l.replace(/(\S)[ \t]+/g, '$1 ');
  const lines = text.split('\n');
  const formatted = run.stdout.split('\n');
  const first = lines.findIndex((l, i) => inner(l) !== inner(formatted[i] ?? ''));
  return first < 0 && lines.length === formatted.length ? '' : lines.slice(Math.max(0, first - 2), first + 3).join('\n');
}

const hasGofmt = spawnSync('gofmt', ['-h'], { encoding: 'utf8' }).error === undefined;

suite('instrumentation sweep: real code from node_modules and standard libraries', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR);
  });
  suiteTeardown(() => parser.dispose());

  test('every function: Trace This Function in both flavours and Add Annotation/Metadata inside it are edits that compile, or refusals with a reason', function () {
    this.timeout(120_000);
    const started = Date.now();
    const python = pythonStdlib()?.python;
    const tallies = new Map<CodeLanguage, Tally>();
    const batches = new Map<CodeLanguage, Batch>([['python', { outputs: new Map() }], ['go', { outputs: new Map() }]]);
    const skipped: string[] = [];

    for (const [language, files] of samples()) {
      const tally: Tally = { functions: 0, attempts: 0, ok: 0, refused: new Map(), failures: [], compiled: 0, millis: 0 };
      const languageStarted = Date.now();
      tallies.set(language, tally);
      if (files.length === 0) {
        skipped.push(language);
        continue;
      }
      const perFile = Math.ceil(FUNCTIONS_PER_LANGUAGE / files.length);
      for (const file of files) {
        const text = file.text;
        const inputClean = syntaxError(parser, text, language) === undefined;
        // A batched checker runs on the input too: an input that does not compile there proves nothing about the edits.
        const inputCompiles = language === 'javascript' || language === 'typescript' ? scriptProblem(language, text, file.name) === undefined : true;
        const batch = batches.get(language);
        if (batch) batch.outputs.set(`${file.name} (input)`, { text, where: `${file.name} input` });
        const style = detectCodeStyle(text);
        const lineStarts = lineStartsOf(text);
        const parsed = parser.parse(text, language);
        const checkOutput = (outcome: EditOutcome, where: string, fnName: string): string | undefined => {
          tally.attempts++;
          if (!outcome.ok) {
            if (!outcome.reason.trim()) tally.failures.push(`${where}: refused (${outcome.code}) without a reason`);
            const key = `${outcome.code}: ${outcome.reason.split(fnName).join('<fn>').replace(/'[^']*'/g, "'…'").slice(0, 100)}`;
            tally.refused.set(key, (tally.refused.get(key) ?? 0) + 1);
            return undefined;
          }
          let output: string;
          try {
            output = applyEdits(text, outcome.edits);
          } catch (e) {
            tally.failures.push(`${where}: ${String(e)}`);
            return undefined;
          }
          const problems: string[] = [];
          if (outcome.edits.some((e) => e.start < 0 || e.end > text.length)) problems.push('edit outside the text');
          const error = inputClean ? syntaxError(parser, output, language) : undefined;
          if (error) problems.push(`syntax error ${error}`);
          if (!keepsOriginal(text, output)) problems.push('original text lost');
          if (inputCompiles && (language === 'javascript' || language === 'typescript')) {
            const problem = scriptProblem(language, output, file.name);
            if (problem) problems.push(`does not compile: ${problem}`);
            else tally.compiled++;
          }
          if (batch && inputClean) batch.outputs.set(where, { text: output, where });
          if (problems.length > 0) {
            tally.failures.push(`${where}: ${problems.join('; ')}`);
            return undefined;
          }
          tally.ok++;
          return output;
        };

        for (const fn of spread(parsed.functions, perFile)) {
          tally.functions++;
          const offset = offsetOf(lineStarts, fn.nameLine, fn.nameColumn);
          const at = `${file.name} ${fn.name}@${fn.nameLine + 1}`;
          for (const flavour of FLAVOURS) {
            const where = `${at} trace ${flavour}`;
            const outcome = traceFunctionEdits(parser, text, language, offset, { flavour, filePath: 'src/sweep', style });
            const output = checkOutput(outcome, where, fn.name);
            if (output === undefined || !outcome.ok) continue;
            // Idempotent: the function, found again at its name, counts as traced and is not wrapped twice.
            const moved = movedOffset(outcome.edits, offset);
            const again = traceFunctionEdits(parser, output, language, moved, { flavour, filePath: 'src/sweep', style: detectCodeStyle(output) });
            if (again.ok || again.code !== 'already-traced') {
              const found = traceableFunctionAt(parser, output, language, moved);
              tally.failures.push(`${where}: a second Trace This Function gave ${again.ok ? 'an edit' : again.code} (function there: ${found?.name}, traced ${found?.traced})`);
            }
          }
          // From a blank line inside the function (multi-line strings included), one flavour each, in turn.
          const blank = blankLineOffset(text, lineStarts, fn);
          if (blank !== undefined) {
            const flavour = FLAVOURS[tally.functions % 2];
            checkOutput(annotationEdits(parser, text, language, blank, { kind: 'annotation', key: 'sweep_key', value: true, flavour, style }), `${at} annotation ${flavour} from the blank line ${text.slice(0, blank).split('\n').length}`, fn.name);
          }
          const statement = statementOffset(text, lineStarts, fn);
          if (statement === undefined) continue;
          for (const flavour of FLAVOURS) {
            for (const kind of ['annotation', 'metadata'] as const) {
              const where = `${at} ${kind} ${flavour} at line ${text.slice(0, statement).split('\n').length}`;
              checkOutput(annotationEdits(parser, text, language, statement, { kind, key: 'sweep_key', value: kind === 'annotation' ? 42 : 'value', flavour, style }), where, fn.name);
            }
          }
        }
      }
      tally.millis = Date.now() - languageStarted;
    }

    // Batched compilers: python3's compile() and gofmt -e, each output next to the input it came from.
    const batchCheck: Array<[CodeLanguage, ((files: Map<string, string>) => Map<string, string>) | undefined]> = [
      ['python', python ? (files) => pythonFailures(python, files) : undefined],
      ['go', hasGofmt ? goFailures : undefined],
    ];
    for (const [language, check] of batchCheck) {
      const batch = batches.get(language) as Batch;
      const tally = tallies.get(language) as Tally;
      if (!check || batch.outputs.size === 0) {
        if (batch.outputs.size > 0) skipped.push(`${language} compile check`);
        continue;
      }
      const failed = check(new Map([...batch.outputs].map(([k, v]) => [k, v.text])));
      for (const [name, message] of failed) {
        if (name.endsWith('(input)')) continue;
        const inputName = `${name.split(' ')[0]} (input)`;
        if (failed.has(inputName)) continue; // the input itself does not compile here
        tally.failures.push(`${name}: does not compile: ${message.trim()}`);
      }
      tally.compiled += [...batch.outputs.keys()].filter((k) => !k.endsWith('(input)') && !failed.has(k)).length;
    }

    const lines: string[] = [];
    for (const [language, t] of tallies) {
      if (t.functions === 0) continue;
      const refused = [...t.refused].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `      ${n} × ${reason}`);
      lines.push(`  ${language}: ${t.functions} functions, ${t.attempts} edits tried, ${t.ok} ok (${t.compiled} compiled), ${t.attempts - t.ok - t.failures.length} refused, ${t.failures.length} failures (${(t.millis / 1000).toFixed(1)} s)`, ...refused);
    }
    console.log(`    sweep (${((Date.now() - started) / 1000).toFixed(1)} s):\n${lines.join('\n')}${skipped.length ? `\n  not available here: ${skipped.join(', ')}` : ''}`);
    const failures = [...tallies.values()].flatMap((t) => t.failures);
    assert.deepStrictEqual(failures.slice(0, 40), [], `${failures.length} failures`);
    // The sweep must have had real work to do: the node_modules part is always installed with the repo.
    assert.ok((tallies.get('javascript')?.ok ?? 0) > 200, 'JavaScript edits were made');
    for (const t of tallies.values()) if (t.functions > 0) assert.ok(t.ok > 0, 'each language with functions got edits');
  });
});

/** Where `offset` of the original text is after the edits: moved by what the edits before it inserted or removed. */
function movedOffset(edits: readonly TextEdit[], offset: number): number {
  return offset + edits.filter((e) => e.end <= offset).reduce((sum, e) => sum + e.newText.length - (e.end - e.start), 0);
}
