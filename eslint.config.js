import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'infra/kafka/lib/**',
      'infra/kafka/run/**',
      'infra/postgres/run/**',
      '.data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message: 'Only packages/messaging imports kafkajs.',
            },
          ],
        },
      ],
    },
  },
  {
    // The broker's own tooling (its probe, its benchmark) exercises kafkajs itself.
    files: ['packages/messaging/**', 'bench/kafka*.ts', 'infra/kafka/probe.ts', 'tests/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['packages/domain/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['pg', '@electric-sql/*', 'kafkajs', 'express', 'node:*', 'fs', 'crypto'],
              message: 'The domain is pure: no I/O, time or randomness.',
            },
          ],
        },
      ],
    },
  },
);
