import {
  cloneEndpoint,
  ConfigError,
  describeEndpoint,
  DomainFilter,
  isDnsError,
  normalizeDnsName,
  ProviderError,
  ValidationError,
  type BatchChange,
  type BatchLimit,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Issue,
  type IssuePath,
  type Provider,
  type ProviderCapabilities,
  type RecordType,
} from '@openova/dns-core';
import { abortableSleep } from '@openova/dns-core/http';
import {
  CachedLoader,
  prepareChangeSet,
  sortEndpoints,
  sortTargets,
  throwIfAborted,
  zoneMatcher,
} from '@openova/dns-core/provider';
import { GoogleCloudDnsClient, type GoogleClientOptions, type WaitForChangeOptions } from './client.js';
import { isGoogleApiError } from './errors.js';
import {
  canonicalTargetFor,
  endpointToRRSet,
  GOOGLE_PROPERTIES,
  policyAnswers,
  routingPolicyOf,
  routingPolicyProperty,
  rrdataBytes,
  rrsetName,
  rrsetToEndpoint,
  sameRRSet,
} from './mapping.js';
import type { GoogleChange, GoogleManagedZone, GoogleRRSet, GoogleRoutingPolicy } from './schemas.js';

/** Record types the provider reads and writes unless told otherwise (ExternalDNS's, plus CAA and PTR). */
export const DEFAULT_GOOGLE_RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'NS',
  'CAA',
  'PTR',
];

/** Cloud DNS per-change limits (quotas page): additions, deletions and rrdata bytes of one change. */
export const GOOGLE_CHANGE_LIMITS = { additions: 1000, deletions: 1000, rrdataBytes: 100_000 } as const;

/** A managed zone as the provider uses it. */
export interface GoogleZoneInfo {
  /** Numeric id (as a string). */
  id: string;
  /** The managed zone's name (unique per project), e.g. `example-com`. */
  name: string;
  /** The DNS name served, without trailing dot. */
  dnsName: string;
  /** `public` (served on the internet) or `private` (served to the VPC networks bound to it). */
  visibility: 'public' | 'private';
  /**
   * True for the zone records at its DNS name go to: with two selected zones of one DNS name (split
   * horizon), public before private, then the lowest managed-zone name.
   */
  primary: boolean;
}

/**
 * How the provider reaches Cloud DNS: the options of a client it builds (see `GoogleClientOptions`),
 * or a ready `client`.
 */
export type GoogleConnection =
  | (Omit<GoogleClientOptions, 'dispatcher'> & {
      /** Not given: the provider builds its own client from the other options. */
      client?: undefined;
    })
  | {
      /** A ready client (shared limiter, your own token source); its options are used as they are. */
      client: GoogleCloudDnsClient;
    };

/**
 * Options of {@link GoogleCloudDnsProvider}: the connection ({@link GoogleConnection}) and what is
 * managed. ExternalDNS's `--google-*` flags are named next to the option that replaces them.
 */
export type GoogleCloudDnsProviderOptions = GoogleConnection & {
  /** Names the provider reads and writes (ExternalDNS `--domain-filter`); zones are filtered by it. */
  domainFilter?: DomainFilter;
  /** Only `public` or only `private` zones (ExternalDNS `--google-zone-visibility`); default both. */
  zoneVisibility?: 'public' | 'private';
  /** Only zones whose numeric id or managed-zone name is listed (ExternalDNS `--zone-id-filter`). */
  zoneIds?: readonly string[];
  /** Record types read and written (default {@link DEFAULT_GOOGLE_RECORD_TYPES}). */
  recordTypes?: readonly RecordType[];
  /** TTL of records written without one (default 300, as ExternalDNS). */
  defaultTTL?: number;
  /** How long the zone list is reused (default 60 000 ms; 0 = list on every call). */
  zoneCacheTtlMs?: number;
  /**
   * Most additions plus deletions of one change (ExternalDNS `--google-batch-change-size`, default
   * 1000 there); Google's own limits ({@link GOOGLE_CHANGE_LIMITS}) always hold.
   */
  batchChangeSize?: number;
  /** Pause after each change in ms (ExternalDNS `--google-batch-change-interval`, default 0 here). */
  batchChangeIntervalMs?: number;
  /** Wait until each change is `done` (served) before the next (default false, as ExternalDNS). */
  waitForChange?: boolean | Omit<WaitForChangeOptions, 'signal'>;
};

/** One zone's change as sent by the last `applyChanges` call. */
export interface GoogleAppliedChange {
  /** The managed zone's name (`example-com`). */
  zone: string;
  /** Record sets added, as sent. */
  additions: GoogleRRSet[];
  /** Record sets deleted, as sent (each exactly as listed). */
  deletions: GoogleRRSet[];
  /** Google's change id and status, when it answered. */
  id?: string;
  /** `pending` until the change is served, then `done`; absent when Google did not answer. */
  status?: GoogleChange['status'];
}

/** One writer's item of a shared routing-policy record set. */
export type RoutingItem =
  | {
      /** A `geo` item: the answer (`rrdatas`) for queries nearest to `location`, a Google Cloud region. */
      geo: { location: string; rrdatas: string[] };
    }
  | {
      /** A `wrr` item: `rrdatas` answered with probability ∝ `weight` (a non-negative number). */
      wrr: { weight: number; rrdatas: string[] };
    };

/** What one change of the plan wants at one record set. */
interface Intent {
  kind: 'create' | 'update' | 'delete';
  key: string;
  /** The endpoint named in errors. */
  ep: Endpoint;
  /** For update and delete: the version the plan was made from. */
  old?: Endpoint;
  /** For create and update: the record set to add. */
  addition?: GoogleRRSet;
}

const setKey = (name: string, type: string) => `${name.toLowerCase()}/${type.toUpperCase()}`;

/**
 * Google Cloud DNS as a core {@link Provider}, on the Cloud DNS v1 REST API.
 *
 * - Zones: the project's managed zones filtered by the domain filter, `zoneVisibility` and `zoneIds`;
 *   peering, forwarding, reverse-lookup and Service Directory zones are never read nor written.
 *   With two selected zones of one DNS name (split horizon) records go to the primary one (see
 *   {@link GoogleZoneInfo.primary}); the others are not read.
 * - Writes are `changes.create` transactions, one per zone per call, sized by core's cost model
 *   (`capabilities.batchLimits`: 1,000 additions, 1,000 deletions, 100,000 rrdata bytes). A
 *   deletion is always the record set as listed (Cloud DNS wants it exactly), and an update's
 *   deletion and addition are in the same change.
 * - When Google answers 412 `conditionNotMet`, 409 `alreadyExists` or 404 for a deletion (the zone
 *   moved under us), or a change's outcome is unknown (no answer, a 5xx, a conflict after a
 *   retry), the zone is read again: what is already as wanted is dropped, deletions are rebuilt
 *   from the fresh record sets, and the rest is sent once more. A record set changed by someone
 *   else in between, or a second refusal, fails with `RECORD_REJECTED` and Google's reason, which
 *   core's `applyInBatches` bisects: the rest is applied, the bad ones are reported by name.
 * - Routing policies (geo, weighted round robin, primary-backup) in the `google/routing-policy`
 *   property; {@link contributeRoutingItem} lets several writers share one policy record set.
 */
export class GoogleCloudDnsProvider implements Provider {
  readonly name = 'google';
  readonly domainFilter: DomainFilter;
  /** The Cloud DNS client the provider calls (given in the options or built from them). */
  readonly client: GoogleCloudDnsClient;
  /** The changes sent by the last `applyChanges` call, in order (a re-planned one included). */
  lastApply: GoogleAppliedChange[] = [];

  readonly #recordTypes: readonly string[];
  readonly #zoneVisibility: 'public' | 'private' | undefined;
  readonly #zoneIds: ReadonlySet<string> | undefined;
  readonly #defaultTtl: number;
  readonly #intervalMs: number;
  readonly #wait: Omit<WaitForChangeOptions, 'signal'> | undefined;
  readonly #zoneCache: CachedLoader<GoogleZoneInfo[]>;
  readonly #limits: readonly BatchLimit[];
  /** Record sets per managed zone name, by `name/TYPE`, as last read or written. */
  readonly #stored = new Map<string, Map<string, GoogleRRSet>>();

  /** @throws `ConfigError` for bad numbers or a bad `baseUrl`. */
  constructor(options: GoogleCloudDnsProviderOptions = {}) {
    if (options.client) this.client = options.client;
    else {
      const {
        domainFilter: _f,
        zoneVisibility: _v,
        zoneIds: _i,
        recordTypes: _r,
        defaultTTL: _t,
        zoneCacheTtlMs: _z,
        batchChangeSize: _b,
        batchChangeIntervalMs: _bi,
        waitForChange: _w,
        client: _c,
        ...connection
      } = options;
      this.client = new GoogleCloudDnsClient(connection);
    }
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#zoneVisibility = options.zoneVisibility;
    this.#zoneIds = options.zoneIds ? new Set(options.zoneIds) : undefined;
    this.#recordTypes = (options.recordTypes ?? DEFAULT_GOOGLE_RECORD_TYPES).map((t) => t.toUpperCase());
    this.#defaultTtl = options.defaultTTL ?? 300;
    if (!Number.isInteger(this.#defaultTtl) || this.#defaultTtl < 0 || this.#defaultTtl > 2_147_483_647)
      throw new ConfigError('google: defaultTTL must be an integer from 0 to 2147483647');
    this.#intervalMs = options.batchChangeIntervalMs ?? 0;
    if (!(this.#intervalMs >= 0)) throw new ConfigError('google: batchChangeIntervalMs must be 0 or more');
    this.#wait = options.waitForChange
      ? options.waitForChange === true
        ? {}
        : options.waitForChange
      : undefined;
    this.#zoneCache = new CachedLoader({
      ttlMs: options.zoneCacheTtlMs ?? 60_000,
      load: (o) => this.#listZones(o),
    });
    const bytes = (ep: Endpoint) => rrdataBytes(this.#toSet(ep));
    const limits: BatchLimit[] = [
      {
        name: 'Cloud DNS additions per change',
        max: GOOGLE_CHANGE_LIMITS.additions,
        cost: (c) => (c.kind === 'delete' ? 0 : 1),
      },
      {
        name: 'Cloud DNS deletions per change',
        max: GOOGLE_CHANGE_LIMITS.deletions,
        cost: (c) => (c.kind === 'create' ? 0 : 1),
      },
      {
        name: 'Cloud DNS rrdata bytes per change',
        max: GOOGLE_CHANGE_LIMITS.rrdataBytes,
        cost: (c: BatchChange) =>
          c.kind === 'update' ? bytes(c.old) + bytes(c.endpoint) : bytes(c.endpoint),
      },
    ];
    if (options.batchChangeSize !== undefined) {
      if (!Number.isInteger(options.batchChangeSize) || options.batchChangeSize < 2)
        throw new ConfigError('google: batchChangeSize must be an integer of 2 or more');
      limits.push({
        name: 'additions and deletions per change (batchChangeSize)',
        max: options.batchChangeSize,
        cost: (c) => (c.kind === 'update' ? 2 : 1),
      });
    }
    this.#limits = limits;
  }

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter, the
   * client's identity, zone visibility and ids as configured; never a credential, the client's connections
   * or cached records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      client: this.client.toJSON(),
      zoneVisibility: this.#zoneVisibility,
      zoneIds: this.#zoneIds && [...this.#zoneIds],
    };
  }

  get capabilities(): ProviderCapabilities {
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'batch',
      batchLimits: this.#limits,
      setIdentifiers: false,
      // deletions must match what is stored, and an addition fails where a record set exists: a
      // changed record set is a conflict, never replaced (see buildChange)
      conditionalWrites: true,
      ownerNames: 'hostname',
    };
  }

  /** Forgets the cached zone list and record sets. */
  refresh(): void {
    this.#zoneCache.clear();
    this.#stored.clear();
  }

  async zones(options: CallOptions = {}): Promise<string[]> {
    return [...new Set((await this.#zoneCache.get(options)).map((z) => z.dnsName))];
  }

  /** The selected managed zones, primary ones first for each DNS name. */
  async zoneInfo(options: CallOptions = {}): Promise<GoogleZoneInfo[]> {
    return (await this.#zoneCache.get(options)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = (await this.#zoneCache.get(options)).filter((z) => z.primary);
    const out: Endpoint[] = [];
    for (const zone of zones) {
      const sets = await this.#readZone(zone, options);
      for (const set of sets.values()) {
        if (!this.#recordTypes.includes(set.type.toUpperCase())) continue;
        const ep = rrsetToEndpoint(set);
        if (this.domainFilter.matches(ep.dnsName)) out.push(ep);
      }
    }
    return sortEndpoints(out);
  }

  /**
   * Desired endpoints in the form {@link records} returns them: lower-case punycode names,
   * canonical targets sorted and deduplicated (TXT split at 255 octets reads back as written), a
   * routing policy in canonical JSON with its answers as targets, other properties dropped. An unset
   * TTL stays unset (the planner keeps the stored one).
   * @throws `ValidationError` for a `google/routing-policy` that is not a policy.
   */
  adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    return Promise.resolve().then(() => this.#adjust(endpoints, options));
  }

  #adjust(endpoints: Endpoint[], options: CallOptions): Endpoint[] {
    throwIfAborted(options.signal);
    const issues: Issue[] = [];
    const adjusted = endpoints.map((input, i) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      let policy: ReturnType<typeof routingPolicyOf>;
      try {
        policy = routingPolicyOf(ep);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // its paths start at the endpoint: point them at endpoints[i]
        for (const issue of error.issues) issues.push({ ...issue, path: [i, ...issue.path] });
        return ep;
      }
      if (policy) {
        const answers = sortTargets([
          ...new Set(policyAnswers(policy).map((t) => canonicalTargetFor(ep.recordType, t))),
        ]);
        // the targets must say what the policy answers: a plan must never show one thing and write another
        const given = sortTargets([...new Set(ep.targets.map((t) => canonicalTargetFor(ep.recordType, t)))]);
        if (given.length > 0 && given.join('\u0000') !== answers.join('\u0000'))
          issues.push({
            path: [i, 'targets'],
            code: 'targets_not_policy_answers',
            message: `${describeEndpoint(ep)}: the targets (${given.join(', ')}) must be every answer of its google/routing-policy (${answers.join(', ')})`,
          });
        ep.targets = answers;
        ep.providerSpecific = [
          { name: GOOGLE_PROPERTIES.routingPolicy, value: routingPolicyProperty(policy, ep.recordType) },
        ];
      } else {
        ep.targets = sortTargets([...new Set(ep.targets.map((t) => canonicalTargetFor(ep.recordType, t)))]);
        ep.providerSpecific = [];
      }
      return ep;
    });
    if (issues.length)
      throw new ValidationError(issues, {
        summary: 'google: routing policies that do not match their records',
      });
    return adjusted;
  }

  /**
   * Applies a change set: one `changes.create` per zone, settled as described on the class.
   * @throws `ValidationError` (nothing sent) for invalid records; `UNKNOWN_ZONE` for names no
   *   selected zone serves; `RECORD_REJECTED` when Google refuses a change for its content or it
   *   still conflicts after one re-read (nothing of that zone's change is applied); the client's
   *   `GoogleApiError` otherwise (`PROVIDER_AUTH`, `PROVIDER_RATE_LIMITED`, …).
   */
  async applyChanges(input: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const changes = prepareChangeSet(input, {
      provider: this.name,
      domainFilter: this.domainFilter,
      recordTypes: this.#recordTypes,
      setIdentifiers: false,
      setIdentifierHint:
        'Cloud DNS has no set identifiers: put geo or weighted answers in one record set with google/routing-policy',
      checkWrite: (ep, path, issues) => this.#checkWrite(ep, path, issues),
    });
    this.lastApply = [];
    const touched = [...changes.create, ...changes.updateNew, ...changes.delete];
    if (touched.length === 0) return;
    const zoneOf = await this.#zoneResolver([...touched, ...changes.updateOld], options);
    const perZone = new Map<string, { zone: GoogleZoneInfo; intents: Intent[] }>();
    const add = (zone: GoogleZoneInfo, intent: Intent) => {
      let entry = perZone.get(zone.name);
      if (!entry) perZone.set(zone.name, (entry = { zone, intents: [] }));
      entry.intents.push(intent);
    };
    for (const ep of changes.delete) add(zoneOf(ep), { kind: 'delete', key: keyOf(ep), ep, old: ep });
    changes.updateNew.forEach((ep, i) => {
      const old = changes.updateOld[i] as Endpoint;
      const zone = zoneOf(ep);
      if (keyOf(old) !== keyOf(ep) || zoneOf(old) !== zone) {
        add(zoneOf(old), { kind: 'delete', key: keyOf(old), ep: old, old });
        add(zone, { kind: 'create', key: keyOf(ep), ep, addition: this.#toSet(ep) });
      } else add(zone, { kind: 'update', key: keyOf(ep), ep, old, addition: this.#toSet(ep) });
    });
    for (const ep of changes.create)
      add(zoneOf(ep), { kind: 'create', key: keyOf(ep), ep, addition: this.#toSet(ep) });
    for (const { zone, intents } of perZone.values()) await this.#applyZone(zone, intents, options);
  }

  /**
   * Adds or replaces one item of a routing-policy record set that several writers share (one item
   * per cluster): reads the record set, merges the item (a geo item replaces the one of its
   * location; a wrr item replaces the one with the same answers), and writes the result in one
   * change whose deletion is the record set as read. When another writer changed it in between
   * (412/409), reads again and retries, up to `attempts` times (default 5). The record set is
   * outside the TXT registry: it has no single owner, so do not also list it in `desired`.
   * @param input `item` is `{ geo: { location, rrdatas } }` or `{ wrr: { weight, rrdatas } }`; `ttl`
   *   defaults to the stored one, else `defaultTTL`.
   * @returns The record set as now stored.
   * @throws `UNKNOWN_ZONE` when no selected zone serves `dnsName`; `RECORD_CONFLICT` when every
   *   attempt met a concurrent change; `RECORD_REJECTED` when the record set holds records of
   *   another kind (plain `rrdatas` or another policy).
   */
  contributeRoutingItem(
    input: {
      dnsName: string;
      recordType: string;
      ttl?: number;
      item: RoutingItem;
    },
    options: CallOptions & { attempts?: number } = {},
  ): Promise<GoogleRRSet | undefined> {
    const { item } = input;
    return this.#modifyPolicy(input, options, (policy) => {
      if ('geo' in item) {
        if (policy && !policy.geo) return 'it holds another routing policy';
        const items = (policy?.geo?.items ?? []).filter((i) => i.location !== item.geo.location);
        return { ...policy, geo: { ...policy?.geo, items: [...items, { ...item.geo }] } };
      }
      if (policy && !policy.wrr) return 'it holds another routing policy';
      const answers = answerKey(item.wrr.rrdatas);
      const items = (policy?.wrr?.items ?? []).filter((i) => answerKey(i.rrdatas ?? []) !== answers);
      return { ...policy, wrr: { items: [...items, { ...item.wrr }] } };
    });
  }

  /**
   * Removes one writer's item from a shared routing-policy record set (a cluster leaving): the geo
   * item of `location`, or the wrr item with these `rrdatas`. The record set is deleted with its last
   * item. Same read-modify-write and retries as {@link contributeRoutingItem}; nothing happens when
   * the item is not there.
   * @returns The record set as now stored, `undefined` when it is gone.
   * @throws as {@link contributeRoutingItem}.
   */
  withdrawRoutingItem(
    input: {
      dnsName: string;
      recordType: string;
      item: { geo: { location: string } } | { wrr: { rrdatas: string[] } };
    },
    options: CallOptions & { attempts?: number } = {},
  ): Promise<GoogleRRSet | undefined> {
    const { item } = input;
    return this.#modifyPolicy(input, options, (policy) => {
      if (!policy) return undefined;
      if ('geo' in item) {
        if (!policy.geo) return 'it holds another routing policy';
        const items = policy.geo.items.filter((i) => i.location !== item.geo.location);
        return items.length ? { ...policy, geo: { ...policy.geo, items } } : undefined;
      }
      if (!policy.wrr) return 'it holds another routing policy';
      const answers = answerKey(item.wrr.rrdatas);
      const items = policy.wrr.items.filter((i) => answerKey(i.rrdatas ?? []) !== answers);
      return items.length ? { ...policy, wrr: { items } } : undefined;
    });
  }

  /**
   * Read-modify-write of one routing-policy record set, guarded by the exact-match deletion:
   * `modify` returns the new policy, `undefined` to delete the record set, or a reason to refuse.
   */
  async #modifyPolicy(
    input: { dnsName: string; recordType: string; ttl?: number },
    options: CallOptions & { attempts?: number },
    modify: (policy: GoogleRoutingPolicy | undefined) => GoogleRoutingPolicy | undefined | string,
  ): Promise<GoogleRRSet | undefined> {
    const type = input.recordType.toUpperCase();
    const probe: Endpoint = {
      dnsName: normalizeDnsName(input.dnsName),
      recordType: type,
      targets: [],
      recordTTL: 0,
      setIdentifier: '',
      labels: {},
      providerSpecific: [],
    };
    const zone = (await this.#zoneResolver([probe], options))(probe);
    const name = rrsetName(probe.dnsName);
    const call = options.signal ? { signal: options.signal } : {};
    const attempts = options.attempts ?? 5;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      throwIfAborted(options.signal);
      const sets = await this.client.listRRSets(zone.name, { name, type, ...call });
      const current = sets.find((s) => s.type.toUpperCase() === type && s.name.toLowerCase() === name);
      const refuse = (why: string) =>
        new ProviderError(`google: cannot change the routing policy of ${name} ${type}: ${why}`, {
          provider: this.name,
          code: 'RECORD_REJECTED',
        });
      if (current && !current.routingPolicy) throw refuse('it holds plain rrdatas');
      const next = modify(current?.routingPolicy);
      if (typeof next === 'string') throw refuse(next);
      const addition =
        next &&
        endpointToRRSet(
          {
            ...probe,
            providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value: JSON.stringify(next) }],
          },
          input.ttl ?? current?.ttl ?? this.#defaultTtl,
        );
      if (!addition && !current) return undefined; // nothing to remove
      if (addition && current && sameRRSet(current, addition)) return current;
      try {
        await this.client.createChange(
          zone.name,
          { ...(addition ? { additions: [addition] } : {}), ...(current ? { deletions: [current] } : {}) },
          call,
        );
        this.#stored.delete(zone.name);
        return addition;
      } catch (error) {
        if (!(isDnsError(error) && error.code === 'RECORD_CONFLICT')) throw error;
        lastError = error; // another writer was faster: read again
      }
    }
    throw new ProviderError(
      `google: ${name} ${type} kept changing under us in ${attempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
      { provider: this.name, code: 'RECORD_CONFLICT', retryable: true, cause: lastError },
    );
  }

  // ---- applying ---------------------------------------------------------------------------------

  async #applyZone(zone: GoogleZoneInfo, intents: readonly Intent[], options: CallOptions): Promise<void> {
    const stored = await this.#readZone(zone, options, false);
    const first = buildChange(intents, stored);
    let failure: unknown;
    if (first.conflicts.length === 0) {
      if (first.additions.length === 0 && first.deletions.length === 0) return;
      try {
        await this.#send(zone, first, options);
        return;
      } catch (error) {
        if (!settleByReading(error)) throw error;
        failure = error;
      }
    }
    // else what we remember differs from what the plan saw: it may only be out of date
    // the zone moved under us, or the change may have been applied: read again and re-plan once
    const fresh = await this.#readZone(zone, options, true);
    const second = buildChange(intents, fresh);
    if (second.conflicts.length) throw this.#rejected(zone, second.conflicts.join('; '), failure, intents);
    if (second.additions.length === 0 && second.deletions.length === 0) return; // it was applied
    try {
      await this.#send(zone, second, options);
    } catch (error) {
      if (!(isDnsError(error) && error.code === 'RECORD_CONFLICT')) throw error;
      this.#stored.delete(zone.name);
      throw this.#rejected(zone, error.message, error, intents);
    }
  }

  async #send(
    zone: GoogleZoneInfo,
    change: { additions: GoogleRRSet[]; deletions: GoogleRRSet[] },
    options: CallOptions,
  ): Promise<void> {
    const record: GoogleAppliedChange = {
      zone: zone.name,
      additions: change.additions,
      deletions: change.deletions,
    };
    this.lastApply.push(record);
    const call = options.signal ? { signal: options.signal } : {};
    let result: GoogleChange;
    try {
      result = await this.client.createChange(zone.name, change, call);
    } catch (error) {
      this.#stored.delete(zone.name); // whatever happened, read it next time
      throw error;
    }
    record.id = result.id;
    record.status = result.status;
    const sets = this.#stored.get(zone.name);
    if (sets) {
      for (const d of change.deletions) sets.delete(setKey(d.name, d.type));
      for (const a of change.additions) sets.set(setKey(a.name, a.type), a);
    }
    if (this.#wait) {
      const done = await this.client.waitForChange(zone.name, result, { ...this.#wait, ...call });
      record.status = done.status;
    }
    if (this.#intervalMs > 0) await abortableSleep(this.#intervalMs, options.signal);
  }

  #rejected(zone: GoogleZoneInfo, reason: string, cause: unknown, intents: readonly Intent[]): ProviderError {
    const names = [...new Set(intents.map((i) => describeEndpoint(i.ep)))];
    return new ProviderError(
      `google: change to managed zone ${zone.name} refused (${names.join(', ')}): ${reason}`,
      { provider: this.name, code: 'RECORD_REJECTED', cause },
    );
  }

  #checkWrite(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
    try {
      routingPolicyOf(ep);
    } catch (error) {
      issues.push({
        path: [...path, 'providerSpecific'],
        code: 'routing_policy_invalid',
        message:
          error instanceof ValidationError
            ? (error.issues[0]?.message ?? error.message)
            : error instanceof Error
              ? error.message
              : String(error),
      });
    }
  }

  #toSet(ep: Endpoint): GoogleRRSet {
    return endpointToRRSet(ep, ep.recordTTL > 0 ? ep.recordTTL : this.#defaultTtl);
  }

  // ---- zones and state -------------------------------------------------------------------------

  async #zoneResolver(
    touched: readonly Endpoint[],
    options: CallOptions,
  ): Promise<(ep: Endpoint) => GoogleZoneInfo> {
    let zones = await this.#zoneCache.get(options);
    const matcher = (list: GoogleZoneInfo[]) =>
      zoneMatcher(list.filter((z) => z.primary).map((z) => z.dnsName));
    let match = matcher(zones);
    if (touched.some((ep) => match(ep.dnsName) === undefined)) {
      zones = await this.#zoneCache.get(options, true);
      match = matcher(zones);
    }
    const missing = [
      ...new Set(touched.filter((ep) => match(ep.dnsName) === undefined).map((ep) => ep.dnsName)),
    ];
    if (missing.length)
      throw new ProviderError(
        `google: no selected managed zone serves ${missing.join(', ')} (zones: ${zones.map((z) => `${z.name} (${z.dnsName})`).join(', ') || 'none'})`,
        { provider: this.name, code: 'UNKNOWN_ZONE' },
      );
    return (ep) => zones.find((z) => z.primary && z.dnsName === match(ep.dnsName)) as GoogleZoneInfo;
  }

  async #readZone(
    zone: GoogleZoneInfo,
    options: CallOptions,
    fresh = true,
  ): Promise<Map<string, GoogleRRSet>> {
    const cached = this.#stored.get(zone.name);
    if (cached && !fresh) return cached;
    const list = await this.client.listRRSets(zone.name, options.signal ? { signal: options.signal } : {});
    const sets = new Map(list.map((s) => [setKey(s.name, s.type), s]));
    this.#stored.set(zone.name, sets);
    return sets;
  }

  async #listZones(options: CallOptions): Promise<GoogleZoneInfo[]> {
    const listed = await this.client.listManagedZones(options.signal ? { signal: options.signal } : {});
    const zones = listed
      .filter(writable)
      .map((z) => ({
        id: z.id,
        name: z.name,
        dnsName: normalizeDnsName(z.dnsName),
        visibility: z.visibility ?? 'public',
        primary: false,
      }))
      .filter((z) => this.domainFilter.selectsZone(z.dnsName))
      .filter((z) => !this.#zoneVisibility || z.visibility === this.#zoneVisibility)
      .filter((z) => !this.#zoneIds || this.#zoneIds.has(z.id) || this.#zoneIds.has(z.name));
    // split horizon: public before private, then the lowest managed-zone name (never list order)
    zones.sort((a, b) =>
      a.dnsName === b.dnsName
        ? Number(a.visibility === 'private') - Number(b.visibility === 'private') ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
        : a.dnsName < b.dnsName
          ? -1
          : 1,
    );
    const seen = new Set<string>();
    for (const z of zones) {
      z.primary = !seen.has(z.dnsName);
      seen.add(z.dnsName);
    }
    return zones;
  }
}

/** Peering, forwarding, reverse-lookup and Service Directory zones hold nothing we may write. */
function writable(zone: GoogleManagedZone): boolean {
  return !(
    zone.peeringConfig ||
    zone.forwardingConfig ||
    zone.reverseLookupConfig ||
    zone.serviceDirectoryConfig
  );
}

/** The answers of a wrr item as one comparable string (order does not matter). */
function answerKey(rrdatas: readonly string[]): string {
  return JSON.stringify([...rrdatas].sort());
}

function keyOf(ep: Endpoint): string {
  return setKey(rrsetName(ep.dnsName), ep.recordType);
}

/** The endpoint a stored record set reads as, compared with what the plan saw (targets only). */
function sameTargets(set: GoogleRRSet, planned: Endpoint): boolean {
  const stored = rrsetToEndpoint(set);
  const want = sortTargets([
    ...new Set(planned.targets.map((t) => canonicalTargetFor(planned.recordType, t))),
  ]);
  return stored.targets.length === want.length && stored.targets.every((t, i) => t === want[i]);
}

/**
 * The change that brings `stored` to what the intents want. Deletions are the stored record sets
 * themselves (Cloud DNS wants them exactly). A stored record set whose answers differ from what
 * the plan saw (someone else changed it; a TTL alone may differ) is a conflict: nothing is sent
 * for the zone then, so that a record set we did not plan on is never deleted or replaced.
 */
function buildChange(
  intents: readonly Intent[],
  stored: ReadonlyMap<string, GoogleRRSet>,
): { additions: GoogleRRSet[]; deletions: GoogleRRSet[]; conflicts: string[] } {
  const additions: GoogleRRSet[] = [];
  const deletions: GoogleRRSet[] = [];
  const conflicts: string[] = [];
  const deleted = new Set<string>();
  for (const intent of intents) {
    const current = deleted.has(intent.key) ? undefined : stored.get(intent.key);
    const what = describeEndpoint(intent.ep);
    if (intent.kind === 'delete') {
      if (!current) continue; // gone already
      if (!sameTargets(current, intent.old as Endpoint)) {
        conflicts.push(
          `${what}: stored ${JSON.stringify(current.rrdatas ?? current.routingPolicy)} is not what was planned`,
        );
        continue;
      }
      deletions.push(current);
      deleted.add(intent.key);
      continue;
    }
    const addition = intent.addition as GoogleRRSet;
    if (current && sameRRSet(current, addition)) continue; // as wanted already
    if (current) {
      if (intent.kind === 'create' || !sameTargets(current, intent.old as Endpoint)) {
        conflicts.push(
          `${what}: stored ${JSON.stringify(current.rrdatas ?? current.routingPolicy)} is not what was planned`,
        );
        continue;
      }
      if (intent.kind === 'update') {
        deletions.push(current);
        deleted.add(intent.key);
      }
    }
    additions.push(addition);
  }
  return { additions, deletions, conflicts };
}

/**
 * True when a failed change is settled by reading the zone: a conflict (the zone moved), or an
 * outcome we cannot know (no answer, a timeout, a 5xx).
 */
function settleByReading(error: unknown): boolean {
  if (isDnsError(error) && error.code === 'RECORD_CONFLICT') return true;
  if (!isGoogleApiError(error)) return false;
  if (error.kind === 'network' || error.kind === 'timeout') return true;
  return error.kind === 'http' && (error.status ?? 0) >= 500;
}
