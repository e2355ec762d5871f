// ESLint finds bugs; Prettier owns layout (eslint-config-prettier, last, turns off every rule the two would fight over).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const tests = ['**/*.spec.ts', '**/*.int-spec.ts', 'libs/testing/**/*.ts'];
// A stray .only or .skip would let a suite pass on a part of itself.
const message = 'Commit no focused or skipped test.';
const focusedOrSkipped = ['it', 'test', 'describe'].flatMap((object) => ['only', 'skip'].map((property) => ({ object, property, message })));
const focusedOrSkippedGlobals = ['fit', 'fdescribe', 'xit', 'xtest', 'xdescribe'].map((name) => ({ name, message }));

export default defineConfig(
  { ignores: ['dist/', 'libs/client/dist/', 'coverage/', '.cache/', 'bench/results/'] },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The type-aware rules that catch real bugs here: a promise nobody awaits, or one handed to code that expects a plain callback.
      // `void promise` stays the way to say "deliberately not awaited".
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A leading underscore marks a parameter an interface makes us take, or a property picked out to be dropped.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: tests,
    rules: {
      // Tests read JSON answers whose shape is the assertion itself.
      '@typescript-eslint/no-explicit-any': 'off',
      // The input contract is about control characters, so tests match them on purpose.
      'no-control-regex': 'off',
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-restricted-globals': ['error', ...focusedOrSkippedGlobals],
    },
  },
  {
    // The examples are plain Node scripts, as a user of the client package would write them.
    files: ['examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setImmediate: 'readonly' } },
  },
  {
    // The audit page's script runs in a browser, as a classic script, with no build step.
    files: ['apps/ledger/src/audit-page/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', fetch: 'readonly', sessionStorage: 'readonly', Node: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    // TypeORM's query() answers `any`; this file's alias for it says the same.
    files: ['libs/ledger/src/rebuild/read-model-rebuild.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
