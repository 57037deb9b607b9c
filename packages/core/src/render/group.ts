import { LabelKeys, nameKey, type Endpoint } from '../endpoint/endpoint.js';
import type { Plan } from '../plan/plan.js';
import type { Changes } from '../provider/changes.js';

/** One line of a rendered plan: a record change with the ownership records that travel with it. */
export interface PlanEntry {
  /** What happens to the record. */
  action: 'create' | 'update' | 'delete';
  /** The record as it will be (create, update) or as it is (delete). */
  record: Endpoint;
  /** For updates: the version being replaced. */
  previous?: Endpoint;
  /**
   * The ownership TXT changes that travel with this record, each with its action and, for updates, the
   * version it replaces.
   */
  ownership: { action: 'create' | 'update' | 'delete'; record: Endpoint; previous?: Endpoint }[];
}

const ownerKey = (ep: Endpoint, name: string) => nameKey(name, ep.setIdentifier);

/** Groups a plan into entries in plan order, each ownership TXT placed under the record it names. */
export function planEntries(plan: Pick<Plan, 'changes' | 'ownershipChanges'>): PlanEntry[] {
  const txt = new Map<string, PlanEntry['ownership']>();
  const push = (action: 'create' | 'update' | 'delete', record: Endpoint, previous?: Endpoint) => {
    const key = ownerKey(record, record.labels[LabelKeys.ownedRecord] ?? record.dnsName);
    const list = txt.get(key) ?? [];
    list.push(previous ? { action, record, previous } : { action, record });
    txt.set(key, list);
  };
  const o: Changes = plan.ownershipChanges;
  o.create.forEach((ep) => push('create', ep));
  o.updateNew.forEach((ep, i) => push('update', ep, o.updateOld[i]));
  o.delete.forEach((ep) => push('delete', ep));
  const take = (ep: Endpoint) => {
    const key = ownerKey(ep, ep.dnsName);
    const list = txt.get(key) ?? [];
    txt.delete(key);
    return list;
  };
  const c = plan.changes;
  const entries: PlanEntry[] = [
    ...c.create.map((record) => ({ action: 'create' as const, record, ownership: take(record) })),
    ...c.updateNew.map((record, i) => {
      const previous = c.updateOld[i];
      return previous
        ? { action: 'update' as const, record, previous, ownership: take(record) }
        : { action: 'update' as const, record, ownership: take(record) };
    }),
    ...c.delete.map((record) => ({ action: 'delete' as const, record, ownership: take(record) })),
  ];
  return entries;
}

/**
 * The provider-specific properties a rendered record shows: registry bookkeeping (`txt/…`, such as
 * `txt/force-update`) is not something the record will have.
 */
export function shownProperties(ep: Endpoint): Endpoint['providerSpecific'] {
  return ep.providerSpecific.filter((p) => !p.name.startsWith('txt/'));
}
