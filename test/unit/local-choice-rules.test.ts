import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { withIsPresentFalseAsNot } from '../../local/step-functions/local-workflow.ts';

/** A Choice that goes to `Absent` when `$.listing` is absent (IsPresent false), as in AWS. */
const definition = {
  StartAt: 'Listed?',
  States: {
    'Listed?': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.done', BooleanEquals: true },
            { Variable: '$.listing', IsPresent: false },
          ],
          Next: 'Absent',
        },
      ],
      Default: 'Present',
    },
    Absent: { Type: 'Pass', Result: 'absent', End: true },
    Present: { Type: 'Pass', Result: 'present', End: true },
  },
};

async function branchOf(input: Record<string, unknown>): Promise<unknown> {
  const machine = new StateMachine(
    withIsPresentFalseAsNot(definition) as unknown as StateMachineDefinition,
  );
  return machine.run(input as never).result;
}

describe('local Step Functions choice rules', () => {
  it('matches IsPresent false on an absent variable, and not on a present one, as Step Functions does', async () => {
    // Act / Assess
    expect(await branchOf({ done: true })).toBe('absent');
    expect(await branchOf({ done: true, listing: {} })).toBe('present');
    expect(await branchOf({ done: true, listing: null })).toBe('present');
  });

  it('writes IsPresent false as Not IsPresent true, and leaves every other rule as it was', () => {
    // Act
    const rewritten = withIsPresentFalseAsNot({
      Choices: [
        { Variable: '$.a', IsPresent: false, Next: 'X' },
        { Variable: '$.b', IsPresent: true, Next: 'Y' },
        { Variable: '$.c', BooleanEquals: false, Next: 'Z' },
      ],
    });

    // Assess
    expect(rewritten).toEqual({
      Choices: [
        { Next: 'X', Not: { Variable: '$.a', IsPresent: true } },
        { Variable: '$.b', IsPresent: true, Next: 'Y' },
        { Variable: '$.c', BooleanEquals: false, Next: 'Z' },
      ],
    });
  });
});
