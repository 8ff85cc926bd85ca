import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, type SynthesizedStack, synthesize } from './synthesize.ts';

// The Step Functions state machines.

let plain: SynthesizedStack;

beforeAll(() => {
  plain = synthesize();
});

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
