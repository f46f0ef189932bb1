// The latency index the lenses, hovers and X-Ray problems read: rebuilt (debounced, one build at a time) when the
// trace list changes, from the listed traces' full documents mapped onto the workspace's source files. Nothing
// runs until the first lens or hover request (start()): tree-sitter loads then, never in activate().
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ParsedCode } from '../../code/functionRanges';
import { toAbortSignal } from '../../platform/cancellation';
import { affectsSettings, readSettings } from '../../platform/config';
import { Disposable } from '../../platform/disposable';
import type { TimeWindow, TraceSummaryView } from '../../sources/traceSource';
import type { SegmentDocument } from '../../xray/model';
import { resolveTimeRange } from '../../xray/timeRange';
import type { TraceListModel } from '../traceTree/traceListModel';
import type { LatencyComparison } from '../../xray/latencyCompare';
import type { FolderBuilder, FolderIndex, LatencyEngine } from './latencyEngine';
import { loadLatencyEngineModule } from './loadLatencyEngine';

/** The files the mapping needs: sources of the parsed languages, and source maps of compiled JavaScript. */
const SOURCE_EXTENSIONS = ['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'py', 'java', 'go', 'cs', 'map'];
const SOURCE_GLOB = `**/*.{${SOURCE_EXTENSIONS.join(',')}}`;
const SOURCE_FILE = new RegExp(`\\.(${SOURCE_EXTENSIONS.join('|')})$`);
/** Folders that never hold the user's code (as the hotspots report skips them). */
const EXCLUDED_FOLDERS = ['node_modules', '.git', '.hg', '.svn', '.vscode-test', '__pycache__', '.venv', 'venv', 'target', 'bin', 'obj'];
const EXCLUDE_GLOB = `**/{${EXCLUDED_FOLDERS.join(',')}}/**`;
const MAX_FILES = 20_000;
/** Bigger files are listed (a frame may name them) but not parsed: generated bundles. */
const MAX_PARSED_BYTES = 1024 * 1024;
const MAX_SOURCE_MAP_BYTES = 16 * 1024 * 1024;
/**
 * The local collector answers from memory, so every listed trace is fetched. AWS bills each trace retrieved and
 * the source paces requests (`xrayLens.aws.maxRequestsPerSecond`; BatchGetTraces takes 5 ids): only the newest 100
 * listed traces are fetched there, 20 requests, about 4 s at the default pace, then only new or revised ones.
 */
const AWS_TRACE_CAP = 100;
const DEBOUNCE_MS = 750;
/**
 * On the local collector, a rebuild asked for during a build waits at least this many times as long as that
 * build took: under a flood of traces the index then takes a bounded share of the host's time (and of the
 * collector thread's, which answers its reads) instead of rebuilding back to back. On AWS a build mostly waits
 * for the paced requests, so there the usual debounce applies.
 */
const BUILD_COST_FACTOR = 4;
const MAX_REBUILD_DELAY_MS = 15_000;
/** A build that takes longer than this shows a progress item in the status bar. */
const PROGRESS_AFTER_MS = 1000;
const PARSED_DOCUMENTS_KEPT = 64;
/** The longest the index's work runs on the extension host before it yields (a CodeLens request waits about this much at most). */
const SLICE_MS = 5;

/** Compare Latency's "before": the lens compares the listed traces (after) with the traces of this window. */
export interface CompareWith {
  window: TimeWindow;
  /** How the user chose it: "the 15 min before", "before the last save of orderStore.js (12:04)". */
  label: string;
}

export interface LensSnapshot {
  /** By workspace folder URI (string). */
  folders: Map<string, FolderIndex>;
  /** Set while Compare Latency is on: the same folders mapped from the "before" window's traces. */
  before?: { folders: Map<string, FolderIndex>; label: string; traces: number; truncated: boolean };
  /** Comparisons worked out so far, by folder URI and entry key and statistic (a test takes milliseconds: once each). */
  compared?: Map<string, LatencyComparison>;
  traceIds: ReadonlySet<string>;
  summaries: ReadonlyMap<string, TraceSummaryView>;
  windowMinutes: number;
  /** Set when some listed traces could not be fetched because the source kept throttling: the numbers are from part of them. */
  incomplete?: string;
}

/** Where a document sits in the index: its folder's index and its folder-relative path. */
export interface DocumentPlace {
  folder: vscode.WorkspaceFolder;
  file: string;
  index: FolderIndex;
  snapshot: LensSnapshot;
}

export class LatencyIndexService extends Disposable {
  private started = false;
  private engine: Promise<LatencyEngine> | undefined;
  private _snapshot: LensSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private building: Promise<void> | undefined;
  private again = false;
  private lastKey = '';
  /** Bumped when files appear, change or go: the next build reads the workspace again. */
  private generation = 0;
  private readonly listings = new Map<string, string[]>();
  /** Bumped when the listings are dropped: a listing read while it changed is not kept (it may miss the new file). */
  private listingEpoch = 0;
  private readonly parsedFiles = new Map<string, { mtime: number; size: number; code: ParsedCode | undefined }>();
  private readonly parsedDocuments = new Map<string, { version: number; code: ParsedCode }>();
  /** The running build's: cancelled when the service goes, the lens is turned off, the source changes, or Cancel is pressed. */
  private buildCts: vscode.CancellationTokenSource | undefined;
  /** The source the running build fetches from. */
  private buildSource: string | undefined;
  private compareWith: CompareWith | undefined;

  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** The index was rebuilt (or dropped). */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly traces: TraceListModel,
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.buildCts?.cancel() });
    this._register({ dispose: () => clearTimeout(this.timer) });
    this._register({ dispose: () => void this.engine?.then((e) => e.dispose(), () => undefined) });
    this._register(traces.onDidChange(() => {
      // What is being fetched belongs to the previous source.
      if (this.buildCts && traces.state.sourceLabel !== this.buildSource) this.buildCts.cancel();
      this.schedule();
    }));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, 'lens.enabled') && !readSettings().lensEnabled) this.buildCts?.cancel();
        if (affectsSettings(e, 'lens.enabled', 'lens.pathMappings')) this.schedule(0);
      }),
    );
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.filesChanged(true)));
    // Every path, not only SOURCE_GLOB: a folder created (moved in) or deleted with its files reports only the
    // folder, and the files in it join or leave the workspace all the same.
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*'));
    this._register(watcher.onDidCreate((uri) => void this.created(uri)));
    this._register(watcher.onDidDelete((uri) => this.deleted(uri)));
    this._register(watcher.onDidChange((uri) => {
      if (this.isSource(uri)) this.filesChanged(false);
    }));
  }

  private filesChanged(listing: boolean): void {
    if (listing) {
      this.listings.clear();
      this.listingEpoch++;
    }
    this.generation++;
    this.schedule();
  }

  /** Where a watched path sits: its folder and folder-relative path; undefined outside the folders or in an excluded one. */
  private watched(uri: vscode.Uri): { folder: vscode.WorkspaceFolder; relative: string } | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && path.posix.relative(folder.uri.path, uri.path);
    return folder && relative && !relative.split('/').some((p) => EXCLUDED_FOLDERS.includes(p)) ? { folder, relative } : undefined;
  }

  private isSource(uri: vscode.Uri): boolean {
    return this.watched(uri) !== undefined && SOURCE_FILE.test(uri.path);
  }

  private async created(uri: vscode.Uri): Promise<void> {
    if (!this.watched(uri)) return;
    if (SOURCE_FILE.test(uri.path)) return this.filesChanged(true);
    try {
      // A folder may arrive with its files (moved in, checked out): their own events are not sent.
      if ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) this.filesChanged(true);
    } catch {
      // gone again
    }
  }

  private deleted(uri: vscode.Uri): void {
    const at = this.watched(uri);
    if (!at) return;
    if (SOURCE_FILE.test(uri.path)) return this.filesChanged(true);
    // A folder deleted with its files: one event, for the folder.
    const listing = this.listings.get(at.folder.uri.toString());
    if (listing?.some((f) => f.startsWith(`${at.relative}/`))) this.filesChanged(true);
  }

  get snapshot(): LensSnapshot | undefined {
    return this._snapshot;
  }

  get comparing(): CompareWith | undefined {
    return this.compareWith;
  }

  /** Compare the listed traces with another window's (undefined: stop comparing); the index is rebuilt. */
  setCompare(compare: CompareWith | undefined): void {
    this.compareWith = compare;
    this.start();
    this.schedule(0);
  }

  /** Whether a lens or hover request (or Compare Latency) has started the index: until then nothing is loaded. */
  get isStarted(): boolean {
    return this.started;
  }

  /** True while a build runs or is scheduled (tests wait for it to settle). */
  get busy(): boolean {
    return this.building !== undefined || this.timer !== undefined;
  }

  /** Called by the first lens or hover request: from then on the index follows the trace list. */
  start(): void {
    if (this.started || this.isDisposed) return;
    this.started = true;
    this.schedule(0);
  }

  /** The engine (tree-sitter and the grammars), loaded once. */
  loadEngine(): Promise<LatencyEngine> {
    this.engine ??= loadLatencyEngineModule().LatencyEngine.load(path.join(this.extensionPath, 'dist', 'tree-sitter'));
    return this.engine;
  }

  /** The entry's before/after while Compare Latency is on (undefined otherwise), worked out once per snapshot. */
  comparison(place: DocumentPlace, key: string, statistic: LatencyComparison['statistic']): LatencyComparison | undefined {
    const before = place.snapshot.before?.folders.get(place.folder.uri.toString());
    if (!before) return undefined;
    const id = `${place.folder.uri.toString()}\n${key}\n${statistic}`;
    const compared = (place.snapshot.compared ??= new Map());
    let result = compared.get(id);
    if (!result) {
      result = loadLatencyEngineModule().compareLatency(before.samples.get(key) ?? [], place.index.samples.get(key) ?? [], statistic);
      compared.set(id, result);
    }
    return result;
  }

  /** The document's folder index and relative path, when the index has entries or exceptions for it. */
  place(uri: vscode.Uri): DocumentPlace | undefined {
    const snapshot = this._snapshot;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const index = folder && snapshot?.folders.get(folder.uri.toString());
    if (!folder || !index || !snapshot) return undefined;
    const file = path.posix.relative(folder.uri.path, uri.path);
    return { folder, file, index, snapshot };
  }

  /** The document's functions as they are now (unsaved edits included), parsed once per version. */
  async parseDocument(document: vscode.TextDocument): Promise<ParsedCode | undefined> {
    const key = document.uri.toString();
    const cached = this.parsedDocuments.get(key);
    if (cached?.version === document.version) return cached.code;
    const engine = await this.loadEngine();
    const code = engine.parseFile(document.uri.path, document.getText());
    if (!code) return undefined;
    this.parsedDocuments.delete(key);
    this.parsedDocuments.set(key, { version: document.version, code });
    if (this.parsedDocuments.size > PARSED_DOCUMENTS_KEPT) this.parsedDocuments.delete(this.parsedDocuments.keys().next().value as string);
    return code;
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (!this.started || this.isDisposed) return;
    if (this.building) {
      this.again = true;
      return;
    }
    // A build already waiting reads the latest list when it starts: not postponed again, or a steady stream of
    // trace-list changes (live traffic) would keep the index from ever being built.
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = performance.now();
      this.building = this.buildWithProgress().finally(() => {
        this.building = undefined;
        if (this.again) {
          this.again = false;
          const cost = this.traces.state.sourceKind === 'aws' ? 0 : (performance.now() - started) * BUILD_COST_FACTOR;
          this.schedule(Math.min(MAX_REBUILD_DELAY_MS, Math.max(DEBOUNCE_MS, cost)));
        }
      });
    }, delay);
  }

  private async buildWithProgress(): Promise<void> {
    const cts = (this.buildCts = new vscode.CancellationTokenSource());
    this.buildSource = this.traces.state.sourceLabel;
    const build = this.build(cts.token).catch((err: unknown) => {
      if (!cts.token.isCancellationRequested) this.log.error(`Latency lens: building the index failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    const slow = setTimeout(() => {
      // AWS bills the traces fetched and paces the requests: there the fetch says so and can be cancelled.
      const aws = this.traces.state.sourceKind === 'aws';
      const location = aws ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
      const title = aws ? 'X-Ray: fetching traces for the latency lens' : 'X-Ray: mapping traces to code';
      void vscode.window.withProgress({ location, title, cancellable: aws }, (_progress, token) => {
        token.onCancellationRequested(() => cts.cancel());
        return build;
      });
    }, PROGRESS_AFTER_MS);
    try {
      await build;
    } finally {
      clearTimeout(slow);
      cts.dispose();
      if (this.buildCts === cts) this.buildCts = undefined;
    }
  }

  private async build(token: vscode.CancellationToken): Promise<void> {
    const settings = readSettings();
    const state = this.traces.state;
    if (!settings.lensEnabled) {
      this.lastKey = '';
      this.setSnapshot(undefined);
      return;
    }
    const listed = state.sourceKind === 'aws' ? state.summaries.slice(0, AWS_TRACE_CAP) : state.summaries;
    const compare = this.compareWith;
    const key = JSON.stringify([listed.map((s) => `${s.id}@${s.revision}`), settings.lensPathMappings, this.generation, state.sourceLabel, this.traces.sourceGeneration, compare?.window]);
    if (key === this.lastKey) return;
    const engine = await this.loadEngine();

    const { traces, incomplete } = await this.fetchAll(listed, token);
    if (token.isCancellationRequested) return;
    const builders: Array<[string, FolderBuilder]> = [];
    const beforeBuilders: Array<[string, FolderBuilder]> = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const files = await this.listFiles(folder);
      const code = await this.parseFiles(engine, folder, files, token);
      if (token.isCancellationRequested) return;
      const fileSet = new Set(files);
      const sourceMapOf = (file: string): string | undefined => {
        if (folder.uri.scheme !== 'file' || !fileSet.has(`${file}.map`)) return undefined;
        const full = path.join(folder.uri.fsPath, `${file}.map`);
        try {
          return fs.statSync(full).size <= MAX_SOURCE_MAP_BYTES ? fs.readFileSync(full, 'utf8') : undefined;
        } catch {
          return undefined;
        }
      };
      const input = { files, code, pathMappings: settings.lensPathMappings, sourceMapOf };
      builders.push([folder.uri.toString(), engine.folderBuilder(input)]);
      if (compare) beforeBuilders.push([folder.uri.toString(), engine.folderBuilder(input)]);
    }
    // Thousands of traces take a few hundred ms to map: in slices, so lenses, hovers and other extensions are
    // answered meanwhile (bench/codeLensFlood.bench.mjs measured 245 ms in one task during a flood).
    if (!(await this.mapInSlices(engine, traces, builders, token))) return;
    const folders = new Map<string, FolderIndex>(builders.map(([uri, builder]) => [uri, builder.finish()]));
    let before: LensSnapshot['before'];
    if (compare) {
      // The same cap as the list's own traces (AWS bills each one); the list's filter applies to both windows.
      const cap = state.sourceKind === 'aws' ? AWS_TRACE_CAP : settings.tracesMaxShown;
      try {
        const earlier = await this.traces.summariesIn(compare.window, cap, toAbortSignal(token));
        const fetched = await this.fetchAll(earlier.summaries, token);
        if (token.isCancellationRequested) return;
        if (!(await this.mapInSlices(engine, fetched.traces, beforeBuilders, token))) return;
        before = { folders: new Map(beforeBuilders.map(([uri, builder]) => [uri, builder.finish()])), label: compare.label, traces: fetched.traces.length, truncated: earlier.truncated };
      } catch (err) {
        if (token.isCancellationRequested) return;
        // The lenses go on with the listed traces alone; the user hears why the comparison is missing.
        const message = `Compare Latency: the traces ${compare.label} could not be read: ${err instanceof Error ? err.message : String(err)}`;
        this.log.error(message);
        void vscode.window.showErrorMessage(`X-Ray: ${message}`);
      }
    }
    const window = resolveTimeRange(this.traces.query.range, Date.now());
    // A partial build is not remembered as done: the next change of the list builds again and fetches what is missing.
    this.lastKey = incomplete ? '' : key;
    this.setSnapshot({
      folders,
      traceIds: new Set(traces.map((t) => t.id)),
      summaries: new Map(listed.map((s) => [s.id, s])),
      windowMinutes: Math.max(1, (Math.min(window.endTime, Date.now() / 1000) - window.startTime) / 60),
      ...(incomplete ? { incomplete } : {}),
      ...(before ? { before } : {}),
    });
  }

  /** Each trace into each folder's builder, yielding every SLICE_MS; false when cancelled meanwhile. */
  private async mapInSlices(engine: LatencyEngine, traces: Array<{ id: string; segments: SegmentDocument[] }>, builders: Array<[string, FolderBuilder]>, token: vscode.CancellationToken): Promise<boolean> {
    let slice = performance.now();
    for (const trace of traces) {
      const segments = engine.assemble(trace);
      for (const [, builder] of builders) builder.add(segments);
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        if (token.isCancellationRequested) return false;
        slice = performance.now();
      }
    }
    return true;
  }

  private setSnapshot(snapshot: LensSnapshot | undefined): void {
    if (!snapshot && !this._snapshot) return;
    this._snapshot = snapshot;
    this._onDidChange.fire();
  }

  /** Full traces through the trace list (cached by revision there, so a rebuild fetches only new ones), asked for in batches. */
  private async fetchAll(
    summaries: readonly TraceSummaryView[],
    token: vscode.CancellationToken,
  ): Promise<{ traces: Array<{ id: string; segments: SegmentDocument[] }>; incomplete?: string }> {
    const { traces, failed, incomplete } = await this.traces.getTraces(summaries, toAbortSignal(token));
    // The list logs the reasons; these traces are left out of this build.
    if (failed > 0 && !token.isCancellationRequested) this.log.warn(`Latency lens: ${failed} of ${summaries.length} traces could not be fetched; left out of the numbers.`);
    // A list that stopped early (throttled) makes the numbers partial as much as traces that were not fetched.
    const partial = incomplete ?? this.traces.state.incomplete;
    return { traces: traces.map((t) => ({ id: t.id, segments: t.segments })), ...(partial ? { incomplete: partial } : {}) };
  }

  private async listFiles(folder: vscode.WorkspaceFolder): Promise<string[]> {
    const cached = this.listings.get(folder.uri.toString());
    if (cached) return cached;
    const epoch = this.listingEpoch;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, SOURCE_GLOB), EXCLUDE_GLOB, MAX_FILES);
    if (uris.length >= MAX_FILES) this.log.warn(`Latency lens: ${folder.name} has more than ${MAX_FILES} source files; only the first are mapped.`);
    const files = uris.map((u) => path.posix.relative(folder.uri.path, u.path)).sort();
    // Files that appeared while findFiles ran may be missing from its answer: this build uses it, the next reads again.
    if (epoch === this.listingEpoch) this.listings.set(folder.uri.toString(), files);
    // Parses of files that are gone are dropped with the listing that no longer has them.
    const listed = new Set(files.map((f) => vscode.Uri.joinPath(folder.uri, f).toString()));
    const prefix = `${folder.uri.toString()}/`;
    for (const key of this.parsedFiles.keys()) if (key.startsWith(prefix) && !listed.has(key)) this.parsedFiles.delete(key);
    return files;
  }

  /** Parses the folder's source files, again only when a file's mtime or size changed; yields to the host between files. */
  private async parseFiles(engine: LatencyEngine, folder: vscode.WorkspaceFolder, files: readonly string[], token: vscode.CancellationToken): Promise<Map<string, ParsedCode>> {
    const code = new Map<string, ParsedCode>();
    let slice = performance.now();
    for (const file of files) {
      if (token.isCancellationRequested) break;
      if (file.endsWith('.map')) continue;
      const uri = vscode.Uri.joinPath(folder.uri, file);
      const key = uri.toString();
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        let entry = this.parsedFiles.get(key);
        if (!entry || entry.mtime !== stat.mtime || entry.size !== stat.size) {
          const text = stat.size <= MAX_PARSED_BYTES ? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) : undefined;
          entry = { mtime: stat.mtime, size: stat.size, code: text === undefined ? undefined : engine.parseFile(file, text) };
          this.parsedFiles.set(key, entry);
        }
        if (entry.code) code.set(file, entry.code);
      } catch {
        this.parsedFiles.delete(key); // gone meanwhile
      }
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    return code;
  }
}
