import { toVolume, type Volume, type VolumeListQuery } from '../volume/record.ts';
import { authorize } from './access-policy.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

export async function getVolume(
  deps: ReadDependencies,
  id: string,
  caller: string,
): Promise<Volume> {
  try {
    return toVolume(await visibleRecord(deps, id, caller));
  } catch (error) {
    return asProblem(error);
  }
}

/**
 * GET /volumes: the volumes the caller may see, newest first. Authorization filters while
 * paging, so every page but the last is full and no page is empty with a `nextToken`.
 */
export async function listVolumes(
  deps: ReadDependencies,
  query: VolumeListQuery,
  caller: string,
): Promise<{ items: Volume[]; nextToken?: string }> {
  try {
    const page = await deps.records.list(
      query,
      (record) => authorize(deps.policy, caller, record.clusterName, record.namespace).allowed,
    );
    return {
      items: page.items.map(toVolume),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  } catch (error) {
    return asProblem(error);
  }
}
