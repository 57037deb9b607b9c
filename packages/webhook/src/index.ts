/**
 * `@openova/dns-webhook`: the ExternalDNS webhook provider protocol (version 1) in both directions —
 * `createWebhookServer()`, the sidecar serving any core `Provider` to a stock ExternalDNS (the
 * `openova-dns-webhook` command is built on it), and `WebhookProvider`, a core `Provider` for any
 * ExternalDNS webhook. Also the command's configuration parser, metrics and structured logger.
 * @module index
 */

// Protocol
export { WEBHOOK_MEDIA_TYPE } from './mediaType.js';
export { safeParseChanges } from './changes.js';

// Server (the sidecar ExternalDNS talks to)
export {
  createWebhookServer,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_DEADLINE_MS,
  DEFAULT_MAX_CONCURRENT_BODIES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  ListenError,
} from './server/webhookServer.js';
export type {
  WebhookServer,
  WebhookServerOptions,
  WebhookServerAddresses,
  BoundAddress,
  ListenOptions,
} from './server/webhookServer.js';
export type { HealthCheck } from './server/healthHandler.js';
export { WebhookMetrics, PROMETHEUS_CONTENT_TYPE } from './server/metrics.js';
export type { ErrorReason, RateLimitBudget, UpstreamAttempt } from './server/metrics.js';

// Client (any ExternalDNS webhook as a core Provider)
export { WebhookProvider } from './client/webhookProvider.js';
export type { WebhookProviderOptions, NegotiationRetryOptions } from './client/webhookProvider.js';
export { WebhookError, isSoftErrorStatus } from './client/webhookError.js';
export type { WebhookErrorOptions, WebhookFailureKind } from './client/webhookError.js';

// Command configuration and logging (reusable by other sidecars)
export { parseWebhookConfig, CLI_PROVIDERS, KNOWN_VARIABLES, closestVariable } from './cli/config.js';
export type { WebhookConfig, CliProviderName } from './cli/config.js';
export { createStructuredLogger, serializeError, LOG_LEVELS, LOG_FORMATS } from './logger.js';
export type { StructuredLoggerOptions, LogLevel, LogFormat } from './logger.js';
