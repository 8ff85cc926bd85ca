import {
  DeleteClusterCommand,
  DeleteFargateProfileCommand,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterGoneWarning } from '../../functions/lib/workflow/lifecycle-steps.ts';
import type { LocalStack } from '../../local/stack.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { awsLeftovers, eks } from '../support/workflow-harness.ts';

type Volume = {
  id: string;
  status: string;
  warnings?: string[];
  steps: Record<string, { status: string }>;
};

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function until(id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const volume = (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume;
    return volume.status === status ? volume : undefined;
  }, 30_000);
}

/** Deletes the EKS cluster from moto, as `eksctl delete cluster` would: profiles first. */
async function deleteCluster(name: string): Promise<void> {
  const { fargateProfileNames = [] } = await eks.send(
    new ListFargateProfilesCommand({ clusterName: name }),
  );
  for (const fargateProfileName of fargateProfileNames) {
    await eks.send(new DeleteFargateProfileCommand({ clusterName: name, fargateProfileName }));
  }
  await eks.send(new DeleteClusterCommand({ name }));
}

describe('deprovisioning a volume whose cluster is gone', () => {
  it('skips the Kubernetes part, says so on the record, removes every AWS resource and ends DELETED', async () => {
    // Prepare: a READY volume, then its cluster deleted
    const created = await fetch(
      `${stack.api}/volumes`,
      json({
        clusterName: stack.clusterName,
        namespace: 'team-a',
        name: 'orphaned',
        reclaimPolicy: 'Delete',
      }),
    );
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as Volume;
    await until(id, 'READY');
    await deleteCluster(stack.clusterName);

    // Act
    const response = await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' });
    const deleted = await until(id, 'DELETED');

    // Assess
    expect(response.status).toBe(202);
    expect(await awsLeftovers(id)).toEqual([]);
    expect(deleted.warnings).toContain(clusterGoneWarning(stack.clusterName));
    // the Kubernetes part never ran: there was no API to ask
    expect(deleted.steps.DeleteManifests).toBeUndefined();
  });
});
