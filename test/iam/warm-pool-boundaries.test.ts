// What a warm pool adds to IAM, evaluated: the scheduled check may make a member only in a
// stack that keeps a pool, and the steps may take over only a member of this stack (a file
// system or security group that still carries the pool tag), taking off that tag alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_TAG } from '../../functions/lib/aws/tags.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { POOL_TAG } from '../../functions/lib/volume/pool.ts';
import type { RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { synthesize } from '../infra/synthesize.ts';
import { type FunctionPolicies, templatePolicies } from '../support/template-policies.ts';
import { evaluateRecordedCalls, recordedCall } from './evaluate-recorded-calls.ts';

const FILE_SYSTEM =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0';
const SECURITY_GROUP = 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0';
/** The stack test/infra/synthesize.ts builds. */
const STACK = 'EfsVolumes';
const VOLUME = { [VOLUME_ID_TAG]: 'vol-0123456789abcdef0123', [STACK_TAG]: STACK };
const POOLED = { ...VOLUME, [POOL_TAG]: 'demo', Name: 'demo/warm-pool' };
const ANOTHER_STACKS_MEMBER = { ...POOLED, [STACK_TAG]: 'EfsVolumesStaging' };
/** The tags a volume puts on a member it takes. */
const VOLUME_TAGS = { ...VOLUME, Name: 'demo/team-a/data', 'efs-volumes:cluster': 'demo' };

let withPool: Map<string, FunctionPolicies>;
let withoutPool: Map<string, FunctionPolicies>;

beforeAll(() => {
  withPool = templatePolicies(synthesize({ config: { warmPool: { demo: 2 } } }));
  withoutPool = templatePolicies(synthesize());
});

function call(
  fn: string,
  action: string,
  resource: string,
  resourceTags: Record<string, string>,
  extra: Partial<RecordedAwsCall> = {},
): RecordedAwsCall {
  return recordedCall(fn, action, [resource], {
    resourceTags: { [resource]: resourceTags },
    ...extra,
  });
}

async function allowed(
  policies: Map<string, FunctionPolicies>,
  recorded: RecordedAwsCall,
): Promise<boolean> {
  const { allowed: count, denied } = await evaluateRecordedCalls([recorded], policies);
  return count === 1 && denied.length === 0;
}

describe('taking a warm pool member over', () => {
  const takeovers = [
    [
      'CreateFileSystem',
      'elasticfilesystem:TagResource',
      'elasticfilesystem:UntagResource',
      FILE_SYSTEM,
    ],
    ['CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DeleteTags', SECURITY_GROUP],
  ] as const;

  for (const [fn, tag, untag, resource] of takeovers) {
    it(`${fn} may tag a member of this stack as the volume's, not a volume's or another stack's`, async () => {
      // Prepare
      const tagging = (tags: Record<string, string>) =>
        call(fn, tag, resource, tags, { requestTags: VOLUME_TAGS });

      // Act
      const verdicts = {
        member: await allowed(withPool, tagging(POOLED)),
        takenVolume: await allowed(withPool, tagging(VOLUME)),
        anotherStacksMember: await allowed(withPool, tagging(ANOTHER_STACKS_MEMBER)),
        untagged: await allowed(withPool, tagging({})),
        stackWithoutPool: await allowed(withoutPool, tagging(POOLED)),
      };

      // Assess
      expect(verdicts).toEqual({
        member: true,
        takenVolume: false,
        anotherStacksMember: false,
        untagged: false,
        stackWithoutPool: false,
      });
    });

    it(`${fn} may take the pool tag off a member, and no other tag`, async () => {
      // Prepare
      const untagging = (keys: string[]) =>
        call(fn, untag, resource, POOLED, { conditions: { 'aws:TagKeys': keys } });

      // Act
      const verdicts = {
        poolTag: await allowed(withPool, untagging([POOL_TAG])),
        stackTag: await allowed(withPool, untagging([STACK_TAG])),
        volumeIdTag: await allowed(withPool, untagging([VOLUME_ID_TAG, POOL_TAG])),
      };

      // Assess
      expect(verdicts).toEqual({ poolTag: true, stackTag: false, volumeIdTag: false });
    });
  }
});

describe('making warm pool members', () => {
  it('lets the scheduled check create an encrypted, tagged file system only in a stack with a pool', async () => {
    // Prepare
    const creating = call(
      'CheckVolumes',
      'elasticfilesystem:CreateFileSystem',
      '*',
      {},
      {
        requestTags: POOLED,
        conditions: { 'elasticfilesystem:Encrypted': 'true' },
      },
    );
    const unencrypted = { ...creating, conditions: { 'elasticfilesystem:Encrypted': 'false' } };

    // Act
    const verdicts = {
      withPool: await allowed(withPool, creating),
      unencrypted: await allowed(withPool, unencrypted),
      withoutPool: await allowed(withoutPool, creating),
    };

    // Assess
    expect(verdicts).toEqual({ withPool: true, unencrypted: false, withoutPool: false });
  });

  it('lets the scheduled check delete only this stack’s volume-tagged file systems', async () => {
    // Prepare
    const deleting = (tags: Record<string, string>) =>
      call('CheckVolumes', 'elasticfilesystem:DeleteFileSystem', FILE_SYSTEM, tags);

    // Act
    const verdicts = {
      member: await allowed(withPool, deleting(POOLED)),
      anotherStacks: await allowed(withPool, deleting(ANOTHER_STACKS_MEMBER)),
      untagged: await allowed(withPool, deleting({})),
      withoutPool: await allowed(withoutPool, deleting(POOLED)),
    };

    // Assess
    expect(verdicts).toEqual({
      member: true,
      anotherStacks: false,
      untagged: false,
      withoutPool: false,
    });
  });
});
