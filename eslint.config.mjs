// Lint rules. The important ones keep the layers apart: the pure layers never import `vscode`, so they run (and are
// tested) in plain Node and in the command-line collector; and each of them imports only the folders it builds on.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'This layer runs outside VS Code: it must not import vscode.' }],
  }],
};

// Which src folders a layer's relative imports may resolve into (packages are not checked). The direction is
// code → xray, never back: src/xray knows traces and nothing else, src/code (source files: parsing, mapping traces
// to functions, instrumentation edits) builds on it. The collector and the sources build on src/xray too, and on
// nothing else of the extension: not on src/code (they move traces, they do not read the user's code), not on each
// other, not on features/, platform/ or cli/ (the glue and the entry points build on them, not the reverse).
const LAYERS = [
  { layer: 'src/xray', allowed: ['src/xray'] },
  { layer: 'src/code', allowed: ['src/code', 'src/xray'] },
  { layer: 'src/collector', allowed: ['src/collector', 'src/xray'] },
  { layer: 'src/sources', allowed: ['src/sources', 'src/xray'] },
];

// A rule of our own rather than no-restricted-imports patterns: those match the import text, so `../code/x` from
// src/xray and `../../code/x` from src/xray/otel would need a pattern per depth; this one resolves the path.
const importsWithin = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports must resolve inside the folders the layer may import.' },
    schema: [{
      type: 'object',
      properties: { layer: { type: 'string' }, allowed: { type: 'array', items: { type: 'string' } } },
      required: ['layer', 'allowed'],
      additionalProperties: false,
    }],
    messages: { outside: "{{layer}} may import only from {{allowed}}: '{{specifier}}' is {{target}}." },
  },
  create(context) {
    const { layer, allowed } = context.options[0];
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), source.value)).split(path.sep).join('/');
      if (allowed.some((dir) => target === dir || target.startsWith(`${dir}/`))) return;
      context.report({ node: source, messageId: 'outside', data: { layer, allowed: allowed.join(', '), specifier: source.value, target } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSExternalModuleReference: (node) => check(node.expression),
      TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.source),
      'CallExpression[callee.name="require"]': (node) => check(node.arguments[0]),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.e2e/**', 'samples/**', 'test/fixtures/**', 'bench/mapping/apps/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**', 'webview/**', 'test/**'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['src/xray/**', 'src/code/**', 'src/collector/**', 'src/protocol/**', 'src/sources/**', 'src/cli/**', 'webview/**'],
    rules: noVscode,
  },
  { plugins: { layers: { rules: { 'imports-within': importsWithin } } } },
  ...LAYERS.map(({ layer, allowed }) => ({
    files: [`${layer}/**`],
    rules: { 'layers/imports-within': ['error', { layer, allowed }] },
  })),
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
