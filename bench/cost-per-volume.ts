// Cost per volume: one provisioning for each simulated mount-target wait and one
// deprovisioning, counted as Step Functions bills them (state transitions) plus the Lambda
// invocations and GB-seconds of their measured durations. Simulated time: the Wait states take
// 0 ms and a virtual clock advances by their seconds (workflow-runs.ts).
import { type ServiceSettings, serviceSettings } from '../functions/lib/config.ts';
import type { VolumeRecordStore } from '../functions/lib/volume/record.ts';
import { type CostEstimate, estimateCost } from './pricing.ts';
import {
  deprovisionVolume,
  type ProvisionRun,
  provisionVolume,
  type WorkflowRun,
} from './workflow-runs.ts';

const WAIT_SETTINGS = [
  'MOUNT_TARGET_FIRST_WAIT_SECONDS',
  'MOUNT_TARGET_POLL_SECONDS',
  'MOUNT_TARGET_DNS_DELAY_SECONDS',
  'MOUNT_TARGET_MAX_CHECKS',
] as const;

/** The code's defaults (functions/lib/config.ts), whatever this process's environment says. */
export function defaultSettings(): ServiceSettings {
  const saved = WAIT_SETTINGS.map((name) => [name, process.env[name]] as const);
  for (const name of WAIT_SETTINGS) delete process.env[name];
  try {
    return serviceSettings();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

export interface WaitSettings {
  readonly firstWaitSeconds: number;
  readonly pollSeconds: number;
  readonly dnsDelaySeconds: number;
}

function waitSettingsOf(settings: ServiceSettings): WaitSettings {
  return {
    firstWaitSeconds: settings.mountTargetFirstWaitSeconds,
    pollSeconds: settings.mountTargetPollSeconds,
    dnsDelaySeconds: settings.mountTargetDnsDelaySeconds,
  };
}

export interface CostScenario {
  readonly name: string;
  readonly mountTargetWaitSeconds?: number;
  readonly settings?: WaitSettings;
  readonly status: string;
  readonly error?: string;
  readonly transitions: number;
  readonly mountTargetChecks?: number;
  /** Simulated seconds spent in Wait states. */
  readonly waitedSeconds?: number;
  /** With each function's memory as the stack sets it. */
  readonly cost: CostEstimate;
  /** The same, every function at 256 MB. */
  readonly costAt256MB: CostEstimate;
  readonly invocations: Readonly<Record<string, number>>;
}

export interface CostContext {
  readonly records: VolumeRecordStore;
  readonly clusterName: string;
  readonly namespace: string;
  /** A function's memory (MB) by its ASL name (`CheckMountTargets`), from the stack. */
  readonly memoryOf: (functionName: string) => number;
  /** The wait settings the CDK stack deploys, when the synth told them. */
  readonly deployedSettings?: Partial<ServiceSettings>;
  readonly onProgress?: (message: string) => void;
}

function scenarioOf(
  name: string,
  run: WorkflowRun | ProvisionRun,
  context: CostContext,
  extra: Partial<CostScenario> = {},
): CostScenario {
  const invocations: Record<string, number> = {};
  for (const call of run.calls) {
    invocations[call.functionName] = (invocations[call.functionName] ?? 0) + 1;
  }
  const withMemory = run.calls.map((call) => ({
    ms: call.ms,
    memoryMB: context.memoryOf(call.functionName),
  }));
  return {
    name,
    status: run.status,
    ...(run.error ? { error: run.error } : {}),
    transitions: run.transitions,
    ...('mountTargetChecks' in run
      ? { mountTargetChecks: run.mountTargetChecks, waitedSeconds: run.waitedSeconds }
      : {}),
    cost: estimateCost(run.transitions, withMemory),
    costAt256MB: estimateCost(
      run.transitions,
      run.calls.map((call) => ({ ms: call.ms, memoryMB: 256 })),
    ),
    invocations,
    ...extra,
  };
}

export interface CostResults {
  readonly defaults: WaitSettings;
  readonly provision: CostScenario[];
  readonly deprovision: CostScenario;
  readonly deprovisionRetain: CostScenario;
  /** 90 s wait with the settings the stack deploys (its environment), when known. */
  readonly deployed?: CostScenario;
  /** 90 s wait, default first wait and DNS delay, other poll intervals. */
  readonly pollTradeoff: CostScenario[];
}

export async function measureCostPerVolume(context: CostContext): Promise<CostResults> {
  const defaults = defaultSettings();
  let sequence = 0;
  const provision = async (
    waitSeconds: number,
    reclaimPolicy: 'Delete' | 'Retain',
    settings: ServiceSettings,
  ) =>
    provisionVolume(context.records, {
      clusterName: context.clusterName,
      namespace: context.namespace,
      name: `cost-${waitSeconds}s-${sequence++}`,
      reclaimPolicy,
      mountTargetDelaySeconds: waitSeconds,
      time: 'simulated',
      settings,
    });

  // Not counted: the first run of each handler in this process pays for module and connection
  // warm-up that a warm Lambda would not.
  await deprovisionVolume(context.records, await provision(0, 'Delete', defaults));
  const scenarios: CostScenario[] = [];
  const provisioned: ProvisionRun[] = [];
  for (const [waitSeconds, reclaimPolicy] of [
    [0, 'Delete'],
    [90, 'Retain'],
    [300, 'Delete'],
  ] as const) {
    const run = await provision(waitSeconds, reclaimPolicy, defaults);
    provisioned.push(run);
    scenarios.push(
      scenarioOf(`provision, mount targets ${waitSeconds} s`, run, context, {
        mountTargetWaitSeconds: waitSeconds,
        settings: waitSettingsOf(defaults),
      }),
    );
    context.onProgress?.(
      `provision with a ${waitSeconds} s mount-target wait: ${run.transitions} transitions, ${run.status}`,
    );
  }
  const [zero, ninety] = provisioned;
  if (!zero || !ninety) throw new Error('the provisioning runs did not happen');
  const deprovision = scenarioOf(
    'deprovision (reclaim Delete)',
    await deprovisionVolume(context.records, zero),
    context,
  );
  const deprovisionRetain = scenarioOf(
    'deprovision (reclaim Retain)',
    await deprovisionVolume(context.records, ninety),
    context,
  );
  context.onProgress?.(
    `deprovision: ${deprovision.transitions} transitions (Delete), ${deprovisionRetain.transitions} (Retain)`,
  );

  let deployed: CostScenario | undefined;
  if (context.deployedSettings) {
    const settings = { ...defaults, ...context.deployedSettings };
    deployed = scenarioOf(
      'provision, 90 s, deployed settings',
      await provision(90, 'Delete', settings),
      context,
      { mountTargetWaitSeconds: 90, settings: waitSettingsOf(settings) },
    );
  }

  const pollTradeoff: CostScenario[] = [];
  for (const pollSeconds of [5, 10, 15, 30]) {
    const settings = { ...defaults, mountTargetPollSeconds: pollSeconds };
    pollTradeoff.push(
      scenarioOf(
        `provision, 90 s, poll ${pollSeconds} s`,
        await provision(90, 'Delete', settings),
        context,
        {
          mountTargetWaitSeconds: 90,
          settings: waitSettingsOf(settings),
        },
      ),
    );
  }
  return {
    defaults: waitSettingsOf(defaults),
    provision: scenarios,
    deprovision,
    deprovisionRetain,
    ...(deployed ? { deployed } : {}),
    pollTradeoff,
  };
}
