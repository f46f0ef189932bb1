// "Set Up Tracing" for Python projects, golden files per project × flavour: a script (segment/span around the
// __main__ block), a Flask app (XRayMiddleware / FlaskInstrumentor; shebang, docstring and __future__ kept first),
// a Poetry project indented with tabs. Every output compiles (python3 -m py_compile) and parses without errors;
// planning again changes nothing; dependencies go to requirements.txt or the package manager's command.
// Set UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change (then read the diff).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCodeParser, type CodeParser, type SyntaxNode } from '../../../../src/code/functionRanges';
import { applyEdits } from '../../../../src/code/instrument/codeStyle';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { setUpTracingPlan } from '../../../../src/code/instrument/setUpTracing';
import { ROOT } from '../../collector/collectorHarness';
import { WASM_DIR } from '../functionRangesHelpers';
import { applyPlan, planFor, readProject, traceFunctions } from './setUpTracingHelpers';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SETUP = path.join(ROOT, 'test/fixtures/instrument/setup/python');
const CASES: { name: string; dir: string }[] = [
  { name: 'script', dir: path.join(ROOT, 'test/peers/uninstrumented/python') },
  { name: 'flask-app', dir: path.join(SETUP, 'flask-app') },
  { name: 'poetry-tabs', dir: path.join(SETUP, 'poetry-tabs') },
];

suite('set up tracing: Python projects', () => {
  let parser: CodeParser;
  let tmp: string;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['python']);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-setup-py-'));
  });
  suiteTeardown(() => {
    parser?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const c of CASES) {
    for (const flavour of ['opentelemetry', 'xray-sdk'] as TracingFlavour[]) {
      test(`${c.name} × ${flavour}: golden files, valid Python, idempotent`, () => {
        const files = readProject(c.dir);
        const plan = planFor(parser, files, flavour, 'billing', 'python');
        assert.strictEqual(plan.alreadySetUp, false, plan.notes.join('\n'));
        const after = applyPlan(files, plan);
        const changed = new Set([...plan.edits.map((e) => e.path), ...plan.newFiles.map((f) => f.path)]);
        for (const f of after.filter((x) => changed.has(x.path))) {
          const golden = path.join(SETUP, 'expected', `${c.name}.${flavour}`, f.path);
          if (process.env.UPDATE_GOLDEN) {
            mkdirSync(path.dirname(golden), { recursive: true });
            writeFileSync(golden, f.text);
          }
          assert.strictEqual(f.text, readFileSync(golden, 'utf8'), `${f.path} equals ${path.relative(ROOT, golden)}`);
          if (!f.path.endsWith('.py')) continue;
          const errors = parser.withTree(f.text, 'python', (root) => root.descendantsOfType(['ERROR', 'MISSING']).filter((n): n is SyntaxNode => n !== null).map((n) => n.text));
          assert.deepStrictEqual(errors, { ok: true, value: [] }, f.path);
          const file = path.join(tmp, `${c.name}-${flavour}-${path.basename(f.path)}`);
          writeFileSync(file, f.text);
          execFileSync(PYTHON, ['-m', 'py_compile', file]);
        }
        const again = planFor(parser, after, flavour, 'billing', 'python');
        assert.deepStrictEqual([again.alreadySetUp, again.edits, again.newFiles], [true, [], []], again.notes.join('\n'));
      });
    }
  }

  test('dependencies: appended to requirements.txt with pip; poetry add for a Poetry project, without what it has', () => {
    const flask = planFor(parser, readProject(path.join(SETUP, 'flask-app')), 'opentelemetry', 'billing', 'python');
    assert.ok(flask.dependencies.includes('opentelemetry-instrumentation-flask'));
    assert.deepStrictEqual(flask.install, { command: `python3 -m pip install ${flask.dependencies.join(' ')}`, cwd: '' });
    const requirements = flask.edits.find((e) => e.path === 'requirements.txt');
    assert.strictEqual(applyEdits('flask==3.0.3\n', requirements?.edits ?? []), `flask==3.0.3\n${flask.dependencies.map((d) => `${d}\n`).join('')}`);
    const poetry = planFor(parser, readProject(path.join(SETUP, 'poetry-tabs')), 'opentelemetry', 'billing', 'python');
    assert.ok(!poetry.dependencies.includes('opentelemetry-api'));
    assert.strictEqual(poetry.install?.command, `poetry add ${poetry.dependencies.join(' ')}`);
    assert.ok(!poetry.edits.some((e) => e.path.endsWith('.txt') || e.path.endsWith('.toml')));
  });

  test('Django: the settings to add, as a note; no framework and no __main__: a note, no segment', () => {
    const django = setUpTracingPlan({ language: 'python', flavour: 'xray-sdk', files: [{ path: 'requirements.txt', text: 'Django==5.1\n' }], entry: { path: 'manage.py', text: "import os\nimport sys\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n" }, serviceName: 'site', parser });
    assert.ok(django.notes.some((n) => /INSTALLED_APPS/.test(n) && /XRayMiddleware/.test(n)), django.notes.join('\n'));
    const lib = setUpTracingPlan({ language: 'python', flavour: 'xray-sdk', files: [], entry: { path: 'jobs.py', text: 'def run():\n    return 1\n' }, serviceName: 'jobs', parser });
    assert.ok(lib.notes.some((n) => /open one per unit of work/.test(n)));
    assert.strictEqual(applyEdits('def run():\n    return 1\n', lib.edits[0].edits).split('\n')[0], 'from aws_xray_sdk.core import patch_all, xray_recorder');
  });

  test('functions traced before the set-up keep code.line.number true: the literals move by the lines inserted above', () => {
    const project = readProject(path.join(ROOT, 'test/peers/uninstrumented/python'));
    for (const flavour of ['opentelemetry', 'xray-sdk'] as TracingFlavour[]) {
      const traced = project.map((f) => (f.path === 'main.py' ? { ...f, text: traceFunctions(parser, f.text, 'python', 'main.py', flavour, ['value = int(raw)', 'time.sleep(0.002)', 'self.lines.append']) } : f));
      const after = applyPlan(traced, planFor(parser, traced, flavour, 'billing', 'python'));
      const text = (after.find((f) => f.path === 'main.py') as { text: string }).text;
      const lines = text.split('\n');
      const literals = [...text.matchAll(/code\.line\.number['"]\s*[:,]\s*(\d+)/g)].map((m) => lines[Number(m[1]) - 1]);
      assert.strictEqual(literals.length, 3, flavour);
      for (const line of literals) assert.match(line ?? '', /^\s*def (parse_amount|charge|record)\(/, `${flavour}: ${line}`);
    }
  });
});
