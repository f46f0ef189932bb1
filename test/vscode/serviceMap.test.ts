// The service map in a real VS Code, on the real sample app: the command opens one panel, its webview says
// ready, and the map it is sent holds the sample's services — the X-Ray SDK ones and the OpenTelemetry-only
// quote-svc — with the health the requests earned; a new request refreshes it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { XrayLensApi } from '../../src/extension';
import { filterExpressionFor, type ServiceMapPanel } from '../../src/features/serviceMap/serviceMapPanel';
import type { MapNode, ServiceMap } from '../../src/xray/serviceMapModel';
import { EXTENSION_ID, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

function find(map: ServiceMap, name: string, kind: MapNode['kind']): MapNode | undefined {
  return map.nodes.find((n) => n.name === name && n.kind === kind);
}

suite('Service map panel', () => {
  let api: XrayLensApi;
  let app: SampleApp;
  let panel: ServiceMapPanel;

  suiteSetup(async function () {
    this.timeout(90000);
    api = await vscode.extensions.getExtension<XrayLensApi>(EXTENSION_ID)!.activate();
    await waitFor('the collector', () => api.collector.state.kind === 'running');
    app = await startSampleApp({ quotes: true, env: { INVENTORY_FAULT_EVERY: '0' } });
    assert.strictEqual(await request(`${app.frontendUrl}/orders/42`), 200);
    assert.strictEqual(await request(`${app.frontendUrl}/bad`), 400);
    assert.strictEqual(await request(`${app.frontendUrl}/limited`), 429);
    assert.strictEqual(await request(`${app.frontendUrl}/crash`), 500);
    assert.strictEqual(await request(`${app.quotesUrl}/quotes/SKU-101`), 200);
  });

  suiteTeardown(async () => {
    await app?.stop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const mapWith = (what: string, probe: (map: ServiceMap) => boolean) =>
    waitFor(what, () => {
      const map = panel.state.map;
      return map && probe(map) ? map : undefined;
    }, 45000);

  test('X-Ray: Show Service Map opens one panel; running it again reveals the same one', async () => {
    panel = (await vscode.commands.executeCommand(SHOW)) as ServiceMapPanel;
    assert.ok(panel, 'the command returns its panel');
    const again = (await vscode.commands.executeCommand(SHOW)) as ServiceMapPanel;
    assert.strictEqual(again, panel);
    // The tab model is updated asynchronously from the workbench.
    const mapTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'X-Ray Service Map');
    const tabs = await waitFor('the map tab', () => mapTabs().length > 0 && mapTabs());
    assert.strictEqual(tabs.length, 1, 'one panel');
    const input = tabs[0].input;
    assert.ok(input instanceof vscode.TabInputWebview && input.viewType.includes('xrayLens.serviceMap'), `input ${JSON.stringify(input)}`);
  });

  test("the webview's map holds the sample's services: frontend-api, inventory-svc and the OpenTelemetry quote-svc", async function () {
    this.timeout(60000);
    const map = await mapWith('frontend-api, inventory-svc and quote-svc on the map', (m) =>
      !!find(m, 'frontend-api', 'service') && !!find(m, 'inventory-svc', 'service') && !!find(m, 'quote-svc', 'service'));
    const frontend = find(map, 'frontend-api', 'service') as MapNode;
    const inventory = find(map, 'inventory-svc', 'service') as MapNode;
    const quotes = find(map, 'quote-svc', 'service') as MapNode;
    assert.strictEqual(frontend.root, true);
    assert.ok(find(map, 'frontend-api', 'client'), 'a client node in front of frontend-api');
    const edgeBetween = (a: MapNode, b: MapNode) => map.edges.find((e) => e.source === a.id && e.target === b.id);
    assert.ok(edgeBetween(frontend, inventory), 'frontend-api → inventory-svc');
    assert.ok(edgeBetween(quotes, inventory), 'quote-svc → inventory-svc (one trace across OpenTelemetry and the X-Ray SDK)');
    // /bad, /limited and /crash: a 4xx, a 429 and a 5xx on frontend-api; the worst (5xx) colours it.
    assert.ok(frontend.stats.outcomes.error >= 1 && frontend.stats.outcomes.throttle >= 1 && frontend.stats.outcomes.fault >= 1, JSON.stringify(frontend.stats.outcomes));
    assert.strictEqual(frontend.health, 'fault');
    assert.strictEqual(edgeBetween(quotes, inventory)?.health, 'ok');
    // Up to 20 requests, the nearest-rank p95 is the slowest one.
    if (frontend.stats.requests <= 20) assert.strictEqual(frontend.stats.p95Ms, Math.max(...frontend.stats.histogram.map((b) => b.ms)));
  });

  test('filter expressions name the selection: service("…") for a node, edge("…", "…") for a call', () => {
    const map = panel.state.map as ServiceMap;
    const frontend = find(map, 'frontend-api', 'service') as MapNode;
    const inventory = find(map, 'inventory-svc', 'service') as MapNode;
    const edge = map.edges.find((e) => e.source === frontend.id && e.target === inventory.id)!;
    assert.strictEqual(filterExpressionFor(map, { kind: 'node', id: frontend.id }), 'service("frontend-api")');
    assert.strictEqual(filterExpressionFor(map, { kind: 'edge', id: edge.id }), 'edge("frontend-api", "inventory-svc")');
    assert.strictEqual(filterExpressionFor(map, { kind: 'node', id: 'n-not-there' }), undefined);
  });

  test('a new request refreshes the open map (the trace list changed)', async function () {
    this.timeout(60000);
    const before = (find(panel.state.map as ServiceMap, 'frontend-api', 'service') as MapNode).stats.requests;
    assert.strictEqual(await request(`${app.frontendUrl}/orders/7`), 200);
    await mapWith('frontend-api with one more request', (m) => (find(m, 'frontend-api', 'service')?.stats.requests ?? 0) > before);
  });
});

const SHOW = 'xrayLens.showServiceMap';
