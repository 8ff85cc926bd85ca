// Detection lag, in real time: mount targets that become available a set time after they were
// created (delayed-mount-targets.ts in front of moto), the real ASL with its real Wait states,
// and the time from their becoming available to the record turning READY. Scaled down: first
// wait and poll interval in single seconds, DNS delay 0.

import type { VolumeRecordStore } from '../functions/lib/volume/record.ts';
import { median } from './stats.ts';
import { provisionVolume } from './workflow-runs.ts';

export interface PollSetting {
  readonly firstWaitSeconds: number;
  readonly pollSeconds: number;
}

/**
 * Where the poll grid meets a mount-target delay: checks at 0, first, first + poll, …; the
 * first at or after `delaySeconds` sees them available. Ignores the few ms each step takes.
 */
export function modelDetection(
  setting: PollSetting,
  delaySeconds: number,
): { checks: number; detectedAtSeconds: number; lagSeconds: number } {
  let at = 0;
  let checks = 1;
  while (at < delaySeconds && checks < 10_000) {
    at = checks === 1 ? setting.firstWaitSeconds : at + setting.pollSeconds;
    checks++;
  }
  return { checks, detectedAtSeconds: at, lagSeconds: at - delaySeconds };
}

export interface LagRun {
  readonly status: string;
  readonly checks: number;
  readonly transitions: number;
  /** Mount targets available → a check saw it. */
  readonly detectionSeconds: number;
  /** That check → record READY (claim applied, bound, completed). */
  readonly pipelineSeconds: number;
  /** Mount targets available → READY. */
  readonly lagSeconds: number;
}

export interface LagResult {
  readonly setting: PollSetting;
  readonly mountTargetDelaySeconds: number;
  readonly runs: LagRun[];
  readonly lagSeconds: number;
  readonly detectionSeconds: number;
  readonly pipelineSeconds: number;
  readonly transitions: number;
  readonly checks: number;
  readonly model: { checks: number; lagSeconds: number };
}

export async function measureDetectionLag(context: {
  readonly records: VolumeRecordStore;
  readonly clusterName: string;
  readonly namespace: string;
  readonly settings: readonly PollSetting[];
  readonly mountTargetDelaySeconds: number;
  readonly repeats: number;
  readonly onProgress?: (message: string) => void;
}): Promise<LagResult[]> {
  const results: LagResult[] = [];
  let sequence = 0;
  for (const setting of context.settings) {
    const runs: LagRun[] = [];
    for (let repeat = 0; repeat < context.repeats; repeat++) {
      const run = await provisionVolume(context.records, {
        clusterName: context.clusterName,
        namespace: context.namespace,
        name: `lag-${setting.firstWaitSeconds}-${setting.pollSeconds}-${sequence++}`,
        reclaimPolicy: 'Delete',
        mountTargetDelaySeconds: context.mountTargetDelaySeconds,
        time: 'real',
        settings: {
          mountTargetFirstWaitSeconds: setting.firstWaitSeconds,
          mountTargetPollSeconds: setting.pollSeconds,
          mountTargetDnsDelaySeconds: 0,
        },
      });
      if (!run.availableAt || !run.detectedAt || !run.readyAt) {
        throw new Error(`lag run ended ${run.status} without its marks: ${run.error ?? ''}`);
      }
      runs.push({
        status: run.status,
        checks: run.mountTargetChecks,
        transitions: run.transitions,
        detectionSeconds: (run.detectedAt - run.availableAt) / 1000,
        pipelineSeconds: (run.readyAt - run.detectedAt) / 1000,
        lagSeconds: (run.readyAt - run.availableAt) / 1000,
      });
    }
    const model = modelDetection(setting, context.mountTargetDelaySeconds);
    const result: LagResult = {
      setting,
      mountTargetDelaySeconds: context.mountTargetDelaySeconds,
      runs,
      lagSeconds: median(runs.map((run) => run.lagSeconds)),
      detectionSeconds: median(runs.map((run) => run.detectionSeconds)),
      pipelineSeconds: median(runs.map((run) => run.pipelineSeconds)),
      transitions: median(runs.map((run) => run.transitions)),
      checks: median(runs.map((run) => run.checks)),
      model: { checks: model.checks, lagSeconds: model.lagSeconds },
    };
    results.push(result);
    context.onProgress?.(
      `first wait ${setting.firstWaitSeconds} s / poll ${setting.pollSeconds} s: lag ${result.lagSeconds.toFixed(2)} s, ${result.transitions} transitions`,
    );
  }
  return results;
}

export interface LagAtSettings {
  readonly firstWaitSeconds: number;
  readonly pollSeconds: number;
  readonly dnsDelaySeconds: number;
  /** When the mount targets take longer than the first wait: P/2 on average, P at worst. */
  readonly expectedDetectionSeconds: number;
  readonly worstDetectionSeconds: number;
  /** Measured: from the check that saw them available to READY, with DNS delay 0. */
  readonly pipelineSeconds: number;
  /** Availability → READY on average: detection + DNS delay + pipeline. */
  readonly expectedLagSeconds: number;
  readonly worstLagSeconds: number;
}

/**
 * What the scaled-down measurements say about real settings: detection lag is set by the poll
 * grid (P/2 on average, P at worst, once the first wait has passed), then the DNS delay, then
 * the steps after the check, which the runs measured.
 */
export function lagAtSettings(
  settings: { firstWaitSeconds: number; pollSeconds: number; dnsDelaySeconds: number },
  measured: readonly LagResult[],
): LagAtSettings {
  const pipelineSeconds = median(measured.map((result) => result.pipelineSeconds));
  return {
    ...settings,
    expectedDetectionSeconds: settings.pollSeconds / 2,
    worstDetectionSeconds: settings.pollSeconds,
    pipelineSeconds,
    expectedLagSeconds: settings.pollSeconds / 2 + settings.dnsDelaySeconds + pipelineSeconds,
    worstLagSeconds: settings.pollSeconds + settings.dnsDelaySeconds + pipelineSeconds,
  };
}
