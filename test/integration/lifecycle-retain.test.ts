import { randomBytes } from 'node:crypto';
import { DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupError } from '../../functions/lib/errors.ts';
import { sweepOrphans } from '../../functions/lib/sweep/orphans.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import type { TaskHandler } from '../../local/step-functions/local-workflow.ts';
import { eventually, json } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';
import { documents, ec2, efs } from '../support/workflow-harness.ts';

type Volume = {
  id: string;
  status: string;
  resources: { fileSystemId?: string };
  retained?: Array<{ type: string; id: string }>;
  leftovers?: Array<{ type: string; id: string }>;
};

/** Task states that fail (after doing nothing) while named here: faults the test turns on and off. */
const failing = new Set<string>();

function faults(functionName: string, handler: TaskHandler): TaskHandler {
  return async (input) => {
    if (failing.has(functionName)) throw new CleanupError(`${functionName} fails (injected)`);
    return handler(input);
  };
}

let stack: LocalStack;

beforeAll(async () => {
  const suffix = randomBytes(3).toString('hex');
  stack = await startLocalStack({
    apiPort: 0,
    motoEndpoint: motoEndpoint(),
    clusterName: `retain-${suffix}`,
    tableName: `volumes-retain-${suffix}`,
    run: { waitMilliseconds: 0, retryMilliseconds: 0, wrap: faults },
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function create(name: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(
    `${stack.api}/volumes`,
    json({ clusterName: stack.clusterName, namespace: 'team-a', name, ...body }),
  );
  expect(response.status).toBe(202);
  return ((await response.json()) as Volume).id;
}

async function until(id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const volume = (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume;
    return volume.status === status ? volume : undefined;
  }, 30_000);
}

async function remove(id: string): Promise<void> {
  const response = await fetch(`${stack.api}/volumes/${id}?force=true`, { method: 'DELETE' });
  expect(response.status).toBe(202);
}

async function fileSystemExists(fileSystemId: string | undefined): Promise<boolean> {
  // By id: a list is one page of 100, and the shared moto holds more file systems than that.
  try {
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    return FileSystems.length > 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'FileSystemNotFound') return false;
    throw error;
  }
}

describe('keep or delete the file system, as the record decided', () => {
  it("keeps a Retain volume's file system through a failed delete, the sweep and the delete that follows", async () => {
    // Prepare: a READY Retain volume whose first delete fails
    const id = await create('kept', { reclaimPolicy: 'Retain' });
    const ready = await until(id, 'READY');
    const fileSystemId = ready.resources.fileSystemId;
    failing.add('DeleteAccessPoint');
    try {
      await remove(id);
      await until(id, 'DELETE_FAILED');
    } finally {
      failing.delete('DeleteAccessPoint');
    }

    // Act: the sweep looks (report only: the moto account is shared), then the delete again
    const sweep = await sweepOrphans({
      efs,
      ec2,
      records: new VolumeRecordStore(documents, stack.tableName),
    });
    await remove(id);
    const deleted = await until(id, 'DELETED');

    // Assess
    // only the access point, which every deletion removes, is the sweep's to take
    expect(
      sweep.orphans.filter((orphan) => orphan.volumeId === id).map((orphan) => orphan.type),
    ).toEqual(['AccessPoint']);
    expect(await fileSystemExists(fileSystemId)).toBe(true);
    expect(deleted.retained).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'FileSystem', id: fileSystemId })]),
    );
  });

  it('deletes the file system of a Retain volume that never became READY, even after a failed cleanup', async () => {
    // Prepare: provisioning fails late and its rollback cannot delete the file system
    failing.add('CheckClaimBound');
    failing.add('DeleteFileSystem');
    let fileSystemId: string | undefined;
    let id: string;
    try {
      id = await create('never-ready', { reclaimPolicy: 'Retain' });
      fileSystemId = (await until(id, 'ROLLBACK_FAILED')).resources.fileSystemId;
      failing.delete('CheckClaimBound');
      // the first cleanup fails too
      await remove(id);
      await until(id, 'DELETE_FAILED');
    } finally {
      failing.delete('CheckClaimBound');
      failing.delete('DeleteFileSystem');
    }

    // Act: the cleanup again
    await remove(id);
    const deleted = await until(id, 'DELETED');

    // Assess
    expect(await fileSystemExists(fileSystemId)).toBe(false);
    expect(deleted.retained ?? []).toEqual([]);
  });
});
