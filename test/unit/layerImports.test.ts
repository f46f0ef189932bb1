// The lint rules that keep the layers apart, run through ESLint's Node API on planted files (text only, nothing is
// written): a back-import from src/xray into src/code fails, at any depth and in any import form; the imports the
// layers are allowed pass. eslint.config.mjs says which folder may import which.
import * as assert from 'assert';
import { ESLint } from 'eslint';
import * as path from 'path';

const ROOT = path.join(__dirname, '../../..');

suite('layer imports (eslint.config.mjs)', () => {
  let eslint: ESLint;
  suiteSetup(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  /** The rules that report an error on `text` as if it were the file `filePath`. */
  async function errors(filePath: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath });
    assert.ok(result && !result.messages.some((m) => m.fatal), JSON.stringify(result?.messages));
    return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
  }

  /** Each planted file gets exactly one error from the layer rule, and it matches `message`. */
  async function assertRefused(planted: Array<[string, string]>, message: RegExp): Promise<void> {
    for (const [file, text] of planted) {
      const found = (await errors(file, text)).filter((e) => e.startsWith('layers/'));
      assert.strictEqual(found.length, 1, `${file}: ${text}${found.join('\n')}`);
      assert.match(found[0], message);
    }
  }

  test('src/xray importing src/code is an error, from any depth and in every import form', async () => {
    const planted: Array<[string, string]> = [
      ['src/xray/planted.ts', "import { CodeMapper } from '../code/codeMapping';\nexport const m = CodeMapper;\n"],
      ['src/xray/planted.ts', "import type { LatencyEntry } from '../code/latencyIndex';\nexport type E = LatencyEntry;\n"],
      ['src/xray/planted.ts', "export { resolveFramePath } from '../code/sourceLocation';\n"],
      ['src/xray/planted.ts', "export * from '../code/instrument/instrumentation';\n"],
      ['src/xray/planted.ts', "export const load = () => import('../code/functionRanges');\n"],
      ['src/xray/planted.ts', "export const mapping = require('../code/codeMapping');\n"],
      ['src/xray/planted.ts', "export type L = import('../code/functionRanges').CodeLanguage;\n"],
      ['src/xray/otel/planted.ts', "import { CodeMapper } from '../../code/codeMapping';\nexport const m = CodeMapper;\n"],
    ];
    await assertRefused(planted, /^layers\/imports-within: src\/xray may import only from src\/xray: '[./]+code\/[\w/]+' is src\/code\//);
  });

  test('imports each layer is allowed pass: within itself, and src/code on src/xray', async () => {
    const legal: Array<[string, string]> = [
      ['src/xray/planted.ts', "import type { SegmentDocument } from './model';\nimport * as path from 'path';\nexport type D = SegmentDocument;\nexport const p = path.sep;\n"],
      ['src/xray/otel/planted.ts', "import { isUserFrame } from '../stackFrame';\nexport const f = isUserFrame;\n"],
      ['src/code/planted.ts', "import { walkDocuments } from '../xray/segmentTree';\nimport type { CodeParser } from './functionRanges';\nexport const w = walkDocuments;\nexport type P = CodeParser;\n"],
      ['src/code/instrument/planted.ts', "import type { StackFrame } from '../../xray/model';\nexport { loadCodeParser } from '../functionRanges';\nexport type F = StackFrame;\n"],
      ['src/collector/planted.ts', "export { convertSpanBatches } from '../xray/otel/spanConverter';\n"],
      ['src/sources/planted.ts', "export { parseSegmentDocument } from '../xray/segmentDocument';\n"],
    ];
    for (const [file, text] of legal) assert.deepStrictEqual(await errors(file, text), [], `${file}: ${text}`);
  });

  test('the collector and the sources build on src/xray only: not on src/code, the glue, or each other', async () => {
    const planted: Array<[string, string]> = [
      ['src/collector/planted.ts', "export { LatencyIndex } from '../code/latencyIndex';\n"],
      ['src/collector/planted.ts', "export { createXrayApiSource } from '../sources/xrayApiSource';\n"],
      ['src/sources/planted.ts', "export { CodeMapper } from '../code/codeMapping';\n"],
      ['src/sources/planted.ts', "export * from '../features/traceTree/traceListModel';\n"],
      ['src/code/planted.ts', "export * from '../features/latencyLens/latencyEngine';\n"],
    ];
    await assertRefused(planted, /^layers\/imports-within: src\/(collector|sources|code) may import only from /);
  });

  test('no vscode in src/xray, src/code, src/collector or src/sources', async () => {
    for (const file of ['src/xray/planted.ts', 'src/code/planted.ts', 'src/code/instrument/planted.ts', 'src/collector/planted.ts', 'src/sources/planted.ts']) {
      assert.deepStrictEqual(await errors(file, "import * as vscode from 'vscode';\nexport const w = vscode.window;\n"),
        ['no-restricted-imports: \'vscode\' import is restricted from being used. This layer runs outside VS Code: it must not import vscode.'], file);
    }
  });
});
