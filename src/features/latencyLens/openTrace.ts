// Opening one trace from a lens's hover link: in the trace timeline (`xrayLens.openTimeline`) — or, where that
// command is not there, by showing the Traces view with the trace id copied.
import * as vscode from 'vscode';

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
