import type { DomainFilterLike } from '../domainFilter.js';
import {
  DEFAULT_MANAGED_RECORD_TYPES,
  cloneEndpoint,
  describeEndpoint,
  endpointKey,
  sortEndpoints,
  isOwnedBy,
  LabelKeys,
  type Endpoint,
  type RecordType,
  nameKey,
} from '../endpoint/endpoint.js';
import { sameTargets } from '../endpoint/targets.js';
import type { Changes } from '../provider/changes.js';
import { resolveCreate, resolveUpdate } from './conflict.js';
import { applyPolicy, type Policy } from './policy.js';
import { MIGRATED_FROM_LABEL } from '../registry/txtRegistry.js';
import { appendAll } from '../lists.js';

/**
 * Input of {@link calculatePlan}: current and desired records and the planner settings ExternalDNS takes
 * as flags.
 */
export interface CalculatePlanOptions {
  /** Records as they are now, with ownership labels (what `Registry.records()` returns). */
  current: readonly Endpoint[];
  /** Records as they should be (after `adjustEndpoints`). */
  desired: readonly Endpoint[];
  /** `sync`, `upsert-only` or `create-only` (ExternalDNS `--policy`). */
  policy: Policy;
  /** Our owner ID; `''` disables every ownership check (ExternalDNS without a registry). */
  ownerId: string;
  /** Owner ID being migrated from: records it owns are rewritten to `ownerId`. */
  oldOwnerId?: string;
  /** Record types the plan may touch (default A, AAAA, CNAME). An empty list manages nothing. */
  managedRecordTypes?: readonly RecordType[];
  /** Record types never touched, even when managed. */
  excludeRecordTypes?: readonly RecordType[];
  /** Names outside this filter are neither updated, deleted nor created. */
  domainFilter?: DomainFilterLike;
}

/** Planner output: the changes plus whether anything needs to be sent. */
export interface CalculatedChanges extends Changes {
  /** ExternalDNS `HasChanges()`: creates, deletes, or updates whose old and new versions differ. */
  hasChanges: boolean;
}

interface TypeSlot {
  type: string;
  current: Endpoint | undefined;
  candidates: Endpoint[];
}

// Rows hold few types (usually one), so a small array beats a Map here: planning 100k records
// allocates a row per name, and allocation is what dominates the planner's time.
interface Row {
  /** The current records at this name: one (most names) held as it is, several in a list. */
  current: Endpoint | Endpoint[] | undefined;
  candidateCount: number;
  types: TypeSlot[];
}

// Shared empty list, replaced on first push: most slots never get a second current or candidate.
const NONE: Endpoint[] = [];
const append = (list: Endpoint[], ep: Endpoint): Endpoint[] => {
  if (list === NONE) return [ep];
  list.push(ep);
  return list;
};

/** True when a record type may be touched: not excluded and managed. */
export function isManagedRecordType(
  type: string,
  managed: readonly RecordType[],
  excluded: readonly RecordType[] = [],
): boolean {
  return !excluded.includes(type) && managed.includes(type);
}

/**
 * Computes the changes that turn `current` into `desired`, with ExternalDNS v0.18+ semantics
 * (plan/plan.go): rows per (name, set identifier), CNAME-versus-other conflict resolution, stable
 * winner selection, owner inheritance on updates, creates only on names we fully own, then the
 * policy and the owner filter. Output lists are sorted by name, type and set identifier, so the
 * same input always gives the same plan.
 */
export function calculatePlan(options: CalculatePlanOptions): CalculatedChanges {
  const rows = new PlanRows(options);
  rows.addDesired(options.desired);
  rows.addCurrent(options.current);
  return rows.changes();
}

/**
 * The planner in two halves, so the desired half can be indexed before the current records arrive
 * (`reconcile` does it while the zone is being read). Filling order does not change the result:
 * rows keep each side's order, and the output is sorted.
 * @internal
 */
export class PlanRows {
  readonly #options: Omit<CalculatePlanOptions, 'current' | 'desired'>;
  readonly #rows = new Map<string, Row>();
  readonly #takesPart: (ep: Endpoint) => boolean;
  /** The current records that take part (managed type, inside the domain filter), in order. */
  readonly currentInScope: Endpoint[] = [];
  /** How many desired records take part. */
  desiredInScope = 0;
  /** Desired records that take no part (type not managed, or outside the domain filter). */
  readonly #desiredOutOfScope: Endpoint[] = [];
  /** Slots that got more than one desired record (same name, type and set identifier). */
  readonly #crowded: { row: Row; slot: TypeSlot }[] = [];
  readonly #isManaged: (type: string) => boolean;

  constructor(options: Omit<CalculatePlanOptions, 'current' | 'desired'>) {
    this.#options = options;
    const managed = (options.managedRecordTypes ?? DEFAULT_MANAGED_RECORD_TYPES).map((t) => t.toUpperCase());
    const excluded = (options.excludeRecordTypes ?? []).map((t) => t.toUpperCase());
    const filter = options.domainFilter;
    this.#isManaged = (type) => isManagedRecordType(type, managed, excluded);
    this.#takesPart = (ep) =>
      isManagedRecordType(ep.recordType, managed, excluded) && (filter?.matches(ep.dnsName) ?? true);
  }

  addCurrent(current: readonly Endpoint[]): this {
    for (const ep of current) {
      if (!this.#takesPart(ep)) continue;
      this.currentInScope.push(ep);
      const row = this.#rowOf(ep);
      if (row.current === undefined) row.current = ep;
      else if (Array.isArray(row.current)) row.current.push(ep);
      else row.current = [row.current, ep];
      slotOf(row, ep.recordType).current = ep; // the last one of a type is the one compared
    }
    return this;
  }

  addDesired(desired: readonly Endpoint[]): this {
    for (const ep of desired) {
      if (!this.#takesPart(ep)) {
        this.#desiredOutOfScope.push(ep);
        continue;
      }
      this.desiredInScope++;
      const row = this.#rowOf(ep);
      row.candidateCount++;
      const slot = slotOf(row, ep.recordType);
      slot.candidates = append(slot.candidates, ep);
      if (slot.candidates.length === 2) this.#crowded.push({ row, slot });
    }
    return this;
  }

  /** How many desired records take no part (type not managed, or outside the domain filter). */
  get desiredOutOfScope(): number {
    return this.#desiredOutOfScope.length;
  }

  /** The desired records that share a name, type and set identifier, group by group, in input order. */
  crowded(): readonly (readonly Endpoint[])[] {
    return this.#crowded.map((c) => c.slot.candidates);
  }

  /** Forgets desired records already added (duplicates a caller chose to keep once). */
  dropDesired(drop: ReadonlySet<Endpoint>): void {
    for (const { row, slot } of this.#crowded) {
      const kept = slot.candidates.filter((ep) => !drop.has(ep));
      row.candidateCount -= slot.candidates.length - kept.length;
      this.desiredInScope -= slot.candidates.length - kept.length;
      slot.candidates = kept;
    }
  }

  #rowOf(ep: Endpoint): Row {
    const key = nameKey(ep.dnsName, ep.setIdentifier);
    let row = this.#rows.get(key);
    if (!row) this.#rows.set(key, (row = { current: undefined, candidateCount: 0, types: [] }));
    return row;
  }

  /** The plan of everything added. */
  changes(): CalculatedChanges {
    const ownerId = this.#options.ownerId;
    const oldOwnerId = this.#options.oldOwnerId ?? '';
    const create: Endpoint[] = [];
    const updateOld: Endpoint[] = [];
    const updateNew: Endpoint[] = [];
    const deletes: Endpoint[] = [];

    for (const row of this.#rows.values()) {
      if (row.current !== undefined && row.candidateCount === 0) {
        if (Array.isArray(row.current)) appendAll(deletes, row.current);
        else deletes.push(row.current);
        continue;
      }
      let rowCreates: Endpoint[] | undefined;
      for (const slot of resolveRecordTypes(row)) {
        if (slot.current && slot.candidates.length === 0) {
          deletes.push(slot.current);
        } else if (!slot.current && slot.candidates.length > 0) {
          (rowCreates ??= []).push(resolveCreate(slot.candidates));
        } else if (slot.current && slot.candidates.length > 0) {
          const current = slot.current;
          const winner = resolveUpdate(current, slot.candidates);
          if (needsUpdate(current, winner, oldOwnerId)) {
            const next = cloneEndpoint(winner);
            // Owner inheritance: the new version keeps the current owner, so the owner filter
            // below treats old and new alike.
            next.labels[LabelKeys.owner] = current.labels[LabelKeys.owner] ?? '';
            // and its marker's nonce: a marker is rewritten (with a fresh nonce) only when what
            // it says changes, not on every run that touches its record (issue s1)
            const nonce = current.labels[LabelKeys.encryptionNonce];
            if (
              nonce !== undefined &&
              next.labels[LabelKeys.encryptionNonce] === undefined &&
              sameMarkerMeaning(current.labels, next.labels)
            )
              next.labels[LabelKeys.encryptionNonce] = nonce;
            updateOld.push(current);
            updateNew.push(next);
          }
        }
      }
      // Creates only where every record already at this name is ours (ExternalDNS plan.go).
      if (rowCreates && (ownerId === '' || everyCurrent(row, (c) => isOwnedBy(c, ownerId)))) {
        appendAll(create, rowCreates);
      }
    }

    let changes: Changes = applyPolicy(
      { create, updateOld, updateNew, delete: deletes },
      this.#options.policy,
    );
    if (ownerId !== '') {
      const seen = new Set<string>();
      changes = {
        create: changes.create,
        updateOld: changes.updateOld.filter((ep) => isOwnedBy(ep, ownerId)),
        updateNew: changes.updateNew.filter((ep) => isOwnedBy(ep, ownerId)),
        delete: changes.delete.filter((ep) => {
          if (!isOwnedBy(ep, ownerId)) return false;
          const key = endpointKey(ep);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        }),
      };
    }
    const sorted = sortChanges(changes);
    return { ...sorted, hasChanges: computeHasChanges(sorted) };
  }

  /**
   * The desired records the planner leaves unwritten, and why: a type not managed, a name outside
   * the domain filter, a record of another owner or without a marker in the way, the losing side of
   * conflict resolution, or a change the policy keeps from being made. Records already up to date
   * are not listed. A second pass over the rows, made only when asked (`reconcile` asks).
   */
  notWritten(): NotWritten[] {
    const ownerId = this.#options.ownerId;
    const policy = this.#options.policy;
    const out: NotWritten[] = [];
    for (const ep of this.#desiredOutOfScope) {
      if (!this.#isManaged(ep.recordType))
        out.push({
          record: ep,
          code: 'not-managed-type',
          reason: `${describeEndpoint(ep)}: record type ${ep.recordType} is not managed (add it to managedRecordTypes)`,
        });
      else
        out.push({
          record: ep,
          code: 'outside-domain-filter',
          reason: `${describeEndpoint(ep)}: the name is outside the domain filter`,
        });
    }
    if (ownerId === '') return out;
    for (const row of this.#rows.values()) {
      if (row.candidateCount === 0) continue;
      // the common row: one desired record and one current record of ours (written or up to date)
      if (row.candidateCount === 1 && row.types.length === 1 && policy !== 'create-only') {
        const current = (row.types[0] as TypeSlot).current;
        if (current !== undefined && isOwnedBy(current, ownerId)) continue;
      }
      const resolved = resolveRecordTypes(row);
      for (let i = 0; i < row.types.length; i++) {
        const slot = row.types[i] as TypeSlot;
        if (slot.candidates.length === 0) continue;
        if ((resolved[i] as TypeSlot).candidates.length === 0) {
          const winners = row.types.filter((t) => t.type !== 'CNAME' && t.candidates.length > 0);
          for (const ep of slot.candidates)
            out.push({
              record: ep,
              code: 'conflict-loser',
              reason: `${describeEndpoint(ep)}: a CNAME cannot share its name with other data; ${winners.map((w) => w.type).join(', ')} at this name won`,
              winner: winners[0]?.candidates[0],
            });
          continue;
        }
        const winner = slot.current
          ? resolveUpdate(slot.current, slot.candidates)
          : resolveCreate(slot.candidates);
        for (const ep of slot.candidates) {
          if (ep !== winner)
            out.push({
              record: ep,
              code: 'conflict-loser',
              reason: `${describeEndpoint(ep)}: another desired record for this name and type won (targets ${winner.targets.join(', ')})`,
              winner,
            });
        }
        const blocker = slot.current ?? firstNotOwned(row, ownerId);
        if (blocker && !isOwnedBy(blocker, ownerId)) {
          const owner = blocker.labels[LabelKeys.owner];
          out.push(
            owner
              ? {
                  record: winner,
                  code: 'owned-by-other',
                  owner,
                  reason: `${describeEndpoint(winner)}: ${describeEndpoint(blocker)} belongs to owner ${JSON.stringify(owner)}; not changed`,
                }
              : {
                  record: winner,
                  code: 'exists-unowned',
                  reason: `${describeEndpoint(winner)}: ${describeEndpoint(blocker)} exists without an ownership marker of ours; not changed`,
                },
          );
          continue;
        }
        // only create-only keeps a wanted change from being made (upsert-only keeps deletes only)
        if (
          policy === 'create-only' &&
          slot.current &&
          needsUpdate(slot.current, winner, this.#options.oldOwnerId ?? '')
        )
          out.push({
            record: winner,
            code: 'kept-by-policy',
            reason: `${describeEndpoint(winner)}: policy ${policy} does not update existing records`,
          });
      }
    }
    return out;
  }
}

/** A desired record the planner leaves unwritten (see {@link PlanRows.notWritten}). */
export interface NotWritten {
  record: Endpoint;
  code:
    | 'not-managed-type'
    | 'outside-domain-filter'
    | 'owned-by-other'
    | 'exists-unowned'
    | 'conflict-loser'
    | 'kept-by-policy';
  reason: string;
  /** For `owned-by-other`: the owner. */
  owner?: string;
  /** For `conflict-loser`: the record that won. */
  winner?: Endpoint | undefined;
}

function firstNotOwned(row: Row, ownerId: string): Endpoint | undefined {
  if (row.current === undefined) return undefined;
  const list = Array.isArray(row.current) ? row.current : [row.current];
  return list.find((c) => !isOwnedBy(c, ownerId));
}

/**
 * True when a record's marker would say the same after the update: the same labels but the
 * nonce, and no owner migration pending (a new meaning gets a fresh nonce, never the old one).
 */
function sameMarkerMeaning(
  current: Readonly<Record<string, string>>,
  next: Readonly<Record<string, string>>,
): boolean {
  if (Object.hasOwn(current, MIGRATED_FROM_LABEL)) return false;
  const skip = LabelKeys.encryptionNonce;
  for (const key in current) if (key !== skip && current[key] !== next[key]) return false;
  for (const key in next) if (key !== skip && !Object.hasOwn(current, key)) return false;
  return true;
}

function everyCurrent(row: Row, test: (ep: Endpoint) => boolean): boolean {
  if (row.current === undefined) return true;
  return Array.isArray(row.current) ? row.current.every(test) : test(row.current);
}

function slotOf(row: Row, type: string): TypeSlot {
  for (const slot of row.types) if (slot.type === type) return slot;
  const slot: TypeSlot = { type, current: undefined, candidates: NONE };
  row.types.push(slot);
  return slot;
}

/** ExternalDNS `ResolveRecordTypes`: several candidates mixing CNAME and other types drop the CNAMEs. */
function resolveRecordTypes(row: Row): TypeSlot[] {
  if (row.candidateCount <= 1) return row.types;
  const hasCname = row.types.some((t) => t.type === 'CNAME' && t.candidates.length > 0);
  const hasOther = row.types.some((t) => t.type !== 'CNAME' && t.candidates.length > 0);
  if (!hasCname || !hasOther) return row.types;
  return row.types.map((slot) =>
    slot.type === 'CNAME' ? { type: 'CNAME', current: slot.current, candidates: NONE } : slot,
  );
}

function needsUpdate(current: Endpoint, desired: Endpoint, oldOwnerId: string): boolean {
  if (desired.recordTTL > 0 && desired.recordTTL !== current.recordTTL) return true;
  if (!sameTargets(current.targets, desired.targets)) return true;
  if (providerSpecificDiffers(current, desired)) return true;
  return oldOwnerId !== '' && (current.labels[LabelKeys.owner] ?? '') !== oldOwnerId;
}

/** Provider-specific properties compared as name → value maps (order ignored). */
export function providerSpecificDiffers(a: Endpoint, b: Endpoint): boolean {
  if (a.providerSpecific.length === 0 && b.providerSpecific.length === 0) return false;
  const x = new Map(a.providerSpecific.map((p) => [p.name, p.value]));
  const y = new Map(b.providerSpecific.map((p) => [p.name, p.value]));
  if (x.size !== y.size) return true;
  for (const [name, value] of x) if (y.get(name) !== value) return true;
  return false;
}

/** ExternalDNS `HasChanges()`: creates, deletes, or updates whose old and new versions differ. */
export function computeHasChanges(changes: Changes): boolean {
  if (changes.create.length > 0 || changes.delete.length > 0) return true;
  if (changes.updateNew.length !== changes.updateOld.length) return true;
  return changes.updateNew.some((n, i) => !deepEqualEndpoint(n, changes.updateOld[i] as Endpoint));
}

/** Field-by-field equality, labels and provider-specific order included (Go `reflect.DeepEqual`). */
export function deepEqualEndpoint(a: Endpoint, b: Endpoint): boolean {
  return JSON.stringify(canonicalLabels(a)) === JSON.stringify(canonicalLabels(b));
}

function canonicalLabels(ep: Endpoint): unknown {
  return {
    ...ep,
    labels: Object.fromEntries(Object.entries(ep.labels).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
}

/** Sorts every list by key; update pairs move together. */
export function sortChanges(changes: Changes): Changes {
  const pairs = changes.updateNew.map((n, i) => ({
    n,
    o: changes.updateOld[i] as Endpoint,
    key: endpointKey(n),
  }));
  pairs.sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
  return {
    create: sortEndpoints(changes.create),
    updateOld: pairs.map((p) => p.o),
    updateNew: pairs.map((p) => p.n),
    delete: sortEndpoints(changes.delete),
  };
}
