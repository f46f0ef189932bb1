// The rule book on its own: X-Ray's wildcards, the SDKs' order of evaluation, and what an update may change.
import * as assert from 'node:assert/strict';
import { SamplingRuleBook, SamplingRuleError, wildcardMatch } from '../../../src/collector/samplingRules';

const rule = (fields: Record<string, unknown>) => ({
  SamplingRule: {
    RuleName: 'r', ResourceARN: '*', Priority: 100, FixedRate: 0.5, ReservoirSize: 1, ServiceName: '*', ServiceType: '*',
    Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, ...fields,
  },
});

function refused(action: () => unknown, errorType: string, field: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof SamplingRuleError);
    assert.equal(error.errorType, errorType);
    assert.match(error.message, field);
    return true;
  });
}

suite('sampling rules', () => {
  test('wildcards: * any run (none too), ? exactly one, case-insensitive', () => {
    assert.ok(wildcardMatch('*', ''));
    assert.ok(wildcardMatch('/health*', '/health'));
    assert.ok(wildcardMatch('/health*', '/HEALTH/live'));
    assert.ok(wildcardMatch('/orders/*', '/orders/12'));
    assert.ok(!wildcardMatch('/orders/*', '/orders'));
    assert.ok(wildcardMatch('/a*b*c', '/aXbYbc'));
    assert.ok(!wildcardMatch('/a*b*c', '/aXbYb'));
    assert.ok(wildcardMatch('GE?', 'get'));
    assert.ok(!wildcardMatch('GE?', 'GE'));
    assert.ok(!wildcardMatch('GE?', 'GETS'));
    assert.ok(wildcardMatch('*.example.com', 'api.example.com'));
    assert.ok(!wildcardMatch('api', 'api2'));
  });

  test('match: ascending priority, ties by name, every field must match, Default last', () => {
    const book = new SamplingRuleBook({ reservoir: 1, fixedRate: 0.05 }, 1000);
    book.create(rule({ RuleName: 'orders-b', Priority: 10, URLPath: '/orders/*' }), 1001);
    book.create(rule({ RuleName: 'orders-a', Priority: 10, URLPath: '/orders/*' }), 1001);
    book.create(rule({ RuleName: 'health', Priority: 1, URLPath: '/health*', HTTPMethod: 'GET' }), 1001);
    book.create(rule({ RuleName: 'other-svc', Priority: 2, ServiceName: 'billing' }), 1001);
    assert.equal(book.match({ serviceName: 'shop', httpMethod: 'GET', urlPath: '/health' }).RuleName, 'health');
    assert.equal(book.match({ serviceName: 'shop', httpMethod: 'POST', urlPath: '/health' }).RuleName, 'Default');
    assert.equal(book.match({ serviceName: 'shop', httpMethod: 'GET', urlPath: '/orders/7' }).RuleName, 'orders-a');
    assert.equal(book.match({ serviceName: 'billing', urlPath: '/orders/7' }).RuleName, 'other-svc');
    // What the SDK does not know matches any pattern.
    assert.equal(book.match({ urlPath: '/health/x' }).RuleName, 'health');
    assert.deepEqual(book.userRecords().map((r) => r.SamplingRule.RuleName), ['health', 'other-svc', 'orders-a', 'orders-b']);
  });

  test('update changes only the fields it names; Default only its rate and reservoir; delete leaves Default', () => {
    const book = new SamplingRuleBook({ reservoir: 1, fixedRate: 0.05 }, 1000);
    book.create(rule({ RuleName: 'r', URLPath: '/a' }), 1001);
    const updated = book.update({ SamplingRuleUpdate: { RuleName: 'r', FixedRate: 0, HTTPMethod: 'GET' } }, 1002);
    assert.equal(updated.SamplingRule.FixedRate, 0);
    assert.equal(updated.SamplingRule.HTTPMethod, 'GET');
    assert.equal(updated.SamplingRule.URLPath, '/a');
    assert.equal(updated.CreatedAt, 1001);
    assert.equal(updated.ModifiedAt, 1002);
    const byArn = book.update({ SamplingRuleUpdate: { RuleARN: updated.SamplingRule.RuleARN, Priority: 7 } }, 1003);
    assert.equal(byArn.SamplingRule.Priority, 7);
    assert.equal(book.update({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 1, ReservoirSize: 0 } }, 1004).SamplingRule.FixedRate, 1);
    refused(() => book.update({ SamplingRuleUpdate: { RuleName: 'Default', URLPath: '/x' } }, 1005), 'InvalidRequestException', /URLPath/);
    refused(() => book.update({ SamplingRuleUpdate: { RuleName: 'r', Priority: 0 } }, 1005), 'InvalidRequestException', /Priority/);
    refused(() => book.update({ SamplingRuleUpdate: { RuleName: 'nope', Priority: 1 } }, 1005), 'InvalidRequestException', /no sampling rule nope/);
    refused(() => book.delete({ RuleName: 'Default' }), 'InvalidRequestException', /Default/);
    assert.equal(book.delete({ RuleName: 'r' }).SamplingRule.RuleName, 'r');
    assert.equal(book.has('r'), false);
  });
});
