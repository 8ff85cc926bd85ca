// The thresholds the issue names, and the table printed at the end of a run.
import type { BenchResults, Threshold } from './results.ts';

/** 400 kB for an API function's bundle, 800 kB for any (decimal units: 1 kB = 1000 B). */
export const API_BUNDLE_LIMIT_BYTES = 400_000;
export const ANY_BUNDLE_LIMIT_BYTES = 800_000;
/**
 * An API bundle's cold init (`processMs`: process start → handler ready, what Lambda reports
 * as Init Duration) at most 1.5 × an empty handler's, measured in the same run.
 */
export const API_COLD_INIT_RATIO_LIMIT = 1.5;

/** A bundle's cold init over the empty handler's, both `processMs` medians of the same run. */
export function coldInitRatio(processMs: number, emptyProcessMs: number | undefined): number {
  return emptyProcessMs && emptyProcessMs > 0 ? processMs / emptyProcessMs : Number.NaN;
}
export const TRANSITIONS_90S_LIMIT = 30;
/** POST /volumes p99 with 50 callers at once, locally (issue 22), over the 50-at-once rounds. */
export const POST_P99_LIMIT_MS = 2000;
/** Volumes READY per second with 50 requested at once, locally: the median round's. */
export const THROUGHPUT_50_FLOOR = 3;

export function evaluateThresholds(results: BenchResults): Threshold[] {
  const api = results.bundles.filter((bundle) => bundle.kind === 'api');
  // What a cold start loads: index.mjs with the chunks it imports statically (code splitting
  // puts code that index.mjs shares with a lazily loaded chunk into a chunk of its own).
  const loaded = (bundle: (typeof results.bundles)[number]) => bundle.initBytes ?? bundle.bytes;
  const heaviest = (bundles: typeof results.bundles) => Math.max(0, ...bundles.map(loaded));
  const ratioOf = (bundle: (typeof results.bundles)[number]) =>
    coldInitRatio(bundle.processMs, results.coldStart?.emptyHandler.processMs);
  const slowInit = api.filter((bundle) => !(ratioOf(bundle) <= API_COLD_INIT_RATIO_LIMIT));
  const leaks = results.bundles.filter(
    (bundle) => bundle.includesKubernetesClient && !bundle.needsKubernetesClient,
  );
  return [
    {
      id: 'api-bundle',
      description: 'API function bundle over 400 kB',
      limit: API_BUNDLE_LIMIT_BYTES,
      unit: 'bytes',
      worst: heaviest(api),
      crossed: api.some((bundle) => loaded(bundle) > API_BUNDLE_LIMIT_BYTES),
      offenders: api.filter((bundle) => loaded(bundle) > API_BUNDLE_LIMIT_BYTES).map((b) => b.name),
    },
    {
      id: 'any-bundle',
      description: 'any bundle over 800 kB',
      limit: ANY_BUNDLE_LIMIT_BYTES,
      unit: 'bytes',
      worst: heaviest(results.bundles),
      crossed: results.bundles.some((bundle) => loaded(bundle) > ANY_BUNDLE_LIMIT_BYTES),
      offenders: results.bundles
        .filter((bundle) => loaded(bundle) > ANY_BUNDLE_LIMIT_BYTES)
        .map((bundle) => bundle.name),
    },
    {
      id: 'api-cold-init',
      description: "API function's cold init over 1.5 × an empty handler's (processMs)",
      limit: API_COLD_INIT_RATIO_LIMIT,
      unit: '×',
      worst: Math.max(0, ...api.map(ratioOf).filter(Number.isFinite)),
      crossed: api.length > 0 && slowInit.length > 0,
      offenders: slowInit.map((bundle) => bundle.name),
    },
    {
      id: 'kubernetes-client',
      description: 'Kubernetes client bundled into a function that does not use it',
      limit: 0,
      unit: 'functions',
      worst: leaks.length,
      crossed: leaks.length > 0,
      offenders: leaks.map((bundle) => bundle.name),
    },
    {
      id: 'transitions-90s',
      description: 'over 30 state transitions to provision with a 90 s mount-target wait',
      limit: TRANSITIONS_90S_LIMIT,
      unit: 'transitions',
      worst: results.transitions.provision90s,
      crossed: results.transitions.provision90s > TRANSITIONS_90S_LIMIT,
      offenders: results.transitions.provision90s > TRANSITIONS_90S_LIMIT ? ['provision'] : [],
    },
    {
      id: 'post-p99',
      description: 'POST /volumes p99 over 2 s locally (50 concurrent callers)',
      limit: POST_P99_LIMIT_MS,
      unit: 'ms',
      worst: results.api.postP99Ms,
      crossed: results.api.postP99Ms > POST_P99_LIMIT_MS,
      offenders: results.api.postP99Ms > POST_P99_LIMIT_MS ? ['POST /volumes'] : [],
    },
    {
      id: 'throughput-50',
      description: 'under 3 volumes/s locally with 50 at once (median round)',
      limit: THROUGHPUT_50_FLOOR,
      unit: 'volumes/s',
      worst: results.throughput.volumesPerSecond50,
      // A run without the api section measured none (NaN): nothing crossed.
      crossed: results.throughput.volumesPerSecond50 < THROUGHPUT_50_FLOOR,
      offenders: results.throughput.volumesPerSecond50 < THROUGHPUT_50_FLOOR ? ['throughput'] : [],
    },
    ...(results.fleet
      ? [
          {
            id: 'fleet-check-cycle',
            description: `scheduled check over 10,000 volumes on 1,000 file systems over ${FLEET_CYCLE_LIMIT_SECONDS} s (simulated)`,
            limit: FLEET_CYCLE_LIMIT_SECONDS,
            unit: 's',
            worst: results.fleet.checkCycleSeconds,
            crossed: results.fleet.checkCycleSeconds > FLEET_CYCLE_LIMIT_SECONDS,
            offenders:
              results.fleet.checkCycleSeconds > FLEET_CYCLE_LIMIT_SECONDS ? ['CheckVolumes'] : [],
          },
        ]
      : []),
  ];
}

function format(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

const kB = (bytes: number) => format(bytes / 1000, 1);
const usd = (value: number) => (Number.isFinite(value) ? `$${value.toFixed(6)}` : '–');

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = headers.map((_, column) =>
    rows.every((row) => /^[-–$\d.,×%]*$/.test(row[column] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const empty = results.coldStart?.emptyHandler;
  out.push(
    `\n== Bundles and cold start (${results.bundleSource ?? '?'}; median of ${results.coldStart?.runs ?? '?'} fresh node processes; ms) ==`,
  );
  out.push(
    table(
      [
        'function',
        'kind',
        'MB',
        'kB',
        'gzip kB',
        'init kB',
        'chunks kB',
        'k8s client',
        'init',
        'process',
        '× empty',
        'unbundled',
        'wall',
        'unbundled wall',
      ],
      results.bundles.map((bundle) => [
        bundle.name,
        bundle.kind,
        String(bundle.memoryMB),
        kB(bundle.bytes),
        kB(bundle.gzipBytes),
        bundle.initBytes === undefined ? '' : kB(bundle.initBytes),
        bundle.chunkBytes === undefined ? '' : kB(bundle.chunkBytes),
        bundle.includesKubernetesClient
          ? bundle.needsKubernetesClient
            ? 'yes'
            : 'YES (unused)'
          : '',
        format(bundle.initMs),
        format(bundle.processMs),
        format(bundle.coldInitRatio ?? coldInitRatio(bundle.processMs, empty?.processMs), 2),
        format(bundle.unbundledInitMs),
        format(bundle.wallMs),
        format(bundle.unbundledWallMs),
      ]),
    ),
  );
  if (empty) {
    out.push(
      `empty handler: init ${format(empty.initMs, 2)} ms, process start → handler ${format(empty.processMs)} ms, wall ${format(empty.wallMs)} ms`,
    );
  }
  const priced = results.bundles.filter((bundle) => bundle.initWithSourceMapsMs !== undefined);
  if (priced.length > 0) {
    out.push(
      `NODE_OPTIONS=--enable-source-maps at init (without, as deployed / with): ${priced
        .map(
          (bundle) =>
            `${bundle.name} ${format(bundle.initMs)} / ${format(bundle.initWithSourceMapsMs)} ms`,
        )
        .join(', ')}`,
    );
  }
  const floor = results.coldInitFloor;
  if (floor) {
    out.push(
      `\n== The cold-init floor (one process at a time, median of ${floor.runs}; empty handler ${format(floor.emptyProcessMs)} ms) ==`,
    );
    out.push(
      table(
        ['what init loads', 'ms', '× empty', 'ms without source maps', '× empty'],
        floor.cases.map((floorCase) => [
          floorCase.name,
          format(floorCase.processMs),
          format(floorCase.ratio, 2),
          format(floorCase.withoutSourceMapsMs),
          format(floorCase.withoutSourceMapsRatio, 2),
        ]),
      ),
    );
  }

  const cost = results.cost;
  if (cost) {
    const defaults = cost.defaults;
    out.push(
      `\n== Cost per volume (simulated waits; first wait ${defaults.firstWaitSeconds} s, poll ${defaults.pollSeconds} s, DNS delay ${defaults.dnsDelaySeconds} s) ==`,
    );
    const rows = [
      ...cost.provision,
      cost.deprovision,
      cost.deprovisionRetain,
      ...(cost.deployed ? [cost.deployed] : []),
      ...cost.pollTradeoff,
    ].map((scenario) => [
      scenario.name,
      String(scenario.transitions),
      scenario.mountTargetChecks === undefined ? '' : String(scenario.mountTargetChecks),
      usd(scenario.cost.stepFunctionsUsd),
      String(scenario.cost.lambda.invocations),
      format(scenario.cost.lambda.gbSeconds, 3),
      usd(scenario.cost.lambdaUsd),
      usd(scenario.cost.totalUsd),
      format(scenario.cost.totalUsd * 1000, 3),
      scenario.status,
    ]);
    out.push(
      table(
        [
          'scenario',
          'transitions',
          'checks',
          'SFN $',
          'invocations',
          'GB-s',
          'Lambda $',
          'total $',
          '$/1000 vol',
          'status',
        ],
        rows,
      ),
    );
  }

  const lag = results.detectionLag;
  if (lag) {
    out.push(
      `\n== Detection lag (real time; mount targets available ${lag.mountTargetDelaySeconds} s after creation; DNS delay 0; median of ${lag.results[0]?.runs.length ?? '?'}) ==`,
    );
    out.push(
      table(
        [
          'first wait / poll',
          'checks',
          'transitions',
          'available→seen s',
          'seen→READY s',
          'lag s',
          'model lag s',
        ],
        lag.results.map((result) => [
          `${result.setting.firstWaitSeconds} s / ${result.setting.pollSeconds} s`,
          format(result.checks, 0),
          format(result.transitions, 0),
          format(result.detectionSeconds, 2),
          format(result.pipelineSeconds, 2),
          format(result.lagSeconds, 2),
          format(result.model.lagSeconds, 2),
        ]),
      ),
    );
  }

  if (lag?.atDefaults) {
    const at = lag.atDefaults;
    out.push(
      `at the default ${at.firstWaitSeconds} s / ${at.pollSeconds} s, DNS delay ${at.dnsDelaySeconds} s: READY ${format(at.expectedLagSeconds, 1)} s after the mount targets turn available on average, ${format(at.worstLagSeconds, 1)} s at worst (detection ${format(at.expectedDetectionSeconds, 1)} / ${format(at.worstDetectionSeconds, 1)} s + DNS delay + ${format(at.pipelineSeconds, 2)} s of steps), when they take longer than ${at.firstWaitSeconds} s (quicker: ${at.firstWaitSeconds} s minus their time); each further check costs 3 transitions`,
    );
  }
  out.push('\n== Local API and throughput (waits at zero) ==');
  out.push(
    table(
      [
        'volumes at once',
        's',
        'volumes/s',
        'READY p50 ms',
        'READY p99 ms',
        'POST p50',
        'POST p99',
        'GET p50',
        'GET p99',
        'moto CPU %',
        'bench CPU %',
        'loop delay max ms',
      ],
      results.throughput.rounds.map((round) => [
        String(round.volumes),
        format(round.seconds, 2),
        format(round.volumesPerSecond, 2),
        format(round.readyP50Ms, 0),
        format(round.readyP99Ms, 0),
        format(round.postP50Ms),
        format(round.postP99Ms),
        format(round.getP50Ms),
        format(round.getP99Ms),
        format(round.motoCpuPercent, 0),
        format(round.benchCpuPercent, 0),
        format(round.eventLoopDelayMaxMs, 0),
      ]),
    ),
  );
  const loaded = results.throughput.rounds.at(-1);
  if (loaded) {
    out.push(
      `the API's AWS calls with ${loaded.volumes} at once (p50 / p99 ms): ${Object.entries(
        loaded.apiCalls,
      )
        .map(
          ([command, figures]) =>
            `${command} ${format(figures.p50Ms, 0)} / ${format(figures.p99Ms, 0)}`,
        )
        .join(', ')}`,
    );
  }
  const idle = results.api.idle;
  if (idle) {
    out.push(
      `idle POST p50 ${format(idle.postP50Ms)} ms (dry run ${format(idle.dryRunP50Ms)} ms); per POST: ${idle.calls
        .map((call) => `${call.command} ×${format(call.perPost, 1)} ${format(call.p50Ms)} ms`)
        .join(
          ', ',
        )}; StateMachine built (once per ASL): ${format(idle.stateMachineConstructionMs)} ms`,
    );
  }
  const listReads = results.api.listReads;
  if (listReads) {
    out.push(
      `reads per GET /volumes page (limit ${listReads.limit}, ${listReads.records} volumes seeded; Queries / items read, mean (max); before: the whole-stack index, refilled until full): ${Object.entries(
        listReads.callers,
      )
        .map(
          ([caller, { after, before }]) =>
            `${caller} ${format(after.queriesPerPage.mean, 1)} (${after.queriesPerPage.max}) / ${format(after.itemsReadPerPage.mean, 0)} (${after.itemsReadPerPage.max}), before ${format(before.queriesPerPage.mean, 1)} (${before.queriesPerPage.max}) / ${format(before.itemsReadPerPage.mean, 0)} (${before.itemsReadPerPage.max})`,
        )
        .join('; ')}`,
    );
  }
  if (results.memory) {
    out.push(
      `peak RSS${results.memory.peakResetBeforeThroughput ? ' during the throughput rounds' : ' (whole run)'}: bench process ${format(results.memory.benchProcessPeakMiB, 0)} MiB, moto ${format(results.memory.motoPeakMiB, 0)} MiB`,
    );
  }

  out.push('\n== Peer: the manual walk-through vs ours, one volume, same emulators (median) ==');
  out.push(
    table(
      ['procedure', 'seconds'],
      [
        ['manual (aws CLI + kubectl)', format(results.peer.manualSeconds, 2)],
        ['ours (POST → READY)', format(results.peer.oursSeconds, 2)],
        ['ratio manual / ours', `${format(results.peer.ratio, 1)}×`],
      ],
    ),
  );
  if (results.peer.manualSteps) {
    out.push(
      `manual steps: ${results.peer.manualSteps.map((step) => `${step.step} ${format(step.seconds, 2)} s`).join(', ')}`,
    );
  }

  out.push('\n== Thresholds ==');
  out.push(
    table(
      ['threshold', 'limit', 'worst', 'crossed', 'by'],
      results.thresholds.map((threshold) => [
        threshold.description,
        `${threshold.limit} ${threshold.unit}`,
        `${format(threshold.worst, DIGITS_BY_UNIT[threshold.unit] ?? 0)} ${threshold.unit}`,
        threshold.crossed ? 'CROSSED' : 'ok',
        threshold.offenders.join(', '),
      ]),
    ),
  );
  if (results.errors.length > 0) out.push(`\nErrors:\n${results.errors.join('\n')}`);
  out.push(`\nTotal ${format(results.durationSeconds, 0)} s.`);
  return out.join('\n');
}

/** The decimals a threshold's worst value is printed with, by its unit (else none). */
const DIGITS_BY_UNIT: Readonly<Record<string, number>> = { ms: 1, '×': 2, 'volumes/s': 2 };

/** A full cycle of the scheduled check over the simulated fleet, at most (issue 22). */
export const FLEET_CYCLE_LIMIT_SECONDS = 300;
