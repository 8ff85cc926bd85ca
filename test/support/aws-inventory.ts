// What moto holds for one cluster's volumes, read from moto itself with clients of their own,
// so a fault proxy in front of moto (AWS_ENDPOINT_URL) never gets in the way of the assertions.
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { allAccessPoints, allFileSystems } from '../../functions/lib/aws/efs-listing.ts';
import { errorName } from '../../functions/lib/aws/transient.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { motoEndpoint } from './moto-endpoint.ts';

const CLUSTER_TAG = 'efs-volumes:cluster';

function motoConfig() {
  return { endpoint: motoEndpoint(), region: 'us-east-1' };
}

export const motoEfs = new EFSClient(motoConfig());
export const motoEc2 = new EC2Client(motoConfig());

type Tags = ReadonlyArray<{ Key?: string; Value?: string }> | undefined;

function tag(tags: Tags, key: string): string | undefined {
  return tags?.find((entry) => entry.Key === key)?.Value;
}

/** Resource ids of one kind, by the volume id they are tagged with. */
export type ByVolume = Map<string, string[]>;

/** Every resource in moto tagged with the cluster, by kind and volume id. */
export interface ClusterInventory {
  readonly fileSystems: ByVolume;
  readonly mountTargets: ByVolume;
  readonly accessPoints: ByVolume;
  readonly securityGroups: ByVolume;
}

function add(map: ByVolume, volumeId: string | undefined, id: string | undefined): void {
  const key = volumeId ?? '(untagged)';
  map.set(key, [...(map.get(key) ?? []), id ?? '?']);
}

/** How many file systems moto holds for a cluster (by its tag): cheaper than an inventory. */
export async function clusterFileSystemCount(clusterName: string): Promise<number> {
  return (await allFileSystems(motoEfs)).filter(
    (fileSystem) => tag(fileSystem.Tags, CLUSTER_TAG) === clusterName,
  ).length;
}

/** A file system's mount targets; undefined once the file system is gone. */
async function mountTargetsOf(fileSystemId: string) {
  try {
    const { MountTargets = [] } = await motoEfs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    return MountTargets;
  } catch (error) {
    if (errorName(error) === 'FileSystemNotFound') return undefined;
    throw error;
  }
}

/** Reads every file system, mount target, access point and security group of a cluster. */
export async function clusterInventory(clusterName: string): Promise<ClusterInventory> {
  const inventory: ClusterInventory = {
    fileSystems: new Map(),
    mountTargets: new Map(),
    accessPoints: new Map(),
    securityGroups: new Map(),
  };
  for (const fileSystem of await allFileSystems(motoEfs)) {
    if (tag(fileSystem.Tags, CLUSTER_TAG) !== clusterName) continue;
    const volumeId = tag(fileSystem.Tags, VOLUME_ID_TAG);
    const mountTargets = await mountTargetsOf(fileSystem.FileSystemId ?? '');
    // Deleted since the list (another test's rollback, running side by side): gone.
    if (!mountTargets) continue;
    add(inventory.fileSystems, volumeId, fileSystem.FileSystemId);
    for (const target of mountTargets) add(inventory.mountTargets, volumeId, target.MountTargetId);
  }
  for (const point of await allAccessPoints(motoEfs)) {
    if (tag(point.Tags, CLUSTER_TAG) !== clusterName) continue;
    add(inventory.accessPoints, tag(point.Tags, VOLUME_ID_TAG), point.AccessPointId);
  }
  const { SecurityGroups = [] } = await motoEc2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${CLUSTER_TAG}`, Values: [clusterName] }],
    }),
  );
  for (const group of SecurityGroups) {
    add(inventory.securityGroups, tag(group.Tags, VOLUME_ID_TAG), group.GroupId);
  }
  return inventory;
}

/** How many resources of each kind each volume has: `{ fileSystems: [1, 1, …], … }`. */
export function countsPerVolume(
  inventory: ClusterInventory,
  volumeIds: readonly string[],
): Record<keyof ClusterInventory, number[]> {
  const counts = (map: ByVolume) => volumeIds.map((id) => map.get(id)?.length ?? 0);
  return {
    fileSystems: counts(inventory.fileSystems),
    mountTargets: counts(inventory.mountTargets),
    accessPoints: counts(inventory.accessPoints),
    securityGroups: counts(inventory.securityGroups),
  };
}

/** Resources tagged with the cluster that belong to none of the given volumes, as `Kind/id`. */
export function strayResources(
  inventory: ClusterInventory,
  volumeIds: readonly string[],
): string[] {
  const known = new Set(volumeIds);
  return Object.entries(inventory).flatMap(([kind, map]: [string, ByVolume]) =>
    [...map]
      .filter(([volumeId]) => !known.has(volumeId))
      .flatMap(([, ids]) => ids.map((id) => `${kind}/${id}`)),
  );
}

/** The resources of the given volumes, as `Kind/id`. */
export function resourcesOf(inventory: ClusterInventory, volumeIds: readonly string[]): string[] {
  const wanted = new Set(volumeIds);
  return Object.entries(inventory).flatMap(([kind, map]: [string, ByVolume]) =>
    [...map]
      .filter(([volumeId]) => wanted.has(volumeId))
      .flatMap(([, ids]) => ids.map((id) => `${kind}/${id}`)),
  );
}
