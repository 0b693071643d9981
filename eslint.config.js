import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The project's services: no package imports one. */
const SERVICES = ['drafting', 'review', 'publishing', 'relay', 'platform', 'cli'].map(
  (name) => `@newsroom/${name}`,
);
const noService = { group: SERVICES, message: 'A package never imports a service.' };
const noExpress = { name: 'express', message: 'Only service-kit and services use express.' };

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
    // Packages are the layers services are built of: none imports a service, and only
    // service-kit knows express.
    files: [
      'packages/contracts/src/**',
      'packages/event-store/src/**',
      'packages/processing/src/**',
      'packages/messaging/src/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noExpress],
          patterns: [noService],
        },
      ],
    },
  },
  {
    files: [
      'packages/processing/src/**',
      'packages/event-store/src/**',
      'packages/contracts/src/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kafkajs', message: 'Only packages/messaging imports kafkajs.' },
            noExpress,
          ],
          patterns: [noService],
        },
      ],
    },
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
