import * as assert from 'assert';
import { describeTimeRange, parseTimeRange, resolveTimeRange, timeRangeKey } from '../../../src/xray/timeRange';

const NOW = Date.parse('2026-11-21T12:00:00Z');

suite('time ranges', () => {
  test('durations: minutes by default, m/h/d units', () => {
    assert.deepStrictEqual(parseTimeRange('90', NOW), { kind: 'last', minutes: 90 });
    assert.deepStrictEqual(parseTimeRange(' 45m ', NOW), { kind: 'last', minutes: 45 });
    assert.deepStrictEqual(parseTimeRange('2h', NOW), { kind: 'last', minutes: 120 });
    assert.deepStrictEqual(parseTimeRange('1.5H', NOW), { kind: 'last', minutes: 90 });
    assert.deepStrictEqual(parseTimeRange('1d', NOW), { kind: 'last', minutes: 1440 });
  });

  test('an absolute range between two date-times', () => {
    const r = parseTimeRange('2026-11-21T10:00:00Z - 2026-11-21T11:30:00Z', NOW);
    assert.deepStrictEqual(r, { kind: 'between', startTime: Date.parse('2026-11-21T10:00:00Z') / 1000, endTime: Date.parse('2026-11-21T11:30:00Z') / 1000 });
    const spaced = parseTimeRange('2026-11-21 10:00Z to 2026-11-21 11:00Z', NOW);
    assert.strictEqual('kind' in spaced && spaced.kind, 'between');
  });

  test('refusals say what is wrong', () => {
    const error = (text: string) => {
      const r = parseTimeRange(text, NOW);
      assert.ok('error' in r, `${text} should be refused`);
      return r.error;
    };
    assert.match(error('0m'), /at least 1 minute/);
    assert.match(error('31d'), /30 days/);
    assert.match(error('soon'), /duration such as/);
    assert.match(error('2026-11-21T11:00Z - 2026-11-21T10:00Z'), /end must be after/);
    assert.match(error('yesterday - 2026-11-21T10:00Z'), /Cannot read the start "yesterday"/);
    assert.match(error('2026-01-01T00:00Z - 2026-01-02T00:00Z'), /older than that/);
  });

  test('the window of "last N minutes" moves with the clock and allows a minute of clock skew', () => {
    assert.deepStrictEqual(resolveTimeRange({ kind: 'last', minutes: 15 }, NOW), { startTime: NOW / 1000 - 900, endTime: NOW / 1000 + 60 });
    assert.deepStrictEqual(resolveTimeRange({ kind: 'between', startTime: 10, endTime: 20 }, NOW), { startTime: 10, endTime: 20 });
  });

  test('labels and cache keys', () => {
    assert.strictEqual(describeTimeRange({ kind: 'last', minutes: 15 }), 'last 15 min');
    assert.strictEqual(describeTimeRange({ kind: 'last', minutes: 360 }), 'last 6 h');
    assert.strictEqual(describeTimeRange({ kind: 'last', minutes: 2880 }), 'last 2 d');
    assert.notStrictEqual(timeRangeKey({ kind: 'last', minutes: 15 }), timeRangeKey({ kind: 'last', minutes: 5 }));
    assert.strictEqual(timeRangeKey({ kind: 'between', startTime: 1, endTime: 2 }), timeRangeKey({ kind: 'between', startTime: 1, endTime: 2 }));
  });
});
