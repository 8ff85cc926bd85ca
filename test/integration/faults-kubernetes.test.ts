import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentVolumeName, VOLUME_ID_LABEL } from '../../functions/lib/volume/names.ts';
import type { KubeFault } from '../../local/kube-emulator/index.ts';
import type { LocalStack } from '../../local/stack.ts';
import { kubernetesApi, startTestStack } from '../support/local-stack-harness.ts';
import { VolumeClient } from '../support/volume-client.ts';

let stack: LocalStack;
let sfn: SFNClient;

beforeAll(async () => {
  stack = await startTestStack();
  sfn = new SFNClient({ endpoint: stack.stepFunctions, region: 'us-east-1' });
});

afterAll(async () => {
  await stack?.stop();
});

/** Task retries in the provisioning execution of a volume (its name is the volume id). */
async function taskRetries(volumeId: string): Promise<number> {
  const machine = stack.stepFunctionsServer.arns['efs-volumes-provision'] ?? '';
  const { events = [] } = await sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${volumeId}`,
    }),
  );
  // The local endpoint's name for a Retry (a real history shows another TaskScheduled).
  return events.filter((event) => String(event.type) === 'TaskRetried').length;
}

function objectsOfKind(kind: string) {
  return stack.emulator.objects().filter((object) => object.kind === kind);
}

/** Provisions one volume through the API and reads back what Kubernetes holds for it. */
async function provisionThrough(fault: KubeFault, name: string) {
  const client = new VolumeClient(stack.api);
  stack.emulator.injectFault(fault);
  const { id } = await client.create(
    { clusterName: stack.clusterName, namespace: 'team-a', name },
    `kube-${name}`,
  );
  await stack.stepFunctionsServer.idle();
  stack.emulator.clearFaults();
  const volume = await client.get(id);
  const api = await kubernetesApi(stack);
  const pv = await api.read<V1PersistentVolume>({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: persistentVolumeName(id) },
  });
  const pvc = await api.read<V1PersistentVolumeClaim>({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'team-a' },
  });
  const labelled = stack.emulator
    .objects()
    .filter((object) => object.metadata?.labels?.[VOLUME_ID_LABEL] === id)
    .map((object) => object.kind)
    .sort();
  return { id, volume, pv, pvc, labelled, client, retries: await taskRetries(id) };
}

const WORKFLOW_FAULTS: ReadonlyArray<KubeFault & { readonly times: number }> = [
  { method: 'PATCH', status: 429, times: 2 },
  { method: 'PATCH', status: 500, times: 2, pathIncludes: 'persistentvolumeclaims' },
  { method: 'PATCH', status: 409, times: 2 },
  { method: 'GET', status: 429, times: 2, pathIncludes: '/persistentvolumes/' },
  { method: 'GET', status: 500, times: 3, pathIncludes: '/persistentvolumes/' },
  { method: 'GET', status: 409, times: 1, pathIncludes: '/persistentvolumes/' },
];

describe('provisioning through a Kubernetes API that fails some calls', () => {
  it.each(
    WORKFLOW_FAULTS.map((fault, index) => ({
      ...fault,
      index,
      path: fault.pathIncludes ?? 'any path',
    })),
  )(
    'ends READY with one PV and one bound claim after $status on $method $path ×$times',
    async (fault) => {
      // Act
      const outcome = await provisionThrough(fault, `k8s-fault-${fault.index}`);

      // Assess: READY, after one ApplyManifests retry per injected fault
      const { volume, pv, pvc, id } = outcome;
      expect(volume.status, JSON.stringify(volume.error)).toBe('READY');
      expect(outcome.retries).toBe(fault.times);

      // Assess: the right objects, each once
      expect(pv.spec?.csi?.volumeHandle).toBe(
        `${volume.resources.fileSystemId}::${volume.resources.accessPointId}`,
      );
      expect(pv.status?.phase).toBe('Bound');
      expect(pvc.spec?.volumeName).toBe(persistentVolumeName(id));
      expect(pvc.status?.phase).toBe('Bound');
      expect(outcome.labelled).toEqual(['PersistentVolume', 'PersistentVolumeClaim']);
      expect(objectsOfKind('CSIDriver')).toHaveLength(1);
      expect(objectsOfKind('StorageClass')).toHaveLength(1);
    },
  );

  it("answers 503 when the API's own check meets a 429, and provisions on the client's retry", async () => {
    // Act: the first GET after the fault is the API's namespace check
    const outcome = await provisionThrough(
      { method: 'GET', status: 429, times: 1 },
      'k8s-preflight',
    );

    // Assess
    expect(outcome.client.unavailable).toBe(1);
    expect(outcome.volume.status).toBe('READY');
    expect(outcome.retries).toBe(0);
    expect(outcome.labelled).toEqual(['PersistentVolume', 'PersistentVolumeClaim']);
  });
});
