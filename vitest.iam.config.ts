import { defineConfig } from 'vitest/config';
import { IAM_AS_DEPLOYED } from './vitest.config.ts';

// IAM as deployed: the AWS calls the main suite's integration files recorded
// (.build/aws-calls/*.jsonl), evaluated against the synthesized stack's roles. Run after them:
// `npm run test:iam` (npm test starts it once the last integration file has ended).
export default defineConfig({
  test: {
    include: [IAM_AS_DEPLOYED],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', ['./test/support/project-timing.ts', { timeline: 'iam-timeline.json' }]],
  },
});
