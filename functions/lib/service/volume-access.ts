import { problems } from '../problems/problem.ts';
import type { VolumeRecord, VolumeRecordStore } from '../volume/record.ts';
import { type AccessPolicy, authorize } from './access-policy.ts';

/** What reading volumes needs: the records and who may see what. */
export interface ReadDependencies {
  readonly records: VolumeRecordStore;
  readonly policy: AccessPolicy;
}

/** A volume the caller may see; 404 for one it may not, so ids of others do not leak. */
export async function visibleRecord(
  deps: ReadDependencies,
  id: string,
  caller: string,
): Promise<VolumeRecord> {
  const record = await deps.records.get(id);
  if (!record || !authorize(deps.policy, caller, record.clusterName, record.namespace).allowed) {
    throw problems.volumeNotFound(id);
  }
  return record;
}
