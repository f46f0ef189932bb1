// Golden-file checks shared by the Python, Java, Go and C# instrumentation tests: an edit applied to an input
// under test/fixtures/instrument/<language>/ must equal the expected file beside it (UPDATE_GOLDEN=1 rewrites
// them, to be read before committing), parse without syntax errors, be refused a second time, and its span name
// and code.* values must map back to the wrapped function through the code mapping.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CodeMapper } from '../../../../src/code/codeMapping';
import type { CodeLanguage, CodeParser, SyntaxNode } from '../../../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits, traceableFunctionAt } from '../../../../src/code/instrument/instrumentation';
import type { AnnotationRequest, EditOutcome, TracingFlavour } from '../../../../src/code/instrument/instrumentTypes';
import type { SegmentDocument } from '../../../../src/xray/model';

export const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/instrument');

export interface TraceCase {
  /** Input file under the language's fixture folder. */
  input: string;
  /** Text the cursor is put at the start of (first occurrence). */
  at: string;
  flavour: TracingFlavour;
  /** Expected output under <language>/expected/. */
  expected: string;
  /** The span name the edit must write (the function's name). */
  name: string;
}

export interface AnnotationCase {
  input: string;
  /** The cursor goes at the end of this text. */
  after: string;
  request: Omit<AnnotationRequest, 'style'>;
  expected: string;
}

export function readFixture(language: string, file: string): string {
  return fs.readFileSync(path.join(FIXTURES, language, file), 'utf8');
}

/** Compares with the golden file, or writes it when UPDATE_GOLDEN is set. */
export function assertGolden(language: string, expected: string, actual: string): void {
  const file = path.join(FIXTURES, language, 'expected', expected);
  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  assert.strictEqual(actual, fs.readFileSync(file, 'utf8'), `golden ${language}/expected/${expected}`);
}

export function applied(outcome: EditOutcome, text: string): string {
  assert.ok(outcome.ok, outcome.ok ? '' : `refused: ${outcome.code} ${outcome.reason}`);
  return applyEdits(text, outcome.edits);
}

/** The first ERROR or MISSING node of the text's tree, as "row:column type", or undefined. */
export function syntaxError(parser: CodeParser, text: string, language: CodeLanguage): string | undefined {
  const outcome = parser.withTree(text, language, (root) => {
    if (!root.hasError) return undefined;
    const stack: SyntaxNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop() as SyntaxNode;
      if (node.isError || node.isMissing) return `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.type} ${JSON.stringify(node.text.slice(0, 40))}`;
      for (const c of node.children) if (c) stack.push(c);
    }
    return 'error somewhere';
  });
  assert.ok(outcome.ok);
  return outcome.value;
}

/**
 * Runs one Trace This Function case: golden output, no syntax errors, the function now counts as traced and a
 * second edit is refused, and a subsegment named like the span — with and without the code.* values the edit
 * wrote — maps to that function. Returns the output for language-specific checks.
 */
export function checkTraceCase(parser: CodeParser, language: CodeLanguage, c: TraceCase): string {
  const text = readFixture(language, c.input);
  const offset = text.indexOf(c.at);
  assert.ok(offset >= 0, `${c.at} in ${c.input}`);
  const filePath = `src/${c.input}`;
  const context = { flavour: c.flavour, filePath, style: detectCodeStyle(text) };
  const before = traceableFunctionAt(parser, text, language, offset);
  assert.strictEqual(before?.name, c.name);
  assert.strictEqual(before?.traced, false);
  const output = applied(traceFunctionEdits(parser, text, language, offset, context), text);
  assertGolden(language, c.expected, output);
  assert.strictEqual(syntaxError(parser, output, language), undefined, `${c.expected} parses`);

  const newOffset = output.indexOf(c.at);
  assert.deepStrictEqual(traceableFunctionAt(parser, output, language, newOffset)?.traced, true, 'traced after the edit');
  const again = traceFunctionEdits(parser, output, language, newOffset, { ...context, style: detectCodeStyle(output) });
  assert.deepStrictEqual(again.ok ? 'edited twice' : again.code, 'already-traced');

  assertMapsBack(parser, language, output, filePath, c.name);
  return output;
}

/** A subsegment named like the span maps to the function by its call site (b), and by the code.* values written (d). */
export function assertMapsBack(parser: CodeParser, language: CodeLanguage, output: string, filePath: string, name: string): void {
  const parsed = parser.parse(output, language);
  const mapper = new CodeMapper({ files: [filePath], code: new Map([[filePath, parsed]]) });
  const fn = parsed.functions.find((f) => f.name === name);
  assert.ok(fn, `${name} among ${parsed.functions.map((f) => f.name).join(', ')}`);
  const segment = (subsegment: Record<string, unknown>): SegmentDocument[] => [{
    id: '70de5b6f19ff9a0a', trace_id: '1-5f84c7a1-0123456789abcdef01234567', name: 'service', start_time: 1, end_time: 2,
    subsegments: [{ id: '70de5b6f19ff9a0b', name, start_time: 1, end_time: 1.5, ...subsegment }],
  } as unknown as SegmentDocument];
  const byName = mapper.mapTrace(segment({}))[1];
  assert.strictEqual(byName.match?.fn.name, name, 'mapped by the span name');
  assert.deepStrictEqual(byName.match?.evidence, ['b']);

  const line = Number(/code\.line\.number\W+(\d+)/.exec(output)?.[1]);
  assert.strictEqual(line, fn.nameLine + 1, 'code.line.number is the line of the function name in the edited file');
  assert.ok(output.includes(filePath), 'code.file.path written');
  const metadata = { default: { 'code.function.name': name, 'code.file.path': filePath, 'code.line.number': line } };
  const byCode = mapper.mapTrace(segment({ metadata }))[1];
  assert.strictEqual(byCode.match?.fn.name, name, 'mapped by code.*');
  assert.deepStrictEqual(byCode.match?.evidence, ['b', 'd']);
}

export function checkAnnotationCase(parser: CodeParser, language: CodeLanguage, c: AnnotationCase): string {
  const text = readFixture(language, c.input);
  const at = text.indexOf(c.after);
  assert.ok(at >= 0, `${c.after} in ${c.input}`);
  const outcome = annotationEdits(parser, text, language, at + c.after.length, { ...c.request, style: detectCodeStyle(text) });
  const output = applied(outcome, text);
  assertGolden(language, c.expected, output);
  assert.strictEqual(syntaxError(parser, output, language), undefined, `${c.expected} parses`);
  return output;
}
