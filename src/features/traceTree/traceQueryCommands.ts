// The trace list's query, as the user sets it: a filter expression (sent to GetTraceSummaries; the
// service's refusal shown inline under the box while the last good list stays) and a time range (presets
// or custom). Both commands also take an argument, so the service map and lenses can filter the tree.
// The box checks the expression as it is typed (a warning only: X-Ray is the judge), and its buttons open the
// history of applied expressions and the filter editor (filterEditor.ts), where completion works.
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../../platform/config';
import { parseFilterExpression, type FilterError } from '../../xray/filterExpression';
import { describeTimeRange, parseTimeRange, TIME_RANGE_PRESETS, type TimeRange } from '../../xray/timeRange';
import type { FilterHistory } from './filterHistory';
import type { QueryOutcome, TraceListModel } from './traceListModel';

export const FILTER_TRACES_COMMAND = 'xrayLens.filterTraces';
export const EDIT_FILTER_COMMAND = 'xrayLens.editFilterInEditor';
const FILTER_EXAMPLES = 'e.g. service("api") AND responsetime > 1 · fault · http.status = 500 · annotation.user = "alice"';

/** Applies an expression ('' shows all traces); one the source accepts goes into the history. */
export async function applyFilter(traces: TraceListModel, history: FilterHistory, expression: string): Promise<QueryOutcome> {
  const text = expression.trim();
  const outcome = await traces.setQuery({ filterExpression: text || undefined });
  if (outcome.ok && text) await history.remember(text);
  return outcome;
}

/**
 * What the local parser finds wrong with `text` for the source the list reads; undefined when it parses or is
 * empty. Root causes and groups are X-Ray's own syntax: on AWS they are no mistake. The box and the filter editor
 * both show this.
 */
export function filterObjection(text: string, sourceKind?: 'local' | 'aws'): FilterError | undefined {
  if (!text.trim()) return undefined;
  const parsed = parseFilterExpression(text);
  return parsed.ok || (parsed.error.localOnly && sourceKind === 'aws') ? undefined : parsed.error;
}

/** The local parser's objection to what is typed, as a warning under the box. */
export function localFilterWarning(text: string, sourceKind?: 'local' | 'aws'): vscode.InputBoxValidationMessage | undefined {
  const objection = filterObjection(text, sourceKind);
  return objection && { message: objection.message, severity: vscode.InputBoxValidationSeverity.Warning };
}

const HISTORY_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('history'), tooltip: 'History' };
const EDITOR_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('go-to-file'), tooltip: 'Edit in Editor (with completion)' };

/**
 * With an expression (a string; '' clears): applies it and reveals the tree. Without: an input box
 * whose Enter runs the query and stays open with the service's message when it is refused.
 */
export async function filterTraces(traces: TraceListModel, history: FilterHistory, expression?: unknown, draft?: string): Promise<QueryOutcome | undefined> {
  if (typeof expression === 'string') {
    const outcome = await applyFilter(traces, history, expression);
    void vscode.commands.executeCommand('xrayLens.traces.focus');
    if (!outcome.ok && outcome.error.kind === 'invalid-request') {
      // Other failures get their message (with buttons) from the trace list's refresh feedback.
      void vscode.window.showErrorMessage(outcome.error.message, 'Edit Filter').then((choice) => choice && filterTraces(traces, history, undefined, expression));
    }
    return outcome;
  }
  const box = vscode.window.createInputBox();
  box.title = 'X-Ray: Filter Traces';
  box.placeholder = 'An X-Ray filter expression; empty shows all traces';
  box.prompt = FILTER_EXAMPLES;
  box.buttons = [HISTORY_BUTTON, EDITOR_BUTTON];
  // Editing a refused expression starts from it, not from the last good one.
  box.value = draft ?? traces.query.filterExpression ?? '';
  box.validationMessage = localFilterWarning(box.value, traces.state.sourceKind);
  box.ignoreFocusOut = true;
  return new Promise<QueryOutcome | undefined>((resolve) => {
    let last: QueryOutcome | undefined;
    /** Set while the history's pick replaces the box on screen: its hiding then is not the end. */
    let picking = false;
    const pickFromHistory = async () => {
      picking = true;
      const entries = history.entries();
      const choice = await vscode.window.showQuickPick(entries, {
        title: 'X-Ray: Recent Filters',
        placeHolder: entries.length ? 'Pick one to edit it in the filter box' : 'No filter applied yet',
      });
      picking = false;
      if (choice !== undefined) box.value = choice;
      box.validationMessage = localFilterWarning(box.value, traces.state.sourceKind);
      box.show();
    };
    const subs = [
      box.onDidChangeValue((value) => (box.validationMessage = localFilterWarning(value, traces.state.sourceKind))),
      box.onDidTriggerButton((button) => {
        if (button === HISTORY_BUTTON) void pickFromHistory();
        else if (button === EDITOR_BUTTON) {
          const text = box.value;
          box.hide();
          void vscode.commands.executeCommand(EDIT_FILTER_COMMAND, text);
        }
      }),
      box.onDidAccept(async () => {
        if (box.busy) return;
        box.busy = true;
        box.enabled = false;
        last = await applyFilter(traces, history, box.value);
        box.busy = false;
        box.enabled = true;
        if (!last.ok && last.error.kind === 'invalid-request') {
          // Inline, under the expression; the tree keeps showing the last good result.
          box.validationMessage = { message: last.error.detail ?? last.error.message, severity: vscode.InputBoxValidationSeverity.Error };
        } else {
          box.hide();
        }
      }),
      box.onDidHide(() => {
        if (picking) return;
        for (const s of subs) s.dispose();
        box.dispose();
        resolve(last);
      }),
    ];
    box.show();
  });
}

/** With a TimeRange or a string ("15m", "start - end"): applies it. Without: presets and "Custom…". */
export async function setTimeRange(traces: TraceListModel, arg?: unknown): Promise<QueryOutcome | undefined> {
  if (typeof arg === 'string') {
    const parsed = parseTimeRange(arg, Date.now());
    if ('error' in parsed) {
      void vscode.window.showErrorMessage(parsed.error);
      return undefined;
    }
    return applyRange(traces, parsed);
  }
  type Item = vscode.QuickPickItem & { range?: TimeRange };
  const current = traces.query.range;
  const items: Item[] = TIME_RANGE_PRESETS.map((minutes) => {
    const range: TimeRange = { kind: 'last', minutes };
    return { label: describeTimeRange(range), range, picked: current.kind === 'last' && current.minutes === minutes };
  });
  items.push({ label: 'Custom…', detail: 'A duration (45m, 2h, 3d) or a start and end ("2026-11-21 10:00 - 2026-11-21 11:30")' });
  const choice = await vscode.window.showQuickPick(items, { title: 'X-Ray: Time Range', placeHolder: `Now: ${describeTimeRange(current)}` });
  if (!choice) return undefined;
  if (choice.range) return applyRange(traces, choice.range);
  const text = await vscode.window.showInputBox({
    title: 'X-Ray: Custom Time Range',
    prompt: 'A duration back from now (45m, 2h, 3d) or "start - end" date-times (local time unless a zone is given)',
    value: current.kind === 'last' ? `${current.minutes}m` : '',
    validateInput: (value) => {
      const parsed = parseTimeRange(value, Date.now());
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseTimeRange(text, Date.now());
  return 'error' in parsed ? undefined : applyRange(traces, parsed);
}

async function applyRange(traces: TraceListModel, range: TimeRange): Promise<QueryOutcome> {
  if (range.kind === 'last') {
    // A relative range is a preference: kept in the user's settings. A fixed interval is for this session.
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('traces.timeRangeMinutes', range.minutes, vscode.ConfigurationTarget.Global);
  }
  const outcome = await traces.setQuery({ range });
  // A range the service refuses is not kept (setQuery): say so, or the list would silently stay as it was.
  if (!outcome.ok && outcome.error.kind === 'invalid-request') void vscode.window.showErrorMessage(outcome.error.message);
  return outcome;
}
