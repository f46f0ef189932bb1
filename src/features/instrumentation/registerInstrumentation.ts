// Wires the instrumentation commands (Set Up Tracing, Trace This Function, Add Annotation/Metadata) and the
// light bulb's "Trace This Function". Nothing here loads tree-sitter: the first command or light-bulb request does.
import * as path from 'path';
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import { addAnnotation, traceFunction } from './instrumentationCommands';
import { INSTRUMENTED_LANGUAGE_IDS } from './instrumentedDocument';
import { setUpTracing } from './setUpTracingCommand';
import type { InstrumentEngine } from './instrumentEngine';
import { loadInstrumentEngineModule } from './loadInstrumentEngine';
import { TRACE_FUNCTION_COMMAND, TraceFunctionCodeActionProvider } from './traceFunctionCodeAction';

export const ADD_ANNOTATION_COMMAND = 'xrayLens.addAnnotation';
export const ADD_METADATA_COMMAND = 'xrayLens.addMetadata';
export const SET_UP_TRACING_COMMAND = 'xrayLens.setUpTracing';

export class Instrumentation extends Disposable {
  private _engine: InstrumentEngine | undefined;

  constructor(private readonly extensionPath: string, log: vscode.LogOutputChannel) {
    super();
    this._register({ dispose: () => this._engine?.dispose() });
    const engine = () => this.engine;
    // Untitled documents too: the edits need only the text.
    const selector = INSTRUMENTED_LANGUAGE_IDS.flatMap((language) => [{ language, scheme: 'file' }, { language, scheme: 'untitled' }]);
    const codeActions = new TraceFunctionCodeActionProvider(engine);
    this._register(vscode.languages.registerCodeActionsProvider(selector, codeActions, { providedCodeActionKinds: [codeActions.kind] }));
    this._register(vscode.commands.registerCommand(SET_UP_TRACING_COMMAND, (folder?: unknown) => setUpTracing(this.engine, log, folder)));
    this._register(vscode.commands.registerCommand(TRACE_FUNCTION_COMMAND, (uri?: unknown, position?: unknown) => traceFunction(this.engine, uri, position)));
    this._register(vscode.commands.registerCommand(ADD_ANNOTATION_COMMAND, (uri?: unknown, position?: unknown, key?: unknown, value?: unknown) =>
      addAnnotation(this.engine, 'annotation', uri, position, key, value)));
    this._register(vscode.commands.registerCommand(ADD_METADATA_COMMAND, (uri?: unknown, position?: unknown, key?: unknown, value?: unknown) =>
      addAnnotation(this.engine, 'metadata', uri, position, key, value)));
  }

  /** The engine (tree-sitter and the edit modules), loaded on first use; grammars load per language. */
  get engine(): InstrumentEngine {
    this._engine ??= new (loadInstrumentEngineModule().InstrumentEngine)(path.join(this.extensionPath, 'dist', 'tree-sitter'));
    return this._engine;
  }
}
