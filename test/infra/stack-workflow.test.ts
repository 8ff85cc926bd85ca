import { describe, expect, it } from 'vitest';
import { plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import { logicalIdOf } from './synthesize.ts';

// The Step Functions state machines.

synthesizeBeforeAll('plain');

describe('state machines', () => {
  it.each(['provision', 'deprovision'] as const)(
    'logs %s ALL without execution data, with X-Ray tracing on',
    (workflow) => {
      // Prepare
      const id = logicalIdOf(plain.stack, plain.stack.workflow.stateMachines[workflow]);

      // Act
      const properties = plain.resources[id]?.Properties ?? {};

      // Assess
      expect(properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(properties.LoggingConfiguration).toMatchObject({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.anything() } }],
      });
      expect(properties.StateMachineType ?? 'STANDARD').toBe('STANDARD');
    },
  );
});
