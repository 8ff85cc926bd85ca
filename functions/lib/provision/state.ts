import type { AccessPointResult } from '../aws/access-point-result.ts';
import type { ClusterTarget } from '../aws/cluster.ts';
import type { FileSystemResult } from '../aws/file-system.ts';
import type { MountTargetsResult } from '../aws/mount-targets.ts';
import type { AppliedManifests } from '../kube/apply.ts';
import type { VolumeSpec } from '../volume/request.ts';

/** The input of a provisioning or deprovisioning execution. */
export interface ProvisionInput {
  readonly volumeId: string;
  readonly spec: VolumeSpec;
  /** @default provision */
  readonly operation?: 'provision' | 'deprovision' | 'repair';
  /** The execution's name, so every log line of every step can carry it. */
  readonly executionName?: string;
  /**
   * Deprovisioning only: keep the file system, its mount targets and security group (the
   * file system is shared, or the volume's reclaim policy is Retain).
   */
  readonly retainFileSystem?: boolean;
}

/** A wait loop's position: the state machine's Wait state reads `waitSeconds`. */
export interface WaitProgress {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly checks: number;
  /** Mount targets: when a check first found them all available (ISO 8601). */
  readonly availableAt?: string;
}

/** Step Functions' description of a caught error. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * The execution's state as it moves through statemachine/provision.asl.json: the input,
 * plus each step's result at the ResultPath named after it.
 */
export interface ProvisionState extends ProvisionInput {
  readonly cluster?: ClusterTarget;
  readonly securityGroup?: { readonly securityGroupId: string };
  readonly fileSystem?: FileSystemResult;
  readonly mountTargets?: MountTargetsResult;
  readonly accessPoint?: AccessPointResult;
  readonly mountTargetsWait?: WaitProgress;
  readonly manifests?: AppliedManifests;
  readonly claimWait?: WaitProgress;
  readonly failure?: CaughtError;
  /** Set by the state machine's `<Step>Failed` Pass state: which step the failure came from. */
  readonly failedStep?: string;
  readonly rollbackFailure?: CaughtError;
  readonly deletionFailure?: CaughtError;
  /** Deprovisioning only: ResolveCluster found no cluster, so its Kubernetes part was skipped. */
  readonly clusterGone?: CaughtError;
  readonly mountTargetsDeletion?: { readonly mountTargetIds: string[] };
  readonly mountTargetsDeletedWait?: WaitProgress;
}

/** A field an earlier step put in the state. @throws Error when the state machine is miswired */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`state has no ${what}: the state machine is miswired`);
  return value;
}
