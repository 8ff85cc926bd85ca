import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { VOLUME_ID_TAG } from '../functions/lib/volume/names.ts';
import { acknowledgeUnscopableReads } from './nag-acknowledgements.ts';

/** The value every volume id tag has: `vol-` and 20 hex digits. */
const VOLUME_ID_PATTERN = 'vol-*';

/** The request tags a create call carries: only a volume's resources may be created. */
export const REQUEST_TAGGED = {
  StringLike: { [`aws:RequestTag/${VOLUME_ID_TAG}`]: VOLUME_ID_PATTERN },
} as const;

/**
 * CreateFileSystem's conditions: the volume-id request tag (and so a tag set that holds it),
 * and encryption at rest. The Service Authorization Reference lists no resource type for
 * CreateFileSystem, so these conditions, not an ARN, are what scope it.
 */
export const ENCRYPTED_AND_REQUEST_TAGGED = {
  StringLike: REQUEST_TAGGED.StringLike,
  'ForAnyValue:StringEquals': { 'aws:TagKeys': [VOLUME_ID_TAG] },
  Bool: { 'elasticfilesystem:Encrypted': 'true' },
} as const;

/** The tag an existing resource carries: only a volume's resources may be changed or deleted. */
export const RESOURCE_TAGGED = {
  StringLike: { [`aws:ResourceTag/${VOLUME_ID_TAG}`]: VOLUME_ID_PATTERN },
} as const;

/** ARNs of the kinds of resource the workflow creates, in this stack's account and region. */
export class VolumeResourceArns {
  readonly fileSystems: string;
  readonly accessPoints: string;
  readonly securityGroups: string;
  readonly vpcs: string;
  readonly subnets: string;
  readonly networkInterfaces: string;
  readonly efsServiceLinkedRole: string;

  constructor(scope: Construct) {
    const stack = Stack.of(scope);
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
    this.vpcs = arn('ec2', 'vpc');
    this.subnets = arn('ec2', 'subnet');
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

/** Read-only calls EFS and EC2 cannot scope to resources (the ids are not known before). */
export function describeStatement(...actions: string[]): PolicyStatement {
  return new PolicyStatement({ actions, resources: ['*'] });
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

/** CreateSecurityGroup, only with the volume-id tag, and the rules of a tagged group. */
export function securityGroupCreateStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'CreateTaggedSecurityGroup',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arns.securityGroups],
      conditions: REQUEST_TAGGED,
    }),
    // CreateSecurityGroup is also authorized on the VPC, which carries no tag of ours: the
    // cluster's VPC is only known at run time.
    new PolicyStatement({
      sid: 'CreateSecurityGroupInVpc',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arns.vpcs],
    }),
    new PolicyStatement({
      sid: 'TagSecurityGroupOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [arns.securityGroups],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    }),
    new PolicyStatement({
      sid: 'SetRulesOfTaggedSecurityGroup',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resources: [arns.securityGroups],
      conditions: RESOURCE_TAGGED,
    }),
  ];
}

export function securityGroupDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteTaggedSecurityGroup',
      actions: ['ec2:DeleteSecurityGroup'],
      resources: [arns.securityGroups],
      conditions: RESOURCE_TAGGED,
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
      conditions: ENCRYPTED_AND_REQUEST_TAGGED,
    }),
    new PolicyStatement({
      sid: 'TagFileSystemOnCreate',
      actions: ['elasticfilesystem:TagResource'],
      resources: [arns.fileSystems],
      conditions: { StringEquals: { 'elasticfilesystem:CreateAction': 'CreateFileSystem' } },
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
      conditions: RESOURCE_TAGGED,
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
      conditions: RESOURCE_TAGGED,
    }),
    new PolicyStatement({
      sid: 'CreateMountTargetInterface',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [arns.subnets, arns.networkInterfaces],
    }),
    new PolicyStatement({
      sid: 'CreateMountTargetInterfaceWithTaggedGroup',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [arns.securityGroups],
      conditions: RESOURCE_TAGGED,
    }),
  ];
}

export function mountTargetDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteMountTargetOfTaggedFileSystem',
      actions: ['elasticfilesystem:DeleteMountTarget'],
      resources: [arns.fileSystems],
      conditions: RESOURCE_TAGGED,
    }),
    // The mount target's interface is requester-managed by EFS and carries no tag of ours.
    new PolicyStatement({
      sid: 'DeleteMountTargetInterface',
      actions: ['ec2:DeleteNetworkInterface'],
      resources: [arns.networkInterfaces],
    }),
  ];
}

/**
 * CreateAccessPoint only with the volume-id tag, on any file system: a request may name an
 * existing, shared file system that carries no tag of ours. The trade-off: this role can add
 * a (tagged) access point to any file system of the account, the way the EFS CSI driver's
 * policy does; it cannot change or delete anything that is not tagged.
 */
export function accessPointCreateStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    // Authorized against the file system only: the SAR names no access-point resource for
    // CreateAccessPoint (the access point's ARN does not exist yet).
    new PolicyStatement({
      sid: 'CreateTaggedAccessPoint',
      actions: ['elasticfilesystem:CreateAccessPoint'],
      resources: [arns.fileSystems],
      conditions: REQUEST_TAGGED,
    }),
    new PolicyStatement({
      sid: 'TagAccessPointOnCreate',
      actions: ['elasticfilesystem:TagResource'],
      resources: [arns.accessPoints],
      conditions: { StringEquals: { 'elasticfilesystem:CreateAction': 'CreateAccessPoint' } },
    }),
  ];
}

export function accessPointDeleteStatements(arns: VolumeResourceArns): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'DeleteTaggedAccessPoint',
      actions: ['elasticfilesystem:DeleteAccessPoint'],
      resources: [arns.accessPoints],
      conditions: RESOURCE_TAGGED,
    }),
  ];
}
