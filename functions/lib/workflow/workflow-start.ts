import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName, hasOutcome } from '../aws/transient.ts';
import type { VolumeRecord, VolumeRecordStore } from '../volume/record.ts';
import type { ExecutionInput } from './state.ts';

/**
 * Starts an execution. The same name with the same input is the same execution (a replay
 * already started it), so ExecutionAlreadyExists counts as started.
 */
export async function startExecution(
  deps: { sfn: SFNClient },
  arn: string,
  name: string,
  input: ExecutionInput,
) {
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
    );
  } catch (error) {
    // The same name with the same input is the same execution: a replay already started it.
    if (hasOutcome('states:StartExecution', error, 'adopt')) return;
    throw error;
  }
}

/**
 * A PENDING volume whose provisioning execution could not be started is FAILED with the
 * reason (its claim released): nothing was built. Written only while the record is still
 * PENDING and names `executionName`, so a volume whose execution did start is never touched.
 *
 * @returns the record as it now is; undefined when it had moved on (nothing written)
 */
export function failUnstartedProvisioning(
  records: VolumeRecordStore,
  volumeId: string,
  executionName: string,
  error: unknown,
): Promise<VolumeRecord | undefined> {
  const reason = (error as Error).message ?? '';
  return records.settleExecution(
    volumeId,
    { event: 'provisionStartFailed', field: 'executionName', executionName },
    'FAILED',
    {
      error: {
        step: 'StartExecution',
        name: errorName(error),
        message: `the provisioning execution could not be started: ${reason}`.slice(0, 1000),
      },
    },
  );
}
