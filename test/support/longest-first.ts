import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The integration files that run longest, longest first (measured on 2 cores in a clean-clone
 * CI run; a file missing here only starts later). On a fresh clone, as in CI, Vitest has no
 * timings of earlier runs and orders by file size, which put the longest file last, running
 * alone at the end.
 */
const LONGEST_FIRST = [
  'faults-throttling',
  'aws-model-workflow',
  'hostile-input',
  'api-end-to-end',
  'repair-stop',
  'declared-errors-workflow',
  'provision-workflow',
  'declared-errors-matrix',
  'data-safety',
  'namespace-isolation',
  'slow-mount-targets',
  'record-lifecycle',
  'repair-api',
  'cluster-update',
  'drift-check',
  'settle-executions',
  'cli',
  'quotas-api',
  'lifecycle-retain',
  'tenancy-api',
  'faults-kubernetes',
  'error-contract',
  'hostile-logs',
  'lifecycle-claims',
  'ec2-consistency',
];

function rank(spec: TestSpecification): number {
  const name = /([^/\\]+)\.test\.ts$/.exec(spec.moduleId)?.[1] ?? '';
  const index = LONGEST_FIRST.indexOf(name);
  return index === -1 ? LONGEST_FIRST.length : index;
}

/** Vitest's order (projects, then earlier timings or size), the known longest files first. */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, index) => [spec, index]));
    return [...sorted].sort(
      (a, b) =>
        (a.project.name === b.project.name ? rank(a) - rank(b) : 0) ||
        (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
  }
}
