// The heavy half of the instrumentation commands: tree-sitter and the per-language edit modules. Kept free of
// `vscode` so esbuild makes it a bundle of its own (dist/instrumentEngine.js), required on the first command or
// light-bulb request; activation never parses web-tree-sitter. Grammars load one language at a time, on demand,
// from the same dist/tree-sitter/ folder the latency lens reads.
import { languageForFile, loadCodeParser, type CodeLanguage, type CodeParser } from '../../code/functionRanges';
import { detectCodeStyle } from '../../code/instrument/codeStyle';
import type { ProjectLanguage } from '../../code/instrument/flavourDetection';
import { annotationEdits, traceableFunctionAt, traceFunctionEdits } from '../../code/instrument/instrumentation';
import type { AnnotationRequest, EditOutcome, TraceableFunction, TraceFunctionContext } from '../../code/instrument/instrumentTypes';
import { setUpTracingPlan } from '../../code/instrument/setUpTracing';
import type { SetUpTracingInput, SetUpTracingPlan } from '../../code/instrument/setUpTracingTypes';

// The glue's pure helpers come through this lazy module too, so that dist/extension.js carries none of them.
export { annotationKeyProblem, parseAnnotationValue } from '../../code/instrument/instrumentation';
export { detectFlavour, flavourLabel, isManifest, PROJECT_FILES_EXCLUDE, PROJECT_FILES_GLOB } from '../../code/instrument/flavourDetection';
export { entryFileCandidates, setUpFileCandidates } from '../../code/instrument/setUpTracing';

/** The grammar a project language's set-up reads when the entry file's name does not say (TypeScript does). */
const PROJECT_GRAMMAR: Record<ProjectLanguage, CodeLanguage> = { javascript: 'javascript', python: 'python', java: 'java', go: 'go', csharp: 'csharp' };

export class InstrumentEngine {
  private readonly parsers = new Map<CodeLanguage, Promise<CodeParser>>();

  constructor(private readonly wasmDirectory: string) {}

  /** The parser for one language, its grammar loaded on first use. */
  private parser(language: CodeLanguage): Promise<CodeParser> {
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = loadCodeParser(this.wasmDirectory, [language]);
      // A failed load (a missing grammar file) is not cached: the next request tries again.
      parser.catch(() => this.parsers.delete(language));
      this.parsers.set(language, parser);
    }
    return parser;
  }

  async functionAt(text: string, language: CodeLanguage, offset: number): Promise<TraceableFunction | undefined> {
    return traceableFunctionAt(await this.parser(language), text, language, offset);
  }

  async traceFunction(text: string, language: CodeLanguage, offset: number, context: Omit<TraceFunctionContext, 'style'>): Promise<EditOutcome> {
    return traceFunctionEdits(await this.parser(language), text, language, offset, { ...context, style: detectCodeStyle(text) });
  }

  async annotation(text: string, language: CodeLanguage, offset: number, request: Omit<AnnotationRequest, 'style'>): Promise<EditOutcome> {
    return annotationEdits(await this.parser(language), text, language, offset, { ...request, style: detectCodeStyle(text) });
  }

  /** The Set Up Tracing plan, with the grammar of the entry file's language loaded. */
  async setUpTracing(input: Omit<SetUpTracingInput, 'parser'>): Promise<SetUpTracingPlan> {
    const language = (input.entry && languageForFile(input.entry.path)) || PROJECT_GRAMMAR[input.language];
    return setUpTracingPlan({ ...input, parser: await this.parser(language) });
  }

  dispose(): void {
    for (const parser of this.parsers.values()) void parser.then((p) => p.dispose(), () => undefined);
    this.parsers.clear();
  }
}
