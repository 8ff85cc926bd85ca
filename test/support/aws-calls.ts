import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/bundling.ts';

/**
 * Where the test run records every AWS call the functions make (one JSON-lines file per test
 * process), for test/iam/iam-as-deployed.test.ts to evaluate against the synthesized roles.
 */
export const AWS_CALLS_DIRECTORY = join(PROJECT_ROOT, '.build', 'aws-calls');
