import { inspect } from 'node:util';
import { ConfigError, ProviderError } from '@openova/dns-core';
import { appendAll } from '@openova/dns-core/provider';
import {
  apiBaseUrl,
  HttpTransport,
  rateLimiterFor,
  type HttpAnswer,
  type HttpErrorReading,
  type HttpRequestEvent,
  type HttpResponse,
  type RateLimiterLike,
} from '@openova/dns-core/http';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { AzureApiError, codeForAzureError, isAzureApiError } from './errors.js';
import {
  AZURE_API_VERSIONS,
  AZURE_ZONE_SEGMENTS,
  pageSchema,
  readErrorBody,
  recordSetFromWire,
  recordSetToWire,
  recordSetWireSchema,
  zoneWireSchema,
  type AzureRecordSet,
  type AzureZoneKind,
  type AzureZoneWire,
} from './schemas.js';

/** Azure Resource Manager in the public cloud. */
export const DEFAULT_AZURE_ENDPOINT = 'https://management.azure.com';

/**
 * Azure DNS's documented per-zone limits, per minute (`includes/dns-limits.md`, 2024-10-08):
 * public record sets — create/update/delete 200, get 2,000, list (by zone or by type) 60; private
 * record sets — create/update/delete 60, get 200, list 100; zone lists 60 (per subscription or
 * resource group).
 */
export const AZURE_ZONE_LIMITS: Readonly<Record<AzureZoneKind, Readonly<AzureZoneLimits>>> = {
  public: { write: 200, get: 2000, list: 60 },
  private: { write: 60, get: 200, list: 100 },
};

/** Zone listings per minute (both APIs). */
export const AZURE_ZONE_LIST_LIMIT = 60;

/** Record sets per page asked for (`$top`); Azure's default is 100 and the maximum is not documented. */
export const DEFAULT_AZURE_PAGE_SIZE = 100;

/** Requests per minute of one kind against one zone. */
export interface AzureZoneLimits {
  /** Record-set creates, updates and deletes. */
  write: number;
  /** Record-set gets by name. */
  get: number;
  /** Record-set list pages (by zone or by type). */
  list: number;
}

/** An access token as `@azure/core-auth` describes it. */
export interface AzureAccessToken {
  /** The bearer token (a secret: never logged, never in an error). */
  token: string;
  /** Epoch ms when it expires. */
  expiresOnTimestamp: number;
}

/**
 * What the client needs of a credential: `@azure/core-auth`'s `TokenCredential`, which every
 * `@azure/identity` credential implements (`DefaultAzureCredential`, `WorkloadIdentityCredential`,
 * `ManagedIdentityCredential`, `ClientSecretCredential`, …). Tests inject a stub.
 */
export interface AzureTokenCredential {
  /**
   * A token for `scopes` (the client asks for `<endpoint>/.default`), or `null` when the credential
   * has none; a `null` or a rejection fails the call with `PROVIDER_AUTH`.
   */
  getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<AzureAccessToken | null>;
}

/** Backoff of retried calls (exponential with jitter, in core's HTTP transport). */
export interface AzureRetryOptions {
  /** Retries after the first attempt (default 3, as the Azure SDKs). */
  retries?: number;
  /** Delay before the first retry in ms (default 1000, as the Azure SDKs). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 16 000). */
  maxDelayMs?: number;
}

/** The per-zone, per-minute budgets (defaults: {@link AZURE_ZONE_LIMITS}). */
export interface AzureRateLimitOptions {
  /** Per-zone budgets of public zones (default {@link AZURE_ZONE_LIMITS}`.public`). */
  public?: Partial<AzureZoneLimits>;
  /** Per-zone budgets of private zones (default {@link AZURE_ZONE_LIMITS}`.private`). */
  private?: Partial<AzureZoneLimits>;
  /** Longest wait (ms) accepted for a budget or a `Retry-After` before failing with a retryable error (default 60 000). */
  maxWaitMs?: number;
  /** Window of the budgets in ms (default 60 000: Azure's limits are per minute; benchmarks shorten it). */
  windowMs?: number;
}

/**
 * Options of {@link AzureDnsClient}; only `subscriptionId` is required. The credential and its
 * tokens never appear in errors, logs or `util.inspect`.
 */
export interface AzureDnsClientOptions {
  /** The subscription holding the zones. */
  subscriptionId: string;
  /**
   * The token source. Default: `DefaultAzureCredential` from `@azure/identity` (environment,
   * workload identity, managed identity, then developer tools), loaded on first use.
   */
  credential?: AzureTokenCredential;
  /** ARM endpoint (default `https://management.azure.com`; sovereign clouds have their own); tests point it at a fake. */
  endpoint?: string;
  /** Token scope (default `<endpoint>/.default`; set it when a fake stands in for ARM). */
  scope?: string;
  /** Timeout of each HTTP attempt in ms (default 30 000). */
  timeoutMs?: number;
  /** Backoff of retried calls: 408, 429, 5xx and lost connections (see {@link AzureRetryOptions}). */
  retry?: AzureRetryOptions;
  /** Per-zone limiters (sliding windows of one minute); `false` turns them off (429s are still honoured). */
  rateLimit?: AzureRateLimitOptions | false;
  /** Record sets per list page (`$top`, default 100). */
  pageSize?: number;
  /** An undici dispatcher to use instead of the client's own connection pool (proxies, mocks). */
  dispatcher?: Dispatcher;
  /** Most connections the client's own pool opens to the API (default 8). */
  connections?: number;
  /** Called after every HTTP attempt; exceptions it throws are ignored. */
  onRequest?: (event: HttpRequestEvent) => void;
}

/** A zone: which API, where, and its DNS name. */
export interface AzureZoneRef {
  /** `public` (`Microsoft.Network/dnsZones`) or `private` (`Microsoft.Network/privateDnsZones`). */
  kind: AzureZoneKind;
  /** The resource group holding the zone. */
  resourceGroup: string;
  /** The DNS name, without trailing dot. */
  name: string;
}

/** A zone as listed. */
export interface AzureZone extends AzureZoneRef {
  /** The zone's ARM resource id (`/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/dnszones/…`). */
  id: string;
  /** The zone's ETag, when Azure sent one. */
  etag?: string | undefined;
  /** Record sets in the zone, as Azure counts them. */
  numberOfRecordSets?: number | undefined;
  /** Most record sets the zone may hold (Azure's limit for this zone). */
  maxNumberOfRecordSets?: number | undefined;
  /** Azure's name servers of a public zone (none for a private zone). */
  nameServers: string[];
  /** The zone's ARM tags. */
  tags: Record<string, string>;
}

/** Options of one client call. */
export interface AzureCallOptions {
  /** Aborts the call (and its retries); it then fails with `aborted`. */
  signal?: AbortSignal | undefined;
  /** Timeout of each HTTP attempt of this call in ms (default: the client's `timeoutMs`). */
  timeoutMs?: number;
}

/** Options of a record-set listing: type, name suffix and page size (every page is followed). */
export interface ListRecordSetsOptions extends AzureCallOptions {
  /** Only this type (`GET …/{type}`): the per-type list. */
  type?: string;
  /** `$recordsetnamesuffix`: only names ending in it (relative to the zone). */
  nameSuffix?: string;
  /** Page size (`$top`, default the client's). */
  top?: number;
}

/** Conditions of a record-set `PUT` (a failed condition is a 412: `RECORD_CONFLICT`). */
export interface PutRecordSetOptions extends AzureCallOptions {
  /** `If-Match`: only when the stored set has this ETag (`*`: only when it exists). */
  ifMatch?: string;
  /** `If-None-Match: *`: only when it does not exist. */
  ifNoneMatch?: '*';
}

/** Condition of a record-set `DELETE` (a failed condition is a 412: `RECORD_CONFLICT`). */
export interface DeleteRecordSetOptions extends AzureCallOptions {
  /** `If-Match`: only when the stored set has this ETag. */
  ifMatch?: string;
}

/** How many requests of each kind a client sent, and how long it waited on per-zone budgets. */
export interface AzureRequestCounts {
  /** Record-set list pages. */
  list: number;
  /** Record-set gets by name. */
  get: number;
  /** Record-set `PUT`s and `DELETE`s. */
  write: number;
  /** Zone list pages. */
  zones: number;
  /** Wall-clock time (ms) during which at least one request waited for a per-zone budget. */
  limitWaitMs: number;
}

type Budget = 'write' | 'get' | 'list' | 'zones';

const TOKEN_EARLY_REFRESH_MS = 120_000;

const seg = (value: string) => encodeURIComponent(value);

/** Wall-clock time during which at least one request waited on a limiter (waits overlap). */
class WaitClock {
  total = 0;
  #waiting = 0;
  #since = 0;

  start(): void {
    if (this.#waiting++ === 0) this.#since = performance.now();
  }

  stop(): void {
    if (--this.#waiting === 0) this.total += performance.now() - this.#since;
  }
}

/** A limiter whose waits are measured by a {@link WaitClock}. */
class TimedLimiter implements RateLimiterLike {
  constructor(
    private readonly inner: RateLimiterLike,
    private readonly clock: WaitClock,
  ) {}

  async acquire(options: Parameters<RateLimiterLike['acquire']>[0]): Promise<void> {
    this.clock.start();
    try {
      await this.inner.acquire(options);
    } finally {
      this.clock.stop();
    }
  }

  block(until: number): void {
    this.inner.block(until);
  }
}

/**
 * A typed client for Azure DNS record sets in public zones (`Microsoft.Network/dnsZones`,
 * api-version `2018-05-01`) and private zones (`Microsoft.Network/privateDnsZones`, `2024-06-01`),
 * built on core's HTTP transport and zod. Both APIs map to one model ({@link AzureRecordSet}).
 *
 * - Bearer tokens from a `TokenCredential` (scope `<endpoint>/.default`), fetched before an attempt
 *   when the cached one is within two minutes of expiring; tokens are in no error, event or
 *   `util.inspect` output.
 * - Lists follow the absolute `nextLink` (same origin only: the token is never sent elsewhere).
 * - Writes: one `PUT` or `DELETE` per record set with `If-Match` / `If-None-Match: *`; a 412 is an
 *   {@link AzureApiError} with code `RECORD_CONFLICT`.
 * - Per-zone budgets (list, get, write per minute) as core limiters shared by every client of the
 *   subscription; a 429 blocks the zone's budget for its `Retry-After`.
 * - Retries (core transport): GET, PUT and DELETE on 429, 5xx and lost connections.
 */
export class AzureDnsClient {
  /** The subscription holding the zones. */
  readonly subscriptionId: string;
  /** The ARM endpoint, without a trailing slash (default {@link DEFAULT_AZURE_ENDPOINT}). */
  readonly endpoint: string;
  /** The token scope asked of the credential (default `<endpoint>/.default`). */
  readonly scope: string;
  /** Record sets per list page (`$top`). */
  readonly pageSize: number;
  readonly #http: HttpTransport;
  readonly #credential: AzureTokenCredential | undefined;
  #defaultCredential: Promise<AzureTokenCredential> | undefined;
  #token: AzureAccessToken | undefined;
  readonly #limits: Record<AzureZoneKind, AzureZoneLimits> | undefined;
  readonly #limiters = new Map<string, RateLimiterLike>();
  readonly #counts: Omit<AzureRequestCounts, 'limitWaitMs'> = { list: 0, get: 0, write: 0, zones: 0 };
  readonly #waits = new WaitClock();
  readonly #windowMs: number;

  /** @throws `ConfigError` without a subscription id, or with an `endpoint` that is not http(s). */
  constructor(options: AzureDnsClientOptions) {
    const base = apiBaseUrl('azure', 'endpoint', options.endpoint ?? DEFAULT_AZURE_ENDPOINT);
    this.endpoint = base.toString().replace(/\/$/, '');
    const sub = typeof options.subscriptionId === 'string' ? options.subscriptionId.trim() : '';
    if (!sub) throw new ConfigError('azure: a subscription id is required (subscriptionId)');
    this.subscriptionId = sub;
    this.scope = options.scope ?? `${this.endpoint}/.default`;
    this.pageSize = options.pageSize ?? DEFAULT_AZURE_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1)
      throw new ConfigError(`azure: pageSize must be a positive integer, got ${this.pageSize}`);
    this.#credential = options.credential;
    this.#windowMs = (options.rateLimit && options.rateLimit.windowMs) || 60_000;
    const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
    this.#limits = rateLimit && {
      public: { ...AZURE_ZONE_LIMITS.public, ...rateLimit.public },
      private: { ...AZURE_ZONE_LIMITS.private, ...rateLimit.private },
    };
    this.#http = new HttpTransport({
      provider: 'azure',
      baseUrl: base,
      headers: { 'user-agent': '@openova/dns-provider-azure' },
      authorize: (signal) => this.#authorization(signal),
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: {
        retries: options.retry?.retries ?? 3,
        minDelayMs: options.retry?.minDelayMs ?? 1000,
        maxDelayMs: options.retry?.maxDelayMs ?? 16_000,
      },
      maxRetryAfterMs: (rateLimit && rateLimit.maxWaitMs) ?? 60_000,
      // Private DNS answers 429 with Retry-After: 10; ARM always sends one
      defaultRetryAfterS: 10,
      requestIdHeaders: ['x-ms-request-id', 'x-ms-correlation-request-id'],
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      onRequest: options.onRequest,
      retryableStatus: (status) =>
        status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505),
      readError: (answer) => readError(answer),
      createError: (message, init) => {
        const extra = (init.details ?? {}) as { azureCode?: string; target?: string; details?: unknown };
        return new AzureApiError(message, {
          ...init,
          ...(extra.azureCode === undefined ? {} : { azureCode: extra.azureCode }),
          ...(extra.target === undefined ? {} : { target: extra.target }),
          ...(extra.details === undefined ? {} : { details: extra.details }),
        });
      },
    });
  }

  /** `util.inspect` shows `endpoint` and `subscriptionId` only: the credential never appears. */
  [inspect.custom](): string {
    return `AzureDnsClient { endpoint: ${JSON.stringify(this.endpoint)}, subscriptionId: ${JSON.stringify(this.subscriptionId)}, credential: [redacted] }`;
  }

  /** The client's identity for logs: `endpoint` and `subscriptionId`, never a credential. */
  toJSON(): { endpoint: string; subscriptionId: string } {
    return { endpoint: this.endpoint, subscriptionId: this.subscriptionId };
  }

  /** Requests sent so far by kind, and the time spent waiting on per-zone budgets. */
  get counts(): AzureRequestCounts {
    return { ...this.#counts, limitWaitMs: this.#waits.total };
  }

  /** Closes the client's own connection pool (not a dispatcher passed in); calls after it fail. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using client = new AzureDnsClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- zones ----------------------------------------------------------------------------------

  /**
   * Zones of one API in the subscription, or in one resource group (`…/dnsZones` or
   * `…/privateDnsZones`, every page). Source: Azure REST API, Zones - List / List By Resource Group.
   * @throws {@link AzureApiError}: `PROVIDER_AUTH` (no token, 401, 403), `UNKNOWN_ZONE` (no such
   *   subscription or resource group), `PROVIDER_RATE_LIMITED` (429 or a budget wait over `maxWaitMs`).
   */
  async listZones(
    kind: AzureZoneKind,
    options: AzureCallOptions & { resourceGroup?: string } = {},
  ): Promise<AzureZone[]> {
    const rg = options.resourceGroup ? `/resourceGroups/${seg(options.resourceGroup)}` : '';
    const path = `/subscriptions/${seg(this.subscriptionId)}${rg}/providers/Microsoft.Network/${AZURE_ZONE_SEGMENTS[kind]}`;
    const wires = await this.#allPages<AzureZoneWire>(
      { path, query: { 'api-version': AZURE_API_VERSIONS[kind] }, item: zoneWireSchema, budget: 'zones' },
      undefined,
      options,
    );
    return wires.map((w) => zoneFromWire(kind, w));
  }

  // ---- record sets ----------------------------------------------------------------------------

  /**
   * Every record set of a zone (`…/all` in public zones, `…/ALL` in private ones), or of one type
   * (`…/{type}`), following `nextLink` (`$top` record sets per page, default 100). Each page counts
   * against the zone's list budget. Source: Azure REST API, Record Sets - List All By DNS Zone.
   * @throws {@link AzureApiError}: `UNKNOWN_ZONE` (`ParentResourceNotFound`), `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`; `invalid-response` for a `nextLink` leaving the endpoint's origin.
   */
  async listRecordSets(zone: AzureZoneRef, options: ListRecordSetsOptions = {}): Promise<AzureRecordSet[]> {
    const all = zone.kind === 'public' ? 'all' : 'ALL';
    const path = `${zonePath(this.subscriptionId, zone)}/${options.type ? seg(options.type.toUpperCase()) : all}`;
    const query: Record<string, string | number> = {
      'api-version': AZURE_API_VERSIONS[zone.kind],
      $top: options.top ?? this.pageSize,
    };
    if (options.nameSuffix) query.$recordsetnamesuffix = options.nameSuffix;
    const wires = await this.#allPages(
      { path, query, item: recordSetWireSchema(zone.kind), budget: 'list' },
      zone,
      options,
    );
    return wires.map((w) => recordSetFromWire(zone.kind, w));
  }

  /**
   * One record set (`GET …/{type}/{name}`, `@` at the apex); `undefined` when it does not exist.
   * @throws {@link AzureApiError}: `UNKNOWN_ZONE` when the zone does not exist, `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`.
   */
  async getRecordSet(
    zone: AzureZoneRef,
    type: string,
    name: string,
    options: AzureCallOptions = {},
  ): Promise<AzureRecordSet | undefined> {
    try {
      const response = await this.#send(
        {
          method: 'GET',
          path: recordSetPath(this.subscriptionId, zone, type, name),
          query: apiVersion(zone),
        },
        'get',
        zone,
        options,
      );
      return recordSetFromWire(zone.kind, this.#http.readJson(response, recordSetWireSchema(zone.kind)));
    } catch (error) {
      if (isAzureApiError(error) && error.status === 404 && error.azureCode !== 'ParentResourceNotFound')
        return undefined;
      throw error;
    }
  }

  /**
   * Creates or replaces a record set (`PUT …/{type}/{name}`), in the zone's API casing.
   * @returns the record set as stored (with its new ETag).
   * @throws {@link AzureApiError} `RECORD_CONFLICT` for a 412 (ETag changed, exists against
   *   `If-None-Match: *`) or a 409 (CNAME conflict); `RECORD_REJECTED` for a 400.
   */
  async putRecordSet(
    zone: AzureZoneRef,
    rs: AzureRecordSet,
    options: PutRecordSetOptions = {},
  ): Promise<AzureRecordSet> {
    const headers: Record<string, string> = {};
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
    const response = await this.#send(
      {
        method: 'PUT',
        path: recordSetPath(this.subscriptionId, zone, rs.type, rs.name),
        query: apiVersion(zone),
        body: recordSetToWire(zone.kind, rs),
        headers,
      },
      'write',
      zone,
      options,
    );
    return recordSetFromWire(zone.kind, this.#http.readJson(response, recordSetWireSchema(zone.kind)));
  }

  /**
   * Deletes a record set (`DELETE …/{type}/{name}`); deleting an absent one succeeds (204) unless
   * `ifMatch` is given.
   * @throws {@link AzureApiError} `RECORD_CONFLICT` for a 412 (the ETag changed).
   */
  async deleteRecordSet(
    zone: AzureZoneRef,
    type: string,
    name: string,
    options: DeleteRecordSetOptions = {},
  ): Promise<void> {
    await this.#send(
      {
        method: 'DELETE',
        path: recordSetPath(this.subscriptionId, zone, type, name),
        query: apiVersion(zone),
        headers: options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch },
      },
      'delete-write',
      zone,
      options,
    );
  }

  // ---- transport ------------------------------------------------------------------------------

  async #authorization(signal: AbortSignal | undefined): Promise<Record<string, string>> {
    const now = Date.now();
    if (!this.#token || this.#token.expiresOnTimestamp - TOKEN_EARLY_REFRESH_MS <= now) {
      const credential = this.#credential ?? (await this.#loadDefaultCredential());
      let token: AzureAccessToken | null;
      try {
        token = await credential.getToken(this.scope, signal ? { abortSignal: signal } : {});
      } catch (cause) {
        // The credential library's message may quote a client secret or a certificate path: only
        // its error class and Entra ID's error code (AADSTS…) are repeated, and it is not attached.
        const kind = cause instanceof Error ? cause.name : typeof cause;
        const code = cause instanceof Error ? /\bAADSTS\d+\b/.exec(cause.message)?.[0] : undefined;
        throw new ProviderError(
          `azure: no access token for ${this.scope} (${kind}${code ? `, ${code}` : ''}); check the credential's configuration`,
          { provider: 'azure', code: 'PROVIDER_AUTH' },
        );
      }
      if (!token?.token)
        throw new ProviderError(`azure: the credential returned no access token for ${this.scope}`, {
          provider: 'azure',
          code: 'PROVIDER_AUTH',
        });
      this.#token = token;
    }
    return { authorization: `Bearer ${this.#token.token}` };
  }

  #loadDefaultCredential(): Promise<AzureTokenCredential> {
    this.#defaultCredential ??= import('@azure/identity').then(
      (identity): AzureTokenCredential => new identity.DefaultAzureCredential(),
    );
    return this.#defaultCredential;
  }

  #limiter(budget: Budget, zone: AzureZoneRef | undefined): RateLimiterLike[] {
    if (!this.#limits) return [];
    const kind = zone?.kind ?? 'public';
    const requests = budget === 'zones' ? AZURE_ZONE_LIST_LIMIT : this.#limits[kind][budget];
    const where = zone
      ? zonePath(this.subscriptionId, zone).toLowerCase()
      : `/subscriptions/${this.subscriptionId}`;
    const key = `${where}#${budget}`;
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      const shared = rateLimiterFor({
        scope: `${this.endpoint}${key}`,
        credential: this.subscriptionId,
        // a request is counted when it is sent, Azure counts it when it arrives: a window 2% longer
        // keeps the jitter between the two from turning the last request of a window into a 429
        policy: {
          requests,
          windowMs: Math.round(this.#windowMs * 1.02) + 100,
          strategy: 'sliding-window',
        },
      });
      limiter = new TimedLimiter(shared, this.#waits);
      this.#limiters.set(key, limiter);
    }
    return [limiter];
  }

  async #send(
    request: {
      method: 'GET' | 'PUT' | 'DELETE';
      path: string;
      query?: Record<string, string | number>;
      body?: unknown;
      headers?: Record<string, string>;
    },
    budget: Budget | 'delete-write',
    zone: AzureZoneRef | undefined,
    options: AzureCallOptions,
  ): Promise<HttpResponse> {
    const kind: Budget = budget === 'delete-write' ? 'write' : budget;
    this.#counts[kind]++;
    return this.#http.request(
      {
        ...request,
        ...(request.headers && Object.keys(request.headers).length ? { headers: request.headers } : {}),
        rateLimiters: this.#limiter(kind, zone),
      },
      options,
    );
  }

  async #allPages<T>(
    list: { path: string; query: Record<string, string | number>; item: z.ZodType<T>; budget: Budget },
    zone: AzureZoneRef | undefined,
    options: AzureCallOptions,
  ): Promise<T[]> {
    const { path, query, item, budget } = list;
    const schema = pageSchema(item);
    const out: T[] = [];
    let next: { path: string; query?: Record<string, string | number> } = { path, query };
    for (let page = 0; ; page++) {
      const response = await this.#send({ method: 'GET', ...next }, budget, zone, options);
      const body = this.#http.readJson(response, schema);
      appendAll(out, body.value);
      if (!body.nextLink) return out;
      if (page > 100_000) throw this.#http.invalidResponse(response, 'more than 100,000 pages');
      next = { path: this.#nextPath(response, body.nextLink) };
    }
  }

  /** The path of a `nextLink`, which must stay on the endpoint's origin (the token goes with it). */
  #nextPath(response: HttpResponse, nextLink: string): string {
    let url: URL;
    try {
      url = new URL(nextLink, this.endpoint);
    } catch {
      throw this.#http.invalidResponse(response, `nextLink is not a URL`);
    }
    const base = new URL(this.endpoint);
    if (url.origin !== base.origin)
      throw this.#http.invalidResponse(response, `nextLink leaves ${base.origin}: ${url.origin}`);
    const prefix = base.pathname.replace(/\/$/, '');
    const pathname = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${pathname}${url.search}`;
  }
}

function apiVersion(zone: AzureZoneRef): Record<string, string> {
  return { 'api-version': AZURE_API_VERSIONS[zone.kind] };
}

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{dnsZones|privateDnsZones}/{zone}`. */
export function zonePath(subscriptionId: string, zone: AzureZoneRef): string {
  return `/subscriptions/${seg(subscriptionId)}/resourceGroups/${seg(zone.resourceGroup)}/providers/Microsoft.Network/${AZURE_ZONE_SEGMENTS[zone.kind]}/${seg(zone.name)}`;
}

/** The path of one record set: `…/{type}/{relative name}` (`@` at the apex). */
export function recordSetPath(
  subscriptionId: string,
  zone: AzureZoneRef,
  type: string,
  name: string,
): string {
  return `${zonePath(subscriptionId, zone)}/${seg(type.toUpperCase())}/${seg(name)}`;
}

/** The resource group named in an ARM id (`…/resourceGroups/{rg}/…`, any casing). */
export function resourceGroupOf(id: string): string | undefined {
  const match = /\/resourceGroups\/([^/]+)/i.exec(id);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

function zoneFromWire(kind: AzureZoneKind, w: AzureZoneWire): AzureZone {
  return {
    kind,
    id: w.id,
    name: w.name.replace(/\.$/, '').toLowerCase(),
    resourceGroup: resourceGroupOf(w.id) ?? '',
    ...(w.etag === undefined ? {} : { etag: w.etag }),
    ...(w.properties?.numberOfRecordSets === undefined
      ? {}
      : { numberOfRecordSets: w.properties.numberOfRecordSets }),
    ...(w.properties?.maxNumberOfRecordSets === undefined
      ? {}
      : { maxNumberOfRecordSets: w.properties.maxNumberOfRecordSets }),
    nameServers: w.properties?.nameServers ?? [],
    tags: { ...(w.tags ?? {}) },
  };
}

function readError(answer: HttpAnswer): HttpErrorReading {
  const { status, text } = answer;
  let body: ReturnType<typeof readErrorBody>;
  try {
    body = readErrorBody(JSON.parse(text));
  } catch {
    // not JSON: the text is the message
  }
  const code = codeForAzureError(status, body?.code);
  return {
    ...(body ? { serverMessage: `${body.code}: ${body.message}` } : {}),
    hint:
      code === 'PROVIDER_AUTH'
        ? ' (check the credential and its role: DNS Zone Contributor or Private DNS Zone Contributor on the zone)'
        : status === 412
          ? ' (the record set changed since it was read)'
          : '',
    code,
    details: { azureCode: body?.code, target: body?.target, details: body?.details },
  };
}
