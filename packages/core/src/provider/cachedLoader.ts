import { AbortedError } from '../errors.js';
import type { CallOptions } from './provider.js';

/** One load under way, and the callers waiting for it. */
interface SharedLoad<T> {
  promise: Promise<T>;
  /** Aborts the load itself; fired only when every caller that joined has aborted. */
  controller: AbortController;
  /** Callers still waiting (their signal has not fired). */
  waiting: number;
}

/**
 * A value loaded on demand and reused for `ttlMs` (a provider's zone list, say). Callers arriving
 * while a load is under way share it, so a burst of concurrent calls costs one request.
 *
 * The shared load runs under its own `AbortSignal`, never under one caller's: a caller whose signal
 * fires gets `AbortedError` on its own promise while the others keep waiting, and the load
 * itself is aborted only once every caller that joined it has aborted.
 */
export class CachedLoader<T> {
  readonly #ttlMs: number;
  readonly #staleMs: number;
  readonly #load: (options: CallOptions) => Promise<T>;
  #cached: { value: T; at: number } | undefined;
  #loading: SharedLoad<T> | undefined;

  /**
   * @param options.ttlMs How long (ms) a loaded value is reused; `0` reloads on every `get`.
   * @param options.load Loads the value; receives the shared load's own signal.
   * @param options.staleMs For this long (ms) past the TTL, `get` answers at once with the old value
   *   while one load refreshes it in the background (default 0: callers wait for the load). A
   *   failed background load keeps the old value until it is older than `ttlMs + staleMs`.
   */
  constructor(options: { ttlMs: number; staleMs?: number; load: (options: CallOptions) => Promise<T> }) {
    this.#ttlMs = options.ttlMs;
    this.#staleMs = options.staleMs ?? 0;
    this.#load = options.load;
  }

  /**
   * The value, loaded when missing, older than the TTL, or when `refresh` is set.
   * @throws `AbortedError` when `options.signal` fires before the value is there (other
   * callers sharing the load are not affected); whatever the load throws otherwise.
   */
  get(options: CallOptions = {}, refresh = false): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
    const now = performance.now();
    if (!refresh && this.#cached && now - this.#cached.at < this.#ttlMs)
      return Promise.resolve(this.#cached.value);
    if (!refresh && this.#cached && now - this.#cached.at < this.#ttlMs + this.#staleMs) {
      // stale but usable: answer now, refresh once in the background
      if (!this.#loading) this.#start(now);
      return Promise.resolve(this.#cached.value);
    }
    const shared = !refresh && this.#loading ? this.#loading : this.#start(now);
    return this.#join(shared, signal);
  }

  /** The last loaded value, however old, without loading. */
  peek(): T | undefined {
    return this.#cached?.value;
  }

  /** Forgets the value: the next `get` loads again. */
  clear(): void {
    this.#cached = undefined;
  }

  #start(now: number): SharedLoad<T> {
    const controller = new AbortController();
    const shared: SharedLoad<T> = { controller, waiting: 0, promise: Promise.resolve() as Promise<T> };
    shared.promise = this.#load({ signal: controller.signal })
      .then((value) => {
        this.#cached = { value, at: now };
        return value;
      })
      .finally(() => {
        if (this.#loading === shared) this.#loading = undefined;
      });
    // every caller may have left already; the load's own outcome must not go unhandled
    shared.promise.catch(() => undefined);
    this.#loading = shared;
    return shared;
  }

  /** The caller's own view of a shared load: rejects when its signal fires, alone. */
  #join(shared: SharedLoad<T>, signal: AbortSignal | undefined): Promise<T> {
    shared.waiting++;
    if (!signal) return shared.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        reject(new AbortedError(undefined, { cause: signal.reason }));
        if (--shared.waiting === 0) {
          // nobody waits any more: stop the load, and let the next caller start afresh
          if (this.#loading === shared) this.#loading = undefined;
          shared.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}
