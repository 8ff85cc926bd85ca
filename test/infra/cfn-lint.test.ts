import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURED, type SynthesizedStack, synthesize } from './synthesize.ts';

const run = promisify(execFile);

/** One cfn-lint finding, as `--format json` prints it. */
interface LintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/**
 * Runs the cfn-lint binary on a template. Its exit code is a bit mask (2 errors, 4 warnings,
 * 8 informational), so a non-zero exit is normal: the JSON on stdout says what was found.
 */
async function cfnLint(templatePath: string): Promise<LintMatch[]> {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', templatePath], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout || '[]') as LintMatch[];
  } catch (error) {
    const failure = error as { code?: number | string; stdout?: string };
    if (failure.code === 'ENOENT')
      throw new Error('cfn-lint is not installed (pip install cfn-lint)');
    if (
      typeof failure.code === 'number' &&
      (failure.code & 1) === 0 &&
      failure.stdout !== undefined
    ) {
      return JSON.parse(failure.stdout || '[]') as LintMatch[];
    }
    throw error;
  }
}

let templates: Record<string, SynthesizedStack>;

beforeAll(() => {
  templates = {
    'the default configuration': synthesize(),
    'every option on (clusters, private endpoint, EFS key)': synthesize({ config: CONFIGURED }),
  };
});

describe('the synthesized template', () => {
  it.each(['the default configuration', 'every option on (clusters, private endpoint, EFS key)'])(
    'passes cfn-lint without errors with %s',
    async (name) => {
      // Prepare
      const synthesized = templates[name];
      if (!synthesized) throw new Error(`no template ${name}`);

      // Act
      const matches = await cfnLint(synthesized.templatePath);

      // Assess
      const errors = matches
        .filter((match) => match.Level === 'Error')
        .map((match) => `${match.Rule.Id} ${match.Location.Path.join('/')}: ${match.Message}`);
      expect(errors).toEqual([]);
    },
  );
});
