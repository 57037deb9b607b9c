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
  sameTargets,
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
  ValidationError,
} from '@openova/dns-core';
import { CachedLoader, prepareChangeSet, sortTargets, throwIfAborted } from '@openova/dns-core/provider';
import { canonicalZoneOf, defaultCanonicalZones, type CanonicalZones } from './canonicalZones.js';
import { Route53Api, type Route53ClientOptions } from './client.js';
import {
  ALIAS_PROPERTY,
  ALIAS_TTL,
  AWS_PROPERTIES,
  bareZoneId,
  hostedZoneIdOf,
  parseAwsBool,
  canonicalTargetFor,
  endpointToRecordSet,
  isAlias,
  recordSetToEndpoint,
  routingPolicyOf,
  targetToValue,
  valueCharacters,
} from './mapping.js';
import { aliasValueIssues, routingIssues } from './validation.js';

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

/** The provider-specific property names Route53Provider reads and writes (ExternalDNS's). */
export const ROUTE53_PROPERTY_NAMES: readonly string[] = [ALIAS_PROPERTY, ...Object.values(AWS_PROPERTIES)];

/** Route53's per-request limits (ChangeResourceRecordSets quotas) and the longest `Value` it takes. */
export const ROUTE53_LIMITS = { resourceRecords: 1000, valueCharacters: 32_000, valueLength: 4000 } as const;

/** A hosted zone as the provider uses it. */
export interface Route53ZoneInfo {
  /** Hosted zone id without the `/hostedzone/` prefix, e.g. `Z0123456789ABCDEFGHIJ`. */
  id: string;
  /** Without trailing dot. */
  name: string;
  /** True for a private hosted zone (attached to VPCs). */
  private: boolean;
  /**
   * True when records under its name go to this zone without `aws/hosted-zone-id`: every private
   * zone, and the first public zone of a name (the lowest id) when one name has several.
   */
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

/** JSON with object keys sorted at every depth, `undefined` members left out. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * Whether two record sets are the same, nested fields (alias target, geolocation, geoproximity)
 * included: a write is skipped only when nothing at all would change.
 */
function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const norm = (s: ResourceRecordSet) =>
    canonicalJson({
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
    });
  return norm(a) === norm(b);
}

/** Same targets (in any order), TTL and provider-specific properties. */
function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  const norm = (e: Endpoint) =>
    canonicalJson({
      targets: [...e.targets].sort(),
      ttl: e.recordTTL,
      props: [...e.providerSpecific].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    });
  return norm(a) === norm(b);
}

/**
 * The zones a name is written to without `aws/hosted-zone-id`, as ExternalDNS's AWS provider
 * chooses them (`suitableZones`): the most specific public zone serving the name, and every private
 * zone serving it (split horizon). Public first, then private in zone order.
 */
function zoneFanout(zones: readonly Route53ZoneInfo[]): (name: string) => Route53ZoneInfo[] {
  const primary = zones.filter((z) => z.primary);
  const cache = new Map<string, Route53ZoneInfo[]>();
  return (name) => {
    const n = normalizeDnsName(name);
    let hit = cache.get(n);
    if (hit) return hit;
    const serving = primary.filter((z) => n === z.name || n.endsWith(`.${z.name}`));
    let best: Route53ZoneInfo | undefined;
    for (const z of serving) if (!z.private && (!best || z.name.length > best.name.length)) best = z;
    hit = [...(best ? [best] : []), ...serving.filter((z) => z.private)];
    cache.set(n, hit);
    return hit;
  };
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
 * - Zones are listed with every page, filtered by type, ids, tags and the domain filter. A record
 *   goes to the most specific public zone serving its name and to every private zone serving it
 *   (split horizon, as ExternalDNS's `suitableZones`; of several public zones with one name, the
 *   lowest id), unless `aws/hosted-zone-id` pins it to one zone. Each zone's copy is written against
 *   what that zone stores, so a copy missing or different in one zone is repaired there alone.
 * - Records are read with every page; alias records read back as A or AAAA with `alias` = `true`.
 * - `applyChanges` sends one `ChangeResourceRecordSets` per zone, conditional on what the plan read:
 *   CREATE for a create (refused where a set exists), DELETE of the set as read plus CREATE for an
 *   update (refused when the stored values differ: ExternalDNS UPSERTs, which replaces another
 *   writer's change; a set listed as changed since the read is a `RECORD_CONFLICT`), DELETE plus
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

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter, the
   * client's identity, zone ids, type and tags as configured; never a credential, the client's connections
   * or cached records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      api: this.api.toJSON(),
      zoneIds: this.#zoneIds,
      zoneType: this.#zoneType,
      zoneTags: this.#zoneTags,
    };
  }

  get capabilities(): ProviderCapabilities {
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'batch',
      batchLimits: this.#limits,
      setIdentifiers: true,
      // CREATE where the plan read nothing, DELETE of exactly the set it read (see applyChanges)
      conditionalWrites: true,
      ownerNames: 'any',
      providerSpecific: ROUTE53_PROPERTY_NAMES,
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

  /**
   * Every record set of every managed zone. A set written to every zone its name fans out to
   * (split horizon: the most specific public zone and every matching private zone) and alike in all
   * of them reads as one endpoint; otherwise each copy carries `aws/hosted-zone-id` with its zone,
   * so the planner sees the difference and the next apply repairs it.
   */
  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zoneCache.get(options);
    const fanout = zoneFanout(zones);
    const out: Endpoint[] = [];
    const pin = (ep: Endpoint, zoneId: string) =>
      ep.providerSpecific.push({ name: AWS_PROPERTIES.hostedZoneId, value: zoneId });
    // copies of one set in the zones its name fans out to, merged below when alike
    const groups = new Map<string, { zones: number; copies: { zoneId: string; ep: Endpoint }[] }>();
    for (const zone of zones) {
      const sets = await this.api.listRecordSets(zone.id, options);
      const stored = new Map<string, ResourceRecordSet>();
      for (const set of sets) {
        const key = setKey(set);
        stored.set(key, set);
        const type = String(set.Type ?? '').toUpperCase();
        if (!this.#recordTypes.includes(type)) continue;
        const ep = recordSetToEndpoint(set, (t) => this.#targetZone(t, zone.id));
        if (!this.domainFilter.matches(ep.dnsName)) continue;
        const targets = fanout(ep.dnsName);
        if (!targets.includes(zone)) pin(ep, zone.id);
        if (targets.length < 2 || !targets.includes(zone)) {
          out.push(ep);
          continue;
        }
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { zones: targets.length, copies: [] }));
        group.copies.push({ zoneId: zone.id, ep });
      }
      this.#stored.set(zone.id, stored);
    }
    for (const { zones: count, copies } of groups.values()) {
      const first = copies[0]?.ep as Endpoint;
      if (copies.length === count && copies.every((c) => sameEndpoint(c.ep, first))) out.push(first);
      else
        for (const c of copies) {
          pin(c.ep, c.zoneId);
          out.push(c.ep);
        }
    }
    for (const ep of out)
      ep.providerSpecific.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }

  /**
   * Desired endpoints in the form {@link records} returns them: lower-case names, canonical targets,
   * aliases as A/AAAA with TTL 300 and `aws/evaluate-target-health` filled in, routing properties
   * normalised (`aws/geoproximity-bias` defaulted to 0), properties Route53 does not store dropped.
   * @throws `ValidationError` (`VALIDATION`) with an issue at `[i, …]` for each value Route53 would
   *   refuse (see `routingIssues`): a weight outside 0…255, an unknown failover, region or
   *   geolocation code, two routing policies, a set identifier over 128 characters, an alias to an
   *   IP address, an `alias` value other than `true`, `false`, `A` or `AAAA` (`invalid_alias`),
   *   `aws/evaluate-target-health` not exactly `true` or `false`, `aws/multi-value-answer` other than
   *   `""` or `true`, a hosted zone id that is not letters and digits (ids in lower case are
   *   written upper case, as Route53 stores them); and at `[i, 'targets', 0]` for an alias target whose hosted zone is not known (not
   *   in the canonical table, not in the record's zone, no `aws/target-hosted-zone`).
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    // values Route53 would refuse are reported now, at endpoints[i], so a dry run says so too
    const issues: Issue[] = [];
    endpoints.forEach((ep, i) => {
      aliasValueIssues(ep, [i], issues);
      routingIssues(ep, [i], issues);
    });
    if (issues.length)
      throw new ValidationError(issues, { summary: 'route53: routing properties Route53 does not accept' });
    const zones = endpoints.length ? await this.#zoneCache.get(options) : [];
    const fanout = zoneFanout(zones);
    const aliasIssues: Issue[] = [];
    const adjusted = endpoints.map((input, i) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      const get = (name: string) => getProviderSpecific(ep, name);
      const aliasValue = get(ALIAS_PROPERTY);
      let alias = aliasValue !== undefined && isAlias(ep);
      if (ep.recordType === 'CNAME' && !this.#preferCname) {
        const explicit = parseAwsBool(aliasValue) === true;
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
      const targets = fanout(ep.dnsName);
      const zone = targets[0];
      const props: ProviderSpecificProperty[] = [];
      const pinned = get(AWS_PROPERTIES.hostedZoneId);
      // a pin to the one zone the name goes to anyway reads back without it
      if (pinned !== undefined && !(targets.length === 1 && hostedZoneIdOf(pinned) === zone?.id))
        props.push({ name: AWS_PROPERTIES.hostedZoneId, value: hostedZoneIdOf(pinned) });
      if (alias && !this.#preferCname) {
        ep.targets = ep.targets.map((t) => normalizeDnsName(t));
        ep.recordTTL = ALIAS_TTL;
        props.push({ name: ALIAS_PROPERTY, value: 'true' });
        props.push({
          name: AWS_PROPERTIES.evaluateTargetHealth,
          value: String(parseAwsBool(get(AWS_PROPERTIES.evaluateTargetHealth)) ?? this.#evaluateTargetHealth),
        });
        // ids as the console shows them (`/hostedzone/Z…`) are stored and read back bare
        const targetProp = get(AWS_PROPERTIES.targetHostedZone);
        const target = targetProp === undefined ? undefined : hostedZoneIdOf(targetProp);
        const zoneId = hostedZoneIdOf(pinned ?? '') || zone?.id || '';
        if (target !== undefined && target !== this.#targetZone(ep.targets[0] ?? '', zoneId))
          props.push({ name: AWS_PROPERTIES.targetHostedZone, value: target });
        const home = zones.find((z) => z.id === zoneId);
        const problem = home && target === undefined ? this.#aliasTargetProblem(ep, home.name) : undefined;
        if (problem)
          aliasIssues.push({ path: [i, 'targets', 0], code: 'alias_target_zone', message: problem });
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
    if (aliasIssues.length)
      throw new ValidationError(aliasIssues, { summary: 'route53: alias targets Route53 cannot resolve' });
    return adjusted;
  }

  /**
   * Why Route53 would refuse an alias to `ep`'s target from a record of zone `zoneName`, or
   * `undefined`: an alias names the target's hosted zone, which is known only for AWS endpoints in
   * the canonical table and for names of the record's own zone (Route53 aliases to records of that
   * zone only). Anything else (an ELB of a region the table lacks, S3 website endpoints, a name of
   * another zone) needs `aws/target-hosted-zone`; without it Route53 answers "the alias target name
   * does not lie within the target zone" on every run (ExternalDNS #1550, #3604, #4442).
   */
  #aliasTargetProblem(ep: Endpoint, zoneName: string): string | undefined {
    if (!isAlias(ep) || getProviderSpecific(ep, AWS_PROPERTIES.targetHostedZone) !== undefined)
      return undefined;
    const target = normalizeDnsName(ep.targets[0] ?? '');
    if (target === '' || canonicalZoneOf(target, this.#canonicalZones) !== undefined) return undefined;
    if (target === zoneName || target.endsWith(`.${zoneName}`)) return undefined;
    return `${describeEndpoint(ep)}: the hosted zone of alias target ${target} is not known: it is neither an AWS endpoint of the canonical table (load balancers of every region, CloudFront, Global Accelerator, API Gateway) nor a name of zone ${zoneName}; set aws/target-hosted-zone to the target's canonical hosted zone id, or write a CNAME`;
  }

  /**
   * Applies a change set: one change batch per zone. Throws `ValidationError` for invalid records
   * (nothing sent; an alias target whose hosted zone is not known among them), `UNKNOWN_ZONE` for names no managed zone serves, and a `RECORD_REJECTED`
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
      {
        zone: Route53ZoneInfo;
        changes: { action: ChangeAction; set: ResourceRecordSet }[];
        deleted: Set<string>;
      }
    >();
    const fanout = zoneFanout(zones);
    // the zones a record is written to: its pinned zone, or every zone its name fans out to
    const zonesFor = (ep: Endpoint): Route53ZoneInfo[] => {
      const pinned = getProviderSpecific(ep, AWS_PROPERTIES.hostedZoneId);
      const found = pinned ? zones.filter((z) => z.id === hostedZoneIdOf(pinned)) : fanout(ep.dnsName);
      if (!found.length)
        throw new ProviderError(
          `route53: no managed hosted zone ${pinned ? `with id ${pinned} ` : ''}serves ${describeEndpoint(ep)}`,
          { provider: this.name, code: 'UNKNOWN_ZONE' },
        );
      return found;
    };
    const add = (zone: Route53ZoneInfo, action: ChangeAction, set: ResourceRecordSet) => {
      let b = batches.get(zone.id);
      if (!b) batches.set(zone.id, (b = { zone, changes: [], deleted: new Set() }));
      if (action === 'DELETE') {
        // one set is deleted once per batch, however many changes name it
        if (b.deleted.has(setKey(set))) return;
        b.deleted.add(setKey(set));
      }
      b.changes.push({ action, set });
    };
    // the stored set of a record when known (a DELETE must match it exactly)
    const storedOf = async (zone: Route53ZoneInfo, ep: Endpoint) => {
      if (!this.#stored.has(zone.id)) await this.#readZone(zone, options);
      return this.#stored.get(zone.id)?.get(endpointKey(ep));
    };
    // Writes are conditional on what the plan read (capabilities.conditionalWrites): a create is a
    // CREATE (Route53 refuses it where a set exists), and an update or delete removes exactly the
    // set it read with a DELETE (refused when the values stored differ). A set this provider lists
    // as changed since that read is not written at all.
    const stale: string[] = [];
    // by values and TTL: the properties a marker copies from its record are not stored with it
    const readAs = (zone: Route53ZoneInfo, stored: ResourceRecordSet, expected: Endpoint): boolean => {
      const was = recordSetToEndpoint(stored, (t) => this.#targetZone(t, zone.id));
      return (
        sameTargets(was.targets, expected.targets) &&
        (expected.recordTTL <= 0 || was.recordTTL === expected.recordTTL)
      );
    };
    const changedSince = (zone: Route53ZoneInfo, stored: ResourceRecordSet, expected: Endpoint) => {
      // a copy read from another zone (split horizon) says nothing of this zone's
      const readIn = expected.providerSpecific.find((p) => p.name === AWS_PROPERTIES.hostedZoneId)?.value;
      if (readIn !== undefined && hostedZoneIdOf(readIn) !== zone.id) return false;
      if (readAs(zone, stored, expected)) return false;
      stale.push(
        `${describeEndpoint(expected)} in ${zone.name} was changed by another writer since it was read`,
      );
      return true;
    };
    // brings one zone's copy of `ep` to the desired set, measured against what is stored there;
    // `expected` is what the plan read: null for a create, the old version for an update
    const write = async (zone: Route53ZoneInfo, ep: Endpoint, expected: Endpoint | null) => {
      const set = this.#toSet(ep, zone.id);
      const stored = await storedOf(zone, ep);
      if (!stored) return add(zone, 'CREATE', set);
      if (sameSet(stored, set)) return; // already so (an earlier try of this batch, another zone's copy)
      if (expected === null) return add(zone, 'CREATE', set); // another writer's set: Route53 refuses
      if (changedSince(zone, stored, expected)) return;
      add(zone, 'DELETE', stored);
      add(zone, 'CREATE', set);
    };
    // alias targets whose hosted zone is not known are refused before anything is sent
    const aliasIssues: Issue[] = [];
    for (const [list, eps] of [
      ['create', prepared.create],
      ['updateNew', prepared.updateNew],
    ] as const)
      eps.forEach((ep, i) => {
        const problem = zonesFor(ep)
          .map((zone) => this.#aliasTargetProblem(ep, zone.name))
          .find((p) => p !== undefined);
        if (problem)
          aliasIssues.push({ path: [list, i, 'targets', 0], code: 'alias_target_zone', message: problem });
      });
    if (aliasIssues.length)
      throw new ValidationError(aliasIssues, {
        summary: 'route53: alias targets Route53 cannot resolve (nothing was sent)',
      });
    for (const ep of prepared.delete)
      for (const zone of zonesFor(ep)) {
        const stored = await storedOf(zone, ep);
        // already gone otherwise (a retried batch)
        if (stored && !changedSince(zone, stored, ep)) add(zone, 'DELETE', stored);
      }
    for (let i = 0; i < prepared.updateNew.length; i++) {
      const next = prepared.updateNew[i] as Endpoint;
      const old = prepared.updateOld[i] as Endpoint;
      const nextZones = zonesFor(next);
      // the old version leaves the zones the new one does not go to, and every zone when renamed
      for (const zone of zonesFor(old)) {
        if (endpointKey(old) === endpointKey(next) && nextZones.includes(zone)) continue;
        const stored = await storedOf(zone, old);
        if (stored && !changedSince(zone, stored, old)) add(zone, 'DELETE', stored);
      }
      for (const zone of nextZones)
        await write(zone, next, endpointKey(old) === endpointKey(next) ? old : null);
    }
    for (const ep of prepared.create) for (const zone of zonesFor(ep)) await write(zone, ep, null);
    if (stale.length)
      throw new ProviderError(
        `route53: ${stale.slice(0, 5).join('; ')}${stale.length > 5 ? `; and ${stale.length - 5} more` : ''}; nothing was sent, and the next run plans from what is stored now`,
        { provider: this.name, code: 'RECORD_CONFLICT', retryable: true },
      );
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
    routingIssues(ep, path, issues);
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
    if (!isAlias(ep))
      ep.targets.forEach((target, j) => {
        // the API refuses a longer Value (ResourceRecord.Value: length at most 4,000), which
        // would fail the whole batch: a long TXT (quoted, split, non-ASCII as \ddd) reaches it
        const length = targetToValue(ep.recordType, target).length;
        if (length > ROUTE53_LIMITS.valueLength)
          issues.push({
            path: [...path, 'targets', j],
            code: 'value_too_long',
            message: `${describeEndpoint(ep)}: the value is ${length} characters as Route53 stores it; Route53 takes at most ${ROUTE53_LIMITS.valueLength}`,
          });
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
    // split horizon: the same name as several zones; public before private, then the lowest id.
    // Every private zone takes records (ExternalDNS writes to all matching private zones); of
    // several public zones with one name, only the first does.
    zones.sort((a, b) =>
      a.name === b.name
        ? Number(a.private) - Number(b.private) || (a.id < b.id ? -1 : 1)
        : a.name < b.name
          ? -1
          : 1,
    );
    const seen = new Set<string>();
    for (const z of zones) {
      z.primary = z.private || !seen.has(z.name);
      if (!z.private) seen.add(z.name);
    }
    return zones;
  }
}

function bareChangeId(id: string): string {
  return id.replace(/^\/?change\//, '');
}
