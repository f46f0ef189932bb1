// What the set-up tests share: a project folder read as the glue reads a workspace folder, the plan made the
// way the glue makes it (entry file, manifests, existing set-up files), the project after the plan, and Trace This
// Function applied to it.
import * as assert from 'assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { CodeLanguage, CodeParser } from '../../../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { isManifest, LOCK_FILE_NAMES, type ProjectFile, type ProjectLanguage } from '../../../../src/code/instrument/flavourDetection';
import { traceFunctionEdits } from '../../../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { entryFileCandidates, setUpFileCandidates, setUpTracingPlan } from '../../../../src/code/instrument/setUpTracing';
import type { CollectorEndpoints, SetUpTracingPlan } from '../../../../src/code/instrument/setUpTracingTypes';

/** Every file of a project folder, relative and with `/`. */
export function readProject(dir: string): ProjectFile[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => ({ path: f.split(path.sep).join('/'), text: readFileSync(path.join(dir, f), 'utf8') }));
}

/** What the glue does: manifests + lock files, the entry (first candidate that exists), the set-up files that exist. */
export function planFor(parser: CodeParser, files: ProjectFile[], flavour: TracingFlavour, serviceName = 'quote-svc', language: ProjectLanguage = 'javascript', endpoints?: Partial<CollectorEndpoints>): SetUpTracingPlan {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const entryPath = entryFileCandidates(language, files).find((p) => byPath.has(p));
  assert.ok(entryPath, `an entry among ${files.map((f) => f.path).join(', ')}`);
  const setUpFiles = setUpFileCandidates(language, entryPath, files).flatMap((p) => byPath.get(p) ?? []);
  const manifests = files.filter((f) => isManifest(f.path) || LOCK_FILE_NAMES.includes(path.posix.basename(f.path)));
  return setUpTracingPlan({ language, flavour, files: [...manifests, ...setUpFiles], entry: byPath.get(entryPath), serviceName, parser, endpoints });
}

/** The project after the plan: edits applied, new files added. */
export function applyPlan(files: ProjectFile[], plan: SetUpTracingPlan): ProjectFile[] {
  const out = new Map(files.map((f) => [f.path, f.text]));
  for (const { path: p, edits } of plan.edits) out.set(p, applyEdits(out.get(p) ?? '', edits));
  for (const f of plan.newFiles) {
    assert.ok(!out.has(f.path), `${f.path} is new`);
    out.set(f.path, f.text);
  }
  return [...out].map(([p, text]) => ({ path: p, text }));
}

/** Applies Trace This Function at the first occurrence of each needle (a place inside the function), in order. */
export function traceFunctions(parser: CodeParser, text: string, language: CodeLanguage, filePath: string, flavour: TracingFlavour, needles: string[]): string {
  let out = text;
  for (const needle of needles) {
    const offset = out.indexOf(needle);
    assert.ok(offset >= 0, `${needle} is in ${filePath}`);
    const result = traceFunctionEdits(parser, out, language, offset, { flavour, filePath, style: detectCodeStyle(out) });
    assert.ok(result.ok, `${needle}: ${result.ok ? '' : result.reason}`);
    out = applyEdits(out, result.edits);
  }
  return out;
}

/** Writes the project into `dir` (a fresh temporary folder). */
export function writeProject(dir: string, files: ProjectFile[]): void {
  for (const f of files) writeFileSync(path.join(dir, f.path), f.text);
}
