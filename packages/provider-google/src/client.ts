import { inspect } from 'node:util';
import { ConfigError, ProviderError } from '@openova/dns-core';
import { appendAll } from '@openova/dns-core/provider';
import {
  abortableSleep,
  apiBaseUrl,
  HttpTransport,
  rateLimiterFor,
  type HttpAnswer,
  type HttpErrorReading,
  type HttpRequestEvent,
  type HttpTlsOptions,
  type RateLimiter,
  type RateLimitPolicy,
} from '@openova/dns-core/http';
import type { GoogleAuthOptions } from 'google-auth-library';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { codeForGoogleError, GoogleApiError, RATE_LIMIT_REASONS } from './errors.js';
import {
  changeSchema,
  errorEnvelopeSchema,
  managedZoneSchema,
  managedZonesPageSchema,
  projectSchema,
  rrsetsPageSchema,
  type GoogleChange,
  type GoogleManagedZone,
  type GoogleProject,
  type GoogleRRSet,
} from './schemas.js';

/** The Cloud DNS v1 REST API base (source: the Cloud DNS v1 API reference, service endpoint). */
export const DEFAULT_GOOGLE_BASE_URL = 'https://dns.googleapis.com/dns/v1';
/** The OAuth scope external-dns and DNSControl request: read and write Cloud DNS. */
export const CLOUD_DNS_SCOPE = 'https://www.googleapis.com/auth/ndev.clouddns.readwrite';
/**
 * Default per-project budget: 1,200 requests, refilled over a minute (20 per second). Google shows
 * the project's real Cloud DNS API quota only in the console; set `rateLimit` to yours.
 */
export const GOOGLE_RATE_LIMIT = {
  requests: 1200,
  windowMs: 60_000,
  strategy: 'token-bucket',
} as const satisfies RateLimitPolicy;
/** Most pages one listing follows (a bound on the loop, far above 10,000 record sets a zone may hold). */
export const MAX_PAGES = 10_000;

/**
 * Where access tokens come from. `GoogleAuth`, `JWT`, `OAuth2Client` and `Impersonated` of
 * `google-auth-library` all fit; so does `{ getAccessToken: async () => 'token' }` in tests.
 */
export interface GoogleTokenSource {
  /**
   * A valid access token for `CLOUD_DNS_SCOPE`, as a string or `{ token }`; called before every
   * attempt, so the source refreshes it. An empty answer fails the call as `auth_failed`.
   */
  getAccessToken(): Promise<string | null | undefined | { token?: string | null | undefined }>;
}

/** Backoff of retried calls (exponential with jitter, in core's HTTP transport). */
export interface GoogleRetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Delay before the first retry in ms (default 500). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 8000). */
  maxDelayMs?: number;
}

/** The per-project token bucket (defaults: {@link GOOGLE_RATE_LIMIT}, 20 requests per second). */
export interface GoogleRateLimitOptions {
  /** Bucket size (default 1,200). */
  requests?: number;
  /** Time to refill the whole bucket in ms (default 60 000). */
  windowMs?: number;
  /** Longest wait (ms) accepted for the bucket before failing with a retryable error (default 60 000). */
  maxWaitMs?: number;
  /**
   * Seconds the project's limiter is blocked after a 429 `rateLimitExceeded`, which carries no
   * `Retry-After` (default 5; DNSControl starts at 10).
   */
  backoffS?: number;
}

/**
 * Options of {@link GoogleCloudDnsClient}; every one is optional. Secrets (tokens, key files) never
 * appear in errors, logs or `util.inspect`.
 */
export interface GoogleClientOptions {
  /** The project of the managed zones; default: what `google-auth-library` finds (env, key file, metadata server). */
  project?: string;
  /**
   * Access tokens (tests, your own credential chain). Default: `new GoogleAuth({ scopes:
   * [CLOUD_DNS_SCOPE], ...auth })`, Application Default Credentials.
   */
  tokenSource?: GoogleTokenSource;
  /** Options of the default `GoogleAuth` (`keyFile`, `credentials`, `clientOptions`, `universeDomain`, …). */
  auth?: GoogleAuthOptions;
  /** API base (default `https://dns.googleapis.com/dns/v1`); tests point it at a fake. */
  baseUrl?: string;
  /** TLS settings for the base (the fake's CA in tests). */
  tls?: HttpTlsOptions;
  /** Timeout of each HTTP attempt in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * Backoff of retried calls: reads on connection errors, timeouts, 5xx and 429; `changes.create`
   * only when it was not carried out (see {@link GoogleRetryOptions}).
   */
  retry?: GoogleRetryOptions;
  /** The per-project limiter (default {@link GOOGLE_RATE_LIMIT}); `false` turns it off. */
  rateLimit?: GoogleRateLimitOptions | false;
  /** An undici dispatcher to use instead of the client's own connection pool (proxies, mocks). */
  dispatcher?: Dispatcher;
  /** Most connections the client's own pool opens to the API (default 8). */
  connections?: number;
  /** Called after every HTTP attempt; exceptions it throws are ignored. */
  onRequest?: (event: HttpRequestEvent) => void;
}

/** Options of one client call. */
export interface GoogleCallOptions {
  /** Aborts the call (and its retries); it then fails with `aborted`. */
  signal?: AbortSignal | undefined;
  /** Timeout of each HTTP attempt of this call in ms (default: the client's `timeoutMs`). */
  timeoutMs?: number;
}

/** Options of `listRRSets`: filters and page size of `resourceRecordSets.list`. */
export interface ListRRSetsOptions extends GoogleCallOptions {
  /** Only this owner name (absolute, trailing dot). */
  name?: string;
  /** Only this type (needs `name`). */
  type?: string;
  /** Page size asked for (the server may answer with fewer). */
  maxResults?: number;
}

/**
 * The body of one `changes.create`: applied by Google all or nothing, deletions first. Limits per
 * change: {@link GOOGLE_CHANGE_LIMITS} (source: Cloud DNS quotas).
 */
export interface ChangeInput {
  /** Record sets to create; each must not exist yet (409 `alreadyExists` otherwise). */
  additions?: readonly GoogleRRSet[];
  /**
   * Record sets to delete, exactly as stored (name, type, TTL, rrdatas, routing policy; 412
   * `conditionNotMet` otherwise).
   */
  deletions?: readonly GoogleRRSet[];
}

/** How `waitForChange` polls `changes.get` until a change is `done`. */
export interface WaitForChangeOptions extends GoogleCallOptions {
  /** Delay between polls in ms (default 1000). */
  intervalMs?: number;
  /** Longest wait in ms (default 120 000, as octoDNS: 120 × 1 s). */
  timeoutMs?: number;
}

interface Spec<T> {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
}

const seg = (value: string) => encodeURIComponent(value);

/** The access token in whatever shape a token source returns it. */
function tokenOf(value: Awaited<ReturnType<GoogleTokenSource['getAccessToken']>>): string | undefined {
  const token = typeof value === 'string' ? value : value?.token;
  return token ? token : undefined;
}

/**
 * A typed client for the Cloud DNS v1 REST API: projects (`get`, for the quota), managed zones
 * (list, get), resource record sets (list, every page) and changes (create, get, wait). Built on
 * core's HTTP transport and zod; source: the Cloud DNS v1 API reference.
 *
 * - Bearer tokens from `google-auth-library` (or an injected {@link GoogleTokenSource}), fetched
 *   before every attempt so that a refreshed token is used; a token is in no error, log event or
 *   `util.inspect` output.
 * - A per-project token bucket shared by every client of the project; a 429 `rateLimitExceeded`
 *   (Google sends no `Retry-After`) blocks it for `rateLimit.backoffS` and the call is retried.
 * - Retries: reads on any transient failure; `changes.create` only when Google proves it was not
 *   carried out (429 or a rate-limit reason, or no connection made). A change whose answer was lost
 *   is never sent again blindly: the provider settles it by reading.
 */
export class GoogleCloudDnsClient {
  /** The API base, without a trailing slash (default {@link DEFAULT_GOOGLE_BASE_URL}). */
  readonly baseUrl: string;
  readonly #http: HttpTransport;
  readonly #limiter: RateLimiter | undefined;
  readonly #tokens: GoogleTokenSource | undefined;
  readonly #authOptions: GoogleAuthOptions | undefined;
  #auth: Promise<{ tokens: GoogleTokenSource; project: () => Promise<string> }> | undefined;
  #project: string | undefined;

  /** @throws `ConfigError` for a `baseUrl` that is not http(s) or bad numbers. */
  constructor(options: GoogleClientOptions = {}) {
    const base = apiBaseUrl('google', 'baseUrl', options.baseUrl ?? DEFAULT_GOOGLE_BASE_URL);
    this.baseUrl = base.toString().replace(/\/$/, '');
    this.#project = options.project?.trim() || undefined;
    this.#tokens = options.tokenSource;
    this.#authOptions = options.auth;
    const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? {});
    const policy: RateLimitPolicy = {
      requests: rateLimit?.requests ?? GOOGLE_RATE_LIMIT.requests,
      windowMs: rateLimit?.windowMs ?? GOOGLE_RATE_LIMIT.windowMs,
      strategy: 'token-bucket',
    };
    const backoffS = rateLimit?.backoffS ?? 5;
    if (!(backoffS > 0)) throw new ConfigError('google: rateLimit.backoffS must be positive');
    // one budget per project (and API base): every client and provider of the project shares it
    this.#limiter = rateLimit
      ? rateLimiterFor({ scope: this.baseUrl, credential: `project:${this.#project ?? ''}`, policy })
      : undefined;
    this.#http = new HttpTransport({
      provider: 'google',
      baseUrl: base,
      headers: { 'user-agent': '@openova/dns-provider-google' },
      authorize: async () => ({ authorization: `Bearer ${await this.#accessToken()}` }),
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: {
        retries: options.retry?.retries ?? 3,
        minDelayMs: options.retry?.minDelayMs ?? 500,
        maxDelayMs: options.retry?.maxDelayMs ?? 8000,
      },
      rateLimiter: this.#limiter,
      maxRetryAfterMs: rateLimit?.maxWaitMs ?? 60_000,
      defaultRetryAfterS: backoffS,
      requestIdHeaders: ['x-guploader-uploadid', 'x-request-id'],
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      onRequest: options.onRequest,
      retryableStatus: (status) => status === 429 || status >= 500,
      notExecuted: (error) => isGoogleError(error) && error.reasons.some((r) => RATE_LIMIT_REASONS.has(r)),
      readError: (answer) => readGoogleError(answer),
      createError: (message, init) => {
        const extra = (init.details ?? {}) as { reasons?: string[]; messages?: string[] };
        return new GoogleApiError(message, {
          ...init,
          reasons: extra.reasons ?? [],
          messages: extra.messages ?? [],
        });
      },
    });
  }

  /** The limiter shared by every client of the project (undefined when off). */
  get rateLimiter(): RateLimiter | undefined {
    return this.#limiter;
  }

  /** `util.inspect` shows `baseUrl` and `project` only: the token never appears. */
  [inspect.custom](): string {
    return `GoogleCloudDnsClient { baseUrl: ${JSON.stringify(this.baseUrl)}, project: ${JSON.stringify(this.#project ?? null)}, token: [redacted] }`;
  }

  /** The client's identity for logs: `baseUrl` and `project`, never a credential. */
  toJSON(): { baseUrl: string; project: string | undefined } {
    return { baseUrl: this.baseUrl, project: this.#project };
  }

  /** Closes the client's own connection pool (not a dispatcher passed in); calls after it fail. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using client = new GoogleCloudDnsClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The project the client works in: `project`, else what `google-auth-library` finds.
   * @throws `ConfigError` when no project is given and none can be found.
   */
  async project(): Promise<string> {
    if (this.#project) return this.#project;
    try {
      this.#project = await (await this.#googleAuth()).project();
    } catch (cause) {
      throw new ConfigError(
        'google: no project given and none found by Application Default Credentials (set `project`)',
        { cause },
      );
    }
    return this.#project;
  }

  // ---- projects and zones ----------------------------------------------------------------------

  /**
   * `GET projects/{project}`: the project with its effective `quota`.
   * @throws {@link GoogleApiError}: `UNKNOWN_ZONE` (404: no such project), `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`, `PROVIDER`; `ConfigError` when no project is given and none is found.
   */
  async getProject(options: GoogleCallOptions = {}): Promise<GoogleProject> {
    const project = await this.project();
    return this.#call({ method: 'GET', path: `/projects/${seg(project)}`, schema: projectSchema }, options);
  }

  /**
   * `GET …/managedZones`, every page; `dnsName` (trailing dot) lists only zones of that name.
   * @throws {@link GoogleApiError}: `UNKNOWN_ZONE` (404: no such project), `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`, `PROVIDER`; `ConfigError` when no project is given and none is found.
   */
  async listManagedZones(
    options: GoogleCallOptions & { dnsName?: string; maxResults?: number } = {},
  ): Promise<GoogleManagedZone[]> {
    const project = await this.project();
    return this.#allPages(
      'managedZones',
      {
        method: 'GET',
        path: `/projects/${seg(project)}/managedZones`,
        query: { dnsName: options.dnsName, maxResults: options.maxResults },
        schema: managedZonesPageSchema,
      },
      options,
    );
  }

  /**
   * `GET …/managedZones/{zone}`: a zone by name or numeric id.
   * @throws {@link GoogleApiError}: `UNKNOWN_ZONE` (404: no such project or zone), `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`, `PROVIDER`; `ConfigError` when no project is given and none is found.
   */
  async getManagedZone(zone: string, options: GoogleCallOptions = {}): Promise<GoogleManagedZone> {
    const project = await this.project();
    return this.#call(
      {
        method: 'GET',
        path: `/projects/${seg(project)}/managedZones/${seg(zone)}`,
        schema: managedZoneSchema,
      },
      options,
    );
  }

  // ---- record sets -----------------------------------------------------------------------------

  /**
   * `GET …/managedZones/{zone}/rrsets`, every page (following `nextPageToken`).
   * @throws {@link GoogleApiError}: `UNKNOWN_ZONE` (404: no such project or zone), `PROVIDER_AUTH`,
   *   `PROVIDER_RATE_LIMITED`, `PROVIDER`; `ConfigError` when no project is given and none is found.
   *   `ConfigError` too for a `type` without a `name`.
   */
  async listRRSets(zone: string, options: ListRRSetsOptions = {}): Promise<GoogleRRSet[]> {
    if (options.type !== undefined && options.name === undefined)
      throw new ConfigError('google: listing record sets by type needs a name');
    const project = await this.project();
    return this.#allPages(
      'rrsets',
      {
        method: 'GET',
        path: `/projects/${seg(project)}/managedZones/${seg(zone)}/rrsets`,
        query: { name: options.name, type: options.type, maxResults: options.maxResults },
        schema: rrsetsPageSchema,
      },
      options,
    );
  }

  // ---- changes ---------------------------------------------------------------------------------

  /**
   * `POST …/managedZones/{zone}/changes`: additions and deletions applied atomically. Sent again
   * only when Google proves it was not carried out (429, rate-limit reasons, no connection).
   * @throws {@link GoogleApiError}: `RECORD_CONFLICT` (412 `conditionNotMet`, 409 `alreadyExists`,
   *   404 for a deletion of nothing), `RECORD_REJECTED` (400), `PROVIDER_QUOTA_EXCEEDED` (403
   *   `quotaExceeded`), `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`, `PROVIDER`.
   */
  async createChange(
    zone: string,
    change: ChangeInput,
    options: GoogleCallOptions = {},
  ): Promise<GoogleChange> {
    const project = await this.project();
    const body: Record<string, unknown> = { kind: 'dns#change' };
    if (change.additions?.length) body['additions'] = change.additions;
    if (change.deletions?.length) body['deletions'] = change.deletions;
    const response = await this.#http.request(
      {
        method: 'POST',
        path: `/projects/${seg(project)}/managedZones/${seg(zone)}/changes`,
        body,
        idempotent: false,
      },
      options,
    );
    return this.#http.readJson(response, changeSchema);
  }

  /** `GET …/managedZones/{zone}/changes/{id}`. */
  async getChange(zone: string, id: string, options: GoogleCallOptions = {}): Promise<GoogleChange> {
    const project = await this.project();
    return this.#call(
      {
        method: 'GET',
        path: `/projects/${seg(project)}/managedZones/${seg(zone)}/changes/${seg(id)}`,
        schema: changeSchema,
      },
      options,
    );
  }

  /**
   * Polls a change until its status is `done` (pushed to Google's authoritative servers).
   * @throws a retryable `ProviderError` (`PROVIDER`) when it is still `pending` after `timeoutMs`.
   */
  async waitForChange(
    zone: string,
    change: GoogleChange,
    options: WaitForChangeOptions = {},
  ): Promise<GoogleChange> {
    const interval = options.intervalMs ?? 1000;
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    let current = change;
    const call = options.signal ? { signal: options.signal } : {};
    while (current.status !== 'done') {
      if (Date.now() > deadline)
        throw new ProviderError(
          `google: change ${change.id} of zone ${zone} still pending after ${options.timeoutMs ?? 120_000} ms`,
          { provider: 'google', retryable: true },
        );
      await abortableSleep(interval, options.signal);
      current = await this.getChange(zone, change.id, call);
    }
    return current;
  }

  // ---- transport -------------------------------------------------------------------------------

  async #googleAuth(): Promise<{ tokens: GoogleTokenSource; project: () => Promise<string> }> {
    this.#auth ??= (async () => {
      // loaded only when needed: tests with an injected token source never touch it
      const { GoogleAuth } = await import('google-auth-library');
      const auth = new GoogleAuth({ scopes: [CLOUD_DNS_SCOPE], ...this.#authOptions });
      return { tokens: auth, project: () => auth.getProjectId() };
    })();
    return this.#auth;
  }

  async #accessToken(): Promise<string> {
    let token: string | undefined;
    try {
      const source = this.#tokens ?? (await this.#googleAuth()).tokens;
      token = tokenOf(await source.getAccessToken());
    } catch (cause) {
      // the cause may quote a key file or a token endpoint's answer: keep only its class
      throw new ProviderError(
        `google: no access token: ${cause instanceof Error ? cause.name : 'failure'} from the credential source (check Application Default Credentials or the token source)`,
        { provider: 'google', code: 'PROVIDER_AUTH', retryable: true },
      );
    }
    if (!token)
      throw new ProviderError('google: the credential source returned no access token', {
        provider: 'google',
        code: 'PROVIDER_AUTH',
      });
    return token;
  }

  async #call<T>(spec: Spec<T>, options: GoogleCallOptions): Promise<T> {
    const response = await this.#http.request(
      {
        method: spec.method,
        path: spec.path,
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.body === undefined ? {} : { body: spec.body }),
        idempotent: true,
      },
      options,
    );
    return this.#http.readJson(response, spec.schema);
  }

  async #allPages<K extends 'managedZones' | 'rrsets', T>(
    key: K,
    spec: Spec<{ [P in K]?: T[] | undefined } & { nextPageToken?: string | undefined }>,
    options: GoogleCallOptions,
  ): Promise<T[]> {
    const out: T[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.#call({ ...spec, query: { ...spec.query, pageToken } }, options);
      appendAll(out, body[key] ?? []);
      if (!body.nextPageToken || body.nextPageToken === pageToken) return out;
      pageToken = body.nextPageToken;
    }
    throw new ProviderError(`google: ${spec.path} has more than ${MAX_PAGES} pages`, { provider: 'google' });
  }
}

/** Reads Google's JSON error envelope (`error.errors[].reason`) into the SDK's code and message. */
function readGoogleError(answer: HttpAnswer): HttpErrorReading {
  const { status, text } = answer;
  let reasons: string[] = [];
  let messages: string[] = [];
  let message: string | undefined;
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      message = parsed.data.error.message;
      const errors = parsed.data.error.errors ?? [];
      reasons = errors.map((e) => e.reason ?? '').filter(Boolean);
      messages = errors.map((e) => e.message ?? '').filter(Boolean);
    }
  } catch {
    // not JSON: the text is the message
  }
  const code = codeForGoogleError(status, reasons, `${message ?? ''} ${messages.join(' ')}`);
  const serverMessage =
    message === undefined && reasons.length === 0
      ? undefined
      : `${reasons.join(', ') || 'error'}: ${message ?? messages.join('; ')}`;
  return {
    ...(serverMessage === undefined ? {} : { serverMessage }),
    hint:
      code === 'PROVIDER_AUTH'
        ? ' (check the credentials and that they hold roles/dns.admin, or roles/dns.reader to read)'
        : '',
    code,
    retryable: status === 429 || status >= 500 || reasons.some((r) => RATE_LIMIT_REASONS.has(r)),
    details: { reasons, messages },
  };
}

function isGoogleError(error: unknown): error is GoogleApiError {
  return error instanceof GoogleApiError;
}
