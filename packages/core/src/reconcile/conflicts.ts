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
}

/** A saved plan no longer matches the records it would change. Nothing was applied. */
export class PlanConflictError extends DnsError {
  /** Every record that differs from what the plan saw: `appeared`, `disappeared` or `changed`. */
  readonly conflicts: readonly PlanConflict[];

  constructor(conflicts: readonly PlanConflict[]) {
    super(
      'PLAN_CONFLICT',
      `the zone changed since the plan was made; make a new plan (nothing was applied):\n${conflicts.map((c) => `- ${c.record}: ${c.reason} since the plan was made`).join('\n')}`,
    );
    this.name = 'PlanConflictError';
    this.conflicts = conflicts;
  }
}

function fingerprint(ep: Endpoint): string {
  return JSON.stringify([
    [...new Set(ep.targets.map(canonicalTarget))].sort(),
    ep.recordTTL,
    [...ep.providerSpecific].map((p) => `${p.name}=${p.value}`).sort(),
    ep.labels[LabelKeys.owner] ?? null,
  ]);
}

/** Compares the records a plan was made from with the same rows read now. */
export function findPlanConflicts(before: readonly Endpoint[], now: readonly Endpoint[]): PlanConflict[] {
  const a = new Map(before.map((ep) => [endpointKey(ep), ep]));
  const b = new Map(now.map((ep) => [endpointKey(ep), ep]));
  const conflicts: PlanConflict[] = [];
  for (const [key, ep] of a) {
    const other = b.get(key);
    if (!other) conflicts.push({ record: describeEndpoint(ep), reason: 'disappeared' });
    else if (fingerprint(ep) !== fingerprint(other))
      conflicts.push({ record: describeEndpoint(ep), reason: 'changed' });
  }
  for (const [key, ep] of b)
    if (!a.has(key)) conflicts.push({ record: describeEndpoint(ep), reason: 'appeared' });
  return conflicts.sort((x, y) => (x.record < y.record ? -1 : 1));
}
