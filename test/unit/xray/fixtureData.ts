// Loads the captured fixtures (test/fixtures, see its README) for the xray unit tests.
import * as fs from 'fs';
import * as path from 'path';
import { parseSegmentDocument } from '../../../src/xray/segmentDocument';
import type { SegmentDocument } from '../../../src/xray/model';
import { TraceAssembler } from '../../../src/xray/traceAssembler';

// Compiled to out/test/unit/xray; the data stays in the source tree.
const root = path.resolve(__dirname, '../../../../test/fixtures');

export function fixtureText(relative: string): string {
  return fs.readFileSync(path.join(root, relative), 'utf8');
}

export function fixtureLines(relative: string): string[] {
  return fixtureText(relative).split('\n').filter((l) => l.trim() !== '');
}

/** The 948 SDK payloads, exactly as sent (one JSON document per line). */
export function sdkDocumentLines(): string[] {
  return fixtureLines('xray-sdk-node/udp-segment-documents.ndjson');
}

export function sdkDocuments(): SegmentDocument[] {
  return sdkDocumentLines().map((line) => {
    const parsed = parseSegmentDocument(line);
    if (!parsed.ok) throw new Error(`fixture line does not parse: ${parsed.message}`);
    return parsed.doc;
  });
}

export function scenarioTraceId(label: string): string {
  const index = JSON.parse(fixtureText('xray-sdk-node/scenario-trace-index.json')) as Record<string, string>;
  const id = index[label];
  if (!id) throw new Error(`no scenario ${label}`);
  return id;
}

/** One assembler per trace id, documents added in the given order. */
export function assembleAll(docs: SegmentDocument[]): Map<string, TraceAssembler> {
  const traces = new Map<string, TraceAssembler>();
  for (const doc of docs) {
    const id = doc.trace_id as string;
    let assembler = traces.get(id);
    if (!assembler) traces.set(id, (assembler = new TraceAssembler(id)));
    assembler.add(doc);
  }
  return traces;
}

/** The merged segments of one scenario's trace, from all fixture documents in capture order. */
export function scenarioSegments(label: string): SegmentDocument[] {
  const id = scenarioTraceId(label);
  const assembler = new TraceAssembler(id);
  for (const doc of sdkDocuments()) if (doc.trace_id === id) assembler.add(doc);
  return assembler.segments();
}

/** The first (sub)segment called `name` anywhere below `segments`. */
export function findByName(segments: SegmentDocument[], name: string): SegmentDocument {
  const stack = [...segments];
  while (stack.length) {
    const doc = stack.pop() as SegmentDocument;
    if (doc.name === name) return doc;
    stack.push(...(doc.subsegments ?? []));
  }
  throw new Error(`no ${name}`);
}

export { seededRandom } from '../../support/seededRandom';

export function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
