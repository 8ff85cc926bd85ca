// The mount-target wait under the AWS model, in simulated time: provisions whose file system
// and mount targets take as long as local/aws-model/durations.ts draws (scale 1, seeded), run
// through statemachine/provision.asl.json by a small interpreter of the states it uses (Task
// with Retry, Choice, Wait, Succeed), with the real CheckMountTargets step
// (functions/lib/workflow/aws-steps.ts) answering from a clock that only the Wait states,
// the retries and the step's own look-ahead advance. Nothing sleeps: 200 provisions take well
// under a second.
//
// What it counts, per provision: time to READY; state transitions as Step Functions bills
// them (every state entered, plus every retry); the detection lag (the last mount target
// turns available → the check that saw it); Lambda invocations and GB-seconds; the cost.
import { readFileSync } from 'node:fs';
import type { EFSClient } from '@aws-sdk/client-efs';
import { DescribeMountTargetsCommand } from '@aws-sdk/client-efs';
import type { ServiceSettings } from '../functions/lib/config.ts';
import type { VolumeRecordStore } from '../functions/lib/volume/record.ts';
import { checkMountTargets } from '../functions/lib/workflow/aws-steps.ts';
import type { StepState, WaitProgress } from '../functions/lib/workflow/state.ts';
import { AWS_DURATIONS, drawSeconds } from '../local/aws-model/durations.ts';
import { type CostEstimate, estimateCost } from './pricing.ts';
import { percentile, seededRandom } from './stats.ts';

export const PROVISION_ASL_FILE = new URL('../statemachine/provision.asl.json', import.meta.url);

/** Three zones, as local mode's demo cluster and most EKS clusters have: one mount target each. */
export const MOUNT_TARGETS_PER_VOLUME = 3;
/**
 * What one invocation of a step takes and bills, apart from the check's look-ahead: a warm
 * Lambda making one or two AWS calls (the bench's cost section measures the real ones).
 */
export const INVOCATION_SECONDS = 0.1;
/** As infra/workflow.ts sizes them: the Kubernetes steps 512 MB, the others 256 MB. */
const KUBERNETES_STEPS = new Set(['ApplyManifests', 'CheckClaimBound', 'DeleteManifests']);
function memoryOf(functionName: string): number {
  return KUBERNETES_STEPS.has(functionName) ? 512 : 256;
}

/** The settings the wait depends on: the check's (functions/lib/config.ts) and the ASL's retry. */
export interface WaitSettings {
  readonly firstWaitSeconds: number;
  readonly pollSeconds: number;
  readonly lookAheadSeconds: number;
  readonly lookIntervalSeconds: number;
  readonly dnsDelaySeconds: number;
  /** CreateMountTargets' Retry on FileSystemNotReadyError. */
  readonly fileSystemRetry: AslRetrier;
  /**
   * The workflow as it was until the wait was tuned to 20 transitions: after the DNS delay's
   * Wait, CheckMountTargets ran once more (Task + Choice) before ApplyManifests.
   */
  readonly checkAfterDnsDelay: boolean;
  /**
   * The DNS delay counts from the mount targets' creation (CreateMountTargets records
   * `createdAt`); before, from the check that found them available.
   */
  readonly dnsDelayFromCreation: boolean;
}

/** The file-system retrier since the first tuning: a file system is `available` in 3–10 s. */
const FILE_SYSTEM_RETRY_10S: AslRetrier = {
  ErrorEquals: ['FileSystemNotReadyError'],
  IntervalSeconds: 10,
  MaxAttempts: 10,
  BackoffRate: 1.5,
  MaxDelaySeconds: 15,
};

/**
 * The settings before this tuning (main at c80db11): look-ahead 75 s, poll 20 s, and a check
 * after the DNS delay. What results.json calls `model.previousSettings`.
 */
export const PREVIOUS_SETTINGS: WaitSettings = {
  firstWaitSeconds: 75,
  pollSeconds: 20,
  lookAheadSeconds: 75,
  lookIntervalSeconds: 1,
  dnsDelaySeconds: 90,
  fileSystemRetry: FILE_SYSTEM_RETRY_10S,
  checkAfterDnsDelay: true,
  dnsDelayFromCreation: false,
};

/** The wait before any look-ahead (config.ts and provision.asl.json at 4774604). */
export const BEFORE_LOOK_AHEAD_SETTINGS: WaitSettings = {
  firstWaitSeconds: 60,
  pollSeconds: 15,
  lookAheadSeconds: 0,
  lookIntervalSeconds: 1,
  dnsDelaySeconds: 90,
  fileSystemRetry: {
    ErrorEquals: ['FileSystemNotReadyError'],
    IntervalSeconds: 2,
    MaxAttempts: 10,
    BackoffRate: 1.5,
    MaxDelaySeconds: 15,
  },
  checkAfterDnsDelay: true,
  dnsDelayFromCreation: false,
};

// ---- the part of the States Language this workflow's happy path uses

export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly ResultPath?: string;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: ReadonlyArray<{
    readonly ErrorEquals: readonly string[];
    readonly Next: string;
  }>;
  readonly Choices?: ReadonlyArray<AslChoiceRule & { readonly Next: string }>;
  readonly Default?: string;
  readonly Seconds?: number;
  readonly SecondsPath?: string;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

export function readProvisionDefinition(): AslDefinition {
  return JSON.parse(readFileSync(PROVISION_ASL_FILE, 'utf8')) as AslDefinition;
}

/** The ASL with CreateMountTargets' FileSystemNotReadyError retrier replaced. */
export function withFileSystemRetry(definition: AslDefinition, retrier: AslRetrier): AslDefinition {
  const state = definition.States.CreateMountTargets;
  if (!state?.Retry) throw new Error('provision.asl.json has no CreateMountTargets Retry');
  return {
    ...definition,
    States: {
      ...definition.States,
      CreateMountTargets: {
        ...state,
        Retry: state.Retry.map((entry) =>
          entry.ErrorEquals.includes('FileSystemNotReadyError') ? retrier : entry,
        ),
      },
    },
  };
}

/**
 * The ASL as it was before the DNS delay's Wait went straight to ApplyManifests: every path
 * out of MountTargetsAvailable? but `done` goes back through CheckMountTargets.
 */
export function withCheckAfterDnsDelay(definition: AslDefinition): AslDefinition {
  const choice = definition.States['MountTargetsAvailable?'];
  if (!choice?.Choices) throw new Error('provision.asl.json has no MountTargetsAvailable? Choice');
  return {
    ...definition,
    States: {
      ...definition.States,
      'MountTargetsAvailable?': {
        ...choice,
        Choices: choice.Choices.filter((rule) => rule.IsPresent === undefined),
      },
    },
  };
}

/** The FileSystemNotReadyError retrier the ASL file holds. */
export function fileSystemRetryOf(definition: AslDefinition): AslRetrier {
  const retrier = definition.States.CreateMountTargets?.Retry?.find((entry) =>
    entry.ErrorEquals.includes('FileSystemNotReadyError'),
  );
  if (!retrier) throw new Error('provision.asl.json has no FileSystemNotReadyError retrier');
  return retrier;
}

/**
 * The delay before retry `attempt` (1 = the first retry), as Step Functions computes it:
 * IntervalSeconds × BackoffRate^(attempt − 1), capped by MaxDelaySeconds; FULL jitter draws
 * uniformly below that.
 */
export function retryDelaySeconds(
  retrier: AslRetrier,
  attempt: number,
  random: () => number,
): number {
  const base = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
  const capped = Math.min(base, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  return retrier.JitterStrategy === 'FULL' ? random() * capped : capped;
}

/** A Choice rule: a comparison of one variable, or `And` of rules. */
interface AslChoiceRule {
  readonly Variable?: string;
  readonly BooleanEquals?: boolean;
  readonly IsPresent?: boolean;
  readonly And?: readonly AslChoiceRule[];
}

function matches(state: Record<string, unknown>, rule: AslChoiceRule): boolean {
  if (rule.And) return rule.And.every((inner) => matches(state, inner));
  const value = rule.Variable === undefined ? undefined : read(state, rule.Variable);
  if (rule.BooleanEquals !== undefined) return value === rule.BooleanEquals;
  if (rule.IsPresent !== undefined) return (value !== undefined) === rule.IsPresent;
  return false;
}

function read(state: Record<string, unknown>, path: string): unknown {
  let value: unknown = state;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return value;
}

function placed(
  state: Record<string, unknown>,
  path: string | undefined,
  result: unknown,
): Record<string, unknown> {
  if (!path || path === '$') return result as Record<string, unknown>;
  const keys = path.replace(/^\$\./, '').split('.');
  if (keys.length !== 1) throw new Error(`ResultPath ${path}: only $.<field> is modelled`);
  return { ...state, [keys[0] as string]: result };
}

// ---- one simulated provision

class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface SimulatedProvision {
  readonly status: 'READY' | 'FAILED';
  readonly timeToReadySeconds: number;
  readonly transitions: number;
  readonly retries: number;
  readonly mountTargetChecks: number;
  /** The last mount target turns available → the check that saw them all available. */
  readonly detectionLagSeconds: number;
  /** The waits each CheckMountTargets asked for, in order (0 once done). */
  readonly waitsAsked: readonly number[];
  /** Seconds CheckMountTargets spent looking ahead inside its invocations. */
  readonly lookAheadSeconds: number;
  /** From CreateMountTargets' `createdAt` to the check that saw them all available. */
  readonly createdToDetectedSeconds: number;
  /** The DNS delay's Wait: what was left of the delay then (0: no Wait state ran). */
  readonly dnsWaitSeconds: number;
  /** From CreateMountTargets to the last of them turning available. */
  readonly slowestMountTargetSeconds: number;
  readonly cost: CostEstimate;
}

export interface SimulationOptions {
  /** The request takes a warm pool member (functions/lib/sweep/warm-pool.ts). @default false */
  readonly pool?: boolean;
}

/**
 * How long before a request a warm pool member's mount targets were made: the scheduled check
 * (every 15 minutes) refills the pool, so a member is at least minutes old when taken.
 */
export const POOL_MOUNT_TARGETS_AGE_SECONDS = 600;

/** No volume table in a simulation: the step records nothing. */
const NO_RECORDS = {
  stepStarted: async () => undefined,
  stepSucceeded: async () => undefined,
  stepFailed: async () => undefined,
} as unknown as VolumeRecordStore;

function serviceSettingsOf(settings: WaitSettings): ServiceSettings {
  return {
    volumesTable: 'simulated',
    allowRootPosixUser: false,
    kmsKeyId: undefined,
    namespaceNetworkIsolation: false,
    mountTargetFirstWaitSeconds: settings.firstWaitSeconds,
    mountTargetDnsDelaySeconds: settings.dnsDelaySeconds,
    mountTargetPollSeconds: settings.pollSeconds,
    mountTargetLookAheadSeconds: settings.lookAheadSeconds,
    mountTargetLookIntervalSeconds: settings.lookIntervalSeconds,
    mountTargetMaxChecks: 60,
    claimPollSeconds: 2,
    claimMaxChecks: 30,
    eventBusName: 'default',
    verifyMount: false,
    mountCheck: {
      image: 'simulated',
      timeoutSeconds: 180,
      pollSeconds: 10,
      cpu: '250m',
      memory: '64Mi',
    },
  };
}

/** Runs one provision through the ASL in simulated time. */
export async function simulateProvision(
  definition: AslDefinition,
  settings: WaitSettings,
  random: () => number,
  options: SimulationOptions = {},
): Promise<SimulatedProvision> {
  const EPOCH = Date.UTC(2025, 0, 1);
  let clock = 0;
  const now = () => new Date(EPOCH + clock * 1000);
  let fileSystemAvailableAt = Number.POSITIVE_INFINITY;
  let mountTargetsAvailableAt: number[] = [];
  let lookAhead = 0;
  const waitsAsked: number[] = [];
  let mountTargetsCreatedAt = Number.NaN;
  let dnsWaitSeconds = Number.NaN;

  const efs = {
    send: async (command: unknown) => {
      if (!(command instanceof DescribeMountTargetsCommand)) {
        throw new Error('the simulated EFS answers DescribeMountTargets only');
      }
      return {
        MountTargets: mountTargetsAvailableAt.map((availableAt, index) => ({
          MountTargetId: `fsmt-${index}`,
          FileSystemId: 'fs-simulated',
          LifeCycleState: clock >= availableAt ? 'available' : 'creating',
        })),
      };
    },
  } as unknown as EFSClient;
  const checkDependencies = { efs, records: NO_RECORDS, settings: serviceSettingsOf(settings) };

  const tasks: Record<string, (state: StepState) => Promise<unknown>> = {
    ResolveCluster: async () => ({}),
    CreateSecurityGroup: async () => ({ securityGroupId: 'sg-simulated' }),
    CreateFileSystem: async () => {
      // A warm pool member's file system is available already.
      fileSystemAvailableAt = options.pool
        ? clock
        : clock + drawSeconds(AWS_DURATIONS.fileSystemCreating, random);
      return { fileSystemId: 'fs-simulated', shared: false };
    },
    CreateMountTargets: async () => {
      if (clock < fileSystemAvailableAt) {
        throw new StepError('FileSystemNotReadyError', 'file system is creating');
      }
      if (options.pool) {
        // A member's mount targets were made by the scheduled check, long past the DNS delay
        // (POOL_MOUNT_TARGETS_AGE_SECONDS): every zone is covered and available when taken.
        mountTargetsAvailableAt = Array.from({ length: MOUNT_TARGETS_PER_VOLUME }, () => clock);
        mountTargetsCreatedAt = clock - POOL_MOUNT_TARGETS_AGE_SECONDS;
        const ids = mountTargetsAvailableAt.map((_, index) => `fsmt-${index}`);
        return {
          mountTargetIds: ids,
          createdMountTargetIds: ids,
          createdAt: new Date(EPOCH + mountTargetsCreatedAt * 1000).toISOString(),
        };
      }
      mountTargetsAvailableAt = Array.from(
        { length: MOUNT_TARGETS_PER_VOLUME },
        () => clock + drawSeconds(AWS_DURATIONS.mountTargetCreating, random),
      );
      const ids = mountTargetsAvailableAt.map((_, index) => `fsmt-${index}`);
      mountTargetsCreatedAt = clock;
      return {
        mountTargetIds: ids,
        createdMountTargetIds: ids,
        ...(settings.dnsDelayFromCreation ? { createdAt: now().toISOString() } : {}),
      };
    },
    CreateAccessPoint: async () => ({ accessPointId: 'fsap-simulated' }),
    CheckMountTargets: async (state) => {
      const sleep = async (seconds: number) => {
        clock += seconds;
        lookAhead += seconds;
      };
      const progress: WaitProgress = await checkMountTargets(state, checkDependencies, now, sleep);
      waitsAsked.push(progress.waitSeconds);
      if (progress.availableAt && !state.mountTargetsWait?.availableAt) {
        dnsWaitSeconds = progress.waitSeconds;
      }
      return progress;
    },
    ApplyManifests: async () => ({}),
    // A statically provisioned claim binds at once (the emulator's and EKS's PV controller).
    CheckClaimBound: async () => ({ done: true, waitSeconds: 0, checks: 1 }),
    CompleteProvisioning: async () => ({ status: 'READY' }),
  };

  const calls: Array<{ ms: number; memoryMB: number }> = [];
  let state: Record<string, unknown> = { volumeId: 'vol-simulated', spec: {} };
  let transitions = 0;
  let retries = 0;
  let name: string | undefined = definition.StartAt;
  let status: 'READY' | 'FAILED' = 'FAILED';
  while (name) {
    const current: AslState | undefined = definition.States[name];
    if (!current) throw new Error(`no state ${name}`);
    transitions++;
    if (current.Type === 'Succeed') {
      status = 'READY';
      break;
    }
    if (current.Type === 'Fail') break;
    if (current.Type === 'Wait') {
      clock += current.SecondsPath
        ? Number(read(state, current.SecondsPath))
        : (current.Seconds ?? 0);
      name = current.Next;
      continue;
    }
    if (current.Type === 'Choice') {
      const choice = current.Choices?.find((rule) => matches(state, rule));
      name = choice?.Next ?? current.Default;
      continue;
    }
    if (current.Type !== 'Task') throw new Error(`state type ${current.Type} is not modelled`);
    const taskName: string = name;
    const task = tasks[taskName];
    if (!task) throw new Error(`no simulated task for ${taskName}`);
    const attempts = new Map<AslRetrier, number>();
    for (;;) {
      const started = clock;
      try {
        const result = await task(state as unknown as StepState);
        clock += INVOCATION_SECONDS;
        calls.push({ ms: (clock - started) * 1000, memoryMB: memoryOf(taskName) });
        state = placed(state, current.ResultPath, result);
        name = current.Next;
        break;
      } catch (error) {
        clock += INVOCATION_SECONDS;
        calls.push({ ms: (clock - started) * 1000, memoryMB: memoryOf(taskName) });
        const errorName = (error as Error).name;
        const retrier = current.Retry?.find(
          (entry) =>
            entry.ErrorEquals.includes(errorName) || entry.ErrorEquals.includes('States.ALL'),
        );
        const attempt = (retrier ? (attempts.get(retrier) ?? 0) : 0) + 1;
        if (retrier && attempt <= (retrier.MaxAttempts ?? 3)) {
          attempts.set(retrier, attempt);
          retries++;
          transitions++;
          clock += retryDelaySeconds(retrier, attempt, random);
          continue;
        }
        // Anything else would go to rollback: the happy path is what this model is about.
        name = undefined;
        break;
      }
    }
  }

  const wait = state.mountTargetsWait as WaitProgress | undefined;
  const detectedAt = wait?.availableAt ? (Date.parse(wait.availableAt) - EPOCH) / 1000 : Number.NaN;
  return {
    status,
    timeToReadySeconds: clock,
    transitions,
    retries,
    mountTargetChecks: wait?.checks ?? 0,
    detectionLagSeconds: detectedAt - Math.max(...mountTargetsAvailableAt),
    waitsAsked,
    lookAheadSeconds: lookAhead,
    createdToDetectedSeconds: detectedAt - mountTargetsCreatedAt,
    slowestMountTargetSeconds: Math.max(...mountTargetsAvailableAt) - mountTargetsCreatedAt,
    dnsWaitSeconds,
    cost: estimateCost(transitions, calls),
  };
}

// ---- many provisions, summarized as bench/results.json's `model` keys

export interface ModelFigures {
  readonly timeToReady: { readonly mean: number; readonly p95: number };
  readonly transitions: { readonly mean: number; readonly max: number };
  readonly detectionLag: { readonly mean: number; readonly p95: number };
  readonly costUsd: {
    readonly mean: number;
    /** Of which Step Functions (transitions) and Lambda (requests + GB-s). */
    readonly stepFunctionsMean: number;
    readonly lambdaMean: number;
  };
  /** Lambda usage per provision (the plan's cost: functions/lib/pricing/prices.ts). */
  readonly lambda: { readonly requestsMean: number; readonly gbSecondsMean: number };
  readonly provisions: number;
  /** Provisions that gave up (MountTargetsTimeoutError): the figures above leave them out. */
  readonly failed: number;
  /** Share of provisions within 20 transitions. */
  readonly within20Transitions: number;
  readonly mountTargetChecks: { readonly mean: number; readonly max: number };
  /** Seconds of look-ahead inside CheckMountTargets per provision. */
  readonly lookAheadSeconds: { readonly mean: number; readonly p95: number };
  readonly settings: WaitSettings;
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

export function summarize(
  runs: readonly SimulatedProvision[],
  settings: WaitSettings,
): ModelFigures {
  const ready = runs.filter((run) => run.status === 'READY');
  if (ready.length === 0) throw new Error('no simulated provision ended READY');
  const of = (pick: (run: SimulatedProvision) => number) => ready.map(pick);
  return {
    timeToReady: {
      mean: mean(of((run) => run.timeToReadySeconds)),
      p95: percentile(
        of((run) => run.timeToReadySeconds),
        95,
      ),
    },
    transitions: {
      mean: mean(of((run) => run.transitions)),
      max: Math.max(...of((run) => run.transitions)),
    },
    detectionLag: {
      mean: mean(of((run) => run.detectionLagSeconds)),
      p95: percentile(
        of((run) => run.detectionLagSeconds),
        95,
      ),
    },
    costUsd: {
      mean: mean(of((run) => run.cost.totalUsd)),
      stepFunctionsMean: mean(of((run) => run.cost.stepFunctionsUsd)),
      lambdaMean: mean(of((run) => run.cost.lambdaUsd)),
    },
    lambda: {
      requestsMean: mean(of((run) => run.cost.lambda.invocations)),
      gbSecondsMean: mean(of((run) => run.cost.lambda.gbSeconds)),
    },
    provisions: runs.length,
    failed: runs.length - ready.length,
    within20Transitions: ready.filter((run) => run.transitions <= 20).length / ready.length,
    mountTargetChecks: {
      mean: mean(of((run) => run.mountTargetChecks)),
      max: Math.max(...of((run) => run.mountTargetChecks)),
    },
    lookAheadSeconds: {
      mean: mean(of((run) => run.lookAheadSeconds)),
      p95: percentile(
        of((run) => run.lookAheadSeconds),
        95,
      ),
    },
    settings,
  };
}

/** The provisioning ASL these settings run: its file-system retrier, its DNS-delay path. */
export function definitionFor(
  settings: WaitSettings,
  asFiled: AslDefinition = readProvisionDefinition(),
): AslDefinition {
  return withFileSystemRetry(
    settings.checkAfterDnsDelay ? withCheckAfterDnsDelay(asFiled) : asFiled,
    settings.fileSystemRetry,
  );
}

/** `provisions` simulated provisions with these settings; the same seed draws the same AWS. */
export async function simulateProvisions(
  settings: WaitSettings,
  options: {
    provisions?: number;
    seed?: number;
    definition?: AslDefinition;
    pool?: boolean;
  } = {},
): Promise<ModelFigures> {
  const definition = definitionFor(settings, options.definition);
  const random = seededRandom(options.seed ?? 1);
  const runs: SimulatedProvision[] = [];
  for (let index = 0; index < (options.provisions ?? 200); index++) {
    runs.push(
      await simulateProvision(definition, settings, random, { pool: options.pool ?? false }),
    );
  }
  return summarize(runs, settings);
}

/** The settings in force: functions/lib/config.ts's defaults and the ASL file's retrier. */
export function currentSettings(defaults: ServiceSettings): WaitSettings {
  return {
    firstWaitSeconds: defaults.mountTargetFirstWaitSeconds,
    pollSeconds: defaults.mountTargetPollSeconds,
    lookAheadSeconds: defaults.mountTargetLookAheadSeconds,
    lookIntervalSeconds: defaults.mountTargetLookIntervalSeconds,
    dnsDelaySeconds: defaults.mountTargetDnsDelaySeconds,
    fileSystemRetry: fileSystemRetryOf(readProvisionDefinition()),
    checkAfterDnsDelay: false,
    dnsDelayFromCreation: true,
  };
}

/** The figures the issue asks for, as bench/results.json's `model` holds them (seconds, USD). */
export interface ModelHeadline {
  readonly timeToReady: { readonly mean: number; readonly p95: number };
  readonly transitions: { readonly mean: number; readonly max: number };
  readonly detectionLag: { readonly mean: number; readonly p95: number };
  readonly costUsd: { readonly mean: number };
}

/**
 * bench/results.json's `model`: today's settings on the cold path (a new file system), the
 * warm pool path (`pool`), and `previousSettings` beside them.
 */
export interface ModelResults extends ModelHeadline {
  readonly pool: ModelHeadline;
  readonly previousSettings: ModelHeadline;
}

/** bench/results.json's `modelDetail`: every figure of every setting compared. */
export interface ModelDetail {
  readonly today: ModelFigures;
  /** Today's settings, each request taking a warm pool member. */
  readonly pool: ModelFigures;
  /** The settings before this tuning (PREVIOUS_SETTINGS). */
  readonly previousSettings: ModelFigures;
  /** The settings before any look-ahead (BEFORE_LOOK_AHEAD_SETTINGS). */
  readonly beforeLookAhead: ModelFigures;
  /**
   * The alternative to looking ahead inside the check: the state machine alone polling often
   * enough for a mean detection lag near 3 s (first wait 75 s, poll 5 s): money says which wins.
   */
  readonly stateMachineOnly: ModelFigures;
  readonly seed: number;
  readonly mountTargetsPerVolume: number;
  readonly invocationSeconds: number;
}

export const MODEL_SEED = 1;
export const MODEL_PROVISIONS = 200;

/** The headline keys of a simulation, and only those. */
export function headlineOf(figures: ModelFigures): ModelHeadline {
  return {
    timeToReady: { mean: figures.timeToReady.mean, p95: figures.timeToReady.p95 },
    transitions: { mean: figures.transitions.mean, max: figures.transitions.max },
    detectionLag: { mean: figures.detectionLag.mean, p95: figures.detectionLag.p95 },
    costUsd: { mean: figures.costUsd.mean },
  };
}

/**
 * The bench's `model` section: today's settings, the previous ones, the ones before any
 * look-ahead, and the state machine polling alone, over the same simulated AWS (same seed).
 */
export async function measureMountTargetWait(
  defaults: ServiceSettings,
): Promise<{ model: ModelResults; detail: ModelDetail }> {
  const options = { provisions: MODEL_PROVISIONS, seed: MODEL_SEED };
  const current = currentSettings(defaults);
  const today = await simulateProvisions(current, options);
  const previousSettings = await simulateProvisions(PREVIOUS_SETTINGS, options);
  const pool = await simulateProvisions(current, { ...options, pool: true });
  return {
    model: {
      ...headlineOf(today),
      pool: headlineOf(pool),
      previousSettings: headlineOf(previousSettings),
    },
    detail: {
      today,
      pool,
      previousSettings,
      beforeLookAhead: await simulateProvisions(BEFORE_LOOK_AHEAD_SETTINGS, options),
      stateMachineOnly: await simulateProvisions(
        { ...current, firstWaitSeconds: 75, pollSeconds: 5, lookAheadSeconds: 0 },
        options,
      ),
      seed: MODEL_SEED,
      mountTargetsPerVolume: MOUNT_TARGETS_PER_VOLUME,
      invocationSeconds: INVOCATION_SECONDS,
    },
  };
}

function describeSettings(settings: WaitSettings): string {
  const retry = settings.fileSystemRetry;
  return `first wait ${settings.firstWaitSeconds} s, look-ahead ${settings.lookAheadSeconds} s every ${settings.lookIntervalSeconds} s, poll ${settings.pollSeconds} s, DNS delay ${settings.dnsDelaySeconds} s ${settings.dnsDelayFromCreation ? 'from creation' : 'from availability'}${settings.checkAfterDnsDelay ? ' then a check' : ''}, file-system retry ${retry.IntervalSeconds} s ×${retry.BackoffRate}`;
}

/** The section's table in the printed report. */
export function renderModelReport(detail: ModelDetail): string {
  const rows: Array<[string, ModelFigures]> = [
    ['today', detail.today],
    ['today, warm pool', detail.pool],
    ['previous settings', detail.previousSettings],
    ['before look-ahead', detail.beforeLookAhead],
    ['state machine only', detail.stateMachineOnly],
  ];
  const header = [
    'settings',
    'READY mean / p95 s',
    'transitions mean / max',
    '≤ 20',
    'lag mean / p95 s',
    '$ per volume (SFN + Lambda)',
    'look-ahead s',
    'gave up',
  ];
  const cells = rows.map(([name, figures]) => [
    name,
    `${figures.timeToReady.mean.toFixed(1)} / ${figures.timeToReady.p95.toFixed(1)}`,
    `${figures.transitions.mean.toFixed(2)} / ${figures.transitions.max}`,
    `${(figures.within20Transitions * 100).toFixed(0)} %`,
    `${figures.detectionLag.mean.toFixed(2)} / ${figures.detectionLag.p95.toFixed(2)}`,
    `${figures.costUsd.mean.toFixed(6)} (${figures.costUsd.stepFunctionsMean.toFixed(6)} + ${figures.costUsd.lambdaMean.toFixed(6)})`,
    figures.lookAheadSeconds.mean.toFixed(1),
    String(figures.failed),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  return [
    `\n== Mount-target wait under the AWS model (${detail.today.provisions} simulated provisions, scale 1, seed ${detail.seed}, ${detail.mountTargetsPerVolume} mount targets each) ==`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    ...rows.map(([name, figures]) => `${name}: ${describeSettings(figures.settings)}`),
  ].join('\n');
}
