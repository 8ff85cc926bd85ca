import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../functions/lib/errors.ts';
import { announceVolume, putVolumeEvent } from '../../functions/lib/volume/lifecycle-events.ts';
import { VOLUME_ID, volumeRecord } from './fixtures.ts';

const eventsMock = mockClient(EventBridgeClient);
const events = new EventBridgeClient({ region: 'us-east-1' });

/** The one entry put, with its detail parsed. */
function putEntry() {
  const entry = eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
  return { ...entry, Detail: JSON.parse(entry?.Detail ?? '{}') as Record<string, unknown> };
}

beforeEach(() => {
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('putVolumeEvent', () => {
  it("carries the record's ids, status and resources, and what it records of a failure", async () => {
    // Prepare
    const failure = { step: 'CreateFileSystem', name: 'TransientError', message: 'throttled' };
    const record = volumeRecord({
      status: 'ROLLBACK_FAILED',
      resources: { fileSystemId: 'fs-1' },
      error: failure,
      leftovers: [{ type: 'FileSystem', id: 'fs-1' }],
    });

    // Act
    await putVolumeEvent(events, 'volumes-bus', 'Volume Provisioning Failed', record);

    // Assess
    expect(putEntry()).toMatchObject({
      EventBusName: 'volumes-bus',
      Source: 'efs-volumes',
      DetailType: 'Volume Provisioning Failed',
      Detail: {
        volumeId: VOLUME_ID,
        status: 'ROLLBACK_FAILED',
        clusterName: record.clusterName,
        namespace: record.namespace,
        name: record.name,
        resources: { fileSystemId: 'fs-1' },
        error: failure,
        leftovers: [{ type: 'FileSystem', id: 'fs-1' }],
      },
    });
    expect(putEntry().Detail).not.toHaveProperty('rollbackError');
  });

  it('adds what an event carries beyond the record', async () => {
    // Prepare
    const health = { state: 'DRIFTED', checkedAt: '2026-01-01T00:00:00.000Z', findings: [] };

    // Act
    await putVolumeEvent(
      events,
      'volumes-bus',
      'Volume Drifted',
      volumeRecord({ status: 'READY' }),
      {
        health,
      },
    );

    // Assess
    expect(putEntry().Detail).toMatchObject({ volumeId: VOLUME_ID, status: 'READY', health });
  });

  it('throws TransientError when the bus refuses the event, so the step is retried', async () => {
    // Prepare
    eventsMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act and Assess
    await expect(putVolumeEvent(events, 'b', 'Volume Ready', volumeRecord())).rejects.toThrow(
      TransientError,
    );
  });
});

describe('announceVolume', () => {
  it('puts the event on the bus named in the settings', async () => {
    // Act
    await announceVolume(
      { events, settings: { eventBusName: 'volumes-bus' } },
      'Volume Ready',
      volumeRecord(),
    );

    // Assess
    expect(putEntry()).toMatchObject({ EventBusName: 'volumes-bus', DetailType: 'Volume Ready' });
  });
});
