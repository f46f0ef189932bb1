// Shared by the function-range, mapping and index tests: where the grammars are, and a large generated file.
import * as path from 'path';

/** The grammars as @vscode/tree-sitter-wasm installs them. */
export const WASM_DIR = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));

/** A TypeScript module of `lines` lines: classes of traced methods, as a large service file looks. */
export function generatedModule(lines: number): string {
  const out: string[] = ["import * as AWSXRay from 'aws-xray-sdk-core';"];
  let n = 0;
  while (out.length < lines - 10) {
    out.push(`export class Service${n} {`);
    for (let m = 0; m < 4; m++, n++) {
      out.push(`  async method${n}(input: string): Promise<number> {`);
      out.push(`    return AWSXRay.captureAsyncFunc('op-${n}', async (sub) => {`);
      out.push(`      const value = input.length * ${n};`);
      out.push(`      sub?.close();`);
      out.push(`      return value;`);
      out.push('    });');
      out.push('  }');
    }
    out.push('}');
    out.push('');
  }
  while (out.length < lines) out.push(`// padding ${out.length}`);
  return out.join('\n');
}
