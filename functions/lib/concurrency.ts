/**
 * Runs `work` over the items with at most `limit` in flight; results keep the items' order.
 * The scheduled check runs its batches and checks with it, the bench its cold starts.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Starts work whose outcome is read later, after other work that may refuse first: `await
 * started(work).result()` gives its value or throws its error then, never sooner (an error of
 * work nobody reads is not an unhandled rejection). Lets independent checks run side by side
 * while their refusals keep the order they had one after another.
 */
export function started<T>(work: Promise<T>): { result(): Promise<T> } {
  // Handled here, so a rejection waits to be read through result().
  work.catch(() => undefined);
  return { result: () => work };
}
