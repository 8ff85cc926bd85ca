import { defineConfig } from 'vitest/config';

// IAM as deployed: the AWS calls the main suite recorded (.build/aws-calls/*.jsonl), evaluated
// against the synthesized stack's roles. Run after the main suite: `npm run test:iam`.
export default defineConfig({
  test: {
    include: ['test/iam/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One module graph per worker: files that read the same configuration share its synthesis.
    isolate: false,
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    reporters: ['default', ['./test/support/project-timing.ts', { timeline: 'iam-timeline.json' }]],
  },
});
