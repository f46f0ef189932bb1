// The repository's sample app (samples/start.mjs: frontend-api calling inventory-svc, real SDK) with a
// bounded request mix against the collector; the service graph and trace graph read through client-xray.
import {
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  type Service,
  type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { ROOT, freePort, runPeer, startTestCollector, xrayClient } from './collectorHarness';

function callsInventory(services: Service[]): boolean {
  const frontend = services.find((s) => s.Name === 'frontend-api' && s.Type !== 'client');
  const inventory = services.find((s) => s.Name === 'inventory-svc' && s.Type !== 'client');
  return !!frontend && !!inventory && !!frontend.Edges?.some((e) => e.ReferenceId === inventory.ReferenceId);
}

suite('collector: the sample app', () => {
  let collector: LocalCollector;
  let client: XRayClient;
  const started = new Date();

  suiteSetup(async function () {
    this.timeout(60_000);
    collector = await startTestCollector();
    client = xrayClient(collector);
    const [frontendPort, inventoryPort] = [await freePort(), await freePort()];
    const run = await runPeer(process.execPath, [
      path.join(ROOT, 'samples/start.mjs'),
      '--count', '24', '--rate', '20',
      '--frontend-port', String(frontendPort), '--inventory-port', String(inventoryPort),
      '--daemon', `127.0.0.1:${collector.port}`,
    ], { QUIET: '1' }, 50_000);
    assert.equal(run.code, 0, run.stderr);
    // The services exit right after the last response; its segments are already out.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  suiteTeardown(async () => {
    client.destroy();
    await collector.close();
  });

  test('every request of the mix became a trace, none rejected', async () => {
    const counters = collector.counters();
    assert.equal(counters.rejected, 0, JSON.stringify(counters.rejectedByReason));
    const page = await client.send(new GetTraceSummariesCommand({ StartTime: started, EndTime: new Date() }));
    assert.ok((page.TraceSummaries ?? []).length >= 24, `${page.TraceSummaries?.length} traces`);
    assert.ok(page.TraceSummaries?.some((s) => s.HasFault), 'the /crash request faulted');
  });

  test('GetServiceGraph shows both services and the edge frontend-api -> inventory-svc', async () => {
    const graph = await client.send(new GetServiceGraphCommand({ StartTime: started, EndTime: new Date() }));
    const services = graph.Services ?? [];
    assert.ok(callsInventory(services), JSON.stringify(services.map((s) => [s.Name, s.Type, s.Edges?.map((e) => e.ReferenceId)])));
    const frontend = services.find((s) => s.Name === 'frontend-api' && s.Type !== 'client');
    assert.ok((frontend?.SummaryStatistics?.TotalCount ?? 0) >= 24);
  });

  test('GetTraceGraph of a checkout trace shows the same two services', async () => {
    const page = await client.send(new GetTraceSummariesCommand({ StartTime: started, EndTime: new Date() }));
    const twoServices = page.TraceSummaries?.find((s) => s.ServiceIds?.some((id) => id.Name === 'inventory-svc'));
    assert.ok(twoServices, 'a trace through inventory-svc');
    const graph = await client.send(new GetTraceGraphCommand({ TraceIds: [twoServices.Id as string] }));
    assert.ok(callsInventory(graph.Services ?? []));
  });
});
