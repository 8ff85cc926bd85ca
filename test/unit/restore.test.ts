import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  InvalidParameterValueException,
  ListRecoveryPointsByResourceCommand,
  MissingParameterValueException,
  ResourceNotFoundException,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeFileSystemsCommand,
  EFSClient,
  FileSystemNotFound,
  TagResourceCommand,
} from '@aws-sdk/client-efs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  accessPointPathProblem,
  describeRecoveryPoint,
  efsRestoreMetadata,
  findRecoveryPoint,
  listRecoveryPoints,
  RESTORE_DIRECTORY_EXAMPLE,
  readRestoreJob,
  startRestoreJob,
} from '../../functions/lib/aws/backup.ts';
import { siteOfRoleArn } from '../../functions/lib/aws/resource-site.ts';
import {
  InvalidVolumeRequestError,
  RestoreFailedError,
  RestoreTimeoutError,
  TransientError,
} from '../../functions/lib/errors.ts';
import { ProblemError } from '../../functions/lib/problems/problem.ts';
import { ownFileSystemOf, restoreSpec } from '../../functions/lib/service/restore.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import {
  checkRestore,
  RESTORE_MAX_CHECKS,
  startRestore,
} from '../../functions/lib/workflow/restore-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeRecord, volumeSpec } from './fixtures.ts';

const backupMock = mockClient(BackupClient);
const backup = new BackupClient({ region: 'us-east-1' });
const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const documentMock = mockClient(DynamoDBDocumentClient);
const records = new VolumeRecordStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'volumes',
);

const FILE_SYSTEM_ARN = 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-source1';
const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:AAAA-1111';
const JOB_CREATED = new Date('2026-12-07T04:19:12.610Z');
const SITE = { region: 'us-east-1', accountId: '123456789012', partition: 'aws' };
const ALICE = 'arn:aws:iam::123456789012:role/team-a-alice';
const POLICY = { rules: [{ caller: ALICE, cluster: 'demo', namespaces: ['team-a'] }] };
const AUTOMATIC_VAULT = 'aws/efs/automatic-backup-vault';
const notFound = () => new ResourceNotFoundException({ message: 'no such point', $metadata: {} });

beforeEach(() => {
  backupMock.reset();
  efsMock.reset();
  efsMock.on(TagResourceCommand).resolves({});
  documentMock.reset();
  documentMock.on(UpdateCommand).resolves({});
});

describe('recovery points (AWS Backup)', () => {
  it('lists a page newest first, passing the tokens through', async () => {
    // Prepare
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({
      RecoveryPoints: [
        {
          RecoveryPointArn: `${POINT}-old`,
          CreationDate: new Date('2026-01-01'),
          Status: 'COMPLETED',
        },
        {
          RecoveryPointArn: `${POINT}-new`,
          CreationDate: new Date('2026-02-01'),
          Status: 'COMPLETED',
        },
      ],
      NextToken: 'next',
    });

    // Act
    const page = await listRecoveryPoints(backup, FILE_SYSTEM_ARN, { limit: 2, nextToken: 'this' });

    // Assess
    expect(page.items.map((point) => point.recoveryPointArn)).toEqual([
      `${POINT}-new`,
      `${POINT}-old`,
    ]);
    expect(page.nextToken).toBe('next');
    expect(backupMock.commandCalls(ListRecoveryPointsByResourceCommand)[0]?.args[0].input).toEqual({
      ResourceArn: FILE_SYSTEM_ARN,
      MaxResults: 2,
      NextToken: 'this',
    });
  });

  it("finds a recovery point on a later page, and none that is not the file system's", async () => {
    // Prepare
    backupMock
      .on(ListRecoveryPointsByResourceCommand)
      .resolvesOnce({ RecoveryPoints: [{ RecoveryPointArn: 'other' }], NextToken: 't' })
      .resolves({ RecoveryPoints: [{ RecoveryPointArn: POINT, CreationDate: JOB_CREATED }] });

    // Act
    const found = await findRecoveryPoint(backup, FILE_SYSTEM_ARN, POINT);
    const missing = await findRecoveryPoint(backup, FILE_SYSTEM_ARN, `${POINT}-gone`);

    // Assess
    expect(found?.recoveryPointArn).toBe(POINT);
    expect(missing).toBeUndefined();
  });

  it("describes a recovery point in EFS's automatic backup vault, and finds none where AWS Backup has none", async () => {
    // Prepare
    backupMock
      .on(DescribeRecoveryPointCommand, { RecoveryPointArn: POINT })
      .resolves({ ResourceArn: FILE_SYSTEM_ARN, ResourceType: 'EFS', BackupVaultName: 'v' })
      .on(DescribeRecoveryPointCommand, { RecoveryPointArn: `${POINT}-gone` })
      .rejects(notFound())
      .on(DescribeRecoveryPointCommand, { RecoveryPointArn: 'not-an-arn' })
      .rejects(new InvalidParameterValueException({ message: 'bad arn', $metadata: {} }));

    // Act
    const found = await describeRecoveryPoint(backup, POINT);
    const gone = await describeRecoveryPoint(backup, `${POINT}-gone`);
    const malformed = await describeRecoveryPoint(backup, 'not-an-arn');

    // Assess
    expect(found).toEqual({
      resourceArn: FILE_SYSTEM_ARN,
      resourceType: 'EFS',
      backupVaultName: 'v',
    });
    expect(gone).toBeUndefined();
    expect(malformed).toBeUndefined();
    expect(backupMock.commandCalls(DescribeRecoveryPointCommand)[0]?.args[0].input).toEqual({
      BackupVaultName: AUTOMATIC_VAULT,
      RecoveryPointArn: POINT,
    });
  });

  it('lets any other refusal of DescribeRecoveryPoint through', async () => {
    // Prepare
    backupMock
      .on(DescribeRecoveryPointCommand)
      .rejects(new MissingParameterValueException({ message: 'vault', $metadata: {} }));

    // Act / Assess
    await expect(describeRecoveryPoint(backup, POINT)).rejects.toBeInstanceOf(
      MissingParameterValueException,
    );
  });
});

describe('a restore job', () => {
  const target = {
    volumeId: VOLUME_ID,
    sourceFileSystemId: 'fs-source1',
    performanceMode: 'generalPurpose',
    kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
    iamRoleArn: 'arn:aws:iam::123456789012:role/restore',
  };

  it('restores to a new, encrypted file system with the stack key, the volume id as token', async () => {
    // Prepare
    backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });

    // Act
    const id = await startRestoreJob(backup, POINT, target);

    // Assess
    expect(id).toBe('job-1');
    expect(backupMock.commandCalls(StartRestoreJobCommand)[0]?.args[0].input).toEqual({
      RecoveryPointArn: POINT,
      IamRoleArn: target.iamRoleArn,
      IdempotencyToken: VOLUME_ID,
      ResourceType: 'EFS',
      Metadata: {
        'file-system-id': 'fs-source1',
        newFileSystem: 'true',
        Encrypted: 'true',
        KmsKeyId: target.kmsKeyId,
        PerformanceMode: 'generalPurpose',
        CreationToken: VOLUME_ID,
      },
    });
  });

  it("leaves KmsKeyId out for EFS's own key, and stays encrypted", () => {
    // Act
    const metadata = efsRestoreMetadata({ ...target, kmsKeyId: undefined });

    // Assess
    expect(metadata).not.toHaveProperty('KmsKeyId');
    expect(metadata.Encrypted).toBe('true');
  });

  it.each(['PENDING', 'RUNNING'] as const)('is waited for while %s', async (Status) => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({ Status });

    // Act / Assess
    await expect(readRestoreJob(backup, 'job-1')).resolves.toEqual({ done: false, status: Status });
  });

  it('is done when COMPLETED, with the file system it made (no API names the directory it restored into)', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({
      Status: 'COMPLETED',
      CreationDate: JOB_CREATED,
      CompletionDate: new Date('2026-12-07T04:27:00.417Z'),
      CreatedResourceArn:
        'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234',
    });

    // Act
    const progress = await readRestoreJob(backup, 'job-1');

    // Assess
    expect(progress).toEqual({ done: true, fileSystemId: 'fs-0abc1234' });
  });

  it('is retried when COMPLETED before it names its file system', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED' });

    // Act / Assess
    await expect(readRestoreJob(backup, 'job-1')).rejects.toBeInstanceOf(TransientError);
  });

  it.each(['FAILED', 'ABORTED'] as const)(
    'fails for good when %s, naming the file system it made',
    async (Status) => {
      // Prepare
      backupMock.on(DescribeRestoreJobCommand).resolves({
        Status,
        StatusMessage: 'no space',
        CreatedResourceArn:
          'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234',
      });

      // Act
      const failure = await readRestoreJob(backup, 'job-1').catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(RestoreFailedError);
      expect(failure).toMatchObject({
        name: 'RestoreFailedError',
        fileSystemId: 'fs-0abc1234',
        message: `restore job job-1 ${Status}: no space`,
      });
    },
  );

  it("refuses a restored root that EFS would not take as an access point's root", () => {
    const restore = RESTORE_DIRECTORY_EXAMPLE;
    expect(accessPointPathProblem(`${restore}/team-a/data`)).toBeUndefined();
    expect(accessPointPathProblem(`${restore}/a/b/c/d`)).toMatch(/deeper than the 4/);
    expect(accessPointPathProblem(`${restore}/${'x'.repeat(60)}`)).toMatch(/over the 100/);
  });
});

describe('StartRestoreJob', () => {
  const state: StepState = {
    volumeId: VOLUME_ID,
    spec: volumeSpec({
      performanceMode: 'maxIO',
      restoreFrom: { volumeId: 'vol-source', recoveryPointArn: POINT, fileSystemId: 'fs-source1' },
    }),
  };
  const role = 'arn:aws:iam::123456789012:role/restore';

  it("starts the job as the stack's restore role and records it", async () => {
    // Prepare
    backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });

    // Act
    const started = await startRestore(state, {
      backup,
      efs,
      records,
      settings: { kmsKeyId: undefined },
      restoreRoleArn: role,
    });

    // Assess
    expect(started).toEqual({ restoreJobId: 'job-1' });
    const input = backupMock.commandCalls(StartRestoreJobCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ IamRoleArn: role, RecoveryPointArn: POINT });
    expect(input?.Metadata).toMatchObject({
      PerformanceMode: 'maxIO',
      'file-system-id': 'fs-source1',
    });
  });

  it('starts nothing without a restore role', async () => {
    // Act / Assess
    await expect(
      startRestore(state, {
        backup,
        efs,
        records,
        settings: { kmsKeyId: undefined },
        restoreRoleArn: undefined,
      }),
    ).rejects.toThrow(/RESTORE_ROLE_ARN is unset/);
    expect(backupMock.commandCalls(StartRestoreJobCommand)).toHaveLength(0);
  });
});

describe('CheckRestoreJob', () => {
  const state = (checks = 0): StepState => ({
    volumeId: VOLUME_ID,
    spec: volumeSpec({
      restoreFrom: { volumeId: 'vol-source', recoveryPointArn: POINT, fileSystemId: 'fs-source1' },
    }),
    restoreJob: { restoreJobId: 'job-1' },
    ...(checks > 0 ? { restoreWait: { done: false, waitSeconds: 30, checks } } : {}),
  });
  const deps = { backup, efs, records };

  it('tags the restored file system as the volume’s, then hands it on', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({
      Status: 'COMPLETED',
      CreationDate: JOB_CREATED,
      CreatedResourceArn:
        'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234',
    });

    // Act
    const wait = await checkRestore(state(), deps);

    // Assess
    expect(wait).toMatchObject({ done: true, fileSystemId: 'fs-0abc1234', checks: 1 });
    const tagged = efsMock.commandCalls(TagResourceCommand)[0]?.args[0].input;
    expect(tagged?.ResourceId).toBe('fs-0abc1234');
    expect(tagged?.Tags).toContainEqual({ Key: VOLUME_ID_TAG, Value: VOLUME_ID });
  });

  it('tags a file system a FAILED job made before it fails the step, so rollback deletes it', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({
      Status: 'FAILED',
      CreatedResourceArn:
        'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234',
    });

    // Act / Assess
    await expect(checkRestore(state(), deps)).rejects.toBeInstanceOf(RestoreFailedError);
    expect(efsMock.commandCalls(TagResourceCommand)[0]?.args[0].input.ResourceId).toBe(
      'fs-0abc1234',
    );
  });

  it('tags nothing when an ABORTED job made no file system', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({ Status: 'ABORTED' });

    // Act / Assess
    await expect(checkRestore(state(), deps)).rejects.toBeInstanceOf(RestoreFailedError);
    expect(efsMock.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('asks the state machine to wait while the job runs, and gives up after the last check', async () => {
    // Prepare
    backupMock.on(DescribeRestoreJobCommand).resolves({ Status: 'RUNNING' });

    // Act
    const first = await checkRestore(state(), deps);
    const last = checkRestore(state(RESTORE_MAX_CHECKS - 1), deps);

    // Assess
    expect(first).toEqual({ done: false, waitSeconds: 30, checks: 1 });
    await expect(last).rejects.toBeInstanceOf(RestoreTimeoutError);
  });
});

describe('a restore request', () => {
  const source = (overrides: Partial<VolumeRecord> = {}) =>
    volumeRecord({
      id: 'vol-5000000000000000000a',
      status: 'DELETED',
      spec: volumeSpec({ posixUser: { uid: 2000, gid: 2000, secondaryGids: [] } }),
      resources: { fileSystemId: 'fs-source1' },
      ...overrides,
    });
  const depsWith = (record: VolumeRecord | undefined) => ({
    backup,
    efs,
    site: SITE,
    policy: POLICY,
    records: {
      get: async (id: string) => (id === record?.id ? record : undefined),
    } as unknown as VolumeRecordStore,
  });
  const request = validateVolumeRequest({
    clusterName: 'demo',
    namespace: 'team-a',
    name: 'restored',
    restoreFrom: { volumeId: 'vol-5000000000000000000a', recoveryPointArn: POINT },
  });

  it("takes the source's directory, POSIX user and performance mode, and its file system", async () => {
    // Prepare
    backupMock
      .on(ListRecoveryPointsByResourceCommand)
      .resolves({ RecoveryPoints: [{ RecoveryPointArn: POINT }] });

    // Act
    const spec = await restoreSpec(depsWith(source()), request, ALICE);

    // Assess: a deleted volume's recovery points outlive it
    expect(spec).toMatchObject({
      rootDirectory: { path: '/team-a/shared-data' },
      posixUser: { uid: 2000 },
      restoreFrom: { volumeId: 'vol-5000000000000000000a', fileSystemId: 'fs-source1' },
    });
    expect(
      backupMock.commandCalls(ListRecoveryPointsByResourceCommand)[0]?.args[0].input.ResourceArn,
    ).toBe(FILE_SYSTEM_ARN);
  });

  it('answers 404 for a source the caller may not read, as GET does', async () => {
    // Act
    const refused = await restoreSpec(
      depsWith(source({ spec: volumeSpec({ namespace: 'team-b' }), namespace: 'team-b' })),
      request,
      ALICE,
    ).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({ status: 404, slug: 'volume-not-found' });
    expect(backupMock.commandCalls(ListRecoveryPointsByResourceCommand)).toHaveLength(0);
  });

  it('refuses a source on a shared file system (409) and a recovery point not its own (422)', async () => {
    // Prepare
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
    backupMock.on(DescribeRecoveryPointCommand).rejects(notFound());
    const shared = source({ spec: volumeSpec({ fileSystemId: 'fs-someone1' }) });

    // Act
    const onShared = await restoreSpec(depsWith(shared), request, ALICE).catch((e: unknown) => e);
    const unknown = await restoreSpec(depsWith(source()), request, ALICE).catch((e: unknown) => e);

    // Assess
    expect(onShared).toMatchObject({ status: 409, slug: 'no-own-file-system' });
    expect(unknown).toBeInstanceOf(ProblemError);
    expect(unknown).toMatchObject({ status: 422, slug: 'recovery-point-unknown' });
  });

  it("refuses a recovery point of another file system than the named volume's (422 recovery-point-mismatch)", async () => {
    // Prepare: the point is in the automatic backup vault, of another volume's file system
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
    backupMock.on(DescribeRecoveryPointCommand).resolves({
      ResourceArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-other1',
      ResourceType: 'EFS',
    });

    // Act
    const refused = await restoreSpec(depsWith(source()), request, ALICE).catch((e: unknown) => e);

    // Assess
    expect(refused).toMatchObject({ status: 422, slug: 'recovery-point-mismatch' });
    expect((refused as Error).message).toMatch(/fs-source1, volume vol-5000000000000000000a's/);
  });

  it("takes a recovery point of the named volume's file system that only the vault knows yet", async () => {
    // Prepare: not listed by resource yet, but described in the vault as the source's
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
    backupMock
      .on(DescribeRecoveryPointCommand)
      .resolves({ ResourceArn: FILE_SYSTEM_ARN, ResourceType: 'EFS' });

    // Act
    const spec = await restoreSpec(depsWith(source()), request, ALICE);

    // Assess
    expect(spec.restoreFrom).toEqual({
      recoveryPointArn: POINT,
      volumeId: 'vol-5000000000000000000a',
      fileSystemId: 'fs-source1',
    });
  });

  it('refuses a source whose directory would be too deep once under the restore directory', async () => {
    // Prepare
    backupMock
      .on(ListRecoveryPointsByResourceCommand)
      .resolves({ RecoveryPoints: [{ RecoveryPointArn: POINT }] });
    const deep = source({
      spec: volumeSpec({ rootDirectory: { path: '/a/b/c/d', permissions: '0750' } }),
    });

    // Act / Assess
    await expect(restoreSpec(depsWith(deep), request, ALICE)).rejects.toBeInstanceOf(
      InvalidVolumeRequestError,
    );
  });

  it("budgets for the restore directory's longest known name: a nanosecond time", async () => {
    // Prepare: 51 characters fit under a directory named to the millisecond (44), not to the
    // nanosecond (50), within EFS's 100
    backupMock
      .on(ListRecoveryPointsByResourceCommand)
      .resolves({ RecoveryPoints: [{ RecoveryPointArn: POINT }] });
    const long = source({
      spec: volumeSpec({ rootDirectory: { path: `/${'x'.repeat(50)}`, permissions: '0750' } }),
    });

    // Act
    const refused = await restoreSpec(depsWith(long), request, ALICE).catch((e: unknown) => e);

    // Assess
    expect(refused).toBeInstanceOf(InvalidVolumeRequestError);
    expect((refused as Error).message).toMatch(/over the 100 characters/);
  });

  describe('named by its recovery point alone', () => {
    const byPoint = validateVolumeRequest({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'restored',
      restoreFrom: { recoveryPointArn: POINT },
    });
    // A file system id as EFS makes them (hex), which the recovery point's ResourceArn names.
    const FS = 'fs-05ce0001';
    const ofFileSystem = (fileSystemId = FS) => source({ resources: { fileSystemId } });
    const fileSystem = (tags: Record<string, string>) => ({
      FileSystems: [
        {
          FileSystemId: FS,
          CreationToken: 'vol-5000000000000000000a',
          OwnerId: '123456789012',
          CreationTime: new Date(0),
          LifeCycleState: 'available' as const,
          NumberOfMountTargets: 0,
          SizeInBytes: { Value: 0 },
          PerformanceMode: 'generalPurpose' as const,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    });
    const ofSource = () => {
      backupMock.on(DescribeRecoveryPointCommand).resolves({
        ResourceArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS}`,
        ResourceType: 'EFS',
      });
    };

    it("restores the volume whose file system the recovery point was taken of, found by the file system's volume tag", async () => {
      // Prepare
      ofSource();
      efsMock
        .on(DescribeFileSystemsCommand, { FileSystemId: FS })
        .resolves(fileSystem({ [VOLUME_ID_TAG]: 'vol-5000000000000000000a' }));

      // Act
      const spec = await restoreSpec(depsWith(ofFileSystem()), byPoint, ALICE);

      // Assess: the vault EFS's automatic backups go to; no listing of the file system's points
      expect(spec).toMatchObject({
        rootDirectory: { path: '/team-a/shared-data' },
        posixUser: { uid: 2000 },
        restoreFrom: {
          recoveryPointArn: POINT,
          volumeId: 'vol-5000000000000000000a',
          fileSystemId: FS,
        },
      });
      expect(
        backupMock.commandCalls(DescribeRecoveryPointCommand)[0]?.args[0].input.BackupVaultName,
      ).toBe(AUTOMATIC_VAULT);
      expect(backupMock.commandCalls(ListRecoveryPointsByResourceCommand)).toHaveLength(0);
    });

    it('answers 422 recovery-point-unknown for a recovery point not in the automatic backup vault', async () => {
      // Prepare
      backupMock.on(DescribeRecoveryPointCommand).rejects(notFound());

      // Act
      const refused = await restoreSpec(depsWith(ofFileSystem()), byPoint, ALICE).catch(
        (e: unknown) => e,
      );

      // Assess: the answer says how to restore one of another vault
      expect(refused).toMatchObject({ status: 422, slug: 'recovery-point-unknown' });
      expect((refused as Error).message).toMatch(/restoreFrom\.volumeId/);
      expect(efsMock.commandCalls(DescribeFileSystemsCommand)).toHaveLength(0);
    });

    it.each([
      [
        'the file system is gone',
        () =>
          efsMock.on(DescribeFileSystemsCommand).rejects(
            new FileSystemNotFound({
              message: 'gone',
              $metadata: {},
              ErrorCode: 'FileSystemNotFound',
            }),
          ),
      ],
      [
        'the file system has no volume tag',
        () => efsMock.on(DescribeFileSystemsCommand).resolves(fileSystem({})),
      ],
      [
        'the tag names no volume of this stack',
        () =>
          efsMock
            .on(DescribeFileSystemsCommand)
            .resolves(fileSystem({ [VOLUME_ID_TAG]: 'vol-5000000000000000000b' })),
      ],
    ])('answers 404 when %s, naming no volume', async (_, prepare) => {
      // Prepare
      ofSource();
      prepare();

      // Act
      const refused = await restoreSpec(depsWith(ofFileSystem()), byPoint, ALICE).catch(
        (e: unknown) => e,
      );

      // Assess
      expect(refused).toMatchObject({ status: 404, slug: 'volume-not-found' });
      expect((refused as Error).message).not.toMatch(/vol-/);
    });

    it('answers 404 for a volume the caller may not read, or whose record names another file system: the tag alone proves nothing', async () => {
      // Prepare
      ofSource();
      efsMock
        .on(DescribeFileSystemsCommand)
        .resolves(fileSystem({ [VOLUME_ID_TAG]: 'vol-5000000000000000000a' }));
      const unreadable = source({
        spec: volumeSpec({ namespace: 'team-b' }),
        namespace: 'team-b',
        resources: { fileSystemId: FS },
      });
      const otherFileSystem = ofFileSystem('fs-05ce0002');

      // Act
      const hidden = await restoreSpec(depsWith(unreadable), byPoint, ALICE).catch(
        (e: unknown) => e,
      );
      const forged = await restoreSpec(depsWith(otherFileSystem), byPoint, ALICE).catch(
        (e: unknown) => e,
      );

      // Assess
      expect(hidden).toMatchObject({ status: 404, slug: 'volume-not-found' });
      expect(forged).toMatchObject({ status: 404, slug: 'volume-not-found' });
    });

    it('answers 404 for a recovery point of a file system in another account', async () => {
      // Prepare
      backupMock.on(DescribeRecoveryPointCommand).resolves({
        ResourceArn: `arn:aws:elasticfilesystem:us-east-1:210987654321:file-system/${FS}`,
        ResourceType: 'EFS',
      });

      // Act
      const refused = await restoreSpec(depsWith(ofFileSystem()), byPoint, ALICE).catch(
        (e: unknown) => e,
      );

      // Assess
      expect(refused).toMatchObject({ status: 404, slug: 'volume-not-found' });
      expect(efsMock.commandCalls(DescribeFileSystemsCommand)).toHaveLength(0);
    });
  });

  it('refuses the fields a restore takes from its source', () => {
    expect(() =>
      validateVolumeRequest({
        clusterName: 'demo',
        namespace: 'team-a',
        name: 'restored',
        rootDirectory: { path: '/elsewhere' },
        restoreFrom: { volumeId: 'vol-5000000000000000000a', recoveryPointArn: POINT },
      }),
    ).toThrow(/rootDirectory is not allowed with restoreFrom/);
  });

  it('needs the recovery point, and the volume only if the caller names it', () => {
    // Act
    const byPoint = validateVolumeRequest({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'restored',
      restoreFrom: { recoveryPointArn: POINT },
    });
    const withoutPoint = () =>
      validateVolumeRequest({
        clusterName: 'demo',
        namespace: 'team-a',
        name: 'restored',
        restoreFrom: { volumeId: 'vol-5000000000000000000a' },
      });

    // Assess: what the service fills in is left empty
    expect(byPoint.restoreFrom).toEqual({
      recoveryPointArn: POINT,
      volumeId: '',
      fileSystemId: '',
    });
    expect(withoutPoint).toThrow(/restoreFrom\.recoveryPointArn is required/);
  });

  it('has no file system of its own before CreateFileSystem ran', () => {
    expect(() => ownFileSystemOf(source({ resources: {} }))).toThrow(/never had a file system/);
  });

  it('reads the account and partition off the restore role', () => {
    expect(siteOfRoleArn('arn:aws-cn:iam::210987654321:role/r', 'cn-north-1')).toEqual({
      partition: 'aws-cn',
      accountId: '210987654321',
      region: 'cn-north-1',
    });
    expect(siteOfRoleArn(undefined, 'us-east-1')).toBeUndefined();
  });
});
