import { describeEndpoint, endpointKey, type Endpoint } from '../endpoint/endpoint.js';
import { rowKey, type SkippedChange } from '../plan/plan.js';
import type { Changes } from '../provider/changes.js';

export type { SkippedChange } from '../plan/plan.js';

/**
 * Drops creates that would put a CNAME beside other data at one name (RFC 1034 §3.6.2) because the
 * records in the way stay: they are not ours, not managed, or the policy keeps them (`upsert-only`,
 * `create-only`). ExternalDNS sends such creates and fails the whole batch on every run; we skip
 * them, report why, and apply the rest.
 */
export function dropUnsatisfiableCreates(
  changes: Changes,
  current: readonly Endpoint[],
): { changes: Changes; skipped: SkippedChange[] } {
  // nothing can stand in the way of a create in an empty zone (an initial sync)
  if (changes.create.length === 0 || current.length === 0) return { changes, skipped: [] };
  const leaving = new Set(
    [
      ...changes.delete,
      ...changes.updateOld.filter(
        (_, i) => changes.updateNew[i]?.recordType !== changes.updateOld[i]?.recordType,
      ),
    ].map(endpointKey),
  );
  // Only names with both a create and a current record matter. Index the smaller side: a zone
  // holds far more records than a drift plan touches, and an initial sync creates far more than the
  // zone holds.
  const staying = new Map<string, Endpoint[]>();
  if (changes.create.length <= current.length) {
    for (const ep of changes.create) staying.set(rowKey(ep), []);
    for (const ep of current) {
      const list = staying.get(rowKey(ep));
      if (list !== undefined && !leaving.has(endpointKey(ep))) list.push(ep);
    }
  } else {
    for (const ep of current) {
      if (leaving.has(endpointKey(ep))) continue;
      const k = rowKey(ep);
      const list = staying.get(k);
      if (list) list.push(ep);
      else staying.set(k, [ep]);
    }
  }
  const skipped: SkippedChange[] = [];
  const create = changes.create.filter((ep) => {
    const here = staying.get(rowKey(ep));
    if (here === undefined || here.length === 0) return true;
    const others = here.filter((c) => c.recordType !== ep.recordType);
    const blocking = ep.recordType === 'CNAME' ? others : others.filter((c) => c.recordType === 'CNAME');
    if (blocking.length === 0) return true;
    const types = [...new Set(blocking.map((b) => b.recordType))].sort().join(', ');
    skipped.push({
      record: ep,
      code: 'unsatisfiable',
      reason: `${describeEndpoint(ep)} cannot be created: a CNAME cannot share its name with other data, and the ${types} record${blocking.length > 1 ? 's' : ''} there stay${blocking.length > 1 ? '' : 's'} (not ours, not managed, or kept by the policy)`,
    });
    return false;
  });
  return { changes: { ...changes, create }, skipped };
}
