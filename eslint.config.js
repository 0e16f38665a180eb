// Type-aware lint. Module boundaries follow docs/architecture.md: protocol imports nothing of
// ours; the client SDK imports only protocol; the web UI (later) imports only client + protocol.
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'packages/*/dist/**', 'coverage/**', 'test-output/**', 'bin/**', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-cycle': 'error',
      'max-params': ['error', 4],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**', '**/client/**', '**/cli/**', 'better-sqlite3', 'pino'], message: 'protocol is pure: it imports nothing of ours and does no I/O' }] },
      ],
    },
  },
  {
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**', '**/cli/**', 'better-sqlite3', 'pino'], message: 'the SDK talks HTTP only and depends on protocol alone' }] },
      ],
    },
  },
  {
    files: ['src/models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**', '**/client/**', '**/cli/**', 'better-sqlite3', 'pino'], message: 'models is the shared model format: it imports protocol and npm packages only' }] },
      ],
    },
  },
  {
    files: ['packages/web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**', '**/cli/**', 'better-sqlite3', 'pino', 'node:*'], message: 'the web UI talks HTTP only: it imports client and protocol, never the server' }] },
      ],
    },
  },
  {
    // import-x cannot load a resolver for Vite's config files; they import nothing of ours.
    files: ['packages/web/*.config.ts'],
    rules: { 'import-x/no-cycle': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'packages/web/e2e/**/*.ts', '**/*.contract.ts', 'src/**/test-support/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      'max-params': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
)
