import type { ClusterNetwork, ClusterSubnet } from '../../functions/lib/aws/cluster.ts';
import type { VolumeRecord } from '../../functions/lib/volume/record.ts';
import type { VolumeSpec } from '../../functions/lib/volume/request.ts';

/** A volume id of the shape `newVolumeId()` gives, fixed so snapshots stay stable. */
export const VOLUME_ID = 'vol-0123456789abcdef0123';

/** A validated spec with the service's defaults, overridable per test. */
export function volumeSpec(overrides: Partial<VolumeSpec> = {}): VolumeSpec {
  return {
    clusterName: 'demo',
    namespace: 'team-a',
    name: 'shared-data',
    posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
    rootDirectory: { path: '/team-a/shared-data', permissions: '0750' },
    performanceMode: 'generalPurpose',
    throughputMode: 'elastic',
    capacity: '5Gi',
    reclaimPolicy: 'Retain',
    storageClassName: 'efs-sc',
    tags: {},
    dryRun: false,
    ...overrides,
  };
}

export function subnet(subnetId: string, availabilityZone: string, cidrBlock = ''): ClusterSubnet {
  return { subnetId, availabilityZone, cidrBlock };
}

/** A described cluster, overridable per test. */
export function clusterTarget(overrides: Partial<ClusterNetwork> = {}): ClusterNetwork {
  return {
    name: 'demo',
    vpcId: 'vpc-1',
    subnets: [
      subnet('subnet-a', 'us-east-1a', '10.0.1.0/24'),
      subnet('subnet-b', 'us-east-1b', '10.0.2.0/24'),
    ],
    securityGroupIds: [],
    ...overrides,
  };
}

/** A volume record as the API writes it (provision execution named after the volume). */
export function volumeRecord(overrides: Partial<VolumeRecord> = {}): VolumeRecord {
  const spec = overrides.spec ?? volumeSpec();
  return {
    recordType: 'volume',
    id: VOLUME_ID,
    status: 'PROVISIONING',
    executionName: VOLUME_ID,
    spec,
    clusterName: spec.clusterName,
    namespace: spec.namespace,
    name: spec.name,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    steps: {},
    resources: {},
    ...overrides,
  };
}
