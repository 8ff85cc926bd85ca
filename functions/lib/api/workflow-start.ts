import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from '../aws/transient.ts';
import type { ProvisionInput } from '../provision/state.ts';

/**
 * Starts an execution. The same name with the same input is the same execution (a replay
 * already started it), so ExecutionAlreadyExists counts as started.
 */
export async function startExecution(
  deps: { sfn: SFNClient },
  arn: string,
  name: string,
  input: ProvisionInput,
) {
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
    );
  } catch (error) {
    // The same name with the same input is the same execution: a replay already started it.
    if (errorName(error) === 'ExecutionAlreadyExists') return;
    throw error;
  }
}
