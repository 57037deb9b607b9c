// The one HTTP path of every provider client: timeouts and abort signals, retries (p-retry, with the
// idempotency rule), Retry-After, a per-credential rate limiter, a bounded connection pool, request
// ids, redaction of credentials, and events. Clients add only their endpoints and error reading.
import type { ConnectionOptions } from 'node:tls';
import pRetry from 'p-retry';
import { Agent, type Dispatcher } from 'undici';
import {
  AbortedError,
  ConfigError,
  HttpProviderError,
  type DnsErrorCode,
  type HttpFailureKind,
  type HttpProviderErrorOptions,
} from '../errors.js';
import {
  HttpAttemptFailure,
  pathWithQuery,
  sendHttpAttempt,
  type HttpAnswer,
  type HttpHeaders,
  type HttpMethod,
} from './attempt.js';
import { describeNetworkFailure, isConnectionRefused, parseRetryAfter } from './networkFailures.js';
import { abortableSleep, RateLimitWaitTooLong, type RateLimiterLike } from './rateLimiter.js';
import { Redactor } from './redactor.js';

/** Backoff of retried requests: `minDelayMs × factor^n`, randomised ×1–2, capped at `maxDelayMs`. */
export interface HttpRetryOptions {
  /** Retries after the first attempt (default 3). `0` disables backoff retries. */
  retries?: number;
  /** Delay before the first retry in ms (default 250). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 4000). */
  maxDelayMs?: number;
  /** Growth per retry (default 2). */
  factor?: number;
}

/** What `onRequest` hears of each attempt. Never carries a header, body or credential. */
export interface HttpRequestEvent {
  /** The client, e.g. `pdns`. */
  provider: string;
  /** HTTP method of the attempt. */
  method: HttpMethod;
  /** Path below the API base, query included (redacted). */
  path: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** HTTP status, when the server answered. */
  status?: number;
  /** Time from sending to the whole answer, in ms. */
  durationMs: number;
  /** Set when the attempt failed without an answer. */
  failure?: 'network' | 'timeout' | 'aborted';
  /** The answer's request id (see `requestIdHeaders`), when it had one. */
  requestId?: string;
}

/** What `onRetry` hears before a request is sent again. */
export interface HttpRetryEvent {
  /** The client, e.g. `pdns`. */
  provider: string;
  /** HTTP method of the call being retried. */
  method: HttpMethod;
  /** Path below the API base, query included (redacted). */
  path: string;
  /** The attempt that failed (the next one is `attempt + 1`). */
  attempt: number;
  /** What failed: `http` with its status, `network` or `timeout`. */
  kind: HttpFailureKind;
  /** HTTP status of the failed attempt, when the server answered. */
  status?: number;
  /** The error code the failure would have had, e.g. `PROVIDER_RATE_LIMITED`. */
  code: DnsErrorCode;
  /** Set when the server's `Retry-After` decides the wait (ms); otherwise the backoff does. */
  retryAfterMs?: number;
}

/** A provider's reading of one error answer (its body already redacted). */
export interface HttpErrorReading {
  /** Replaces the whole message (`webhook: POST /records answered 500, expected 204: …`). */
  message?: string;
  /** The server's own error text (default: the first 200 characters of the body). */
  serverMessage?: string;
  /** What the message shows after the status (default `serverMessage`). */
  detail?: string;
  /** Appended to the message, e.g. ` (check the API key)`. */
  hint?: string;
  /** Default: 429 `PROVIDER_RATE_LIMITED`, 401/403 `PROVIDER_AUTH`, otherwise `PROVIDER`. */
  code?: DnsErrorCode;
  /** Default: `retryableStatus(status)`. */
  retryable?: boolean;
  /** Anything provider-specific (PowerDNS's `errors`, Cloudflare's error chain), passed to `createError`. */
  details?: unknown;
}

/** What `createError` receives: the facts of a failed call, credentials already removed. */
export interface HttpErrorInit extends HttpProviderErrorOptions<HttpFailureKind> {
  /** From {@link HttpErrorReading.details}. */
  details?: unknown;
}

/** The request of a call, as an error reader sees it. */
export interface HttpCallInfo {
  /** HTTP method of the call. */
  method: HttpMethod;
  /** Path with query, redacted. */
  path: string;
  /** True when the call had a body. */
  hasBody: boolean;
  /** The one status the call expected, when it named one. */
  expectStatus?: number | undefined;
}

/** TLS settings of the transport's own pool, for `https://` bases. */
export type HttpTlsOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername' | 'minVersion'
>;

/** Options of {@link HttpTransport}: where the API is, how to authenticate, retry and limit. */
export interface HttpTransportOptions {
  /** Client name in messages, events and errors, e.g. `pdns`. */
  provider: string;
  /** API base: origin plus an optional path prefix; request paths are appended to it. */
  baseUrl: string | URL;
  /** Sent with every request (credentials included: they are sent, never reported). */
  headers?: Readonly<Record<string, string>>;
  /**
   * Header names whose values are secrets (case-insensitive). Default: `authorization`,
   * `proxy-authorization`, `cookie`, `x-api-key`, `x-auth-key`, `x-auth-token`.
   */
  secretHeaders?: readonly string[];
  /** More strings never to show (a bare token, a password). */
  secrets?: readonly string[];
  /**
   * Headers computed before every attempt, after the rate limiter (an OAuth bearer token that is
   * refreshed as it expires). Their values are secrets: redacted like `secrets`. A failure it
   * throws ends the call as it is (throw a `ProviderError` with code `PROVIDER_AUTH`).
   */
  authorize?: (signal: AbortSignal | undefined) => Promise<Readonly<Record<string, string>>>;
  /** Time limit of each attempt in ms, answer included (default 30 000). */
  timeoutMs?: number;
  /** Backoff of retried attempts (default: 3 retries, 250 ms doubling up to 4 000 ms; a `Retry-After` wins). */
  retry?: HttpRetryOptions;
  /**
   * Longest wait (ms) accepted for a `Retry-After` (429, 503) or the rate limiter (default 60 000).
   * A longer one fails at once with a retryable error carrying `retryAfter`.
   */
  maxRetryAfterMs?: number;
  /** `Retry-After` waits per call before giving up (default 5); they do not use `retry.retries`. */
  maxRetryAfterWaits?: number;
  /**
   * Longest time (ms) all `Retry-After` waits of one call may add up to (default: no limit beyond
   * `maxRetryAfterWaits`). A wait that would pass it is not made: the call fails with the
   * retryable error it got. Lets a provider hold a documented total wait through a long 429 storm.
   */
  maxRetryAfterTotalMs?: number;
  /** Seconds to assume for a 429 without `Retry-After` (default: none, the backoff decides). */
  defaultRetryAfterS?: number;
  /** Statuses worth another try (default: 429 and 5xx). Decides the error's `retryable`. */
  retryableStatus?: (status: number) => boolean;
  /**
   * True when a failed answer proves the server did nothing (PowerDNS's rolled-back "database is
   * locked"), so that even a non-idempotent request may be sent again. A 429 always counts.
   */
  notExecuted?: (error: HttpProviderError<string>) => boolean;
  /** Most connections the transport's own pool opens per origin (default 8). */
  connections?: number;
  /** Idle time (ms) before a kept-alive connection is closed (default 10 000). */
  keepAliveTimeoutMs?: number;
  /** TLS settings of the transport's own connection pool, for `https://` bases. */
  tls?: HttpTlsOptions;
  /** A dispatcher to use instead of the transport's own pool (proxies, mocks); not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Response headers that carry a request id, in order of preference (lower case). */
  requestIdHeaders?: readonly string[];
  /** The credential's limiter (see `rateLimiterFor`); every attempt acquires from it. */
  rateLimiter?: RateLimiterLike | undefined;
  /** `Accept` header (default `application/json`). */
  accept?: string;
  /** `Content-Type` of bodies (default `application/json`). */
  contentType?: string;
  /** Largest success body read, in bytes (default: no limit); larger is an `invalid-response`. */
  maxBodyBytes?: number;
  /** Error bodies are read this far, in bytes (default 65 536). */
  maxErrorBodyBytes?: number;
  /** Reads a provider's error answers. */
  readError?: (answer: HttpAnswer, call: HttpCallInfo) => HttpErrorReading;
  /** Builds the provider's own error class (default: {@link HttpProviderError}). */
  createError?: (message: string, init: HttpErrorInit) => HttpProviderError<string>;
  /** Called after every attempt; exceptions it throws are ignored. */
  onRequest?: ((event: HttpRequestEvent) => void) | undefined;
  /** Called before every retry; exceptions it throws are ignored. */
  onRetry?: ((event: HttpRetryEvent) => void) | undefined;
}

/** One call. */
export interface HttpRequest {
  /** HTTP method. */
  method: HttpMethod;
  /** Path below the API base, without query. */
  path: string;
  /** Query parameters; `undefined` values are left out, the rest are encoded and appended to `path`. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON (or as is, when a string). */
  body?: unknown;
  /**
   * Safe to send twice (default: true except for POST and PATCH). A non-idempotent request is sent
   * again only when the failure proves the server did not receive or run it.
   */
  idempotent?: boolean;
  /** `false`: a single attempt, whatever the failure. */
  retry?: boolean;
  /** Headers of this call only (conditions such as `If-Match`), sent after the transport's. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Limiters this call acquires from as well as the transport's (a per-zone budget, say); a 429
   * with `Retry-After` blocks them too.
   */
  rateLimiters?: readonly RateLimiterLike[];
  /** The one status that means success (default: any 2xx). */
  expectStatus?: number;
  /** Cancels the call, retries and rate-limit waits included (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal | undefined;
  /** Overrides the transport's per-attempt timeout (ms). */
  timeoutMs?: number | undefined;
  /**
   * For a write that is not safe to send twice: asked after an attempt whose outcome is unknown (a
   * timeout or a connection lost once the request was sent, or a retryable error status the
   * provider's `notExecuted` does not explain), before anything is sent again. It reads the
   * server's state: `true` (the write was applied) ends the call with a success whose `confirmed`
   * is true; `false` (it was not) lets the request be resent like one that provably did not run,
   * within the same retry budget. When it throws, the original failure stands.
   */
  confirmApplied?: (signal: AbortSignal | undefined) => Promise<boolean>;
}

/** A successful answer. */
export interface HttpResponse {
  /** HTTP status of the answer (a success, as the request defined it). */
  status: number;
  /** Answer headers, names in lower case. */
  headers: HttpHeaders;
  /** The answer body as text (read up to the transport's body limit). */
  text: string;
  /** Attempts made, retries included. */
  attempts: number;
  /** The answer's request id (see `requestIdHeaders`), when it had one. */
  requestId: string | undefined;
  /** HTTP method of the call. */
  method: HttpMethod;
  /** Path with query (redacted), as in events and errors. */
  path: string;
  /**
   * True when the answer was lost and `confirmApplied` found the write applied: `status` is then 0,
   * and `headers` and `text` are empty.
   */
  confirmed?: boolean;
}

/** Anything with zod's `safeParse`. */
export interface SafeParser<T> {
  /**
   * Validates `value`: `{ success: true, data }` or `{ success: false, error }` with a message and issue
   * paths, as zod's `safeParse`.
   */
  safeParse(value: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { message: string; issues?: readonly { path: PropertyKey[]; message: string }[] };
      };
}

const DEFAULT_SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-auth-key',
  'x-auth-token',
];

interface Call {
  method: HttpMethod;
  url: string;
  shown: string;
  body: string | undefined;
  idempotent: boolean;
  expectStatus: number | undefined;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  /** Epoch ms before which the next attempt may not go (a `Retry-After`). */
  notBefore: number;
  backoffRetries: number;
  retryAfterWaits: number;
  /** Sum (ms) of the `Retry-After` waits made so far. */
  retryAfterWaitedMs: number;
  /** The last failure proved the request never reached the server. */
  lastUnsent: boolean;
  headers: Readonly<Record<string, string>> | undefined;
  limiters: readonly RateLimiterLike[];
  confirmApplied: HttpRequest['confirmApplied'];
  /** `confirmApplied` found the last attempt not applied. */
  lastNotApplied: boolean;
}

const isPositiveInteger = (n: number) => Number.isInteger(n) && n > 0;

/**
 * An HTTP transport on undici and p-retry, shared by every provider client. Per call:
 * - a per-attempt timeout and the caller's `AbortSignal` (abort → `AbortedError` at once, waits included);
 * - retries with backoff on connection failures, timeouts and retryable statuses (429, 5xx); a
 *   non-idempotent request (POST, PATCH unless marked) is resent only when the failure proves the
 *   server did not get or run it (no connection made, 429, or the provider's `notExecuted`);
 * - `Retry-After` of a 429 or 503 honoured up to `maxRetryAfterMs`; a longer one fails fast with a
 *   retryable error carrying `retryAfter`; a 429 blocks the credential's rate limiter;
 * - a rate limiter per credential, a connection pool of `connections` per origin;
 * - errors built by the provider's `createError` with `status`, `method`, `path`, `attempts`,
 *   `serverMessage`, `retryable`, `retryAfter` and `requestId`, and every secret redacted.
 */
export class HttpTransport {
  /** Client name used in messages, events and errors, e.g. `pdns`. */
  readonly provider: string;
  /** The API base, without a trailing slash. */
  readonly baseUrl: string;
  readonly #prefix: string;
  readonly #headers: Readonly<Record<string, string>>;
  #redactor: Redactor;
  readonly #staticSecrets: readonly string[];
  /** Recent values of `authorize` headers, still redacted after they changed. */
  #dynamicSecrets: string[] = [];
  readonly #timeoutMs: number;
  readonly #retry: Required<HttpRetryOptions>;
  readonly #maxRetryAfterMs: number;
  readonly #maxRetryAfterWaits: number;
  readonly #maxRetryAfterTotalMs: number;
  readonly #options: HttpTransportOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #requestIdHeaders: readonly string[];
  readonly #limiter: RateLimiterLike | undefined;
  /** The transport's own kind of each error it built (a provider may rename kinds, as `status`). */
  readonly #kinds = new WeakMap<Error, HttpFailureKind>();
  #closed = false;

  /** @throws `ConfigError` for a base URL that is not http(s) or carries credentials, or bad numbers. */
  constructor(options: HttpTransportOptions) {
    this.provider = options.provider;
    this.#options = options;
    const base = parseBase(options.provider, options.baseUrl);
    this.#prefix = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    this.baseUrl = this.#prefix;
    this.#headers = { accept: options.accept ?? 'application/json', ...options.headers };
    this.#staticSecrets = [
      ...Redactor.secretsInHeaders(this.#headers, options.secretHeaders ?? DEFAULT_SECRET_HEADERS),
      ...(options.secrets ?? []),
    ];
    this.#redactor = new Redactor(this.#staticSecrets);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = {
      retries: options.retry?.retries ?? 3,
      minDelayMs: options.retry?.minDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 4000,
      factor: options.retry?.factor ?? 2,
    };
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#maxRetryAfterWaits = options.maxRetryAfterWaits ?? 5;
    this.#maxRetryAfterTotalMs = options.maxRetryAfterTotalMs ?? Number.POSITIVE_INFINITY;
    const connections = options.connections ?? 8;
    for (const [name, value] of [
      ['timeoutMs', this.#timeoutMs],
      ['connections', connections],
    ] as const)
      if (!isPositiveInteger(value))
        throw new ConfigError(`${this.provider}: ${name} must be a positive integer, got ${value}`);
    if (!Number.isInteger(this.#retry.retries) || this.#retry.retries < 0)
      throw new ConfigError(`${this.provider}: retry.retries must be 0 or more, got ${this.#retry.retries}`);
    this.#requestIdHeaders = (options.requestIdHeaders ?? []).map((h) => h.toLowerCase());
    this.#limiter = options.rateLimiter;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        connections,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
        ...(options.tls ? { connect: { minVersion: 'TLSv1.2', ...options.tls } } : {}),
      });
  }

  /** The limiter every attempt acquires from (undefined when there is none). */
  get rateLimiter(): RateLimiterLike | undefined {
    return this.#limiter;
  }

  /**
   * Sends one call, retrying as described on the class, and returns the successful answer.
   * `options` (a client's per-call options: `signal`, `timeoutMs`) override the request's.
   * @throws `AbortedError` when `request.signal` fires; the provider's {@link HttpProviderError}
   * (kind `http`, `network`, `timeout`, `invalid-response` or `rate-limited`) for every other failure;
   * `ConfigError` after {@link close}.
   */
  async request(
    request: HttpRequest,
    options: Pick<HttpRequest, 'signal' | 'timeoutMs'> = {},
  ): Promise<HttpResponse> {
    if (options.signal !== undefined) request = { ...request, signal: options.signal };
    if (options.timeoutMs !== undefined) request = { ...request, timeoutMs: options.timeoutMs };
    if (this.#closed) throw new ConfigError(`${this.provider}: the HTTP transport is closed`);
    const path = pathWithQuery(request.path, request.query);
    const call: Call = {
      method: request.method,
      url: `${this.#prefix}${path}`,
      shown: this.#redactor.redact(path),
      body:
        request.body === undefined || typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body),
      idempotent: request.idempotent ?? !(request.method === 'POST' || request.method === 'PATCH'),
      expectStatus: request.expectStatus,
      signal: request.signal,
      timeoutMs: this.#callTimeout(request.timeoutMs),
      notBefore: 0,
      backoffRetries: 0,
      retryAfterWaits: 0,
      retryAfterWaitedMs: 0,
      lastUnsent: false,
      headers: request.headers,
      limiters: request.rateLimiters ?? [],
      confirmApplied: request.confirmApplied,
      lastNotApplied: false,
    };
    const { signal } = request;
    if (signal?.aborted) throw this.#aborted(call, signal);
    try {
      return await pRetry((attempt) => this.#attempt(call, attempt), {
        retries: request.retry === false ? 0 : this.#retry.retries + this.#maxRetryAfterWaits,
        minTimeout: this.#retry.minDelayMs,
        maxTimeout: this.#retry.maxDelayMs,
        factor: this.#retry.factor,
        randomize: true,
        signal,
        // a Retry-After wait is the server's, not the backoff's: it uses its own budget
        shouldConsumeRetry: ({ error }) => !this.#waitsRetryAfter(error),
        shouldRetry: ({ error, attemptNumber }) => this.#shouldRetry(call, error, attemptNumber),
      });
    } catch (error) {
      if (signal?.aborted) throw this.#aborted(call, signal);
      throw error;
    }
  }

  /**
   * A call's time limit in whole ms: a fraction (a deadline's remainder, say) is rounded up, since
   * timers take integers (`AbortSignal.timeout(1.5)` throws a RangeError).
   * @throws `ConfigError` when it is not a positive number.
   */
  #callTimeout(timeoutMs: number | undefined): number {
    if (timeoutMs === undefined) return this.#timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new ConfigError(
        `${this.provider}: timeoutMs must be a positive number of ms, got ${String(timeoutMs)}`,
      );
    return Math.ceil(timeoutMs);
  }

  /**
   * Parses a successful answer's body as JSON and checks it with a zod schema (or anything with
   * `safeParse`).
   * @throws the provider's `invalid-response` error when the body is not JSON or does not match.
   */
  readJson<T>(response: HttpResponse, schema: SafeParser<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch (cause) {
      throw this.invalidResponse(response, `not JSON: ${response.text.slice(0, 200)}`, cause);
    }
    return this.check(response, json, schema);
  }

  /**
   * Checks an already parsed value (a part of an envelope, say) with a schema.
   * @throws the provider's `invalid-response` error when it does not match.
   */
  check<T>(response: HttpResponse, value: unknown, schema: SafeParser<T>): T {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues
      ?.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw this.invalidResponse(response, issues || parsed.error.message, parsed.error);
  }

  /**
   * The provider's error for an answer that is not what the API promises:
   * `<provider>: <METHOD> <path> returned an unexpected body: <detail>`, not retryable.
   */
  invalidResponse(
    response: Pick<HttpResponse, 'method' | 'path' | 'status' | 'attempts' | 'requestId'>,
    detail: string,
    cause?: unknown,
  ): HttpProviderError<string> {
    return this.error(
      `${this.provider}: ${response.method} ${response.path} returned an unexpected body: ${detail}`,
      {
        kind: 'invalid-response',
        method: response.method,
        path: response.path,
        status: response.status,
        attempts: response.attempts,
        ...(response.requestId === undefined ? {} : { requestId: response.requestId }),
        retryable: false,
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  /**
   * Builds the provider's error (through `createError`), with every secret redacted from the
   * message and the server's text. For failures a client finds itself in an answer.
   */
  error(message: string, init: Omit<HttpErrorInit, 'provider'>): HttpProviderError<string> {
    const full: HttpErrorInit = {
      ...init,
      provider: this.provider,
      path: this.#redactor.redact(init.path),
      ...(init.serverMessage === undefined
        ? {}
        : { serverMessage: this.#redactor.redact(init.serverMessage) }),
    };
    const create =
      this.#options.createError ?? ((m: string, i: HttpErrorInit) => new HttpProviderError(m, i));
    const error = create(this.#redactor.redact(message), full);
    this.#kinds.set(error, init.kind);
    return error;
  }

  /** `text` with every credential this transport knows replaced by `[redacted]`. */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  /** Closes the transport's own connection pool (not a dispatcher passed in); later calls fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** `await using transport = new HttpTransport(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Keeps headers and credentials out of `util.inspect` and `console.log`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HttpTransport { provider: ${JSON.stringify(this.provider)}, baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }

  /** `{ provider, baseUrl }`: never headers or credentials. */
  toJSON(): { provider: string; baseUrl: string } {
    return { provider: this.provider, baseUrl: this.baseUrl };
  }

  // ---- one attempt ------------------------------------------------------------------------------

  /** One attempt; a write whose outcome is unknown is checked with `confirmApplied` before a resend. */
  async #attempt(call: Call, attempt: number): Promise<HttpResponse> {
    call.lastNotApplied = false;
    try {
      return await this.#send(call, attempt);
    } catch (error) {
      if (call.confirmApplied === undefined || !this.#outcomeUnknown(call, error)) throw error;
      let applied: boolean;
      try {
        applied = await call.confirmApplied(call.signal);
      } catch {
        throw error;
      }
      if (!applied) {
        call.lastNotApplied = true;
        throw error;
      }
      return {
        status: 0,
        headers: {},
        text: '',
        attempts: attempt,
        requestId: undefined,
        method: call.method,
        path: call.shown,
        confirmed: true,
      };
    }
  }

  /** A failed attempt of a non-idempotent call that may or may not have run on the server. */
  #outcomeUnknown(call: Call, error: unknown): boolean {
    if (call.idempotent || !isHttpProviderError(error) || call.signal?.aborted) return false;
    const kind = this.#kinds.get(error);
    if (kind === 'timeout' || kind === 'network') return !call.lastUnsent;
    return (
      kind === 'http' &&
      error.retryable &&
      error.status !== 429 &&
      !(this.#options.notExecuted?.(error) ?? false)
    );
  }

  async #send(call: Call, attempt: number): Promise<HttpResponse> {
    const wait = call.notBefore - Date.now();
    if (wait > 0) await abortableSleep(wait, call.signal);
    await this.#acquire(call, attempt);
    const authorized = this.#options.authorize ? await this.#authorize(call.signal) : undefined;
    const started = performance.now();
    const report = (event: Pick<HttpRequestEvent, 'status' | 'failure' | 'requestId'>) =>
      safely(this.#options.onRequest, {
        provider: this.provider,
        method: call.method,
        path: call.shown,
        attempt,
        durationMs: performance.now() - started,
        ...event,
      });
    const isSuccess = (status: number) =>
      call.expectStatus === undefined ? status >= 200 && status < 300 : status === call.expectStatus;
    let answer: HttpAnswer;
    try {
      answer = await sendHttpAttempt({
        url: call.url,
        method: call.method,
        headers: {
          ...this.#headers,
          ...authorized,
          ...call.headers,
          ...(call.body === undefined
            ? {}
            : { 'content-type': this.#options.contentType ?? 'application/json' }),
        },
        body: call.body,
        timeoutMs: call.timeoutMs,
        signal: call.signal,
        dispatcher: this.#dispatcher,
        isSuccess,
        maxBodyBytes: this.#options.maxBodyBytes,
        maxErrorBodyBytes: this.#options.maxErrorBodyBytes ?? 65_536,
      });
    } catch (failure) {
      if (!(failure instanceof HttpAttemptFailure)) throw failure;
      report(failure.kind === 'too-large' ? { status: failure.status ?? 0 } : { failure: failure.kind });
      call.lastUnsent = failure.unsent;
      throw this.#unanswered(call, attempt, failure);
    }
    const requestId = this.#requestId(answer.headers);
    report({ status: answer.status, ...(requestId === undefined ? {} : { requestId }) });
    call.lastUnsent = false;
    const response: HttpResponse = {
      status: answer.status,
      headers: answer.headers,
      text: answer.text,
      attempts: attempt,
      requestId,
      method: call.method,
      path: call.shown,
    };
    if (isSuccess(answer.status)) return response;
    const error = this.errorForAnswer(response, {
      hasBody: call.body !== undefined,
      expectStatus: call.expectStatus,
    });
    if (answer.status === 429 && error.retryAfter !== undefined)
      for (const limiter of call.limiters) limiter.block(Date.now() + error.retryAfter * 1000);
    throw error;
  }

  /** The `authorize` headers of one attempt; their values join the redacted secrets. */
  async #authorize(signal: AbortSignal | undefined): Promise<Readonly<Record<string, string>>> {
    const headers = await (this.#options.authorize as NonNullable<HttpTransportOptions['authorize']>)(signal);
    const fresh = Redactor.secretsInHeaders(headers, Object.keys(headers)).filter(
      (s) => !this.#dynamicSecrets.includes(s),
    );
    if (fresh.length) {
      // a token source renews its token now and then: keep the last few so late echoes stay hidden
      this.#dynamicSecrets = [...fresh, ...this.#dynamicSecrets].slice(0, 8);
      this.#redactor = new Redactor([...this.#staticSecrets, ...this.#dynamicSecrets]);
    }
    return headers;
  }

  async #acquire(call: Call, attempt: number): Promise<void> {
    const limiters = this.#limiter ? [this.#limiter, ...call.limiters] : call.limiters;
    try {
      for (const limiter of limiters)
        await limiter.acquire({ maxWaitMs: this.#maxRetryAfterMs, signal: call.signal });
    } catch (error) {
      if (!(error instanceof RateLimitWaitTooLong)) throw error;
      const retryAfter = Math.ceil(error.waitMs / 1000);
      throw this.error(
        `${this.provider}: ${call.method} ${call.shown} not sent: the rate limit allows the next request in ${retryAfter} s (more than ${this.#maxRetryAfterMs} ms)`,
        {
          kind: 'rate-limited',
          method: call.method,
          path: call.shown,
          retryable: true,
          retryAfter,
          attempts: attempt - 1,
          code: 'PROVIDER_RATE_LIMITED',
        },
      );
    }
  }

  #unanswered(call: Call, attempt: number, failure: HttpAttemptFailure): Error {
    const facts = { method: call.method, path: call.shown, attempts: attempt } as const;
    switch (failure.kind) {
      case 'aborted':
        return this.#aborted(call, call.signal);
      case 'too-large':
        return this.error(
          `${this.provider}: ${call.method} ${call.shown} answer is larger than ${this.#options.maxBodyBytes} bytes`,
          {
            ...facts,
            kind: 'invalid-response',
            retryable: false,
            ...(failure.status ? { status: failure.status } : {}),
          },
        );
      case 'timeout':
        return this.error(
          `${this.provider}: ${call.method} ${call.shown} timed out after ${call.timeoutMs} ms`,
          {
            ...facts,
            kind: 'timeout',
            retryable: true,
            cause: failure.cause,
          },
        );
      case 'network':
        return this.error(
          `${this.provider}: ${call.method} ${call.shown} failed: ${describeNetworkFailure(failure.cause)} (${new URL(this.#prefix).origin})`,
          {
            ...facts,
            kind: 'network',
            retryable: true,
            cause: failure.cause,
            code: isConnectionRefused(failure.cause) ? 'PROVIDER_UNREACHABLE' : 'PROVIDER',
          },
        );
    }
  }

  /**
   * The provider's error for an answer (`readError` reads the body): what the transport throws for
   * a failed status, and what a client throws for a success status whose body reports a failure
   * (Cloudflare's `success: false`). A 429 with `Retry-After` also blocks the rate limiter.
   */
  errorForAnswer(
    response: HttpResponse,
    options: { hasBody?: boolean; expectStatus?: number | undefined } = {},
  ): HttpProviderError<string> {
    const { status, method, path } = response;
    const retryAfter =
      status === 429 || status === 503
        ? (parseRetryAfter(response.headers['retry-after']) ??
          (status === 429 ? this.#options.defaultRetryAfterS : undefined))
        : undefined;
    if (status === 429 && retryAfter !== undefined) this.#limiter?.block(Date.now() + retryAfter * 1000);
    const text = this.#redactor.redact(response.text);
    const reading =
      this.#options.readError?.(
        { status, headers: response.headers, text },
        { method, path, hasBody: options.hasBody ?? false, expectStatus: options.expectStatus },
      ) ?? {};
    const serverMessage = reading.serverMessage ?? (text.trim().slice(0, 200) || undefined);
    const message =
      reading.message ??
      `${this.provider}: ${method} ${path} answered ${status}: ${reading.detail ?? serverMessage ?? '(no message)'}${reading.hint ?? ''}`;
    return this.error(message, {
      kind: 'http',
      method,
      path,
      status,
      attempts: response.attempts,
      retryable: reading.retryable ?? (this.#options.retryableStatus ?? defaultRetryableStatus)(status),
      code: reading.code ?? defaultCode(status),
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(serverMessage === undefined ? {} : { serverMessage }),
      ...(response.requestId === undefined ? {} : { requestId: response.requestId }),
      ...(reading.details === undefined ? {} : { details: reading.details }),
    });
  }

  #requestId(headers: HttpHeaders): string | undefined {
    for (const name of this.#requestIdHeaders) {
      const value = headers[name];
      const first = Array.isArray(value) ? value[0] : value;
      // a header is server text like any other: a proxy may echo the credential into it
      if (first) return this.#redactor.redact(first);
    }
    return undefined;
  }

  // ---- retry decisions --------------------------------------------------------------------------

  /** An answered 429/503 whose `Retry-After` is short enough to wait out. */
  #waitsRetryAfter(error: unknown): error is HttpProviderError<string> {
    return (
      isHttpProviderError(error) &&
      this.#kinds.get(error) === 'http' &&
      error.retryAfter !== undefined &&
      error.retryAfter * 1000 <= this.#maxRetryAfterMs
    );
  }

  #shouldRetry(call: Call, error: unknown, attempt: number): boolean {
    if (!isHttpProviderError(error) || !error.retryable) return false;
    const kind = this.#kinds.get(error);
    if (kind !== 'http' && kind !== 'network' && kind !== 'timeout') return false;
    if (error.retryAfter !== undefined && error.retryAfter * 1000 > this.#maxRetryAfterMs) return false;
    const notExecuted =
      error.status === 429 ||
      call.lastUnsent ||
      call.lastNotApplied ||
      (this.#options.notExecuted?.(error) ?? false);
    if (!call.idempotent && !notExecuted) return false;
    let retryAfterMs: number | undefined;
    if (this.#waitsRetryAfter(error)) {
      if (call.retryAfterWaits >= this.#maxRetryAfterWaits) return false;
      retryAfterMs = (error.retryAfter as number) * 1000;
      if (call.retryAfterWaitedMs + retryAfterMs > this.#maxRetryAfterTotalMs) return false;
      call.retryAfterWaits++;
      call.retryAfterWaitedMs += retryAfterMs;
      call.notBefore = Date.now() + retryAfterMs;
    } else {
      if (call.backoffRetries >= this.#retry.retries) return false;
      call.backoffRetries++;
    }
    safely(this.#options.onRetry, {
      provider: this.provider,
      method: call.method,
      path: call.shown,
      attempt,
      kind,
      code: error.code,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    return true;
  }

  #aborted(call: Call, signal: AbortSignal | undefined): AbortedError {
    return new AbortedError(`${this.provider}: ${call.method} ${call.shown} aborted`, {
      cause: signal?.reason,
    });
  }
}

function isHttpProviderError(error: unknown): error is HttpProviderError<string> {
  return error instanceof HttpProviderError;
}

function defaultRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function defaultCode(status: number): DnsErrorCode {
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status === 401 || status === 403) return 'PROVIDER_AUTH';
  return 'PROVIDER';
}

/** Calls a hook; a hook never breaks a call. */
function safely<T>(hook: ((event: T) => void) | undefined, event: T): void {
  try {
    hook?.(event);
  } catch {
    // ignored on purpose
  }
}

function parseBase(provider: string, baseUrl: string | URL): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new ConfigError(`${provider}: base URL is not a valid URL: ${JSON.stringify(String(baseUrl))}`, {
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${provider}: base URL must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username || url.password)
    throw new ConfigError(`${provider}: base URL must not contain credentials`);
  return url;
}
