import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that run longest, `<project>/<name>`, longest first (measured on 2 cores by `npm
 * test`, each integration worker's files sharing its process; a file missing here only starts
 * later). On a fresh clone, as in CI, Vitest has no timings of earlier runs and orders by file
 * size, which put the longest file last, running alone at the end.
 */
const LONGEST_FIRST = [
  'integration/aws-model-workflow',
  'integration/faults-throttling',
  'integration/hostile-input',
  'integration/api-end-to-end',
  'integration/warm-pool',
  'integration/verify-mount',
  'infra/cfn-lint',
  'infra/recorded-pipeline',
  'integration/provision-workflow',
  'integration/repair-stop',
  'integration/declared-errors-matrix',
  'integration/data-safety',
  'infra/stack-iam',
  'integration/namespace-isolation',
  'integration/cluster-update',
  'integration/declared-errors-workflow',
  'integration/slow-mount-targets',
  'integration/drift-check',
  'integration/error-contract',
  'integration/settle-executions',
  'integration/local-main',
  'integration/repair-api',
  'integration/hostile-logs',
  'integration/faults-kubernetes',
  'integration/ec2-consistency',
  'integration/restore',
  'integration/lifecycle-claims',
  'integration/lifecycle-retain',
  'integration/quotas-api',
  'integration/cli',
  'integration/tenancy-api',
  'integration/lifecycle-cluster-gone',
  'integration/forged-executions',
];

/**
 * The projects in the order their files start: the integration files first, as they are most
 * of the run, then the others, which fill the workers a finishing integration file frees
 * (before, they ran first and the integration files started a minute late, with one worker
 * idle at the end).
 */
const PROJECT_ORDER = ['integration', 'infra', 'unit'];

function projectRank(spec: TestSpecification): number {
  const index = PROJECT_ORDER.indexOf(spec.project.name);
  return index === -1 ? PROJECT_ORDER.length : index;
}

/** A listed file's place in its project; the others after them. */
function rank(spec: TestSpecification): number {
  const name = /([^/\\]+)\.test\.ts$/.exec(spec.moduleId)?.[1] ?? '';
  const index = LONGEST_FIRST.indexOf(`${spec.project.name}/${name}`);
  return index === -1 ? LONGEST_FIRST.length : index;
}

/**
 * The integration files first, then infra, then unit; in each, the known longest files first,
 * then Vitest's order (earlier timings or size). Projects are not interleaved: a worker process
 * that runs another project's file loses the integration files' module state (their warm
 * Lambda environments and role sessions), so no integration file may follow one.
 */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, index) => [spec, index]));
    return [...sorted].sort(
      (a, b) =>
        projectRank(a) - projectRank(b) ||
        rank(a) - rank(b) ||
        (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
  }
}
