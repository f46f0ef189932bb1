// The shapes of "Set Up Tracing in This Project": what the glue gives (language, flavour, manifests, the entry
// file, endpoints) and the plan it gets back (edits, new files, dependencies and the command that adds them, notes).
import type { CodeParser } from '../functionRanges';
import type { ProjectFile, ProjectLanguage } from './flavourDetection';
import type { TextEdit, TracingFlavour } from './instrumentTypes';

/** Where the local collector listens; generated code falls back to these when the environment names none. */
export interface CollectorEndpoints {
  /** X-Ray daemon protocol, UDP host:port. */
  daemonAddress: string;
  /** OTLP/HTTP traces URL. */
  otlpHttpEndpoint: string;
}

export const DEFAULT_ENDPOINTS: CollectorEndpoints = {
  daemonAddress: '127.0.0.1:2000',
  otlpHttpEndpoint: 'http://127.0.0.1:4318/v1/traces',
};

export interface SetUpTracingInput {
  language: ProjectLanguage;
  flavour: TracingFlavour;
  /**
   * Files of the workspace folder, paths relative to it with `/`: the manifests and lock files
   * (PROJECT_FILES_GLOB; a lock file's text may be ''), and whatever exists of `setUpFileCandidates(...)`.
   */
  files: readonly ProjectFile[];
  /** The file the program starts from, when known (see entryFileCandidates). */
  entry?: ProjectFile;
  serviceName: string;
  endpoints?: Partial<CollectorEndpoints>;
  /** Tree-sitter, with the grammar of the entry's language loaded (JavaScript/TypeScript and Python entries). */
  parser: CodeParser;
}

export interface FileEdits {
  path: string;
  /** Offsets into that file's text as given in the input. */
  edits: TextEdit[];
}

export interface SetUpTracingPlan {
  language: ProjectLanguage;
  flavour: TracingFlavour;
  /** Nothing to change: the project already has this set-up (edits and newFiles are empty). */
  alreadySetUp: boolean;
  edits: FileEdits[];
  newFiles: ProjectFile[];
  /** Packages to add that the manifests do not list yet (Maven/Gradle: group:artifact). */
  dependencies: string[];
  /** The package manager command that adds them, run in `cwd` (relative to the workspace folder, '' = the folder). */
  install?: { command: string; cwd: string };
  /** Build-file text to paste where there is no command (Maven, Gradle). */
  manifestSnippet?: { file: string; text: string };
  /** What the user still has to know or do, one sentence each. */
  notes: string[];
}

export type LanguagePlanner = (input: SetUpTracingInput, endpoints: CollectorEndpoints) => SetUpTracingPlan;
