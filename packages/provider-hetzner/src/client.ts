import { inspect } from 'node:util';
import { ConfigError } from '@openova/dns-core';
import {
  apiBaseUrl,
  abortableSleep,
  HttpTransport,
  RATE_LIMITS,
  rateLimiterFor,
  type HttpAnswer,
  type HttpErrorReading,
  type HttpHeaders,
  type HttpRequestEvent,
  type HttpResponse,
  type RateLimiter,
  type RateLimitPolicy,
} from '@openova/dns-core/http';
import { readAllPages } from '@openova/dns-core/provider';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  codeForHetznerError,
  HetznerActionError,
  HetznerApiError,
  invalidFieldsOf,
  NOT_EXECUTED_HETZNER_CODES,
  RETRYABLE_HETZNER_CODES,
} from './errors.js';
import {
  actionSchema,
  errorEnvelopeSchema,
  metaSchema,
  rrsetSchema,
  zoneSchema,
  type HetznerAction,
  type HetznerMeta,
  type HetznerRecord,
  type HetznerRRSet,
  type HetznerZone,
  type HetznerZoneMode,
} from './schemas.js';

/** Hetzner Cloud API base URL, the default `baseUrl`. */
export const DEFAULT_HETZNER_BASE_URL = 'https://api.hetzner.cloud/v1';
/** How often a listing that changed while it was read is read again before giving up. */
const LISTING_ATTEMPTS = 3;

/**
 * Largest page size used: 50. Hetzner's API reference (Pagination) documents 50 as the maximum
 * "except otherwise specified in the documentation", and the `per_page` parameters of
 * `list_zones` and `list_zone_rrsets` specify nothing else (default 25, no maximum of their own;
 * checked against the published `cloud.spec.json`). The client never assumes more: it follows
 * `meta.pagination`, not the size it asked for, so a server that honours fewer still works.
 */
export const MAX_PER_PAGE = 50;
/** Hetzner's documented limit: 3,600 requests per hour per project, refilled at 1 per second. */
export const HETZNER_RATE_LIMIT = RATE_LIMITS.hetzner;
/** Actions polled in one `GET /actions?id=…` (hcloud-go polls in chunks of 25). */
export const ACTIONS_PER_POLL = 25;

/** Backoff of retried calls: `minDelayMs` doubling per retry up to `maxDelayMs`; a `Retry-After` wins. */
export interface HetznerRetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Delay before the first retry in ms (default 500). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 8000). */
  maxDelayMs?: number;
}

/** The per-project limiter: Hetzner's 3,600 requests per hour, refilled at one per second. */
export interface HetznerRateLimitOptions {
  /** Bucket size (default 3,600). */
  requests?: number;
  /** Time to refill the whole bucket in ms (default 3 600 000: one request per second). */
  windowMs?: number;
  /**
   * Longest wait (ms) accepted for the bucket, and for all the 429s of one call together, before it
   * fails with a retryable `PROVIDER_RATE_LIMITED` error (default 60 000).
   */
  maxWaitMs?: number;
}

/** What the `onRequest` hook hears of each attempt (core's `HttpRequestEvent`). */
export type HetznerRequestEvent = HttpRequestEvent;

/** The `RateLimit-*` headers of the last answer. */
export interface HetznerRateLimitState {
  /** Bucket size (`RateLimit-Limit`). */
  limit: number;
  /** Requests left (`RateLimit-Remaining`). */
  remaining: number;
  /** Unix time (s) when the bucket is full again. */
  reset: number;
}

/**
 * Options of {@link HetznerClient} (and of `HetznerProvider`): the project token, plus timeouts, retries
 * and the rate limiter.
 */
export interface HetznerClientOptions {
  /** A Cloud project API token (Read, or Read & Write to apply changes). */
  token: string;
  /** API base (default `https://api.hetzner.cloud/v1`); tests point it at a fake. */
  baseUrl?: string;
  /** Timeout of each HTTP attempt in ms (default 15 000, as the official webhook). */
  timeoutMs?: number;
  /** Backoff of retried calls: connection errors, timeouts, 5xx and 429 (see {@link HetznerRetryOptions}). */
  retry?: HetznerRetryOptions;
  /** The per-project limiter (default 3,600 per hour, token bucket); `false` turns it off. */
  rateLimit?: HetznerRateLimitOptions | false;
  /** Delay between action polls in ms (default 500; the poll is one request for up to 25 actions). */
  pollIntervalMs?: number;
  /** Longest time to wait for actions in ms (default 120 000). */
  actionTimeoutMs?: number;
  /** An undici dispatcher to use instead of the client's own connection pool (proxies, mocks). */
  dispatcher?: Dispatcher;
  /** Most connections the client's own pool opens to the API (default 8). */
  connections?: number;
  /** Called after every HTTP attempt; exceptions it throws are ignored. */
  onRequest?: (event: HetznerRequestEvent) => void;
}

/** Options every {@link HetznerClient} call accepts. */
export interface HetznerCallOptions {
  /** Cancels the call, retries, rate-limit waits and action polling included (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal | undefined;
  /** Overrides the client's per-attempt timeout for this call, in ms. */
  timeoutMs?: number;
}

/** Options of {@link HetznerClient.listZones} (`GET /zones`, every page). */
export interface ListZonesOptions extends HetznerCallOptions {
  /** Only the zone of exactly this name. */
  name?: string;
  /** Only `primary` or `secondary` zones. */
  mode?: HetznerZoneMode;
  /** Only zones matching this label selector, e.g. `env=prod`. */
  labelSelector?: string;
  /** Page size, 1–50 (default 50). */
  perPage?: number;
}

/** Options of {@link HetznerClient.listRRSets} (`GET /zones/{id_or_name}/rrsets`, every page). */
export interface ListRRSetsOptions extends HetznerCallOptions {
  /** Only the RRSets of this name (relative to the zone, `@` at the apex). */
  name?: string;
  /** One or more types (repeated `type` parameters). */
  type?: string | readonly string[];
  /** Only RRSets matching this label selector. */
  labelSelector?: string;
  /** Page size, 1–50 (default 50). */
  perPage?: number;
}

/** An RRSet to create (`POST /zones/{id_or_name}/rrsets`). */
export interface RRSetInput {
  /** Name relative to the zone, lower case, `@` at the apex. */
  name: string;
  /** Record type, e.g. `AAAA`. */
  type: string;
  /** Omitted or `null`: the zone's default TTL. */
  ttl?: number | null;
  /** Labels to store on the RRSet (`key: value`). */
  labels?: Record<string, string>;
  /** The values, each with an optional comment. */
  records: HetznerRecord[];
}

/** A write and the action that carries it out. */
export interface HetznerWrite<T = undefined> {
  /** The object the write returned (zone, RRSet), when it returns one. */
  result: T;
  /** The asynchronous action that carries out the write; wait for it with `waitForActions`. */
  action: HetznerAction;
}

interface Spec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  idempotent: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_WAIT_MS = 60_000;

const seg = (value: string | number) => encodeURIComponent(String(value));

function withQuery(path: string, query: Spec<unknown>['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number') params.append(key, String(value));
    else for (const v of value) params.append(key, v);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function header(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `RateLimit-*` headers of an answer, when all three are there. */
export function readRateLimitHeaders(headers: HttpHeaders): HetznerRateLimitState | undefined {
  const limit = Number(header(headers, 'ratelimit-limit'));
  const remaining = Number(header(headers, 'ratelimit-remaining'));
  const reset = Number(header(headers, 'ratelimit-reset'));
  if (![limit, remaining, reset].every(Number.isFinite)) return undefined;
  return { limit, remaining, reset };
}

/**
 * Seconds until the next request may be sent, from the `RateLimit-*` headers: 0 while tokens are
 * left; otherwise the time one token takes to come back. The bucket refills evenly until `reset`
 * (when it is full), so one token takes `(reset - now) / (limit - remaining)` seconds.
 */
export function rateLimitWaitSeconds(state: HetznerRateLimitState, nowMs = Date.now()): number {
  if (state.remaining > 0) return 0;
  const untilFull = Math.max(0, state.reset - nowMs / 1000);
  const missing = Math.max(1, state.limit - state.remaining);
  // the header has whole seconds: round the per-token time up to a tenth, not to a whole second
  return Math.max(1, Math.ceil((untilFull / missing) * 10) / 10);
}

/**
 * A typed client for the DNS part of the Hetzner Cloud API: zones, RRSets and actions. Built on
 * core's HTTP transport and zod.
 *
 * - Bearer project token; it is in no error, log event or `util.inspect` output.
 * - Lists follow `meta.pagination.next_page` at 50 per page.
 * - Writes return an action; {@link waitForActions} polls many at once (`GET /actions?id=…`, 25 per
 *   request) until each is `success`, and throws a {@link HetznerActionError} for one in `error`.
 * - A per-project token bucket (3,600 per hour, one back per second) shared by every client with
 *   the same token; the `RateLimit-*` headers of every answer correct it (a bucket drained by
 *   another process blocks us until a token is back), and a 429 is waited out for the time the
 *   headers give (Hetzner sends no `Retry-After`).
 * - Retries: reads on any transient failure; writes only when Hetzner proves they were not
 *   carried out (`locked`, `conflict`, `rate_limit_exceeded`, or no connection made).
 *
 * Calls throw {@link HetznerApiError} (`PROVIDER`, `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`,
 * `PROVIDER_UNREACHABLE`, `RECORD_REJECTED`, …), {@link HetznerActionError} for an action that ended in
 * `error`, and `AbortedError` (`ABORTED`).
 *
 * Source: the Hetzner Cloud API reference, DNS section (https://docs.hetzner.cloud/reference/cloud).
 */
export class HetznerClient {
  /** API base URL, e.g. `https://api.hetzner.cloud/v1`. */
  readonly baseUrl: string;
  readonly #http: HttpTransport;
  readonly #limiter: RateLimiter | undefined;
  readonly #pollIntervalMs: number;
  readonly #actionTimeoutMs: number;
  #rateLimitState: HetznerRateLimitState | undefined;

  /** @throws `ConfigError` without a token, or with a `baseUrl` that is not http(s). */
  constructor(options: HetznerClientOptions) {
    const base = apiBaseUrl('hetzner', 'baseUrl', options.baseUrl ?? DEFAULT_HETZNER_BASE_URL);
    this.baseUrl = base.toString().replace(/\/$/, '');
    const token = typeof options.token === 'string' ? options.token.trim() : '';
    if (!token) throw new ConfigError('hetzner: a Cloud project API token is required');
    const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
    const policy: RateLimitPolicy = {
      requests: rateLimit?.requests ?? HETZNER_RATE_LIMIT.requests,
      windowMs: rateLimit?.windowMs ?? HETZNER_RATE_LIMIT.windowMs,
      strategy: 'token-bucket',
    };
    this.#limiter = rateLimit
      ? rateLimiterFor({ scope: this.baseUrl, credential: token, policy })
      : undefined;
    const maxWaitMs = rateLimit?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    this.#actionTimeoutMs = options.actionTimeoutMs ?? 120_000;
    this.#http = new HttpTransport({
      provider: 'hetzner',
      baseUrl: base,
      headers: { 'user-agent': '@openova/dns-provider-hetzner', authorization: `Bearer ${token}` },
      secrets: [token],
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: {
        retries: options.retry?.retries ?? 3,
        minDelayMs: options.retry?.minDelayMs ?? 500,
        maxDelayMs: options.retry?.maxDelayMs ?? 8000,
      },
      rateLimiter: this.#limiter,
      maxRetryAfterMs: maxWaitMs,
      // a 429 storm is waited out up to maxWaitMs in all (each wait is at least 1 s), not 5 waits
      maxRetryAfterWaits: Math.max(5, Math.ceil(maxWaitMs / 1000)),
      maxRetryAfterTotalMs: maxWaitMs,
      requestIdHeaders: ['x-correlation-id', 'x-request-id'],
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      onRequest: options.onRequest,
      retryableStatus: (status) => status === 429 || status >= 500,
      notExecuted: (error) =>
        isHetznerError(error) &&
        error.hetznerCode !== undefined &&
        NOT_EXECUTED_HETZNER_CODES.has(error.hetznerCode),
      readError: (answer) => this.#readError(answer),
      createError: (message, init) => {
        const extra = (init.details ?? {}) as {
          hetznerCode?: string;
          details?: unknown;
          retryAfterS?: number;
        };
        return new HetznerApiError(message, {
          ...init,
          ...(extra.hetznerCode === undefined ? {} : { hetznerCode: extra.hetznerCode }),
          ...(extra.details === undefined ? {} : { details: extra.details }),
          ...(extra.retryAfterS === undefined ? {} : { retryAfter: extra.retryAfterS }),
        });
      },
    });
  }

  /** The limiter shared by every client of this token (undefined when off). */
  get rateLimiter(): RateLimiter | undefined {
    return this.#limiter;
  }

  /** The `RateLimit-*` headers of the last answer that had them. */
  get rateLimit(): HetznerRateLimitState | undefined {
    return this.#rateLimitState ? { ...this.#rateLimitState } : undefined;
  }

  /** `util.inspect` shows only `baseUrl`: the token never appears. */
  [inspect.custom](): string {
    return `HetznerClient { baseUrl: ${JSON.stringify(this.baseUrl)}, token: [redacted] }`;
  }

  /** The client's identity for logs: `baseUrl` only, never the token. */
  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** Closes the client's connection pool; calls after it fail. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using client = new HetznerClient(…)` closes the client at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- zones ----------------------------------------------------------------------------------

  /** `GET /zones`, every page. */
  listZones(options: ListZonesOptions = {}): Promise<HetznerZone[]> {
    return this.#allPages(
      'zones',
      {
        method: 'GET',
        path: '/zones',
        query: { name: options.name, mode: options.mode, label_selector: options.labelSelector },
        schema: zoneSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `GET /zones/{id_or_name}`: a zone by numeric id or by name. */
  async getZone(idOrName: number | string, options: HetznerCallOptions = {}): Promise<HetznerZone> {
    const body = await this.#call(
      {
        method: 'GET',
        path: `/zones/${seg(idOrName)}`,
        schema: z.looseObject({ zone: zoneSchema }),
        idempotent: true,
      },
      options,
    );
    return body.zone;
  }

  /** `GET /zones/{id_or_name}/zonefile`: the zone as a BIND zone file. */
  async exportZonefile(idOrName: number | string, options: HetznerCallOptions = {}): Promise<string> {
    const body = await this.#call(
      {
        method: 'GET',
        path: `/zones/${seg(idOrName)}/zonefile`,
        schema: z.looseObject({ zonefile: z.string() }),
        idempotent: true,
      },
      options,
    );
    return body.zonefile;
  }

  // ---- RRSets ---------------------------------------------------------------------------------

  /** `GET /zones/{z}/rrsets`, every page at 50 per page. */
  listRRSets(zone: number | string, options: ListRRSetsOptions = {}): Promise<HetznerRRSet[]> {
    const type = typeof options.type === 'string' ? [options.type] : options.type;
    return this.#allPages(
      'rrsets',
      {
        method: 'GET',
        path: `/zones/${seg(zone)}/rrsets`,
        query: { name: options.name, type, label_selector: options.labelSelector },
        schema: rrsetSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `GET /zones/{z}/rrsets/{name}/{type}`. */
  async getRRSet(
    zone: number | string,
    name: string,
    type: string,
    options: HetznerCallOptions = {},
  ): Promise<HetznerRRSet> {
    const body = await this.#call(
      {
        method: 'GET',
        path: `${rrsetPath(zone, name, type)}`,
        schema: z.looseObject({ rrset: rrsetSchema }),
        idempotent: true,
      },
      options,
    );
    return body.rrset;
  }

  /** `POST /zones/{z}/rrsets`: `uniqueness_error` when it exists. */
  async createRRSet(
    zone: number | string,
    input: RRSetInput,
    options: HetznerCallOptions = {},
  ): Promise<HetznerWrite<HetznerRRSet>> {
    const body = await this.#call(
      {
        method: 'POST',
        path: `/zones/${seg(zone)}/rrsets`,
        body: input,
        schema: z.looseObject({ rrset: rrsetSchema, action: actionSchema }),
        idempotent: false,
      },
      options,
    );
    return { result: body.rrset, action: body.action };
  }

  /** `PUT /zones/{z}/rrsets/{name}/{type}`: replaces the labels (synchronous, no action). */
  async updateRRSetLabels(
    zone: number | string,
    rrset: { name: string; type: string },
    labels: Record<string, string>,
    options: HetznerCallOptions = {},
  ): Promise<HetznerRRSet> {
    const body = await this.#call(
      {
        method: 'PUT',
        path: rrsetPath(zone, rrset.name, rrset.type),
        body: { labels },
        schema: z.looseObject({ rrset: rrsetSchema }),
        idempotent: true,
      },
      options,
    );
    return body.rrset;
  }

  /** `DELETE /zones/{z}/rrsets/{name}/{type}`. */
  deleteRRSet(
    zone: number | string,
    name: string,
    type: string,
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    return this.#action({ method: 'DELETE', path: rrsetPath(zone, name, type), idempotent: true }, options);
  }

  /** `…/actions/set_records`: replaces every record; creates the RRSet when missing. */
  setRecords(
    zone: number | string,
    rrset: { name: string; type: string },
    records: HetznerRecord[],
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    return this.#rrsetAction(
      zone,
      rrset,
      { command: 'set_records', body: { records }, idempotent: true },
      options,
    );
  }

  /** `…/actions/add_records`: adds records (and sets the TTL when given); creates the RRSet when missing. */
  addRecords(
    zone: number | string,
    rrset: { name: string; type: string },
    input: { records: HetznerRecord[]; ttl?: number | null },
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    const body =
      input.ttl === undefined ? { records: input.records } : { records: input.records, ttl: input.ttl };
    return this.#rrsetAction(zone, rrset, { command: 'add_records', body, idempotent: false }, options);
  }

  /** `…/actions/remove_records`: removes the given values; an emptied RRSet is deleted. */
  removeRecords(
    zone: number | string,
    rrset: { name: string; type: string },
    records: HetznerRecord[],
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    return this.#rrsetAction(
      zone,
      rrset,
      { command: 'remove_records', body: { records }, idempotent: false },
      options,
    );
  }

  /** `…/actions/change_ttl`; `null` returns to the zone's default. */
  changeTtl(
    zone: number | string,
    rrset: { name: string; type: string },
    ttl: number | null,
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    return this.#rrsetAction(
      zone,
      rrset,
      { command: 'change_ttl', body: { ttl }, idempotent: true },
      options,
    );
  }

  /** `…/actions/change_protection`: `change: true` makes the RRSet read-only until lifted. */
  changeProtection(
    zone: number | string,
    rrset: { name: string; type: string },
    change: boolean,
    options: HetznerCallOptions = {},
  ): Promise<HetznerAction> {
    return this.#rrsetAction(
      zone,
      rrset,
      { command: 'change_protection', body: { change }, idempotent: true },
      options,
    );
  }

  // ---- actions --------------------------------------------------------------------------------

  /** `GET /zones/{z}/actions`: the zone's actions (every page), optionally only those in `status`. */
  listZoneActions(
    zone: number | string,
    options: HetznerCallOptions & { status?: HetznerAction['status'] } = {},
  ): Promise<HetznerAction[]> {
    return this.#allPages(
      'actions',
      {
        method: 'GET',
        path: `/zones/${seg(zone)}/actions`,
        query: { status: options.status },
        schema: actionSchema,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Waits until the zone has no running action (polling `GET /zones/{z}/actions?status=running`),
   * so that what its RRSets show is final: after a write whose answer was lost, this is how long
   * its action (if it was started) takes. Gives up silently after `actionTimeoutMs`.
   */
  async waitForZoneIdle(zone: number | string, options: HetznerCallOptions = {}): Promise<boolean> {
    const deadline = Date.now() + this.#actionTimeoutMs;
    for (;;) {
      const running = await this.listZoneActions(zone, { ...options, status: 'running' });
      if (running.length === 0) return true;
      if (Date.now() > deadline) return false;
      await abortableSleep(this.#pollIntervalMs, options.signal);
    }
  }

  /** `GET /actions?id=…&id=…`: the current state of up to 25 actions in one request. */
  async getActions(ids: readonly number[], options: HetznerCallOptions = {}): Promise<HetznerAction[]> {
    if (ids.length === 0) return [];
    if (ids.length > ACTIONS_PER_POLL)
      throw new ConfigError(`hetzner: at most ${ACTIONS_PER_POLL} actions per poll, got ${ids.length}`);
    const body = await this.#call(
      {
        method: 'GET',
        path: '/actions',
        query: { id: ids.map(String), per_page: MAX_PER_PAGE },
        schema: z.looseObject({ actions: z.array(actionSchema) }),
        idempotent: true,
      },
      options,
    );
    return body.actions;
  }

  /**
   * Waits until every action is `success`, polling the running ones together (25 per request).
   * @throws {@link HetznerActionError} for the first action that ended in `error` (after every
   *   action has finished, so the caller knows the state of the rest); a retryable `ProviderError`
   *   (`PROVIDER`, kind `timeout`) when they do not finish within `actionTimeoutMs`.
   */
  async waitForActions(
    actions: readonly HetznerAction[],
    options: HetznerCallOptions & {
      /** Names the write an action stands for, in errors. */
      describe?: (action: HetznerAction) => string;
      /** `false`: return failed actions instead of throwing (default true). */
      throwOnError?: boolean;
    } = {},
  ): Promise<HetznerAction[]> {
    const done = new Map<number, HetznerAction>();
    let running = actions.filter((a) => {
      if (a.status === 'running') return true;
      done.set(a.id, a);
      return false;
    });
    const deadline = Date.now() + this.#actionTimeoutMs;
    while (running.length) {
      if (Date.now() > deadline)
        throw new HetznerApiError(
          `hetzner: ${running.length} action(s) still running after ${this.#actionTimeoutMs} ms: ${running.map((a) => a.id).join(', ')}`,
          {
            kind: 'timeout',
            method: 'GET',
            path: '/actions',
            retryable: true,
            attempts: 0,
            code: 'PROVIDER',
          },
        );
      await abortableSleep(this.#pollIntervalMs, options.signal);
      const next: HetznerAction[] = [];
      for (let i = 0; i < running.length; i += ACTIONS_PER_POLL) {
        const chunk = running.slice(i, i + ACTIONS_PER_POLL);
        const polled = new Map(
          (
            await this.getActions(
              chunk.map((a) => a.id),
              options,
            )
          ).map((a) => [a.id, a]),
        );
        for (const a of chunk) {
          const now = polled.get(a.id) ?? a;
          if (now.status === 'running') next.push(now);
          else done.set(now.id, now);
        }
      }
      running = next;
    }
    const result = actions.map((a) => done.get(a.id) as HetznerAction);
    const failed = result.find((a) => a.status === 'error');
    if (failed && options.throwOnError !== false)
      throw new HetznerActionError(failed, options.describe?.(failed) ?? '');
    return result;
  }

  // ---- transport ------------------------------------------------------------------------------

  #rrsetAction(
    zone: number | string,
    rrset: { name: string; type: string },
    action: { command: string; body: unknown; idempotent: boolean },
    options: HetznerCallOptions,
  ): Promise<HetznerAction> {
    const { command, body, idempotent } = action;
    return this.#action(
      {
        method: 'POST',
        path: `${rrsetPath(zone, rrset.name, rrset.type)}/actions/${command}`,
        body,
        idempotent,
      },
      options,
    );
  }

  async #action(spec: Omit<Spec<unknown>, 'schema'>, options: HetznerCallOptions): Promise<HetznerAction> {
    const body = await this.#call({ ...spec, schema: z.looseObject({ action: actionSchema }) }, options);
    return body.action;
  }

  async #call<T>(spec: Spec<T>, options: HetznerCallOptions): Promise<T> {
    return (await this.#send(spec, options)).body;
  }

  /** Every page of a listing, read again while it changes under us (core's `readAllPages`). */
  async #allPages<T>(
    key: string,
    spec: Spec<T>,
    options: HetznerCallOptions & { perPage?: number },
  ): Promise<T[]> {
    const perPage = options.perPage ?? MAX_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
      throw new ConfigError(`hetzner: perPage must be 1–${MAX_PER_PAGE}, got ${perPage}`);
    const schema = z.looseObject({ [key]: z.array(spec.schema), meta: metaSchema });
    return await readAllPages(
      async (page) => {
        const { body } = await this.#send(
          { ...spec, query: { ...spec.query, page, per_page: perPage }, schema },
          options,
        );
        const items = (body as Record<string, unknown>)[key] as T[];
        const pagination = (body.meta as HetznerMeta).pagination;
        const next = pagination.next_page;
        return {
          items,
          total: pagination.total_entries,
          next: next === null || next <= page || items.length === 0 ? undefined : next,
        };
      },
      { provider: 'hetzner', what: `GET ${spec.path}`, attempts: LISTING_ATTEMPTS },
    );
  }

  async #send<T>(spec: Spec<T>, options: HetznerCallOptions): Promise<{ body: T; response: HttpResponse }> {
    const response = await this.#http.request(
      {
        method: spec.method,
        path: withQuery(spec.path, spec.query),
        ...(spec.body === undefined ? {} : { body: spec.body }),
        idempotent: spec.idempotent,
      },
      options,
    );
    this.#noteRateLimit(response.headers);
    return { body: this.#http.readJson(response, spec.schema), response };
  }

  /** Keeps the limiter in step with Hetzner's count: an empty bucket blocks until a token is back. */
  #noteRateLimit(headers: HttpHeaders): number | undefined {
    const state = readRateLimitHeaders(headers);
    if (!state) return undefined;
    this.#rateLimitState = state;
    const wait = rateLimitWaitSeconds(state);
    if (wait > 0) this.#limiter?.block(Date.now() + wait * 1000);
    return wait;
  }

  #readError(answer: HttpAnswer): HttpErrorReading {
    const { status, text, headers } = answer;
    let hetznerCode: string | undefined;
    let message: string | undefined;
    let details: unknown;
    try {
      const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        hetznerCode = parsed.data.error.code;
        message = parsed.data.error.message;
        details = parsed.data.error.details;
      }
    } catch {
      // not JSON: the text is the message
    }
    const wait = this.#noteRateLimit(headers);
    const retryAfterS = status === 429 ? Math.max(1, wait ?? 1) : undefined;
    const code = codeForHetznerError(status, hetznerCode);
    const fields = invalidFieldsOf(details)
      .map((f) => `${f.name}: ${f.messages.join(', ')}`)
      .join('; ');
    const serverMessage =
      hetznerCode === undefined
        ? undefined
        : `${hetznerCode}: ${message ?? ''}${fields ? ` (${fields})` : ''}`;
    return {
      ...(serverMessage === undefined ? {} : { serverMessage }),
      hint:
        hetznerCode === 'token_readonly'
          ? ' (the token is read-only: create a Read & Write token in the Cloud project to apply changes)'
          : code === 'PROVIDER_AUTH'
            ? ' (check the Cloud project API token)'
            : '',
      code,
      retryable:
        (hetznerCode !== undefined && RETRYABLE_HETZNER_CODES.has(hetznerCode)) ||
        status === 429 ||
        status >= 500,
      details: { hetznerCode, details, retryAfterS },
    };
  }
}

function rrsetPath(zone: number | string, name: string, type: string): string {
  return `/zones/${seg(zone)}/rrsets/${seg(name)}/${seg(type)}`;
}

function isHetznerError(error: unknown): error is HetznerApiError {
  return error instanceof HetznerApiError;
}
