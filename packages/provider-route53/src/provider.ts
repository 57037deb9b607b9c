import type { Change, HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  cloneEndpoint,
  ConfigError,
  describeEndpoint,
  DomainFilter,
  endpointKey,
  getProviderSpecific,
  normalizeDnsName,
  ProviderError,
  type BatchChange,
  type BatchLimit,
  type CallOptions,
  type Changes,
  type Endpoint,
  type Issue,
  type IssuePath,
  type Provider,
  type ProviderCapabilities,
  type ProviderSpecificProperty,
  type RecordType,
} from '@openova/dns-core';
import {
  CachedLoader,
  prepareChangeSet,
  sortTargets,
  throwIfAborted,
  zoneMatcher,
} from '@openova/dns-core/provider';
import { canonicalZoneOf, defaultCanonicalZones, type CanonicalZones } from './canonicalZones.js';
import { Route53Api, type Route53ClientOptions } from './client.js';
import {
  ALIAS_PROPERTY,
  ALIAS_TTL,
  AWS_PROPERTIES,
  bareZoneId,
  canonicalTargetFor,
  endpointToRecordSet,
  isAlias,
  recordSetToEndpoint,
  routingPolicyOf,
  valueCharacters,
} from './mapping.js';

/** Record types the provider reads and writes unless told otherwise (ExternalDNS's, plus CAA). */
export const DEFAULT_ROUTE53_RECORD_TYPES: readonly RecordType[] = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'MX',
  'SRV',
  'NS',
  'CAA',
  'NAPTR',
];

/** Route53's per-request limits (ChangeResourceRecordSets quotas). */
export const ROUTE53_LIMITS = { resourceRecords: 1000, valueCharacters: 32_000 } as const;

/** A hosted zone as the provider uses it. */
export interface Route53ZoneInfo {
  /** Hosted zone id without the `/hostedzone/` prefix, e.g. `Z0123456789ABCDEFGHIJ`. */
  id: string;
  /** Without trailing dot. */
  name: string;
  /** True for a private hosted zone (attached to VPCs). */
  private: boolean;
  /** True when the zone is the one records at its name go to without `aws/hosted-zone-id`. */
  primary: boolean;
}

/**
 * Options of {@link Route53Provider}: the client options plus which zones and records to manage; each maps
 * an ExternalDNS `--aws-*` flag where one exists.
 */
export interface Route53ProviderOptions extends Route53ClientOptions {
  /** A ready {@link Route53Api} (shares its budget and stats); the client options are then ignored. */
  api?: Route53Api;
  /**
   * Names the provider reads and writes; hosted zones are listed and filtered by it (default: every zone
   * the credentials see).
   */
  domainFilter?: DomainFilter;
  /** Only these zone ids (ExternalDNS `--zone-id-filter`). */
  zoneIds?: readonly string[];
  /** `public` or `private` zones only (ExternalDNS `--aws-zone-type`); default both. */
  zoneType?: 'public' | 'private';
  /** Zones carrying every one of these tags (`''` = any value; ExternalDNS `--aws-zone-tags`). */
  zoneTags?: Readonly<Record<string, string>>;
  /** Default of `aws/evaluate-target-health` for aliases (default true, `--aws-evaluate-target-health`). */
  evaluateTargetHealth?: boolean;
  /** Turn CNAMEs to known AWS targets (ELB, CloudFront, …) into A aliases (default false: explicit). */
  cnameToAlias?: boolean;
  /** Never write aliases: `alias` is refused (ExternalDNS `--aws-prefer-cname`; GovCloud). */
  preferCname?: boolean;
  /** TTL for records created without one (default 300). */
  defaultTTL?: number;
  /**
   * Record types read and written (default {@link DEFAULT_ROUTE53_RECORD_TYPES}); other types are invisible and never
   * written.
   */
  recordTypes?: readonly RecordType[];
  /** How long the zone list is reused (default 60 000 ms; `--aws-zones-cache-duration`). */
  zoneCacheTtlMs?: number;
  /** Extra or overriding canonical hosted zones of alias targets, by name suffix. */
  canonicalZones?: CanonicalZones;
  /** Wait for `INSYNC` through `GetChange` after each batch (default false, as ExternalDNS). */
  waitForInsync?: boolean | { intervalMs?: number; timeoutMs?: number };
}

type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

/** One zone's change batch as sent. */
export interface Route53Batch {
  /** Hosted zone id the batch was sent to. */
  zoneId: string;
  /** Zone name, without trailing dot. */
  zone: string;
  /** The `ChangeResourceRecordSets` changes sent, in order (`CREATE`, `DELETE`, `UPSERT`). */
  changes: Change[];
}

const POLICY_KEYS = new Set<string>([
  AWS_PROPERTIES.weight,
  AWS_PROPERTIES.region,
  AWS_PROPERTIES.failover,
  AWS_PROPERTIES.geolocationContinentCode,
  AWS_PROPERTIES.geolocationCountryCode,
  AWS_PROPERTIES.geolocationSubdivisionCode,
  AWS_PROPERTIES.geoproximityRegion,
  AWS_PROPERTIES.geoproximityLocalZoneGroup,
  AWS_PROPERTIES.geoproximityCoordinates,
  AWS_PROPERTIES.geoproximityBias,
  AWS_PROPERTIES.multiValueAnswer,
  AWS_PROPERTIES.healthCheckId,
]);

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const norm = (s: ResourceRecordSet) =>
    JSON.stringify(
      {
        ...s,
        Name: s.Name?.toLowerCase(),
        ResourceRecords: s.ResourceRecords?.map((r) => r.Value).sort(),
        AliasTarget: s.AliasTarget
          ? {
              ...s.AliasTarget,
              DNSName: s.AliasTarget.DNSName?.toLowerCase(),
              HostedZoneId: bareZoneId(s.AliasTarget.HostedZoneId ?? ''),
            }
          : undefined,
      },
      Object.keys(s).sort(),
    );
  return norm(a) === norm(b);
}

function setKey(set: ResourceRecordSet): string {
  return endpointKey({
    dnsName: set.Name ?? '',
    recordType: String(set.Type ?? ''),
    setIdentifier: set.SetIdentifier ?? '',
  }).replace(/\\052/g, '*');
}

/**
 * AWS Route53 as a core {@link Provider}, on the AWS SDK v3.
 *
 * - Zones are listed with every page, filtered by type, ids, tags and the domain filter. When one
 *   name exists as several zones (split horizon), records go to the primary one (public before
 *   private, then the lowest id) unless `aws/hosted-zone-id` names another.
 * - Records are read with every page; alias records read back as A or AAAA with `alias` = `true`.
 * - `applyChanges` sends one `ChangeResourceRecordSets` per zone: UPSERT where it can, DELETE plus
 *   CREATE when the set identifier, the routing policy or alias-ness changes; a DELETE always
 *   carries the stored set. `capabilities.batchLimits` prices changes in ResourceRecord elements and
 *   value characters (an UPSERT twice) so core's batching fits Route53's limits; a batch Route53
 *   refuses (`InvalidChangeBatch`) fails with `RECORD_REJECTED` and Route53's messages, which core
 *   bisects to apply the rest.
 */
export class Route53Provider implements Provider {
  readonly name = 'route53';
  readonly domainFilter: DomainFilter;
  /** The Route53 client the provider calls; its `stats` show requests made. */
  readonly api: Route53Api;
  /** The batches of the last `applyChanges` call. */
  lastApply: Route53Batch[] = [];

  readonly #recordTypes: readonly string[];
  readonly #zoneIds: readonly string[] | undefined;
  readonly #zoneType: 'public' | 'private' | undefined;
  readonly #zoneTags: Readonly<Record<string, string>> | undefined;
  readonly #evaluateTargetHealth: boolean;
  readonly #cnameToAlias: boolean;
  readonly #preferCname: boolean;
  readonly #defaultTtl: number;
  readonly #canonicalZones: CanonicalZones;
  readonly #wait: { intervalMs?: number; timeoutMs?: number } | undefined;
  readonly #zoneCache: CachedLoader<Route53ZoneInfo[]>;
  /** Stored record sets per zone id, by key, as last read or written. */
  readonly #stored = new Map<string, Map<string, ResourceRecordSet>>();
  readonly #limits: readonly BatchLimit[];

  /**
   * @param options Credentials, region and what to manage; see {@link Route53ProviderOptions}.
   * @throws `ConfigError` (`CONFIG`) when `defaultTTL` is not an integer from 0 to 2,147,483,647.
   *   Nothing is sent to AWS.
   */
  constructor(options: Route53ProviderOptions = {}) {
    this.api = options.api ?? new Route53Api(options);
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#zoneIds = options.zoneIds?.map(bareZoneId);
    this.#zoneType = options.zoneType;
    this.#zoneTags = options.zoneTags;
    this.#evaluateTargetHealth = options.evaluateTargetHealth ?? true;
    this.#cnameToAlias = options.cnameToAlias ?? false;
    this.#preferCname = options.preferCname ?? false;
    this.#defaultTtl = options.defaultTTL ?? 300;
    if (!Number.isInteger(this.#defaultTtl) || this.#defaultTtl < 0 || this.#defaultTtl > 2_147_483_647)
      throw new ConfigError('route53: defaultTTL must be an integer from 0 to 2147483647');
    this.#recordTypes = (options.recordTypes ?? DEFAULT_ROUTE53_RECORD_TYPES).map((t) => t.toUpperCase());
    this.#canonicalZones = { ...defaultCanonicalZones(), ...options.canonicalZones };
    this.#wait = options.waitForInsync
      ? options.waitForInsync === true
        ? {}
        : options.waitForInsync
      : undefined;
    this.#zoneCache = new CachedLoader({
      ttlMs: options.zoneCacheTtlMs ?? 60_000,
      load: (o) => this.#listZones(o),
    });
    const count = (ep: Endpoint) => (isAlias(ep) ? 1 : new Set(ep.targets).size);
    const chars = (ep: Endpoint) => valueCharacters(this.#toSet(ep, ''));
    const priced = (fn: (ep: Endpoint) => number) => (c: BatchChange) =>
      c.kind === 'update' ? Math.max(2 * fn(c.endpoint), fn(c.old) + fn(c.endpoint)) : fn(c.endpoint);
    this.#limits = [
      { name: 'Route53 ResourceRecord elements', max: ROUTE53_LIMITS.resourceRecords, cost: priced(count) },
      { name: 'Route53 value characters', max: ROUTE53_LIMITS.valueCharacters, cost: priced(chars) },
    ];
  }

  get capabilities(): ProviderCapabilities {
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'batch',
      batchLimits: this.#limits,
      setIdentifiers: true,
      ownerNames: 'any',
    };
  }

  /** Forgets the cached zone list and record sets. */
  refresh(): void {
    this.#zoneCache.clear();
    this.#stored.clear();
  }

  async zones(options: CallOptions = {}): Promise<string[]> {
    return [...new Set((await this.#zoneCache.get(options)).map((z) => z.name))];
  }

  /** The managed zones with their ids. */
  async zoneInfo(options: CallOptions = {}): Promise<Route53ZoneInfo[]> {
    return (await this.#zoneCache.get(options)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zoneCache.get(options);
    const out: Endpoint[] = [];
    for (const zone of zones) {
      const sets = await this.api.listRecordSets(zone.id, options);
      const stored = new Map<string, ResourceRecordSet>();
      for (const set of sets) {
        stored.set(setKey(set), set);
        const type = String(set.Type ?? '').toUpperCase();
        if (!this.#recordTypes.includes(type)) continue;
        const ep = recordSetToEndpoint(set, (t) => this.#targetZone(t, zone.id));
        if (!this.domainFilter.matches(ep.dnsName)) continue;
        if (!zone.primary) ep.providerSpecific.push({ name: AWS_PROPERTIES.hostedZoneId, value: zone.id });
        ep.providerSpecific.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        out.push(ep);
      }
      this.#stored.set(zone.id, stored);
    }
    return out;
  }

  /**
   * Desired endpoints in the form {@link records} returns them: lower-case names, canonical targets,
   * aliases as A/AAAA with TTL 300 and `aws/evaluate-target-health` filled in, routing properties
   * normalised (`aws/geoproximity-bias` defaulted to 0), properties Route53 does not store dropped.
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    const zones = endpoints.length ? await this.#zoneCache.get(options) : [];
    const primaryOf = zoneMatcher(zones.filter((z) => z.primary).map((z) => z.name));
    return endpoints.map((input) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      const get = (name: string) => getProviderSpecific(ep, name);
      const aliasValue = get(ALIAS_PROPERTY);
      let alias = aliasValue !== undefined && isAlias(ep);
      if (ep.recordType === 'CNAME' && !this.#preferCname) {
        const explicit = parseBool(aliasValue) === true;
        const auto =
          this.#cnameToAlias &&
          aliasValue === undefined &&
          ep.targets.length === 1 &&
          canonicalZoneOf(ep.targets[0] ?? '', this.#canonicalZones) !== undefined;
        if (explicit || auto) {
          ep.recordType = 'A';
          alias = true;
        }
      }
      const zone = zones.find((z) => z.name === primaryOf(ep.dnsName));
      const props: ProviderSpecificProperty[] = [];
      const pinned = get(AWS_PROPERTIES.hostedZoneId);
      if (pinned !== undefined && bareZoneId(pinned) !== zone?.id)
        props.push({ name: AWS_PROPERTIES.hostedZoneId, value: bareZoneId(pinned) });
      if (alias && !this.#preferCname) {
        ep.targets = ep.targets.map((t) => normalizeDnsName(t));
        ep.recordTTL = ALIAS_TTL;
        props.push({ name: ALIAS_PROPERTY, value: 'true' });
        props.push({
          name: AWS_PROPERTIES.evaluateTargetHealth,
          value: String(parseBool(get(AWS_PROPERTIES.evaluateTargetHealth)) ?? this.#evaluateTargetHealth),
        });
        const target = get(AWS_PROPERTIES.targetHostedZone);
        const zoneId = bareZoneId(pinned ?? '') || zone?.id || '';
        if (target !== undefined && target !== this.#targetZone(ep.targets[0] ?? '', zoneId))
          props.push({ name: AWS_PROPERTIES.targetHostedZone, value: target });
      } else {
        ep.targets = sortTargets(ep.targets.map((t) => canonicalTargetFor(ep.recordType, t)));
      }
      for (const p of ep.providerSpecific) {
        if (!POLICY_KEYS.has(p.name) || props.some((q) => q.name === p.name)) continue;
        let value = p.value;
        if (p.name === AWS_PROPERTIES.weight) value = String(Number.parseInt(value, 10) || 0);
        if (p.name === AWS_PROPERTIES.failover) value = value.toUpperCase();
        if (p.name === AWS_PROPERTIES.multiValueAnswer) value = 'true';
        if (p.name === AWS_PROPERTIES.geoproximityBias) value = String(Number.parseInt(value, 10) || 0);
        props.push({ name: p.name, value });
      }
      if (
        routingPolicyOf(ep) === 'geoproximity' &&
        !props.some((p) => p.name === AWS_PROPERTIES.geoproximityBias)
      )
        props.push({ name: AWS_PROPERTIES.geoproximityBias, value: '0' });
      ep.providerSpecific = props.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return ep;
    });
  }

  /**
   * Applies a change set: one change batch per zone. Throws `ValidationError` for invalid records
   * (nothing sent), `UNKNOWN_ZONE` for names no managed zone serves, and a `RECORD_REJECTED`
   * {@link Route53ApiError} with Route53's messages when a batch is refused (that batch is not
   * applied; batches of other zones sent before it are).
   */
  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const prepared = prepareChangeSet(changes, {
      provider: this.name,
      domainFilter: this.domainFilter,
      recordTypes: this.#recordTypes,
      setIdentifiers: true,
      ownerNames: 'any',
      checkWrite: (ep, path, issues) => this.#checkWrite(ep, path, issues),
    });
    const zones = await this.#zoneCache.get(options);
    const batches = new Map<
      string,
      { zone: Route53ZoneInfo; changes: { action: ChangeAction; set: ResourceRecordSet }[] }
    >();
    const primaryOf = zoneMatcher(zones.filter((z) => z.primary).map((z) => z.name));
    const zoneFor = (ep: Endpoint): Route53ZoneInfo => {
      const pinned = getProviderSpecific(ep, AWS_PROPERTIES.hostedZoneId);
      const zone = pinned
        ? zones.find((z) => z.id === bareZoneId(pinned))
        : zones.find((z) => z.primary && z.name === primaryOf(ep.dnsName));
      if (!zone)
        throw new ProviderError(
          `route53: no managed hosted zone ${pinned ? `with id ${pinned} ` : ''}serves ${describeEndpoint(ep)}`,
          { provider: this.name, code: 'UNKNOWN_ZONE' },
        );
      return zone;
    };
    const add = (zone: Route53ZoneInfo, action: ChangeAction, set: ResourceRecordSet) => {
      let b = batches.get(zone.id);
      if (!b) batches.set(zone.id, (b = { zone, changes: [] }));
      b.changes.push({ action, set });
    };
    // the stored set of a record when known (a DELETE must match it exactly)
    const storedOf = async (zone: Route53ZoneInfo, ep: Endpoint) => {
      if (!this.#stored.has(zone.id)) await this.#readZone(zone, options);
      return this.#stored.get(zone.id)?.get(endpointKey(ep));
    };
    for (const ep of prepared.delete) {
      const zone = zoneFor(ep);
      const stored = await storedOf(zone, ep);
      if (stored) add(zone, 'DELETE', stored); // already gone otherwise (a retried batch)
    }
    for (let i = 0; i < prepared.updateNew.length; i++) {
      const next = prepared.updateNew[i] as Endpoint;
      const old = prepared.updateOld[i] as Endpoint;
      const zone = zoneFor(next);
      const oldZone = zoneFor(old);
      const set = this.#toSet(next, zone.id);
      const stored = await storedOf(oldZone, old);
      if (stored && sameSet(stored, set)) continue;
      if (this.#needsDeleteCreate(old, next) || oldZone.id !== zone.id) {
        if (stored) add(oldZone, 'DELETE', stored);
        add(zone, 'CREATE', set);
      } else add(zone, 'UPSERT', set);
    }
    for (const ep of prepared.create) {
      const zone = zoneFor(ep);
      const set = this.#toSet(ep, zone.id);
      const stored = await storedOf(zone, ep);
      if (stored && sameSet(stored, set)) continue; // written by an earlier try of this batch
      add(zone, 'CREATE', set);
    }
    const order: Record<ChangeAction, number> = { DELETE: 0, UPSERT: 1, CREATE: 2 };
    this.lastApply = [];
    for (const { zone, changes: list } of batches.values()) {
      list.sort((a, b) => order[a.action] - order[b.action]);
      const wire: Change[] = list.map((c) => ({ Action: c.action, ResourceRecordSet: c.set }));
      this.lastApply.push({ zoneId: zone.id, zone: zone.name, changes: wire });
      const info = await this.api.changeRecordSets(zone.id, wire, { signal: options.signal });
      const stored = this.#stored.get(zone.id) ?? new Map<string, ResourceRecordSet>();
      for (const c of list) {
        if (c.action === 'DELETE') stored.delete(setKey(c.set));
        else stored.set(setKey(c.set), c.set);
      }
      this.#stored.set(zone.id, stored);
      if (this.#wait && info.Id)
        await this.api.waitForInsync(bareChangeId(info.Id), { ...this.#wait, signal: options.signal });
    }
  }

  #checkWrite(ep: Endpoint, path: IssuePath, issues: Issue[]): void {
    const policy = routingPolicyOf(ep);
    if (policy !== 'simple' && ep.setIdentifier === '')
      issues.push({
        path: [...path, 'setIdentifier'],
        code: 'set_identifier_required',
        message: `${describeEndpoint(ep)}: a ${policy} routing policy needs a set identifier`,
      });
    if (policy === 'simple' && ep.setIdentifier !== '')
      issues.push({
        path: [...path, 'providerSpecific'],
        code: 'routing_policy_required',
        message: `${describeEndpoint(ep)}: a set identifier needs a routing policy (aws/weight, aws/region, aws/failover, aws/geolocation-*, aws/geoproximity-*, aws/multi-value-answer)`,
      });
    if (isAlias(ep)) {
      if (this.#preferCname)
        issues.push({
          path: [...path, 'providerSpecific'],
          code: 'alias_disabled',
          message: `${describeEndpoint(ep)}: aliases are disabled (preferCname)`,
        });
      if (ep.targets.length !== 1)
        issues.push({
          path: [...path, 'targets'],
          code: 'alias_target',
          message: `${describeEndpoint(ep)}: an alias has exactly one target`,
        });
    }
  }

  /** ExternalDNS's `requiresDeleteCreate`, with every policy (geoproximity and multivalue included). */
  #needsDeleteCreate(old: Endpoint, next: Endpoint): boolean {
    return (
      endpointKey(old) !== endpointKey(next) ||
      isAlias(old) !== isAlias(next) ||
      routingPolicyOf(old) !== routingPolicyOf(next)
    );
  }

  #toSet(ep: Endpoint, zoneId: string): ResourceRecordSet {
    const withTtl = ep.recordTTL > 0 ? ep : { ...ep, recordTTL: this.#defaultTtl };
    return endpointToRecordSet(withTtl, {
      zoneId,
      targetZoneOf: (t) => this.#targetZone(t, zoneId),
      evaluateTargetHealth: this.#evaluateTargetHealth,
    });
  }

  /** The canonical zone of an alias target: the AWS table, else the record's own zone. */
  #targetZone(target: string, zoneId: string): string {
    return canonicalZoneOf(target, this.#canonicalZones) ?? zoneId;
  }

  async #readZone(zone: Route53ZoneInfo, options: CallOptions): Promise<void> {
    const sets = await this.api.listRecordSets(zone.id, options);
    this.#stored.set(zone.id, new Map(sets.map((s) => [setKey(s), s])));
  }

  async #listZones(options: CallOptions): Promise<Route53ZoneInfo[]> {
    let hosted: HostedZone[];
    if (this.#zoneIds) {
      hosted = [];
      for (const id of this.#zoneIds) hosted.push(await this.api.getHostedZone(id, options));
    } else hosted = await this.api.listHostedZones(options);
    let zones = hosted
      .map((z) => ({
        id: bareZoneId(z.Id ?? ''),
        name: normalizeDnsName(z.Name ?? ''),
        private: z.Config?.PrivateZone === true,
        primary: false,
      }))
      .filter((z) => this.domainFilter.selectsZone(z.name))
      .filter((z) => !this.#zoneType || (this.#zoneType === 'private') === z.private);
    if (this.#zoneTags && Object.keys(this.#zoneTags).length) {
      const tags = await this.api.listZoneTags(
        zones.map((z) => z.id),
        options,
      );
      const want = Object.entries(this.#zoneTags);
      zones = zones.filter((z) => {
        const have = tags.get(z.id) ?? {};
        return want.every(([k, v]) => k in have && (v === '' || have[k] === v));
      });
    }
    // split horizon: the same name as several zones; public before private, then the lowest id
    zones.sort((a, b) =>
      a.name === b.name
        ? Number(a.private) - Number(b.private) || (a.id < b.id ? -1 : 1)
        : a.name < b.name
          ? -1
          : 1,
    );
    const seen = new Set<string>();
    for (const z of zones) {
      z.primary = !seen.has(z.name);
      seen.add(z.name);
    }
    return zones;
  }
}

function bareChangeId(id: string): string {
  return id.replace(/^\/?change\//, '');
}
