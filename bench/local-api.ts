// A caller of the local HTTP API (local/api-server.ts): POST /volumes, then GET /volumes/{id}
// until READY, each call timed from sending the request to having read the whole answer, each
// GET after the pause the last answer's `Retry-After` asked for, as the CLI's `--wait` waits.
import { retryAfterSecondsOf } from '../client/index.ts';

export interface TimedAnswer {
  readonly status: number;
  readonly ms: number;
  readonly body: { id?: string; status?: string; error?: unknown } & Record<string, unknown>;
  /** The answer's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;
}

async function timed(url: string, init: RequestInit = {}): Promise<TimedAnswer> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: TimedAnswer['body'] = {};
  try {
    body = JSON.parse(text) as TimedAnswer['body'];
  } catch {
    // not JSON: the status says enough
  }
  const retryAfter = retryAfterSecondsOf(response.headers.get('Retry-After'));
  return {
    status: response.status,
    ms,
    body,
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter * 1000 }),
  };
}

export interface VolumeRequestBody {
  readonly clusterName: string;
  readonly namespace: string;
  readonly name: string;
  readonly reclaimPolicy?: 'Delete' | 'Retain';
}

/** POST /volumes with an Idempotency-Key; 202 and the volume's id, or an error. */
export async function createVolume(
  api: string,
  body: VolumeRequestBody,
  idempotencyKey: string,
): Promise<TimedAnswer & { id: string }> {
  const answer = await timed(`${api}/volumes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(body),
  });
  if (answer.status !== 202 || typeof answer.body.id !== 'string') {
    throw new Error(`POST /volumes answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return { ...answer, id: answer.body.id };
}

const FAILED = new Set(['FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED', 'DELETED']);

/**
 * GETs the volume until READY, each GET after the last answer's `Retry-After` (`firstPauseMs`
 * for the first: the POST's), or `pauseMs` when it sent none, and returns when READY was seen
 * (performance.now()). Every GET's latency goes to `latencies`. Ends at once, with the
 * signal's reason, when `signal` aborts.
 */
export async function waitUntilReady(
  api: string,
  id: string,
  options: {
    pauseMs: number;
    firstPauseMs?: number;
    timeoutMs: number;
    latencies?: number[];
    signal?: AbortSignal;
  },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (options.firstPauseMs) await pause(options.firstPauseMs);
  while (performance.now() < deadline) {
    // Another caller of the round failed: the round is over, stop asking.
    options.signal?.throwIfAborted();
    const answer = await timed(`${api}/volumes/${id}`);
    options.latencies?.push(answer.ms);
    if (answer.status !== 200) throw new Error(`GET /volumes/${id} answered ${answer.status}`);
    if (answer.body.status === 'READY') return performance.now();
    if (FAILED.has(String(answer.body.status))) {
      throw new Error(
        `volume ${id} ended ${answer.body.status}: ${JSON.stringify(answer.body.error)}`,
      );
    }
    await pause(answer.retryAfterMs ?? options.pauseMs);
  }
  throw new Error(`volume ${id} not READY within ${options.timeoutMs} ms`);
}
