import { isIPv4 } from 'node:net';
import {
  CHANGE_LISTS,
  ConfigError,
  describeEndpoint,
  emptyChanges,
  LabelKeys,
  DomainFilter,
  KNOWN_RECORD_TYPES,
  MAX_TTL,
  ProviderError,
  ValidationError,
  normalizeDnsName,
  sameTargets,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Issue,
  type Provider,
  type ProviderCapabilities,
  type RecordType,
} from '@openova/dns-core';
import {
  prepareChangeSet,
  CachedLoader,
  zoneMatcher,
  sortTargets,
  targetValidators,
  throwIfAborted,
  withoutTrailingDot,
  upperCased,
  lowerCased,
  checkDnsName,
  appendAll,
  canonicalizeTarget,
} from '@openova/dns-core/provider';
import {
  markPrechecked,
  PowerDnsClient,
  zoneIdFromName,
  type PowerDnsClientOptions,
  type RRsetChange,
} from './client.js';
import { isPowerDnsApiError, PowerDnsApplyError } from './errors.js';
import { luaCodeOf, luaRequirements, olderThan } from './luaRequirements.js';
import type { PowerDnsVersion } from './version.js';
import {
  patchBytes,
  canonicalTargetFor,
  endpointToDelete,
  endpointToReplace,
  POWERDNS_EXTRA_TYPES,
  rrsetToEndpoint,
  toPowerDnsContent,
  unrepresentable,
} from './mapping.js';
import type { PowerDnsRRset, PowerDnsZoneSummary } from './schemas.js';
import { verifyChanges, type VerificationReport, type VerifyOptions } from './verify.js';
import type { PowerDnsWriteLock } from './lock.js';

/** Record types the provider reads and writes unless told otherwise: core's known types plus `LUA`. */
export const DEFAULT_POWERDNS_RECORD_TYPES: readonly RecordType[] = [...KNOWN_RECORD_TYPES, 'LUA'];

/** How to reach the server: connection settings, or a client built already. */
export type PowerDnsConnection =
  | (Omit<PowerDnsClientOptions, 'dispatcher'> & {
      /** Leave out: the provider builds its own client from the options. */
      client?: undefined;
    })
  | {
      /** A client built already (shared by several providers, or from `startPowerDns`). */
      client: PowerDnsClient;
    };

/**
 * Options of {@link PowerDnsProvider}: how to reach the server, plus what to manage (see
 * docs/providers/powerdns.md).
 */
export type PowerDnsProviderOptions = PowerDnsConnection & {
  /** Names the provider reads and writes; zones are discovered from the server and filtered by it. */
  domainFilter?: DomainFilter;
  /** TTL written for endpoints without one (default 300, like ExternalDNS). */
  defaultTTL?: number;
  /**
   * Record types read and written (default core's known types plus `LUA`). Rrsets of other types
   * (SOA, DNSKEY, …) are neither returned by `records()` nor accepted by `applyChanges()`. Leave
   * out `LUA` to make LUA records invisible and untouchable.
   */
  recordTypes?: readonly RecordType[];
  /** How long the zone list is reused (default 60 000 ms; 0 = list zones on every call). */
  zoneCacheTtlMs?: number;
  /**
   * For this long (ms) past `zoneCacheTtlMs`, calls use the old zone list at once while it is listed
   * again in the background (default 0: they wait). For servers that must answer within a deadline
   * (the webhook sidecar). A name no listed zone serves still lists zones again before it fails.
   */
  zoneCacheStaleMs?: number;
  /**
   * The zones to serve, when known: skips discovery, so a run costs one GET per zone plus one PATCH
   * per changed zone. A zone missing on the server fails the read with a 404 `PowerDnsApiError`.
   */
  zones?: readonly string[];
  /**
   * Query the server over DNS after each apply and report whether the answers match. The report
   * goes to `onVerified` and {@link PowerDnsProvider.lastVerification}; a mismatch never throws.
   */
  verify?: Omit<VerifyOptions, 'signal'> & { onVerified?: (report: VerificationReport) => void };
  /**
   * Serialises this provider's PATCH of a zone with every other writer's that uses the same lock,
   * across processes and API servers: each PATCH is sent while the zone's lock is held. Use it when
   * several writers share one zone on PowerDNS servers over one SQL database (e.g.
   * `postgresAdvisoryLock(pgClient)`): two REPLACEs of one rrset at the same moment otherwise store
   * its records twice (PostgreSQL, READ COMMITTED, no unique key). Without a lock such copies are
   * repaired by the next plan (`repeated-records`). While the lock is held, the zone is read again
   * and the PATCH is sent only when the rrsets it touches are still as the plan read them (or
   * already as it would write them); otherwise nothing of the zone is written and `applyChanges`
   * throws a retryable `ProviderError` with code `RECORD_CONFLICT`, so a plan made before another
   * writer's change never overwrites it. Default: none (writes to one server from one process are
   * serialised anyway).
   */
  writeLock?: PowerDnsWriteLock;
  /**
   * Largest PATCH body in bytes (default 2,000,000: PowerDNS's default `webserver-max-bodysize` is
   * 2 MB, and a larger body is refused with a 400). Core splits larger change sets into several
   * applies by this budget (`capabilities.batchLimits`), each zone's part of each one atomic,
   * never separating a record from its ownership TXT or the changes at one name. Set it to the
   * server's `webserver-max-bodysize` × 1,000,000 when that was raised: fewer, larger PATCHes.
   * The split is core's (`applyInBatches`, which `TxtRegistry` and `reconcile` use): a change set
   * given to `applyChanges` directly is sent as it is.
   * @throws a `ConfigError` (from the constructor) for a value that is not an integer ≥ 10,000.
   */
  maxBodyBytes?: number;
};

/** One zone's part of an apply, as sent. */
export interface ZonePatch {
  /** Zone name, without trailing dot. */
  zone: string;
  /** PowerDNS zone id (the name with trailing dot, escaped), as used in API paths. */
  zoneId: string;
  /** The rrset changes sent in the zone's one PATCH, deletes first. */
  rrsets: RRsetChange[];
}

const NO_CHANGES: readonly RRsetChange[] = [];

/** One zone's changes while a PATCH is assembled. */
interface ZoneChanges {
  deletes: RRsetChange[];
  replaces: RRsetChange[];
  atName: Map<string, RRsetChange | RRsetChange[]>;
}

interface ZoneRef {
  name: string;
  id: string;
}

const DEFAULT_TTL = 300;
const DEFAULT_MAX_BODY_BYTES = 2_000_000;

/**
 * PowerDNS Authoritative as a core {@link Provider}.
 *
 * - zones are discovered from the server (cached) and filtered by the domain filter;
 * - one rrset is one endpoint; content is written in PowerDNS's exact form and read back canonical;
 * - `applyChanges` sends ONE PATCH per zone, deletes before replaces, so each zone's change is
 *   atomic (PowerDNS applies a PATCH in one transaction) and type swaps (A → CNAME) work;
 * - only the rrsets named in a change set are written: records the caller did not send, and types
 *   outside `recordTypes`, are never touched;
 * - `LUA` rrsets are endpoints whose targets are the LUA content (see `lua.endpoint`).
 */
export class PowerDnsProvider implements Provider {
  readonly name = 'pdns';
  readonly capabilities: ProviderCapabilities;
  readonly domainFilter: DomainFilter;
  /** The client the provider calls (its `onRequest` events show every request). */
  readonly client: PowerDnsClient;
  /** The report of the last post-apply verification (when `verify` is configured). */
  lastVerification: VerificationReport | undefined;
  /** The PATCHes of the last `applyChanges` call, one per zone (useful in tests and logs). */
  lastApply: ZonePatch[] = [];

  readonly #defaultTtl: number;
  readonly #recordTypes: ReadonlySet<string>;
  readonly #zoneCacheTtlMs: number;
  readonly #verify: PowerDnsProviderOptions['verify'];
  readonly #zoneCache: CachedLoader<ZoneRef[]>;
  readonly #fixedZones: ZoneRef[] | undefined;
  readonly #writeLock: PowerDnsWriteLock | undefined;
  /** Contents of disabled records per rrset (name and type), as the last `records()` read them. */
  #disabled = new Map<string, string[]>();

  /**
   * @param options How to reach the server and what to manage; see {@link PowerDnsProviderOptions}.
   * @throws `ConfigError` (`CONFIG`) when `apiUrl` or `apiKey` is missing or `apiUrl` is not an
   *   http(s) URL, when `defaultTTL` is not a non-negative integer, or when `recordTypes` names a type
   *   PowerDNS manages itself (SOA). Nothing is sent to the server.
   */
  constructor(options: PowerDnsProviderOptions) {
    if (options.client) {
      this.client = options.client;
    } else {
      const {
        domainFilter: _f,
        defaultTTL: _t,
        recordTypes: _r,
        zoneCacheTtlMs: _z,
        zoneCacheStaleMs: _zs2,
        verify: _v,
        zones: _zs,
        writeLock: _l,
        maxBodyBytes: _b,
        client: _c,
        ...connection
      } = options;
      if (!connection.apiUrl || !connection.apiKey)
        throw new ConfigError('pdns: apiUrl and apiKey are required');
      this.client = new PowerDnsClient(connection);
    }
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#defaultTtl = options.defaultTTL ?? DEFAULT_TTL;
    if (!Number.isInteger(this.#defaultTtl) || this.#defaultTtl < 0 || this.#defaultTtl > MAX_TTL)
      throw new ConfigError(`pdns: defaultTTL must be an integer from 0 to ${MAX_TTL} seconds`);
    const types = (options.recordTypes ?? DEFAULT_POWERDNS_RECORD_TYPES).map((t) => t.toUpperCase());
    for (const forbidden of ['SOA']) {
      if (types.includes(forbidden))
        throw new ConfigError(`pdns: ${forbidden} records are managed by PowerDNS itself`);
    }
    this.#recordTypes = new Set(types);
    this.#zoneCacheTtlMs = options.zoneCacheTtlMs ?? 60_000;
    for (const [name, value] of [
      ['zoneCacheTtlMs', this.#zoneCacheTtlMs],
      ['zoneCacheStaleMs', options.zoneCacheStaleMs ?? 0],
    ] as const)
      if (!Number.isFinite(value) || value < 0)
        throw new ConfigError(`pdns: ${name} must be a number of milliseconds ≥ 0, got ${String(value)}`);
    const badType = types.find((t) => !/^[A-Z][A-Z0-9]*$/.test(t));
    if (badType !== undefined)
      throw new ConfigError(`pdns: recordTypes holds ${JSON.stringify(badType)}, which is not a record type`);
    this.#zoneCache = new CachedLoader({
      ttlMs: this.#zoneCacheTtlMs,
      staleMs: options.zoneCacheStaleMs ?? 0,
      load: (o) => this.#listZones(o),
    });
    this.#fixedZones = options.zones?.map((z, i) => {
      // as PowerDNS names zones: lower case, punycode for IDN labels
      const name = normalizeDnsName(withoutTrailingDot(z.trim()));
      const issue = checkDnsName(name, ['zones', i])[0];
      if (issue) throw new ConfigError(`pdns: zones[${i}] ${JSON.stringify(z)}: ${issue.message}`);
      return { name, id: zoneIdFromName(name) };
    });
    this.#verify = options.verify;
    this.#writeLock = options.writeLock;
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 10_000)
      throw new ConfigError('pdns: maxBodyBytes must be an integer of at least 10,000');
    // PowerDNS refuses names with `*` anywhere but a whole leftmost label (422 "unsupported characters")
    this.capabilities = {
      recordTypes: types,
      atomicity: 'zone',
      // the body's envelope (`{"rrsets":[…]}`) and rounding are kept out of the budget
      batchLimits: [
        { name: 'PATCH body bytes (webserver-max-bodysize)', max: maxBodyBytes - 1000, cost: patchBytes },
      ],
      setIdentifiers: false,
      // under the write lock the zone is read again before each PATCH (see writeLock)
      conditionalWrites: options.writeLock !== undefined,
      ownerNames: 'hostname',
    };
  }

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter,
   * the client's identity; never a credential, the client's connections or cached records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      client: this.client.toJSON(),
    };
  }

  /** Forgets the cached zone list, so the next call lists zones again. */
  refreshZones(): void {
    this.#zoneCache.clear();
  }

  /** Names of the zones this provider manages (those the domain filter can match), from the cache. */
  async zones(options: CallOptions = {}): Promise<string[]> {
    return (await this.#zones(options, false)).map((z) => z.name);
  }

  /** The managed zones with their PowerDNS zone ids. */
  async zoneIds(options: CallOptions = {}): Promise<{ name: string; id: string }[]> {
    return (await this.#zones(options, false)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zones(options, false);
    const disabled = new Map<string, string[]>();
    this.#disabled = disabled;
    const perZone = await Promise.all(
      zones.map(async (zone) => {
        const full = await this.client.getZone(zone.id, options.signal ? { signal: options.signal } : {});
        const out: Endpoint[] = [];
        // Every rrset of a selected zone, like ExternalDNS providers: the planner applies the domain
        // filter per record, and the registry must see ownership TXTs even outside a narrow filter.
        const rrsets = full.rrsets ?? [];
        for (let i = 0; i < rrsets.length; i++) {
          const rrset = rrsets[i] as PowerDnsRRset;
          // dropped as it is read: a collection during the loop then copies endpoints only, not
          // the rest of the zone's JSON as well (the answer is ours alone)
          (rrsets as (PowerDnsRRset | undefined)[])[i] = undefined;
          const type = upperCased(rrset.type);
          if (!this.#recordTypes.has(type)) continue;
          const ep = rrsetToEndpoint(rrset, type);
          if (!ep) continue;
          out.push(ep);
          // records someone disabled: kept when the rrset is written (see endpointToReplace)
          if (rrset.records.length > 1 || rrset.records[0]?.disabled)
            for (const r of rrset.records)
              if (r.disabled) {
                const k = disabledKey(ep.dnsName, type);
                const list = disabled.get(k);
                if (list) list.push(r.content);
                else disabled.set(k, [r.content]);
              }
        }
        return out;
      }),
    );
    // in the server's order (PowerDNS sorts by name): callers never depend on it, so no sort
    return perZone.flat();
  }

  /**
   * Rewrites desired endpoints into exactly what {@link records} returns once they are written:
   * lower-case names in ASCII (punycode for IDN labels) without trailing dot, canonical targets
   * (sorted, de-duplicated), TTL 0 left unset (the planner keeps the stored TTL; `defaultTTL` is
   * written on creation only), no provider-specific properties (PowerDNS has none). Invalid targets are left as
   * they are, so that `applyChanges` reports them. An endpoint already in that form is returned
   * as it is (not copied).
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    // what the server would refuse, or store and not serve, is refused now: also in a dry run
    const refused = await this.#serverIssues(endpoints, (i) => [i], options);
    if (refused.length)
      throw new ValidationError(refused, {
        summary: 'pdns: the server would refuse or could not serve these records',
      });
    const noPath: readonly (string | number)[] = [];
    return endpoints.map((input): Endpoint => {
      const recordType = upperCased(input.recordType);
      const validator = targetValidators[recordType] ?? POWERDNS_EXTRA_TYPES[recordType] ?? null;
      // invalid targets stay as they are, so that applyChanges reports them
      const canonical = (t: string) =>
        // an IPv4 address is canonical as it is (most targets): no issue list, no round trip
        recordType === 'A' && isIPv4(t)
          ? t
          : validator !== null && validator(t, noPath).length === 0
            ? canonicalTargetFor(recordType, t)
            : t;
      // lower case, punycode for IDN labels, no trailing dot: PowerDNS stores and returns that form
      const dnsName = normalizeDnsName(input.dnsName);
      // an unset TTL (0) stays unset: it means "keep what is there"; the default applies on creation
      const recordTTL = input.recordTTL;
      // already in that form (most desired records): returned as it is, nothing to copy
      if (
        dnsName === input.dnsName &&
        recordType === input.recordType &&
        recordTTL === input.recordTTL &&
        input.providerSpecific.length === 0 &&
        input.targets.length === 1 &&
        canonical(input.targets[0] as string) === input.targets[0]
      )
        return input;
      const targets = input.targets.map(canonical);
      // built directly rather than cloned and patched: this runs on every desired record
      return {
        dnsName,
        targets: targets.length > 1 ? sortTargets(targets) : targets,
        recordType,
        setIdentifier: input.setIdentifier,
        recordTTL,
        labels: { ...input.labels },
        providerSpecific: [],
      };
    });
  }

  /**
   * Applies a change set with one PATCH per zone: DELETEs first (so a name can change type), then
   * REPLACEs. Everything is validated before the first request; a zone that fails is left as it
   * was, and the other zones are still applied. After trying them all, throws the zone's
   * `PowerDnsApiError` (or a `ProviderError` naming every failed zone) when no zone was applied,
   * and a {@link PowerDnsApplyError} (core's `InterruptedApplyError`: `applied` and `notApplied`
   * name the records, `cause` is that error, its code and `retryable` are the cause's) when some
   * were. A change set split into several applies (`maxBodyBytes`) that fails in a later one gets
   * core's `InterruptedApplyError` from `applyInBatches` (and so from `TxtRegistry` and
   * `reconcile`), naming the records of the applies before it.
   */
  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const patches = await this.planPatches(changes, options);
    this.lastApply = patches;
    const failures: { zone: string; error: unknown }[] = [];
    for (const patch of patches) {
      try {
        const lease = await this.#writeLock?.acquire(
          patch.zone,
          options.signal ? { signal: options.signal } : {},
        );
        try {
          // a plan made on a read older than the lock must not overwrite what another writer
          // stored since: another owner's new record and marker, say
          if (lease) await this.#assertUnchanged(patch, changes, options.signal);
          await this.client.patchRRsets(
            patch.zoneId,
            markPrechecked(patch.rrsets),
            options.signal ? { signal: options.signal } : {},
          );
        } finally {
          await lease?.release();
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        failures.push({ zone: patch.zone, error });
      }
    }
    if (this.#verify && failures.length < patches.length) {
      const { onVerified, ...verifyOptions } = this.#verify;
      // only zones that were written can show the change
      const written = patches.filter((p) => !failures.some((f) => f.zone === p.zone)).map((p) => p.zone);
      const writtenZoneOf = zoneMatcher(written);
      const inWritten = (ep: Endpoint) => writtenZoneOf(ep.dnsName) !== undefined;
      const visible: Changes = {
        create: changes.create.filter(inWritten),
        updateOld: changes.updateOld.filter(inWritten),
        updateNew: changes.updateNew.filter(inWritten),
        delete: changes.delete.filter(inWritten),
      };
      this.lastVerification = await verifyChanges(visible, {
        ...verifyOptions,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      onVerified?.(this.lastVerification);
    }
    if (failures.length === 0) return;
    const cause = failures.length === 1 ? failures[0]?.error : this.#zonesFailed(failures, patches);
    if (failures.length === patches.length) throw cause;
    // some zones were written: name what was applied and what not
    const failed = new Set(failures.map((f) => f.zone));
    const zoneOf = zoneMatcher(patches.map((p) => p.zone));
    const applied = emptyChanges();
    const notApplied = emptyChanges();
    for (const list of CHANGE_LISTS)
      for (const ep of changes[list])
        (failed.has(zoneOf(ep.dnsName) ?? '') ? notApplied : applied)[list].push(ep);
    throw new PowerDnsApplyError(cause, recordNames(applied), recordNames(notApplied));
  }

  /** One error for several zones that failed (each left unchanged). */
  #zonesFailed(
    failures: readonly { zone: string; error: unknown }[],
    patches: readonly ZonePatch[],
  ): unknown {
    const applied = patches.filter((p) => !failures.some((f) => f.zone === p.zone)).map((p) => p.zone);
    return new ProviderError(
      `pdns: ${failures.length} of ${patches.length} zones failed (each left unchanged): ${failures
        .map((f) => `${f.zone}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
        .join('; ')}${applied.length ? `; applied: ${applied.join(', ')}` : ''}`,
      {
        provider: this.name,
        retryable: failures.every((f) => isPowerDnsApiError(f.error) && f.error.retryable),
        // every zone refused content: core bisects, as for one zone
        ...(failures.every((f) => isPowerDnsApiError(f.error) && f.error.code === 'RECORD_REJECTED')
          ? { code: 'RECORD_REJECTED' as const }
          : {}),
        cause: new AggregateError(failures.map((f) => f.error)),
      },
    );
  }

  /**
   * Under the write lock, before a zone's PATCH: the rrsets it replaces or deletes are still what
   * the plan was made from, or already what it would write. A create's rrset must still be absent
   * (an rrset of disabled records counts as present, as in {@link records}) or hold the very targets and TTL to be
   * written; an update's must still hold the targets (and TTL) that were read, or the new ones, or
   * be absent (the registry's repair of a missing marker is such an update); a delete's must be
   * unchanged or gone. One GET of the zone, made only when `writeLock` is set.
   * @throws `ProviderError` (`RECORD_CONFLICT`, retryable) naming the rrsets that changed; nothing
   *   of the zone is written, and the next run plans from what is stored now.
   */
  async #assertUnchanged(patch: ZonePatch, changes: Changes, signal?: AbortSignal): Promise<void> {
    const key = (name: string, type: string) => `${name}\n${type}`;
    const touched = new Set(patch.rrsets.map((r) => key(withoutTrailingDot(r.name), r.type)));
    const keyOf = (ep: Endpoint) => key(normalizeDnsName(ep.dnsName), upperCased(ep.recordType));
    const stored = new Map<string, Endpoint>();
    const zone = await this.client.getZone(patch.zoneId, signal ? { signal } : {});
    for (const rrset of zone.rrsets ?? []) {
      const type = upperCased(rrset.type);
      const k = key(withoutTrailingDot(lowerCased(rrset.name)), type);
      if (!touched.has(k)) continue;
      const ep = rrsetToEndpoint(rrset, type);
      if (ep) stored.set(k, ep);
    }
    // what a writer meant to store is no conflict when it is stored already (a writer of the same
    // owner and the same desired records, in another region)
    // (compared as PowerDNS content: a change's TXT may be quoted where the read one is not)
    const contents = (ep: Endpoint) => [
      ...new Set(ep.targets.map((t) => toPowerDnsContent(ep.recordType, t))),
    ];
    const same = (now: Endpoint, ep: Endpoint) =>
      sameTargets(contents(now), contents(ep)) && (ep.recordTTL <= 0 || now.recordTTL === ep.recordTTL);
    const stale: string[] = [];
    for (const ep of changes.create) {
      const k = keyOf(ep);
      const now = touched.has(k) ? stored.get(k) : undefined;
      if (now !== undefined && !same(now, ep))
        stale.push(
          `${describeEndpoint(ep)} was created by another writer (now ${now.targets.join(' ')}, TTL ${now.recordTTL})`,
        );
    }
    changes.updateOld.forEach((ep, i) => {
      const k = keyOf(ep);
      if (!touched.has(k)) return;
      const now = stored.get(k);
      const next = changes.updateNew[i];
      // absent: written whole (the registry's repair of a missing marker is such an update)
      if (now !== undefined && !same(now, ep) && !(next !== undefined && same(now, next)))
        stale.push(
          `${describeEndpoint(ep)} was changed by another writer (now ${now.targets.join(' ')}, TTL ${now.recordTTL})`,
        );
    });
    for (const ep of changes.delete) {
      const k = keyOf(ep);
      const now = touched.has(k) ? stored.get(k) : undefined;
      // gone already: the DELETE changes nothing
      if (now !== undefined && !same(now, ep))
        stale.push(
          `${describeEndpoint(ep)} was changed by another writer (now ${now.targets.join(' ')}, TTL ${now.recordTTL})`,
        );
    }
    if (stale.length === 0) return;
    throw new ProviderError(
      `pdns: zone ${patch.zone} changed since it was read: ${stale.slice(0, 5).join('; ')}${
        stale.length > 5 ? `; and ${stale.length - 5} more` : ''
      }; nothing was written to it, and the next run plans from what is stored now`,
      { provider: this.name, code: 'RECORD_CONFLICT', retryable: true },
    );
  }

  /**
   * The PATCH bodies `applyChanges` would send, one per zone, without sending them. Throws
   * {@link ValidationError} for invalid records and `UNKNOWN_ZONE` for names no zone serves.
   */
  async planPatches(input: Changes, options: CallOptions = {}): Promise<ZonePatch[]> {
    const changes = this.#validate(input);
    await this.#checkServerServes(changes, options);
    const lists = [changes.delete, changes.updateOld, changes.create, changes.updateNew];
    if (lists.every((list) => list.length === 0)) return [];
    // each name's zone is looked up once: change sets carry tens of thousands of rrsets
    let zones = await this.#zones(options, false);
    let zoneOf = zoneMatcher(zones.map((z) => z.name));
    const unserved = () => lists.some((list) => list.some((ep) => zoneOf(ep.dnsName) === undefined));
    if (unserved()) {
      zones = await this.#zones(options, true);
      zoneOf = zoneMatcher(zones.map((z) => z.name));
    }
    if (unserved()) {
      const missing = new Set(lists.flatMap((list) => list.filter((ep) => zoneOf(ep.dnsName) === undefined)));
      throw new ProviderError(
        `pdns: no zone on the server serves ${[...new Set([...missing].map((ep) => ep.dnsName))].join(', ')} (zones: ${zones.map((z) => z.name).join(', ') || 'none'})`,
        { provider: this.name, code: 'UNKNOWN_ZONE' },
      );
    }
    // Per zone: the changes in order, and per normalised name the changes at it (a name has one or
    // two types, so the type is found in a short list rather than through a composite key).
    const byZone = new Map<string, ZoneChanges>();
    const part = (ep: Endpoint): ZoneChanges => {
      const zone = zoneOf(ep.dnsName) as string;
      let entry = byZone.get(zone);
      if (!entry) byZone.set(zone, (entry = { deletes: [], replaces: [], atName: new Map() }));
      return entry;
    };
    // the changes already at a name; one (no list) in the common case
    const changesAt = (entry: ZoneChanges, name: string): readonly RRsetChange[] => {
      const found = entry.atName.get(name);
      return found === undefined ? NO_CHANGES : Array.isArray(found) ? found : [found];
    };
    const remember = (entry: ZoneChanges, name: string, change: RRsetChange) => {
      const found = entry.atName.get(name);
      if (found === undefined) entry.atName.set(name, change);
      else if (Array.isArray(found)) found.push(change);
      else entry.atName.set(name, [found, change]);
    };
    const dropped = new Set<RRsetChange>();
    for (const list of [changes.delete, changes.updateOld]) {
      for (const ep of list) {
        const entry = part(ep);
        const name = normalizeDnsName(ep.dnsName);
        const change = endpointToDelete(ep);
        // the same rrset deleted twice is one DELETE
        if (changesAt(entry, name).some((c) => c.changetype === 'DELETE' && c.type === change.type)) continue;
        remember(entry, name, change);
        entry.deletes.push(change);
      }
    }
    const issues: Issue[] = [];
    for (const [listName, list] of [
      ['create', changes.create],
      ['updateNew', changes.updateNew],
    ] as const) {
      list.forEach((ep, i) => {
        const entry = part(ep);
        const name = normalizeDnsName(ep.dnsName);
        const change = endpointToReplace(
          ep,
          this.#defaultTtl,
          this.#disabled.get(disabledKey(ep.dnsName, upperCased(ep.recordType))),
        );
        for (const other of changesAt(entry, name)) {
          if (other.type !== change.type) continue;
          if (other.changetype === 'REPLACE') {
            issues.push({
              path: [listName, i],
              code: 'duplicate_rrset',
              message: `${describeEndpoint(ep)} is written twice in one change set`,
            });
          } else {
            dropped.add(other); // REPLACE overwrites the rrset anyway; a DELETE as well would be noise
          }
        }
        remember(entry, name, change);
        entry.replaces.push(change);
      });
    }
    if (issues.length) throw new ValidationError(issues, { summary: 'pdns: the change set is inconsistent' });
    return [...byZone].map(([zone, entry]) => ({
      zone,
      zoneId: zones.find((z) => z.name === zone)?.id ?? zone,
      rrsets: [
        ...(dropped.size ? entry.deletes.filter((c) => !dropped.has(c)) : entry.deletes),
        ...entry.replaces,
      ],
    }));
  }

  /** Asks the configured DNS server whether a change set is visible (see the `verify` option). */
  verify(changes: Changes, options: VerifyOptions = {}): Promise<VerificationReport> {
    const { onVerified: _ignored, ...configured } = this.#verify ?? {};
    return verifyChanges(changes, { ...configured, ...options });
  }

  /**
   * Refuses what this server would store but not serve, or would refuse halfway through a change
   * set: LUA records that need a newer PowerDNS (it would answer SERVFAIL or ignore the option),
   * LUA content without a query type or code, MX, SRV and NS targets that are not host names
   * (422 "non-hostname content"), and content no escaping makes PowerDNS 4.7, 4.9 and 5.1 store
   * alike (`not_representable`: non-ASCII outside quoted strings, quoted strings that do not parse,
   * HINFO and NAPTR strings over 255 octets; see `unrepresentable`). Reads the server's version only when a LUA record is written.
   */
  async #checkServerServes(changes: Changes, options: CallOptions): Promise<void> {
    const issues: Issue[] = [];
    for (const [listName, list] of [
      ['create', changes.create],
      ['updateNew', changes.updateNew],
    ] as const) {
      appendAll(issues, await this.#serverIssues(list, (i) => [listName, i], options));
    }
    if (issues.length)
      throw new ValidationError(issues, {
        summary: 'pdns: the server would refuse or could not serve these records (nothing was written)',
      });
  }

  async #serverIssues(
    list: readonly Endpoint[],
    pathOf: (i: number) => (string | number)[],
    options: CallOptions,
  ): Promise<Issue[]> {
    const issues: Issue[] = [];
    let version: PowerDnsVersion | undefined;
    let probed = false;
    for (let i = 0; i < list.length; i++) {
      const ep = list[i] as Endpoint;
      const type = upperCased(ep.recordType);
      if (type === 'MX' || type === 'SRV' || type === 'NS') {
        ep.targets.forEach((target, j) => {
          // the host as it is written: an internationalised one in punycode (what PowerDNS takes)
          const parts = canonicalizeTarget(type, target.trim()).split(/\s+/);
          const host = parts[type === 'MX' ? 1 : type === 'SRV' ? 3 : 0];
          if (host === undefined || host === '.' || host === '') return;
          const bad = withoutTrailingDot(host)
            .split('.')
            .find((label) => !/^[A-Za-z0-9*]([A-Za-z0-9-]*)$/.test(label));
          if (bad !== undefined)
            issues.push({
              path: [...pathOf(i), 'targets', j],
              code: 'not_a_hostname',
              message: `${describeEndpoint(ep)}: ${JSON.stringify(host)} is not a host name (label ${JSON.stringify(bad)}); PowerDNS refuses ${type} targets that are not (letters, digits and hyphens, not first)`,
            });
        });
      }
      if (type !== 'LUA') {
        // what no escape makes every version store alike: refused on all of them
        for (let j = 0; j < ep.targets.length; j++) {
          const why = unrepresentable(type, ep.targets[j] as string);
          if (why !== undefined)
            issues.push({
              path: [...pathOf(i), 'targets', j],
              code: 'not_representable',
              message: `${describeEndpoint(ep)}: ${why}`,
            });
        }
        continue;
      }
      ep.targets.forEach((target, j) => {
        const m = /^\s*([A-Za-z0-9]+)\s+"/.exec(target);
        if (!m || luaCodeOf(target).trim() === '' || !isKnownLuaQueryType(m[1] as string))
          issues.push({
            path: [...pathOf(i), 'targets', j],
            code: 'invalid_lua',
            message: `${describeEndpoint(ep)}: LUA content must be a known query type and quoted code, e.g. A "pickrandom({'192.0.2.1'})"; got ${JSON.stringify(target.slice(0, 80))}`,
          });
      });
      if (!probed) {
        version = await this.client.version(options.signal ? { signal: options.signal } : {});
        probed = true;
      }
      if (version === undefined) continue; // a development build: newer than every release
      ep.targets.forEach((target, j) => {
        for (const need of luaRequirements(target)) {
          if (!olderThan(version, need.since)) continue;
          issues.push({
            path: [...pathOf(i), 'targets', j],
            code: 'needs_newer_server',
            message: `${describeEndpoint(ep)} uses ${need.feature}, which needs PowerDNS ${need.since} or later; the server runs ${version?.raw ?? 'an unknown version'}`,
          });
        }
      });
    }
    return issues;
  }

  #validate(changes: Changes): Changes {
    return prepareChangeSet(changes, {
      provider: 'pdns',
      domainFilter: this.domainFilter,
      recordTypes: [...this.#recordTypes],
      setIdentifiers: false,
      setIdentifierHint: 'PowerDNS has no set identifiers; use a LUA record for weighted or geo answers',
      parseOptions: { extraRecordTypes: POWERDNS_EXTRA_TYPES },
    });
  }

  #zones(options: CallOptions, forceRefresh: boolean): Promise<ZoneRef[]> {
    if (this.#fixedZones) return Promise.resolve(this.#fixedZones);
    // concurrent callers (reconcile reads records and zones together) share one listing
    return this.#zoneCache.get(options, forceRefresh);
  }

  async #listZones(options: CallOptions): Promise<ZoneRef[]> {
    const listed: PowerDnsZoneSummary[] = await this.client.listZones(
      options.signal ? { signal: options.signal } : {},
    );
    // A zone is listed once per SOA row it has over an SQL backend (the listing joins them), and two
    // PATCHes at once can store the SOA twice: such a zone is still one zone, read once.
    const seen = new Set<string>();
    return listed
      .map((z) => ({ name: withoutTrailingDot(z.name).toLowerCase(), id: z.id }))
      .filter((z) => !seen.has(z.name) && (seen.add(z.name), this.domainFilter.selectsZone(z.name)));
  }
}

// Query types a LUA record can answer (PowerDNS refuses an unknown type name in the content).
const LUA_QUERY_TYPES = new Set(
  'A AAAA AFSDB ALIAS CAA CERT CNAME DNAME DS HINFO HTTPS LOC MX NAPTR NS PTR RP SMIMEA SOA SPF SRV SSHFP SVCB TLSA TXT URI OPENPGPKEY'.split(
    ' ',
  ),
);
function isKnownLuaQueryType(type: string): boolean {
  return LUA_QUERY_TYPES.has(type.toUpperCase());
}

/**
 * The records of a change set as `describeEndpoint` strings, without their ownership markers (all
 * of them when there are only markers), each once: what a reader of an apply error looks for.
 */
function recordNames(changes: Changes): string[] {
  const all = CHANGE_LISTS.flatMap((list) => changes[list]);
  const records = all.filter(
    (ep) => !(upperCased(ep.recordType) === 'TXT' && ep.labels[LabelKeys.ownedRecord]),
  );
  return [...new Set((records.length ? records : all).map(describeEndpoint))];
}

/** The key of an rrset's disabled records: normalised owner name and type. */
function disabledKey(dnsName: string, type: string): string {
  return `${normalizeDnsName(dnsName)}\n${type}`;
}
