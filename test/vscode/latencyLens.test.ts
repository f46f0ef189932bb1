// Latency lenses, hovers and X-Ray problems in a real VS Code: the sample app (real aws-xray-sdk-core) sends to
// the extension's collector; the lenses above samples/' functions carry the numbers computed here from the raw
// segment documents the source returns, the hover shows them with the slowest traces, and the /crash
// exception is in Problems at the line that threw it.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import * as vscode from 'vscode';
import { entryLine } from '../../src/code/latencyIndex';
import type { XrayLensApi } from '../../src/extension';
import type { TraceRestriction } from '../../src/features/traceTree/traceListModel';
import { TIMELINE_VIEW_TYPE } from '../../src/protocol/timelineMessages';
import { classifyDocument } from '../../src/xray/classification';
import { formatLensText, nearestRank, type LatencyStats } from '../../src/xray/latencyStats';
import type { SegmentDocument, StackFrame } from '../../src/xray/model';
import { walkDocuments } from '../../src/xray/segmentTree';
import { activateWithCollector, collectorAddress, EXTENSION_ID, request, startSampleApp, waitFor, type SampleApp } from './sampleApp';

const SHOW_THROUGH = 'xrayLens.lens.showTracesThrough';

interface Expected {
  file: string;
  /** 0-based line of `function <name>`. */
  line: number;
  stats: LatencyStats;
  slowestTraceId: string;
}

/** The functions of samples/ the sample app's requests go through, each with the subsegment name its tracing call gives. */
const TRACED = [
  { file: 'frontend/lib/orderStore.js', fn: 'loadOrder' },
  { file: 'frontend/routes/orders.js', fn: 'formatOrder' },
  { file: 'frontend/routes/orders.js', fn: 'checkout' },
  { file: 'inventory/stock.js', fn: 'lookupStock' },
];

function workspaceUri(file: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, file);
}

/** The lenses VS Code asks the providers for (the document must be open: the command reads its model). */
async function lensesOf(file: string): Promise<vscode.CodeLens[]> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(file));
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
}

async function lineOf(file: string, text: string): Promise<number> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(file));
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.includes(text)) return i;
  throw new Error(`"${text}" is not in ${file}`);
}

suite('latency lens with the sample app in a real VS Code', () => {
  let api: XrayLensApi;
  let app: SampleApp;
  const config = () => vscode.workspace.getConfiguration('xrayLens');

  suiteSetup(async function () {
    this.timeout(60000);
    api = await activateWithCollector();
    // Every mapped function gets a lens, so that each can be compared with the raw documents.
    await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', 0, vscode.ConfigurationTarget.Global);
    app = await startSampleApp({ env: { INVENTORY_FAULT_EVERY: '0' } });
    for (let i = 1; i <= 12; i++) assert.strictEqual(await request(`${app.frontendUrl}/orders/${i}`), 200);
    for (let i = 0; i < 3; i++) assert.strictEqual(await request(`${app.frontendUrl}/checkout`, 'POST', JSON.stringify({ orderId: 7 + i, quantity: 1 })), 201);
    for (let i = 0; i < 2; i++) assert.strictEqual(await request(`${app.frontendUrl}/crash`), 500);
  });

  suiteTeardown(async () => {
    await app?.stop();
    await config().update('lens.thresholdMs', undefined, vscode.ConfigurationTarget.Global);
    await config().update('lens.topN', undefined, vscode.ConfigurationTarget.Global);
  });

  /** The raw documents of every listed trace, as the source returns them (not through the lens's index). */
  async function rawTraces(): Promise<Map<string, SegmentDocument[]>> {
    const out = new Map<string, SegmentDocument[]>();
    for (const summary of api.traces.state.summaries) {
      const trace = await api.traces.fetchTrace(summary.id);
      if (trace) out.set(trace.id, trace.segments);
    }
    return out;
  }

  /** Count, percentiles and failures of the subsegments named `name`, each counted once by id. */
  function expectedFor(raw: Map<string, SegmentDocument[]>, name: string): Omit<Expected, 'file' | 'line'> | undefined {
    const durations: number[] = [];
    const outcomes = { fault: 0, error: 0, throttle: 0 };
    let slowest = { ms: -1, traceId: '' };
    for (const [traceId, segments] of raw) {
      const seen = new Set<string>();
      walkDocuments(segments, ({ doc }) => {
        if (doc.name !== name || seen.has(doc.id) || typeof doc.end_time !== 'number' || doc.in_progress) return;
        seen.add(doc.id);
        const ms = (doc.end_time - doc.start_time) * 1000;
        durations.push(ms);
        if (ms > slowest.ms) slowest = { ms, traceId };
        const outcome = classifyDocument(doc);
        if (outcome !== 'ok') outcomes[outcome]++;
      });
    }
    if (durations.length === 0) return undefined;
    const avg = durations.reduce((a, b) => a + b, 0) / durations.length;
    durations.sort((a, b) => a - b);
    const stats: LatencyStats = {
      count: durations.length, p50: nearestRank(durations, 0.5), p95: nearestRank(durations, 0.95), p99: nearestRank(durations, 0.99), avg,
      faults: outcomes.fault, errors: outcomes.error + outcomes.throttle, throttles: outcomes.throttle, exact: true,
    };
    return { stats, slowestTraceId: slowest.traceId };
  }

  /** Waits until the index holds exactly the listed traces, nothing is being rebuilt, and returns the raw documents. */
  async function settled(): Promise<Map<string, SegmentDocument[]>> {
    const service = api.latencyLens.service;
    // A lens request starts the index (tree-sitter loads on the first one).
    await lensesOf(TRACED[0].file);
    return waitFor('the latency index to cover the listed traces', async () => {
      const listed = api.traces.state.summaries.map((s) => s.id);
      const indexed = service.snapshot?.traceIds;
      if (api.traces.state.loading || service.busy || !indexed || indexed.size !== listed.length || !listed.every((id) => indexed.has(id))) return undefined;
      const raw = await rawTraces();
      const stillSame = api.traces.state.summaries.length === listed.length && !service.busy;
      return stillSame ? raw : undefined;
    }, 45000);
  }

  test('tree-sitter and the mapping load on the first lens request, not at activation', async () => {
    const engineLoaded = () => Object.keys(require.cache).some((file) => /[\\/]dist[\\/]latencyEngine\.js$/.test(file));
    // No editor of a traced language was shown before this suite, so nothing has asked for a lens yet.
    assert.strictEqual(engineLoaded(), false, 'dist/latencyEngine.js was loaded before any lens request');
    await lensesOf(TRACED[0].file);
    await waitFor('the engine to load', engineLoaded);
  });

  test('lenses sit above the traced functions with the numbers of the raw segments', async function () {
    this.timeout(90000);
    let mismatch = '';
    await waitFor('lenses equal to the raw numbers', async () => {
      const raw = await settled();
      const windowMinutes = api.latencyLens.service.snapshot!.windowMinutes;
      mismatch = '';
      for (const { file, fn } of TRACED) {
        const expected = expectedFor(raw, fn);
        assert.ok(expected, `no ${fn} subsegments in the listed traces`);
        const line = await lineOf(file, `function ${fn}(`);
        const lenses = await lensesOf(file);
        const ours = lenses.filter((l) => l.command?.command === SHOW_THROUGH);
        const lens = ours.find((l) => l.range.start.line === line);
        const want = formatLensText(expected.stats, windowMinutes);
        if (lens?.command?.title !== want) mismatch += `\n${file}:${line + 1} ${fn}: lens "${lens?.command?.title}" ≠ "${want}" (lenses at ${ours.map((l) => l.range.start.line + 1).join(', ')})`;
      }
      return mismatch === '' ? true : undefined;
    }, 60000).catch((err: Error) => {
      throw new Error(`${err.message}${mismatch}`);
    });
    // No lens above a function no trace goes through.
    const orders = await lensesOf('frontend/routes/orders.js');
    const getOrderLine = await lineOf('frontend/routes/orders.js', 'async function getOrder(');
    assert.ok(!orders.some((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === getOrderLine), 'getOrder has no subsegment of its own');
  });

  test('a threshold above a function\'s statistic hides its lens', async function () {
    this.timeout(30000);
    const raw = await settled();
    const loadOrder = expectedFor(raw, 'loadOrder')!;
    const line = await lineOf('frontend/lib/orderStore.js', 'function loadOrder(');
    const lensAt = async () => (await lensesOf('frontend/lib/orderStore.js'))
      .some((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === line);
    await config().update('lens.thresholdMs', Math.ceil(loadOrder.stats.p95) + 1, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the loadOrder lens to go', async () => !(await lensAt()));
    } finally {
      await config().update('lens.thresholdMs', 0, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the loadOrder lens to come back', lensAt);
  });

  test('the lenses\' numbers equal `xray-lens hotspots --json` over the collector\'s read API', async function () {
    this.timeout(60000);
    await settled();
    const folder = vscode.workspace.workspaceFolders![0];
    const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    // The command line as a user runs it (process.execPath is node here, Electron in desktop VS Code: hence ELECTRON_RUN_AS_NODE).
    const { stdout } = await promisify(execFile)(process.execPath,
      [path.join(extensionPath, 'dist', 'cli.js'), 'hotspots', '--workspace', folder.uri.fsPath, '--endpoint', `http://${collectorAddress()}`, '--json'],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 * 1024 * 1024 });
    const rows = JSON.parse(stdout) as Array<{ file: string; line: number; function: string; count: number; p50: number; p95: number; p99: number; faults: number; errors: number; throttles: number }>;
    const index = api.latencyLens.service.snapshot!.folders.get(folder.uri.toString())!;
    const ms = (x: number) => Math.round(x * 10) / 10; // as --json rounds
    const ours = index.index.entries().filter((e) => e.stats).map((e) => ({
      file: e.file, line: entryLine(e) + 1, function: e.function, count: e.stats!.count, p50: ms(e.stats!.p50), p95: ms(e.stats!.p95), p99: ms(e.stats!.p99),
      faults: e.stats!.faults, errors: e.stats!.errors, throttles: e.stats!.throttles,
    }));
    const byPlace = (a: { file: string; line: number }, b: { file: string; line: number }) => a.file.localeCompare(b.file) || a.line - b.line;
    const theirs = rows.map(({ file, line, function: fn, count, p50, p95, p99, faults, errors, throttles }) => ({ file, line, function: fn, count, p50, p95, p99, faults, errors, throttles }));
    assert.ok(theirs.length >= TRACED.length, stdout);
    assert.deepStrictEqual(ours.sort(byPlace), theirs.sort(byPlace));
    // Each of those functions carries its lens, with that sample size.
    for (const row of theirs) {
      const lens = (await lensesOf(row.file)).find((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === row.line - 1);
      assert.ok(lens?.command?.title.includes(` · n=${row.count} · `), `${row.file}:${row.line} ${row.function}: lens "${lens?.command?.title}", hotspots n=${row.count}`);
    }
  });

  test('lens.statistic decides what the lens leads with and what the threshold and top N compare', async function () {
    this.timeout(90000);
    const raw = await settled();
    const windowMinutes = () => api.latencyLens.service.snapshot!.windowMinutes;
    const file = 'frontend/routes/orders.js';
    const fns = ['formatOrder', 'checkout'];
    const expected = new Map(fns.map((fn) => [fn, expectedFor(raw, fn)!.stats]));
    const lines = new Map(await Promise.all(fns.map(async (fn) => [fn, await lineOf(file, `function ${fn}(`)] as const)));
    const titles = async () => new Map((await lensesOf(file)).filter((l) => l.command?.command === SHOW_THROUGH)
      .map((l) => [fns.find((fn) => lines.get(fn) === l.range.start.line) ?? `line ${l.range.start.line + 1}`, l.command!.title]));
    const setting = async (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);
    try {
      for (const statistic of ['p50', 'p99', 'avg', 'p95'] as const) {
        await setting('lens.statistic', statistic);
        // Every lens leads with the statistic.
        await setting('lens.topN', 0);
        await setting('lens.thresholdMs', 0);
        const want = new Map(fns.map((fn) => [fn, formatLensText(expected.get(fn)!, windowMinutes(), statistic)]));
        let seen = new Map<string, string>();
        await waitFor(`lenses led by ${statistic}`, async () => {
          seen = await titles();
          return fns.every((fn) => seen.get(fn) === want.get(fn));
        }, 20000).catch((err: Error) => {
          throw new Error(`${err.message}: ${JSON.stringify([...seen])} ≠ ${JSON.stringify([...want])}`);
        });
        // Top 1 is the slowest by the statistic.
        const slowest = [...fns].sort((a, b) => expected.get(b)![statistic] - expected.get(a)![statistic])[0];
        await setting('lens.topN', 1);
        await waitFor(`top 1 by ${statistic} = ${slowest}`, async () => {
          const shown = [...(await titles()).keys()];
          return shown.length === 1 && shown[0] === slowest;
        }, 20000);
        // The threshold compares the statistic: just above it the lens goes, at it the lens stays.
        await setting('lens.topN', 0);
        const value = expected.get('checkout')![statistic];
        await setting('lens.thresholdMs', Math.floor(value));
        await waitFor(`checkout's lens at a threshold of ${Math.floor(value)} ms (${statistic} ${value})`, async () => (await titles()).has('checkout'), 20000);
        await setting('lens.thresholdMs', Math.floor(value) + 1);
        await waitFor(`checkout's lens to go at ${Math.floor(value) + 1} ms (${statistic} ${value})`, async () => !(await titles()).has('checkout'), 20000);
      }
      // p50 and p95 differ for loadOrder: a threshold between them shows the lens under p95 and hides it under p50.
      const loadOrder = expectedFor(raw, 'loadOrder')!.stats;
      assert.ok(Math.floor(loadOrder.p95) > Math.ceil(loadOrder.p50), `loadOrder p50 ${loadOrder.p50} and p95 ${loadOrder.p95} (its delay varies with the order id)`);
      const hasLens = async () => (await lensesOf('frontend/lib/orderStore.js')).some((l) => l.command?.command === SHOW_THROUGH);
      await setting('lens.thresholdMs', Math.floor(loadOrder.p95));
      await waitFor('the loadOrder lens under p95', hasLens, 20000);
      await setting('lens.statistic', 'p50');
      await waitFor('no loadOrder lens under p50', async () => !(await hasLens()), 20000);
    } finally {
      await setting('lens.statistic', undefined);
      await setting('lens.topN', 0);
      await setting('lens.thresholdMs', 0);
    }
  });

  test('clicking a lens lists the traces through its function in the Traces view; the set follows new traffic, composes with a filter, another lens replaces it, Clear Filter ends it', async function () {
    this.timeout(60000);
    let raw = await settled();
    const through = (name: string) => [...raw].filter(([, segments]) => {
      let found = false;
      walkDocuments(segments, ({ doc }) => void (found ||= doc.name === name));
      return found;
    }).map(([id]) => id).sort();
    const shownIds = async () => ((await api.traceTree.getChildren()) ?? []).map((n) => (n.type === 'trace' ? n.summary.id : n.type)).sort();
    const click = async (file: string, fn: string) => {
      const line = await lineOf(file, `function ${fn}(`);
      const lens = (await lensesOf(file)).find((l) => l.command?.command === SHOW_THROUGH && l.range.start.line === line);
      assert.ok(lens?.command, `no lens above ${fn}`);
      return vscode.commands.executeCommand<TraceRestriction | undefined>(lens.command.command, ...(lens.command.arguments ?? []));
    };
    let loadOrder = through('loadOrder');
    assert.ok(loadOrder.length > 0 && loadOrder.length < raw.size, `loadOrder: ${loadOrder.length} of ${raw.size} traces (the /crash ones do not go through it)`);

    const restriction = await click('frontend/lib/orderStore.js', 'loadOrder');
    assert.strictEqual(restriction?.label, 'through loadOrder');
    // The index's traces of the function, the raw documents' and the tree's are the same set.
    assert.deepStrictEqual([...restriction.traceIds].sort(), loadOrder);
    assert.deepStrictEqual(await shownIds(), loadOrder);
    assert.strictEqual(api.traces.restrictionUnlisted, 0);
    // New traffic: the set follows the index, so a new /orders trace joins it and a new /crash trace stays out.
    assert.strictEqual(await request(`${app.frontendUrl}/orders/40`), 200);
    assert.strictEqual(await request(`${app.frontendUrl}/crash`), 500);
    const before = raw.size;
    raw = await waitFor('the two new traces in the index', async () => {
      const now = await settled();
      return now.size === before + 2 ? now : undefined;
    }, 30000);
    loadOrder = through('loadOrder');
    assert.strictEqual(api.traces.restriction?.label, 'through loadOrder');
    assert.deepStrictEqual(await shownIds(), loadOrder);
    const summaries = api.traces.state.summaries;
    try {
      // With a filter expression: the traces through loadOrder that also match it (the checkouts answer 201).
      assert.deepStrictEqual(await api.traces.setQuery({ filterExpression: 'http.status = 201' }), { ok: true });
      const created = new Set(summaries.filter((s) => s.status === 201).map((s) => s.id));
      assert.ok(created.size > 0);
      assert.deepStrictEqual(await shownIds(), loadOrder.filter((id) => created.has(id)));
      // Traces of the set the filtered list does not hold are counted, not dropped silently.
      assert.strictEqual(api.traces.restrictionUnlisted, loadOrder.filter((id) => !created.has(id)).length);
      await api.traces.setQuery({ filterExpression: undefined });
      // Another lens's click replaces the set.
      const replaced = await click('frontend/routes/orders.js', 'formatOrder');
      assert.strictEqual(replaced?.label, 'through formatOrder');
      assert.deepStrictEqual(await shownIds(), through('formatOrder'));
    } finally {
      await vscode.commands.executeCommand('xrayLens.clearTraceFilter');
    }
    assert.strictEqual(api.traces.restriction, undefined);
    assert.strictEqual(api.traces.query.filterExpression, undefined);
    assert.deepStrictEqual(await shownIds(), api.traces.state.summaries.map((s) => s.id).sort());
    assert.ok((await shownIds()).length >= raw.size);
  });

  test('hovering the function or its tracing call shows the histogram, the numbers and the slowest traces, whose links open them', async function () {
    this.timeout(30000);
    const raw = await settled();
    const expected = expectedFor(raw, 'loadOrder')!;
    const uri = workspaceUri('frontend/lib/orderStore.js');
    let link: RegExpExecArray | undefined;
    for (const text of ['function loadOrder(', "captureAsyncFunc('loadOrder'"]) {
      const line = await lineOf('frontend/lib/orderStore.js', text);
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 12))) ?? [];
      const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).find((v) => v.includes('X-Ray'));
      assert.ok(markdown, `no X-Ray hover on line ${line + 1}: ${JSON.stringify(hovers.map((h) => h.contents))}`);
      assert.match(markdown, /X-Ray · loadOrder/);
      assert.ok(markdown.includes(`n=${expected.stats.count}`), markdown);
      assert.match(markdown, /```text\n[\s\S]*█[\s\S]*```/, 'a text histogram');
      assert.ok(markdown.includes(encodeURIComponent(JSON.stringify([expected.slowestTraceId]))), 'the slowest trace is linked');
      assert.ok(!/<[a-z]/i.test(markdown.replace(/```[\s\S]*?```/g, '')), 'no HTML');
      link = /\(command:([\w.]+)\?([^ )]+) "Open trace"\)/.exec(markdown) ?? undefined;
    }
    // The first link is the slowest trace; following it opens the trace's timeline (or, without the timeline, copies its id).
    assert.ok(link, 'a link to a trace');
    const args = JSON.parse(decodeURIComponent(link[2])) as unknown[];
    assert.deepStrictEqual(args, [expected.slowestTraceId]);
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand(link[1], ...args);
    if (link[1] !== 'xrayLens.openTimeline') assert.strictEqual(await vscode.env.clipboard.readText(), expected.slowestTraceId);
    else {
      const timelineTabs = () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(TIMELINE_VIEW_TYPE));
      await waitFor('the timeline of the slowest trace', () => timelineTabs().length > 0, 15000);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test('the /crash exception is in Problems at the line that threw it, as a warning', async function () {
    this.timeout(30000);
    const raw = await settled();
    // Where the raw documents say it was thrown: the first stack frame in frontend/lib/config.js.
    let frame: StackFrame | undefined;
    let count = 0;
    for (const segments of raw.values()) {
      let inTrace = false;
      walkDocuments(segments, ({ doc }) => {
        const exceptions = (doc.cause as { exceptions?: Array<{ type?: string; stack?: StackFrame[] }> } | undefined)?.exceptions ?? [];
        for (const e of exceptions) {
          const top = e.stack?.find((f) => typeof f.path === 'string' && !f.path.includes('node_modules'));
          if (e.type === 'TypeError' && top?.path?.endsWith(path.join('frontend', 'lib', 'config.js'))) [frame, inTrace] = [top, true];
        }
      });
      if (inTrace) count++;
    }
    assert.ok(frame && typeof frame.line === 'number', 'the crash traces carry a TypeError thrown in lib/config.js');
    const uri = workspaceUri('frontend/lib/config.js');
    const diagnostic = await waitFor('the X-Ray problem in lib/config.js', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'X-Ray' && d.message.startsWith('TypeError: ')));
    assert.strictEqual(diagnostic.range.start.line, frame.line! - 1);
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /Cannot read properties of undefined \(reading 'threshold'\)/);
    assert.ok(diagnostic.message.includes(count === 1 ? 'once' : `${count} times`), `${diagnostic.message} (${count} crash traces)`);
    assert.match(diagnostic.message, /last seen (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d$/);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.match(document.lineAt(diagnostic.range.start.line).text, /config\.limits\.threshold/);
    // Only files of the workspace get problems.
    const outside = vscode.languages.getDiagnostics().filter(([u, ds]) => ds.some((d) => d.source === 'X-Ray') && !vscode.workspace.getWorkspaceFolder(u));
    assert.deepStrictEqual(outside.map(([u]) => u.toString()), []);
  });

  test('a function traced under the same name in a folder created, changed and deleted outside VS Code turns the lens ambiguous and back', async function () {
    this.timeout(120000);
    await settled();
    const folder = workspaceUri('frontend/archive').fsPath;
    const copy = path.join(folder, 'orderStoreCopy.js');
    const original = fs.readFileSync(workspaceUri('frontend/lib/orderStore.js').fsPath, 'utf8');
    const titles = async () => (await lensesOf('frontend/lib/orderStore.js')).map((l) => l.command?.title ?? '');
    const expectLens = (what: string, test: (title: string) => boolean) =>
      waitFor(what, async () => (await titles()).some(test), 30000).catch(async (err: Error) => {
        throw new Error(`${err.message}: lenses ${JSON.stringify(await titles())}`);
      });
    const ambiguous = (t: string) => t === '2 functions named loadOrder — no numbers';
    const numbers = (t: string) => /^p95 .* · n=\d+ · /.test(t);
    // As a terminal's `cp -r` or a checkout would: a new folder, files written from outside VS Code.
    fs.mkdirSync(folder);
    try {
      fs.writeFileSync(copy, original);
      await expectLens('the lens to say loadOrder is ambiguous once the copy exists', ambiguous);
      fs.writeFileSync(copy, original.replace("captureAsyncFunc('loadOrder'", "captureAsyncFunc('loadArchivedOrder'"));
      await expectLens('the numbers to come back once the copy traces another name', numbers);
      fs.writeFileSync(copy, original);
      await expectLens('the lens to be ambiguous again', ambiguous);
    } finally {
      // The folder goes with its file: the watcher reports only the folder.
      fs.rmSync(folder, { recursive: true, force: true });
    }
    await expectLens('the numbers to come back once the folder is deleted', numbers);
  });

  test('problems and lenses go when their traces leave the list', async function () {
    this.timeout(60000);
    const uri = workspaceUri('frontend/lib/config.js');
    const before = api.traces.query.range;
    // A window an hour before any of these traces: the list empties, as when the traces age out of it.
    const now = Date.now() / 1000;
    await api.traces.setQuery({ range: { kind: 'between', startTime: now - 7200, endTime: now - 3600 } });
    try {
      await waitFor('the list to empty', () => api.traces.state.summaries.length === 0 && !api.traces.state.loading);
      await waitFor('the X-Ray problems to clear', () => !vscode.languages.getDiagnostics(uri).some((d) => d.source === 'X-Ray'));
      await waitFor('the lenses to go', async () => !(await lensesOf('frontend/lib/orderStore.js')).some((l) => l.command?.command === SHOW_THROUGH));
    } finally {
      await api.traces.setQuery({ range: before });
    }
    await waitFor('the X-Ray problems to come back', () => vscode.languages.getDiagnostics(uri).some((d) => d.source === 'X-Ray'), 45000);
  });
});
