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

/** The words of a DNS name (labels split at anything but letters and digits), lower case. */
const words = (name: string) =>
  name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * The record type a marker's name speaks for among `types`, if it can be told: a typed marker name
 * is the record's name with the registry's affix and the record type's name added
 * (`a-s.example.com`, `_externaldns.cname.s.example.com`, `s-a.suffix.example.com`), so the words
 * left once the record's own name is taken out hold the type. When the affix itself holds a word
 * that is another type's name (prefix `cname.`), the type written before the record's first label
 * (`a-s`, ExternalDNS's untemplated form) decides. A legacy untyped marker names none.
 */
function typeNamed(marker: Endpoint, owned: string, types: readonly string[]): string | undefined {
  const left = words(marker.dnsName);
  const own = words(owned);
  for (const w of own) {
    const at = left.indexOf(w);
    if (at >= 0) left.splice(at, 1);
  }
  const named = [...new Set(types.filter((t) => left.includes(t.toLowerCase())))];
  if (named.length === 1) return named[0];
  const name = marker.dnsName.toLowerCase();
  const first = own[0] ?? '';
  const before = named.filter((t) => name.includes(`${t.toLowerCase()}-${first}`));
  return before.length === 1 ? before[0] : undefined;
}

/**
 * Groups a plan into entries in plan order, each ownership TXT placed under the record it names:
 * same name and set identifier, and, where several records at that name change, the record type
 * its (typed) name carries. A marker whose type cannot be told (a legacy untyped marker) goes under
 * the first record changed at its name.
 */
export function planEntries(plan: Pick<Plan, 'changes' | 'ownershipChanges'>): PlanEntry[] {
  const c = plan.changes;
  const entries: PlanEntry[] = [
    ...c.create.map((record): PlanEntry => ({ action: 'create', record, ownership: [] })),
    ...c.updateNew.map((record, i): PlanEntry => {
      const previous = c.updateOld[i];
      return previous
        ? { action: 'update', record, previous, ownership: [] }
        : { action: 'update', record, ownership: [] };
    }),
    ...c.delete.map((record): PlanEntry => ({ action: 'delete', record, ownership: [] })),
  ];
  const byName = new Map<string, PlanEntry[]>();
  for (const entry of entries) {
    const key = ownerKey(entry.record, entry.record.dnsName);
    const list = byName.get(key);
    if (list) list.push(entry);
    else byName.set(key, [entry]);
  }
  const place = (action: 'create' | 'update' | 'delete', record: Endpoint, previous?: Endpoint) => {
    const owned = record.labels[LabelKeys.ownedRecord] ?? record.dnsName;
    const at = byName.get(ownerKey(record, owned));
    if (at === undefined) return;
    let entry = at[0] as PlanEntry;
    if (at.length > 1) {
      const type = typeNamed(
        record,
        owned,
        at.map((e) => e.record.recordType),
      );
      entry = at.find((e) => e.record.recordType === type) ?? entry;
    }
    entry.ownership.push(previous ? { action, record, previous } : { action, record });
  };
  const o: Changes = plan.ownershipChanges;
  o.create.forEach((ep) => place('create', ep));
  o.updateNew.forEach((ep, i) => place('update', ep, o.updateOld[i]));
  o.delete.forEach((ep) => place('delete', ep));
  return entries;
}

/**
 * The provider-specific properties a rendered record shows: registry bookkeeping (`txt/…`, such as
 * `txt/force-update`) is not something the record will have.
 */
export function shownProperties(ep: Endpoint): Endpoint['providerSpecific'] {
  return ep.providerSpecific.filter((p) => !p.name.startsWith('txt/'));
}
