import { isOwnedBy, REPEATED_RECORDS_PROPERTY, type Endpoint } from '../endpoint/endpoint.js';
import { sameTargets } from '../endpoint/targets.js';
import { FORCE_UPDATE_PROPERTY } from '../registry/txtRegistry.js';
import { ConfigError, DnsError } from '../errors.js';
import type { Changes } from '../provider/changes.js';
import { zoneMatcher } from '../provider/zones.js';

/** Limits that stop a plan before it is applied. Each can be changed; `force` skips them all. */
export interface SafetyLimits {
  /**
   * Largest share of a zone's owned records one run may update (default 0.3). Repairs do not count:
   * updates that write a record back with its values and TTL unchanged because it was stored more
   * than once (`repeated-records`) or its ownership TXT needs rewriting (`txt/force-update`).
   */
  maxUpdateRatio: number;
  /** Largest share of a zone's owned records one run may delete (default 0.3). */
  maxDeleteRatio: number;
  /** The ratio limits apply only to zones where we own at least this many records (default 10). */
  minOwnedRecords: number;
  /** Refuse deleting when the desired set is empty while we own records (default true). */
  refuseEmptyDesired: boolean;
  /**
   * Refuse deleting when the desired set shrank below this share of the records we own, across all
   * zones, once we own at least `minOwnedRecords` (default 0.5). A source that errors often returns
   * a fraction of its objects rather than none.
   */
  minDesiredRatio: number;
}

/**
 * The limits `reconcile` applies unless told otherwise: 30 % updates, 30 % deletes (in zones where we own
 * at least 10 records), no deletes with an empty desired set, none when the desired set fell below 50 % of
 * what we own.
 */
export const DEFAULT_SAFETY_LIMITS: Readonly<SafetyLimits> = {
  maxUpdateRatio: 0.3,
  maxDeleteRatio: 0.3,
  minOwnedRecords: 10,
  refuseEmptyDesired: true,
  minDesiredRatio: 0.5,
};

/** One broken limit, with the numbers behind it. */
export interface SafetyViolation {
  /** Which limit broke: `max-update-ratio`, `max-delete-ratio`, `empty-desired` or `collapsed-desired`. */
  rule: 'max-update-ratio' | 'max-delete-ratio' | 'empty-desired' | 'collapsed-desired';
  /**
   * The zone concerned, or `undefined` for rules over the whole run (and for the ratio rules when
   * the provider lists no zones, as a webhook does: they are taken over all the records we own).
   */
  zone: string | undefined;
  /** The count that broke the limit (updates, deletes or desired records). */
  count: number;
  /** What it is measured against (owned records). */
  total: number;
  /** The configured limit (a ratio). */
  limit: number;
  /**
   * One line with the numbers, e.g. `deleting 20 of 20 owned records in zone example.com (100%) is above
   * the limit of 30%`.
   */
  message: string;
}

/** A plan was refused by a safety limit. Nothing was applied. */
export class UnsafePlanError extends DnsError {
  /** Every limit the plan breaks, with the numbers behind it. */
  readonly violations: readonly SafetyViolation[];

  constructor(violations: readonly SafetyViolation[]) {
    super(
      'UNSAFE_PLAN',
      `plan refused by safety limits (nothing was applied; pass force: true or raise the limits to apply it):\n${violations.map((v) => `- ${v.message}`).join('\n')}`,
    );
    this.name = 'UnsafePlanError';
    this.violations = violations;
  }
}

/** Input of {@link checkSafety}: a change set and the records it was computed from. */
export interface SafetyCheckInput {
  /** The record changes to check. */
  changes: Changes;
  /** Current records in the plan's scope (managed types, inside the domain filter). */
  current: readonly Endpoint[];
  /** Desired records in the plan's scope that will be written. */
  desiredCount: number;
  /**
   * Desired records in scope that the plan leaves out (its `skipped` records: not ours, not
   * satisfiable…), not counted in `desiredCount`; the messages name them (default 0).
   */
  leftOutCount?: number;
  /** Our owner ID: ratios are taken over the records it owns (`''` = every record counts). */
  ownerId: string;
  /** The zones the records belong to; ratios are per zone (over all records when empty). */
  zones: readonly string[];
  /** Limits to change (default {@link DEFAULT_SAFETY_LIMITS}). */
  limits?: Partial<SafetyLimits>;
}

/**
 * A ratio and the limit it broke as two percentages that differ: `30.01%` above `30%`, never `30%`
 * above `30%` (3,001 deletes of 10,000 owned records rounded to one decimal).
 */
function pctAbove(ratio: number, limit: number): [string, string] {
  for (let digits = 1; digits < 6; digits++) {
    const scale = 10 ** digits;
    const shown = (x: number) => `${Math.round(x * 100 * scale) / scale}%`;
    if (shown(ratio) !== shown(limit)) return [shown(ratio), shown(limit)];
  }
  return [`${ratio * 100}%`, `${limit * 100}%`];
}

const RATIO_LIMITS = ['maxUpdateRatio', 'maxDeleteRatio', 'minDesiredRatio'] as const;
const LIMIT_NAMES = Object.keys(DEFAULT_SAFETY_LIMITS) as (keyof SafetyLimits)[];

/**
 * Refuses limits that cannot mean what was meant: an unknown name (a typo would leave the default
 * in force), a ratio that is not a number from 0 to 1 (`30` for 30 % would turn the limit off, `NaN`
 * would refuse every plan), a negative or non-numeric `minOwnedRecords`, a non-boolean
 * `refuseEmptyDesired`.
 * @throws `ConfigError` (`CONFIG`) naming the option, e.g. `safety.maxDeleteRatio`.
 */
export function assertSafetyLimits(limits: unknown): void {
  if (limits === undefined || limits === false) return;
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits))
    throw new ConfigError(
      `safety must be an object of limits (${LIMIT_NAMES.join(', ')}) or false, got ${JSON.stringify(limits)}`,
    );
  const given = limits as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (value === undefined) continue;
    const bad = (what: string) =>
      new ConfigError(
        `safety.${key} must be ${what}, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
      );
    if (!(LIMIT_NAMES as string[]).includes(key))
      throw new ConfigError(`safety.${key} is not a safety limit; the limits are ${LIMIT_NAMES.join(', ')}`);
    if ((RATIO_LIMITS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1))
        throw bad('a ratio from 0 to 1 (0.3 means 30%)');
    } else if (key === 'minOwnedRecords') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw bad('a number of records, 0 or more');
    } else if (typeof value !== 'boolean') throw bad('true or false');
  }
}

/**
 * Returns the limits a plan breaks; an empty list means it may be applied.
 * @throws `ConfigError` (`CONFIG`) when `limits` has an unknown name or a value out of range (see
 *   {@link SafetyLimits}).
 */
export function checkSafety(input: SafetyCheckInput): SafetyViolation[] {
  assertSafetyLimits(input.limits);
  // a limit given as undefined keeps its default (`{ maxDeleteRatio: config.ratio }` with no ratio
  // set must not turn the rule into NaN, which refuses every delete or none)
  const limits: SafetyLimits = { ...DEFAULT_SAFETY_LIMITS };
  for (const key of LIMIT_NAMES) {
    const value = input.limits?.[key];
    if (value !== undefined) Object.assign(limits, { [key]: value });
  }
  const matchZone = zoneMatcher(input.zones);
  // a provider that lists no zones (a webhook: its API has none) is measured as one whole
  const zoneOf =
    input.zones.length === 0 ? () => '' : (name: string) => matchZone(name) ?? '(outside any zone)';
  const owned =
    input.ownerId === '' ? [...input.current] : input.current.filter((ep) => isOwnedBy(ep, input.ownerId));
  const ownedByZone = countBy(owned, zoneOf);
  const updatesByZone = countBy(
    input.changes.updateNew.filter((next, i) => !isRepair(input.changes.updateOld[i], next)),
    zoneOf,
  );
  const deletesByZone = countBy(input.changes.delete, zoneOf);
  const violations: SafetyViolation[] = [];

  const ratioRule = (
    rule: 'max-update-ratio' | 'max-delete-ratio',
    byZone: Map<string, number>,
    limit: number,
    verb: string,
  ) => {
    for (const [zone, count] of byZone) {
      const total = ownedByZone.get(zone) ?? 0;
      if (total < limits.minOwnedRecords || count / total <= limit) continue;
      const [share, max] = pctAbove(count / total, limit);
      violations.push({
        rule,
        zone: zone === '' ? undefined : zone,
        count,
        total,
        limit,
        message: `${verb} ${count} of ${total} owned records${zone === '' ? '' : ` in zone ${zone}`} (${share}) is above the limit of ${max}`,
      });
    }
  };
  ratioRule('max-update-ratio', updatesByZone, limits.maxUpdateRatio, 'updating');
  ratioRule('max-delete-ratio', deletesByZone, limits.maxDeleteRatio, 'deleting');

  const deletes = input.changes.delete.length;
  const leftOut = input.leftOutCount ?? 0;
  // desired records were given but the plan leaves them out: say so, not "the desired set is empty"
  const leftOutNote =
    leftOut > 0
      ? ` (${leftOut} desired record${leftOut === 1 ? ' is' : 's are'} left out: see the plan's skipped records)`
      : '';
  if (deletes > 0 && owned.length > 0) {
    if (limits.refuseEmptyDesired && input.desiredCount === 0) {
      violations.push({
        rule: 'empty-desired',
        zone: undefined,
        count: 0,
        total: owned.length,
        limit: 0,
        message:
          leftOut > 0
            ? `no desired record would be written${leftOutNote} while we own ${owned.length} records: applying would delete ${deletes} of them`
            : `the desired set is empty while we own ${owned.length} records: applying would delete ${deletes} of them`,
      });
    } else if (
      owned.length >= limits.minOwnedRecords &&
      input.desiredCount < owned.length * limits.minDesiredRatio
    ) {
      violations.push({
        rule: 'collapsed-desired',
        zone: undefined,
        count: input.desiredCount,
        total: owned.length,
        limit: limits.minDesiredRatio,
        message: `the desired set collapsed to ${input.desiredCount} records${leftOutNote} while we own ${owned.length} (${pctAbove(input.desiredCount / owned.length, limits.minDesiredRatio).join(', below ')}): applying would delete ${deletes}`,
      });
    }
  }
  return violations;
}

const REPAIR_PROPERTIES = new Set([REPEATED_RECORDS_PROPERTY, FORCE_UPDATE_PROPERTY]);

/** An update that writes the record back as it is: only a repair property made it differ. */
function isRepair(old: Endpoint | undefined, next: Endpoint): boolean {
  if (old === undefined || !old.providerSpecific.some((p) => REPAIR_PROPERTIES.has(p.name))) return false;
  if (next.recordTTL !== 0 && next.recordTTL !== old.recordTTL) return false;
  if (!sameTargets(old.targets, next.targets)) return false;
  const kept = old.providerSpecific.filter((p) => !REPAIR_PROPERTIES.has(p.name));
  const wanted = next.providerSpecific.filter((p) => !REPAIR_PROPERTIES.has(p.name));
  return (
    kept.length === wanted.length &&
    kept.every((p) => wanted.some((q) => q.name === p.name && q.value === p.value))
  );
}

function countBy<T extends Endpoint>(
  items: readonly T[],
  keyOf: (name: string) => string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item.dnsName);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
