import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The integration files that run longest, longest first (measured on 2 cores; a file missing
 * here only starts later). On a fresh clone, as in CI, Vitest has no timings of earlier runs
 * and orders by file size, which put the longest file last, running alone at the end.
 */
const LONGEST_FIRST = [
  'faults-throttling',
  'aws-model-workflow',
  'hostile-input',
  'provision-workflow',
  'api-end-to-end',
  'repair-stop',
  'settle-executions',
  'namespace-isolation',
  'data-safety',
  'record-lifecycle',
  'cli',
  'drift-check',
  'repair-api',
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
