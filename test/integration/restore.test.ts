// Restore from AWS Backup end to end (issue 23 item 1), on one local stack and five workflow
// runs: a source volume, a restore of its recovery point named with the volume, one named by
// the recovery point alone, a restore whose file system shows two restore directories, and a
// restore whose job fails. The rules around them
// (authorization, the recovery point's owner, the plan) are answered before anything runs; the
// logic is unit-tested in test/unit/restore*.test.ts.
import { randomBytes } from 'node:crypto';
import { BackupClient, StartBackupJobCommand, TagResourceCommand } from '@aws-sdk/client-backup';
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import type { LocalStack } from '../../local/stack.ts';
import { eventually, json, kubectl, startTestStack } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';
import { awsLeftovers, efs, kubeLeftovers } from '../support/workflow-harness.ts';

const ACCOUNT = '123456789012';
const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ALICE = session('team-a-alice');
const TEAM_B = session('team-b-deployer');

type Volume = {
  id: string;
  status: string;
  spec: {
    rootDirectory: { path: string };
    posixUser: { uid: number };
    restoreFrom?: { volumeId: string; recoveryPointArn: string; fileSystemId: string };
  };
  resources: {
    fileSystemId?: string;
    accessPointId?: string;
    restoreJobId?: string;
    restoreDirectory?: string;
  };
  steps: Record<string, { status: string; error?: { message?: string } }>;
  error?: { step?: string; message?: string };
};
type Problem = { type: string; status: number; detail?: string };
type RecoveryPoints = { items: Array<{ recoveryPointArn: string; status: string }> };

const backup = new BackupClient({});
let stack: LocalStack;
let source: Volume;
let recoveryPointArn: string;

function as(caller: string, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'X-Local-Caller': caller },
  };
}

async function post(caller: string, body: Record<string, unknown>) {
  const response = await fetch(
    `${stack.api}/volumes`,
    as(caller, json({ clusterName: stack.clusterName, namespace: 'team-a', ...body })),
  );
  return { status: response.status, json: (await response.json()) as unknown };
}

async function read(id: string): Promise<Volume> {
  return (await (await fetch(`${stack.api}/volumes/${id}`, as(ALICE))).json()) as Volume;
}

async function settled(id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const volume = await read(id);
    return volume.status === status ? volume : undefined;
  }, 60_000);
}

/**
 * The restore directories the model made at the file system's root, read from moto's model
 * (local/moto_efs.py), not from any AWS answer and not recomputed.
 */
async function restoreDirectoriesOf(fileSystemId: string): Promise<string[]> {
  const response = await fetch(
    `${motoEndpoint()}/_local/efs/directories?fileSystemId=${fileSystemId}&region=us-east-1`,
  );
  const { directories } = (await response.json()) as { directories: string[] };
  return [
    ...new Set(
      directories.flatMap((path) => {
        const top = path.split('/')[1] ?? '';
        return top.startsWith('aws-backup-restore_') ? [`/${top}`] : [];
      }),
    ),
  ];
}

async function recoveryPoints(caller: string, id: string) {
  const response = await fetch(`${stack.api}/volumes/${id}/recovery-points`, as(caller));
  return { status: response.status, json: (await response.json()) as unknown };
}

beforeAll(async () => {
  const suffix = randomBytes(3).toString('hex');
  stack = await startTestStack({
    clusterName: `api-restore-${suffix}`,
    policy: {
      rules: [
        { caller: role('team-a-*'), cluster: 'api-*', namespaces: ['team-a'] },
        { caller: role('team-b-*'), cluster: 'api-*', namespaces: ['team-b'] },
      ],
    },
  });
  // Prepare: a volume with backup on (the default), READY, and a backup job of its file system.
  const created = await post(ALICE, { name: 'source' });
  expect(created.status).toBe(202);
  source = await settled((created.json as Volume).id, 'READY');
  const { RecoveryPointArn } = await backup.send(
    new StartBackupJobCommand({
      BackupVaultName: 'aws/efs/automatic-backup-vault',
      ResourceArn: `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/${source.resources.fileSystemId}`,
      IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole`,
    }),
  );
  recoveryPointArn = RecoveryPointArn ?? '';
});

afterAll(async () => {
  await stack?.stop();
});

describe('restoring a volume from AWS Backup', () => {
  it("lists the source volume's recovery point, and hides it from a caller who may not read the volume", async () => {
    // Act
    const listed = await recoveryPoints(ALICE, source.id);
    const hidden = await recoveryPoints(session('team-c-someone'), source.id);

    // Assess
    expect(listed.status).toBe(200);
    expect((listed.json as RecoveryPoints).items).toEqual([
      expect.objectContaining({ recoveryPointArn, status: 'COMPLETED' }),
    ]);
    expect(hidden.status).toBe(404);
  });

  it('refuses a restore by a caller who may not read the source, and of a recovery point not its own, creating nothing', async () => {
    // Prepare: team-b may create volumes in team-b only, so it may not read alice's source
    const unknown = `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:00000000-0000-0000-0000-000000000000`;

    // Act
    const unreadable = await post(TEAM_B, {
      namespace: 'team-b',
      name: 'stolen',
      restoreFrom: { volumeId: source.id, recoveryPointArn },
    });
    const unknownPoint = await post(ALICE, {
      name: 'unknown-point',
      restoreFrom: { volumeId: source.id, recoveryPointArn: unknown },
    });

    // Assess: 404 as GET /volumes/{id} answers team-b; 422 for the point; no claim made
    expect(unreadable.status).toBe(404);
    expect((unreadable.json as Problem).type).toMatch(/volume-not-found$/);
    expect(unknownPoint.status).toBe(422);
    expect((unknownPoint.json as Problem).type).toMatch(/recovery-point-unknown$/);
    const claims = await kubectl(stack, ['get', 'pvc', '-A', '-o', 'name']);
    expect(claims.stdout).not.toMatch(/stolen|unknown-point/);
  });

  it('plans a restore: the restore job, the listing that finds its directory, and the directory it will mount', async () => {
    // Act
    const plan = await post(ALICE, {
      name: 'planned',
      dryRun: true,
      restoreFrom: { volumeId: source.id, recoveryPointArn },
    });

    // Assess
    expect(plan.status).toBe(200);
    const aws = (plan.json as { aws: Array<{ type: string; properties: Record<string, unknown> }> })
      .aws;
    expect(aws.find((item) => item.type === 'AWS::EFS::FileSystem')?.properties).toMatchObject({
      restoredBy: 'AWS Backup StartRestoreJob',
      recoveryPointArn,
      fromVolumeId: source.id,
      fromFileSystemId: source.resources.fileSystemId,
    });
    expect(aws.find((item) => item.type === 'AWS::EFS::AccessPoint')?.properties).toMatchObject({
      rootDirectory: { path: `/aws-backup-restore_<time>${source.spec.rootDirectory.path}` },
    });
    const listing = (plan.json as { restoreListing?: Record<string, unknown> }).restoreListing;
    expect(listing).toMatchObject({
      namespace: 'team-a',
      accessPoint: { rootDirectory: '/', posixUser: { uid: 65534, gid: 65534 } },
    });
    expect(listing?.job).toContain('app.kubernetes.io/component: restore-listing');
  });

  it("restores a new volume whose access point's root is the restored copy of the source's directory, READY with its claim Bound", async () => {
    // Act
    const accepted = await post(ALICE, {
      name: 'restored',
      restoreFrom: { volumeId: source.id, recoveryPointArn },
    });
    expect(accepted.status).toBe(202);
    const restored = await settled((accepted.json as Volume).id, 'READY');

    // Assess: a new file system, made by the restore under the volume's id, tagged as its own
    const { fileSystemId, accessPointId, restoreDirectory, restoreJobId } = restored.resources;
    expect(fileSystemId).not.toBe(source.resources.fileSystemId);
    expect(restoreJobId).toBeTruthy();
    // The directory the model's restore made (no API returns its name): the one found
    const made = await restoreDirectoriesOf(fileSystemId ?? '');
    expect(made).toHaveLength(1);
    expect(restoreDirectory).toBe(made[0]);
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    expect(FileSystems[0]).toMatchObject({ CreationToken: restored.id, Encrypted: true });
    expect(FileSystems[0]?.Tags).toContainEqual({ Key: VOLUME_ID_TAG, Value: restored.id });
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: accessPointId }),
    );
    expect(AccessPoints[0]?.RootDirectory?.Path).toBe(
      `${restoreDirectory}${source.spec.rootDirectory.path}`,
    );
    expect(AccessPoints[0]?.PosixUser?.Uid).toBe(source.spec.posixUser.uid);
    const claim = await kubectl(stack, [
      'get',
      'pvc',
      'restored',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(claim).toMatchObject({ code: 0, stdout: 'Bound' });
    expect(Object.keys(restored.steps)).toEqual(
      expect.arrayContaining([
        'StartRestoreJob',
        'CheckRestoreJob',
        'CreateFileSystem',
        'FindRestoreDirectory',
      ]),
    );
    // ...and the listing is gone: its access point, PersistentVolume, claim and Job
    const points = await efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }));
    expect(points.AccessPoints?.map((point) => point.AccessPointId)).toEqual([accessPointId]);
    expect(
      kubeLeftovers(stack.emulator, restored.id).filter((object) =>
        object.includes('restore-listing'),
      ),
    ).toEqual([]);
  });

  it('restores by the recovery point alone the volume its file system belongs to, and refuses it named with another volume', async () => {
    // Act: no volumeId; the service finds the source from the recovery point's file system
    const accepted = await post(ALICE, {
      name: 'restored-by-point',
      restoreFrom: { recoveryPointArn },
    });
    expect(accepted.status).toBe(202);
    const restored = await settled((accepted.json as Volume).id, 'READY');
    // ...and the same recovery point named with the restored volume, whose it is not
    const mismatched = await post(ALICE, {
      name: 'mismatched',
      restoreFrom: { volumeId: restored.id, recoveryPointArn },
    });

    // Assess
    expect(restored.spec.restoreFrom).toEqual({
      recoveryPointArn,
      volumeId: source.id,
      fileSystemId: source.resources.fileSystemId,
    });
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: restored.resources.accessPointId }),
    );
    expect(AccessPoints[0]?.RootDirectory?.Path).toBe(
      `${restored.resources.restoreDirectory}${source.spec.rootDirectory.path}`,
    );
    expect(mismatched.status).toBe(422);
    expect((mismatched.json as Problem).type).toMatch(/recovery-point-mismatch$/);
    const claims = await kubectl(stack, ['get', 'pvc', '-A', '-o', 'name']);
    expect(claims.stdout).toMatch(/restored-by-point/);
    expect(claims.stdout).not.toMatch(/mismatched/);
  });

  it('rolls back a restore whose file system shows two restore directories, rather than guess, leaving nothing', async () => {
    // Prepare: the model's restores of this recovery point make two aws-backup-restore_* directories
    await backup.send(
      new TagResourceCommand({
        ResourceArn: recoveryPointArn,
        Tags: { 'local:restore-directories': '2' },
      }),
    );

    // Act
    const accepted = await post(ALICE, {
      name: 'restore-ambiguous',
      restoreFrom: { volumeId: source.id, recoveryPointArn },
    });
    expect(accepted.status).toBe(202);
    const failed = await settled((accepted.json as Volume).id, 'FAILED');

    // Assess: refused at the listing; no access point (the listing's included), PV, claim or Job left
    expect(failed.error).toMatchObject({ step: 'FindRestoreDirectory' });
    expect(failed.error?.message).toMatch(/found 2 aws-backup-restore_\* directories/);
    expect(await awsLeftovers(failed.id)).toEqual([]);
    expect(kubeLeftovers(stack.emulator, failed.id)).toEqual([]);
  });

  it('rolls back a restore whose job fails, leaving nothing: not the file system the job made', async () => {
    // Prepare: the model's restore jobs of this recovery point fail, after making a file system
    await backup.send(
      new TagResourceCommand({
        ResourceArn: recoveryPointArn,
        Tags: { 'local:restore-job-status': 'FAILED' },
      }),
    );

    // Act
    const accepted = await post(ALICE, {
      name: 'restore-fails',
      restoreFrom: { volumeId: source.id, recoveryPointArn },
    });
    expect(accepted.status).toBe(202);
    const failed = await settled((accepted.json as Volume).id, 'FAILED');

    // Assess
    expect(failed.error).toMatchObject({ step: 'CheckRestoreJob' });
    expect(failed.error?.message).toMatch(/FAILED/);
    expect(await awsLeftovers(failed.id)).toEqual([]);
    expect(kubeLeftovers(stack.emulator, failed.id)).toEqual([]);
  });
});
