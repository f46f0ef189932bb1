// The lens's click: a quick pick of the function's slowest traces, and opening the chosen one in the trace
// timeline (`xrayLens.openTimeline`) — or, where that command is not there, showing the Traces view with the
// trace id copied.
import * as vscode from 'vscode';
import type { LatencyIndexService } from './latencyIndexService';
import { loadLatencyEngineModule } from './loadLatencyEngine';

export const OPEN_TIMELINE_COMMAND = 'xrayLens.openTimeline';
/** Opens a trace where it can be opened: the timeline, else the fallback. The hover's links run one of the two. */
export const OPEN_TRACE_COMMAND = 'xrayLens.lens.openTrace';
export const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** The command a trace link should run: the timeline when it is registered. */
export async function openTraceCommand(): Promise<string> {
  const commands = await vscode.commands.getCommands(true);
  return commands.includes(OPEN_TIMELINE_COMMAND) ? OPEN_TIMELINE_COMMAND : OPEN_TRACE_COMMAND;
}

export async function openTrace(traceId: unknown): Promise<void> {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) return;
  if ((await openTraceCommand()) === OPEN_TIMELINE_COMMAND) {
    await vscode.commands.executeCommand(OPEN_TIMELINE_COMMAND, traceId);
    return;
  }
  await vscode.env.clipboard.writeText(traceId);
  await vscode.commands.executeCommand('xrayLens.traces.focus');
  void vscode.window.showInformationMessage(`Trace ${traceId} copied; it is listed in the Traces view.`);
}

interface TracePick extends vscode.QuickPickItem {
  traceId: string;
}

/** Quick pick of the slowest traces behind one lens; returns the trace id chosen (tests read it). */
export async function showSlowestTraces(service: LatencyIndexService, folderUri: unknown, key: unknown): Promise<string | undefined> {
  if (typeof folderUri !== 'string' || typeof key !== 'string') return undefined;
  const snapshot = service.snapshot;
  const index = snapshot?.folders.get(folderUri);
  const slowest = index?.slowest.get(key) ?? [];
  const entry = index?.index.entries().find((e) => e.key === key);
  if (!snapshot || !entry || slowest.length === 0) {
    void vscode.window.showInformationMessage('X-Ray: no traces for this function any more.');
    return undefined;
  }
  const { formatMs } = loadLatencyEngineModule();
  const items: TracePick[] = slowest.map((slow) => {
    const summary = snapshot.summaries.get(slow.traceId);
    const age = summary ? `${Math.max(0, Math.round((Date.now() / 1000 - summary.startTime) / 60))} min ago` : '';
    return {
      traceId: slow.traceId,
      label: `${formatMs(slow.durationMs)} · ${slow.outcome}`,
      description: summary ? `${summary.method ?? ''} ${summary.url ?? ''}`.trim() : undefined,
      detail: [slow.traceId, age].filter(Boolean).join(' · '),
    };
  });
  const picked = await vscode.window.showQuickPick(items, { title: `Slowest traces through ${entry.function}`, matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  await openTrace(picked.traceId);
  return picked.traceId;
}
