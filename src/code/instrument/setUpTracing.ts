// "Set Up Tracing in This Project" as a pure function: language + flavour + manifests + entry file → the plan
// (edits, new files, dependencies and the package-manager command, notes), computed per language module.
import { manifestDependencies, type ProjectFile, type ProjectLanguage } from './flavourDetection';
import type { TextEdit } from './instrumentTypes';
import { planDotnet } from './setUpTracingDotnet';
import { goSetUpFileCandidates, planGo } from './setUpTracingGo';
import { javaSetUpFileCandidates, planJava } from './setUpTracingJava';
import { nodeSetUpFileCandidates, planNode } from './setUpTracingNode';
import { planPython, pythonSetUpFileCandidates } from './setUpTracingPython';
import { DEFAULT_ENDPOINTS, type LanguagePlanner, type SetUpTracingInput, type SetUpTracingPlan } from './setUpTracingTypes';

const PLANNERS: Record<ProjectLanguage, LanguagePlanner> = {
  javascript: planNode,
  python: planPython,
  java: planJava,
  go: planGo,
  csharp: planDotnet,
};

/**
 * The set-up for one project: what to edit, what to create, which dependencies to add and how, and notes. Pure; the
 * glue shows it and applies it as one workspace edit. A project already set up gets `alreadySetUp` and no changes.
 */
export function setUpTracingPlan(input: SetUpTracingInput): SetUpTracingPlan {
  const plan = PLANNERS[input.language](input, { ...DEFAULT_ENDPOINTS, ...input.endpoints });
  if (input.entry) keepLineNumbersTrue(plan, input.entry);
  return plan;
}

/** `'code.line.number': 12`, `put_metadata('code.line.number', 12)`, `attribute.Int("code.line.number", 12)`, … */
const LINE_NUMBER_LITERAL = /(["']code\.line\.number["']\s*[:,]\s*)(\d+)/g;

/**
 * Functions traced before the set-up carry their line as a literal (code.line.number); lines the plan inserts
 * above them would make it point at the wrong function, so each literal moves by the lines added before it.
 */
function keepLineNumbersTrue(plan: SetUpTracingPlan, entry: ProjectFile): void {
  const fileEdits = plan.edits.find((e) => e.path === entry.path);
  if (!fileEdits) return;
  const lines = (t: string) => t.split('\n').length - 1;
  const added: TextEdit[] = [];
  for (const m of entry.text.matchAll(LINE_NUMBER_LITERAL)) {
    const start = (m.index ?? 0) + m[1].length;
    const end = start + m[2].length;
    if (fileEdits.edits.some((e) => e.start < end && start < e.end)) continue;
    const delta = fileEdits.edits.filter((e) => e.end <= start).reduce((sum, e) => sum + lines(e.newText) - lines(entry.text.slice(e.start, e.end)), 0);
    if (delta !== 0) added.push({ start, end, newText: String(Number(m[2]) + delta) });
  }
  fileEdits.edits.push(...added);
}

/**
 * Files a plan may create or reuse, beside the entry file: the glue reads those that exist and passes them in
 * `files`, so a plan never overwrites a file it has not seen.
 */
export function setUpFileCandidates(language: ProjectLanguage, entryPath: string, files: readonly ProjectFile[] = []): string[] {
  if (language === 'javascript') return nodeSetUpFileCandidates(entryPath);
  if (language === 'python') return pythonSetUpFileCandidates(entryPath);
  if (language === 'java') return javaSetUpFileCandidates(entryPath, files);
  if (language === 'go') return goSetUpFileCandidates(entryPath);
  return [];
}

/**
 * Likely entry files of a project, best first, for the glue to try (the first that exists is the entry):
 * package.json "main" and the file `scripts.start` runs, then the usual names per language.
 */
export function entryFileCandidates(language: ProjectLanguage, files: readonly ProjectFile[]): string[] {
  const out: string[] = [];
  const manifests = files.filter((f) => manifestDependencies(f)?.language === language);
  const dirs = [...new Set(['', ...manifests.map((m) => m.path.slice(0, Math.max(0, m.path.lastIndexOf('/'))))])];
  const add = (dir: string, names: string[]) => {
    for (const n of names) {
      const p = normalizePath(dir ? `${dir}/${n}` : n);
      if (p && !out.includes(p)) out.push(p);
    }
  };
  if (language === 'javascript') {
    for (const m of manifests.filter((f) => f.path.endsWith('package.json'))) {
      const dir = m.path.slice(0, Math.max(0, m.path.lastIndexOf('/')));
      try {
        const json = JSON.parse(m.text) as { main?: unknown; scripts?: { start?: unknown } };
        const start = typeof json.scripts?.start === 'string' ? /(?:^|\s)(?:node|ts-node|tsx|nodemon)\s+(?:-{1,2}[\w-]+(?:[ =]\S+)?\s+)*([^\s-]\S*\.[cm]?[jt]sx?)\b/.exec(json.scripts.start)?.[1] : undefined;
        const main = typeof json.main === 'string' ? json.main : undefined;
        add(dir, [start, main].filter((x): x is string => x !== undefined));
      } catch {
        // An unreadable package.json names no entry.
      }
    }
    for (const dir of dirs) add(dir, ['index.js', 'server.js', 'app.js', 'main.js', 'index.mjs', 'index.ts', 'server.ts', 'app.ts', 'main.ts', 'src/index.ts', 'src/server.ts', 'src/app.ts', 'src/main.ts', 'src/index.js', 'src/server.js', 'src/app.js']);
  } else if (language === 'python') {
    for (const dir of dirs) add(dir, ['app.py', 'main.py', '__main__.py', 'wsgi.py', 'asgi.py', 'manage.py', 'server.py', 'application.py', 'src/app.py', 'src/main.py']);
  } else if (language === 'go') {
    for (const dir of dirs) add(dir, ['main.go', 'cmd/main.go']);

  } else if (language === 'csharp') {
    for (const dir of dirs) add(dir, ['Program.cs', 'Startup.cs']);
  }
  return out;
}

/** `./a/../b` → `b`; undefined for paths that leave the folder. */
function normalizePath(p: string): string | undefined {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}
