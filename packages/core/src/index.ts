/**
 * `@openova/dns-core`: the public API — endpoints, validation, domain filters, the TXT registry,
 * the planner, safety limits, saved plans, renderers, `reconcile()`, the `Provider` interface and
 * `InMemoryProvider`. The subpaths `/provider`, `/http` and `/testing` are for provider authors.
 * @module index
 */

// Errors
export {
  DnsError,
  DNS_ERROR_CODES,
  ValidationError,
  ConfigError,
  ProviderError,
  HttpProviderError,
  AbortedError,
  OwnershipConflictError,
  isDnsError,
  formatIssues,
  formatIssuePath,
} from './errors.js';
export type {
  DnsErrorCode,
  DnsErrorOptions,
  Issue,
  IssuePath,
  ProviderErrorOptions,
  HttpProviderErrorOptions,
  HttpFailureKind,
  OwnershipConflictErrorOptions,
} from './errors.js';

// Endpoint model
export {
  endpoint,
  cloneEndpoint,
  endpointToJSON,
  endpointKey,
  describeEndpoint,
  getProviderSpecific,
  setProviderSpecific,
  deleteProviderSpecific,
  isOwnedBy,
  KNOWN_RECORD_TYPES,
  DEFAULT_MANAGED_RECORD_TYPES,
  LabelKeys,
} from './endpoint/endpoint.js';
export type {
  Endpoint,
  EndpointInit,
  EndpointJSON,
  KnownRecordType,
  ProviderSpecificProperty,
  RecordType,
} from './endpoint/endpoint.js';
export { normalizeDnsName, dnsNameToUnicode, sameDnsName } from './endpoint/names.js';

export { sameTargets } from './endpoint/targets.js';

export {
  parseEndpoints,
  safeParseEndpoints,
  parseEndpoint,
  validateEndpoint,
  assertValidEndpoints,
  MAX_TTL,
} from './endpoint/parse.js';
export type { EndpointParseOptions, SafeParseResult } from './endpoint/parse.js';
export { serializeLabels, parseLabels, HERITAGE } from './endpoint/labels.js';

// Domain filter
export { DomainFilter } from './domainFilter.js';
export type { DomainFilterJSON, DomainFilterOptions, DomainFilterLike } from './domainFilter.js';

// Providers
export { emptyChanges, countChanges, hasAnyChange, changesToJSON, CHANGE_LISTS } from './provider/changes.js';
export type { Changes, ChangesJSON, ChangeList, BatchChange } from './provider/changes.js';
export type {
  Provider,
  ProviderCapabilities,
  ApplyAtomicity,
  BatchLimit,
  CallOptions,
} from './provider/provider.js';

export { InMemoryProvider } from './provider/inMemoryProvider.js';
export type { InMemoryProviderOptions } from './provider/inMemoryProvider.js';

// Planner
export { calculatePlan, isManagedRecordType } from './plan/calculatePlan.js';
export type { CalculatePlanOptions, CalculatedChanges } from './plan/calculatePlan.js';
export { POLICIES } from './plan/policy.js';
export type { Policy } from './plan/policy.js';
export type { Registry, RegistryPreview, RefusedCreateCode } from './registry/registry.js';
export {
  createPlan,
  planToJSON,
  planFromJSON,
  countPlan,
  PLAN_FORMAT_VERSION,
  SKIP_REASONS,
} from './plan/plan.js';
export type { Plan, PlanInit, PlanJSON, PlanCounts, SkipReason, SkippedChange } from './plan/plan.js';
export { checkSafety, UnsafePlanError, DEFAULT_SAFETY_LIMITS } from './plan/safety.js';
export type { SafetyLimits, SafetyViolation, SafetyCheckInput } from './plan/safety.js';

// Apply and reconcile
export { PartialApplyError } from './apply/batches.js';
export { AbortedApplyError, InterruptedApplyError } from './provider/writePhases.js';
export type { ApplyInBatchesOptions, BatchingCapabilities, RejectedChange } from './apply/batches.js';
export { reconcile, applyPlan } from './reconcile/reconcile.js';
export type {
  ReconcileOptions,
  ReconcileResult,
  ReconcileHooks,
  ApplyPlanOptions,
} from './reconcile/reconcile.js';
export { PlanConflictError, findPlanConflicts } from './reconcile/conflicts.js';
export type { PlanConflict } from './reconcile/conflicts.js';

export { silentLogger, pinoLogger, toLogger } from './logger.js';
export type { Logger, LogFields, FieldsFirstLogger } from './logger.js';

// Rendering
export { renderPlanText, summarizePlan } from './render/text.js';
export type { RenderTextOptions } from './render/text.js';
export { renderPlanMarkdown } from './render/markdown.js';
export { renderPlanJSON } from './render/json.js';
export { planEntries } from './render/group.js';
export type { PlanEntry } from './render/group.js';

// TXT ownership registry
export { TxtRegistry, FORCE_UPDATE_PROPERTY, MIGRATED_FROM_LABEL } from './registry/txtRegistry.js';
export type { TxtRegistryOptions, TxtEncryptionOptions } from './registry/txtRegistry.js';
export type { RegistryWarning, RegistryWarningKind } from './registry/warnings.js';
export {
  TxtNameMapper,
  toTxtName,
  toEndpointName,
  TXT_NAME_RECORD_TYPES,
  RECORD_TYPE_TEMPLATE,
} from './registry/txtMapper.js';
export type { TxtNameConfig, TxtNameTarget } from './registry/txtMapper.js';
export {
  parseAesKey,
  encryptTxtValue,
  decryptTxtValue,
  AES_KEY_BYTES,
  NONCE_BYTES,
} from './registry/encryption.js';
export type { DecryptedTxt } from './registry/encryption.js';
