// OpenTelemetry in a real VS Code: quote-svc (instrumented only with the OpenTelemetry Node SDK, exporting
// OTLP/HTTP to the extension's collector) calls inventory-svc (the X-Ray SDK); the tree shows one trace
// across both, and the OpenTelemetry exception's frame opens the sample's file at the line.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import type { TraceTreeNode } from '../../src/features/traceTree/traceTreeProvider';
import { EXTENSION_ID, otlpAddress, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

suite('OpenTelemetry traces in the tree, next to X-Ray SDK traces', () => {
  let api: XrayLensApi;
  let app: SampleApp;

  suiteSetup(async function () {
    this.timeout(60000);
    api = await vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID)!.activate();
    await waitFor('the collector', () => api.collector.state.kind === 'running');
    app = await startSampleApp({ quotes: true, env: { INVENTORY_FAULT_EVERY: '0' } });
    assert.ok(app.quotesUrl);
    assert.strictEqual(await request(`${app.quotesUrl}/quotes/SKU-101`), 200);
    assert.strictEqual(await request(`${app.quotesUrl}/quotes/not-a-sku`), 400);
  });

  suiteTeardown(async () => {
    await app?.stop();
  });

  test('the collector receives OTLP/HTTP on the configured address', () => {
    const endpoint = api.collector.otlpEndpoint;
    assert.ok(endpoint, 'no OTLP receiver');
    assert.strictEqual(`${endpoint.host}:${endpoint.port}`, otlpAddress());
  });

  const traceNode = (suffix: string) =>
    waitFor(`the ${suffix} trace`, async () => {
      const roots = (await api.traceTree.getChildren()) ?? [];
      return roots.find((n) => n.type === 'trace' && n.summary.url?.endsWith(suffix));
    });

  async function labelsUnder(node: TraceTreeNode): Promise<string[]> {
    const out: string[] = [];
    for (const child of (await api.traceTree.getChildren(node)) ?? []) {
      out.push(String(api.traceTree.getTreeItem(child).label));
      out.push(...(await labelsUnder(child)));
    }
    return out;
  }

  test('a quote is one trace across the OpenTelemetry service and the X-Ray SDK service', async () => {
    const quote = await traceNode('/quotes/SKU-101');
    const item = api.traceTree.getTreeItem(quote);
    assert.strictEqual(item.label, 'GET /quotes/SKU-101');
    assert.match(String(item.description), /^200 · /);
    const labels = await waitFor('both services in the quote trace', async () => {
      const l = await labelsUnder(quote);
      return l.includes('quote-svc') && l.includes('inventory-svc') ? l : undefined;
    });
    for (const span of ['validateSku', 'computeQuote']) assert.ok(labels.includes(span), `${span} missing from ${labels.join(', ')}`);
  });

  test('code.* attributes of an OpenTelemetry span survive as metadata and name the right line', async () => {
    const quote = await traceNode('/quotes/SKU-101');
    const stack: TraceTreeNode[] = [quote];
    let line: number | undefined;
    while (stack.length && line === undefined) {
      const n = stack.pop()!;
      if (n.type === 'outline' && n.node.kind === 'subsegment' && n.node.label === 'computeQuote') {
        const meta = (await labelsAndDescriptions(n)).find(([label]) => label === 'code.line.number');
        line = meta ? Number(meta[1]) : undefined;
        break;
      }
      stack.push(...((await api.traceTree.getChildren(n)) ?? []));
    }
    assert.ok(line && line > 0, 'no code.line.number under computeQuote');
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'quotes', 'pricing.js');
    const text = (await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString();
    assert.match(text.split('\n')[line - 1], /inSpan\('computeQuote'/);
  });

  async function labelsAndDescriptions(node: TraceTreeNode): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (const child of (await api.traceTree.getChildren(node)) ?? []) {
      const item = api.traceTree.getTreeItem(child);
      out.push([String(item.label), String(item.description ?? '')]);
      out.push(...(await labelsAndDescriptions(child)));
    }
    return out;
  }

  test("the OpenTelemetry exception's frame opens the sample's file at the line", async () => {
    const bad = await traceNode('/quotes/not-a-sku');
    assert.match(String(api.traceTree.getTreeItem(bad).description), /^400 · /);
    const frame = await waitFor('a user frame in pricing.js', async () => {
      const stack: TraceTreeNode[] = [bad];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'outline' && n.node.kind === 'frame' && n.node.frame?.user && n.node.frame.path.endsWith('pricing.js')) return n.node.frame;
        // Depth first, children in order: the first user frame found is the innermost one.
        stack.push(...((await api.traceTree.getChildren(n)) ?? []).reverse());
      }
      return undefined;
    });
    const editor = (await vscode.commands.executeCommand('xrayLens.openStackFrame', frame)) as vscode.TextEditor | undefined;
    assert.ok(editor, `${frame.path}:${frame.line} did not open`);
    assert.strictEqual(path.basename(editor.document.uri.fsPath), 'pricing.js');
    assert.strictEqual(editor.selection.active.line, frame.line - 1);
    // The recorded line is where the QuoteError is thrown.
    assert.match(editor.document.lineAt(frame.line - 1).text, /throw new QuoteError/);
  });
});
