// "Set Up Tracing" for Go, .NET and Java, golden files per project × flavour: a net/http server (tracing.go,
// defer setUpTracing()(), the handler wrapped), an ASP.NET Core minimal API (AddOpenTelemetry / UseXRay), a Spring
// Boot 3 app (the agent's properties / an X-Ray servlet-filter configuration class in the app's package). Outputs
// parse without tree-sitter errors (no Go, .NET or Maven toolchain or packages are available offline here); planning
// again changes nothing. Set UPDATE_GOLDEN=1 to rewrite the expected files (then read the diff).
import * as assert from 'assert';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { loadCodeParser, type CodeLanguage, type CodeParser, type SyntaxNode } from '../../../../src/code/functionRanges';
import type { ProjectFile, ProjectLanguage } from '../../../../src/code/instrument/flavourDetection';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { setUpFileCandidates, setUpTracingPlan } from '../../../../src/code/instrument/setUpTracing';
import type { SetUpTracingPlan } from '../../../../src/code/instrument/setUpTracingTypes';
import { ROOT } from '../../collector/collectorHarness';
import { WASM_DIR } from '../functionRangesHelpers';
import { applyPlan, readProject } from './setUpTracingHelpers';

const SETUP = path.join(ROOT, 'test/fixtures/instrument/setup/compiled');
const CASES: { name: string; language: ProjectLanguage; entry: string }[] = [
  { name: 'go', language: 'go', entry: 'main.go' },
  { name: 'dotnet', language: 'csharp', entry: 'Program.cs' },
  { name: 'java', language: 'java', entry: 'src/main/java/com/example/orders/OrdersApplication.java' },
];
const GRAMMAR: Record<string, CodeLanguage> = { '.go': 'go', '.cs': 'csharp', '.java': 'java' };

function plan(parser: CodeParser, files: ProjectFile[], language: ProjectLanguage, entryPath: string, flavour: TracingFlavour): SetUpTracingPlan {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const setUpFiles = setUpFileCandidates(language, entryPath, files).flatMap((p) => byPath.get(p) ?? []);
  const manifests = files.filter((f) => /(^|\/)(go\.mod|[\w.]+\.csproj|pom\.xml)$/.test(f.path));
  return setUpTracingPlan({ language, flavour, files: [...manifests, ...setUpFiles], entry: byPath.get(entryPath), serviceName: 'orders', parser });
}

suite('set up tracing: Go, .NET, Java projects', () => {
  let parser: CodeParser;
  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['go', 'csharp', 'java']);
  });
  suiteTeardown(() => parser?.dispose());

  for (const c of CASES) {
    for (const flavour of ['opentelemetry', 'xray-sdk'] as TracingFlavour[]) {
      test(`${c.name} × ${flavour}: golden files, parses, idempotent`, () => {
        const files = readProject(path.join(SETUP, c.name));
        const first = plan(parser, files, c.language, c.entry, flavour);
        assert.strictEqual(first.alreadySetUp, false, first.notes.join('\n'));
        const after = applyPlan(files, first);
        const changed = new Set([...first.edits.map((e) => e.path), ...first.newFiles.map((f) => f.path)]);
        assert.ok(changed.size > 0);
        for (const f of after.filter((x) => changed.has(x.path))) {
          const golden = path.join(SETUP, 'expected', `${c.name}.${flavour}`, f.path);
          if (process.env.UPDATE_GOLDEN) {
            mkdirSync(path.dirname(golden), { recursive: true });
            writeFileSync(golden, f.text);
          }
          assert.strictEqual(f.text, readFileSync(golden, 'utf8'), `${f.path} equals ${path.relative(ROOT, golden)}`);
          const grammar = GRAMMAR[path.extname(f.path)];
          if (!grammar) continue;
          const errors = parser.withTree(f.text, grammar, (root) => root.descendantsOfType(['ERROR', 'MISSING']).filter((n): n is SyntaxNode => n !== null).map((n) => `${n.startPosition.row + 1}: ${n.text}`));
          assert.deepStrictEqual(errors, { ok: true, value: [] }, f.path);
        }
        const again = plan(parser, after, c.language, c.entry, flavour);
        assert.deepStrictEqual([again.edits, again.newFiles], [[], []], again.notes.join('\n'));
        // Build-file dependencies are the user's to paste (Maven/Gradle): the rest is a command.
        if (c.language !== 'java') assert.ok(first.install?.command, 'a command adds the dependencies');
      });
    }
  }

  test('commands and snippets: go get, dotnet add package, a Maven snippet with the X-Ray SDK', () => {
    const go = plan(parser, readProject(path.join(SETUP, 'go')), 'go', 'main.go', 'xray-sdk');
    assert.deepStrictEqual(go.install, { command: 'go get github.com/aws/aws-xray-sdk-go', cwd: '' });
    const dotnet = plan(parser, readProject(path.join(SETUP, 'dotnet')), 'csharp', 'Program.cs', 'xray-sdk');
    assert.strictEqual(dotnet.install?.command, 'dotnet add package AWSXRayRecorder.Core && dotnet add package AWSXRayRecorder.Handlers.AspNetCore');
    const java = plan(parser, readProject(path.join(SETUP, 'java')), 'java', CASES[2].entry, 'xray-sdk');
    assert.deepStrictEqual([java.dependencies, java.install, java.manifestSnippet?.file], [['com.amazonaws:aws-xray-recorder-sdk-core'], undefined, 'pom.xml']);
    assert.match(java.manifestSnippet?.text ?? '', /<artifactId>aws-xray-recorder-sdk-core<\/artifactId>/);
    assert.match(java.newFiles[0].text, /import com\.amazonaws\.xray\.jakarta\.servlet\.AWSXRayServletFilter;/, 'Spring Boot 3: jakarta');
  });
});
