// Wires the latency lens: the index service, the CodeLens and hover providers, the X-Ray problems and the
// commands behind the lenses (the Traces view narrowed to a function's traces) and the hovers' links. Nothing here loads tree-sitter: the first request does.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { TraceListModel } from '../traceTree/traceListModel';
import { COMPARE_LATENCY_COMMAND, compareLatency } from './compareLatency';
import { ExceptionDiagnostics } from './exceptionDiagnostics';
import { LatencyCodeLensProvider, LENS_SELECTOR } from './latencyCodeLens';
import { LatencyHoverProvider } from './latencyHover';
import { LatencyIndexService } from './latencyIndexService';
import { OPEN_TRACE_COMMAND, openTrace } from './openTrace';
import { TracesThroughFunction } from './tracesThroughFunction';

export class LatencyLens extends Disposable {
  readonly service: LatencyIndexService;

  constructor(traces: TraceListModel, extensionPath: string, log: vscode.LogOutputChannel) {
    super();
    const service = (this.service = this._register(new LatencyIndexService(traces, extensionPath, log)));
    const lenses = this._register(new LatencyCodeLensProvider(service));
    this._register(new ExceptionDiagnostics(service));
    this._register(vscode.languages.registerCodeLensProvider(LENS_SELECTOR, lenses));
    this._register(vscode.languages.registerHoverProvider(LENS_SELECTOR, new LatencyHoverProvider(service)));
    this._register(new TracesThroughFunction(service, traces));
    this._register(vscode.commands.registerCommand(OPEN_TRACE_COMMAND, (traceId?: unknown) => openTrace(traceId)));
    this._register(vscode.commands.registerCommand(COMPARE_LATENCY_COMMAND, (arg?: unknown) => compareLatency(service, traces, arg)));
  }
}
