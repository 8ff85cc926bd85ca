import {
  type AccessPointDescription,
  DescribeFileSystemPolicyCommand,
  type EFSClient,
  type FileSystemDescription,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { FileSystemPolicyTooLargeError, TransientError } from '../errors.ts';
import { eachAccessPoint } from './efs-listing.ts';
import { describeFileSystem } from './file-system.ts';
import { STACK_TAG } from './tags.ts';
import { hasOutcome } from './transient.ts';

/** An IAM policy statement of a file system policy (the subset this service writes). */
export interface FileSystemPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: { readonly AWS: '*' };
  readonly Action: string | readonly string[];
  readonly Resource: string;
  readonly Condition: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

export interface FileSystemPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Id: string;
  readonly Statement: readonly FileSystemPolicyStatement[];
}

/**
 * The file system of an access point, from the access point's ARN: both live in the same
 * partition, Region and account, and EFS names them `file-system/<id>` and `access-point/<id>`.
 */
export function fileSystemArnOf(accessPointArn: string, fileSystemId: string): string {
  const at = accessPointArn.indexOf(':access-point/');
  if (at < 0) throw new Error(`${accessPointArn} is not an EFS access point ARN`);
  return `${accessPointArn.slice(0, at)}:file-system/${fileSystemId}`;
}

/** An access point's ARN from its file system's: same partition, Region and account. */
export function accessPointArnOf(fileSystemArn: string, accessPointId: string): string {
  const at = fileSystemArn.indexOf(':file-system/');
  if (at < 0) throw new Error(`${fileSystemArn} is not an EFS file system ARN`);
  return `${fileSystemArn.slice(0, at)}:access-point/${accessPointId}`;
}

/** The largest file system policy EFS accepts, in characters (PutFileSystemPolicy). */
export const MAX_FILE_SYSTEM_POLICY_LENGTH = 20_000;

/** Every access point of the file system's partition, Region and account: `…:access-point/fsap-*`. */
export function anyAccessPointArn(fileSystemArn: string): string {
  return accessPointArnOf(fileSystemArn, 'fsap-*');
}

/**
 * The file system policy of a file system this service created: every client must use TLS,
 * and may mount (and write) only through a mount target and an access point of the file
 * system, never its root; root access only through the access points whose user is root.
 *
 * Its size does not grow with the number of volumes sharing the file system (only with root
 * access points, which `allowRootPosixUser` must allow): EFS refuses a policy over 20,000
 * characters, which a list of access points passed at about 210. And it never changes when a
 * plain access point is added, so it can be in place before the first mount target exists
 * (a file system is never reachable without it), and a new volume never waits the minutes a
 * policy change can take to apply. An access point belongs to exactly one file system, so
 * `access-point/*` in this file system's policy means "through one of its access points".
 *
 * Principal `*`: EKS Fargate mounts EFS without IAM authorization (no `iam` mount option, no
 * pod identity on the mount), so the pods are anonymous NFS clients, and an anonymous client
 * is only ever allowed by a `*` statement. EFS still knows the access point of such a mount
 * (the mount helper puts its id in the TLS client certificate, IAM or not), so
 * `elasticfilesystem:AccessPointArn` decides. A client naming the file system without an
 * access point matches no Allow: mounting the root is refused. infra/README.md (Tenancy)
 * cites the AWS pages this rests on.
 *
 * @param rootAccessPointArns the access points whose POSIX user is root; sorted here, so the
 *   same set gives the same document
 */
export function accessPointOnlyPolicy(
  fileSystemArn: string,
  rootAccessPointArns: readonly string[] = [],
): FileSystemPolicyDocument {
  if (!fileSystemArn.includes(':file-system/'))
    throw new Error(`${fileSystemArn} is not an EFS file system ARN`);
  const rootUsers = [...new Set(rootAccessPointArns)].sort();
  const viaMountTarget = { 'elasticfilesystem:AccessedViaMountTarget': 'true' };
  return {
    Version: '2012-10-17',
    Id: 'efs-volumes-access-point-only',
    Statement: [
      {
        // The EFS console's "Enforce in-transit encryption for all clients".
        Sid: 'DenyUnencryptedTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: fileSystemArn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'MountThroughAccessPoints',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: fileSystemArn,
        Condition: {
          ArnLike: { 'elasticfilesystem:AccessPointArn': anyAccessPointArn(fileSystemArn) },
          Bool: viaMountTarget,
        },
      },
      ...(rootUsers.length > 0
        ? [
            {
              Sid: 'RootThroughRootAccessPoints',
              Effect: 'Allow' as const,
              Principal: { AWS: '*' as const },
              Action: 'elasticfilesystem:ClientRootAccess',
              Resource: fileSystemArn,
              Condition: {
                StringEquals: { 'elasticfilesystem:AccessPointArn': rootUsers },
                Bool: viaMountTarget,
              },
            },
          ]
        : []),
    ],
  };
}

/**
 * The file system's policy as EFS stores it (JSON text), or undefined when it has none: EFS
 * answers `PolicyNotFound` whenever its default policy (full access for every client that
 * reaches a mount target) is in effect.
 */
export async function describeFileSystemPolicy(
  efs: EFSClient,
  fileSystemId: string,
): Promise<string | undefined> {
  try {
    return (await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId })))
      .Policy;
  } catch (error) {
    if (hasOutcome('elasticfilesystem:DescribeFileSystemPolicy', error, 'gone')) return undefined;
    throw error;
  }
}

/** Access points EFS no longer serves mounts through. */
const GONE_STATES = new Set(['deleting', 'deleted', 'error']);

/**
 * The live access points of the file system whose POSIX user is root, across pages; none when
 * EFS says the file system (or the listing) is gone: the policy's own write then answers as
 * AWS does.
 */
async function rootAccessPointArns(efs: EFSClient, fileSystemId: string): Promise<string[]> {
  const found: string[] = [];
  try {
    await eachAccessPoint(
      efs,
      (point: AccessPointDescription) => {
        if (
          point.PosixUser?.Uid === 0 &&
          point.AccessPointArn &&
          !GONE_STATES.has(point.LifeCycleState ?? '')
        )
          found.push(point.AccessPointArn);
      },
      fileSystemId,
    );
  } catch (error) {
    if (!hasOutcome('elasticfilesystem:DescribeAccessPoints', error, 'gone')) throw error;
    return [];
  }
  return found.sort();
}

export interface PutAccessPointOnlyPolicyInput {
  readonly fileSystemId: string;
  /**
   * An access point just made whose POSIX user is root: allowed root access even before EFS
   * lists it. @default none
   */
  readonly rootAccessPointId?: string;
  /** This stack's name, the value of the `efs-volumes:stack` tag. */
  readonly stack: string;
}

/** How many times a policy is rewritten when root access points appear while it is written. */
const MAX_WRITES = 3;

/**
 * The policy this service puts on a file system of this stack, as it should be now: what the
 * health check compares the file system's policy with. Undefined for a file system without
 * this stack's tag (its policy is its owner's).
 */
export async function expectedFileSystemPolicy(
  efs: EFSClient,
  fileSystem: FileSystemDescription,
  stack: string,
): Promise<FileSystemPolicyDocument | undefined> {
  const ours = fileSystem.Tags?.some((tag) => tag.Key === STACK_TAG && tag.Value === stack);
  if (!ours || !fileSystem.FileSystemArn || !fileSystem.FileSystemId) return undefined;
  return accessPointOnlyPolicy(
    fileSystem.FileSystemArn,
    await rootAccessPointArns(efs, fileSystem.FileSystemId),
  );
}

/**
 * Puts {@link accessPointOnlyPolicy} on a file system this stack created (it carries the
 * `efs-volumes:stack` tag with this stack's name). A file system without that tag (a shared
 * one of someone else's) is left alone: its policy is its owner's, and IAM would refuse the
 * call anyway. The workflow puts it before the first mount target, and again with each root
 * access point.
 *
 * Idempotent and convergent: the document derives from what exists (never read-modify-write
 * of the old policy), PutFileSystemPolicy replaces the whole policy, and the root access
 * points are listed again after the put, so two root volumes added at once both end allowed.
 * The policy goes with the file system when it is deleted. No
 * `BypassPolicyLockoutSafetyCheck`: the policy only governs NFS clients (Client* actions),
 * never a principal's PutFileSystemPolicy, so the lockout check passes.
 *
 * @returns the document put, or undefined when the file system is not this stack's
 * @throws TransientError while EFS does not list the file system yet, or its root access
 *   points keep changing
 * @throws FileSystemPolicyTooLargeError when the root access points would pass EFS's limit
 */
export async function putAccessPointOnlyPolicy(
  efs: EFSClient,
  input: PutAccessPointOnlyPolicyInput,
): Promise<FileSystemPolicyDocument | undefined> {
  const fileSystem = await describeFileSystem(efs, input.fileSystemId);
  // Not seeing a file system the workflow just made or used is EFS lagging: skipping the
  // policy then would leave it open.
  if (!fileSystem?.FileSystemArn) {
    throw new TransientError(`file system ${input.fileSystemId} is not listed yet`);
  }
  const ours = fileSystem.Tags?.some((tag) => tag.Key === STACK_TAG && tag.Value === input.stack);
  if (!ours) return undefined;
  const fileSystemArn = fileSystem.FileSystemArn;
  const fresh = input.rootAccessPointId
    ? [accessPointArnOf(fileSystemArn, input.rootAccessPointId)]
    : [];
  const list = async () =>
    [...new Set([...(await rootAccessPointArns(efs, input.fileSystemId)), ...fresh])].sort();
  let roots = await list();
  for (let write = 1; write <= MAX_WRITES; write += 1) {
    const policy = accessPointOnlyPolicy(fileSystemArn, roots);
    const text = JSON.stringify(policy);
    if (text.length > MAX_FILE_SYSTEM_POLICY_LENGTH) {
      throw new FileSystemPolicyTooLargeError(
        `file system ${input.fileSystemId} has ${roots.length} access points with a root user: their policy would pass EFS's ${MAX_FILE_SYSTEM_POLICY_LENGTH} characters`,
      );
    }
    await efs.send(
      new PutFileSystemPolicyCommand({ FileSystemId: input.fileSystemId, Policy: text }),
    );
    const now = await list();
    if (now.join(',') === roots.join(',')) return policy;
    roots = now;
  }
  throw new TransientError(`the root access points of ${input.fileSystemId} keep changing`);
}
