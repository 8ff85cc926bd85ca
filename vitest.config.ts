import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Evaluates what this suite records: run after it, by vitest.iam.config.ts (npm run test:iam).
    exclude: [...configDefaults.exclude, 'test/iam/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/aws-environment.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
