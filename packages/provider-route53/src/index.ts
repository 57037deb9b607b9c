/**
 * `@openova/dns-provider-route53`: AWS Route53 on the AWS SDK v3 — `Route53Provider` and its
 * record mapping.
 * @module index
 */

// Client
export {
  Route53Api,
  MAX_RECORD_SETS_PER_PAGE,
  MAX_ZONES_PER_PAGE,
  ROUTE53_PACE,
  DEFAULT_ROUTE53_MAX_ATTEMPTS,
} from './client.js';
export type {
  Route53ClientOptions,
  Route53ConnectionOptions,
  Route53Credentials,
  Route53CallOptions,
  Route53ClientStats,
} from './client.js';

// Errors
export { Route53ApiError, isRoute53ApiError, toRoute53Error, codeForAws } from './errors.js';
export type { Route53ApiErrorOptions } from './errors.js';

// Provider
export {
  Route53Provider,
  DEFAULT_ROUTE53_RECORD_TYPES,
  ROUTE53_LIMITS,
  ROUTE53_PROPERTY_NAMES,
} from './provider.js';
export type { Route53ProviderOptions, Route53ZoneInfo, Route53Batch } from './provider.js';
export {
  ALIAS_PROPERTY,
  AWS_PROPERTIES,
  ALIAS_TTL,
  decodeRoute53Name,
  encodeRoute53Name,
  targetToValue,
  valueToTarget,
  canonicalTargetFor,
  isAlias,
  routingPolicyOf,
  recordSetToEndpoint,
  endpointToRecordSet,
  bareZoneId,
  valueCharacters,
  resourceRecordCount,
} from './mapping.js';
export type { RoutingPolicy, RecordSetContext } from './mapping.js';
export {
  CLOUDFRONT_ZONE_ID,
  GLOBAL_ACCELERATOR_ZONE_ID,
  ALB_ZONE_IDS,
  NLB_ZONE_IDS,
  API_GATEWAY_ZONE_IDS,
  defaultCanonicalZones,
  canonicalZoneOf,
  isKnownAwsTarget,
} from './canonicalZones.js';
export type { CanonicalZones } from './canonicalZones.js';
export {
  routingIssues,
  MAX_SET_IDENTIFIER_LENGTH,
  ROUTE53_LATENCY_REGIONS,
  ROUTE53_CONTINENT_CODES,
  ROUTE53_COUNTRY_CODES,
  ROUTE53_US_SUBDIVISION_CODES,
} from './validation.js';
