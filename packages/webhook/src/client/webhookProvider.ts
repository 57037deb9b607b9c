import {
  changesToJSON,
  ConfigError,
  DomainFilter,
  endpointToJSON,
  isDnsError,
  KNOWN_RECORD_TYPES,
  safeParseEndpoints,
  type ApplyAtomicity,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Provider,
  type ProviderCapabilities,
  type RecordType,
} from '@openova/dns-core';
import { HttpTransport, type HttpRequest, type HttpResponse } from '@openova/dns-core/http';
import type { Dispatcher } from 'undici';
import { WEBHOOK_MEDIA_TYPE } from '../mediaType.js';
import { isSoftErrorStatus, WebhookError, webhookFailureKind } from './webhookError.js';

/** Backoff of the negotiation call, the only call that is retried (as in ExternalDNS). */
export interface NegotiationRetryOptions {
  /** Retries after the first attempt (default 4: five attempts, as ExternalDNS). */
  retries?: number;
  /** Delay before the first retry in ms (default 500). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 5000). */
  maxDelayMs?: number;
}

/** Options of {@link WebhookProvider.connect}; every field has a default. Times are in ms. */
export interface WebhookProviderOptions {
  /** Base URL of the webhook provider (default `http://localhost:8888`, ExternalDNS's default). */
  url?: string;
  /** Time limit of each HTTP request in ms (default 15 000: ExternalDNS's read + write timeouts). */
  timeoutMs?: number;
  /** Backoff of the negotiation call (default five attempts, 500 ms to 5000 ms apart). */
  negotiationRetry?: NegotiationRetryOptions;
  /** Largest response body read (default 32 MiB, as ExternalDNS). */
  maxBodyBytes?: number;
  /** Record types the remote provider stores (default: every type core knows). */
  recordTypes?: readonly RecordType[];
  /** What the remote applies atomically, when you know it (default `record`, the safe assumption). */
  atomicity?: ApplyAtomicity;
  /**
   * Whether the remote provider tells record sets apart by set identifier (default `true`, as
   * ExternalDNS assumes; `false` for PowerDNS or Cloudflare behind the webhook).
   */
  setIdentifiers?: boolean;
  /**
   * Which owner names the remote provider stores (default `any`; `hostname` for PowerDNS and
   * Cloudflare). With `hostname`, the TXT registry reports ownership TXT names it cannot store
   * at plan time (see `ProviderCapabilities.ownerNames`).
   */
  ownerNames?: 'hostname' | 'any';
  /** Extra request headers, e.g. an `authorization` header a proxy in front of the webhook wants. */
  headers?: Readonly<Record<string, string>>;
  /** An undici dispatcher to use instead of the provider's own connection pool. */
  dispatcher?: Dispatcher;
  /** Cancels negotiation. */
  signal?: AbortSignal;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
// Error bodies are only read this far: enough for a message, small enough to drain quickly.
const ERROR_BODY_BYTES = 1024;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Any ExternalDNS webhook provider (protocol version 1) as a core {@link Provider}: with it, our
 * planner and TXT registry drive every webhook in the ExternalDNS ecosystem.
 *
 * Create it with {@link WebhookProvider.connect}, which negotiates first (with retries) and keeps
 * the announced domain filter. `records`, `applyChanges` and `adjustEndpoints` make a single
 * attempt each; failures are {@link WebhookError}s, retryable for 500–510 answers.
 */
export class WebhookProvider implements Provider {
  readonly name = 'webhook';
  readonly capabilities: ProviderCapabilities;
  /** The domain filter the webhook announced at negotiation. */
  readonly domainFilter: DomainFilter;
  /** The webhook's base URL. */
  readonly url: string;

  readonly #http: HttpTransport;

  private constructor(options: WebhookProviderOptions, domainFilter: DomainFilter, http: HttpTransport) {
    this.#http = http;
    this.url = new URL(options.url ?? DEFAULT_URL).href;
    this.domainFilter = domainFilter;
    this.capabilities = {
      recordTypes: [...(options.recordTypes ?? KNOWN_RECORD_TYPES)],
      atomicity: options.atomicity ?? 'record',
      setIdentifiers: options.setIdentifiers ?? true,
      ownerNames: options.ownerNames ?? 'any',
    };
  }

  /**
   * Negotiates with the webhook (`GET /`): retried on connection failures, timeouts and 500–510
   * answers with exponential backoff (`negotiationRetry`); the answer must carry exactly the webhook
   * media type and a domain filter.
   * @throws {@link WebhookError} when negotiation fails, {@link ConfigError} for bad options,
   * `AbortedError` when `options.signal` fires.
   */
  static async connect(options: WebhookProviderOptions = {}): Promise<WebhookProvider> {
    const http = openTransport(options);
    try {
      const answer = await http.request({
        method: 'GET',
        path: '/',
        expectStatus: 200,
        signal: options.signal,
      });
      const contentType = header(answer.headers['content-type']);
      if (contentType !== WEBHOOK_MEDIA_TYPE) {
        throw invalid(
          http,
          answer,
          `webhook: wrong content type returned from server: ${JSON.stringify(contentType ?? '')} (expected ${WEBHOOK_MEDIA_TYPE})`,
        );
      }
      const domainFilter = parseDomainFilter(http, answer);
      return new WebhookProvider(options, domainFilter, http);
    } catch (error) {
      await http.close();
      throw error;
    }
  }

  /** `GET /records`: every record the webhook manages; a `null` body means none. */
  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const answer = await this.#call({ method: 'GET', path: '/records', expectStatus: 200 }, options);
    return this.#parseEndpoints(answer);
  }

  /** `POST /records` with the change set; success is exactly `204 No Content`. */
  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    await this.#call(
      { method: 'POST', path: '/records', expectStatus: 204, body: changesToJSON(changes) },
      options,
    );
  }

  /** `POST /adjustendpoints`: the webhook's canonical form of the desired endpoints. */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    const answer = await this.#call(
      { method: 'POST', path: '/adjustendpoints', expectStatus: 200, body: endpoints.map(endpointToJSON) },
      options,
    );
    return this.#parseEndpoints(answer);
  }

  /** Closes the provider's own connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** `await using provider = await WebhookProvider.connect(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** One attempt (as ExternalDNS): any status but `expectStatus` is a {@link WebhookError}. */
  #call(request: HttpRequest & { expectStatus: number }, options: CallOptions): Promise<HttpResponse> {
    return this.#http.request({ ...request, retry: false }, options);
  }

  #parseEndpoints(answer: HttpResponse): Endpoint[] {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch (cause) {
      throw invalid(
        this.#http,
        answer,
        `webhook: ${answer.method} ${answer.path} answered with malformed JSON`,
        cause,
      );
    }
    // Shape only: records already stored must be readable even when a value is unusual.
    const parsed = safeParseEndpoints(json, { validateContent: false });
    if (!parsed.success)
      throw invalid(
        this.#http,
        answer,
        `webhook: ${answer.method} ${answer.path} answered with invalid endpoints: ${parsed.error.message}`,
        parsed.error,
      );
    return parsed.data;
  }
}

const DEFAULT_URL = 'http://localhost:8888';

/** The transport of one webhook: its media type, ExternalDNS's limits and negotiation backoff. */
function openTransport(options: WebhookProviderOptions): HttpTransport {
  let base: URL;
  try {
    base = new URL(options.url ?? DEFAULT_URL);
  } catch (cause) {
    throw new ConfigError(`webhook: url is not a valid URL: ${JSON.stringify(options.url)}`, { cause });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new ConfigError(`webhook: url must be http:// or https://, got ${base.protocol}`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  for (const [name, value] of [
    ['timeoutMs', timeoutMs],
    ['maxBodyBytes', maxBodyBytes],
  ] as const)
    if (!Number.isInteger(value) || value <= 0)
      throw new ConfigError(`webhook: ${name} must be a positive integer, got ${value}`);
  const retry = options.negotiationRetry ?? {};
  return new HttpTransport({
    provider: 'webhook',
    baseUrl: base,
    headers: options.headers ?? {},
    accept: WEBHOOK_MEDIA_TYPE,
    contentType: WEBHOOK_MEDIA_TYPE,
    timeoutMs,
    maxBodyBytes,
    maxErrorBodyBytes: ERROR_BODY_BYTES,
    keepAliveTimeoutMs: 30_000,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    // only negotiation is retried (every other call passes `retry: false`), as in ExternalDNS
    retry: {
      retries: retry.retries ?? 4,
      minDelayMs: retry.minDelayMs ?? 500,
      maxDelayMs: retry.maxDelayMs ?? 5000,
      factor: 1.5,
    },
    retryableStatus: isSoftErrorStatus,
    readError: (answer, call) => {
      const serverMessage = answer.text.trim().slice(0, 200);
      return {
        message: `webhook: ${call.method} ${call.path} answered ${answer.status}, expected ${call.expectStatus ?? 200}${serverMessage ? `: ${serverMessage}` : ''}`,
        ...(serverMessage ? { serverMessage } : {}),
      };
    },
    createError: (message, init) =>
      new WebhookError(message, { ...init, kind: webhookFailureKind(init.kind) }),
  });
}

/** A non-retryable `invalid-response` {@link WebhookError} for an answer, built by the transport. */
function invalid(http: HttpTransport, answer: HttpResponse, message: string, cause?: unknown) {
  return http.error(message, {
    kind: 'invalid-response',
    method: answer.method,
    path: answer.path,
    status: answer.status,
    retryable: false,
    attempts: answer.attempts,
    ...(cause === undefined ? {} : { cause }),
  });
}

const DOMAIN_FILTER_KEYS = ['include', 'exclude', 'regexInclude', 'regexExclude'];

/**
 * The negotiation answer with its keys spelled as core's `DomainFilter.fromJSON` reads them: Go's
 * decoder, which ExternalDNS uses, matches object keys case-insensitively (`Include`, `RegexInclude`),
 * a later key overriding an earlier one for the same field; other keys are dropped, as Go ignores them.
 */
function canonicalFilterKeys(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const canonical = DOMAIN_FILTER_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (canonical !== undefined) out[canonical] = value;
  }
  return out;
}

function parseDomainFilter(http: HttpTransport, answer: HttpResponse): DomainFilter {
  try {
    return DomainFilter.fromJSON(canonicalFilterKeys(JSON.parse(answer.text) as unknown));
  } catch (cause) {
    const detail = isDnsError(cause) || cause instanceof Error ? cause.message : String(cause);
    throw invalid(
      http,
      answer,
      `webhook: negotiation answered with an unreadable domain filter: ${detail}`,
      cause,
    );
  }
}
