import type { components } from '../../generated/openapi-types.ts';
import type { ClusterTarget } from '../aws/cluster.ts';
import { subnetPerZone } from '../aws/mount-targets.ts';
import { nfsIngress } from '../aws/security-group.ts';
import { renderManifests } from '../kube/manifests-yaml.ts';
import { securityGroupName } from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';

export type VolumePlan = components['schemas']['VolumePlan'];

/** What provisioning `spec` on `cluster` would create, computed by the same code that creates it. */
export function planVolume(volumeId: string, spec: VolumeSpec, cluster: ClusterTarget): VolumePlan {
  const shared = spec.fileSystemId !== undefined;
  return {
    dryRun: true,
    spec,
    aws: [
      {
        type: 'AWS::EC2::SecurityGroup',
        action: 'create',
        properties: {
          groupName: securityGroupName(volumeId),
          vpcId: cluster.vpcId,
          ingress: nfsIngress(cluster),
          egress: [],
        },
      },
      {
        type: 'AWS::EFS::FileSystem',
        action: shared ? 'reuse' : 'create',
        properties: shared
          ? { fileSystemId: spec.fileSystemId }
          : {
              encrypted: true,
              performanceMode: spec.performanceMode,
              throughputMode: spec.throughputMode,
              ...(spec.provisionedThroughputInMibps !== undefined
                ? { provisionedThroughputInMibps: spec.provisionedThroughputInMibps }
                : {}),
            },
      },
      ...subnetPerZone(cluster).map((subnet) => ({
        type: 'AWS::EFS::MountTarget',
        action: 'create' as const,
        properties: { availabilityZone: subnet.availabilityZone, subnetId: subnet.subnetId },
      })),
      {
        type: 'AWS::EFS::AccessPoint',
        action: 'create',
        properties: {
          posixUser: spec.posixUser,
          rootDirectory: {
            path: spec.rootDirectory.path,
            creationInfo: {
              ownerUid: spec.posixUser.uid,
              ownerGid: spec.posixUser.gid,
              permissions: spec.rootDirectory.permissions,
            },
          },
        },
      },
    ],
    manifests: renderManifests(volumeId, spec, shared ? { fileSystemId: spec.fileSystemId } : {}),
  };
}
