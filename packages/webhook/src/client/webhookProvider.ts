import {
  AbortedError,
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
import pRetry from 'p-retry';
import { Agent, request, type Dispatcher } from 'undici';
import { WEBHOOK_MEDIA_TYPE } from '../mediaType.js';
import { isSoftErrorStatus, WebhookError } from './webhookError.js';

/** Backoff of the negotiation call, the only call that is retried (as in ExternalDNS). */
export interface NegotiationRetryOptions {
  /** Retries after the first attempt (default 4: five attempts, as ExternalDNS). */
  retries?: number;
  /** Delay before the first retry in ms (default 500). */
  minDelayMs?: number;
  /** Upper bound of one delay in ms (default 5000). */
  maxDelayMs?: number;
}

export interface WebhookProviderOptions {
  /** Base URL of the webhook provider (default `http://localhost:8888`, ExternalDNS's default). */
  url?: string;
  /** Time limit of each HTTP request in ms (default 15 000: ExternalDNS's read + write timeouts). */
  timeoutMs?: number;
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

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  signal: AbortSignal | undefined;
  /** The one status that means success for this call. */
  expected: number;
}

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

  readonly #base: URL;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  private constructor(options: WebhookProviderOptions, domainFilter: DomainFilter, connection: Connection) {
    this.url = connection.base.href;
    this.#base = connection.base;
    this.#timeoutMs = connection.timeoutMs;
    this.#maxBodyBytes = connection.maxBodyBytes;
    this.#headers = options.headers ?? {};
    this.#dispatcher = connection.dispatcher;
    this.#ownsDispatcher = connection.ownsDispatcher;
    this.domainFilter = domainFilter;
    this.capabilities = {
      recordTypes: [...(options.recordTypes ?? KNOWN_RECORD_TYPES)],
      atomicity: options.atomicity ?? 'record',
      setIdentifiers: options.setIdentifiers ?? true,
      ownerNames: options.ownerNames ?? 'any',
    };
  }

  /**
   * Negotiates with the webhook (`GET /`): retried on connection failures and 5xx answers with
   * exponential backoff; the answer must carry exactly the webhook media type and a domain filter.
   * @throws {@link WebhookError} when negotiation fails, {@link ConfigError} for bad options.
   */
  static async connect(options: WebhookProviderOptions = {}): Promise<WebhookProvider> {
    const connection = openConnection(options);
    try {
      const retry = options.negotiationRetry ?? {};
      let attempts = 0;
      const answer = await pRetry(
        async () => {
          attempts++;
          return await exchange(connection, {
            method: 'GET',
            path: '/',
            signal: options.signal,
            expected: 200,
            headers: options.headers ?? {},
            attempt: attempts,
          });
        },
        {
          retries: retry.retries ?? 4,
          minTimeout: retry.minDelayMs ?? 500,
          maxTimeout: retry.maxDelayMs ?? 5000,
          factor: 1.5,
          randomize: true,
          ...(options.signal ? { signal: options.signal } : {}),
          // connection failures and 5xx are worth another try; 3xx/4xx and bad bodies are not
          shouldRetry: ({ error }) =>
            error instanceof WebhookError &&
            (error.kind === 'network' || error.kind === 'timeout' || (error.status ?? 0) >= 500),
        },
      );
      if (answer.contentType !== WEBHOOK_MEDIA_TYPE) {
        throw new WebhookError(
          `webhook: wrong content type returned from server: ${JSON.stringify(answer.contentType ?? '')} (expected ${WEBHOOK_MEDIA_TYPE})`,
          {
            kind: 'invalid-response',
            method: 'GET',
            path: '/',
            status: answer.status,
            retryable: false,
            attempts,
          },
        );
      }
      const domainFilter = parseDomainFilter(answer.text, attempts);
      return new WebhookProvider(options, domainFilter, connection);
    } catch (error) {
      if (connection.ownsDispatcher) await connection.dispatcher.close();
      if (options.signal?.aborted && !(error instanceof AbortedError))
        throw new AbortedError('webhook: negotiation aborted', { cause: options.signal.reason });
      throw error;
    }
  }

  /** `GET /records`: every record the webhook manages; a `null` body means none. */
  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const answer = await this.#call({
      method: 'GET',
      path: '/records',
      signal: options.signal,
      expected: 200,
    });
    return this.#parseEndpoints(answer, 'GET', '/records');
  }

  /** `POST /records` with the change set; success is exactly `204 No Content`. */
  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    await this.#call({
      method: 'POST',
      path: '/records',
      body: changesToJSON(changes),
      signal: options.signal,
      expected: 204,
    });
  }

  /** `POST /adjustendpoints`: the webhook's canonical form of the desired endpoints. */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    const answer = await this.#call({
      method: 'POST',
      path: '/adjustendpoints',
      body: endpoints.map(endpointToJSON),
      signal: options.signal,
      expected: 200,
    });
    return this.#parseEndpoints(answer, 'POST', '/adjustendpoints');
  }

  /** Closes the provider's own connection pool (not a dispatcher passed in). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #call(spec: CallSpec): Promise<Answer> {
    const connection: Connection = {
      base: this.#base,
      timeoutMs: this.#timeoutMs,
      maxBodyBytes: this.#maxBodyBytes,
      dispatcher: this.#dispatcher,
      ownsDispatcher: this.#ownsDispatcher,
    };
    try {
      return await exchange(connection, { ...spec, headers: this.#headers, attempt: 1 });
    } catch (error) {
      if (spec.signal?.aborted && !(error instanceof AbortedError))
        throw new AbortedError(`webhook: ${spec.method} ${spec.path} aborted`, { cause: spec.signal.reason });
      throw error;
    }
  }

  #parseEndpoints(answer: Answer, method: string, path: string): Endpoint[] {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch (cause) {
      throw new WebhookError(`webhook: ${method} ${path} answered with malformed JSON`, {
        kind: 'invalid-response',
        method,
        path,
        status: answer.status,
        retryable: false,
        cause,
      });
    }
    // Shape only: records already stored must be readable even when a value is unusual.
    const parsed = safeParseEndpoints(json, { validateContent: false });
    if (!parsed.success)
      throw new WebhookError(
        `webhook: ${method} ${path} answered with invalid endpoints: ${parsed.error.message}`,
        {
          kind: 'invalid-response',
          method,
          path,
          status: answer.status,
          retryable: false,
          cause: parsed.error,
        },
      );
    return parsed.data;
  }
}

interface Connection {
  base: URL;
  timeoutMs: number;
  maxBodyBytes: number;
  dispatcher: Dispatcher;
  ownsDispatcher: boolean;
}

function openConnection(options: WebhookProviderOptions): Connection {
  let base: URL;
  try {
    base = new URL(options.url ?? 'http://localhost:8888');
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
  return {
    base,
    timeoutMs,
    maxBodyBytes,
    dispatcher: options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000 }),
    ownsDispatcher: options.dispatcher === undefined,
  };
}

function parseDomainFilter(text: string, attempts: number): DomainFilter {
  try {
    return DomainFilter.fromJSON(JSON.parse(text) as unknown);
  } catch (cause) {
    const detail = isDnsError(cause) || cause instanceof Error ? cause.message : String(cause);
    throw new WebhookError(`webhook: negotiation answered with an unreadable domain filter: ${detail}`, {
      kind: 'invalid-response',
      method: 'GET',
      path: '/',
      status: 200,
      retryable: false,
      attempts,
      cause,
    });
  }
}

/** Sends one request and reads the answer; any status but `expected` becomes a {@link WebhookError}. */
async function exchange(
  connection: Connection,
  spec: CallSpec & { headers: Readonly<Record<string, string>>; attempt: number },
): Promise<Answer> {
  const { method, path } = spec;
  const timeout = AbortSignal.timeout(connection.timeoutMs);
  const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...spec.headers, accept: WEBHOOK_MEDIA_TYPE };
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = WEBHOOK_MEDIA_TYPE;
  }
  const url = new URL(
    path.slice(1),
    connection.base.href.endsWith('/') ? connection.base : `${connection.base.href}/`,
  );
  const failure = (kind: 'network' | 'timeout', cause: unknown) =>
    new WebhookError(
      kind === 'timeout'
        ? `webhook: ${method} ${path} timed out after ${connection.timeoutMs} ms`
        : `webhook: ${method} ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { kind, method, path, retryable: true, attempts: spec.attempt, cause },
    );
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
      dispatcher: connection.dispatcher,
    });
  } catch (cause) {
    if (spec.signal?.aborted) throw new AbortedError(`webhook: ${method} ${path} aborted`, { cause });
    throw failure(timeout.aborted ? 'timeout' : 'network', cause);
  }
  const status = response.statusCode;
  const success = status === spec.expected;
  let text: string;
  try {
    text = await readText(response.body, success ? connection.maxBodyBytes : ERROR_BODY_BYTES, !success);
  } catch (cause) {
    if (spec.signal?.aborted) throw new AbortedError(`webhook: ${method} ${path} aborted`, { cause });
    if (cause instanceof BodyTooLarge)
      throw new WebhookError(
        `webhook: ${method} ${path} answer is larger than ${connection.maxBodyBytes} bytes`,
        {
          kind: 'invalid-response',
          method,
          path,
          status,
          retryable: false,
          attempts: spec.attempt,
        },
      );
    throw failure(timeout.aborted ? 'timeout' : 'network', cause);
  }
  if (!success) {
    const serverMessage = text.trim().slice(0, 200);
    throw new WebhookError(
      `webhook: ${method} ${path} answered ${status}, expected ${spec.expected}${serverMessage ? `: ${serverMessage}` : ''}`,
      {
        kind: 'status',
        method,
        path,
        status,
        retryable: isSoftErrorStatus(status),
        attempts: spec.attempt,
        ...(serverMessage ? { serverMessage } : {}),
      },
    );
  }
  return { status, contentType: header(response.headers['content-type']), text };
}

class BodyTooLarge extends Error {}

/** Reads at most `limit` bytes; past it, either truncates (error bodies) or fails. */
async function readText(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  truncate: boolean,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      if (!truncate) {
        body.destroy();
        throw new BodyTooLarge();
      }
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
