import type { DomainFilterLike } from '../domainFilter.js';
import { cloneEndpoint, describeEndpoint, type Endpoint } from '../endpoint/endpoint.js';
import { validateEndpoint, type EndpointParseOptions } from '../endpoint/parse.js';
import { ValidationError, type Issue, type IssuePath } from '../errors.js';
import { CHANGE_LISTS, type Changes } from './changes.js';
import { appendAll } from '../lists.js';

/**
 * What a provider accepts, for `assertValidChangeSet` and `prepareChangeSet`: names, types, set
 * identifiers and content.
 */
export interface ChangeSetRules {
  /** Provider name for messages, e.g. `pdns`. */
  provider: string;
  /** Names the provider may write. */
  domainFilter: DomainFilterLike;
  /** Record types the provider manages (upper case). */
  recordTypes: readonly string[];
  /** Whether `setIdentifier` may be set; when not, `setIdentifierHint` says what to use instead. */
  setIdentifiers: boolean;
  /**
   * What to use instead of set identifiers, named in the error when one is given (e.g. `use LUA records
   * for weighted answers`).
   */
  setIdentifierHint?: string;
  /** Extra record types for content validation (see `validateEndpoint`). */
  parseOptions?: EndpointParseOptions;
  /**
   * Which owner names the provider stores (its `capabilities.ownerNames`): with `any`, a `*` inside
   * a name or not leftmost (`_externaldns.a-*.apps`, a derived marker) is no issue. Default `hostname`.
   */
  ownerNames?: 'hostname' | 'any';
  /** Provider-specific checks of each record to be written (creates and new versions of updates). */
  checkWrite?: (ep: Endpoint, path: IssuePath, issues: Issue[]) => void;
}

/**
 * The checks every provider makes before it sends anything: valid content and at least one target
 * for what is written; managed type, set identifier support and domain filter for every change.
 * Removals are not content-checked: they name a record set as stored, valid or not.
 * @throws ValidationError listing every problem; nothing may be sent then.
 */
export function assertValidChangeSet(changes: Changes, rules: ChangeSetRules): void {
  const issues: Issue[] = [];
  for (const list of ['create', 'updateNew'] as const) {
    changes[list].forEach((ep, i) => {
      const path = [list, i];
      const found = validateEndpoint(ep, path, rules.parseOptions);
      appendAll(
        issues,
        rules.ownerNames === 'any'
          ? found.filter(
              (f) =>
                !(
                  f.path[2] === 'dnsName' &&
                  (f.code === 'wildcard_partial' || f.code === 'wildcard_position')
                ),
            )
          : found,
      );
      if (ep.targets.length === 0) {
        issues.push({
          path: [...path, 'targets'],
          code: 'no_targets',
          message: `${describeEndpoint(ep)} has no targets`,
        });
      }
      rules.checkWrite?.(ep, path, issues);
    });
  }
  for (const list of CHANGE_LISTS) {
    changes[list].forEach((ep, i) => {
      if (!rules.recordTypes.includes(ep.recordType.toUpperCase())) {
        issues.push({
          path: [list, i, 'recordType'],
          code: 'unmanaged_record_type',
          message: `record type ${ep.recordType} is not managed by this provider (managed: ${rules.recordTypes.join(', ')})`,
        });
      }
      if (!rules.setIdentifiers && ep.setIdentifier !== '') {
        issues.push({
          path: [list, i, 'setIdentifier'],
          code: 'set_identifier_unsupported',
          message: rules.setIdentifierHint ?? `${rules.provider} has no set identifiers`,
        });
      }
      if (!rules.domainFilter.matches(ep.dnsName)) {
        issues.push({
          path: [list, i, 'dnsName'],
          code: 'outside_domain_filter',
          message: `${ep.dnsName} is outside the domain filter`,
        });
      }
    });
  }
  if (issues.length) {
    throw new ValidationError(issues, {
      summary: `${rules.provider}: the change set has invalid records; nothing was sent`,
    });
  }
}

/**
 * {@link assertValidChangeSet}, then the change set as every provider must write it: an update whose
 * new version leaves the TTL unset (`recordTTL` 0) keeps the stored TTL of its old version. A TTL
 * that is not set means "keep what is there" (ExternalDNS's planner rule, vector plan-043); a
 * provider's default TTL applies only on creation. ExternalDNS providers write their default on
 * such updates, resetting a TTL set by hand whenever a target changes; we do not.
 * Returns `changes` itself when nothing needs filling in; never changes the caller's endpoints.
 * @throws ValidationError listing every problem; nothing may be sent then.
 */
export function prepareChangeSet(changes: Changes, rules: ChangeSetRules): Changes {
  assertValidChangeSet(changes, rules);
  return withKeptTtls(changes);
}

/**
 * The change set with every update's unset TTL (`recordTTL` 0) taken from its old version (see
 * {@link prepareChangeSet}). Returns `changes` itself when no update leaves its TTL unset.
 */
export function withKeptTtls(changes: Changes): Changes {
  const { updateOld, updateNew } = changes;
  if (!updateNew.some((ep, i) => ep.recordTTL <= 0 && (updateOld[i]?.recordTTL ?? 0) > 0)) return changes;
  return {
    ...changes,
    updateNew: updateNew.map((ep, i) => {
      const kept = updateOld[i]?.recordTTL ?? 0;
      if (ep.recordTTL > 0 || kept <= 0) return ep;
      const copy = cloneEndpoint(ep);
      copy.recordTTL = kept;
      return copy;
    }),
  };
}
