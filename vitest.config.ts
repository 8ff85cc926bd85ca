import { configDefaults, defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longest-first.ts';

// Three projects on one pool of workers (two on this 2-core machine; set VITEST_MAX_WORKERS to
// change it). The IAM evaluation of what the integration tests record runs after them, from
// vitest.iam.config.ts (npm run test:iam).
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test/iam/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    reporters: [
      'default',
      ['./test/support/project-timing.ts', { timeline: 'test-timeline.json' }],
    ],
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        // Pure logic with stubbed clients: threads, no AWS emulator, no bundles.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/fixtures/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
          setupFiles: ['test/support/base-environment.ts', 'test/support/unit-environment.ts'],
        },
      },
      {
        // The synthesized stack, cdk-nag, cfn-lint and the bundles' own checks. The files of a
        // worker share one module graph, so each configuration is synthesized once per worker
        // (test/infra/synthesize.ts), not once per file.
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
          setupFiles: ['test/support/base-environment.ts'],
        },
      },
      {
        // The bundles that deploy, run by local mode against a moto per worker, emptied per file.
        // A worker's files share its process, so the functions' execution environments stay
        // warm from file to file (test/support/aws-environment.ts).
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/base-environment.ts', 'test/support/aws-environment.ts'],
        },
      },
    ],
  },
});
