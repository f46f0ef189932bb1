// "Why don't I see any data?": the checks, in the order a trace travels (collector listening → an app talking
// to it → documents kept → traces in the list's range and filter), each saying what it found and, for a
// problem, the fix to offer. Pure: the extension (src/features/diagnosis) gathers the facts and shows the
// findings; the unit tests feed facts directly.

/** What the checks read of the collector's counters (src/collector's CollectorCounters has these and more). */
export interface CollectorTally {
  received: number;
  queued: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  traces: number;
  sampling: { ruleRequests: number; targetRequests: number };
  otlp: { requests: number; refusedRequests: number; spansReceived: number; spansAccepted: number; spansRejected: number };
}

export interface NoDataFacts {
  /** Where the list comes from. */
  source: 'local' | 'aws';
  collector: CollectorFacts;
  /** The list as the Traces view shows it. */
  list: {
    /** Traces listed in the time range (before a lens's restriction). */
    listed: number;
    /** E.g. "last 15 minutes". */
    rangeLabel: string;
    filterExpression?: string;
    /** Why the last refresh failed, when it did. */
    error?: string;
    /** Why there is no source at all. */
    unavailable?: string;
  };
  /** Where an app should send, for the messages. */
  endpoints: { daemon: string; otlp?: string };
  /** What the latency lens made of the listed traces' stack frames, once it has mapped them. */
  frames?: FrameFacts;
}

export interface FrameFacts {
  /** Frames found by their trailing path only (the code ran elsewhere): the mapping that would make it certain. */
  suggestions: Array<{ from: string; to: string; frames: number }>;
  /** Folders of the files frames name that the workspace does not have, with how many such files. */
  unresolved: Array<{ folder: string; files: number; example: string }>;
}

export type CollectorFacts =
  | { kind: 'off' }
  | { kind: 'starting' }
  | { kind: 'running'; address: string; counters: CollectorTally | undefined }
  /** `counters`: what that collector's status endpoint answered, if it did. */
  | { kind: 'attached'; address: string; counters: CollectorTally | undefined }
  | { kind: 'failed'; address?: string; message: string; occupant?: 'xray-lens' | 'other' };

/** What a button next to a finding does (src/features/diagnosis/whyNoData.ts carries it out). */
export type NoDataFix =
  | 'turnOnCollector'
  | 'useAnotherPort'
  | 'retryCollector'
  | 'copyEnvironment'
  | 'setUpTracing'
  | 'showLog'
  | 'setTimeRange'
  | 'clearFilter'
  | 'selectSource'
  | 'addPathMapping'
  | 'openFolder';

export interface NoDataFinding {
  /** Stable, for tests and for the fix: `collector`, `app`, `rejected`, `range`, `source`, `frames`. */
  check: 'collector' | 'app' | 'rejected' | 'range' | 'source' | 'frames';
  /** `problem`: the reason no data shows (the first one is what to fix); `ok`: the check passed; `note`: worth knowing. */
  status: 'ok' | 'problem' | 'note';
  message: string;
  fixes: NoDataFix[];
  /** The list's refresh failed with this message: the refresh has already shown it, with its own buttons. */
  refreshError?: true;
}

/**
 * Runs the checks in order. A check whose premise failed is not run (no "no app" finding while the collector is
 * off): the first problem is the one to fix, and after it the list would only repeat it.
 */
export function diagnoseNoData(facts: NoDataFacts): NoDataFinding[] {
  if (facts.source === 'aws') return diagnoseAws(facts);
  const findings: NoDataFinding[] = [];
  const problem = (check: Check, message: string, fixes: NoDataFix[]) => findings.push(finding(check, 'problem', message, fixes));
  const ok = (check: Check, message: string) => findings.push(finding(check, 'ok', message));
  const note = (check: Check, message: string, fixes: NoDataFix[] = []) => findings.push(finding(check, 'note', message, fixes));

  const c = facts.collector;
  switch (c.kind) {
    case 'off':
      problem('collector', 'The local collector is off (xrayLens.collector.enabled), so nothing on this machine can send traces to X-Ray Lens.', ['turnOnCollector', 'selectSource']);
      return findings;
    case 'starting':
      problem('collector', 'The local collector is still starting. Run this check again in a moment.', []);
      return findings;
    case 'failed':
      if (c.occupant === 'other') {
        problem('collector', `Another program already listens on ${c.address ?? 'the collector\'s address'} (an AWS X-Ray daemon or CloudWatch agent, perhaps): `
          + 'apps that send there reach it, not X-Ray Lens. Stop that program, or give the collector another port and point the app at it.', ['useAnotherPort', 'retryCollector']);
      } else {
        problem('collector', `The local collector could not start: ${c.message}`, ['retryCollector', 'useAnotherPort', 'showLog']);
      }
      return findings;
    case 'attached':
      ok('collector', `Attached to the X-Ray Lens collector already listening on ${c.address} (for example \`xray-lens collect\`).`);
      break;
    case 'running':
      ok('collector', `The local collector listens on ${c.address} (UDP, X-Ray SDKs)${facts.endpoints.otlp ? ` and http://${facts.endpoints.otlp}/v1/traces (OTLP/HTTP, OpenTelemetry)` : ''}.`);
      break;
  }
  const counters = c.counters;
  if (!counters) {
    note('app', 'The collector did not say what it received (its counters are in its own output).');
    findings.push(rangeCheck(facts.list));
    return findings;
  }

  const samplingAsks = counters.sampling.ruleRequests + counters.sampling.targetRequests;
  const documents = counters.received;
  const otlpRequests = counters.otlp.requests;
  if (documents === 0 && otlpRequests === 0) {
    if (samplingAsks > 0) {
      problem('app', `An SDK has asked this collector for sampling rules (${samplingAsks} requests) but sent no segments. `
        + `Its segments go to another address: X-Ray SDKs send them over UDP to AWS_XRAY_DAEMON_ADDRESS, which must be ${facts.endpoints.daemon} (the same variable sets both).`, ['copyEnvironment']);
    } else {
      problem('app', 'No app has contacted the collector yet: no segments, no OTLP requests, no sampling-rule requests. '
        + `Start the app with AWS_XRAY_DAEMON_ADDRESS=${facts.endpoints.daemon} (X-Ray SDKs)`
        + `${facts.endpoints.otlp ? ` or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://${facts.endpoints.otlp}/v1/traces (OpenTelemetry)` : ''}, then send it a request.`, ['copyEnvironment', 'setUpTracing']);
    }
    return findings;
  }
  const parts = [
    documents > 0 ? `${documents} segment documents over UDP` : '',
    otlpRequests > 0 ? `${otlpRequests} OTLP requests (${counters.otlp.spansReceived} spans)` : '',
    samplingAsks > 0 ? `${samplingAsks} sampling requests` : '',
  ].filter(Boolean);
  ok('app', `Apps are sending to the collector: ${parts.join(', ')}.`);

  const kept = counters.accepted + counters.otlp.spansAccepted;
  const refused = counters.rejected + counters.otlp.spansRejected + counters.otlp.refusedRequests;
  if (kept === 0 && counters.queued === 0) {
    problem('rejected', `Everything that arrived was refused: ${describeRefusals(counters)}. The log has each reason with the first characters of what was sent.`, ['showLog']);
    return findings;
  }
  if (refused > 0) note('rejected', `Some of what arrived was refused: ${describeRefusals(counters)}.`, ['showLog']);
  else ok('rejected', `Every document was kept: ${counters.traces} traces in the collector.`);
  const range = rangeCheck(facts.list, counters.traces);
  findings.push(range);
  if (range.status === 'ok') findings.push(...frameChecks(facts.frames));
  return findings;
}

/**
 * The listed traces' stack frames against the workspace: code that ran elsewhere and was found by file name (a
 * mapping makes it certain), and code the workspace does not hold at all (its lenses and problems cannot show).
 */
function frameChecks(frames: FrameFacts | undefined): NoDataFinding[] {
  if (!frames) return [];
  const out: NoDataFinding[] = [];
  const top = frames.unresolved[0];
  if (top) {
    const total = frames.unresolved.reduce((n, u) => n + u.files, 0);
    const where = frames.unresolved.slice(0, 3).map((u) => `${u.folder} (${u.files})`).join(', ');
    out.push(finding('frames', 'problem', `Stack frames name ${total} file${total === 1 ? '' : 's'} this workspace does not have, under ${where}; e.g. ${top.example}. `
      + 'The lenses and problems for that code cannot show: open the folder that holds it, or map the path with xrayLens.lens.pathMappings.', ['openFolder']));
  }
  const suggestion = frames.suggestions[0];
  if (suggestion) {
    out.push(finding('frames', 'note', `Stack frames under ${suggestion.from} were matched to ${suggestion.to === '.' ? 'the workspace' : suggestion.to} `
      + `by file name only (${suggestion.frames} frames): the path mapping ${suggestion.from} → ${suggestion.to} makes it certain for every file.`, ['addPathMapping']));
  }
  return out;
}

type Check = NoDataFinding['check'];

function finding(check: Check, status: NoDataFinding['status'], message: string, fixes: NoDataFix[] = []): NoDataFinding {
  return { check, status, message, fixes };
}

/** The list's own reasons: a failed refresh, the filter, the time range. `stored`: traces the collector holds, if known. */
function rangeCheck(list: NoDataFacts['list'], stored?: number): NoDataFinding {
  if (list.error) return { ...finding('range', 'problem', `The Traces view could not list traces: ${list.error}`, ['showLog']), refreshError: true };
  if (list.listed > 0) {
    return finding('range', 'ok', `The Traces view lists ${list.listed} traces in the ${list.rangeLabel}${list.filterExpression ? ` matching ${list.filterExpression}` : ''}.`);
  }
  if (list.filterExpression) {
    return finding('range', 'problem', `No trace in the ${list.rangeLabel} matches the filter ${list.filterExpression}${stored ? ` (${stored} traces are in the collector)` : ''}.`, ['clearFilter', 'setTimeRange']);
  }
  if (stored === undefined || stored > 0) {
    return finding('range', 'problem', `${stored ? `${stored} traces are in the collector, but none` : 'No trace'} started in the ${list.rangeLabel}: they are older (or the app's clock is off). Widen the time range.`, ['setTimeRange']);
  }
  return finding('range', 'problem', 'Documents arrived but no trace is complete enough to list yet (a segment without its parent, or still in progress).', ['showLog']);
}

function diagnoseAws(facts: NoDataFacts): NoDataFinding[] {
  const findings: NoDataFinding[] = [];
  const list = facts.list;
  if (list.unavailable) findings.push(finding('source', 'problem', list.unavailable, ['selectSource']));
  else if (list.error) findings.push({ ...finding('source', 'problem', `AWS X-Ray answered: ${list.error}`, ['showLog', 'selectSource']), refreshError: true });
  else if (list.listed > 0) findings.push(finding('range', 'ok', `The Traces view lists ${list.listed} traces from AWS X-Ray in the ${list.rangeLabel}.`));
  else {
    findings.push(finding('range', 'problem',
      `AWS X-Ray has no trace in the ${list.rangeLabel}${list.filterExpression ? ` matching ${list.filterExpression}` : ''} for this profile and region.`,
      list.filterExpression ? ['clearFilter', 'setTimeRange'] : ['setTimeRange', 'selectSource']));
  }
  findings.push(finding('source', 'note', 'Checks of credentials, permissions and sampling rules on AWS are not part of this check yet.'));
  return findings;
}

function describeRefusals(c: CollectorTally): string {
  const parts = Object.entries(c.rejectedByReason).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`);
  if (c.otlp.refusedRequests > 0) parts.push(`${c.otlp.refusedRequests} OTLP requests refused whole`);
  if (c.otlp.spansRejected > 0) parts.push(`${c.otlp.spansRejected} OTLP spans`);
  return parts.join(', ') || 'no reason recorded';
}
