/**
 * `@openova/dns-core/provider`: the pieces every provider package shares (change-set checks,
 * batching, zone lookup, target and name canonicalisation). Controllers and scripts need only the
 * main entry.
 * @module provider
 */

export { throwIfAborted } from './errors.js';
export {
  withTrailingDot,
  withoutTrailingDot,
  lowerCased,
  upperCased,
  isInZone,
  checkDnsName,
  MAX_LABEL_OCTETS,
  MAX_NAME_OCTETS,
} from './endpoint/names.js';
export {
  canonicalIP,
  canonicalIPv6,
  canonicalTarget,
  sortTargets,
  targetsLess,
  suitableRecordType,
} from './endpoint/targets.js';
export {
  targetValidators,
  canonicalizeTarget,
  parseTxtStrings,
  formatTxtStrings,
  quoteTxtString,
  HOSTNAME_TARGET_TYPES,
} from './endpoint/rdata.js';
export { batchChanges } from './provider/changes.js';
export { findZone, zoneMatcher } from './provider/zones.js';
export { CachedLoader } from './provider/cachedLoader.js';
export { recordWritePhases, markersToUndo } from './provider/writePhases.js';
export { readAllPages } from './provider/pages.js';
export type { ListingPage, ReadAllPagesOptions } from './provider/pages.js';
export {
  txtStringsOf,
  txtTargetOf,
  absoluteHost,
  toPresentation,
  fromPresentation,
} from './provider/presentation.js';
export { assertValidChangeSet, prepareChangeSet, withKeptTtls } from './provider/checkChanges.js';
export {
  splitChanges,
  applyInBatches,
  batchLimitsOf,
  endpointCountLimit,
  perValueCost,
  valueCount,
} from './apply/batches.js';
export type { NameCheckOptions } from './endpoint/names.js';
export type { TargetValidator } from './endpoint/rdata.js';
export type { ChangeSetRules } from './provider/checkChanges.js';
export { appendAll } from './lists.js';
export { sortEndpoints, REPEATED_RECORDS_PROPERTY } from './endpoint/endpoint.js';
