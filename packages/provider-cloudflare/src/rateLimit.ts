import { createHash } from 'node:crypto';
import { AbortedError } from '@openova/dns-core';

/** Cloudflare's documented global limit: 1,200 requests per 5 minutes per user or account token. */
export const CLOUDFLARE_RATE_LIMIT = { requests: 1200, windowMs: 5 * 60_000 } as const;

export interface RateLimitOptions {
  /** Requests allowed per window (default 1,200). */
  requests?: number;
  /** Window length in ms (default 300 000). */
  windowMs?: number;
}

/** Why {@link RateLimiter.acquire} refused to wait. */
export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limit: the next request may be sent in ${Math.ceil(waitMs / 1000)} s`);
    this.name = 'RateLimitWaitTooLong';
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(undefined, { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A sliding-window limiter for one credential, shared by every client in the process that uses
 * that credential against the same API (Cloudflare counts per token, not per connection). A 429
 * blocks it until `Retry-After` has passed, so no request of any caller goes out before then.
 */
export class RateLimiter {
  readonly requests: number;
  readonly windowMs: number;
  #sent: number[] = [];
  #blockedUntil = 0;

  constructor(options: RateLimitOptions = {}) {
    this.requests = options.requests ?? CLOUDFLARE_RATE_LIMIT.requests;
    this.windowMs = options.windowMs ?? CLOUDFLARE_RATE_LIMIT.windowMs;
  }

  /** Epoch ms before which nothing may be sent (0 when not blocked). */
  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  /** Nothing may be sent before `until` (epoch ms); a later block wins over an earlier one. */
  block(until: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
  }

  /** How long the next request would have to wait now, in ms. */
  waitMs(now = Date.now()): number {
    const blocked = Math.max(0, this.#blockedUntil - now);
    while (this.#sent.length && (this.#sent[0] as number) <= now - this.windowMs) this.#sent.shift();
    const windowFull =
      this.#sent.length >= this.requests
        ? (this.#sent[this.#sent.length - this.requests] as number) + this.windowMs - now
        : 0;
    return Math.max(blocked, windowFull);
  }

  /**
   * Waits until a request may be sent and counts it. Throws {@link RateLimitWaitTooLong} instead of
   * waiting longer than `maxWaitMs`.
   */
  async acquire(options: { maxWaitMs: number; signal?: AbortSignal | undefined }): Promise<void> {
    for (;;) {
      const wait = this.waitMs();
      if (wait <= 0) {
        this.#sent.push(Date.now());
        return;
      }
      if (wait > options.maxWaitMs) throw new RateLimitWaitTooLong(wait);
      await sleep(wait, options.signal);
    }
  }
}

const limiters = new Map<string, RateLimiter>();

/**
 * The limiter of one credential at one API base. The key is a hash: the credential itself is never
 * kept outside the client that owns it.
 */
export function limiterFor(apiBase: string, credential: string, options: RateLimitOptions): RateLimiter {
  const requests = options.requests ?? CLOUDFLARE_RATE_LIMIT.requests;
  const windowMs = options.windowMs ?? CLOUDFLARE_RATE_LIMIT.windowMs;
  const key = createHash('sha256')
    .update(`${apiBase}\u0000${credential}\u0000${requests}/${windowMs}`)
    .digest('hex');
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new RateLimiter({ requests, windowMs })));
  return limiter;
}

export { sleep as sleepWithSignal };
