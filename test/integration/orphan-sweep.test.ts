import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
} from '@aws-sdk/client-efs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_TAG } from '../../functions/lib/aws/tags.ts';
import { sweepOrphans } from '../../functions/lib/sweep/orphans.ts';
import { newVolumeId, VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import type { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { seedCluster } from '../../local/seed-cluster.ts';
import {
  awsLeftovers,
  ec2,
  efs,
  eks,
  uniqueName,
  useVolumesTable,
} from '../support/workflow-harness.ts';

let records: VolumeRecordStore;
let vpcId: string;
/** This file's own stack: the sweep never touches the other test files' resources. */
const stack = uniqueName('SweepTest');
let subnetId: string;

/** Creates a volume's AWS resources by hand, tagged as the workflow tags them. */
async function plantResources(volumeId: string, ofStack = stack) {
  const tags = [
    { Key: VOLUME_ID_TAG, Value: volumeId },
    { Key: STACK_TAG, Value: ofStack },
  ];
  const { FileSystemId } = await efs.send(
    new CreateFileSystemCommand({ CreationToken: volumeId, Encrypted: true, Tags: tags }),
  );
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `orphan-${volumeId}`,
      Description: 'planted',
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
    }),
  );
  await efs.send(
    new CreateMountTargetCommand({
      FileSystemId,
      SubnetId: subnetId,
      SecurityGroups: [GroupId ?? ''],
    }),
  );
  const { AccessPointId } = await efs.send(
    new CreateAccessPointCommand({ FileSystemId, Tags: tags }),
  );
  return {
    fileSystemId: FileSystemId ?? '',
    securityGroupId: GroupId ?? '',
    accessPointId: AccessPointId ?? '',
  };
}

const spec = () =>
  validateVolumeRequest({ clusterName: 'c', namespace: 'n', name: uniqueName('v') });

beforeAll(async () => {
  records = await useVolumesTable();
  const seeded = await seedCluster({ ec2, eks }, uniqueName('sweep'));
  vpcId = seeded.vpcId;
  subnetId = seeded.subnetIds[0] ?? '';
});

describe('orphan sweep', () => {
  it('reports resources of missing or terminal volumes, deletes them only when asked, and spares the rest', async () => {
    // Prepare: an orphan with no record, leftovers of a ROLLBACK_FAILED volume, a READY volume,
    // and a DELETED volume that retained its file system on purpose
    const unrecorded = newVolumeId();
    await plantResources(unrecorded);
    // another stack's volume in the same account: unknown to this table, and not ours to touch
    const anotherStacks = newVolumeId();
    await plantResources(anotherStacks, uniqueName('AnotherStack'));
    const rolledBack = newVolumeId();
    await records.create(rolledBack, spec());
    await plantResources(rolledBack);
    await records.setStatus(rolledBack, 'ROLLBACK_FAILED');
    const ready = newVolumeId();
    await records.create(ready, spec());
    await plantResources(ready);
    await records.setStatus(ready, 'READY');
    const retained = newVolumeId();
    await records.create(retained, spec());
    const kept = await plantResources(retained);
    await records.setStatus(retained, 'DELETED', {
      retained: [
        { type: 'FileSystem', id: kept.fileSystemId },
        { type: 'SecurityGroup', id: kept.securityGroupId },
      ],
    });

    // Act: dry run
    const dryRun = await sweepOrphans({ efs, ec2, records }, { stack });

    // Assess: the two volumes' resources (file system, mount target, access point, group each)
    // plus the retained volume's access point, which it did not retain
    const found = (volumeId: string) =>
      dryRun.orphans.filter((orphan) => orphan.volumeId === volumeId);
    expect(
      found(unrecorded)
        .map((orphan) => orphan.type)
        .sort(),
    ).toEqual(['AccessPoint', 'FileSystem', 'MountTarget', 'SecurityGroup']);
    expect(found(unrecorded).every((orphan) => orphan.reason === 'no-record')).toBe(true);
    expect(found(rolledBack).map((orphan) => orphan.reason)).toEqual([
      'ROLLBACK_FAILED',
      'ROLLBACK_FAILED',
      'ROLLBACK_FAILED',
      'ROLLBACK_FAILED',
    ]);
    expect(found(ready)).toEqual([]);
    expect(found(retained).map((orphan) => orphan.type)).toEqual(['AccessPoint']);
    expect(dryRun.deleted).toEqual([]);
    expect(found(anotherStacks)).toEqual([]);
    expect(await awsLeftovers(unrecorded)).toHaveLength(4);

    // Act: delete, through the command line as an operator would
    const script = fileURLToPath(new URL('../../scripts/sweep-orphans.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--delete', '--json'], {
      env: { ...process.env, VOLUMES_TABLE: process.env.VOLUMES_TABLE, STACK_NAME: stack },
    });
    const report = JSON.parse(stdout) as { deleted: unknown[]; failed: unknown[] };

    // Assess
    expect(report.failed).toEqual([]);
    expect(await awsLeftovers(unrecorded)).toEqual([]);
    expect(await awsLeftovers(rolledBack)).toEqual([]);
    expect(await awsLeftovers(ready)).toHaveLength(4);
    expect(await awsLeftovers(anotherStacks)).toHaveLength(4);
    const stillRetained = await awsLeftovers(retained);
    expect(stillRetained).toHaveLength(3);
    expect(stillRetained).toEqual(
      expect.arrayContaining([
        `FileSystem/${kept.fileSystemId}`,
        `SecurityGroup/${kept.securityGroupId}`,
      ]),
    );
  });

  it("keeps a file system that holds a live volume's access point, with its mount targets and group", async () => {
    // Prepare: a volume whose rollback failed left its file system, on which a READY volume
    // of another team has its access point (the file system was shared)
    const creator = newVolumeId();
    await records.create(creator, spec());
    const planted = await plantResources(creator);
    await records.setStatus(creator, 'ROLLBACK_FAILED');
    const sharer = newVolumeId();
    await records.create(sharer, spec());
    await records.setStatus(sharer, 'READY');
    const { AccessPointId } = await efs.send(
      new CreateAccessPointCommand({
        FileSystemId: planted.fileSystemId,
        Tags: [
          { Key: VOLUME_ID_TAG, Value: sharer },
          { Key: STACK_TAG, Value: stack },
        ],
      }),
    );

    // Act
    const report = await sweepOrphans({ efs, ec2, records }, { stack, delete: true });

    // Assess: only the creator's own access point was the sweep's; the sharer's data stays
    const found = report.orphans.filter((orphan) => orphan.volumeId === creator);
    expect(found).toEqual([
      {
        type: 'AccessPoint',
        id: planted.accessPointId,
        volumeId: creator,
        reason: 'ROLLBACK_FAILED',
      },
    ]);
    expect(report.failed).toEqual([]);
    const left = await awsLeftovers(creator);
    expect(left).toEqual(
      expect.arrayContaining([
        `FileSystem/${planted.fileSystemId}`,
        `SecurityGroup/${planted.securityGroupId}`,
      ]),
    );
    expect(left.filter((resource) => resource.startsWith('MountTarget/'))).toHaveLength(1);
    expect(await awsLeftovers(sharer)).toEqual([`AccessPoint/${AccessPointId}`]);
  });

  it('says how to use it when the table is not named', async () => {
    const script = fileURLToPath(new URL('../../scripts/sweep-orphans.ts', import.meta.url));
    const env = { ...process.env };
    delete env.VOLUMES_TABLE;
    await expect(promisify(execFile)(process.execPath, [script], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('name the volume table'),
    });
  });
});
