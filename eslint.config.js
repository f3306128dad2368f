// @ts-check
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const nodeOnlyGlobals = [
  { name: 'Buffer', message: 'Use Uint8Array: this package runs on WebCrypto alone (STYLE §4).' },
  { name: 'process', message: 'No Node globals in runtime-agnostic code (STYLE §4).' },
  { name: 'require', message: 'ESM only.' },
  { name: 'global', message: 'Use globalThis.' },
  { name: '__dirname', message: 'ESM only.' },
]

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      '**/coverage/**',
      '**/.test-results/**',
      '**/.dist-types-check/**',
      'bench/results/**',
      'apps/server/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  // Tests may be loose where strictness only adds noise.
  {
    files: ['**/test/**/*.ts', '**/*.config.ts', 'vitest.shared.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  // Libraries never print (STYLE §6); the CLI is the one place that talks to a terminal.
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/webpush/src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  // Boundaries (STYLE §4): ece imports nothing at all.
  {
    files: ['packages/ece/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.{1,2}/)',
              message: '@pushcraft/ece imports nothing but its own files.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
  // vapid imports jose (subpaths) and nothing else.
  {
    files: ['packages/vapid/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/|jose(/|$))', message: '@pushcraft/vapid imports only jose.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
  // webpush: undici and node:* only in the sender and the CLI; never another package's internals.
  {
    files: ['packages/webpush/src/**/*.ts'],
    ignores: [
      'packages/webpush/src/send.ts',
      'packages/webpush/src/client.ts',
      'packages/webpush/src/cli/**',
      'packages/webpush/src/internal/backend-node.ts',
      'packages/webpush/src/internal/encryption-pool.ts',
      'packages/webpush/src/internal/encryption-worker.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:|undici)',
              message: 'node:* and undici belong in send.ts/client.ts/cli only.',
            },
            {
              regex: '^@pushcraft/[^/]+/',
              message: 'Import other packages by their public entry.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
  // webpush's Node.js crypto backend (the `node` condition of `#backend`, ADR
  // 2026-11-23-node-crypto-backends): node:crypto, ece's types and its own files only.
  {
    files: ['packages/webpush/src/internal/backend-node.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.{1,2}/|node:crypto$|@pushcraft/ece$)',
              message:
                'The Node.js crypto backend imports node:crypto, ece and its own files only.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
  // …and the encryption worker pool (Node.js only, opt-in): node:worker_threads.
  {
    files: [
      'packages/webpush/src/internal/encryption-pool.ts',
      'packages/webpush/src/internal/encryption-worker.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.{1,2}/|node:worker_threads$|@pushcraft/ece$)',
              message: 'The encryption pool imports node:worker_threads, ece and its own files.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
)
