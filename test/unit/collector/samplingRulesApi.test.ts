// Sampling rules on the local collector through the real @aws-sdk/client-xray (its paths, shapes and exception
// names), and the real aws-xray-sdk-core sampling by a rule created there.
import {
  CreateSamplingRuleCommand, DeleteSamplingRuleCommand, GetSamplingRulesCommand, InvalidRequestException,
  RuleLimitExceededException, UpdateSamplingRuleCommand, type SamplingRule, type XRayClient,
} from '@aws-sdk/client-xray';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { CollectorThread } from '../../../src/collector/collectorThread';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { datagram, newTraceId, segmentDoc, sendDatagrams, startNodeSdkApp, startTestCollector, waitFor, xrayClient } from './collectorHarness';

function rule(fields: Partial<SamplingRule> = {}): SamplingRule {
  return {
    RuleName: 'r', ResourceARN: '*', Priority: 100, FixedRate: 0.5, ReservoirSize: 1, ServiceName: '*', ServiceType: '*',
    Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, ...fields,
  };
}

/** The client's exception for `send`, asserting its class and that its message names `field`. */
async function rejects(send: Promise<unknown>, type: typeof InvalidRequestException | typeof RuleLimitExceededException, field: RegExp): Promise<void> {
  await assert.rejects(send, (error: unknown) => {
    assert.ok(error instanceof type, `${String(error)} is not a ${type.name}`);
    assert.match(error.message, field);
    return true;
  });
}

/** What the SDKs' daemon client posts, raw: the route the API shares. */
function postJson(collector: LocalCollector, path: string, body: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: collector.host, port: collector.port, path, method: 'POST', agent: false }, (response) => {
      let text = '';
      response.on('data', (d: Buffer) => (text += d.toString()));
      response.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

suite('collector: sampling rules through @aws-sdk/client-xray', () => {
  let collector: LocalCollector;
  let client: XRayClient;

  teardown(async () => {
    client?.destroy();
    await collector?.close();
  });

  test('create, list, update and delete; the record has the ARN and the times; SDKs get the rule before the generated ones', async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    const before = Date.now();
    const created = await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'health', Priority: 9999, URLPath: '/health*', FixedRate: 0, ReservoirSize: 0 }) }));
    assert.equal(created.SamplingRuleRecord?.SamplingRule?.RuleARN, 'arn:aws:xray:local:000000000000:sampling-rule/health');
    const createdAt = created.SamplingRuleRecord?.CreatedAt;
    assert.ok(createdAt instanceof Date && createdAt.getTime() >= before - 1000 && createdAt.getTime() <= Date.now() + 1000, String(createdAt));

    await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'orders', Priority: 5, URLPath: '/orders/*', FixedRate: 1 }) }));
    const listed = await client.send(new GetSamplingRulesCommand({}));
    assert.deepEqual(listed.SamplingRuleRecords?.map((r) => [r.SamplingRule?.RuleName, r.SamplingRule?.Priority]), [['orders', 5], ['health', 9999], ['Default', 10000]]);
    assert.ok(listed.SamplingRuleRecords?.every((r) => r.ModifiedAt instanceof Date));

    const updated = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'health', Priority: 1, HTTPMethod: 'GET' } }));
    assert.deepEqual([updated.SamplingRuleRecord?.SamplingRule?.Priority, updated.SamplingRuleRecord?.SamplingRule?.HTTPMethod, updated.SamplingRuleRecord?.SamplingRule?.URLPath], [1, 'GET', '/health*']);
    const byArn = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/orders', ReservoirSize: 3 } }));
    assert.equal(byArn.SamplingRuleRecord?.SamplingRule?.ReservoirSize, 3);
    const defaultRule = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 0.2 } }));
    assert.equal(defaultRule.SamplingRuleRecord?.SamplingRule?.FixedRate, 0.2);

    // The SDKs' own call on the same route: the user's rules, then a service's generated rule, Default last.
    await sendDatagrams(collector.port, [datagram(segmentDoc(newTraceId(), { name: 'shop' }))]);
    await waitFor(() => collector.store.entryServiceNames().includes('shop'), 'the shop trace');
    const daemon = await postJson(collector, '/GetSamplingRules', {});
    const rules = (daemon.SamplingRuleRecords as { SamplingRule: Record<string, unknown> }[]).map((r) => r.SamplingRule);
    assert.deepEqual(rules.map((r) => [r.RuleName, r.Priority, r.FixedRate, r.ReservoirSize]), [
      ['health', 1, 0, 0], ['orders', 5, 1, 3], ['shop-1', 9999, 0.2, 1], ['Default', 10000, 0.2, 1],
    ]);

    const deleted = await client.send(new DeleteSamplingRuleCommand({ RuleName: 'health' }));
    assert.equal(deleted.SamplingRuleRecord?.SamplingRule?.RuleName, 'health');
    const after = await client.send(new GetSamplingRulesCommand({}));
    assert.deepEqual(after.SamplingRuleRecords?.map((r) => r.SamplingRule?.RuleName), ['orders', 'shop-1', 'Default']);
  });

  test('SamplingTargets: a user\'s rule gets its own rate and reservoir, and each change moves LastRuleModification', async () => {
    collector = await startTestCollector({ sampleAll: true });
    client = xrayClient(collector);
    const targets = () => postJson(collector, '/SamplingTargets', { SamplingStatisticsDocuments: ['none', 'Default'].map((RuleName) => ({ RuleName, ClientID: 'a'.repeat(24), Timestamp: Date.now() / 1000, RequestCount: 1, SampledCount: 1, BorrowCount: 0 })) });
    const first = await targets();
    await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'none', FixedRate: 0, ReservoirSize: 0 }) }));
    const second = await targets();
    assert.ok((second.LastRuleModification as number) > (first.LastRuleModification as number), 'SDKs refetch after a create');
    assert.ok(Number.isInteger(second.LastRuleModification) && (second.LastRuleModification as number) > Date.now() / 1000, 'the next whole second');
    assert.deepEqual((second.SamplingTargetDocuments as Record<string, unknown>[]).map((d) => [d.RuleName, d.FixedRate, d.ReservoirQuota]), [['none', 0, 0], ['Default', 1, 10000]]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'none', FixedRate: 0.3 } }));
    const third = await targets();
    assert.ok((third.LastRuleModification as number) > (second.LastRuleModification as number), 'and after an update');
    assert.equal((third.SamplingTargetDocuments as Record<string, unknown>[])[0].FixedRate, 0.3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.send(new DeleteSamplingRuleCommand({ RuleName: 'none' }));
    assert.ok(((await targets()).LastRuleModification as number) > (third.LastRuleModification as number), 'and after a delete');
  });

  test('X-Ray\'s limits, each refused with the exception and the field the client sees', async () => {
    collector = await startTestCollector();
    client = xrayClient(collector);
    const create = (fields: Partial<SamplingRule>) => client.send(new CreateSamplingRuleCommand({ SamplingRule: rule(fields) }));
    await create({ RuleName: 'x'.repeat(32), Priority: 9999, FixedRate: 1, ReservoirSize: 0, URLPath: `/${'p'.repeat(127)}`, Host: 'h'.repeat(64), HTTPMethod: 'M'.repeat(10), ServiceName: 's'.repeat(64) });
    await rejects(create({ RuleName: 'x'.repeat(33) }), InvalidRequestException, /RuleName: 1 to 32 characters/);
    await rejects(create({ RuleName: '' }), InvalidRequestException, /RuleName/);
    await rejects(create({ RuleName: 'x'.repeat(32) }), InvalidRequestException, /RuleName: a rule named x+ already exists/);
    await rejects(create({ RuleName: 'Default' }), InvalidRequestException, /RuleName: a rule named Default already exists/);
    await rejects(create({ RuleName: 'p0', Priority: 0 }), InvalidRequestException, /Priority: must be an integer from 1 to 9999/);
    await rejects(create({ RuleName: 'p10000', Priority: 10000 }), InvalidRequestException, /Priority/);
    await rejects(create({ RuleName: 'rate', FixedRate: 1.01 }), InvalidRequestException, /FixedRate: must be a number from 0 to 1/);
    await rejects(create({ RuleName: 'rate', FixedRate: -0.1 }), InvalidRequestException, /FixedRate/);
    await rejects(create({ RuleName: 'res', ReservoirSize: -1 }), InvalidRequestException, /ReservoirSize/);
    await rejects(create({ RuleName: 'v', Version: 2 }), InvalidRequestException, /Version: must be 1/);
    await rejects(create({ RuleName: 'u', URLPath: `/${'p'.repeat(128)}` }), InvalidRequestException, /URLPath: at most 128 characters/);
    await rejects(create({ RuleName: 'h', Host: 'h'.repeat(65) }), InvalidRequestException, /Host: at most 64/);
    await rejects(create({ RuleName: 'm', HTTPMethod: 'M'.repeat(11) }), InvalidRequestException, /HTTPMethod: at most 10/);
    await rejects(create({ RuleName: 's', ServiceName: 's'.repeat(65) }), InvalidRequestException, /ServiceName: at most 64/);
    await rejects(create({ RuleName: 'a', Attributes: Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`k${i}`, 'v'])) }), InvalidRequestException, /Attributes: at most 5/);
    await rejects(create({ RuleName: 'st', ServiceType: undefined }), InvalidRequestException, /ServiceType: required/);

    // 25 besides Default: the 26th is over X-Ray's quota.
    for (let i = 2; i <= 25; i++) await create({ RuleName: `rule-${i}` });
    await rejects(create({ RuleName: 'rule-26' }), RuleLimitExceededException, /25 sampling rules/);
    const listed = await client.send(new GetSamplingRulesCommand({}));
    assert.equal(listed.SamplingRuleRecords?.length, 26);

    await rejects(client.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })), InvalidRequestException, /Default rule cannot be deleted/);
    await rejects(client.send(new DeleteSamplingRuleCommand({ RuleName: 'nope' })), InvalidRequestException, /RuleName: no sampling rule nope/);
    await rejects(client.send(new DeleteSamplingRuleCommand({ RuleName: 'rule-2', RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/rule-2' })), InvalidRequestException, /either name or ARN/);
    await rejects(client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', URLPath: '/x' } })), InvalidRequestException, /URLPath: only FixedRate and ReservoirSize of the Default rule/);
    await rejects(client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'rule-2', Priority: 10000 } })), InvalidRequestException, /SamplingRuleUpdate.Priority/);
    // A deleted rule frees its place.
    await client.send(new DeleteSamplingRuleCommand({ RuleName: 'rule-2' }));
    await create({ RuleName: 'rule-26' });
  });

  test('a rule created on the collector changes what the real aws-xray-sdk-core samples', async function () {
    this.timeout(90_000);
    // Default: 1 request/s + 5 %, so without the rules most /orders requests are not traced and the first request
    // of each second the app runs is, /health or not.
    collector = await startTestCollector();
    client = xrayClient(collector);
    await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'health', Priority: 1, URLPath: '/health*', FixedRate: 0, ReservoirSize: 0 }) }));
    await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'orders', Priority: 2, URLPath: '/orders/*', FixedRate: 1, ReservoirSize: 0 }) }));
    // The app starts after the rules exist: aws-xray-sdk-core 3.12.0 reads LastRuleModification as milliseconds
    // (new Date(seconds)), so an app already running would only see them at its next 5-minute rule poll. Its
    // warm-up request (decided by the SDK's fallback) starts the poller; then 40 requests over ~3 s, half each path.
    const peer = startNodeSdkApp(collector, ['--requests', '40', '--interval-ms', '75', '--warmup-ms', '500', '--paths', '/health/,/orders/', '--linger-ms', '60000'], 80_000);
    try {
      await waitFor(() => peer.stdout().includes('{"done":true}'), 'the 40 requests', 30_000);
      // Its statistics (every 10 s) say which rule decided each request.
      await waitFor(() => collector.counters().sampling.reportedRequests >= 40, 'the SDK to report the 40 requests', 40_000);
    } finally {
      peer.kill('SIGTERM');
    }
    const result = await peer.result;
    const lines = result.lines.filter((l) => typeof l.traceId === 'string') as { traceId: string; sampled: boolean; path: string }[];
    const health = lines.filter((l) => l.path.startsWith('/health/'));
    const orders = lines.filter((l) => l.path.startsWith('/orders/'));
    assert.equal(health.length, 20, result.stderr);
    assert.equal(orders.length, 20);
    assert.deepEqual(health.filter((l) => l.sampled).map((l) => l.path), [], '/health is never traced');
    assert.deepEqual(orders.filter((l) => !l.sampled).map((l) => l.path), [], '/orders is always traced');
    await waitFor(() => orders.every((l) => collector.store.has(l.traceId)), 'the 20 /orders traces');
    assert.ok(health.every((l) => !collector.store.has(l.traceId)));
    const byRule = Object.fromEntries(collector.counters().sampling.byService.map((r) => [r.rule, [r.requests, r.traced]]));
    assert.deepEqual(byRule, { health: [20, 0], orders: [20, 20] });
  });

  test('the collector on its own thread (as the extension runs it) keeps and serves the rules', async () => {
    const thread = await CollectorThread.start({ port: 0 });
    const threadClient = xrayClient(thread);
    try {
      await threadClient.send(new CreateSamplingRuleCommand({ SamplingRule: rule({ RuleName: 'health', URLPath: '/health*', FixedRate: 0, ReservoirSize: 0 }) }));
      const listed = await threadClient.send(new GetSamplingRulesCommand({}));
      assert.deepEqual(listed.SamplingRuleRecords?.map((r) => r.SamplingRule?.RuleName), ['health', 'Default']);
      await rejects(threadClient.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })), InvalidRequestException, /Default/);
    } finally {
      threadClient.destroy();
      await thread.close();
    }
  });
});
