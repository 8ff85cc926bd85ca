import { configDefaults, defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longest-first.ts';

/** The one test file that evaluates the integration files' recorded calls: npm run test:iam. */
export const IAM_AS_DEPLOYED = 'test/iam/iam-as-deployed.test.ts';

// Three projects on one pool of workers (two on this 2-core machine; set VITEST_MAX_WORKERS to
// change it). The IAM evaluation of what the integration tests record (test/iam/
// iam-as-deployed.test.ts) runs from vitest.iam.config.ts (npm run test:iam): `npm test` starts
// it once the last integration file has ended (test/support/recordings-complete.ts), beside the
// infra and unit files.
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, IAM_AS_DEPLOYED],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    reporters: [
      'default',
      ['./test/support/project-timing.ts', { timeline: 'test-timeline.json' }],
      './test/support/recordings-complete.ts',
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
        // The synthesized stack, cdk-nag, cfn-lint and the bundles' own checks, and the IAM
        // tests that need no recordings of the integration files (the roles' boundaries, the
        // statements against the SAR, a recorded pipeline of their own). The files of a worker
        // share one module graph, so each configuration is synthesized once per worker
        // (test/infra/synthesize.ts), not once per file.
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts', 'test/iam/**/*.test.ts'],
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
