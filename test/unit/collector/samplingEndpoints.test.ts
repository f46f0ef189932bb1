// The sampling answers as X-Ray gives them through the daemon: epoch-second times, the Default rule, a rule per
// service that began a trace (and LastRuleModification moving when one is added), and the statistics counted per rule.
import * as assert from 'node:assert/strict';
import { describeSampling, SamplingEndpoints } from '../../../src/collector/samplingEndpoints';

interface RuleRecord {
  SamplingRule: Record<string, unknown>;
  CreatedAt: number;
  ModifiedAt: number;
}

suite('sampling endpoints', () => {
  const rulesOf = (endpoints: SamplingEndpoints) => (endpoints.getSamplingRules({}) as { SamplingRuleRecords: RuleRecord[] }).SamplingRuleRecords;

  test('GetSamplingRules: Default last, a rule per entry service before it, the fields the SDKs read, times in epoch seconds', () => {
    const services: string[] = [];
    const started = Date.UTC(2026, 11, 7, 2, 0, 0);
    const endpoints = new SamplingEndpoints(true, started, () => services);
    const first = rulesOf(endpoints);
    assert.deepEqual(first.map((r) => r.SamplingRule.RuleName), ['Default']);
    assert.deepEqual(first[0], {
      SamplingRule: {
        RuleName: 'Default', RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/Default', ResourceARN: '*', Priority: 10000,
        FixedRate: 1, ReservoirSize: 10000, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {},
      },
      CreatedAt: started / 1000,
      ModifiedAt: started / 1000,
    });
    services.push('frontend', 'svc with spaces/and slashes', 'wild*card', 'x'.repeat(65));
    const rules = rulesOf(endpoints);
    // Names a rule cannot match exactly (a wildcard, longer than X-Ray's 64) stay with Default.
    assert.deepEqual(rules.map((r) => [r.SamplingRule.RuleName, r.SamplingRule.ServiceName, r.SamplingRule.Priority]), [
      ['frontend-1', 'frontend', 9999],
      ['svc_with_spaces_and_slashes-2', 'svc with spaces/and slashes', 9999],
      ['Default', '*', 10000],
    ]);
    assert.ok(rules.every((r) => /^[A-Za-z0-9_-]{1,32}$/.test(String(r.SamplingRule.RuleName))));
    assert.ok(rules.every((r) => Math.abs(r.CreatedAt - Date.now() / 1000) < 3e9 && r.CreatedAt < 1e11), 'seconds, not milliseconds');
  });

  test('SamplingTargets: targets for the reported rules, LastRuleModification moves when a service appears, counts per rule', () => {
    const services: string[] = [];
    const endpoints = new SamplingEndpoints(false, Date.now() - 60_000, () => services);
    const doc = (RuleName: string, RequestCount: number, SampledCount: number, BorrowCount: number) => ({ RuleName, ClientID: 'a'.repeat(24), Timestamp: Date.now() / 1000, RequestCount, SampledCount, BorrowCount });
    const before = endpoints.samplingTargets({ SamplingStatisticsDocuments: [doc('Default', 100, 4, 1)] }) as Record<string, unknown>;
    assert.deepEqual(Object.keys(before).sort(), ['LastRuleModification', 'SamplingTargetDocuments', 'UnprocessedStatistics']);
    const [target] = before.SamplingTargetDocuments as Record<string, number>[];
    assert.equal(target.RuleName, 'Default');
    assert.equal(target.FixedRate, 0.05);
    assert.equal(target.ReservoirQuota, 1);
    assert.equal(target.Interval, 10);
    assert.ok(target.ReservoirQuotaTTL > Date.now() / 1000 && target.ReservoirQuotaTTL < Date.now() / 1000 + 120);
    services.push('orders');
    const after = endpoints.samplingTargets({ SamplingStatisticsDocuments: [doc('Default', 10, 1, 0)] }) as { LastRuleModification: number };
    assert.ok(after.LastRuleModification > (before.LastRuleModification as number), 'an SDK holding the old rules fetches them again');
    // A whole second, the next one: newer than a copy stamped with this second.
    assert.ok(Number.isInteger(after.LastRuleModification) && after.LastRuleModification > Date.now() / 1000 && after.LastRuleModification <= Date.now() / 1000 + 1);
    endpoints.samplingTargets({ SamplingStatisticsDocuments: [doc('orders-1', 200, 10, 0), { nonsense: true }, doc('Default', -5, 0, 0)] });
    const counters = endpoints.counters();
    assert.equal(counters.reportedRequests, 310);
    assert.deepEqual(counters.byService.map((r) => [r.service, r.rule, r.requests, r.traced]), [[undefined, 'Default', 110, 6], ['orders', 'orders-1', 200, 10]]);
    assert.equal(describeSampling(counters), 'sampling: SDKs reported 310 requests, 16 traced, 294 not traced (rule Default 6 of 110, orders 10 of 200)');
  });

  test('SampledCount with the borrowed ones included (the API\'s meaning) or apart (aws-xray-sdk-core): traced counts each once', () => {
    const endpoints = new SamplingEndpoints(true);
    endpoints.samplingTargets({ SamplingStatisticsDocuments: [
      { RuleName: 'Default', RequestCount: 50, SampledCount: 50, BorrowCount: 2 },
      { RuleName: 'Default', RequestCount: 50, SampledCount: 48, BorrowCount: 2 },
    ] });
    assert.equal(endpoints.counters().reportedTraced, 100);
  });

  test('before any report it says what it knows', () => {
    const endpoints = new SamplingEndpoints(true);
    assert.equal(describeSampling(endpoints.counters()), 'sampling: no SDK has asked for rules');
    endpoints.getSamplingRules({});
    assert.match(describeSampling(endpoints.counters()), /rules sent, no statistics reported yet/);
  });
});
