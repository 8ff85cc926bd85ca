// A caller of the local HTTP API (local/api-server.ts): POST /volumes, then GET /volumes/{id}
// until READY, each call timed from sending the request to having read the whole answer.

export interface TimedAnswer {
  readonly status: number;
  readonly ms: number;
  readonly body: { id?: string; status?: string; error?: unknown } & Record<string, unknown>;
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
  return { status: response.status, ms, body };
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
 * GETs the volume until READY, pausing `pauseMs` between calls, and returns when READY was
 * seen (performance.now()). Every GET's latency goes to `latencies`. Ends at once, with the
 * signal's reason, when `signal` aborts.
 */
export async function waitUntilReady(
  api: string,
  id: string,
  options: { pauseMs: number; timeoutMs: number; latencies?: number[]; signal?: AbortSignal },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
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
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  throw new Error(`volume ${id} not READY within ${options.timeoutMs} ms`);
}
