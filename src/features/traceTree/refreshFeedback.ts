// What the user sees while and after the trace list refreshes, whatever started it (a button, a query
// change, a timer): the view's progress bar at once; past a second, a notification with live progress
// ("312 traces, 2,040 scanned", "throttled — retrying") and a Cancel button; and after a failure one
// message whose buttons fix it (sign in to SSO, pick a profile, edit the filter, ...).
import * as vscode from 'vscode';
import type { DescribedError } from '../../sources/sourceErrors';
import type { TraceListModel } from './traceListModel';

/** Local lists take milliseconds; a notification only for the slow ones. */
const NOTIFY_AFTER_MS = 1_000;

export function registerRefreshFeedback(traces: TraceListModel, log: vscode.LogOutputChannel): vscode.Disposable {
  let busy: { finish: () => void } | undefined;
  let shownError: string | undefined;

  const startBusy = () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    busy = { finish };
    void vscode.window.withProgress({ location: { viewId: 'xrayLens.traces' } }, () => finished);
    const timer = setTimeout(() => {
      if (busy?.finish !== finish) return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `X-Ray: listing traces from ${traces.state.sourceLabel ?? 'the source'}`, cancellable: true },
        (progress, token) => {
          const report = () => progress.report({ message: traces.state.progress });
          const subs = [token.onCancellationRequested(() => traces.cancelRefresh()), traces.onDidChange(report)];
          report();
          return finished.finally(() => subs.forEach((s) => s.dispose()));
        },
      );
    }, NOTIFY_AFTER_MS);
    void finished.finally(() => clearTimeout(timer));
  };

  const onChange = () => {
    const s = traces.state;
    if (s.loading && !busy) startBusy();
    if (!s.loading && busy) {
      busy.finish();
      busy = undefined;
    }
    // One message per new failure: an auto-refresh failing the same way again stays in the view's message.
    const key = s.error ? `${s.error.kind}:${s.error.message}` : undefined;
    if (key && key !== shownError && !s.loading) void showFailure(s.error!, log);
    if (!s.loading) shownError = key;
  };
  const sub = traces.onDidChange(onChange);
  return new vscode.Disposable(() => {
    sub.dispose();
    busy?.finish();
  });
}

/** The failure, with the buttons that fix it. Returns the button chosen (tests drive it). */
export async function showFailure(error: DescribedError, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const actions: Record<string, () => unknown> = {};
  switch (error.kind) {
    case 'sso-expired':
      actions['Run aws sso login'] = () => runInTerminal(error.profile ? `aws sso login --profile ${shellQuote(error.profile)}` : 'aws sso login');
      break;
    case 'no-credentials':
    case 'expired-credentials':
    case 'invalid-credentials':
      actions['Select AWS Profile'] = () => vscode.commands.executeCommand('xrayLens.selectProfile');
      actions['Use Local Collector'] = () => vscode.commands.executeCommand('xrayLens.selectSource');
      break;
    case 'unknown-region':
      actions['Select AWS Region'] = () => vscode.commands.executeCommand('xrayLens.selectRegion');
      break;
    case 'unreachable':
    case 'not-xray':
      actions['Open Settings'] = () => vscode.commands.executeCommand('workbench.action.openSettings', 'xrayLens.aws.endpointUrl');
      actions['Select Trace Source'] = () => vscode.commands.executeCommand('xrayLens.selectSource');
      break;
    case 'throttled':
    case 'cancelled':
      return undefined; // shown in the view (and retried); not worth a popup
    case 'invalid-request':
      // A refused filter or range: setQuery puts the last good query back and its command shows the refusal
      // (inline under the filter box); a popup as well would say it twice.
      return undefined;
  }
  actions['Show Log'] = () => log.show();
  const choice = await vscode.window.showErrorMessage(error.message, ...Object.keys(actions));
  if (choice) await actions[choice]();
  return choice;
}

/** A profile name as one shell word: names come from a file, and a terminal runs what it is sent. */
function shellQuote(word: string): string {
  return /^[\w.@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `aws sso login --profile X` in a terminal the user watches (it opens a browser and waits for them). */
function runInTerminal(command: string): void {
  const terminal = vscode.window.createTerminal({ name: 'AWS sign-in' });
  terminal.show();
  terminal.sendText(command);
}
