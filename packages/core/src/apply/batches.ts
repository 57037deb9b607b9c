import { describeEndpoint, LabelKeys, nameKey, type Endpoint } from '../endpoint/endpoint.js';
import {
  ConfigError,
  DnsError,
  isDnsError,
  rebaseIssues,
  throwIfAborted,
  ValidationError,
  type Issue,
  type IssuePath,
} from '../errors.js';
import {
  batchChanges,
  CHANGE_LISTS,
  emptyChanges,
  type BatchChange,
  type ChangeList,
  type Changes,
} from '../provider/changes.js';
import type { BatchLimit, CallOptions, Provider, ProviderCapabilities } from '../provider/provider.js';
import { AbortedApplyError, InterruptedApplyError } from '../provider/writePhases.js';
import { appendAll } from '../lists.js';

/** The capabilities batching reads: the limits, and atomicity for changes too large for one call. */
export type BatchingCapabilities = Pick<ProviderCapabilities, 'maxChangesPerApply' | 'batchLimits'> &
  Partial<Pick<ProviderCapabilities, 'atomicity'>>;

/**
 * Number of distinct values (targets) of an endpoint: the `ResourceRecord` elements of a Route53
 * record set, the records of a Cloudflare name and type.
 */
export function valueCount(ep: Endpoint): number {
  return ep.targets.length < 2 ? ep.targets.length : new Set(ep.targets).size;
}

/**
 * Cost function for APIs that store one record per value (as Cloudflare does): a create or
 * delete costs one operation per distinct value; an update costs `max(old values, new values)`, the
 * operations needed when old values are rewritten in place pairwise and only the surplus is created
 * or deleted (what the Cloudflare provider sends: a PATCH per value, then POSTs or DELETEs).
 */
export function perValueCost(change: BatchChange): number {
  const values = valueCount(change.endpoint);
  return change.kind === 'update' ? Math.max(values, valueCount(change.old)) : values;
}

/**
 * The {@link BatchLimit} that `maxChangesPerApply: max` stands for: at most `max` endpoints per call,
 * a create or delete counting 1 and an update 2 (its old and new versions).
 * @throws {ConfigError} when `max` is not a positive number.
 */
export function endpointCountLimit(max: number): BatchLimit {
  checkMax('maxChangesPerApply', max);
  return { name: 'endpoints (maxChangesPerApply)', max, cost: (c) => (c.kind === 'update' ? 2 : 1) };
}

/** Every limit a provider declares: `maxChangesPerApply` (as {@link endpointCountLimit}) and `batchLimits`. */
export function batchLimitsOf(capabilities: BatchingCapabilities): BatchLimit[] {
  const { maxChangesPerApply: max, batchLimits = [] } = capabilities;
  return max === undefined ? [...batchLimits] : [endpointCountLimit(max), ...batchLimits];
}

function checkMax(name: string, max: number): void {
  if (!(Number.isFinite(max) && max > 0))
    throw new ConfigError(`batch limit "${name}": max must be a positive number, got ${max}`);
}

// A record and its ownership TXT (which names the record in its `ownedRecord` label) share a unit,
// and so do every change at one name: they must reach the provider in the same call.
function unitKey(ep: Endpoint): string {
  const owned = ep.recordType === 'TXT' ? ep.labels[LabelKeys.ownedRecord] : undefined;
  return nameKey(owned ?? ep.dnsName, ep.setIdentifier);
}

/**
 * Groups a change set into units that must travel together, in first-seen order: a record with its
 * ownership TXT, every change at one name, and an update's old and new versions (`updateOld[i]`
 * with `updateNew[i]`, even should their names differ). Order within lists is kept.
 */
function toUnits(changes: Changes): Changes[] {
  const ids = new Map<string, number>();
  const parent: number[] = [];
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const idOf = (ep: Endpoint): number => {
    const key = unitKey(ep);
    let id = ids.get(key);
    if (id === undefined) {
      id = parent.length;
      parent.push(id);
      ids.set(key, id);
    }
    return id;
  };
  const listIds = {} as Record<ChangeList, number[]>;
  for (const list of CHANGE_LISTS) listIds[list] = changes[list].map(idOf);
  const pairs = Math.min(changes.updateOld.length, changes.updateNew.length);
  for (let i = 0; i < pairs; i++) {
    const a = root(listIds.updateOld[i] as number);
    const b = root(listIds.updateNew[i] as number);
    // the first-seen key stays the root, so units keep first-seen order
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const units = new Map<number, Changes>();
  for (let id = 0; id < parent.length; id++) if (root(id) === id) units.set(id, emptyChanges());
  for (const list of CHANGE_LISTS)
    changes[list].forEach((ep, i) => (units.get(root(listIds[list][i] as number)) as Changes)[list].push(ep));
  return [...units.values()];
}

function merge(units: readonly Changes[]): Changes {
  const out = emptyChanges();
  for (const unit of units) for (const list of CHANGE_LISTS) appendAll(out[list], unit[list]);
  return out;
}

/** A record's own endpoints, not its ownership markers (all of them when there are only markers). */
function namedRecords(changes: Changes): string[] {
  const all = CHANGE_LISTS.flatMap((l) => changes[l]);
  const records = all.filter((ep) => !(ep.recordType === 'TXT' && ep.labels[LabelKeys.ownedRecord]));
  return [...new Set((records.length ? records : all).map(describeEndpoint))];
}

function costOf(limit: BatchLimit, change: BatchChange): number {
  const cost = limit.cost(change);
  if (!(Number.isFinite(cost) && cost >= 0))
    throw new ConfigError(
      `batch limit "${limit.name}": the cost of ${describeEndpoint(change.endpoint)} (${change.kind}) is ${cost}; costs must be finite numbers ≥ 0`,
    );
  return cost;
}

/** Calls `fn` for each change of a change set whose update lists pair up, as {@link batchChanges} lists them. */
function forEachChange(changes: Changes, fn: (change: BatchChange) => void): void {
  for (const endpoint of changes.create) fn({ kind: 'create', endpoint });
  changes.updateNew.forEach((endpoint, i) =>
    fn({ kind: 'update', endpoint, old: changes.updateOld[i] as Endpoint }),
  );
  for (const endpoint of changes.delete) fn({ kind: 'delete', endpoint });
}

function changesOf(change: BatchChange): Changes {
  const out = emptyChanges();
  if (change.kind === 'update') {
    out.updateOld.push(change.old);
    out.updateNew.push(change.endpoint);
  } else out[change.kind].push(change.endpoint);
  return out;
}

/** A group sent in one call, with its cost under each limit. */
interface Piece {
  changes: Changes;
  costs: number[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

function tooLarge(
  limits: readonly BatchLimit[],
  costs: readonly number[],
): { limit: BatchLimit; cost: number } | undefined {
  const k = limits.findIndex((l, i) => (costs[i] as number) > l.max);
  return k < 0 ? undefined : { limit: limits[k] as BatchLimit, cost: costs[k] as number };
}

function oversizeIssue(
  all: Changes,
  piece: Changes,
  over: { limit: BatchLimit; cost: number },
  single: boolean,
): Issue {
  const first = CHANGE_LISTS.flatMap((list) => piece[list].map((ep) => ({ list, ep })))[0];
  const why = single
    ? 'a single change cannot be split'
    : 'a record travels with its ownership TXT and the other changes at its name, an update with its old version';
  return {
    path: first ? [first.list, all[first.list].indexOf(first.ep)] : [],
    code: 'batch_limit_exceeded',
    message: `${namedRecords(piece).join(', ')}: costs ${fmt(over.cost)} ${over.limit.name}, more than the ${fmt(over.limit.max)} one applyChanges call may carry (${why})`,
  };
}

/**
 * Splits a change set into the fewest batches, in order, that each satisfy every limit:
 * `limits` is a provider's capabilities (`maxChangesPerApply`, `batchLimits`, `atomicity`), or a
 * number as shorthand for `{ maxChangesPerApply: limits }`; `undefined` means no limit.
 *
 * Batches are packed greedily in first-seen order, never separating a record from its ownership
 * TXT, the changes at one name, or an update's old and new versions. Order within lists is kept.
 * Without limits, or when everything fits, the change set is returned as the only batch.
 *
 * @throws {ValidationError} (code `VALIDATION`, issues `batch_limit_exceeded`) when a group that
 *   must travel together costs more than a limit allows, listing every such group, its records and
 *   the limit. With `atomicity: 'record'` such a group is spread over several batches instead, and
 *   only a single change above a limit is an error. Thrown before anything could be sent.
 * @throws {ValidationError} (issue `update_pairs`) when `updateOld` and `updateNew` differ in length.
 * @throws {ConfigError} when a limit's `max` is not positive or a cost is negative or not finite.
 */
export function splitChanges(changes: Changes, limits: number | undefined | BatchingCapabilities): Changes[] {
  if (CHANGE_LISTS.every((list) => changes[list].length === 0)) return [];
  const capabilities: BatchingCapabilities =
    typeof limits === 'object' ? limits : limits === undefined ? {} : { maxChangesPerApply: limits };
  const all = batchLimitsOf(capabilities);
  if (all.length === 0) return [changes];
  for (const limit of all) checkMax(limit.name, limit.max);
  if (changes.updateOld.length !== changes.updateNew.length) batchChanges(changes); // throws: no pairs

  // Everything fits in one call (the common case): no need to group changes by name. A group never
  // costs more than the whole, so nothing can be oversized then either.
  const whole = all.map(() => 0);
  forEachChange(changes, (change) => {
    for (let k = 0; k < all.length; k++)
      whole[k] = (whole[k] as number) + costOf(all[k] as BatchLimit, change);
  });
  if (!tooLarge(all, whole)) return [changes];

  const pieces: Piece[] = [];
  const issues: Issue[] = [];
  const total = all.map(() => 0);
  for (const unit of toUnits(changes)) {
    const costs = all.map(() => 0);
    let count = 0;
    forEachChange(unit, (change) => {
      count++;
      for (let k = 0; k < all.length; k++)
        costs[k] = (costs[k] as number) + costOf(all[k] as BatchLimit, change);
    });
    for (let k = 0; k < all.length; k++) total[k] = (total[k] as number) + (costs[k] as number);
    const over = tooLarge(all, costs);
    if (!over) pieces.push({ changes: unit, costs });
    else if (capabilities.atomicity !== 'record' || count === 1)
      issues.push(oversizeIssue(changes, unit, over, count === 1));
    else {
      // every record set is written on its own anyway: send the group's changes one by one
      forEachChange(unit, (change) => {
        const one = all.map((l) => costOf(l, change));
        const single = tooLarge(all, one);
        if (single) issues.push(oversizeIssue(changes, changesOf(change), single, true));
        else pieces.push({ changes: changesOf(change), costs: one });
      });
    }
  }
  if (issues.length)
    throw new ValidationError(issues, {
      summary: `${issues.length} change${issues.length === 1 ? ' is' : 's are'} larger than one applyChanges call may carry; nothing was sent`,
    });
  if (!tooLarge(all, total)) return [changes];

  const batches: Changes[][] = [];
  let current: Changes[] = [];
  const sums = all.map(() => 0);
  for (const piece of pieces) {
    const fits = all.every((l, k) => (sums[k] as number) + (piece.costs[k] as number) <= l.max);
    if (current.length && !fits) {
      batches.push(current);
      current = [];
      sums.fill(0);
    }
    current.push(piece.changes);
    piece.costs.forEach((c, k) => (sums[k] = (sums[k] as number) + c));
  }
  if (current.length) batches.push(current);
  return batches.map(merge);
}

/** One change a provider rejected for its content, isolated from the rest of its batch. */
export interface RejectedChange {
  /** The records of the rejected unit, e.g. `api.example.com A`. */
  records: string[];
  /** The provider's reason, e.g. Cloudflare's error message for that record. */
  reason: string;
}

/**
 * Some changes were rejected for their content and left out; everything else was applied.
 * Thrown by {@link applyInBatches} after it has applied what it could.
 */
export class PartialApplyError extends DnsError {
  /**
   * The changes the provider rejected for their content, each with the records concerned and the
   * provider's reason.
   */
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

/**
 * The provider refused a batch because of one of its records (not a transient fault): its content
 * (`RECORD_REJECTED`), or what is stored beside it for good (a `RECORD_CONFLICT` that is not
 * retryable: a CNAME beside data of a type we do not read). Either is isolated by bisection, and
 * the rest is applied. A retryable conflict (the zone changed since the plan's read) is not: the
 * next run plans again from what is stored.
 */
function isContentRejection(error: unknown): error is DnsError {
  if (!isDnsError(error)) return false;
  if (error.code === 'RECORD_REJECTED') return true;
  return error.code === 'RECORD_CONFLICT' && (error as { retryable?: unknown }).retryable !== true;
}

/** Options of {@link applyInBatches}: the call options, plus progress. */
export interface ApplyInBatchesOptions extends CallOptions {
  /** Called after each batch the provider accepted. */
  onBatchApplied?: (batch: Changes) => void;
}

/**
 * Sends a change set to a provider in as few calls as its declared limits allow
 * (`capabilities.maxChangesPerApply` and `capabilities.batchLimits`, split by {@link splitChanges}):
 * the one place batching happens, so providers never split on their own.
 *
 * When a batch is rejected for its content or a lasting conflict with what is stored (a
 * `RECORD_REJECTED`, or a `RECORD_CONFLICT` that is not retryable, from an all-or-nothing
 * provider), it is bisected by units until the bad changes are isolated; the rest is applied and a
 * {@link PartialApplyError} names each rejected change and why. Halves of a batch that fit the
 * limits fit them too (costs are never negative). Any other error stops at once.
 *
 * @throws {ValidationError} before any call when a change that cannot be split is larger than a
 *   limit allows (see {@link splitChanges}).
 * @throws {PartialApplyError} after applying everything else, when some changes were rejected.
 * @throws {InterruptedApplyError} when a call fails (for another reason than its content) after
 *   earlier calls were applied: `applied` names the records written, `notApplied` the others (the
 *   failed call's, those not sent, and any rejected); its code, `retryable` and `cause` are the
 *   failure's. The next run plans from what is stored and converges. A failure before anything was
 *   applied (an abort included) and a `ValidationError` are thrown as they are.
 * @throws {AbortedApplyError} (an `AbortedError`, `ABORTED`) when the signal fires after earlier
 *   calls were applied: `applied` names the records written, `notApplied` the others, `inFlight`
 *   those of the call out when it fired (which the server may or may not have applied).
 */
export function applyInBatches(
  provider: Provider,
  changes: Changes,
  options: ApplyInBatchesOptions = {},
): Promise<void> {
  return applyBatches(provider, changes, () => splitChanges(changes, provider.capabilities), options);
}

/**
 * {@link applyInBatches} with the split given: `split()` returns {@link splitChanges} of exactly
 * `changes` (the registry splits while it previews, so a dry run refuses what a run would).
 * @internal
 */
export async function applyBatches(
  provider: Provider,
  changes: Changes,
  split: () => Changes[],
  options: ApplyInBatchesOptions = {},
): Promise<void> {
  const rejected: RejectedChange[] = [];
  // the batches (or halves of one) the provider accepted, to name them when a later one fails
  const applied: Changes[] = [];
  const call = options.signal ? { signal: options.signal } : {};
  // the batch sent and not yet answered: its outcome is unknown when the call fails or is aborted
  let inFlight: Changes | undefined;
  // `units` are only worked out when a batch is rejected and must be bisected
  const send = async (batch: Changes, units?: Changes[]): Promise<void> => {
    throwIfAborted(options.signal);
    try {
      inFlight = batch;
      await provider.applyChanges(batch, call);
      inFlight = undefined;
      applied.push(batch);
      options.onBatchApplied?.(batch);
    } catch (error) {
      // the provider's paths point into the batch; the caller knows the whole change set
      if (error instanceof ValidationError && batch !== changes) throw rebaseIssues(error, inWhole(batch));
      if (!isContentRejection(error)) throw error;
      inFlight = undefined;
      const parts = units ?? toUnits(batch);
      if (parts.length === 1) {
        // name the records, not their ownership markers
        rejected.push({ records: namedRecords(batch), reason: error.message });
        return;
      }
      const half = Math.ceil(parts.length / 2);
      const first = parts.slice(0, half);
      const second = parts.slice(half);
      await send(merge(first), first);
      await send(merge(second), second);
    }
  };
  let positions: Map<Endpoint, number>[] | undefined;
  // [list, j, …] in a batch → [list, k, …] in `changes` (batches hold the same endpoint objects)
  const inWhole =
    (batch: Changes) =>
    (path: IssuePath): IssuePath | undefined => {
      const [list, j] = path;
      const at = CHANGE_LISTS.indexOf(list as ChangeList);
      if (at === -1 || typeof j !== 'number') return undefined;
      positions ??= CHANGE_LISTS.map((name) => new Map(changes[name].map((ep, k) => [ep, k])));
      const ep = batch[CHANGE_LISTS[at] as ChangeList][j];
      const k = ep === undefined ? undefined : positions[at]?.get(ep);
      return k === undefined ? undefined : [list as string, k, ...path.slice(2)];
    };
  const batches = split();
  try {
    for (const batch of batches) await send(batch);
  } catch (error) {
    throw interrupted(provider.name, error, changes, { applied, inFlight });
  }
  if (rejected.length) throw new PartialApplyError(rejected);
}

/**
 * The error of a call that failed after earlier calls of one change set were applied: an
 * {@link InterruptedApplyError} naming what was written and what not, or for an abort an
 * {@link AbortedApplyError} (still `ABORTED`) that also names the call in flight, whose outcome is
 * unknown. An error before anything was applied and a `ValidationError` are returned as they are.
 * A provider's own `InterruptedApplyError` (part of the failed call applied) is merged in.
 */
function interrupted(
  provider: string,
  error: unknown,
  changes: Changes,
  progress: { applied: readonly Changes[]; inFlight: Changes | undefined },
): unknown {
  const { applied, inFlight } = progress;
  if (error instanceof ValidationError) return error;
  const inner = error instanceof InterruptedApplyError ? error : undefined;
  if (applied.length === 0) return error;
  const written = new Set<Endpoint>();
  for (const batch of applied) for (const list of CHANGE_LISTS) for (const ep of batch[list]) written.add(ep);
  const rest = emptyChanges();
  changes.updateOld.forEach((ep, i) => {
    const next = changes.updateNew[i] as Endpoint;
    if (written.has(ep) && written.has(next)) return;
    rest.updateOld.push(ep);
    rest.updateNew.push(next);
  });
  for (const list of ['create', 'delete'] as const)
    for (const ep of changes[list]) if (!written.has(ep)) rest[list].push(ep);
  const appliedNames = namedRecords(merge(applied));
  // what the provider wrote of the failed call counts as applied
  if (inner) appendAll(appliedNames, inner.applied);
  const innerApplied = new Set(inner?.applied ?? []);
  if (isDnsError(error) && error.code === 'ABORTED') {
    const unknown = inFlight ? namedRecords(inFlight).filter((name) => !innerApplied.has(name)) : [];
    return new AbortedApplyError(provider, inner?.cause ?? error, {
      applied: [...new Set(appliedNames)],
      notApplied: namedRecords(rest).filter((name) => !innerApplied.has(name)),
      inFlight: unknown,
      undone: inner?.undone ?? [],
    });
  }
  return new InterruptedApplyError(provider, inner?.cause ?? error, {
    applied: [...new Set(appliedNames)],
    notApplied: namedRecords(rest).filter((name) => !innerApplied.has(name)),
    undone: inner?.undone ?? [],
  });
}
