import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@openova/dns-core';
import { safeMessage, describeFailure } from './errorMessage.js';
import { PROMETHEUS_CONTENT_TYPE, type WebhookMetrics } from './metrics.js';
import { sendText } from './respond.js';
import { requestPath } from './requestPath.js';

/** A check that resolves when the provider answers and rejects otherwise. */
export type HealthCheck = (signal: AbortSignal) => Promise<unknown>;

/** A failed readiness check, kept so that probes within its age cost no API call. */
export interface FailedCheck {
  /** `performance.now()` when the check failed. */
  at: number;
  /** Why, already free of secrets. */
  message: string;
}

/**
 * The last time the provider was seen answering: by a readiness check, or by any successful call
 * of the provider API (ExternalDNS's own requests). Readiness within `maxAgeMs` of it costs no API
 * call. A failed check is kept for `failureMaxAgeMs` the same way, so a wrong key or an outage
 * costs at most one API call per that time however often the kubelet probes; a later answer of
 * the provider replaces it at once. @internal
 */
export class ProviderSeen {
  #at: number | undefined;
  #failure: FailedCheck | undefined;
  #check: Promise<void> | undefined;

  constructor(
    readonly maxAgeMs: number,
    readonly failureMaxAgeMs: number = maxAgeMs,
  ) {}

  /** Notes an answer from the provider now (it replaces a failed check). */
  answered(): void {
    this.#at = performance.now();
    this.#failure = undefined;
  }

  /** Notes a failed check now. */
  failed(message: string): void {
    this.#failure = { at: performance.now(), message };
  }

  /** Milliseconds since the provider last answered, when that is within `maxAgeMs`. */
  freshAgeMs(): number | undefined {
    if (this.#at === undefined || this.#failure !== undefined) return undefined;
    const age = performance.now() - this.#at;
    return age <= this.maxAgeMs ? age : undefined;
  }

  /** The last failed check and its age in ms, when that is within `failureMaxAgeMs`. */
  freshFailure(): { ageMs: number; message: string } | undefined {
    if (this.#failure === undefined) return undefined;
    const ageMs = performance.now() - this.#failure.at;
    return ageMs <= this.failureMaxAgeMs ? { ageMs, message: this.#failure.message } : undefined;
  }

  /**
   * Runs `check` unless one is running already (probes in a burst share one API call); its outcome
   * is noted (`describe` turns a failure into the message kept).
   */
  share(check: () => Promise<unknown>, describe: (error: unknown) => string): Promise<void> {
    this.#check ??= check()
      .then(
        () => this.answered(),
        (error: unknown) => {
          this.failed(describe(error));
          throw error;
        },
      )
      .finally(() => (this.#check = undefined));
    return this.#check;
  }
}

/** @internal */
export interface HealthContext {
  healthCheck: HealthCheck;
  seen: ProviderSeen;
  timeoutMs: number;
  metrics: WebhookMetrics;
  logger: Logger;
  secrets: readonly string[];
  /** True once shutdown began: readiness fails so Kubernetes stops routing to us. */
  isStopping: () => boolean;
}

/**
 * The health and metrics port: `GET /healthz` (readiness: the provider answered within the cache
 * age, or answers a check now), `GET /livez`
 * (the process serves HTTP) and `GET /metrics` (Prometheus text format).
 * @internal
 */
export async function handleHealthRequest(
  context: HealthContext,
  exchange: { request: IncomingMessage; response: ServerResponse },
): Promise<void> {
  const { request, response } = exchange;
  // cleaned as Go's ServeMux does (`//healthz` is `/healthz`); `//[::1` or `*` is not a path
  const pathname = requestPath(request.url ?? '/');
  if (pathname === undefined) return sendText(response, 400, 'bad request target', { connection: 'close' });
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return sendText(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
  switch (pathname) {
    case '/livez':
      return sendText(response, 200, 'ok');
    case '/metrics': {
      const text = await context.metrics.render();
      response.writeHead(200, {
        'content-type': PROMETHEUS_CONTENT_TYPE,
        'content-length': Buffer.byteLength(text),
      });
      return void response.end(text);
    }
    case '/healthz':
      return checkHealth(context, response);
    default:
      return sendText(response, 404, 'not found; try /healthz, /livez or /metrics');
  }
}

async function checkHealth(context: HealthContext, response: ServerResponse): Promise<void> {
  if (context.isStopping()) return sendText(response, 503, 'shutting down');
  const age = context.seen.freshAgeMs();
  if (age !== undefined) {
    // no API call: the provider answered recently (a check, or ExternalDNS's own requests)
    context.metrics.setProviderUp(true);
    return sendText(response, 200, `ok (provider answered ${Math.round(age / 1000)} s ago)`, {
      'x-provider-answered-age-seconds': String(Math.round(age / 1000)),
    });
  }
  const failure = context.seen.freshFailure();
  if (failure !== undefined) {
    // no API call either: a check failed recently (a wrong key must not cost a call per probe)
    const seconds = String(Math.round(failure.ageMs / 1000));
    context.metrics.setProviderUp(false);
    return sendText(response, 503, `provider unavailable (checked ${seconds} s ago): ${failure.message}`, {
      'x-provider-checked-age-seconds': seconds,
    });
  }
  const describe = (error: unknown) => safeMessage(describeFailure(error), context.secrets);
  try {
    await context.seen.share(() => context.healthCheck(AbortSignal.timeout(context.timeoutMs)), describe);
    context.metrics.setProviderUp(true);
    sendText(response, 200, 'ok (provider answered just now)', { 'x-provider-answered-age-seconds': '0' });
  } catch (error) {
    context.metrics.setProviderUp(false);
    const message = describe(error);
    context.logger.warn?.('health check failed', {
      error: message,
      cachedSeconds: Math.round(context.seen.failureMaxAgeMs / 1000),
    });
    sendText(response, 503, `provider unavailable (checked just now): ${message}`, {
      'x-provider-checked-age-seconds': '0',
    });
  }
}
