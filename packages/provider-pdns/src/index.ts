/**
 * `@openova/dns-provider-pdns`: PowerDNS Authoritative — the HTTP API client, `PowerDnsProvider`,
 * the `lua` record builders, post-apply verification over DNS.
 * @module index
 */

// Client
export {
  PowerDnsClient,
  zoneIdFromName,
  checkRRsetChanges,
  ZONE_KINDS,
  RRSET_CHANGETYPES,
} from './client.js';
export type {
  PowerDnsClientOptions,
  PowerDnsCallOptions,
  PowerDnsTlsOptions,
  PowerDnsRetryOptions,
  PowerDnsRequestEvent,
  ZoneKind,
  RRsetChangeType,
  RRsetChange,
  RRsetInput,
  RecordInput,
  CommentInput,
  CreateZoneInput,
  UpdateZoneInput,
  GetZoneOptions,
  ListZonesOptions,
  PatchResult,
  SearchOptions,
  StatisticsOptions,
  CreateCryptokeyInput,
  CreateTsigKeyInput,
} from './client.js';
// zod schemas of the API's answers (for callers validating PowerDNS JSON themselves)
export {
  serverSchema,
  configSettingSchema,
  recordSchema,
  commentSchema,
  rrsetSchema,
  zoneSummarySchema,
  zoneSchema,
  metadataSchema,
  cryptokeySchema,
  tsigKeySchema,
  searchResultSchema,
  statisticItemSchema,
  resultSchema,
} from './schemas.js';
export type {
  PowerDnsServer,
  PowerDnsConfigSetting,
  PowerDnsZone,
  PowerDnsZoneSummary,
  PowerDnsRRset,
  PowerDnsRecord,
  PowerDnsComment,
  PowerDnsMetadata,
  PowerDnsCryptokey,
  PowerDnsTsigKey,
  PowerDnsSearchResult,
  PowerDnsStatisticItem,
  PowerDnsResult,
} from './schemas.js';
export { parsePowerDnsVersion, powerDnsFeatures } from './version.js';
export type { PowerDnsVersion, PowerDnsFeatures } from './version.js';

// Errors
export { PowerDnsApiError, PowerDnsApplyError, isPowerDnsApiError } from './errors.js';
export type { PowerDnsApiErrorOptions, PowerDnsFailureKind } from './errors.js';

// LUA records
export { lua, luaString, splitLuaCode } from './lua.js';
export { luaRequirements, LUA_OPTION_SINCE } from './luaRequirements.js';
export type { LuaRequirement } from './luaRequirements.js';
export type {
  LuaExpression,
  LuaCondition,
  LuaQueryType,
  LuaSelector,
  LuaBackupSelector,
  LuaHealthCheckOptions,
  LuaUrlCheckOptions,
  LuaWeightedValue,
  LuaAnswer,
  LuaChooseInput,
  LuaValuesOptions,
  LuaEndpointInput,
} from './lua.js';

// Provider
export { PowerDnsProvider, DEFAULT_POWERDNS_RECORD_TYPES } from './provider.js';
export type { PowerDnsProviderOptions, PowerDnsConnection, ZonePatch } from './provider.js';
export {
  rrsetToEndpoint,
  DISABLED_RECORDS_PROPERTY,
  endpointToReplace,
  endpointToDelete,
  toPowerDnsContent,
  fromPowerDnsContent,
  canonicalTargetFor,
} from './mapping.js';
export { postgresAdvisoryLock } from './lock.js';
export type {
  PowerDnsWriteLock,
  PowerDnsWriteLease,
  PostgresAdvisoryLockOptions,
  SqlConnection,
} from './lock.js';
export { verifyChanges } from './verify.js';
export type { VerifyOptions, VerificationReport, VerifiedName } from './verify.js';

// DNS queries (post-apply checks, tests)
export { queryDns } from './dns.js';
export type { DnsQueryOptions, DnsResponse, DnsAnswer } from './dns.js';
