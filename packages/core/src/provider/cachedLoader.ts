import type { CallOptions } from './provider.js';

/**
 * A value loaded on demand and reused for `ttlMs` (a provider's zone list, say). Callers arriving
 * while a load is under way share it, so a burst of concurrent calls costs one request.
 */
export class CachedLoader<T> {
  readonly #ttlMs: number;
  readonly #load: (options: CallOptions) => Promise<T>;
  #cached: { value: T; at: number } | undefined;
  #loading: Promise<T> | undefined;

  constructor(options: { ttlMs: number; load: (options: CallOptions) => Promise<T> }) {
    this.#ttlMs = options.ttlMs;
    this.#load = options.load;
  }

  /** The value, loaded when missing, older than the TTL, or when `refresh` is set. */
  get(options: CallOptions = {}, refresh = false): Promise<T> {
    const now = performance.now();
    if (!refresh && this.#cached && now - this.#cached.at < this.#ttlMs)
      return Promise.resolve(this.#cached.value);
    if (!refresh && this.#loading) return this.#loading;
    const loading = this.#load(options).then((value) => {
      this.#cached = { value, at: now };
      return value;
    });
    const settled = loading.finally(() => {
      if (this.#loading === settled) this.#loading = undefined;
    });
    this.#loading = settled;
    return settled;
  }

  /** The last loaded value, however old, without loading. */
  peek(): T | undefined {
    return this.#cached?.value;
  }

  /** Forgets the value: the next `get` loads again. */
  clear(): void {
    this.#cached = undefined;
  }
}
