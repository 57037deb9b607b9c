import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  endpointToJSON,
  KNOWN_RECORD_TYPES,
  safeParseEndpoints,
  ValidationError,
  type Changes,
  type DomainFilter,
  type EndpointParseOptions,
  type Issue,
  type Logger,
  type Provider,
} from '@openova/dns-core';
import { safeParseChanges } from '../changes.js';
import { isAcceptedRequestMediaType } from '../mediaType.js';
import { readJsonBody } from './body.js';
import { describeFailure, safeMessage } from './errorMessage.js';
import type { ErrorReason, WebhookMetrics } from './metrics.js';
import { sendEmpty, sendText, sendWebhookJson } from './respond.js';

/** The fixed route names used in metrics and logs (raw paths would make label values unbounded). */
export type ApiRoute = 'negotiate' | 'records' | 'adjustendpoints' | 'unknown';

/** Everything the API handler needs; built once by the server. @internal */
export interface ApiContext {
  provider: Provider;
  domainFilter: DomainFilter;
  maxBodyBytes: number;
  metrics: WebhookMetrics;
  logger: Logger;
  secrets: readonly string[];
}

/** Thrown inside the handler to answer with an error status; never leaves it. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: ErrorReason,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export function routeOf(pathname: string): ApiRoute {
  if (pathname === '/') return 'negotiate';
  if (pathname === '/records') return 'records';
  if (pathname === '/adjustendpoints') return 'adjustendpoints';
  return 'unknown';
}

function methodNotSupported(method: string, route: ApiRoute): Refusal {
  // 400, not 405: ExternalDNS's own webhook server answers unsupported methods so
  return new Refusal(400, 'method_not_allowed', `method ${method} is not supported on this route (${route})`);
}

/**
 * Handles one request of ExternalDNS webhook protocol v1. Every check (method, content type, body
 * size, JSON, endpoint content) runs before the provider is called, so a refused request never
 * reaches it.
 * @internal
 */
export async function handleApiRequest(
  context: ApiContext,
  exchange: { request: IncomingMessage; response: ServerResponse; route: ApiRoute },
): Promise<void> {
  const { request, response, route } = exchange;
  const method = request.method ?? 'GET';
  try {
    switch (route) {
      case 'negotiate':
        if (method !== 'GET') throw methodNotSupported(method, route);
        return sendWebhookJson(response, 200, context.domainFilter.toJSON());
      case 'records':
        if (method === 'GET') return await getRecords(context, response);
        if (method === 'POST') return await applyChanges(context, request, response);
        throw methodNotSupported(method, route);
      case 'adjustendpoints':
        if (method !== 'POST') throw methodNotSupported(method, route);
        return await adjustEndpoints(context, request, response);
      case 'unknown':
        throw new Refusal(
          404,
          'not_found',
          'not found; the webhook API serves /, /records and /adjustendpoints',
        );
    }
  } catch (error) {
    const refusal = error instanceof Refusal ? error : providerFailure(context, route, error);
    context.metrics.observeError(route, refusal.reason);
    if (response.headersSent) return void response.destroy();
    sendText(response, refusal.status, refusal.message, refusal.headers);
  }
}

function providerFailure(context: ApiContext, route: ApiRoute, error: unknown): Refusal {
  const message = safeMessage(describeFailure(error), context.secrets);
  // A provider that rejects the content itself (e.g. a name outside every zone) gets the same
  // 400 as our own validation: retrying the same request cannot succeed.
  if (error instanceof ValidationError) {
    context.logger.warn?.('provider rejected the request', { route, error: message });
    return new Refusal(400, 'invalid_records', message);
  }
  context.logger.error?.('provider call failed', { route, provider: context.provider.name, error: message });
  // 500 is what ExternalDNS treats as a soft error: it retries at its next interval
  return new Refusal(500, 'provider', `${context.provider.name} provider failed: ${message}`);
}

async function readBody(context: ApiContext, request: IncomingMessage): Promise<unknown> {
  if (!isAcceptedRequestMediaType(request.headers['content-type'])) {
    request.resume();
    throw new Refusal(
      415,
      'unsupported_media_type',
      `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/external.dns.webhook+json;version=1`,
    );
  }
  const body = await readJsonBody(request, { maxBytes: context.maxBodyBytes });
  if (!body.ok)
    throw new Refusal(
      body.status,
      body.reason,
      body.message,
      body.status === 413 ? { connection: 'close' } : {},
    );
  return body.value;
}

function parseOptions(provider: Provider): EndpointParseOptions {
  // Provider-specific types (PowerDNS LUA) are accepted; the provider validates their content.
  const extra = provider.capabilities.recordTypes.filter(
    (type) => !(KNOWN_RECORD_TYPES as readonly string[]).includes(type),
  );
  return { extraRecordTypes: Object.fromEntries(extra.map((type) => [type, null])) };
}

function invalid(error: ValidationError): Refusal {
  return new Refusal(400, 'invalid_records', safeMessage(error.message, []));
}

async function getRecords(context: ApiContext, response: ServerResponse): Promise<void> {
  const records = await context.provider.records();
  context.metrics.setRecords(records.length);
  // always a list, never `null`: both decode the same in ExternalDNS, but `[]` is clearer
  sendWebhookJson(response, 200, records.map(endpointToJSON));
}

function unsupportedTypes(provider: Provider, changes: Changes): Issue[] {
  const supported = new Set(provider.capabilities.recordTypes.map((type) => type.toUpperCase()));
  const issues: Issue[] = [];
  for (const list of ['create', 'updateNew'] as const) {
    changes[list].forEach((ep, index) => {
      if (!supported.has(ep.recordType.toUpperCase()))
        issues.push({
          path: [list, index, 'recordType'],
          code: 'unsupported_record_type',
          message: `the ${provider.name} provider cannot store ${ep.recordType} records`,
        });
    });
  }
  return issues;
}

async function applyChanges(
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(context, request);
  const parsed = safeParseChanges(body, parseOptions(context.provider));
  if (!parsed.success) throw invalid(parsed.error);
  const changes = parsed.data;
  const unsupported = unsupportedTypes(context.provider, changes);
  if (unsupported.length) throw invalid(new ValidationError(unsupported));
  const counts = {
    create: changes.create.length,
    update: changes.updateNew.length,
    delete: changes.delete.length,
  };
  context.logger.info?.('applying changes', counts);
  await context.provider.applyChanges(changes);
  context.metrics.observeApplied(counts);
  // exactly 204: ExternalDNS treats any other status, 200 included, as a failed apply
  sendEmpty(response, 204);
}

async function adjustEndpoints(
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(context, request);
  const parsed = safeParseEndpoints(body, parseOptions(context.provider));
  if (!parsed.success) throw invalid(parsed.error);
  const adjusted = await context.provider.adjustEndpoints(parsed.data);
  sendWebhookJson(response, 200, adjusted.map(endpointToJSON));
}
