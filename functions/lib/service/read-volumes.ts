import { withMonthlyCost } from '../pricing/prices.ts';
import {
  toVolume,
  type Volume,
  type VolumeListQuery,
  type VolumeRecord,
} from '../volume/record.ts';
import { authorize } from './access-policy.ts';
import { listPartitions } from './list-scope.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

/** A record as the API shows it, its metered size priced in the Region the functions run in. */
const shown = (record: VolumeRecord): Volume =>
  withMonthlyCost(toVolume(record), process.env.AWS_REGION);

export async function getVolume(
  deps: ReadDependencies,
  id: string,
  caller: string,
): Promise<Volume> {
  try {
    return shown(await visibleRecord(deps, id, caller));
  } catch (error) {
    return asProblem(error);
  }
}

/**
 * GET /volumes: the volumes the caller may see, newest first. Only the index partitions that
 * hold them are read (list-scope.ts), a bounded number of Query calls per page
 * (list-pages.ts): a page may be short, or empty, with a `nextToken`; the last page has none.
 * Authorization checks each volume read as well, so a partition too wide never shows more.
 */
export async function listVolumes(
  deps: ReadDependencies,
  query: VolumeListQuery,
  caller: string,
): Promise<{ items: Volume[]; nextToken?: string }> {
  try {
    const page = await deps.records.list(query, {
      partitions: listPartitions(deps.policy, caller, query),
      visible: (record) =>
        authorize(deps.policy, caller, record.clusterName, record.namespace).allowed,
    });
    return {
      items: page.items.map(shown),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  } catch (error) {
    return asProblem(error);
  }
}
