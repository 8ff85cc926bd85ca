// For the API tests: a local stack of their own (a unique cluster on the shared moto), a queue
// that receives this service's lifecycle events, and small HTTP helpers.

import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { AwsModel, AwsModelOptions } from '../../local/aws-model/model.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { type KubectlResult, kubernetesApiFor, runKubectl } from './kubernetes-client.ts';
import { motoEndpoint } from './moto-endpoint.ts';

/** A local stack of the test's own; `options` (e.g. an ACCESS_POLICY as `policy`) go on top. */
export async function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const suffix = randomBytes(3).toString('hex');
  return startLocalStack({
    apiPort: 0,
    motoEndpoint: motoEndpoint(),
    clusterName: `api-${suffix}`,
    tableName: `volumes-api-${suffix}`,
    run: { waitMilliseconds: 0, retryMilliseconds: 0 },
    ...options,
  });
}

/**
 * A local stack of the test's own behind the AWS model, with the state machine's own pauses
 * (scaled by the model's time scale, not the harness's none), and the model to steer.
 */
export async function startModelStack(
  awsModel: AwsModelOptions,
  options: LocalStackOptions = {},
): Promise<{ stack: LocalStack; model: AwsModel }> {
  const stack = await startTestStack({ run: {}, ...options, awsModel });
  const model = stack.faultProxy?.model;
  if (!model) {
    await stack.stop();
    throw new Error('the stack started without the AWS model');
  }
  return { stack, model };
}

/** The states the provisioning execution of a volume (named after it) entered, in order. */
export async function statesEntered(stack: LocalStack, volumeId: string): Promise<string[]> {
  const sfn = new SFNClient({ endpoint: stack.stepFunctions, region: 'us-east-1' });
  const { events = [] } = await sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:efs-volumes-provision:${volumeId}`,
    }),
  );
  return events.flatMap((event) =>
    event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name
      ? [event.stateEnteredEventDetails.name]
      : [],
  );
}

export interface LifecycleEvent {
  readonly 'detail-type': string;
  readonly source: string;
  readonly detail: Record<string, unknown>;
}

/** An SQS queue fed by a rule for this service's events, on moto's default bus. */
export async function captureLifecycleEvents(): Promise<{
  drain: () => Promise<LifecycleEvent[]>;
}> {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const name = `events-${randomBytes(4).toString('hex')}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: ['efs-volumes'] }) }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }),
  );
  const received: LifecycleEvent[] = [];
  return {
    drain: async () => {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return received;
        for (const message of Messages)
          received.push(JSON.parse(message.Body ?? '{}') as LifecycleEvent);
      }
    },
  };
}

/**
 * Polls until `check` returns a value, or fails after `timeoutMs`: soon at first, then less
 * often (25 ms growing to 400 ms), so a long wait does not spend the machine on polling the
 * workflow it waits for.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 25; ; pause = Math.min(400, pause * 1.5)) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Runs the real kubectl against the stack's emulator, with the kubeconfig local mode writes. */
export async function kubectl(stack: LocalStack, args: string[]): Promise<KubectlResult> {
  const directory = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
  const file = join(directory, 'config');
  await writeFile(file, stack.kubeconfig, { mode: 0o600 });
  return runKubectl(['--kubeconfig', file, ...args]);
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The Kubernetes object API of the stack's emulator, as a cluster user would have it. */
export function kubernetesApi(stack: LocalStack): Promise<KubernetesObjectApi> {
  return kubernetesApiFor(stack.emulator);
}
