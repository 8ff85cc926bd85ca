import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestModule, TestSpecification } from 'vitest/node';

/** The variable naming the file this reporter writes; unset, it writes nothing. */
export const RECORDINGS_COMPLETE_VARIABLE = 'RECORDINGS_COMPLETE';

/**
 * Says when the integration files' AWS call recordings are complete: once the last integration
 * file of the run has ended, it writes the file RECORDINGS_COMPLETE names (with how many files
 * ended). `npm test` (scripts/test.ts) waits for it to start the IAM evaluation of those
 * recordings (npm run test:iam) beside the infra and unit files, which follow the integration
 * files and need no recordings. A run without integration files never writes it.
 */
export default class RecordingsComplete implements Reporter {
  /** The run's integration files, and how many of them ended. */
  #files = 0;
  #ended = 0;

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.#files = specifications.filter((spec) => spec.project.name === 'integration').length;
    this.#ended = 0;
  }

  onTestModuleEnd(module: TestModule): void {
    if (module.project.name !== 'integration') return;
    this.#ended++;
    const file = process.env[RECORDINGS_COMPLETE_VARIABLE];
    if (this.#ended !== this.#files || !file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${this.#ended} integration files ended\n`);
  }
}
