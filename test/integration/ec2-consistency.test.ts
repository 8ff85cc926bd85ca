// EC2 is eventually consistent: right after CreateSecurityGroup, a call naming the new group
// may answer InvalidGroup.NotFound, and EFS's CreateMountTarget SecurityGroupNotFound
// (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). With the AWS
// model's window long enough that the step's own first calls are refused, the volume still
// becomes READY, with one security group: the state machine retried the step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsModel } from '../../local/aws-model/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import { provisionedVolume } from '../support/api-volumes.ts';
import { clusterInventory, countsPerVolume } from '../support/aws-inventory.ts';
import { startModelStack } from '../support/local-stack-harness.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly error?: { step: string; name: string; message: string };
}

let stack: LocalStack;
let model: AwsModel;

beforeAll(async () => {
  ({ stack, model } = await startModelStack({
    seed: 21,
    // Retry pauses are 2 AWS s (0.1 s here), six attempts; the window is 8 AWS s (0.4 s):
    // the step's first calls after its CreateSecurityGroup are refused, a later attempt's not.
    timeScale: 0.05,
    consistencySeconds: 8,
    durations: { mountTargetCreating: 20 },
    rateLimits: {},
  }));
});

afterAll(async () => {
  await stack?.stop();
});

/** Refusals of the model whose key ends with this error code. */
function refusals(code: string): number {
  return Object.entries(model.stats().refused)
    .filter(([key]) => key.endsWith(` ${code}`))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe('EC2 eventual consistency after CreateSecurityGroup', () => {
  it('retries the calls naming the new group until EC2 knows it, and the volume is READY', async () => {
    // Act
    const volume = await provisionedVolume<Volume>(stack, 'unseen-group', {}, 30_000);

    // Assess
    expect(volume).toMatchObject({ status: 'READY' });
    expect(refusals('InvalidGroup.NotFound')).toBeGreaterThan(0);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toMatchObject({
      securityGroups: [1],
      fileSystems: [1],
    });
  });
});
