// What the bundles carry instead of mnemonist's LRUCache (infra/bundling.ts,
// `endpointCacheLru`). Its only importer, @aws-sdk/endpoint-cache, is the DynamoDB client's
// cache of discovered endpoints, which the client makes at construction though endpoint
// discovery stays off unless AWS_ENABLE_ENDPOINT_DISCOVERY asks for it: mnemonist (with
// obliterator) brought 7 kB into every function's cold start for a cache that holds nothing.
// This is the same least-recently-used cache over a Map (which keeps insertion order), with
// the methods EndpointCache calls.
export default class LRUCache {
  #capacity;
  #items = new Map();

  constructor(capacity) {
    if (typeof capacity !== 'number' || capacity <= 0)
      throw new Error('mnemonist/lru-cache: capacity should be positive number.');
    this.#capacity = capacity;
  }

  get size() {
    return this.#items.size;
  }

  has(key) {
    return this.#items.has(key);
  }

  /** The value, without making it the most recently used. */
  peek(key) {
    return this.#items.get(key);
  }

  /** The value, made the most recently used. */
  get(key) {
    if (!this.#items.has(key)) return undefined;
    const value = this.#items.get(key);
    this.#items.delete(key);
    this.#items.set(key, value);
    return value;
  }

  /** Sets the value, the most recently used; past the capacity the least recently used goes. */
  set(key, value) {
    this.#items.delete(key);
    this.#items.set(key, value);
    if (this.#items.size > this.#capacity) {
      this.#items.delete(this.#items.keys().next().value);
    }
    return this;
  }

  clear() {
    this.#items.clear();
  }
}
