/**
 * `@openova/dns-provider-hetzner`: Hetzner Cloud DNS — the API client (zones, RRSets, actions) and
 * `HetznerProvider`.
 * @module index
 */

// Client
export {
  HetznerClient,
  DEFAULT_HETZNER_BASE_URL,
  MAX_PER_PAGE,
  HETZNER_RATE_LIMIT,
  ACTIONS_PER_POLL,
  readRateLimitHeaders,
  rateLimitWaitSeconds,
} from './client.js';
export type {
  HetznerClientOptions,
  HetznerCallOptions,
  HetznerRetryOptions,
  HetznerRateLimitOptions,
  HetznerRateLimitState,
  HetznerRequestEvent,
  HetznerWrite,
  ListZonesOptions,
  ListRRSetsOptions,
  RRSetInput,
} from './client.js';
export type {
  HetznerZone,
  HetznerZoneMode,
  HetznerRRSet,
  HetznerRecord,
  HetznerAction,
  HetznerActionStatus,
  HetznerPagination,
  HetznerMeta,
  HetznerErrorBody,
  HetznerInvalidField,
} from './schemas.js';

// Errors
export {
  HetznerApiError,
  HetznerActionError,
  isHetznerApiError,
  isHetznerActionError,
  codeForHetznerError,
  invalidFieldsOf,
  RETRYABLE_HETZNER_CODES,
  NOT_EXECUTED_HETZNER_CODES,
} from './errors.js';
export type { HetznerApiErrorOptions, HetznerFailureKind } from './errors.js';

// Provider
export {
  HetznerProvider,
  HetznerApplyError,
  DEFAULT_HETZNER_RECORD_TYPES,
  MIN_HETZNER_TTL,
} from './provider.js';
export type { HetznerProviderOptions, HetznerConnection, HetznerZoneInfo } from './provider.js';
export {
  LABEL_PROPERTY_PREFIX,
  LABEL_SLASH_ESCAPE,
  rrsetName,
  ownerName,
  toHetznerValue,
  fromHetznerValue,
  canonicalTargetFor,
  labelsToProperties,
  propertiesToLabels,
  rrsetToEndpoint,
} from './mapping.js';
