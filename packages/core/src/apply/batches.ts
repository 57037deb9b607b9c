import { describeEndpoint, LabelKeys, nameKey, type Endpoint } from '../endpoint/endpoint.js';
import { DnsError, isDnsError, throwIfAborted } from '../errors.js';
import { CHANGE_LISTS, emptyChanges, type Changes } from '../provider/changes.js';
import type { CallOptions, Provider } from '../provider/provider.js';

// A record and its ownership TXT (which names the record in its `ownedRecord` label) share a unit,
// and so do every change at one name: they must reach the provider in the same call.
function unitKey(ep: Endpoint): string {
  const owned = ep.recordType === 'TXT' ? ep.labels[LabelKeys.ownedRecord] : undefined;
  return nameKey(owned ?? ep.dnsName, ep.setIdentifier);
}

function size(changes: Changes): number {
  return CHANGE_LISTS.reduce((n, list) => n + changes[list].length, 0);
}

/** Groups a change set into units that must travel together, in first-seen order. */
function toUnits(changes: Changes): Changes[] {
  const units = new Map<string, Changes>();
  for (const list of CHANGE_LISTS) {
    for (const ep of changes[list]) {
      const key = unitKey(ep);
      let unit = units.get(key);
      if (!unit) units.set(key, (unit = emptyChanges()));
      unit[list].push(ep);
    }
  }
  return [...units.values()];
}

function merge(units: readonly Changes[]): Changes {
  const out = emptyChanges();
  for (const unit of units) for (const list of CHANGE_LISTS) out[list].push(...unit[list]);
  return out;
}

function pack(units: readonly Changes[], maxPerBatch: number): Changes[] {
  const batches: Changes[][] = [];
  let current: Changes[] = [];
  let currentSize = 0;
  for (const unit of units) {
    const n = size(unit);
    if (currentSize > 0 && currentSize + n > maxPerBatch) {
      batches.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(unit);
    currentSize += n;
  }
  if (current.length) batches.push(current);
  return batches.map(merge);
}

/**
 * Splits a change set into batches of at most `maxPerBatch` endpoints without ever separating a
 * record from its ownership TXT, the changes at one name, or an update's old and new versions.
 * A single unit larger than the limit becomes a batch of its own. Order within lists is kept.
 */
export function splitChanges(changes: Changes, maxPerBatch: number | undefined): Changes[] {
  if (size(changes) === 0) return [];
  if (maxPerBatch === undefined || size(changes) <= maxPerBatch) return [changes];
  return pack(toUnits(changes), maxPerBatch);
}

/** One change a provider rejected for its content, isolated from the rest of its batch. */
export interface RejectedChange {
  /** The records of the rejected unit, e.g. `api.example.com A`. */
  records: string[];
  reason: string;
}

/**
 * Some changes were rejected for their content and left out; everything else was applied.
 * Thrown by {@link applyInBatches} after it has applied what it could.
 */
export class PartialApplyError extends DnsError {
  readonly rejected: readonly RejectedChange[];

  constructor(rejected: readonly RejectedChange[]) {
    super(
      'PARTIAL_APPLY',
      `${rejected.length} change${rejected.length === 1 ? ' was' : 's were'} rejected and left out; everything else was applied:\n${rejected
        .map((r) => `- ${r.records.join(', ')}: ${r.reason}`)
        .join('\n')}`,
    );
    this.name = 'PartialApplyError';
    this.rejected = rejected;
  }
}

/** The provider refused a batch because of what one of its records says (not a transient fault). */
function isContentRejection(error: unknown): error is DnsError {
  return isDnsError(error) && error.code === 'RECORD_REJECTED';
}

export interface ApplyInBatchesOptions extends CallOptions {
  /** Called after each batch the provider accepted. */
  onBatchApplied?: (batch: Changes) => void;
}

/**
 * Sends a change set to a provider in as few calls as its declared `maxChangesPerApply` allows: the
 * one place batching happens, so providers never split on their own.
 *
 * When a batch is rejected for its content (a `RECORD_REJECTED` error from an all-or-nothing
 * provider), it is bisected by units until the bad changes are isolated; the rest is applied and a
 * {@link PartialApplyError} names each rejected change and why. Any other error stops at once.
 */
export async function applyInBatches(
  provider: Provider,
  changes: Changes,
  options: ApplyInBatchesOptions = {},
): Promise<void> {
  const rejected: RejectedChange[] = [];
  const call = options.signal ? { signal: options.signal } : {};
  // `units` are only worked out when a batch is rejected and must be bisected
  const send = async (batch: Changes, units?: Changes[]): Promise<void> => {
    throwIfAborted(options.signal);
    try {
      await provider.applyChanges(batch, call);
      options.onBatchApplied?.(batch);
    } catch (error) {
      if (!isContentRejection(error)) throw error;
      const parts = units ?? toUnits(batch);
      if (parts.length === 1) {
        const all = CHANGE_LISTS.flatMap((l) => batch[l]);
        // name the records, not their ownership markers
        const records = all.filter((ep) => !(ep.recordType === 'TXT' && ep.labels[LabelKeys.ownedRecord]));
        rejected.push({
          records: (records.length ? records : all).map(describeEndpoint),
          reason: error.message,
        });
        return;
      }
      const half = Math.ceil(parts.length / 2);
      const first = parts.slice(0, half);
      const second = parts.slice(half);
      await send(merge(first), first);
      await send(merge(second), second);
    }
  };
  for (const batch of splitChanges(changes, provider.capabilities.maxChangesPerApply)) await send(batch);
  if (rejected.length) throw new PartialApplyError(rejected);
}
