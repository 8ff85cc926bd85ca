// Runs the real ASL files with aws-local-stepfunctions (runLocalWorkflow) against moto and the
// Kubernetes emulator, each Task bound to its production handler, and records what Step
// Functions would bill: state transitions (StateEntered + StateRetried events) and every
// Lambda invocation with its duration.
//
// The CheckMountTargets task is the one replaced: it calls checkMountTargets(state, deps, now)
// from functions/lib/workflow/aws-steps.ts with deps whose EFS client reports the mount
// targets as `creating` until the simulated wait has passed (delayed-mount-targets.ts) and,
// in simulated time, with a clock that each Wait advances by the seconds the check asked for.
//
// Import this module only once the environment points at moto (the handlers' modules create
// their SDK clients when loaded).
import { awsStepDependencies } from '../functions/commons/helpers/step-dependencies.ts';
import { type ServiceSettings, serviceSettings } from '../functions/lib/config.ts';
import { newVolumeId } from '../functions/lib/volume/names.ts';
import type { VolumeRecordStore } from '../functions/lib/volume/record.ts';
import { type VolumeSpec, validateVolumeRequest } from '../functions/lib/volume/request.ts';
import { checkMountTargets } from '../functions/lib/workflow/aws-steps.ts';
import { type StepEvent, verifiedStepState } from '../functions/lib/workflow/execution.ts';
import type { ExecutionInput, WaitProgress } from '../functions/lib/workflow/state.ts';
import {
  PROVISION_ASL,
  runLocalWorkflow,
  type TaskHandler,
  unwrapExecutionError,
} from '../local/step-functions/local-workflow.ts';
import { DelayedMountTargets, VirtualClock } from './delayed-mount-targets.ts';

export const DEPROVISION_ASL = new URL('../statemachine/deprovision.asl.json', import.meta.url);

export interface TaskCall {
  /** The `${…FunctionArn}` name: `CheckMountTargets`. */
  readonly functionName: string;
  readonly ms: number;
  readonly ok: boolean;
}

export interface WorkflowRun {
  readonly volumeId: string;
  readonly spec: VolumeSpec;
  /** StateEntered + StateRetried events: what Step Functions Standard bills. */
  readonly transitions: number;
  readonly retries: number;
  /** Times each state was entered. */
  readonly entered: Readonly<Record<string, number>>;
  readonly calls: readonly TaskCall[];
  /** The volume record's status once the execution ended. */
  readonly status: string;
  readonly error?: string;
  readonly elapsedMs: number;
}

export interface ProvisionRun extends WorkflowRun {
  /** CheckMountTargets invocations. */
  readonly mountTargetChecks: number;
  /** Simulated seconds the Wait states added (simulated time only). */
  readonly waitedSeconds: number;
  /** Real time only (Date.now() ms): when the mount targets became available, … */
  readonly availableAt?: number;
  /** … when a check first found them available, … */
  readonly detectedAt?: number;
  /** … and when CompleteProvisioning had made the record READY. */
  readonly readyAt?: number;
}

export interface ProvisionOptions {
  readonly clusterName: string;
  readonly namespace: string;
  readonly name: string;
  readonly reclaimPolicy: 'Delete' | 'Retain';
  /** How long the mount targets take to become available after CreateMountTargets. */
  readonly mountTargetDelaySeconds: number;
  /** `simulated`: Wait states take 0 ms and advance a virtual clock; `real`: they wait. */
  readonly time: 'simulated' | 'real';
  /** Settings for the CheckMountTargets step (first wait, poll, DNS delay), over the defaults. */
  readonly settings?: Partial<ServiceSettings>;
}

type Replacements = Partial<Record<string, TaskHandler>>;
type Observer = (functionName: string, output: unknown) => void;

async function execute(
  file: URL,
  input: ExecutionInput,
  records: VolumeRecordStore,
  options: {
    /** The name the volume's record gives the execution: the steps run only for it. */
    executionName: string;
    waitMilliseconds?: number;
    replace?: Replacements;
    observe?: Observer;
  },
): Promise<WorkflowRun> {
  const calls: TaskCall[] = [];
  const started = performance.now();
  const execution = runLocalWorkflow(file, input, {
    executionName: options.executionName,
    ...(options.waitMilliseconds === undefined
      ? {}
      : { waitMilliseconds: options.waitMilliseconds }),
    retryMilliseconds: 0,
    wrap: (functionName, handler) => async (event) => {
      const invoke = options.replace?.[functionName] ?? handler;
      const callStarted = performance.now();
      let ok = false;
      try {
        const output = await invoke(event);
        ok = true;
        options.observe?.(functionName, output);
        return output;
      } finally {
        calls.push({ functionName, ms: performance.now() - callStarted, ok });
      }
    },
  });
  const entered: Record<string, number> = {};
  let transitions = 0;
  let retries = 0;
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        transitions++;
        entered[event.state.name] = (entered[event.state.name] ?? 0) + 1;
      } else if (event.type === 'StateRetried') {
        transitions++;
        retries++;
      }
    }
  })();
  let error: string | undefined;
  try {
    await execution.result;
  } catch (caught) {
    const unwrapped = unwrapExecutionError(caught);
    error = `${unwrapped.name}: ${unwrapped.message}`;
  }
  await collecting;
  const record = await records.require(input.volumeId);
  return {
    volumeId: input.volumeId,
    spec: record.spec,
    transitions,
    retries,
    entered,
    calls,
    status: record.status,
    ...(error ? { error } : {}),
    elapsedMs: performance.now() - started,
  };
}

/** Records a volume as the API would (PENDING), then runs statemachine/provision.asl.json. */
export async function provisionVolume(
  records: VolumeRecordStore,
  options: ProvisionOptions,
): Promise<ProvisionRun> {
  const volumeId = newVolumeId();
  const spec = validateVolumeRequest({
    clusterName: options.clusterName,
    namespace: options.namespace,
    name: options.name,
    reclaimPolicy: options.reclaimPolicy,
  });
  await records.create(volumeId, spec, { executionName: volumeId });

  const virtual = options.time === 'simulated' ? new VirtualClock() : undefined;
  const now = virtual?.now ?? (() => new Date());
  const mountTargets = new DelayedMountTargets({
    availableAfterMs: options.mountTargetDelaySeconds * 1000,
    now,
  });
  const deps = {
    ...awsStepDependencies(),
    efs: mountTargets.client,
    settings: { ...serviceSettings(), ...options.settings },
  };
  let mountTargetIds: readonly string[] = [];
  let detectedAt: number | undefined;
  let readyAt: number | undefined;
  let checks = 0;
  const replace: Replacements = {
    CheckMountTargets: async (event) => {
      checks++;
      const checkedAt = Date.now();
      // In simulated time the check's look-ahead advances the virtual clock instead of sleeping
      // (up to MOUNT_TARGET_LOOK_AHEAD_SECONDS of real time per check otherwise).
      const sleep = virtual ? async (seconds: number) => virtual.advance(seconds) : undefined;
      const state = await verifiedStepState(event as StepEvent, deps.records, 'CheckMountTargets');
      const progress: WaitProgress = await checkMountTargets(state, deps, now, sleep);
      if (progress.availableAt && detectedAt === undefined) detectedAt = checkedAt;
      // The Wait state that follows takes 0 ms here; in simulated time it takes this long.
      if (!progress.done) virtual?.advance(progress.waitSeconds);
      return progress;
    },
  };
  const observe: Observer = (functionName, output) => {
    if (functionName === 'CreateMountTargets') {
      mountTargetIds = (output as { mountTargetIds?: string[] }).mountTargetIds ?? [];
      mountTargets.markCreated(mountTargetIds);
    } else if (functionName === 'CompleteProvisioning') {
      readyAt = Date.now();
    }
  };
  const run = await execute(PROVISION_ASL, { volumeId, operation: 'provision' }, records, {
    executionName: volumeId,
    ...(virtual ? { waitMilliseconds: 0 } : {}),
    replace,
    observe,
  });
  const availableAt = virtual ? undefined : mountTargets.availableAt(mountTargetIds);
  return {
    ...run,
    mountTargetChecks: checks,
    waitedSeconds: virtual?.waitedSeconds ?? 0,
    ...(availableAt === undefined ? {} : { availableAt }),
    ...(detectedAt === undefined || virtual ? {} : { detectedAt }),
    ...(readyAt === undefined || virtual ? {} : { readyAt }),
  };
}

/**
 * Deletes a READY volume as DELETE /volumes/{id} does (record DELETING, then
 * statemachine/deprovision.asl.json); its reclaim policy decides whether the file system goes.
 */
export async function deprovisionVolume(
  records: VolumeRecordStore,
  provisioned: WorkflowRun,
): Promise<WorkflowRun> {
  const executionName = `${provisioned.volumeId}-delete-bench`;
  await records.beginDeletion(provisioned.volumeId, executionName);
  return execute(
    DEPROVISION_ASL,
    { volumeId: provisioned.volumeId, operation: 'deprovision' },
    records,
    { executionName, waitMilliseconds: 0 },
  );
}
