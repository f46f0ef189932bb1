// The light bulb's "Trace This Function 'name'" when the cursor is in a named function without a span or
// subsegment of its own. The parse runs in the lazy engine; nothing loads until a supported file asks.
import * as vscode from 'vscode';
import { codeLanguageOf } from './instrumentedDocument';
import type { InstrumentEngine } from './instrumentEngine';

export const TRACE_FUNCTION_COMMAND = 'xrayLens.traceFunction';

/** The light bulb asks on every cursor move: files bigger than this get no action (the command still works). */
const MAX_CHARS = 1024 * 1024;

export class TraceFunctionCodeActionProvider implements vscode.CodeActionProvider {
  /** RefactorRewrite, as the edit rewrites the function's body in place. */
  readonly kind = vscode.CodeActionKind.RefactorRewrite.append('xrayLens.traceFunction');

  constructor(private readonly engine: () => InstrumentEngine) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    if (context.only && !context.only.intersects(this.kind)) return [];
    const language = codeLanguageOf(document);
    if (!language) return [];
    const text = document.getText();
    if (text.length > MAX_CHARS) return [];
    const position = range instanceof vscode.Selection ? range.active : range.start;
    const fn = await this.engine().functionAt(text, language, document.offsetAt(position));
    if (!fn || fn.traced || token.isCancellationRequested) return [];
    const action = new vscode.CodeAction(`Trace This Function '${fn.name}'`, this.kind);
    action.command = { command: TRACE_FUNCTION_COMMAND, title: 'Trace This Function', arguments: [document.uri, position] };
    return [action];
  }
}
