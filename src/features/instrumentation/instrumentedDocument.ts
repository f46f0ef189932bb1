// The document an instrumentation command works on (the one a code action names, else the active editor's), its
// tree-sitter language, the cursor offset, and applying an edit outcome to it as one undoable change.
import * as vscode from 'vscode';
// Type-only: functionRanges' runtime is web-tree-sitter, which stays in the lazy engine bundle.
import type { CodeLanguage } from '../../code/functionRanges';
import type { TextEdit } from '../../code/instrument/instrumentTypes';
import { relativePath } from './projectFlavour';

/** VS Code language ids → the grammars the edit modules read. */
const LANGUAGE_IDS: Record<string, CodeLanguage> = {
  javascript: 'javascript', javascriptreact: 'javascript', typescript: 'typescript', typescriptreact: 'tsx',
  python: 'python', java: 'java', go: 'go', csharp: 'csharp',
};

/** For package.json `when` clauses and the code action's selector. */
export const INSTRUMENTED_LANGUAGE_IDS: readonly string[] = Object.keys(LANGUAGE_IDS);

export const UNSUPPORTED_LANGUAGE = 'X-Ray instrumentation works in JavaScript, TypeScript, Python, Java, Go and C# files.';

export function codeLanguageOf(document: vscode.TextDocument): CodeLanguage | undefined {
  return LANGUAGE_IDS[document.languageId];
}

/** Where a command acts: a document and an offset in it. */
export interface EditTarget {
  document: vscode.TextDocument;
  language: CodeLanguage;
  offset: number;
}

/**
 * The target of a command: `(uri, position)` as the code action passes them, else the active editor's cursor.
 * Says why in a message and returns undefined when there is none.
 */
export async function editTarget(uriArg: unknown, positionArg: unknown): Promise<EditTarget | undefined> {
  let document: vscode.TextDocument | undefined;
  let position: vscode.Position | undefined;
  if (uriArg instanceof vscode.Uri) {
    document = await vscode.workspace.openTextDocument(uriArg);
    if (positionArg instanceof vscode.Position) position = positionArg;
    else if (positionArg instanceof vscode.Range) position = positionArg.start;
  }
  const editor = vscode.window.activeTextEditor;
  if (!document && editor) document = editor.document;
  if (!document) {
    void vscode.window.showInformationMessage('Open a source file and put the cursor in a function first.');
    return undefined;
  }
  if (!position) {
    const shown = vscode.window.visibleTextEditors.find((e) => e.document === document) ?? editor;
    position = shown?.document === document ? shown.selection.active : new vscode.Position(0, 0);
  }
  const language = codeLanguageOf(document);
  if (!language) {
    void vscode.window.showInformationMessage(UNSUPPORTED_LANGUAGE);
    return undefined;
  }
  return { document, language, offset: document.offsetAt(position) };
}

/** The path written as code.file.path: relative to the workspace folder, else the file's name. */
export function codeFilePath(document: vscode.TextDocument): string {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (folder) return relativePath(folder.uri, document.uri);
  return document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1);
}

/**
 * Applies edits computed against `text` (the document at `version`) as one WorkspaceEdit: one undo step. False,
 * with nothing changed, when the document changed while the edits were computed.
 */
export async function applyTextEdits(document: vscode.TextDocument, version: number, edits: readonly TextEdit[]): Promise<boolean> {
  if (document.version !== version) return false;
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
  return vscode.workspace.applyEdit(edit);
}
