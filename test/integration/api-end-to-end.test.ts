import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentVolumeName } from '../../functions/lib/volume/names.ts';
import type { LocalStack } from '../../local/stack.ts';
import { fetchVolume } from '../support/api-volumes.ts';
import { expectContract, operationIds } from '../support/contract.ts';
import {
  captureLifecycleEvents,
  eventually,
  json,
  kubectl,
  kubernetesApi,
  type LifecycleEvent,
  startTestStack,
} from '../support/local-stack-harness.ts';
import { awsLeftovers } from '../support/workflow-harness.ts';

type Volume = {
  id: string;
  status: string;
  resources: Record<string, unknown>;
  retained?: unknown[];
  leftovers?: unknown[];
};

let stack: LocalStack;
let events: { drain: () => Promise<LifecycleEvent[]> };
const efs = new EFSClient({});

beforeAll(async () => {
  // The account the event test sends from, named as the stack's requestSenders would name it.
  stack = await startTestStack({ requestSenders: ['123456789012'] });
  events = await captureLifecycleEvents();
});

afterAll(async () => {
  await stack?.stop();
});

async function createVolume(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(
    `${stack.api}/volumes`,
    json({ clusterName: stack.clusterName, ...body }, headers),
  );
  return expectContract('createVolume', response);
}

const getVolume = (id: string) => fetchVolume<Volume>(stack, id);

async function until(id: string, status: string): Promise<Volume> {
  return eventually(async () => {
    const volume = await getVolume(id);
    if (volume.status === status) return volume;
    if (
      ['FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'].includes(volume.status) &&
      volume.status !== status
    ) {
      throw new Error(`volume ${id} ended ${volume.status}: ${JSON.stringify(volume)}`);
    }
    return undefined;
  });
}

describe('the API through the local HTTP server', () => {
  it('creates a volume, polls it to READY, lists it, shows its manifests and deletes it', async () => {
    // Act: create
    const created = await createVolume(
      {
        namespace: 'team-a',
        name: 'shared-data',
        reclaimPolicy: 'Delete',
        tags: { 'cost-center': '42' },
      },
      { 'Idempotency-Key': 'e2e-1' },
    );

    // Assess: accepted, with a Location and local mode's Retry-After, then READY with every
    // resource id, and no Retry-After once settled
    expect(created.status).toBe(202);
    const { id } = created.json as Volume;
    expect(created.headers.get('location')).toBe(`/volumes/${id}`);
    expect(created.headers.get('retry-after')).toBe('1');
    const ready = await until(id, 'READY');
    const readyAnswer = await expectContract(
      'getVolume',
      await fetch(`${stack.api}/volumes/${id}`),
    );
    expect((readyAnswer.json as Volume).status).toBe('READY');
    expect(readyAnswer.headers.has('retry-after')).toBe(false);
    expect(ready.resources).toMatchObject({
      fileSystemId: expect.stringMatching(/^fs-/),
      accessPointId: expect.stringMatching(/^fsap-/),
      securityGroupId: expect.stringMatching(/^sg-/),
      persistentVolumeName: persistentVolumeName(id),
    });

    // Act / Assess: list, with filters and pagination
    const listed = await expectContract(
      'listVolumes',
      await fetch(`${stack.api}/volumes?clusterName=${stack.clusterName}&status=READY&limit=1`),
    );
    expect((listed.json as { items: Volume[] }).items.map((volume) => volume.id)).toEqual([id]);

    // Act / Assess: the manifests, as applied
    const manifests = await expectContract(
      'getVolumeManifests',
      await fetch(`${stack.api}/volumes/${id}/manifests`),
    );
    expect(manifests.text).toContain(
      `volumeHandle: ${ready.resources.fileSystemId}::${ready.resources.accessPointId}`,
    );
    expect(manifests.text).toContain('kind: PersistentVolumeClaim');

    // Assess: a real kubectl sees the claim Bound
    const claim = await kubectl(stack, [
      'get',
      'pvc',
      'shared-data',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(claim).toMatchObject({ code: 0, stdout: 'Bound' });

    // Act / Assess: a drift check finds nothing wrong, and GET shows it
    const check = await expectContract(
      'checkVolume',
      await fetch(`${stack.api}/volumes/${id}/check`, { method: 'POST' }),
    );
    expect(check.json).toMatchObject({ state: 'HEALTHY', findings: [] });
    expect((await getVolume(id)) as unknown).toMatchObject({ health: { state: 'HEALTHY' } });

    // Prepare: a pod that mounts the claim
    const api = await kubernetesApi(stack);
    await api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'writer', namespace: 'team-a' },
      spec: {
        containers: [
          { name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'shared-data' } }],
      },
    });

    // Act / Assess: delete is refused while the pod uses the claim
    const refused = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' }),
    );
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ type: 'https://efs-volumes.dev/problems/volume-in-use' });
    expect((refused.json as { detail: string }).detail).toContain('writer');
    expect((await getVolume(id)).status).toBe('READY');

    // Act: forced delete
    const deleting = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${id}?force=true`, { method: 'DELETE' }),
    );

    // Assess: DELETING, then DELETED, and nothing of it left in moto or Kubernetes
    expect(deleting.status).toBe(202);
    expect((deleting.json as Volume).status).toBe('DELETING');
    expect(deleting.headers.get('retry-after')).toBe('1');
    // A volume being deleted is not repaired (the repair's own suite: repair-api.test.ts)
    const notRepaired = await expectContract(
      'repairVolume',
      await fetch(`${stack.api}/volumes/${id}/repair`, { method: 'POST' }),
    );
    expect(notRepaired.status).toBe(409);
    const deleted = await until(id, 'DELETED');
    expect(deleted.retained).toEqual([]);
    expect(await awsLeftovers(id)).toEqual([]);
    await api.delete({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'writer', namespace: 'team-a' },
    });
    await eventually(async () =>
      stack.emulator.objects().some((object) => object.kind === 'PersistentVolumeClaim')
        ? undefined
        : true,
    );
    expect(
      stack.emulator
        .objects()
        .filter((object) =>
          ['PersistentVolume', 'PersistentVolumeClaim'].includes(object.kind ?? ''),
        ),
    ).toEqual([]);

    // Assess: deleting again answers the deleted volume
    const again = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' }),
    );
    expect((again.json as Volume).status).toBe('DELETED');

    // Assess: the lifecycle events
    const received = await eventually(async () => {
      const mine = (await events.drain()).filter((event) => event.detail.volumeId === id);
      return mine.length === 2 ? mine : undefined;
    });
    expect(received.map((event) => event['detail-type'])).toEqual([
      'Volume Ready',
      'Volume Deleted',
    ]);
    expect(received[0]?.detail.resources).toMatchObject({
      fileSystemId: ready.resources.fileSystemId,
    });
  });

  it('keeps the file system of a volume whose reclaim policy is Retain', async () => {
    // Prepare
    const created = await createVolume({ namespace: 'team-b', name: 'kept' });
    const { id } = created.json as Volume;
    const ready = await until(id, 'READY');

    // Act
    await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' }),
    );
    const deleted = await until(id, 'DELETED');

    // Assess: the claim and access point are gone, the data's file system is kept and listed
    expect(deleted.retained).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'FileSystem', id: ready.resources.fileSystemId }),
      ]),
    );
    const left = await awsLeftovers(id);
    expect(left).toContain(`FileSystem/${ready.resources.fileSystemId}`);
    expect(left.some((resource) => resource.startsWith('AccessPoint/'))).toBe(false);
  });

  it('gives one volume and one file system to 20 concurrent POSTs with one key', async () => {
    // Act
    const body = { namespace: 'team-b', name: 'concurrent' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => createVolume(body, { 'Idempotency-Key': 'same-key-20' })),
    );

    // Assess
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([202]));
    const ids = new Set(responses.map((response) => (response.json as Volume).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await until(id ?? '', 'READY');
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ CreationToken: id }),
    );
    expect(FileSystems).toHaveLength(1);
    const left = await awsLeftovers(id ?? '');
    expect(left.filter((resource) => resource.startsWith('FileSystem/'))).toHaveLength(1);
    expect(left.filter((resource) => resource.startsWith('AccessPoint/'))).toHaveLength(1);

    // Act / Assess: the same key with another body is a conflict
    const conflict = await createVolume(
      { ...body, name: 'other' },
      { 'Idempotency-Key': 'same-key-20' },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({
      type: 'https://efs-volumes.dev/problems/idempotency-key-reused',
    });
  });

  it('returns the plan of a dry run and creates nothing', async () => {
    // Prepare
    const before = stack.emulator.objects().length;

    // Act
    const planned = await createVolume({ namespace: 'team-a', name: 'planned', dryRun: true });

    // Assess
    expect(planned.status).toBe(200);
    const plan = planned.json as {
      aws: Array<{ type: string; properties: Record<string, unknown> }>;
      manifests: string;
    };
    expect(plan.aws.map((resource) => resource.type)).toEqual([
      'AWS::EC2::SecurityGroup',
      'AWS::EFS::FileSystem',
      'AWS::EFS::MountTarget',
      'AWS::EFS::AccessPoint',
    ]);
    const mountTargets = plan.aws.find((resource) => resource.type === 'AWS::EFS::MountTarget');
    expect(mountTargets?.properties.onePerAvailabilityZoneOf).toHaveLength(3);
    expect(plan.manifests).toContain('volumeHandle: <fileSystemId>::<accessPointId>');
    expect(stack.emulator.objects()).toHaveLength(before);
    const listed = await expectContract(
      'listVolumes',
      await fetch(`${stack.api}/volumes?namespace=team-a`),
    );
    const names = (listed.json as { items: Array<{ name: string }> }).items.map(
      (volume) => volume.name,
    );
    expect(names).not.toContain('planned');
    expect(names.length).toBeGreaterThan(0);
  });

  it('answers an unknown volume with 404 problem+json', async () => {
    const missing = await expectContract(
      'getVolume',
      await fetch(`${stack.api}/volumes/vol-00000000000000000000`),
    );
    expect(missing.status).toBe(404);
    const manifests = await expectContract(
      'getVolumeManifests',
      await fetch(`${stack.api}/volumes/vol-00000000000000000000/manifests`),
    );
    expect(manifests.status).toBe(404);
    const deleted = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/vol-00000000000000000000`, { method: 'DELETE' }),
    );
    expect(deleted.status).toBe(404);
  });

  it('provisions from a Volume Provision Requested event, and rejects a malformed one', async () => {
    // Act: a good event, sent twice (EventBridge delivers at least once)
    const event = {
      id: 'event-1',
      source: 'efs-volumes.requests',
      // EventBridge sets the sending account; the caller is events:<account>:<source>.
      account: '123456789012',
      'detail-type': 'Volume Provision Requested',
      detail: { clusterName: stack.clusterName, namespace: 'team-b', name: 'from-event' },
    };
    const first = await (await fetch(`${stack.api}/local/events`, json(event))).json();
    const second = await (await fetch(`${stack.api}/local/events`, json(event))).json();

    // Assess
    expect(first).toMatchObject({ outcome: 'accepted' });
    expect(second).toMatchObject({
      outcome: 'accepted',
      volumeId: (first as { volumeId: string }).volumeId,
    });
    await until((first as { volumeId: string }).volumeId, 'READY');

    // Act: a malformed event
    const bad = await (
      await fetch(
        `${stack.api}/local/events`,
        json({ ...event, id: 'event-2', detail: { clusterName: 'x', name: 'NOPE' } }),
      )
    ).json();

    // Assess: rejected, reported, nothing created
    expect(bad).toMatchObject({ outcome: 'rejected', problem: 'invalid-request' });
    const rejected = (await events.drain()).filter(
      (entry) => entry['detail-type'] === 'Volume Request Rejected',
    );
    expect(rejected.map((entry) => entry.detail.requestEventId)).toContain('event-2');
  });

  it('cleans up a ROLLBACK_FAILED volume with DELETE once the fault is gone', async () => {
    // Prepare: the Kubernetes API keeps failing reads of the StorageClass, so apply fails and
    // so does the rollback's delete of the manifests
    stack.emulator.injectFault({
      method: 'GET',
      pathIncludes: 'storageclasses',
      status: 500,
      times: 1000,
    });
    let id = '';
    try {
      const created = await createVolume({
        namespace: 'team-b',
        name: 'stuck',
        reclaimPolicy: 'Retain',
      });
      id = (created.json as Volume).id;
      const failed = await until(id, 'ROLLBACK_FAILED');

      // Assess: the record and the event say what failed and what may be left
      expect(failed).toMatchObject({
        error: { step: 'ApplyManifests', name: 'TransientError' },
        rollbackError: { name: 'TransientError' },
      });
      // The event is put right after the status is written: wait for it
      const announced = await eventually(async () => {
        const mine = (await events.drain()).filter((event) => event.detail.volumeId === id);
        return mine.length > 0 ? mine : undefined;
      });
      expect(announced.map((event) => event['detail-type'])).toEqual([
        'Volume Provisioning Failed',
      ]);
      expect(announced[0]?.detail).toMatchObject({
        status: 'ROLLBACK_FAILED',
        leftovers: failed.leftovers ?? [],
      });
    } finally {
      stack.emulator.clearFaults();
    }

    // Act: the documented retry of the cleanup
    const deleting = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' }),
    );

    // Assess: DELETED, nothing kept (a volume that never held data retains nothing), nothing left
    expect(deleting.status).toBe(202);
    const deleted = await until(id, 'DELETED');
    expect(deleted.retained).toEqual([]);
    expect(await awsLeftovers(id)).toEqual([]);
  });

  it('pages through the list with nextToken, newest first, without gaps or repeats', async () => {
    // Prepare: three volumes of its own, one after another, then every volume as one page
    const mine: string[] = [];
    for (const index of [1, 2, 3]) {
      const created = await createVolume({ namespace: 'team-a', name: `paged-${index}` });
      expect(created.status).toBe(202);
      mine.push((created.json as Volume).id);
    }
    const all = await expectContract('listVolumes', await fetch(`${stack.api}/volumes?limit=100`));
    const items = (all.json as { items: (Volume & { createdAt: string })[] }).items;
    const expected = items.map((volume) => volume.id);
    expect(expected.length).toBeGreaterThanOrEqual(3);

    // Act: one at a time
    const walked: string[] = [];
    let nextToken: string | undefined;
    do {
      const query = `limit=1${nextToken ? `&nextToken=${nextToken}` : ''}`;
      const page = await expectContract(
        'listVolumes',
        await fetch(`${stack.api}/volumes?${query}`),
      );
      const body = page.json as { items: Volume[]; nextToken?: string };
      walked.push(...body.items.map((volume) => volume.id));
      nextToken = body.nextToken;
    } while (nextToken);

    // Assess: every volume once, in the one page's order, which is newest first
    expect(walked).toEqual(expected);
    const createdAt = items.map((volume) => volume.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    expect(walked.filter((id) => mine.includes(id))).toEqual([...mine].reverse());
  });

  it('answers every operation of openapi.yaml as documented, on a volume of its own', async () => {
    // Prepare: each call checked against openapi.yaml, and its operation noted
    const answered = new Set<string>();
    const call = async (operationId: string, path: string, init?: RequestInit) => {
      const checked = await expectContract(operationId, await fetch(`${stack.api}${path}`, init));
      answered.add(operationId);
      return checked;
    };
    const name = `every-operation-${Date.now().toString(36)}`;

    // Act / Assess: the whole life of one volume, through each operation
    const created = await call(
      'createVolume',
      '/volumes',
      json({ clusterName: stack.clusterName, namespace: 'team-a', name, reclaimPolicy: 'Delete' }),
    );
    expect(created.status).toBe(202);
    const { id } = created.json as Volume;
    await until(id, 'READY');
    expect((await call('getVolume', `/volumes/${id}`)).status).toBe(200);
    const listed = await call('listVolumes', `/volumes?clusterName=${stack.clusterName}`);
    expect((listed.json as { items: Volume[] }).items.map((volume) => volume.id)).toContain(id);
    expect((await call('getVolumeManifests', `/volumes/${id}/manifests`)).status).toBe(200);
    const points = await call('listRecoveryPoints', `/volumes/${id}/recovery-points`);
    expect(points.status).toBe(200);
    expect(points.json).toMatchObject({ items: expect.any(Array) });
    expect((await call('checkVolume', `/volumes/${id}/check`, { method: 'POST' })).status).toBe(
      200,
    );
    expect((await call('repairVolume', `/volumes/${id}/repair`, { method: 'POST' })).status).toBe(
      202,
    );
    await until(id, 'READY');
    expect((await call('deleteVolume', `/volumes/${id}`, { method: 'DELETE' })).status).toBe(202);
    await until(id, 'DELETED');
    expect([...answered].sort()).toEqual(operationIds().sort());
  });
});
