import type { components } from '../../generated/openapi-types.ts';
import { RESTORE_LISTING_USER } from '../aws/access-point.ts';
import type { ClusterDescription } from '../aws/cluster.ts';
import type { FargateReport } from '../aws/fargate-preflight.ts';
import { RESTORE_DIRECTORY_PLACEHOLDER, restoredRootPath } from '../aws/restore-directory.ts';
import type { MountCheckSettings } from '../config.ts';
import { PENDING_FILE_SYSTEM_ID, renderManifests } from '../kube/manifests-yaml.ts';
import { buildMountCheckJob, type JobObject } from '../kube/mount-check-job.ts';
import {
  buildRestoreListingClaim,
  buildRestoreListingJob,
  buildRestoreListingVolume,
} from '../kube/restore-listing-job.ts';
import { toYaml } from '../kube/yaml.ts';
import { volumeCost } from '../pricing/prices.ts';
import { securityGroupName } from '../volume/names.ts';
import type { PoolMember } from '../volume/pool.ts';
import type { QuotaUsage } from '../volume/quota.ts';
import type { VolumeSpec } from '../volume/request.ts';

export type VolumePlan = components['schemas']['VolumePlan'];

/** Where NFS is allowed from: the same choice the CreateSecurityGroup step makes. */
function nfsSource(cluster: ClusterDescription): Record<string, unknown> {
  if (cluster.clusterSecurityGroupId) return { securityGroupIds: [cluster.clusterSecurityGroupId] };
  if (cluster.securityGroupIds.length > 0) return { securityGroupIds: cluster.securityGroupIds };
  return { cidrBlocksOfSubnets: cluster.subnetIds };
}

/**
 * Why a Job's pod (the mount check's, the restore listing's) would never run: Fargate runs a
 * pod only when a profile selects its namespace and every label the profile's selector names
 * (the Job's pod carries its own labels only).
 */
function jobWarnings(
  fargate: FargateReport,
  job: JobObject | undefined,
  what: { readonly option: string; readonly pod: string; readonly step: string },
): string[] {
  if (!job || fargate.profiles.length === 0) return [];
  const template = (job.spec as { template?: { metadata?: { labels?: Record<string, string> } } })
    .template;
  const labels = template?.metadata?.labels ?? {};
  const selects = fargate.profiles.some((profile) =>
    Object.entries(profile.podLabels).every(([key, value]) => labels[key] === value),
  );
  return selects
    ? []
    : [
        `${what.option}: no Fargate profile selects the ${what.pod}'s pod (labels ${Object.entries(
          labels,
        )
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}): it would never start, and the volume would fail at ${what.step}`,
      ];
}

/**
 * What provisioning `spec` on `cluster` would create. Planned from EKS's description alone:
 * mount targets are named by the subnets they are chosen from (one per zone), as the API
 * functions carry no EC2 client.
 */
export function planVolume(
  volumeId: string,
  spec: VolumeSpec,
  cluster: ClusterDescription,
  fargate?: FargateReport,
  quotas?: readonly QuotaUsage[],
  pool?: PoolMember,
  region?: string,
  mountCheck?: MountCheckSettings,
): VolumePlan {
  const job =
    spec.verifyMount && mountCheck
      ? buildMountCheckJob({
          volumeId,
          namespace: spec.namespace,
          claimName: spec.name,
          probe: volumeId,
          settings: mountCheck,
        })
      : undefined;
  const listing =
    spec.restoreFrom && mountCheck
      ? {
          volume: buildRestoreListingVolume({
            volumeId,
            namespace: spec.namespace,
            fileSystemId: PENDING_FILE_SYSTEM_ID,
            accessPointId: '<restoreListingAccessPointId>',
          }),
          claim: buildRestoreListingClaim({ volumeId, namespace: spec.namespace }),
          job: buildRestoreListingJob({
            volumeId,
            namespace: spec.namespace,
            settings: mountCheck,
          }),
        }
      : undefined;
  const shared = spec.fileSystemId !== undefined;
  const source = shared ? 'shared' : pool ? 'pool' : 'new';
  const cost = region
    ? volumeCost(source, region, { restore: spec.restoreFrom !== undefined })
    : undefined;
  // A pool member's security group, file system and mount targets exist: only reused.
  const made = pool ? ('reuse' as const) : ('create' as const);
  return {
    dryRun: true,
    spec,
    fileSystemSource: source,
    ...(pool?.fileSystemId ? { poolFileSystemId: pool.fileSystemId } : {}),
    ...(cost ? { cost } : {}),
    aws: [
      {
        type: 'AWS::EC2::SecurityGroup',
        action: made,
        properties: {
          groupName: securityGroupName(volumeId),
          ...(cluster.vpcId ? { vpcId: cluster.vpcId } : {}),
          ingress: { protocol: 'tcp', port: 2049, from: nfsSource(cluster) },
          egress: [],
        },
      },
      {
        type: 'AWS::EFS::FileSystem',
        action: shared ? 'reuse' : made,
        properties: shared
          ? { fileSystemId: spec.fileSystemId }
          : pool?.fileSystemId
            ? { fileSystemId: pool.fileSystemId, fromWarmPool: true }
            : spec.restoreFrom
              ? {
                  // AWS Backup makes it: StartRestoreJob to a new file system, waited for.
                  restoredBy: 'AWS Backup StartRestoreJob',
                  recoveryPointArn: spec.restoreFrom.recoveryPointArn,
                  fromVolumeId: spec.restoreFrom.volumeId,
                  fromFileSystemId: spec.restoreFrom.fileSystemId,
                  encrypted: true,
                  performanceMode: spec.performanceMode,
                }
              : {
                  encrypted: true,
                  performanceMode: spec.performanceMode,
                  throughputMode: spec.throughputMode,
                  ...(spec.provisionedThroughputInMibps !== undefined
                    ? { provisionedThroughputInMibps: spec.provisionedThroughputInMibps }
                    : {}),
                  backup: spec.backup ?? true,
                },
      },
      {
        type: 'AWS::EFS::MountTarget',
        action: made,
        properties: {
          onePerAvailabilityZoneOf: cluster.subnetIds,
          securityGroup: securityGroupName(volumeId),
        },
      },
      {
        type: 'AWS::EFS::AccessPoint',
        action: 'create',
        properties: {
          posixUser: spec.posixUser,
          rootDirectory: {
            // A restore's data is under AWS Backup's directory, which FindRestoreDirectory
            // finds on the restored file system (no AWS API names it).
            path: spec.restoreFrom
              ? restoredRootPath(RESTORE_DIRECTORY_PLACEHOLDER, spec.rootDirectory.path)
              : spec.rootDirectory.path,
            creationInfo: {
              ownerUid: spec.posixUser.uid,
              ownerGid: spec.posixUser.gid,
              permissions: spec.rootDirectory.permissions,
            },
          },
        },
      },
    ],
    manifests: renderManifests(
      volumeId,
      spec,
      shared
        ? { fileSystemId: spec.fileSystemId }
        : pool?.fileSystemId
          ? { fileSystemId: pool.fileSystemId }
          : {},
    ),
    ...(job && mountCheck
      ? {
          mountCheck: {
            namespace: spec.namespace,
            image: mountCheck.image,
            timeoutSeconds: mountCheck.timeoutSeconds,
            job: toYaml(job),
          },
        }
      : {}),
    ...(listing && mountCheck
      ? {
          restoreListing: {
            namespace: spec.namespace,
            image: mountCheck.image,
            timeoutSeconds: mountCheck.timeoutSeconds,
            accessPoint: {
              rootDirectory: '/',
              posixUser: { uid: RESTORE_LISTING_USER, gid: RESTORE_LISTING_USER },
            },
            manifests: [toYaml(listing.volume), toYaml(listing.claim)].join('---\n'),
            job: toYaml(listing.job),
          },
        }
      : {}),
    ...(fargate
      ? {
          fargate: {
            profiles: fargate.profiles.map((profile) => ({
              name: profile.name,
              podLabels: { ...profile.podLabels },
              subnetIds: [...profile.subnetIds],
            })),
            availabilityZones: [...fargate.availabilityZones],
          },
          warnings: [
            ...fargate.warnings,
            ...jobWarnings(fargate, job, {
              option: 'verifyMount',
              pod: 'mount check',
              step: 'VerifyMount',
            }),
            ...jobWarnings(fargate, listing?.job, {
              option: 'restoreFrom',
              pod: 'restore listing',
              step: 'FindRestoreDirectory',
            }),
          ],
        }
      : {}),
    ...(quotas
      ? {
          quotas: {
            volumes: quotas.map((quota) => ({ ...quota })),
            ...(fargate?.mountTargetSubnets
              ? { mountTargetSubnets: fargate.mountTargetSubnets.map((subnet) => ({ ...subnet })) }
              : {}),
          },
        }
      : {}),
  };
}
