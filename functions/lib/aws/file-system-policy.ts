import {
  type AccessPointDescription,
  type EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { TransientError } from '../errors.ts';
import { eachAccessPoint } from './efs-listing.ts';
import { describeFileSystem } from './file-system.ts';
import { STACK_TAG } from './tags.ts';

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

/** An access point a file system policy lets clients mount through. */
export interface AllowedAccessPoint {
  /** `arn:…:elasticfilesystem:<region>:<account>:access-point/fsap-…` */
  readonly arn: string;
  /**
   * Whether its POSIX user is root (uid 0: only when the stack's `allowRootPosixUser` let a
   * request ask for it). EFS squashes root unless the client may `ClientRootAccess`.
   */
  readonly rootUser: boolean;
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

/**
 * The file system policy of a file system this service created: every client must use TLS,
 * and may mount (and write) only through a mount target and one of the volumes' access points
 * (one, unless later volumes named the file system as a shared one).
 *
 * Principal `*`: EKS Fargate mounts EFS without IAM authorization (no `iam` mount option, no
 * pod identity on the mount), so the pods are anonymous NFS clients, and an anonymous client
 * is only ever allowed by a `*` statement. EFS still knows the access point of such a mount
 * (the mount helper puts its id in the TLS client certificate, IAM or not), so
 * `elasticfilesystem:AccessPointArn` decides. A client naming the file system without one of
 * these access points matches no Allow: mounting the root is refused. infra/README.md
 * (Tenancy) cites the AWS pages this rests on.
 *
 * @param accessPoints at least one; sorted here, so the same set gives the same document
 */
export function accessPointOnlyPolicy(
  fileSystemId: string,
  accessPoints: readonly AllowedAccessPoint[],
): FileSystemPolicyDocument {
  const [first] = accessPoints;
  if (!first) throw new Error('a file system policy needs at least one access point');
  const fileSystemArn = fileSystemArnOf(first.arn, fileSystemId);
  const arns = (points: readonly AllowedAccessPoint[]) =>
    [...new Set(points.map((point) => point.arn))].sort();
  const rootUsers = arns(accessPoints.filter((point) => point.rootUser));
  const throughAccessPoints = (arnsAllowed: readonly string[]) => ({
    StringEquals: { 'elasticfilesystem:AccessPointArn': arnsAllowed },
    Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
  });
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
        Sid: 'MountThroughVolumeAccessPoints',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: fileSystemArn,
        Condition: throughAccessPoints(arns(accessPoints)),
      },
      ...(rootUsers.length > 0
        ? [
            {
              Sid: 'RootThroughRootAccessPoints',
              Effect: 'Allow' as const,
              Principal: { AWS: '*' as const },
              Action: 'elasticfilesystem:ClientRootAccess',
              Resource: fileSystemArn,
              Condition: throughAccessPoints(rootUsers),
            },
          ]
        : []),
    ],
  };
}

/** Access points EFS no longer serves mounts through. */
const GONE_STATES = new Set(['deleting', 'deleted', 'error']);

/** The live access points of the file system that carry this stack's tag, across pages. */
async function stackAccessPoints(
  efs: EFSClient,
  fileSystemId: string,
  stack: string,
): Promise<AccessPointDescription[]> {
  const found: AccessPointDescription[] = [];
  await eachAccessPoint(
    efs,
    (point) => {
      const ours = point.Tags?.some((tag) => tag.Key === STACK_TAG && tag.Value === stack);
      if (ours && point.AccessPointArn && !GONE_STATES.has(point.LifeCycleState ?? ''))
        found.push(point);
    },
    fileSystemId,
  );
  return found;
}

function allowed(points: readonly AccessPointDescription[]): AllowedAccessPoint[] {
  return points.map((point) => ({
    arn: point.AccessPointArn ?? '',
    rootUser: point.PosixUser?.Uid === 0,
  }));
}

function sameSet(a: readonly AllowedAccessPoint[], b: readonly AllowedAccessPoint[]): boolean {
  const key = (points: readonly AllowedAccessPoint[]) =>
    points
      .map((point) => `${point.arn}:${point.rootUser}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

export interface PutAccessPointOnlyPolicyInput {
  readonly fileSystemId: string;
  /** The access point the step just made: always allowed, even before EFS lists it. */
  readonly accessPointId: string;
  /** Whether that access point's POSIX user is root (uid 0). @default false */
  readonly rootUser?: boolean;
  /** This stack's name, the value of the `efs-volumes:stack` tag. */
  readonly stack: string;
}

/**
 * The access points to allow: those EFS lists, and the new one whether listed or not (EFS
 * may not list an access point for a moment after creating it).
 */
function withNewAccessPoint(
  listed: readonly AccessPointDescription[],
  fresh: AllowedAccessPoint,
): AllowedAccessPoint[] {
  const points = allowed(listed).filter((point) => point.arn !== fresh.arn);
  return [...points, fresh];
}

/** How many times a policy is rewritten when access points appear while it is written. */
const MAX_WRITES = 3;

/**
 * Puts {@link accessPointOnlyPolicy} on a file system this stack created (it carries the
 * `efs-volumes:stack` tag with this stack's name), allowing the live access points of this
 * stack's volumes on it. A file system without that tag (a shared one of someone else's) is
 * left alone: its policy is its owner's, and IAM would refuse the call anyway.
 *
 * Idempotent and convergent: the document derives from the access points that exist (never
 * read-modify-write of the old policy), PutFileSystemPolicy replaces the whole policy, and
 * the access points are listed again after the put so two volumes adding access points at
 * once end with both allowed. The new access point is allowed whether EFS lists it yet or not. The policy goes with the file system when it is deleted. No
 * `BypassPolicyLockoutSafetyCheck`: the policy only governs NFS clients (Client* actions),
 * never a principal's PutFileSystemPolicy, so the lockout check passes.
 *
 * @returns the document put, or undefined when the file system is not this stack's
 * @throws TransientError while EFS does not list the file system yet, or its access points
 *   keep changing
 */
export async function putAccessPointOnlyPolicy(
  efs: EFSClient,
  input: PutAccessPointOnlyPolicyInput,
): Promise<FileSystemPolicyDocument | undefined> {
  const fileSystem = await describeFileSystem(efs, input.fileSystemId);
  // The access point was just made on it, so it exists: not seeing it is EFS lagging, and
  // skipping the policy then would leave the volume's own file system open.
  if (!fileSystem?.FileSystemArn) {
    throw new TransientError(`file system ${input.fileSystemId} is not listed yet`);
  }
  const ours = fileSystem.Tags?.some((tag) => tag.Key === STACK_TAG && tag.Value === input.stack);
  if (!ours) return undefined;
  const fresh: AllowedAccessPoint = {
    arn: accessPointArnOf(fileSystem.FileSystemArn, input.accessPointId),
    rootUser: input.rootUser ?? false,
  };
  const list = async () =>
    withNewAccessPoint(await stackAccessPoints(efs, input.fileSystemId, input.stack), fresh);
  let points = await list();
  for (let write = 1; write <= MAX_WRITES; write += 1) {
    const policy = accessPointOnlyPolicy(input.fileSystemId, points);
    await efs.send(
      new PutFileSystemPolicyCommand({
        FileSystemId: input.fileSystemId,
        Policy: JSON.stringify(policy),
      }),
    );
    const now = await list();
    if (sameSet(now, points)) return policy;
    points = now;
  }
  throw new TransientError(`the access points of ${input.fileSystemId} keep changing`);
}
