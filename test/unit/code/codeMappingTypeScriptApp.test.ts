// A TypeScript app (test/fixtures/code/ts-app, compiled here by esbuild into dist/ with a source map) traced by the
// real aws-xray-sdk-core into a LocalCollector, run from a "deployed" folder other than the workspace: its exception
// frames reach chargeCard in src/checkout.ts through the source map (plain node) or directly (--enable-source-maps),
// with the deployed folder mapped to the workspace (the /var/task case).
import * as assert from 'assert';
import { buildSync } from 'esbuild';
import { cpSync, mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWorkspace } from '../../../src/cli/hotspotsWorkspace';
import { CodeMapper, type CodeMappingInput } from '../../../src/code/codeMapping';
import { loadCodeParser, type CodeParser } from '../../../src/code/functionRanges';
import { LatencyIndex } from '../../../src/code/latencyIndex';
import type { LocalCollector } from '../../../src/collector/localCollector';
import { classifyDocument } from '../../../src/xray/classification';
import type { CauseObject, SegmentDocument } from '../../../src/xray/model';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { ROOT, runPeer, startTestCollector, waitFor } from '../collector/collectorHarness';
import { WASM_DIR } from './functionRangesHelpers';

suite('code mapping: a TypeScript app with and without --enable-source-maps', () => {
  let collector: LocalCollector;
  let parser: CodeParser;
  let dir: string;
  let deployed: string;
  let workspace: CodeMappingInput;

  suiteSetup(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xray-lens-tsapp-'));
    // The workspace: the sources and their build output, as a developer's checkout holds them.
    const checkout = path.join(dir, 'checkout');
    cpSync(path.join(ROOT, 'test/fixtures/code/ts-app'), checkout, { recursive: true });
    buildSync({
      entryPoints: [path.join(checkout, 'src/main.ts')], outfile: path.join(checkout, 'dist/main.js'), bundle: true,
      platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, external: ['aws-xray-sdk-core'], logLevel: 'silent',
    });
    // Where it "ran": a copy elsewhere, as code deployed to /var/task.
    deployed = path.join(dir, 'var-task');
    cpSync(checkout, deployed, { recursive: true });
    collector = await startTestCollector();
    parser = await loadCodeParser(WASM_DIR, ['typescript', 'javascript']);
    workspace = { ...readWorkspace(checkout, parser), pathMappings: [{ from: deployed, to: '.' }] };
  });

  suiteTeardown(async () => {
    parser?.dispose();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(nodeArgs: string[]): Promise<SegmentDocument[][]> {
    const result = await runPeer(process.execPath, [...nodeArgs, path.join(deployed, 'dist/main.js'), `127.0.0.1:${collector.port}`, '8'], { NODE_PATH: path.join(ROOT, 'node_modules') });
    assert.strictEqual(result.code, 0, result.stderr);
    const { traceIds } = result.lines[0] as { traceIds: string[] };
    await waitFor(() => traceIds.every((id) => collector.store.has(id)), 'the 8 segments');
    return traceIds.map((id) => collector.store.segments(id) as SegmentDocument[]);
  }

  function framePaths(traces: SegmentDocument[][]): string[] {
    const paths: string[] = [];
    walkDocuments(traces.flat(), ({ doc }) => {
      for (const e of (doc.cause as CauseObject | undefined)?.exceptions ?? []) for (const f of e.stack ?? []) if (f.path) paths.push(f.path);
    });
    return paths;
  }

  for (const [label, nodeArgs, recorded] of [
    ['plain node: frames in dist/main.js, mapped through dist/main.js.map', [], 'dist/main.js'],
    ['--enable-source-maps: frames already in src/checkout.ts', ['--enable-source-maps'], 'src/checkout.ts'],
  ] as const) {
    test(label, async function () {
      this.timeout(60_000);
      const traces = await run([...nodeArgs]);
      assert.ok(framePaths(traces).includes(path.join(deployed, recorded)), framePaths(traces).join('\n'));
      const mapper = new CodeMapper(workspace);
      const failed = traces.flatMap((t) => mapper.mapTrace(t)).filter((m) => m.doc.name === 'charge-card' && m.doc.fault);
      assert.strictEqual(failed.length, 2, 'cents 300 and 700 are declined');
      for (const m of failed) assert.deepStrictEqual([m.match?.file, m.match?.fn.name, m.match?.evidence], ['src/checkout.ts', 'chargeCard', ['a', 'b']]);
      // Without the path mapping the deployed folder still resolves by the longest suffix (dist/main.js, src/checkout.ts).
      const bySuffix = new CodeMapper({ ...workspace, pathMappings: [] });
      const frames = failed[0].doc.cause as CauseObject;
      const first = frames.exceptions?.[0].stack?.[0];
      assert.strictEqual(bySuffix.resolveFrame(first!, frames.working_directory)?.file, 'src/checkout.ts');
      // dist/main.js holds the same captureAsyncFunc('charge-card') call, but as compiled output beside its source
      // map it is no candidate: every document maps to the source, none is ambiguous.
      assert.ok(traces.flatMap((t) => mapper.mapTrace(t)).filter((m) => m.doc.name === 'charge-card').every((m) => m.match?.file === 'src/checkout.ts'));
      const entry = LatencyIndex.build(traces, mapper).forFile('src/checkout.ts')[0];
      assert.deepStrictEqual([entry.function, entry.names, entry.evidence], ['chargeCard', ['charge-card'], ['a', 'b']]);
      let count = 0;
      let faults = 0;
      walkDocuments(traces.flat(), ({ doc }) => {
        if (doc.name !== 'charge-card') return;
        count++;
        if (classifyDocument(doc) === 'fault') faults++;
      });
      assert.deepStrictEqual([entry.stats?.count, entry.stats?.faults], [count, faults]);
      assert.strictEqual(count, 8);
    });
  }
});
