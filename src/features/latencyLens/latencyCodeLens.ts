// CodeLens above the functions the traces map to: a lookup into the latency index (built elsewhere), by default
// only the slow ones. A name several functions share equally gets a lens that says so instead of a number.
import * as vscode from 'vscode';
import type { FunctionRange, ParsedCode } from '../../code/functionRanges';
import type { LatencyEntry } from '../../code/latencyIndex';
import { affectsSettings, readSettings, type XrayLensSettings } from '../../platform/config';
import { Disposable } from '../../platform/disposable';
import type { LatencyStats } from '../../xray/latencyStats';
import type { LatencyIndexService } from './latencyIndexService';
import { loadLatencyEngineModule } from './loadLatencyEngine';
import { SHOW_TRACES_THROUGH_COMMAND } from './tracesThroughFunction';

/** The languages with grammars (src/code/functionRanges.ts), as VS Code names them. */
export const LENS_SELECTOR: vscode.DocumentSelector = ['javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'java', 'go', 'csharp']
  .map((language) => ({ language, scheme: 'file' }));

/** An index entry placed on the function it names in the document as it is now, at `line` (0-based). */
export interface PlacedEntry {
  entry: LatencyEntry;
  fn: FunctionRange;
  line: number;
}

/**
 * Entries on the document's current functions: same name, the nearest to where the index saw it (edits move
 * lines); an entry that stands at a tracing call inside its function goes to that call as it is now.
 */
export function placeEntries(entries: readonly LatencyEntry[], code: ParsedCode): PlacedEntry[] {
  const placed: PlacedEntry[] = [];
  for (const entry of entries) {
    let best: FunctionRange | undefined;
    for (const fn of code.functions) {
      if (fn.name === entry.function && (!best || Math.abs(fn.startLine - entry.line) < Math.abs(best.startLine - entry.line))) best = fn;
    }
    if (!best) continue;
    let line = best.startLine;
    if (entry.site !== undefined) {
      const site = entry.site - entry.line + best.startLine;
      const calls = [...best.callSites, ...(best.namedCalls ?? [])].filter((c) => entry.names.includes(c.name));
      const call = calls.reduce<typeof calls[number] | undefined>((a, c) => (!a || Math.abs(c.line - site) < Math.abs(a.line - site) ? c : a), undefined);
      if (call) line = call.line;
    }
    placed.push({ entry, fn: best, line });
  }
  return placed;
}

export function statisticOf(stats: LatencyStats, statistic: XrayLensSettings['lensStatistic']): number {
  return stats[statistic];
}

/** The lens line, led by the statistic the settings compare. */
export function lensText(stats: LatencyStats, settings: Pick<XrayLensSettings, 'lensStatistic'>, windowMinutes: number): string {
  return loadLatencyEngineModule().formatLensText(stats, windowMinutes, settings.lensStatistic);
}

/** A CodeLens title renders `$(name)` as an icon: names from trace data must not. */
export function escapeLensText(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}

export class LatencyCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly _onDidChangeCodeLenses = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;

  constructor(private readonly service: LatencyIndexService) {
    super();
    this._register(service.onDidChange(() => this._onDidChangeCodeLenses.fire()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, 'lens')) this._onDidChangeCodeLenses.fire();
      }),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const settings = readSettings();
    if (!settings.lensEnabled) return [];
    this.service.start();
    const place = this.service.place(document.uri);
    const entries = place?.index.index.forFile(place.file) ?? [];
    if (!place || entries.length === 0) return [];
    const code = await this.service.parseDocument(document);
    if (!code || token.isCancellationRequested) return [];

    const placed = placeEntries(entries, code);
    const timed = placed
      .filter((p) => p.entry.stats && statisticOf(p.entry.stats, settings.lensStatistic) >= settings.lensThresholdMs)
      .sort((a, b) => statisticOf(b.entry.stats!, settings.lensStatistic) - statisticOf(a.entry.stats!, settings.lensStatistic));
    const shown = settings.lensTopN > 0 ? timed.slice(0, settings.lensTopN) : timed;
    const lenses: vscode.CodeLens[] = [];
    // Two operations of one function on one line (two tracing calls side by side) say which is which.
    const perLine = new Map<number, number>();
    for (const { line } of shown) perLine.set(line, (perLine.get(line) ?? 0) + 1);
    for (const { entry, line } of shown) {
      const range = new vscode.Range(line, 0, line, 0);
      // Numbers from part of the traces (X-Ray kept throttling) say so on the lens itself; the hover says what is missing.
      // While comparing: the statistic with its change against "before" and both sample sizes.
      const comparison = this.service.comparison(place, entry.key, settings.lensStatistic);
      const engine = loadLatencyEngineModule();
      const numbers = comparison ? engine.formatComparison(comparison, engine.formatMs) : lensText(entry.stats!, settings, place.snapshot.windowMinutes);
      const text = `${numbers}${place.snapshot.incomplete ? ' · partial' : ''}`;
      lenses.push(new vscode.CodeLens(range, {
        title: escapeLensText((perLine.get(line) ?? 0) > 1 ? `${entry.names.join(', ')}: ${text}` : text),
        command: SHOW_TRACES_THROUGH_COMMAND,
        arguments: [place.folder.uri.toString(), entry.key],
        tooltip: `X-Ray: ${entry.names.join(', ')} — show the traces through ${entry.function} in the Traces view`,
      }));
    }
    // No number is put above a function that only shares a name: the lens says so.
    for (const { entry, line } of placed) {
      if (entry.stats || !entry.ambiguous) continue;
      const name = entry.ambiguous.names[0] ?? entry.function;
      const others = entry.ambiguous.candidates.map((c) => `${c.file}:${c.line + 1} ${c.function}`).join(', ');
      lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: escapeLensText(`${entry.ambiguous.candidates.length} functions named ${name} — no numbers`),
        command: '',
        tooltip: `X-Ray: ${entry.ambiguous.count} subsegments named "${entry.ambiguous.names.join('", "')}" fit ${others}; a path mapping or exception frames would decide.`,
      }));
    }
    return lenses.sort((a, b) => a.range.start.line - b.range.start.line);
  }
}
