// The webview's side of the channel to the extension host, typed by a panel's protocol
// (src/protocol/*Messages.ts): post messages, receive them, keep the small state VS Code restores on reload.
import type { WebviewFailureMessage } from '../../src/protocol/webviewMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel<TToHost, TFromHost, TPersisted> {
  post(message: TToHost | WebviewFailureMessage): void;
  /** Calls `handler` for each message from the host; a throwing handler is reported to the host, not lost. */
  onMessage(handler: (message: TFromHost) => void): void;
  /** What setPersisted stored before a reload (the panel serializer hands it back too). */
  persisted(): TPersisted | undefined;
  setPersisted(state: TPersisted): void;
}

let api: VsCodeApi | undefined;

/** acquireVsCodeApi may be called once per page: every channel shares that one handle. */
export function connectToHost<TToHost, TFromHost, TPersisted = never>(): HostChannel<TToHost, TFromHost, TPersisted> {
  api ??= acquireVsCodeApi();
  const handle = api;
  const post = (message: TToHost | WebviewFailureMessage): void => handle.postMessage(message);
  return {
    post,
    onMessage(handler) {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        // Only the host's messages are objects with a string `type`; ignore anything else posted to the page.
        const data = event.data as { type?: unknown } | null;
        if (typeof data !== 'object' || data === null || typeof data.type !== 'string') return;
        try {
          handler(event.data as TFromHost);
        } catch (err) {
          post({ type: 'webviewFailure', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
        }
      });
    },
    persisted: () => (handle.getState() ?? undefined) as TPersisted | undefined,
    setPersisted: (state) => handle.setState(state),
  };
}
