import { LabelKeys, type Endpoint } from '../endpoint/endpoint.js';
import { emptyChanges, type Changes } from './changes.js';

/** True for a registry ownership marker: a TXT naming the record it owns in its `ownedRecord` label. */
function isMarker(ep: Endpoint): boolean {
  return ep.recordType.toUpperCase() === 'TXT' && ep.labels[LabelKeys.ownedRecord] !== undefined;
}

/**
 * Core's write order for providers with `atomicity: 'record'` (no transaction spans two record
 * sets): a change set split into two phases so that a fault between any two writes never leaves a
 * record stored without its ownership marker.
 *
 * 1. markers created or updated, and records deleted;
 * 2. records created or updated, and markers deleted.
 *
 * On create the marker is written before its record; on delete the record goes before its marker.
 * A provider must wait until every write of phase 1 is complete (asynchronous actions included)
 * before it starts phase 2. After a failure the next run converges: a marker without its record is
 * the registry's own and is completed or removed by the next plan. Empty phases are left out; order
 * within lists is kept. Update pairs (`updateOld[i]`, `updateNew[i]`) stay together.
 */
export function recordWritePhases(changes: Changes): Changes[] {
  const first = emptyChanges();
  const second = emptyChanges();
  for (const ep of changes.create) (isMarker(ep) ? first : second).create.push(ep);
  changes.updateNew.forEach((ep, i) => {
    const phase = isMarker(ep) ? first : second;
    phase.updateNew.push(ep);
    phase.updateOld.push(changes.updateOld[i] as Endpoint);
  });
  for (const ep of changes.delete) (isMarker(ep) ? second : first).delete.push(ep);
  const empty = (c: Changes) => c.create.length + c.updateNew.length + c.delete.length === 0;
  return [first, second].filter((c) => !empty(c));
}
