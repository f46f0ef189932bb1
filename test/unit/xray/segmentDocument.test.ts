import * as assert from 'assert';
import { MAX_JSON_DEPTH, MAX_SUBSEGMENT_DEPTH, parseSegmentDocument, validateSegmentDocument } from '../../../src/xray/segmentDocument';
import type { DocumentParseResult, RejectReason } from '../../../src/xray/segmentDocument';
import { fixtureLines, fixtureText, sdkDocumentLines } from './fixtureData';

const minimal = fixtureLines('public/segment-document-examples.awsdocs-xray-api-segmentdocuments.ndjson')
  .map((l) => JSON.parse(l) as { example: string; document: Record<string, unknown> })
  .find((e) => e.example === 'Minimal complete segment')?.document as Record<string, unknown>;

function rejected(result: DocumentParseResult): { reason: RejectReason; message: string } {
  assert.strictEqual(result.ok, false, 'expected a rejection');
  return result as { ok: false; reason: RejectReason; message: string };
}

/** The minimal public example with some fields replaced (undefined deletes). */
function variant(changes: Record<string, unknown>): string {
  const doc: Record<string, unknown> = { ...minimal };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete doc[k];
    else doc[k] = v;
  }
  return JSON.stringify(doc);
}

suite('segmentDocument: real documents parse', () => {
  test('every SDK payload parses and keeps every field it had', () => {
    const lines = sdkDocumentLines();
    assert.strictEqual(lines.length, 948);
    for (const line of lines) {
      const result = parseSegmentDocument(line);
      assert.ok(result.ok, `rejected: ${result.ok ? '' : result.message}`);
      assert.deepStrictEqual(result.doc, JSON.parse(line), 'unknown fields are kept, nothing is dropped');
    }
  });

  test('every raw datagram parses once the header line is stripped', () => {
    const samples = fixtureLines('xray-sdk-node/udp-datagrams-raw-samples.ndjson').map(
      (l) => JSON.parse(l) as { label: string; trace_id: string; raw: string },
    );
    assert.strictEqual(samples.length, 17);
    for (const sample of samples) {
      const newline = sample.raw.indexOf('\n');
      assert.deepStrictEqual(JSON.parse(sample.raw.slice(0, newline)), { format: 'json', version: 1 });
      const result = parseSegmentDocument(sample.raw.slice(newline + 1));
      assert.ok(result.ok, `${sample.label}: ${result.ok ? '' : result.message}`);
      assert.strictEqual(result.doc.trace_id, sample.trace_id, sample.label);
    }
  });

  test('public examples: top-level ones validate, embedded-subsegment ones are rejected for lacking trace_id', () => {
    const examples = fixtureLines('public/segment-document-examples.awsdocs-xray-api-segmentdocuments.ndjson').map(
      (l) => JSON.parse(l) as { example: string; document: Record<string, unknown> },
    );
    assert.strictEqual(examples.length, 6);
    for (const { example, document } of examples) {
      const result = validateSegmentDocument(document);
      if (typeof document.trace_id === 'string') {
        assert.ok(result.ok, `${example}: ${result.ok ? '' : result.message}`);
      } else {
        // The doc's subsegment examples are fragments meant to sit inside a segment.
        assert.deepStrictEqual(rejected(result), { ok: false, reason: 'missing-field', message: '"trace_id" is required' });
        const wrapped = validateSegmentDocument({ ...minimal, subsegments: [document] });
        assert.ok(wrapped.ok, `${example} embedded: ${wrapped.ok ? '' : wrapped.message}`);
      }
    }
  });

  test('public BatchGetTraces Documents (JSON strings) all parse, inferred segments included', () => {
    const response = JSON.parse(fixtureText('public/BatchGetTraces.awsdocs-xray-api-gettingdata.json')) as {
      Traces: { Id: string; Segments: { Id: string; Document: string }[] }[];
    };
    const docs = response.Traces.flatMap((t) => t.Segments);
    assert.strictEqual(docs.length, 5);
    let inferred = 0;
    for (const s of docs) {
      const result = parseSegmentDocument(s.Document);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.strictEqual(result.doc.id, s.Id);
      if (result.doc.inferred) inferred++;
    }
    assert.strictEqual(inferred, 2);
  });

  test('the in-progress public example is valid without end_time; the same without in_progress is not', () => {
    assert.ok(parseSegmentDocument(variant({ end_time: undefined, in_progress: true })).ok);
    assert.deepStrictEqual(rejected(parseSegmentDocument(variant({ end_time: undefined }))), {
      ok: false,
      reason: 'missing-field',
      message: '"end_time" is required unless "in_progress" is true',
    });
  });
});

suite('segmentDocument: each reject reason from a concrete document', () => {
  const cases: { name: string; text: string; reason: RejectReason; message: string | RegExp }[] = [
    { name: 'truncated JSON', text: variant({}).slice(0, 40), reason: 'invalid-json', message: /^not valid JSON: / },
    { name: 'an array', text: `[${variant({})}]`, reason: 'not-an-object', message: 'a segment document must be a JSON object, got an array of 1' },
    { name: 'null', text: 'null', reason: 'not-an-object', message: 'a segment document must be a JSON object, got null' },
    { name: 'no name', text: variant({ name: undefined }), reason: 'missing-field', message: '"name" is required' },
    { name: 'id not hex', text: variant({ id: 'xyz' }), reason: 'bad-id', message: '"id" must be 16 hex digits, got "xyz"' },
    { name: 'id 15 digits', text: variant({ id: '70de5b6f19ff9a0' }), reason: 'bad-id', message: '"id" must be 16 hex digits, got "70de5b6f19ff9a0"' },
    {
      name: 'trace id with a bad epoch part',
      text: variant({ trace_id: '1-581cf77g-a006649127e371903a2de979' }),
      reason: 'bad-trace-id',
      message: '"trace_id" must look like 1-<8 hex>-<24 hex>, got "1-581cf77g-a006649127e371903a2de979"',
    },
    { name: 'parent_id a number', text: variant({ parent_id: 12 }), reason: 'bad-parent-id', message: '"parent_id" must be 16 hex digits, got 12' },
    {
      name: 'independent subsegment without parent_id',
      text: variant({ type: 'subsegment' }),
      reason: 'missing-field',
      message: '"parent_id" is required',
    },
    { name: 'start_time a string', text: variant({ start_time: '1478293361.271' }), reason: 'bad-time', message: '"start_time" must be a finite number of epoch seconds, got "1478293361.271"' },
    {
      name: 'end before start',
      text: variant({ end_time: 1478293361 }),
      reason: 'bad-time',
      message: '"end_time" must not be before "start_time" (1478293361.271), got 1478293361',
    },
    {
      name: 'start_time far past any plausible epoch',
      text: variant({ start_time: 1e20 }),
      reason: 'bad-time',
      message: '"start_time" must be epoch seconds from 0 to 10000000000 (the year 2286), got 100000000000000000000',
    },
    { name: 'start_time negative', text: variant({ start_time: -1 }), reason: 'bad-time', message: /^"start_time" must be epoch seconds from 0 to/ },
    { name: 'start_time in milliseconds', text: variant({ start_time: 1478293361271, end_time: 1478293361272 }), reason: 'bad-time', message: /^"start_time" must be epoch seconds/ },
    { name: 'end_time far in the future', text: variant({ end_time: 1e10 }), reason: 'bad-time', message: /^"end_time" must be epoch seconds from 0 to 10000000000/ },
    { name: 'fault as a string', text: variant({ fault: 'true' }), reason: 'bad-field-type', message: '"fault" must be a boolean, got "true"' },
    { name: 'http as a string', text: variant({ http: 'GET /' }), reason: 'bad-field-type', message: '"http" must be an object, got "GET /"' },
    {
      name: 'annotation value an object',
      text: variant({ annotations: { ok: 1, nested: { a: 1 } } }),
      reason: 'bad-field-type',
      message: '"annotations.nested" must be a string, number or boolean, got an object',
    },
    {
      name: 'cause.exceptions not an array',
      text: variant({ cause: { exceptions: {} } }),
      reason: 'bad-field-type',
      message: '"cause.exceptions" must be an array, got an object',
    },
    {
      name: 'bad id deep in embedded subsegments',
      text: variant({ subsegments: [{ ...minimal, trace_id: undefined, subsegments: [{ name: 'x', id: 'nothex!!nothex!!', start_time: 1, end_time: 2 }] }] }),
      reason: 'bad-id',
      message: 'subsegments[0].subsegments[0]: "id" must be 16 hex digits, got "nothex!!nothex!!"',
    },
    {
      name: 'a subsegment that is not an object',
      text: variant({ subsegments: [null] }),
      reason: 'not-an-object',
      message: 'subsegments[0]: must be an object, got null',
    },
  ];
  for (const c of cases) {
    test(`${c.reason}: ${c.name}`, () => {
      const r = rejected(parseSegmentDocument(c.text));
      assert.strictEqual(r.reason, c.reason);
      if (typeof c.message === 'string') assert.strictEqual(r.message, c.message);
      else assert.match(r.message, c.message);
    });
  }

  test(`too-deep: subsegments nested ${MAX_SUBSEGMENT_DEPTH + 1} levels; ${MAX_SUBSEGMENT_DEPTH} is fine`, () => {
    const nest = (levels: number) => {
      let doc: Record<string, unknown> = { name: 'leaf', id: '0123456789abcdef', start_time: 1, end_time: 2 };
      for (let i = 0; i < levels; i++) doc = { name: `l${i}`, id: '0123456789abcdef', start_time: 1, end_time: 2, subsegments: [doc] };
      return JSON.stringify({ ...minimal, subsegments: [doc] });
    };
    assert.ok(parseSegmentDocument(nest(MAX_SUBSEGMENT_DEPTH - 1)).ok);
    const r = rejected(parseSegmentDocument(nest(MAX_SUBSEGMENT_DEPTH)));
    assert.strictEqual(r.reason, 'too-deep');
    assert.match(r.message, new RegExp(`"subsegments" nest deeper than ${MAX_SUBSEGMENT_DEPTH} levels$`));
  });

  test('times up to just below 1e10 s are fine, 0 included', () => {
    assert.ok(parseSegmentDocument(variant({ start_time: 0, end_time: 9_999_999_999.999 })).ok);
  });

  /** `levels` arrays, one inside the other, built without recursion. */
  const nested = (levels: number): unknown => {
    let v: unknown = [];
    for (let i = 1; i < levels; i++) v = [v];
    return v;
  };

  test(`too-deep: a document may nest objects and arrays ${MAX_JSON_DEPTH} levels, in any field`, () => {
    // document (1) → metadata (2) → namespace (3) → value: levels 4..MAX_JSON_DEPTH are fine.
    const atLimit = variant({ metadata: { ns: { k: nested(MAX_JSON_DEPTH - 3) } } });
    assert.ok(parseSegmentDocument(atLimit).ok);
    const r = rejected(parseSegmentDocument(variant({ metadata: { ns: { k: nested(MAX_JSON_DEPTH - 2) } } })));
    assert.strictEqual(r.reason, 'too-deep');
    assert.strictEqual(r.message, `"metadata" nests objects and arrays deeper than the ${MAX_JSON_DEPTH} levels a document may have`);
    for (const field of ['metadata', 'aws', 'sql', 'http', 'annotations', 'cause', 'service', 'precursor_ids', 'some_unknown_field']) {
      // Built as text: JSON.stringify itself overflows on such a value.
      const text = variant({ [field]: { a: '@deep' } }).replace('"@deep"', `${'['.repeat(20_000)}${']'.repeat(20_000)}`);
      const fromText = rejected(parseSegmentDocument(text));
      assert.strictEqual(fromText.reason, 'too-deep', field);
      assert.match(fromText.message, new RegExp(`^"${field}" nests objects and arrays deeper`));
      assert.strictEqual(rejected(validateSegmentDocument(JSON.parse(text))).reason, 'too-deep', `${field}, validated as a value`);
    }
  });

  test('too-deep: the levels count from the top, so a deep subsegment has fewer left for its fields', () => {
    // The leaf sits 11 subsegments down, at level 1 + 2 * 11 = 23; its aws block is level 24.
    const nestAt11 = (awsLevels: number) => {
      let doc: Record<string, unknown> = { name: 'leaf', id: '0123456789abcdef', start_time: 1, end_time: 2, aws: { a: nested(awsLevels - 1) } };
      for (let i = 0; i < 10; i++) doc = { name: `l${i}`, id: '0123456789abcdef', start_time: 1, end_time: 2, subsegments: [doc] };
      return { ...minimal, subsegments: [doc] };
    };
    assert.ok(validateSegmentDocument(nestAt11(MAX_JSON_DEPTH - 23)).ok);
    const r = rejected(validateSegmentDocument(nestAt11(MAX_JSON_DEPTH - 22)));
    assert.strictEqual(r.reason, 'too-deep');
    assert.match(r.message, /^subsegments\[0\]\.subsegments\[0\]\..*\.subsegments\[0\]: "aws" nests objects and arrays deeper/);
  });

  test('too-deep: a value that refers to itself (never from text) is refused, not walked forever', () => {
    const ns: Record<string, unknown> = {};
    ns.self = ns;
    assert.strictEqual(rejected(validateSegmentDocument({ ...minimal, metadata: { ns } })).reason, 'too-deep');
    const seg: Record<string, unknown> = { ...minimal };
    seg.subsegments = [{ name: 'loop', id: '0123456789abcdef', start_time: 1, end_time: 2, aws: seg }];
    assert.strictEqual(rejected(validateSegmentDocument(seg)).reason, 'too-deep');
  });

  test('a hostile huge value is clipped in the message', () => {
    const huge = 'z'.repeat(1_000_000);
    const r = rejected(parseSegmentDocument(variant({ id: huge })));
    assert.strictEqual(r.reason, 'bad-id');
    assert.ok(r.message.length < 200, `message is ${r.message.length} chars`);
    assert.ok(r.message.includes('(1000000 chars)'));
  });
});
