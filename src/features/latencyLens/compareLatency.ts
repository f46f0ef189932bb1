// X-Ray: Compare Latency…: the lenses compare the listed traces ("now") with an earlier window — the same length
// just before the list's range, the hour before it, or the time before the active file was last saved (then the
// list shows the traces since that save). The lens reads `p95 212 ms (+38% vs before, n=318/290)`; the hover shows
// both histograms. Stop Comparing goes back to the plain lens.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TimeWindow } from '../../sources/traceSource';
import { resolveTimeRange } from '../../xray/timeRange';
import type { TraceListModel } from '../traceTree/traceListModel';
import type { CompareWith, LatencyIndexService } from './latencyIndexService';

export const COMPARE_LATENCY_COMMAND = 'xrayLens.compareLatency';

/** The argument other code and tests may pass instead of picking: a window and its label, or 'off'. */
export type CompareArgument = { before: TimeWindow; label?: string } | 'off';

type Item = vscode.QuickPickItem & { compare?: CompareWith; since?: number; off?: true };

export async function compareLatency(service: LatencyIndexService, traces: TraceListModel, arg?: unknown): Promise<CompareWith | undefined> {
  if (arg === 'off') {
    service.setCompare(undefined);
    return undefined;
  }
  if (isCompareArgument(arg)) {
    const compare = { window: arg.before, label: arg.label ?? `${clock(arg.before.startTime)}–${clock(arg.before.endTime)}` };
    service.setCompare(compare);
    return compare;
  }
  const now = Date.now() / 1000;
  const shown = resolveTimeRange(traces.query.range, Date.now());
  const length = Math.max(60, Math.min(shown.endTime, now) - shown.startTime);
  const items: Item[] = [
    {
      label: `The ${minutes(length)} just before`,
      description: `${clock(shown.startTime - length)}–${clock(shown.startTime)}`,
      compare: { window: { startTime: shown.startTime - length, endTime: shown.startTime }, label: `the ${minutes(length)} before` },
    },
  ];
  if (Math.round(length) !== 3600) {
    items.push({
      label: 'The hour before',
      description: `${clock(shown.startTime - 3600)}–${clock(shown.startTime)}`,
      compare: { window: { startTime: shown.startTime - 3600, endTime: shown.startTime }, label: 'the hour before' },
    });
  }
  const saved = lastSave();
  if (saved && saved.time < now - 60 && saved.time > now - 30 * 86400) {
    const span = Math.max(length, 900);
    items.push({
      label: `Before my last save of ${saved.name}`,
      description: clock(saved.time),
      detail: `The ${minutes(span)} before ${clock(saved.time)} against the traces since; the Traces view then lists those.`,
      compare: { window: { startTime: saved.time - span, endTime: saved.time }, label: `before the save of ${saved.name} at ${clock(saved.time)}` },
      since: saved.time,
    });
  }
  if (service.comparing) items.push({ label: 'Stop Comparing', description: `now: ${service.comparing.label}`, off: true });
  const choice = await vscode.window.showQuickPick(items, { title: 'X-Ray: Compare Latency', placeHolder: 'Compare the listed traces with…' });
  if (!choice) return service.comparing;
  if (choice.off) {
    service.setCompare(undefined);
    return undefined;
  }
  if (choice.since !== undefined) await traces.setQuery({ range: { kind: 'last', minutes: Math.max(1, Math.ceil((now - choice.since) / 60)) } });
  service.setCompare(choice.compare);
  void vscode.window.setStatusBarMessage(`X-Ray: the lenses compare with ${choice.compare!.label}`, 5000);
  return choice.compare;
}

function isCompareArgument(arg: unknown): arg is Exclude<CompareArgument, 'off'> {
  const before = (arg as { before?: Partial<TimeWindow> } | undefined)?.before;
  return typeof before?.startTime === 'number' && typeof before.endTime === 'number' && before.endTime > before.startTime;
}

/** The active editor's file and when it was last written, if it is a file on disk. */
function lastSave(): { name: string; time: number } | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (uri?.scheme !== 'file') return undefined;
  try {
    return { name: path.basename(uri.fsPath), time: fs.statSync(uri.fsPath).mtimeMs / 1000 };
  } catch {
    return undefined;
  }
}

function minutes(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${m} min`;
}

function clock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}
