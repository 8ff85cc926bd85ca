import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { serviceSettings } from '../../functions/lib/config.ts';
import { NO_METRICS } from '../../functions/lib/metrics.ts';
import {
  retainsFileSystem,
  type StepRecord,
  type VolumeRecord,
  VolumeRecordStore,
} from '../../functions/lib/volume/record.ts';
import {
  beginRollback,
  causeMessage,
  completeProvisioning,
  failedStep,
} from '../../functions/lib/workflow/lifecycle-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const NOW = '2026-01-01T00:10:00.000Z';
const records = new VolumeRecordStore(documentClient, 'volumes', () => new Date(NOW));
const eventsMock = mockClient(EventBridgeClient);
const deps = {
  records,
  metrics: NO_METRICS,
  events: new EventBridgeClient({ region: 'us-east-1' }),
  settings: { ...serviceSettings(), eventBusName: 'volumes-bus' },
};

function volumeRecord(steps: Record<string, StepRecord>): VolumeRecord {
  const spec = volumeSpec();
  return {
    recordType: 'volume',
    id: VOLUME_ID,
    status: 'PROVISIONING',
    spec,
    clusterName: spec.clusterName,
    namespace: spec.namespace,
    name: spec.name,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    steps,
    resources: {},
  };
}

function at(minute: number): string {
  return `2026-01-01T00:0${minute}:00.000Z`;
}

beforeEach(() => {
  documentMock.reset();
  documentMock.on(UpdateCommand).resolves({});
  eventsMock.reset();
  eventsMock
    .on(PutEventsCommand)
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
});

/** The UpdateCommand input that set the volume's status to `status`. */
function statusUpdate(status: string) {
  return documentMock
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .find(
      (input) =>
        input.ExpressionAttributeValues?.[':status'] === status &&
        input.ExpressionAttributeNames?.['#step'] === undefined,
    );
}

describe('causeMessage', () => {
  it("reads errorMessage from the Lambda runtime's JSON cause", () => {
    // Prepare
    const cause = JSON.stringify({
      errorType: 'ClusterNotFoundError',
      errorMessage: 'EKS cluster "demo" was not found',
      trace: ['ClusterNotFoundError: ...'],
    });

    // Act and Assess
    expect(causeMessage({ Error: 'ClusterNotFoundError', Cause: cause })).toBe(
      'EKS cluster "demo" was not found',
    );
  });

  it('takes a cause that is not JSON as the message itself', () => {
    // Act and Assess
    expect(
      causeMessage({ Error: 'TransientError', Cause: 'transient failure: Rate exceeded' }),
    ).toBe('transient failure: Rate exceeded');
  });

  it('takes JSON without errorMessage as the message itself', () => {
    // Prepare
    const cause = JSON.stringify({ detail: 'no message here' });

    // Act and Assess
    expect(causeMessage({ Error: 'States.Timeout', Cause: cause })).toBe(cause);
  });

  it.each(['null', '42', '"quoted"'])('copes with a cause that is the JSON value %s', (cause) => {
    // Act and Assess
    expect(causeMessage({ Error: 'Error', Cause: cause })).toBe(cause);
  });

  it('falls back to the error name, then to "unknown error"', () => {
    // Act and Assess
    expect(causeMessage({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(causeMessage({ Error: 'States.Timeout', Cause: '' })).toBe('States.Timeout');
    expect(causeMessage(undefined)).toBe('unknown error');
  });
});

describe('failedStep', () => {
  it('names the step recorded FAILED', () => {
    // Prepare
    const record = volumeRecord({
      ResolveCluster: { status: 'SUCCEEDED', startedAt: at(1), endedAt: at(1) },
      CreateSecurityGroup: { status: 'SUCCEEDED', startedAt: at(2), endedAt: at(2) },
      CreateFileSystem: { status: 'FAILED', startedAt: at(3), endedAt: at(3) },
    });

    // Act and Assess
    expect(failedStep(record)).toBe('CreateFileSystem');
  });

  it('names the latest of several unfinished steps, whatever order they are stored in', () => {
    // Prepare
    const record = volumeRecord({
      CreateMountTargets: { status: 'RUNNING', startedAt: at(5) },
      CreateSecurityGroup: { status: 'FAILED', startedAt: at(2), endedAt: at(2) },
      ResolveCluster: { status: 'SUCCEEDED', startedAt: at(1), endedAt: at(1) },
    });

    // Act and Assess
    expect(failedStep(record)).toBe('CreateMountTargets');
  });

  it('names a step still RUNNING, as after a Lambda timeout', () => {
    // Prepare
    const record = volumeRecord({
      ResolveCluster: { status: 'SUCCEEDED', startedAt: at(1), endedAt: at(1) },
      ApplyManifests: { status: 'RUNNING', startedAt: at(4) },
    });

    // Act and Assess
    expect(failedStep(record)).toBe('ApplyManifests');
  });

  it('says "unknown" when every step succeeded or there is no record', () => {
    // Prepare
    const record = volumeRecord({
      ResolveCluster: { status: 'SUCCEEDED', startedAt: at(1), endedAt: at(1) },
    });

    // Act and Assess
    expect(failedStep(record)).toBe('unknown');
    expect(failedStep(undefined)).toBe('unknown');
  });
});

describe('completeProvisioning', () => {
  it('moves the volume to READY and announces it on the event bus', async () => {
    // Prepare
    // (UpdateItem returns the record as it now is: that is what the event announces)
    documentMock
      .on(UpdateCommand)
      .resolves({ Attributes: { ...volumeRecord({}), status: 'READY' } });
    const state: StepState = { volumeId: VOLUME_ID, spec: volumeSpec() };

    // Act
    const result = await completeProvisioning(state, deps);

    // Assess
    expect(result).toEqual({ volumeId: VOLUME_ID, status: 'READY' });
    expect(statusUpdate('READY')?.UpdateExpression).toBe(
      'SET #status = :status, updatedAt = :now, #retainFileSystem = :retainFileSystem',
    );
    // The fixture's reclaim policy is Retain: deleting the volume will keep its file system
    expect(statusUpdate('READY')?.ExpressionAttributeValues?.[':retainFileSystem']).toBe(true);
    const entry = eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      EventBusName: 'volumes-bus',
      Source: 'efs-volumes',
      DetailType: 'Volume Ready',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      volumeId: VOLUME_ID,
      status: 'READY',
    });
  });
});

describe('the retain decision', () => {
  it('is recorded as false when a Delete volume becomes READY', async () => {
    // Prepare
    documentMock
      .on(UpdateCommand)
      .resolves({ Attributes: { ...volumeRecord({}), status: 'READY' } });

    // Act
    await completeProvisioning(
      { volumeId: VOLUME_ID, spec: volumeSpec({ reclaimPolicy: 'Delete' }) },
      deps,
    );

    // Assess
    expect(statusUpdate('READY')?.ExpressionAttributeValues?.[':retainFileSystem']).toBe(false);
  });

  it('keeps the file system of a volume recorded so, in any status', () => {
    // Act / Assess
    const recorded = { ...volumeRecord({}), retainFileSystem: true };
    for (const status of ['READY', 'DELETE_FAILED', 'FAILED'] as const)
      expect(retainsFileSystem({ ...recorded, status })).toBe(true);
    expect(
      retainsFileSystem({ ...volumeRecord({}), retainFileSystem: false, status: 'DELETE_FAILED' }),
    ).toBe(false);
  });

  it('for a record written before the decision was recorded, keeps only what a Retain volume held once READY', () => {
    // Act / Assess
    const started = { status: 'SUCCEEDED' as const, startedAt: at(1), endedAt: at(2) };
    expect(
      retainsFileSystem({
        ...volumeRecord({ CompleteProvisioning: started }),
        status: 'DELETE_FAILED',
      }),
    ).toBe(true);
    // a volume that failed before READY never held data, whatever its status is now
    expect(retainsFileSystem({ ...volumeRecord({}), status: 'DELETE_FAILED' })).toBe(false);
  });
});

describe('beginRollback', () => {
  const failure = {
    Error: 'FileSystemUnusableError',
    Cause: JSON.stringify({
      errorType: 'FileSystemUnusableError',
      errorMessage: 'file system fs-1 does not exist',
    }),
  };
  const expected = {
    step: 'CreateFileSystem',
    name: 'FileSystemUnusableError',
    message: 'file system fs-1 does not exist',
  };

  /** The record as DynamoDB holds it once runStep has marked BeginRollback RUNNING. */
  function recordAfterFailureIn(step: string): void {
    documentMock.on(GetCommand).resolves({
      Item: volumeRecord({
        ResolveCluster: { status: 'SUCCEEDED', startedAt: at(1), endedAt: at(1) },
        [step]: { status: 'FAILED', startedAt: at(2), endedAt: at(2) },
        BeginRollback: { status: 'RUNNING', startedAt: NOW },
      }),
    });
  }

  it('records the step the state machine names, the error and its message, and moves to ROLLING_BACK', async () => {
    // Prepare
    recordAfterFailureIn('CreateFileSystem');
    const state: StepState = {
      volumeId: VOLUME_ID,
      spec: volumeSpec(),
      failure,
      failedStep: 'CreateFileSystem',
    };

    // Act
    const recorded = await beginRollback(state, deps);

    // Assess
    expect(recorded).toEqual(expected);
    expect(statusUpdate('ROLLING_BACK')?.ExpressionAttributeValues?.[':error']).toEqual(expected);
  });

  it('without a failedStep in the state, finds the failed step in the record, not BeginRollback itself', async () => {
    // Prepare
    recordAfterFailureIn('CreateFileSystem');
    const state: StepState = { volumeId: VOLUME_ID, spec: volumeSpec(), failure };

    // Act
    const recorded = await beginRollback(state, deps);

    // Assess
    expect(recorded).toEqual(expected);
    expect(statusUpdate('ROLLING_BACK')?.ExpressionAttributeValues?.[':error']).toEqual(expected);
  });
});
