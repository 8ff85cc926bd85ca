import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_SOURCE } from '../../functions/lib/events/lifecycle.ts';
import { PROVISION_REQUESTED } from '../../functions/lib/events/provision-requested.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { WORKFLOW_SETTINGS } from '../../infra/config.ts';
import { KUBERNETES_GROUPS } from '../../infra/kubernetes-access.ts';
import { PROVISION_REQUESTED_DETAIL_TYPE } from '../../infra/lifecycle-events.ts';
import { PROJECT_ROOT, type ServiceFunction } from '../../infra/service-function.ts';
import { ALL_STEPS, placeholderOf } from '../../infra/workflow-steps.ts';
import { createVolumesTable } from '../../local/volumes-table.ts';
import {
  actionsOf,
  CONFIGURED,
  getAttTarget,
  logicalIdOf,
  policyStatements,
  propertiesOf,
  renderArn,
  resourcesOf,
  resourcesOfType,
  type Statement,
  type SynthesizedStack,
  statementsOfRole,
  synthesize,
  type TemplateResource,
} from './synthesize.ts';

let plain: SynthesizedStack;
let configured: SynthesizedStack;

beforeAll(() => {
  plain = synthesize();
  configured = synthesize({ config: CONFIGURED });
});

/** Every function of the stack by name: step names, API operationIds, and the event handler. */
function functionsOf(synthesized: SynthesizedStack): Map<string, ServiceFunction> {
  const { stack } = synthesized;
  return new Map<string, ServiceFunction>([
    ...stack.workflow.stepFunctions,
    ...stack.api.functions,
    ['provision-requested', stack.requests.handler],
    ['check-volumes', stack.healthChecks.handler],
    ['settle-execution', stack.settlement.handler],
  ]);
}

function functionResource(synthesized: SynthesizedStack, name: string): TemplateResource {
  const fn = functionsOf(synthesized).get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const resource = synthesized.resources[logicalIdOf(synthesized.stack, fn.function)];
  if (!resource) throw new Error(`no resource for ${name}`);
  return resource;
}

function environmentOf(synthesized: SynthesizedStack, name: string): Record<string, unknown> {
  const properties = functionResource(synthesized, name).Properties ?? {};
  return (properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

function statementsOfFunction(synthesized: SynthesizedStack, name: string): Statement[] {
  const roleId = getAttTarget(functionResource(synthesized, name).Properties?.Role);
  if (!roleId) throw new Error(`function ${name} has no role`);
  return statementsOfRole(synthesized.resources, roleId);
}

/** The actions a function's role grants, leaving out writing to its own log group. */
/** What the Lambda runtime does for every function, not its code: logs and active tracing. */
const RUNTIME_ACTIONS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

function actionsOfFunction(synthesized: SynthesizedStack, name: string): string[] {
  const actions = statementsOfFunction(synthesized, name)
    .flatMap(actionsOf)
    .filter((action) => !RUNTIME_ACTIONS.has(action));
  return [...new Set(actions)].sort();
}

/** Every .ts file under functions/, read as text. */
function functionSources(): string[] {
  const root = join(PROJECT_ROOT, 'functions');
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(root, file), 'utf8'));
}

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
    'ec2:DescribeSubnets',
    'eks:DescribeCluster',
    'eks:DescribeFargateProfile',
    'eks:ListFargateProfiles',
  ]),
];

/** What each function may do, read off its code in functions/. */
const EXPECTED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'resolve-cluster': [...RECORD_UPDATE, 'ec2:DescribeSubnets', 'eks:DescribeCluster'],
  'create-security-group': [
    ...RECORD_UPDATE,
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:CreateSecurityGroup',
    'ec2:CreateTags',
    'ec2:DescribeSecurityGroups',
    'ec2:RevokeSecurityGroupEgress',
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
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargetSecurityGroups',
    'elasticfilesystem:DescribeMountTargets',
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
  'apply-manifests': KUBERNETES_STEP,
  'check-claim-bound': KUBERNETES_STEP,
  'complete-provisioning': [...RECORD_GET_UPDATE, 'events:PutEvents'],
  'begin-rollback': RECORD_GET_UPDATE,
  'delete-manifests': KUBERNETES_STEP,
  'delete-access-point': [
    ...RECORD_UPDATE,
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
  createVolume: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcAttribute',
    'eks:DescribeCluster',
    'elasticfilesystem:DescribeFileSystems',
    'eks:DescribeFargateProfile',
    'eks:ListFargateProfiles',
    'states:DescribeExecution',
    'states:StartExecution',
  ],
  listVolumes: ['dynamodb:Query'],
  getVolume: ['dynamodb:GetItem'],
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
  'check-volumes': [
    ...HEALTH_CHECK,
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'ec2:DescribeSecurityGroups',
    'states:DescribeExecution',
    'states:StartExecution',
  ].sort(),
  'provision-requested': [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcAttribute',
    'eks:DescribeCluster',
    'elasticfilesystem:DescribeFileSystems',
    'eks:DescribeFargateProfile',
    'eks:ListFargateProfiles',
    'events:PutEvents',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:SendMessage',
    'states:DescribeExecution',
    'states:StartExecution',
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
  ],
};

/** The functions that call a cluster's Kubernetes API (steps with the client, API readers). */
const KUBERNETES_CALLERS = [
  'apply-manifests',
  'check-claim-bound',
  'delete-manifests',
  'record-rollback-failure',
  'record-deletion-failure',
  'createVolume',
  'deleteVolume',
  'checkVolume',
  'provision-requested',
  'check-volumes',
  'complete-repair',
  'record-repair-failure',
  'repairVolume',
  'settle-execution',
];

describe('Lambda functions', () => {
  it('has one function per step, per API operation, for request events and for the drift check', () => {
    // Prepare
    const expected = [
      ...ALL_STEPS,
      ...plain.stack.api.functions.keys(),
      'provision-requested',
      'check-volumes',
      'settle-execution',
    ];

    // Act
    const names = [...functionsOf(plain).keys()];

    // Assess
    expect(names.sort()).toEqual(expected.sort());
    expect(Object.keys(EXPECTED_ACTIONS).sort()).toEqual(expected.sort());
    expect(resourcesOfType(plain.resources, 'AWS::Lambda::Function')).toHaveLength(names.length);
  });

  it('runs every function on nodejs24.x, arm64, with source maps enabled', () => {
    // Prepare
    const functions = resourcesOfType(plain.resources, 'AWS::Lambda::Function');

    // Act
    const settings = functions.map(([, fn]) => ({
      runtime: fn.Properties?.Runtime,
      architectures: fn.Properties?.Architectures,
      handler: fn.Properties?.Handler,
      nodeOptions: (propertiesOf(fn).Environment as { Variables: Record<string, string> }).Variables
        .NODE_OPTIONS,
    }));

    // Assess
    expect(new Set(settings.map((setting) => JSON.stringify(setting)))).toEqual(
      new Set([
        JSON.stringify({
          runtime: 'nodejs24.x',
          architectures: ['arm64'],
          handler: 'index.handler',
          nodeOptions: '--enable-source-maps',
        }),
      ]),
    );
  });

  it('gives every function its own log group kept one month', () => {
    // Prepare
    const functions = resourcesOfType(plain.resources, 'AWS::Lambda::Function');

    // Act
    const logGroups = functions.map(([, fn]) => {
      const logGroupRef = (propertiesOf(fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;
      return plain.resources[logGroupRef];
    });

    // Assess
    expect(
      new Set(functions.map(([, fn]) => JSON.stringify(fn.Properties?.LoggingConfig))).size,
    ).toBe(functions.length);
    for (const logGroup of logGroups) {
      expect(logGroup?.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('encrypts every log group of the stack with the configured logs key, and none without one', () => {
    // Prepare
    const keyIds = (synthesized: SynthesizedStack) =>
      resourcesOfType(synthesized.resources, 'AWS::Logs::LogGroup').map(
        ([, logGroup]) => logGroup.Properties?.KmsKeyId,
      );

    // Act
    const [withKey, withoutKey] = [keyIds(configured), keyIds(plain)];

    // Assess: the functions', the three state machines' and the API's access logs
    const functionCount = resourcesOfType(configured.resources, 'AWS::Lambda::Function').length;
    expect(withKey.length).toBe(functionCount + 3 + 1);
    expect(new Set(withKey)).toEqual(new Set([CONFIGURED.logsKmsKeyArn]));
    expect(withoutKey.every((keyId) => keyId === undefined)).toBe(true);
  });

  it('sets the Powertools environment, the table and the bus on every function', () => {
    // Prepare
    const tableId = logicalIdOf(plain.stack, plain.stack.records.table);

    // Act
    const environments = [...functionsOf(plain).keys()].map((name) => environmentOf(plain, name));

    // Assess
    for (const environment of environments) {
      expect(environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'efs-volumes',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        VOLUMES_TABLE: { Ref: tableId },
        EVENT_BUS_NAME: { Ref: expect.stringMatching(/^EventBus/) },
      });
      expect(environment).not.toHaveProperty('KUBE_ENDPOINT_OVERRIDES');
    }
  });

  it('gives the workflow steps the configured timing and EFS key, and nothing unconfigured', () => {
    // Prepare
    const step = 'check-mount-targets';

    // Act
    const [withSettings, withDefaults] = [
      environmentOf(configured, step),
      environmentOf(plain, step),
    ];

    // Assess
    expect(withSettings).toMatchObject({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      MOUNT_TARGET_POLL_SECONDS: '10',
      MOUNT_TARGET_DNS_DELAY_SECONDS: '120',
      EFS_KMS_KEY_ID: CONFIGURED.efsKmsKeyArn,
    });
    expect(withSettings).not.toHaveProperty('CLAIM_POLL_SECONDS');
    for (const variable of [...Object.values(WORKFLOW_SETTINGS), 'EFS_KMS_KEY_ID']) {
      expect(withDefaults).not.toHaveProperty(variable);
    }
  });

  it('leaves the local-mode endpoint override out of functions/: local mode injects it', () => {
    // Act
    const mentions = functionSources().filter((source) =>
      source.includes('KUBE_ENDPOINT_OVERRIDES'),
    );

    // Assess
    expect(mentions).toEqual([]);
  });

  it('names exactly the workflow settings functions/lib/config.ts reads', () => {
    // Prepare
    const source = readFileSync(`${PROJECT_ROOT}functions/lib/config.ts`, 'utf8');

    // Act
    const read = [...source.matchAll(/numberSetting\('([A-Z_]+)'/g)].map((match) => match[1]);

    // Assess
    expect(read.sort()).toEqual(Object.values(WORKFLOW_SETTINGS).sort());
  });

  it('sets every environment variable functions/ reads, except the runtime ones', () => {
    // Prepare
    const read = new Set(
      functionSources().flatMap((source) =>
        [...source.matchAll(/process\.env\.([A-Z_]+)/g)].map((match) => match[1] ?? ''),
      ),
    );
    const notFromTheStack = new Set(['AWS_REGION']);

    // Act
    const set = new Set(
      [...functionsOf(configured).keys()].flatMap((name) =>
        Object.keys(environmentOf(configured, name)),
      ),
    );

    // Assess
    const missing = [...read].filter((name) => !set.has(name) && !notFromTheStack.has(name));
    expect(missing).toEqual([]);
  });

  it('gives the functions that start workflows the access policy, the root setting and both state machines', () => {
    // Prepare
    const [provisionId, deprovisionId] = [
      logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.provision),
      logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.deprovision),
    ];

    // Act
    const environments = ['createVolume', 'deleteVolume', 'provision-requested'].map((name) =>
      environmentOf(configured, name),
    );

    // Assess
    for (const environment of environments) {
      expect(environment).toMatchObject({
        ALLOW_ROOT_POSIX_USER: 'false',
        PROVISION_STATE_MACHINE_ARN: { Ref: provisionId },
        DEPROVISION_STATE_MACHINE_ARN: { Ref: deprovisionId },
      });
      expect(JSON.parse(String(environment.ACCESS_POLICY))).toEqual(CONFIGURED.accessPolicy);
    }
    expect(environmentOf(configured, 'provision-requested').REQUEST_EVENT_SOURCE).toBe(
      'efs-volumes.requests',
    );
  });

  it('gives the repair operation the repair state machine', () => {
    // Prepare
    const repairId = logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.repair);

    // Act
    const environment = environmentOf(configured, 'repairVolume');

    // Assess
    expect(environment.REPAIR_STATE_MACHINE_ARN).toEqual({ Ref: repairId });
  });

  it('gives the read-only API functions the access policy and no workflow settings', () => {
    // Prepare
    const readers = ['getVolume', 'listVolumes', 'getVolumeManifests'];

    // Act
    const environments = readers.map((name) => environmentOf(configured, name));

    // Assess
    for (const environment of environments) {
      expect(JSON.parse(String(environment.ACCESS_POLICY))).toEqual(CONFIGURED.accessPolicy);
      expect(environment).not.toHaveProperty('PROVISION_STATE_MACHINE_ARN');
      expect(environment).not.toHaveProperty('ALLOW_ROOT_POSIX_USER');
    }
  });

  it('ends every workflow step before the TimeoutSeconds its Tasks allow, and every API function within 29 s', () => {
    // Prepare: each Task's TimeoutSeconds, by the step its Resource names
    const taskTimeouts = new Map<string, number[]>();
    for (const file of ['provision', 'deprovision']) {
      const definition = JSON.parse(
        readFileSync(join(PROJECT_ROOT, 'statemachine', `${file}.asl.json`), 'utf8'),
      ) as { States: Record<string, { Resource?: string; TimeoutSeconds?: number }> };
      for (const state of Object.values(definition.States)) {
        const placeholder = /^\$\{(\w+)\}$/.exec(state.Resource ?? '')?.[1];
        if (!placeholder) continue;
        taskTimeouts.set(placeholder, [
          ...(taskTimeouts.get(placeholder) ?? []),
          state.TimeoutSeconds ?? Number.POSITIVE_INFINITY,
        ]);
      }
    }
    const operations = [...plain.stack.api.functions.keys()].map((id) =>
      functionResource(plain, id),
    );

    // Act
    const late = ALL_STEPS.flatMap((step) => {
      const timeout = Number(functionResource(plain, step).Properties?.Timeout);
      const tasks = taskTimeouts.get(placeholderOf(step)) ?? [];
      return tasks
        .filter((task) => timeout >= task)
        .map((task) => `${step}: ${timeout} s ≥ ${task} s`);
    });
    const apiTimeouts = operations.map((fn) => Number(fn.Properties?.Timeout));

    // Assess: the look-ahead of CheckMountTargets is the one step over the default 90 s
    expect(late).toEqual([]);
    expect(Number(functionResource(plain, 'check-mount-targets').Properties?.Timeout)).toBe(300);
    expect(Math.max(...apiTimeouts)).toBeLessThan(29);
  });

  it('places the functions that call Kubernetes in the configured VPC, and only those', () => {
    // Prepare
    const names = [...functionsOf(configured).keys()];

    // Act
    const inVpc = names.filter((name) => functionResource(configured, name).Properties?.VpcConfig);

    // Assess
    expect(inVpc.sort()).toEqual([...KUBERNETES_CALLERS].sort());
    expect(functionResource(configured, 'apply-manifests').Properties?.VpcConfig).toEqual({
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      SecurityGroupIds: [
        { 'Fn::GetAtt': [expect.stringMatching(/^KubernetesSecurityGroup/), 'GroupId'] },
      ],
    });
    configured.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
    });
    expect(resourcesOfType(plain.resources, 'AWS::EC2::SecurityGroup')).toHaveLength(0);
  });
});

describe('IAM', () => {
  it.each(Object.entries(EXPECTED_ACTIONS))(
    'grants %s exactly what its code calls',
    (name, expected) => {
      // Prepare
      const synthesized = plain;

      // Act
      const actions = actionsOfFunction(synthesized, name);

      // Assess
      expect(actions).toEqual([...expected].sort());
    },
  );

  it('lets every function write only to its own log group', () => {
    // Prepare
    const names = [...functionsOf(plain).keys()];

    // Act
    const logStatements = names.flatMap((name) =>
      statementsOfFunction(plain, name).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      ),
    );

    // Assess
    for (const statement of logStatements) {
      expect(actionsOf(statement).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const resource of resourcesOf(statement)) {
        expect(getAttTarget(resource)).toMatch(/Logs/);
      }
    }
  });

  it('adds the EFS key permissions to create-file-system when a key is configured', () => {
    // Prepare
    const name = 'create-file-system';

    // Act
    const kms = statementsOfFunction(configured, name).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );

    // Assess
    expect(kms.flatMap(actionsOf).sort()).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
    ]);
    expect(kms.flatMap(resourcesOf)).toEqual([CONFIGURED.efsKmsKeyArn, CONFIGURED.efsKmsKeyArn]);
    expect(kms.find((s) => actionsOf(s).includes('kms:CreateGrant'))?.Condition).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
  });

  // The stack's tag and a volume id on everything; caller tags only under their prefix.
  const requestTagged = {
    StringEquals: { 'aws:RequestTag/efs-volumes:stack': 'EfsVolumes' },
    StringLike: { [`aws:RequestTag/${VOLUME_ID_TAG}`]: 'vol-*' },
    'ForAllValues:StringLike': { 'aws:TagKeys': ['efs-volumes:*', 'Name', 'caller:*'] },
  };
  const resourceTagged = {
    StringEquals: { 'aws:ResourceTag/efs-volumes:stack': 'EfsVolumes' },
    StringLike: { [`aws:ResourceTag/${VOLUME_ID_TAG}`]: 'vol-*' },
  };
  const encryptedAndRequestTagged = {
    ...requestTagged,
    Bool: { 'elasticfilesystem:Encrypted': 'true' },
  };

  it.each([
    ['elasticfilesystem:CreateFileSystem', 'create-file-system', encryptedAndRequestTagged],
    ['elasticfilesystem:CreateAccessPoint', 'create-access-point', requestTagged],
    ['elasticfilesystem:CreateMountTarget', 'create-mount-targets', resourceTagged],
    ['elasticfilesystem:DeleteMountTarget', 'delete-mount-targets', resourceTagged],
    ['elasticfilesystem:DeleteAccessPoint', 'delete-access-point', resourceTagged],
    ['elasticfilesystem:DeleteFileSystem', 'delete-file-system', resourceTagged],
    ['elasticfilesystem:PutFileSystemPolicy', 'create-access-point', resourceTagged],
    ['ec2:AuthorizeSecurityGroupIngress', 'create-security-group', resourceTagged],
    ['ec2:RevokeSecurityGroupEgress', 'create-security-group', resourceTagged],
    ['ec2:DeleteSecurityGroup', 'delete-security-group', resourceTagged],
  ])('allows %s (%s) only with the stack and volume-id tags', (action, name, condition) => {
    // Prepare
    const statements = statementsOfFunction(plain, name);

    // Act
    const granting = statements.filter((statement) => actionsOf(statement).includes(action));

    // Assess
    expect(granting.length).toBeGreaterThan(0);
    for (const statement of granting) expect(statement.Condition).toEqual(condition);
  });

  it('creates security groups only with the stack and volume-id tags; the VPC half is the only untagged one', () => {
    // Prepare
    const statements = statementsOfFunction(plain, 'create-security-group');

    // Act
    const creating = statements.filter((statement) =>
      actionsOf(statement).includes('ec2:CreateSecurityGroup'),
    );

    // Assess
    expect(
      creating.map((statement) => ({
        resources: resourcesOf(statement).map(renderArn),
        condition: statement.Condition,
      })),
    ).toEqual([
      {
        resources: ['arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:security-group/*'],
        condition: requestTagged,
      },
      {
        resources: ['arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:vpc/*'],
        condition: undefined,
      },
    ]);
  });

  it('allows tag-on-create only during the create call', () => {
    // Prepare
    const efsTagging = [
      ...statementsOfFunction(plain, 'create-file-system'),
      ...statementsOfFunction(plain, 'create-access-point'),
    ].filter((statement) => actionsOf(statement).includes('elasticfilesystem:TagResource'));
    const ec2Tagging = statementsOfFunction(plain, 'create-security-group').filter((statement) =>
      actionsOf(statement).includes('ec2:CreateTags'),
    );

    // Act
    const conditions = [...efsTagging, ...ec2Tagging].map((statement) => statement.Condition);

    // Assess
    const during = (key: string, action: string) => ({
      ...requestTagged,
      StringEquals: { ...requestTagged.StringEquals, [key]: action },
    });
    expect(conditions).toEqual([
      during('elasticfilesystem:CreateAction', 'CreateFileSystem'),
      during('elasticfilesystem:CreateAction', 'CreateAccessPoint'),
      during('ec2:CreateAction', 'CreateSecurityGroup'),
    ]);
  });

  it('limits security groups and mount-target interfaces to the configured VPCs', () => {
    // Prepare
    const synthesized = synthesize({ config: { vpcIds: ['vpc-0123456789abcdef0'] } });
    const vpc = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:vpc/vpc-0123456789abcdef0';
    const granting = (name: string, action: string) =>
      statementsOfFunction(synthesized, name).filter((statement) =>
        actionsOf(statement).includes(action),
      );

    // Act
    const createGroupInVpc = granting('create-security-group', 'ec2:CreateSecurityGroup').find(
      (statement) => !statement.Condition,
    );
    const createInterface = granting('create-mount-targets', 'ec2:CreateNetworkInterface');
    const deleteInterface = granting('delete-mount-targets', 'ec2:DeleteNetworkInterface');

    // Assess
    expect((createGroupInVpc ? resourcesOf(createGroupInVpc) : []).map(renderArn)).toEqual([vpc]);
    const inSubnet = createInterface.find((statement) =>
      resourcesOf(statement).some((resource) => renderArn(resource).includes(':subnet/')),
    );
    const vpcCondition = (statement: { Condition?: unknown } | undefined) => {
      const arnEquals = (statement?.Condition as { ArnEquals?: Record<string, unknown[]> })
        ?.ArnEquals;
      return Object.keys(statement?.Condition ?? {}).length === 1 && arnEquals
        ? Object.fromEntries(
            Object.entries(arnEquals).map(([key, values]) => [key, values.map(renderArn)]),
          )
        : statement?.Condition;
    };
    expect(vpcCondition(inSubnet)).toEqual({ 'ec2:Vpc': [vpc] });
    expect(deleteInterface.map(vpcCondition)).toEqual([{ 'ec2:Vpc': [vpc] }]);
  });

  it('gives no role a write on a file system, access point or security group without a condition', () => {
    // Prepare
    const tagged = /:(file-system|access-point|security-group)\/\*$/;
    const statements = resourcesOfType(plain.resources, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      policyStatements(policy),
    );

    // Act
    const unconditioned = statements.filter(
      (statement) =>
        !statement.Condition &&
        resourcesOf(statement).some((resource) => tagged.test(renderArn(resource))),
    );

    // Assess
    expect(unconditioned).toEqual([]);
  });

  it('grants Resource "*" only for calls that cannot be scoped', () => {
    // Prepare
    const unscopable =
      /^(ec2:Describe\w+|elasticfilesystem:Describe\w+|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery))$/;
    // The SAR lists no resource type for CreateFileSystem: its conditions scope it.
    const conditionScoped = new Set(['elasticfilesystem:CreateFileSystem']);
    const vpcFunction = new Set([
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    const statements = resourcesOfType(configured.resources, 'AWS::IAM::Policy').flatMap(
      ([, policy]) => policyStatements(policy),
    );

    // Act
    const starActions = statements
      .filter((statement) => resourcesOf(statement).includes('*'))
      .flatMap(actionsOf);

    // Assess
    const unexpected = starActions.filter(
      (action) =>
        !unscopable.test(action) && !vpcFunction.has(action) && !conditionScoped.has(action),
    );
    expect(unexpected).toEqual([]);
  });

  it('scopes eks:DescribeCluster to the configured clusters, or any cluster when none is', () => {
    // Prepare
    const describe = (synthesized: SynthesizedStack) =>
      statementsOfFunction(synthesized, 'createVolume')
        .filter((statement) => actionsOf(statement).includes('eks:DescribeCluster'))
        .flatMap(resourcesOf)
        .map(renderArn);

    // Act
    const [configuredClusters, anyCluster] = [describe(configured), describe(plain)];

    // Assess
    expect(configuredClusters.sort()).toEqual([
      'arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/dev',
      'arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/prod',
    ]);
    expect(anyCluster).toEqual([
      'arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/*',
    ]);
  });

  it('lets each step put only its own lifecycle events, with source efs-volumes, on the bus', () => {
    // Prepare
    const expected: Record<string, string[]> = {
      'complete-provisioning': ['Volume Ready'],
      'complete-rollback': ['Volume Provisioning Failed'],
      'complete-deletion': ['Volume Deleted'],
      'record-rollback-failure': [
        'Volume Provisioning Failed',
        'Volume Deletion Failed',
        'Volume Repaired',
        'Volume Repair Failed',
      ],
      'record-deletion-failure': [
        'Volume Provisioning Failed',
        'Volume Deletion Failed',
        'Volume Repaired',
        'Volume Repair Failed',
      ],
      'complete-repair': [
        'Volume Provisioning Failed',
        'Volume Deletion Failed',
        'Volume Repaired',
        'Volume Repair Failed',
      ],
      'provision-requested': ['Volume Request Rejected'],
      checkVolume: ['Volume Drifted'],
      'check-volumes': ['Volume Drifted', 'Volume Provisioning Failed'],
    };

    // Act
    const granted = Object.fromEntries(
      Object.keys(expected).map((name) => [
        name,
        statementsOfFunction(plain, name).filter((statement) =>
          actionsOf(statement).includes('events:PutEvents'),
        ),
      ]),
    );

    // Assess
    for (const [name, detailTypes] of Object.entries(expected)) {
      const statements = granted[name] ?? [];
      // Multivalued keys (one value per entry): every entry must match, and both be present.
      const conditions = statements.map(
        (statement) =>
          statement.Condition?.['ForAllValues:StringEquals'] as Record<string, unknown>,
      );
      expect(conditions.flatMap((condition) => condition['events:detail-type']).sort()).toEqual(
        [...detailTypes].sort(),
      );
      for (const statement of statements) {
        expect(statement.Condition?.['ForAllValues:StringEquals']?.['events:source']).toEqual([
          LIFECYCLE_SOURCE,
        ]);
        expect(statement.Condition?.Null).toEqual({
          'events:source': 'false',
          'events:detail-type': 'false',
        });
        expect(getAttTarget(statement.Resource)).toMatch(/^EventBus/);
      }
    }
  });
});

describe('volume table', () => {
  it('is on demand, with point-in-time recovery, KMS encryption and the byCreation and byNamespace indexes', () => {
    // Prepare
    const { template } = plain;

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCreation',
            KeySchema: [
              { AttributeName: 'recordType', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byNamespace',
            KeySchema: [
              { AttributeName: 'clusterNamespace', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    });
  });

  it('is the table local/volumes-table.ts creates for local mode', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    dynamodb.on(CreateTableCommand).resolves({});
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    const [[, table]] = resourcesOfType(plain.resources, 'AWS::DynamoDB::Table') as [
      [string, TemplateResource],
    ];

    // Act
    await createVolumesTable(client, 'volumes');

    // Assess
    const [call] = dynamodb.commandCalls(CreateTableCommand);
    const local = call?.args[0].input;
    expect({
      BillingMode: local?.BillingMode,
      AttributeDefinitions: local?.AttributeDefinitions,
      KeySchema: local?.KeySchema,
      GlobalSecondaryIndexes: local?.GlobalSecondaryIndexes,
    }).toEqual({
      BillingMode: table.Properties?.BillingMode,
      AttributeDefinitions: table.Properties?.AttributeDefinitions,
      KeySchema: table.Properties?.KeySchema,
      GlobalSecondaryIndexes: table.Properties?.GlobalSecondaryIndexes,
    });
  });

  it('lets only listVolumes and the drift check query, and only the byCreation and byNamespace indexes', () => {
    // Prepare
    const names = [...functionsOf(plain).keys()];

    // Act
    const querying = names.filter((name) =>
      actionsOfFunction(plain, name).includes('dynamodb:Query'),
    );
    const [statement] = statementsOfFunction(plain, 'listVolumes').filter((s) =>
      actionsOf(s).includes('dynamodb:Query'),
    );

    // Assess
    expect(querying.sort()).toEqual(['check-volumes', 'listVolumes']);
    expect(JSON.stringify(statement?.Resource)).toContain('/index/byCreation');
    expect(JSON.stringify(statement?.Resource)).toContain('/index/byNamespace');
  });
});

describe('state machines', () => {
  it.each(['provision', 'deprovision'] as const)(
    'logs %s ALL without execution data, with X-Ray tracing on',
    (workflow) => {
      // Prepare
      const id = logicalIdOf(plain.stack, plain.stack.workflow.stateMachines[workflow]);

      // Act
      const properties = plain.resources[id]?.Properties ?? {};

      // Assess
      expect(properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(properties.LoggingConfiguration).toMatchObject({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.anything() } }],
      });
      expect(properties.StateMachineType ?? 'STANDARD').toBe('STANDARD');
    },
  );
});

describe('REST API', () => {
  interface Operation {
    readonly security?: unknown;
    readonly 'x-amazon-apigateway-integration'?: { type: string; httpMethod: string; uri: unknown };
  }

  function body(): Record<string, unknown> {
    const [[, api]] = resourcesOfType(plain.resources, 'AWS::ApiGateway::RestApi') as [
      [string, TemplateResource],
    ];
    return api.Properties?.Body as Record<string, unknown>;
  }

  function operations(): [string, Operation][] {
    const paths = body().paths as Record<string, Record<string, Operation>>;
    return Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) =>
          [`${method.toUpperCase()} ${path}`, operation] as [string, Operation],
      ),
    );
  }

  it('requires SigV4 (AWS_IAM) authorization on every method', () => {
    // Prepare
    const document = body();

    // Act
    const schemes = operations().map(([name, operation]) => [name, operation.security]);

    // Assess
    expect((document.components as Record<string, unknown>).securitySchemes).toEqual({
      sigv4: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
    });
    expect(schemes).toHaveLength(7);
    for (const [, security] of schemes) expect(security).toEqual([{ sigv4: [] }]);
  });

  it('proxies every method to its own Lambda', () => {
    // Prepare
    const expectedFunction: Record<string, string> = {
      'POST /volumes': 'createVolume',
      'GET /volumes': 'listVolumes',
      'GET /volumes/{id}': 'getVolume',
      'DELETE /volumes/{id}': 'deleteVolume',
      'GET /volumes/{id}/manifests': 'getVolumeManifests',
      'POST /volumes/{id}/check': 'checkVolume',
      'POST /volumes/{id}/repair': 'repairVolume',
    };

    // Act
    const integrations = operations().map(
      ([name, operation]) => [name, operation['x-amazon-apigateway-integration']] as const,
    );

    // Assess
    expect(integrations.map(([name]) => name).sort()).toEqual(Object.keys(expectedFunction).sort());
    for (const [name, integration] of integrations) {
      const fn = plain.stack.api.functions.get(expectedFunction[name] ?? '');
      if (!fn) throw new Error(`no function for ${name}`);
      const functionArn = { 'Fn::GetAtt': [logicalIdOf(plain.stack, fn.function), 'Arn'] };
      expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
      expect(JSON.stringify(integration?.uri)).toContain(JSON.stringify(functionArn));
    }
  });

  it('validates request bodies and parameters with the "all" validator', () => {
    // Prepare
    const document = body();

    // Act
    const validators = document['x-amazon-apigateway-request-validators'];

    // Assess
    expect(validators).toEqual({
      all: { validateRequestBody: true, validateRequestParameters: true },
    });
    expect(document['x-amazon-apigateway-request-validator']).toBe('all');
  });

  it('answers its own 4xx and 5xx as application/problem+json', () => {
    // Prepare
    const responses = body()['x-amazon-apigateway-gateway-responses'] as Record<
      string,
      { responseParameters: Record<string, string> }
    >;

    // Act
    const types = Object.keys(responses);

    // Assess
    expect(types).toEqual(
      expect.arrayContaining([
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'BAD_REQUEST_BODY',
        'ACCESS_DENIED',
        'THROTTLED',
      ]),
    );
    for (const response of Object.values(responses)) {
      expect(response.responseParameters['gatewayresponse.header.Content-Type']).toBe(
        "'application/problem+json'",
      );
    }
  });

  it('writes JSON access logs to a log group kept one month, and throttles the stage', () => {
    // Prepare
    const { template } = plain;

    // Act
    const stages = template.findResources('AWS::ApiGateway::Stage');

    // Assess
    expect(Object.keys(stages)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ],
    });
    const logGroupId = logicalIdOf(plain.stack, plain.stack.api.accessLogs);
    expect(plain.resources[logGroupId]?.Properties?.RetentionInDays).toBe(30);
  });

  it('lets API Gateway invoke each function only for its own method and path', () => {
    // Prepare
    const permissions = resourcesOfType(plain.resources, 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties?.Principal === 'apigateway.amazonaws.com',
    );

    // Act
    const routes = permissions.map(([, permission]) => {
      const sourceArn = propertiesOf(permission).SourceArn as { 'Fn::Join': [string, unknown[]] };
      const parts = sourceArn['Fn::Join'][1];
      return [getAttTarget(permission.Properties?.FunctionName), parts.at(-1)];
    });

    // Assess
    expect(routes).toHaveLength(7);
    expect(routes.map(([, route]) => route).sort()).toEqual([
      '/DELETE/volumes/*',
      '/GET/volumes',
      '/GET/volumes/*',
      '/GET/volumes/*/manifests',
      '/POST/volumes',
      '/POST/volumes/*/check',
      '/POST/volumes/*/repair',
    ]);
  });
});

describe('execution ends', () => {
  it('sends every FAILED, TIMED_OUT or ABORTED execution of the three workflows on the default bus to SettleExecution, with retries and a dead-letter queue', () => {
    // Prepare
    const { template } = configured;

    // Act
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.states'] } },
    });

    // Assess
    expect(Object.keys(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0];
    expect(
      rule?.Properties?.EventBusName,
      'Step Functions only uses the default bus',
    ).toBeUndefined();
    expect(rule?.Properties?.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [
          { Ref: expect.stringMatching(/^WorkflowProvision/) },
          { Ref: expect.stringMatching(/^WorkflowDeprovision/) },
          { Ref: expect.stringMatching(/^WorkflowRepair/) },
        ],
      },
    });
    const [target] = (rule?.Properties?.Targets ?? []) as Array<Record<string, unknown>>;
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ExecutionSettlementSettleExecution/), 'Arn'] },
      DeadLetterConfig: { Arn: expect.anything() },
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number) },
    });
  });
});

describe('request events', () => {
  it('matches Volume Provision Requested from the configured source on the service bus', () => {
    // Prepare
    const { template } = configured;

    // Act
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['efs-volumes.requests'] } },
    });

    // Assess
    expect(Object.keys(rules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^EventBus') },
      EventPattern: {
        source: ['efs-volumes.requests'],
        'detail-type': ['Volume Provision Requested'],
      },
    });
    expect(PROVISION_REQUESTED_DETAIL_TYPE).toBe(PROVISION_REQUESTED);
  });

  it('follows a configured source', () => {
    // Prepare
    const synthesized = synthesize({ config: { requestEventSource: 'acme.platform' } });

    // Act
    const rule = synthesized.template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { 'detail-type': ['Volume Provision Requested'] } },
    });

    // Assess
    expect(Object.values(rule)[0]?.Properties?.EventPattern?.source).toEqual(['acme.platform']);
    expect(environmentOf(synthesized, 'provision-requested').REQUEST_EVENT_SOURCE).toBe(
      'acme.platform',
    );
  });

  it('retries delivery and invocation a bounded number of times, then dead-letters the event', () => {
    // Prepare
    const { template, stack } = plain;
    const queueId = logicalIdOf(stack, stack.requests.deadLetterQueue);

    // Act
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    const [target] = rule?.Properties?.Targets ?? [];

    // Assess
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.requests.handler.function), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('uses an existing bus when one is named, creating none', () => {
    // Prepare
    const synthesized = synthesize({ config: { eventBusName: 'default' } });

    // Act
    const buses = synthesized.template.findResources('AWS::Events::EventBus');

    // Assess
    expect(Object.keys(buses)).toHaveLength(0);
    expect(environmentOf(synthesized, 'complete-provisioning').EVENT_BUS_NAME).toBe('default');
  });
});

describe('EKS access entries', () => {
  it('gives each configured cluster one STANDARD entry per Kubernetes-calling role, in its RBAC group', () => {
    // Prepare
    const { stack } = configured;
    const roleId = (role: { node: { defaultChild?: unknown } }) => logicalIdOf(stack, role);
    const expectedGroups = new Map<string, string>([
      [roleId(stack.workflow.kubernetesWriterRole), KUBERNETES_GROUPS.writer],
      [roleId(stack.workflow.leftoverReporterRole), KUBERNETES_GROUPS.reader],
      ...[...stack.api.clusterReaderRoles.values()].map(
        (role) => [roleId(role), KUBERNETES_GROUPS.reader] as [string, string],
      ),
      [roleId(stack.requests.role), KUBERNETES_GROUPS.reader],
      [roleId(stack.healthChecks.role), KUBERNETES_GROUPS.reader],
      [roleId(stack.settlement.role), KUBERNETES_GROUPS.reader],
    ]);

    // Act
    const entries = resourcesOfType(configured.resources, 'AWS::EKS::AccessEntry').map(
      ([, entry]) => ({
        cluster: entry.Properties?.ClusterName,
        role: getAttTarget(entry.Properties?.PrincipalArn),
        type: entry.Properties?.Type,
        groups: entry.Properties?.KubernetesGroups,
        policies: entry.Properties?.AccessPolicies,
      }),
    );

    // Assess
    expect(entries).toHaveLength(2 * expectedGroups.size);
    for (const cluster of ['prod', 'dev']) {
      const ofCluster = entries.filter((entry) => entry.cluster === cluster);
      expect(ofCluster.map((entry) => entry.role).sort()).toEqual(
        [...expectedGroups.keys()].sort(),
      );
      for (const entry of ofCluster) {
        expect(entry).toMatchObject({
          type: 'STANDARD',
          groups: [expectedGroups.get(entry.role ?? '')],
        });
        expect(entry.policies).toBeUndefined();
      }
    }
  });

  it('puts the roles of every function that calls Kubernetes in an access entry', () => {
    // Prepare
    const entryRoles = new Set(
      resourcesOfType(configured.resources, 'AWS::EKS::AccessEntry').map(([, entry]) =>
        getAttTarget(entry.Properties?.PrincipalArn),
      ),
    );

    // Act
    const callerRoles = KUBERNETES_CALLERS.map((name) =>
      getAttTarget(functionResource(configured, name).Properties?.Role),
    );

    // Assess
    for (const role of callerRoles) expect(entryRoles).toContain(role);
  });

  it('creates no entry without configured clusters', () => {
    // Prepare
    const { template } = plain;

    // Act
    const entries = template.findResources('AWS::EKS::AccessEntry');

    // Assess
    expect(entries).toEqual({});
  });

  it('in cluster-admin mode associates AmazonEKSClusterAdminPolicy with the writer role alone, never with a reader role', () => {
    // Prepare
    const synthesized = synthesize({
      config: { clusters: ['prod'], kubernetesAccess: 'cluster-admin' },
    });
    const writerRole = logicalIdOf(
      synthesized.stack,
      synthesized.stack.workflow.kubernetesWriterRole,
    );
    const policy = (name: string) => ({
      PolicyArn: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:eks::aws:cluster-access-policy/${name}`],
        ],
      },
      AccessScope: { Type: 'cluster' },
    });

    // Act
    const entries = resourcesOfType(synthesized.resources, 'AWS::EKS::AccessEntry').map(
      ([, entry]) => ({
        role: getAttTarget(entry.Properties?.PrincipalArn),
        groups: entry.Properties?.KubernetesGroups,
        policies: entry.Properties?.AccessPolicies,
      }),
    );

    // Assess
    const writers = entries.filter((entry) => entry.role === writerRole);
    const readers = entries.filter((entry) => entry.role !== writerRole);
    expect(writers).toHaveLength(1);
    expect(readers.length).toBeGreaterThan(1);
    expect(writers[0]).toMatchObject({
      groups: undefined,
      policies: [policy('AmazonEKSClusterAdminPolicy')],
    });
    for (const reader of readers) {
      expect(reader).toMatchObject({
        groups: [KUBERNETES_GROUPS.reader],
        policies: [policy('AmazonEKSViewPolicy')],
      });
    }
  });
});

describe('scheduled drift check', () => {
  it('invokes CheckVolumes every 15 minutes by default, with a role that may invoke only it', () => {
    // Prepare
    const { stack, template } = plain;
    const functionId = logicalIdOf(stack, stack.healthChecks.handler.function);
    const roleId = logicalIdOf(stack, stack.healthChecks.schedulerRole);

    // Act
    const schedules = resourcesOfType(plain.resources, 'AWS::Scheduler::Schedule');

    // Assess
    expect(schedules).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    const statements = resourcesOfType(plain.resources, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        ((policy.Properties?.Roles as unknown[]) ?? []).some(
          (role) => (role as { Ref?: string }).Ref === roleId,
        ),
      )
      .flatMap(
        ([, policy]) => (propertiesOf(policy).PolicyDocument as { Statement: unknown[] }).Statement,
      );
    expect(statements).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      },
    ]);
  });

  it('takes the rate from healthCheckMinutes', () => {
    // Prepare
    const synthesized = synthesize({ config: { healthCheckMinutes: 45 } });

    // Act
    const schedules = resourcesOfType(synthesized.resources, 'AWS::Scheduler::Schedule');

    // Assess
    expect(schedules.map(([, schedule]) => schedule.Properties?.ScheduleExpression)).toEqual([
      'rate(45 minutes)',
    ]);
  });

  it('lets CheckVolumes start only the provisioning state machine, whose ARNs it is given', () => {
    // Prepare
    const { stack } = plain;
    const provisionId = logicalIdOf(stack, stack.workflow.stateMachines.provision);

    // Act
    const starts = statementsOfFunction(plain, 'check-volumes').filter((statement) =>
      actionsOf(statement).includes('states:StartExecution'),
    );
    const environment = environmentOf(plain, 'check-volumes');

    // Assess
    expect(starts.map((statement) => statement.Resource)).toEqual([{ Ref: provisionId }]);
    expect(environment.PROVISION_STATE_MACHINE_ARN).toEqual({ Ref: provisionId });
    expect(environment.DEPROVISION_STATE_MACHINE_ARN).toEqual({
      Ref: logicalIdOf(stack, stack.workflow.stateMachines.deprovision),
    });
  });
});
