// Turns a VS Code CancellationToken into an AbortSignal at the glue boundary, so the pure code and the
// AWS SDK (`client.send(cmd, { abortSignal })`) can be cancelled.
import type * as vscode from 'vscode';

export function toAbortSignal(token: vscode.CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (!token) return controller.signal;
  if (token.isCancellationRequested) {
    controller.abort();
  } else {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      controller.abort();
    });
  }
  return controller.signal;
}
