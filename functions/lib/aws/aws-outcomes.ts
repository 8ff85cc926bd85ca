import type * as errors from '../errors.ts';
import type { AWS_OPERATION_ERRORS, AWS_STATUS_ENUMS } from './oracle.generated.ts';

/** The names of the error classes of errors.ts: what a terminal outcome rolls back as. */
type ErrorClassName = {
  [K in keyof typeof errors]: (typeof errors)[K] extends abstract new (
    ...args: never[]
  ) => errors.VolumeError
    ? K
    : never;
}[keyof typeof errors];

/**
 * Ends the step, and the workflow rolls back (the ASL's `States.ALL` Catch). `AWS`: the error
 * leaves as AWS named it, unwrapped, so the volume's record and the API show AWS's own name
 * and message (`SubnetNotFound: ...`); wrapping it in a class of ours would hide both.
 */
export interface Terminal {
  readonly terminal: ErrorClassName | 'AWS';
}

/**
 * What the code does when an AWS operation answers with an error:
 * - `transient`: retried (isTransientError: the step leaves as TransientError, which the state
 *   machine retries with backoff; the API answers 503);
 * - `wait`: a state still changing: retried like `transient` until it settles;
 * - `adopt`: the resource already exists: taken as ours (a retry, or a lost answer);
 * - `gone`: already deleted or absent: a delete is done, a read finds nothing;
 * - `unseen`: the resource named was created a moment ago and the service does not know it
 *   yet (eventual consistency): the code that created it retries (a TransientError, so the
 *   state machine's retrier; at its MaxAttempts the step fails and the workflow rolls back).
 *   Not retried by name alone, as `transient` is: the same code means `gone` to a delete;
 * - terminal: see {@link Terminal}.
 */
export type Outcome = 'transient' | 'wait' | 'adopt' | 'gone' | 'unseen' | Terminal;

/** What the code does on reading a status: `ready` to use; otherwise as {@link Outcome}. */
export type StatusOutcome = 'ready' | 'wait' | 'gone' | Terminal;

export type AwsOperation = keyof typeof AWS_OPERATION_ERRORS;
type DeclaredErrors = {
  readonly [Op in AwsOperation]: {
    readonly [E in keyof (typeof AWS_OPERATION_ERRORS)[Op]]: Outcome;
  };
};

const AWS: Terminal = { terminal: 'AWS' };
const RECORD_STATE: Terminal = { terminal: 'VolumeRecordStateError' };

/** DynamoDB's errors are the same for every item operation, and record.ts reads them alike. */
const ITEM_ERRORS = {
  InternalServerError: 'transient',
  InvalidEndpointException: AWS,
  ProvisionedThroughputExceededException: 'transient',
  RequestLimitExceeded: 'transient',
  // The table itself is missing: the stack is broken, no retry mends it.
  ResourceNotFoundException: AWS,
  ThrottlingException: 'transient',
} as const satisfies Record<string, Outcome>;

/** What a conditional item write adds: record.ts reads a failed condition as a moved record. */
const WRITE_ERRORS = {
  ...ITEM_ERRORS,
  ConditionalCheckFailedException: RECORD_STATE,
  ItemCollectionSizeLimitExceededException: AWS,
  // Another writer (a transaction, or another Region of a global table) holds the item now.
  ReplicatedWriteConflictException: 'transient',
  TransactionConflictException: 'transient',
} as const satisfies Record<string, Outcome>;

/** EFS: a 500, the only server fault every operation declares. */
const EFS_BASE = { BadRequest: AWS, InternalServerError: 'transient' } as const;

/** EKS's errors for the reads of a cluster's parts. */
const EKS_READ = {
  ClientException: AWS,
  InvalidParameterException: AWS,
  ResourceNotFoundException: { terminal: 'ClusterNotFoundError' },
  ServerException: 'transient',
} as const satisfies Record<string, Outcome>;

/** Step Functions: KMS-encrypted state machines add KMS's errors to every call. */
const SFN_KMS = {
  InvalidArn: AWS,
  KmsAccessDeniedException: AWS,
  KmsInvalidStateException: AWS,
  KmsThrottlingException: 'transient',
} as const satisfies Record<string, Outcome>;

/**
 * Every error the SDK's models declare for every operation functions/ calls, and what the code
 * does with it. Typed by the generated oracle: an error an SDK upgrade adds (or removes) fails
 * type-checking here until it has an outcome. EC2's model declares no errors: see
 * {@link EC2_CODE_OUTCOMES}.
 */
export const DECLARED_ERROR_OUTCOMES = {
  // record.ts releaseClaim: the claim is free already, or a newer volume's: nothing to release.
  // (The warm-pool sweep's remove lets it through to its own error handling.)
  'dynamodb:DeleteItem': { ...WRITE_ERRORS, ConditionalCheckFailedException: 'gone' },
  'dynamodb:GetItem': ITEM_ERRORS,
  // No record is written with PutItem: a warm pool member's begin (pool.ts: a fresh id that
  // exists already ends that member's making under AWS's name; the next run makes another) and
  // a shared file system's first path write (file-system-paths.ts reads a failed condition as
  // another write first, and reads again).
  'dynamodb:PutItem': { ...WRITE_ERRORS, ConditionalCheckFailedException: AWS },
  'dynamodb:Query': ITEM_ERRORS,
  'dynamodb:UpdateItem': WRITE_ERRORS,
  'dynamodb:TransactWriteItems': {
    ...ITEM_ERRORS,
    IdempotentParameterMismatchException: AWS,
    // record.ts reads the reasons: a failed condition is a moved record (or a claim taken, a
    // quota reached); a conflict is retried and, if it keeps on, a TransientError.
    TransactionCanceledException: RECORD_STATE,
    TransactionInProgressException: 'transient',
  },
  'ec2:AuthorizeSecurityGroupEgress': {},
  'ec2:AuthorizeSecurityGroupIngress': {},
  'ec2:CreateSecurityGroup': {},
  'ec2:CreateTags': {},
  'ec2:DeleteSecurityGroup': {},
  'ec2:DeleteTags': {},
  'ec2:DescribeSecurityGroups': {},
  'ec2:DescribeSubnets': {},
  'ec2:DescribeVpcAttribute': {},
  'ec2:RevokeSecurityGroupEgress': {},
  'ec2:RevokeSecurityGroupIngress': {},
  'eks:DescribeCluster': {
    ClientException: AWS,
    ResourceNotFoundException: { terminal: 'ClusterNotFoundError' },
    ServerException: 'transient',
    ServiceUnavailableException: 'transient',
  },
  'eks:DescribeFargateProfile': EKS_READ,
  'eks:ListFargateProfiles': EKS_READ,
  'elasticfilesystem:CreateAccessPoint': {
    ...EFS_BASE,
    AccessPointAlreadyExists: 'adopt',
    AccessPointLimitExceeded: AWS,
    FileSystemNotFound: AWS,
    // The file system is `updating` (a throughput change) or not yet `available`.
    IncorrectFileSystemLifeCycleState: 'wait',
    ThrottlingException: 'transient',
  },
  'elasticfilesystem:CreateFileSystem': {
    ...EFS_BASE,
    FileSystemAlreadyExists: 'adopt',
    FileSystemLimitExceeded: AWS,
    // A 503: the Region has no capacity for the throughput asked for, now.
    InsufficientThroughputCapacity: 'transient',
    ThroughputLimitExceeded: AWS,
    UnsupportedAvailabilityZone: AWS,
  },
  'elasticfilesystem:CreateMountTarget': {
    ...EFS_BASE,
    AvailabilityZonesMismatch: AWS,
    FileSystemNotFound: AWS,
    IncorrectFileSystemLifeCycleState: 'wait',
    IpAddressInUse: AWS,
    // A concurrent attempt made the zone's mount target: adopted (mount-targets.ts then checks
    // it is in the cluster's VPC, else MountTargetFailedError).
    MountTargetConflict: 'adopt',
    NetworkInterfaceLimitExceeded: AWS,
    NoFreeAddressesInSubnet: AWS,
    SecurityGroupLimitExceeded: AWS,
    // The only group named is the one CreateSecurityGroup made a moment before: EFS asks EC2,
    // which may not know it yet (EC2 is eventually consistent).
    SecurityGroupNotFound: 'unseen',
    SubnetNotFound: AWS,
    UnsupportedAvailabilityZone: AWS,
  },
  'elasticfilesystem:DeleteAccessPoint': { ...EFS_BASE, AccessPointNotFound: 'gone' },
  'elasticfilesystem:DeleteFileSystem': {
    ...EFS_BASE,
    // Its mount targets are still being deleted.
    FileSystemInUse: 'wait',
    FileSystemNotFound: 'gone',
  },
  'elasticfilesystem:DeleteMountTarget': {
    ...EFS_BASE,
    DependencyTimeout: 'transient',
    MountTargetNotFound: 'gone',
  },
  'elasticfilesystem:DescribeAccessPoints': {
    ...EFS_BASE,
    AccessPointNotFound: 'gone',
    FileSystemNotFound: 'gone',
  },
  'elasticfilesystem:DescribeFileSystemPolicy': {
    ...EFS_BASE,
    FileSystemNotFound: AWS,
    PolicyNotFound: 'gone',
  },
  'elasticfilesystem:DescribeFileSystems': { ...EFS_BASE, FileSystemNotFound: 'gone' },
  'elasticfilesystem:DescribeMountTargetSecurityGroups': {
    ...EFS_BASE,
    // A mount target being deleted answers it until it is gone (mount-targets.ts
    // securityGroupsOf): a provision does not claim it, a deletion counts it among those to
    // wait for. Never retried: the answer does not change until MountTargetNotFound.
    IncorrectMountTargetState: 'gone',
    MountTargetNotFound: 'gone',
  },
  'elasticfilesystem:DescribeMountTargets': {
    ...EFS_BASE,
    AccessPointNotFound: AWS,
    FileSystemNotFound: 'gone',
    MountTargetNotFound: AWS,
  },
  'elasticfilesystem:PutFileSystemPolicy': {
    ...EFS_BASE,
    FileSystemNotFound: AWS,
    IncorrectFileSystemLifeCycleState: 'wait',
    InvalidPolicyException: AWS,
  },
  // Taking a warm pool member over (file-system.ts takeOverPooledFileSystem): the file system
  // was described a moment before; gone since, the volume rolls back under EFS's name.
  'elasticfilesystem:TagResource': {
    ...EFS_BASE,
    AccessPointNotFound: AWS,
    FileSystemNotFound: AWS,
  },
  'elasticfilesystem:UntagResource': {
    ...EFS_BASE,
    AccessPointNotFound: AWS,
    FileSystemNotFound: AWS,
  },
  'events:PutEvents': { InternalException: 'transient' },
  'states:DescribeExecution': { ...SFN_KMS, ExecutionDoesNotExist: 'gone' },
  'states:StartExecution': {
    ...SFN_KMS,
    // The same name is the same execution: a replay started it already.
    ExecutionAlreadyExists: 'adopt',
    ExecutionLimitExceeded: 'transient',
    InvalidExecutionInput: AWS,
    InvalidName: AWS,
    StateMachineDeleting: AWS,
    StateMachineDoesNotExist: AWS,
    ValidationException: AWS,
  },
} as const satisfies DeclaredErrors;

/**
 * EC2's codes the code acts on, per operation. EC2's model declares no errors (its SDK
 * commands have no `@throws`): its codes are a document,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html. Any other code
 * is terminal as AWS named it, but for those in {@link COMMON_ERROR_OUTCOMES}.
 */
export const EC2_CODE_OUTCOMES = {
  'ec2:CreateSecurityGroup': { 'InvalidGroup.Duplicate': 'adopt' },
  // The rules follow the step's own CreateSecurityGroup: "after you run CreateSecurityGroup,
  // ... you might receive InvalidGroup.NotFound" (EC2 developer guide, Eventual consistency).
  'ec2:AuthorizeSecurityGroupIngress': {
    'InvalidPermission.Duplicate': 'adopt',
    'InvalidGroup.NotFound': 'unseen',
  },
  'ec2:AuthorizeSecurityGroupEgress': {
    'InvalidPermission.Duplicate': 'adopt',
    'InvalidGroup.NotFound': 'unseen',
  },
  'ec2:RevokeSecurityGroupIngress': {
    'InvalidPermission.NotFound': 'gone',
    'InvalidGroup.NotFound': 'unseen',
  },
  'ec2:RevokeSecurityGroupEgress': {
    'InvalidPermission.NotFound': 'gone',
    'InvalidGroup.NotFound': 'unseen',
  },
  // A group that is gone is deleted, whether or not EC2 ever knew it.
  'ec2:DeleteSecurityGroup': {
    'InvalidGroup.NotFound': 'gone',
    // Mount target network interfaces still hold it while they are deleted.
    DependencyViolation: 'wait',
    UnauthorizedOperation: { terminal: 'CleanupError' },
  },
} as const satisfies { readonly [Op in AwsOperation & `ec2:${string}`]?: Record<string, Outcome> };

/**
 * Errors any AWS operation may answer though no model declares them (the services' "common
 * errors", EC2's throttling and server codes, the SDK's and Node's own), by name or code.
 */
export const COMMON_ERROR_OUTCOMES = {
  Throttling: 'transient',
  ThrottlingException: 'transient',
  ThrottledException: 'transient',
  TooManyRequestsException: 'transient',
  RequestLimitExceeded: 'transient',
  ProvisionedThroughputExceededException: 'transient',
  RequestThrottled: 'transient',
  RequestThrottledException: 'transient',
  SlowDown: 'transient',
  ServiceUnavailable: 'transient',
  ServiceUnavailableException: 'transient',
  InternalError: 'transient',
  InternalFailure: 'transient',
  InternalServerError: 'transient',
  InternalServerException: 'transient',
  ServerException: 'transient',
  RequestTimeout: 'transient',
  RequestTimeoutException: 'transient',
  TimeoutError: 'transient',
  NetworkingError: 'transient',
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  EPIPE: 'transient',
  ETIMEDOUT: 'transient',
  EAI_AGAIN: 'transient',
  // Our role may not: an operator must grant it (the API answers 403), a retry won't.
  AccessDeniedException: AWS,
} as const satisfies Record<string, Outcome>;

/**
 * The errors a Task state of the state machines can end with besides the Lambda's own: Lambda's
 * service faults, a timed-out sandbox, the Task's timeout. Every Task retries them all with
 * TransientError (statemachine/*.asl.json).
 */
export const RUNTIME_ERROR_OUTCOMES = {
  'Lambda.ServiceException': 'transient',
  'Lambda.AWSLambdaException': 'transient',
  'Lambda.SdkClientException': 'transient',
  'Lambda.TooManyRequestsException': 'transient',
  'Sandbox.Timedout': 'transient',
  'Lambda.Unknown': 'transient',
  'States.Timeout': 'transient',
} as const satisfies Record<string, Outcome>;

type StatusOutcomes = {
  readonly [Enum in keyof typeof AWS_STATUS_ENUMS]: {
    readonly [V in (typeof AWS_STATUS_ENUMS)[Enum][number]]: StatusOutcome;
  };
};

const NOT_ACTIVE: Terminal = { terminal: 'ClusterNotActiveError' };
const FILE_SYSTEM_UNUSABLE: Terminal = { terminal: 'FileSystemUnusableError' };
const MOUNT_TARGET_FAILED: Terminal = { terminal: 'MountTargetFailedError' };

/**
 * Every value the models declare for every status the code reads, and what it means. EFS's
 * `LifeCycleState` is one enum for three resources, each read its own way:
 * {@link FILE_SYSTEM_STATE_OUTCOMES}, {@link MOUNT_TARGET_STATE_OUTCOMES},
 * {@link ACCESS_POINT_STATE_OUTCOMES}; the entry here is the file system's.
 */
export const STATUS_OUTCOMES = {
  // cluster.ts CLUSTER_STATUS_OUTCOMES: EKS serves while UPDATING.
  'eks:ClusterStatus': {
    ACTIVE: 'ready',
    UPDATING: 'ready',
    CREATING: 'wait',
    PENDING: 'wait',
    DELETING: NOT_ACTIVE,
    FAILED: NOT_ACTIVE,
  },
  // fargate-preflight.ts: a profile not ACTIVE is read as absent (it selects no pods).
  'eks:FargateProfileStatus': {
    ACTIVE: 'ready',
    CREATING: 'gone',
    CREATE_FAILED: 'gone',
    DELETING: 'gone',
    DELETE_FAILED: 'gone',
  },
  'elasticfilesystem:LifeCycleState': {
    available: 'ready',
    creating: 'wait',
    updating: 'wait',
    deleting: FILE_SYSTEM_UNUSABLE,
    deleted: FILE_SYSTEM_UNUSABLE,
    error: FILE_SYSTEM_UNUSABLE,
  },
  // settle-execution.ts: a running execution is waited for; an ended one is settled under the
  // name it ended with (ExecutionAborted, States.Timeout).
  'states:ExecutionStatus': {
    RUNNING: 'wait',
    PENDING_REDRIVE: 'wait',
    SUCCEEDED: 'ready',
    FAILED: AWS,
    TIMED_OUT: AWS,
    ABORTED: AWS,
  },
} as const satisfies StatusOutcomes;

type LifeCycleOutcomes = StatusOutcomes['elasticfilesystem:LifeCycleState'];

/** A file system's state (file-system.ts `assertFileSystemAvailable`). */
export const FILE_SYSTEM_STATE_OUTCOMES: LifeCycleOutcomes =
  STATUS_OUTCOMES['elasticfilesystem:LifeCycleState'];

/** A mount target's state (mount-targets.ts `readMountTargets`). */
export const MOUNT_TARGET_STATE_OUTCOMES = {
  available: 'ready',
  creating: 'wait',
  updating: 'wait',
  deleting: MOUNT_TARGET_FAILED,
  deleted: MOUNT_TARGET_FAILED,
  error: MOUNT_TARGET_FAILED,
} as const satisfies LifeCycleOutcomes;

/** An access point's state (file-system-policy.ts, file-system-disposal.ts): gone, or live. */
export const ACCESS_POINT_STATE_OUTCOMES = {
  available: 'ready',
  creating: 'ready',
  updating: 'ready',
  deleting: 'gone',
  deleted: 'gone',
  error: 'gone',
} as const satisfies LifeCycleOutcomes;

/** True for the outcomes a later attempt may not meet: the state machine retries them. */
export function isRetried(outcome: Outcome | StatusOutcome): boolean {
  return outcome === 'transient' || outcome === 'wait';
}
