import {
  cloneEndpoint,
  ConfigError,
  describeEndpoint,
  formatIssuePath,
  DomainFilter,
  getProviderSpecific,
  LabelKeys,
  normalizeDnsName,
  ProviderError,
  ValidationError,
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
  sortEndpoints,
  prepareChangeSet,
  CachedLoader,
  zoneMatcher,
  perValueCost,
  sortTargets,
  targetValidators,
  throwIfAborted,
} from '@openova/dns-core/provider';
import {
  CloudflareClient,
  MAX_RECORDS_PER_PAGE,
  type CloudflareClientOptions,
  type DnsRecordBatch,
  type DnsRecordFields,
  type DnsRecordInput,
} from './client.js';
import { isCloudflareApiError } from './errors.js';
import {
  canonicalTags,
  canonicalTargetFor,
  COMMENT_PROPERTY,
  LEGACY_COMMENT_PROPERTY,
  LEGACY_PROXIED_PROPERTY,
  LEGACY_TAGS_PROPERTY,
  parseTagsProperty,
  PROXIABLE_TYPES,
  PROXIED_PROPERTY,
  recordsToEndpoint,
  recordToTarget,
  TAGS_PROPERTY,
  targetToFields,
} from './mapping.js';
import type { CloudflareRecord, CloudflareZone } from './schemas.js';

/** Record types the provider reads and writes unless told otherwise. */
export const DEFAULT_CLOUDFLARE_RECORD_TYPES: readonly RecordType[] = [
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

/** Operations one batch request may carry, by plan (Cloudflare's batch how-to). */
export const BATCH_LIMITS = { free: 200, paid: 3500 } as const;
/**
 * The limit of one batch request as core batches by it: `max` operations, one per value written
 * or deleted ({@link perValueCost}: a create or delete costs its number of values, an update
 * `max(old values, new values)`, as old values are PATCHed in place and only the surplus is posted
 * or deleted). Cloudflare's batch how-to: 200 operations per request on Free, 3,500 on paid plans.
 */
export function batchOperationsLimit(max: number): BatchLimit {
  return { name: 'Cloudflare batch operations', max, cost: perValueCost };
}

/** Longest record comment, by plan; ExternalDNS trims to the same lengths. */
export const COMMENT_LIMITS = { free: 100, paid: 500 } as const;
/** TTL 1 is Cloudflare's "automatic" (300 s); every proxied record has it. */
export const AUTOMATIC_TTL = 1;
const MAX_CLOUDFLARE_TTL = 86_400;

/** True when a zone is on the Free plan; a zone whose plan is not reported counts as Free (the safe side). */
export function isFreePlan(zone: Pick<CloudflareZone, 'plan'>): boolean {
  const plan = zone.plan;
  if (!plan) return true;
  if (plan.legacy_id !== undefined) return plan.legacy_id === 'free';
  if (plan.name !== undefined) return /\bfree\b/i.test(plan.name);
  return (plan.price ?? 0) === 0;
}

/** How to reach the API: connection settings, or a client built already. */
export type CloudflareConnection =
  | (Omit<CloudflareClientOptions, 'dispatcher'> & {
      /** Leave out: the provider builds its own client from the options. */
      client?: undefined;
    })
  | {
      /** A client built already (shared by several providers). */
      client: CloudflareClient;
    };

/**
 * Options of {@link CloudflareProvider}: one credential, plus what to manage (see
 * docs/providers/cloudflare.md).
 */
export type CloudflareProviderOptions = CloudflareConnection & {
  /** Names the provider reads and writes; zones are listed and filtered by it. */
  domainFilter?: DomainFilter;
  /**
   * Use exactly these zones (one `GET /zones/{id}` each) instead of listing every zone the token
   * sees: ExternalDNS's `--zone-id-filter`, and the way to work with a token scoped to some zones.
   */
  zoneIds?: readonly string[];
  /** Proxy A/AAAA/CNAME endpoints that do not say otherwise (ExternalDNS `--cloudflare-proxied`). */
  proxiedByDefault?: boolean;
  /** Comment for endpoints without one (ExternalDNS `--cloudflare-record-comment`). */
  defaultComment?: string;
  /** TTL written for endpoints without one (default 1, automatic, as ExternalDNS). */
  defaultTTL?: number;
  /** Lowest TTL other than 1 (default 60; Enterprise zones accept 30). */
  minTTL?: number;
  /**
   * Operations per batch request (ExternalDNS `--batch-change-size`). Default: the zone's plan
   * limit, 200 on Free and 3,500 on paid plans, read from the zone list.
   */
  batchLimit?: number;
  /** DNS records per list page, 1–5,000 (default 5,000; ExternalDNS `--cloudflare-dns-records-per-page`). */
  recordsPerPage?: number;
  /** Record types read and written (default {@link DEFAULT_CLOUDFLARE_RECORD_TYPES}). */
  recordTypes?: readonly RecordType[];
  /** How long the zone list is reused (default 60 000 ms; 0 = list zones on every call). */
  zoneCacheTtlMs?: number;
};

/** A zone as the provider uses it. */
export interface CloudflareZoneInfo {
  /** Zone id, 32 hex digits. */
  id: string;
  /** Zone name. */
  name: string;
  /** True on the Free plan (no tags, 100-character comments, 200 operations per batch). */
  free: boolean;
  /** Operations one batch request to this zone may carry. */
  batchLimit: number;
  /** Longest comment the zone's plan allows, in characters (100 Free, 500 paid). */
  commentLimit: number;
}

/** One zone's part of an apply, as sent (or about to be sent) to the batch endpoint. */
export interface ZoneBatch {
  /** Zone name. */
  zone: string;
  /** Zone id. */
  zoneId: string;
  /** The batch request's four lists, as sent. */
  batch: Required<DnsRecordBatch>;
  /** `deletes + patches + puts + posts`. */
  operations: number;
}

type Mode = 'create' | 'update' | 'delete';

interface WantedSet {
  zone: CloudflareZoneInfo;
  key: string;
  mode: Mode;
  ep: Endpoint;
}

interface DesiredAttributes {
  ttl: number;
  proxied: boolean | undefined;
  comment: string;
  tags: string[];
}

const DEFAULT_ZONE_CACHE_TTL_MS = 60_000;
/**
 * ExternalDNS Cloudflare properties this provider does not implement (reference A.10): regional
 * hostnames (Data Localization) and custom hostnames (Cloudflare for SaaS). A record asking for them
 * is refused rather than written without them.
 */
const UNSUPPORTED_PROPERTIES: readonly (readonly [string, string])[] = [
  ['external-dns.kubernetes.io/cloudflare-region-key', 'a Data Localization regional hostname'],
  ['external-dns.alpha.kubernetes.io/cloudflare-region-key', 'a Data Localization regional hostname'],
  ['external-dns.kubernetes.io/cloudflare-custom-hostname', 'Cloudflare for SaaS custom hostnames'],
  ['external-dns.alpha.kubernetes.io/cloudflare-custom-hostname', 'Cloudflare for SaaS custom hostnames'],
];
/** A Cloudflare record tag: `name:value`, the name of letters, digits, `_` and `-`. */
const TAG_PATTERN = /^[\w-]+:/;

function setKey(name: string, type: string): string {
  return `${normalizeDnsName(name)}\u0000${type.toUpperCase()}`;
}

/** ExternalDNS reads booleans with Go's `strconv.ParseBool`. */
function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** A registry TXT companion: it copies its record's properties, proxied included, and never uses them. */
function isOwnershipTxt(ep: Endpoint): boolean {
  return ep.recordType.toUpperCase() === 'TXT' && ep.labels[LabelKeys.ownedRecord] !== undefined;
}

/**
 * Cloudflare proxies every A and AAAA record of a name once one of them is proxied ("Mix proxied
 * and unproxied", DNS proxy status docs): an A and an AAAA of one name that disagree on proxied
 * would be served otherwise than planned. Reports the later of each disagreeing pair.
 */
function checkProxiedPerName(endpoints: readonly Endpoint[], issues: Issue[]): void {
  const first = new Map<string, { index: number; proxied: string }>();
  endpoints.forEach((ep, i) => {
    if (ep.recordType !== 'A' && ep.recordType !== 'AAAA') return;
    const proxied = getProviderSpecific(ep, PROXIED_PROPERTY);
    if (proxied === undefined) return;
    const key = `${ep.dnsName}\u0000${ep.setIdentifier}`;
    const seen = first.get(key);
    if (!seen) first.set(key, { index: i, proxied });
    else if (seen.proxied !== proxied)
      issues.push({
        path: [i, 'providerSpecific'],
        code: 'cloudflare_proxied_per_name',
        // named by its path, which callers rebase into their own input (`desired[0]`)
        related: [seen.index],
        message: `${describeEndpoint(ep)}: cloudflare-proxied is ${proxied}, but ${formatIssuePath([seen.index])} at the same name says ${seen.proxied}; Cloudflare proxies every A and AAAA record of a name once one is proxied, so give them the same value`,
      });
  });
}

function emptyBatch(): Required<DnsRecordBatch> {
  return { deletes: [], patches: [], puts: [], posts: [] };
}

/**
 * Cloudflare as a core {@link Provider}.
 *
 * - Cloudflare keeps one record (and one id) per value; the provider groups them into one endpoint
 *   per name and type and keeps every value's id, so an update PATCHes exactly the values and fields
 *   that changed (never PUT, which resets fields nobody asked to change).
 * - Proxied, comment and tags are the ExternalDNS provider-specific properties, under both the
 *   `external-dns.kubernetes.io/` and the older `external-dns.alpha.kubernetes.io/` names.
 * - `applyChanges` sends one batch request per zone (deletes, patches, posts; one transaction).
 *   `capabilities.batchLimits` prices every change in operations (one per value) against the
 *   zones' batch limit, so core's `applyInBatches` chunks; a chunk Cloudflare refuses for its
 *   content fails with `RECORD_REJECTED` and nothing of it applied.
 * - Applying is idempotent against what the provider last read and wrote: a chunk sent twice (core
 *   retrying the part of a multi-zone chunk that failed) does not create duplicates.
 */
export class CloudflareProvider implements Provider {
  readonly name = 'cloudflare';
  readonly domainFilter: DomainFilter;
  /** The client the provider calls (its `onRequest` events show every request). */
  readonly client: CloudflareClient;
  /** The batches of the last `applyChanges` call, one per zone (useful in tests and logs). */
  lastApply: ZoneBatch[] = [];

  readonly #recordTypes: readonly string[];
  readonly #zoneIds: readonly string[] | undefined;
  readonly #proxiedByDefault: boolean;
  readonly #defaultComment: string;
  readonly #defaultTtl: number;
  readonly #minTtl: number;
  readonly #batchLimit: number | undefined;
  #operationsLimit: BatchLimit | undefined;
  readonly #recordsPerPage: number;
  readonly #zoneCacheTtlMs: number;
  readonly #zoneCache: CachedLoader<CloudflareZoneInfo[]>;
  /** Records per zone id, by name and type, as last read or written. */
  readonly #records = new Map<string, Map<string, CloudflareRecord[]>>();

  /**
   * @param options One credential and what to manage; see {@link CloudflareProviderOptions}.
   * @throws `ConfigError` (`CONFIG`) without a credential, with a `baseUrl` that is not http(s), or
   *   with `minTTL` outside 30–86,400, `defaultTTL` neither 1 nor from `minTTL` to 86,400, a
   *   `batchLimit` that is not a positive integer, `recordsPerPage` outside 1–5,000 or a
   *   `defaultComment` with a line break. Nothing is sent to the API.
   */
  constructor(options: CloudflareProviderOptions) {
    if (options.client) {
      this.client = options.client;
    } else {
      const {
        domainFilter: _f,
        zoneIds: _z,
        proxiedByDefault: _p,
        defaultComment: _c,
        defaultTTL: _t,
        minTTL: _m,
        batchLimit: _b,
        recordsPerPage: _r,
        recordTypes: _rt,
        zoneCacheTtlMs: _zc,
        client: _cl,
        ...connection
      } = options;
      // the union of credential shapes is lost by the rest pattern; the client checks them at run time
      this.client = new CloudflareClient(connection as CloudflareClientOptions);
    }
    this.domainFilter = options.domainFilter ?? DomainFilter.all();
    this.#zoneIds = options.zoneIds;
    this.#proxiedByDefault = options.proxiedByDefault ?? false;
    this.#defaultComment = options.defaultComment ?? '';
    this.#minTtl = options.minTTL ?? 60;
    this.#defaultTtl = options.defaultTTL ?? AUTOMATIC_TTL;
    if (!Number.isInteger(this.#minTtl) || this.#minTtl < 30 || this.#minTtl > MAX_CLOUDFLARE_TTL)
      throw new ConfigError('cloudflare: minTTL must be an integer from 30 to 86400');
    if (
      !Number.isInteger(this.#defaultTtl) ||
      (this.#defaultTtl !== AUTOMATIC_TTL &&
        (this.#defaultTtl < this.#minTtl || this.#defaultTtl > MAX_CLOUDFLARE_TTL))
    )
      throw new ConfigError(`cloudflare: defaultTTL must be 1 (automatic) or from ${this.#minTtl} to 86400`);
    if (options.batchLimit !== undefined && (!Number.isInteger(options.batchLimit) || options.batchLimit < 1))
      throw new ConfigError('cloudflare: batchLimit must be a positive integer');
    this.#batchLimit = options.batchLimit;
    this.#recordsPerPage = options.recordsPerPage ?? MAX_RECORDS_PER_PAGE;
    if (
      !Number.isInteger(this.#recordsPerPage) ||
      this.#recordsPerPage < 1 ||
      this.#recordsPerPage > MAX_RECORDS_PER_PAGE
    )
      throw new ConfigError(`cloudflare: recordsPerPage must be 1–${MAX_RECORDS_PER_PAGE}`);
    if (/[\r\n]/.test(this.#defaultComment))
      throw new ConfigError('cloudflare: defaultComment must be one line');
    this.#recordTypes = (options.recordTypes ?? DEFAULT_CLOUDFLARE_RECORD_TYPES).map((t) => t.toUpperCase());
    this.#zoneCacheTtlMs = options.zoneCacheTtlMs ?? DEFAULT_ZONE_CACHE_TTL_MS;
    this.#zoneCache = new CachedLoader({ ttlMs: this.#zoneCacheTtlMs, load: (o) => this.#listZones(o) });
  }

  /**
   * The provider for logs (`JSON.stringify`, a structured logger's fields): name, domain filter, the
   * client's identity, zone ids as configured; never a credential, the client's connections or cached
   * records.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      domainFilter: this.domainFilter.toJSON(),
      client: this.client.toJSON(),
      zoneIds: this.#zoneIds,
    };
  }

  /**
   * `batchLimits` is one {@link batchOperationsLimit}: one operation per value, at most the smallest
   * batch limit of the zones known so far (the configured `batchLimit`, else 200 on Free and 3,500
   * on paid plans); 200 until zones have been listed.
   */
  get capabilities(): ProviderCapabilities {
    const known = this.#zoneCache.peek() ?? [];
    const limit =
      this.#batchLimit ??
      (known.length ? known.reduce((min, z) => Math.min(min, z.batchLimit), Infinity) : BATCH_LIMITS.free);
    if (this.#operationsLimit?.max !== limit) this.#operationsLimit = batchOperationsLimit(limit);
    return {
      recordTypes: this.#recordTypes,
      atomicity: 'batch',
      batchLimits: [this.#operationsLimit],
      setIdentifiers: false,
      // names are checked as hostnames before sending: `*` only as a whole leftmost label
      ownerNames: 'hostname',
      // CNAME flattening: Cloudflare stores a CNAME at the apex and answers with its target's addresses
      cnameAtApex: true,
    };
  }

  /** Forgets the cached zone list and records, so the next call reads them again. */
  refresh(): void {
    this.#zoneCache.clear();
    this.#records.clear();
  }

  /** Names of the managed zones. */
  async zones(options: CallOptions = {}): Promise<string[]> {
    return (await this.#zones(options, false)).map((z) => z.name);
  }

  /** The managed zones with their ids and plan limits. */
  async zoneInfo(options: CallOptions = {}): Promise<CloudflareZoneInfo[]> {
    return (await this.#zones(options, false)).map((z) => ({ ...z }));
  }

  async records(options: CallOptions = {}): Promise<Endpoint[]> {
    const zones = await this.#zones(options, false);
    const perZone = await Promise.all(zones.map((zone) => this.#readZone(zone, options, true)));
    const out: Endpoint[] = [];
    for (const sets of perZone) {
      for (const records of sets.values()) {
        const type = (records[0] as CloudflareRecord).type.toUpperCase();
        if (!this.#recordTypes.includes(type)) continue;
        const ep = recordsToEndpoint(records);
        if (this.domainFilter.matches(ep.dnsName)) out.push(ep);
      }
    }
    return sortEndpoints(out);
  }

  /**
   * Rewrites desired endpoints into exactly what {@link records} returns once they are written, so a
   * second plan is empty: lower-case names, canonical targets, TTL 1 for proxied endpoints, TTL 0
   * left unset (the planner keeps the stored TTL; `defaultTTL` is written on creation), TTLs clamped to 60–86,400, proxied under its v0.22 name as `true`/`false` on
   * A/AAAA/CNAME only, comments trimmed to the zone's limit, tags sorted. Properties Cloudflare does
   * not store are dropped. Throws {@link ValidationError} for proxied on other types, a proxied
   * value that is not a boolean, or a comment with a line break.
   */
  async adjustEndpoints(endpoints: Endpoint[], options: CallOptions = {}): Promise<Endpoint[]> {
    throwIfAborted(options.signal);
    const zones = endpoints.length ? await this.#zones(options, false) : [];
    const zoneOfName = zoneMatcher(zones.map((z) => z.name));
    const issues: Issue[] = [];
    const adjusted = endpoints.map((input, i) => {
      const ep = cloneEndpoint(input);
      ep.dnsName = normalizeDnsName(ep.dnsName);
      ep.recordType = ep.recordType.toUpperCase();
      const validator = targetValidators[ep.recordType];
      const valid = (t: string) => validator !== undefined && validator(t, []).length === 0;
      ep.targets = sortTargets([
        ...new Set(ep.targets.map((t) => (valid(t) ? canonicalTargetFor(ep.recordType, t) : t))),
      ]);
      const zoneName = zoneOfName(ep.dnsName);
      const zone = zones.find((z) => z.name === zoneName);
      const attributes = this.#desiredAttributes(ep, [i], issues);
      // trimmed again after the cut: what is written is trimmed (a trailing space would loop)
      if (zone && attributes.comment.length > zone.commentLimit)
        attributes.comment = attributes.comment.slice(0, zone.commentLimit).trimEnd();
      if (zone) this.#checkZoneAttributes(ep, zone, { attributes, path: [i] }, issues);
      // an unset TTL (0) stays unset: "keep what is there"; the default applies on creation only
      if (ep.recordTTL !== 0) ep.recordTTL = attributes.ttl;
      const props: ProviderSpecificProperty[] = [];
      if (attributes.proxied !== undefined)
        props.push({ name: PROXIED_PROPERTY, value: String(attributes.proxied) });
      if (attributes.comment !== '') props.push({ name: COMMENT_PROPERTY, value: attributes.comment });
      if (attributes.tags.length) props.push({ name: TAGS_PROPERTY, value: attributes.tags.join(',') });
      ep.providerSpecific = props;
      return ep;
    });
    checkProxiedPerName(adjusted, issues);
    if (issues.length)
      throw new ValidationError(issues, { summary: 'cloudflare: desired records Cloudflare cannot store' });
    return adjusted;
  }

  /**
   * Applies a change set with one batch request per zone. Everything is validated and diffed
   * against the records last read before the first request. Throws {@link ValidationError} for
   * invalid records (nothing sent), `UNKNOWN_ZONE` for names no zone serves, and a `RECORD_REJECTED`
   * {@link ProviderError} (retryable: false) when a zone's batch is refused for its content or
   * carries more operations than the zone's limit; that zone's batch is then left wholly unapplied.
   */
  async applyChanges(changes: Changes, options: CallOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const batches = await this.planBatches(changes, options);
    this.lastApply = batches;
    for (const planned of batches) {
      const zone = (this.#zoneCache.peek() ?? []).find((z) => z.id === planned.zoneId);
      const limit = this.#batchLimit ?? zone?.batchLimit ?? BATCH_LIMITS.free;
      if (planned.operations > limit) {
        throw new ProviderError(
          `cloudflare: the change for zone ${planned.zone} needs ${planned.operations} operations, more than the ${limit} one batch may carry (endpoints with several values cost one operation per value); nothing was sent`,
          { provider: this.name, code: 'RECORD_REJECTED', retryable: false },
        );
      }
    }
    for (const planned of batches) {
      if (planned.operations === 0) continue;
      try {
        const result = await this.client.batchDnsRecords(
          planned.zoneId,
          planned.batch,
          options.signal ? { signal: options.signal } : {},
        );
        this.#remember(planned, result.posts ?? [], result.patches ?? []);
      } catch (error) {
        // A refused batch changed nothing, so what we know still holds; any other failure may
        // have left the zone in a state we did not see.
        if (!(isCloudflareApiError(error) && error.code === 'RECORD_REJECTED'))
          this.#records.delete(planned.zoneId);
        throw error;
      }
    }
  }

  /**
   * The batch requests `applyChanges` would send, one per zone, without sending them (it may read
   * the zone's records first when they are not known yet).
   */
  async planBatches(input: Changes, options: CallOptions = {}): Promise<ZoneBatch[]> {
    const changes = this.#validate(input);
    const wanted = await this.#wantedSets(changes, options);
    const byZone = new Map<string, ZoneBatch>();
    for (const set of wanted) {
      let planned = byZone.get(set.zone.id);
      if (!planned) {
        planned = { zone: set.zone.name, zoneId: set.zone.id, batch: emptyBatch(), operations: 0 };
        byZone.set(set.zone.id, planned);
      }
      const current = (await this.#readZone(set.zone, options)).get(set.key) ?? [];
      this.#diff(set, current, planned.batch);
    }
    for (const planned of byZone.values()) {
      const b = planned.batch;
      planned.operations = b.deletes.length + b.patches.length + b.puts.length + b.posts.length;
    }
    return [...byZone.values()];
  }

  // ---- planning -------------------------------------------------------------------------------

  async #wantedSets(changes: Changes, options: CallOptions): Promise<WantedSet[]> {
    const touched = [...changes.create, ...changes.updateNew, ...changes.updateOld, ...changes.delete];
    if (touched.length === 0) return [];
    let zones = await this.#zones(options, false);
    let matchZone = zoneMatcher(zones.map((z) => z.name));
    const zoneOf = (ep: Endpoint) => matchZone(ep.dnsName);
    if (touched.some((ep) => zoneOf(ep) === undefined)) {
      zones = await this.#zones(options, true);
      matchZone = zoneMatcher(zones.map((z) => z.name));
    }
    const missing = [...new Set(touched.filter((ep) => zoneOf(ep) === undefined).map((ep) => ep.dnsName))];
    if (missing.length) {
      throw new ProviderError(
        `cloudflare: no zone of this account serves ${missing.join(', ')} (zones: ${zones.map((z) => z.name).join(', ') || 'none'})`,
        { provider: this.name, code: 'UNKNOWN_ZONE' },
      );
    }
    const issues: Issue[] = [];
    const lists = { create: changes.create, updateNew: changes.updateNew } as const;
    for (const [list, eps] of Object.entries(lists))
      eps.forEach((ep, i) => {
        const zone = zones.find((z) => z.name === zoneOf(ep)) as CloudflareZoneInfo;
        this.#checkZoneAttributes(
          ep,
          zone,
          { attributes: this.#desiredAttributes(ep, [], []), path: [list, i] },
          issues,
        );
      });
    if (issues.length)
      throw new ValidationError(issues, {
        summary: 'cloudflare: changes the zones cannot store (nothing was applied)',
      });
    const sets = new Map<string, WantedSet>();
    const add = (ep: Endpoint, mode: Mode) => {
      const zoneName = zoneOf(ep) as string;
      const zone = zones.find((z) => z.name === zoneName) as CloudflareZoneInfo;
      const key = setKey(ep.dnsName, ep.recordType);
      sets.set(`${zone.id}\u0000${key}`, { zone, key, mode, ep });
    };
    // later lists win: an update's new version replaces a delete of the same set
    for (const ep of changes.delete) add(ep, 'delete');
    for (const ep of changes.create) add(ep, 'create');
    for (const ep of changes.updateNew) add(ep, 'update');
    return [...sets.values()];
  }

  /** Adds the operations that turn `current` into what `set` asks for. */
  #diff(set: WantedSet, current: readonly CloudflareRecord[], batch: Required<DnsRecordBatch>): void {
    const { ep, mode } = set;
    const type = ep.recordType.toUpperCase();
    const wantedTargets = [...new Set(ep.targets.map((t) => canonicalTargetFor(type, t)))];
    const currentTargets = current.map((r) => recordToTarget(r));
    if (mode === 'delete') {
      // only the values the endpoint names: a value someone added since the read is not ours
      current.forEach((r, i) => {
        if (wantedTargets.includes(currentTargets[i] as string)) batch.deletes.push({ id: r.id });
      });
      return;
    }
    const attributes = this.#desiredAttributes(ep, [], []);
    const unmatched = current.map((_, i) => i);
    const toWrite: string[] = [];
    for (const target of wantedTargets) {
      const at = unmatched.findIndex((i) => currentTargets[i] === target);
      if (at < 0) {
        toWrite.push(target);
        continue;
      }
      const [index] = unmatched.splice(at, 1);
      // a create whose value exists already was applied by an earlier attempt: leave it
      if (mode === 'update')
        this.#patch(current[index as number] as CloudflareRecord, undefined, attributes, batch);
    }
    for (const target of toWrite) {
      const reuse = mode === 'update' ? unmatched.shift() : undefined;
      if (reuse !== undefined) this.#patch(current[reuse] as CloudflareRecord, target, attributes, batch);
      else batch.posts.push(this.#recordInput(ep, target, attributes));
    }
    if (mode === 'update')
      for (const i of unmatched) batch.deletes.push({ id: (current[i] as CloudflareRecord).id });
  }

  /** A PATCH of only the fields that differ (`target` set when the value itself changes). */
  #patch(
    record: CloudflareRecord,
    target: string | undefined,
    attributes: DesiredAttributes,
    batch: Required<DnsRecordBatch>,
  ): void {
    const fields: DnsRecordFields = target === undefined ? {} : targetToFields(record.type, target);
    if (record.ttl !== attributes.ttl) fields.ttl = attributes.ttl;
    if (attributes.proxied !== undefined && (record.proxied === true) !== attributes.proxied)
      fields.proxied = attributes.proxied;
    if ((record.comment ?? '') !== attributes.comment) fields.comment = attributes.comment;
    if (canonicalTags(record.tags ?? []).join(',') !== attributes.tags.join(','))
      fields.tags = attributes.tags;
    if (Object.keys(fields).length) batch.patches.push({ id: record.id, ...fields });
  }

  #recordInput(ep: Endpoint, target: string, attributes: DesiredAttributes): DnsRecordInput {
    const input: DnsRecordInput = {
      name: normalizeDnsName(ep.dnsName),
      type: ep.recordType.toUpperCase(),
      ...targetToFields(ep.recordType, target),
      ttl: attributes.ttl,
    };
    if (attributes.proxied !== undefined) input.proxied = attributes.proxied;
    if (attributes.comment !== '') input.comment = attributes.comment;
    if (attributes.tags.length) input.tags = attributes.tags;
    return input;
  }

  /**
   * TTL, proxied, comment and tags an endpoint asks for, defaults applied. Problems go to `issues`
   * (a registry TXT's copied proxied flag is ignored, not reported).
   */
  #desiredAttributes(ep: Endpoint, path: IssuePath, issues: Issue[]): DesiredAttributes {
    const type = ep.recordType.toUpperCase();
    const prop = (name: string, legacy: string) =>
      getProviderSpecific(ep, name) ?? getProviderSpecific(ep, legacy);
    const rawProxied = prop(PROXIED_PROPERTY, LEGACY_PROXIED_PROPERTY);
    let proxied = rawProxied === undefined ? undefined : parseBool(rawProxied.trim());
    if (rawProxied !== undefined && proxied === undefined) {
      const at = ep.providerSpecific.findIndex((p) => p.name === PROXIED_PROPERTY);
      const j = at >= 0 ? at : ep.providerSpecific.findIndex((p) => p.name === LEGACY_PROXIED_PROPERTY);
      issues.push({
        path: [...path, 'providerSpecific', j, 'value'],
        code: 'cloudflare_proxied_value',
        message: `${describeEndpoint(ep)}: cloudflare-proxied must be true or false (as Go's strconv.ParseBool spells them: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got ${JSON.stringify(rawProxied)}`,
      });
    }
    if (PROXIABLE_TYPES.has(type)) {
      proxied ??= this.#proxiedByDefault;
    } else {
      if (proxied === true && !isOwnershipTxt(ep)) {
        issues.push({
          path: [...path, 'providerSpecific'],
          code: 'cloudflare_not_proxiable',
          message: `${describeEndpoint(ep)}: only A, AAAA and CNAME records can be proxied`,
        });
      }
      proxied = undefined;
    }
    const comment = prop(COMMENT_PROPERTY, LEGACY_COMMENT_PROPERTY) ?? this.#defaultComment;
    if (/[\r\n]/.test(comment)) {
      issues.push({
        path: [...path, 'providerSpecific'],
        code: 'cloudflare_comment_line_break',
        message: `${describeEndpoint(ep)}: a Cloudflare record comment must be one line`,
      });
    }
    for (const [name, what] of UNSUPPORTED_PROPERTIES) {
      const value = ep.providerSpecific.find((p) => p.name === name)?.value.trim();
      if (value && !isOwnershipTxt(ep))
        issues.push({
          path: [...path, 'providerSpecific'],
          code: 'cloudflare_unsupported_property',
          message: `${describeEndpoint(ep)}: ${name} (${what}) is not supported by this provider; writing the record without it would serve it otherwise than asked — remove the property, or manage ${what} outside this library`,
        });
    }
    const tags = parseTagsProperty(prop(TAGS_PROPERTY, LEGACY_TAGS_PROPERTY) ?? '');
    const badTags = tags.filter((t) => !TAG_PATTERN.test(t));
    if (badTags.length && !isOwnershipTxt(ep)) {
      issues.push({
        path: [...path, 'providerSpecific'],
        code: 'cloudflare_tag_format',
        message: `${describeEndpoint(ep)}: Cloudflare tags are name:value (name of letters, digits, _ and -), got ${badTags.map((t) => JSON.stringify(t)).join(', ')}`,
      });
    }
    let ttl: number;
    if (proxied === true || ep.recordTTL === AUTOMATIC_TTL) ttl = AUTOMATIC_TTL;
    else if (ep.recordTTL <= 0) ttl = this.#defaultTtl;
    else ttl = Math.min(MAX_CLOUDFLARE_TTL, Math.max(this.#minTtl, ep.recordTTL));
    return { ttl, proxied, comment: comment.trim(), tags };
  }

  /**
   * What the zone's plan refuses: tags on a Free zone (Cloudflare's tag quota there is 0, error
   * 9300), which would make Cloudflare refuse the zone's whole batch on every run.
   */
  #checkZoneAttributes(
    ep: Endpoint,
    zone: CloudflareZoneInfo,
    at: { attributes: DesiredAttributes; path: IssuePath },
    issues: Issue[],
  ): void {
    const { attributes, path } = at;
    if (zone.free && attributes.tags.length && !isOwnershipTxt(ep)) {
      issues.push({
        path: [...path, 'providerSpecific'],
        code: 'cloudflare_tags_free_plan',
        message: `${describeEndpoint(ep)}: zone ${zone.name} is on the Free plan, which allows no record tags (remove ${TAGS_PROPERTY})`,
      });
    }
  }

  #validate(changes: Changes): Changes {
    return prepareChangeSet(changes, {
      provider: 'cloudflare',
      domainFilter: this.domainFilter,
      recordTypes: this.#recordTypes,
      setIdentifiers: false,
      setIdentifierHint: 'Cloudflare has no set identifiers (weighted or geo record sets)',
      checkWrite: (ep, path, issues) => void this.#desiredAttributes(ep, path, issues),
    });
  }

  // ---- state ----------------------------------------------------------------------------------

  /**
   * The zone's records by name and type. `records()` always lists (`fresh`); planning reuses what
   * `records()` and later applies saw, so a reconcile costs one listing.
   */
  async #readZone(
    zone: CloudflareZoneInfo,
    options: CallOptions,
    fresh = false,
  ): Promise<Map<string, CloudflareRecord[]>> {
    const cached = this.#records.get(zone.id);
    if (cached && !fresh) return cached;
    const records = await this.client.listDnsRecords(zone.id, {
      perPage: this.#recordsPerPage,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const sets = new Map<string, CloudflareRecord[]>();
    for (const record of records) {
      const key = setKey(record.name, record.type);
      const list = sets.get(key);
      if (list) list.push(record);
      else sets.set(key, [record]);
    }
    this.#records.set(zone.id, sets);
    return sets;
  }

  /** Updates the cache after a batch succeeded: deletes gone, patched and posted records as returned. */
  #remember(
    planned: ZoneBatch,
    posted: readonly CloudflareRecord[],
    patched: readonly CloudflareRecord[],
  ): void {
    const sets = this.#records.get(planned.zoneId);
    if (!sets) return;
    const deleted = new Set(planned.batch.deletes.map((d) => d.id));
    const byId = new Map(patched.map((r) => [r.id, r]));
    for (const [key, list] of sets) {
      const next = list.filter((r) => !deleted.has(r.id)).map((r) => byId.get(r.id) ?? r);
      if (next.length) sets.set(key, next);
      else sets.delete(key);
    }
    for (const record of posted) {
      const key = setKey(record.name, record.type);
      const list = sets.get(key);
      if (list) list.push(record);
      else sets.set(key, [record]);
    }
  }

  #zones(options: CallOptions, forceRefresh: boolean): Promise<CloudflareZoneInfo[]> {
    // concurrent callers (reading records while desired ones are adjusted) share one listing
    return this.#zoneCache.get(options, forceRefresh);
  }

  async #listZones(options: CallOptions): Promise<CloudflareZoneInfo[]> {
    const call = options.signal ? { signal: options.signal } : {};
    const listed = this.#zoneIds
      ? await Promise.all(this.#zoneIds.map((id) => this.client.getZone(id, call)))
      : await this.client.listZones(call);
    const zones = listed
      .map((z): CloudflareZoneInfo => {
        const free = isFreePlan(z);
        return {
          id: z.id,
          name: normalizeDnsName(z.name),
          free,
          batchLimit: free ? BATCH_LIMITS.free : BATCH_LIMITS.paid,
          commentLimit: free ? COMMENT_LIMITS.free : COMMENT_LIMITS.paid,
        };
      })
      .filter((z) => this.domainFilter.selectsZone(z.name));
    return zones;
  }
}
