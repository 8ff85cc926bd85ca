import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import type { ServiceConfig } from './config.ts';

/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, each with its reason. cdk-nag 3
 * replaced `NagSuppressions` with CDK's own `Validations.of(scope).acknowledge({ id, reason })`;
 * an acknowledgement covers one finding id on a construct and its children. Keep this the one
 * place they are written, so a review reads them all together.
 */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement made while building, by construct path: read by the tests. */
const made = new WeakMap<Stack, { path: string; id: string; reason: string }[]>();

/**
 * Acknowledges a finding on a construct once. A role shared by several functions is visited
 * once per function; a role with `Resource: *` for two reasons gets one acknowledgement whose
 * reason gives both.
 */
function acknowledge(scope: IConstruct, acknowledgement: NagAcknowledgement): void {
  const stack = Stack.of(scope);
  const list = made.get(stack) ?? [];
  made.set(stack, list);
  const path = scope.node.path;
  const existing = list.findIndex(
    (entry) => entry.path === path && entry.id === acknowledgement.id,
  );
  const earlier = list[existing];
  if (earlier?.reason.includes(acknowledgement.reason)) return;
  const reason = earlier
    ? `${earlier.reason} Also: ${acknowledgement.reason}`
    : acknowledgement.reason;
  if (earlier) list.splice(existing, 1);
  list.push({ path, id: acknowledgement.id, reason });
  Validations.of(scope).acknowledge({ id: acknowledgement.id, reason });
}

/** The acknowledgements made in a stack, for review and tests. */
export function acknowledgementsOf(
  stack: Stack,
): readonly { path: string; id: string; reason: string }[] {
  return made.get(stack) ?? [];
}

const ARN = (service: string, resource: string) =>
  `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}/*`;

/** The ARN patterns the workflow's write statements name, and why each is acceptable. */
export const ARN_PATTERN_ACKNOWLEDGEMENTS: readonly NagAcknowledgement[] = [
  {
    id: `AwsSolutions-IAM5[Resource::${ARN('elasticfilesystem', 'file-system')}]`,
    reason:
      'File system ids are generated at run time. Every statement on file-system/* carries a tag condition: aws:RequestTag/efs-volumes:volume-id on create, aws:ResourceTag/efs-volumes:volume-id on mount targets and delete, elasticfilesystem:CreateAction on tag-on-create; CreateAccessPoint needs the volume-id request tag and, on the file system, the efs-volumes:stack tag of this stack or efs-volumes:shareable=true (a shared one whose owner consented).',
  },
  {
    id: `AwsSolutions-IAM5[Resource::${ARN('elasticfilesystem', 'access-point')}]`,
    reason:
      'Access point ids are generated at run time. Create needs the aws:RequestTag/efs-volumes:volume-id tag, delete the aws:ResourceTag one, tag-on-create the elasticfilesystem:CreateAction condition.',
  },
  {
    id: `AwsSolutions-IAM5[Resource::${ARN('ec2', 'security-group')}]`,
    reason:
      'Security group ids are generated at run time. Create needs the aws:RequestTag/efs-volumes:volume-id tag; rule changes, delete and use by a mount target interface need the aws:ResourceTag one; CreateTags only with ec2:CreateAction=CreateSecurityGroup.',
  },
  {
    id: `AwsSolutions-IAM5[Resource::${ARN('ec2', 'subnet')}]`,
    reason:
      "EFS authorizes a mount target's network interface against the caller: the subnet is one of the cluster's, known only at run time. Only ec2:CreateNetworkInterface, and only with ec2:Vpc in the configured vpcIds.",
  },
  {
    id: `AwsSolutions-IAM5[Resource::${ARN('ec2', 'network-interface')}]`,
    reason:
      'Mount target network interfaces are created and deleted through EFS (requester-managed, untaggable by us); only ec2:CreateNetworkInterface and ec2:DeleteNetworkInterface, the delete only with ec2:Vpc in the configured vpcIds.',
  },
];

/**
 * AWS Backup's recovery points: StartRestoreJob and DescribeRecoveryPoint name one, known only
 * at run time.
 */
export const RECOVERY_POINT_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:backup:<AWS::Region>:<AWS::AccountId>:recovery-point:*]',
  reason:
    "Recovery points are AWS Backup's, named at run time, and their ARNs name no vault: the StartRestoreJob step may only start a restore (the API checked the recovery point is one of a file system this stack created and that the caller may read), as the stack's restore role, passed to AWS Backup only; the create paths (POST /volumes, Volume Provision Requested) may only read one (backup:DescribeRecoveryPoint), to find the file system a restore names by its recovery point alone.",
};

export const RESTORE_ROLE_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'AWS Backup creates the restored file system as this role: elasticfilesystem:CreateFileSystem, for which the Service Authorization Reference lists no resource type, allowed only encrypted; and elasticfilesystem:DescribeFileSystems, a read.',
};

/** The restore role's CreateFileSystem (`Resource: *`, encrypted only). */
export function acknowledgeRestoreRole(role: IRole): void {
  acknowledge(role, RESTORE_ROLE_ACKNOWLEDGEMENT);
}

/** When no cluster is configured, DescribeCluster cannot name the clusters. */
export const ANY_CLUSTER_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: `AwsSolutions-IAM5[Resource::${ARN('eks', 'cluster')}]`,
  reason:
    'No clusters are configured (efs-volumes context "clusters"), so eks:DescribeCluster (read-only) may read any cluster of the account; listing clusters scopes it to them.',
};

export const UNSCOPABLE_READS_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'Describe calls of EFS and EC2 (DescribeFileSystems by CreationToken, DescribeMountTargets, DescribeAccessPoints, DescribeSecurityGroups by tag filter, DescribeSubnets, DescribeNetworkInterfaces, and DescribeVpcAttribute for the Fargate preflight), which do not support resource-level permissions, and elasticfilesystem:CreateFileSystem, for which the Service Authorization Reference lists no resource type: it is allowed only encrypted and with the volume-id request tag; backup:DescribeRestoreJob and backup:ListRecoveryPointsByResource, which have no resource type either (reads). Every other write is scoped by resource ARN and tag conditions.',
};

export const STATE_MACHINE_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'Added by CDK for X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and log delivery (logs:CreateLogDelivery and friends): these actions do not support resource-level permissions.',
};

export const VPC_FUNCTION_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    "What AWSLambdaVPCAccessExecutionRole grants: Lambda manages a VPC function's network interfaces with the execution role, and these EC2 actions do not support resource-level permissions.",
};

export const TRACING_FUNCTION_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    "Added by CDK for the function's active X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords): these actions do not support resource-level permissions.",
};

/** The stack-wide acknowledgements: API Gateway, the DLQ, and the workflow's ARN patterns. */
export function stackAcknowledgements(config: ServiceConfig): readonly NagAcknowledgement[] {
  return [
    ...ARN_PATTERN_ACKNOWLEDGEMENTS,
    RECOVERY_POINT_ACKNOWLEDGEMENT,
    ...(config.clusters.length === 0 ? [ANY_CLUSTER_ACKNOWLEDGEMENT] : []),
  ];
}

/** For a role whose only `Resource: *` statements are reads that cannot be scoped. */
export function acknowledgeUnscopableReads(role: IRole): void {
  acknowledge(role, UNSCOPABLE_READS_ACKNOWLEDGEMENT);
}

/** The Fargate preflight's eks:DescribeFargateProfile, on each cluster's profiles. */
export function acknowledgeFargateProfileReads(role: IRole, clusterArns: readonly string[]): void {
  for (const arn of clusterArns) {
    const cluster = arn.split(':cluster/')[1] ?? '*';
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${ARN('eks', `fargateprofile/${cluster}`)}]`,
      reason:
        'eks:DescribeFargateProfile (read-only) on the profiles of the cluster: a profile ARN ends in an id EKS generates, so it cannot be named in advance.',
    });
  }
}

export function acknowledgeVpcFunctionRole(role: IRole): void {
  acknowledge(role, VPC_FUNCTION_ACKNOWLEDGEMENT);
}

/** For the execution role of a function with active tracing. */
export function acknowledgeTracingFunctionRole(role: IRole): void {
  acknowledge(role, TRACING_FUNCTION_ACKNOWLEDGEMENT);
}

export function acknowledgeStateMachineRole(stateMachine: StateMachine): void {
  acknowledge(stateMachine.role, STATE_MACHINE_ACKNOWLEDGEMENT);
}

export function acknowledgeApi(api: IConstruct, stage: IConstruct): void {
  acknowledge(api, {
    id: 'AwsSolutions-APIG2',
    reason:
      'Request validation is on, but defined in the OpenAPI body cdk-nag does not read: x-amazon-apigateway-request-validators { all: body + parameters } and x-amazon-apigateway-request-validator: all (tested in test/infra).',
  });
  acknowledge(stage, {
    id: 'AwsSolutions-APIG6',
    reason:
      "Execution logging needs the region's account-level API Gateway CloudWatch role, shared by every API of the account and not this stack's to own. Access logs are on (JSON, with validation errors), X-Ray tracing is on, and every Lambda logs each request.",
  });
  acknowledge(stage, {
    id: 'AwsSolutions-APIG3',
    reason:
      'An internal API: every method requires SigV4 (IAM) authorization and the stage is throttled. A WAF web ACL can be associated outside this stack where an account requires one.',
  });
}

export function acknowledgeDeadLetterQueue(queue: IConstruct): void {
  acknowledge(queue, {
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is itself the dead-letter queue of the Volume Provision Requested rule target and of the handler's asynchronous invocations; a DLQ of a DLQ would only move the same messages.",
  });
}

export function acknowledgeStackFindings(stack: Stack, config: ServiceConfig): void {
  for (const acknowledgement of stackAcknowledgements(config)) acknowledge(stack, acknowledgement);
}

/**
 * DescribeExecution on a state machine's executions: their names are volume ids, known only
 * at run time; the resource is this one state machine's executions, and reading is all.
 */
export function acknowledgeExecutionReads(role: IRole, stateMachine: StateMachine): void {
  const logicalId = Stack.of(stateMachine).getLogicalId(
    stateMachine.node.defaultChild as CfnElement,
  );
  acknowledge(role, {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId}.Name>:*]`,
    reason:
      "Execution names are volume ids, known only at run time: states:DescribeExecution on this one state machine's executions, to tell whether a failed StartExecution started it all the same.",
  });
}
