// "Set Up Tracing" for Node projects, golden files per project × flavour: plain node:http (CommonJS), Express
// (CommonJS and ES modules), TypeScript in the file's own style. Every output parses without errors (tree-sitter,
// node --check, TypeScript's syntax check); planning again on the result changes nothing; the dependency list
// leaves out what package.json has, and the command follows the lock file.
// Set UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change (then read the diff).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { loadCodeParser, type CodeParser, type SyntaxNode } from '../../../../src/code/functionRanges';
import { applyEdits } from '../../../../src/code/instrument/codeStyle';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { entryFileCandidates, setUpTracingPlan } from '../../../../src/code/instrument/setUpTracing';
import { ROOT } from '../../collector/collectorHarness';
import { WASM_DIR } from '../functionRangesHelpers';
import { applyPlan, planFor, readProject } from './setUpTracingHelpers';

const SETUP = path.join(ROOT, 'test/fixtures/instrument/setup/node');
const CASES: { name: string; dir: string }[] = [
  { name: 'plain-http', dir: path.join(ROOT, 'test/peers/uninstrumented/node') },
  { name: 'express', dir: path.join(ROOT, 'test/peers/uninstrumented/express') },
  { name: 'esm-express', dir: path.join(SETUP, 'esm-express') },
  { name: 'ts-http', dir: path.join(SETUP, 'ts-http') },
];
const FLAVOURS: TracingFlavour[] = ['opentelemetry', 'xray-sdk'];

function errorNodes(parser: CodeParser, text: string, language: 'javascript' | 'typescript'): string[] {
  const outcome = parser.withTree(text, language, (root) => root.descendantsOfType(['ERROR', 'MISSING']).filter((n): n is SyntaxNode => n !== null).map((n) => `${n.type} at ${n.startPosition.row + 1}: ${n.text.slice(0, 40)}`));
  assert.ok(outcome.ok);
  return outcome.value;
}

suite('set up tracing: Node projects', () => {
  let parser: CodeParser;
  let tmp: string;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['javascript', 'typescript']);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-setup-'));
  });
  suiteTeardown(() => {
    parser?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const c of CASES) {
    for (const flavour of FLAVOURS) {
      test(`${c.name} × ${flavour}: golden files, valid code, idempotent`, () => {
        const files = readProject(c.dir);
        const plan = planFor(parser, files, flavour);
        assert.strictEqual(plan.alreadySetUp, false, plan.notes.join('\n'));
        const after = applyPlan(files, plan);
        const changed = new Set([...plan.edits.map((e) => e.path), ...plan.newFiles.map((f) => f.path)]);
        assert.ok(changed.size > 0);
        const goldenDir = path.join(SETUP, 'expected', `${c.name}.${flavour}`);
        // The whole project after the plan is the golden (TypeScript ones then also type-check in this repo's tsc run).
        for (const f of after) {
          const golden = path.join(goldenDir, f.path);
          if (process.env.UPDATE_GOLDEN) {
            mkdirSync(path.dirname(golden), { recursive: true });
            writeFileSync(golden, f.text);
          }
          assert.strictEqual(f.text, readFileSync(golden, 'utf8'), `${f.path} equals ${path.relative(ROOT, golden)}`);
          if (!changed.has(f.path) || !/\.[cm]?[jt]s$/.test(f.path)) continue;
          const isTs = /\.tsx?$/.test(f.path);
          assert.deepStrictEqual(errorNodes(parser, f.text, isTs ? 'typescript' : 'javascript'), [], f.path);
          if (isTs) {
            const out = ts.transpileModule(f.text, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
            assert.deepStrictEqual(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], f.path);
          } else {
            const file = path.join(tmp, `${c.name}-${flavour}-${path.basename(f.path)}`);
            writeFileSync(file, f.text);
            execFileSync(process.execPath, ['--check', file]);
          }
        }
        const again = planFor(parser, after, flavour);
        assert.deepStrictEqual([again.alreadySetUp, again.edits, again.newFiles], [true, [], []], again.notes.join('\n'));
        assert.match(again.notes[0], /already sets up/);
      });
    }
  }

  test('dependencies: only what package.json lacks; the command follows the lock file', () => {
    const ts = planFor(parser, readProject(path.join(SETUP, 'ts-http')), 'opentelemetry');
    assert.ok(!ts.dependencies.includes('@opentelemetry/api'), 'declared in package.json');
    assert.ok(ts.dependencies.includes('@opentelemetry/sdk-node'));
    assert.deepStrictEqual(ts.install, { command: `pnpm add ${ts.dependencies.join(' ')}`, cwd: '' });
    const esm = planFor(parser, readProject(path.join(SETUP, 'esm-express')), 'xray-sdk');
    assert.deepStrictEqual([esm.dependencies, esm.install], [['aws-xray-sdk-express'], { command: 'yarn add aws-xray-sdk-express', cwd: '' }]);
    const plain = planFor(parser, readProject(path.join(ROOT, 'test/peers/uninstrumented/node')), 'xray-sdk');
    assert.deepStrictEqual([plain.dependencies, plain.install?.command], [['aws-xray-sdk-core'], 'npm install aws-xray-sdk-core']);
  });

  test('an X-Ray set-up the user wrote is reused: the existing binding, the middleware required beside it', () => {
    const entry = { path: 'app.js', text: "const XRay = require('aws-xray-sdk-core')\nconst express = require('express')\nXRay.captureHTTPsGlobal(require('http'))\n\nconst app = express()\napp.get('/', (req, res) => res.send('ok'))\napp.listen(3000)\n" };
    const plan = setUpTracingPlan({ language: 'javascript', flavour: 'xray-sdk', files: [{ path: 'package.json', text: '{"dependencies":{"aws-xray-sdk-core":"3","express":"5"}}' }], entry, serviceName: 'svc', parser });
    const text = applyEdits(entry.text, plan.edits[0].edits);
    assert.strictEqual(text, "const XRay = require('aws-xray-sdk-core')\nconst xrayExpress = require('aws-xray-sdk-express')\nconst express = require('express')\nXRay.captureHTTPsGlobal(require('http'))\n\nconst app = express()\napp.use(xrayExpress.openSegment('svc'))\napp.get('/', (req, res) => res.send('ok'))\n// Records errors the routes pass on in their segment (after the routes, before other error handlers).\napp.use(xrayExpress.closeSegment())\napp.listen(3000)\n");
    assert.deepStrictEqual(plan.dependencies, ['aws-xray-sdk-express']);
  });

  test('the SDK already required but not configured: the configuration goes after that require, where its binding exists', () => {
    const entry = { path: 'server.js', text: "'use strict';\n\nconst AWSXRay = require('aws-xray-sdk-core');\nconst http = require('http');\n\nhttp.createServer((req, res) => res.end('ok')).listen(3000);\n" };
    const plan = setUpTracingPlan({ language: 'javascript', flavour: 'xray-sdk', files: [], entry, serviceName: 'svc', parser });
    const lines = applyEdits(entry.text, plan.edits[0].edits).split('\n');
    const required = lines.indexOf("const AWSXRay = require('aws-xray-sdk-core');");
    assert.ok(required >= 0 && lines.filter((l) => l.includes("require('aws-xray-sdk-core')")).length === 1);
    for (const used of ['AWSXRay.setDaemonAddress', 'AWSXRay.captureHTTPsGlobal', 'AWSXRay.middleware.setDefaultName']) {
      assert.ok(lines.findIndex((l) => l.includes(used)) > required, `${used} after the require:\n${lines.join('\n')}`);
    }
    assert.ok(lines.some((l) => l.startsWith('http.createServer(withXRaySegment((req, res) =>')));
  });

  test('an entry that loads its own tracing module (the demo\'s ../shared/tracedServer) is left alone, whatever the flavour', () => {
    const entry = { path: 'frontend/server.js', text: readFileSync(path.join(ROOT, 'samples/frontend/server.js'), 'utf8') };
    for (const flavour of FLAVOURS) {
      const plan = setUpTracingPlan({ language: 'javascript', flavour, files: [], entry, serviceName: 'frontend-api', parser });
      assert.deepStrictEqual([plan.alreadySetUp, plan.edits, plan.newFiles], [true, [], []], flavour);
      assert.match(plan.notes[0], /loads \.\.\/shared\/tracedServer, which looks like a tracing set-up of its own/);
    }
  });

  test('a tracing file that is not ours is never overwritten; one that starts the SDK is reused', () => {
    const entry = { path: 'src/main.js', text: "'use strict';\nconst x = 1;\n" };
    const other = { path: 'src/tracing.js', text: '// request logging\nmodule.exports = {};\n' };
    const plan = setUpTracingPlan({ language: 'javascript', flavour: 'opentelemetry', files: [other], entry, serviceName: 's', parser });
    assert.deepStrictEqual(plan.newFiles.map((f) => f.path), ['src/otel-tracing.js']);
    assert.match(applyEdits(entry.text, plan.edits[0].edits), /^'use strict';\n\/\/ OpenTelemetry first: .*\nrequire\('\.\/otel-tracing'\);\nconst x = 1;\n$/);
    const ours = { path: 'src/tracing.js', text: "const { NodeSDK } = require('@opentelemetry/sdk-node');\nnew NodeSDK({}).start();\n" };
    const reuse = setUpTracingPlan({ language: 'javascript', flavour: 'opentelemetry', files: [ours], entry, serviceName: 's', parser });
    assert.deepStrictEqual([reuse.newFiles, reuse.edits.length], [[], 1]);
    assert.match(applyEdits(entry.text, reuse.edits[0].edits), /require\('\.\/tracing'\);/);
  });

  test('no entry file: a note and no changes', () => {
    const plan = setUpTracingPlan({ language: 'javascript', flavour: 'opentelemetry', files: [], serviceName: 's', parser });
    assert.deepStrictEqual([plan.alreadySetUp, plan.edits, plan.newFiles], [false, [], []]);
    assert.match(plan.notes[0], /No entry file/);
  });

  test('entry candidates: scripts.start, then main, then the usual names', () => {
    const files = [{ path: 'api/package.json', text: JSON.stringify({ main: './lib/index.js', scripts: { start: 'node --enable-source-maps ./dist/server.js' } }) }];
    assert.deepStrictEqual(entryFileCandidates('javascript', files).slice(0, 4), ['api/dist/server.js', 'api/lib/index.js', 'index.js', 'server.js']);
  });
});
