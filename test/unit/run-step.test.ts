import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FileSystemNotReadyError,
  TransientError,
  VolumeRecordStateError,
} from '../../functions/lib/errors.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { classifyStepError, runStep } from '../../functions/lib/workflow/run-step.ts';
import { VOLUME_ID } from './fixtures.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const NOW = '2026-01-01T00:00:00.000Z';
const records = new VolumeRecordStore(documentClient, 'volumes', () => new Date(NOW));
const PROVISIONING = 'provisionStepStarted';

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

/** The UpdateCommand inputs the store sent, in order. */
function updates() {
  return documentMock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  documentMock.reset();
  documentMock.on(UpdateCommand).resolves({});
});

describe('runStep', () => {
  it('records the step RUNNING, moving the volume to PROVISIONING only from the allowed states', async () => {
    // Act
    await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => ({ result: 'ok' }), {
      transition: PROVISIONING,
    });

    // Assess
    expect(updates()[0]).toEqual({
      TableName: 'volumes',
      Key: { id: VOLUME_ID },
      UpdateExpression: 'SET #steps.#step = :step, updatedAt = :now, #status = :status',
      ExpressionAttributeNames: {
        '#steps': 'steps',
        '#step': 'CreateFileSystem',
        '#status': 'status',
      },
      ExpressionAttributeValues: {
        ':step': { status: 'RUNNING', startedAt: NOW },
        ':now': NOW,
        ':status': 'PROVISIONING',
        ':from0': 'PENDING',
        ':from1': 'PROVISIONING',
      },
      ConditionExpression: 'attribute_exists(id) AND #status IN (:from0, :from1)',
      ReturnValues: 'NONE',
    });
  });

  it('records the step RUNNING without touching the status when there is no transition', async () => {
    // Act
    await runStep(records, VOLUME_ID, 'DeleteAccessPoint', async () => ({ result: 'ok' }));

    // Assess
    const started = updates()[0];
    expect(started?.UpdateExpression).toBe('SET #steps.#step = :step, updatedAt = :now');
    expect(started?.ConditionExpression).toBe('attribute_exists(id)');
    expect(started?.ExpressionAttributeNames).not.toHaveProperty('#status');
  });

  it('records SUCCEEDED with the resources the step learned, and returns its result', async () => {
    // Act
    const result = await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => ({
      result: { fileSystemId: 'fs-1', shared: false },
      resources: { fileSystemId: 'fs-1', fileSystemShared: false },
    }));

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-1', shared: false });
    expect(updates()).toHaveLength(2);
    const succeeded = updates()[1];
    expect(succeeded?.UpdateExpression).toBe(
      'SET #steps.#step.#status = :succeeded, #steps.#step.endedAt = :now, updatedAt = :now, ' +
        '#resources.#r0 = :r0, #resources.#r1 = :r1',
    );
    expect(succeeded?.ExpressionAttributeNames).toMatchObject({
      '#step': 'CreateFileSystem',
      '#r0': 'fileSystemId',
      '#r1': 'fileSystemShared',
    });
    expect(succeeded?.ExpressionAttributeValues).toMatchObject({
      ':succeeded': 'SUCCEEDED',
      ':now': NOW,
      ':r0': 'fs-1',
      ':r1': false,
    });
  });

  it('does not run the work when the volume may not move to the step', async () => {
    // Prepare
    documentMock.on(UpdateCommand).rejectsOnce(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
      }),
    );
    const work = vi.fn(async () => ({ result: 'ok' }));

    // Act
    const outcome = runStep(records, VOLUME_ID, 'CreateFileSystem', work, {
      transition: PROVISIONING,
    });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(VolumeRecordStateError);
    expect(work).not.toHaveBeenCalled();
  });

  it('records FAILED with the error name and message, and rethrows our own error as it is', async () => {
    // Prepare
    const notReady = new FileSystemNotReadyError('fs-1', 'creating');

    // Act
    const error = await runStep(records, VOLUME_ID, 'CreateMountTargets', async () => {
      throw notReady;
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBe(notReady);
    const failed = updates()[1];
    expect(failed?.UpdateExpression).toBe(
      'SET #steps.#step.#status = :failed, #steps.#step.endedAt = :now, #steps.#step.#error = :error, updatedAt = :now',
    );
    expect(failed?.ExpressionAttributeNames).toMatchObject({
      '#step': 'CreateMountTargets',
      '#error': 'error',
    });
    expect(failed?.ExpressionAttributeValues).toEqual({
      ':failed': 'FAILED',
      ':now': NOW,
      ':error': {
        name: 'FileSystemNotReadyError',
        message: 'file system fs-1 is creating, not yet available',
      },
    });
  });

  it('turns a throttling error from the work into a TransientError that keeps the original as cause', async () => {
    // Prepare
    const throttle = throttled();

    // Act
    const error = await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => {
      throw throttle;
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).name).toBe('TransientError');
    expect((error as TransientError).cause).toBe(throttle);
    expect(updates()[1]?.ExpressionAttributeValues?.[':error']).toEqual({
      name: 'TransientError',
      message: 'transient failure: Rate exceeded',
    });
  });

  it('keeps a long message to 1000 characters in the record', async () => {
    // Act
    await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => {
      throw new Error('x'.repeat(5000));
    }).catch(() => undefined);

    // Assess
    const recorded = updates()[1]?.ExpressionAttributeValues?.[':error'] as { message: string };
    expect(recorded.message).toHaveLength(1000);
  });

  it('throws the step error even when recording the failure fails', async () => {
    // Prepare
    documentMock.on(UpdateCommand).resolvesOnce({}).rejects(new Error('table unavailable'));
    const original = new FileSystemNotReadyError('fs-1', 'creating');

    // Act
    const outcome = runStep(records, VOLUME_ID, 'CreateMountTargets', async () => {
      throw original;
    });

    // Assess
    await expect(outcome).rejects.toBe(original);
  });

  it('records FAILED when recording the success fails, and throws the classified error', async () => {
    // Prepare
    documentMock.on(UpdateCommand).resolvesOnce({}).rejectsOnce(throttled()).resolves({});

    // Act
    const error = await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => ({
      result: 'ok',
    })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(updates()[2]?.ExpressionAttributeValues?.[':failed']).toBe('FAILED');
  });

  it('turns a throttled record of the start into a TransientError, so the state machine retries', async () => {
    // Prepare
    documentMock.on(UpdateCommand).rejectsOnce(throttled()).resolves({});

    // Act
    const error = await runStep(records, VOLUME_ID, 'CreateFileSystem', async () => ({
      result: 'ok',
    })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
  });
});

describe('classifyStepError', () => {
  it('passes our own errors through unchanged', () => {
    // Prepare
    const error = new FileSystemNotReadyError('fs-1', 'creating');

    // Act and Assess
    expect(classifyStepError(error)).toBe(error);
  });

  it.each([
    ['a throttling error', throttled()],
    ['a 503', Object.assign(new Error('unavailable'), { $metadata: { httpStatusCode: 503 } })],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('turns %s into a TransientError with the original as cause', (_what, original) => {
    // Act
    const classified = classifyStepError(original);

    // Assess
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified.name).toBe('TransientError');
    expect(classified.cause).toBe(original);
    expect(classified.message).toBe(`transient failure: ${original.message}`);
  });

  it('passes a lasting service error through under its own name', () => {
    // Prepare
    const error = Object.assign(new Error('bad input'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });

    // Act and Assess
    expect(classifyStepError(error)).toBe(error);
  });

  it('wraps something thrown that is not an Error', () => {
    // Act
    const classified = classifyStepError('plain string');

    // Assess
    expect(classified).toBeInstanceOf(Error);
    expect(classified.message).toBe('plain string');
  });
});
