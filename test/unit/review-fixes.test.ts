// Behaviours added after review: access denied is not "retry later", shared file systems are
// never given mount targets, duplicates never leak, tokens follow the partition.
import {
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from '../../functions/lib/api/problem.ts';
import { asProblem } from '../../functions/lib/api/service-errors.ts';
import { deleteAccessPoint } from '../../functions/lib/aws/access-point.ts';
import { ensureMountTargets } from '../../functions/lib/aws/mount-targets.ts';
import { KubernetesRequestError, MountTargetFailedError } from '../../functions/lib/errors.ts';
import { stsHost } from '../../functions/lib/kube/eks-token.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { clusterTarget, VOLUME_ID } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });

beforeEach(() => {
  efsMock.reset();
});

function problemOf(error: unknown): ProblemError {
  try {
    asProblem(error);
  } catch (thrown) {
    if (thrown instanceof ProblemError) return thrown;
    throw thrown;
  }
  throw new Error('asProblem returned');
}

describe('asProblem', () => {
  it('answers a cluster that refuses this service with 502 cluster-access-denied, not a retry', () => {
    const problem = problemOf(new KubernetesRequestError('refused', 401));
    expect(problem.status).toBe(502);
    expect(problem.slug).toBe('cluster-access-denied');
    expect(problem.headers['Retry-After']).toBeUndefined();
  });

  it('answers AccessDeniedException from EKS with 403', () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    expect(problemOf(denied).status).toBe(403);
  });

  it('still answers a Kubernetes 5xx with 503 and Retry-After', () => {
    const problem = problemOf(new KubernetesRequestError('down', 500));
    expect(problem.status).toBe(503);
    expect(problem.headers['Retry-After']).toBe('5');
  });
});

describe('ensureMountTargets on a shared file system', () => {
  it('refuses to create mount targets in zones that have none, naming them', async () => {
    // Prepare: available, with a mount target in one of the cluster's zones only
    const cluster = clusterTarget();
    const [first] = cluster.subnets;
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ LifeCycleState: 'available' } as never] });
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        { MountTargetId: 'fsmt-1', AvailabilityZoneName: first?.availabilityZone } as never,
      ],
    });

    // Act / Assess
    await expect(
      ensureMountTargets(efs, 'fs-12345678', cluster, '', { shared: true }),
    ).rejects.toThrow(MountTargetFailedError);
    expect(efsMock.commandCalls(DescribeMountTargetsCommand)).toHaveLength(1);
  });
});

describe('deleteAccessPoint', () => {
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

describe('stsHost', () => {
  it("signs for the region's partition", () => {
    expect(stsHost('eu-west-1')).toBe('sts.eu-west-1.amazonaws.com');
    expect(stsHost('cn-north-1')).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('tag keys', () => {
  it('refuses __proto__, which the DynamoDB marshaller would turn into a prototype', () => {
    expect(() =>
      validateVolumeRequest(
        JSON.parse('{"clusterName":"c","namespace":"n","name":"v","tags":{"__proto__":"x"}}'),
      ),
    ).toThrow(/tags/);
  });
});
