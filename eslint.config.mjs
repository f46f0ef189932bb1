// Lint rules. The important one: the pure layers never import `vscode`, so they run (and are tested) in
// plain Node and in the command-line collector.
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'This layer runs outside VS Code: it must not import vscode.' }],
  }],
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
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
