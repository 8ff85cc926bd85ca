import { beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_CLIENTS_TAG } from '../../functions/lib/aws/namespace-clients.ts';
import { STACK_TAG } from '../../functions/lib/aws/tags.ts';
import {
  SHAREABLE_TAG_KEY,
  SHAREABLE_TAG_VALUE,
} from '../../functions/lib/service/access-policy.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { catalogFunction, FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { STEPS, stepFunctionName } from '../../infra/steps.ts';
import type { RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { synthesize } from '../infra/synthesize.ts';
import { KUBERNETES_CALLERS } from '../support/stack-functions.ts';
import { type FunctionPolicies, templatePolicies } from '../support/template-policies.ts';
import { evaluateRecordedCalls, recordedCall } from './evaluate-recorded-calls.ts';

const EFS = 'arn:aws:elasticfilesystem:us-east-1:123456789012';
const EC2 = 'arn:aws:ec2:us-east-1:123456789012';
const FILE_SYSTEM = `${EFS}:file-system/fs-0123456789abcdef0`;
const ACCESS_POINT = `${EFS}:access-point/fsap-0123456789abcdef0`;
const SECURITY_GROUP = `${EC2}:security-group/sg-0123456789abcdef0`;
/** The stack test/infra/synthesize.ts builds. */
const STACK = 'EfsVolumes';
const OURS = {
  [VOLUME_ID_TAG]: 'vol-0123456789abcdef0123',
  [STACK_TAG]: STACK,
  Name: 'demo/team-a/data',
};
const SOMEONE_ELSES = { Name: 'production-data', team: 'payments' };
/** A volume of another efs-volumes stack in the same account. */
const ANOTHER_STACKS = { ...OURS, [STACK_TAG]: 'EfsVolumesStaging' };

let policies: Map<string, FunctionPolicies>;

beforeAll(() => {
  policies = templatePolicies(synthesize());
});

/** The same call on resources carrying the given tags. */
function taggedWith(call: RecordedAwsCall, tags: Record<string, string>): RecordedAwsCall {
  return {
    ...call,
    resourceTags: Object.fromEntries(call.resources.map((resource) => [resource, tags])),
  };
}

async function isAllowed(call: RecordedAwsCall): Promise<boolean> {
  const { allowed, denied } = await evaluateRecordedCalls([call], policies);
  return allowed === 1 && denied.length === 0;
}

describe('template policies', () => {
  it('finds a role and its policies for every function calls are recorded under', () => {
    // Act
    const names = [...policies.keys()].sort();

    // Assess
    expect(names).toEqual(
      expect.arrayContaining([
        'CreateFileSystem',
        'CreateMountTargets',
        'DeleteSecurityGroup',
        'createVolume',
        'listVolumes',
        'ProvisionRequested',
        'checkVolume',
        'CheckVolumes',
        'SettleExecution',
      ]),
    );
    // Every function of the catalog: the declared steps, API operations, request events,
    // settlement and the scheduled check.
    expect(names).toEqual(FUNCTION_CATALOG.map((fn) => fn.name).sort());
    for (const fn of policies.values()) {
      expect(fn.roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
      expect(JSON.stringify(fn.policies)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
    }
  });
});

describe('delete roles refuse resources without the volume-id and this stack tags', () => {
  const cases = [
    ['DeleteFileSystem', 'elasticfilesystem:DeleteFileSystem', FILE_SYSTEM],
    ['DeleteAccessPoint', 'elasticfilesystem:DeleteAccessPoint', ACCESS_POINT],
    // DeleteMountTarget is authorized on the mount target's file system.
    ['DeleteMountTargets', 'elasticfilesystem:DeleteMountTarget', FILE_SYSTEM],
    ['DeleteSecurityGroup', 'ec2:DeleteSecurityGroup', SECURITY_GROUP],
  ] as const;

  for (const [fn, action, resource] of cases) {
    it(`${fn} may ${action} a resource of this stack's volume, not an untagged one or another stack's`, async () => {
      // Prepare
      const call = recordedCall(fn, action, [resource]);

      // Act
      const [ours, untagged, someoneElses, anotherStacks] = await Promise.all([
        isAllowed(taggedWith(call, OURS)),
        isAllowed(call),
        isAllowed(taggedWith(call, SOMEONE_ELSES)),
        isAllowed(taggedWith(call, ANOTHER_STACKS)),
      ]);

      // Assess
      expect({ ours, untagged, someoneElses, anotherStacks }).toEqual({
        ours: true,
        untagged: false,
        someoneElses: false,
        anotherStacks: false,
      });
    });
  }

  it('no delete role may delete what another step owns', async () => {
    // Prepare
    const call = taggedWith(
      recordedCall('DeleteAccessPoint', 'elasticfilesystem:DeleteFileSystem', [FILE_SYSTEM]),
      OURS,
    );

    // Act
    const allowed = await isAllowed(call);

    // Assess
    expect(allowed).toBe(false);
  });
});

describe('a repair never replaces or deletes what holds data', () => {
  const REPAIR_FUNCTIONS = ['BeginRepair', 'CompleteRepair', 'RecordRepairFailure', 'repairVolume'];

  it.each(REPAIR_FUNCTIONS)(
    '%s may not delete a file system, access point or mount target',
    async (fn) => {
      // Prepare
      const calls = [
        recordedCall(fn, 'elasticfilesystem:DeleteFileSystem', [FILE_SYSTEM]),
        recordedCall(fn, 'elasticfilesystem:DeleteAccessPoint', [ACCESS_POINT]),
        recordedCall(fn, 'elasticfilesystem:DeleteMountTarget', [FILE_SYSTEM]),
      ].map((call) => taggedWith(call, OURS));

      // Act
      const allowed = await Promise.all(calls.map(isAllowed));

      // Assess
      expect(allowed).toEqual([false, false, false]);
    },
  );

  it.each(REPAIR_FUNCTIONS)('%s may not create a file system or an access point', async (fn) => {
    // Prepare
    const calls = [
      recordedCall(fn, 'elasticfilesystem:CreateFileSystem', [`${EFS}:file-system/*`], {
        requestTags: OURS,
      }),
      // On a file system of this stack, which the create-access-point step may use
      taggedWith(
        recordedCall(fn, 'elasticfilesystem:CreateAccessPoint', [FILE_SYSTEM], {
          requestTags: OURS,
        }),
        OURS,
      ),
    ];

    // Act
    const allowed = await Promise.all(calls.map(isAllowed));

    // Assess
    expect(allowed).toEqual([false, false]);
  });

  it('BeginRepair may look at the file system and access point it checks', async () => {
    // Prepare
    const calls = [
      recordedCall('BeginRepair', 'elasticfilesystem:DescribeFileSystems', [FILE_SYSTEM]),
      recordedCall('BeginRepair', 'elasticfilesystem:DescribeAccessPoints', [ACCESS_POINT]),
    ];

    // Act
    const allowed = await Promise.all(calls.map(isAllowed));

    // Assess
    expect(allowed).toEqual([true, true]);
  });
});

describe('create roles refuse requests without the volume-id request tag', () => {
  const encrypted = { 'elasticfilesystem:Encrypted': 'true' };

  it('CreateFileSystem may create an encrypted file system with the volume-id tag', async () => {
    // Prepare
    const call = recordedCall('CreateFileSystem', 'elasticfilesystem:CreateFileSystem', ['*'], {
      requestTags: OURS,
      conditions: encrypted,
    });
    const tagging = recordedCall(
      'CreateFileSystem',
      'elasticfilesystem:TagResource',
      [`${EFS}:file-system/*`],
      {
        operation: 'CreateFileSystem',
        requestTags: OURS,
        conditions: { 'elasticfilesystem:CreateAction': 'CreateFileSystem' },
      },
    );

    // Act
    const { allowed, denied } = await evaluateRecordedCalls([call, tagging], policies);

    // Assess
    expect(denied).toEqual([]);
    expect(allowed).toBe(2);
  });

  it('StartRestoreJob may pass the restore role to AWS Backup only, and start a restore of a recovery point', async () => {
    // Prepare
    const restoreRole = 'arn:aws:iam::123456789012:role/efs-volumes-Restore';
    const point = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7';
    const start = recordedCall('StartRestoreJob', 'backup:StartRestoreJob', [point]);
    const pass = (role: string, service: string) =>
      recordedCall('StartRestoreJob', 'iam:PassRole', [role], {
        conditions: { 'iam:PassedToService': service },
      });

    // Act
    const results = await Promise.all([
      isAllowed(start),
      isAllowed(pass(restoreRole, 'backup.amazonaws.com')),
      isAllowed(pass(restoreRole, 'lambda.amazonaws.com')),
      isAllowed(pass('arn:aws:iam::123456789012:role/Admin', 'backup.amazonaws.com')),
      isAllowed(recordedCall('CreateFileSystem', 'backup:StartRestoreJob', [point])),
    ]);

    // Assess
    expect(results).toEqual([true, true, false, false, false]);
  });

  it("the create paths may describe a recovery point of the stack's account and Region, to trace a restore's source", async () => {
    // Prepare
    const point = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7';
    const elsewhere = 'arn:aws:backup:us-east-1:210987654321:recovery-point:1EB3B5E7';
    const describe = (fn: string, arn: string) =>
      recordedCall(fn, 'backup:DescribeRecoveryPoint', [arn]);

    // Act
    const results = await Promise.all([
      isAllowed(describe('createVolume', point)),
      isAllowed(describe('ProvisionRequested', point)),
      isAllowed(describe('createVolume', elsewhere)),
      isAllowed(describe('listRecoveryPoints', point)),
    ]);

    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it("CheckRestoreJob may tag an untagged file system as a volume's, not one of this or another stack", async () => {
    // Prepare
    const tag = recordedCall('CheckRestoreJob', 'elasticfilesystem:TagResource', [FILE_SYSTEM], {
      requestTags: OURS,
    });

    // Act
    const results = await Promise.all([
      isAllowed(taggedWith(tag, {})),
      isAllowed(taggedWith(tag, SOMEONE_ELSES)),
      isAllowed(taggedWith(tag, OURS)),
      isAllowed(taggedWith(tag, ANOTHER_STACKS)),
      isAllowed(taggedWith({ ...tag, requestTags: SOMEONE_ELSES }, {})),
    ]);

    // Assess: a file system without a stack tag (IAM cannot tell the restored one from
    // someone else's untagged one: the step tags only what the restore job names), and only
    // with the stack and volume-id tags; never one of this or another stack
    expect(results).toEqual([true, true, false, false, false]);
  });

  it('CreateFileSystem may not create one without the tag, or unencrypted', async () => {
    // Prepare
    const untagged = recordedCall('CreateFileSystem', 'elasticfilesystem:CreateFileSystem', ['*'], {
      requestTags: SOMEONE_ELSES,
      conditions: encrypted,
    });
    const unencrypted = recordedCall(
      'CreateFileSystem',
      'elasticfilesystem:CreateFileSystem',
      ['*'],
      {
        requestTags: OURS,
        conditions: { 'elasticfilesystem:Encrypted': 'false' },
      },
    );

    // Act
    const results = await Promise.all([isAllowed(untagged), isAllowed(unencrypted)]);

    // Assess
    expect(results).toEqual([false, false]);
  });

  it('CreateAccessPoint may add a tagged access point to any file system, not an untagged one', async () => {
    // Prepare: a file system this stack created
    const call = taggedWith(
      recordedCall('CreateAccessPoint', 'elasticfilesystem:CreateAccessPoint', [FILE_SYSTEM]),
      OURS,
    );

    // Act
    const [tagged, untagged] = await Promise.all([
      isAllowed({ ...call, requestTags: OURS }),
      isAllowed({ ...call, requestTags: SOMEONE_ELSES }),
    ]);

    // Assess
    expect({ tagged, untagged }).toEqual({ tagged: true, untagged: false });
  });

  it("CreateAccessPoint may add one to this stack's or a shareable file system, not an untagged or another stack's one", async () => {
    // Prepare: the access point carries our request tags in every case
    const call = recordedCall(
      'CreateAccessPoint',
      'elasticfilesystem:CreateAccessPoint',
      [FILE_SYSTEM],
      { requestTags: OURS },
    );

    // Act
    const [ours, shareable, notShareable, untagged, someoneElses, anotherStacks] =
      await Promise.all([
        isAllowed(taggedWith(call, OURS)),
        isAllowed(taggedWith(call, { ...SOMEONE_ELSES, [SHAREABLE_TAG_KEY]: SHAREABLE_TAG_VALUE })),
        isAllowed(taggedWith(call, { ...SOMEONE_ELSES, [SHAREABLE_TAG_KEY]: 'false' })),
        isAllowed(call),
        isAllowed(taggedWith(call, SOMEONE_ELSES)),
        isAllowed(taggedWith(call, ANOTHER_STACKS)),
      ]);

    // Assess
    expect({ ours, shareable, notShareable, untagged, someoneElses, anotherStacks }).toEqual({
      ours: true,
      shareable: true,
      notShareable: false,
      untagged: false,
      someoneElses: false,
      anotherStacks: false,
    });
  });

  it.each(['CreateMountTargets', 'CreateAccessPoint'])(
    "%s may put a file system policy on this stack's volume's file system only, never a shared or another stack's one",
    async (fn) => {
      // Prepare: a shared file system carries none of our tags
      const call = recordedCall(fn, 'elasticfilesystem:PutFileSystemPolicy', [FILE_SYSTEM]);

      // Act
      const [ours, shared, anotherStacks] = await Promise.all([
        isAllowed(taggedWith(call, OURS)),
        isAllowed(taggedWith(call, SOMEONE_ELSES)),
        isAllowed(taggedWith(call, ANOTHER_STACKS)),
      ]);

      // Assess
      expect({ ours, shared, anotherStacks }).toEqual({
        ours: true,
        shared: false,
        anotherStacks: false,
      });
    },
  );

  it('no other role may put a file system policy', async () => {
    // Prepare: the policy is put before the first mount target, and again with an access point
    const others = [...policies.keys()].filter(
      (fn) => fn !== 'CreateAccessPoint' && fn !== 'CreateMountTargets',
    );

    // Act
    const allowed = await Promise.all(
      others.map((fn) =>
        isAllowed(
          taggedWith(
            recordedCall(fn, 'elasticfilesystem:PutFileSystemPolicy', [FILE_SYSTEM]),
            OURS,
          ),
        ),
      ),
    );

    // Assess
    expect(others.filter((_, index) => allowed[index])).toEqual([]);
  });

  it.each(['createVolume', 'ProvisionRequested'])(
    "%s may read the policy of someone else's shared file system, to refuse an open one",
    async (fn) => {
      // Prepare: a shared file system of someone else's carries none of our tags
      const call = taggedWith(
        recordedCall(fn, 'elasticfilesystem:DescribeFileSystemPolicy', [FILE_SYSTEM]),
        SOMEONE_ELSES,
      );

      // Act
      const allowed = await isAllowed(call);

      // Assess
      expect(allowed).toBe(true);
    },
  );

  it('CreateSecurityGroup may create a tagged group in a VPC, not an untagged one', async () => {
    // Prepare
    const call = recordedCall('CreateSecurityGroup', 'ec2:CreateSecurityGroup', [
      `${EC2}:vpc/vpc-0123456789abcdef0`,
      `${EC2}:security-group/*`,
    ]);

    // Act
    const [tagged, untagged] = await Promise.all([
      isAllowed({ ...call, requestTags: OURS }),
      isAllowed({ ...call, requestTags: SOMEONE_ELSES }),
    ]);

    // Assess
    expect({ tagged, untagged }).toEqual({ tagged: true, untagged: false });
  });

  it('CreateMountTargets may add mount targets to a tagged file system only', async () => {
    // Prepare
    const call = recordedCall('CreateMountTargets', 'elasticfilesystem:CreateMountTarget', [
      FILE_SYSTEM,
    ]);

    // Act
    const [ours, untagged] = await Promise.all([
      isAllowed(taggedWith(call, OURS)),
      isAllowed(taggedWith(call, SOMEONE_ELSES)),
    ]);

    // Assess
    expect({ ours, untagged }).toEqual({ ours: true, untagged: false });
  });
});

describe("FindRestoreDirectory's temporary access point", () => {
  const LISTING_TAGS = { ...OURS, 'efs-volumes:purpose': 'restore-listing' };

  it("may be created only on this stack's file system, never on a shareable or another one", async () => {
    // Prepare
    const call = recordedCall(
      'FindRestoreDirectory',
      'elasticfilesystem:CreateAccessPoint',
      [FILE_SYSTEM],
      { requestTags: LISTING_TAGS },
    );

    // Act
    const [ours, shareable, someoneElses, anotherStacks, untaggedRequest] = await Promise.all([
      isAllowed(taggedWith(call, OURS)),
      isAllowed(taggedWith(call, { ...SOMEONE_ELSES, [SHAREABLE_TAG_KEY]: SHAREABLE_TAG_VALUE })),
      isAllowed(taggedWith(call, SOMEONE_ELSES)),
      isAllowed(taggedWith(call, ANOTHER_STACKS)),
      isAllowed(taggedWith({ ...call, requestTags: SOMEONE_ELSES }, OURS)),
    ]);

    // Assess
    expect({ ours, shareable, someoneElses, anotherStacks, untaggedRequest }).toEqual({
      ours: true,
      shareable: false,
      someoneElses: false,
      anotherStacks: false,
      untaggedRequest: false,
    });
  });

  it("may be deleted only as a volume's access point of this stack", async () => {
    // Prepare
    const call = recordedCall('FindRestoreDirectory', 'elasticfilesystem:DeleteAccessPoint', [
      ACCESS_POINT,
    ]);

    // Act
    const [ours, someoneElses, anotherStacks] = await Promise.all([
      isAllowed(taggedWith(call, LISTING_TAGS)),
      isAllowed(taggedWith(call, SOMEONE_ELSES)),
      isAllowed(taggedWith(call, ANOTHER_STACKS)),
    ]);

    // Assess
    expect({ ours, someoneElses, anotherStacks }).toEqual({
      ours: true,
      someoneElses: false,
      anotherStacks: false,
    });
  });
});

describe('create roles refuse requests without this stack tag or with tag keys outside the allowlist', () => {
  const encrypted = { 'elasticfilesystem:Encrypted': 'true' };
  const { [STACK_TAG]: _stack, ...withoutStack } = OURS;
  const creates = [
    recordedCall('CreateFileSystem', 'elasticfilesystem:CreateFileSystem', ['*'], {
      conditions: encrypted,
    }),
    taggedWith(
      recordedCall('CreateAccessPoint', 'elasticfilesystem:CreateAccessPoint', [FILE_SYSTEM]),
      OURS,
    ),
    recordedCall('CreateSecurityGroup', 'ec2:CreateSecurityGroup', [
      `${EC2}:vpc/vpc-0123456789abcdef0`,
      `${EC2}:security-group/*`,
    ]),
  ];

  for (const call of creates) {
    it(`${call.function} may not ${call.action} without the stack tag, with another stack's, or with a caller tag outside its prefix`, async () => {
      // Act
      const [ours, callerPrefixed, unstacked, anotherStack, unprefixed] = await Promise.all([
        isAllowed({ ...call, requestTags: OURS }),
        isAllowed({ ...call, requestTags: { ...OURS, 'caller:team': 'payments' } }),
        isAllowed({ ...call, requestTags: withoutStack }),
        isAllowed({ ...call, requestTags: ANOTHER_STACKS }),
        // `team` is the kind of key an account grants access by (ABAC): callers may not set it
        isAllowed({ ...call, requestTags: { ...OURS, team: 'payments' } }),
      ]);

      // Assess
      expect({ ours, callerPrefixed, unstacked, anotherStack, unprefixed }).toEqual({
        ours: true,
        callerPrefixed: true,
        unstacked: false,
        anotherStack: false,
        unprefixed: false,
      });
    });
  }
});

describe("a namespace's client security group (namespace network isolation)", () => {
  const CLIENTS = {
    [NAMESPACE_CLIENTS_TAG]: 'demo/team-a',
    [STACK_TAG]: STACK,
    'efs-volumes:cluster': 'demo',
    Name: 'demo/team-a NFS clients',
  };
  const create = recordedCall('CreateSecurityGroup', 'ec2:CreateSecurityGroup', [
    `${EC2}:vpc/vpc-0123456789abcdef0`,
    `${EC2}:security-group/*`,
  ]);

  it("CreateSecurityGroup may create one with this stack's and the namespace-clients tags, not another stack's or an untagged one", async () => {
    // Act
    const [ours, anotherStack, withoutClients, foreignKey] = await Promise.all([
      isAllowed({ ...create, requestTags: CLIENTS }),
      isAllowed({ ...create, requestTags: { ...CLIENTS, [STACK_TAG]: 'EfsVolumesStaging' } }),
      isAllowed({ ...create, requestTags: { [STACK_TAG]: STACK, Name: 'x' } }),
      isAllowed({ ...create, requestTags: { ...CLIENTS, team: 'payments' } }),
    ]);

    // Assess
    expect({ ours, anotherStack, withoutClients, foreignKey }).toEqual({
      ours: true,
      anotherStack: false,
      withoutClients: false,
      foreignKey: false,
    });
  });

  it("CreateSecurityGroup may set the egress of this stack's client group only", async () => {
    // Prepare
    const egress = recordedCall('CreateSecurityGroup', 'ec2:AuthorizeSecurityGroupEgress', [
      SECURITY_GROUP,
    ]);

    // Act
    const [ours, anotherStacks, someoneElses] = await Promise.all([
      isAllowed(taggedWith(egress, CLIENTS)),
      isAllowed(taggedWith(egress, { ...CLIENTS, [STACK_TAG]: 'EfsVolumesStaging' })),
      isAllowed(taggedWith(egress, SOMEONE_ELSES)),
    ]);

    // Assess
    expect({ ours, anotherStacks, someoneElses }).toEqual({
      ours: true,
      anotherStacks: false,
      someoneElses: false,
    });
  });
});

describe("network interface calls in a stack configured with its clusters' VPCs", () => {
  const VPC = `${EC2}:vpc/vpc-0123456789abcdef0`;
  const OTHER_VPC = `${EC2}:vpc/vpc-0fedcba9876543210`;
  let scoped: Map<string, FunctionPolicies>;

  beforeAll(() => {
    scoped = templatePolicies(synthesize({ config: { vpcIds: ['vpc-0123456789abcdef0'] } }));
  });

  async function isAllowedIn(call: RecordedAwsCall): Promise<boolean> {
    const { allowed, denied } = await evaluateRecordedCalls([call], scoped);
    return allowed === 1 && denied.length === 0;
  }

  it('DeleteMountTargets may delete an interface in a configured VPC only', async () => {
    // Prepare
    const call = (vpc: string | undefined) =>
      recordedCall(
        'DeleteMountTargets',
        'ec2:DeleteNetworkInterface',
        [`${EC2}:network-interface/eni-0123456789abcdef0`],
        vpc ? { conditions: { 'ec2:Vpc': vpc } } : {},
      );

    // Act
    const [configured, other, unknown] = await Promise.all([
      isAllowedIn(call(VPC)),
      isAllowedIn(call(OTHER_VPC)),
      isAllowedIn(call(undefined)),
    ]);

    // Assess
    expect({ configured, other, unknown }).toEqual({
      configured: true,
      other: false,
      unknown: false,
    });
  });

  it('CreateMountTargets may create an interface in a subnet of a configured VPC only', async () => {
    // Prepare
    const call = (vpc: string) =>
      taggedWith(
        recordedCall(
          'CreateMountTargets',
          'ec2:CreateNetworkInterface',
          [`${EC2}:network-interface/*`, `${EC2}:subnet/subnet-0123456789abcdef0`, SECURITY_GROUP],
          { conditions: { 'ec2:Vpc': vpc } },
        ),
        OURS,
      );

    // Act
    const [configured, other] = await Promise.all([
      isAllowedIn(call(VPC)),
      isAllowedIn(call(OTHER_VPC)),
    ]);

    // Assess
    expect({ configured, other }).toEqual({ configured: true, other: false });
  });

  it('CreateSecurityGroup may create a group in a configured VPC only', async () => {
    // Prepare
    const call = (vpc: string) =>
      recordedCall(
        'CreateSecurityGroup',
        'ec2:CreateSecurityGroup',
        [vpc, `${EC2}:security-group/*`],
        {
          requestTags: OURS,
        },
      );

    // Act
    const [configured, other] = await Promise.all([
      isAllowedIn(call(VPC)),
      isAllowedIn(call(OTHER_VPC)),
    ]);

    // Assess
    expect({ configured, other }).toEqual({ configured: true, other: false });
  });
});

describe('claims are released only by what ends a volume', () => {
  const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/volumes-0a1b2c3d';

  it('CompleteDeletion, CompleteRollback, SettleExecution and the API may delete a claim item; no other step may', async () => {
    // Prepare
    const deleting = (fn: string) => recordedCall(fn, 'dynamodb:DeleteItem', [TABLE]);

    // Act
    const [deletion, rollback, settle, api, apply, resolve] = await Promise.all(
      [
        'CompleteDeletion',
        'CompleteRollback',
        'SettleExecution',
        'createVolume',
        'ApplyManifests',
        'ResolveCluster',
      ].map((fn) => isAllowed(deleting(fn))),
    );

    // Assess
    expect({ deletion, rollback, settle, api, apply, resolve }).toEqual({
      deletion: true,
      rollback: true,
      settle: true,
      api: true,
      apply: false,
      resolve: false,
    });
  });

  it('listVolumes may query the byNamespace and byCluster indexes, and not scan or read the table itself', async () => {
    // Act
    const [index, cluster, scan] = await Promise.all([
      isAllowed(recordedCall('listVolumes', 'dynamodb:Query', [`${TABLE}/index/byNamespace`])),
      isAllowed(recordedCall('listVolumes', 'dynamodb:Query', [`${TABLE}/index/byCluster`])),
      isAllowed(recordedCall('listVolumes', 'dynamodb:Scan', [TABLE])),
    ]);

    // Assess
    expect({ index, cluster, scan }).toEqual({ index: true, cluster: true, scan: false });
  });
});

describe('the drift check only reads, and announces only drift', () => {
  /** The bus the function's PutEvents statement names, as the synthesized stack resolves it. */
  const busOf = (fn: string): string => {
    const statement = policies
      .get(fn)
      ?.policies.flatMap(({ policy }) => policy.Statement)
      .find((candidate) => [candidate.Action].flat().includes('events:PutEvents'));
    return String([statement?.Resource].flat()[0]);
  };
  const putEvent = (fn: string, detailType: string) =>
    recordedCall(fn, 'events:PutEvents', [busOf(fn)], {
      conditions: { 'events:source': ['efs-volumes'], 'events:detail-type': [detailType] },
    });

  it.each(['checkVolume', 'CheckVolumes'])(
    "%s may describe a volume's file system, mount targets and access point, and delete nothing",
    async (fn) => {
      // Prepare
      const reads = [
        recordedCall(fn, 'elasticfilesystem:DescribeFileSystems', [FILE_SYSTEM]),
        recordedCall(fn, 'elasticfilesystem:DescribeMountTargets', [FILE_SYSTEM]),
        recordedCall(fn, 'elasticfilesystem:DescribeAccessPoints', [ACCESS_POINT]),
      ];
      const writes = [
        taggedWith(recordedCall(fn, 'elasticfilesystem:DeleteMountTarget', [FILE_SYSTEM]), OURS),
        taggedWith(recordedCall(fn, 'elasticfilesystem:DeleteAccessPoint', [ACCESS_POINT]), OURS),
        taggedWith(recordedCall(fn, 'elasticfilesystem:CreateMountTarget', [FILE_SYSTEM]), OURS),
      ];

      // Act
      const [readable, writable] = await Promise.all([
        Promise.all(reads.map(isAllowed)),
        Promise.all(writes.map(isAllowed)),
      ]);

      // Assess
      expect(readable).toEqual([true, true, true]);
      expect(writable).toEqual([false, false, false]);
    },
  );

  it.each(['checkVolume', 'CheckVolumes'])(
    '%s may put Volume Drifted, and no other lifecycle event',
    async (fn) => {
      // Act
      const [drifted, ready] = await Promise.all([
        isAllowed(putEvent(fn, 'Volume Drifted')),
        isAllowed(putEvent(fn, 'Volume Ready')),
      ]);

      // Assess
      expect({ drifted, ready }).toEqual({ drifted: true, ready: false });
    },
  );
});

describe('every step reads the record, and the Kubernetes steps describe the cluster', () => {
  const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/volumes-0a1b2c3d';
  const CLUSTER = 'arn:aws:eks:us-east-1:123456789012:cluster/demo';
  const STEP_FUNCTIONS = FUNCTION_CATALOG.filter((fn) => fn.kind === 'step').map((fn) => fn.name);

  it('lets every step read the volume record, which names the execution that may act', async () => {
    // Act
    const allowed = await Promise.all(
      STEP_FUNCTIONS.map((fn) => isAllowed(recordedCall(fn, 'dynamodb:GetItem', [TABLE]))),
    );

    // Assess
    expect(STEP_FUNCTIONS.filter((_, index) => !allowed[index])).toEqual([]);
  });

  it('lets the steps that talk to Kubernetes describe the cluster, and not the other writers', async () => {
    // Prepare
    const describing = (fn: string) => recordedCall(fn, 'eks:DescribeCluster', [CLUSTER]);
    const kubernetes = STEP_FUNCTIONS.filter(
      (fn) => catalogFunction(fn).kubernetesGroup !== undefined,
    );

    // Act
    const [talking, deleteFileSystem] = await Promise.all([
      Promise.all(kubernetes.map((fn) => isAllowed(describing(fn)))),
      isAllowed(describing('DeleteFileSystem')),
    ]);

    // Assess: the steps declared with a Kubernetes group are those whose code calls a cluster
    expect(kubernetes.sort()).toEqual(
      KUBERNETES_CALLERS.filter((fn) => Object.hasOwn(STEPS, fn))
        .map(stepFunctionName)
        .sort(),
    );
    expect(talking.every(Boolean)).toBe(true);
    expect(deleteFileSystem).toBe(false);
  });
});

describe('SettleExecution reads and records, and changes nothing in AWS', () => {
  /** The bus the policies resolve to (test/support/template-policies.ts: `default`). */
  const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
  const putting = (detailType: string) =>
    recordedCall('SettleExecution', 'events:PutEvents', [BUS], {
      conditions: { 'events:source': ['efs-volumes'], 'events:detail-type': [detailType] },
    });

  it('may list leftovers, describe the cluster and announce a failed volume', async () => {
    // Act
    const results = await Promise.all([
      isAllowed(recordedCall('SettleExecution', 'elasticfilesystem:DescribeFileSystems', ['*'])),
      isAllowed(recordedCall('SettleExecution', 'elasticfilesystem:DescribeMountTargets', ['*'])),
      isAllowed(recordedCall('SettleExecution', 'elasticfilesystem:DescribeAccessPoints', ['*'])),
      isAllowed(recordedCall('SettleExecution', 'ec2:DescribeSecurityGroups', ['*'])),
      isAllowed(
        recordedCall('SettleExecution', 'eks:DescribeCluster', [
          'arn:aws:eks:us-east-1:123456789012:cluster/demo',
        ]),
      ),
      isAllowed(putting('Volume Provisioning Failed')),
      isAllowed(putting('Volume Deletion Failed')),
    ]);

    // Assess
    expect(results).toEqual([true, true, true, true, true, true, true]);
  });

  it('may start the deprovision workflow, which cleans up what a stopped provisioning left', async () => {
    // Act
    const start = await isAllowed(
      recordedCall('SettleExecution', 'states:StartExecution', [
        'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-deprovision',
      ]),
    );

    // Assess
    expect(start).toBe(true);
  });

  it('may not delete or create a resource, start provisioning again, or announce a READY volume', async () => {
    // Act
    const results = await Promise.all([
      isAllowed(
        taggedWith(
          recordedCall('SettleExecution', 'elasticfilesystem:DeleteFileSystem', [FILE_SYSTEM]),
          OURS,
        ),
      ),
      isAllowed(
        taggedWith(
          recordedCall('SettleExecution', 'ec2:DeleteSecurityGroup', [SECURITY_GROUP]),
          OURS,
        ),
      ),
      isAllowed(
        recordedCall('SettleExecution', 'states:StartExecution', [
          'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-provision',
        ]),
      ),
      isAllowed(putting('Volume Ready')),
    ]);

    // Assess
    expect(results).toEqual([false, false, false, false]);
  });
});

describe('CheckVolumes reconciles stuck PENDING volumes on the provisioning workflow only', () => {
  const STATES = 'arn:aws:states:us-east-1:123456789012';
  const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/volumes-0a1b2c3d';
  const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';

  it('may describe and restart a provisioning execution, release a claim and announce the failure', async () => {
    // Act
    const results = await Promise.all([
      isAllowed(
        recordedCall('CheckVolumes', 'states:DescribeExecution', [
          `${STATES}:execution:efs-volumes-provision:vol-0123456789abcdef0123`,
        ]),
      ),
      isAllowed(
        recordedCall('CheckVolumes', 'states:StartExecution', [
          `${STATES}:stateMachine:efs-volumes-provision`,
        ]),
      ),
      isAllowed(recordedCall('CheckVolumes', 'dynamodb:DeleteItem', [TABLE])),
      isAllowed(recordedCall('CheckVolumes', 'ec2:DescribeSecurityGroups', ['*'])),
      isAllowed(
        recordedCall('CheckVolumes', 'events:PutEvents', [BUS], {
          conditions: {
            'events:source': ['efs-volumes'],
            'events:detail-type': ['Volume Provisioning Failed'],
          },
        }),
      ),
    ]);

    // Assess
    expect(results).toEqual([true, true, true, true, true]);
  });

  it('may not start or stop another workflow', async () => {
    // Act
    const results = await Promise.all([
      isAllowed(
        recordedCall('CheckVolumes', 'states:StartExecution', [
          `${STATES}:stateMachine:efs-volumes-deprovision`,
        ]),
      ),
      isAllowed(
        recordedCall('CheckVolumes', 'states:StartExecution', [
          `${STATES}:stateMachine:efs-volumes-repair`,
        ]),
      ),
      isAllowed(
        recordedCall('CheckVolumes', 'states:StopExecution', [
          `${STATES}:execution:efs-volumes-provision:vol-0123456789abcdef0123`,
        ]),
      ),
    ]);

    // Assess
    expect(results).toEqual([false, false, false]);
  });
});

describe('SettleExecution settles a repair that ended unsettled', () => {
  const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';

  it('may announce Volume Repair Failed, and not start a repair', async () => {
    // Act
    const [announce, start] = await Promise.all([
      isAllowed(
        recordedCall('SettleExecution', 'events:PutEvents', [BUS], {
          conditions: {
            'events:source': ['efs-volumes'],
            'events:detail-type': ['Volume Repair Failed'],
          },
        }),
      ),
      isAllowed(
        recordedCall('SettleExecution', 'states:StartExecution', [
          'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-repair',
        ]),
      ),
    ]);

    // Assess
    expect({ announce, start }).toEqual({ announce: true, start: false });
  });
});
