import { describeEndpoint, endpointKey, type Endpoint } from '../endpoint/endpoint.js';
import type { SkippedChange } from '../plan/plan.js';
import { normalizeDnsName } from '../endpoint/names.js';
import type { Changes } from '../provider/changes.js';

export type { SkippedChange } from '../plan/plan.js';

/**
 * Drops creates that would put a CNAME beside other data at one name (RFC 1034 §3.6.2) because the
 * records in the way stay: they are not ours, not managed, or the policy keeps them (`upsert-only`,
 * `create-only`). The rule is per name, whatever the set identifiers: a weighted `A [blue]` keeps a
 * plain CNAME out as surely as a plain A does. Creates at one name that mix a CNAME with other types
 * across set identifiers (rows the planner resolves apart) keep the others, as ExternalDNS's conflict
 * resolver prefers them within a row. ExternalDNS sends such creates and fails the whole batch on
 * every run; we skip them, report why, and apply the rest.
 */
export function dropUnsatisfiableCreates(
  changes: Changes,
  current: readonly Endpoint[],
): { changes: Changes; skipped: SkippedChange[] } {
  if (changes.create.length === 0) return { changes, skipped: [] };
  const leaving = new Set(
    [
      ...changes.delete,
      ...changes.updateOld.filter(
        (_, i) => changes.updateNew[i]?.recordType !== changes.updateOld[i]?.recordType,
      ),
    ].map(endpointKey),
  );
  // Only names with a create matter: index the creates by name, then the current records there.
  const byName = new Map<string, { staying: Endpoint[]; creates: Endpoint[] }>();
  for (const ep of changes.create) {
    const k = normalizeDnsName(ep.dnsName);
    const at = byName.get(k);
    if (at) at.creates.push(ep);
    else byName.set(k, { staying: [], creates: [ep] });
  }
  for (const ep of current) {
    if (leaving.has(endpointKey(ep))) continue;
    byName.get(normalizeDnsName(ep.dnsName))?.staying.push(ep);
  }
  const skipped: SkippedChange[] = [];
  const create = changes.create.filter((ep) => {
    const at = byName.get(normalizeDnsName(ep.dnsName)) as { staying: Endpoint[]; creates: Endpoint[] };
    const cname = ep.recordType === 'CNAME';
    const blocking = at.staying.filter((c) => (cname ? c.recordType !== 'CNAME' : c.recordType === 'CNAME'));
    if (blocking.length > 0) {
      const types = [...new Set(blocking.map((b) => b.recordType))].sort().join(', ');
      skipped.push({
        record: ep,
        code: 'unsatisfiable',
        reason: `${describeEndpoint(ep)} cannot be created: a CNAME cannot share its name with other data, and the ${types} record${blocking.length > 1 ? 's' : ''} there stay${blocking.length > 1 ? '' : 's'} (not ours, not managed, or kept by the policy)`,
      });
      return false;
    }
    const others = cname ? at.creates.filter((c) => c.recordType !== 'CNAME') : [];
    if (others.length > 0) {
      skipped.push({
        record: ep,
        code: 'unsatisfiable',
        reason: `${describeEndpoint(ep)} cannot be created: a CNAME cannot share its name with other data, and ${others.map(describeEndpoint).join(', ')} at this name ${others.length > 1 ? 'are' : 'is'} created instead`,
      });
      return false;
    }
    return true;
  });
  return { changes: skipped.length ? { ...changes, create } : changes, skipped };
}
