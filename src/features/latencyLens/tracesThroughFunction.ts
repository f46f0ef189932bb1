// The lens's click: the Traces view narrowed to the traces that went through the lens's function ("12 traces
// through loadOrder"), revealed. The set follows the index while it stays: new traffic through the function
// joins it. Clear Filter shows the whole list again; another lens's click replaces it.
import * as vscode from 'vscode';
import { Disposable } from '../../platform/disposable';
import type { TraceListModel, TraceRestriction } from '../traceTree/traceListModel';
import type { LatencyIndexService } from './latencyIndexService';
import { loadLatencyEngineModule } from './loadLatencyEngine';

export const SHOW_TRACES_THROUGH_COMMAND = 'xrayLens.lens.showTracesThrough';

export class TracesThroughFunction extends Disposable {
  /** The lens whose restriction was applied last. */
  private applied: { folderUri: string; key: string; owner: string } | undefined;

  constructor(
    private readonly service: LatencyIndexService,
    private readonly traces: TraceListModel,
  ) {
    super();
    this._register(service.onDidChange(() => this.follow()));
    this._register(vscode.commands.registerCommand(SHOW_TRACES_THROUGH_COMMAND, (folderUri?: unknown, key?: unknown) => this.show(folderUri, key)));
  }

  /** Applies the restriction for one index entry and reveals the Traces view; returns it (tests read it). */
  async show(folderUri: unknown, key: unknown): Promise<TraceRestriction | undefined> {
    if (typeof folderUri !== 'string' || typeof key !== 'string') return undefined;
    const restriction = this.restrictionFor(folderUri, key);
    if (!restriction) {
      void vscode.window.showInformationMessage('X-Ray: no traces go through this function any more.');
      return undefined;
    }
    this.applied = { folderUri, key, owner: ownerOf(folderUri, key) };
    this.traces.restrict(restriction);
    await vscode.commands.executeCommand('xrayLens.traces.focus');
    return restriction;
  }

  private restrictionFor(folderUri: string, key: string): TraceRestriction | undefined {
    const index = this.service.snapshot?.folders.get(folderUri);
    const entry = index?.index.entries().find((e) => e.key === key);
    const traceIds = index?.traceIds.get(key);
    if (!entry || !traceIds || traceIds.size === 0) return undefined;
    // A row at a tracing call inside its function says which call: "through loadOrder › queryOrders".
    return { label: `through ${loadLatencyEngineModule().entryTitle(entry)}`, traceIds, owner: ownerOf(folderUri, key) };
  }

  /** The index was rebuilt: the restriction a lens set takes the function's traces as they are now. */
  private follow(): void {
    const applied = this.applied;
    if (!applied || this.traces.restriction?.owner !== applied.owner) return;
    // A function no longer in the index (its file changed, its traces aged out) keeps the last set: the view still says what it shows.
    const next = this.restrictionFor(applied.folderUri, applied.key);
    if (next) this.traces.restrict(next);
  }
}

function ownerOf(folderUri: string, key: string): string {
  return `latencyLens:${folderUri}#${key}`;
}
