// The workspace as the code mapping needs it: every file (relative, `/`), the source files parsed into function
// ranges, and the source maps of compiled .js files. Folders that never hold the user's code are skipped.
import * as fs from 'fs';
import * as path from 'path';
import type { CodeMappingInput } from '../code/codeMapping';
import { languageForFile, type CodeParser, type ParsedCode } from '../code/functionRanges';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode-test', '__pycache__', '.venv', 'venv', 'target', 'bin', 'obj']);
/** Files bigger than this are listed but not parsed (generated bundles). */
const MAX_PARSED_BYTES = 2 * 1024 * 1024;
const MAX_FILES = 200_000;

/** Where the grammars are: dist/tree-sitter beside the bundle, else the package in node_modules (tests, tsc output). */
export function treeSitterDirectory(): string {
  const bundled = path.join(__dirname, 'tree-sitter');
  if (fs.existsSync(path.join(bundled, 'tree-sitter.wasm'))) return bundled;
  // A variable, so that esbuild leaves this resolution (only reached outside the bundle) to run time.
  const wasmPackage = '@vscode/tree-sitter-wasm';
  return path.dirname(require.resolve(wasmPackage));
}

export function readWorkspace(root: string, parser: CodeParser): CodeMappingInput {
  const files: string[] = [];
  const code = new Map<string, ParsedCode>();
  const stack = [''];
  while (stack.length > 0 && files.length < MAX_FILES) {
    const relative = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) stack.push(child);
      } else if (entry.isFile()) {
        files.push(child);
      }
    }
  }
  files.sort();
  for (const file of files) {
    const language = languageForFile(file);
    if (!language || file.endsWith('.d.ts')) continue;
    const full = path.join(root, file);
    if (fs.statSync(full).size > MAX_PARSED_BYTES) continue;
    code.set(file, parser.parse(fs.readFileSync(full, 'utf8'), language));
  }
  const fileSet = new Set(files);
  const sourceMapOf = (file: string): string | undefined => {
    const mapFile = `${file}.map`;
    return fileSet.has(mapFile) ? fs.readFileSync(path.join(root, mapFile), 'utf8') : undefined;
  };
  return { files, code, sourceMapOf };
}
