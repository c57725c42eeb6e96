// Lint rules for every project, and the module boundaries of the monorepo:
// apps import libs, libs import no app and no other lib's internals, the agent never imports the store.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noAppImports = {
  group: ['@imagelib/controller', '@imagelib/agent', '**/apps/**'],
  message: 'libs must not import apps',
};
const noDeepImports = {
  group: ['@imagelib/*/src/**', '@imagelib/*/dist/**'],
  message: 'import a lib through its package entry point',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/proto/src/generated/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [noDeepImports] }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepImports, noAppImports] }] },
  },
  {
    files: ['apps/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noDeepImports,
            { group: ['@imagelib/store', 'typeorm', 'better-sqlite3', '@imagelib/controller'], message: 'the agent never touches the controller\'s store or code' },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/controller/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepImports, { group: ['@imagelib/agent'], message: 'the controller does not import the agent' }] }] },
  },
);
