// Compare Latency in a real VS Code (named to run after latencyLens.test.ts, which checks that the first lens request
// is what loads the engine): the sample app (real aws-xray-sdk-core) runs twice against the extension's collector, the
// second time with every stock-cache read 30 ms slower (INVENTORY_CACHE_EXTRA_MS). With the list on
// the second run and Compare Latency on the first, the lens above lookupStock says how much slower, with both
// sample sizes, the hover shows both histograms, code the change did not touch claims no big change, and Stop
// Comparing brings the plain lens back.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import { activateWithCollector, request, startSampleApp, waitFor } from './sampleApp';

const SHOW_THROUGH = 'xrayLens.lens.showTracesThrough';
const REQUESTS = 30;

suite('Compare Latency with two runs of the sample app in a real VS Code', () => {
  let api: XrayLensApi;
  let split = 0;
  let firstStart = 0;
  const config = () => vscode.workspace.getConfiguration('xrayLens');
  const uriOf = (file: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, file);
  const lineOf = async (file: string, text: string) => {
    const document = await vscode.workspace.openTextDocument(uriOf(file));
    for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.includes(text)) return i;
    throw new Error(`"${text}" is not in ${file}`);
  };
  const lensAt = async (file: string, line: number) => {
    const document = await vscode.workspace.openTextDocument(uriOf(file));
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
    return lenses.find((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === line)?.command?.title;
  };
  const run = async (env: Record<string, string>) => {
    const app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0', ...env } });
    try {
      for (let i = 1; i <= REQUESTS; i++) assert.strictEqual(await request(`${app.frontendUrl}/orders/${i}`), 200);
    } finally {
      await app.stop();
    }
  };

  suiteSetup(async function () {
    this.timeout(90000);
    api = await activateWithCollector();
    await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', 0, vscode.ConfigurationTarget.Global);
    firstStart = Date.now() / 1000;
    await run({});
    await new Promise((resolve) => setTimeout(resolve, 1000));
    split = Date.now() / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await run({ INVENTORY_CACHE_EXTRA_MS: '30' });
  });

  suiteTeardown(async function () {
    this.timeout(30000);
    await vscode.commands.executeCommand('xrayLens.compareLatency', 'off');
    await api?.traces.setQuery({ range: { kind: 'last', minutes: 15 } });
    await config().update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the lens above lookupStock says how much slower it is than before, with both sample sizes; untouched code claims no big change', async function () {
    this.timeout(90000);
    // "Now" is the second run; "before" the first.
    await api.traces.setQuery({ range: { kind: 'between', startTime: split, endTime: Date.now() / 1000 + 60 } });
    await vscode.commands.executeCommand('xrayLens.compareLatency', { before: { startTime: firstStart - 0.2, endTime: split }, label: 'the first run' });
    const line = await lineOf('inventory/stock.js', 'function lookupStock(');
    const title = await waitFor('the lookupStock lens to compare', async () => {
      const t = await lensAt('inventory/stock.js', line);
      return t && / vs before|too few|no significant/.test(t) && !api.latencyLens.service.busy ? t : undefined;
    }, 60000);
    const match = /^p95 [\d.]+ ms \(\+(\d+)% vs before, n=(\d+)\/(\d+)\)$/.exec(title);
    assert.ok(match, `lens: ${title}`);
    assert.ok(Number(match[1]) > 100, `+${match[1]}%: 30 ms on a 3-9 ms read`);
    assert.deepStrictEqual([Number(match[2]), Number(match[3])], [REQUESTS, REQUESTS]);
    assert.strictEqual(api.latencyLens.service.snapshot?.before?.label, 'the first run');
    // loadOrder runs in frontend-api before the inventory call: the regression is not in it.
    const loadOrder = await lensAt('frontend/lib/orderStore.js', await lineOf('frontend/lib/orderStore.js', 'function loadOrder('));
    assert.ok(loadOrder && / vs before/.test(loadOrder) && !/\(\+\d{3,}%/.test(loadOrder), `loadOrder: ${loadOrder}`);
  });

  test('the hover shows both windows\' histograms and the test\'s p-value', async function () {
    this.timeout(30000);
    const line = await lineOf('inventory/stock.js', 'function lookupStock(');
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uriOf('inventory/stock.js'), new vscode.Position(line, 10))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*Compared\*\* with the first run: p95 [\d.]+ ms \(\+\d+% vs before, n=30\/30\) \(permutation test p=(<0\.001|0\.0\d\d)\)/);
    assert.match(text, /Now \(n=30\):/);
    assert.match(text, /Before \(n=30 · p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms\):/);
    // The two histograms (the TypeScript hover adds its own block): bars with counts adding up to each side's n.
    const blocks = [...text.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    assert.strictEqual(blocks.length, 2, text);
    for (const block of blocks) assert.strictEqual(block.split('\n').reduce((n, row) => n + Number(/(\d+)$/.exec(row)?.[1] ?? 0), 0), 30, block);
  });

  test('Stop Comparing brings back the plain lens', async function () {
    this.timeout(60000);
    await vscode.commands.executeCommand('xrayLens.compareLatency', 'off');
    const line = await lineOf('inventory/stock.js', 'function lookupStock(');
    const title = await waitFor('the plain lens', async () => {
      const t = await lensAt('inventory/stock.js', line);
      return t && / · n=30 · /.test(t) ? t : undefined;
    }, 45000);
    assert.doesNotMatch(title, /vs before/);
    assert.strictEqual(api.latencyLens.service.snapshot?.before, undefined);
  });
});
