// Volumes through the local stack's HTTP API, every answer checked against openapi.yaml: what
// the drift, repair and end-to-end tests share.
import type { LocalStack } from '../../local/stack.ts';
import { expectContract } from './contract.ts';
import { eventually, json } from './local-stack-harness.ts';

interface VolumeProgress {
  readonly status: string;
  readonly steps: Readonly<Record<string, { readonly status: string } | undefined>>;
}

/** GET /volumes/{id}, as the test's own view `V` of a volume. */
export async function fetchVolume<V>(stack: LocalStack, id: string): Promise<V> {
  return (await expectContract('getVolume', await fetch(`${stack.api}/volumes/${id}`))).json as V;
}

/**
 * POST /volumes for claim `name` in `namespace` (team-a unless given), then waits until the volume is READY and its
 * CompleteProvisioning step has ended (READY is written before the step's own end), so the
 * record no longer changes. Throws if it ends FAILED or ROLLBACK_FAILED.
 */
export async function createReadyVolume<V>(
  stack: LocalStack,
  name: string,
  reclaimPolicy: 'Delete' | 'Retain',
  namespace = 'team-a',
): Promise<V> {
  const created = await expectContract(
    'createVolume',
    await fetch(
      `${stack.api}/volumes`,
      json({ clusterName: stack.clusterName, namespace, name, reclaimPolicy }),
    ),
  );
  const { id } = created.json as { id: string };
  return eventually(async () => {
    const volume = await fetchVolume<VolumeProgress>(stack, id);
    if (volume.status === 'FAILED' || volume.status === 'ROLLBACK_FAILED') {
      throw new Error(`volume ${id} ended ${volume.status}`);
    }
    const settled =
      volume.status === 'READY' && volume.steps.CompleteProvisioning?.status === 'SUCCEEDED';
    return settled ? (volume as V) : undefined;
  }, 240_000);
}

/** The statuses a provisioning workflow ends in. */
const PROVISION_ENDS = ['READY', 'FAILED', 'ROLLBACK_FAILED'];

/**
 * POST /volumes for claim `name` in team-a (with `body`'s other fields), then waits until its
 * provisioning workflow has ended, READY or not, and returns the volume as the test sees it.
 */
export async function provisionedVolume<V extends { readonly status: string }>(
  stack: LocalStack,
  name: string,
  body: Record<string, unknown> = {},
  timeoutMs = 60_000,
): Promise<V> {
  const created = await expectContract(
    'createVolume',
    await fetch(
      `${stack.api}/volumes`,
      json({ clusterName: stack.clusterName, namespace: 'team-a', name, ...body }),
    ),
  );
  const { id } = created.json as { id: string };
  return eventually(async () => {
    const volume = await fetchVolume<V & VolumeProgress>(stack, id);
    if (!PROVISION_ENDS.includes(volume.status)) return undefined;
    // READY is written before CompleteProvisioning announces it and ends: wait for the end, so
    // what the step still does (its event, its metrics) has happened.
    const ended =
      volume.status !== 'READY' || volume.steps.CompleteProvisioning?.status === 'SUCCEEDED';
    return ended ? (volume as V) : undefined;
  }, timeoutMs);
}
