import {
  AccessPointAlreadyExists,
  AccessPointNotFound,
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
  EFSClient,
  FileSystemNotFound,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteAccessPoint,
  ensureAccessPoint,
  findAccessPoint,
} from '../../functions/lib/aws/access-point.ts';
import { TransientError } from '../../functions/lib/errors.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const ourTag = { Key: 'efs-volumes:volume-id', Value: VOLUME_ID };
const tags = [ourTag, { Key: 'team', Value: 'storage' }];

function accessPointAlreadyExists(accessPointId: string | undefined): AccessPointAlreadyExists {
  return new AccessPointAlreadyExists({
    message: 'exists',
    $metadata: {},
    ErrorCode: 'AccessPointAlreadyExists',
    AccessPointId: accessPointId,
  });
}

beforeEach(() => {
  efsMock.reset();
});

describe('findAccessPoint', () => {
  it("finds the volume's access point by its tag, across pages", async () => {
    // Prepare
    // Matched when sent: the SDK's paginator reuses one input object from page to page.
    efsMock
      .on(DescribeAccessPointsCommand, { FileSystemId: 'fs-1' })
      .resolves({
        AccessPoints: [
          { AccessPointId: 'fsap-other', Tags: [{ Key: ourTag.Key, Value: 'vol-someone-else' }] },
        ],
        NextToken: 'page-2',
      })
      .on(DescribeAccessPointsCommand, { FileSystemId: 'fs-1', NextToken: 'page-2' })
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-ours', Tags: [ourTag] }] });

    // Act
    const found = await findAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(found?.AccessPointId).toBe('fsap-ours');
    expect(efsMock.commandCalls(DescribeAccessPointsCommand)).toHaveLength(2);
  });

  it('gives undefined when the file system is gone', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .rejects(
        new FileSystemNotFound({ message: 'gone', $metadata: {}, ErrorCode: 'FileSystemNotFound' }),
      );

    // Act
    const found = await findAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('ensureAccessPoint', () => {
  it('creates an access point confined to the root directory and POSIX user', async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(CreateAccessPointCommand).resolves({ AccessPointId: 'fsap-new' });
    const spec = volumeSpec({
      posixUser: { uid: 2000, gid: 3000, secondaryGids: [4000] },
      rootDirectory: { path: '/exports/data', permissions: '0700' },
    });

    // Act
    const accessPointId = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', spec, tags);

    // Assess
    expect(accessPointId).toBe('fsap-new');
    expect(efsMock.commandCalls(CreateAccessPointCommand)[0]?.args[0].input).toEqual({
      ClientToken: VOLUME_ID,
      FileSystemId: 'fs-1',
      PosixUser: { Uid: 2000, Gid: 3000, SecondaryGids: [4000] },
      RootDirectory: {
        Path: '/exports/data',
        CreationInfo: { OwnerUid: 2000, OwnerGid: 3000, Permissions: '0700' },
      },
      Tags: tags,
    });
  });

  it('leaves out SecondaryGids when there are none', async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(CreateAccessPointCommand).resolves({ AccessPointId: 'fsap-new' });

    // Act
    await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags);

    // Assess
    const input = efsMock.commandCalls(CreateAccessPointCommand)[0]?.args[0].input;
    expect(input?.PosixUser).toEqual({ Uid: 1000, Gid: 1000 });
  });

  it('returns the access point found by tag without a create call', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-earlier', Tags: [ourTag] }] });

    // Act
    const accessPointId = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags);

    // Assess
    expect(accessPointId).toBe('fsap-earlier');
    expect(efsMock.commandCalls(CreateAccessPointCommand)).toHaveLength(0);
  });

  it('adopts the access point named by AccessPointAlreadyExists', async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(CreateAccessPointCommand).rejects(accessPointAlreadyExists('fsap-raced'));

    // Act
    const accessPointId = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags);

    // Assess
    expect(accessPointId).toBe('fsap-raced');
  });

  it('asks for a retry when AccessPointAlreadyExists names no access point', async () => {
    // Prepare
    const exists = accessPointAlreadyExists(undefined);
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(CreateAccessPointCommand).rejects(exists);

    // Act
    const error = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).cause).toBe(exists);
  });
});

describe('deleteAccessPoint', () => {
  it('deletes the access point found by tag and returns its id', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-ours', Tags: [ourTag] }] });
    efsMock.on(DeleteAccessPointCommand).resolves({});

    // Act
    const deleted = await deleteAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(deleted).toBe('fsap-ours');
    expect(efsMock.commandCalls(DeleteAccessPointCommand)[0]?.args[0].input).toEqual({
      AccessPointId: 'fsap-ours',
    });
  });

  it('does nothing when no access point carries the tag', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-theirs', Tags: [] }] });

    // Act
    const deleted = await deleteAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(deleted).toBeUndefined();
    expect(efsMock.commandCalls(DeleteAccessPointCommand)).toHaveLength(0);
  });

  it('treats AccessPointNotFound as done', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-ours', Tags: [ourTag] }] });
    efsMock.on(DeleteAccessPointCommand).rejects(
      new AccessPointNotFound({
        message: 'gone',
        $metadata: {},
        ErrorCode: 'AccessPointNotFound',
      }),
    );

    // Act
    const deleted = await deleteAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(deleted).toBe('fsap-ours');
  });

  it('deletes every access point tagged with the volume, so a duplicate never leaks', async () => {
    // Prepare: two tagged access points (one on a second page) and one of another volume
    const tagged = (id: string, volumeId = VOLUME_ID) => ({
      AccessPointId: id,
      Tags: [{ Key: 'efs-volumes:volume-id', Value: volumeId }],
    });
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolvesOnce({
        AccessPoints: [tagged('fsap-1'), tagged('fsap-other', 'vol-other')],
        NextToken: 'page-2',
      })
      .resolves({ AccessPoints: [tagged('fsap-2')] });
    efsMock.on(DeleteAccessPointCommand).resolves({});

    // Act
    const first = await deleteAccessPoint(efs, 'fs-12345678', VOLUME_ID);

    // Assess
    expect(first).toBe('fsap-1');
    expect(
      efsMock
        .commandCalls(DeleteAccessPointCommand)
        .map((call) => call.args[0].input.AccessPointId),
    ).toEqual(['fsap-1', 'fsap-2']);
  });
});

describe("the restore listing's temporary access point", () => {
  const listingTag = { Key: 'efs-volumes:purpose', Value: 'restore-listing' };

  it("is never taken for the volume's own access point", async () => {
    // Prepare: the listing's comes first in EFS's answer
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [
        { AccessPointId: 'fsap-listing', Tags: [ourTag, listingTag] },
        { AccessPointId: 'fsap-own', Tags: [ourTag] },
      ],
    });

    // Act
    const found = await findAccessPoint(efs, 'fs-1', VOLUME_ID);
    const ensured = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags);

    // Assess
    expect(found?.AccessPointId).toBe('fsap-own');
    expect(ensured).toBe('fsap-own');
  });

  it("is created when it is all the volume has, and the volume's own then still is", async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [{ AccessPointId: 'fsap-listing', Tags: [ourTag, listingTag] }] });
    efsMock.on(CreateAccessPointCommand).resolves({ AccessPointId: 'fsap-own' });

    // Act
    const ensured = await ensureAccessPoint(efs, VOLUME_ID, 'fs-1', volumeSpec(), tags);

    // Assess
    expect(ensured).toBe('fsap-own');
    expect(efsMock.commandCalls(CreateAccessPointCommand)[0]?.args[0].input.ClientToken).toBe(
      VOLUME_ID,
    );
  });

  it("goes with rollback's deletion of the volume's access points, which names the volume's own", async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [
        { AccessPointId: 'fsap-listing', Tags: [ourTag, listingTag] },
        { AccessPointId: 'fsap-own', Tags: [ourTag] },
      ],
    });
    efsMock.on(DeleteAccessPointCommand).resolves({});

    // Act
    const deleted = await deleteAccessPoint(efs, 'fs-1', VOLUME_ID);

    // Assess
    expect(deleted).toBe('fsap-own');
    expect(
      efsMock
        .commandCalls(DeleteAccessPointCommand)
        .map((call) => call.args[0].input.AccessPointId)
        .sort(),
    ).toEqual(['fsap-listing', 'fsap-own']);
  });
});
