// detectFlavour over every manifest kind: the flavour, the evidence (file and dependency) the UI shows, the
// languages, the setting's override, both libraries at once, and manifests that merely look similar.
import * as assert from 'assert';
import { detectFlavour, isManifest, manifestDependencies, PROJECT_FILES_GLOB } from '../../../../src/code/instrument/flavourDetection';

const pkg = (deps: Record<string, string>, dev: Record<string, string> = {}) => JSON.stringify({ name: 'app', dependencies: deps, devDependencies: dev }, null, 2);

suite('flavour detection', () => {
  test('nothing traced → OpenTelemetry by default, with the languages found', () => {
    const d = detectFlavour([{ path: 'package.json', text: pkg({ express: '^5.0.0' }) }, { path: 'requirements.txt', text: 'flask==3.0\n' }]);
    assert.deepStrictEqual([d.flavour, d.decidedBy, d.evidence, d.languages, d.mixed], ['opentelemetry', 'default', [], ['javascript', 'python'], false]);
    assert.match(d.description, /^OpenTelemetry \(the default/);
    assert.deepStrictEqual(detectFlavour([]).flavour, 'opentelemetry');
  });

  test('package.json: aws-xray-sdk-core → X-Ray SDK; @opentelemetry/* → OpenTelemetry, with the evidence', () => {
    const x = detectFlavour([{ path: 'package.json', text: pkg({ 'aws-xray-sdk-core': '3.12.0', express: '5' }) }]);
    assert.deepStrictEqual([x.flavour, x.decidedBy, x.description], ['xray-sdk', 'dependencies', 'AWS X-Ray SDK (from package.json: aws-xray-sdk-core)']);
    const o = detectFlavour([{ path: 'package.json', text: pkg({}, { '@opentelemetry/api': '1.9.0' }) }]);
    assert.deepStrictEqual([o.flavour, o.description], ['opentelemetry', 'OpenTelemetry (from package.json: @opentelemetry/api)']);
    assert.deepStrictEqual(o.evidence, [{ flavour: 'opentelemetry', language: 'javascript', file: 'package.json', dependency: '@opentelemetry/api' }]);
    assert.strictEqual(detectFlavour([{ path: 'package.json', text: pkg({ 'aws-xray-sdk': '3' }) }]).flavour, 'xray-sdk');
    assert.strictEqual(detectFlavour([{ path: 'package.json', text: pkg({ '@aws/aws-distro-opentelemetry-node-autoinstrumentation': '0.7.0' }) }]).flavour, 'opentelemetry');
  });

  test('both → OpenTelemetry, marked mixed, naming the X-Ray SDK too', () => {
    const d = detectFlavour([{ path: 'package.json', text: pkg({ 'aws-xray-sdk-core': '3', '@opentelemetry/sdk-node': '0.216.0' }) }]);
    assert.deepStrictEqual([d.flavour, d.mixed, d.evidence.length], ['opentelemetry', true, 2]);
    assert.strictEqual(d.description, 'OpenTelemetry (from package.json: @opentelemetry/sdk-node; also AWS X-Ray SDK: aws-xray-sdk-core)');
  });

  test('the setting wins; auto does not', () => {
    const files = [{ path: 'package.json', text: pkg({ 'aws-xray-sdk-core': '3' }) }];
    const d = detectFlavour(files, 'opentelemetry');
    assert.deepStrictEqual([d.flavour, d.decidedBy, d.description, d.evidence.length], ['opentelemetry', 'setting', 'OpenTelemetry (from the setting)', 1]);
    assert.strictEqual(detectFlavour(files, 'auto').flavour, 'xray-sdk');
    assert.strictEqual(detectFlavour([], 'xray-sdk').flavour, 'xray-sdk');
  });

  test('Python: requirements*.txt (versions, extras, markers, comments, options), pyproject (PEP 621, Poetry), Pipfile', () => {
    const req = '# deps\n-r base.txt\n--index-url https://example.invalid/simple\nFlask>=3 ; python_version > "3.8"\nAWS_XRay_SDK[botocore]==2.15.0  # tracing\nhttps://example.invalid/x.whl\n';
    assert.deepStrictEqual(manifestDependencies({ path: 'svc/requirements-dev.txt', text: req })?.names, ['flask', 'aws-xray-sdk']);
    const d = detectFlavour([{ path: 'svc/requirements-dev.txt', text: req }]);
    assert.deepStrictEqual([d.flavour, d.evidence[0].file, d.evidence[0].dependency, d.languages], ['xray-sdk', 'svc/requirements-dev.txt', 'aws-xray-sdk', ['python']]);

    const pep621 = '[project]\nname = "billing"\ndependencies = [\n  "requests>=2",\n  "opentelemetry-sdk==1.27.0",  # sdk\n]\n\n[project.optional-dependencies]\naws = ["aws-opentelemetry-distro"]\n';
    assert.deepStrictEqual(manifestDependencies({ path: 'pyproject.toml', text: pep621 })?.names, ['requests', 'opentelemetry-sdk', 'aws-opentelemetry-distro']);
    assert.strictEqual(detectFlavour([{ path: 'pyproject.toml', text: pep621 }]).flavour, 'opentelemetry');
    const poetry = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\naws-xray-sdk = "^2.15"\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n';
    assert.deepStrictEqual(manifestDependencies({ path: 'pyproject.toml', text: poetry })?.names, ['aws-xray-sdk', 'pytest']);
    const pipfile = '[[source]]\nurl = "https://pypi.org/simple"\n[packages]\naws-xray-sdk = "*"\n[dev-packages]\nblack = "*"\n';
    assert.deepStrictEqual(manifestDependencies({ path: 'Pipfile', text: pipfile })?.names, ['aws-xray-sdk', 'black']);
  });

  test('Java: pom.xml dependencies (comments ignored), Gradle strings and maps', () => {
    const pom = `<project><dependencies>
      <!-- <dependency><groupId>io.opentelemetry</groupId><artifactId>opentelemetry-api</artifactId></dependency> -->
      <dependency>
        <groupId>com.amazonaws</groupId>
        <artifactId>aws-xray-recorder-sdk-core</artifactId>
        <version>2.18.2</version>
      </dependency>
    </dependencies></project>`;
    const d = detectFlavour([{ path: 'pom.xml', text: pom }]);
    assert.deepStrictEqual([d.flavour, d.description], ['xray-sdk', 'AWS X-Ray SDK (from pom.xml: com.amazonaws:aws-xray-recorder-sdk-core)']);
    const gradle = "dependencies {\n  // implementation 'com.amazonaws:aws-xray-recorder-sdk-core:2.18.2'\n  implementation(\"io.opentelemetry:opentelemetry-api:1.44.1\")\n  implementation group: 'org.slf4j', name: 'slf4j-api', version: '2.0.0'\n}\n";
    assert.deepStrictEqual(manifestDependencies({ path: 'build.gradle.kts', text: gradle })?.names, ['io.opentelemetry:opentelemetry-api', 'org.slf4j:slf4j-api']);
    assert.strictEqual(detectFlavour([{ path: 'build.gradle.kts', text: gradle }]).flavour, 'opentelemetry');
    // A group that only starts like io.opentelemetry is not it.
    assert.strictEqual(detectFlavour([{ path: 'build.gradle', text: "implementation 'io.opentelemetryx:thing:1'" }]).decidedBy, 'default');
  });

  test('Go: go.mod require lines and blocks; .NET: PackageReference', () => {
    const gomod = 'module example.com/app\n\ngo 1.22\n\nrequire github.com/aws/aws-xray-sdk-go/v2 v2.0.0\n\nrequire (\n\tgo.opentelemetry.io/otel v1.31.0 // indirect\n\tgithub.com/gorilla/mux v1.8.1\n)\n';
    assert.deepStrictEqual(manifestDependencies({ path: 'go.mod', text: gomod })?.names, ['github.com/aws/aws-xray-sdk-go/v2', 'go.opentelemetry.io/otel', 'github.com/gorilla/mux']);
    assert.deepStrictEqual(detectFlavour([{ path: 'go.mod', text: 'module a\nrequire github.com/aws/aws-xray-sdk-go v1.8.4\n' }]).flavour, 'xray-sdk');
    const csproj = '<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup>\n<PackageReference Include="AWSXRayRecorder.Core" Version="2.15.0" />\n<PackageReference Include="Newtonsoft.Json" Version="13" />\n</ItemGroup></Project>';
    const d = detectFlavour([{ path: 'src/Api/Api.csproj', text: csproj }]);
    assert.deepStrictEqual([d.flavour, d.languages, d.evidence[0].dependency], ['xray-sdk', ['csharp'], 'AWSXRayRecorder.Core']);
    assert.strictEqual(detectFlavour([{ path: 'Api.csproj', text: '<PackageReference Include="OpenTelemetry.Extensions.Hosting" Version="1.9.0" />' }]).flavour, 'opentelemetry');
  });

  test('evidence: shallower manifests first; non-manifests and unreadable package.json are ignored', () => {
    const d = detectFlavour([
      { path: 'services/a/package.json', text: pkg({ 'aws-xray-sdk-core': '3' }) },
      { path: 'package.json', text: '{ not json' },
      { path: 'README.md', text: 'aws-xray-sdk' },
      { path: 'node_modules/x/requirements.txt', text: 'opentelemetry-api' },
    ].filter((f) => !f.path.startsWith('node_modules/')));
    assert.deepStrictEqual([d.flavour, d.evidence.map((e) => e.file)], ['xray-sdk', ['services/a/package.json']]);
    assert.deepStrictEqual(['package.json', 'a/requirements-prod.txt', 'x/App.csproj', 'go.mod', 'build.gradle.kts', 'README.md', 'package.json.bak', 'requirements.in'].map(isManifest),
      [true, true, true, true, true, false, false, false]);
    assert.match(PROJECT_FILES_GLOB, /^\*\*\/\{package\.json,requirements\*\.txt,.*,yarn\.lock,/);
  });
});
