/**
 * `@openova/dns-provider-google`: Google Cloud DNS for `@openova/dns-core`, on the Cloud DNS v1
 * REST API with credentials from `google-auth-library` 10.x.
 * @module index
 */
// Client
export {
  GoogleCloudDnsClient,
  DEFAULT_GOOGLE_BASE_URL,
  CLOUD_DNS_SCOPE,
  GOOGLE_RATE_LIMIT,
  MAX_PAGES,
} from './client.js';
export type {
  GoogleClientOptions,
  GoogleCallOptions,
  GoogleRetryOptions,
  GoogleRateLimitOptions,
  GoogleTokenSource,
  ListRRSetsOptions,
  ChangeInput,
  WaitForChangeOptions,
} from './client.js';
export {
  rrsetSchema,
  managedZoneSchema,
  changeSchema,
  projectSchema,
  routingPolicySchema,
  geoItemSchema,
  wrrItemSchema,
  healthCheckedTargetsSchema,
} from './schemas.js';
export type {
  GoogleRRSet,
  GoogleManagedZone,
  GoogleChange,
  GoogleProject,
  GoogleRoutingPolicy,
  GoogleGeoItem,
  GoogleWrrItem,
  GoogleHealthCheckedTargets,
} from './schemas.js';
// Errors
export {
  GoogleApiError,
  isGoogleApiError,
  codeForGoogleError,
  RATE_LIMIT_REASONS,
  CONFLICT_REASONS,
  CONTENT_REASONS,
} from './errors.js';
export type { GoogleApiErrorOptions, GoogleFailureKind } from './errors.js';
// Mapping
export {
  GOOGLE_PROPERTIES,
  toRrdata,
  fromRrdata,
  canonicalTargetFor,
  canonicalRoutingPolicy,
  routingPolicyProperty,
  routingPolicyOf,
  policyAnswers,
  rrsetToEndpoint,
  endpointToRRSet,
  rrsetName,
  ownerName,
  rrdataBytes,
  sameRRSet,
} from './mapping.js';
// Provider
export { GoogleCloudDnsProvider, DEFAULT_GOOGLE_RECORD_TYPES, GOOGLE_CHANGE_LIMITS } from './provider.js';
export type {
  GoogleCloudDnsProviderOptions,
  GoogleConnection,
  GoogleZoneInfo,
  GoogleAppliedChange,
  RoutingItem,
} from './provider.js';
