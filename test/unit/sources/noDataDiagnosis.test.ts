import * as assert from 'assert';
import { diagnoseNoData, type CollectorTally, type NoDataFacts } from '../../../src/sources/noDataDiagnosis';

function tally(patch: Partial<CollectorTally> = {}): CollectorTally {
  return {
    received: 0, queued: 0, accepted: 0, rejected: 0, rejectedByReason: {}, traces: 0,
    sampling: { ruleRequests: 0, targetRequests: 0 },
    otlp: { requests: 0, refusedRequests: 0, spansReceived: 0, spansAccepted: 0, spansRejected: 0 },
    ...patch,
  };
}

function facts(patch: Partial<NoDataFacts> = {}, counters: CollectorTally | undefined = tally()): NoDataFacts {
  return {
    source: 'local',
    collector: { kind: 'running', address: '127.0.0.1:2000', counters },
    list: { listed: 0, rangeLabel: 'last 15 min' },
    endpoints: { daemon: '127.0.0.1:2000', otlp: '127.0.0.1:4318' },
    ...patch,
  };
}

/** check:status of each finding, in order. */
const outline = (f: NoDataFacts) => diagnoseNoData(f).map((x) => `${x.check}:${x.status}`);
const firstProblem = (f: NoDataFacts) => diagnoseNoData(f).find((x) => x.status === 'problem');

suite('diagnoseNoData: why no traces show, local collector', () => {
  test('traces listed but their frames are code the workspace lacks: the folder is the problem; name-only matches get a mapping', () => {
    const listed = { listed: 4, rangeLabel: 'last 15 min' };
    const counters = tally({ received: 9, accepted: 9, traces: 4 });
    const frames = {
      unresolved: [{ folder: '/opt/billing/app', files: 6, example: '/opt/billing/app/charge.js' }, { folder: '/opt/billing/lib', files: 2, example: '/opt/billing/lib/db.js' }],
      suggestions: [{ from: '/var/task', to: '.', frames: 11 }],
    };
    const f = facts({ list: listed, frames }, counters);
    assert.deepStrictEqual(outline(f), ['collector:ok', 'app:ok', 'rejected:ok', 'range:ok', 'frames:problem', 'frames:note']);
    const [problem, note] = diagnoseNoData(f).filter((x) => x.check === 'frames');
    assert.strictEqual(problem.message, 'Stack frames name 8 files this workspace does not have, under /opt/billing/app (6), /opt/billing/lib (2); '
      + 'e.g. /opt/billing/app/charge.js. The lenses and problems for that code cannot show: open the folder that holds it, or map the path with xrayLens.lens.pathMappings.');
    assert.deepStrictEqual(problem.fixes, ['openFolder']);
    assert.match(note.message, /^Stack frames under \/var\/task were matched to the workspace by file name only \(11 frames\)/);
    assert.deepStrictEqual(note.fixes, ['addPathMapping']);
    // Every frame in the workspace: nothing to say about frames; not looked at when the list is empty.
    assert.deepStrictEqual(outline(facts({ list: listed, frames: { unresolved: [], suggestions: [] } }, counters)), ['collector:ok', 'app:ok', 'rejected:ok', 'range:ok']);
    assert.ok(!outline(facts({ frames }, counters)).some((x) => x.startsWith('frames')));
  });

  test('collector off: that alone, with the switch to turn it on', () => {
    const f = facts({ collector: { kind: 'off' } });
    assert.deepStrictEqual(outline(f), ['collector:problem']);
    assert.deepStrictEqual(firstProblem(f)?.fixes, ['turnOnCollector', 'selectSource']);
  });

  test('port taken by another program: says so (not the raw error) and offers another port', () => {
    const f = facts({ collector: { kind: 'failed', address: '127.0.0.1:2000', message: 'EADDRINUSE', occupant: 'other' } });
    const problem = firstProblem(f);
    assert.match(problem?.message ?? '', /Another program already listens on 127\.0\.0\.1:2000/);
    assert.deepStrictEqual(problem?.fixes, ['useAnotherPort', 'retryCollector']);
    // Any other failure keeps the collector's own message.
    assert.match(firstProblem(facts({ collector: { kind: 'failed', message: 'bad address "x"' } }))?.message ?? '', /could not start: bad address "x"/);
  });

  test('nothing received, no SDK asked for rules: no app is pointed here; the variables to set are in the message', () => {
    const f = facts();
    assert.deepStrictEqual(outline(f), ['collector:ok', 'app:problem']);
    const problem = firstProblem(f);
    assert.match(problem?.message ?? '', /AWS_XRAY_DAEMON_ADDRESS=127\.0\.0\.1:2000/);
    assert.match(problem?.message ?? '', /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http:\/\/127\.0\.0\.1:4318\/v1\/traces/);
    assert.deepStrictEqual(problem?.fixes, ['copyEnvironment', 'setUpTracing']);
  });

  test('an SDK asked for sampling rules but sent no segment: its segments go elsewhere', () => {
    const problem = firstProblem(facts({}, tally({ sampling: { ruleRequests: 3, targetRequests: 1 } })));
    assert.strictEqual(problem?.check, 'app');
    assert.match(problem?.message ?? '', /asked this collector for sampling rules \(4 requests\) but sent no segments/);
  });

  test('everything refused: the reasons with their counts, most frequent first', () => {
    const f = facts({}, tally({ received: 12, rejected: 12, rejectedByReason: { 'no-header': 2, 'invalid-json': 10 } }));
    assert.deepStrictEqual(outline(f), ['collector:ok', 'app:ok', 'rejected:problem']);
    assert.match(firstProblem(f)?.message ?? '', /refused: 10 invalid-json, 2 no-header/);
    // Documents still queued are not called refused.
    assert.notStrictEqual(firstProblem(facts({}, tally({ received: 12, queued: 12 })))?.check, 'rejected');
  });

  test('traces kept but none in the range: outside the time range, or hidden by the filter', () => {
    const stored = tally({ received: 40, accepted: 40, traces: 9 });
    const outside = firstProblem(facts({}, stored));
    assert.strictEqual(outside?.check, 'range');
    assert.match(outside?.message ?? '', /9 traces are in the collector, but none started in the last 15 min/);
    assert.deepStrictEqual(outside?.fixes, ['setTimeRange']);
    const filtered = firstProblem(facts({ list: { listed: 0, rangeLabel: 'last 15 min', filterExpression: 'service("x")' } }, stored));
    assert.match(filtered?.message ?? '', /matches the filter service\("x"\)/);
    assert.deepStrictEqual(filtered?.fixes, ['clearFilter', 'setTimeRange']);
  });

  test('all well: every check passes, some refusals noted, no problem', () => {
    const f = facts({ list: { listed: 7, rangeLabel: 'last 15 min' } }, tally({ received: 50, accepted: 48, rejected: 2, rejectedByReason: { 'invalid-json': 2 }, traces: 7 }));
    assert.deepStrictEqual(outline(f), ['collector:ok', 'app:ok', 'rejected:note', 'range:ok']);
    assert.strictEqual(firstProblem(f), undefined);
  });

  test('OpenTelemetry only: OTLP requests count as an app talking, spans kept count as kept', () => {
    const otlp = { requests: 3, refusedRequests: 0, spansReceived: 9, spansAccepted: 9, spansRejected: 0 };
    const f = facts({ list: { listed: 3, rangeLabel: 'last 5 min' } }, tally({ otlp, traces: 3 }));
    assert.deepStrictEqual(outline(f), ['collector:ok', 'app:ok', 'rejected:ok', 'range:ok']);
    assert.match(diagnoseNoData(f)[1].message, /3 OTLP requests \(9 spans\)/);
  });

  test('attached to another X-Ray Lens collector: its status counters go through the same checks; without them, a note', () => {
    const attached = facts({ collector: { kind: 'attached', address: '127.0.0.1:2000', counters: tally({ received: 4, accepted: 4, traces: 2 }) } });
    assert.deepStrictEqual(outline(attached), ['collector:ok', 'app:ok', 'rejected:ok', 'range:problem']);
    assert.match(diagnoseNoData(attached)[0].message, /Attached to the X-Ray Lens collector already listening on 127\.0\.0\.1:2000/);
    assert.match(firstProblem(attached)?.message ?? '', /2 traces are in the collector/);
    const silent = facts({ collector: { kind: 'attached', address: '127.0.0.1:2000', counters: undefined }, list: { listed: 3, rangeLabel: 'last 15 min' } });
    assert.deepStrictEqual(outline(silent), ['collector:ok', 'app:note', 'range:ok']);
  });

  test('a failed refresh is the problem, whatever the counters say', () => {
    const problem = firstProblem(facts({ list: { listed: 0, rangeLabel: 'last 15 min', error: 'connect ECONNREFUSED' } }, tally({ received: 5, accepted: 5, traces: 2 })));
    assert.match(problem?.message ?? '', /could not list traces: connect ECONNREFUSED/);
  });
});

suite('diagnoseNoData: AWS source', () => {
  test('an AWS error is the problem; the note says which checks are not made', () => {
    const findings = diagnoseNoData(facts({ source: 'aws', list: { listed: 0, rangeLabel: 'last 15 min', error: 'AccessDeniedException: not authorized to perform xray:GetTraceSummaries' } }));
    assert.deepStrictEqual(findings.map((x) => `${x.check}:${x.status}`), ['source:problem', 'source:note']);
    assert.match(findings[0].message, /AccessDeniedException/);
  });
});
