import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/service-function.ts';
import {
  aslFileOf,
  aslFilePlaceholders,
  placeholderOf,
  stepRegistryProblems,
} from '../../infra/step-registry.ts';
import {
  STEP_NAMES,
  STEPS,
  stepFunctionName,
  WORKFLOWS,
  type WorkflowName,
} from '../../infra/steps.ts';
import {
  actionsOf,
  getAttTarget,
  logicalIdOf,
  resourcesOf,
  type SynthesizedStack,
  statementsOfRole,
  synthesize,
} from './synthesize.ts';

const run = promisify(execFile);

let synthesized: SynthesizedStack;

function stateMachineProperties(workflow: WorkflowName): Record<string, unknown> {
  const { stack, resources } = synthesized;
  const id = logicalIdOf(stack, stack.workflow.stateMachines[workflow]);
  return resources[id]?.Properties ?? {};
}

function substitutionsOf(workflow: WorkflowName): Record<string, unknown> {
  return stateMachineProperties(workflow).DefinitionSubstitutions as Record<string, unknown>;
}

describe.each(WORKFLOWS)('the %s state machine', (workflow) => {
  // Here, not for the whole file: a step the ASL names and no declaration has fails the
  // synthesis, and the registry check below should still say what to add.
  beforeAll(() => {
    synthesized = synthesize();
  });

  it('is valid Amazon States Language (asl-validator)', async () => {
    // Prepare
    const file = `${PROJECT_ROOT}${aslFileOf(workflow)}`;

    // Act
    const { stdout } = await run(`${PROJECT_ROOT}node_modules/.bin/asl-validator`, [
      '--json-path',
      file,
    ]);

    // Assess (a non-zero exit rejects with the validator's errors)
    expect(stdout).toContain('is valid');
  });

  it('is still valid once every placeholder is a Lambda ARN, as Step Functions receives it', async () => {
    // Prepare
    const definition = readFileSync(`${PROJECT_ROOT}${aslFileOf(workflow)}`, 'utf8');
    const substituted = Object.keys(substitutionsOf(workflow)).reduce(
      (text, name) =>
        text.replaceAll(`\${${name}}`, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`),
      definition,
    );

    // Act
    const { stdout } = await run(`${PROJECT_ROOT}node_modules/.bin/asl-validator`, [
      '--json-definition',
      substituted,
    ]);

    // Assess
    expect(substituted).not.toContain('${');
    expect(stdout).toContain('is valid');
  });

  it('has a substitution for every placeholder of the ASL file, and no unused substitution', () => {
    // Prepare
    const placeholders = aslFilePlaceholders(`${PROJECT_ROOT}${aslFileOf(workflow)}`);

    // Act
    const substituted = Object.keys(substitutionsOf(workflow));

    // Assess
    expect(placeholders.length).toBeGreaterThan(0);
    expect([...substituted].sort()).toEqual([...placeholders].sort());
  });

  it("binds each placeholder to the Lambda of that step's handler file", () => {
    // Prepare: the steps declared to run in this workflow
    const { stack } = synthesized;
    const declared = STEP_NAMES.filter((step) => STEPS[step].workflows.includes(workflow));
    const expected = Object.fromEntries(
      declared.map((step) => {
        const fn = stack.workflow.stepFunctions.get(step);
        if (!fn) throw new Error(`no function for ${step}`);
        return [placeholderOf(step), logicalIdOf(stack, fn.function)];
      }),
    );

    // Act
    const bound = Object.fromEntries(
      Object.entries(substitutionsOf(workflow)).map(([name, value]) => [name, getAttTarget(value)]),
    );

    // Assess
    expect(bound).toEqual(expected);
    for (const step of declared) {
      const fn = stack.workflow.stepFunctions.get(step);
      expect(fn?.node.path).toContain(`/${stepFunctionName(step)}`);
    }
  });

  it('may invoke exactly the Lambdas its definition names', () => {
    // Prepare
    const roleId = getAttTarget(stateMachineProperties(workflow).RoleArn);
    if (!roleId) throw new Error('state machine without role');

    // Act
    const invokable = statementsOfRole(synthesized.resources, roleId)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')))
      .flatMap((statement) => {
        expect(actionsOf(statement)).toEqual(['lambda:InvokeFunction']);
        return resourcesOf(statement).map(getAttTarget);
      });

    // Assess
    expect(invokable.sort()).toEqual(
      Object.values(substitutionsOf(workflow)).map(getAttTarget).sort(),
    );
  });

  it('is the ASL file itself, deployed from its asset', () => {
    // Prepare
    const properties = stateMachineProperties(workflow);

    // Act
    const location = properties.DefinitionS3Location as { Key: string } | undefined;

    // Assess
    expect(location?.Key).toMatch(/\.json$/);
    expect(properties).not.toHaveProperty('DefinitionString');
  });
});

describe('the step registry', () => {
  it('declares every step the ASL files name, in the workflows that name it, with its handler file, and no step or handler beyond them', () => {
    // Prepare
    const layout = { root: PROJECT_ROOT, workflows: WORKFLOWS, steps: STEPS };

    // Act
    const problems = stepRegistryProblems(layout);

    // Assess (each problem says what to add or remove)
    expect(problems).toEqual([]);
  });
});
