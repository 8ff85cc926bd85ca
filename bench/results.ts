// The shape of bench/results.json: every figure the run prints, for comparing runs.
import type { PackageShare } from './bundles.ts';
import type { FloorFigures } from './cold-init-floor.ts';
import type { CostResults } from './cost-per-volume.ts';
import type { LagAtSettings, LagResult } from './detection-lag.ts';
import type { FleetFigures } from './fleet.ts';
import type { ListReadFigures } from './list-reads.ts';
import type { ModelDetail, ModelResults } from './mount-target-wait-model.ts';
import type { PostAnatomy } from './post-anatomy.ts';

export interface BundleFigures {
  readonly name: string;
  readonly kind: 'api' | 'step' | 'event' | 'schedule';
  readonly entry: string;
  readonly memoryMB: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** `index.mjs` and the chunks it imports statically: what a cold start loads. */
  readonly initBytes?: number;
  /** All the chunks beside `index.mjs`, those of `initBytes` included. */
  readonly chunkBytes?: number;
  /** esbuild with the stack's options, rebuilt here: equals `bytes` unless the options drifted. */
  readonly rebuiltBytes: number;
  /** Median time of the dynamic import of the bundle in a fresh node process. */
  readonly initMs: number;
  /** The same for the .ts entry loaded unbundled (type stripping, packages from node_modules). */
  readonly unbundledInitMs: number;
  /** Median time from the child's start to the import resolving. */
  readonly processMs: number;
  /**
   * `processMs` over the empty handler's of the same run: the cold init (Lambda's Init
   * Duration) relative to what any function pays. The limit for an API bundle: 1.5.
   */
  readonly coldInitRatio?: number;
  readonly unbundledProcessMs: number;
  /** Median spawn-to-exit time seen from the parent. */
  readonly wallMs: number;
  readonly unbundledWallMs: number;
  /** For a few bundles: the same bundle loaded with NODE_OPTIONS=--enable-source-maps. */
  readonly initWithSourceMapsMs?: number;
  readonly wallWithSourceMapsMs?: number;
  readonly includesKubernetesClient: boolean;
  readonly needsKubernetesClient: boolean;
  /** The biggest contributors to the bundle, by bytes in the output. */
  readonly packages: PackageShare[];
  /** The import chain that pulls each heavy package in. */
  readonly chains: Record<string, string[]>;
}

export interface ThroughputFigures {
  readonly volumes: number;
  readonly seconds: number;
  readonly volumesPerSecond: number;
  readonly readyP50Ms: number;
  readonly readyP99Ms: number;
  readonly postP50Ms: number;
  readonly postP99Ms: number;
  readonly getP50Ms: number;
  readonly getP99Ms: number;
  readonly gets: number;
  /** AWS calls the API's and the steps' functions made per volume (local/lambda/aws-call-recorder.ts counts them). */
  readonly apiCallsPerVolume: number;
  readonly stepCallsPerVolume: number;
  /** CPU time / wall time over the round (100 % = one core busy). */
  readonly motoCpuPercent?: number;
  readonly benchCpuPercent: number;
  /** How late the bench process's event loop (API, emulator, workflows) ran: p99 and max. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** The API's AWS calls during the round, by command: count, p50, p99 (ms). */
  readonly apiCalls: Record<string, { count: number; p50Ms: number; p99Ms: number }>;
  /** The steps' AWS calls during the round, by `function operation`: count, p50, p99 (ms). */
  readonly stepCalls?: Record<string, { count: number; p50Ms: number; p99Ms: number }>;
  /**
   * Local Lambda during the round (local/lambda/runtime.ts `stats()`): invocations, cold
   * starts, and the seconds invocations spent waiting for an environment (of them, queued at
   * the per-function limit) and running, summed over all functions and for createVolume.
   */
  readonly lambda?: {
    readonly concurrencyPerFunction: number;
    readonly invocations: number;
    readonly coldStarts: number;
    readonly waitSeconds: number;
    readonly queuedSeconds: number;
    readonly runSeconds: number;
    /** CPU time of the environments' threads: in invocations, and in their inits (cold starts). */
    readonly cpuSeconds?: number;
    readonly initCpuSeconds?: number;
    /** By function: invocations, CPU per invocation (ms), cold starts and their CPU (ms). */
    readonly byFunction?: Record<
      string,
      {
        readonly invocations: number;
        readonly cpuMsPerInvocation: number;
        readonly coldStarts: number;
        readonly initCpuMs: number;
      }
    >;
    readonly createVolume: { readonly waitMsPerPost: number; readonly runMsPerPost: number };
  };
}

export interface Threshold {
  readonly id: string;
  readonly description: string;
  readonly limit: number;
  readonly unit: string;
  readonly worst: number;
  readonly crossed: boolean;
  /** What crosses it. */
  readonly offenders: string[];
}

export interface BenchResults {
  readonly generatedAt: string;
  durationSeconds: number;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  bundleSource?: 'synth' | 'esbuild';
  synthSeconds?: number;
  synthError?: string;
  bundlingOptionsSource?: string;
  coldStart?: {
    readonly runs: number;
    readonly concurrency: number;
    readonly seconds: number;
    readonly emptyHandler: {
      readonly initMs: number;
      readonly processMs: number;
      readonly wallMs: number;
    };
  };
  bundles: BundleFigures[];
  /** What an API function's cold init cannot go below (bench/cold-init-floor.ts). */
  coldInitFloor?: FloorFigures;
  transitions: {
    provision0s: number;
    provision90s: number;
    provision300s: number;
    deprovision: number;
    deprovisionRetain?: number;
    provision90sDeployedSettings?: number;
  };
  cost?: CostResults & {
    readonly pricing: Readonly<Record<string, number>>;
  };
  detectionLag?: {
    readonly mountTargetDelaySeconds: number;
    readonly results: LagResult[];
    /** The measurements read at the default settings (60/15 s, DNS delay 90 s). */
    readonly atDefaults: LagAtSettings;
  };
  /**
   * The mount-target wait under the AWS model, simulated (bench/mount-target-wait-model.ts):
   * the figures, today's and `previousSettings`.
   */
  model?: ModelResults;
  /** Every figure of every setting the model section compares. */
  modelDetail?: ModelDetail;
  /**
   * The scheduled check over 10,000 volumes on 50 clusters, simulated (bench/fleet.ts): on
   * 1,000 file systems, and `ownFileSystems`, each volume on its own.
   */
  fleet?: FleetFigures & {
    readonly latenciesMs: Readonly<Record<string, number>>;
    readonly ownFileSystems: FleetFigures;
  };
  api: {
    postP50Ms: number;
    postP99Ms: number;
    getP50Ms: number;
    getP99Ms: number;
    concurrentCallers?: number;
    getPauseMs?: number;
    idle?: PostAnatomy;
    /** Query calls and items read per page of GET /volumes, by caller (bench/list-reads.ts). */
    listReads?: ListReadFigures;
  };
  throughput: {
    volumesPerSecond1: number;
    volumesPerSecond10: number;
    /** The median of the 50-at-once rounds (bench/run.ts THROUGHPUT_VOLUMES). */
    volumesPerSecond50: number;
    /** Each 50-at-once round's rate, in the order they ran. */
    volumesPerSecond50Rounds?: number[];
    rounds: ThroughputFigures[];
  };
  memory?: {
    readonly benchProcessPeakMiB?: number;
    readonly motoPeakMiB?: number;
    readonly motoPid?: number;
    /** Whether the peaks were reset just before the throughput rounds (else: peak of the run). */
    readonly peakResetBeforeThroughput: boolean;
  };
  peer: {
    oursSeconds: number;
    manualSeconds: number;
    ratio: number;
    runs?: { readonly ours: number[]; readonly manual: number[] };
    manualSteps?: Array<{ readonly step: string; readonly seconds: number }>;
  };
  thresholds: Threshold[];
  errors: string[];
}

/** An empty result: figures a failed section could not measure stay NaN (null in JSON). */
export function emptyResults(cpus: number): BenchResults {
  return {
    generatedAt: new Date().toISOString(),
    durationSeconds: 0,
    machine: { cpus, node: process.version, platform: `${process.platform}-${process.arch}` },
    bundles: [],
    transitions: {
      provision0s: Number.NaN,
      provision90s: Number.NaN,
      provision300s: Number.NaN,
      deprovision: Number.NaN,
    },
    api: {
      postP50Ms: Number.NaN,
      postP99Ms: Number.NaN,
      getP50Ms: Number.NaN,
      getP99Ms: Number.NaN,
    },
    throughput: {
      volumesPerSecond1: Number.NaN,
      volumesPerSecond10: Number.NaN,
      volumesPerSecond50: Number.NaN,
      rounds: [],
    },
    peer: { oursSeconds: Number.NaN, manualSeconds: Number.NaN, ratio: Number.NaN },
    thresholds: [],
    errors: [],
  };
}
