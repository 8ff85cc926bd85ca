import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import {
  abortRunningWorkflows,
  runLocalWorkflow,
} from '../../local/step-functions/local-workflow.ts';
import { startLocalStepFunctions } from '../../local/step-functions/server.ts';

const folder = mkdtempSync(join(tmpdir(), 'sfn-stop-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A machine that waits a minute, then would go on to `After`. */
function waitingMachine(): URL {
  const file = join(folder, 'waiting.asl.json');
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'Wait',
      States: {
        Wait: { Type: 'Wait', Seconds: 60, Next: 'After' },
        After: { Type: 'Pass', End: true },
      },
    }),
  );
  return pathToFileURL(file);
}

describe('local Step Functions, stopped', () => {
  it('ends its running executions, without delivering their end', { timeout: 10_000 }, async () => {
    // Prepare: an execution in its Wait state
    const events: unknown[] = [];
    const local = await startLocalStepFunctions(
      [{ name: 'waiting', definitionFile: waitingMachine() }],
      { onStatusChange: async (event) => events.push(event) },
    );
    const sfn = new SFNClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: local.arns.waiting, input: '{}' }),
    );
    const before = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Act
    await local.stop();

    // Assess: it was running; it has ended (else this waits out its minute and the test's
    // timeout), and no one heard of its end
    expect(before.status).toBe('RUNNING');
    await local.idle();
    expect(events).toEqual([]);
  });

  it('lets a test file end the workflows it started before the next file runs', {
    timeout: 10_000,
  }, async () => {
    // Prepare: a workflow in its minute-long Wait
    const execution = runLocalWorkflow(waitingMachine(), {});
    const ended = execution.result.then(
      () => 'succeeded',
      () => 'aborted',
    );

    // Act
    const aborted = await abortRunningWorkflows();

    // Assess: it was the one running; it ended aborted; none is left
    expect(aborted).toBe(1);
    expect(await ended).toBe('aborted');
    expect(await abortRunningWorkflows()).toBe(0);
  });

  it('invokes nothing more for a stopped execution, not even a retry already scheduled', {
    timeout: 10_000,
  }, async () => {
    // Prepare: a Task that fails and is retried 300 ms later
    const file = join(folder, 'retrying.asl.json');
    writeFileSync(
      file,
      JSON.stringify({
        StartAt: 'Step',
        States: {
          Step: {
            Type: 'Task',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL files' own placeholder
            Resource: '${ResolveClusterFunctionArn}',
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }],
            End: true,
          },
        },
      }),
    );
    let calls = 0;
    let firstCall: () => void = () => undefined;
    const called = new Promise<void>((resolve) => {
      firstCall = resolve;
    });
    const execution = runLocalWorkflow(
      pathToFileURL(file),
      {},
      {
        retryMilliseconds: 300,
        wrap: () => async () => {
          calls++;
          firstCall();
          throw new Error('failed');
        },
      },
    );
    execution.result.catch(() => undefined);
    await called;

    // Act: stopped while its retry waits
    execution.abort();
    await new Promise((resolve) => setTimeout(resolve, 900));

    // Assess
    expect(calls).toBe(1);
  });
});
