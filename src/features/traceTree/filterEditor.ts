// The filter expression in an editor (language `xray-filter`), where VS Code's own completion and squiggles work:
// completion from src/xray/filterCompletion.ts with the names and values of the listed traces, the local parser's
// error underlined at its character as the text changes, and Apply (Ctrl/Cmd+Enter, the title bar's button) sending
// the text to the trace list, with X-Ray's refusal shown on the text.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { TraceSummaryView } from '../../sources/traceSource';
import { completeFilter, filterVocabulary, type FilterCompletion, type FilterVocabulary } from '../../xray/filterCompletion';
import type { FilterHistory } from './filterHistory';
import type { QueryOutcome, TraceListModel } from './traceListModel';
import { applyFilter, EDIT_FILTER_COMMAND, filterObjection } from './traceQueryCommands';

export const FILTER_LANGUAGE = 'xray-filter';
export const APPLY_FILTER_COMMAND = 'xrayLens.applyFilterFromEditor';

const KINDS: Record<FilterCompletion['kind'], vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  service: vscode.CompletionItemKind.Module,
  annotationKey: vscode.CompletionItemKind.Field,
  annotationValue: vscode.CompletionItemKind.Value,
  operator: vscode.CompletionItemKind.Operator,
  history: vscode.CompletionItemKind.Reference,
};
const TRIGGER_SUGGEST: vscode.Command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };

export class FilterEditor extends Disposable implements vscode.CompletionItemProvider {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection(FILTER_LANGUAGE));
  /** Built once per list of summaries, looked up on every completion request. */
  private vocabulary: { summaries: readonly TraceSummaryView[]; vocabulary: FilterVocabulary } | undefined;

  constructor(
    private readonly traces: TraceListModel,
    private readonly history: FilterHistory,
  ) {
    super();
    this._register(vscode.languages.registerCompletionItemProvider({ language: FILTER_LANGUAGE }, this, '(', '.', '"', ',', ' ', '{'));
    this._register(vscode.workspace.onDidOpenTextDocument((doc) => this.check(doc)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.diagnostics.delete(doc.uri)));
    this._register(vscode.commands.registerCommand(EDIT_FILTER_COMMAND, (text?: unknown) => this.open(text)));
    this._register(vscode.commands.registerCommand(APPLY_FILTER_COMMAND, (uri?: unknown) => this.apply(uri)));
    for (const doc of vscode.workspace.textDocuments) this.check(doc);
  }

  /** Opens an untitled filter document holding `text` (a string), or else the list's current expression. */
  async open(text?: unknown): Promise<vscode.Uri> {
    const content = typeof text === 'string' ? text : (this.traces.query.filterExpression ?? '');
    const doc = await vscode.workspace.openTextDocument({ language: FILTER_LANGUAGE, content });
    // The cursor at the end as the editor opens (set afterwards, it would move the cursor of someone already typing).
    const end = doc.positionAt(content.length);
    const editor = await vscode.window.showTextDocument(doc, { selection: new vscode.Range(end, end) });
    // An untitled name closed a moment ago (Untitled-1) can come back with the text it had: this one holds `content`.
    if (doc.getText() !== content) {
      await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), content));
      const last = doc.positionAt(content.length);
      editor.selection = new vscode.Selection(last, last);
    }
    return doc.uri;
  }

  /** Applies the text of the filter document `uri` (the title bar's button passes it), or else of the active editor. */
  async apply(uri?: unknown): Promise<QueryOutcome | undefined> {
    const doc = uri instanceof vscode.Uri
      ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())
      : vscode.window.activeTextEditor?.document;
    if (doc?.languageId !== FILTER_LANGUAGE) return undefined;
    const outcome = await applyFilter(this.traces, this.history, doc.getText());
    if (outcome.ok) {
      void vscode.commands.executeCommand('xrayLens.traces.focus');
      void vscode.window.setStatusBarMessage(doc.getText().trim() ? 'X-Ray: filter applied' : 'X-Ray: filter cleared', 3000);
    } else if (outcome.error.kind === 'invalid-request') {
      // X-Ray says what is wrong but not where: the whole text is marked, the message says the rest.
      const message = outcome.error.detail ?? outcome.error.message;
      const text = doc.getText();
      const range = new vscode.Range(doc.positionAt(text.length - text.trimStart().length), doc.positionAt(text.trimEnd().length));
      this.diagnostics.set(doc.uri, [diagnostic(range, message, 'X-Ray')]);
      void vscode.window.showErrorMessage(message);
    }
    // Other failures get their message (with buttons) from the trace list's refresh feedback.
    return outcome;
  }

  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const items = completeFilter(doc.getText(), doc.offsetAt(position), this.currentVocabulary(), this.history.entries());
    return items.map((c, i) => {
      const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
      item.insertText = c.insertText;
      item.range = new vscode.Range(doc.positionAt(c.start), doc.positionAt(c.end));
      item.detail = c.detail;
      // Our order (most traces first, history first), not the alphabet, among equally good matches.
      item.sortText = String(i).padStart(4, '0');
      if (c.retrigger) item.command = TRIGGER_SUGGEST;
      return item;
    });
  }

  private currentVocabulary(): FilterVocabulary {
    const summaries = this.traces.state.summaries;
    if (this.vocabulary?.summaries !== summaries) this.vocabulary = { summaries, vocabulary: filterVocabulary(summaries) };
    return this.vocabulary.vocabulary;
  }

  /** The local parser's error, underlined at its character; an error at the end of the text marks the last character. */
  private check(doc: vscode.TextDocument): void {
    if (doc.languageId !== FILTER_LANGUAGE) return;
    const text = doc.getText();
    const objection = filterObjection(text, this.traces.state.sourceKind);
    if (!objection) {
      this.diagnostics.delete(doc.uri);
      return;
    }
    let { start, end } = objection;
    if (start === end) [start, end] = start >= text.length ? [Math.max(0, text.trimEnd().length - 1), text.trimEnd().length] : [start, start + 1];
    this.diagnostics.set(doc.uri, [diagnostic(new vscode.Range(doc.positionAt(start), doc.positionAt(end)), objection.message, 'X-Ray filter')]);
  }
}

function diagnostic(range: vscode.Range, message: string, source: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
  d.source = source;
  return d;
}
