// `xray-lens traces`: the recent traces of an AWS account (or any X-Ray API endpoint), read through the same
// TraceSource the extension uses — same credential chain, endpoint resolution, pacing and error messages.
import { loadXrayApiSource } from '../sources/loadXrayApiSource';
import { describeSourceError } from '../sources/sourceErrors';
import type { TraceSummaryView } from '../sources/traceSource';

export const TRACES_USAGE = `usage: xray-lens traces [--profile P] [--region R] [--minutes 15] [--filter EXPR] [--max 100]
                       [--endpoint URL]

Lists the traces that started in the last --minutes (newest first) with the AWS SDK's default credential
chain: --profile (else AWS_PROFILE, environment keys, ...), the profile's region (else AWS_REGION, else
us-east-1), the profile's endpoint_url or AWS_ENDPOINT_URL_XRAY; --endpoint overrides the endpoint.
`;

export interface TracesArgs {
  profile?: string;
  region?: string;
  minutes: number;
  filter?: string;
  max: number;
  endpoint?: string;
}

/** The options after `traces`, or the message saying what is wrong with them. */
export function parseTracesArgs(argv: string[]): TracesArgs | string {
  const args: TracesArgs = { minutes: 15, max: 100 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return `${name} needs a value`;
    if (name === '--profile') args.profile = value;
    else if (name === '--region') args.region = value;
    else if (name === '--filter') args.filter = value;
    else if (name === '--endpoint') args.endpoint = value;
    else if (name === '--minutes' || name === '--max') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) return `${name} needs a positive whole number`;
      if (name === '--minutes') args.minutes = n;
      else args.max = n;
    } else return `unknown option "${flag}"`;
  }
  return args;
}

export interface TracesIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Aborts on Ctrl-C. */
  signal?: AbortSignal;
  now?: () => number;
}

export async function listTraces(args: TracesArgs, io: TracesIo): Promise<0 | 1 | 3> {
  const sources = loadXrayApiSource();
  const region = args.region ?? (await sources.defaultRegion(args.profile));
  const label = `AWS ${region}${args.profile ? ` (${args.profile})` : ''}`;
  const source = sources.createXrayApiSource({ kind: 'aws', label, region, profile: args.profile, endpoint: args.endpoint, maxRequestsPerSecond: 5 });
  const now = (io.now ?? Date.now)() / 1000;
  try {
    const result = await source.listTraceSummaries(
      { window: { startTime: now - args.minutes * 60, endTime: now }, filterExpression: args.filter, maxTraces: args.max },
      {
        signal: io.signal,
        onProgress: (e) => {
          if (e.kind === 'throttled') io.err(`${label}: ${e.operation} throttled, retrying\n`);
        },
      },
    );
    for (const s of result.summaries) io.out(`${formatSummary(s, now)}\n`);
    const scanned = result.tracesProcessed > result.summaries.length ? `, ${result.tracesProcessed} scanned` : '';
    const more = result.truncated ? `; more in the window than --max ${args.max}` : '';
    io.out(`${result.summaries.length} traces in the last ${args.minutes} min from ${label}${scanned}${more}${result.incomplete ? ' (partial: see stderr)' : ''}\n`);
    if (result.incomplete) io.err(`xray-lens: partial list: ${result.incomplete.message}\n`);
    return result.incomplete ? 3 : 0;
  } catch (err) {
    io.err(`xray-lens: ${describeSourceError(err, label).message}\n`);
    return 1;
  } finally {
    source.dispose();
  }
}

function formatSummary(s: TraceSummaryView, now: number): string {
  const state = s.hasFault ? 'fault' : s.hasThrottle ? 'throttle' : s.hasError ? 'error' : 'ok';
  const age = `${Math.max(0, Math.round(now - s.startTime))}s ago`;
  const request = [s.method, s.url].filter(Boolean).join(' ') || s.entryPoint || '';
  return [s.id, age.padStart(7), String(s.status ?? '').padStart(3), state.padEnd(8), `${(s.duration * 1000).toFixed(0)} ms`.padStart(8), request].join('  ');
}
