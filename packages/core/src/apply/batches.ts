import { LabelKeys, type Endpoint } from '../endpoint/endpoint.js';
import { normalizeDnsName } from '../endpoint/names.js';
import { CHANGE_LISTS, type Changes } from '../provider/changes.js';
import type { CallOptions, Provider } from '../provider/provider.js';
import { throwIfAborted } from '../errors.js';

// A record and its ownership TXT (which names the record in its `ownedRecord` label) share a unit,
// and so do every change at one name: they must reach the provider in the same call.
function unitKey(ep: Endpoint): string {
  const owned = ep.recordType === 'TXT' ? ep.labels[LabelKeys.ownedRecord] : undefined;
  return `${normalizeDnsName(owned ?? ep.dnsName)}\u0000${ep.setIdentifier}`;
}

function size(changes: Changes): number {
  return CHANGE_LISTS.reduce((n, list) => n + changes[list].length, 0);
}

/**
 * Splits a change set into batches of at most `maxPerBatch` endpoints without ever separating a
 * record from its ownership TXT, the changes at one name, or an update's old and new versions.
 * A single unit larger than the limit becomes a batch of its own. Order within lists is kept.
 */
export function splitChanges(changes: Changes, maxPerBatch: number | undefined): Changes[] {
  if (size(changes) === 0) return [];
  if (maxPerBatch === undefined || size(changes) <= maxPerBatch) return [changes];
  const units = new Map<string, Changes>();
  for (const list of CHANGE_LISTS) {
    for (const ep of changes[list]) {
      const key = unitKey(ep);
      let unit = units.get(key);
      if (!unit) units.set(key, (unit = { create: [], updateOld: [], updateNew: [], delete: [] }));
      unit[list].push(ep);
    }
  }
  const batches: Changes[] = [];
  let current: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
  for (const unit of units.values()) {
    if (size(current) > 0 && size(current) + size(unit) > maxPerBatch) {
      batches.push(current);
      current = { create: [], updateOld: [], updateNew: [], delete: [] };
    }
    for (const list of CHANGE_LISTS) current[list].push(...unit[list]);
  }
  if (size(current) > 0) batches.push(current);
  return batches;
}

export interface ApplyInBatchesOptions extends CallOptions {
  /** Called after each batch the provider accepted. */
  onBatchApplied?: (batch: Changes, index: number, total: number) => void;
}

/**
 * Sends a change set to a provider in as few calls as its declared `maxChangesPerApply` allows.
 * The one place batching happens, so providers never split on their own.
 */
export async function applyInBatches(
  provider: Provider,
  changes: Changes,
  options: ApplyInBatchesOptions = {},
): Promise<void> {
  const batches = splitChanges(changes, provider.capabilities.maxChangesPerApply);
  for (const [index, batch] of batches.entries()) {
    throwIfAborted(options.signal);
    await provider.applyChanges(batch, options.signal ? { signal: options.signal } : {});
    options.onBatchApplied?.(batch, index, batches.length);
  }
}
