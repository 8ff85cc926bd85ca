import { describe, expect, it } from 'vitest';
import {
  executionArnOf,
  unsettledEndPattern,
  volumeIdOf,
} from '../../functions/lib/workflow/execution-status-change.ts';
import { statusChangeEvent } from '../../local/step-functions/server.ts';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-provision';
const VOLUME = 'vol-0123456789abcdef0123';

describe('execution status change events', () => {
  it('reads the volume id from the input, else from the execution name', () => {
    // Act
    const fromInput = volumeIdOf({ name: 'anything', input: JSON.stringify({ volumeId: VOLUME }) });
    const fromName = volumeIdOf({ name: VOLUME, input: null });
    const fromDeleteName = volumeIdOf({ name: `${VOLUME}-delete-0a1b2c3d`, input: null });
    const foreign = volumeIdOf({ name: 'nightly-report', input: '{}' });

    // Assess
    expect([fromInput, fromName, fromDeleteName, foreign]).toEqual([
      VOLUME,
      VOLUME,
      VOLUME,
      undefined,
    ]);
  });

  it('names an execution by its state machine and name', () => {
    // Act
    const arn = executionArnOf(MACHINE, VOLUME);

    // Assess
    expect(arn).toBe(
      `arn:aws:states:us-east-1:123456789012:execution:efs-volumes-provision:${VOLUME}`,
    );
  });

  it('local mode shapes the event as EventBridge delivers it, and the rule pattern matches it', () => {
    // Act
    const event = statusChangeEvent({
      executionArn: executionArnOf(MACHINE, VOLUME),
      stateMachineArn: MACHINE,
      name: VOLUME,
      status: 'TIMED_OUT',
      startDate: 1_700_000_000.25,
      stopDate: 1_700_000_030.5,
      input: JSON.stringify({ volumeId: VOLUME }),
      error: 'States.Timeout',
    });
    const pattern = unsettledEndPattern([MACHINE]);

    // Assess
    expect(event).toMatchObject({
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      account: '123456789012',
      region: 'us-east-1',
      time: '2023-11-14T22:13:50Z',
      resources: [executionArnOf(MACHINE, VOLUME)],
      detail: {
        status: 'TIMED_OUT',
        startDate: 1_700_000_000_250,
        stopDate: 1_700_000_030_500,
        inputDetails: { included: true },
        output: null,
        error: 'States.Timeout',
      },
    });
    expect(pattern.source).toContain(event.source);
    expect(pattern.detailType).toContain(event['detail-type']);
    expect(pattern.detail.status).toContain(event.detail.status);
    expect(pattern.detail.stateMachineArn).toContain(event.detail.stateMachineArn);
  });
});
