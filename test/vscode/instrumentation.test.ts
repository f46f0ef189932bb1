// The instrumentation commands in a real VS Code, on untitled documents (the workspace, samples/, is never
// touched here, and no file editor asks the latency lens for lenses before its own suite): each command's edit
// equals what the pure module computes for the same text, lands as one undo step, and every refusal leaves the
// text alone; the light bulb offers "Trace This Function 'name'" as a RefactorRewrite action.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { loadCodeParser, type CodeLanguage, type CodeParser } from '../../src/code/functionRanges';
import { applyEdits, detectCodeStyle } from '../../src/code/instrument/codeStyle';
import { annotationEdits, traceFunctionEdits } from '../../src/code/instrument/instrumentation';
import type { TracingFlavour } from '../../src/code/instrument/instrumentTypes';
import { EXTENSION_ID, waitFor } from './sampleApp';

const TRACE = 'xrayLens.traceFunction';
const TRACE_KIND = 'refactor.rewrite.xrayLens.traceFunction';

const JS = `'use strict';

function total(items) {
  let sum = 0;
  for (const item of items) sum += item.price * item.quantity;
  return sum;
}

async function loadCart(id) {
  const cart = await fetchCart(id);
  return cart.items;
}

const LIMIT = 10;

module.exports = { total, loadCart, LIMIT };
`;

const PY = `import json


def parse_order(raw):
    order = json.loads(raw)
    return order["id"]
`;

interface CommandResult {
  ok: boolean;
  code?: string;
  reason?: string;
  warnings?: string[];
}

suite('instrumentation commands in a real VS Code', () => {
  let parser: CodeParser;
  const opened: vscode.TextDocument[] = [];
  const config = () => vscode.workspace.getConfiguration('xrayLens');

  suiteSetup(async function () {
    this.timeout(60000);
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    // The test's own parser from the repository's node_modules, to compute what the commands should write.
    parser = await loadCodeParser(path.join(extension.extensionPath, 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm'), ['javascript', 'python']);
  });

  suiteTeardown(async () => {
    await config().update('instrumentation.flavour', undefined, vscode.ConfigurationTarget.Global);
    for (const document of opened) {
      if (document.isClosed) continue;
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    parser?.dispose();
  });

  /** An untitled document shown in an editor, the cursor on the first occurrence of `at`. */
  async function editorWith(content: string, language: string, at: string): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ language, content });
    opened.push(document);
    const editor = await vscode.window.showTextDocument(document);
    const offset = content.indexOf(at);
    assert.ok(offset >= 0, `"${at}" is not in the text`);
    const position = document.positionAt(offset + 1);
    editor.selection = new vscode.Selection(position, position);
    return editor;
  }

  /** What the pure module writes for Trace This Function on `text` at `at`. */
  function expectedTrace(text: string, language: CodeLanguage, at: string, flavour: TracingFlavour, document: vscode.TextDocument): string {
    const filePath = document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1);
    const outcome = traceFunctionEdits(parser, text, language, text.indexOf(at) + 1, { flavour, filePath, style: detectCodeStyle(text) });
    assert.ok(outcome.ok, `the pure module refused: ${outcome.ok ? '' : outcome.reason}`);
    return applyEdits(text, outcome.edits);
  }

  test('tree-sitter and the edit modules (dist/instrumentEngine.js) load on first use, not at activation', async () => {
    const loaded = () => Object.keys(require.cache).some((file) => /[\\/]dist[\\/]instrumentEngine\.js$/.test(file));
    assert.strictEqual(loaded(), false, 'dist/instrumentEngine.js was loaded before any instrumentation request');
    const editor = await editorWith(JS, 'javascript', 'sum += item');
    const position = editor.selection.active;
    // A light-bulb request (the editor's own, or this one; a newer request cancels an older one) loads it.
    await waitFor('the light bulb\'s request to load it', async () => {
      await Promise.resolve(vscode.commands.executeCommand('vscode.executeCodeActionProvider', editor.document.uri, new vscode.Range(position, position), TRACE_KIND)).catch(() => undefined);
      return loaded();
    });
  });

  test('Trace This Function wraps the function at the cursor in an OpenTelemetry span (the default); one undo restores the text', async () => {
    const editor = await editorWith(JS, 'javascript', 'sum += item');
    const result = await vscode.commands.executeCommand<CommandResult>(TRACE);
    assert.ok(result?.ok, `refused: ${result?.reason}`);
    const text = editor.document.getText();
    assert.strictEqual(text, expectedTrace(JS, 'javascript', 'sum += item', 'opentelemetry', editor.document));
    assert.match(text, /startActiveSpan\('total'/);
    assert.match(text, /'code\.function\.name': 'total'/);
    assert.match(text, /require\('@opentelemetry\/api'\)/);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), JS);
  });

  test('a traced function, a cursor outside any function: refused with a reason, the text unchanged', async () => {
    const editor = await editorWith(JS, 'javascript', 'const cart');
    assert.ok((await vscode.commands.executeCommand<CommandResult>(TRACE))?.ok);
    const traced = editor.document.getText();
    assert.match(traced, /startActiveSpan\('loadCart'/);
    const again = await vscode.commands.executeCommand<CommandResult>(TRACE);
    assert.strictEqual(again?.ok, false);
    assert.strictEqual(again?.code, 'already-traced', again?.reason);
    assert.strictEqual(editor.document.getText(), traced);

    const limit = editor.document.getText().indexOf('const LIMIT');
    editor.selection = new vscode.Selection(editor.document.positionAt(limit), editor.document.positionAt(limit));
    const outside = await vscode.commands.executeCommand<CommandResult>(TRACE);
    assert.strictEqual(outside?.code, 'no-function', outside?.reason);
    assert.ok(outside?.reason, 'a refusal says why');
    assert.strictEqual(editor.document.getText(), traced);
  });

  test('the flavour setting picks the X-Ray SDK: captureFunc / captureAsyncFunc with the code.* metadata', async () => {
    await config().update('instrumentation.flavour', 'xray-sdk', vscode.ConfigurationTarget.Global);
    try {
      const editor = await editorWith(JS, 'javascript', 'const cart');
      assert.ok((await vscode.commands.executeCommand<CommandResult>(TRACE))?.ok);
      const text = editor.document.getText();
      assert.strictEqual(text, expectedTrace(JS, 'javascript', 'const cart', 'xray-sdk', editor.document));
      assert.match(text, /captureAsyncFunc\('loadCart'/);
      assert.match(text, /addMetadata\('code\.function\.name', 'loadCart'\)/);
    } finally {
      await config().update('instrumentation.flavour', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Python: the function is wrapped as the Python module writes it', async () => {
    const editor = await editorWith(PY, 'python', 'order = json');
    const result = await vscode.commands.executeCommand<CommandResult>(TRACE);
    assert.ok(result?.ok, `refused: ${result?.reason}`);
    assert.strictEqual(editor.document.getText(), expectedTrace(PY, 'python', 'order = json', 'opentelemetry', editor.document));
    assert.match(editor.document.getText(), /parse_order/);
  });

  test('the light bulb offers "Trace This Function \'name\'" (RefactorRewrite) in an untraced function only; running it traces', async function () {
    // The first request also waits for the built-in TypeScript service's code actions on the untitled file.
    this.timeout(120000);
    const editor = await editorWith(JS, 'javascript', 'sum += item');
    const uri = editor.document.uri;
    const actionsAt = async (at: string) => {
      const offset = editor.document.getText().indexOf(at) + 1;
      const position = editor.document.positionAt(offset);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(position, position));
      return (actions ?? []).filter((a) => a.title.startsWith('Trace This Function'));
    };
    const [action, ...more] = await actionsAt('sum += item');
    assert.ok(action, 'no Trace This Function action in total');
    assert.strictEqual(more.length, 0);
    assert.strictEqual(action.title, "Trace This Function 'total'");
    assert.ok(action.kind && vscode.CodeActionKind.RefactorRewrite.contains(action.kind), `kind ${action.kind?.value}`);
    assert.deepStrictEqual(await actionsAt('const LIMIT'), [], 'an action outside any function');

    // Asked for quick fixes only (the Problems panel's request), the provider offers nothing.
    const position = editor.document.positionAt(JS.indexOf('sum += item'));
    const quickFixes = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(position, position), vscode.CodeActionKind.QuickFix.value);
    assert.ok(!(quickFixes ?? []).some((a) => a.title.startsWith('Trace This Function')));

    assert.ok(action.command);
    const result = await vscode.commands.executeCommand<CommandResult>(action.command.command, ...(action.command.arguments ?? []));
    assert.ok(result?.ok, result?.reason);
    assert.match(editor.document.getText(), /startActiveSpan\('total'/);
    assert.deepStrictEqual(await actionsAt('sum += item'), [], 'still offered once traced');
  });

  test('Add Annotation: a key X-Ray cannot index is refused; a valid one is written with its value\'s type', async () => {
    const editor = await editorWith(JS, 'javascript', 'return sum');
    const uri = editor.document.uri;
    const at = editor.document.positionAt(JS.indexOf('return sum'));
    const bad = await vscode.commands.executeCommand<CommandResult>('xrayLens.addAnnotation', uri, at, 'order id', '42');
    assert.strictEqual(bad?.code, 'invalid-input');
    assert.match(bad?.reason ?? '', /letters, digits and underscores/);
    assert.strictEqual(editor.document.getText(), JS);

    const good = await vscode.commands.executeCommand<CommandResult>('xrayLens.addAnnotation', uri, at, 'order_count', '42');
    assert.ok(good?.ok, good?.reason);
    const expected = annotationEdits(parser, JS, 'javascript', JS.indexOf('return sum'), { kind: 'annotation', key: 'order_count', value: 42, flavour: 'opentelemetry', style: detectCodeStyle(JS) });
    assert.ok(expected.ok);
    assert.strictEqual(editor.document.getText(), applyEdits(JS, expected.edits));
    assert.match(editor.document.getText(), /setAttribute\('order_count', 42\)/, 'the number is written as a number');
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), JS);
  });

  test('Add Metadata: any key, the value as typed ("true" quoted stays text)', async () => {
    const editor = await editorWith(JS, 'javascript', 'return sum');
    const at = editor.document.positionAt(JS.indexOf('return sum'));
    const result = await vscode.commands.executeCommand<CommandResult>('xrayLens.addMetadata', editor.document.uri, at, 'cart.source', '"true"');
    assert.ok(result?.ok, result?.reason);
    const expected = annotationEdits(parser, JS, 'javascript', JS.indexOf('return sum'), { kind: 'metadata', key: 'cart.source', value: 'true', flavour: 'opentelemetry', style: detectCodeStyle(JS) });
    assert.ok(expected.ok);
    assert.strictEqual(editor.document.getText(), applyEdits(JS, expected.edits));
  });

  test('a file in a language without instrumentation: the commands say so and change nothing', async () => {
    const editor = await editorWith('fn main() {\n    println!("hi");\n}\n', 'rust', 'println');
    const result = await vscode.commands.executeCommand<CommandResult>(TRACE);
    assert.strictEqual(result?.ok, false);
    assert.strictEqual(editor.document.getText(), 'fn main() {\n    println!("hi");\n}\n');
  });
});
