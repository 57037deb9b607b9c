/**
 * `@openova/dns-provider-cloudflare`: Cloudflare DNS — the API v4 client and `CloudflareProvider`.
 * @module index
 */

// Client
export {
  CloudflareClient,
  DEFAULT_CLOUDFLARE_BASE_URL,
  MAX_RECORDS_PER_PAGE,
  MAX_ZONES_PER_PAGE,
  CLOUDFLARE_RATE_LIMIT,
} from './client.js';
export type {
  CloudflareClientOptions,
  CloudflareTokenAuth,
  CloudflareKeyAuth,
  CloudflareCallOptions,
  CloudflareRetryOptions,
  CloudflareRateLimitOptions,
  RateLimitOptions,
  CloudflareRequestEvent,
  ListZonesOptions,
  ListDnsRecordsOptions,
  DnsRecordFields,
  DnsRecordInput,
  DnsRecordBatch,
} from './client.js';
export type {
  CloudflareZone,
  CloudflareRecord,
  CloudflareRecordData,
  CloudflareBatchResult,
  CloudflareErrorItem,
  CloudflareResultInfo,
} from './schemas.js';
// The per-credential limiter is core's (`@openova/dns-core/http`), re-exported under its old names.
export { RateLimiter, RateLimitWaitTooLong } from '@openova/dns-core/http';

// Errors
export {
  CloudflareApiError,
  isCloudflareApiError,
  flattenCloudflareCodes,
  describeCloudflareErrors,
} from './errors.js';
export type { CloudflareApiErrorOptions, CloudflareFailureKind } from './errors.js';

// Provider
export {
  CloudflareProvider,
  DEFAULT_CLOUDFLARE_RECORD_TYPES,
  BATCH_LIMITS,
  batchOperationsLimit,
  COMMENT_LIMITS,
  AUTOMATIC_TTL,
  isFreePlan,
} from './provider.js';
export type {
  CloudflareProviderOptions,
  CloudflareConnection,
  CloudflareZoneInfo,
  ZoneBatch,
} from './provider.js';
export {
  PROXIED_PROPERTY,
  LEGACY_PROXIED_PROPERTY,
  COMMENT_PROPERTY,
  LEGACY_COMMENT_PROPERTY,
  TAGS_PROPERTY,
  LEGACY_TAGS_PROPERTY,
  PROXIABLE_TYPES,
  MIXED_VALUE,
  recordsToEndpoint,
  recordToTarget,
  targetToFields,
  canonicalTargetFor,
} from './mapping.js';
