import type { AccessPointResult, DeferredAccessPoint } from '../aws/access-point-result.ts';
import type { ClusterNetwork } from '../aws/cluster.ts';
import type { FileSystemResult } from '../aws/file-system.ts';
import type { MountTargetsResult } from '../aws/mount-targets.ts';
import type { AppliedManifests } from '../kube/apply.ts';
import type { VolumeResources } from '../volume/record.ts';
import type { VolumeSpec } from '../volume/request.ts';

/** The workflows a volume runs. Each ASL file names its own in every Task's Parameters. */
export type WorkflowOperation = 'provision' | 'deprovision' | 'repair';

/**
 * What deleting (or rolling back) a volume does with the file system its access point was on,
 * decided from what exists now, never from the deleting volume's spec alone: a file system
 * shared later by another volume holds that volume's data too.
 */
export interface FileSystemDisposal {
  /** The file system the volume's access point was on; null when there is none. */
  readonly fileSystemId: string | null;
  /**
   * True: the file system, all of its mount targets and the security group of the volume that
   * created it go. False: all three stay (a file system that is gone stays gone).
   */
  readonly remove: boolean;
  /**
   * The volume that created the file system (its CreationToken and volume-id tag), whose
   * security group its mount targets carry; null when this stack did not create it.
   */
  readonly creatorVolumeId: string | null;
  /** Why it is kept, for the record's `retained`; null when it goes or is gone. */
  readonly keptBecause: string | null;
  /** The access points of other volumes (or of anyone) still on it: each keeps it. */
  readonly otherAccessPointIds: readonly string[];
}

/** What DeleteAccessPoint returns (aws-steps.ts `AccessPointDeletion`). */
export interface AccessPointStepResult {
  readonly accessPointId?: string | null;
  readonly retainFileSystem?: boolean;
  /** Absent in executions started before the decision was made from the file system. */
  readonly disposal?: FileSystemDisposal;
}

/**
 * The input of an execution: ids only. Each step reads the volume's spec and resources from
 * its record, and which execution runs it from the state machine (see execution.ts).
 */
export interface ExecutionInput {
  readonly volumeId: string;
  /** For people and event rules reading the execution; the steps take the ASL's. */
  readonly operation?: WorkflowOperation;
  /**
   * Provisioning a restore: the recovery point (as the record's spec names it), so the state
   * machine's `Restore?` choice takes the restore steps.
   */
  readonly restoreFrom?: string;
  /**
   * A repair that ends with the VerifyMount step (POST /volumes/{id}/repair?verifyMount=true).
   * Provisioning takes it from the spec instead (the record is the truth).
   */
  readonly verifyMount?: boolean;
}

/** A wait loop's position: the state machine's Wait state reads `waitSeconds`. */
export interface WaitProgress {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly checks: number;
  /** Mount targets: when a check first found them all available (ISO 8601). */
  readonly availableAt?: string;
  /** The claim, once Bound: whether the VerifyMount step runs next (the ASL's Choice reads it). */
  readonly verifyMount?: boolean;
}

/** CheckRestoreJob's result: the state machine waits `waitSeconds` until `done`. */
export interface RestoreWait extends WaitProgress {
  /** Once done: the file system AWS Backup made. */
  readonly fileSystemId?: string;
}

/** FindRestoreDirectory's result: the state machine waits `waitSeconds` until `done`. */
export interface RestoreListing extends WaitProgress {
  /**
   * Once done: the directory AWS Backup restored into, at the restored file system's root, as
   * the listing pod found it (`/aws-backup-restore_<time>`).
   */
  readonly restoreDirectory?: string;
}

/** Step Functions' description of a caught error. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * The execution's state as it moves through statemachine/*.asl.json: the input, plus each
 * step's result at the ResultPath named after it.
 */
export interface WorkflowState extends ExecutionInput {
  /** Where the cluster's pods run; its endpoint and CA are described afresh where needed. */
  readonly cluster?: ClusterNetwork;
  /** CreateSecurityGroup's result (aws-steps.ts `SecurityGroupResult`). */
  readonly securityGroup?: {
    readonly securityGroupId: string;
    readonly clientSecurityGroupId?: string;
  };
  /** StartRestoreJob's result. */
  readonly restoreJob?: { readonly restoreJobId: string };
  /** CheckRestoreJob's result: a wait loop's position, and once done the restored file system. */
  readonly restoreWait?: RestoreWait;
  readonly fileSystem?: FileSystemResult;
  readonly mountTargets?: MountTargetsResult;
  readonly accessPoint?: AccessPointResult | DeferredAccessPoint;
  readonly mountTargetsWait?: WaitProgress;
  /** FindRestoreDirectory's position (a restore only): the listing Job created, then looked at. */
  readonly restoreListing?: RestoreListing;
  readonly manifests?: AppliedManifests;
  readonly claimWait?: WaitProgress;
  /** VerifyMount's position: the Job created, then looked at until it finished. */
  readonly mountCheck?: WaitProgress;
  readonly failure?: CaughtError;
  /** Set by the state machine's `<Step>Failed` Pass state: which step the failure came from. */
  readonly failedStep?: string;
  readonly rollbackFailure?: CaughtError;
  readonly deletionFailure?: CaughtError;
  /** Deprovisioning only: ResolveCluster found no cluster, so its Kubernetes part was skipped. */
  readonly clusterGone?: CaughtError;
  readonly mountTargetsDeletion?: { readonly mountTargetIds: string[] };
  readonly mountTargetsDeletedWait?: WaitProgress;
  /** Deprovisioning's DeleteAccessPoint: the access point, and what becomes of the file system. */
  readonly deletedAccessPoint?: AccessPointStepResult;
  /** Rollback's DeleteAccessPoint (the same step, at another ResultPath). */
  readonly rollbackAccessPoint?: AccessPointStepResult;
}

/**
 * The state as a step acts on it (execution.ts `verifiedStepState`): the workflow's state,
 * and from the volume's record its spec, resources and retain decision; the operation and
 * execution name as the state machine gave them.
 */
export interface StepState extends WorkflowState {
  readonly spec: VolumeSpec;
  /** @default provision */
  readonly operation?: WorkflowOperation;
  readonly executionName?: string;
  /**
   * Deprovisioning only: this execution cleans up after a provisioning execution that ended
   * unsettled (stopped, timed out), so it ends FAILED or ROLLBACK_FAILED, not DELETED or
   * DELETE_FAILED (execution.ts `cleansUpFailedProvision`, from the record).
   */
  readonly failedProvision?: boolean;
  /**
   * Whether deleting the volume keeps its file system, mount targets and security group
   * (shared, or Retain once READY), as the record decided.
   */
  readonly retainFileSystem?: boolean;
  /** The resource ids the record lists. */
  readonly resources?: VolumeResources;
  /** Where the file system comes from, as the record says (absent on older records: `new`). */
  readonly fileSystemSource?: 'new' | 'pool' | 'shared';
  /** A warm pool member's facts, from the record (functions/lib/volume/pool.ts). */
  readonly pool?: { readonly mountTargetsCreatedAt?: string };
}

/** A field an earlier step put in the state. @throws Error when the state machine is miswired */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`state has no ${what}: the state machine is miswired`);
  return value;
}
