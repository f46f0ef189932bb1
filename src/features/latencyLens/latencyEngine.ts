// The heavy half of the latency lens: tree-sitter parsing, mapping traces to code, statistics per function, the
// slowest traces and latency samples per function, and exceptions per source line. Kept free of `vscode` so that
// esbuild makes it a bundle of its own (dist/latencyEngine.js, see esbuild.js), required on the first lens
// request: web-tree-sitter, the source-map reader and the t-digest are never parsed at activation.
import { CodeMapper, type CodeMappingInput, type DocumentMapping } from '../../code/codeMapping';
import { languageForFile, loadCodeParser, type CodeLanguage, type CodeParser, type ParsedCode } from '../../code/functionRanges';
import { LatencyIndexBuilder, type LatencyIndex, type LatencyObserver } from '../../code/latencyIndex';
import { indexExceptions, resolveCause } from '../../xray/cause';
import { classifyDocument } from '../../xray/classification';
import type { Outcome, SegmentDocument } from '../../xray/model';
import { walkDocuments } from '../../xray/segmentTree';
import { TraceAssembler } from '../../xray/traceAssembler';

/** How many of a function's slowest traces are kept (the lens's quick pick, the hover's links). */
const SLOWEST_KEPT = 10;
/** Latency samples kept per function for the hover's histogram (the first ones; the statistics use all). */
const SAMPLES_KEPT = 5000;

// The lens's text formatting goes to the glue through this lazy module: latencyStats imports the t-digest, which
// activation need not parse.
export { formatLensText, formatMs, formatWindow } from '../../xray/latencyStats';
export { compareLatency, formatComparison } from '../../xray/latencyCompare';
export { entryTitle } from '../../code/latencyIndex';

export interface SlowTrace {
  traceId: string;
  durationMs: number;
  outcome: Outcome;
}

/** One exception type thrown at one line, over the indexed traces, with the newest message. */
export interface ExceptionSite {
  file: string;
  /** 0-based. */
  line: number;
  type: string;
  message: string;
  count: number;
  /** Epoch seconds of the newest (sub)segment that recorded it. */
  lastSeen: number;
  /** Recorded on a faulted (sub)segment at least once; else an error. */
  fault: boolean;
}

export interface FolderIndex {
  index: LatencyIndex;
  /** By LatencyEntry key, slowest first. */
  slowest: Map<string, SlowTrace[]>;
  /** By LatencyEntry key: milliseconds, as the statistics count them. */
  samples: Map<string, number[]>;
  /** By LatencyEntry key: every trace that went through the function (a lens's click shows them). */
  traceIds: Map<string, Set<string>>;
  exceptions: ExceptionSite[];
  /** Frames found by their trailing path only, as mappings that would make it certain (CodeMapper.pathMappingSuggestions). */
  pathSuggestions: Array<{ from: string; to: string; frames: number }>;
  /** Folders of frames the workspace has no file for (CodeMapper.unresolvedFolders). */
  unresolved: Array<{ folder: string; files: number; example: string }>;
}

export interface TraceDocuments {
  id: string;
  segments: readonly SegmentDocument[];
}

export class LatencyEngine {
  private constructor(private readonly parser: CodeParser) {}

  static async load(wasmDirectory: string): Promise<LatencyEngine> {
    return new LatencyEngine(await loadCodeParser(wasmDirectory));
  }

  parse(text: string, language: CodeLanguage): ParsedCode {
    return this.parser.parse(text, language);
  }

  /** A workspace file by its name, or undefined when it is not in one of the parsed languages (or a .d.ts). */
  parseFile(fileName: string, text: string): ParsedCode | undefined {
    const language = languageForFile(fileName);
    return language && !fileName.endsWith('.d.ts') ? this.parser.parse(text, language) : undefined;
  }

  /** The documents of one trace as a source returns them (streamed subsegments apart), merged into segments. */
  assemble(trace: TraceDocuments): SegmentDocument[] {
    const assembler = new TraceAssembler(trace.id);
    for (const doc of trace.segments) assembler.add(doc);
    return [...assembler.segments(), ...assembler.pendingSubsegments()];
  }

  /** Maps assembled traces onto one workspace folder's code, one trace at a time (the caller yields between slices). */
  folderBuilder(input: CodeMappingInput): FolderBuilder {
    return new FolderBuilder(new CodeMapper(input));
  }

  dispose(): void {
    this.parser.dispose();
  }
}

/** Keeps, per index entry, its latency samples, its slowest traces and all its traces, from the index's own decisions. */
class EntryRecorder implements LatencyObserver {
  readonly slowest = new Map<string, SlowTrace[]>();
  readonly samples = new Map<string, number[]>();
  readonly traceIds = new Map<string, Set<string>>();
  /** The slowest sample of each entry in the current trace: a trace counts once among an entry's slowest. */
  private readonly worst = new Map<string, SlowTrace>();

  through(key: string, _mapped: DocumentMapping, segments: readonly SegmentDocument[]): void {
    const ids = this.traceIds.get(key) ?? new Set<string>();
    this.traceIds.set(key, ids.add(traceIdOf(segments)));
  }

  sample(key: string, mapped: DocumentMapping, ms: number, segments: readonly SegmentDocument[]): void {
    const samples = this.samples.get(key) ?? [];
    if (samples.length < SAMPLES_KEPT) samples.push(ms);
    this.samples.set(key, samples);
    const before = this.worst.get(key);
    if (!before || ms > before.durationMs) this.worst.set(key, { traceId: traceIdOf(segments), durationMs: ms, outcome: classifyDocument(mapped.doc) });
  }

  traceDone(): void {
    for (const [key, slow] of this.worst) {
      const list = this.slowest.get(key) ?? [];
      list.push(slow);
      if (list.length > SLOWEST_KEPT * 2) {
        list.sort((a, b) => b.durationMs - a.durationMs);
        list.length = SLOWEST_KEPT;
      }
      this.slowest.set(key, list);
    }
    this.worst.clear();
  }
}

function traceIdOf(segments: readonly SegmentDocument[]): string {
  return String(segments[0]?.trace_id ?? '');
}

export class FolderBuilder {
  private readonly recorder = new EntryRecorder();
  private readonly index: LatencyIndexBuilder;
  private readonly sites = new Map<string, ExceptionSite>();

  constructor(private readonly mapper: CodeMapper) {
    this.index = new LatencyIndexBuilder(mapper, this.recorder);
  }

  /** One assembled trace. */
  add(segments: readonly SegmentDocument[]): void {
    this.index.add(segments);
    addExceptionSites(this.sites, this.mapper, segments);
  }

  finish(): FolderIndex {
    const { recorder } = this;
    for (const list of recorder.slowest.values()) list.sort((a, b) => b.durationMs - a.durationMs);
    return {
      index: this.index.finish(), slowest: recorder.slowest, samples: recorder.samples, traceIds: recorder.traceIds, exceptions: [...this.sites.values()],
      pathSuggestions: this.mapper.pathMappingSuggestions(), unresolved: this.mapper.unresolvedFolders(),
    };
  }
}

/**
 * Each exception at the first of its stack frames that is a workspace file (where the user's code threw),
 * counted once per trace. Causes that only refer to an exception recorded elsewhere (the Node SDK's `{ id }` on
 * the parents an error bubbles through) are skipped: the recording (sub)segment holds it.
 */
function addExceptionSites(sites: Map<string, ExceptionSite>, mapper: CodeMapper, segments: readonly SegmentDocument[]): void {
  const index = indexExceptions([...segments]);
  const seen = new Set<unknown>();
  walkDocuments(segments, ({ doc }) => {
    const cause = resolveCause(doc, index);
    if (!cause || cause.referenced) return;
    const outcome = classifyDocument(doc);
    for (const exception of cause.exceptions) {
      const id = exception.id ?? exception;
      if (seen.has(id) || !Array.isArray(exception.stack)) continue;
      seen.add(id);
      let at: { file: string; line: number } | undefined;
      for (const frame of exception.stack.slice(0, 64)) {
        at = mapper.resolveFrame(frame, cause.workingDirectory);
        if (at) break;
      }
      if (!at) continue;
      const type = typeof exception.type === 'string' && exception.type ? exception.type : 'Exception';
      const message = typeof exception.message === 'string' ? exception.message.slice(0, 500) : '';
      // One site per line and type: messages that carry request data (ids, SKUs) would each make their own.
      const key = JSON.stringify([at.file, at.line, type]);
      const when = typeof doc.end_time === 'number' ? doc.end_time : typeof doc.start_time === 'number' ? doc.start_time : 0;
      const site = sites.get(key);
      if (site) {
        site.count++;
        if (when >= site.lastSeen) [site.lastSeen, site.message] = [when, message];
        site.fault ||= outcome === 'fault';
      } else {
        sites.set(key, { file: at.file, line: at.line, type, message, count: 1, lastSeen: when, fault: outcome === 'fault' });
      }
    }
  });
}
