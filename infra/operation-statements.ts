// The IAM statements more than one construct grants: the Fargate preflight's reads (the API's
// create path, the request-event handler), a drift check's reads (the scheduled check, the
// API's check and repair, the repair workflow) and the restart of a stuck provisioning. Here,
// below every construct, so no construct borrows another's.
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { fargateProfileStatements } from './cluster-permissions.ts';
import { describeExecutionsStatement } from './execution-permissions.ts';
import { lifecycleEventsStatement } from './lifecycle-events.ts';
import { acknowledgeFargateProfileReads } from './nag-acknowledgements.ts';
import { addStatements, describeStatement } from './volume-permissions.ts';

/**
 * What `settleStalePending` (functions/lib/settle/settle-execution.ts) calls beyond
 * settling: the provisioning execution's description, and starting it again. For the role of
 * whichever function runs the periodic check of PENDING records.
 */
export function stalePendingStatements(provision: StateMachine): PolicyStatement[] {
  return [
    describeExecutionsStatement(provision),
    new PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [provision.stateMachineArn],
    }),
  ];
}

/**
 * The create path's Fargate preflight (functions/lib/aws/fargate-preflight.ts): the cluster's
 * Fargate profiles, and the VPC's DNS attributes and subnets' zones (EC2 reads that cannot be
 * scoped to resources).
 */
export function fargatePreflightStatements(clusterArns: readonly string[]): PolicyStatement[] {
  return [
    ...fargateProfileStatements(clusterArns),
    // DescribeFileSystems: a shared fileSystemId must carry the shareable tag; and, if another's,
    // DescribeFileSystemPolicy: its policy must close it (functions/lib/service/shared-file-system.ts);
    // DescribeAccessPoints: the directories its access points serve, which no other owner's
    // volume may overlap (shared-paths.ts).
    describeStatement(
      'ec2:DescribeVpcAttribute',
      'ec2:DescribeSubnets',
      'elasticfilesystem:DescribeAccessPoints',
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeFileSystemPolicy',
    ),
  ];
}

/**
 * What a drift check (functions/lib/health/check.ts) reads besides the cluster's description
 * (which every cluster reader has): the Fargate profiles selecting the namespace and their subnets' zones (as the
 * create path's preflight), and the volume's file system, its policy, mount targets and access point. EFS
 * and EC2 describes cannot be scoped to resources; none of them writes anything.
 */
export function healthCheckStatements(clusterArns: readonly string[]): PolicyStatement[] {
  return [
    ...fargateProfileStatements(clusterArns),
    describeStatement(
      'ec2:DescribeSubnets',
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeFileSystemPolicy',
      'elasticfilesystem:DescribeMountTargets',
      'elasticfilesystem:DescribeAccessPoints',
    ),
  ];
}

/**
 * Grants a role (which already describes clusters and reads and updates records) what a
 * recorded drift check does besides: its reads and the `Volume Drifted` event.
 */
export function grantHealthCheck(
  role: IRole,
  props: { bus: IEventBus; clusterArns: readonly string[] },
): void {
  addStatements(role, [
    ...healthCheckStatements(props.clusterArns),
    lifecycleEventsStatement(props.bus, ['Volume Drifted']),
  ]);
  acknowledgeFargateProfileReads(role, props.clusterArns);
}
