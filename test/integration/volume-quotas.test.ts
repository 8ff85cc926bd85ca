// The quota counters of functions/lib/volume/quota.ts in the volume records' own table (moto's
// DynamoDB): counted with the record in one transaction, uncounted once whatever ends a volume.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import { QuotaExceededError, type VolumeLimits } from '../../functions/lib/volume/quota.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { documents, uniqueName, useVolumesTable } from '../support/workflow-harness.ts';

const CALLER = 'arn:aws:iam::123456789012:role/team-a-deployer';
let records: VolumeRecordStore;

beforeAll(async () => {
  await useVolumesTable();
  records = new VolumeRecordStore(isolatedTransactions(), process.env.VOLUMES_TABLE ?? '');
});

/**
 * The document client, with TransactWriteItems run one at a time. DynamoDB isolates
 * transactions (serializable: a transaction's conditions and writes are one step); moto's
 * threaded server does not (two transactions may both pass a condition before either writes),
 * so without this a concurrency test would measure moto, not the design.
 */
function isolatedTransactions(): typeof documents {
  let queue: Promise<unknown> = Promise.resolve();
  const send = documents.send.bind(documents) as (command: unknown) => Promise<unknown>;
  return new Proxy(documents, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown) => {
        if (!(command instanceof TransactWriteCommand)) return send(command);
        const result = queue.then(() => send(command));
        queue = result.catch(() => undefined);
        return result;
      };
    },
  });
}

/** A request for a fresh claim in `namespace` of a cluster of the test's own. */
function spec(clusterName: string, namespace = 'team-a') {
  return validateVolumeRequest({ clusterName, namespace, name: uniqueName('data') });
}

async function create(
  clusterName: string,
  limits: VolumeLimits,
  options: { caller?: string; namespace?: string } = {},
) {
  const id = newVolumeId();
  await records.create(id, spec(clusterName, options.namespace), {
    caller: options.caller ?? CALLER,
    executionName: id,
    limits,
  });
  return id;
}

async function namespaceUsage(clusterName: string, namespace = 'team-a'): Promise<number> {
  const [usage] = await records.quotaUsage({ clusterName, namespace }, CALLER, {
    volumesPerNamespace: 1000,
    volumesPerCaller: 1000,
  });
  return usage?.usage ?? Number.NaN;
}

describe('volume quotas in the records table', () => {
  it('lets exactly the limit of concurrent creates in one namespace through, and refuses the rest with the usage', async () => {
    // Prepare
    const cluster = uniqueName('quota');
    const limits = { volumesPerNamespace: 3, volumesPerCaller: 1000 };

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => create(cluster, limits)),
    );

    // Assess
    const created = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
    );
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect((error as QuotaExceededError).usage).toEqual({
        scope: 'namespace',
        subject: `${cluster}/team-a`,
        limit: 3,
        usage: 3,
      });
    }
    expect(await namespaceUsage(cluster)).toBe(3);
  });

  it('counts a caller across namespaces and clusters', async () => {
    // Prepare
    const caller = `arn:aws:iam::123456789012:role/${uniqueName('caller')}`;
    const limits = { volumesPerNamespace: 1000, volumesPerCaller: 2 };
    await create(uniqueName('quota'), limits, { caller });
    await create(uniqueName('quota'), limits, { caller, namespace: 'team-b' });

    // Act
    const refused = await create(uniqueName('quota'), limits, { caller }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect((refused as QuotaExceededError).usage).toEqual({
      scope: 'caller',
      subject: caller,
      limit: 2,
      usage: 2,
    });
  });

  it('admits nothing under a limit of 0, even before the namespace has a counter', async () => {
    // Act
    const refused = await create(uniqueName('quota'), {
      volumesPerNamespace: 0,
      volumesPerCaller: 1000,
    }).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect((refused as QuotaExceededError).usage).toMatchObject({ limit: 0, usage: 0 });
  });

  it('uncounts a volume once however many paths end it: FAILED, then deleted with a retried step, then a late settlement', async () => {
    // Prepare
    const cluster = uniqueName('quota');
    const limits = { volumesPerNamespace: 10, volumesPerCaller: 1000 };
    const kept = await create(cluster, limits);
    const ended = await create(cluster, limits);

    // Act: rollback ends it FAILED; a DELETE of the FAILED volume ends it DELETED, and the
    // step is retried; a late settlement of its provisioning execution finds it moved on
    await records.setStatus(ended, 'FAILED');
    await records.beginDeletion(ended, `${ended}-delete`);
    await records.setStatus(ended, 'DELETED');
    await records.setStatus(ended, 'DELETED');
    const late = await records.settleExecution(
      ended,
      { event: 'provisionEndSettled', field: 'executionName', executionName: ended },
      'FAILED',
      {},
    );

    // Assess
    expect(late).toBeUndefined();
    expect(await namespaceUsage(cluster)).toBe(1);
    expect((await records.require(ended)).countedIn).toBeUndefined();
    expect((await records.require(kept)).countedIn).toHaveLength(2);
  });

  it('uncounts a volume settled FAILED by its execution end', async () => {
    // Prepare
    const cluster = uniqueName('quota');
    const id = await create(cluster, { volumesPerNamespace: 10, volumesPerCaller: 1000 });

    // Act
    const settled = await records.settleExecution(
      id,
      { event: 'provisionStartFailed', field: 'executionName', executionName: id },
      'FAILED',
      {},
    );

    // Assess
    expect(settled?.status).toBe('FAILED');
    expect(await namespaceUsage(cluster)).toBe(0);
  });

  it('keeps counting volumes that still hold resources: ROLLBACK_FAILED and DELETE_FAILED', async () => {
    // Prepare
    const cluster = uniqueName('quota');
    const limits = { volumesPerNamespace: 10, volumesPerCaller: 1000 };
    const rolledBack = await create(cluster, limits);
    const deleteFailed = await create(cluster, limits);

    // Act
    await records.setStatus(rolledBack, 'ROLLBACK_FAILED');
    await records.setStatus(deleteFailed, 'DELETE_FAILED');

    // Assess
    expect(await namespaceUsage(cluster)).toBe(2);
  });

  it('uncounts a withdrawn PENDING volume with its record, and frees the limit for the next', async () => {
    // Prepare
    const cluster = uniqueName('quota');
    const limits = { volumesPerNamespace: 1, volumesPerCaller: 1000 };
    const first = spec(cluster);
    const id = newVolumeId();
    await records.create(id, first, { caller: CALLER, limits });

    // Act
    const withdrawn = await records.withdrawPending({ id, spec: first });
    const next = await create(cluster, limits);

    // Assess
    expect(withdrawn).toBe(true);
    expect(await records.get(id)).toBeUndefined();
    expect(await records.get(next)).toBeDefined();
    expect(await namespaceUsage(cluster)).toBe(1);
  });
});
