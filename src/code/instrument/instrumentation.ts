// Entry points of the instrumentation edits: find the function at a position, wrap it in a span/subsegment,
// insert an annotation or metadata call. Each parses the text once and dispatches to the language's module.
import type { CodeLanguage, CodeParser } from '../functionRanges';
import { csharpInstrumenter } from './csharpInstrument';
import { goInstrumenter } from './goInstrument';
import type { AnnotationRequest, EditOutcome, LanguageInstrumenter, TraceableFunction, TraceFunctionContext } from './instrumentTypes';
import { javaInstrumenter } from './javaInstrument';
import { javascriptInstrumenter } from './javascriptInstrument';
import { pythonInstrumenter } from './pythonInstrument';

/** X-Ray indexes at most 50 annotations per trace; more are dropped by the service. */
export const MAX_ANNOTATIONS = 50;

const INSTRUMENTERS: readonly LanguageInstrumenter[] = [javascriptInstrumenter, pythonInstrumenter, javaInstrumenter, goInstrumenter, csharpInstrumenter];

function instrumenterFor(language: CodeLanguage): LanguageInstrumenter {
  const found = INSTRUMENTERS.find((i) => i.languages.includes(language));
  if (!found) throw new Error(`no instrumentation for ${language}`);
  return found;
}

const PARSE_FAILED = (why: string): EditOutcome => ({ ok: false, code: 'parse-failed', reason: why === 'too-large' ? 'The file is too large to edit safely.' : 'Parsing the file took too long.' });

/** The innermost traceable function around `offset` (for the light bulb and the commands), or undefined. */
export function traceableFunctionAt(parser: CodeParser, text: string, language: CodeLanguage, offset: number): TraceableFunction | undefined {
  const outcome = parser.withTree(text, language, (root) => instrumenterFor(language).functionAt(root, text, offset));
  return outcome.ok ? outcome.value : undefined;
}

export function traceFunctionEdits(parser: CodeParser, text: string, language: CodeLanguage, offset: number, context: TraceFunctionContext): EditOutcome {
  const outcome = parser.withTree(text, language, (root) => instrumenterFor(language).traceFunction(root, text, offset, context));
  return outcome.ok ? outcome.value : PARSE_FAILED(outcome.incomplete);
}

/**
 * X-Ray annotation keys: letters, digits and underscores only — other keys are dropped from the index and
 * cannot be used in filter expressions. Returns why a key is refused, or undefined when it is fine.
 */
export function annotationKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'An annotation key cannot be empty.';
  if (key.length > 500) return 'An annotation key can be at most 500 characters.';
  if (!/^[A-Za-z0-9_]+$/.test(key)) return 'Annotation keys may contain only letters, digits and underscores (X-Ray filter expressions cannot use other keys).';
  return undefined;
}

/** The value a user typed: true/false → boolean, a finite number → number, "quoted" → that string, else the text. */
export function parseAnnotationValue(input: string): string | number | boolean {
  const t = input.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && Number.isFinite(Number(t))) return Number(t);
  const quoted = /^"(.*)"$/s.exec(t) ?? /^'(.*)'$/s.exec(t);
  return quoted ? quoted[1] : input;
}

/**
 * Inserts an annotation or metadata call at `offset`. Refuses invalid annotation keys; warns when the
 * function would set more than MAX_ANNOTATIONS distinct annotation keys.
 */
export function annotationEdits(parser: CodeParser, text: string, language: CodeLanguage, offset: number, request: AnnotationRequest): EditOutcome {
  if (request.kind === 'annotation') {
    const problem = annotationKeyProblem(request.key);
    if (problem) return { ok: false, code: 'invalid-input', reason: problem };
  } else if (request.key.trim() === '') {
    return { ok: false, code: 'invalid-input', reason: 'A metadata key cannot be empty.' };
  }
  const outcome = parser.withTree(text, language, (root) => {
    const instrumenter = instrumenterFor(language);
    const result = instrumenter.addAnnotation(root, text, offset, request);
    if (!result.ok || request.kind !== 'annotation') return result;
    const keys = new Set(instrumenter.annotationKeysIn(root, text, offset));
    keys.add(request.key);
    if (keys.size > MAX_ANNOTATIONS) {
      return { ...result, warnings: [...result.warnings, `This function now sets ${keys.size} annotations; X-Ray indexes at most ${MAX_ANNOTATIONS} per trace and drops the rest.`] };
    }
    return result;
  });
  return outcome.ok ? outcome.value : PARSE_FAILED(outcome.incomplete);
}
