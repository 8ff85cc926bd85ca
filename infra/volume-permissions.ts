import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { NAMESPACE_CLIENTS_TAG } from '../functions/lib/aws/namespace-clients.ts';
import { CALLER_TAG_PREFIX, STACK_TAG } from '../functions/lib/aws/tags.ts';
import { SHAREABLE_TAG_KEY, SHAREABLE_TAG_VALUE } from '../functions/lib/service/access-policy.ts';
import { VOLUME_ID_TAG } from '../functions/lib/volume/names.ts';
import { POOL_TAG } from '../functions/lib/volume/pool.ts';
import { describeClustersStatement } from './cluster-permissions.ts';
import { ServiceConfigError, VPC_IDS_REQUIRED } from './config.ts';
import { acknowledgeUnscopableReads } from './nag-acknowledgements.ts';

/** The value every volume id tag has: `vol-` and 20 hex digits. */
const VOLUME_ID_PATTERN = 'vol-*';

/**
 * The only tag keys a create call may carry (`aws:TagKeys`): ours, `Name`, and the caller's
 * tags, which functions/lib/aws/tags.ts puts under their own prefix so a caller can never set
 * a key the account uses for something else (an ABAC key such as `team`).
 */
export const ALLOWED_TAG_KEYS = ['efs-volumes:*', 'Name', `${CALLER_TAG_PREFIX}*`] as const;

/**
 * The request tags a create call carries: only a volume's resources of this stack may be
 * created, with no tag keys outside {@link ALLOWED_TAG_KEYS}.
 */
export function requestTagged(stackName: string) {
  return {
    StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: stackName },
    StringLike: { [`aws:RequestTag/${VOLUME_ID_TAG}`]: VOLUME_ID_PATTERN },
    'ForAllValues:StringLike': { 'aws:TagKeys': [...ALLOWED_TAG_KEYS] },
  };
}

/**
 * CreateFileSystem's conditions: the request tags of {@link requestTagged} and encryption at
 * rest. The Service Authorization Reference lists no resource type for CreateFileSystem, so
 * these conditions, not an ARN, are what scope it.
 */
export function encryptedAndRequestTagged(stackName: string) {
  return {
    ...requestTagged(stackName),
    Bool: { 'elasticfilesystem:Encrypted': 'true' },
  };
}

/**
 * The tags an existing resource carries: only a volume's resources of this stack may be
 * changed or deleted. Two stacks in one account cannot touch each other's resources.
 */
export function resourceTagged(stackName: string) {
  return {
    StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: stackName },
    StringLike: { [`aws:ResourceTag/${VOLUME_ID_TAG}`]: VOLUME_ID_PATTERN },
  };
}

/**
 * ARNs of the kinds of resource the workflow creates, in this stack's account and region,
 * and what scopes them: the stack's name (its tag) and the clusters' VPCs.
 */
export class VolumeResourceArns {
  /** The value of every resource's `efs-volumes:stack` tag. */
  readonly stackName: string;
  /** The configured VPCs as ARNs (`ec2:Vpc` values): the only VPCs the EC2 network calls may touch. */
  readonly vpcScope: readonly string[];
  readonly fileSystems: string;
  readonly accessPoints: string;
  readonly securityGroups: string;
  readonly subnets: string;
  readonly networkInterfaces: string;
  readonly efsServiceLinkedRole: string;
  /** AWS Backup's recovery points (`recovery-point:*`), which StartRestoreJob names. */
  readonly recoveryPoints: string;

  /** @param vpcIds the clusters' VPCs, at least one (infra/config.ts requires them) */
  constructor(scope: Construct, vpcIds: readonly string[]) {
    if (vpcIds.length === 0) throw new ServiceConfigError(VPC_IDS_REQUIRED);
    const stack = Stack.of(scope);
    this.stackName = stack.stackName;
    const arn = (service: string, resource: string) =>
      stack.formatArn({
        service,
        resource,
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.fileSystems = arn('elasticfilesystem', 'file-system');
    this.accessPoints = arn('elasticfilesystem', 'access-point');
    this.securityGroups = arn('ec2', 'security-group');
    this.vpcScope = vpcIds.map((vpcId) =>
      stack.formatArn({
        service: 'ec2',
        resource: 'vpc',
        resourceName: vpcId,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.subnets = arn('ec2', 'subnet');
    this.recoveryPoints = recoveryPointsArn(scope);
    this.networkInterfaces = arn('ec2', 'network-interface');
    this.efsServiceLinkedRole = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName:
        'aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForAmazonElasticFileSystem',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

/**
 * AWS Backup's recovery points in the stack's account and Region (`recovery-point:*`): their
 * ARNs name no vault, so no narrower pattern holds the automatic backups of this stack's file
 * systems.
 */
export function recoveryPointsArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'backup',
    resource: 'recovery-point',
    resourceName: '*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** `ec2:Vpc` in the configured VPCs. */
function inConfiguredVpcs(arns: VolumeResourceArns) {
  return { ArnEquals: { 'ec2:Vpc': [...arns.vpcScope] } };
}

/** Read-only calls EFS and EC2 cannot scope to resources (the ids are not known before). */
export function describeStatement(...actions: string[]): PolicyStatement {
  return new PolicyStatement({ actions, resources: ['*'] });
}

/**
 * What `findLeftovers` (functions/lib/workflow/leftovers.ts) reads to list what is still there
 * of a volume: its EFS and EC2 resources, and its Kubernetes objects (the cluster's description
 * first).
 */
export function leftoverReads(clusterArns: readonly string[]): PolicyStatement[] {
  return [
    describeStatement(
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeAccessPoints',
      'elasticfilesystem:DescribeMountTargets',
      'ec2:DescribeSecurityGroups',
    ),
    describeClustersStatement(clusterArns),
  ];
}

/**
 * Adds statements to a role, acknowledging cdk-nag's `Resource: *` finding on it when (and
 * only when) one of them is an unscopable read.
 */
export function addStatements(role: IRole, statements: readonly PolicyStatement[]): void {
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  if (statements.some((statement) => statement.resources.includes('*'))) {
    acknowledgeUnscopableReads(role);
  }
}

/**
 * CreateSecurityGroup, only with this stack's and a volume's tags and in a configured VPC,
 * and the rules of such a group.
 */
export function securityGroupCreateStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'CreateTaggedSecurityGroup',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arns.securityGroups],
      conditions: requestTagged(arns.stackName),
    }),
    // CreateSecurityGroup is also authorized on the VPC, which carries no tag of ours: the
    // configured VPCs by ARN.
    new PolicyStatement({
      sid: 'CreateSecurityGroupInVpc',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [...arns.vpcScope],
    }),
    new PolicyStatement({
      sid: 'TagSecurityGroupOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [arns.securityGroups],
      conditions: {
        ...requestTagged(arns.stackName),
        StringEquals: {
          ...requestTagged(arns.stackName).StringEquals,
          'ec2:CreateAction': 'CreateSecurityGroup',
        },
      },
    }),
    new PolicyStatement({
      sid: 'SetRulesOfTaggedSecurityGroup',
      // RevokeSecurityGroupIngress: namespace network isolation revokes the whole cluster's rule.
      actions: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
      ],
      resources: [arns.securityGroups],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

/**
 * A namespace's client security group (functions/lib/aws/namespace-clients.ts): created with
 * this stack's tag and the namespace-clients tag (it belongs to no volume, so no volume id),
 * and only such a group's egress may be set. Its VPC is authorized by `CreateSecurityGroupInVpc`
 * of {@link securityGroupCreateStatements}. Granted whether or not isolation is on: turning it
 * on is then a change of one setting.
 */
export function namespaceClientGroupStatements(arns: VolumeResourceArns): PolicyStatement[] {
  const requestTags = {
    StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: arns.stackName },
    StringLike: { [`aws:RequestTag/${NAMESPACE_CLIENTS_TAG}`]: '*/*' },
    'ForAllValues:StringLike': { 'aws:TagKeys': [...ALLOWED_TAG_KEYS] },
  };
  return [
    new PolicyStatement({
      sid: 'CreateNamespaceClientGroup',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arns.securityGroups],
      conditions: requestTags,
    }),
    new PolicyStatement({
      sid: 'TagNamespaceClientGroupOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [arns.securityGroups],
      conditions: {
        ...requestTags,
        StringEquals: { ...requestTags.StringEquals, 'ec2:CreateAction': 'CreateSecurityGroup' },
      },
    }),
    new PolicyStatement({
      sid: 'SetEgressOfNamespaceClientGroup',
      actions: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress'],
      resources: [arns.securityGroups],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: arns.stackName },
        StringLike: { [`aws:ResourceTag/${NAMESPACE_CLIENTS_TAG}`]: '*/*' },
      },
    }),
  ];
}

export function securityGroupDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteTaggedSecurityGroup',
      actions: ['ec2:DeleteSecurityGroup'],
      resources: [arns.securityGroups],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

/**
 * CreateFileSystem, encrypted and with the volume-id tag (tag-on-create needs TagResource
 * too). EFS creates its service-linked role on first use in an account.
 */
export function fileSystemCreateStatements(
  arns: VolumeResourceArns,
  efsKmsKeyArn: string | undefined,
): PolicyStatement[] {
  const statements = [
    // `Resource: "*"`: the SAR lists no resource type for CreateFileSystem, so a statement
    // naming `file-system/*` never matches the call (AWS denies it).
    new PolicyStatement({
      sid: 'CreateTaggedFileSystem',
      actions: ['elasticfilesystem:CreateFileSystem'],
      resources: ['*'],
      conditions: encryptedAndRequestTagged(arns.stackName),
    }),
    new PolicyStatement({
      sid: 'TagFileSystemOnCreate',
      actions: ['elasticfilesystem:TagResource'],
      resources: [arns.fileSystems],
      conditions: {
        ...requestTagged(arns.stackName),
        StringEquals: {
          ...requestTagged(arns.stackName).StringEquals,
          'elasticfilesystem:CreateAction': 'CreateFileSystem',
        },
      },
    }),
    new PolicyStatement({
      sid: 'CreateEfsServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [arns.efsServiceLinkedRole],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticfilesystem.amazonaws.com' } },
    }),
  ];
  if (efsKmsKeyArn) {
    // What EFS needs of the principal that creates a file system with a customer managed key.
    statements.push(
      new PolicyStatement({
        sid: 'UseEfsKmsKey',
        actions: ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'],
        resources: [efsKmsKeyArn],
      }),
      new PolicyStatement({
        sid: 'GrantEfsKmsKeyToEfs',
        actions: ['kms:CreateGrant'],
        resources: [efsKmsKeyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
  }
  return statements;
}

export function fileSystemDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteTaggedFileSystem',
      actions: ['elasticfilesystem:DeleteFileSystem'],
      resources: [arns.fileSystems],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

/**
 * CreateMountTarget on a file system of ours only. EFS also authorizes the mount target's
 * network interface against the caller (subnet, interface, security group): the security
 * group must be the volume's own.
 *
 * A shared file system (a request's `fileSystemId`) is not ours, so this refuses to add mount
 * targets to it: openapi.yaml requires its mount targets to exist already.
 */
export function mountTargetCreateStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'CreateMountTargetOnTaggedFileSystem',
      actions: ['elasticfilesystem:CreateMountTarget'],
      resources: [arns.fileSystems],
      conditions: resourceTagged(arns.stackName),
    }),
    // The subnet supports `ec2:Vpc`; the new interface itself supports only request tags,
    // which EFS (not we) would set, so it stays unconditioned.
    new PolicyStatement({
      sid: 'CreateMountTargetInterfaceInSubnet',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [arns.subnets],
      conditions: inConfiguredVpcs(arns),
    }),
    new PolicyStatement({
      sid: 'CreateMountTargetInterface',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [arns.networkInterfaces],
    }),
    new PolicyStatement({
      sid: 'CreateMountTargetInterfaceWithTaggedGroup',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [arns.securityGroups],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

export function mountTargetDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteMountTargetOfTaggedFileSystem',
      actions: ['elasticfilesystem:DeleteMountTarget'],
      resources: [arns.fileSystems],
      conditions: resourceTagged(arns.stackName),
    }),
    // EFS deletes the mount target's interface with this role's permission. The interface is
    // requester-managed by EFS and carries no tag of ours; of the keys the SAR gives
    // DeleteNetworkInterface on a network interface, `ec2:Vpc` is the one the stack can know
    // (infra/config.ts VPC_IDS_REQUIRED says why the VPCs are required).
    new PolicyStatement({
      sid: 'DeleteMountTargetInterface',
      actions: ['ec2:DeleteNetworkInterface'],
      resources: [arns.networkInterfaces],
      conditions: inConfiguredVpcs(arns),
    }),
  ];
}

/**
 * CreateAccessPoint, with the request tags of {@link requestTagged}, on a file system that
 * carries this stack's tag (one the workflow created) or the shareable tag (a shared one whose
 * owner consented, functions/lib/service/shared-file-system.ts). A compromised role therefore
 * cannot open an access point, and with it a way in, on any other file system of the account.
 * IAM joins the conditions of one statement with AND, so the two tags need two statements.
 *
 * @param on.shareable whether a shareable file system is allowed too (the restore listing's
 *   temporary access point is only ever on the volume's own). @default true
 */
export function accessPointCreateStatements(
  arns: VolumeResourceArns,
  on: { readonly shareable: boolean } = { shareable: true },
): PolicyStatement[] {
  const onFileSystemTagged = (sid: string, tagKey: string, tagValue: string) =>
    // Authorized against the file system only: the SAR names no access-point resource for
    // CreateAccessPoint (the access point's ARN does not exist yet), and the file-system
    // resource type supports `aws:ResourceTag/${TagKey}`.
    new PolicyStatement({
      sid,
      actions: ['elasticfilesystem:CreateAccessPoint'],
      resources: [arns.fileSystems],
      conditions: {
        ...requestTagged(arns.stackName),
        StringEquals: {
          ...requestTagged(arns.stackName).StringEquals,
          [`aws:ResourceTag/${tagKey}`]: tagValue,
        },
      },
    });
  return [
    onFileSystemTagged('CreateTaggedAccessPointOnOwnFileSystem', STACK_TAG, arns.stackName),
    ...(on.shareable
      ? [
          onFileSystemTagged(
            'CreateTaggedAccessPointOnShareableFileSystem',
            SHAREABLE_TAG_KEY,
            SHAREABLE_TAG_VALUE,
          ),
        ]
      : []),
    new PolicyStatement({
      sid: 'TagAccessPointOnCreate',
      actions: ['elasticfilesystem:TagResource'],
      resources: [arns.accessPoints],
      conditions: {
        ...requestTagged(arns.stackName),
        StringEquals: {
          ...requestTagged(arns.stackName).StringEquals,
          'elasticfilesystem:CreateAction': 'CreateAccessPoint',
        },
      },
    }),
  ];
}

/**
 * PutFileSystemPolicy on a file system of this stack only: the create-access-point step
 * confines this stack's file systems to their volumes' access points and TLS. A shared file
 * system of someone else's (not tagged) keeps its owner's policy: this role cannot replace it.
 */
export function fileSystemPolicyStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'PutPolicyOnTaggedFileSystem',
      actions: ['elasticfilesystem:PutFileSystemPolicy'],
      resources: [arns.fileSystems],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

export function accessPointDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteTaggedAccessPoint',
      actions: ['elasticfilesystem:DeleteAccessPoint'],
      resources: [arns.accessPoints],
      conditions: resourceTagged(arns.stackName),
    }),
  ];
}

/**
 * Tagging a warm pool member's resource as the volume's that took it over: the volume's tags
 * on a resource of this stack that still carries the pool tag, then that tag, and only it, off.
 * A resource a volume already took has no pool tag: these statements cannot retag it.
 */
function pooledTakeStatements(
  arns: VolumeResourceArns,
  kind: { readonly name: string; readonly resources: string; tag: string; untag: string },
): PolicyStatement[] {
  const pooled = {
    StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: arns.stackName },
    StringLike: {
      [`aws:ResourceTag/${VOLUME_ID_TAG}`]: VOLUME_ID_PATTERN,
      [`aws:ResourceTag/${POOL_TAG}`]: '*',
    },
  };
  return [
    new PolicyStatement({
      sid: `TagPooled${kind.name}`,
      actions: [kind.tag],
      resources: [kind.resources],
      conditions: {
        ...pooled,
        StringEquals: { ...pooled.StringEquals, [`aws:RequestTag/${STACK_TAG}`]: arns.stackName },
        'ForAllValues:StringLike': { 'aws:TagKeys': [...ALLOWED_TAG_KEYS] },
      },
    }),
    new PolicyStatement({
      sid: `UntagPoolFrom${kind.name}`,
      actions: [kind.untag],
      resources: [kind.resources],
      conditions: { ...pooled, 'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG] } },
    }),
  ];
}

/** A member's file system taken over (functions/lib/aws/file-system.ts takeOverPooledFileSystem). */
export function pooledFileSystemTakeStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return pooledTakeStatements(arns, {
    name: 'FileSystem',
    resources: arns.fileSystems,
    tag: 'elasticfilesystem:TagResource',
    untag: 'elasticfilesystem:UntagResource',
  });
}

/** A member's security group taken over (functions/lib/aws/security-group.ts). */
export function pooledSecurityGroupTakeStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return pooledTakeStatements(arns, {
    name: 'SecurityGroup',
    resources: arns.securityGroups,
    tag: 'ec2:CreateTags',
    untag: 'ec2:DeleteTags',
  });
}

/**
 * What the scheduled check needs to keep warm pools (functions/lib/sweep/warm-pool.ts): make a
 * member as the steps make a volume's security group, file system, policy and mount targets
 * (the same tag conditions: a member is made under a volume id), and tear a discarded one down.
 */
export function warmPoolStatements(
  arns: VolumeResourceArns,
  efsKmsKeyArn: string | undefined,
): PolicyStatement[] {
  return [
    // What CreateMountTargets' role reads too: EFS describes the new interfaces as the caller.
    describeStatement(
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeNetworkInterfaceAttribute',
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeMountTargets',
      'elasticfilesystem:DescribeMountTargetSecurityGroups',
    ),
    ...securityGroupCreateStatements(arns),
    ...fileSystemCreateStatements(arns, efsKmsKeyArn),
    ...fileSystemPolicyStatements(arns),
    ...mountTargetCreateStatements(arns),
    ...mountTargetDeleteStatements(arns),
    ...fileSystemDeleteStatements(arns),
    ...securityGroupDeleteStatements(arns),
  ];
}

/**
 * StartRestoreJob of a recovery point (the SAR names the recovery-point resource) to a new file
 * system, as the stack's restore role: PassRole of that role, to AWS Backup only.
 */
export function restoreStartStatements(
  arns: VolumeResourceArns,
  restoreRoleArn: string,
): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'StartRestoreOfRecoveryPoint',
      actions: ['backup:StartRestoreJob'],
      resources: [arns.recoveryPoints],
    }),
    new PolicyStatement({
      sid: 'PassRestoreRoleToBackup',
      actions: ['iam:PassRole'],
      resources: [restoreRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    }),
  ];
}

/**
 * A look at the restore job (DescribeRestoreJob: the SAR names no resource), and the tags that
 * make the file system it restored the volume's. A restored file system carries no tags yet,
 * so the tagging is allowed only on a file system without this stack's tag, and only to put
 * this stack's and a volume id.
 */
export function restoreCheckStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    describeStatement('backup:DescribeRestoreJob'),
    new PolicyStatement({
      sid: 'TagRestoredFileSystem',
      actions: ['elasticfilesystem:TagResource'],
      resources: [arns.fileSystems],
      conditions: {
        ...requestTagged(arns.stackName),
        Null: { [`aws:ResourceTag/${STACK_TAG}`]: 'true' },
      },
    }),
  ];
}

/**
 * ListRecoveryPointsByResource: the Service Authorization Reference lists no resource type for
 * it, so a statement naming the file systems would never match (AWS would deny the call); it
 * only reads. The API lists a file system's recovery points only for a volume the caller may
 * read, whose own file system it is (functions/lib/service/restore.ts).
 */
export function recoveryPointReadStatements(): PolicyStatement[] {
  return [describeStatement('backup:ListRecoveryPointsByResource')];
}

/**
 * What a restore's checks read (functions/lib/service/restore.ts): a source's recovery points,
 * as {@link recoveryPointReadStatements}, and the file system a recovery point named alone was
 * taken of (DescribeRecoveryPoint, authorized on the recovery point, SAR resource type
 * `recoveryPoint`). The file system's volume tag is read with DescribeFileSystems, which the
 * create path has already.
 */
export function restoreSourceStatements(scope: Construct): PolicyStatement[] {
  return [
    ...recoveryPointReadStatements(),
    new PolicyStatement({
      sid: 'DescribeRestoreSourceRecoveryPoint',
      actions: ['backup:DescribeRecoveryPoint'],
      resources: [recoveryPointsArn(scope)],
    }),
  ];
}
