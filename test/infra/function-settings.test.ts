import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { missingSettings, stackEnvironmentProblems } from '../../infra/function-settings.ts';
import { ServiceFunction } from '../../infra/service-function.ts';
import { CONFIGURED, logicalIdOf, type SynthesizedStack, synthesize } from './synthesize.ts';

/** Each Lambda of a synthesized stack with the catalog entry of its handler and its variables. */
function functionEnvironments(synthesized: SynthesizedStack) {
  return synthesized.stack.node
    .findAll()
    .filter((construct): construct is ServiceFunction => construct instanceof ServiceFunction)
    .map((fn) => {
      const entry = FUNCTION_CATALOG.find((candidate) => candidate.entry === fn.entry);
      if (!entry)
        throw new Error(`${fn.entry} is in the stack but not in infra/function-catalog.ts`);
      const properties =
        synthesized.resources[logicalIdOf(synthesized.stack, fn.function)]?.Properties;
      const environment = (properties?.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      return { fn: entry, environment: environment ?? {} };
    });
}

describe.each([
  ['the default configuration', {}],
  ['every optional setting on', CONFIGURED],
])("the stack's function environments, with %s", (_, config) => {
  let synthesized: SynthesizedStack;

  beforeAll(() => {
    synthesized = synthesize({ config });
  });

  it('set only declared settings, for their readers, and every setting the stack must set', () => {
    // Prepare
    const functions = functionEnvironments(synthesized);

    // Act
    const problems = functions.flatMap(({ fn, environment }) =>
      stackEnvironmentProblems(fn, environment),
    );

    // Assess (each problem says what to declare in functions/lib/settings.ts or set in the stack)
    expect(functions.length).toBe(FUNCTION_CATALOG.length);
    expect(problems).toEqual([]);
  });
});

describe('stackEnvironmentProblems', () => {
  it('names an undeclared variable and what to add for it', () => {
    // Prepare
    const fn = { name: 'CreateFileSystem', kind: 'step' as const };

    // Act
    const problems = stackEnvironmentProblems(fn, {
      VOLUMES_TABLE: 't',
      STACK_NAME: 's',
      EVENT_BUS_NAME: 'b',
      POWERTOOLS_SERVICE_NAME: 'efs-volumes',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NAMESPACE_NETWORK_ISOLATION: 'false',
      NEW_SETTING: '1',
    });

    // Assess
    expect(problems).toEqual([
      "the stack sets NEW_SETTING for CreateFileSystem, which functions/lib/settings.ts does not declare: add NEW_SETTING to SETTINGS there (type, default) and SETTING_DOCS (meaning, readBy: ['step'], setBy: 'stack'), then the row docs/configuration.md prints (test/unit/settings-readme.test.ts)",
    ]);
  });

  it('names a setting the stack must set and does not', () => {
    // Prepare
    const fn = { name: 'createVolume', kind: 'api' as const };

    // Act
    const problems = stackEnvironmentProblems(fn, {});

    // Assess
    expect(problems).toContainEqual(
      expect.stringContaining(
        'functions/lib/settings.ts says the stack sets PROVISION_STATE_MACHINE_ARN for every function that reads it',
      ),
    );
  });
});

describe('missingSettings', () => {
  it('names the settings without a default that a function reads and its environment lacks', () => {
    // Prepare
    const fn = { name: 'deleteVolume', kind: 'api' as const };

    // Act
    const missing = missingSettings(fn, {
      STACK_NAME: 'EfsVolumes',
      PROVISION_STATE_MACHINE_ARN: 'arn',
      REPAIR_STATE_MACHINE_ARN: 'arn',
    });

    // Assess
    expect(missing).toEqual(['DEPROVISION_STATE_MACHINE_ARN']);
  });

  it('asks nothing of a step beyond the stack name', () => {
    // Prepare
    const fn = { name: 'CreateFileSystem', kind: 'step' as const };

    // Act
    const missing = missingSettings(fn, {});

    // Assess
    expect(missing).toEqual(['STACK_NAME']);
  });
});
