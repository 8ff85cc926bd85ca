/**
 * The errors the provisioning steps throw. Their `name`s are the contract with the state
 * machine: Lambda reports a thrown error's `name` as its `errorType`, and the ASL's `Retry`
 * and `Catch` match on it (statemachine/*.asl.json). Each class writes its name as a string
 * literal: the bundles are minified, and a name read from the class (`new.target.name`)
 * becomes whatever the minifier called it (`kp`). test/infra/error-contract.test.ts checks the
 * names on the built bundles.
 */
export class VolumeError extends Error {
  override name = 'VolumeError';
}

/** A request that can never succeed as written; nothing is created. */
export class InvalidVolumeRequestError extends VolumeError {
  override name = 'InvalidVolumeRequestError';
  readonly problems: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  constructor(
    message: string,
    problems: ReadonlyArray<{ readonly field: string; readonly message: string }> = [],
  ) {
    super(message);
    this.problems = problems;
  }
}

export class ClusterNotFoundError extends VolumeError {
  override name = 'ClusterNotFoundError';
  readonly clusterName: string;
  constructor(clusterName: string, options?: ErrorOptions) {
    super(`EKS cluster "${clusterName}" was not found`, options);
    this.clusterName = clusterName;
  }
}

export class ClusterNotActiveError extends VolumeError {
  override name = 'ClusterNotActiveError';
  readonly clusterName: string;
  readonly clusterStatus: string;
  constructor(clusterName: string, clusterStatus: string) {
    super(`EKS cluster "${clusterName}" is ${clusterStatus}: it does not serve volumes`);
    this.clusterName = clusterName;
    this.clusterStatus = clusterStatus;
  }
}

/** The cluster's description lacks what a volume needs (subnets, endpoint, CA). */
export class ClusterConfigurationError extends VolumeError {
  override name = 'ClusterConfigurationError';
}

/** The file system exists but is not `available` yet: the state machine retries. */
export class FileSystemNotReadyError extends VolumeError {
  override name = 'FileSystemNotReadyError';
  readonly fileSystemId: string;
  readonly lifeCycleState: string;
  constructor(fileSystemId: string, lifeCycleState: string) {
    super(`file system ${fileSystemId} is ${lifeCycleState}, not yet available`);
    this.fileSystemId = fileSystemId;
    this.lifeCycleState = lifeCycleState;
  }
}

/** An existing file system named by the request cannot be used. */
export class FileSystemUnusableError extends VolumeError {
  override name = 'FileSystemUnusableError';
}

/** An AWS Backup restore job FAILED or was ABORTED: terminal, the volume rolls back. */
export class RestoreFailedError extends VolumeError {
  override name = 'RestoreFailedError';
  /** The file system the job created before it ended, if any: rollback deletes it. */
  readonly fileSystemId: string | undefined;
  constructor(message: string, fileSystemId: string | undefined) {
    super(message);
    this.fileSystemId = fileSystemId;
  }
}

/** Waited longer than the restore steps allow for an AWS Backup restore job. */
export class RestoreTimeoutError extends VolumeError {
  override name = 'RestoreTimeoutError';
}

/**
 * The restored file system's root did not show exactly one `aws-backup-restore_<time>`
 * directory, or the Job that lists it could not mount it: the volume's access point would
 * mount the wrong directory (or an empty new one), so the volume rolls back.
 */
export class RestoreDirectoryNotFoundError extends VolumeError {
  override name = 'RestoreDirectoryNotFoundError';
}

/** A file system policy EFS would refuse for its size (20,000 characters): terminal. */
export class FileSystemPolicyTooLargeError extends VolumeError {
  override name = 'FileSystemPolicyTooLargeError';
}

/** A mount target ended in a state it will not leave by itself (error, deleted). */
export class MountTargetFailedError extends VolumeError {
  override name = 'MountTargetFailedError';
}

/** Waited longer than the configured limit for mount targets. */
export class MountTargetsTimeoutError extends VolumeError {
  override name = 'MountTargetsTimeoutError';
}

/** A Kubernetes object of the same name exists and belongs to someone else. */
export class KubernetesConflictError extends VolumeError {
  override name = 'KubernetesConflictError';
}

/** The Kubernetes API refused a request for a reason a retry will not fix (4xx). */
export class KubernetesRequestError extends VolumeError {
  override name = 'KubernetesRequestError';
  readonly statusCode: number;
  constructor(message: string, statusCode: number, options?: ErrorOptions) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/** The claim did not bind within the configured limit. */
export class ClaimNotBoundError extends VolumeError {
  override name = 'ClaimNotBoundError';
}

/**
 * The mount check's pod could not mount the claim, write, read back and remove its probe file
 * within the Job's deadline; the message is what the pod reported (its events and the end of
 * its log).
 */
export class MountVerificationFailedError extends VolumeError {
  override name = 'MountVerificationFailedError';
}

/** The volume record is missing or in a state this step cannot act on. */
export class VolumeRecordStateError extends VolumeError {
  override name = 'VolumeRecordStateError';
}

/**
 * The running execution is not the volume's execution for its operation, or the volume has no
 * record, or its status is not one this step may act in: the step refuses before it touches
 * anything (the record included). Never retried; the state machines end at once on it.
 */
export class ForeignExecutionError extends VolumeError {
  override name = 'ForeignExecutionError';
}

/**
 * Throttling, a 5xx, a dropped connection: the step is safe to run again, and the state
 * machine retries it with backoff and jitter. The original error is kept as `cause`.
 */
export class TransientError extends VolumeError {
  override name = 'TransientError';
}

/** A cleanup step could not delete a resource; rollback ends ROLLBACK_FAILED. */
export class CleanupError extends VolumeError {
  override name = 'CleanupError';
}

/**
 * A repair would have to replace what holds the data (the file system or the access point
 * is gone): it never does, and touches nothing.
 */
export class RepairRefusedError extends VolumeError {
  override name = 'RepairRefusedError';
}

/** A list request carried a nextToken this service did not give out. */
export class InvalidListTokenError extends VolumeError {
  override name = 'InvalidListTokenError';
}
