// Which tracing library a workspace folder already uses, read from its dependency manifests (package.json,
// requirements*.txt, pyproject.toml, Pipfile, pom.xml, build.gradle(.kts), go.mod, *.csproj), with the evidence
// that decided it, so the commands can say "OpenTelemetry (from package.json: @opentelemetry/api)".
import type { TracingFlavour } from './instrumentTypes';

/** A file of the project: path relative to the workspace folder with `/` separators, and its text. */
export interface ProjectFile {
  path: string;
  text: string;
}

/** The languages manifests reveal (TypeScript counts as javascript here: both are set up through package.json). */
export type ProjectLanguage = 'javascript' | 'python' | 'java' | 'go' | 'csharp';

export interface FlavourEvidence {
  flavour: TracingFlavour;
  language: ProjectLanguage;
  /** The manifest, as given. */
  file: string;
  /** The dependency as the manifest names it (Maven/Gradle: group:artifact). */
  dependency: string;
}

export interface FlavourDetection {
  flavour: TracingFlavour;
  /** 'setting': the override won; 'dependencies': a manifest decided; 'default': nothing found, OpenTelemetry. */
  decidedBy: 'setting' | 'dependencies' | 'default';
  /** Every tracing dependency found, in file order. */
  evidence: FlavourEvidence[];
  /** Languages with a manifest in the folder, in the order first seen. */
  languages: ProjectLanguage[];
  /** For the UI: "OpenTelemetry (from package.json: @opentelemetry/api)". */
  description: string;
  /** Both libraries are in the manifests (the result is OpenTelemetry; see detectFlavour). */
  mixed: boolean;
}

/**
 * The manifest names the detection reads, relative to a project folder (`*` as in a glob). The glue finds them
 * anywhere under the workspace folder with PROJECT_FILES_GLOB, skipping PROJECT_FILES_EXCLUDE.
 */
export const MANIFEST_PATTERNS: readonly string[] = [
  'package.json', 'requirements*.txt', 'pyproject.toml', 'Pipfile', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'go.mod', '*.csproj',
];

/** Lock files say which package manager installs the dependencies; only their names matter, not their text. */
export const LOCK_FILE_NAMES: readonly string[] = [
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb', 'poetry.lock', 'Pipfile.lock', 'uv.lock',
];

export const PROJECT_FILES_GLOB = `**/{${[...MANIFEST_PATTERNS, ...LOCK_FILE_NAMES].join(',')}}`;
export const PROJECT_FILES_EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__,target,bin,obj,vendor,dist,out,build}/**';

const MANIFEST_REGEXES = MANIFEST_PATTERNS.map((p) => new RegExp(`^${p.replace(/[.+]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));

/** The file name alone (after the last `/`). */
export function baseName(filePath: string): string {
  return filePath.slice(filePath.lastIndexOf('/') + 1);
}

export function isManifest(filePath: string): boolean {
  const name = baseName(filePath);
  return MANIFEST_REGEXES.some((r) => r.test(name));
}

interface Dependency {
  name: string;
  language: ProjectLanguage;
}

/**
 * Which flavour a dependency stands for. Narrow on purpose: a package that merely mentions X-Ray (the OTel
 * X-Ray propagator) is OpenTelemetry; AWS Lambda Powertools is neither (its own tracer API).
 */
function flavourOf(dep: Dependency): TracingFlavour | undefined {
  const name = dep.name.toLowerCase();
  switch (dep.language) {
    case 'javascript':
      if (/^aws-xray-sdk(-[a-z0-9]+)*$/.test(name)) return 'xray-sdk';
      if (name.startsWith('@opentelemetry/') || name.startsWith('@aws/aws-distro-opentelemetry')) return 'opentelemetry';
      return undefined;
    case 'python':
      if (name === 'aws-xray-sdk') return 'xray-sdk';
      if (/^opentelemetry-/.test(name) || name === 'aws-opentelemetry-distro') return 'opentelemetry';
      return undefined;
    case 'java': {
      const [group, artifact = ''] = name.split(':');
      if (group === 'com.amazonaws' && artifact.startsWith('aws-xray-recorder-sdk')) return 'xray-sdk';
      if (group === 'io.opentelemetry' || group.startsWith('io.opentelemetry.') || group === 'software.amazon.opentelemetry') return 'opentelemetry';
      return undefined;
    }
    case 'go':
      if (/^github\.com\/aws\/aws-xray-sdk-go(\/|$)/.test(name)) return 'xray-sdk';
      if (name === 'go.opentelemetry.io/otel' || name.startsWith('go.opentelemetry.io/')) return 'opentelemetry';
      return undefined;
    case 'csharp':
      if (/^awsxrayrecorder(\.|$)/.test(name)) return 'xray-sdk';
      if (/^opentelemetry(\.|$)/.test(name) || name.startsWith('aws.distro.opentelemetry')) return 'opentelemetry';
      return undefined;
  }
}

/** The dependencies a manifest declares, in the order written, with the language it implies. */
export function manifestDependencies(file: ProjectFile): { language: ProjectLanguage; names: string[] } | undefined {
  const name = baseName(file.path);
  if (name === 'package.json') return { language: 'javascript', names: packageJsonDependencies(file.text) };
  if (/^requirements.*\.txt$/.test(name)) return { language: 'python', names: requirementsDependencies(file.text) };
  if (name === 'pyproject.toml') return { language: 'python', names: pyprojectDependencies(file.text) };
  if (name === 'Pipfile') return { language: 'python', names: tomlTableKeys(file.text, (t) => t === 'packages' || t === 'dev-packages') };
  if (name === 'pom.xml') return { language: 'java', names: pomDependencies(file.text) };
  if (name === 'build.gradle' || name === 'build.gradle.kts') return { language: 'java', names: gradleDependencies(file.text) };
  if (name === 'go.mod') return { language: 'go', names: goModDependencies(file.text) };
  if (name.endsWith('.csproj')) return { language: 'csharp', names: csprojDependencies(file.text) };
  return undefined;
}

function packageJsonDependencies(text: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof json !== 'object' || json === null) return [];
  const names: string[] = [];
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = (json as Record<string, unknown>)[key];
    if (typeof deps === 'object' && deps !== null) names.push(...Object.keys(deps));
  }
  return [...new Set(names)];
}

/** PEP 503 normalisation: case-insensitive, runs of `-`, `_`, `.` are one `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The project name at the start of a PEP 508 requirement ("aws-xray-sdk[extra]>=2.0 ; python_version…"). */
function requirementName(requirement: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return m ? normalizePythonName(m[1]) : undefined;
}

function requirementsDependencies(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    // Options (-r other.txt, -e ., --index-url) and URLs name no project here.
    if (line === '' || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) continue;
    const name = requirementName(line);
    if (name) names.push(name);
  }
  return names;
}

/** Splits TOML text into [table header, body lines] (a light reader: enough for dependency lists, not all of TOML). */
function tomlTables(text: string): { table: string; lines: string[] }[] {
  const tables = [{ table: '', lines: [] as string[] }];
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) tables.push({ table: header[1].replace(/["']/g, ''), lines: [] });
    else tables[tables.length - 1].lines.push(line);
  }
  return tables;
}

function tomlTableKeys(text: string, wanted: (table: string) => boolean): string[] {
  const names: string[] = [];
  for (const { table, lines } of tomlTables(text)) {
    if (!wanted(table)) continue;
    for (const line of lines) {
      const m = /^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?\s*=/.exec(line);
      if (m) names.push(normalizePythonName(m[1]));
    }
  }
  return names;
}

/** Strings inside `key = [ ... ]` arrays of a table body (the array may span lines). */
function tomlArrayStrings(lines: string[], key: (k: string) => boolean): string[] {
  const out: string[] = [];
  let inArray = false;
  for (const line of lines) {
    let rest = line.replace(/#.*$/, '');
    if (!inArray) {
      const m = /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*=\s*\[(.*)$/.exec(rest);
      if (!m || !key(m[1])) continue;
      inArray = true;
      rest = m[2];
    }
    for (const s of rest.matchAll(/"([^"]*)"|'([^']*)'/g)) out.push(s[1] ?? s[2]);
    if (/\]\s*,?\s*$/.test(rest.replace(/"[^"]*"|'[^']*'/g, ''))) inArray = false;
  }
  return out;
}

function pyprojectDependencies(text: string): string[] {
  const requirements: string[] = [];
  const names: string[] = [];
  for (const { table, lines } of tomlTables(text)) {
    if (table === 'project') requirements.push(...tomlArrayStrings(lines, (k) => k === 'dependencies'));
    else if (table === 'project.optional-dependencies' || table === 'dependency-groups') requirements.push(...tomlArrayStrings(lines, () => true));
  }
  for (const r of requirements) {
    const name = requirementName(r);
    if (name) names.push(name);
  }
  // Poetry: [tool.poetry.dependencies], [tool.poetry.dev-dependencies], [tool.poetry.group.<g>.dependencies].
  names.push(...tomlTableKeys(text, (t) => /^tool\.poetry\.(dev-dependencies|dependencies|group\.[^.]+\.dependencies)$/.test(t)));
  return [...new Set(names)].filter((n) => n !== 'python');
}

function xmlText(block: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(block)?.[1];
}

function pomDependencies(text: string): string[] {
  const names: string[] = [];
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
  // <dependency> blocks, and <plugin> blocks too (the X-Ray SDK or the OTel agent is sometimes only wired there).
  for (const m of withoutComments.matchAll(/<(dependency|plugin)>([\s\S]*?)<\/\1>/g)) {
    const group = xmlText(m[2], 'groupId');
    const artifact = xmlText(m[2], 'artifactId');
    if (group && artifact) names.push(`${group}:${artifact}`);
  }
  return names;
}

function gradleDependencies(text: string): string[] {
  const names: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  // 'group:artifact:version' (also platform(...) and version-less with a BOM).
  for (const m of code.matchAll(/["']([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)(?::[^"']*)?["']/g)) names.push(`${m[1]}:${m[2]}`);
  // group: 'g', name: 'a'  /  group = "g", name = "a"
  for (const m of code.matchAll(/group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["']/g)) names.push(`${m[1]}:${m[2]}`);
  return [...new Set(names)];
}

function goModDependencies(text: string): string[] {
  const names: string[] = [];
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line) names.push(line.split(/\s+/)[0]);
    } else if (/^require\s*\($/.test(line)) {
      inBlock = true;
    } else {
      const m = /^require\s+(\S+)/.exec(line);
      if (m) names.push(m[1]);
    }
  }
  return names;
}

function csprojDependencies(text: string): string[] {
  const names: string[] = [];
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of withoutComments.matchAll(/<PackageReference\b[^>]*?\b(?:Include|Update)\s*=\s*"([^"]+)"/gi)) names.push(m[1]);
  return names;
}

const FLAVOUR_LABEL: Record<TracingFlavour, string> = { opentelemetry: 'OpenTelemetry', 'xray-sdk': 'AWS X-Ray SDK' };

export function flavourLabel(flavour: TracingFlavour): string {
  return FLAVOUR_LABEL[flavour];
}

/**
 * The flavour for a workspace folder. The override (a setting; 'auto' or undefined means none) wins. Otherwise
 * an X-Ray SDK dependency → 'xray-sdk', an OpenTelemetry/ADOT one → 'opentelemetry', neither → 'opentelemetry'.
 *
 * Both present → 'opentelemetry' (and `mixed`): a project that has added OpenTelemetry next to an X-Ray SDK is
 * migrating, the way AWS asks since the SDKs entered maintenance (2026-02-25); new spans belong on the supported
 * path, and with the X-Ray propagator they still join the X-Ray SDK services' traces. The X-Ray SDK stays one
 * setting away for code that still runs only under the SDK's segments.
 */
export function detectFlavour(files: readonly ProjectFile[], override?: TracingFlavour | 'auto'): FlavourDetection {
  const evidence: FlavourEvidence[] = [];
  const languages: ProjectLanguage[] = [];
  const sorted = [...files].filter((f) => isManifest(f.path)).sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));
  for (const file of sorted) {
    const found = manifestDependencies(file);
    if (!found) continue;
    if (!languages.includes(found.language)) languages.push(found.language);
    for (const name of found.names) {
      const flavour = flavourOf({ name, language: found.language });
      if (flavour) evidence.push({ flavour, language: found.language, file: file.path, dependency: name });
    }
  }
  const has = (f: TracingFlavour) => evidence.some((e) => e.flavour === f);
  const mixed = has('xray-sdk') && has('opentelemetry');
  if (override === 'opentelemetry' || override === 'xray-sdk') {
    return { flavour: override, decidedBy: 'setting', evidence, languages, mixed, description: `${FLAVOUR_LABEL[override]} (from the setting)` };
  }
  if (evidence.length === 0) {
    return { flavour: 'opentelemetry', decidedBy: 'default', evidence, languages, mixed, description: 'OpenTelemetry (the default: no tracing library in the manifests)' };
  }
  const flavour: TracingFlavour = has('opentelemetry') ? 'opentelemetry' : 'xray-sdk';
  const first = evidence.find((e) => e.flavour === flavour) as FlavourEvidence;
  const also = mixed ? `; also ${FLAVOUR_LABEL['xray-sdk']}: ${evidence.find((e) => e.flavour === 'xray-sdk')?.dependency}` : '';
  return { flavour, decidedBy: 'dependencies', evidence, languages, mixed, description: `${FLAVOUR_LABEL[flavour]} (from ${first.file}: ${first.dependency}${also})` };
}

function depth(filePath: string): number {
  return filePath.split('/').length;
}
