import {
  cloneEndpoint,
  ConfigError,
  describeEndpoint,
  DomainFilter,
  normalizeDnsName,
  ProviderError,
  InterruptedApplyError,
  sameTargets,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Issue,
  type IssuePath,
  type Provider,
  type ProviderCapabilities,
  type RecordType,
  ValidationError,
} from '@openova/dns-core';
import {
  appendAll,
  CachedLoader,
  markersToUndo,
  prepareChangeSet,
  recordWritePhases,
  sortEndpoints,
  sortTargets,
  throwIfAborted,
  upperCased,
  zoneMatcher,
} from '@openova/dns-core/provider';
import { AZURE_ZONE_LIMITS, AzureDnsClient, type AzureDnsClientOptions, type AzureZone } from './client.js';
import { isAzureApiError } from './errors.js';
import {
  canonicalProperties,
  canonicalTarget,
  endpointToRecordSet,
  isAliasEndpoint,
  MAX_AZURE_TTL,
  MAX_RECORDS_PER_SET,
  MAX_TXT_SET_LENGTH,
  recordSetName,
  recordSetToEndpoint,
  sameRecordSet,
  tagsProblem,
  TAGS_PROPERTY,
} from './mapping.js';
import { AZURE_RECORD_TYPES, type AzureRecordSet, type AzureZoneKind } from './schemas.js';

/** Record types read and written by default in public zones (SOA is Azure's own). */
export const DEFAULT_AZURE_PUBLIC_RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'CAA',
  'NS',
  'PTR',
];

/** Record types read and written by default in private zones (no NS, CAA or aliases there). */
export const DEFAULT_AZURE_PRIVATE_RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'PTR',
];

/**
 * How the provider reaches Azure: the options of a client it builds (see `AzureDnsClientOptions`),
 * or a ready `client`.
 */
export type AzureConnection =
  | (Omit<AzureDnsClientOptions, 'dispatcher'> & {
      /** Not given: the provider builds its own client from the other options. */
      client?: undefined;
    })
  | {
      /** A ready client (shared budgets, your own credential); its options are used as they are. */
      client: AzureDnsClient;
    };

/**
 * Options of {@link AzureDnsProvider}: the connection ({@link AzureConnection}) and what is managed.
 * ExternalDNS's `--azure-*` flags are named next to the option that replaces them.
 */
export type AzureDnsProviderOptions = AzureConnection & {
  /**
   * Which API the provider manages (default `public`): `public` zones
   * (`Microsoft.Network/dnsZones`, ExternalDNS `--provider=azure`) or `private` zones
   * (`Microsoft.Network/privateDnsZones`, `--provider=azure-private-dns`). A public and a private
   * zone of the same name are two providers.
   */
  zoneType?: AzureZoneKind;
  /** List zones only in this resource group (ExternalDNS `--azure-resource-group`); default: the whole subscription. */
  resourceGroup?: string;
  /**
   * Only these zones, by ARM id or `<resourceGroup>/<zone name>` (ExternalDNS `--zone-id-filter`).
   * This is how one of several zones with the same name (in several resource groups) is chosen.
   */
  zoneIds?: readonly string[];
  /** Names the provider reads and writes; zones are filtered by it. */
  domainFilter?: DomainFilter;
  /** Record types read and written (default: {@link DEFAULT_AZURE_PUBLIC_RECORD_TYPES} or `…_PRIVATE_…`). */
  recordTypes?: readonly RecordType[];
  /** How long the zone list is reused (default 60 000 ms; ExternalDNS `--azure-zones-cache-duration`). */
  zoneCacheTtlMs?: number;
  /**
   * How long a zone's record-set listing is reused by `records()` (default 0: listed on every call).
   * Writes of this provider keep it current; a 412 drops the record set's entry.
   */
  recordCacheTtlMs?: number;
  /** Record-set writes of one step in flight at once (default 4). */
  concurrency?: number;
};

/** A zone as the provider uses it. */
export type AzureZoneInfo = AzureZone;

/** One record-set write as planned: what it sends, and what is stored once it succeeds. */
interface Op {
  /** The change this op writes (the object of the change set). */
  ep: Endpoint;
  what: string;
  zone: AzureZoneInfo;
  key: string;
  kind: 'put' | 'delete';
  /** For a put: the record set to write. */
  desired?: AzureRecordSet;
  /** `If-Match` (the listed ETag), or `If-None-Match: *` when absent. */
  etag: string | undefined;
  /**
   * What is stored is not what the plan read (another writer changed it since): the op is not
   * sent, and fails as a 412 would (`RECORD_CONFLICT`).
   */
  stale?: string;
}

/**
 * What an apply left behind when it failed: the record sets written and those not (failed or not
 * attempted), and the markers removed again. The next run reads the zone again and converges.
 */
export class AzureApplyError extends InterruptedApplyError {
  /**
   * @param cause the error of the write that failed.
   * @param applied record sets written before the failure, as `describeEndpoint` strings.
   * @param notApplied record sets not written: the one that failed and those not attempted.
   * @param undone ownership markers written by this apply and deleted again.
   */
  constructor(
    cause: unknown,
    applied: readonly string[],
    notApplied: readonly string[],
    undone: readonly string[] = [],
  ) {
    super('azure', cause, { applied, notApplied, undone });
    this.name = 'AzureApplyError';
  }
}

/** The record sets the last successful `applyChanges` wrote, as `describeEndpoint` strings. */
export interface AzureApplyResult {
  /** Record sets written, in order, as `describeEndpoint` strings. */
  applied: readonly string[];
}

const DEFAULT_ZONE_CACHE_TTL_MS = 60_000;

interface ZoneSets {
  at: number;
  /** `TYPE/name` → record set, name lower case. */
  sets: Map<string, AzureRecordSet>;
  /** True when the map holds the whole zone (a listing), not only record sets read one by one. */
  complete: boolean;
}

const keyOf = (type: string, name: string) => `${type.toUpperCase()}/${name.toLowerCase()}`;

/**
 * Azure DNS (public or private zones) as a core {@link Provider}.
 *
 * - One endpoint per record set; names and values are translated by `mapping.ts` (relative names
 *   with `@`, typed record arrays, TXT raw and byte for byte as ExternalDNS writes it, aliases).
 * - No transaction (`atomicity: 'record'`): one `PUT` or `DELETE` per record set, carrying the
 *   listed ETag (`If-Match`) or `If-None-Match: *` on create. Writes follow core's
 *   {@link recordWritePhases} (markers before their records on create, records before their markers
 *   on delete), deletes before writes in each phase (a CNAME↔A change frees the name first).
 * - Writes are conditional on what the plan read (`capabilities.conditionalWrites`): a create goes
 *   with `If-None-Match: *`, and a set listed as changed since the plan's read (another writer) is
 *   not sent at all but fails as a 412 would (`RECORD_CONFLICT`).
 * - A 412 (the set changed since it was read) or a write whose answer was lost is settled by
 *   reading the record set again: a write already carried out counts as applied; otherwise the
 *   apply stops with {@link AzureApplyError} and the next plan starts from the new state.
 * - After a failure, markers left without their records are deleted again ({@link markersToUndo}).
 * - Zones are selected by subscription, resource group and name; two zones of one name are an
 *   error until `resourceGroup` or `zoneIds` chooses one.
 */
export class AzureDnsProvider implements Provider {
  readonly name = 'azure';
  readonly domainFilter: DomainFilter;
  /** The Azure DNS client the provider calls (given in the options or built from them). */
  readonly client: AzureDnsClient;
  /** The API managed: `public` (`dnsZones`) or `private` (`privateDnsZones`); default `public`. */
  readonly zoneType: AzureZoneKind;
  readonly #recordTypes: readonly string[];
  readonly #resourceGroup: string | undefined;
  readonly #zoneIds: readonly string[] | undefined;
  readonly #zoneCache: CachedLoader<AzureZoneInfo[]>;
  readonly #recordCacheTtlMs: number;
  readonly #concurrency: number;
  readonly #sets = new Map<string, ZoneSets>();
  #lastResult: AzureApplyResult = { applied: [] };

  /** @throws `ConfigError` for bad options (see {@link AzureDnsClient} too). */
  constructor(options: AzureDnsProviderOptions) {
    if (options.client) this.client = options.client;
    else {
      const {
        zoneType: _t,
        resourceGroup: _g,
        zoneIds: _i,
        domainFilter: _f,
        recordTypes: _r,
        zoneCacheTtlMs: _z,
        recordCacheTtlMs: _rc,
        concurrency: _c,
        client: _cl,
        ...connection
      } = options;
      this.client = new AzureDnsClient(connection);
    }
    this.zoneType = options.zoneType ?? 'public';
    if (this.zoneType !== 'public' && this.zoneType !== 'private')
      throw new ConfigError(
        `azure: zoneType must be "public" or "private", got ${JSON.stringify(this.zoneType)}`,
      );
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#resourceGroup = options.resourceGroup;
    this.#zoneIds = options.zoneIds?.map((z) => z.toLowerCase().replace(/\/+$/, ''));
    const types = (
      options.recordTypes ??
      (this.zoneType === 'public' ? DEFAULT_AZURE_PUBLIC_RECORD_TYPES : DEFAULT_AZURE_PRIVATE_RECORD_TYPES)
    ).map((t) => t.toUpperCase());
    const stored = AZURE_RECORD_TYPES[this.zoneType];
    const unsupported = types.filter((t) => !stored.includes(t) || t === 'SOA');
    if (unsupported.length)
      throw new ConfigError(
        `azure: ${this.zoneType} zones cannot store ${unsupported.join(', ')} (supported: ${stored.filter((t) => t !== 'SOA').join(', ')})`,
      );
    this.#recordTypes = types;
    this.#concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1)
      throw new ConfigError('azure: concurrency must be a positive integer');
    this.#recordCacheTtlMs = options.recordCacheTtlMs ?? 0;
    this.#zoneCache = new CachedLoader({
      ttlMs: options.zoneCacheTtlMs ?? DEFAULT_ZONE_CACHE_TTL_MS,
      load: (o) => this.#listZones(o),
    });
  }

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter, the
   * client's identity, zone type, resource group and zone ids as configured; never a credential, the
   * client's connections or cached records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      client: this.client.toJSON(),
      zoneType: this.zoneType,
      resourceGroup: this.#resourceGroup,
      zoneIds: this.#zoneIds,
    };
  }

  get capabilities(): ProviderCapabilities {
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'record',
      setIdentifiers: false,
      // every write carries the listed ETag (If-Match) or If-None-Match: *
      conditionalWrites: true,
      ownerNames: 'hostname',
    };
  }

  /** What the last successful `applyChanges` wrote (a failed one throws {@link AzureApplyError}). */
  get lastResult(): AzureApplyResult {
    return this.#lastResult;
  }

  /** Forgets the cached zone list and record sets. */
  refresh(): void {
    this.#zoneCache.clear();
    this.#sets.clear();
  }

  async zones(options: CallOptions = {}): Promise<string[]> {
    return (await this.#zoneCache.get(options, false)).map((z) => z.name);
  }

  /** The managed zones with their resource groups and ids. */
  async zoneInfo(options: CallOptions = {}): Promise<AzureZoneInfo[]> {
    return (await this.#zoneCache.get(options, false)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zoneCache.get(options, false);
    const perZone = await Promise.all(zones.map((zone) => this.#listZone(zone, options)));
    const out: Endpoint[] = [];
    zones.forEach((zone, i) => {
      for (const rs of (perZone[i] as Map<string, AzureRecordSet>).values()) {
        if (!this.#recordTypes.includes(rs.type)) continue;
        // Azure's own apex NS (its name servers cannot be removed) is no record anyone manages
        if (rs.type === 'NS' && rs.name === '@') continue;
        const ep = recordSetToEndpoint(rs, zone.name);
        if (ep.targets.length === 0) continue; // an alias whose target was deleted, an empty set
        if (this.domainFilter.matches(ep.dnsName)) out.push(ep);
      }
    });
    return sortEndpoints(out);
  }

  /**
   * Rewrites desired endpoints into what {@link records} returns once they are written: lower-case
   * names, canonical targets (host names without trailing dot, CAA values quoted, TXT unchanged),
   * duplicates merged, metadata as `azure/metadata-<key>` (from `azure/tags` too), `alias` = `true`
   * kept on aliases, other properties dropped; an unset TTL stays unset.
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    // a malformed azure/tags would be dropped or half-read: refused now, so a dry run says so
    const tagIssues: Issue[] = [];
    endpoints.forEach((ep, i) => tagsIssues(ep, [i], tagIssues));
    if (tagIssues.length)
      throw new ValidationError(tagIssues, {
        summary: 'azure: provider-specific properties that are malformed',
      });
    // A CNAME at a zone apex collides with Azure's own SOA and NS there (which `records()` does not
    // return): refused now, so a dry run says so and the other records are still written.
    if (endpoints.some((ep) => upperCased(ep.recordType) === 'CNAME')) {
      const apexes = new Set(await this.zones(options));
      const issues: Issue[] = [];
      endpoints.forEach((ep, i) => {
        if (upperCased(ep.recordType) === 'CNAME' && apexes.has(normalizeDnsName(ep.dnsName)))
          issues.push({
            path: [i, 'dnsName'],
            code: 'cname_at_apex',
            message: `${describeEndpoint(ep)}: a CNAME cannot be at the zone apex (Azure's SOA and NS records are there); use an A alias record (property alias=true, a resource id as its target) instead`,
          });
      });
      if (issues.length)
        throw new ValidationError(issues, { summary: 'azure: records the zone cannot hold' });
    }
    return endpoints.map((input) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      ep.targets = isAliasEndpoint(ep)
        ? ep.targets.map((t) => t.trim())
        : sortTargets([...new Set(ep.targets.map((t) => canonicalTarget(ep.recordType, t)))]);
      ep.providerSpecific = canonicalProperties(ep);
      return ep;
    });
  }

  /**
   * Applies a change set in core's record-atomicity order (see {@link recordWritePhases}).
   * @throws `ValidationError` (nothing sent) for invalid records, over 20 records in a set, TXT over
   *   4,096 characters, a CNAME at the apex or an alias where Azure has none; `UNKNOWN_ZONE` for
   *   names no zone serves; `CONFIG` for a name served by two zones of one name;
   *   {@link AzureApplyError} (with the code of its cause; `RECORD_CONFLICT` for a 412 or 409) when a
   *   write failed.
   */
  async applyChanges(input: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const changes = prepareChangeSet(input, {
      provider: 'azure',
      domainFilter: this.domainFilter,
      recordTypes: this.#recordTypes,
      setIdentifiers: false,
      setIdentifierHint: 'Azure DNS has no set identifiers (use Traffic Manager through alias records)',
      checkWrite: (ep, path, issues) => this.#checkWrite(ep, path, issues),
    });
    const touched = [...changes.create, ...changes.updateNew, ...changes.delete];
    if (touched.length === 0) {
      this.#lastResult = { applied: [] };
      return;
    }
    const zoneOf = await this.#zoneResolver(touched, options);
    await this.#prefetch(touched, zoneOf, options);
    const applied = new Set<Endpoint>();
    const phases = recordWritePhases(changes);
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[p] as Changes;
      // deletes first: a name changing type (CNAME ↔ A) is free before the new set is written
      const steps: (() => { ep: Endpoint; op: Op | undefined }[])[] = [
        () => phase.delete.map((ep) => ({ ep, op: this.#deleteOp(ep, zoneOf(ep)) })),
        () => [
          ...phase.create.map((ep) => ({ ep, op: this.#putOp(ep, zoneOf(ep), null) })),
          ...phase.updateNew.map((ep, i) => ({ ep, op: this.#putOp(ep, zoneOf(ep), phase.updateOld[i]) })),
        ],
      ];
      let failure: unknown;
      const notApplied: string[] = [];
      for (const step of steps) {
        const planned = step();
        if (failure) {
          appendAll(
            notApplied,
            planned.map((s) => describeEndpoint(s.ep)),
          );
          continue;
        }
        // nothing to send (already gone, or already as desired): the goal is reached
        for (const s of planned) if (!s.op) applied.add(s.ep);
        const ops = planned.flatMap((s) => (s.op ? [s.op] : []));
        failure = await this.#run(ops, applied, options);
        if (failure)
          appendAll(
            notApplied,
            ops.filter((o) => !applied.has(o.ep)).map((o) => o.what),
          );
      }
      if (failure) {
        for (const c of phases.slice(p + 1))
          appendAll(notApplied, [...c.delete, ...c.create, ...c.updateNew].map(describeEndpoint));
        const undone = await this.#undo(markersToUndo(changes, applied), zoneOf, options);
        throw new AzureApplyError(
          failure,
          [...applied].filter((ep) => !undone.includes(ep)).map(describeEndpoint),
          notApplied,
          undone.map(describeEndpoint),
        );
      }
    }
    this.#lastResult = { applied: [...applied].map(describeEndpoint) };
  }

  // ---- planning -------------------------------------------------------------------------------

  #checkWrite(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
    const type = upperCased(ep.recordType);
    const what = describeEndpoint(ep);
    tagsIssues(ep, path, issues);
    if (ep.recordTTL > MAX_AZURE_TTL)
      issues.push({
        path: [...path, 'recordTTL'],
        code: 'ttl_range',
        message: `${what}: TTL above ${MAX_AZURE_TTL}`,
      });
    if (isAliasEndpoint(ep)) {
      if (this.zoneType === 'private')
        issues.push({
          path: [...path, 'providerSpecific'],
          code: 'alias_unsupported',
          message: `${what}: private zones have no alias record sets`,
        });
      if (ep.targets.length !== 1 || !ep.targets[0]?.startsWith('/'))
        issues.push({
          path: [...path, 'targets'],
          code: 'alias_target',
          message: `${what}: an alias needs exactly one target, the ARM id of an Azure resource (/subscriptions/…)`,
        });
      return;
    }
    if (ep.targets.length > MAX_RECORDS_PER_SET)
      issues.push({
        path: [...path, 'targets'],
        code: 'too_many_records',
        message: `${what}: ${ep.targets.length} records; Azure allows ${MAX_RECORDS_PER_SET} per record set`,
      });
    if (type === 'CNAME' && ep.targets.length > 1)
      issues.push({
        path: [...path, 'targets'],
        code: 'cname_single',
        message: `${what}: a CNAME has one target`,
      });
    if (type === 'TXT') {
      const total = ep.targets.reduce((n, t) => n + t.length, 0);
      if (total > MAX_TXT_SET_LENGTH)
        issues.push({
          path: [...path, 'targets'],
          code: 'txt_too_long',
          message: `${what}: ${total} characters of TXT; Azure allows ${MAX_TXT_SET_LENGTH} per record set`,
        });
    }
  }

  async #zoneResolver(
    touched: readonly Endpoint[],
    options: CallOptions,
  ): Promise<(ep: Endpoint) => AzureZoneInfo> {
    let zones = await this.#zoneCache.get(options, false);
    let match = zoneMatcher(zones.map((z) => z.name));
    if (touched.some((ep) => match(ep.dnsName) === undefined)) {
      zones = await this.#zoneCache.get(options, true);
      match = zoneMatcher(zones.map((z) => z.name));
    }
    const missing = [
      ...new Set(touched.filter((ep) => match(ep.dnsName) === undefined).map((ep) => ep.dnsName)),
    ];
    if (missing.length)
      throw new ProviderError(
        `azure: no ${this.zoneType} zone of subscription ${this.client.subscriptionId}${this.#resourceGroup ? ` in resource group ${this.#resourceGroup}` : ''} serves ${missing.join(', ')} (zones: ${zones.map((z) => `${z.resourceGroup}/${z.name}`).join(', ') || 'none'})`,
        { provider: this.name, code: 'UNKNOWN_ZONE' },
      );
    return (ep) => zones.find((z) => z.name === match(ep.dnsName)) as AzureZoneInfo;
  }

  /**
   * Makes sure the record sets about to be written are known with their ETags: from the zone's
   * listing when there is one, else by reading them one by one when that costs less of the zone's
   * per-minute budgets than listing the whole zone (a 10,000-set zone is 100 list pages against
   * 60 per minute, and 2,000 gets per minute).
   */
  async #prefetch(
    touched: readonly Endpoint[],
    zoneOf: (ep: Endpoint) => AzureZoneInfo,
    options: CallOptions,
  ): Promise<void> {
    const byZone = new Map<AzureZoneInfo, Endpoint[]>();
    for (const ep of touched) byZone.set(zoneOf(ep), [...(byZone.get(zoneOf(ep)) ?? []), ep]);
    for (const [zone, eps] of byZone) {
      const cached = this.#sets.get(zone.id);
      const missing = eps.filter((ep) => !cached?.complete && !cached?.sets.has(this.#keyFor(ep, zone)));
      if (missing.length === 0) continue;
      const limits = AZURE_ZONE_LIMITS[zone.kind];
      const pages = Math.max(1, Math.ceil((zone.numberOfRecordSets ?? Infinity) / this.client.pageSize));
      if (missing.length / limits.get < pages / limits.list) {
        const sets = cached ?? { at: 0, sets: new Map(), complete: false };
        this.#sets.set(zone.id, sets);
        const call = options.signal ? { signal: options.signal } : {};
        await this.#parallel(missing, async (ep) => {
          const name = recordSetName(ep.dnsName, zone.name);
          const rs = await this.client.getRecordSet(zone, ep.recordType, name, call);
          if (rs) sets.sets.set(keyOf(rs.type, rs.name), rs);
          else sets.sets.delete(keyOf(ep.recordType, name));
        });
        // a set read as absent is known to be absent: remember it as such
        for (const ep of missing) {
          const key = this.#keyFor(ep, zone);
          if (!sets.sets.has(key)) sets.sets.set(key, ABSENT);
        }
      } else await this.#listZone(zone, options, true);
    }
  }

  #keyFor(ep: Endpoint, zone: AzureZoneInfo): string {
    return keyOf(ep.recordType, recordSetName(ep.dnsName, zone.name));
  }

  #stored(ep: Endpoint, zone: AzureZoneInfo): AzureRecordSet | undefined {
    const rs = this.#sets.get(zone.id)?.sets.get(this.#keyFor(ep, zone));
    return rs === ABSENT ? undefined : rs;
  }

  /**
   * Why `current` is not what the plan read as `expected` (an update's or delete's old version),
   * or `undefined` when it is. Writes are conditional on the plan's read (`conditionalWrites`).
   */
  #changedSince(current: AzureRecordSet, expected: Endpoint, zone: AzureZoneInfo): string | undefined {
    const now = recordSetToEndpoint(current, zone.name);
    if (
      sameTargets(now.targets, expected.targets) &&
      (expected.recordTTL <= 0 || now.recordTTL === expected.recordTTL)
    )
      return undefined;
    return `${describeEndpoint(expected)} was changed by another writer since it was read (now ${now.targets.join(' ')}, TTL ${now.recordTTL})`;
  }

  #deleteOp(ep: Endpoint, zone: AzureZoneInfo): Op | undefined {
    const current = this.#stored(ep, zone);
    if (!current) return undefined; // gone already (an earlier attempt, or someone else)
    const stale = this.#changedSince(current, ep, zone);
    return {
      ep,
      what: describeEndpoint(ep),
      zone,
      key: this.#keyFor(ep, zone),
      kind: 'delete',
      etag: current.etag,
      ...(stale ? { stale } : {}),
    };
  }

  /**
   * @param expected what the plan read: `null` for a create (nothing), an update's old version;
   *   `undefined` when unknown (a marker removed again after a failure).
   */
  #putOp(ep: Endpoint, zone: AzureZoneInfo, expected?: Endpoint | null): Op | undefined {
    const desired = endpointToRecordSet(ep, zone.name);
    const current = this.#stored(ep, zone);
    let stale: string | undefined;
    if (current) {
      desired.name = current.name; // Azure keeps the name's spelling of the first write
      // an unset TTL keeps the stored one (core's rule); on create it is the default
      if (ep.recordTTL <= 0) desired.ttl = current.ttl;
      if (sameRecordSet(current, desired, zone.name)) return undefined;
      if (expected === null)
        stale = `${describeEndpoint(ep)} was created by another writer since it was read`;
      else if (expected) stale = this.#changedSince(current, expected, zone);
    }
    return {
      ep,
      what: describeEndpoint(ep),
      zone,
      key: this.#keyFor(ep, zone),
      kind: 'put',
      desired,
      // a create is sent with If-None-Match: *, whatever is listed now
      etag: expected === null ? undefined : current?.etag,
      ...(stale ? { stale } : {}),
    };
  }

  // ---- running --------------------------------------------------------------------------------

  /** Runs ops, `concurrency` at a time; returns the first failure after every op ended, or undefined. */
  async #run(ops: readonly Op[], applied: Set<Endpoint>, options: CallOptions): Promise<unknown> {
    let failure: unknown;
    await this.#parallel(ops, async (op) => {
      if (failure) return; // stop sending after a failure: the next plan decides
      try {
        await this.#write(op, options);
        applied.add(op.ep);
      } catch (error) {
        if (await this.#settled(op, error, options)) applied.add(op.ep);
        else failure ??= error;
      }
    });
    return failure;
  }

  async #write(op: Op, options: CallOptions): Promise<void> {
    if (op.stale)
      throw new ProviderError(`azure: ${op.stale}; not written`, {
        provider: this.name,
        code: 'RECORD_CONFLICT',
        retryable: true,
      });
    const call = options.signal ? { signal: options.signal } : {};
    const sets = this.#zoneSets(op.zone);
    if (op.kind === 'delete') {
      await this.client.deleteRecordSet(op.zone, op.ep.recordType, this.#nameOf(op) || nameOfKey(op.key), {
        ...call,
        ...(op.etag ? { ifMatch: op.etag } : {}),
      });
      sets.set(op.key, ABSENT);
      return;
    }
    const stored = await this.client.putRecordSet(op.zone, op.desired as AzureRecordSet, {
      ...call,
      ...(op.etag ? { ifMatch: op.etag } : { ifNoneMatch: '*' as const }),
    });
    sets.set(op.key, stored);
  }

  #nameOf(op: Op): string | undefined {
    return this.#sets.get(op.zone.id)?.sets.get(op.key)?.name;
  }

  /**
   * After a failed write (a 412, or an answer that never came): reads the record set again. The
   * write counts as carried out when the set now is what it would have written (an earlier attempt
   * of a retried request did it). Otherwise the new state is remembered for the next plan.
   */
  async #settled(op: Op, error: unknown, options: CallOptions): Promise<boolean> {
    if (options.signal?.aborted) return false;
    // an answer proving the write was refused, other than a 412, needs no read
    if (
      isAzureApiError(error) &&
      error.kind === 'http' &&
      error.status !== undefined &&
      error.status < 500 &&
      error.status !== 412 &&
      error.status !== 408
    )
      return false;
    if (isAzureApiError(error) && error.kind === 'rate-limited') return false;
    const sets = this.#zoneSets(op.zone);
    try {
      const name = op.desired?.name ?? (this.#nameOf(op) || nameOfKey(op.key));
      const now = await this.client.getRecordSet(
        op.zone,
        op.ep.recordType,
        name,
        options.signal ? { signal: options.signal } : {},
      );
      sets.set(op.key, now ?? ABSENT);
      if (op.kind === 'delete') return now === undefined;
      return now !== undefined && sameRecordSet(now, op.desired as AzureRecordSet, op.zone.name);
    } catch {
      sets.delete(op.key); // unknown: read it again next time
      const zone = this.#sets.get(op.zone.id);
      if (zone) zone.complete = false;
      return false;
    }
  }

  /** Deletes markers a failure left without their records (best effort; returns those removed). */
  async #undo(
    markers: readonly Endpoint[],
    zoneOf: (ep: Endpoint) => AzureZoneInfo,
    options: CallOptions,
  ): Promise<Endpoint[]> {
    if (markers.length === 0 || options.signal?.aborted) return [];
    const done = new Set<Endpoint>();
    const ops: Op[] = [];
    for (const ep of markers) {
      const op = this.#deleteOp(ep, zoneOf(ep));
      if (op) ops.push(op);
      else done.add(ep);
    }
    await this.#run(ops, done, options);
    return markers.filter((m) => done.has(m));
  }

  async #parallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++] as T);
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, items.length) }, worker));
  }

  // ---- state ----------------------------------------------------------------------------------

  #zoneSets(zone: AzureZoneInfo): Map<string, AzureRecordSet> {
    let entry = this.#sets.get(zone.id);
    if (!entry) this.#sets.set(zone.id, (entry = { at: 0, sets: new Map(), complete: false }));
    return entry.sets;
  }

  async #listZone(
    zone: AzureZoneInfo,
    options: CallOptions,
    fresh = false,
  ): Promise<Map<string, AzureRecordSet>> {
    const cached = this.#sets.get(zone.id);
    if (
      !fresh &&
      cached?.complete &&
      this.#recordCacheTtlMs > 0 &&
      Date.now() - cached.at < this.#recordCacheTtlMs
    )
      return withoutAbsent(cached.sets);
    const list = await this.client.listRecordSets(zone, options.signal ? { signal: options.signal } : {});
    const sets = new Map(list.map((rs) => [keyOf(rs.type, rs.name), rs]));
    this.#sets.set(zone.id, { at: Date.now(), sets, complete: true });
    return sets;
  }

  async #listZones(options: CallOptions): Promise<AzureZoneInfo[]> {
    const zones = await this.client.listZones(this.zoneType, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#resourceGroup ? { resourceGroup: this.#resourceGroup } : {}),
    });
    const wanted = this.#zoneIds;
    const selected = zones
      .filter((z) => this.domainFilter.selectsZone(z.name))
      .filter(
        (z) =>
          !wanted ||
          wanted.includes(z.id.toLowerCase()) ||
          wanted.includes(`${z.resourceGroup}/${z.name}`.toLowerCase()),
      )
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const byName = new Map<string, AzureZoneInfo[]>();
    for (const z of selected) byName.set(z.name, [...(byName.get(z.name) ?? []), z]);
    const duplicates = [...byName.values()].filter((list) => list.length > 1);
    if (duplicates.length)
      throw new ConfigError(
        `azure: ${duplicates
          .map(
            (list) =>
              `${list[0]?.name} is a ${this.zoneType} zone in several resource groups (${list.map((z) => z.resourceGroup).join(', ')})`,
          )
          .join(
            '; ',
          )}: choose one with resourceGroup or zoneIds ("<resourceGroup>/<zone>" or the zone's ARM id)`,
      );
    return selected;
  }
}

/** A record set known to be absent (read by name and not found). */
const ABSENT: AzureRecordSet = Object.freeze({ name: '', type: '', ttl: 0, metadata: {} });

function nameOfKey(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

function withoutAbsent(sets: Map<string, AzureRecordSet>): Map<string, AzureRecordSet> {
  return new Map([...sets].filter(([, rs]) => rs !== ABSENT));
}

/** An issue at `path`/providerSpecific/j for each malformed `azure/tags` of `ep`. */
function tagsIssues(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
  ep.providerSpecific.forEach((p, j) => {
    if (p.name !== TAGS_PROPERTY) return;
    const problem = tagsProblem(p.value);
    if (problem)
      issues.push({
        path: [...path, 'providerSpecific', j, 'value'],
        code: 'invalid_property',
        message: `${describeEndpoint(ep)}: ${TAGS_PROPERTY} ${JSON.stringify(p.value)} is not a tag list: ${problem}`,
      });
  });
}
