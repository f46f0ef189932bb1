// The HTML shell every X-Ray Lens webview panel starts from: a strict CSP, one script by nonce, one optional
// stylesheet, both from dist/. No data is ever written into this HTML: the webview says `ready` and the host
// answers with a `state` message (src/protocol/webviewMessages.ts).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  /** The bundle name: dist/webview/<name>.js, built from webview/<name>/main.ts. */
  name: string;
  /** The document title (a fixed string, never trace data). */
  title: string;
  /** A stylesheet under dist/webview/, e.g. `serviceMap.css` (esbuild writes it beside the script). */
  stylesheet?: string;
  /** Lets the page start Web Workers from Blob URLs of its own script text (`worker-src blob:`). */
  blobWorkers?: boolean;
}

/** Options for createWebviewPanel / a restored panel: scripts on, local files from dist/ only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

/**
 * The page for one panel. CSP notes:
 * - `default-src 'none'`: nothing loads unless listed; no `connect-src`, so a payload cannot phone home.
 * - `script-src 'nonce-…'`: only our bundle runs; no 'unsafe-inline', no 'unsafe-eval' (the toolkit's FAST
 *   templates compile without eval).
 * - `style-src ${cspSource} 'nonce-…'`, no 'unsafe-inline'. Checked in Chromium (bench/serviceMap.bench.mjs
 *   and test/ui/serviceMap.ui.mjs listen for `securitypolicyviolation`): the toolkit's components style
 *   themselves through constructed stylesheets (`adoptedStyleSheets`) and set design tokens and grid columns
 *   through the CSSOM (`element.style.x = …`), which CSP does not govern. The one `<style>` element is FAST's
 *   `canUseFocusVisible()` probe (an empty sheet it inserts a `:focus-visible` rule into); without a nonce it
 *   is refused (a violation report, and focus rings fall back to `:focus`). FAST reads the nonce from
 *   `<meta property="csp-nonce">`, so styles get a nonce of their own (not the script's). Markup `style="…"`
 *   attributes stay refused; the webview code never uses them.
 * - `worker-src blob:`, only for a panel that asks (`blobWorkers`: the service map lays out in a worker). A
 *   webview cannot start a Worker from its resource URLs (another origin, served by VS Code's service worker),
 *   so the page starts it from a Blob of script text in its own bundle; without the directive, `script-src`
 *   applies and refuses it. It lets in no new code: only a script that already runs can make a Blob, and the
 *   worker inherits this CSP (no eval, no network).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(16).toString('base64');
  const styleNonce = randomBytes(16).toString('base64');
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${styleNonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    ...(shell.blobWorkers ? ['worker-src blob:'] : []),
  ].join('; ');
  const stylesheet = shell.stylesheet ? `\n  <link rel="stylesheet" href="${escapeAttribute(asset(shell.stylesheet))}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta property="csp-nonce" content="${styleNonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">${stylesheet}
  <title>${escapeAttribute(shell.title)}</title>
</head>
<body>
  <script nonce="${nonce}" src="${escapeAttribute(asset(`${shell.name}.js`))}"></script>
</body>
</html>`;
}

/** The URIs and titles above are ours, but escaping keeps a stray quote from ever changing the markup. */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
