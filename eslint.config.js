// ESLint flat config: typescript-eslint's type-aware rules catch a forgotten `await next()`
// (no-floating-promises) and async handlers passed where a sync callback is expected.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Folders that hold features: the generic layers (http, ui, storage) must not import them. */
const FEATURES = [
  './src/interactions',
  './src/admin',
  './src/oidc',
  './src/clients',
  './src/resources',
  './src/security',
  './src/accounts',
  './src/cli',
  './src/cluster',
  './src/metrics',
  './src/tracing',
  './src/mfa',
  // Issue 15: the account lifecycle and its email delivery.
  './src/account-centre',
  './src/email',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'test-results/', 'bench/results/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through src/config only.',
        },
      ],
    },
  },
  {
    // Dependencies point one way (docs/architecture.md): no import cycles between files.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The layers of docs/architecture.md: generic code (http, ui) imports no feature, and
      // storage imports nothing above it. A new violation fails `npm test`.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./src/http', './src/ui'],
              from: FEATURES,
              message:
                'src/http and src/ui are generic: have the caller pass what they need (docs/architecture.md).',
            },
            {
              target: './src/ui',
              from: ['./src/http', './src/storage'],
              message: 'src/ui renders pages from data: it reads neither requests nor the store.',
            },
            {
              target: './src/storage',
              from: [
                ...FEATURES,
                './src/http',
                './src/ui',
                './src/app.ts',
                './src/server.ts',
                './src/main.ts',
              ],
              message: 'src/storage imports nothing above it (ports.ts is owned by its callers).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The one browser script (issue 14): the passkey ceremonies on the sign-in pages.
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
        HTMLFormElement: 'readonly',
      },
    },
  },
);
