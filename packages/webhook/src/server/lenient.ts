/**
 * Record-by-record handling of what ExternalDNS sends. ExternalDNS's client treats every 4xx as
 * fatal (the controller exits and crash-loops), so one bad record must never refuse a whole request:
 * `/adjustendpoints` returns an endpoint with an invalid value unadjusted (ExternalDNS plans it, so a
 * stored version is updated, never deleted) and drops one that no stored record can answer to (a
 * type the provider cannot store, a name outside its filter, an invalid name); `/records` applies
 * everything else and names what it could not apply, which keeps what is stored.
 */
import {
  CHANGE_LISTS,
  describeEndpoint,
  formatIssuePath,
  isDnsError,
  KNOWN_RECORD_TYPES,
  LabelKeys,
  PartialApplyError,
  ProviderError,
  safeParseEndpoints,
  ValidationError,
  type ChangeList,
  type Changes,
  type Endpoint,
  type EndpointParseOptions,
  type Issue,
  type Provider,
} from '@openova/dns-core';
import { applyInBatches, canonicalTarget, zoneMatcher } from '@openova/dns-core/provider';

/** Most rejections named in one answer or logged one by one; the rest are counted. */
export const MAX_LISTED_REJECTIONS = 20;

/** Why a record was left out (the `reason` label of the invalid-endpoint metric). */
export type RejectionReason =
  'invalid' | 'unsupported_type' | 'no_zone' | 'provider_validation' | 'provider_rejected';

/** One record (with its ownership marker) that was left out, and why. */
export interface Rejection {
  /** `name TYPE` of each record of the unit, markers included. */
  records: string[];
  reason: RejectionReason;
  message: string;
  /**
   * `/adjustendpoints` only: the endpoint was returned unadjusted instead of dropped (its value is
   * invalid, its key valid), so ExternalDNS plans it and `/records` refuses it, keeping what is stored.
   */
  kept?: boolean;
}

/** One endpoint of a request, parsed when it is valid. */
export interface Entry {
  list: ChangeList | 'endpoints';
  index: number;
  endpoint: Endpoint | undefined;
  /** `name TYPE` as sent, for an endpoint that failed to parse (see {@link labelOfEntry}). */
  label: string | undefined;
  /** Why it failed to parse. */
  problem: string | undefined;
  /** The JSON as sent, kept only when it failed to parse (to find its unit). */
  raw?: unknown;
  /**
   * `path: message` of each field of a JSON type ExternalDNS's Go types cannot decode (a number for
   * a string, an object for a list, a fractional TTL): a malformed request, not a bad record.
   */
  malformed?: string[];
  /**
   * For a desired endpoint (`/adjustendpoints`) whose only problems are in its value (targets, TTL,
   * labels, provider-specific properties) while its name, type and set identifier are valid: the
   * endpoint as sent, checked for shape only. A stored version of it may exist, so it is returned
   * unadjusted instead of dropped (see {@link isValueIssuePath}).
   */
  asSent?: Endpoint;
}

/** The fields of an endpoint that hold its value: the name, type and set identifier are its key. */
const VALUE_FIELDS: ReadonlySet<string | number> = new Set([
  'targets',
  'recordTTL',
  'labels',
  'providerSpecific',
]);

/**
 * Whether an issue path into one endpoint (`[field, …]`, the endpoint's index left out) is about its
 * value rather than its key (name, type, set identifier) or the endpoint as a whole. A record with
 * a valid key and an invalid value may have a stored version that ExternalDNS would delete if the
 * endpoint were dropped from `/adjustendpoints`.
 */
export function isValueIssuePath(path: readonly (string | number)[]): boolean {
  return path.length > 0 && VALUE_FIELDS.has(path[0] as string | number);
}

/** Parse options for a provider: its extra record types (PowerDNS `LUA`) are accepted. */
export function parseOptionsFor(provider: Provider): EndpointParseOptions {
  const extra = provider.capabilities.recordTypes.filter(
    (type) => !(KNOWN_RECORD_TYPES as readonly string[]).includes(type),
  );
  return { extraRecordTypes: Object.fromEntries(extra.map((type) => [type, null])) };
}

function field(raw: unknown, name: string): unknown {
  if (typeof raw !== 'object' || raw === null) return undefined;
  for (const [key, value] of Object.entries(raw)) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

/** The value at an issue path inside one endpoint as sent (keys matched as Go matches them). */
function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let value = raw;
  for (const part of path) {
    if (typeof part === 'number') value = Array.isArray(value) ? (value as unknown[])[part] : undefined;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value))
      value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : field(value, part);
    else value = undefined;
  }
  return value;
}

/**
 * Whether an issue is about a value Go's JSON decoder refuses for ExternalDNS's types (the request is
 * malformed) rather than a value it decodes (a bad record): a value of another JSON type, or a TTL
 * that is not a whole number. A missing field or `null` decodes as empty in Go, so it is a record's
 * problem.
 */
function isDecodeFailure(issue: Issue, raw: unknown): boolean {
  const value = valueAt(raw, issue.path.slice(1));
  if (value === undefined || value === null) return false;
  if (issue.code === 'invalid_ttl') return typeof value === 'number' && !Number.isInteger(value);
  return issue.code === 'invalid_type';
}

function labelOf(raw: unknown, fallback: string): string {
  const name = field(raw, 'dnsName');
  const type = field(raw, 'recordType');
  if (typeof name !== 'string') return fallback;
  return `${name.slice(0, 255)} ${typeof type === 'string' ? type.slice(0, 16) : '?'}`;
}

/**
 * An endpoint whose targets repeat one another (as a source can list one address twice) with each
 * target once: the record is what the caller meant, and dropping it whole would make a `sync`
 * delete a record it owns. Targets compare as core compares them (TXT exactly, others canonical).
 */
function withoutRepeatedTargets(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const targets = (raw as { targets?: unknown }).targets;
  if (!Array.isArray(targets) || targets.length < 2 || !targets.every((t) => typeof t === 'string'))
    return raw;
  const type = (raw as { recordType?: unknown }).recordType;
  const txt = typeof type === 'string' && type.toUpperCase() === 'TXT';
  const seen = new Set<string>();
  const kept = targets.filter((t) => {
    const key = txt ? t : canonicalTarget(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return kept.length === targets.length ? raw : { ...raw, targets: kept };
}

/**
 * An endpoint as sent, checked for shape only (its content is known to be invalid), or `undefined`
 * when even its shape is not an endpoint's. A TTL out of range (which the shape-only parse still
 * refuses) is kept as sent.
 */
function asSentEndpoint(raw: unknown, options: EndpointParseOptions): Endpoint | undefined {
  const loose = { ...options, validateContent: false };
  const parsed = safeParseEndpoints([raw], loose);
  if (parsed.success) return parsed.data[0];
  const ttl = field(raw, 'recordTTL');
  if (typeof ttl !== 'number' || !parsed.error.issues.every((issue) => issue.path[1] === 'recordTTL'))
    return undefined;
  const withoutTtl = Object.fromEntries(
    Object.entries(raw as object).filter(([key]) => key.toLowerCase() !== 'recordttl'),
  );
  const again = safeParseEndpoints([withoutTtl], loose);
  if (!again.success) return undefined;
  const ep = again.data[0] as Endpoint;
  ep.recordTTL = ttl;
  return ep;
}

/**
 * Parses a JSON list of endpoints one by one: each valid endpoint is kept, each invalid one keeps
 * the reason (its first issues, with paths into the request). `null` is an empty list. A value
 * that is not a list at all returns `undefined` (the request's shape is wrong, not one record).
 */
export function parseEach(
  input: unknown,
  list: Entry['list'],
  options: EndpointParseOptions,
): Entry[] | undefined {
  if (input === null || input === undefined) return [];
  if (!Array.isArray(input)) return undefined;
  const entries: Entry[] = [];
  for (let index = 0; index < input.length; index++) {
    const raw: unknown = withoutRepeatedTargets(input[index]);
    // dropped from the request as it is parsed: the parsed endpoint replaces it in memory
    (input as unknown[])[index] = undefined;
    // what is stored is deleted (or replaced) as it is: only the shape of old records is checked,
    // so a record the server accepted but our rules would not write can still be removed
    const parsed = safeParseEndpoints(
      [raw],
      list === 'delete' || list === 'updateOld' ? { ...options, validateContent: false } : options,
    );
    const fallback = `${list === 'endpoints' ? '' : list}[${index}]`;
    if (parsed.success) {
      const endpoint = parsed.data[0] as Endpoint;
      entries.push({ list, index, endpoint, label: undefined, problem: undefined });
    } else {
      const describe = (issue: Issue) =>
        `${formatIssuePath([...(list === 'endpoints' ? [] : [list]), index, ...issue.path.slice(1)])}: ${issue.message}`;
      const problem = parsed.error.issues.slice(0, 3).map(describe).join('; ');
      const malformed = parsed.error.issues.filter((issue) => isDecodeFailure(issue, raw)).map(describe);
      const asSent =
        list === 'endpoints' && parsed.error.issues.every((issue) => isValueIssuePath(issue.path.slice(1)))
          ? asSentEndpoint(raw, options)
          : undefined;
      entries.push({
        list,
        index,
        endpoint: undefined,
        label: labelOf(raw, fallback),
        problem,
        raw,
        ...(malformed.length ? { malformed } : {}),
        ...(asSent ? { asSent } : {}),
      });
    }
  }
  return entries;
}

/** Most malformed fields named in a 400 answer; the rest are counted. */
const MAX_LISTED_MALFORMED = 10;

/**
 * The 400 answer for entries with fields Go's decoder refuses (see {@link Entry.malformed}), or
 * `undefined` when there are none: every such field counted, the first few named by path.
 */
export function describeMalformed(entries: readonly Entry[]): string | undefined {
  const fields: string[] = [];
  let count = 0;
  for (const entry of entries) {
    if (!entry.malformed) continue;
    count += entry.malformed.length;
    for (const f of entry.malformed) if (fields.length < MAX_LISTED_MALFORMED) fields.push(f);
  }
  if (count === 0) return undefined;
  const more = count > fields.length ? `; and ${count - fields.length} more` : '';
  return `malformed request body (nothing was applied): ${count} ${count === 1 ? 'field has' : 'fields have'} the wrong JSON type for ExternalDNS's endpoint (dnsName, recordType, setIdentifier: strings; targets: a list of strings; recordTTL: a whole number; labels: an object of strings; providerSpecific: a list of {name, value} strings): ${fields.join('; ')}${more}`;
}

/** `name TYPE` of an entry, for messages. */
export function labelOfEntry(entry: Entry): string {
  return entry.endpoint ? describeEndpoint(entry.endpoint) : (entry.label ?? `${entry.list}[${entry.index}]`);
}

/**
 * Why the provider cannot write an entry, or `undefined`: a type it cannot store; and for what is
 * to be written (not what is deleted), a set identifier where it has none, a name outside its
 * domain filter, or no targets. Such an entry is left out of `/records` (with its ownership marker
 * and, for an update, its old version). `/adjustendpoints` drops it, except one without targets: a
 * stored version of it may exist, so it is returned as sent (see {@link keyUnwritableReason}).
 */
export function unwritableReason(provider: Provider, entry: Entry): string | undefined {
  const ep = entry.endpoint;
  if (ep === undefined) return undefined;
  if (entry.list === 'delete' || entry.list === 'updateOld') {
    const type = ep.recordType.toUpperCase();
    const supported = provider.capabilities.recordTypes.some((t) => t.toUpperCase() === type);
    return supported ? undefined : `the ${provider.name} provider cannot store ${type} records`;
  }
  return keyUnwritableReason(provider, ep) ?? (ep.targets.length === 0 ? noTargets(ep) : undefined);
}

/** The reason given for an endpoint without targets. */
export function noTargets(ep: Endpoint): string {
  return `${ep.dnsName} ${ep.recordType.toUpperCase()} has no targets`;
}

/**
 * Why no record the provider stores can be this desired endpoint's current version, or `undefined`:
 * a type it cannot store, a set identifier where it has none, a name outside its domain filter
 * (ExternalDNS's planner, which applies the negotiated filter, never deletes a record there). Such
 * an endpoint is dropped from `/adjustendpoints`: keeping it could protect nothing.
 */
export function keyUnwritableReason(provider: Provider, ep: Endpoint): string | undefined {
  const type = ep.recordType.toUpperCase();
  if (!provider.capabilities.recordTypes.some((t) => t.toUpperCase() === type))
    return `the ${provider.name} provider cannot store ${type} records`;
  if (!provider.capabilities.setIdentifiers && ep.setIdentifier !== '')
    return `the ${provider.name} provider has no set identifiers (setIdentifier ${JSON.stringify(ep.setIdentifier)})`;
  if (!provider.domainFilter.matches(ep.dnsName))
    return `${ep.dnsName} is outside the provider's domain filter`;
  return undefined;
}

/** Result of {@link applyLeniently}. */
export interface LenientApply {
  /** Endpoints sent to the provider and accepted, by list. */
  applied: { create: number; update: number; delete: number };
  rejected: Rejection[];
  /** True when the deadline (or the shutdown's `cut`) stopped the apply before everything was sent. */
  interrupted: boolean;
  /**
   * `name TYPE` of each record of the provider call that `cut` aborted while it ran (whether the
   * provider wrote it is unknown; the next run reads what is stored); empty when none was.
   */
  abortedCall: string[];
  /**
   * `name TYPE` of each record to be written that was never sent, when interrupted: not written.
   * Disjoint from `abortedCall` (sent, outcome unknown) and from what was written.
   */
  notWritten: string[];
}

// A record, its ownership marker (which names it in its `ownedRecord` label), every change at one
// name, and an update's old and new versions travel together, as core's batching keeps them.
function unitKeyOf(entry: Entry): string {
  const raw = entry.raw;
  const ep = entry.endpoint;
  const owned = ep
    ? ep.recordType === 'TXT'
      ? ep.labels[LabelKeys.ownedRecord]
      : undefined
    : field(field(raw, 'labels'), LabelKeys.ownedRecord);
  const name = typeof owned === 'string' && owned !== '' ? owned : (ep?.dnsName ?? field(raw, 'dnsName'));
  const id = ep?.setIdentifier ?? field(raw, 'setIdentifier');
  return `${typeof name === 'string' ? name.toLowerCase().replace(/\.$/, '') : `#${entry.list}${entry.index}`}\u0000${typeof id === 'string' ? id : ''}`;
}

/** `name TYPE set-identifier` of an entry, as ExternalDNS keys a record (names without a final dot). */
function recordKeyOf(entry: Entry): string {
  const ep = entry.endpoint;
  const name = ep?.dnsName ?? field(entry.raw, 'dnsName');
  const type = ep?.recordType ?? field(entry.raw, 'recordType');
  const id = ep?.setIdentifier ?? field(entry.raw, 'setIdentifier');
  return [
    typeof name === 'string' ? name.toLowerCase().replace(/\.$/, '') : `#${entry.list}${entry.index}`,
    typeof type === 'string' ? type.toUpperCase() : '',
    typeof id === 'string' ? id : '',
  ].join('\u0000');
}

/** How the entries of `updateOld` and `updateNew` pair up (see {@link pairUpdates}). */
export interface UpdatePairs {
  /** `[old, new]` entry positions (into the entries given), in `updateNew` order. */
  pairs: [number, number][];
  /** Entry positions of updates without a counterpart, each with why. */
  unpaired: { at: number; message: string }[];
}

/**
 * Pairs `updateOld` with `updateNew` as ExternalDNS means them: `updateOld[i]` is replaced by
 * `updateNew[i]`, a record by one of the same name, type and set identifier. When the lists differ
 * in length or a pair's names differ (a change set ExternalDNS's planner does not make, though its
 * registry filters the two lists apart), the entries left are paired by name, type and set
 * identifier where exactly one of each side matches; each one left after that is unpaired, with a
 * message naming both lengths, and is not written (with its ownership TXT record).
 */
export function pairUpdates(entries: readonly Entry[]): UpdatePairs {
  const olds: number[] = [];
  const news: number[] = [];
  entries.forEach((entry, i) => {
    if (entry.list === 'updateOld') olds[entry.index] = i;
    else if (entry.list === 'updateNew') news[entry.index] = i;
  });
  const pairs: [number, number][] = [];
  const freeOld: number[] = [];
  const freeNew: number[] = [];
  for (let k = 0; k < Math.max(olds.length, news.length); k++) {
    const o = olds[k];
    const n = news[k];
    if (
      o !== undefined &&
      n !== undefined &&
      recordKeyOf(entries[o] as Entry) === recordKeyOf(entries[n] as Entry)
    )
      pairs.push([o, n]);
    else {
      if (o !== undefined) freeOld.push(o);
      if (n !== undefined) freeNew.push(n);
    }
  }
  const byKey = new Map<string, { old: number[]; new: number[] }>();
  const slot = (i: number) => {
    const key = recordKeyOf(entries[i] as Entry);
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { old: [], new: [] }));
    return found;
  };
  for (const o of freeOld) slot(o).old.push(o);
  for (const n of freeNew) slot(n).new.push(n);
  const unpaired: UpdatePairs['unpaired'] = [];
  const lengths = `updateOld has ${olds.length} ${olds.length === 1 ? 'record' : 'records'} and updateNew ${news.length}; ExternalDNS pairs them by index, updateOld[i] replaced by updateNew[i] of the same name and type`;
  for (const { old, new: fresh } of byKey.values()) {
    if (old.length === 1 && fresh.length === 1) {
      pairs.push([old[0] as number, fresh[0] as number]);
      continue;
    }
    for (const o of old) {
      const e = entries[o] as Entry;
      unpaired.push({
        at: o,
        message: `updateOld[${e.index}]: ${fresh.length ? 'more than one version in updateNew could replace it' : 'no version in updateNew replaces it'} (${lengths}); not written`,
      });
    }
    for (const n of fresh) {
      const e = entries[n] as Entry;
      unpaired.push({
        at: n,
        message: `updateNew[${e.index}]: ${old.length ? 'more than one version in updateOld could be the one it replaces' : 'no version in updateOld for it to replace'} (${lengths}); not written`,
      });
    }
  }
  pairs.sort((a, b) => (entries[a[1]] as Entry).index - (entries[b[1]] as Entry).index);
  return { pairs, unpaired };
}

/** Groups entries into units: an array giving each entry's unit number. */
export function unitsOf(entries: readonly Entry[], updates: UpdatePairs = pairUpdates(entries)): number[] {
  const parent: number[] = entries.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const join = (a: number, b: number) => {
    const ra = root(a);
    const rb = root(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byKey = new Map<string, number>();
  entries.forEach((entry, i) => {
    const key = unitKeyOf(entry);
    const first = byKey.get(key);
    if (first === undefined) byKey.set(key, i);
    else join(first, i);
  });
  for (const [o, n] of updates.pairs) join(o, n);
  return entries.map((_, i) => root(i));
}

/**
 * The records left out with a unit the provider refused: core names the records, not their
 * ownership markers, but a marker is left out with its record and a user counts it as a record too.
 */
function unitRecords(
  entries: readonly Entry[],
  unit: readonly number[],
  applied: ReadonlySet<Endpoint>,
  named: readonly string[],
): string[] {
  const names = new Set(named);
  const notApplied = (entry: Entry) => entry.endpoint !== undefined && !applied.has(entry.endpoint);
  const units = new Set<number>();
  entries.forEach((entry, i) => {
    if (notApplied(entry) && names.has(labelOfEntry(entry))) units.add(unit[i] as number);
  });
  const records = entries
    .filter((entry, i) => units.has(unit[i] as number) && notApplied(entry))
    .map(labelOfEntry);
  return records.length ? records : [...named];
}

/**
 * Applies every unit of a change set that can be applied, in as few provider calls as its limits
 * allow (core's `applyInBatches`, which bisects a batch the provider rejects for its content):
 * - units with an invalid endpoint, a type the provider cannot store, or a name no zone serves are
 *   left out before anything is sent;
 * - a `ValidationError` from the provider (thrown before it writes) leaves out the units its issue
 *   paths name, and the rest is sent again (a few rounds at most);
 * - a unit the provider refuses for its content is isolated by bisection and left out.
 * A write in flight is cut off only by `cut` (the server's drain deadline at shutdown); once
 * `signal` fires (the request's deadline, or `cut`) no further call starts.
 * @throws whatever the provider throws that is not about one record's content (an outage).
 */
export async function applyLeniently(
  provider: Provider,
  entries: readonly Entry[],
  signal: AbortSignal,
  cut?: AbortSignal,
): Promise<LenientApply> {
  const updates = pairUpdates(entries);
  const unit = unitsOf(entries, updates);
  const excluded = new Map<number, { reason: RejectionReason; message: string }>();
  const exclude = (i: number, reason: RejectionReason, message: string) => {
    const u = unit[i] as number;
    if (!excluded.has(u)) excluded.set(u, { reason, message });
  };
  for (const { at, message } of updates.unpaired) exclude(at, 'invalid', message);
  entries.forEach((entry, i) => {
    if (entry.problem !== undefined) exclude(i, 'invalid', entry.problem);
    else {
      const unsupported = unwritableReason(provider, entry);
      if (unsupported) exclude(i, 'unsupported_type', unsupported);
    }
  });
  const hasWork = entries.some((_, i) => !excluded.has(unit[i] as number));
  if (hasWork && provider.zones) {
    // served from the provider's cache (loaded now, with the deadline, when it has none)
    const zoneOf = zoneMatcher(await provider.zones({ signal }));
    entries.forEach((entry, i) => {
      if (entry.endpoint && zoneOf(entry.endpoint.dnsName) === undefined)
        exclude(i, 'no_zone', `no zone of the ${provider.name} provider serves ${entry.endpoint.dnsName}`);
    });
  }

  const applied = new Set<Endpoint>();
  const indexOf = new Map<Endpoint, number>();
  entries.forEach((entry, i) => entry.endpoint && indexOf.set(entry.endpoint, i));
  let lastBatch: Changes | undefined;
  let abortedCall: Changes | undefined;
  // the provider is called without the deadline: a write in flight finishes, none starts after it;
  // only the shutdown's `cut` aborts it
  const guarded: Provider = {
    name: provider.name,
    capabilities: provider.capabilities,
    domainFilter: provider.domainFilter,
    records: (options) => provider.records(options),
    adjustEndpoints: (eps, options) => provider.adjustEndpoints(eps, options),
    applyChanges: async (batch) => {
      lastBatch = batch;
      try {
        await provider.applyChanges(batch, cut ? { signal: cut } : undefined);
      } catch (error) {
        if (cut?.aborted) abortedCall = batch;
        // a conflict with what is stored (a CNAME beside a CAA) is about one record as well: have
        // core bisect the batch to isolate it, as it does for content the provider refuses
        if (isDnsError(error) && error.code === 'RECORD_CONFLICT')
          throw new ProviderError(error.message, {
            provider: provider.name,
            code: 'RECORD_REJECTED',
            cause: error,
          });
        throw error;
      }
    },
  };
  const rejected: Rejection[] = [];
  let interrupted = false;
  for (let round = 0; round < 5; round++) {
    const changes: Changes = { create: [], updateOld: [], updateNew: [], delete: [] };
    const pending = (i: number) => {
      const endpoint = (entries[i] as Entry).endpoint;
      return endpoint !== undefined && !excluded.has(unit[i] as number) && !applied.has(endpoint)
        ? endpoint
        : undefined;
    };
    entries.forEach((entry, i) => {
      if (entry.list !== 'create' && entry.list !== 'delete') return;
      const endpoint = pending(i);
      if (endpoint) changes[entry.list].push(endpoint);
    });
    // updates go as the pairs found: updateOld[i] with updateNew[i]
    for (const [o, n] of updates.pairs) {
      const old = pending(o);
      const fresh = pending(n);
      if (old && fresh) {
        changes.updateOld.push(old);
        changes.updateNew.push(fresh);
      }
    }
    if (CHANGE_LISTS.every((list) => changes[list].length === 0)) break;
    try {
      await applyInBatches(guarded, changes, {
        signal,
        onBatchApplied: (batch) => {
          for (const list of CHANGE_LISTS) for (const ep of batch[list]) applied.add(ep);
        },
      });
      break;
    } catch (error) {
      if (error instanceof PartialApplyError) {
        for (const r of error.rejected)
          rejected.push({
            records: unitRecords(entries, unit, applied, r.records),
            reason: 'provider_rejected',
            message: r.reason,
          });
        break;
      }
      if (signal.aborted && isDnsError(error) && error.code === 'ABORTED') {
        interrupted = true;
        break;
      }
      if (!(error instanceof ValidationError)) throw error;
      // a provider validates before it writes: leave out what its issues name, send the rest
      const batch = lastBatch ?? changes;
      let named = 0;
      for (const issue of error.issues) {
        const [list, index] = issue.path;
        const ep =
          typeof list === 'string' && typeof index === 'number'
            ? (batch as unknown as Record<string, Endpoint[] | undefined>)[list]?.[index]
            : undefined;
        const at = ep ? indexOf.get(ep) : undefined;
        if (at === undefined) continue;
        named++;
        exclude(at, 'provider_validation', issue.message);
      }
      // issues without a path into the change set: nothing to leave out, so it is an outage
      if (named === 0) throw error;
    }
  }
  const members = new Map<number, string[]>();
  entries.forEach((entry, i) => {
    const u = unit[i] as number;
    if (!excluded.has(u)) return;
    const list = members.get(u);
    if (list) list.push(labelOfEntry(entry));
    else members.set(u, [labelOfEntry(entry)]);
  });
  const left: Rejection[] = [...excluded].map(([u, why]) => ({
    records: members.get(u) ?? [],
    reason: why.reason,
    message: why.message,
  }));
  const count = (list: ChangeList) =>
    entries.filter((e) => e.list === list && e.endpoint && applied.has(e.endpoint)).length;
  // the aborted call's records were sent (their outcome is unknown): listed apart from these
  const inAbortedCall = new Set(
    abortedCall ? CHANGE_LISTS.flatMap((list) => (abortedCall as Changes)[list]) : [],
  );
  const notWritten = interrupted
    ? entries
        .filter(
          (e, i) =>
            e.endpoint &&
            e.list !== 'updateOld' &&
            !excluded.has(unit[i] as number) &&
            !applied.has(e.endpoint) &&
            !inAbortedCall.has(e.endpoint),
        )
        .map(labelOfEntry)
    : [];
  return {
    applied: { create: count('create'), update: count('updateNew'), delete: count('delete') },
    rejected: [...left, ...rejected],
    interrupted,
    abortedCall: abortedCall
      ? CHANGE_LISTS.filter((list) => list !== 'updateOld').flatMap((list) =>
          (abortedCall as Changes)[list].map(describeEndpoint),
        )
      : [],
    notWritten,
  };
}

/**
 * The records a rejection leaves out, as a user counts them (the unit of the 500 answer and of
 * `openova_dns_webhook_invalid_endpoints_total`): a name and type each, an ownership TXT record
 * being one too, an update's old and new versions one; at least 1.
 */
export function recordsLeftOut(rejection: Rejection): number {
  return Math.max(1, new Set(rejection.records).size);
}

/** Most records named per rejection in a summary (a record, its marker, an old version…). */
const MAX_LABELS_PER_REJECTION = 3;

/**
 * A one-paragraph summary in records, as a user counts them (a name and type: an ExternalDNS
 * endpoint; an ownership TXT record is one too): how many of the records sent were not applied,
 * then the first {@link MAX_LISTED_REJECTIONS} rejections, each naming its records and why; the
 * rest are counted. `sent` is the number of records the request changes (an update counts once).
 */
export function describeRejections(
  rejected: readonly Rejection[],
  sent: number,
  maxLength: number = 4000,
): string {
  // an update's old and new versions are one record: name and type once
  const records = rejected.map((r) => [...new Set(r.records)]);
  const count = (names: readonly string[]) => Math.max(1, names.length);
  const notApplied = rejected.reduce((n, r) => n + recordsLeftOut(r), 0);
  const total = Math.max(sent, notApplied);
  const head = `${notApplied} of ${total} ${total === 1 ? 'record was' : 'records were'} not applied (every other record was written; a record and its ownership TXT record are left out together): `;
  // the list stops where the answer would grow past `maxLength`; what is left is counted
  const budget = maxLength - head.length - 60;
  const listed: string[] = [];
  let length = 0;
  for (const [i, r] of rejected.entries()) {
    if (i >= MAX_LISTED_REJECTIONS) break;
    const names = records[i] as string[];
    const extra = names.length - MAX_LABELS_PER_REJECTION;
    const item = `${names.slice(0, MAX_LABELS_PER_REJECTION).join(', ')}${extra > 0 ? ` and ${extra} more` : ''}: ${r.message}`;
    if (listed.length > 0 && length + item.length + 2 > budget) break;
    listed.push(item);
    length += item.length + 2;
  }
  const unlisted = records.slice(listed.length).reduce((n, names) => n + count(names), 0);
  const more =
    unlisted > 0 ? `; and ${unlisted} more ${unlisted === 1 ? 'record' : 'records'} not listed` : '';
  return `${head}${listed.join('; ')}${more}`;
}
