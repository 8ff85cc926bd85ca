import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { apiHandler } from '../../functions/commons/helpers/api-handler.ts';
import { stepHandler } from '../../functions/commons/helpers/step-handler.ts';
import {
  recordDriftFindings,
  recordTimeToReady,
  recordWarmPool,
  volumeMetrics,
} from '../../functions/commons/powertools/metrics.ts';
import { serviceSettings } from '../../functions/lib/config.ts';
import { TransientError } from '../../functions/lib/errors.ts';
import { problems } from '../../functions/lib/problems/problem.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import type { StepEvent } from '../../functions/lib/workflow/execution.ts';
import {
  completeDeletion,
  completeProvisioning,
  completeRollback,
  recordDeletionFailure,
  recordRollbackFailure,
} from '../../functions/lib/workflow/lifecycle-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeRecord, volumeSpec } from './fixtures.ts';

// Before the metrics module loads: the test setup turns EMF off for every other test.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

/** One CloudWatch EMF line, as Powertools writes it to stdout. */
interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly [field: string]: unknown;
}

let stdout: MockInstance;
let written: string[];

beforeEach(() => {
  written = [];
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
});

afterEach(() => {
  stdout.mockRestore();
});

/** The EMF lines written since the test began (log lines left out). */
function emfLines(): EmfLine[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

/** The lines that carry a metric, with the metric's value and the line's dimension names. */
function emitted(name: string) {
  return emfLines()
    .filter((line) => line._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name))
    .map((line) => ({
      value: line[name],
      unit: line._aws.CloudWatchMetrics[0]?.Metrics.find((m) => m.Name === name)?.Unit,
      namespace: line._aws.CloudWatchMetrics[0]?.Namespace,
      dimensions: line._aws.CloudWatchMetrics[0]?.Dimensions[0],
      line,
    }));
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'request-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What the ASL's Parameters give a step: the state and the execution the record names. */
const state: StepEvent = {
  state: { volumeId: VOLUME_ID },
  execution: { name: VOLUME_ID, operation: 'provision' },
};

/** Steps read the record first: one that names this execution. */
function stepDependencies() {
  const get = async () => volumeRecord();
  return { records: { get } as unknown as VolumeRecordStore };
}

describe('stepHandler metrics', () => {
  it('emits the step duration and no failure, with the step dimension, when the step succeeds', async () => {
    // Prepare
    const handler = stepHandler(
      'CreateFileSystem',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { fileSystemId: 'fs-1' };
      },
      stepDependencies,
    );

    // Act
    await handler(state, lambdaContext('create-file-system'));

    // Assess
    const [duration] = emitted('StepDuration');
    expect(duration).toMatchObject({
      namespace: 'EfsVolumes',
      unit: 'Milliseconds',
      dimensions: ['service', 'step'],
    });
    expect(duration?.line.step).toBe('CreateFileSystem');
    expect(duration?.line.service).toBe('efs-volumes');
    expect(duration?.value).toBeGreaterThanOrEqual(15);
    expect(emitted('StepFailures').map((line) => line.value)).toEqual([0]);
  });

  it('counts a failure for the step when it throws, and still throws the error', async () => {
    // Prepare
    const handler = stepHandler(
      'CreateMountTargets',
      async () => {
        throw new TransientError('throttled');
      },
      stepDependencies,
    );

    // Act
    const invocation = handler(state, lambdaContext('create-mount-targets'));

    // Assess
    await expect(invocation).rejects.toThrow('throttled');
    const [failures] = emitted('StepFailures');
    expect(failures?.value).toBe(1);
    expect(failures?.line.step).toBe('CreateMountTargets');
    expect(emitted('StepDuration')).toHaveLength(1);
  });

  it('flushes once per invocation, so invocations never add up in one line', async () => {
    // Prepare
    const handler = stepHandler(
      'CheckMountTargets',
      async () => ({ done: false }),
      stepDependencies,
    );

    // Act
    await handler(state, lambdaContext('check-mount-targets'));
    await handler(state, lambdaContext('check-mount-targets'));

    // Assess
    expect(emitted('StepDuration').map((line) => typeof line.value)).toEqual(['number', 'number']);
    expect(emitted('StepFailures').map((line) => line.value)).toEqual([0, 0]);
  });
});

describe('step names', () => {
  it('names each step handler after its state in the state machines, as its file is named', () => {
    // Prepare
    const folder = new URL('../../functions/steps/', import.meta.url);
    const files = readdirSync(folder).filter((file) => file.endsWith('.ts'));
    const pascalCase = (file: string) =>
      file
        .replace(/\.ts$/, '')
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');

    // Act
    const named = files.map((file) => ({
      file,
      name: /stepHandler\(\s*'([A-Za-z]+)'/.exec(readFileSync(new URL(file, folder), 'utf8'))?.[1],
    }));

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(named).toEqual(files.map((file) => ({ file, name: pascalCase(file) })));
  });
});

function apiEvent(): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'GET',
    isBase64Encoded: false,
    path: `/volumes/${VOLUME_ID}`,
    pathParameters: { id: VOLUME_ID },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/volumes/{id}',
    requestContext: { requestId: 'api-request-1' } as APIGatewayProxyEvent['requestContext'],
  };
}

describe('apiHandler metrics', () => {
  it('counts a request by operation and the status code it answered', async () => {
    // Prepare
    const handler = apiHandler('createVolume', async () => ({ statusCode: 202, body: '{}' }));

    // Act
    await handler(apiEvent(), lambdaContext('create-volume'));

    // Assess
    const [request] = emitted('ApiRequests');
    expect(request).toMatchObject({
      value: 1,
      unit: 'Count',
      dimensions: ['service', 'operation', 'statusCode'],
    });
    expect(request?.line).toMatchObject({ operation: 'createVolume', statusCode: '202' });
  });

  it('counts a refused request under the status of its problem+json answer', async () => {
    // Prepare
    const handler = apiHandler('getVolume', async () => {
      throw problems.forbidden('not yours');
    });

    // Act
    const response = await handler(apiEvent(), lambdaContext('get-volume'));

    // Assess
    expect(response.statusCode).toBe(403);
    expect(emitted('ApiRequests').map((request) => request.line.statusCode)).toEqual(['403']);
  });

  it('counts an unexpected error as the 500 it was answered with', async () => {
    // Prepare
    const handler = apiHandler('deleteVolume', async () => {
      throw new TypeError('undefined is not a function');
    });

    // Act
    await handler(apiEvent(), lambdaContext('delete-volume'));

    // Assess
    const [request] = emitted('ApiRequests');
    expect(request?.line).toMatchObject({ operation: 'deleteVolume', statusCode: '500' });
  });
});

describe('volume lifecycle metrics', () => {
  const documentMock = mockClient(DynamoDBDocumentClient);
  const eventsMock = mockClient(EventBridgeClient);
  const efsMock = mockClient(EFSClient);
  const ec2Mock = mockClient(EC2Client);
  const CREATED = '2026-01-01T00:00:00.000Z';
  const NOW = '2026-01-01T00:07:30.000Z';
  const records = new VolumeRecordStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'volumes',
    () => new Date(NOW),
  );
  const deps = {
    records,
    events: new EventBridgeClient({ region: 'us-east-1' }),
    efs: new EFSClient({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    settings: { ...serviceSettings(), eventBusName: 'volumes-bus' },
    metrics: volumeMetrics,
  };

  const verified: StepState = { volumeId: VOLUME_ID, spec: volumeSpec() };

  function record(status: VolumeRecord['status']): VolumeRecord {
    const spec = volumeSpec();
    return {
      recordType: 'volume',
      id: VOLUME_ID,
      status,
      spec,
      clusterName: spec.clusterName,
      namespace: spec.namespace,
      name: spec.name,
      createdAt: CREATED,
      updatedAt: NOW,
      steps: {},
      resources: {},
    };
  }

  beforeEach(() => {
    for (const mock of [documentMock, eventsMock, efsMock, ec2Mock]) mock.reset();
    documentMock.on(GetCommand).resolves({ Item: record('ROLLING_BACK') });
    documentMock
      .on(UpdateCommand)
      .callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => ({
        Attributes: record(
          (input.ExpressionAttributeValues?.[':status'] as VolumeRecord['status']) ?? 'PENDING',
        ),
      }));
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  });

  it('counts a volume READY and its time from request to READY, by the service alone', async () => {
    // Act
    await completeProvisioning(verified, deps);

    // Assess
    expect(emitted('VolumesReady')).toMatchObject([{ value: 1, dimensions: ['service'] }]);
    expect(emitted('TimeToReady')).toMatchObject([
      { value: 450, unit: 'Seconds', dimensions: ['service'] },
    ]);
  });

  it.each([
    ['FAILED', 'VolumesFailed', () => completeRollback(verified, deps)],
    [
      'ROLLBACK_FAILED',
      'VolumesRollbackFailed',
      () => recordRollbackFailure(verified, deps, undefined),
    ],
    ['DELETED', 'VolumesDeleted', () => completeDeletion(verified, deps)],
    [
      'DELETE_FAILED',
      'VolumesDeleteFailed',
      () => recordDeletionFailure(verified, deps, undefined),
    ],
  ] as const)('counts a volume that ends %s in %s', async (_status, metric, transition) => {
    // Act
    await transition();

    // Assess
    expect(emitted(metric)).toMatchObject([{ value: 1, dimensions: ['service'] }]);
    expect(emitted('VolumesReady')).toEqual([]);
  });

  it('counts nothing when the transition fails', async () => {
    // Prepare
    eventsMock.on(PutEventsCommand).rejects(new Error('bus unavailable'));

    // Act
    const transition = completeProvisioning(verified, deps);

    // Assess
    await expect(transition).rejects.toThrow();
    expect(emitted('VolumesReady')).toEqual([]);
  });
});

describe('metric helpers', () => {
  it('gives no time to READY for a record whose times do not read', () => {
    // Act
    recordTimeToReady('not a date', '2026-01-01T00:00:00.000Z');

    // Assess
    expect(emitted('TimeToReady')).toEqual([]);
  });

  it('records drift findings by the service alone, for the drift check to call', () => {
    // Act
    recordDriftFindings(3);

    // Assess
    expect(emitted('DriftFindings')).toMatchObject([{ value: 3, dimensions: ['service'] }]);
  });

  it('records the members ready in a warm pool by service and cluster, as the dashboard searches', () => {
    // Act
    recordWarmPool('demo', 2);

    // Assess
    expect(emitted('WarmPoolAvailable')).toMatchObject([
      { value: 2, dimensions: ['service', 'cluster'] },
    ]);
  });
});
