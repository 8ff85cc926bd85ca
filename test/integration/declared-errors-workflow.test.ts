// The outcome table's non-terminal entries, met by a provisioning run through the bundles:
// each provisioning call answered once, on the wire, with an error its model declares whose
// outcome is to retry (`transient`), wait (`wait`) or retry until EC2 knows a new group
// (`unseen`). The volume still becomes READY, with exactly one of each resource: nothing was
// created twice on the way. (test/unit/aws-declared-errors.test.ts reads every entry of the
// table from the wire; this shows the workflow acting on them.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../local/fault-proxy.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { clusterInventory, countsPerVolume } from '../support/aws-inventory.ts';
import { eventually, json } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
}

let stack: LocalStack;

beforeAll(async () => {
  const suffix = randomBytes(3).toString('hex');
  stack = await startLocalStack({
    apiPort: 0,
    motoEndpoint: motoEndpoint(),
    clusterName: `declared-${suffix}`,
    tableName: `volumes-declared-${suffix}`,
    run: { waitMilliseconds: 0, retryMilliseconds: 0 },
    awsFaults: { faults: [] },
  });
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

describe('the declared errors a provisioning run retries, waits or looks again for', () => {
  it('meets each once and still ends READY with one of each resource', async () => {
    // Prepare
    const before = stack.faultProxy?.stats().injectedByCall ?? {};
    stack.faultProxy?.setFaults(RULES);

    // Act
    const response = await fetch(
      `${stack.api}/volumes`,
      json({ clusterName: stack.clusterName, namespace: 'team-a', name: 'declared-errors' }),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as Volume;
    const volume = await eventually(async () => {
      const now = (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume;
      return ['READY', 'FAILED', 'ROLLBACK_FAILED'].includes(now.status) ? now : undefined;
    }, 60_000);

    // Assess: every rule answered once, and nothing was created twice
    const after = stack.faultProxy?.stats().injectedByCall ?? {};
    const injected =
      Object.values(after).reduce((sum, count) => sum + count, 0) -
      Object.values(before).reduce((sum, count) => sum + count, 0);
    expect(volume.status).toBe('READY');
    expect(injected).toBe(RULES.length);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [id])).toEqual({
      fileSystems: [1],
      mountTargets: [expect.any(Number)],
      accessPoints: [1],
      securityGroups: [1],
    });
  });
});
