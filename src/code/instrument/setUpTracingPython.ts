// "Set Up Tracing" for Python. X-Ray SDK: `xray_recorder.configure(service=…, daemon_address=…)` and `patch_all()`
// after the entry's imports, Flask's XRayMiddleware after `app = Flask(…)`, and for a script (no web framework) a
// segment around the `if __name__ == '__main__':` block, so the functions it calls have a parent. OpenTelemetry:
// a tracing.py (TracerProvider with the X-Ray id generator, OTLP/HTTP exporter, X-Ray propagator) imported first,
// FlaskInstrumentor for Flask apps, a span around the `__main__` block of a script.
import type { SyntaxNode } from '../functionRanges';
import { baseName, manifestDependencies, type ProjectFile } from './flavourDetection';
import type { TextEdit } from './instrumentTypes';
import { dirName, joinPath, nearestManifest } from './setUpTracingNode';
import type { CollectorEndpoints, SetUpTracingInput, SetUpTracingPlan } from './setUpTracingTypes';

const OTEL_PACKAGES = ['opentelemetry-api', 'opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http', 'opentelemetry-sdk-extension-aws', 'opentelemetry-propagator-aws-xray'];
const TRACING_MODULES = ['tracing', 'otel_tracing'];
/** What marks a module as an OpenTelemetry SDK set-up (ours or the user's own). */
const OTEL_SETUP = /\bTracerProvider\s*\(|opentelemetry\.instrumentation\.auto_instrumentation/;

/** Paths a Python plan may create or reuse beside `entryPath`: the glue passes those that exist in `files`. */
export function pythonSetUpFileCandidates(entryPath: string): string[] {
  return TRACING_MODULES.map((m) => joinPath(dirName(entryPath), `${m}.py`));
}

interface PythonEntry {
  root: SyntaxNode;
  text: string;
  eol: string;
  indent: string;
  /** Where code that must run before other imports goes: after a shebang/encoding comment, the docstring, __future__ imports. */
  headerEnd: number;
  /** End of the line of the last import in the file's leading import block (undefined: none). */
  importsEnd?: number;
}

export function planPython(input: SetUpTracingInput, endpoints: CollectorEndpoints): SetUpTracingPlan {
  const plan: SetUpTracingPlan = { language: 'python', flavour: input.flavour, alreadySetUp: false, edits: [], newFiles: [], dependencies: [], notes: [] };
  const entry = input.entry;
  if (!entry) {
    plan.notes.push('No entry file was found (app.py, main.py, wsgi.py, manage.py …): open the module your program starts from and run the command again.');
    return plan;
  }
  let isFlask = false;
  const outcome = input.parser.withTree(entry.text, 'python', (root) => {
    const e = readEntry(root, entry.text);
    isFlask = flaskApp(e) !== undefined;
    const edits = input.flavour === 'xray-sdk' ? xraySdkEdits(input, e, plan) : otelEdits(input, e, entry, plan, endpoints);
    if (edits.length > 0) plan.edits.push({ path: entry.path, edits });
  });
  if (!outcome.ok) {
    plan.notes.push(`${entry.path} could not be parsed (${outcome.incomplete === 'too-large' ? 'too large' : 'timed out'}); nothing was changed.`);
    return plan;
  }
  const wanted = input.flavour === 'xray-sdk' ? ['aws-xray-sdk'] : [...OTEL_PACKAGES, ...(isFlask ? ['opentelemetry-instrumentation-flask'] : [])];
  addDependencies(input, entry, wanted, plan);
  plan.alreadySetUp = plan.edits.length === 0 && plan.newFiles.length === 0;
  if (plan.alreadySetUp) plan.notes.unshift(`${entry.path} already sets up ${input.flavour === 'opentelemetry' ? 'OpenTelemetry' : 'the X-Ray SDK'}: nothing to change.`);
  if (input.flavour === 'xray-sdk') plan.notes.push('The X-Ray SDKs are in maintenance since 2026-02-25 (support ends 2027-02-25); OpenTelemetry is the path AWS recommends for new work.');
  return plan;
}

// ── X-Ray SDK ─────────────────────────────────────────────────────────────────────────────────────────────────

function xraySdkEdits(input: SetUpTracingInput, e: PythonEntry, plan: SetUpTracingPlan): TextEdit[] {
  const edits: TextEdit[] = [];
  const imports: string[] = [];
  const text = e.text;
  const names = new Set<string>();
  const service = pyString(input.serviceName);
  let configure: string[] = [];
  if (!/\bxray_recorder\.configure\s*\(/.test(text)) {
    names.add('xray_recorder').add('patch_all');
    configure = [
      '# Segments go to AWS_XRAY_DAEMON_ADDRESS when it is set (the SDK prefers it), else to the local collector.',
      `xray_recorder.configure(service=${service}, daemon_address=${pyString(input.endpoints?.daemonAddress ?? '127.0.0.1:2000')})`,
      '# Calls through boto3, requests, sqlite3, … become subsegments.',
      'patch_all()',
    ];
  }
  const flask = flaskApp(e);
  if (flask) {
    if (!/\bXRayMiddleware\s*\(/.test(text)) {
      names.add('xray_recorder');
      edits.push({ start: flask.end, end: flask.end, newText: `${e.eol}${flask.indent}XRayMiddleware(${flask.app}, xray_recorder)` });
      imports.push('from aws_xray_sdk.ext.flask.middleware import XRayMiddleware');
    }
  } else if (usesDjango(input, e)) {
    plan.notes.push(`Django: add 'aws_xray_sdk.ext.django' to INSTALLED_APPS, 'aws_xray_sdk.ext.django.middleware.XRayMiddleware' first in MIDDLEWARE, and XRAY_RECORDER = {'AWS_XRAY_TRACING_NAME': ${service}} in settings.py.`);
  } else {
    const main = mainBlock(e);
    if (!main) {
      plan.notes.push("No web framework and no if __name__ == '__main__' block was found: subsegments need a segment, so open one per unit of work (xray_recorder.begin_segment / end_segment) or add your framework's X-Ray middleware.");
    } else if (!/\bbegin_segment\s*\(/.test(main.text)) {
      const wrapped = wrapBlock(e, main, (inner) => [
        `segment = xray_recorder.begin_segment(${service})`,
        'try:',
        ...inner,
        'except Exception as error:',
        `${e.indent}segment.add_exception(error, traceback.extract_tb(error.__traceback__))`,
        `${e.indent}raise`,
        'finally:',
        `${e.indent}xray_recorder.end_segment()`,
      ]);
      if (wrapped) {
        names.add('xray_recorder');
        edits.push(wrapped);
        if (!e.root.namedChildren.some((c) => c?.type === 'import_statement' && /^import traceback\s*$/.test(c.text))) imports.unshift('import traceback');
        plan.notes.push(`A script: one segment (${input.serviceName}) spans the run of the if __name__ == '__main__' block; the functions it calls are subsegments in it.`);
      } else {
        plan.notes.push("The if __name__ == '__main__' block holds a multi-line string, so it was not re-indented: open a segment around it yourself (xray_recorder.begin_segment / end_segment).");
      }
    }
  }
  const missing = [...names].filter((n) => !importsName(e.root, 'aws_xray_sdk.core', n));
  if (missing.length > 0) imports.unshift(`from aws_xray_sdk.core import ${missing.sort().join(', ')}`);
  // Standard-library `import x` lines before `from package import …` ones.
  edits.push(...topOfModule(e, [...imports].sort((a, b) => Number(a.startsWith('from ')) - Number(b.startsWith('from '))), configure));
  return edits;
}

/** New import lines at the end of the leading import block, then statements after them (or after the header). */
function topOfModule(e: PythonEntry, imports: string[], statements: string[]): TextEdit[] {
  if (imports.length + statements.length === 0) return [];
  if (e.importsEnd === undefined) {
    const blocks = [imports, statements].filter((b) => b.length > 0).map((b) => b.join(e.eol) + e.eol);
    return [{ start: e.headerEnd, end: e.headerEnd, newText: blocks.join(e.eol) + e.eol }];
  }
  const importText = imports.map((l) => e.eol + l).join('');
  const statementText = statements.length > 0 ? e.eol + statements.map((l) => e.eol + l).join('') : '';
  return [{ start: e.importsEnd, end: e.importsEnd, newText: importText + statementText }];
}

// ── OpenTelemetry ─────────────────────────────────────────────────────────────────────────────────────────────

function otelEdits(input: SetUpTracingInput, e: PythonEntry, entry: ProjectFile, plan: SetUpTracingPlan, endpoints: CollectorEndpoints): TextEdit[] {
  const edits: TextEdit[] = [];
  const imports: string[] = [];
  if (OTEL_SETUP.test(e.text)) return edits;
  const dir = dirName(entry.path);
  const existing = input.files.filter((f) => dirName(f.path) === dir && TRACING_MODULES.some((m) => baseName(f.path) === `${m}.py`));
  let tracing = existing.find((f) => OTEL_SETUP.test(f.text));
  if (!tracing) {
    const taken = new Set(existing.map((f) => f.path));
    const path = pythonSetUpFileCandidates(entry.path).find((p) => !taken.has(p));
    if (!path) {
      plan.notes.push(`tracing.py and otel_tracing.py already exist beside ${entry.path} and do not set up OpenTelemetry: nothing was changed.`);
      return edits;
    }
    tracing = { path, text: otelTracingModule(input.serviceName, endpoints, baseName(entry.path), e.eol) };
    plan.newFiles.push(tracing);
  }
  const module = baseName(tracing.path).replace(/\.py$/, '');
  const loaded = e.root.namedChildren.some((s) => s?.type === 'import_statement' && s.namedChildren.some((n) => n?.text === module));
  if (!loaded) {
    edits.push({ start: e.headerEnd, end: e.headerEnd, newText: `# OpenTelemetry first: set up before the code it traces is imported.${e.eol}import ${module}  # noqa: F401${e.eol}` });
  }
  const flask = flaskApp(e);
  if (flask) {
    if (!/\binstrument_app\s*\(/.test(e.text)) {
      edits.push({ start: flask.end, end: flask.end, newText: `${e.eol}${flask.indent}FlaskInstrumentor().instrument_app(${flask.app})` });
      imports.push('from opentelemetry.instrumentation.flask import FlaskInstrumentor');
    }
  } else if (usesDjango(input, e)) {
    plan.notes.push('Django: add opentelemetry-instrumentation-django and call DjangoInstrumentor().instrument() in manage.py / wsgi.py, so each request gets a server span.');
  } else {
    const main = mainBlock(e);
    if (main && !/\bstart_as_current_span\s*\(/.test(main.text)) {
      const wrapped = wrapBlock(e, main, (inner) => [
        '# One trace per run: the spans of the functions it calls are its children (an exception is recorded on the way out).',
        `with trace.get_tracer(__name__).start_as_current_span(${pyString(input.serviceName)}):`,
        ...inner,
      ]);
      if (wrapped) {
        edits.push(wrapped);
        if (!importsName(e.root, 'opentelemetry', 'trace')) imports.push('from opentelemetry import trace');
      }
    }
  }
  const top = topOfModule(e, imports, []);
  // The tracing import and new import lines may share the header offset (a module without imports): one edit.
  for (const t of top) {
    const same = edits.find((x) => x.start === t.start && x.end === t.end);
    if (same) same.newText += t.newText;
    else edits.push(t);
  }
  plan.notes.push('Spans go to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when it is set, else to the local collector; the service name comes from OTEL_SERVICE_NAME, else the one written in the tracing module.');
  return edits;
}

function otelTracingModule(serviceName: string, endpoints: CollectorEndpoints, entryName: string, eol: string): string {
  return [
    '"""OpenTelemetry set-up: spans with X-Ray trace ids and the X-Ray propagator (so calls into services traced with an',
    'X-Ray SDK stay one trace), exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, by default the local',
    `X-Ray Lens collector. ${entryName} imports this module first. The provider flushes its spans when the process exits."""`,
    'import os',
    '',
    'from opentelemetry import trace',
    'from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter',
    'from opentelemetry.propagate import set_global_textmap',
    'from opentelemetry.propagators.aws import AwsXRayPropagator',
    'from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator',
    'from opentelemetry.sdk.resources import SERVICE_NAME, Resource',
    'from opentelemetry.sdk.trace import TracerProvider',
    'from opentelemetry.sdk.trace.export import BatchSpanProcessor',
    '',
    '_provider = TracerProvider(',
    `    resource=Resource.create({SERVICE_NAME: os.environ.get('OTEL_SERVICE_NAME') or ${pyString(serviceName)}}),`,
    '    id_generator=AwsXRayIdGenerator(),',
    ')',
    '_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(',
    `    endpoint=os.environ.get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') or ${pyString(endpoints.otlpHttpEndpoint)},`,
    ')))',
    'trace.set_tracer_provider(_provider)',
    'set_global_textmap(AwsXRayPropagator())',
    '',
  ].join(eol);
}

// ── reading the entry ─────────────────────────────────────────────────────────────────────────────────────────

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

function readEntry(root: SyntaxNode, text: string): PythonEntry {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  let headerEnd = 0;
  let importsEnd: number | undefined;
  let sawCode = false;
  let sawStatement = false;
  for (const child of root.namedChildren) {
    if (!child) continue;
    const isDocstring = child.type === 'expression_statement' && child.firstNamedChild?.type === 'string' && !sawStatement;
    if (child.type !== 'comment') sawStatement = true;
    if (child.type === 'comment') {
      // Shebang and encoding lines stay first.
      if (!sawCode && child.startIndex === lineStartOf(text, child.startIndex) && /^#!|^#.*coding[:=]/.test(child.text) && child.startPosition.row <= 1) headerEnd = nextLine(text, child.endIndex);
      continue;
    }
    if (isDocstring || child.type === 'future_import_statement') {
      headerEnd = nextLine(text, child.endIndex);
      continue;
    }
    if (IMPORT_TYPES.has(child.type) && !sawCode) {
      importsEnd = lineEndOf(text, child.endIndex);
      continue;
    }
    sawCode = true;
  }
  // Keep a blank line after the docstring where there is one.
  const blank = /^[ \t]*\r?\n/.exec(text.slice(headerEnd));
  if (headerEnd > 0 && blank) headerEnd += blank[0].length;
  return { root, text, eol, indent: detectPythonIndent(text), headerEnd, importsEnd };
}

/** `app = Flask(__name__)` at the top of a module that imports flask: the app's name and the statement's line end. */
function flaskApp(e: PythonEntry): { app: string; end: number; indent: string } | undefined {
  const m = /^([ \t]*)([A-Za-z_]\w*)\s*=\s*(?:flask\.)?Flask\s*\(/m.exec(e.text);
  if (!m || !/^\s*(from\s+flask\s+import\b|import\s+flask\b)/m.test(e.text)) return undefined;
  // The statement's end (the call may span lines).
  const start = m.index + m[1].length;
  for (const child of e.root.descendantsOfType('expression_statement')) {
    if (child && child.startIndex === start) return { app: m[2], end: lineEndOf(e.text, child.endIndex), indent: m[1] };
  }
  return undefined;
}

function usesDjango(input: SetUpTracingInput, e: PythonEntry): boolean {
  return /^\s*(from|import)\s+django\b/m.test(e.text) || /DJANGO_SETTINGS_MODULE/.test(e.text)
    || input.files.some((f) => manifestDependencies(f)?.names.includes('django'));
}

function mainBlock(e: PythonEntry): SyntaxNode | undefined {
  for (const child of e.root.namedChildren) {
    if (child?.type !== 'if_statement') continue;
    const condition = child.childForFieldName('condition')?.text.replace(/\s+/g, ' ').replace(/"/g, "'");
    if (condition !== "__name__ == '__main__'" && condition !== "'__main__' == __name__") continue;
    return child.childForFieldName('consequence') ?? undefined;
  }
  return undefined;
}

/**
 * Replaces a block's lines with `build(its lines one level deeper)`, each line at the block's indent.
 * Undefined when the block holds a multi-line string (re-indenting would change its value).
 */
function wrapBlock(e: PythonEntry, block: SyntaxNode, build: (inner: string[]) => string[]): TextEdit | undefined {
  if (block.descendantsOfType('string').some((s) => s !== null && s.startPosition.row !== s.endPosition.row)) return undefined;
  const start = lineStartOf(e.text, block.startIndex);
  const end = lineEndOf(e.text, block.endIndex);
  const indent = /^[ \t]*/.exec(e.text.slice(start))?.[0] ?? e.indent;
  const inner = e.text.slice(start, end).split(/\r?\n/).map((l) => (l.trim() === '' ? '' : e.indent + l.slice(Math.min(indent.length, /^[ \t]*/.exec(l)?.[0].length ?? 0))));
  return { start, end, newText: build(inner).map((l) => (l === '' ? '' : indent + l)).join(e.eol) };
}

function importsName(root: SyntaxNode, module: string, name: string): boolean {
  for (const s of root.namedChildren) {
    if (s?.type !== 'import_from_statement' || s.childForFieldName('module_name')?.text !== module) continue;
    for (const n of s.childrenForFieldName('name')) {
      const bound = n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text;
      if (bound === name && n?.type !== 'aliased_import') return true;
    }
  }
  return false;
}

function detectPythonIndent(text: string): string {
  const m = /:[ \t]*(?:#.*)?\r?\n(?:[ \t]*\r?\n)*([ \t]+)\S/.exec(text);
  return m ? m[1] : '    ';
}

function addDependencies(input: SetUpTracingInput, entry: ProjectFile, wanted: string[], plan: SetUpTracingPlan): void {
  const declared = new Set(input.files.flatMap((f) => (manifestDependencies(f)?.language === 'python' ? manifestDependencies(f)?.names ?? [] : [])));
  plan.dependencies = wanted.filter((d) => !declared.has(d));
  if (plan.dependencies.length === 0) return;
  const dirOf = (name: string) => nearestManifest(input.files, entry.path, name);
  const pyproject = dirOf('pyproject.toml');
  const list = plan.dependencies.join(' ');
  const lock = (name: string) => input.files.find((f) => baseName(f.path) === name);
  if (lock('poetry.lock') || (pyproject && /^\[tool\.poetry\]/m.test(pyproject.text))) {
    plan.install = { command: `poetry add ${list}`, cwd: dirName((lock('poetry.lock') ?? pyproject as ProjectFile).path) };
  } else if (lock('uv.lock')) {
    plan.install = { command: `uv add ${list}`, cwd: dirName((lock('uv.lock') as ProjectFile).path) };
  } else if (dirOf('Pipfile')) {
    plan.install = { command: `pipenv install ${list}`, cwd: dirName((dirOf('Pipfile') as ProjectFile).path) };
  } else {
    const requirements = dirOf('requirements.txt');
    plan.install = { command: `python3 -m pip install ${list}`, cwd: requirements ? dirName(requirements.path) : dirName(entry.path) };
    if (requirements) {
      // pip does not record what it installs: the requirements file gets the new lines.
      const eol = /\r\n/.test(requirements.text) ? '\r\n' : '\n';
      const lead = requirements.text === '' || /\n$/.test(requirements.text) ? '' : eol;
      plan.edits.push({ path: requirements.path, edits: [{ start: requirements.text.length, end: requirements.text.length, newText: lead + plan.dependencies.map((d) => d + eol).join('') }] });
    }
  }
}

/** A Python string literal (single quotes, as PEP 8 leaves open and most code uses). */
function pyString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  const end = i < 0 ? text.length : i;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

function nextLine(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}
