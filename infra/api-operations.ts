// The API's operations: which handler serves each, and what it may do. Plain data, no CDK at
// run time, so the stack (infra/volumes-api.ts) and local mode (infra/function-catalog.ts)
// read the same table.
import type { RecordAccess } from './volume-table.ts';

/** An API operation: its handler in functions/api and what it may do. */
export interface OperationAccess {
  readonly handler: string;
  readonly description: string;
  readonly records: readonly RecordAccess[];
  /** Starts this workflow's executions. */
  readonly starts?: 'provision' | 'deprovision' | 'repair';
  /** Describes the cluster and reads namespaces, claims or pods through the Kubernetes API. */
  readonly readsCluster?: boolean;
  /**
   * Runs the drift check (functions/lib/health): reads the cluster's zones and the volume's
   * EFS resources, and puts `Volume Drifted` events. Implies `readsCluster`.
   */
  readonly checksHealth?: boolean;
  /**
   * Lists the recovery points of this stack's file systems (AWS Backup), to show them or to
   * check the one a restore names; reads RESTORE_ROLE_ARN.
   */
  readonly readsRecoveryPoints?: boolean;
  /**
   * Checks a restore's source (`restoreFrom`): besides its recovery points, the file system a
   * recovery point named alone was taken of (AWS Backup DescribeRecoveryPoint). Implies
   * `readsRecoveryPoints`.
   */
  readonly checksRestoreSource?: boolean;
}

/** Each operation of openapi.yaml, read off functions/api/*.ts and functions/lib/service/*.ts. */
export const API_OPERATIONS: Readonly<Record<string, OperationAccess>> = {
  createVolume: {
    handler: 'create-volume',
    description: 'POST /volumes: validates, records and starts provisioning',
    records: ['get', 'put', 'update', 'release'],
    starts: 'provision',
    readsCluster: true,
    readsRecoveryPoints: true,
    checksRestoreSource: true,
  },
  listVolumes: {
    handler: 'list-volumes',
    description: 'GET /volumes: lists volumes newest first',
    records: ['list'],
  },
  getVolume: {
    handler: 'get-volume',
    description: "GET /volumes/{id}: a volume's status, steps and resources",
    records: ['get'],
  },
  deleteVolume: {
    handler: 'delete-volume',
    description: 'DELETE /volumes/{id}: starts deprovisioning',
    records: ['get', 'update', 'release'],
    starts: 'deprovision',
    readsCluster: true,
  },
  repairVolume: {
    handler: 'repair-volume',
    description: 'POST /volumes/{id}/repair: checks the volume and starts its repair',
    records: ['get', 'update'],
    starts: 'repair',
    readsCluster: true,
  },
  getVolumeManifests: {
    handler: 'get-volume-manifests',
    description: "GET /volumes/{id}/manifests: a volume's Kubernetes YAML",
    records: ['get'],
  },
  listRecoveryPoints: {
    handler: 'list-recovery-points',
    description:
      "GET /volumes/{id}/recovery-points: AWS Backup's recovery points of a volume's file system",
    records: ['get'],
    readsRecoveryPoints: true,
  },
  checkVolume: {
    handler: 'check-volume',
    description: 'POST /volumes/{id}/check: checks a READY volume for drift and records its health',
    records: ['get', 'update'],
    readsCluster: true,
    checksHealth: true,
  },
};
