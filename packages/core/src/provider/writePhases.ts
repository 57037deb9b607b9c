import { LabelKeys, type Endpoint } from '../endpoint/endpoint.js';
import { AbortedError, isDnsError, ProviderError } from '../errors.js';
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

/**
 * The other half of core's rule for providers with `atomicity: 'record'`: after a write failed, the
 * ownership markers that the failure left without their record, to be deleted before the provider
 * reports the failure, so that neither a record without its marker nor a marker without its record
 * stays behind:
 *
 * - a marker created in phase 1 whose records (the creates at the name its `ownedRecord` label
 *   names) were all left unwritten;
 * - a marker due for deletion in phase 2 whose records (the deletes at that name) were all removed.
 *
 * `applied` holds the endpoints of `changes` (the same objects) that were written. Markers whose
 * records were only partly written stay: a marker without a record is the registry's own and the
 * next run completes or removes it, a record without its marker would be lost to ownership.
 */
export function markersToUndo(changes: Changes, applied: ReadonlySet<Endpoint>): Endpoint[] {
  const owned = (ep: Endpoint) => ep.labels[LabelKeys.ownedRecord] as string;
  const byName = (list: readonly Endpoint[]) => {
    const map = new Map<string, Endpoint[]>();
    for (const ep of list) {
      if (isMarker(ep)) continue;
      const key = ep.dnsName.toLowerCase();
      map.set(key, [...(map.get(key) ?? []), ep]);
    }
    return map;
  };
  const creates = byName(changes.create);
  const deletes = byName(changes.delete);
  const undo: Endpoint[] = [];
  for (const marker of changes.create) {
    if (!isMarker(marker) || !applied.has(marker)) continue;
    const records = creates.get(owned(marker).toLowerCase()) ?? [];
    if (records.length && records.every((r) => !applied.has(r))) undo.push(marker);
  }
  for (const marker of changes.delete) {
    if (!isMarker(marker) || applied.has(marker)) continue;
    const records = deletes.get(owned(marker).toLowerCase()) ?? [];
    if (records.length && records.every((r) => applied.has(r))) undo.push(marker);
  }
  return undo;
}

/** Names listed per list in an {@link InterruptedApplyError}'s message; its fields hold them all. */
const MESSAGE_NAMES = 50;

/** ` (a, b, …)` for a message: the fields hold every name, the message the first ones (an apply can carry 100,000 records). */
const list = (items: readonly string[]) =>
  items.length === 0
    ? ''
    : items.length <= MESSAGE_NAMES
      ? ` (${items.join(', ')})`
      : ` (${items.slice(0, MESSAGE_NAMES).join(', ')}, and ${items.length - MESSAGE_NAMES} more)`;

/**
 * An apply that stopped at a failed write after others were applied: a provider with `atomicity:
 * 'record'`, or a change set split into several calls (`applyInBatches`), or a provider's several
 * transactions (one per zone). What it left behind, so that the caller (and the plan's reader)
 * knows exactly what was written. The next run reads the zone again and converges. Its `code`,
 * `retryable`, `retryAfter` and `status` are the failed write's; its `cause` is that error.
 *
 * Message: `<provider>: N record set change(s) not applied (…); M applied (…); markers removed
 * again (…): <the failure's message>`, each list cut after 50 names (`, and K more`).
 */
export class InterruptedApplyError extends ProviderError {
  /** Record sets written before the failure, as `describeEndpoint` strings, in order. */
  readonly applied: readonly string[];
  /** Record sets not written: the one that failed and those not attempted. */
  readonly notApplied: readonly string[];
  /** Ownership markers written by this apply and deleted again because their records were not written. */
  readonly undone: readonly string[];

  /**
   * @param provider the provider's name, e.g. `azure`.
   * @param cause the error of the write that failed.
   * @param progress what was written (`applied`), what not (`notApplied`) and which markers were
   *   removed again (`undone`, default none), as `describeEndpoint` strings.
   */
  constructor(
    provider: string,
    cause: unknown,
    progress: { applied: readonly string[]; notApplied: readonly string[]; undone?: readonly string[] },
  ) {
    const { applied, notApplied, undone = [] } = progress;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${provider}: ${notApplied.length} record set change(s) not applied${list(notApplied)}; ${applied.length} applied${list(applied)}${undone.length ? `; markers removed again${list(undone)}` : ''}: ${reason}`,
      {
        provider,
        cause,
        code: isDnsError(cause) ? cause.code : 'PROVIDER',
        retryable: cause instanceof ProviderError ? cause.retryable : false,
        ...(cause instanceof ProviderError && cause.retryAfter !== undefined
          ? { retryAfter: cause.retryAfter }
          : {}),
        ...(cause instanceof ProviderError && cause.status !== undefined ? { status: cause.status } : {}),
      },
    );
    this.name = 'InterruptedApplyError';
    this.applied = applied;
    this.notApplied = notApplied;
    this.undone = undone;
  }
}

/**
 * An abort (the `AbortSignal` fired) during a change set split into several calls, after at least
 * one call was applied: an `AbortedError` (`ABORTED`) that says what is already written. The calls
 * before the abort stay applied; the call in flight when the signal fired, if any, may or may not
 * have been applied by the server (`inFlight`). The next run reads the zone again and converges.
 * Its `cause` is the abort (the signal's reason, through the `AbortedError` it raised).
 *
 * Message: `<provider>: aborted after M record set change(s) were applied (…); N not applied (…);
 * the K in the call in flight when the signal fired may or may not have been applied (…)`, each
 * list cut after 50 names.
 */
export class AbortedApplyError extends AbortedError {
  /** Name of the provider the change set was sent to, e.g. `pdns`. */
  readonly provider: string;
  /** Record sets written before the abort, as `describeEndpoint` strings, in order. */
  readonly applied: readonly string[];
  /**
   * Record sets not known to be written: those never sent and those of the call in flight
   * (`inFlight`, whose outcome is unknown).
   */
  readonly notApplied: readonly string[];
  /** Record sets of the call in flight when the signal fired (also in `notApplied`); empty when none was. */
  readonly inFlight: readonly string[];
  /** Ownership markers written by this apply and deleted again because their records were not written. */
  readonly undone: readonly string[];

  /**
   * @param provider the provider's name, e.g. `pdns`.
   * @param cause the `AbortedError` the abort raised.
   * @param progress what was written (`applied`), what not (`notApplied`, the in-flight call's
   *   records included), what was in flight (`inFlight`, default none) and which markers were
   *   removed again (`undone`, default none), as `describeEndpoint` strings.
   */
  constructor(
    provider: string,
    cause: unknown,
    progress: {
      applied: readonly string[];
      notApplied: readonly string[];
      inFlight?: readonly string[];
      undone?: readonly string[];
    },
  ) {
    const { applied, notApplied, inFlight = [], undone = [] } = progress;
    super(
      `${provider}: aborted after ${applied.length} record set change(s) were applied${list(applied)}; ${notApplied.length} not applied${list(notApplied)}${
        inFlight.length
          ? `; the ${inFlight.length} in the call in flight when the signal fired may or may not have been applied${list(inFlight)}`
          : ''
      }${undone.length ? `; markers removed again${list(undone)}` : ''}`,
      { cause },
    );
    this.name = 'AbortedApplyError';
    this.provider = provider;
    this.applied = applied;
    this.notApplied = notApplied;
    this.inFlight = inFlight;
    this.undone = undone;
  }
}
