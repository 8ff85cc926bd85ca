import { DescribeAccessPointsCommand, type EFSClient } from '@aws-sdk/client-efs';
import type { AccessPointResult } from '../aws/access-point-result.ts';
import { describeFileSystem, type FileSystemResult } from '../aws/file-system.ts';
import { errorName } from '../aws/transient.ts';
import { RepairRefusedError, VolumeRecordStateError } from '../errors.ts';
import {
  checkVolumeHealth,
  type HealthCheckDependencies,
  type VolumeHealth,
} from '../health/check.ts';
import { allowedFrom } from '../volume/lifecycle.ts';
import { announceVolume, type LifecycleDetailType } from '../volume/lifecycle-events.ts';
import type { VolumeFailure, VolumeRecord, VolumeRecordStore } from '../volume/record.ts';
import type { AwsStepDependencies } from '../workflow/dependencies.ts';
import { failureOf } from '../workflow/lifecycle-steps.ts';
import { REPAIR_STEP, runStep, withClassifiedErrors } from '../workflow/run-step.ts';
import type { StepState } from '../workflow/state.ts';

/** What the steps that end a repair need: records, the bus, and a health check's readers. */
export type RepairDependencies = Pick<AwsStepDependencies, 'records' | 'events' | 'settings'> &
  HealthCheckDependencies;

/**
 * The record of the repair this execution runs. A repair step acts only for the execution the
 * record names: a stray or late execution must never touch a volume it does not repair.
 * @throws VolumeRecordStateError when the volume is not being repaired by this execution
 */
async function repairedRecord(records: VolumeRecordStore, state: StepState): Promise<VolumeRecord> {
  const record = await records.require(state.volumeId);
  if (
    !allowedFrom('repairStepStarted').includes(record.status) ||
    record.repairExecutionName !== state.executionName
  ) {
    throw new VolumeRecordStateError(
      `volume ${state.volumeId} is ${record.status}${record.repairExecutionName ? ` (repair ${record.repairExecutionName})` : ''}, not repaired by ${state.executionName ?? 'this execution'}`,
    );
  }
  return record;
}

/** Whether an access point is still there and usable (not deleting or deleted). */
async function accessPointExists(efs: EFSClient, accessPointId: string): Promise<boolean> {
  try {
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: accessPointId }),
    );
    const state = AccessPoints[0]?.LifeCycleState;
    return AccessPoints.length > 0 && state !== 'deleting' && state !== 'deleted';
  } catch (error) {
    if (errorName(error) === 'AccessPointNotFound') return false;
    throw error;
  }
}

/** What a repair works on: the volume's recorded resources, as provisioning left them. */
export interface RepairTarget {
  readonly fileSystem: FileSystemResult;
  readonly securityGroup: { readonly securityGroupId: string };
  readonly accessPoint: AccessPointResult;
  /** Whether the repair ends with VerifyMount (its request asked: the execution's input). */
  readonly verifyMount: boolean;
}

/**
 * The first step of a repair: the volume is REPAIRING for this execution (the API moved it
 * there), its file system and access point are still there, and it reads the recorded
 * resources the provisioning steps it reuses need (`fileSystem`, `securityGroup`,
 * `accessPoint`). The API refused the repair already when its check found data gone; this
 * looks again because the data may have gone since, and a repair never replaces it.
 *
 * @returns the recorded resources, which the ASL's next state puts where the provisioning steps
 *   read them
 * @throws RepairRefusedError when the file system or the access point is gone
 */
export function beginRepair(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<RepairTarget> {
  return runStep(
    deps.records,
    state.volumeId,
    'BeginRepair',
    async () => {
      const record = await repairedRecord(deps.records, state);
      const { fileSystemId, accessPointId, securityGroupId } = record.resources;
      if (!fileSystemId || !accessPointId) {
        throw new RepairRefusedError(
          `volume ${state.volumeId} records no file system or access point: there is nothing to repair onto`,
        );
      }
      const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
      const lifeCycle = fileSystem?.LifeCycleState;
      if (!fileSystem || lifeCycle === 'deleting' || lifeCycle === 'deleted') {
        throw new RepairRefusedError(
          `file system ${fileSystemId} ${fileSystem ? `is ${lifeCycle}` : 'no longer exists'}: its data is gone, and a repair never replaces it`,
        );
      }
      if (!(await accessPointExists(deps.efs, accessPointId))) {
        throw new RepairRefusedError(
          `access point ${accessPointId} no longer exists: a new one would be a new volume, and a repair never replaces it`,
        );
      }
      return {
        result: {
          fileSystem: {
            fileSystemId,
            shared: record.resources.fileSystemShared ?? record.spec.fileSystemId !== undefined,
          },
          securityGroup: { securityGroupId: securityGroupId ?? '' },
          accessPoint: { accessPointId },
          verifyMount: state.verifyMount === true,
        },
      };
    },
    REPAIR_STEP,
  );
}

/** A repair's event also carries the health it left and the repair's outcome. */
async function announce(
  deps: RepairDependencies,
  detailType: LifecycleDetailType,
  record: VolumeRecord,
): Promise<void> {
  await announceVolume(deps, detailType, record, {
    ...(record.health ? { health: record.health } : {}),
    ...(record.repair ? { repair: record.repair } : {}),
  });
}

/** The findings of a health check, as one failure message. */
function stillDrifted(health: VolumeHealth): VolumeFailure {
  return {
    step: 'CompleteRepair',
    name: 'VolumeStillDrifted',
    message: health.findings
      .map((finding) => finding.problem)
      .join('; ')
      .slice(0, 1000),
  };
}

/**
 * The last step of a repair: checks the volume again, and the volume is READY with the health
 * it found. The repair SUCCEEDED when the volume is HEALTHY (`Volume Repaired`); when
 * something is still drifted (changed again meanwhile, or not repairable after all), it
 * FAILED with the findings (`Volume Repair Failed`).
 */
export function completeRepair(
  state: StepState,
  deps: RepairDependencies,
): Promise<{ status: 'READY'; health: VolumeHealth['state'] }> {
  return runStep(
    deps.records,
    state.volumeId,
    'CompleteRepair',
    async () => {
      const record = await repairedRecord(deps.records, state);
      const health = await checkVolumeHealth(deps, record);
      const healthy = health.state === 'HEALTHY';
      const updated = await deps.records.endRepair(
        state.volumeId,
        record.repairExecutionName ?? '',
        {
          status: healthy ? 'SUCCEEDED' : 'FAILED',
          health,
          ...(healthy ? {} : { error: stillDrifted(health) }),
        },
      );
      await announce(deps, healthy ? 'Volume Repaired' : 'Volume Repair Failed', updated);
      return { result: { status: 'READY' as const, health: health.state } };
    },
    REPAIR_STEP,
  );
}

/**
 * A repair could not finish. Nothing is rolled back: everything the repair may have created
 * (a mount target, a PersistentVolume or claim) is something the volume should have, and
 * nothing pods mount is ever deleted. The volume is READY again, its repair FAILED with the
 * error, and its health as a fresh check finds it (DRIFTED with the findings it had when the
 * check cannot look: an outage is no proof the volume is healthy). Acts only when the record
 * names this execution's repair.
 */
export async function recordRepairFailure(
  state: StepState,
  deps: RepairDependencies,
): Promise<{ status: VolumeRecord['status']; recorded: boolean }> {
  return withClassifiedErrors(async () => {
    const record = await deps.records.get(state.volumeId);
    const executionName = record?.repairExecutionName;
    if (
      !record ||
      !allowedFrom('repairEnded').includes(record.status) ||
      executionName === undefined ||
      executionName !== state.executionName
    ) {
      // Not this execution's repair (a stray start, or one that already ended): not ours.
      return { status: record?.status ?? 'DELETED', recorded: false };
    }
    const now = (deps.now ?? (() => new Date()))();
    const health: VolumeHealth = await checkVolumeHealth(deps, record).catch(() => ({
      state: 'DRIFTED' as const,
      checkedAt: record.health?.checkedAt ?? now.toISOString(),
      findings: record.health?.findings ?? [],
    }));
    const updated = await deps.records.endRepair(state.volumeId, executionName, {
      status: 'FAILED',
      error: failureOf(state.failedStep ?? 'unknown', state.failure),
      health,
    });
    await announce(deps, 'Volume Repair Failed', updated);
    return { status: updated.status, recorded: true };
  });
}
