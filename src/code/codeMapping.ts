// Mapping trace data to code: which function of the workspace each (sub)segment stands for, with the evidence
// that says so — (a) exception stack frames, (b) the name given at a tracing call site, (c) the name a function
// is traced under, (d) OpenTelemetry `code.*` attributes. Two candidates that path evidence cannot separate
// make the result ambiguous (with both), never a silent pick. Pure: the caller passes the workspace's file
// list, the parsed files and a way to read a .js file's source map.
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import * as path from 'path';
import { indexExceptions, resolveCause, type ExceptionIndex } from '../xray/cause';
import type { SegmentDocument, StackFrame } from '../xray/model';
import { walkDocuments } from '../xray/segmentTree';
import { isUserFrame } from '../xray/stackFrame';
import type { CallSite, FunctionRange, ParsedCode } from './functionRanges';

/** a: stack frames; b: call-site name; c: function name; d: code.* attributes. */
export type Evidence = 'a' | 'b' | 'c' | 'd';

export interface PathMapping {
  /** Where the code ran, e.g. `/var/task` or `/app`. */
  from: string;
  /** The workspace-relative folder it is, e.g. `.` or `services/api`. */
  to: string;
}

export interface CodeMappingInput {
  /** Every file of the workspace, relative, `/`-separated (source maps and compiled output included). */
  files: readonly string[];
  /** The parsed source files, by the same relative path. */
  code: ReadonlyMap<string, ParsedCode>;
  pathMappings?: readonly PathMapping[];
  /** The source map (JSON text) of a workspace .js file, or undefined when it has none. */
  sourceMapOf?: (file: string) => string | undefined;
}

export interface CodeLocation {
  file: string;
  /** 0-based. */
  line: number;
}

export interface FunctionRef {
  /** `file#name@startLine`: stable while the file does not change. */
  key: string;
  file: string;
  fn: FunctionRange;
}

export interface CodeMatch extends FunctionRef {
  evidence: Evidence[];
  /** 0-based line of the tracing call the name came from (b). */
  callSiteLine?: number;
}

/** Matches may be shared between documents: treat them as read-only. */
export interface DocumentMapping {
  doc: SegmentDocument;
  /** The (sub)segment this one is embedded in. */
  parent: SegmentDocument | undefined;
  /** The segment (service) document the walk started from: the request whose time the statistics share. */
  segment: SegmentDocument;
  match?: CodeMatch;
  /** Set instead of `match` when several functions fit and path evidence does not decide. */
  ambiguous?: CodeMatch[];
}

interface Candidate {
  ref: FunctionRef;
  evidence: 'b' | 'c';
  callSiteLine?: number;
  /** The match this candidate gives without path evidence, made once. */
  nameOnly?: CodeMatch;
}

/** Remote calls and AWS calls are downstream services, not functions of this code. */
const DOWNSTREAM_NAMESPACES = new Set(['remote', 'aws']);

export class CodeMapper {
  private readonly files: Set<string>;
  private readonly byBaseName = new Map<string, string[]>();
  private readonly callSiteNames = new Map<string, Candidate[]>();
  private readonly functionNames = new Map<string, Candidate[]>();
  /** Bare function name → functions, for ES-module frames that keep only their label. */
  private readonly byLabel = new Map<string, FunctionRef[]>();
  private readonly sourceMaps = new Map<string, TraceMap | undefined>();
  /** JSON [from, to] → frames resolved by their trailing path alone under `from`. */
  private readonly suffixMatches = new Map<string, number>();
  /** Absolute paths in frames that are no workspace file (dependencies left out), by folder. */
  private readonly unresolvedFiles = new Map<string, Set<string>>();

  constructor(private readonly input: CodeMappingInput) {
    this.files = new Set(input.files);
    for (const file of input.files) push(this.byBaseName, file.slice(file.lastIndexOf('/') + 1), file);
    const wrapping: Array<{ call: CallSite; file: string; owner?: FunctionRef }> = [];
    const helpers = tracingHelpers(input);
    for (const [file, parsed] of input.code) {
      // Compiled output beside its source map (dist/app.js + dist/app.js.map) repeats the sources' call sites: its
      // frames are mapped to the sources instead, so it is never a candidate of its own.
      if (/\.[cm]?js$/.test(file) && this.files.has(`${file}.map`)) continue;
      for (const fn of parsed.functions) {
        const ref: FunctionRef = { key: `${file}#${fn.name}@${fn.startLine}`, file, fn };
        // withSpan('charge', () => …) where withSpan is the code's own tracing helper is a tracing call like any other.
        const helperCalls = (fn.namedCalls ?? []).filter((c) => helpers.get(c.api)?.has(c.argument));
        for (const call of [...fn.callSites, ...helperCalls]) {
          if (call.wraps) wrapping.push({ call, file, owner: ref });
          else push(this.callSiteNames, call.name, { ref, evidence: 'b', callSiteLine: call.line });
        }
        // An anonymous function's name is ours, not the code's: nothing is traced under it.
        const names = new Set([...(fn.anonymous ? [] : [fn.name]), ...fn.tracedAs]);
        for (const name of names) push(this.functionNames, name, { ref, evidence: 'c' });
        if (!fn.anonymous) push(this.byLabel, bareName(fn.name), ref);
      }
      // A wrapping call at the top of a module (`captureFunc('boot', () => boot())`) has a function only through what it wraps.
      for (const call of parsed.topLevelCallSites) if (call.wraps) wrapping.push({ call, file });
    }
    // The wrapper pattern, once every function is known: the time is the wrapped function's.
    for (const { call, file, owner } of wrapping) {
      // applyConfig() { return captureFunc('applyConfig', () => parseConfig(raw)) }: named after the function it is in.
      const ownName = owner && !owner.fn.anonymous && bareName(owner.fn.name) === call.name;
      const wrapped = ownName ? undefined : this.wrappedFunction(call.wraps as string, file);
      if (wrapped) push(this.callSiteNames, call.name, { ref: wrapped, evidence: 'b' });
      else if (owner) push(this.callSiteNames, call.name, { ref: owner, evidence: 'b', callSiteLine: call.line });
    }
  }

  /**
   * The function a wrapping call's callback calls (`captureFunc('discount', () => computeDiscount(order))`): the
   * one of that name in the call's own file, else the only one in the workspace; else the call stays its own.
   */
  private wrappedFunction(name: string, file: string): FunctionRef | undefined {
    const refs = this.byLabel.get(name) ?? [];
    const local = refs.filter((r) => r.file === file);
    if (local.length === 1) return local[0];
    return local.length === 0 && refs.length === 1 ? refs[0] : undefined;
  }

  /** Every (sub)segment of one assembled trace with the function it maps to, if any. */
  mapTrace(segments: readonly SegmentDocument[]): DocumentMapping[] {
    const exceptions = indexExceptions([...segments]);
    const out: DocumentMapping[] = [];
    for (const segment of segments) {
      // Frames anywhere in this service's segment: weaker path evidence than the document's own.
      const segmentFiles = new Set<string>();
      const ownFrames = new Map<SegmentDocument, CodeLocation[]>();
      walkDocuments([segment], ({ doc }) => {
        const frames = this.framesOf(doc, exceptions);
        if (frames.length > 0) ownFrames.set(doc, frames);
        for (const f of frames) segmentFiles.add(f.file);
      });
      const below = framesBelow(segment, ownFrames);
      walkDocuments([segment], ({ doc, parent }) => {
        out.push({ doc, parent, segment, ...this.mapDocument(doc, parent === undefined, below.get(doc) ?? [], segmentFiles) });
      });
    }
    return out;
  }

  private mapDocument(doc: SegmentDocument, isSegment: boolean, frames: CodeLocation[], segmentFiles: Set<string>): Pick<DocumentMapping, 'match' | 'ambiguous'> {
    const byCode = this.fromCodeAttributes(doc);
    const name = typeof doc.name === 'string' ? doc.name : '';
    // A downstream call is a function of this code only when a tracing call here gave it its name: a database
    // wrapper's captureAsyncFunc('orders-db', (sub) => { sub.namespace = 'remote'; … }). The SDKs' own records of
    // an HTTP or AWS call (http.request.url, aws) are the peer's, whatever they are named.
    const downstream = isSegment || DOWNSTREAM_NAMESPACES.has(String(doc.namespace));
    const recordedCall = downstream && !isSegment && (typeof doc.http?.request?.url === 'string' || (typeof doc.aws === 'object' && doc.aws !== null));
    // OpenTelemetry's exporter names a database span `<db>@<host>` and keeps the span's own name as sql.url.
    const sqlUrl = downstream && typeof doc.sql?.url === 'string' ? doc.sql.url : undefined;
    const named = isSegment || recordedCall ? [] : (this.callSiteNames.get(name) ?? (sqlUrl ? this.callSiteNames.get(sqlUrl) : undefined) ?? []);
    const candidates = named.length > 0 ? named : downstream ? [] : (this.functionNames.get(name) ?? []);

    if (byCode) {
      const evidence = new Set<Evidence>(['d']);
      const same = candidates.find((c) => c.ref.key === byCode.key);
      if (same) evidence.add(same.evidence);
      if (frames.some((f) => inside(byCode, f))) evidence.add('a');
      return { match: { ...byCode, evidence: order(evidence), callSiteLine: same?.callSiteLine } };
    }
    const unique = dedupe(candidates);
    if (unique.length === 0) return {};
    const asMatch = (c: Candidate, viaFrames: boolean): CodeMatch => {
      if (viaFrames || frames.some((f) => inside(c.ref, f))) {
        return { ...c.ref, evidence: order(new Set<Evidence>([c.evidence, 'a'])), callSiteLine: c.callSiteLine };
      }
      // The common case (a healthy subsegment, no frames): one shared, read-only match per candidate.
      c.nameOnly ??= { ...c.ref, evidence: [c.evidence], callSiteLine: c.callSiteLine };
      return c.nameOnly;
    };
    if (unique.length === 1) return { match: asMatch(unique[0], false) };

    // Several functions trace under this name: the document's own frames decide (a line inside the function,
    // else the file), then the files the rest of its segment's frames went through.
    const tiers: Array<(c: Candidate) => boolean> = [
      (c) => frames.some((f) => inside(c.ref, f)),
      (c) => frames.some((f) => f.file === c.ref.file),
      (c) => segmentFiles.has(c.ref.file),
    ];
    for (const tier of tiers) {
      const left = unique.filter(tier);
      if (left.length === 1) return { match: asMatch(left[0], true) };
      if (left.length > 1) return { ambiguous: left.map((c) => asMatch(c, false)) };
    }
    return { ambiguous: unique.map((c) => asMatch(c, false)) };
  }

  /** The user frames of a document's own exceptions, as workspace locations (node internals, node_modules skipped). */
  framesOf(doc: SegmentDocument, exceptions: ExceptionIndex): CodeLocation[] {
    const cause = resolveCause(doc, exceptions);
    if (!cause || cause.exceptions.length === 0) return [];
    const out: CodeLocation[] = [];
    for (const exception of cause.exceptions) {
      if (!Array.isArray(exception.stack)) continue;
      for (const frame of exception.stack.slice(0, 64)) {
        const location = this.resolveFrame(frame, cause.workingDirectory);
        if (location) out.push(location);
      }
    }
    return out;
  }

  /** A stack frame as a workspace location (0-based line), through path mappings, working_directory, the longest suffix and source maps. */
  resolveFrame(frame: StackFrame, workingDirectory?: string): CodeLocation | undefined {
    if (typeof frame !== 'object' || frame === null) return undefined;
    // An ES module's file:///… URL arrives cut to "file" (the SDK splits the frame on ':'); its label names the function.
    if (frame.path === 'file' && typeof frame.label === 'string') {
      const refs = this.byLabel.get(bareName(frame.label.replace(/^async /, ''))) ?? [];
      return refs.length === 1 ? { file: refs[0].file, line: refs[0].fn.nameLine } : undefined;
    }
    if (!isUserFrame(frame) || typeof frame.line !== 'number' || !Number.isInteger(frame.line) || frame.line < 1) return undefined;
    const file = this.resolvePath(frame.path as string, workingDirectory);
    if (!file) return undefined;
    return this.throughSourceMap(file, frame.line - 1) ?? { file, line: frame.line - 1 };
  }

  /** The workspace file a path recorded elsewhere stands for. */
  resolvePath(recorded: string, workingDirectory?: string): string | undefined {
    const p = recorded.replace(/\\/g, '/').replace(/^file:\/\//, '');
    for (const mapping of this.input.pathMappings ?? []) {
      const from = mapping.from.replace(/\\/g, '/').replace(/\/+$/, '');
      if (p.startsWith(`${from}/`)) {
        const candidate = path.posix.normalize(path.posix.join(mapping.to, p.slice(from.length + 1)));
        if (this.files.has(candidate)) return candidate;
      }
    }
    if (typeof workingDirectory === 'string' && workingDirectory !== '') {
      const wd = workingDirectory.replace(/\\/g, '/').replace(/\/+$/, '');
      if (p.startsWith(`${wd}/`) && this.files.has(p.slice(wd.length + 1))) return p.slice(wd.length + 1);
    }
    const found = this.longestSuffix(p);
    if (found && p.startsWith('/')) this.noteSuffixMatch(p, found);
    if (!found && (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) && !/\/node_modules\/|\/site-packages\/|\/dist-packages\/|\/lib\/python\d/.test(p)) this.noteUnresolved(p);
    return found;
  }

  /**
   * Where frames resolved only by their trailing path ran, as path mappings that would say so (`/var/task` → `.`),
   * with how many frames each stands for, most first: the user can set one where a file name alone is not enough.
   */
  pathMappingSuggestions(): Array<PathMapping & { frames: number }> {
    return [...this.suffixMatches.entries()]
      .map(([key, frames]) => {
        const [from, to] = JSON.parse(key) as [string, string];
        return { from, to, frames };
      })
      .sort((a, b) => b.frames - a.frames || a.from.localeCompare(b.from));
  }

  /**
   * Folders whose code the traces ran but the workspace does not hold (no file of that name anywhere in it), with how
   * many distinct files of each the frames name, most first: "why no data?" names them (a folder to open, or a mapping).
   */
  unresolvedFolders(): Array<{ folder: string; files: number; example: string }> {
    return [...this.unresolvedFiles.entries()]
      .map(([folder, files]) => ({ folder, files: files.size, example: files.values().next().value as string }))
      .sort((a, b) => b.files - a.files || a.folder.localeCompare(b.folder));
  }

  private noteUnresolved(recorded: string): void {
    const folder = recorded.slice(0, recorded.lastIndexOf('/')) || '/';
    const files = this.unresolvedFiles.get(folder);
    if (files) {
      if (files.size < 1000) files.add(recorded);
    } else if (this.unresolvedFiles.size < 1000) this.unresolvedFiles.set(folder, new Set([recorded]));
  }

  private noteSuffixMatch(recorded: string, file: string): void {
    const r = recorded.split('/');
    const w = file.split('/');
    let n = 0;
    while (n < r.length && n < w.length && r[r.length - 1 - n] === w[w.length - 1 - n]) n++;
    const from = r.slice(0, r.length - n).join('/') || '/';
    const to = w.slice(0, w.length - n).join('/') || '.';
    const key = JSON.stringify([from, to]);
    this.suffixMatches.set(key, (this.suffixMatches.get(key) ?? 0) + 1);
  }

  /** The workspace file sharing the most trailing path segments with `p` (at least the file name); none on a tie. */
  private longestSuffix(p: string): string | undefined {
    const segments = p.split('/').filter((s) => s !== '' && s !== '.');
    const base = segments[segments.length - 1];
    const files = base ? this.byBaseName.get(base) : undefined;
    if (!files) return undefined;
    let best: string | undefined;
    let bestLength = 0;
    let tie = false;
    for (const file of files) {
      const parts = file.split('/');
      let n = 0;
      while (n < parts.length && n < segments.length && parts[parts.length - 1 - n] === segments[segments.length - 1 - n]) n++;
      if (n > bestLength) [best, bestLength, tie] = [file, n, false];
      else if (n === bestLength) tie = true;
    }
    return tie ? undefined : best;
  }

  /** A compiled .js location mapped to its TypeScript source through the file's source map, when it has one. */
  private throughSourceMap(file: string, line: number): CodeLocation | undefined {
    if (!/\.[cm]?js$/.test(file) || !this.input.sourceMapOf) return undefined;
    if (!this.sourceMaps.has(file)) {
      let map: TraceMap | undefined;
      try {
        const text = this.input.sourceMapOf(file);
        map = text ? new TraceMap(text, file) : undefined;
      } catch {
        map = undefined; // not a source map: the frame stays on the .js file
      }
      this.sourceMaps.set(file, map);
    }
    const map = this.sourceMaps.get(file);
    if (!map) return undefined;
    // X-Ray frames have no column: the first mapping on the line.
    const at = originalPositionFor(map, { line: line + 1, column: 0, bias: LEAST_UPPER_BOUND });
    const pos = at.source ? at : originalPositionFor(map, { line: line + 1, column: 0, bias: GREATEST_LOWER_BOUND });
    if (!pos.source || pos.line === null) return undefined;
    const source = path.posix.normalize(pos.source.replace(/^file:\/\//, ''));
    const relative = this.files.has(source) ? source : this.longestSuffix(source);
    return relative ? { file: relative, line: pos.line - 1 } : undefined;
  }

  /** (d) `code.*` from attributes (metadata.default, as the converter keeps them) or annotations (`code_filepath`). */
  private fromCodeAttributes(doc: SegmentDocument): FunctionRef | undefined {
    const meta = doc.metadata?.default;
    const read = (...keys: string[]): unknown => {
      for (const key of keys) {
        const fromMeta = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)[key] : undefined;
        if (fromMeta !== undefined) return fromMeta;
        const fromAnnotation = doc.annotations?.[key.replace(/\./g, '_')];
        if (fromAnnotation !== undefined) return fromAnnotation;
      }
      return undefined;
    };
    const filePath = read('code.file.path', 'code.filepath');
    if (typeof filePath !== 'string' || filePath === '') return undefined;
    const file = this.resolvePath(filePath);
    const parsed = file ? this.input.code.get(file) : undefined;
    if (!file || !parsed) return undefined;
    const fnName = read('code.function.name', 'code.function');
    const namespace = read('code.namespace');
    const wanted = typeof fnName === 'string' && typeof namespace === 'string' && namespace !== '' && !fnName.includes('.') ? `${namespace}.${fnName}` : fnName;
    const named = (f: FunctionRange) => typeof fnName !== 'string' || f.name === wanted || f.name === fnName || bareName(f.name) === fnName;
    const lineValue = Number(read('code.line.number', 'code.lineno'));
    if (Number.isInteger(lineValue) && lineValue >= 1) {
      // A line recorded before code was added above the function points elsewhere now: the function at that
      // line counts only when it has the recorded name (or no name was recorded); else the name decides.
      const fn = innermost(parsed.functions, lineValue - 1);
      if (fn && named(fn)) return { key: `${file}#${fn.name}@${fn.startLine}`, file, fn };
    }
    if (typeof fnName !== 'string') return undefined;
    const found = parsed.functions.filter(named);
    return found.length === 1 ? { key: `${file}#${found[0].name}@${found[0].startLine}`, file, fn: found[0] } : undefined;
  }
}

/** The workspace's own tracing helpers: function name → the positions of the argument that names the span. */
function tracingHelpers(input: CodeMappingInput): Map<string, Set<number>> {
  const helpers = new Map<string, Set<number>>();
  for (const parsed of input.code.values()) {
    for (const fn of parsed.functions) {
      if (fn.spanNameParameter === undefined || fn.anonymous) continue;
      const name = bareName(fn.name);
      helpers.set(name, (helpers.get(name) ?? new Set()).add(fn.spanNameParameter));
    }
  }
  return helpers;
}

/** Each document's own frames plus those of the subsegments below it (an exception bubbling up passes through them). */
function framesBelow(segment: SegmentDocument, own: Map<SegmentDocument, CodeLocation[]>): Map<SegmentDocument, CodeLocation[]> {
  const result = new Map<SegmentDocument, CodeLocation[]>();
  if (own.size === 0) return result;
  const order: Array<{ doc: SegmentDocument; parent: SegmentDocument | undefined }> = [];
  walkDocuments([segment], ({ doc, parent }) => order.push({ doc, parent }));
  for (let i = order.length - 1; i >= 0; i--) {
    const { doc, parent } = order[i];
    const mine = [...(own.get(doc) ?? []), ...(result.get(doc) ?? [])];
    if (mine.length === 0) continue;
    result.set(doc, mine.slice(0, 256));
    if (parent) result.set(parent, [...(result.get(parent) ?? []), ...mine].slice(0, 256));
  }
  return result;
}

/** The innermost function whose lines hold `line`. */
export function innermost(functions: readonly FunctionRange[], line: number): FunctionRange | undefined {
  let best: FunctionRange | undefined;
  for (const fn of functions) {
    if (fn.startLine <= line && line <= fn.endLine && (!best || fn.startLine >= best.startLine)) best = fn;
  }
  return best;
}

function inside(ref: FunctionRef, location: CodeLocation): boolean {
  return location.file === ref.file && ref.fn.startLine <= location.line && location.line <= ref.fn.endLine;
}

function bareName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function dedupe(candidates: Candidate[]): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const c of candidates) if (!seen.has(c.ref.key)) seen.set(c.ref.key, c);
  return [...seen.values()];
}

function order(evidence: Set<Evidence>): Evidence[] {
  return [...evidence].sort();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
