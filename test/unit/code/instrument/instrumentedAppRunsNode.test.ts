// The strongest test of the instrumentation commands: the code they insert really runs. A copy of an
// uninstrumented Node app (test/peers/uninstrumented/) gets "Set Up Tracing" and "Trace This Function" through
// the pure edit functions, with each flavour; it runs against a LocalCollector and gets traffic; the spans /
// subsegments named after each wrapped function arrive with their code.* attributes / metadata, a thrown error is
// recorded as a fault with its exception, and the latency index built from those traces gives every wrapped
// function numbers equal to those of its raw documents. Then the Express set-up with aws-xray-sdk-express.
import * as assert from 'assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { readWorkspace } from '../../../../src/cli/hotspotsWorkspace';
import { CodeMapper } from '../../../../src/code/codeMapping';
import { loadCodeParser, type CodeParser } from '../../../../src/code/functionRanges';
import type { ProjectFile } from '../../../../src/code/instrument/flavourDetection';
import type { TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import { LatencyIndex } from '../../../../src/code/latencyIndex';
import type { LocalCollector } from '../../../../src/collector/localCollector';
import { classifyDocument } from '../../../../src/xray/classification';
import { nearestRank } from '../../../../src/xray/latencyStats';
import type { CauseObject, SegmentDocument } from '../../../../src/xray/model';
import { walkDocuments } from '../../../../src/xray/segmentTree';
import { freePort, ROOT, startPeer, startTestCollector, waitFor, type PeerResult, type RunningPeer } from '../../collector/collectorHarness';
import { WASM_DIR } from '../functionRangesHelpers';
import { applyPlan, planFor, readProject, traceFunctions, writeProject } from './setUpTracingHelpers';

/** Starts `node <file>` with the repo's packages resolvable, and waits for its {"port"} line. */
async function startApp(file: string, env: Record<string, string>): Promise<{ app: RunningPeer; port: number }> {
  const app = startPeer(process.execPath, [file], {
    NODE_PATH: path.join(ROOT, 'node_modules'), PORT: '0',
    // Whatever the test runner's environment says, the app uses the endpoints written into its code.
    AWS_XRAY_DAEMON_ADDRESS: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SERVICE_NAME: '', ...env,
  }, 60_000);
  let port = 0;
  await Promise.race([
    waitFor(() => (port = Number(/\{"port":(\d+)\}/.exec(app.stdout())?.[1] ?? 0)) > 0, `${path.basename(file)} listening`, 20_000),
    app.result.then((r) => {
      throw new Error(`the app exited (${r.code}): ${r.stderr}`);
    }),
  ]);
  return { app, port };
}

function get(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** Every document (segments and nested subsegments) of the collected traces. */
function documents(traces: SegmentDocument[][]): SegmentDocument[] {
  const out: SegmentDocument[] = [];
  walkDocuments(traces.flat(), ({ doc }) => {
    out.push(doc);
  });
  return out;
}

/** The segments the server opened, one per request it traced. */
function requestSegments(traces: SegmentDocument[][]): SegmentDocument[] {
  return traces.flatMap((t) => t.filter((d) => !d.parent_id && d.http?.request !== undefined));
}

function allTraces(collector: LocalCollector): SegmentDocument[][] {
  return collector.store.segmentsOverlapping({ startTime: 0, endTime: Date.now() / 1000 + 60 });
}

/** The X-Ray SDK's centralized sampler asks the daemon address for rules on its first request; after that the collector's sample-all rule holds. */
async function warmUpSampling(collector: LocalCollector, port: number): Promise<void> {
  await get(port, '/health');
  await waitFor(() => collector.counters().sampling.ruleRequests > 0, 'the SDK fetching sampling rules', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const NODE_APP = path.join(ROOT, 'test/peers/uninstrumented/node');
/** A place inside each function to wrap, and the name its span/subsegment gets. */
const WRAPPED: [needle: string, name: string][] = [
  ["Number.parseInt(raw ?? '1', 10)", 'parseQuantity'],
  ['await new Promise((resolve) => setTimeout(resolve, 5', 'loadStock'],
  ["if (sku.startsWith('x')) throw new RangeError", 'priceFor'],
  ['const price = priceFor(', 'Basket.total'],
];
/** 6 requests, 2 of them for skus that make priceFor (and Basket.total, which calls it) throw. */
const SKUS = ['ABC', 'xray', 'DEFG', 'HI', 'xylophone', 'JKLMN'];

// Set Up Tracing then Trace This Function, and the other way round: the set-up moves the code.line.number literals
// of functions already traced by the lines it inserts above them.
for (const [flavour, order] of [['opentelemetry', 'set-up first'], ['xray-sdk', 'set-up first'], ['opentelemetry', 'traced first'], ['xray-sdk', 'traced first']] as [TracingFlavour, string][]) {
  suite(`instrumented app runs: Node, ${flavour}, ${order}`, () => {
    let parser: CodeParser;
    let collector: LocalCollector;
    let dir: string;
    let traces: SegmentDocument[][];
    let statuses: number[];
    let serverText: string;

    suiteSetup(async function () {
      this.timeout(90_000);
      parser = await loadCodeParser(WASM_DIR, ['javascript', 'typescript']);
      collector = await startTestCollector({ otlpPort: 0, sampleAll: true });
      dir = mkdtempSync(path.join(os.tmpdir(), `xray-lens-run-${flavour}-`));
      const project = readProject(NODE_APP);
      const endpoints = { daemonAddress: `127.0.0.1:${collector.port}`, otlpHttpEndpoint: `http://127.0.0.1:${collector.otlpAddress?.port}/v1/traces` };
      const wrap = (files: ProjectFile[]) => files.map((f) => (f.path === 'server.js' ? { ...f, text: traceFunctions(parser, f.text, 'javascript', 'server.js', flavour, WRAPPED.map(([needle]) => needle)) } : f));
      const setUp = (files: ProjectFile[]) => applyPlan(files, planFor(parser, files, flavour, 'quote-svc', 'javascript', endpoints));
      const final = order === 'set-up first' ? wrap(setUp(project)) : setUp(wrap(project));
      serverText = (final.find((f) => f.path === 'server.js') as ProjectFile).text;
      writeProject(dir, final);

      // No endpoint in the environment: the generated code's fallback (the endpoints given to the plan) is used.
      const { app, port } = await startApp(path.join(dir, 'server.js'), {});
      if (flavour === 'xray-sdk') await warmUpSampling(collector, port);
      statuses = [];
      for (const sku of SKUS) statuses.push(await get(port, `/quote?sku=${sku}&qty=2`));
      const arrived = () => {
        traces = allTraces(collector);
        return documents(traces).filter((d) => d.name === 'Basket.total').length >= SKUS.length;
      };
      // The X-Ray SDK sends each segment over UDP when its response ends: let the last datagrams out before
      // stopping the app. OpenTelemetry batches: the tracing file's SIGTERM handler flushes the batch, then lets
      // the signal end the process.
      if (flavour === 'xray-sdk') await waitFor(arrived, 'the segments of every request', 10_000);
      app.kill('SIGTERM');
      const result = await app.result;
      // Nothing on stderr: no export failure, no missing X-Ray context.
      assert.strictEqual(result.stderr.trim(), '', result.stderr);
      await waitFor(arrived, 'the spans of every request', 10_000);
    });

    suiteTeardown(async () => {
      parser?.dispose();
      await collector?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the app answered: 500 for the skus that make priceFor throw', () => {
      assert.deepStrictEqual(statuses, SKUS.map((s) => (s.startsWith('x') ? 500 : 200)));
    });

    test('a span/subsegment named after each wrapped function, per request, carrying code.* (its own file and line)', () => {
      const docs = documents(traces);
      for (const [, name] of WRAPPED) {
        const named = docs.filter((d) => d.name === name);
        // One per request (the X-Ray warm-up request runs them too): as many as the requests' segments.
        assert.strictEqual(named.length, requestSegments(traces).length, name);
        for (const doc of named) {
          const code = doc.metadata?.default as Record<string, unknown> | undefined;
          assert.strictEqual(code?.['code.function.name'], name);
          assert.strictEqual(code?.['code.file.path'], 'server.js');
          const line = Number(code?.['code.line.number']);
          const declared = serverText.split('\n')[line - 1] ?? '';
          assert.ok(declared.includes(name.split('.').pop() as string), `${name}: line ${line} is "${declared.trim()}"`);
        }
      }
      // Each request is one trace: the function spans sit under the request's segment, not in traces of their own.
      assert.ok(requestSegments(traces).length >= SKUS.length);
      assert.deepStrictEqual(traces.map((t) => t.filter((d) => !d.parent_id).length), traces.map(() => 1));
      assert.strictEqual(traces.length, requestSegments(traces).length);
    });

    test('a thrown error is a fault with its exception on the function that threw, and on its caller', () => {
      const docs = documents(traces);
      for (const name of ['priceFor', 'Basket.total']) {
        const failed = docs.filter((d) => d.name === name && classifyDocument(d) === 'fault');
        assert.strictEqual(failed.length, SKUS.filter((s) => s.startsWith('x')).length, name);
        for (const doc of failed) {
          const exceptions = (doc.cause as CauseObject | undefined)?.exceptions ?? [];
          // The X-Ray SDK puts the exception on the subsegment that first recorded it and `cause: { id }` above it.
          if (name === 'priceFor' || flavour === 'opentelemetry') assert.match(exceptions[0]?.message ?? '', /^no price for x/, `${name}: ${JSON.stringify(doc.cause)}`);
        }
      }
      assert.ok(docs.filter((d) => d.name === 'parseQuantity').every((d) => classifyDocument(d) === 'ok'));
    });

    test('the latency index over the collected traces gives each wrapped function the numbers of its documents', () => {
      const index = LatencyIndex.build(traces, new CodeMapper(readWorkspace(dir, parser)));
      const rows = Object.fromEntries(index.forFile('server.js').map((e) => [e.function, e]));
      assert.deepStrictEqual(Object.keys(rows).sort(), WRAPPED.map(([, name]) => name).sort());
      for (const [, name] of WRAPPED) {
        assert.ok(rows[name].evidence.includes('d'), `${name} maps by its code.* values: ${rows[name].evidence.join()}`);
        const durations: number[] = [];
        let faults = 0;
        walkDocuments(traces.flat(), ({ doc }) => {
          if (doc.name !== name || typeof doc.end_time !== 'number') return;
          durations.push((doc.end_time - doc.start_time) * 1000);
          if (classifyDocument(doc) === 'fault') faults++;
        });
        durations.sort((a, b) => a - b);
        const s = rows[name].stats;
        assert.ok(s, name);
        assert.deepStrictEqual([s.count, s.p50, s.p95, s.faults], [durations.length, nearestRank(durations, 0.5), nearestRank(durations, 0.95), faults], name);
      }
    });
  });
}

suite('instrumented app runs: Express with the X-Ray SDK (aws-xray-sdk-express)', () => {
  let parser: CodeParser;
  let collector: LocalCollector;
  let dir: string;

  suiteSetup(async () => {
    parser = await loadCodeParser(WASM_DIR, ['javascript']);
    collector = await startTestCollector({ sampleAll: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-run-express-'));
  });
  suiteTeardown(async () => {
    parser?.dispose();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a segment per request named by openSegment, lookUpStock under it, the route error recorded by closeSegment', async function () {
    this.timeout(60_000);
    cpSync(path.join(ROOT, 'test/peers/uninstrumented/express'), dir, { recursive: true });
    const project = readProject(dir);
    const plan = planFor(parser, project, 'xray-sdk', 'stock-svc', 'javascript', { daemonAddress: `127.0.0.1:${collector.port}` });
    const setUp = applyPlan(project, plan);
    const appFile = setUp.find((f) => f.path === 'app.js') as ProjectFile;
    writeProject(dir, setUp.map((f) => (f.path === 'app.js' ? { ...f, text: traceFunctions(parser, appFile.text, 'javascript', 'app.js', 'xray-sdk', ["await new Promise((resolve) => setTimeout(resolve, 3))"]) } : f)));

    const { app, port } = await startApp(path.join(dir, 'app.js'), {});
    await warmUpSampling(collector, port);
    const statuses = [];
    for (const sku of ['ABC', 'xyz', 'DEF']) statuses.push(await get(port, `/stock/${sku}`));
    // Each segment leaves over UDP when its response ends: wait for them before stopping the app.
    await waitFor(() => documents(allTraces(collector)).filter((d) => d.name === 'lookUpStock').length === 3, 'three lookUpStock subsegments', 10_000);
    app.kill('SIGTERM');
    assert.strictEqual((await app.result).stderr.trim(), '');
    assert.deepStrictEqual(statuses, [200, 500, 200]);
    const traces = allTraces(collector);
    const requests = traces.map((t) => t.find((d) => !d.parent_id) as SegmentDocument).filter((s) => s.http?.request?.url?.includes('/stock/'));
    assert.strictEqual(requests.length, 3);
    for (const segment of requests) {
      assert.strictEqual(segment.name, 'stock-svc');
      const sub = segment.subsegments?.find((s) => s.name === 'lookUpStock');
      assert.ok(sub, `lookUpStock under ${segment.http?.request?.url}`);
      assert.strictEqual((sub.metadata?.default as Record<string, unknown>)['code.function.name'], 'lookUpStock');
    }
    const failed = requests.find((s) => s.http?.request?.url?.endsWith('/stock/xyz')) as SegmentDocument;
    assert.deepStrictEqual([classifyDocument(failed), failed.http?.response?.status], ['fault', 500]);
    assert.ok(failed.cause, 'closeSegment recorded the error the route passed on');
    const failedSub = failed.subsegments?.find((s) => s.name === 'lookUpStock') as SegmentDocument;
    assert.strictEqual(classifyDocument(failedSub), 'fault');
    assert.match((failedSub.cause as CauseObject).exceptions?.[0]?.message ?? '', /unknown sku xyz/);
    const index = LatencyIndex.build(traces, new CodeMapper(readWorkspace(dir, parser)));
    const row = index.forFile('app.js').find((e) => e.function === 'lookUpStock');
    assert.deepStrictEqual([row?.stats?.count, row?.stats?.faults], [3, 1]);
  });
});

// The TypeScript golden outputs (test/fixtures/instrument/setup/node/expected/ts-http.*), compiled by this
// repository's tsc run into out/, run as a developer's build would: the tracing file imported first starts the
// SDK (a server span per request), or withXRaySegment opens a segment per request. Endpoints come from the
// environment here, the other path the generated code offers.
suite('instrumented app runs: the TypeScript set-up, compiled', () => {
  let collector: LocalCollector;
  setup(async () => {
    collector = await startTestCollector({ otlpPort: 0, sampleAll: true });
  });
  teardown(async () => {
    await collector?.close();
  });
  /** The segments for GET /ABC and GET / (the warm-up request left out). */
  const served = () => requestSegments(allTraces(collector)).filter((s) => s.name === 'quote-svc' && /\/(ABC)?$/.test(s.http?.request?.url ?? ''));

  for (const flavour of ['opentelemetry', 'xray-sdk'] as TracingFlavour[]) {
    test(`${flavour}: one ${flavour === 'opentelemetry' ? 'server span' : 'segment'} per request, named after the service`, async function () {
      this.timeout(60_000);
      const compiled = path.join(ROOT, 'out/test/fixtures/instrument/setup/node/expected', `ts-http.${flavour}`, 'src/index.js');
      const start = (port: number) => startPeer(process.execPath, [compiled], {
        PORT: String(port), OTEL_SERVICE_NAME: '',
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collector.otlpAddress?.port}/v1/traces`,
      }, 60_000);
      let port = await freePort();
      let app = start(port);
      try {
        // The fixture prints nothing when it listens: poll it. Loading the OpenTelemetry SDK took over 20 s once
        // in a fresh-clone CI run on 2 cores; the test's own timeout (60 s) still bounds the wait. An app that
        // exits first (once in a fresh-clone run, with no output: the free port taken meanwhile, perhaps) is
        // started once more on another port, and what it said is in the message.
        let up = false;
        let exited: PeerResult | undefined;
        const deadline = Date.now() + 40_000;
        for (let attempt = 1; !up && Date.now() < deadline; ) {
          void app.result.then((r) => (exited = r));
          while (!up && !exited && Date.now() < deadline) up = await get(port, '/warm-up').then(() => true, () => false);
          if (up || !exited || attempt === 2) break;
          attempt++;
          exited = undefined;
          port = await freePort();
          app = start(port);
        }
        assert.ok(up, `the compiled app listens (its output so far: ${JSON.stringify(app.stdout().slice(-2000))}${exited ? `; it exited with ${exited.code}: ${JSON.stringify(exited.stderr.slice(-2000))}` : ''})`);
        if (flavour === 'xray-sdk') await waitFor(() => collector.counters().sampling.ruleRequests > 0, 'the SDK fetching sampling rules', 10_000);
        assert.deepStrictEqual([await get(port, '/ABC'), await get(port, '/')], [200, 404]);
        // UDP segments leave as each response ends: let them out before stopping the app.
        if (flavour === 'xray-sdk') await waitFor(() => served().length >= 2, 'two segments', 10_000);
      } finally {
        app.kill('SIGTERM');
      }
      assert.strictEqual((await app.result).stderr.trim(), '');
      await waitFor(() => served().length >= 2, 'the requests\' segments', 10_000);
      const segments = served();
      assert.deepStrictEqual(segments.map((s) => s.http?.response?.status).sort(), [200, 404]);
      assert.deepStrictEqual(segments.map((s) => classifyDocument(s)).sort(), ['error', 'ok']);
    });
  }
});

// The ES-module golden outputs (esm-express.*: an Express app with "type": "module"), copied under out/ so that
// node resolves this repository's packages from them (ES modules ignore NODE_PATH), run against a collector.
suite('instrumented app runs: the ES-module Express set-up', () => {
  let collector: LocalCollector;
  let dir: string | undefined;
  setup(async () => {
    collector = await startTestCollector({ otlpPort: 0, sampleAll: true });
  });
  teardown(async () => {
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const flavour of ['opentelemetry', 'xray-sdk'] as TracingFlavour[]) {
    test(`${flavour}: a ${flavour === 'opentelemetry' ? 'server span' : 'segment'} per request`, async function () {
      this.timeout(60_000);
      mkdirSync(path.join(ROOT, 'out'), { recursive: true });
      dir = mkdtempSync(path.join(ROOT, 'out', `esm-run-${flavour}-`));
      cpSync(path.join(ROOT, 'test/fixtures/instrument/setup/node/expected', `esm-express.${flavour}`), dir, { recursive: true });
      const { app, port } = await startApp(path.join(dir, 'server.mjs'), {
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${collector.port}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collector.otlpAddress?.port}/v1/traces`,
      });
      const served = () => requestSegments(allTraces(collector)).filter((s) => s.name === 'quote-svc' && /\/(orders\/7|nope)$/.test(s.http?.request?.url ?? ''));
      try {
        if (flavour === 'xray-sdk') await warmUpSampling(collector, port);
        assert.deepStrictEqual([await get(port, '/orders/7'), await get(port, '/nope')], [200, 404]);
        if (flavour === 'xray-sdk') await waitFor(() => served().length >= 2, 'two segments', 10_000);
      } finally {
        app.kill('SIGTERM');
      }
      assert.strictEqual((await app.result).stderr.trim(), '');
      await waitFor(() => served().length >= 2, 'the requests\' segments', 10_000);
      assert.deepStrictEqual(served().map((s) => [s.http?.response?.status, classifyDocument(s)]).sort(), [[200, 'ok'], [404, 'error']]);
    });
  }
});
