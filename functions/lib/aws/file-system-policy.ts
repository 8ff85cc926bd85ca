import {
  DescribeAccessPointsCommand,
  type EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { TransientError } from '../errors.ts';
import { errorName } from './transient.ts';

/** The client actions a pod needs to read and write through the access point. */
const CLIENT_READ_WRITE = ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'];

/** An IAM policy statement of a file system policy (the subset this service writes). */
export interface FileSystemPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: { readonly AWS: '*' };
  readonly Action: string | readonly string[];
  readonly Resource: string;
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface FileSystemPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Id: string;
  readonly Statement: readonly FileSystemPolicyStatement[];
}

export interface AccessPointOnlyPolicyOptions {
  /** The access point the volume's PersistentVolume mounts (`…:access-point/fsap-…`). */
  readonly accessPointArn: string;
  /**
   * Whether the access point's POSIX user is root (uid 0, only when the stack's
   * `allowRootPosixUser` let the request ask for it): EFS squashes root unless the client
   * may `ClientRootAccess`. @default false
   */
  readonly rootAccess?: boolean;
}

/**
 * The file system of an access point, from the access point's ARN: both live in the same
 * account and Region, and EFS names them `file-system/<id>` and `access-point/<id>`.
 */
export function fileSystemArnOf(accessPointArn: string, fileSystemId: string): string {
  const at = accessPointArn.indexOf(':access-point/');
  if (at < 0) throw new Error(`${accessPointArn} is not an EFS access point ARN`);
  return `${accessPointArn.slice(0, at)}:file-system/${fileSystemId}`;
}

/**
 * The file system policy of a volume's own file system: every client must use TLS, and may
 * mount (and write) only through the volume's access point and a mount target.
 *
 * Principal `*` because EKS Fargate mounts without IAM (anonymous NFS clients: the Fargate
 * EFS mount carries no pod identity, so the PV has no `iam` mount option); EFS knows the
 * access point of an anonymous TLS mount (the mount helper puts its id in the TLS client
 * certificate), so `elasticfilesystem:AccessPointArn` still decides. A client that names the
 * file system without the access point matches no Allow: mounting the root is refused.
 * infra/README.md (Tenancy) cites the AWS pages this rests on.
 */
export function accessPointOnlyPolicy(
  fileSystemId: string,
  options: AccessPointOnlyPolicyOptions,
): FileSystemPolicyDocument {
  const fileSystemArn = fileSystemArnOf(options.accessPointArn, fileSystemId);
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
        Sid: 'MountThroughTheVolumeAccessPoint',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: options.rootAccess
          ? [...CLIENT_READ_WRITE, 'elasticfilesystem:ClientRootAccess']
          : CLIENT_READ_WRITE,
        Resource: fileSystemArn,
        Condition: {
          StringEquals: { 'elasticfilesystem:AccessPointArn': options.accessPointArn },
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
        },
      },
    ],
  };
}

/** The ARN of a just-created access point; undefined until EFS lists it (eventual consistency). */
async function accessPointArnOf(
  efs: EFSClient,
  accessPointId: string,
): Promise<string | undefined> {
  try {
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: accessPointId }),
    );
    return AccessPoints[0]?.AccessPointArn;
  } catch (error) {
    if (errorName(error) === 'AccessPointNotFound') return undefined;
    throw error;
  }
}

export interface PutAccessPointOnlyPolicyInput {
  /** A file system this volume created: never a shared one, whose policy is its owner's. */
  readonly fileSystemId: string;
  readonly accessPointId: string;
  /** @default false */
  readonly rootAccess?: boolean;
}

/**
 * Puts {@link accessPointOnlyPolicy} on the volume's own file system. Idempotent:
 * PutFileSystemPolicy replaces the whole policy, so a retried step writes the same document.
 * The policy goes with the file system when rollback or deletion deletes it. No
 * `BypassPolicyLockoutSafetyCheck`: the policy only governs NFS clients (Client* actions),
 * never this role's own PutFileSystemPolicy, so the lockout check passes.
 *
 * @returns the document put
 * @throws TransientError while DescribeAccessPoints does not list the new access point yet
 */
export async function putAccessPointOnlyPolicy(
  efs: EFSClient,
  input: PutAccessPointOnlyPolicyInput,
): Promise<FileSystemPolicyDocument> {
  const accessPointArn = await accessPointArnOf(efs, input.accessPointId);
  if (!accessPointArn) {
    throw new TransientError(`access point ${input.accessPointId} is not listed yet`);
  }
  const policy = accessPointOnlyPolicy(input.fileSystemId, {
    accessPointArn,
    rootAccess: input.rootAccess ?? false,
  });
  await efs.send(
    new PutFileSystemPolicyCommand({
      FileSystemId: input.fileSystemId,
      Policy: JSON.stringify(policy),
    }),
  );
  return policy;
}
