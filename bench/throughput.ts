// Local throughput: N volumes requested at once through the local HTTP API, each caller
// POSTing then polling its volume until READY.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createVolume, waitUntilReady } from './local-api.ts';
import { median, percentile } from './stats.ts';

export interface ThroughputRound {
  readonly volumes: number;
  /** First POST sent to last READY seen. */
  readonly seconds: number;
  readonly volumesPerSecond: number;
  /** Per volume: its POST sent to its READY seen. */
  readonly readyP50Ms: number;
  readonly readyP99Ms: number;
  readonly postMs: number[];
  readonly getMs: number[];
  /** How late this process's event loop ran timers during the round (p99, max). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

export interface ThroughputOptions {
  readonly api: string;
  readonly clusterName: string;
  readonly namespace: string;
  /** Unique per round: claim names and idempotency keys derive from it. */
  readonly prefix: string;
  /** Each caller's pause between two GETs when the answer sends no `Retry-After`. */
  readonly pauseMs: number;
}

/** N callers at once, each POST /volumes then GET /volumes/{id} until READY. */
export async function throughputRound(
  volumes: number,
  options: ThroughputOptions,
): Promise<ThroughputRound> {
  const postMs: number[] = [];
  const getMs: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  // The first caller that fails ends the round: the others stop polling, rather than keep
  // the stack busy (and the bench alive) until their own deadlines.
  const roundOver = new AbortController();
  const readyAfter = await Promise.all(
    Array.from({ length: volumes }, async (_, index) => {
      const sent = performance.now();
      const name = `${options.prefix}-${index}`;
      const created = await createVolume(
        options.api,
        {
          clusterName: options.clusterName,
          namespace: options.namespace,
          name,
          reclaimPolicy: 'Delete',
        },
        name,
      );
      postMs.push(created.ms);
      const readyAt = await waitUntilReady(options.api, created.id, {
        pauseMs: options.pauseMs,
        ...(created.retryAfterMs === undefined ? {} : { firstPauseMs: created.retryAfterMs }),
        timeoutMs: 180_000,
        latencies: getMs,
        signal: roundOver.signal,
      });
      return readyAt - sent;
    }),
  ).catch((error: unknown) => {
    roundOver.abort(error);
    throw error;
  });
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return {
    volumes,
    seconds,
    volumesPerSecond: volumes / seconds,
    readyP50Ms: median(readyAfter),
    readyP99Ms: percentile(readyAfter, 99),
    postMs,
    getMs,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
  };
}
