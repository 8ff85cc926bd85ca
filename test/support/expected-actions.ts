// What each function's role may do, read off its code in functions/: test/infra/stack-iam.test.ts
// checks each role grants exactly these, test/infra/stack-functions.test.ts that every function
// of the stack has an entry here.

const RECORD_GET_UPDATE = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
/** Every step reads the record first (it names the execution that may act), then updates it. */
const RECORD_UPDATE = RECORD_GET_UPDATE;
/** The steps that talk to Kubernetes describe the cluster's endpoint and CA afresh. */
const KUBERNETES_STEP = [...RECORD_UPDATE, 'eks:DescribeCluster'];
const LEFTOVERS = [
  ...RECORD_GET_UPDATE,
  'eks:DescribeCluster',
  'ec2:DescribeSecurityGroups',
  'elasticfilesystem:DescribeAccessPoints',
  'elasticfilesystem:DescribeFileSystemPolicy',
  'elasticfilesystem:DescribeFileSystems',
  'elasticfilesystem:DescribeMountTargets',
  'events:PutEvents',
];

/** A recorded drift check (functions/lib/health): reads, the health write, Volume Drifted. */
const HEALTH_CHECK = [
  ...RECORD_GET_UPDATE,
  'ec2:DescribeSubnets',
  'eks:DescribeCluster',
  'eks:DescribeFargateProfile',
  'eks:ListFargateProfiles',
  'elasticfilesystem:DescribeAccessPoints',
  'elasticfilesystem:DescribeFileSystemPolicy',
  'elasticfilesystem:DescribeFileSystems',
  'elasticfilesystem:DescribeMountTargets',
  'events:PutEvents',
];

/**
 * The shared leftover-reporter role: what a failed rollback or deletion left, and the repair's
 * closing steps, which re-run the drift check (a union: the role is shared).
 */
const LEFTOVER_REPORTER = [
  ...new Set([
    ...LEFTOVERS,
    'elasticfilesystem:DescribeFileSystemPolicy',
    'ec2:DescribeSubnets',
    'eks:DescribeCluster',
    'eks:DescribeFargateProfile',
    'eks:ListFargateProfiles',
  ]),
];

/** Creating a volume: its checks (cluster, subnets, Fargate profile), the record, the workflow. */
const CREATE_VOLUME = [
  // A restore's recovery point is checked to be one of its source's file system's; one named
  // alone is traced to its file system (and that, by DescribeFileSystems, to its volume).
  'backup:DescribeRecoveryPoint',
  'backup:ListRecoveryPointsByResource',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcAttribute',
  'eks:DescribeCluster',
  'elasticfilesystem:DescribeAccessPoints',
  'elasticfilesystem:DescribeFileSystemPolicy',
  'elasticfilesystem:DescribeFileSystems',
  'eks:DescribeFargateProfile',
  'eks:ListFargateProfiles',
  'states:DescribeExecution',
  'states:StartExecution',
];

/** What each function may do, read off its code in functions/. */
/** The scheduled check's role: every READY volume checked in batches it invokes, PENDING ones settled. */
const CHECK_VOLUMES = [
  ...HEALTH_CHECK,
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'ec2:DescribeSecurityGroups',
  'lambda:InvokeFunction',
  'states:DescribeExecution',
  'states:StartExecution',
].sort();

export const EXPECTED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'resolve-cluster': [...RECORD_UPDATE, 'ec2:DescribeSubnets', 'eks:DescribeCluster'],
  'create-security-group': [
    ...RECORD_UPDATE,
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:CreateSecurityGroup',
    'ec2:CreateTags',
    'ec2:DescribeSecurityGroups',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress',
  ],
  'start-restore-job': [...RECORD_UPDATE, 'backup:StartRestoreJob', 'iam:PassRole'],
  'check-restore-job': [
    ...RECORD_UPDATE,
    'backup:DescribeRestoreJob',
    'elasticfilesystem:TagResource',
  ],
  'create-file-system': [
    ...RECORD_UPDATE,
    'elasticfilesystem:CreateFileSystem',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:TagResource',
    'iam:CreateServiceLinkedRole',
  ],
  'create-mount-targets': [
    ...RECORD_UPDATE,
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaceAttribute',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'elasticfilesystem:CreateMountTarget',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargetSecurityGroups',
    'elasticfilesystem:DescribeMountTargets',
    'elasticfilesystem:PutFileSystemPolicy',
  ],
  'create-access-point': [
    ...RECORD_UPDATE,
    'elasticfilesystem:CreateAccessPoint',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:PutFileSystemPolicy',
    'elasticfilesystem:TagResource',
  ],
  'check-mount-targets': [...RECORD_UPDATE, 'elasticfilesystem:DescribeMountTargets'],
  'find-restore-directory': [
    ...KUBERNETES_STEP,
    'elasticfilesystem:CreateAccessPoint',
    'elasticfilesystem:DeleteAccessPoint',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:TagResource',
  ],
  'apply-manifests': KUBERNETES_STEP,
  'check-claim-bound': KUBERNETES_STEP,
  'verify-mount': KUBERNETES_STEP,
  'complete-provisioning': [...RECORD_GET_UPDATE, 'events:PutEvents'],
  'begin-rollback': RECORD_GET_UPDATE,
  'delete-manifests': KUBERNETES_STEP,
  'delete-access-point': [
    ...RECORD_GET_UPDATE,
    'elasticfilesystem:DeleteAccessPoint',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
  ],
  'delete-mount-targets': [
    ...RECORD_UPDATE,
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeNetworkInterfaceAttribute',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSecurityGroups',
    'elasticfilesystem:DeleteMountTarget',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargetSecurityGroups',
    'elasticfilesystem:DescribeMountTargets',
  ],
  'check-mount-targets-deleted': [
    ...RECORD_UPDATE,
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargets',
  ],
  'delete-file-system': [
    ...RECORD_UPDATE,
    'elasticfilesystem:DeleteFileSystem',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
  ],
  'delete-security-group': [
    ...RECORD_UPDATE,
    'ec2:DeleteSecurityGroup',
    'ec2:DescribeSecurityGroups',
  ],
  'complete-rollback': [...RECORD_GET_UPDATE, 'dynamodb:DeleteItem', 'events:PutEvents'],
  'record-rollback-failure': LEFTOVER_REPORTER,
  'complete-deletion': [...RECORD_GET_UPDATE, 'dynamodb:DeleteItem', 'events:PutEvents'],
  'record-deletion-failure': LEFTOVER_REPORTER,
  'begin-repair': [
    ...RECORD_GET_UPDATE,
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
  ],
  'complete-repair': LEFTOVER_REPORTER,
  'record-repair-failure': LEFTOVER_REPORTER,
  createVolume: CREATE_VOLUME,
  listVolumes: ['dynamodb:Query'],
  getVolume: ['dynamodb:GetItem'],
  listRecoveryPoints: ['dynamodb:GetItem', 'backup:ListRecoveryPointsByResource'],
  deleteVolume: [
    ...RECORD_GET_UPDATE,
    'dynamodb:DeleteItem',
    'eks:DescribeCluster',
    'states:StartExecution',
  ],
  getVolumeManifests: ['dynamodb:GetItem'],
  checkVolume: HEALTH_CHECK,
  // The check before a repair records nothing and raises no event.
  repairVolume: [
    ...HEALTH_CHECK.filter((action) => action !== 'events:PutEvents'),
    'states:StartExecution',
  ],
  // A stuck PENDING volume: its execution described or restarted, or settled with its leftovers.
  'check-volumes': CHECK_VOLUMES,
  // A batch of the scheduled check runs with the check's role (infra/health-checks.ts).
  'check-volume-batch': CHECK_VOLUMES,
  // A request event creates a volume as the API does; it raises Volume Request Rejected, and its
  // failures reach the dead-letter queue through Lambda's on-failure destination, with its role.
  'provision-requested': [
    ...CREATE_VOLUME,
    'events:PutEvents',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:SendMessage',
  ],
  'settle-execution': [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'ec2:DescribeSecurityGroups',
    'eks:DescribeCluster',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargets',
    'events:PutEvents',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:SendMessage',
    // The cleanup of what a stopped or timed-out provisioning left: the deprovision workflow.
    'states:StartExecution',
  ],
};
