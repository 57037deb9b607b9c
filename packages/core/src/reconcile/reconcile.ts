import { DomainFilter, type DomainFilterLike } from '../domainFilter.js';
import {
  DEFAULT_MANAGED_RECORD_TYPES,
  describeEndpoint,
  endpoint,
  endpointKey,
  isOwnedBy,
  LabelKeys,
  KNOWN_RECORD_TYPES,
  nameKey,
  type Endpoint,
  type EndpointInit,
  type RecordType,
} from '../endpoint/endpoint.js';
import { parseEndpoint, validateEndpoint } from '../endpoint/parse.js';
import {
  ConfigError,
  ProviderError,
  rebaseIssues,
  throwIfAborted,
  ValidationError,
  type Issue,
} from '../errors.js';
import { toLogger, type Logger } from '../logger.js';
import {
  computeHasChanges,
  deepEqualEndpoint,
  PlanRows,
  providerSpecificDiffers,
} from '../plan/calculatePlan.js';
import { sameTargets } from '../endpoint/targets.js';
import { normalizeDnsName } from '../endpoint/names.js';
import type { RegistryWarning } from '../registry/warnings.js';
import {
  countPlan,
  createPlan,
  recordOverriddenViolations,
  rowKey,
  type Plan,
  type PlanCounts,
} from '../plan/plan.js';
import { POLICIES, type Policy } from '../plan/policy.js';
import {
  assertSafetyLimits,
  checkSafety,
  UnsafePlanError,
  type SafetyLimits,
  type SafetyViolation,
} from '../plan/safety.js';
import { CHANGE_LISTS, emptyChanges, type Changes } from '../provider/changes.js';
import { zoneMatcher } from '../provider/zones.js';
import type { Registry } from '../registry/registry.js';
import { findPlanConflicts, PlanConflictError } from './conflicts.js';
import { dropUnsatisfiableCreates, type SkippedChange } from './unsatisfiable.js';
import { appendAll, describeValue, isStringList } from '../lists.js';

/** Callbacks around a run; each may be async, and a throw stops the run before anything is applied. */
export interface ReconcileHooks {
  /** The plan is computed (also in dry-run, and before safety limits are checked). */
  onPlan?(plan: Plan): void | Promise<void>;
  /** About to apply (not called in dry-run or when there is nothing to do). */
  onApply?(plan: Plan): void | Promise<void>;
  /** Applied successfully. */
  onApplied?(result: ReconcileResult): void | Promise<void>;
}

/** Options of {@link reconcile}: what should exist, where, under which policy, and how carefully. */
export interface ReconcileOptions {
  /** Where records are read and written, with ownership (usually a `TxtRegistry`). */
  registry: Registry;
  /** The records that should exist. */
  desired: readonly (Endpoint | EndpointInit)[];
  /** `sync` also deletes; `upsert-only` never deletes; `create-only` only creates. No default, as in ExternalDNS v0.22. */
  policy: Policy;
  /** Record types managed (default: the registry's `managedRecordTypes`, else A, AAAA, CNAME). */
  managedRecordTypes?: readonly RecordType[];
  /**
   * Record types never touched even when managed (ExternalDNS `--exclude-record-types`; default: the
   * registry's, else none).
   */
  excludeRecordTypes?: readonly RecordType[];
  /** Narrows the provider's own domain filter. */
  domainFilter?: DomainFilterLike;
  /** Compute and return the plan without applying it. Providers never see dry-run. */
  dryRun?: boolean;
  /** Apply even when a safety limit refuses the plan. */
  force?: boolean;
  /** Safety limits to change, or `false` to turn them off (prefer `force` for one run). */
  safety?: Partial<SafetyLimits> | false;
  /**
   * Cancels the run: nothing is written after it fires, and the call rejects with `AbortedError`
   * (`ABORTED`).
   */
  signal?: AbortSignal;
  /** Where the run logs its steps and warnings (default: silent). Accepts a pino-style logger. */
  logger?: Logger;
  /** Callbacks at each step (plan made, before and after apply), e.g. for metrics or approval. */
  hooks?: ReconcileHooks;
}

/** What {@link reconcile} and {@link applyPlan} return. */
export interface ReconcileResult {
  /** The plan computed (and applied unless `dryRun` or empty); render it with `renderPlanText`. */
  plan: Plan;
  /** True when changes were sent to the provider. */
  applied: boolean;
  /** True when the run was a dry run (nothing was sent). */
  dryRun: boolean;
  /** Records created, updated and deleted by the plan, and how many records we own in its zones. */
  counts: PlanCounts & { ownedRecords: number };
  /** Safety violations that `force` overrode (empty otherwise). */
  overriddenSafetyViolations: readonly SafetyViolation[];
  /** Planned changes left out because no server would accept them, with the reason. */
  skipped: readonly SkippedChange[];
}

/** Desired records checked between two I/O turns. */
const SLICE = 2000;

/** Lets pending I/O callbacks run (a connection completing, a request being written). */
const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface PreparedRun {
  plan: Plan;
  skipped: SkippedChange[];
  scopeCurrent: Endpoint[];
  scopeDesiredCount: number;
  /** Desired records the planner left out of scope (they are in `skipped`, not in `scopeDesiredCount`). */
  outOfScopeCount: number;
  zones: string[];
  /** The index in `desired` of the record a planned change writes (by name, set identifier and type). */
  desiredAt: (ep: Endpoint) => number | undefined;
}

async function prepare(options: ReconcileOptions): Promise<PreparedRun> {
  const { registry, signal } = options;
  const provider = registry.provider;
  throwIfAborted(signal);
  // a limit that cannot mean what was meant is said before anything is read
  assertSafetyLimits(options.safety);
  assertRunOptions(options);
  if (!Array.isArray(options.desired))
    throw new ValidationError(
      [
        {
          path: [],
          code: 'invalid_type',
          message: `desired must be an array of endpoints, got ${options.desired === null ? 'null' : typeof options.desired}`,
        },
      ],
      { summary: 'the desired records are invalid (nothing was applied)' },
    );
  // The read goes out first: a server takes a while to answer a zone read, and everything about the
  // desired records (checks, canonical form, the planner's index) is done in the meantime. Invalid
  // input cancels the read; nothing is ever written before the checks pass.
  const cancelRead = new AbortController();
  const call = { signal: signal ? AbortSignal.any([signal, cancelRead.signal]) : cancelRead.signal };
  const reading = registry.records(call);
  // `undefined`: the provider does not say which zones it serves (a webhook's API has no zone list);
  // `[]` from a provider that lists its zones means it serves none
  const listing: Promise<string[] | undefined> = provider.zones
    ? provider.zones(call)
    : Promise.resolve(undefined);
  // awaited below; a failure meanwhile must not surface as an unhandled rejection
  reading.catch(() => undefined);
  listing.catch(() => undefined);

  // one source: the caller's, else the registry's (what it repairs markers for), else A, AAAA, CNAME
  // record types are upper case everywhere (`['a', 'cname']` means A and CNAME, as the registry reads it)
  const managed = (
    options.managedRecordTypes ??
    registry.managedRecordTypes ??
    DEFAULT_MANAGED_RECORD_TYPES
  ).map((t) => t.toUpperCase());
  /** The desired records as adjusted, one per input record, in input order. */
  let adjusted: Endpoint[] = [];
  const excluded = (options.excludeRecordTypes ?? registry.excludeRecordTypes ?? []).map((t) =>
    t.toUpperCase(),
  );
  const controllerFilter = options.domainFilter ?? DomainFilter.all();
  const planner = new PlanRows({
    policy: options.policy,
    ownerId: registry.ownerId,
    ...(registry.oldOwnerId ? { oldOwnerId: registry.oldOwnerId } : {}),
    managedRecordTypes: managed,
    excludeRecordTypes: excluded,
    domainFilter: {
      matches: (name) => controllerFilter.matches(name) && provider.domainFilter.matches(name),
    },
  });
  try {
    const extraRecordTypes = Object.fromEntries(
      provider.capabilities.recordTypes
        .filter((t) => !(KNOWN_RECORD_TYPES as readonly string[]).includes(t))
        .map((t) => [t, null]),
    );
    // In slices with I/O turns between them: the read's connection and request go out during the
    // first turns instead of after all of this (and a controller's other I/O is not held up).
    const desiredInput: Endpoint[] = [];
    const issues: Issue[] = [];
    for (let start = 0; start === 0 || start < options.desired.length; start += SLICE) {
      await ioTurn();
      throwIfAborted(signal);
      const end = Math.min(start + SLICE, options.desired.length);
      for (let i = start; i < end; i++) {
        // always a copy of the caller's record: a provider may return an endpoint that needs no
        // adjusting as it is, and the plan must not share objects with the caller
        const input: unknown = options.desired[i];
        let ep: Endpoint;
        if (isEndpointShaped(input)) ep = endpoint(input);
        else {
          // anything else goes through the wire parser: it accepts what ExternalDNS's JSON may hold
          // (null lists and maps) and says what is wrong with the rest (wrong field types, holes)
          try {
            ep = parseEndpoint(input, { extraRecordTypes });
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            for (const issue of error.issues) issues.push({ ...issue, path: ['desired', i, ...issue.path] });
            continue;
          }
        }
        desiredInput.push(ep);
        const found = validateEndpoint(ep, ['desired', i], { extraRecordTypes });
        // a provider without routing policies refuses set identifiers: say so now, at desired[i]
        if (ep.setIdentifier !== '' && !provider.capabilities.setIdentifiers)
          found.push({
            path: ['desired', i, 'setIdentifier'],
            code: 'set_identifier_unsupported',
            message: `${describeEndpoint(ep)}: ${provider.name} has no set identifiers (weighted or routed record sets)`,
          });
        // a record set needs a value: say so at desired[i], not later at the provider's create[j]
        if (ep.targets.length === 0)
          found.push({
            path: ['desired', i, 'targets'],
            code: 'no_targets',
            message: `${describeEndpoint(ep)} has no targets; a record set needs at least one`,
          });
        if (found.length) appendAll(issues, found);
      }
    }
    if (issues.length)
      throw new ValidationError(issues, { summary: 'the desired records are invalid (nothing was applied)' });
    try {
      adjusted = await registry.adjustEndpoints(desiredInput, signal ? { signal } : {});
    } catch (error) {
      // a provider refusing content at adjust time (so a dry run sees it too) names desiredInput[i],
      // which is desired[i]: every record got this far only if all of them were valid
      if (!(error instanceof ValidationError)) throw error;
      throw rebaseIssues(error, (path) => (typeof path[0] === 'number' ? ['desired', ...path] : undefined));
    }
    // One endpoint back per desired record, in order: a record a provider (or a webhook answering
    // `/adjustendpoints` with a partial list, `[]` or `null`) leaves out would be planned as a delete.
    if (!Array.isArray(adjusted) || adjusted.length !== desiredInput.length)
      throw new ProviderError(
        `${provider.name}: adjustEndpoints returned ${Array.isArray(adjusted) ? `${adjusted.length} endpoints` : JSON.stringify(adjusted)} for ${desiredInput.length} desired records; a provider must return one per record, in order (a record left out would be deleted); nothing was applied`,
        { provider: provider.name },
      );
    planner.addDesired(adjusted);
    // One record set per name, type and set identifier: a second one would silently lose to the
    // first (two LUA halves of a dual-stack name, `A.x` beside `a.x.`). Identical ones are kept once.
    const crowded = planner.crowded();
    if (crowded.length) {
      const at = indexOf(adjusted);
      const drop = new Set<Endpoint>();
      for (const group of crowded) {
        const first = group[0] as Endpoint;
        for (const ep of group.slice(1)) {
          if (sameDesired(first, ep)) drop.add(ep);
          else
            issues.push({
              path: ['desired', at(ep)],
              code: 'duplicate_desired',
              message: `${describeEndpoint(ep)} is desired twice, differently: desired[${at(first)}] and desired[${at(ep)}] have the same name, type and set identifier; merge them into one record set (one endpoint with every target)`,
            });
        }
      }
      if (issues.length)
        throw new ValidationError(issues, {
          summary: 'the desired records are invalid (nothing was applied)',
        });
      planner.dropDesired(drop);
    }
  } catch (error) {
    cancelRead.abort();
    throw error;
  }
  const [current, zones] = await Promise.all([reading, listing]);
  throwIfAborted(signal);

  const changes = planner.addCurrent(current).changes();
  const scopeCurrent = planner.currentInScope;
  // An update whose new version equals the old one would write nothing: ExternalDNS's planner
  // keeps such pairs for every owned record while an old owner ID is set (D11). Left out, so the
  // counts and the safety limits see only real updates.
  const updateOld: Endpoint[] = [];
  const updateNew: Endpoint[] = [];
  changes.updateNew.forEach((next, i) => {
    const old = changes.updateOld[i] as Endpoint;
    if (deepEqualEndpoint(old, next) || writesNothing(old, next)) return;
    updateOld.push(old);
    updateNew.push(next);
  });
  const unsatisfiable = dropUnsatisfiableCreates(
    { create: changes.create, updateOld, updateNew, delete: changes.delete },
    current,
  );
  let recordChanges = unsatisfiable.changes;
  let altered = unsatisfiable.skipped.length > 0 || updateNew.length !== changes.updateNew.length;
  // A create in no zone the provider serves would fail the whole apply (UNKNOWN_ZONE): leave it
  // out and say so, as a name outside the domain filter is. A provider that lists no zones at all
  // serves nothing; one without a zone list is left to say so itself.
  const unserved: SkippedChange[] = [];
  if (zones !== undefined && recordChanges.create.length) {
    const zoneOf = zoneMatcher(zones);
    const create = recordChanges.create.filter((ep) => {
      if (zoneOf(ep.dnsName) !== undefined) return true;
      unserved.push({
        record: ep,
        code: 'outside-domain-filter',
        reason: `${describeEndpoint(ep)}: no zone of ${provider.name} serves this name (zones: ${zones.join(', ') || 'none'})`,
      });
      return false;
    });
    if (unserved.length) {
      recordChanges = { ...recordChanges, create };
      altered = true;
    }
  }
  const skipped: SkippedChange[] = notWrittenOf(planner, registry);
  appendAll(skipped, unsatisfiable.skipped);
  appendAll(skipped, unserved);
  // The registry refuses creates at names another owner's marker holds (deviation D2): leave them
  // out of the plan, so the plan shows exactly what will be sent and a converged zone plans nothing.
  let preview: ReturnType<NonNullable<Registry['preview']>> | undefined;
  try {
    preview = registry.preview?.(recordChanges);
  } catch (error) {
    // the registry's paths point into the planned changes; the caller knows its desired records
    throw error instanceof ValidationError
      ? intoDesired(error, recordChanges, desiredIndex(adjusted), options.desired)
      : error;
  }
  if (preview?.refusedCreates.length) {
    const refused = new Set(preview.refusedCreates.map((r) => r.record));
    recordChanges = { ...recordChanges, create: recordChanges.create.filter((ep) => !refused.has(ep)) };
    appendAll(skipped, preview.refusedCreates);
    altered = true;
  }
  // every skipped record says where it is in the caller's input, and they come in input order
  if (skipped.length) {
    const at = indexOf(adjusted);
    for (const entry of skipped) {
      const i = at(entry.record);
      if (i >= 0) entry.path = ['desired', i];
    }
  }
  if (skipped.length > 1) skipped.sort((a, b) => pathIndex(a) - pathIndex(b));
  const hasChanges = altered ? computeHasChanges(recordChanges) : changes.hasChanges;
  const plan = createPlan({
    policy: options.policy,
    ownerId: registry.ownerId,
    recordTypes: managed.filter((t) => !excluded.includes(t)),
    changes: recordChanges,
    // refused creates added no TXT to the preview, so its ownership changes match the filtered plan
    ownershipChanges: hasChanges && preview ? preview.ownershipChanges : emptyChanges(),
    hasChanges,
    current: scopeCurrent,
    skipped,
  });
  return {
    plan,
    skipped,
    scopeCurrent,
    scopeDesiredCount: planner.desiredInScope,
    outOfScopeCount: planner.desiredOutOfScope,
    // the safety limits measure a provider without a zone list as one whole
    zones: zones ?? [],
    desiredAt: desiredIndex(adjusted),
  };
}

/**
 * Refuses options of a run that would otherwise fail half-way with a TypeError (a policy that is not
 * one of ExternalDNS's, record types that are not strings, a domain filter that cannot match): said
 * before anything is read.
 */
function assertRunOptions(options: ReconcileOptions): void {
  const policy: unknown = options.policy;
  if (!(POLICIES as readonly unknown[]).includes(policy))
    throw new ConfigError(
      policy === undefined
        ? `policy is required, one of ${POLICIES.map((p) => JSON.stringify(p)).join(', ')} (ExternalDNS has no default either)`
        : `policy must be one of ${POLICIES.map((p) => JSON.stringify(p)).join(', ')}, got ${describeValue(policy)}`,
    );
  for (const key of ['managedRecordTypes', 'excludeRecordTypes'] as const) {
    const v: unknown = options[key];
    if (v !== undefined && !isStringList(v))
      throw new ConfigError(
        `${key}, when set, must be a list of record type names (e.g. ["A", "CNAME"]), got ${describeValue(v)}`,
      );
  }
  const filter: unknown = options.domainFilter;
  if (
    filter !== undefined &&
    (typeof filter !== 'object' ||
      filter === null ||
      typeof (filter as { matches?: unknown }).matches !== 'function')
  )
    throw new ConfigError(
      `domainFilter, when set, must be a DomainFilter (or an object with a matches(name) method), got ${describeValue(filter)}${Array.isArray(filter) ? '; for a list of domains use new DomainFilter({ include: [...] })' : ''}`,
    );
}

/** Finds a desired record's index by name, set identifier and type (planned updates are new objects). */
function desiredIndex(adjusted: readonly Endpoint[]): (ep: Endpoint) => number | undefined {
  let byKey: Map<string, number> | undefined;
  const key = (ep: Endpoint) => `${rowKey(ep)}\u0000${ep.recordType}`;
  return (ep) => {
    if (byKey === undefined) {
      byKey = new Map();
      for (let i = adjusted.length - 1; i >= 0; i--) byKey.set(key(adjusted[i] as Endpoint), i);
    }
    return byKey.get(key(ep));
  };
}

/**
 * Points the issues of a registry or provider `ValidationError` at `desired[i]` where the change
 * writes a desired record (creates and updates); other paths are kept, into `plan.changes`.
 */
function intoDesired(
  error: ValidationError,
  changes: Changes,
  desiredAt: (ep: Endpoint) => number | undefined,
  desired: readonly unknown[],
): ValidationError {
  return rebaseIssues(error, (path) => {
    const [list, i] = path;
    if ((list !== 'create' && list !== 'updateNew') || typeof i !== 'number') return undefined;
    const ep = changes[list][i];
    const at = ep === undefined ? undefined : desiredAt(ep);
    if (at === undefined) return undefined;
    const rest = path.slice(2);
    // targets were put in canonical order: point at the caller's own position of the value
    const [field, j] = rest;
    if (field === 'targets' && typeof j === 'number' && ep !== undefined) {
      const value = ep.targets[j];
      const given = (desired[at] as { targets?: unknown } | null)?.targets;
      if (value !== undefined && Array.isArray(given)) {
        let k = given.indexOf(value);
        if (k === -1)
          k = given.findIndex((t) => typeof t === 'string' && t.trim().toLowerCase() === value.toLowerCase());
        if (k !== -1) rest[1] = k;
      }
    }
    return ['desired', at, ...rest];
  });
}

/**
 * One reconcile run, ExternalDNS's controller loop as a function: read records through the registry,
 * plan, check the safety limits, then apply unless `dryRun`. Everything that can be checked is checked
 * before the first write; a refused or invalid run changes nothing.
 *
 * @throws `ValidationError` (`VALIDATION`) when `desired` is not a list or a record is invalid,
 *   with the path of every problem (`['desired', 3, 'targets', 0]`); nothing is written.
 * @throws `UnsafePlanError` (`UNSAFE_PLAN`) when the plan breaks a safety limit and `force` is not
 *   set; nothing is written.
 * @throws `OwnershipConflictError` (`OWNERSHIP_CONFLICT`) with a registry set to `onConflict: 'throw'`.
 * @throws `ConfigError` (`CONFIG`) when `safety` names an unknown limit or a value out of range (a
 *   ratio outside 0 to 1), when `policy` is not one of `sync`, `upsert-only`, `create-only`, when
 *   `managedRecordTypes` or `excludeRecordTypes` is not a list of strings, or when `domainFilter` has
 *   no `matches` method (a plain list of domains); nothing is read or written.
 * @throws `AbortedError` (`ABORTED`) when `signal` fires; no write starts after it. When the
 *   apply was split into several calls and some were applied, it is an `AbortedApplyError` naming
 *   the records applied, those not applied, and those of the call in flight (outcome unknown).
 * @throws `ProviderError` (`PROVIDER`, `PROVIDER_UNREACHABLE`, `PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`,
 *   …) when the provider fails; `retryable` says whether the next run may succeed. Also (`PROVIDER`,
 *   nothing written) when `adjustEndpoints` does not return one endpoint per desired record.
 * @throws `PartialApplyError` (`PARTIAL_APPLY`) when the provider rejected some changes for their
 *   content and applied the rest.
 *
 * @example
 * const registry = new TxtRegistry(provider, { ownerId: 'openova', prefix: '_externaldns.%{record_type}.' });
 * const { plan, applied } = await reconcile({ registry, desired, policy: 'sync' });
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const logger = toLogger(options.logger);
  const { plan, skipped, scopeCurrent, scopeDesiredCount, outOfScopeCount, zones, desiredAt } =
    await prepare(options);
  for (const s of skipped)
    logger.warn?.('desired record not written', { record: s.record.dnsName, code: s.code, reason: s.reason });
  const counts = {
    ...countPlan(plan),
    ownedRecords: scopeCurrent.filter((ep) => isOwnedBy(ep, options.registry.ownerId)).length,
  };
  logger.info?.('plan computed', { ...counts, hasChanges: plan.hasChanges, checksum: plan.checksum });

  let violations: SafetyViolation[] = [];
  if (options.safety !== false && plan.hasChanges) {
    violations = checkSafety({
      changes: plan.changes,
      current: scopeCurrent,
      // desired records that will not be written do not count: a source whose every record is
      // skipped must not make a sync delete everything we own
      desiredCount: scopeDesiredCount - (skipped.length - outOfScopeCount),
      leftOutCount: skipped.length - outOfScopeCount,
      ownerId: options.registry.ownerId,
      zones,
      ...(options.safety ? { limits: options.safety } : {}),
    });
  }
  // a forced plan says which limits it overrode (saved, rendered and reviewed with it)
  if (violations.length && options.force) recordOverriddenViolations(plan, violations);
  await options.hooks?.onPlan?.(plan);
  let overridden: SafetyViolation[] = [];
  if (violations.length && !options.force) {
    logger.warn?.('plan refused by safety limits', { violations: violations.map((v) => v.message) });
    throw new UnsafePlanError(violations);
  }
  if (violations.length) {
    logger.warn?.('safety limits overridden by force', { violations: violations.map((v) => v.message) });
    overridden = violations;
  }

  const result: ReconcileResult = {
    plan,
    applied: false,
    dryRun: options.dryRun === true,
    counts,
    overriddenSafetyViolations: overridden,
    skipped,
  };
  if (options.dryRun || !plan.hasChanges) {
    logger.info?.(
      options.dryRun
        ? 'dry run: nothing applied'
        : skipped.length
          ? `nothing to apply; ${skipped.length} desired record(s) not written`
          : 'all records are already up to date',
    );
    return result;
  }
  throwIfAborted(options.signal);
  await options.hooks?.onApply?.(plan);
  try {
    await options.registry.applyChanges(plan.changes, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    throw error instanceof ValidationError
      ? intoDesired(error, plan.changes, desiredAt, options.desired)
      : error;
  }
  result.applied = true;
  logger.info?.('changes applied', counts);
  await options.hooks?.onApplied?.(result);
  return result;
}

/** Options of {@link applyPlan}. */
export interface ApplyPlanOptions {
  /** The registry to write through; its `ownerId` must be the plan's. */
  registry: Registry;
  /** A plan from `reconcile({ dryRun: true })` or `planFromJSON`. */
  plan: Plan;
  /** Cancels the apply: nothing is written after it fires (`AbortedError`, `ABORTED`). */
  signal?: AbortSignal;
  /** Where the apply logs (default: silent). */
  logger?: Logger;
}

/**
 * Applies a saved plan (see `planFromJSON`). The records at every name the plan touches are read
 * again first; if any of them changed since the plan was made, it throws {@link PlanConflictError}
 * and applies nothing. Returns the same shape as {@link reconcile}.
 * @throws `ConfigError` (`CONFIG`) when the registry writes as another owner than the plan was made for.
 * @throws `ValidationError` (`VALIDATION`) when the plan changes a record of a type it does not
 *   manage, or updates or deletes a record that is not among its current records owned by its owner
 *   (a plan edited by hand); paths point into the plan (`['changes', 'delete', 0]`); nothing is read
 *   or written.
 * @throws {@link PlanConflictError} (`PLAN_CONFLICT`) when a record the plan touches changed since it
 *   was made; nothing is written.
 * @throws `AbortedError` (`ABORTED`), `ProviderError` and `PartialApplyError` as {@link reconcile}.
 */
export async function applyPlan(options: ApplyPlanOptions): Promise<ReconcileResult> {
  const { registry, plan, signal } = options;
  if (registry.ownerId !== plan.ownerId) {
    throw new ConfigError(
      `the plan was made for owner ${JSON.stringify(plan.ownerId)}, but the registry writes as ${JSON.stringify(registry.ownerId)}; apply it with a registry of owner ${JSON.stringify(plan.ownerId)}`,
    );
  }
  const result = (applied: boolean): ReconcileResult => ({
    plan,
    applied,
    dryRun: false,
    counts: {
      ...countPlan(plan),
      ownedRecords: plan.current.filter((ep) => isOwnedBy(ep, registry.ownerId)).length,
    },
    overriddenSafetyViolations: plan.overriddenSafetyViolations,
    skipped: plan.skipped,
  });
  if (!plan.hasChanges) return result(false);
  assertPlanWritesOwnRecords(plan);
  const call = signal ? { signal } : {};
  const rows = new Set(
    [...plan.current, ...plan.changes.create, ...plan.changes.updateNew, ...plan.changes.delete].map(rowKey),
  );
  const now = (await registry.records(call)).filter((ep) => rows.has(rowKey(ep)));
  const conflicts = findPlanConflicts(
    plan.current,
    now.filter((ep) => plan.recordTypes.includes(ep.recordType)),
  );
  if (conflicts.length) throw new PlanConflictError(conflicts);
  // What the registry would add and refuse now must be what was reviewed: a create whose marker
  // name was taken since, or markers named differently (another prefix), stop the apply.
  const preview = registry.preview?.(plan.changes);
  if (preview) {
    const refused = preview.refusedCreates.map((r) => ({
      record: describeEndpoint(r.record),
      reason: 'changed' as const,
    }));
    if (refused.length) throw new PlanConflictError(refused);
    const names = (c: Changes) =>
      CHANGE_LISTS.flatMap((l) => c[l].map((ep) => `${l} ${nameKey(ep.dnsName, ep.setIdentifier)}`))
        .sort()
        .join('\n');
    if (plan.hasChanges && names(preview.ownershipChanges) !== names(plan.ownershipChanges))
      throw new ConfigError(
        'the registry names ownership TXT records differently from the plan (prefix, suffix or wildcardReplacement changed); apply it with the registry configuration it was made with',
      );
  }
  throwIfAborted(signal);
  try {
    await registry.applyChanges(plan.changes, call);
  } catch (error) {
    // the registry's and the provider's paths point into the change set: the caller's is the plan
    throw error instanceof ValidationError
      ? rebaseIssues(error, (path) =>
          (CHANGE_LISTS as readonly unknown[]).includes(path[0]) ? ['changes', ...path] : undefined,
        )
      : error;
  }
  toLogger(options.logger).info?.('saved plan applied', { checksum: plan.checksum, ...countPlan(plan) });
  return result(true);
}
/**
 * What every plan the planner makes holds, checked before a saved plan is applied: each record
 * changed is of a type the plan manages, and each record updated or deleted is one of the plan's
 * current records, owned by the plan's owner. The zone is then compared with those current records,
 * so a plan (edited, or built by hand) can never update or delete a record we do not own, nor one of
 * a type it does not compare.
 */
function assertPlanWritesOwnRecords(plan: Plan): void {
  const issues: Issue[] = [];
  const types = new Set(plan.recordTypes);
  const current = new Map(plan.current.map((ep) => [endpointKey(ep), ep]));
  if (plan.changes.updateOld.length !== plan.changes.updateNew.length)
    issues.push({
      path: ['changes', 'updateNew'],
      code: 'unpaired_update',
      message: `${plan.changes.updateOld.length} updateOld and ${plan.changes.updateNew.length} updateNew records: every update needs its old and new version`,
    });
  for (const list of CHANGE_LISTS)
    plan.changes[list].forEach((ep, i) => {
      if (!types.has(ep.recordType))
        issues.push({
          path: ['changes', list, i, 'recordType'],
          code: 'type_not_managed',
          message: `${describeEndpoint(ep)}: the plan manages ${plan.recordTypes.join(', ') || 'no record types'}, not ${ep.recordType}`,
        });
      if (list !== 'updateOld' && list !== 'delete') return;
      const was = current.get(endpointKey(ep));
      if (was === undefined)
        issues.push({
          path: ['changes', list, i],
          code: 'not_in_current',
          message: `${describeEndpoint(ep)} is ${list === 'delete' ? 'deleted' : 'updated'} but is not one of the plan's current records`,
        });
      else if (plan.ownerId !== '' && !isOwnedBy(was, plan.ownerId))
        issues.push({
          path: ['changes', list, i],
          code: 'not_owned',
          message: `${describeEndpoint(ep)} is ${list === 'delete' ? 'deleted' : 'updated'} but the plan's current records say it is ${was.labels[LabelKeys.owner] === undefined ? 'owned by no one' : `owned by ${JSON.stringify(was.labels[LabelKeys.owner])}`}, not ${JSON.stringify(plan.ownerId)}`,
        });
    });
  if (issues.length)
    throw new ValidationError(issues, {
      summary: 'the plan changes records no plan of this owner can change (nothing was applied)',
    });
}

/** The planner's unwritten desired records as skipped changes; ambiguous markers named as such. */
function notWrittenOf(planner: PlanRows, registry: Registry): SkippedChange[] {
  const found = planner.notWritten();
  if (found.length === 0) return [];
  const warnings = (registry as { warnings?: readonly RegistryWarning[] }).warnings ?? [];
  const ambiguous = new Set(
    warnings
      .filter((w) => w.kind === 'ambiguous-owner')
      .map((w) => `${nameKey(w.dnsName, w.setIdentifier)}\u0000${w.recordType}`),
  );
  return found.map((n): SkippedChange => {
    if (
      n.code === 'exists-unowned' &&
      ambiguous.has(`${nameKey(n.record.dnsName, n.record.setIdentifier)}\u0000${n.record.recordType}`)
    )
      return {
        record: n.record,
        code: 'ambiguous-owner',
        reason: `${describeEndpoint(n.record)}: the ownership markers at this name disagree (see the registry's warnings); not changed`,
      };
    return {
      record: n.record,
      code: n.code,
      reason: n.reason,
      ...(n.owner !== undefined ? { owner: n.owner } : {}),
    };
  });
}

function pathIndex(s: SkippedChange): number {
  const at = s.path?.[1];
  return typeof at === 'number' ? at : Number.MAX_SAFE_INTEGER;
}

/**
 * True for an update pair the planner emitted only because an old owner ID is set (D11) and whose new
 * version differs from the old in spelling alone (name case or trailing dot, target order): the
 * record, its TTL, its provider-specific properties and its marker's labels stay what they are.
 */
function writesNothing(old: Endpoint, next: Endpoint): boolean {
  return (
    normalizeDnsName(old.dnsName) === normalizeDnsName(next.dnsName) &&
    old.recordType === next.recordType &&
    old.setIdentifier === next.setIdentifier &&
    !(next.recordTTL > 0 && next.recordTTL !== old.recordTTL) &&
    sameTargets(old.targets, next.targets) &&
    !providerSpecificDiffers(old, next) &&
    sameLabels(old.labels, next.labels)
  );
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** Two desired records of one key that say the same thing (kept once, not an error). */
function sameDesired(a: Endpoint, b: Endpoint): boolean {
  return (
    a.recordTTL === b.recordTTL &&
    sameTargets(a.targets, b.targets) &&
    !providerSpecificDiffers(a, b) &&
    JSON.stringify(Object.entries(a.labels).sort()) === JSON.stringify(Object.entries(b.labels).sort())
  );
}

/** Input positions of adjusted desired records (built only when a report needs them). */
function indexOf(adjusted: readonly Endpoint[]): (ep: Endpoint) => number {
  const map = new Map<Endpoint, number>();
  adjusted.forEach((ep, i) => map.set(ep, i));
  return (ep) => map.get(ep) ?? -1;
}

/** The fields `endpoint()` reads, with the types it needs; anything else goes through the shape check. */
function isEndpointShaped(value: unknown): value is Endpoint | EndpointInit {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['dnsName'] !== 'string' || typeof v['recordType'] !== 'string') return false;
  const targets = v['targets'];
  if (targets !== undefined && !everyIs(targets, (t) => typeof t === 'string')) return false;
  const ps = v['providerSpecific'];
  if (
    ps !== undefined &&
    !everyIs(
      ps,
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as Record<string, unknown>)['name'] === 'string' &&
        typeof (p as Record<string, unknown>)['value'] === 'string',
    )
  )
    return false;
  const ttl = v['recordTTL'];
  if (ttl !== undefined && typeof ttl !== 'number') return false;
  const setIdentifier = v['setIdentifier'];
  if (setIdentifier !== undefined && typeof setIdentifier !== 'string') return false;
  const labels = v['labels'];
  if (labels === undefined) return true;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return false;
  for (const key in labels) if (typeof (labels as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/** An array whose every slot (holes included, which `every` skips) passes `test`. */
function everyIs(list: unknown, test: (item: unknown) => boolean): boolean {
  if (!Array.isArray(list)) return false;
  for (let k = 0; k < list.length; k++) if (!test(list[k])) return false;
  return true;
}
