// `xray-lens hotspots`: the functions of a workspace that traces map to, with their latency and failure numbers —
// the lenses' numbers without an editor (for CI, and to check the mapping). Traces come from a file
// (`aws xray batch-get-traces` output, or a JSON array of segment documents) or an X-Ray API (AWS or a local
// collector) through the same TraceSource the extension uses.
import * as fs from 'fs';
import * as path from 'path';
import { CodeMapper, type Evidence, type PathMapping } from '../code/codeMapping';
import { loadCodeParser } from '../code/functionRanges';
import { entryLine, entryTitle, LatencyIndex, type LatencyEntry } from '../code/latencyIndex';
import { loadXrayApiSource } from '../sources/loadXrayApiSource';
import { describeSourceError } from '../sources/sourceErrors';
import type { SourceProgress } from '../sources/traceSource';
import { formatLensText } from '../xray/latencyStats';
import type { SegmentDocument } from '../xray/model';
import { parseSegmentDocument } from '../xray/segmentDocument';
import { TraceAssembler } from '../xray/traceAssembler';
import { compareReport } from './hotspotsCompare';
import { readWorkspace, treeSitterDirectory } from './hotspotsWorkspace';
import { readTraceFile, type TraceFileContents } from '../collector/traceFile';

export const HOTSPOTS_USAGE = `usage: xray-lens hotspots --workspace DIR (--endpoint URL | --file TRACES.json | --profile P --region R)
                         [--since 15m] [--path-map /var/task=.] [--max-traces 1000] [--json]
                         [--rate 5] [--give-up-after 60s] [--compare 60m..15m]

Maps the traces to the functions of the workspace (call-site names, function names, code.* attributes, exception
stack frames) and prints, per mapped function, count, p50/p95/p99 (ms), faults, errors and throttles, slowest
first. --file takes the output of \`aws xray batch-get-traces\` or a JSON array of segment documents (all of it,
whatever --since says); --endpoint/--profile/--region read the traces of the last --since (15m, 2h, 1d) through
the X-Ray API. --path-map FROM=TO says where code that ran under FROM lives in the workspace (repeatable).
--json prints one JSON array of {file, line, function, names, count, p50, p95, p99, faults, errors, throttles,
evidence}; file is workspace-relative with / separators, line the 1-based first line of the function.
--rate caps the requests per second to AWS (default 5; the pace slows while X-Ray throttles and recovers after).
A throttled request is retried until no request has got through for --give-up-after (default 60s); then the
traces that did arrive are reported, a line on stderr says what is missing, and the exit code is 3.
--compare A..B (A > B, e.g. 60m..15m) compares, per function, the window from A to B ago ("before") with the last
B ("after"); with --file, "ago" counts back from the file's last trace. Each row says the p95 after, its change and
both sample sizes, and claims a change only when a permutation test says it is more than chance (p < 0.05) and both
sides have at least 20 samples.
`;

export interface HotspotsArgs {
  workspace: string;
  file?: string;
  endpoint?: string;
  profile?: string;
  region?: string;
  sinceMinutes: number;
  pathMappings: PathMapping[];
  maxTraces: number;
  json: boolean;
  /** Requests per second to an X-Ray API that is not a local collector. */
  rate: number;
  giveUpAfterMs: number;
  /** --compare A..B: "before" from A to B minutes ago, "after" the last B minutes. */
  compare?: { fromMinutes: number; splitMinutes: number };
}

/** One row of the report, as `--json` prints it. */
export interface HotspotRow {
  file: string;
  line: number;
  function: string;
  names: string[];
  count: number;
  p50: number;
  p95: number;
  p99: number;
  faults: number;
  errors: number;
  throttles: number;
  evidence: Evidence[];
}

/** The options after `hotspots`, or the message saying what is wrong with them. */
export function parseHotspotsArgs(argv: string[]): HotspotsArgs | string {
  const args: Partial<HotspotsArgs> & { pathMappings: PathMapping[] } = { sinceMinutes: 15, pathMappings: [], maxTraces: 1000, json: false, rate: 5, giveUpAfterMs: 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--json') {
      args.json = true;
      continue;
    }
    // --path-map=/var/task=. splits at the first '=' like the other options.
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return `${name} needs a value`;
    if (name === '--workspace') args.workspace = value;
    else if (name === '--file') args.file = value;
    else if (name === '--endpoint') args.endpoint = value;
    else if (name === '--profile') args.profile = value;
    else if (name === '--region') args.region = value;
    else if (name === '--since') {
      const minutes = parseSince(value);
      if (minutes === undefined) return `--since needs a duration like 15m, 2h or 1d (got "${value}")`;
      args.sinceMinutes = minutes;
    } else if (name === '--path-map') {
      const at = value.indexOf('=');
      if (at <= 0 || at === value.length - 1) return `--path-map needs FROM=TO, e.g. /var/task=. (got "${value}")`;
      args.pathMappings.push({ from: value.slice(0, at), to: value.slice(at + 1) });
    } else if (name === '--max-traces') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) return '--max-traces needs a positive whole number';
      args.maxTraces = n;
    } else if (name === '--rate') {
      const n = Number(value);
      if (!(n >= 0.5 && n <= 100)) return '--rate needs requests per second between 0.5 and 100';
      args.rate = n;
    } else if (name === '--compare') {
      const [from, split] = value.split('..').map((part) => parseSince(part));
      if (from === undefined || split === undefined || !(from > split)) return `--compare needs A..B with A longer ago than B, like 60m..15m (got "${value}")`;
      args.compare = { fromMinutes: from, splitMinutes: split };
    } else if (name === '--give-up-after') {
      const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(value.trim());
      const ms = match ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm'] : NaN;
      if (!(ms >= 1000 && ms <= 3_600_000)) return `--give-up-after needs a duration from 1s to 60m, like 60s or 2m (got "${value}")`;
      args.giveUpAfterMs = ms;
    } else return `unknown option "${flag}"`;
  }
  if (!args.workspace) return '--workspace DIR is required';
  if (args.file && (args.endpoint || args.profile || args.region)) return '--file cannot be combined with --endpoint, --profile or --region';
  if (!args.file && !args.endpoint && !args.profile && !args.region) return 'say where the traces come from: --file, --endpoint, or --profile/--region';
  // Both windows are fetched: --since reaches back to the start of "before".
  if (args.compare) args.sinceMinutes = args.compare.fromMinutes;
  return args as HotspotsArgs;
}

/** 30s, 15m, 2h, 1d, or a bare number of minutes. */
export function parseSince(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?$/i.exec(text.trim());
  if (!match) return undefined;
  const perUnit: Record<string, number> = { s: 1 / 60, m: 1, min: 1, h: 60, d: 1440 };
  const n = Number(match[1]) * perUnit[(match[2] ?? 'm').toLowerCase()];
  return n > 0 && n <= 30 * 1440 ? n : undefined;
}

export interface HotspotsIo {
  out: (text: string) => void;
  err: (text: string) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/** 0: the report is complete; 1: it failed; 3: it was made from part of the traces (X-Ray kept throttling). */
export async function hotspots(args: HotspotsArgs, io: HotspotsIo): Promise<0 | 1 | 3> {
  const workspace = path.resolve(args.workspace);
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) {
    io.err(`xray-lens: --workspace ${args.workspace} is not a folder\n`);
    return 1;
  }
  let traces: SegmentDocument[][];
  let incomplete: string | undefined;
  try {
    if (args.file) traces = tracesFromFile(args.file);
    else ({ traces, incomplete } = await tracesFromApi(args, io));
  } catch (error) {
    io.err(`xray-lens: ${(error as Error).message}\n`);
    return 1;
  }
  const parser = await loadCodeParser(treeSitterDirectory());
  try {
    const mapper = new CodeMapper({ ...readWorkspace(workspace, parser), pathMappings: args.pathMappings });
    if (args.compare) {
      const end = args.file ? lastEnd(traces) : (io.now?.() ?? Date.now()) / 1000;
      compareReport(traces, mapper, { ...args.compare, endTime: end }, args.json, io);
      if (incomplete) io.err(`xray-lens: partial report: ${incomplete}\n`);
      return incomplete ? 3 : 0;
    }
    const index = LatencyIndex.build(traces, mapper);
    const entries = index.entries();
    const rows = entries.filter((e) => e.stats).map(toRow).sort((a, b) => b.p95 - a.p95 || a.file.localeCompare(b.file) || a.line - b.line);
    for (const note of ambiguityNotes(entries)) io.err(`${note}\n`);
    // Code that ran elsewhere (/var/task, /app) was found by file names alone: say which mapping makes it certain.
    for (const s of mapper.pathMappingSuggestions().slice(0, 3)) {
      io.err(`frames under ${s.from} matched ${s.to === '.' ? 'the workspace' : s.to} by file name (${s.frames}); --path-map ${s.from}=${s.to} says so for every file\n`);
    }
    if (args.json) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      for (const e of entries.filter((x) => x.stats).sort((a, b) => (b.stats?.p95 ?? 0) - (a.stats?.p95 ?? 0))) {
        io.out(`${e.file}:${entryLine(e) + 1}  ${entryTitle(e)}  [${e.evidence.join(',')}]  ${formatLensText(e.stats!, args.file ? windowOf(traces) : args.sinceMinutes)}\n`);
      }
      io.out(`${rows.length} functions mapped from ${traces.length} traces${incomplete ? ' (partial: see stderr)' : ''}\n`);
    }
    if (incomplete) io.err(`xray-lens: partial report: ${incomplete}\n`);
    return incomplete ? 3 : 0;
  } finally {
    parser.dispose();
  }
}

function toRow(e: LatencyEntry): HotspotRow {
  const s = e.stats!;
  const ms = (x: number) => Math.round(x * 10) / 10;
  return {
    file: e.file, line: entryLine(e) + 1, function: e.function, names: e.names, count: s.count,
    p50: ms(s.p50), p95: ms(s.p95), p99: ms(s.p99), faults: s.faults, errors: s.errors, throttles: s.throttles, evidence: e.evidence,
  };
}

function ambiguityNotes(entries: LatencyEntry[]): string[] {
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const e of entries) {
    if (!e.ambiguous) continue;
    const id = `${e.ambiguous.names.join()}|${e.ambiguous.candidates.map((c) => `${c.file}:${c.line}`).sort().join()}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const where = e.ambiguous.candidates.map((c) => `${c.file}:${c.line + 1} ${c.function}`).join(', ');
    notes.push(`ambiguous: ${e.ambiguous.count} × "${e.ambiguous.names.join('", "')}" fit ${where}; no number shown for them (add --path-map or exception frames to decide)`);
  }
  return notes;
}

/** The last end time in the traces (epoch seconds). */
function lastEnd(traces: SegmentDocument[][]): number {
  let end = -Infinity;
  for (const segments of traces) for (const s of segments) end = Math.max(end, typeof s.end_time === 'number' ? s.end_time : s.start_time);
  return end;
}

/** Minutes between the first start and the last end in the traces (at least 1). */
function windowOf(traces: SegmentDocument[][]): number {
  let start = Infinity;
  let end = -Infinity;
  for (const segments of traces) {
    for (const s of segments) {
      if (typeof s.start_time === 'number') start = Math.min(start, s.start_time);
      if (typeof s.end_time === 'number') end = Math.max(end, s.end_time);
    }
  }
  return Number.isFinite(start) && end > start ? Math.max(1, (end - start) / 60) : 1;
}

/**
 * `aws xray batch-get-traces` output, a list of those, a JSON array of segment documents (objects or JSON
 * strings), OTLP/JSON, or any of these one per line (src/collector/traceFile.ts), assembled per trace.
 */
export function tracesFromFile(file: string): SegmentDocument[][] {
  let contents: TraceFileContents;
  try {
    contents = readTraceFile(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  return assemble(contents.documents);
}

function assemble(documents: unknown[]): SegmentDocument[][] {
  const byTrace = new Map<string, TraceAssembler>();
  for (const raw of documents) {
    const parsed = parseSegmentDocument(typeof raw === 'string' ? raw : JSON.stringify(raw));
    if (!parsed.ok || typeof parsed.doc.trace_id !== 'string') continue;
    const id = parsed.doc.trace_id;
    let assembler = byTrace.get(id);
    if (!assembler) byTrace.set(id, (assembler = new TraceAssembler(id)));
    assembler.add(parsed.doc);
  }
  return [...byTrace.values()].map((a) => a.segments());
}

const LOCAL_CREDENTIALS = { accessKeyId: 'xray-lens-local', secretAccessKey: 'xray-lens-local' };

function isLoopbackUrl(text: string): boolean {
  try {
    const host = new URL(text).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

async function tracesFromApi(args: HotspotsArgs, io: HotspotsIo): Promise<{ traces: SegmentDocument[][]; incomplete?: string }> {
  const sources = loadXrayApiSource();
  // A loopback endpoint without a profile is a local collector: it checks no signature, so fixed fake keys (as the
  // extension's local source uses) and no pacing; anything else goes through the AWS credential chain, paced.
  const local = !!args.endpoint && !args.profile && isLoopbackUrl(args.endpoint);
  const region = args.region ?? (local ? 'us-east-1' : await sources.defaultRegion(args.profile));
  const label = args.endpoint ? args.endpoint : `AWS ${region}${args.profile ? ` (${args.profile})` : ''}`;
  const source = local
    ? sources.createXrayApiSource({ kind: 'local', label, region, endpoint: args.endpoint, staticCredentials: LOCAL_CREDENTIALS })
    : sources.createXrayApiSource({ kind: 'aws', label, region, profile: args.profile, endpoint: args.endpoint, maxRequestsPerSecond: args.rate, giveUpAfterMs: args.giveUpAfterMs });
  const now = (io.now ?? Date.now)() / 1000;
  const window = { startTime: now - args.sinceMinutes * 60, endTime: now };
  let throttled = 0;
  let lastSaid = 0;
  const options = {
    signal: io.signal,
    onProgress: (e: SourceProgress) => {
      if (e.kind !== 'throttled') return;
      throttled++;
      // One line at most every 5 s: a steady partial throttle would otherwise flood stderr.
      const now = Date.now();
      if (now - lastSaid < 5000) return;
      lastSaid = now;
      io.err(`${label}: throttled (${throttled} so far, last ${e.operation}); retrying at ${e.ratePerSecond.toFixed(1)} requests/s\n`);
    },
  };
  try {
    const listed = await source.listTraceSummaries({ window, maxTraces: args.maxTraces }, options);
    const ids = listed.summaries.map((s) => s.id);
    if (ids.length === 0) return { traces: [], incomplete: listed.incomplete?.message };
    const fetched = await source.getTraces(ids, { ...options, window });
    const incomplete = [listed.incomplete?.message, fetched.incomplete?.message].filter(Boolean).join(' ');
    return { traces: fetched.traces.map((t) => assemble(t.segments)).flat(), incomplete: incomplete || undefined };
  } catch (error) {
    throw new Error(describeSourceError(error, label).message);
  } finally {
    source.dispose();
  }
}
