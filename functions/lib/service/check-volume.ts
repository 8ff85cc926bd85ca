import { VolumeRecordStateError } from '../errors.ts';
import type { VolumeHealth } from '../health/check.ts';
import type { RecordedCheckDependencies } from '../health/record-health.ts';
import { checkAndRecordHealth } from '../health/record-health.ts';
import { problems } from '../problems/problem.ts';
import { allowedFrom } from '../volume/lifecycle.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

/**
 * POST /volumes/{id}/check: runs the scheduled health check now and answers what it found.
 * Open to whoever may read the volume (a check changes nothing but the recorded health).
 *
 * @throws ProblemError 404 for a volume the caller may not see, 409 for one not READY
 */
export async function checkVolume(
  deps: RecordedCheckDependencies & ReadDependencies,
  id: string,
  caller: string,
): Promise<VolumeHealth> {
  try {
    const record = await visibleRecord(deps, id, caller);
    if (!allowedFrom('healthChecked').includes(record.status)) throw notReady(id, record.status);
    return (await checkAndRecordHealth(deps, record)).health;
  } catch (error) {
    // It left READY while being checked (a DELETE started): as if it had not been READY.
    if (error instanceof VolumeRecordStateError) {
      const now = await deps.records.get(id);
      throw notReady(id, now?.status ?? 'gone');
    }
    return asProblem(error);
  }
}

function notReady(id: string, status: string) {
  const checked = allowedFrom('healthChecked').join(' or ');
  return problems.volumeBusy(`volume ${id} is ${status}: only a ${checked} volume is checked`);
}
