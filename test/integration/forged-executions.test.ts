// Whoever may start an execution or invoke a step Lambda gets no further than the volume's
// record allows (issue 11 item 2): the steps act on the record's spec, for the execution the
// record names, and reach the cluster where EKS says it is. Through the real ASL files and the
// bundles that deploy.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import type { VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { localFunctions } from '../../local/lambda/local-functions.ts';
import {
  DEPROVISION_ASL,
  PROVISION_ASL,
  type TaskHandler,
} from '../../local/step-functions/local-workflow.ts';
import {
  awsLeftovers,
  kubeLeftovers,
  provision,
  runExecution,
  startTestCluster,
  type TestCluster,
  uniqueName,
  useVolumesTable,
} from '../support/workflow-harness.ts';

let records: VolumeRecordStore;
let cluster: TestCluster;
let ready: { volumeId: string; record: VolumeRecord; aws: string[]; kube: string[] };

beforeAll(async () => {
  records = await useVolumesTable();
  cluster = await startTestCluster(['team-a']);
  const outcome = await provision(records, { clusterName: cluster.seeded.name });
  expect(outcome.record.status).toBe('READY');
  ready = {
    volumeId: outcome.volumeId,
    record: outcome.record,
    aws: (await awsLeftovers(outcome.volumeId)).sort(),
    kube: kubeLeftovers(cluster.emulator, outcome.volumeId).sort(),
  };
});

afterAll(async () => {
  await cluster?.emulator.stop();
});

/** The READY volume is as it was: status, steps and every resource. */
async function expectReadyVolumeUntouched(): Promise<void> {
  const record = await records.require(ready.volumeId);
  expect(record.status).toBe('READY');
  expect(record.steps).toEqual(ready.record.steps);
  expect((await awsLeftovers(ready.volumeId)).sort()).toEqual(ready.aws);
  expect(kubeLeftovers(cluster.emulator, ready.volumeId).sort()).toEqual(ready.kube);
}

/** A TCP listener that counts who connects: where a forged endpoint would send the token. */
async function listenForConnections(): Promise<{
  url: string;
  count: () => number;
  server: Server;
}> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `https://127.0.0.1:${port}`, count: () => connections, server };
}

describe('an execution someone else started', () => {
  it("refuses to delete a READY volume under its provision execution's name", async () => {
    // Act: a deletion named as the volume's provision execution, with the input the API
    // would have sent before (spec and all)
    const outcome = await runExecution(
      DEPROVISION_ASL,
      {
        volumeId: ready.volumeId,
        spec: ready.record.spec,
        operation: 'deprovision',
        retainFileSystem: false,
      },
      { executionName: ready.volumeId },
    );

    // Assess
    expect(outcome.error?.name).toBe('ForeignExecutionError');
    await expectReadyVolumeUntouched();
  });

  it('refuses a provision execution the record does not name, and writes nothing', async () => {
    // Act
    const outcome = await runExecution(
      PROVISION_ASL,
      { volumeId: ready.volumeId, spec: ready.record.spec },
      { executionName: uniqueName('forged') },
    );

    // Assess: refused at the first step, no rollback of the READY volume
    expect(outcome.error?.name).toBe('ForeignExecutionError');
    expect(
      outcome.events.filter((event) => event.type === 'StateEntered').map((e) => e.state?.name),
    ).toEqual(['ResolveCluster', 'Refused']);
    await expectReadyVolumeUntouched();
  });

  it('refuses a volume id that has no record', async () => {
    // Act
    const outcome = await runExecution(
      PROVISION_ASL,
      { volumeId: 'vol-00000000000000000000' },
      { executionName: 'vol-00000000000000000000' },
    );

    // Assess
    expect(outcome.error?.name).toBe('ForeignExecutionError');
    expect(outcome.error?.message).toContain('has no record');
  });
});

describe('a step invoked directly', () => {
  it('deletes nothing of a READY volume, even named as its provision execution', async () => {
    // Act: an event that fits both the old shape (the state itself) and the new one
    const state = { volumeId: ready.volumeId, spec: ready.record.spec };
    const invoked = localFunctions().invoke('DeleteAccessPoint', {
      ...state,
      state,
      execution: { name: ready.volumeId, operation: 'provision' },
    });

    // Assess
    await expect(invoked).rejects.toMatchObject({ name: 'ForeignExecutionError' });
    await expectReadyVolumeUntouched();
  });
});

describe("a forged input of the volume's own execution", () => {
  it('builds the volume the record describes and reaches the cluster where EKS says it is', async () => {
    // Prepare: the volume as the API records it, and an endpoint that is not the cluster's
    const listener = await listenForConnections();
    const volumeId = newVolumeId();
    const spec = validateVolumeRequest({
      clusterName: cluster.seeded.name,
      namespace: 'team-a',
      name: uniqueName('recorded'),
      reclaimPolicy: 'Delete',
    });
    await records.create(volumeId, spec, { executionName: volumeId });
    const forgedCluster = { endpoint: listener.url, caData: cluster.emulator.caData };
    // Every Kubernetes step is handed the forged endpoint, wherever a step could read it.
    const forgeEndpoint = (name: string, handler: TaskHandler): TaskHandler =>
      ['ApplyManifests', 'CheckClaimBound'].includes(name)
        ? async (event) => {
            const given = event as { state?: { cluster?: object }; cluster?: object };
            return handler({
              ...given,
              cluster: { ...given.cluster, ...forgedCluster },
              ...(given.state
                ? {
                    state: {
                      ...given.state,
                      cluster: { ...given.state.cluster, ...forgedCluster },
                    },
                  }
                : {}),
            });
          }
        : handler;

    try {
      // Act: the input names another claim than the record
      const outcome = await runExecution(
        PROVISION_ASL,
        { volumeId, spec: { ...spec, name: 'forged-claim' } },
        { executionName: volumeId, wrap: forgeEndpoint },
      );

      // Assess
      expect(outcome.error).toBeUndefined();
      const record = await records.require(volumeId);
      expect(record.status).toBe('READY');
      const claims = cluster.emulator
        .objects()
        .filter((object) => object.kind === 'PersistentVolumeClaim')
        .map((object) => object.metadata?.name);
      expect(claims).toContain(spec.name);
      expect(claims).not.toContain('forged-claim');
      expect(listener.count()).toBe(0);
    } finally {
      listener.server.close();
    }
  });
});
