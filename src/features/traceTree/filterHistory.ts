// The filter expressions the user applied, newest first, kept across sessions in the extension's global state:
// the filter box's History button and the filter editor's completion of an empty document offer them.
import type * as vscode from 'vscode';
import { rememberFilter } from '../../xray/filterCompletion';

const KEY = 'xrayLens.filterHistory';

export class FilterHistory {
  constructor(private readonly state: vscode.Memento) {}

  entries(): string[] {
    const stored = this.state.get<unknown>(KEY);
    return Array.isArray(stored) ? stored.filter((e): e is string => typeof e === 'string') : [];
  }

  remember(expression: string): Thenable<void> {
    return this.state.update(KEY, rememberFilter(this.entries(), expression));
  }
}
