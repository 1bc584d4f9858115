import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = {
  '@': path.resolve(import.meta.dirname),
  'server-only': path.resolve(import.meta.dirname, 'server/testing/server-only.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: ['./vitest.setup.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // Component tests (*.test.tsx) run in jsdom, named by a `// @vitest-environment jsdom` line at their top.
          include: ['{server,components,app,scripts}/**/*.test.ts', 'components/**/*.test.tsx'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
          setupFiles: ['./vitest.setup.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{server,app,scripts}/**/*.int.test.ts'],
          environment: 'node',
          setupFiles: ['./vitest.setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
