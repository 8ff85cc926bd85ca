// A caller of the local API that behaves as the API asks of its clients: on 503 it waits and
// sends the same request again (with the same Idempotency-Key), and it counts how often it had to.

export interface ApiVolume {
  readonly id: string;
  readonly status: string;
  readonly name: string;
  readonly resources: Record<string, unknown>;
  readonly error?: unknown;
}

export class VolumeClient {
  readonly #api: string;
  /** 503 answers met and retried. */
  unavailable = 0;

  constructor(api: string) {
    this.#api = api;
  }

  async #send(path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.#api}${path}`, init);
      if (response.status !== 503 || attempt === 20) return response;
      await response.body?.cancel();
      this.unavailable++;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }

  async #json<T>(path: string, init: RequestInit, expected: number[]): Promise<T> {
    const response = await this.#send(path, init);
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text}`);
    }
    return JSON.parse(text) as T;
  }

  /** POST /volumes with an Idempotency-Key; the volume accepted (202). */
  create(body: Record<string, unknown>, idempotencyKey: string): Promise<ApiVolume> {
    return this.#json(
      '/volumes',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify(body),
      },
      [202],
    );
  }

  get(id: string): Promise<ApiVolume> {
    return this.#json(`/volumes/${id}`, {}, [200]);
  }

  /** DELETE /volumes/{id}; the volume as the answer shows it (202). */
  delete(id: string): Promise<ApiVolume> {
    return this.#json(`/volumes/${id}?force=true`, { method: 'DELETE' }, [202]);
  }

  /** Every volume of a cluster, through every page. */
  async list(clusterName: string): Promise<ApiVolume[]> {
    const items: ApiVolume[] = [];
    let nextToken: string | undefined;
    do {
      const query = new URLSearchParams({ clusterName, limit: '100' });
      if (nextToken) query.set('nextToken', nextToken);
      const page = await this.#json<{ items: ApiVolume[]; nextToken?: string }>(
        `/volumes?${query}`,
        {},
        [200],
      );
      items.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return items;
  }
}

/** Counts of each status, `{ READY: 50 }`. */
export function statusCounts(volumes: readonly ApiVolume[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const volume of volumes) counts[volume.status] = (counts[volume.status] ?? 0) + 1;
  return counts;
}
