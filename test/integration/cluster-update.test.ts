// An EKS cluster update, started with the real `aws` CLI as an operator would, while volumes
// come and go: EKS keeps serving while a cluster is UPDATING (minutes after a logging change
// or during a version upgrade), so provisioning, the check and deprovisioning carry on. The
// AWS model keeps the cluster UPDATING for `clusterUpdating`; moto answers the update itself
// (local/moto_eks.py).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsModel } from '../../local/aws-model/model.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/credentials.ts';
import { recordingEndpointFor } from '../../local/lambda/aws-call-recorder.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { createReadyVolume, fetchVolume } from '../support/api-volumes.ts';
import { expectContract } from '../support/contract.ts';
import { eventually } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

type Volume = { id: string; status: string };
type Health = { state: string };
interface ClusterUpdate {
  readonly id: string;
  readonly status: string;
  readonly type: string;
  readonly params: readonly { type: string; value: string }[];
  readonly createdAt: number | string;
  readonly errors: readonly unknown[];
}

/**
 * AWS seconds: at the time scale below, hours, so the update outlasts the volumes' work on any
 * machine; the test then ends it with the model's control rather than wait.
 */
const CLUSTER_UPDATING_SECONDS = 1_000_000;
const TIME_SCALE = 0.02;

let stack: LocalStack;
/** Where `npm start` points the aws CLI (.local/endpoints.json `aws`): the door, then the model. */
let awsEndpoint: string;
let eks: EKSClient;

beforeAll(async () => {
  const suffix = randomBytes(3).toString('hex');
  stack = await startLocalStack({
    apiPort: 0,
    motoEndpoint: motoEndpoint(),
    clusterName: `update-${suffix}`,
    tableName: `volumes-update-${suffix}`,
    awsModel: {
      seed: 21,
      timeScale: TIME_SCALE,
      durations: { clusterUpdating: CLUSTER_UPDATING_SECONDS },
      consistencySeconds: 0,
      rateLimits: {},
    },
  });
  awsEndpoint = await recordingEndpointFor(stack.awsLayer);
  eks = new EKSClient({ endpoint: stack.awsLayer, region: LOCAL_REGION });
});

afterAll(async () => {
  await stack?.stop();
});

/** The real aws CLI, as an operator runs it against local mode; its JSON answer. */
async function awsCli<T>(args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(
    'aws',
    [...args, '--endpoint-url', awsEndpoint, '--region', LOCAL_REGION, '--output', 'json'],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: '',
      },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as T;
}

function model(): AwsModel {
  if (!stack.faultProxy?.model) throw new Error('the stack started without the AWS model');
  return stack.faultProxy.model;
}

/** `aws eks describe-update` of the stack's cluster. */
async function describeUpdate(id: string): Promise<{ update: ClusterUpdate }> {
  return awsCli<{ update: ClusterUpdate }>([
    'eks',
    'describe-update',
    '--name',
    stack.clusterName,
    '--update-id',
    id,
  ]);
}

async function clusterStatus(): Promise<string | undefined> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: stack.clusterName }));
  return cluster?.status;
}

async function volumeInStatus(id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const volume = await fetchVolume<Volume>(stack, id);
    return volume.status === status ? volume : undefined;
  }, 120_000);
}

describe('a cluster UPDATING (aws eks update-cluster-config)', () => {
  it('provisions, checks and deletes volumes as usual, then is ACTIVE again', async () => {
    // Prepare: two READY volumes, made before the update: one to check, one to delete
    expect(await clusterStatus()).toBe('ACTIVE');
    const [checking, deleting] = await Promise.all([
      createReadyVolume<Volume>(stack, 'to-check', 'Delete'),
      createReadyVolume<Volume>(stack, 'to-delete', 'Delete'),
    ]);
    const logging = { clusterLogging: [{ types: ['api'], enabled: true }] };

    // Act: the update, then a new volume, a check and a delete, all at once
    const { update } = await awsCli<{ update: ClusterUpdate }>([
      'eks',
      'update-cluster-config',
      '--name',
      stack.clusterName,
      '--logging',
      JSON.stringify(logging),
    ]);
    const updating = await clusterStatus();
    const [created, checked, deleted] = await Promise.all([
      createReadyVolume<Volume>(stack, 'during-update', 'Delete'),
      fetch(`${stack.api}/volumes/${checking.id}/check`, { method: 'POST' }).then((response) =>
        expectContract('checkVolume', response),
      ),
      fetch(`${stack.api}/volumes/${deleting.id}`, { method: 'DELETE' })
        .then((response) => expectContract('deleteVolume', response))
        .then(() => volumeInStatus(deleting.id, 'DELETED')),
    ]);
    const stillUpdating = await clusterStatus();
    const inProgress = await describeUpdate(update.id);
    const ended = model().completeClusterUpdates(stack.clusterName);
    const active = await clusterStatus();
    const done = await describeUpdate(update.id);

    // Assess: the update as EKS answers it
    expect(update).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'InProgress',
      type: 'LoggingUpdate',
      params: [{ type: 'ClusterLogging', value: JSON.stringify(logging) }],
      createdAt: expect.anything(),
      errors: [],
    });
    // Assess: UPDATING from before the volumes' work began until after it ended
    expect(updating).toBe('UPDATING');
    expect(stillUpdating).toBe('UPDATING');
    expect(inProgress.update.status).toBe('InProgress');
    expect(created.status).toBe('READY');
    expect(checked.status).toBe(200);
    expect((checked.json as Health).state).toBe('HEALTHY');
    expect(deleted.status).toBe('DELETED');
    // Assess: then back to ACTIVE, the update done
    expect(ended).toBe(1);
    expect(active).toBe('ACTIVE');
    expect(done.update.status).toBe('Successful');
  });
});
