// Seeded fuzzing of the whole pure pipeline with mutations of real documents: whatever arrives, nothing
// throws (down to the outline the tree shows and the JSON BatchGetTraces writes), every parse is ok or a
// known reason, and no document can pollute Object.prototype.
import * as assert from 'assert';
import { resolveFramePath } from '../../../src/code/sourceLocation';
import { indexExceptions, resolveCause } from '../../../src/xray/cause';
import { classifyDocument } from '../../../src/xray/classification';
import type { CauseObject, SegmentDocument } from '../../../src/xray/model';
import { parseSegmentDocument } from '../../../src/xray/segmentDocument';
import type { RejectReason } from '../../../src/xray/segmentDocument';
import { walkDocuments } from '../../../src/xray/segmentTree';
import { buildServiceGraph, buildTraceGraph } from '../../../src/xray/serviceGraph';
import { isUserFrame } from '../../../src/xray/stackFrame';
import { TraceAssembler } from '../../../src/xray/traceAssembler';
import { outlineTrace } from '../../../src/xray/traceOutline';
import { summarizeTrace } from '../../../src/xray/traceSummary';
import { sdkDocumentLines, seededRandom } from './fixtureData';

const REASONS: ReadonlySet<RejectReason> = new Set<RejectReason>([
  'invalid-json', 'not-an-object', 'missing-field', 'bad-id', 'bad-trace-id', 'bad-parent-id', 'bad-time', 'bad-field-type', 'too-deep',
]);
const ITERATIONS = 6000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

suite('fuzz: mutated real documents through parse → assemble → summary → graph', () => {
  test(`${ITERATIONS} seeded mutations: nothing throws, results are ok or a reason, no prototype pollution`, function () {
    this.timeout(120000);
    const random = seededRandom(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const lines = sdkDocumentLines();
    const ids = lines.map((l) => (JSON.parse(l) as SegmentDocument).id);

    const randomValue = (): Json =>
      pick<() => Json>([
        () => null,
        () => random() < 0.5,
        () => Math.floor(random() * 1e10) / 1e3,
        () => -1,
        () => pick(ids),
        () => 'x'.repeat(Math.floor(random() * 40)),
        () => [],
        () => [pick(ids), 1, null],
        () => ({}),
        () => ({ id: pick(ids) }),
      ])();

    /** A random object or array inside `root` (root included), with the path to it. */
    const randomContainer = (root: Json): { [key: string]: Json } | Json[] | undefined => {
      let current: Json = root;
      for (let i = 0; i < 6; i++) {
        if (current === null || typeof current !== 'object') return undefined;
        const children: Json[] = (Array.isArray(current) ? current : Object.values(current)).filter((c) => c !== null && typeof c === 'object');
        if (children.length === 0 || random() < 0.35) break;
        current = pick(children);
      }
      return current !== null && typeof current === 'object' ? current : undefined;
    };

    const textMutations: Record<string, (text: string) => string> = {
      flip: (t) => {
        const i = Math.floor(random() * t.length);
        return t.slice(0, i) + String.fromCharCode(Math.floor(random() * 128)) + t.slice(i + 1);
      },
      truncate: (t) => t.slice(0, Math.floor(random() * t.length)),
      protoKey: (t) => {
        // Inserted as text so JSON.parse creates real "__proto__"/"constructor" own keys, at any object.
        const at = [...t.matchAll(/\{/g)].map((m) => m.index as number);
        const i = pick(at) + 1;
        const key = pick(['"__proto__":{"polluted":true}', '"constructor":{"prototype":{"polluted":true}}', '"__proto__":"polluted"', '"prototype":{"polluted":1}']);
        return `${t.slice(0, i)}${key}${t[i] === '}' ? '' : ','}${t.slice(i)}`;
      },
      deepNesting: (t) => {
        // Mostly around the 64-level limit; now and then far deeper (deep JSON is slow to build, so rarely).
        const depth = random() < 0.05 ? 1000 + Math.floor(random() * 2000) : 40 + Math.floor(random() * 60);
        const doc = JSON.parse(t) as Record<string, Json>;
        let leaf: Json = { name: 'leaf', id: pick(ids), start_time: 1, end_time: 2 };
        for (let i = 0; i < depth; i++) leaf = { name: `n${i}`, id: pick(ids), start_time: 1, end_time: 2, subsegments: [leaf] };
        doc.subsegments = [leaf];
        return JSON.stringify(doc);
      },
      deepField: (t) => {
        // Deep nesting outside subsegments, at the top or in an embedded subsegment: mostly around the
        // 256-level limit, now and then thousands deep. Spliced in as text (JSON.stringify overflows on it).
        const doc = JSON.parse(t) as Record<string, Json>;
        const holder = random() < 0.7 ? doc : randomContainer(doc);
        if (!holder || Array.isArray(holder)) return t;
        const field = pick(['metadata', 'aws', 'sql', 'http', 'cause', 'annotations', 'unknown_field']);
        holder[field] = field === 'metadata' ? { ns: { k: '@deep' } } : field === 'http' ? { request: { url: '@deep' } } : { a: '@deep' };
        const depth = random() < 0.05 ? 3000 + Math.floor(random() * 7000) : 200 + Math.floor(random() * 100);
        const [open, close] = random() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
        return JSON.stringify(doc).replace('"@deep"', `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`);
      },
    };
    const objectMutations: Record<string, (doc: Record<string, Json>) => void> = {
      deleteField: (doc) => {
        const c = randomContainer(doc);
        if (c && !Array.isArray(c)) delete c[pick(Object.keys(c).concat('id'))];
        else if (c) c.splice(Math.floor(random() * c.length), 1);
      },
      typeSwap: (doc) => {
        const c = randomContainer(doc);
        if (c && !Array.isArray(c)) {
          const keys = Object.keys(c);
          if (keys.length) c[pick(keys)] = randomValue();
        } else if (c && c.length) c[Math.floor(random() * c.length)] = randomValue();
      },
      hugeString: (doc) => {
        const c = randomContainer(doc);
        const huge = pick(['a', '\u00e9', '\\', '/', '..']).repeat(10_000 + Math.floor(random() * 200_000));
        if (c && !Array.isArray(c)) c[pick(Object.keys(c).concat('name', 'id'))] = huge;
      },
      // Valid-looking structure changes that reach the assembler: streamed, re-parented, in progress,
      // id collisions, references to anything.
      reparent: (doc) => {
        doc.type = 'subsegment';
        doc.parent_id = random() < 0.2 ? doc.id : pick(ids);
      },
      inProgress: (doc) => {
        delete doc.end_time;
        doc.in_progress = true;
      },
      collideId: (doc) => {
        doc.id = pick(ids);
      },
      causeRef: (doc) => {
        doc.cause = random() < 0.5 ? { id: pick(ids) } : pick(ids);
        doc.fault = true;
      },
      badTime: (doc) => {
        const c = random() < 0.7 ? doc : randomContainer(doc);
        if (c && !Array.isArray(c)) c[pick(['start_time', 'end_time'])] = pick([1e20, -1, 1e10, 9_999_999_999, 1.7e12, Number.MAX_VALUE, 0, 8.64e12]);
      },
      statusSwap: (doc) => {
        doc.http = { response: { status: pick([200, 400, 429, 500, 503, 0, -1, 1e9]) }, request: { url: 'x' } };
        doc.throttle = random() < 0.5;
      },
      downstream: (doc) => {
        const c = randomContainer(doc);
        if (c && !Array.isArray(c)) {
          c.namespace = pick(['aws', 'remote', 'local']);
          c.inferred = random() < 0.3;
          c.aws = { table_name: pick(['T', '__proto__', 'constructor']) };
        }
      },
    };

    const traces = new Map<string, TraceAssembler>();
    const counts = { ok: 0, rejected: 0 };
    const reasonsSeen = new Set<string>();
    for (let i = 0; i < ITERATIONS; i++) {
      let text = pick(lines);
      const applied: string[] = [];
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r++) {
        if (random() < 0.35) {
          const name = pick(Object.keys(textMutations));
          applied.push(name);
          try {
            text = textMutations[name](text);
          } catch {
            // the text was already broken by an earlier mutation; keep it as it is
          }
        } else {
          let doc: Record<string, Json>;
          try {
            doc = JSON.parse(text) as Record<string, Json>;
          } catch {
            continue;
          }
          if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue;
          const name = pick(Object.keys(objectMutations));
          applied.push(name);
          objectMutations[name](doc);
          try {
            text = JSON.stringify(doc);
          } catch {
            // deepField made it too deep to write back: keep the text as it was
          }
        }
      }
      const where = `iteration ${i} (${applied.join(', ')})`;

      const result = parseSegmentDocument(text);
      if (!result.ok) {
        counts.rejected++;
        reasonsSeen.add(result.reason);
        assert.ok(REASONS.has(result.reason), `${where}: unknown reason ${result.reason}`);
        assert.ok(typeof result.message === 'string' && result.message.length > 0 && result.message.length < 600, `${where}: message of ${result.message.length} chars`);
        continue;
      }
      counts.ok++;
      const doc = result.doc;
      const traceId = typeof doc.trace_id === 'string' ? doc.trace_id : 'none';
      let assembler = traces.get(traceId);
      if (!assembler || traces.size > 60) {
        if (traces.size > 60) traces.clear();
        traces.set(traceId, (assembler = new TraceAssembler(traceId)));
      }
      assembler.add(doc, text.length);

      const segments = assembler.segments();
      const pending = assembler.pendingSubsegments();
      const summary = summarizeTrace(segments, pending, { revision: assembler.revision });
      const graph = buildServiceGraph([segments], { startTime: 0, endTime: 4e9 });
      const traceGraph = buildTraceGraph([segments, pending]);
      const index = indexExceptions([...segments, ...pending]);
      walkDocuments([...segments, ...pending], ({ doc: d }) => {
        classifyDocument(d);
        const cause = resolveCause(d, index);
        for (const ex of cause?.exceptions ?? []) {
          for (const frame of Array.isArray(ex.stack) ? ex.stack : []) {
            if (isUserFrame(frame)) resolveFramePath(String(frame.path), (d.cause as CauseObject)?.working_directory, ['/home/me/shop'], () => random() < 0.1);
          }
        }
      });
      const outline = outlineTrace(segments, pending);
      // What the collector's BatchGetTraces answers: each merged segment as a JSON Document.
      for (const segment of segments) JSON.stringify(segment);
      assert.strictEqual(outline.length, segments.length + (pending.length ? 1 : 0), where);
      assert.strictEqual(typeof summary.Id, 'string', where);
      assert.ok(Array.isArray(graph.Services) && Array.isArray(traceGraph.Services), where);
      assert.ok(Number.isFinite(assembler.approximateBytes), where);
      assert.strictEqual(({} as Record<string, unknown>).polluted, undefined, `${where}: Object.prototype polluted`);
      assert.strictEqual(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false, where);
    }
    // The run must have exercised both sides and most reasons, or it proves little.
    assert.ok(counts.ok > 1000 && counts.rejected > 1000, JSON.stringify(counts));
    for (const reason of ['invalid-json', 'missing-field', 'bad-id', 'bad-field-type', 'too-deep', 'bad-time']) {
      assert.ok(reasonsSeen.has(reason), `no mutation produced ${reason}: ${[...reasonsSeen].join(', ')}`);
    }
  });
});
