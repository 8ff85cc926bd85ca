import fc from 'fast-check';
import mnemonistLruCache from 'mnemonist/lru-cache.js';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module the bundles resolve in place of mnemonist's cache
import endpointLruCache from '../../infra/bundling/endpoint-lru-cache.mjs';

/** What @aws-sdk/endpoint-cache calls on its cache. */
interface Cache {
  get(key: string): unknown;
  peek(key: string): unknown;
  has(key: string): boolean;
  set(key: string, value: number): unknown;
  clear(): void;
  readonly size: number;
}
type CacheClass = new (capacity: number) => Cache;
// mnemonist's typings declare an ES default export; its module is CommonJS, the class itself.
const MnemonistLRUCache = mnemonistLruCache as unknown as CacheClass;
const LRUCache = endpointLruCache as CacheClass;

/** One call of what @aws-sdk/endpoint-cache calls on its cache. */
type Call =
  | { readonly op: 'get' | 'peek' | 'has'; readonly key: string }
  | { readonly op: 'set'; readonly key: string; readonly value: number }
  | { readonly op: 'clear' };

const calls = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constantFrom('get', 'peek', 'has'),
      key: fc.constantFrom('a', 'b', 'c', 'd'),
    }),
    fc.record({
      op: fc.constant('set'),
      key: fc.constantFrom('a', 'b', 'c', 'd'),
      value: fc.integer(),
    }),
    fc.record({ op: fc.constant('clear') }),
  ) as fc.Arbitrary<Call>,
  { minLength: 20, maxLength: 60 },
);

function run(cache: Cache, sequence: readonly Call[]) {
  return sequence.map((call) => {
    if (call.op === 'set') {
      cache.set(call.key, call.value);
      return cache.size;
    }
    if (call.op === 'clear') {
      cache.clear();
      return cache.size;
    }
    return cache[call.op](call.key);
  });
}

describe('endpoint-lru-cache (the bundles’ mnemonist LRUCache)', () => {
  it('answers every sequence of calls as mnemonist’s LRUCache does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), calls, (capacity, sequence) => {
        // Act / Assess
        expect(run(new LRUCache(capacity), sequence)).toEqual(
          run(new MnemonistLRUCache(capacity), sequence),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the entry read last when a set goes past the capacity', () => {
    // Prepare
    const cache = new LRUCache(2);
    cache.set('a', 1);
    cache.set('b', 2);

    // Act
    cache.get('a');
    cache.set('c', 3);

    // Assess
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
  });

  it('refuses a capacity that is not a positive number, as mnemonist does', () => {
    expect(() => new LRUCache(0)).toThrow('capacity should be positive number');
  });
});
