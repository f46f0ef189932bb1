// "Trace This Function", "Add Annotation" and "Add Metadata": the edit is computed by the pure modules in
// src/code/instrument (through the lazy engine) and applied to the open document as one undoable change. Each
// command resolves with what it did, so the tests (and other extensions) can tell an edit from a refusal.
import * as vscode from 'vscode';
import type { EditOutcome, EditRefusal } from '../../code/instrument/instrumentTypes';
import { applyTextEdits, codeFilePath, editTarget } from './instrumentedDocument';
import type { InstrumentEngine } from './instrumentEngine';
import { loadInstrumentEngineModule } from './loadInstrumentEngine';
import { flavourForDocument } from './projectFlavour';

export type CommandResult =
  | { ok: true; warnings: string[] }
  | { ok: false; code: EditRefusal | 'no-target' | 'cancelled' | 'changed'; reason: string };

const NO_TARGET: CommandResult = { ok: false, code: 'no-target', reason: 'No supported document or cursor.' };
const CANCELLED: CommandResult = { ok: false, code: 'cancelled', reason: 'Cancelled.' };
const CHANGED = 'The file changed while the edit was being prepared; nothing was changed. Run the command again.';

/** Shows the refusal (or the warnings of an applied edit) and turns the outcome into the command's result. */
async function finish(what: string, outcome: EditOutcome, apply: (edits: Extract<EditOutcome, { ok: true }>['edits']) => Promise<boolean>, done: string): Promise<CommandResult> {
  if (!outcome.ok) {
    // A refusal of the request (traced already, no function there) informs; a failure to do it warns.
    if (outcome.code === 'parse-failed' || outcome.code === 'invalid-input') void vscode.window.showWarningMessage(`${what}: ${outcome.reason}`);
    else void vscode.window.showInformationMessage(`${what}: ${outcome.reason}`);
    return outcome;
  }
  if (!(await apply(outcome.edits))) {
    void vscode.window.showWarningMessage(`${what}: ${CHANGED}`);
    return { ok: false, code: 'changed', reason: CHANGED };
  }
  for (const warning of outcome.warnings) void vscode.window.showWarningMessage(`${what}: ${warning}`);
  vscode.window.setStatusBarMessage(done, 5000);
  return { ok: true, warnings: outcome.warnings };
}

export async function traceFunction(engine: InstrumentEngine, uriArg?: unknown, positionArg?: unknown): Promise<CommandResult> {
  const target = await editTarget(uriArg, positionArg);
  if (!target) return NO_TARGET;
  const { document, language, offset } = target;
  const version = document.version;
  const text = document.getText();
  const detection = await flavourForDocument(document);
  const fn = await engine.functionAt(text, language, offset);
  const outcome = await engine.traceFunction(text, language, offset, { flavour: detection.flavour, filePath: codeFilePath(document) });
  return finish('Trace This Function', outcome, (edits) => applyTextEdits(document, version, edits),
    `$(pulse) Traced ${fn?.name ?? 'the function'} with ${detection.description}`);
}

/**
 * Add Annotation / Add Metadata: asks the key (annotation keys checked as they are typed) and the value (the
 * type it will be written as shown under the box), unless given as arguments.
 */
export async function addAnnotation(engine: InstrumentEngine, kind: 'annotation' | 'metadata', uriArg?: unknown, positionArg?: unknown, keyArg?: unknown, valueArg?: unknown): Promise<CommandResult> {
  const target = await editTarget(uriArg, positionArg);
  if (!target) return NO_TARGET;
  // The cursor's offset is of this version: an edit typed while the boxes are open makes the insertion refused.
  const version = target.document.version;
  const { annotationKeyProblem, parseAnnotationValue } = loadInstrumentEngineModule();
  const what = kind === 'annotation' ? 'Add Annotation' : 'Add Metadata';
  const keyProblem = (key: string) => (kind === 'annotation' ? annotationKeyProblem(key) : key.trim() === '' ? 'A metadata key cannot be empty.' : undefined);
  const key = typeof keyArg === 'string' ? keyArg : await vscode.window.showInputBox({
    title: `X-Ray: ${what}`,
    prompt: kind === 'annotation'
      ? 'Annotation key: letters, digits and underscores (indexed: usable in filter expressions such as annotation.key = "v")'
      : 'Metadata key (not indexed; any text)',
    placeHolder: kind === 'annotation' ? 'order_id' : 'request',
    validateInput: (value) => keyProblem(value),
  });
  if (key === undefined) return CANCELLED;
  const problem = keyProblem(key);
  if (problem) {
    void vscode.window.showWarningMessage(`${what}: ${problem}`);
    return { ok: false, code: 'invalid-input', reason: problem };
  }
  const valueText = typeof valueArg === 'string' || typeof valueArg === 'number' || typeof valueArg === 'boolean' ? String(valueArg) : await vscode.window.showInputBox({
    title: `X-Ray: ${what} '${key}'`,
    prompt: 'Value: true/false, a number, or text ("quoted" to keep 42 or true as text)',
    validateInput: (value) => ({ message: `Written as ${describeValue(parseAnnotationValue(value))}`, severity: vscode.InputBoxValidationSeverity.Info }),
  });
  if (valueText === undefined) return CANCELLED;
  const value = typeof valueArg === 'number' || typeof valueArg === 'boolean' ? valueArg : parseAnnotationValue(valueText);
  const { document, language, offset } = target;
  const detection = await flavourForDocument(document);
  const outcome = await engine.annotation(document.getText(), language, offset, { kind, key, value, flavour: detection.flavour });
  return finish(what, outcome, (edits) => applyTextEdits(document, version, edits),
    `$(tag) Added ${kind} '${key}' (${loadInstrumentEngineModule().flavourLabel(detection.flavour)})`);
}

/** "a number: 42", "a boolean: true", "text: \"abc\"". */
export function describeValue(value: string | number | boolean): string {
  if (typeof value === 'number') return `a number: ${value}`;
  if (typeof value === 'boolean') return `a boolean: ${value}`;
  return `text: ${JSON.stringify(value)}`;
}
