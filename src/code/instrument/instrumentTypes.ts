// The shapes shared by the instrumentation edits: a flavour (which tracing library the code uses), text edits
// as offsets into the original text, and what each language module must provide. Everything here is pure:
// text in, edits out, so the same code runs in the extension host and in plain-Node tests.
import type { CodeLanguage, SyntaxNode } from '../functionRanges';

/** OpenTelemetry (ADOT) — the default, as AWS recommends for new work — or an AWS X-Ray SDK. */
export type TracingFlavour = 'opentelemetry' | 'xray-sdk';

/** Replace [start, end) of the original text (UTF-16 offsets) with newText; edits of one result never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export type EditOutcome =
  | { ok: true; edits: TextEdit[]; warnings: string[] }
  | { ok: false; code: EditRefusal; reason: string };

export type EditRefusal =
  | 'no-function'      // the offset is not inside a function that can be traced
  | 'already-traced'   // the function already has a span/subsegment of its own: wrapping twice is refused
  | 'unsupported'      // a shape this language module does not rewrite (said in reason)
  | 'invalid-input'    // a bad annotation key or value
  | 'parse-failed';    // the text is too large or parsing timed out

/** The style of the file the edit goes into, so inserted code looks like the code around it. */
export interface CodeStyle {
  /** One level of indentation as the file writes it: '\t' or N spaces. */
  indent: string;
  eol: '\n' | '\r\n';
  /** JS/TS only: the quote most string literals use, and whether statements end with semicolons. */
  quote: "'" | '"';
  semicolons: boolean;
}

/** A function the cursor is in, as the commands and the light bulb see it. */
export interface TraceableFunction {
  /** Name for the span/subsegment: `Class.method`, `function`, as the code mapping names it (codeMapping.ts). */
  name: string;
  /** 0-based line of the function's name (for code.line.number, which is 1-based: add 1). */
  nameLine: number;
  /** Offsets of the whole function (decorators included), for the code action's range. */
  start: number;
  end: number;
  /** The function already has its own span/subsegment (wrapped, decorated, or begins one first thing). */
  traced: boolean;
}

export interface TraceFunctionContext {
  flavour: TracingFlavour;
  /** Workspace-relative path with `/` separators, written as code.file.path. */
  filePath: string;
  style: CodeStyle;
}

export interface AnnotationRequest {
  kind: 'annotation' | 'metadata';
  key: string;
  value: string | number | boolean;
  flavour: TracingFlavour;
  style: CodeStyle;
}

/**
 * What each language module implements (javascriptInstrument.ts, pythonInstrument.ts, javaInstrument.ts,
 * goInstrument.ts, csharpInstrument.ts). `root` is the tree of `text`; nodes must not be kept after returning.
 */
export interface LanguageInstrumenter {
  languages: readonly CodeLanguage[];
  /** The innermost traceable function containing `offset`, or undefined. */
  functionAt(root: SyntaxNode, text: string, offset: number): TraceableFunction | undefined;
  /** Wraps the function at `offset` in a span/subsegment named after it, adding imports it needs. */
  traceFunction(root: SyntaxNode, text: string, offset: number, context: TraceFunctionContext): EditOutcome;
  /** Inserts the flavour's annotation/metadata call on the current span/segment at the line of `offset`. */
  addAnnotation(root: SyntaxNode, text: string, offset: number, request: AnnotationRequest): EditOutcome;
  /** Annotation keys the function at `offset` already sets (for the 50-indexed-annotations warning). */
  annotationKeysIn(root: SyntaxNode, text: string, offset: number): string[];
}
