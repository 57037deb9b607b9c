import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@openova/dns-core';
import { safeMessage, describeFailure } from './errorMessage.js';
import { PROMETHEUS_CONTENT_TYPE, type WebhookMetrics } from './metrics.js';
import { sendText } from './respond.js';

/** A check that resolves when the provider answers and rejects otherwise. */
export type HealthCheck = (signal: AbortSignal) => Promise<unknown>;

/**
 * The last time the provider was seen answering: by a readiness check, or by any successful call
 * of the provider API (ExternalDNS's own requests). Readiness within `maxAgeMs` of it costs no API
 * call. @internal
 */
export class ProviderSeen {
  #at: number | undefined;
  #check: Promise<void> | undefined;

  constructor(readonly maxAgeMs: number) {}

  /** Notes an answer from the provider now. */
  answered(): void {
    this.#at = performance.now();
  }

  /** Milliseconds since the provider last answered, when that is within `maxAgeMs`. */
  freshAgeMs(): number | undefined {
    if (this.#at === undefined) return undefined;
    const age = performance.now() - this.#at;
    return age <= this.maxAgeMs ? age : undefined;
  }

  /** Runs `check` unless one is running already (probes in a burst share one API call). */
  share(check: () => Promise<unknown>): Promise<void> {
    this.#check ??= check()
      .then(() => this.answered())
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
  const target = request.url ?? '/';
  // a target that is not a path (`//[::1`, `*`) would make `new URL` throw
  const pathname =
    target.startsWith('/') && URL.canParse(target, 'http://localhost')
      ? new URL(target, 'http://localhost').pathname
      : undefined;
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
  try {
    await context.seen.share(() => context.healthCheck(AbortSignal.timeout(context.timeoutMs)));
    context.metrics.setProviderUp(true);
    sendText(response, 200, 'ok (provider answered just now)', { 'x-provider-answered-age-seconds': '0' });
  } catch (error) {
    context.metrics.setProviderUp(false);
    const message = safeMessage(describeFailure(error), context.secrets);
    context.logger.warn?.('health check failed', { error: message });
    sendText(response, 503, `provider unavailable: ${message}`);
  }
}
