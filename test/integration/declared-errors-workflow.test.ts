// The outcome table's non-terminal entries, met by a provisioning run through the bundles:
// each provisioning call answered once, on the wire, with an error its model declares whose
// outcome is to retry (`transient`), wait (`wait`) or retry until EC2 knows a new group
// (`unseen`). The volume still becomes READY, with exactly one of each resource: nothing was
// created twice on the way. (test/unit/aws-declared-errors.test.ts reads every entry of the
// table from the wire; this shows the workflow acting on them.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_ERROR_STATUSES } from '../../functions/lib/aws/oracle.generated.ts';
import type { FaultRule } from '../../local/fault-proxy.ts';
import { awsCallCounts } from '../../local/lambda/aws-call-recorder.ts';
import type { LocalStack } from '../../local/stack.ts';
import { provisionedVolume } from '../support/api-volumes.ts';
import { clusterInventory, countsPerVolume } from '../support/aws-inventory.ts';
import { eventually, startTestStack } from '../support/local-stack-harness.ts';
import { PROVISION_STEPS } from '../support/provision-steps.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly error?: { step: string; name: string; message: string };
  readonly leftovers?: unknown[];
}

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ awsFaults: { faults: [] } });
});

afterAll(async () => {
  await stack?.stop();
});

/** One answer of `name` (with AWS's status for it) to the first matching call. */
function once(service: string, operation: string, name: string, status: number): FaultRule {
  return {
    kind: 'declared-error',
    service,
    operation,
    times: 1,
    error: { name, status, message: `${name} (injected)` },
  };
}

const RULES: readonly FaultRule[] = [
  // wait: the file system is not yet available to these
  once(
    'elasticfilesystem',
    'PUT /2015-02-01/file-systems/*',
    'IncorrectFileSystemLifeCycleState',
    409,
  ),
  once(
    'elasticfilesystem',
    'POST /2015-02-01/mount-targets',
    'IncorrectFileSystemLifeCycleState',
    409,
  ),
  once(
    'elasticfilesystem',
    'POST /2015-02-01/access-points',
    'IncorrectFileSystemLifeCycleState',
    409,
  ),
  // unseen: EC2 does not know the group created a moment ago
  once('ec2', 'AuthorizeSecurityGroupIngress', 'InvalidGroup.NotFound', 400),
  once('ec2', 'RevokeSecurityGroupEgress', 'InvalidGroup.NotFound', 400),
  once('elasticfilesystem', 'POST /2015-02-01/mount-targets', 'SecurityGroupNotFound', 400),
  // transient: throttled, or a server fault
  once('elasticfilesystem', 'POST /2015-02-01/file-systems', 'InsufficientThroughputCapacity', 503),
  once('elasticfilesystem', 'POST /2015-02-01/access-points', 'ThrottlingException', 429),
  once('eks', 'GET /clusters/*', 'ServiceUnavailableException', 503),
  once('dynamodb', 'UpdateItem', 'ProvisionedThroughputExceededException', 400),
  once('dynamodb', 'TransactWriteItems', 'TransactionInProgressException', 400),
  once('events', 'PutEvents', 'InternalException', 500),
];

/** Faults the proxy injected since `before` (its injectedByCall), in all. */
function injectedSince(before: Readonly<Record<string, number>>): number {
  const sum = (counts: Readonly<Record<string, number>>) =>
    Object.values(counts).reduce((total, count) => total + count, 0);
  return sum(stack.faultProxy?.stats().injectedByCall ?? {}) - sum(before);
}

const status = (operation: string, name: string) =>
  (AWS_ERROR_STATUSES as Record<string, Record<string, number>>)[operation]?.[name] ?? 0;

/**
 * A terminal entry of each provisioning call: the step fails under AWS's own name, the
 * workflow rolls back, and nothing is left. Every other terminal entry of the same call takes
 * the same path (the wire test shows each is parsed under its name and not retried).
 */
const TERMINAL = [
  {
    step: 'CreateSecurityGroup',
    rule: once('ec2', 'CreateSecurityGroup', 'SecurityGroupLimitExceeded', 400),
  },
  {
    step: 'CreateSecurityGroup',
    rule: once('ec2', 'AuthorizeSecurityGroupIngress', 'RulesPerSecurityGroupLimitExceeded', 400),
  },
  {
    step: 'CreateFileSystem',
    rule: once(
      'elasticfilesystem',
      'POST /2015-02-01/file-systems',
      'FileSystemLimitExceeded',
      status('elasticfilesystem:CreateFileSystem', 'FileSystemLimitExceeded'),
    ),
  },
  {
    step: 'CreateMountTargets',
    rule: once(
      'elasticfilesystem',
      'PUT /2015-02-01/file-systems/*',
      'InvalidPolicyException',
      status('elasticfilesystem:PutFileSystemPolicy', 'InvalidPolicyException'),
    ),
  },
  {
    step: 'CreateMountTargets',
    rule: once(
      'elasticfilesystem',
      'POST /2015-02-01/mount-targets',
      'NoFreeAddressesInSubnet',
      status('elasticfilesystem:CreateMountTarget', 'NoFreeAddressesInSubnet'),
    ),
  },
  {
    step: 'CreateAccessPoint',
    rule: once(
      'elasticfilesystem',
      'POST /2015-02-01/access-points',
      'AccessPointLimitExceeded',
      status('elasticfilesystem:CreateAccessPoint', 'AccessPointLimitExceeded'),
    ),
  },
];

describe('a terminal declared error of a provisioning call', () => {
  it.each(TERMINAL.map((entry) => ({ ...entry, name: entry.rule.error?.name ?? '' })))(
    '$name from $rule.operation: $step fails under that name, the workflow rolls back, nothing is left',
    async ({ step, rule, name }) => {
      // Prepare
      stack.faultProxy?.setFaults([rule]);

      // Act
      const volume = await provisionedVolume<Volume>(
        stack,
        `terminal-${name.toLowerCase().slice(0, 40)}`,
      );

      // Assess
      expect(volume.status).toBe('FAILED');
      expect(volume.error).toMatchObject({ step, name });
      expect(volume.leftovers ?? []).toEqual([]);
      expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
        fileSystems: [0],
        mountTargets: [0],
        accessPoints: [0],
        securityGroups: [0],
      });
    },
  );
});

describe('the declared errors a provisioning run retries, waits or looks again for', () => {
  it('meets each once and still ends READY with one of each resource', async () => {
    // Prepare
    const before = stack.faultProxy?.stats().injectedByCall ?? {};
    stack.faultProxy?.setFaults(RULES);

    // Act
    const volume = await provisionedVolume<Volume>(stack, 'declared-errors');

    // Assess: every rule answered once, and nothing was created twice
    const injected = injectedSince(before);
    expect(volume.status).toBe('READY');
    expect(injected).toBe(RULES.length);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [1],
      mountTargets: [expect.any(Number)],
      accessPoints: [1],
      securityGroups: [1],
    });
  });
});

describe('the count of AWS calls by function (npm run bench: calls per volume)', () => {
  it('counts every call of the API and of each provisioning step, recorded or not', async () => {
    // Prepare
    stack.faultProxy?.setFaults([]);
    const before = awsCallCounts();

    // Act
    const volume = await provisionedVolume<Volume>(stack, 'counted-calls');

    // Assess: the API's create and each provisioning step made calls
    expect(volume.status).toBe('READY');
    const made = (name: string) => (awsCallCounts().get(name) ?? 0) - (before.get(name) ?? 0);
    expect(made('createVolume')).toBeGreaterThan(0);
    for (const step of PROVISION_STEPS) expect(made(step), step).toBeGreaterThan(0);
  });
});

describe('the declared errors a deletion waits out or retries', () => {
  it('meets each once and still ends DELETED with nothing left', async () => {
    // Prepare: a READY volume, then a file system still in use, a group with a lingering
    // network interface, and a mount-target delete that timed out inside EFS
    stack.faultProxy?.setFaults([]);
    const volume = await provisionedVolume<Volume>(stack, 'deleted-despite-errors', {
      reclaimPolicy: 'Delete',
    });
    expect(volume.status).toBe('READY');
    const rules = [
      once(
        'elasticfilesystem',
        'DELETE /2015-02-01/file-systems/*',
        'FileSystemInUse',
        status('elasticfilesystem:DeleteFileSystem', 'FileSystemInUse'),
      ),
      once(
        'elasticfilesystem',
        'DELETE /2015-02-01/mount-targets/*',
        'DependencyTimeout',
        status('elasticfilesystem:DeleteMountTarget', 'DependencyTimeout'),
      ),
      once('ec2', 'DeleteSecurityGroup', 'DependencyViolation', 400),
    ];
    const before = stack.faultProxy?.stats().injectedByCall ?? {};
    stack.faultProxy?.setFaults(rules);

    // Act
    const response = await fetch(`${stack.api}/volumes/${volume.id}`, { method: 'DELETE' });
    expect(response.status).toBe(202);
    const ended = await eventually(async () => {
      const now = (await (await fetch(`${stack.api}/volumes/${volume.id}`)).json()) as Volume;
      return ['DELETED', 'DELETE_FAILED'].includes(now.status) ? now : undefined;
    }, 60_000);

    // Assess
    const injected = injectedSince(before);
    expect(ended.status).toBe('DELETED');
    expect(injected).toBe(rules.length);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [0],
      mountTargets: [0],
      accessPoints: [0],
      securityGroups: [0],
    });
  });
});
