// A request budget per credential, shared by every client in the process that uses the credential
// against the same API: providers count requests per token or account, not per connection.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError } from '../errors.js';

/**
 * How a provider counts requests:
 * - `sliding-window`: at most `requests` in any `windowMs` (Cloudflare: 1,200 per 300 s);
 * - `token-bucket`: a bucket of `requests` tokens refilled evenly over `windowMs` (Hetzner: 3,600
 *   per hour, one back every second), so a full bucket allows a burst.
 */
export type RateLimitStrategy = 'sliding-window' | 'token-bucket';

/** A documented API rate limit: `requests` per `windowMs`, counted as a sliding window or a token bucket. */
export interface RateLimitPolicy {
  /** Requests allowed per window (the bucket size for a token bucket). A positive integer. */
  requests: number;
  /** Window length in ms (the time to refill a whole bucket). Positive. */
  windowMs: number;
  /** Default `sliding-window`. */
  strategy?: RateLimitStrategy;
}

/** The documented limits of the providers this SDK knows, per credential. */
export const RATE_LIMITS = {
  /** 1,200 requests per 5 minutes per user or account token. */
  cloudflare: { requests: 1200, windowMs: 300_000, strategy: 'sliding-window' },
  /** 5 requests per second per AWS account. */
  route53: { requests: 5, windowMs: 1000, strategy: 'sliding-window' },
  /** 3,600 requests per hour per project, refilled at one per second. */
  hetzner: { requests: 3600, windowMs: 3_600_000, strategy: 'token-bucket' },
} as const satisfies Record<string, RateLimitPolicy>;

/** Options of {@link RateLimiterLike.acquire}. */
export interface AcquireOptions {
  /** Longest wait (ms) accepted; a longer one throws {@link RateLimitWaitTooLong} at once. */
  maxWaitMs: number;
  /** Cancels the wait with `AbortedError`. */
  signal?: AbortSignal | undefined;
}

/** What the HTTP transport needs of a limiter: plug in your own (a shared Redis budget, say). */
export interface RateLimiterLike {
  /**
   * Waits until one request may be sent, and counts it.
   * @throws {@link RateLimitWaitTooLong} when the wait would exceed `maxWaitMs` (nothing is counted);
   * `AbortedError` when the signal fires.
   */
  acquire(options: AcquireOptions): Promise<void>;
  /** Nothing may be sent before `until` (epoch ms), after a 429. A later block wins. */
  block(until: number): void;
}

/** Why a limiter refused to wait: the next request may be sent only in `waitMs`. */
export class RateLimitWaitTooLong extends Error {
  /** @param waitMs How long (ms) the next request would have to wait. */
  constructor(readonly waitMs: number) {
    super(`rate limit: the next request may be sent in ${Math.ceil(waitMs / 1000)} s`);
    this.name = 'RateLimitWaitTooLong';
  }
}

/**
 * A limiter of one credential: a sliding window or a token bucket (see {@link RateLimitStrategy}),
 * plus a block set by a 429 until its `Retry-After` has passed. It never lets a request go into a
 * window it knows is exhausted; waits are abortable.
 */
export class RateLimiter implements RateLimiterLike {
  /** Requests allowed per window (the bucket size for a token bucket). */
  readonly requests: number;
  /** Window length in ms (the time to refill the whole bucket). */
  readonly windowMs: number;
  /** `sliding-window` (at most `requests` in any `windowMs`) or `token-bucket` (refilled continuously). */
  readonly strategy: RateLimitStrategy;
  /** Sliding window: send times (epoch ms), oldest first. */
  #sent: number[] = [];
  /** Token bucket: tokens left at `#refilledAt`. */
  #tokens: number;
  #refilledAt = Date.now();
  #blockedUntil = 0;

  /**
   * @param policy Default: Cloudflare's 1,200 requests per 300 000 ms, sliding window.
   * @throws TypeError when `requests` is not a positive integer or `windowMs` not positive.
   */
  constructor(policy: Partial<RateLimitPolicy> = {}) {
    this.requests = policy.requests ?? RATE_LIMITS.cloudflare.requests;
    this.windowMs = policy.windowMs ?? RATE_LIMITS.cloudflare.windowMs;
    this.strategy = policy.strategy ?? 'sliding-window';
    if (!Number.isInteger(this.requests) || this.requests < 1)
      throw new TypeError(`rate limit: requests must be a positive integer, got ${this.requests}`);
    if (!(this.windowMs > 0))
      throw new TypeError(`rate limit: windowMs must be positive, got ${this.windowMs}`);
    this.#tokens = this.requests;
  }

  /** Epoch ms before which nothing may be sent (0 when not blocked). */
  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  /** Nothing may be sent before `until` (epoch ms); a later block wins over an earlier one. */
  block(until: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
  }

  /** How long (ms) the next request would have to wait at `now` (epoch ms); 0 when it may go. */
  waitMs(now = Date.now()): number {
    const blocked = Math.max(0, this.#blockedUntil - now);
    return Math.max(
      blocked,
      this.strategy === 'token-bucket' ? this.#bucketWait(now) : this.#windowWait(now),
    );
  }

  /**
   * Waits until a request may be sent and counts it.
   * @throws {@link RateLimitWaitTooLong} instead of waiting longer than `maxWaitMs`;
   * `AbortedError` when `signal` fires during the wait.
   */
  async acquire(options: AcquireOptions): Promise<void> {
    for (;;) {
      const now = Date.now();
      const wait = this.waitMs(now);
      if (wait <= 0) {
        this.#take(now);
        return;
      }
      if (wait > options.maxWaitMs) throw new RateLimitWaitTooLong(wait);
      await abortableSleep(wait, options.signal);
    }
  }

  // Both waits are pure: `waitMs` may be asked about any moment. State changes only in `#take`.
  #windowWait(now: number): number {
    let live = 0; // sends still inside the window at `now`
    for (let i = this.#sent.length - 1; i >= 0 && (this.#sent[i] as number) > now - this.windowMs; i--)
      live++;
    if (live < this.requests) return 0;
    return (this.#sent[this.#sent.length - this.requests] as number) + this.windowMs - now;
  }

  #tokensAt(now: number): number {
    const refilled = (Math.max(0, now - this.#refilledAt) * this.requests) / this.windowMs;
    return Math.min(this.requests, this.#tokens + refilled);
  }

  #bucketWait(now: number): number {
    const tokens = this.#tokensAt(now);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.windowMs) / this.requests);
  }

  #take(now: number): void {
    if (this.strategy === 'token-bucket') {
      this.#tokens = this.#tokensAt(now) - 1;
      this.#refilledAt = now;
      return;
    }
    while (this.#sent.length && (this.#sent[0] as number) <= now - this.windowMs) this.#sent.shift();
    this.#sent.push(now);
  }
}

/**
 * Sleeps `ms` milliseconds, or rejects with `AbortedError` as soon as `signal` fires.
 * @throws `AbortedError` when the signal fires (or has fired) before the time is up.
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
    throw error;
  }
}

const limiters = new Map<string, RateLimiter>();

/** Identifies a shared {@link RateLimiter}: one credential, in one scope, under one policy. */
export interface RateLimiterKey {
  /** What the credential is valid for, e.g. the API base URL or an AWS account id. */
  scope: string;
  /** The credential (token, key, `email\0key`). Hashed at once; never stored. */
  credential: string;
  /** The limit the API applies to this credential, e.g. `RATE_LIMITS.cloudflare`. */
  policy: RateLimitPolicy;
}

/**
 * The process-wide limiter of one credential in one scope under one policy: every client built
 * with the same three shares it. The registry key is a SHA-256 of them, so the credential itself is
 * kept nowhere outside the client that owns it.
 */
export function rateLimiterFor(key: RateLimiterKey): RateLimiter {
  const { requests, windowMs, strategy = 'sliding-window' } = key.policy;
  const hash = createHash('sha256')
    .update(`${key.scope}\u0000${key.credential}\u0000${requests}/${windowMs}/${strategy}`)
    .digest('hex');
  let limiter = limiters.get(hash);
  if (!limiter) limiters.set(hash, (limiter = new RateLimiter({ requests, windowMs, strategy })));
  return limiter;
}
