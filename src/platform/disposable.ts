// A small base for objects that own subscriptions: everything passed to _register() is disposed with them.
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly disposables: { dispose(): unknown }[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends { dispose(): unknown }>(value: T): T {
    if (this.disposed) {
      value.dispose();
    } else {
      this.disposables.push(value);
    }
    return value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Dispose in reverse order of registration: later things may depend on earlier ones.
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // One failing disposable must not keep the others alive.
      }
    }
  }
}
