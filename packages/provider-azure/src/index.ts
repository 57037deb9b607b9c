/**
 * `@openova/dns-provider-azure`: Azure DNS (public `Microsoft.Network/dnsZones` and private
 * `Microsoft.Network/privateDnsZones`) for `@openova/dns-core` — the REST client, `AzureDnsProvider`
 * and the credentials of ExternalDNS's `azure.json`.
 * @module index
 */
// Client
export {
  AzureDnsClient,
  DEFAULT_AZURE_ENDPOINT,
  DEFAULT_AZURE_PAGE_SIZE,
  AZURE_ZONE_LIMITS,
  AZURE_ZONE_LIST_LIMIT,
  zonePath,
  recordSetPath,
  resourceGroupOf,
} from './client.js';
export type {
  AzureDnsClientOptions,
  AzureTokenCredential,
  AzureAccessToken,
  AzureRetryOptions,
  AzureRateLimitOptions,
  AzureZoneLimits,
  AzureZoneRef,
  AzureZone,
  AzureCallOptions,
  ListRecordSetsOptions,
  PutRecordSetOptions,
  DeleteRecordSetOptions,
  AzureRequestCounts,
} from './client.js';
export {
  azureCredentialFromConfig,
  readAzureConfigFile,
  parseAzureConfigFile,
  fileTokenCredential,
} from './credentials.js';
export type { AzureConfigFile } from './credentials.js';
export {
  AZURE_API_VERSIONS,
  AZURE_ZONE_SEGMENTS,
  AZURE_WIRE_NAMES,
  AZURE_RECORD_TYPES,
  recordSetFromWire,
  recordSetToWire,
  recordTypeOf,
  readErrorBody,
} from './schemas.js';
export type {
  AzureZoneKind,
  AzureRecordSet,
  AzureRecordData,
  AzureWireNames,
  AzureARecord,
  AzureAaaaRecord,
  AzureCnameRecord,
  AzureMxRecord,
  AzureNsRecord,
  AzurePtrRecord,
  AzureSrvRecord,
  AzureTxtRecord,
  AzureCaaRecord,
  AzureSoaRecord,
  AzureErrorBody,
  AzureZoneWire,
} from './schemas.js';

// Errors
export { AzureApiError, isAzureApiError, codeForAzureError } from './errors.js';
export type { AzureApiErrorOptions, AzureFailureKind } from './errors.js';

// Provider
export {
  AzureDnsProvider,
  AzureApplyError,
  DEFAULT_AZURE_PUBLIC_RECORD_TYPES,
  DEFAULT_AZURE_PRIVATE_RECORD_TYPES,
} from './provider.js';
export type {
  AzureDnsProviderOptions,
  AzureConnection,
  AzureZoneInfo,
  AzureApplyResult,
} from './provider.js';
export {
  ALIAS_PROPERTY,
  TAGS_PROPERTY,
  METADATA_PROPERTY_PREFIX,
  DEFAULT_AZURE_TTL,
  MAX_TXT_STRING_LENGTH,
  MAX_TXT_SET_LENGTH,
  MAX_RECORDS_PER_SET,
  MAX_AZURE_TTL,
  recordSetName,
  ownerName,
  txtStrings,
  isAliasEndpoint,
  recordsFor,
  canonicalTarget,
  targetsOf,
  propertiesToMetadata,
  tagsProblem,
  metadataToProperties,
  canonicalProperties,
  endpointToRecordSet,
  recordSetToEndpoint,
  sameRecordSet,
} from './mapping.js';
