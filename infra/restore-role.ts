// The role AWS Backup restores a volume's recovery point as (StartRestoreJob's IamRoleArn):
// what AWS Backup needs of it to restore an EFS recovery point to a new, encrypted file system
// with this stack's EFS key, and nothing else. The StartRestoreJob step may pass it to AWS
// Backup only (iam:PassedToService).
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { STACK_TAG } from '../functions/lib/aws/tags.ts';
import type { ServiceConfig } from './config.ts';
import { acknowledgeRestoreRole } from './nag-acknowledgements.ts';
import type { VolumeResourceArns } from './volume-permissions.ts';

/** The restore role of a stack: assumed by AWS Backup only. */
export function restoreRole(
  scope: Construct,
  arns: VolumeResourceArns,
  config: Pick<ServiceConfig, 'efsKmsKeyArn'>,
): Role {
  const role = new Role(scope, 'RestoreRole', {
    assumedBy: new ServicePrincipal('backup.amazonaws.com'),
    description: "efs-volumes: AWS Backup restores a volume's recovery point as this role",
  });
  // `Resource: "*"` for CreateFileSystem: the SAR lists no resource type for it (as for the
  // CreateFileSystem step); only an encrypted one.
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'CreateEncryptedFileSystem',
      actions: ['elasticfilesystem:CreateFileSystem'],
      resources: ['*'],
      conditions: { Bool: { 'elasticfilesystem:Encrypted': 'true' } },
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'DescribeFileSystems',
      actions: ['elasticfilesystem:DescribeFileSystems'],
      resources: ['*'],
    }),
  );
  // The source: a file system of this stack's volumes.
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'RestoreFromStackFileSystem',
      actions: ['elasticfilesystem:Restore'],
      resources: [arns.fileSystems],
      conditions: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: arns.stackName } },
    }),
  );
  // The target: the new file system, untagged until the CheckRestoreJob step tags it as the
  // volume's. DeleteFileSystem as AWS's managed restore policy (AWSBackupServiceRolePolicyForRestores)
  // grants it, for AWS Backup's own clean-up; a file system of any stack (tagged) is never
  // written to or deleted by this role.
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'RestoreIntoNewFileSystem',
      actions: ['elasticfilesystem:Restore', 'elasticfilesystem:DeleteFileSystem'],
      resources: [arns.fileSystems],
      conditions: { Null: { [`aws:ResourceTag/${STACK_TAG}`]: 'true' } },
    }),
  );
  if (config.efsKmsKeyArn) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseEfsKmsKey',
        actions: ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'],
        resources: [config.efsKmsKeyArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'GrantEfsKmsKeyToEfs',
        actions: ['kms:CreateGrant'],
        resources: [config.efsKmsKeyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
  }
  acknowledgeRestoreRole(role);
  return role;
}
