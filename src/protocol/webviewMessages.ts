// The part of the host ⇄ webview protocol every panel shares. Types and string literals only: the extension
// host and the webview bundles import it type-only. Each panel's own messages (serviceMapMessages.ts,
// timelineMessages.ts) extend these unions. Every message is a discriminated union on a string `type`.
//
// Order: the webview posts `ready` once its script has run and its listener is installed; only then does
// the host post `state` (and again whenever the data changes). Nothing is inlined into the HTML.

/** webview → host: the page is listening; send the state. Always the first message. */
export interface ReadyMessage {
  type: 'ready';
}

/** webview → host: open a file at a line (a stack frame or a segment's source). The host resolves and checks the path. */
export interface OpenSourceMessage {
  type: 'openSource';
  /** A path or file:// URL as recorded in the trace; the host maps it into a workspace folder. */
  path: string;
  /** 1-based; absent: the top of the file. */
  line?: number;
}

/** webview → host: something failed inside the page (an exception in a handler); the host logs it. */
export interface WebviewFailureMessage {
  type: 'webviewFailure';
  message: string;
}

/** Messages any panel's webview may send. */
export type CommonWebviewToHost = ReadyMessage | OpenSourceMessage | WebviewFailureMessage;

/** host → webview: the whole state the page renders (panel-specific payload). Sent after `ready` and on change. */
export interface StateMessage<TState> {
  type: 'state';
  state: TState;
}

/** host → webview: a request for data failed; the page keeps what it shows and says why. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** host → webview: a fetch started or ended (the page shows a progress ring meanwhile). */
export interface BusyMessage {
  type: 'busy';
  busy: boolean;
}

/** Messages the host may send to any panel, besides its `state`. */
export type CommonHostToWebview = ErrorMessage | BusyMessage;
