// The IAM statements a step's declaration (infra/steps.ts) may ask for, each bound to this
// stack's volumes, clusters and EFS key. The declarations name them through StepGrants, a type
// only, so the table stays plain data at run time: local mode reads it without the CDK.
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describeClustersStatement } from './cluster-permissions.ts';
import { hasWarmPool, type ServiceConfig } from './config.ts';
import { healthCheckStatements } from './operation-statements.ts';
import {
  accessPointCreateStatements,
  accessPointDeleteStatements,
  describeStatement,
  fileSystemCreateStatements,
  fileSystemDeleteStatements,
  fileSystemPolicyStatements,
  leftoverReads,
  mountTargetCreateStatements,
  mountTargetDeleteStatements,
  namespaceClientGroupStatements,
  pooledFileSystemTakeStatements,
  pooledSecurityGroupTakeStatements,
  restoreCheckStatements,
  restoreStartStatements,
  securityGroupCreateStatements,
  securityGroupDeleteStatements,
  type VolumeResourceArns,
} from './volume-permissions.ts';

/** What a step may be granted on EFS, EC2 and EKS (infra/volume-permissions.ts says how each is scoped). */
export interface StepGrants {
  /** Read-only calls EFS and EC2 cannot scope to resources. */
  describe(...actions: string[]): PolicyStatement;
  /** DescribeCluster on the configured clusters: a Kubernetes step's endpoint and CA. */
  describeClusters(): PolicyStatement;
  createSecurityGroup(): PolicyStatement[];
  /** A namespace's client group, with namespace network isolation. */
  createNamespaceClientGroup(): PolicyStatement[];
  /**
   * An encrypted file system, with the configured EFS key's grants when there is one; with a
   * warm pool, a member's file system taken over (tagged as the volume's, the pool tag off).
   */
  createFileSystem(): PolicyStatement[];
  createMountTargets(): PolicyStatement[];
  /** The file system policy of this stack's volume's own file system. */
  putFileSystemPolicy(): PolicyStatement[];
  createAccessPoint(): PolicyStatement[];
  /** An access point on a file system of this stack only (not a shareable one of someone else's). */
  createAccessPointOnOwnFileSystem(): PolicyStatement[];
  deleteAccessPoint(): PolicyStatement[];
  deleteMountTargets(): PolicyStatement[];
  deleteFileSystem(): PolicyStatement[];
  deleteSecurityGroup(): PolicyStatement[];
  /** What `findLeftovers` reads to list what a failed rollback or deletion left. */
  readLeftovers(): PolicyStatement[];
  /** What the health check (functions/lib/health/check.ts) reads, the cluster's description too. */
  readHealth(): PolicyStatement[];
  /** StartRestoreJob of a recovery point, passing the stack's restore role to AWS Backup. */
  startRestoreJob(): PolicyStatement[];
  /** DescribeRestoreJob, and the restored file system tagged as the volume's. */
  checkRestoreJob(): PolicyStatement[];
}

/** The grants of a stack: its volumes' ARNs, its configuration, the clusters it may describe. */
export function stepGrants(
  arns: VolumeResourceArns,
  config: ServiceConfig,
  clusterArns: readonly string[],
  restoreRoleArn: string,
): StepGrants {
  return {
    describe: describeStatement,
    describeClusters: () => describeClustersStatement(clusterArns),
    createSecurityGroup: () => [
      ...securityGroupCreateStatements(arns),
      ...(hasWarmPool(config) ? pooledSecurityGroupTakeStatements(arns) : []),
    ],
    createNamespaceClientGroup: () => namespaceClientGroupStatements(arns),
    createFileSystem: () => [
      ...fileSystemCreateStatements(arns, config.efsKmsKeyArn),
      // With a warm pool, the step takes a member's file system over instead.
      ...(hasWarmPool(config) ? pooledFileSystemTakeStatements(arns) : []),
    ],
    createMountTargets: () => mountTargetCreateStatements(arns),
    putFileSystemPolicy: () => fileSystemPolicyStatements(arns),
    createAccessPoint: () => accessPointCreateStatements(arns),
    createAccessPointOnOwnFileSystem: () => accessPointCreateStatements(arns, { shareable: false }),
    deleteAccessPoint: () => accessPointDeleteStatements(arns),
    deleteMountTargets: () => mountTargetDeleteStatements(arns),
    deleteFileSystem: () => fileSystemDeleteStatements(arns),
    deleteSecurityGroup: () => securityGroupDeleteStatements(arns),
    readLeftovers: () => leftoverReads(clusterArns),
    readHealth: () => [
      describeClustersStatement(clusterArns),
      ...healthCheckStatements(clusterArns),
    ],
    startRestoreJob: () => restoreStartStatements(arns, restoreRoleArn),
    checkRestoreJob: () => restoreCheckStatements(arns),
  };
}
