import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@openova/dns-core';
import { safeMessage, describeFailure } from './errorMessage.js';
import { PROMETHEUS_CONTENT_TYPE, type WebhookMetrics } from './metrics.js';
import { sendText } from './respond.js';

/** A check that resolves when the provider answers and rejects otherwise. */
export type HealthCheck = (signal: AbortSignal) => Promise<unknown>;

/** @internal */
export interface HealthContext {
  healthCheck: HealthCheck;
  timeoutMs: number;
  metrics: WebhookMetrics;
  logger: Logger;
  secrets: readonly string[];
  /** True once shutdown began: readiness fails so Kubernetes stops routing to us. */
  isStopping: () => boolean;
}

/**
 * The health and metrics port: `GET /healthz` (readiness: the provider answers), `GET /livez`
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
      const text = context.metrics.render();
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
  try {
    await context.healthCheck(AbortSignal.timeout(context.timeoutMs));
    context.metrics.setProviderUp(true);
    sendText(response, 200, 'ok');
  } catch (error) {
    context.metrics.setProviderUp(false);
    const message = safeMessage(describeFailure(error), context.secrets);
    context.logger.warn?.('health check failed', { error: message });
    sendText(response, 503, `provider unavailable: ${message}`);
  }
}
