// Data safety through the API and the bundles (issue 19): deleting the volume that created a
// file system never destroys another volume's data on it, and a new file system is never
// reachable without its policy.

import { readFileSync } from 'node:fs';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECLAIM_POLICY_TAG } from '../../functions/lib/aws/tags.ts';
import type { AccessPolicy } from '../../functions/lib/service/access-policy.ts';
import { parseRecordedCalls } from '../../local/aws-calls/recorded-call.ts';
import type { LocalStack } from '../../local/stack.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { awsLeftovers } from '../support/workflow-harness.ts';

const ACCOUNT = '123456789012';
const TEAM_A = `arn:aws:sts::${ACCOUNT}:assumed-role/team-a-deployer/session-1`;
const TEAM_B = `arn:aws:sts::${ACCOUNT}:assumed-role/team-b-deployer/session-1`;
const TEAM_B_OTHER = `arn:aws:sts::${ACCOUNT}:assumed-role/team-b-other/session-1`;
const PLATFORM = `arn:aws:sts::${ACCOUNT}:assumed-role/platform-admin/session-1`;

type Resource = { type: string; id: string; reason?: string };
type Volume = {
  id: string;
  status: string;
  resources: {
    fileSystemId?: string;
    accessPointId?: string;
    securityGroupId?: string;
    mountTargetIds?: string[];
  };
  retained?: Resource[];
  leftovers?: Resource[];
};

const efs = new EFSClient({});
const ec2 = new EC2Client({});
let stack: LocalStack;

/** The stack's ACCESS_POLICY: team-b may share the given file systems. */
function policy(sharedFileSystems: string[]): AccessPolicy {
  return {
    rules: [
      { caller: `arn:aws:iam::${ACCOUNT}:role/team-a-*`, cluster: 'api-*', namespaces: ['team-a'] },
      {
        caller: `arn:aws:iam::${ACCOUNT}:role/team-b-*`,
        cluster: 'api-*',
        namespaces: ['team-b'],
        ...(sharedFileSystems.length > 0
          ? { sharedFileSystems, posixIds: { uids: ['2000-2999'], gids: [2000] } }
          : {}),
      },
      {
        caller: `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
        cluster: 'api-*',
        namespaces: ['team-b'],
        deleteOthers: true,
        ...(sharedFileSystems.length > 0
          ? { sharedFileSystems, posixIds: { uids: ['2000-2999'], gids: [2000] } }
          : {}),
      },
    ],
  };
}

/** A READY volume of team-a whose file system its owner made shareable and the operator shares. */
async function sharedFileSystem(name: string): Promise<string> {
  const originId = await create(TEAM_A, { namespace: 'team-a', name, reclaimPolicy: 'Retain' });
  const fileSystemId = (await until(TEAM_A, originId, 'READY')).resources.fileSystemId ?? '';
  await efs.send(
    new TagResourceCommand({
      ResourceId: fileSystemId,
      Tags: [{ Key: 'efs-volumes:shareable', Value: 'true' }],
    }),
  );
  process.env.ACCESS_POLICY = JSON.stringify(policy([fileSystemId]));
  return fileSystemId;
}

beforeAll(async () => {
  stack = await startTestStack({ policy: policy([]) });
});

afterAll(async () => {
  await stack?.stop();
});

async function call(caller: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${stack.api}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'X-Local-Caller': caller },
  });
  return { status: response.status, json: (await response.json()) as Volume };
}

async function create(caller: string, body: Record<string, unknown>): Promise<string> {
  const created = await call(
    caller,
    '/volumes',
    json({ clusterName: stack.clusterName, ...body }) as RequestInit,
  );
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  return created.json.id;
}

async function until(caller: string, id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const { json: volume } = await call(caller, `/volumes/${id}`);
    if (volume.status === status) return volume;
    if (['FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'].includes(volume.status))
      throw new Error(`volume ${id} ended ${volume.status}: ${JSON.stringify(volume)}`);
    return undefined;
  }, 60_000);
}

async function fileSystemExists(fileSystemId: string): Promise<boolean> {
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

async function accessPointsOn(fileSystemId: string): Promise<string[]> {
  try {
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
    );
    return AccessPoints.map((point) => point.AccessPointId ?? '');
  } catch (error) {
    if ((error as { name?: string }).name === 'FileSystemNotFound') return [];
    throw error;
  }
}

async function mountTargetsOf(fileSystemId: string): Promise<Record<string, string>> {
  try {
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    return Object.fromEntries(
      MountTargets.map((target) => [target.MountTargetId ?? '', target.LifeCycleState ?? '']),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'FileSystemNotFound') return {};
    throw error;
  }
}

async function securityGroupExists(groupId: string): Promise<boolean> {
  try {
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
    );
    return SecurityGroups.length > 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidGroup.NotFound') return false;
    throw error;
  }
}

describe('deleting a volume on a file system another volume shares', () => {
  it("keeps the file system while another volume's access point is on it, and removes it with the last", async () => {
    // Prepare: team-a's volume creates the file system and asks for Delete
    const originId = await create(TEAM_A, {
      namespace: 'team-a',
      name: 'origin',
      reclaimPolicy: 'Delete',
    });
    const origin = await until(TEAM_A, originId, 'READY');
    const fileSystemId = origin.resources.fileSystemId ?? '';
    const groupId = origin.resources.securityGroupId ?? '';
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    expect(FileSystems[0]?.Tags).toContainEqual({ Key: RECLAIM_POLICY_TAG, Value: 'Delete' });
    // Prepare: its owner makes it shareable, the operator shares it with team-b, team-b uses it
    await efs.send(
      new TagResourceCommand({
        ResourceId: fileSystemId,
        Tags: [{ Key: 'efs-volumes:shareable', Value: 'true' }],
      }),
    );
    process.env.ACCESS_POLICY = JSON.stringify(policy([fileSystemId]));
    const sharerId = await create(TEAM_B, {
      namespace: 'team-b',
      name: 'sharer',
      fileSystemId,
      posixUser: { uid: 2500, gid: 2000 },
      reclaimPolicy: 'Delete',
    });
    const sharer = await until(TEAM_B, sharerId, 'READY');
    const sharerPoint = sharer.resources.accessPointId ?? '';
    const mountTargetsBefore = await mountTargetsOf(fileSystemId);
    expect(Object.keys(mountTargetsBefore).length).toBeGreaterThan(0);

    // Act: the creator is deleted, as it may be
    const deleting = await call(TEAM_A, `/volumes/${originId}?force=true`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);
    const deleted = await until(TEAM_A, originId, 'DELETED');

    // Assess: the file system, its mount targets and group are kept, and the record says why
    expect(await fileSystemExists(fileSystemId)).toBe(true);
    expect(await mountTargetsOf(fileSystemId)).toEqual(mountTargetsBefore);
    expect(await securityGroupExists(groupId)).toBe(true);
    expect(await accessPointsOn(fileSystemId)).toEqual([sharerPoint]);
    const keptFileSystem = deleted.retained?.find((resource) => resource.type === 'FileSystem');
    expect(keptFileSystem).toMatchObject({ id: fileSystemId });
    expect(keptFileSystem?.reason).toContain(sharerPoint);
    expect(deleted.retained).toEqual(
      expect.arrayContaining([
        { type: 'SecurityGroup', id: groupId },
        ...Object.keys(mountTargetsBefore).map((id) => ({ type: 'MountTarget', id })),
      ]),
    );
    // Assess: the sharer is untouched and healthy
    const checked = await call(TEAM_B, `/volumes/${sharerId}/check`, { method: 'POST' });
    expect(checked.status, JSON.stringify(checked.json)).toBe(200);
    expect((checked.json as unknown as { state: string }).state).toBe('HEALTHY');

    // Act: the last volume on it goes
    const last = await call(TEAM_B, `/volumes/${sharerId}?force=true`, { method: 'DELETE' });
    expect(last.status).toBe(202);
    const lastDeleted = await until(TEAM_B, sharerId, 'DELETED');

    // Assess: the creator asked for Delete, so the file system, mount targets and group go
    expect(lastDeleted.retained ?? []).toEqual([]);
    expect(await fileSystemExists(fileSystemId)).toBe(false);
    expect(await securityGroupExists(groupId)).toBe(false);
    expect(await awsLeftovers(originId)).toEqual([]);
    expect(await awsLeftovers(sharerId)).toEqual([]);
  });
});

describe('a new file system', () => {
  it('gets its access-point-only policy before its first mount target, and keeps it', async () => {
    // Act
    const id = await create(TEAM_A, {
      namespace: 'team-a',
      name: 'closed',
      reclaimPolicy: 'Delete',
    });
    const volume = await until(TEAM_A, id, 'READY');

    // Assess: in the order the functions made them, the calls on this file system
    const fileSystemId = volume.resources.fileSystemId ?? '';
    const log = process.env.LOCAL_AWS_CALL_LOG ?? '';
    const onIt = parseRecordedCalls(readFileSync(log, 'utf8'), log)
      .filter((call) => call.resources.some((arn) => arn.endsWith(`file-system/${fileSystemId}`)))
      .map((call) => call.operation)
      .filter((operation) => ['PutFileSystemPolicy', 'CreateMountTarget'].includes(operation));
    expect(onIt[0]).toBe('PutFileSystemPolicy');
    expect(onIt).toContain('CreateMountTarget');
    const { Policy } = await efs.send(
      new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }),
    );
    expect(JSON.parse(Policy ?? '{}').Id).toBe('efs-volumes-access-point-only');
  });

  it('reports a policy opened to every client as drift, and repair puts it back', async () => {
    // Prepare: someone replaces the policy with one that lets any client mount the root (moto
    // serves no DeleteFileSystemPolicy; the unit tests cover a deleted policy)
    const id = await create(TEAM_A, { namespace: 'team-a', name: 'reopened' });
    const volume = await until(TEAM_A, id, 'READY');
    const fileSystemId = volume.resources.fileSystemId ?? '';
    await efs.send(
      new PutFileSystemPolicyCommand({
        FileSystemId: fileSystemId,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientRootAccess'],
              Resource: '*',
            },
          ],
        }),
      }),
    );

    // Act
    const checked = await call(TEAM_A, `/volumes/${id}/check`, { method: 'POST' });

    // Assess
    const health = checked.json as unknown as {
      state: string;
      findings: Array<{ resource: string; id: string; repairable: boolean }>;
    };
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      expect.objectContaining({ resource: 'FileSystemPolicy', id: fileSystemId, repairable: true }),
    ]);

    // Act
    const repair = await call(TEAM_A, `/volumes/${id}/repair`, { method: 'POST' });

    // Assess
    expect(repair.status, JSON.stringify(repair.json)).toBe(202);
    const repaired = await eventually(async () => {
      const { json: now } = await call(TEAM_A, `/volumes/${id}`);
      const ended = now as unknown as { status: string; repair?: { status: string } };
      return ended.status === 'READY' && ended.repair?.status !== 'RUNNING' ? ended : undefined;
    }, 60_000);
    expect(repaired).toMatchObject({
      repair: { status: 'SUCCEEDED' },
      health: { state: 'HEALTHY' },
    });
    const { Policy } = await efs.send(
      new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }),
    );
    expect(JSON.parse(Policy ?? '{}').Id).toBe('efs-volumes-access-point-only');
  });
});

describe('directories of a shared file system', () => {
  it("refuses another owner's directory, live or deleted, inside or around it, until an admin reattaches it", async () => {
    // Prepare: team-b's volume takes its default directory on a shared file system
    const fileSystemId = await sharedFileSystem('paths-origin');
    const shared = { namespace: 'team-b', fileSystemId, posixUser: { uid: 2500, gid: 2000 } };
    const firstId = await create(TEAM_B, { ...shared, name: 'app', reclaimPolicy: 'Delete' });
    const first = await until(TEAM_B, firstId, 'READY');
    const path = `/${stack.clusterName}/team-b/app`;
    const { json: firstVolume } = await call(TEAM_B, `/volumes/${firstId}`);
    expect(
      (firstVolume as unknown as { spec: { rootDirectory: { path: string } } }).spec.rootDirectory
        .path,
    ).toBe(path);
    const post = (caller: string, body: Record<string, unknown>) =>
      call(
        caller,
        '/volumes',
        json({ clusterName: stack.clusterName, ...shared, ...body }) as RequestInit,
      );

    // Act / Assess: another owner, the same directory, one inside it, one outside the namespace's
    const same = await post(TEAM_B_OTHER, { name: 'copy', rootDirectory: { path } });
    const inside = await post(TEAM_B_OTHER, {
      name: 'inside',
      rootDirectory: { path: `${path}/sub` },
    });
    const planned = await post(TEAM_B_OTHER, {
      name: 'plan',
      rootDirectory: { path },
      dryRun: true,
    });
    const outside = await post(TEAM_B_OTHER, {
      name: 'outside',
      rootDirectory: { path: '/team-b/app' },
    });
    expect([same.status, inside.status, planned.status, outside.status]).toEqual([
      409, 409, 409, 403,
    ]);
    expect((same.json as unknown as { type: string; detail: string }).type).toMatch(/path-in-use$/);
    expect((same.json as unknown as { detail: string }).detail).toContain(firstId);

    // Act: the first volume is deleted; its data stays in its directory
    expect(
      (await call(TEAM_B, `/volumes/${firstId}?force=true`, { method: 'DELETE' })).status,
    ).toBe(202);
    await until(TEAM_B, firstId, 'DELETED');
    const afterDelete = await post(TEAM_B_OTHER, { name: 'copy', rootDirectory: { path } });
    const reattachRefused = await post(TEAM_B_OTHER, {
      name: 'copy',
      rootDirectory: { path },
      reattach: true,
    });
    const reattached = await post(PLATFORM, {
      name: 'recovered',
      rootDirectory: { path },
      reattach: true,
    });

    // Assess
    expect([afterDelete.status, reattachRefused.status]).toEqual([409, 403]);
    expect((afterDelete.json as unknown as { detail: string }).detail).toContain('deleted');
    expect(reattached.status, JSON.stringify(reattached.json)).toBe(202);
    const recovered = await until(PLATFORM, reattached.json.id, 'READY');
    expect(recovered.resources.accessPointId).not.toBe(first.resources.accessPointId);
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: recovered.resources.accessPointId }),
    );
    expect(AccessPoints[0]?.RootDirectory?.Path).toBe(path);
  });
});
