import { endpointKey, describeEndpoint, LabelKeys, type Endpoint } from '../endpoint/endpoint.js';
import { canonicalTarget } from '../endpoint/targets.js';
import { DnsError } from '../errors.js';

/** One record that differs between a saved plan and the zone now. */
export interface PlanConflict {
  /** The record, as `name type` (with the set identifier in brackets when set), e.g. `new.example.com A`. */
  record: string;
  /**
   * `appeared` (exists now, did not when planned), `disappeared`, or `changed` (targets, TTL, labels or
   * properties).
   */
  reason: 'appeared' | 'disappeared' | 'changed';
  /**
   * For `changed`: what differs between the plan and the zone now, e.g. `targets ["192.0.2.1"] →
   * ["192.0.2.7"]` or `owner "new" → "old"` (an owner that differs while the records did not usually
   * means the registry is configured otherwise than when the plan was made, such as `oldOwnerId`).
   */
  detail?: string;
}

/** A saved plan no longer matches the records it would change. Nothing was applied. */
export class PlanConflictError extends DnsError {
  /** Every record that differs from what the plan saw: `appeared`, `disappeared` or `changed`. */
  readonly conflicts: readonly PlanConflict[];

  constructor(conflicts: readonly PlanConflict[]) {
    // the records are as they were and only their owner reads differently: the registry is not
    // configured as it was when the plan was made
    const ownersOnly =
      conflicts.length > 0 && conflicts.every((c) => c.detail?.startsWith('owner ') === true);
    super(
      'PLAN_CONFLICT',
      `the zone changed since the plan was made; make a new plan (nothing was applied):\n${conflicts.map((c) => `- ${c.record}: ${c.reason} since the plan was made${c.detail ? ` (${c.detail})` : ''}`).join('\n')}${ownersOnly ? "\nonly the records' owners differ: check that the registry's ownerId and oldOwnerId are the ones the plan was made with" : ''}`,
    );
    this.name = 'PlanConflictError';
    this.conflicts = conflicts;
  }
}

/** The parts of a record a plan depends on: targets, TTL, properties and owner, each comparable. */
function parts(ep: Endpoint): [string, string, string, string] {
  return [
    JSON.stringify([...new Set(ep.targets.map(canonicalTarget))].sort()),
    String(ep.recordTTL),
    JSON.stringify([...ep.providerSpecific].map((p) => `${p.name}=${p.value}`).sort()),
    JSON.stringify(ep.labels[LabelKeys.owner] ?? null),
  ];
}

const PART_NAMES = ['targets', 'ttl', 'properties', 'owner'] as const;

/** What differs between two versions of a record, as `part before → after`; empty when nothing does. */
function differences(before: Endpoint, now: Endpoint): string {
  const a = parts(before);
  const b = parts(now);
  return PART_NAMES.filter((_, i) => a[i] !== b[i])
    .map((name) => {
      const i = PART_NAMES.indexOf(name);
      const show = (v: string) => (name === 'owner' && v === 'null' ? 'none' : v);
      return `${name} ${show(a[i] as string)} → ${show(b[i] as string)}`;
    })
    .join('; ');
}

/** Compares the records a plan was made from with the same rows read now. */
export function findPlanConflicts(before: readonly Endpoint[], now: readonly Endpoint[]): PlanConflict[] {
  const a = new Map(before.map((ep) => [endpointKey(ep), ep]));
  const b = new Map(now.map((ep) => [endpointKey(ep), ep]));
  const conflicts: PlanConflict[] = [];
  for (const [key, ep] of a) {
    const other = b.get(key);
    if (!other) conflicts.push({ record: describeEndpoint(ep), reason: 'disappeared' });
    else {
      const detail = differences(ep, other);
      if (detail) conflicts.push({ record: describeEndpoint(ep), reason: 'changed', detail });
    }
  }
  for (const [key, ep] of b)
    if (!a.has(key)) conflicts.push({ record: describeEndpoint(ep), reason: 'appeared' });
  return conflicts.sort((x, y) => (x.record < y.record ? -1 : 1));
}
