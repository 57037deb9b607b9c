import { inspect } from 'node:util';
import { ConfigError } from '@openova/dns-core';
import {
  apiBaseUrl,
  HttpTransport,
  RATE_LIMITS,
  rateLimiterFor,
  type HttpAnswer,
  type HttpErrorReading,
  type HttpRequestEvent,
  type HttpResponse,
  type RateLimiter,
  type RateLimitPolicy,
} from '@openova/dns-core/http';
import { readAllPages } from '@openova/dns-core/provider';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { CloudflareApiError, codeForAnswer, describeCloudflareErrors } from './errors.js';
import {
  batchResultSchema,
  deleteResultSchema,
  envelopeSchema,
  recordSchema,
  zoneSchema,
  type CloudflareBatchResult,
  type CloudflareErrorItem,
  type CloudflareRecord,
  type CloudflareRecordData,
  type CloudflareResultInfo,
  type CloudflareZone,
} from './schemas.js';

/** Cloudflare's API v4 base URL, the default `baseUrl`. */
export const DEFAULT_CLOUDFLARE_BASE_URL = 'https://api.cloudflare.com/client/v4';
/** Largest DNS record page size with documented evidence (ExternalDNS recommends it too). */
export const MAX_RECORDS_PER_PAGE = 5000;
/** How often a listing that changed while it was read is read again before giving up. */
const LISTING_ATTEMPTS = 3;

/** `GET /zones` accepts 5–50 per page. */
export const MAX_ZONES_PER_PAGE = 50;

/** An API token (preferred): sent as `Authorization: Bearer …`. */
export interface CloudflareTokenAuth {
  /**
   * An API token (`Authorization: Bearer`), with `Zone:Read` and `DNS:Edit`. Never appears in errors, logs
   * or `util.inspect`.
   */
  apiToken: string;
  /** Not with a token. */
  apiKey?: undefined;
  /** Not with a token. */
  apiEmail?: undefined;
}

/** The legacy Global API key with its account e-mail (`X-Auth-Key` / `X-Auth-Email`). */
export interface CloudflareKeyAuth {
  /** The legacy global API key (`X-Auth-Key`). Never appears in errors, logs or `util.inspect`. */
  apiKey: string;
  /** The account's e-mail address (`X-Auth-Email`), sent with the key. */
  apiEmail: string;
  /** Not with a key. */
  apiToken?: undefined;
}

/** Backoff of retried calls (5xx answers, timeouts and connection failures of idempotent calls). */
export interface CloudflareRetryOptions {
  /** Retries after the first attempt (default 3). `0` disables retrying. */
  retries?: number;
  /** Delay before the first retry in ms (default 250); doubles per retry. */
  minDelayMs?: number;
  /** Upper bound of one backoff delay in ms (default 4000). */
  maxDelayMs?: number;
}

/** Cloudflare's documented global limit: 1,200 requests per 5 minutes per user or account token. */
export const CLOUDFLARE_RATE_LIMIT = RATE_LIMITS.cloudflare;

/** Requests per window of the per-credential limiter (core's sliding-window `RateLimiter`). */
export interface RateLimitOptions {
  /** Requests allowed per window (default 1,200). */
  requests?: number;
  /** Window length in ms (default 300 000). */
  windowMs?: number;
}

/** The per-credential limiter: Cloudflare's 1,200 requests per 5 minutes by default. */
export interface CloudflareRateLimitOptions extends RateLimitOptions {
  /**
   * Longest wait (ms) the client accepts, for its own window or a 429's `Retry-After`, before it
   * gives up with a retryable `PROVIDER_RATE_LIMITED` error instead (default 60 000). Cloudflare
   * blocks a credential for five minutes once the limit is exceeded: a controller is better off
   * failing the run and trying later than holding a request for that long.
   */
  maxWaitMs?: number;
}

/** What the `onRequest` hook hears of each attempt (core's `HttpRequestEvent`). */
export type CloudflareRequestEvent = HttpRequestEvent;

/**
 * Options of {@link CloudflareClient} (and of `CloudflareProvider`): one credential, plus timeouts,
 * retries and the rate limiter.
 */
export type CloudflareClientOptions = (CloudflareTokenAuth | CloudflareKeyAuth) & {
  /** API base (default `https://api.cloudflare.com/client/v4`); tests point it at a fake. */
  baseUrl?: string;
  /** Timeout of each HTTP attempt in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * Backoff of retried calls: connection errors, timeouts, 5xx and 429 (see {@link
   * CloudflareRetryOptions}).
   */
  retry?: CloudflareRetryOptions;
  /** The per-credential limiter (default 1,200 requests per 5 minutes); `false` turns it off. */
  rateLimit?: CloudflareRateLimitOptions | false;
  /** An undici dispatcher to use instead of the client's own agent (proxies, mocks). */
  dispatcher?: Dispatcher;
  /** Most connections the client's own agent opens to the API (default 8). */
  connections?: number;
  /** Called after every HTTP attempt; exceptions it throws are ignored. */
  onRequest?: (event: CloudflareRequestEvent) => void;
};

/** Options every client call accepts. */
export interface CloudflareCallOptions {
  /** Cancels the call, retries and rate-limit waits included (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout for this call. */
  timeoutMs?: number;
}

/** Options of {@link CloudflareClient.listZones} (`GET /zones`, every page). */
export interface ListZonesOptions extends CloudflareCallOptions {
  /** Only the zone of exactly this name (Cloudflare's `name` filter). */
  name?: string;
  /** Only zones in this status. */
  status?: 'initializing' | 'pending' | 'active' | 'moved';
  /** Only zones of this account (`account.id`). */
  accountId?: string;
  /** Page size, 5–50 (default 50: fewest requests). */
  perPage?: number;
}

/** Options of {@link CloudflareClient.listDnsRecords} (`GET /zones/{zone_id}/dns_records`, every page). */
export interface ListDnsRecordsOptions extends CloudflareCallOptions {
  /** Page size, 1–5,000 (default 5,000: fewest requests). */
  perPage?: number;
  /** Only this type. */
  type?: string;
  /** Only records of exactly this name (`name.exact`). */
  name?: string;
}

/** Fields of a record that can be written (create, PATCH, batch). */
export interface DnsRecordFields {
  /** Owner name, e.g. `www.example.com` (Cloudflare also accepts `@` for the apex). */
  name?: string;
  /** Record type, e.g. `A`. */
  type?: string;
  /** Record data for the simple types, e.g. `192.0.2.1` or a quoted TXT string. */
  content?: string;
  /** Seconds, or 1 for automatic. */
  ttl?: number;
  /** Route through Cloudflare's proxy (A, AAAA and CNAME only). */
  proxied?: boolean;
  /** MX (and URI) preference. */
  priority?: number;
  /** Structured data (SRV, CAA, …) instead of `content`. */
  data?: CloudflareRecordData;
  /** `null` removes the comment. */
  comment?: string | null;
  /** Tags as `name:value` strings (paid plans). */
  tags?: string[];
  /** Per-record settings, e.g. `{ flatten_cname: true }`. */
  settings?: Record<string, unknown>;
}

/** A record to create: name, type and content (or data) are required. */
export type DnsRecordInput = DnsRecordFields & {
  /** Owner name, e.g. `www.example.com`. */
  name: string;
  /** Record type, e.g. `A`. */
  type: string;
};

/** Body of `POST /zones/{zone_id}/dns_records/batch`; Cloudflare runs deletes, patches, puts, posts. */
export interface DnsRecordBatch {
  /** Records to delete, by id. */
  deletes?: { id: string }[];
  /** Records to change, by id: only the fields given are changed. */
  patches?: (DnsRecordFields & { id: string })[];
  /** Full replacements: fields left out go back to their defaults. */
  puts?: (DnsRecordInput & { id: string })[];
  /** Records to create. */
  posts?: DnsRecordInput[];
}

interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  result: z.ZodType<T>;
  /** Safe to send twice: retried on any transient failure, not only on ones that prove nothing happened. */
  idempotent: boolean;
}

interface Page<T> {
  result: T;
  info: CloudflareResultInfo | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_WAIT_MS = 60_000;
/** Cloudflare blocks for five minutes once the limit is exceeded; assume that when no header says. */
const DEFAULT_RETRY_AFTER_S = 300;
/** 429s waited out per call before giving up (each wait is bounded by `maxWaitMs`). */
const MAX_RATE_LIMIT_RETRIES = 5;

function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * A typed client for the parts of Cloudflare's API v4 that DNS management needs: zones, DNS records
 * and the batch endpoint. Built on undici and zod; every answer's envelope is checked.
 *
 * - Listing stops at `result_info.total_pages`: no request is spent on an empty last page.
 * - A per-credential limiter (1,200 requests / 5 min) is shared by every client in the process using
 *   the same credential; a 429 blocks it until `Retry-After` has passed, waits of up to `maxWaitMs`
 *   are waited out, longer ones fail fast with a retryable error.
 * - Idempotent calls (GET, PATCH, DELETE) are retried on 5xx, timeouts and connection failures.
 *   Creates and batches are not: a lost answer may mean the write happened. They are resent only
 *   when the failure proves nothing was done (429, connection refused).
 * - The credential is in no error, log event or `util.inspect` output.
 *
 * Calls throw {@link CloudflareApiError} (`PROVIDER`, `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`,
 * `PROVIDER_QUOTA_EXCEEDED`, `PROVIDER_UNREACHABLE`, `RECORD_REJECTED`, …) and `AbortedError` (`ABORTED`).
 *
 * Source: Cloudflare API v4 reference, DNS records and zones (https://developers.cloudflare.com/api/).
 */
export class CloudflareClient {
  /** API base URL, e.g. `https://api.cloudflare.com/client/v4`. */
  readonly baseUrl: string;
  readonly #http: HttpTransport;
  readonly #limiter: RateLimiter | undefined;

  /** @throws a `ConfigError` without a credential, or with a `baseUrl` that is not http(s). */
  constructor(options: CloudflareClientOptions) {
    const base = apiBaseUrl('cloudflare', 'baseUrl', options.baseUrl ?? DEFAULT_CLOUDFLARE_BASE_URL);
    this.baseUrl = base.toString().replace(/\/$/, '');
    let credential: string;
    let authHeaders: Record<string, string>;
    if (typeof options.apiToken === 'string' && options.apiToken.trim() !== '') {
      credential = options.apiToken.trim();
      authHeaders = { authorization: `Bearer ${credential}` };
    } else if (
      typeof options.apiKey === 'string' &&
      options.apiKey.trim() !== '' &&
      typeof options.apiEmail === 'string' &&
      options.apiEmail.trim() !== ''
    ) {
      credential = `${options.apiEmail.trim()}\u0000${options.apiKey.trim()}`;
      authHeaders = { 'x-auth-email': options.apiEmail.trim(), 'x-auth-key': options.apiKey.trim() };
    } else {
      throw new ConfigError('cloudflare: an apiToken, or an apiKey with its apiEmail, is required');
    }
    const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
    const policy: RateLimitPolicy = {
      requests: rateLimit?.requests ?? CLOUDFLARE_RATE_LIMIT.requests,
      windowMs: rateLimit?.windowMs ?? CLOUDFLARE_RATE_LIMIT.windowMs,
    };
    this.#limiter = rateLimit ? rateLimiterFor({ scope: this.baseUrl, credential, policy }) : undefined;
    this.#http = new HttpTransport({
      provider: 'cloudflare',
      baseUrl: base,
      headers: { 'user-agent': '@openova/dns-provider-cloudflare', ...authHeaders },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: {
        retries: options.retry?.retries ?? 3,
        minDelayMs: options.retry?.minDelayMs ?? 250,
        maxDelayMs: options.retry?.maxDelayMs ?? 4000,
      },
      rateLimiter: this.#limiter,
      maxRetryAfterMs: rateLimit?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      maxRetryAfterWaits: MAX_RATE_LIMIT_RETRIES,
      defaultRetryAfterS: DEFAULT_RETRY_AFTER_S,
      requestIdHeaders: ['cf-ray'],
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      onRequest: options.onRequest,
      readError: readCloudflareError,
      createError: (message, init) =>
        new CloudflareApiError(message, {
          ...init,
          ...(Array.isArray(init.details) ? { errors: init.details as CloudflareErrorItem[] } : {}),
        }),
    });
  }

  /** The limiter this client shares with every client of the same credential (undefined when off). */
  get rateLimiter(): RateLimiter | undefined {
    return this.#limiter;
  }

  /** Keeps the credential out of `console.log(client)` and `util.inspect(client)`. */
  [inspect.custom](): string {
    return `CloudflareClient { baseUrl: ${JSON.stringify(this.baseUrl)}, credentials: [redacted] }`;
  }

  /** The client's identity for logs: `baseUrl` only, never a credential. */
  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** Closes the client's own connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using client = new CloudflareClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- zones ----------------------------------------------------------------------------------

  /** `GET /zones`, every page (50 per page unless told otherwise). */
  async listZones(options: ListZonesOptions = {}): Promise<CloudflareZone[]> {
    const perPage = options.perPage ?? MAX_ZONES_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 5 || perPage > MAX_ZONES_PER_PAGE)
      throw new ConfigError(`cloudflare: zones perPage must be 5–${MAX_ZONES_PER_PAGE}, got ${perPage}`);
    return await this.#allPages(
      {
        method: 'GET',
        path: '/zones',
        query: { name: options.name, status: options.status, 'account.id': options.accountId },
        result: z.array(zoneSchema),
        idempotent: true,
      },
      perPage,
      options,
    );
  }

  /** `GET /zones/{zone_id}` (includes `plan`). */
  getZone(zoneId: string, options: CloudflareCallOptions = {}): Promise<CloudflareZone> {
    return this.#call(
      { method: 'GET', path: `/zones/${segment(zoneId)}`, result: zoneSchema, idempotent: true },
      options,
    );
  }

  // ---- DNS records ----------------------------------------------------------------------------

  /**
   * `GET /zones/{zone_id}/dns_records`, every page, 5,000 per page unless told otherwise. Stops at
   * `result_info.total_pages` (or at a short page when the answer has no totals).
   */
  async listDnsRecords(zoneId: string, options: ListDnsRecordsOptions = {}): Promise<CloudflareRecord[]> {
    const perPage = options.perPage ?? MAX_RECORDS_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_RECORDS_PER_PAGE)
      throw new ConfigError(`cloudflare: records perPage must be 1–${MAX_RECORDS_PER_PAGE}, got ${perPage}`);
    return await this.#allPages(
      {
        method: 'GET',
        path: `/zones/${segment(zoneId)}/dns_records`,
        query: { type: options.type, 'name.exact': options.name },
        result: z.array(recordSchema),
        idempotent: true,
      },
      perPage,
      options,
    );
  }

  /** `GET /zones/{zone_id}/dns_records/{id}`. */
  getDnsRecord(
    zoneId: string,
    recordId: string,
    options: CloudflareCallOptions = {},
  ): Promise<CloudflareRecord> {
    return this.#call(
      {
        method: 'GET',
        path: `/zones/${segment(zoneId)}/dns_records/${segment(recordId)}`,
        result: recordSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `POST /zones/{zone_id}/dns_records`. Never retried blindly: a lost answer may hide a created record. */
  createDnsRecord(
    zoneId: string,
    record: DnsRecordInput,
    options: CloudflareCallOptions = {},
  ): Promise<CloudflareRecord> {
    return this.#call(
      {
        method: 'POST',
        path: `/zones/${segment(zoneId)}/dns_records`,
        body: record,
        result: recordSchema,
        idempotent: false,
      },
      options,
    );
  }

  /** `PATCH /zones/{zone_id}/dns_records/{id}`: changes only the fields given. */
  patchDnsRecord(
    zoneId: string,
    recordId: string,
    fields: DnsRecordFields,
    options: CloudflareCallOptions = {},
  ): Promise<CloudflareRecord> {
    return this.#call(
      {
        method: 'PATCH',
        path: `/zones/${segment(zoneId)}/dns_records/${segment(recordId)}`,
        body: fields,
        result: recordSchema,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE /zones/{zone_id}/dns_records/{id}`; returns the deleted record's id. */
  async deleteDnsRecord(
    zoneId: string,
    recordId: string,
    options: CloudflareCallOptions = {},
  ): Promise<string> {
    const result = await this.#call(
      {
        method: 'DELETE',
        path: `/zones/${segment(zoneId)}/dns_records/${segment(recordId)}`,
        result: deleteResultSchema,
        idempotent: true,
      },
      options,
    );
    return result.id;
  }

  /**
   * `POST /zones/{zone_id}/dns_records/batch`: one database transaction, deletes → patches → puts →
   * posts, all or nothing. Batches larger than the zone's limit (200 Free, 3,500 paid) are refused
   * by Cloudflare; the caller chunks. Not retried blindly (it may contain creates).
   */
  batchDnsRecords(
    zoneId: string,
    batch: DnsRecordBatch,
    options: CloudflareCallOptions = {},
  ): Promise<CloudflareBatchResult> {
    const body: DnsRecordBatch = {};
    // empty lists are left out, as the official SDK does
    if (batch.deletes?.length) body.deletes = batch.deletes;
    if (batch.patches?.length) body.patches = batch.patches;
    if (batch.puts?.length) body.puts = batch.puts;
    if (batch.posts?.length) body.posts = batch.posts;
    const onlyIdempotent = !body.posts?.length && !body.deletes?.length;
    return this.#call(
      {
        method: 'POST',
        path: `/zones/${segment(zoneId)}/dns_records/batch`,
        body,
        result: batchResultSchema,
        idempotent: onlyIdempotent,
      },
      options,
    );
  }

  // ---- transport ------------------------------------------------------------------------------

  async #call<T>(spec: RequestSpec<T>, options: CloudflareCallOptions): Promise<T> {
    return (await this.#send(spec, options)).result;
  }

  /** Every page of a listing, read again while it changes under us (core's `readAllPages`). */
  #allPages<T extends { id?: string | undefined }>(
    spec: RequestSpec<T[]>,
    perPage: number,
    options: CloudflareCallOptions,
  ): Promise<T[]> {
    return readAllPages(
      async (page) => {
        const answer = await this.#send(
          { ...spec, query: { ...spec.query, page, per_page: perPage } },
          options,
        );
        const info = answer.info;
        // total_pages is authoritative; without it a short page is the last one
        const last =
          answer.result.length === 0 ||
          (info?.total_pages !== undefined ? page >= info.total_pages : answer.result.length < perPage);
        return {
          items: answer.result,
          ...(info?.total_count !== undefined ? { total: info.total_count } : {}),
          next: last ? undefined : page + 1,
        };
      },
      { provider: 'cloudflare', what: `GET ${spec.path}`, attempts: LISTING_ATTEMPTS },
    );
  }

  /** One call through the transport, then Cloudflare's envelope: `success`, `result`, `result_info`. */
  async #send<T>(spec: RequestSpec<T>, options: CloudflareCallOptions): Promise<Page<T>> {
    const response: HttpResponse = await this.#http.request(spec, options);
    const envelope = this.#http.readJson(response, envelopeSchema);
    // a 200 with `success: false` is a failure all the same
    if (!envelope.success) throw this.#http.errorForAnswer(response);
    return { result: this.#http.check(response, envelope.result, spec.result), info: envelope.result_info };
  }
}

/** Cloudflare's error answers: an envelope with `errors` (each with its `error_chain`), or any text. */
function readCloudflareError(answer: HttpAnswer): HttpErrorReading {
  const { status, text } = answer;
  let errors: CloudflareErrorItem[] = [];
  try {
    const envelope = envelopeSchema.safeParse(JSON.parse(text));
    if (envelope.success) errors = envelope.data.errors;
  } catch {
    // not JSON: the text is the message
  }
  const code = codeForAnswer(status, errors);
  return {
    ...(errors.length ? { serverMessage: describeCloudflareErrors(errors) } : {}),
    hint:
      code === 'PROVIDER_AUTH'
        ? ' (check the token, its permissions — Zone Read and DNS Edit — and its client-IP filter)'
        : '',
    code,
    retryable: status === 429 || status >= 500,
    details: errors,
  };
}
