import { describe, expect, it } from 'vitest';
import { LIFECYCLE_SOURCE } from '../../functions/lib/volume/lifecycle-events.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { EXPECTED_ACTIONS } from '../support/expected-actions.ts';
import {
  actionsOfFunction,
  functionResource,
  functionsOf,
  statementsOfFunction,
} from '../support/stack-functions.ts';
import { configured, plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import {
  actionsOf,
  CONFIGURED,
  getAttTarget,
  policyStatements,
  renderArn,
  resourcesOf,
  resourcesOfType,
  type SynthesizedStack,
  synthesize,
  TEST_VPC_IDS,
} from './synthesize.ts';

// The functions' IAM roles: exactly what each function's code calls, tag and VPC conditions, scopes.

synthesizeBeforeAll('plain', 'configured');

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

  it("lets every function write only to its own log group (a shared role: its functions' groups)", () => {
    // Prepare: each function's log group, and the functions that share each role
    const names = [...functionsOf(plain).keys()];
    const roleOf = (name: string) => getAttTarget(functionResource(plain, name).Properties?.Role);
    const logGroupOf = (name: string) =>
      (functionResource(plain, name).Properties?.LoggingConfig as { LogGroup?: { Ref?: string } })
        ?.LogGroup?.Ref;

    for (const name of names) {
      // Act
      const logStatements = statementsOfFunction(plain, name).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      const granted = new Set(logStatements.flatMap(resourcesOf).map(getAttTarget));
      const roleFunctions = names.filter((other) => roleOf(other) === roleOf(name));

      // Assess: its own group, each of its role's other functions' groups, nothing else
      expect(logGroupOf(name), `${name} has no log group of its own`).toBeDefined();
      expect(granted.has(logGroupOf(name)), `${name} may not write to its own group`).toBe(true);
      expect([...granted].sort(), name).toEqual([...new Set(roleFunctions.map(logGroupOf))].sort());
      for (const statement of logStatements) {
        expect(actionsOf(statement).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
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
  /** A namespace's client group (functions/lib/aws/namespace-clients.ts): no volume id. */
  const clientRequestTagged = {
    StringEquals: { 'aws:RequestTag/efs-volumes:stack': 'EfsVolumes' },
    StringLike: { 'aws:RequestTag/efs-volumes:namespace-clients': '*/*' },
    'ForAllValues:StringLike': { 'aws:TagKeys': ['efs-volumes:*', 'Name', 'caller:*'] },
  };
  const clientResourceTagged = {
    StringEquals: { 'aws:ResourceTag/efs-volumes:stack': 'EfsVolumes' },
    StringLike: { 'aws:ResourceTag/efs-volumes:namespace-clients': '*/*' },
  };
  const encryptedAndRequestTagged = {
    ...requestTagged,
    Bool: { 'elasticfilesystem:Encrypted': 'true' },
  };

  it.each([
    ['elasticfilesystem:CreateFileSystem', 'create-file-system', encryptedAndRequestTagged],
    ['elasticfilesystem:CreateMountTarget', 'create-mount-targets', resourceTagged],
    ['elasticfilesystem:DeleteMountTarget', 'delete-mount-targets', resourceTagged],
    ['elasticfilesystem:DeleteAccessPoint', 'delete-access-point', resourceTagged],
    ['elasticfilesystem:DeleteFileSystem', 'delete-file-system', resourceTagged],
    ['elasticfilesystem:PutFileSystemPolicy', 'create-access-point', resourceTagged],
    ['ec2:AuthorizeSecurityGroupIngress', 'create-security-group', resourceTagged],
    ['ec2:RevokeSecurityGroupIngress', 'create-security-group', resourceTagged],
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

  it('allows CreateAccessPoint with the request tags, on a file system tagged with this stack or shareable only', () => {
    // Prepare
    const statements = statementsOfFunction(plain, 'create-access-point');

    // Act
    const granting = statements.filter((statement) =>
      actionsOf(statement).includes('elasticfilesystem:CreateAccessPoint'),
    );

    // Assess: two statements, as IAM joins one statement's conditions with AND
    const onFileSystemTagged = (key: string, value: string) => ({
      ...requestTagged,
      StringEquals: { ...requestTagged.StringEquals, [`aws:ResourceTag/${key}`]: value },
    });
    expect(granting.map((statement) => statement.Condition)).toEqual([
      onFileSystemTagged('efs-volumes:stack', 'EfsVolumes'),
      onFileSystemTagged('efs-volumes:shareable', 'true'),
    ]);
  });

  it("sets egress only on this stack's volume groups (revoke) and namespace client groups", () => {
    // Prepare
    const statements = statementsOfFunction(plain, 'create-security-group');
    const conditionsOf = (action: string) =>
      statements
        .filter((statement) => actionsOf(statement).includes(action))
        .map((statement) => statement.Condition);

    // Act
    const revoking = conditionsOf('ec2:RevokeSecurityGroupEgress');
    const authorizing = conditionsOf('ec2:AuthorizeSecurityGroupEgress');

    // Assess
    expect(revoking).toEqual([resourceTagged, clientResourceTagged]);
    expect(authorizing).toEqual([clientResourceTagged]);
  });

  it('creates security groups only with the stack and volume-id tags, or the stack and namespace-clients tags; the VPC half is the only untagged one', () => {
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
        resources: [
          `arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:vpc/${TEST_VPC_IDS[0]}`,
        ],
        condition: undefined,
      },
      {
        resources: ['arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:security-group/*'],
        condition: clientRequestTagged,
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
      {
        ...clientRequestTagged,
        StringEquals: {
          ...clientRequestTagged.StringEquals,
          'ec2:CreateAction': 'CreateSecurityGroup',
        },
      },
    ]);
  });

  it('limits security groups and mount-target interfaces to the configured VPCs', () => {
    // Prepare
    const vpcIds = ['vpc-0aaaabbbbccccdddd', 'vpc-0fedcba9876543210'];
    const synthesized = synthesize({ config: { vpcIds } });
    const vpcs = vpcIds.map(
      (id) => `arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:vpc/${id}`,
    );
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
    expect((createGroupInVpc ? resourcesOf(createGroupInVpc) : []).map(renderArn)).toEqual(vpcs);
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
    expect(vpcCondition(inSubnet)).toEqual({ 'ec2:Vpc': vpcs });
    expect(deleteInterface.map(vpcCondition)).toEqual([{ 'ec2:Vpc': vpcs }]);
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
      /^(ec2:Describe\w+|elasticfilesystem:Describe\w+|backup:(DescribeRestoreJob|ListRecoveryPointsByResource)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery))$/;
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
      'complete-deletion': ['Volume Deleted', 'Volume Provisioning Failed'],
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
      // A shared role holds each step's statement: a detail type two of its steps put is
      // granted twice, and counts once.
      const allowed = new Set(conditions.flatMap((condition) => condition['events:detail-type']));
      expect([...allowed].sort()).toEqual([...detailTypes].sort());
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
