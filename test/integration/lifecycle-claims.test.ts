import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimItemId } from '../../functions/lib/volume/record.ts';
import type { LocalStack } from '../../local/stack.ts';
import { clusterFileSystemCount } from '../support/aws-inventory.ts';
import { expectContract } from '../support/contract.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { documents } from '../support/workflow-harness.ts';

type Volume = { id: string; status: string };

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function post(name: string, key: string) {
  return expectContract(
    'createVolume',
    await fetch(
      `${stack.api}/volumes`,
      json(
        { clusterName: stack.clusterName, namespace: 'team-a', name, reclaimPolicy: 'Delete' },
        { 'Idempotency-Key': key },
      ),
    ),
  );
}

async function until(id: string, statuses: readonly string[]): Promise<Volume> {
  return eventually(async () => {
    const response = await fetch(`${stack.api}/volumes/${id}`);
    const volume = (await response.json()) as Volume;
    return statuses.includes(volume.status) ? volume : undefined;
  }, 30_000);
}

async function claimHolder(name: string): Promise<string | undefined> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.tableName,
      Key: { id: claimItemId({ clusterName: stack.clusterName, namespace: 'team-a', name }) },
      ConsistentRead: true,
    }),
  );
  return (Item as { volumeId?: string } | undefined)?.volumeId;
}

describe('one claim, one live volume', () => {
  it('answers 202 to one of two concurrent requests for one claim with different keys, 409 claim-exists to the other, and builds one file system', async () => {
    // Prepare: nothing yet
    const before = await clusterFileSystemCount(stack.clusterName);

    // Act: two keys, one claim, at once
    const [first, second] = await Promise.all([
      post('contested', 'claim-key-1'),
      post('contested', 'claim-key-2'),
    ]);

    // Assess
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const [accepted, refused] = first.status === 202 ? [first, second] : [second, first];
    expect(refused.json).toMatchObject({ type: expect.stringContaining('claim-exists') });
    const { id } = accepted.json as Volume;
    await until(id, ['READY']);
    expect(await clusterFileSystemCount(stack.clusterName)).toBe(before + 1);
    expect(await claimHolder('contested')).toBe(id);
  });

  it('frees the claim when the volume is DELETED, so a new key may take it', async () => {
    // Prepare: a READY volume
    const created = await post('reused', 'reuse-key-1');
    const { id } = created.json as Volume;
    await until(id, ['READY']);
    expect((await post('reused', 'reuse-key-2')).status).toBe(409);

    // Act: delete it, then ask again with another key
    expect((await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' })).status).toBe(202);
    await until(id, ['DELETED']);
    const again = await post('reused', 'reuse-key-3');

    // Assess
    expect(again.status).toBe(202);
    expect(await claimHolder('reused')).toBe((again.json as Volume).id);
    await until((again.json as Volume).id, ['READY']);
  });
});
