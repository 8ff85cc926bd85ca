// npm run bench: the benchmark of the service, each figure next to a baseline of the same run.
//   1. bundles as the CDK stack builds them: size, and cold start in fresh node processes next
//      to the unbundled source and an empty handler;
//  1b. the cold-init floor: what an API function's init cannot go below (one process at a time);
//   2. cost per volume: state transitions and Lambda time of the real ASL, simulated waits;
//   3. detection lag: mount targets available after a real delay → READY, per poll setting;
//   4. local throughput and API latency: 1, 10, 50 volumes at once through the local API, and
//      the reads per page of GET /volumes for a narrow and a wide caller;
//   5. the peer: the walk-through's manual procedure vs ours, on the same emulators;
//   6. the mount-target wait under the AWS model: 200 provisions in simulated time, today's
//      settings next to the previous ones (`--only=model` updates just that key of results.json).
// Prints progress and a table; writes the same figures to bench/results.json.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FUNCTION_CATALOG } from '../infra/function-catalog.ts';
import { awsCallCounts, timeAwsCalls } from '../local/lambda/aws-call-recorder.ts';
import { localFunctions } from '../local/lambda/local-functions.ts';
import { type FunctionStats, NO_FUNCTION_STATS } from '../local/lambda/runtime.ts';
import {
  anatomize,
  type BundleTarget,
  KUBERNETES_CLIENT_USERS,
  prepareBundles,
} from './bundles.ts';
import { type ColdStartResult, measureColdStarts, medianOf } from './cold-start.ts';
import {
  LAMBDA_ARM64_USD_PER_GB_SECOND,
  LAMBDA_USD_PER_REQUEST,
  STEP_FUNCTIONS_USD_PER_TRANSITION,
} from './pricing.ts';
import { cpuSeconds, peakRssMiB, pidListeningOn, resetPeakRss } from './process-memory.ts';
import { coldInitRatio, evaluateThresholds, renderReport } from './report.ts';
import { type BundleFigures, emptyResults, type ThroughputFigures } from './results.ts';
import { median, percentile } from './stats.ts';

const RESULTS_FILE = new URL('results.json', import.meta.url);
const COLD_START_RUNS = 15;
const COLD_START_CONCURRENCY = 2;
/** Loads of each cold-init floor case each way, one process at a time (bench/cold-init-floor.ts). */
const COLD_INIT_FLOOR_RUNS = 11;
const NAMESPACE = 'team-a';
const MOUNT_TARGET_DELAY_SECONDS = 4.5;
const LAG_SETTINGS = [
  { firstWaitSeconds: 4, pollSeconds: 2 },
  { firstWaitSeconds: 2, pollSeconds: 1 },
  { firstWaitSeconds: 1, pollSeconds: 1 },
];
const LAG_REPEATS = 2;
/**
 * The throughput rounds, in order: 50 at once three times, since one round on a shared 2-core
 * machine varies by a third from one run to the next; `volumesPerSecond50` is their median,
 * and the 50-at-once POST and GET percentiles are over every round's requests.
 */
const THROUGHPUT_VOLUMES = [1, 10, 50, 50, 50];
const GET_PAUSE_MS = 100;
const PEER_RUNS = 3;

/** Count, p50 and p99 of traced calls, by command. */
function callLatencies(
  calls: ReadonlyArray<{ command: string; ms: number }>,
): Record<string, { count: number; p50Ms: number; p99Ms: number }> {
  const byCommand = new Map<string, number[]>();
  for (const call of calls)
    byCommand.set(call.command, [...(byCommand.get(call.command) ?? []), call.ms]);
  return Object.fromEntries(
    [...byCommand].map(([command, samples]) => [
      command,
      { count: samples.length, p50Ms: median(samples), p99Ms: percentile(samples, 99) },
    ]),
  );
}

const started = performance.now();
const results = emptyResults(availableParallelism());

/** A function's kind, by its catalog name. */
function kindOf(name: string): string | undefined {
  return FUNCTION_CATALOG.find((fn) => fn.name === name)?.kind;
}

/** AWS calls the functions of `kind` made since `before` (awsCallCounts, by catalog name). */
function callsOfKind(before: ReadonlyMap<string, number>, kind: 'api' | 'step'): number {
  let total = 0;
  for (const [name, count] of awsCallCounts()) {
    if (kindOf(name) === kind) {
      total += count - (before.get(name) ?? 0);
    }
  }
  return total;
}

/** What local Lambda did between two `stats()` (see ThroughputFigures `lambda`). */
function lambdaFigures(
  before: ReadonlyMap<string, FunctionStats>,
  after: ReadonlyMap<string, FunctionStats>,
): ThroughputFigures['lambda'] {
  const delta = (name: string): FunctionStats => {
    const a = after.get(name) ?? NO_FUNCTION_STATS;
    const b = before.get(name) ?? NO_FUNCTION_STATS;
    return {
      invocations: a.invocations - b.invocations,
      coldStarts: a.coldStarts - b.coldStarts,
      waitMs: a.waitMs - b.waitMs,
      queuedMs: a.queuedMs - b.queuedMs,
      runMs: a.runMs - b.runMs,
      cpuMs: a.cpuMs - b.cpuMs,
      initCpuMs: a.initCpuMs - b.initCpuMs,
    };
  };
  const all = [...after.keys()].map(delta);
  const sum = (pick: (stats: FunctionStats) => number) =>
    all.reduce((total, stats) => total + pick(stats), 0);
  const posts = delta('createVolume');
  const perPost = (ms: number) => (posts.invocations > 0 ? ms / posts.invocations : Number.NaN);
  return {
    concurrencyPerFunction: localFunctions().maxConcurrencyPerFunction,
    invocations: sum((stats) => stats.invocations),
    coldStarts: sum((stats) => stats.coldStarts),
    waitSeconds: sum((stats) => stats.waitMs) / 1000,
    queuedSeconds: sum((stats) => stats.queuedMs) / 1000,
    runSeconds: sum((stats) => stats.runMs) / 1000,
    cpuSeconds: sum((stats) => stats.cpuMs) / 1000,
    initCpuSeconds: sum((stats) => stats.initCpuMs) / 1000,
    // Where the environments' CPU went: each function's invocations and CPU per invocation.
    byFunction: Object.fromEntries(
      [...after.keys()]
        .map((name) => [name, delta(name)] as const)
        .filter(([, stats]) => stats.invocations > 0)
        .map(([name, stats]) => [
          name,
          {
            invocations: stats.invocations,
            cpuMsPerInvocation: stats.cpuMs / stats.invocations,
            coldStarts: stats.coldStarts,
            initCpuMs: stats.initCpuMs,
          },
        ]),
    ),
    createVolume: { waitMsPerPost: perPost(posts.waitMs), runMsPerPost: perPost(posts.runMs) },
  };
}

function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${seconds} s] ${message}`);
}

/** `npm run bench -- --only=cost,api`: run only these sections (the others stay empty). */
const SECTIONS = ['bundles', 'floor', 'cost', 'lag', 'api', 'peer', 'model', 'fleet'] as const;
const only = process.argv
  .find((argument) => argument.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const selected = new Set<string>(only ?? SECTIONS);
const unknown = [...selected].filter((key) => !(SECTIONS as readonly string[]).includes(key));
if (unknown.length > 0) {
  throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
}

async function section(
  key: (typeof SECTIONS)[number],
  name: string,
  work: () => Promise<void>,
): Promise<void> {
  if (!selected.has(key)) return;
  progress(`${name}…`);
  try {
    await work();
  } catch (error) {
    const message = `${name}: ${(error as Error).stack ?? String(error)}`;
    results.errors.push(message);
    progress(`FAILED ${message}`);
  }
}

// The handlers log through Powertools; the figures are what matters here.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_DEV = 'false';

const scratch = await mkdtemp(join(tmpdir(), 'efs-volumes-bench-'));
let targets: BundleTarget[] = [];

await section('bundles', '1. bundles (npm run synth into a scratch folder)', async () => {
  const set = await prepareBundles(scratch);
  targets = set.targets;
  results.bundleSource = set.source;
  results.synthSeconds = set.seconds;
  // The bundles measured are the ones the synth packages, or the run fails: a figure taken
  // from a fallback build is not a figure of what deploys.
  if (set.synthError) throw new Error(`the synth failed: ${set.synthError}`);
  results.bundlingOptionsSource = 'infra/bundling.ts';
  progress(`${targets.length} bundles from ${set.source} in ${set.seconds.toFixed(0)} s`);

  const anatomies = await anatomize(targets, scratch);
  // The source maps' price at init, on the biggest bundle, the biggest API one and the smallest.
  const bySize = [...targets].sort(
    (a, b) => (anatomies.get(b.name)?.bytes ?? 0) - (anatomies.get(a.name)?.bytes ?? 0),
  );
  const withSourceMaps = new Set(
    [bySize[0], bySize.find((target) => target.kind === 'api'), bySize.at(-1)].flatMap((target) =>
      target ? [target.name] : [],
    ),
  );
  progress(
    `cold starts: ${targets.length} bundles × ${COLD_START_RUNS} × (bundled, unbundled), ${withSourceMaps.size} also with Node's source maps on, + empty handler; ${COLD_START_CONCURRENCY} at a time`,
  );
  const cold: ColdStartResult = await measureColdStarts(targets, {
    runs: COLD_START_RUNS,
    concurrency: COLD_START_CONCURRENCY,
    withSourceMaps,
    onProgress: (done, total) => progress(`  cold starts ${done}/${total}`),
  });
  results.coldStart = {
    runs: cold.runs,
    concurrency: cold.concurrency,
    seconds: cold.seconds,
    emptyHandler: {
      initMs: medianOf(cold.empty, 'importMs'),
      processMs: medianOf(cold.empty, 'processMs'),
      wallMs: medianOf(cold.empty, 'wallMs'),
    },
  };
  results.bundles = targets.map((target): BundleFigures => {
    const anatomy = anatomies.get(target.name);
    const samples = cold.byBundle.get(target.name) ?? {
      bundled: [],
      unbundled: [],
      withSourceMaps: [],
    };
    if (!anatomy) throw new Error(`no anatomy for ${target.name}`);
    if (anatomy.rebuiltBytes !== anatomy.bytes) {
      results.errors.push(
        `${target.name}: esbuild with the stack's options gives ${anatomy.rebuiltBytes} bytes, the synth ${anatomy.bytes}: the attribution may be off`,
      );
    }
    return {
      name: target.name,
      kind: target.kind,
      entry: target.entry,
      memoryMB: target.memoryMB,
      bytes: anatomy.bytes,
      gzipBytes: anatomy.gzipBytes,
      sourceMapBytes: anatomy.sourceMapBytes,
      initBytes: anatomy.initBytes,
      chunkBytes: anatomy.chunkBytes,
      rebuiltBytes: anatomy.rebuiltBytes,
      initMs: medianOf(samples.bundled, 'importMs'),
      unbundledInitMs: medianOf(samples.unbundled, 'importMs'),
      processMs: medianOf(samples.bundled, 'processMs'),
      coldInitRatio: coldInitRatio(
        medianOf(samples.bundled, 'processMs'),
        results.coldStart?.emptyHandler.processMs,
      ),
      unbundledProcessMs: medianOf(samples.unbundled, 'processMs'),
      wallMs: medianOf(samples.bundled, 'wallMs'),
      unbundledWallMs: medianOf(samples.unbundled, 'wallMs'),
      ...(samples.withSourceMaps.length > 0
        ? {
            initWithSourceMapsMs: medianOf(samples.withSourceMaps, 'importMs'),
            wallWithSourceMapsMs: medianOf(samples.withSourceMaps, 'wallMs'),
          }
        : {}),
      includesKubernetesClient: anatomy.includesKubernetesClient,
      needsKubernetesClient: KUBERNETES_CLIENT_USERS.has(target.name),
      packages: anatomy.packages,
      chains: anatomy.chains,
    };
  });
});

await section(
  'floor',
  "1b. the cold-init floor: what an API function's init cannot go below",
  async () => {
    const { measureColdInitFloor } = await import('./cold-init-floor.ts');
    results.coldInitFloor = await measureColdInitFloor(COLD_INIT_FLOOR_RUNS);
    for (const floorCase of results.coldInitFloor.cases) {
      progress(
        `  ${floorCase.name}: ${floorCase.processMs.toFixed(1)} ms, ${floorCase.ratio.toFixed(2)}× (without source maps ${floorCase.withoutSourceMapsRatio.toFixed(2)}×)`,
      );
    }
  },
);

// ---- 2–5 run against one moto and one local stack, in this process.
const STACK_SECTIONS = ['cost', 'lag', 'api', 'peer'] as const;

async function runAgainstLocalStack(): Promise<void> {
  const { startMoto } = await import('../local/moto.ts');
  const moto = await startMoto();
  const stops: Array<() => Promise<void>> = [moto.stop];
  try {
    const motoPid = pidListeningOn(moto.port);
    // Waits at zero for the API's own workflows: moto's mount targets are available at once and
    // no DNS has to propagate (with the 90 s default, a 0 ms Wait would re-check for 90 real s).
    process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '0';
    // A load test makes hundreds of volumes in one namespace, as one caller: the limits are
    // raised for it, as an operator would for one (the defaults, 50 and 100, refuse it).
    process.env.MAX_VOLUMES_PER_NAMESPACE = '100000';
    process.env.MAX_VOLUMES_PER_CALLER = '100000';
    const { startLocalStack, LOCAL_REGION } = await import('../local/stack.ts');
    const stack = await startLocalStack({
      apiPort: 0,
      motoEndpoint: moto.endpoint,
      namespaces: [NAMESPACE],
      run: { waitMilliseconds: 0, retryMilliseconds: 0 },
    });
    stops.unshift(stack.stop);
    progress(
      `local stack up: api ${stack.api}, moto ${moto.endpoint} (pid ${motoPid ?? '?'}), region ${LOCAL_REGION}`,
    );
    // Imported once the environment points at moto: the handlers' modules create SDK clients.
    const { VolumeRecordStore } = await import('../functions/lib/volume/record.ts');
    const records = new VolumeRecordStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      stack.tableName,
    );
    const memoryByFunction = new Map(
      targets.map((target) => [
        target.name
          .split('-')
          .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
          .join(''),
        target.memoryMB,
      ]),
    );

    await section('cost', '2. cost per volume (real ASL, simulated waits)', async () => {
      const { measureCostPerVolume } = await import('./cost-per-volume.ts');
      const environment = targets.find(
        (target) => target.name === 'check-mount-targets',
      )?.environment;
      const deployed = environment
        ? {
            ...(environment.MOUNT_TARGET_FIRST_WAIT_SECONDS
              ? { mountTargetFirstWaitSeconds: Number(environment.MOUNT_TARGET_FIRST_WAIT_SECONDS) }
              : {}),
            ...(environment.MOUNT_TARGET_POLL_SECONDS
              ? { mountTargetPollSeconds: Number(environment.MOUNT_TARGET_POLL_SECONDS) }
              : {}),
            ...(environment.MOUNT_TARGET_DNS_DELAY_SECONDS
              ? { mountTargetDnsDelaySeconds: Number(environment.MOUNT_TARGET_DNS_DELAY_SECONDS) }
              : {}),
          }
        : undefined;
      const cost = await measureCostPerVolume({
        records,
        clusterName: stack.clusterName,
        namespace: NAMESPACE,
        memoryOf: (name) => memoryByFunction.get(name) ?? 256,
        ...(deployed ? { deployedSettings: deployed } : {}),
        onProgress: (message) => progress(`  ${message}`),
      });
      results.cost = {
        ...cost,
        pricing: {
          stepFunctionsUsdPerTransition: STEP_FUNCTIONS_USD_PER_TRANSITION,
          lambdaArm64UsdPerGbSecond: LAMBDA_ARM64_USD_PER_GB_SECOND,
          lambdaUsdPerRequest: LAMBDA_USD_PER_REQUEST,
        },
      };
      const byWait = new Map(
        cost.provision.map((scenario) => [scenario.mountTargetWaitSeconds, scenario]),
      );
      results.transitions = {
        provision0s: byWait.get(0)?.transitions ?? Number.NaN,
        provision90s: byWait.get(90)?.transitions ?? Number.NaN,
        provision300s: byWait.get(300)?.transitions ?? Number.NaN,
        deprovision: cost.deprovision.transitions,
        deprovisionRetain: cost.deprovisionRetain.transitions,
        ...(cost.deployed ? { provision90sDeployedSettings: cost.deployed.transitions } : {}),
      };
      for (const scenario of [...cost.provision, cost.deprovision, cost.deprovisionRetain]) {
        if (scenario.status !== 'READY' && scenario.status !== 'DELETED') {
          results.errors.push(`${scenario.name} ended ${scenario.status}: ${scenario.error ?? ''}`);
        }
      }
    });

    await section('lag', '3. detection lag (real time)', async () => {
      const { measureDetectionLag, lagAtSettings } = await import('./detection-lag.ts');
      const { defaultSettings } = await import('./cost-per-volume.ts');
      const measured = await measureDetectionLag({
        records,
        clusterName: stack.clusterName,
        namespace: NAMESPACE,
        settings: LAG_SETTINGS,
        mountTargetDelaySeconds: MOUNT_TARGET_DELAY_SECONDS,
        repeats: LAG_REPEATS,
        onProgress: (message) => progress(`  ${message}`),
      });
      const defaults = defaultSettings();
      results.detectionLag = {
        mountTargetDelaySeconds: MOUNT_TARGET_DELAY_SECONDS,
        results: measured,
        atDefaults: lagAtSettings(
          {
            firstWaitSeconds: defaults.mountTargetFirstWaitSeconds,
            pollSeconds: defaults.mountTargetPollSeconds,
            dnsDelaySeconds: defaults.mountTargetDnsDelaySeconds,
          },
          measured,
        ),
      };
    });

    await section('api', '4. local throughput and API latency', async () => {
      const { throughputRound } = await import('./throughput.ts');
      const { measurePostAnatomy } = await import('./post-anatomy.ts');
      const reset = resetPeakRss('self') && motoPid !== undefined && resetPeakRss(motoPid);
      // Every request of the 50-at-once rounds, for percentiles over all of them.
      const loadedPostMs: number[] = [];
      const loadedGetMs: number[] = [];
      for (const [index, volumes] of THROUGHPUT_VOLUMES.entries()) {
        const motoCpu = motoPid === undefined ? undefined : cpuSeconds(motoPid);
        const benchCpu = process.cpuUsage();
        const roundStarted = performance.now();
        const callsBefore = awsCallCounts();
        const lambdaBefore = localFunctions().stats();
        const timing = timeAwsCalls();
        const round = await throughputRound(volumes, {
          api: stack.api,
          clusterName: stack.clusterName,
          namespace: NAMESPACE,
          prefix: `load-${volumes}-${index}`,
          pauseMs: GET_PAUSE_MS,
        }).catch((error: unknown) => {
          timing.stop();
          throw error;
        });
        const calls = timing.stop();
        const wall = (performance.now() - roundStarted) / 1000;
        const motoCpuAfter = motoPid === undefined ? undefined : cpuSeconds(motoPid);
        const benchUsage = process.cpuUsage(benchCpu);
        const figures: ThroughputFigures = {
          volumes,
          seconds: round.seconds,
          volumesPerSecond: round.volumesPerSecond,
          readyP50Ms: round.readyP50Ms,
          readyP99Ms: round.readyP99Ms,
          postP50Ms: median(round.postMs),
          postP99Ms: percentile(round.postMs, 99),
          getP50Ms: median(round.getMs),
          getP99Ms: percentile(round.getMs, 99),
          gets: round.getMs.length,
          // Counted where every function's AWS calls leave local mode's Lambda workers.
          apiCallsPerVolume: callsOfKind(callsBefore, 'api') / volumes,
          stepCallsPerVolume: callsOfKind(callsBefore, 'step') / volumes,
          ...(motoCpu !== undefined && motoCpuAfter !== undefined
            ? { motoCpuPercent: ((motoCpuAfter - motoCpu) / wall) * 100 }
            : {}),
          benchCpuPercent: ((benchUsage.user + benchUsage.system) / 1e6 / wall) * 100,
          eventLoopDelayP99Ms: round.eventLoopDelayP99Ms,
          eventLoopDelayMaxMs: round.eventLoopDelayMaxMs,
          apiCalls: callLatencies(
            calls
              .filter((call) => kindOf(call.functionName) === 'api')
              .map((call) => ({ command: call.operation, ms: call.ms })),
          ),
          stepCalls: callLatencies(
            calls
              .filter((call) => kindOf(call.functionName) === 'step')
              .map((call) => ({ command: `${call.functionName} ${call.operation}`, ms: call.ms })),
          ),
          lambda: lambdaFigures(lambdaBefore, localFunctions().stats()),
        };
        // Every figure computed, or the run fails: an empty table would read as no calls.
        if (Object.keys(figures.apiCalls).length === 0) {
          throw new Error(`the door timed no AWS call of the API in the ${volumes}-volume round`);
        }
        results.throughput.rounds.push(figures);
        if (volumes === 50) {
          loadedPostMs.push(...round.postMs);
          loadedGetMs.push(...round.getMs);
        }
        progress(
          `  ${volumes} at once: ${figures.volumesPerSecond.toFixed(2)} volumes/s, POST p99 ${figures.postP99Ms.toFixed(0)} ms, GET p99 ${figures.getP99Ms.toFixed(0)} ms`,
        );
        const lambda = figures.lambda;
        if (lambda) {
          progress(
            `    Lambda: ${lambda.invocations} invocations, ${lambda.coldStarts} cold starts, ${lambda.runSeconds.toFixed(1)} s running, ${lambda.waitSeconds.toFixed(1)} s waiting for an environment (${lambda.queuedSeconds.toFixed(1)} s queued at ${lambda.concurrencyPerFunction} per function); a POST waited ${lambda.createVolume.waitMsPerPost.toFixed(0)} ms and ran ${lambda.createVolume.runMsPerPost.toFixed(0)} ms`,
          );
        }
      }
      results.memory = {
        ...(peakRssMiB('self') === undefined ? {} : { benchProcessPeakMiB: peakRssMiB('self') }),
        ...(motoPid === undefined ? {} : { motoPid, motoPeakMiB: peakRssMiB(motoPid) }),
        peakResetBeforeThroughput: reset,
      };
      // The median round's rate, for the rounds of each size (one for 1 and 10 at once).
      const rates = (volumes: number) =>
        results.throughput.rounds
          .filter((round) => round.volumes === volumes)
          .map((round) => round.volumesPerSecond);
      results.throughput.volumesPerSecond1 = median(rates(1));
      results.throughput.volumesPerSecond10 = median(rates(10));
      results.throughput.volumesPerSecond50 = median(rates(50));
      results.throughput.volumesPerSecond50Rounds = rates(50);
      results.api = {
        postP50Ms: median(loadedPostMs),
        postP99Ms: percentile(loadedPostMs, 99),
        getP50Ms: median(loadedGetMs),
        getP99Ms: percentile(loadedGetMs, 99),
        concurrentCallers: 50,
        getPauseMs: GET_PAUSE_MS,
      };
      progress('  one POST at a time, for its anatomy');
      results.api.idle = await measurePostAnatomy(stack, { namespace: NAMESPACE, posts: 5 });
      progress('  reads per GET /volumes page, in a table of their own');
      const { measureListReads } = await import('./list-reads.ts');
      const { createVolumesTable } = await import('../local/volumes-table.ts');
      const listTable = `${stack.tableName}-list`;
      await createVolumesTable(new DynamoDBClient({}), listTable);
      results.api.listReads = await measureListReads({
        tableName: listTable,
        onProgress: (message) => progress(`    ${message}`),
      });
    });

    await section('peer', '5. peer: the manual walk-through vs ours', async () => {
      const { runManualProcedure, runOurs } = await import('./peer.ts');
      const ours: number[] = [];
      const manual: number[] = [];
      const steps = new Map<string, number[]>();
      for (let run = 0; run < PEER_RUNS; run++) {
        ours.push(await runOurs(stack, NAMESPACE, `peer-ours-${run}`));
        const procedure = await runManualProcedure(stack, NAMESPACE, `peer-manual-${run}`);
        manual.push(procedure.seconds);
        for (const step of procedure.steps) {
          steps.set(step.step, [...(steps.get(step.step) ?? []), step.seconds]);
        }
        progress(
          `  run ${run + 1}: manual ${procedure.seconds.toFixed(2)} s, ours ${ours.at(-1)?.toFixed(2)} s`,
        );
      }
      const oursSeconds = median(ours);
      const manualSeconds = median(manual);
      results.peer = {
        oursSeconds,
        manualSeconds,
        ratio: manualSeconds / oursSeconds,
        runs: { ours, manual },
        manualSteps: [...steps].map(([step, seconds]) => ({ step, seconds: median(seconds) })),
      };
    });
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

if (STACK_SECTIONS.some((key) => selected.has(key))) {
  try {
    await runAgainstLocalStack();
  } catch (error) {
    const message = `local stack: ${(error as Error).stack ?? String(error)}`;
    results.errors.push(message);
    progress(`FAILED ${message}`);
  }
}
await rm(scratch, { recursive: true, force: true });

await section('model', '6. mount-target wait under the AWS model (simulated time)', async () => {
  const { measureMountTargetWait } = await import('./mount-target-wait-model.ts');
  const { defaultSettings } = await import('./cost-per-volume.ts');
  const { model, detail } = await measureMountTargetWait(defaultSettings());
  results.model = model;
  results.modelDetail = detail;
  progress(
    `  today ${model.transitions.mean.toFixed(2)} transitions (max ${model.transitions.max}), lag ${model.detectionLag.mean.toFixed(2)} s; previously ${model.previousSettings.transitions.mean.toFixed(2)} (max ${model.previousSettings.transitions.max}), ${model.previousSettings.detectionLag.mean.toFixed(2)} s`,
  );
  progress(
    `  READY mean / p95: cold ${model.timeToReady.mean.toFixed(1)} / ${model.timeToReady.p95.toFixed(1)} s, warm pool ${model.pool.timeToReady.mean.toFixed(1)} / ${model.pool.timeToReady.p95.toFixed(1)} s (${model.pool.transitions.mean.toFixed(2)} transitions, max ${model.pool.transitions.max})`,
  );
});

await section('fleet', '7. the scheduled check over a fleet (simulated time)', async () => {
  const { simulateFleetCheck, FLEET_LATENCIES_MS } = await import('./fleet.ts');
  // 10,000 volumes on 50 clusters, on 1,000 file systems (EFS's default quota per account and
  // Region): ten volumes share each. Then the same volumes each on a file system of its own,
  // which needs that quota raised ten times.
  const shared = await simulateFleetCheck({
    volumes: 10_000,
    clusters: 50,
    fileSystems: 1_000,
    namespacesPerCluster: 10,
  });
  const own = await simulateFleetCheck({
    volumes: 10_000,
    clusters: 50,
    fileSystems: 10_000,
    namespacesPerCluster: 10,
  });
  results.fleet = { ...shared, latenciesMs: FLEET_LATENCIES_MS, ownFileSystems: own };
  progress(
    `  10,000 volumes on 1,000 file systems: a cycle of ${shared.checkCycleSeconds} s in ${shared.batches} batches (${shared.awsCallsPerVolume} AWS calls a volume, ${shared.throttledAttempts} throttled attempts, ${shared.failed} failed), ${shared.dynamoDbReadUnits} DynamoDB read units; each on its own: ${own.checkCycleSeconds} s, ${own.failed} failed`,
  );
});

results.thresholds = evaluateThresholds(results);
results.durationSeconds = (performance.now() - started) / 1000;
const modelReport = async () =>
  results.modelDetail
    ? (await import('./mount-target-wait-model.ts')).renderModelReport(results.modelDetail)
    : '';
if (only) {
  if (results.errors.length > 0) process.exitCode = 1;
  // A partial run would overwrite the figures of the last full one with empty sections; the
  // model section stands alone, so its keys alone are replaced.
  console.log(renderReport(results));
  console.log(await modelReport());
  // Every figure of the partial run, for a closer look, where no commit picks it up.
  const partialFile = new URL('../.build/bench-partial.json', import.meta.url);
  await writeFile(partialFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Every figure of this run: ${partialFile.pathname}`);
  // The simulated sections stand alone: their keys alone are replaced.
  const standalone = {
    ...(results.model ? { model: results.model, modelDetail: results.modelDetail } : {}),
    ...(results.fleet ? { fleet: results.fleet } : {}),
    ...(results.coldInitFloor ? { coldInitFloor: results.coldInitFloor } : {}),
  };
  if (Object.keys(standalone).length > 0 && results.errors.length === 0) {
    const previous = await readFile(RESULTS_FILE, 'utf8')
      .then((text) => JSON.parse(text) as Record<string, unknown>)
      .catch(() => ({}));
    await writeFile(RESULTS_FILE, `${JSON.stringify({ ...previous, ...standalone }, null, 2)}\n`);
    console.log(
      `\nPartial run: only the ${Object.keys(standalone).join(', ')} keys of ${RESULTS_FILE.pathname} were replaced.`,
    );
  } else {
    console.log(
      `\nPartial run (--only=${only.join(',')}): ${RESULTS_FILE.pathname} left as it was.`,
    );
  }
} else if (results.errors.length > 0) {
  // A section that failed is not a figure: nothing is written, and the run fails.
  console.log(renderReport(results));
  console.error(
    `\n${results.errors.length} section(s) failed; ${RESULTS_FILE.pathname} left as it was:`,
  );
  for (const error of results.errors) console.error(`- ${error}`);
  process.exitCode = 1;
} else {
  // Headline figures first, then the detail, whatever order the sections filled them in.
  const { generatedAt, durationSeconds, machine, thresholds, errors, ...figures } = results;
  const ordered = { generatedAt, durationSeconds, machine, thresholds, ...figures, errors };
  await writeFile(RESULTS_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
  console.log(renderReport(results));
  console.log(await modelReport());
  console.log(`\nFigures written to ${RESULTS_FILE.pathname}`);
}

// Everything is reported and written: end here, whatever a failed section left running (a
// stack's workers, a caller's timer), rather than hang with the figures already printed.
process.exit();
