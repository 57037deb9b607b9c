import { normalizeDnsName, upperCased } from './names.js';

/** Record types the core model validates and the TXT registry understands. */
export const KNOWN_RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'TXT',
  'SRV',
  'NS',
  'PTR',
  'MX',
  'NAPTR',
  'DNAME',
  'CAA',
] as const;
/** A record type core validates the data of: one of {@link KNOWN_RECORD_TYPES}. */
export type KnownRecordType = (typeof KNOWN_RECORD_TYPES)[number];
/** A record type mnemonic; known types autocomplete, provider types (e.g. PowerDNS `LUA`) are allowed. */
export type RecordType = KnownRecordType | (string & {});

/** Record types ExternalDNS manages when nothing else is configured. */
export const DEFAULT_MANAGED_RECORD_TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME'];

/** ExternalDNS's `{name, value}` provider-specific property. */
export interface ProviderSpecificProperty {
  /**
   * Property name, ExternalDNS's spelling, e.g. `aws/weight` or
   * `external-dns.kubernetes.io/cloudflare-proxied`.
   */
  name: string;
  /** Property value, always a string (`"true"`, `"90"`). */
  value: string;
}

/** Well-known label keys (ExternalDNS `endpoint/labels.go`). */
export const LabelKeys = {
  owner: 'owner',
  resource: 'resource',
  ownedRecord: 'ownedRecord',
  encryptionNonce: 'txt-encryption-nonce',
} as const;

/**
 * A DNS record set: one name, one type, one set identifier and all its values. The field names and
 * meaning are ExternalDNS's, so endpoints travel unchanged over the webhook protocol.
 *
 * Every field is present (empty string, 0, `{}` and `[]` mean "not set"); {@link endpointToJSON}
 * omits them again exactly as ExternalDNS's Go encoder does.
 */
export interface Endpoint {
  /** Owner name, conventionally without trailing dot; its spelling is kept, comparisons normalise it. */
  dnsName: string;
  /** Record data, one string per value (`"10 mx.example.com"` for MX). */
  targets: string[];
  /**
   * Record type in upper case: `A`, `AAAA`, `CNAME`, `TXT`, `MX`, … (`KNOWN_RECORD_TYPES`), or a
   * provider's own such as `LUA` or `ALIAS`.
   */
  recordType: RecordType;
  /** Distinguishes several record sets of one name and type (weighted or geo routing). `''` = none. */
  setIdentifier: string;
  /** Seconds; `0` means "not configured" (the provider's default applies). */
  recordTTL: number;
  /** Ownership metadata (`owner`, `resource`, …); never sent to DNS as such. */
  labels: Record<string, string>;
  /**
   * Provider-specific properties (`name`/`value` pairs), ExternalDNS's names, e.g.
   * `external-dns.kubernetes.io/cloudflare-proxied` or `aws/weight`; `[]` = none.
   */
  providerSpecific: ProviderSpecificProperty[];
}

/** The wire (JSON) shape: every field but the name and type may be absent. */
export interface EndpointJSON {
  /** Owner name, e.g. `api.example.com` (a trailing dot is accepted and ignored in comparisons). */
  dnsName: string;
  /** Record data, one string per value; absent or `null` = none. */
  targets?: string[];
  /** Record type, e.g. `A`. */
  recordType: string;
  /** Set identifier for weighted or geo routing; absent = none. */
  setIdentifier?: string;
  /** TTL in seconds; absent or 0 = not configured. */
  recordTTL?: number;
  /** Ownership labels (`owner`, `resource`, `ownedRecord`, …); absent = none. */
  labels?: Record<string, string>;
  /** Provider-specific properties; absent = none. */
  providerSpecific?: ProviderSpecificProperty[];
}

/** What {@link endpoint} accepts: the required fields plus any of the optional ones. */
export type EndpointInit = Pick<Endpoint, 'dnsName' | 'recordType'> &
  Partial<Omit<Endpoint, 'dnsName' | 'recordType'>>;

/** Builds an endpoint, filling every unset field with its empty value. Does not validate. */
export function endpoint(init: EndpointInit): Endpoint {
  return {
    dnsName: init.dnsName,
    targets: init.targets ? [...init.targets] : [],
    recordType: init.recordType,
    setIdentifier: init.setIdentifier ?? '',
    recordTTL: init.recordTTL ?? 0,
    labels: init.labels ? { ...init.labels } : {},
    providerSpecific: init.providerSpecific
      ? init.providerSpecific.map((p) => ({ name: p.name, value: p.value }))
      : [],
  };
}

/** A deep copy, so callers can change the result without touching the input. */
export function cloneEndpoint(ep: Endpoint): Endpoint {
  return endpoint(ep);
}

/** Serialises like ExternalDNS's Go encoder: empty strings, 0, empty lists and maps are omitted. */
export function endpointToJSON(ep: Endpoint): EndpointJSON {
  // key order follows ExternalDNS's struct order
  const out: EndpointJSON = ep.targets.length
    ? { dnsName: ep.dnsName, targets: [...ep.targets], recordType: ep.recordType }
    : { dnsName: ep.dnsName, recordType: ep.recordType };
  if (ep.setIdentifier) out.setIdentifier = ep.setIdentifier;
  if (ep.recordTTL) out.recordTTL = ep.recordTTL;
  if (Object.keys(ep.labels).length) out.labels = { ...ep.labels };
  if (ep.providerSpecific.length) out.providerSpecific = ep.providerSpecific.map((p) => ({ ...p }));
  return out;
}

/**
 * The identity of a record set for every comparison in the SDK: normalised name, type and set
 * identifier, joined so that it can be used as a `Map` key.
 */
export function endpointKey(ep: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${normalizeDnsName(ep.dnsName)}\u0000${upperCased(ep.recordType)}\u0000${ep.setIdentifier}`;
}

/**
 * Sorts endpoints by {@link endpointKey}, each key computed once: a comparator calling it would
 * normalise every name n log n times. Returns a new array.
 */
export function sortEndpoints<T extends Endpoint>(endpoints: readonly T[]): T[] {
  return endpoints
    .map((ep) => ({ ep, key: endpointKey(ep) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.ep);
}

/**
 * The identity of a row (one name and set identifier, all its types) as a `Map` key: the normalised
 * name alone when there is no set identifier (names hold no NUL), so that no new string is built
 * and hashed for the common case.
 */
export function nameKey(name: string, setIdentifier: string): string {
  const normal = normalizeDnsName(name);
  return setIdentifier === '' ? normal : `${normal}\u0000${setIdentifier}`;
}

/** Human form of an endpoint's identity: `api.example.com A` or `api.example.com A [blue]`. */
export function describeEndpoint(ep: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${ep.dnsName} ${ep.recordType}${ep.setIdentifier ? ` [${ep.setIdentifier}]` : ''}`;
}

/**
 * Provider-specific property a provider sets on a record it read back with the same value stored
 * more than once (value: how many surplus copies), e.g. after two writers inserted one record set
 * at the same moment into a database without a unique key (PowerDNS over PostgreSQL). Desired
 * records never carry it, so the planner sees the record as changed and rewrites it whole, which
 * removes the copies; on an ownership TXT the TXT registry passes the repair on to its record.
 */
export const REPEATED_RECORDS_PROPERTY = 'repeated-records';

/** The first value of a provider-specific property, as ExternalDNS's getter returns it. */
export function getProviderSpecific(ep: Endpoint, name: string): string | undefined {
  return ep.providerSpecific.find((p) => p.name === name)?.value;
}

/** Sets a provider-specific property in place (replacing the first of that name), like ExternalDNS. */
export function setProviderSpecific(ep: Endpoint, name: string, value: string): void {
  const existing = ep.providerSpecific.find((p) => p.name === name);
  if (existing) existing.value = value;
  else ep.providerSpecific.push({ name, value });
}

/** Removes every provider-specific property with that name. */
export function deleteProviderSpecific(ep: Endpoint, name: string): void {
  ep.providerSpecific = ep.providerSpecific.filter((p) => p.name !== name);
}

/** ExternalDNS's `IsOwnedBy`: the owner label is present and equals `ownerId`. */
export function isOwnedBy(ep: Endpoint, ownerId: string): boolean {
  return Object.hasOwn(ep.labels, LabelKeys.owner) && ep.labels[LabelKeys.owner] === ownerId;
}
