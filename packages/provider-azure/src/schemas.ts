/**
 * Wire shapes of the two Azure DNS APIs, and the one record-set model this package uses for both.
 *
 * - Public zones: `Microsoft.Network/dnsZones`, api-version `2018-05-01`; record-set properties in
 *   their own casing (`TTL`, `ARecords`, `CNAMERecord`, `TXTRecords`, but `caaRecords`).
 * - Private zones: `Microsoft.Network/privateDnsZones`, api-version `2024-06-01`; camelCase (`ttl`,
 *   `aRecords`, `cnameRecord`, `txtRecords`), no NS (other than Azure's own), no CAA, no aliases.
 *
 * Sources: Azure/azure-rest-api-specs `specification/dns/…/2018-05-01/dns.json` and
 * `specification/privatedns/…/2024-06-01`, and the serializers of `@azure/arm-dns` 5.1.0 and
 * `@azure/arm-privatedns` 4.0.0 (which the tests drive against the fake). Objects are loose: Azure
 * adds fields, and an unknown field must never fail a call.
 */
import { z } from 'zod';

/** Which API a zone belongs to. */
export type AzureZoneKind = 'public' | 'private';

/** api-version of each API. */
export const AZURE_API_VERSIONS: Readonly<Record<AzureZoneKind, string>> = {
  public: '2018-05-01',
  private: '2024-06-01',
};

/** The resource-provider path segment of each API. */
export const AZURE_ZONE_SEGMENTS: Readonly<Record<AzureZoneKind, string>> = {
  public: 'dnsZones',
  private: 'privateDnsZones',
};

/** One A record: `{ipv4Address}`. */
export interface AzureARecord {
  /** An IPv4 address, dotted decimal. */
  ipv4Address: string;
}
/** One AAAA record: `{ipv6Address}`. */
export interface AzureAaaaRecord {
  /** An IPv6 address. */
  ipv6Address: string;
}
/** The CNAME record (one per set): `{cname}`. */
export interface AzureCnameRecord {
  /** The canonical name (a host name). */
  cname: string;
}
/** One MX record: `{preference, exchange}`. */
export interface AzureMxRecord {
  /** Preference, 0 – 65,535 (lower first). */
  preference: number;
  /** The mail server's host name. */
  exchange: string;
}
/** One NS record (public zones only): `{nsdname}`. */
export interface AzureNsRecord {
  /** The name server's host name. */
  nsdname: string;
}
/** One PTR record: `{ptrdname}`. */
export interface AzurePtrRecord {
  /** The host name pointed to. */
  ptrdname: string;
}
/** One SRV record: `{priority, weight, port, target}`. */
export interface AzureSrvRecord {
  /** Priority, 0 – 65,535 (lower first). */
  priority: number;
  /** Relative weight among records of one priority, 0 – 65,535. */
  weight: number;
  /** TCP or UDP port, 0 – 65,535. */
  port: number;
  /** The host name of the service. */
  target: string;
}
/** One TXT record: its character strings, raw (no quoting layer), each at most 255 characters. */
export interface AzureTxtRecord {
  /** The character strings, in order (their concatenation is the record's text). */
  value: string[];
}
/** One CAA record (public zones only): `{flags, tag, value}`, `value` raw (no quotes). */
export interface AzureCaaRecord {
  /** Flags, 0 – 255 (128: critical). */
  flags: number;
  /** The property tag: `issue`, `issuewild`, `iodef`, … */
  tag: string;
  /** The property value, raw. */
  value: string;
}
/** The SOA record of the apex (one per zone; Azure's own). */
export interface AzureSoaRecord {
  /** The primary name server (MNAME). */
  host?: string | undefined;
  /** The responsible mailbox (RNAME), in domain-name form. */
  email?: string | undefined;
  /** The zone's serial number. */
  serialNumber?: number | undefined;
  /** Refresh interval in seconds. */
  refreshTime?: number | undefined;
  /** Retry interval in seconds. */
  retryTime?: number | undefined;
  /** Expire time in seconds. */
  expireTime?: number | undefined;
  /** Negative-caching TTL in seconds. */
  minimumTTL?: number | undefined;
}

/** The typed record arrays of a record set, by record type. */
export interface AzureRecordData {
  /** A records (`ARecords` / `aRecords` on the wire). */
  A?: AzureARecord[];
  /** AAAA records (`AAAARecords` / `aaaaRecords`). */
  AAAA?: AzureAaaaRecord[];
  /** The CNAME record (`CNAMERecord` / `cnameRecord`): one per set. */
  CNAME?: AzureCnameRecord;
  /** MX records (`MXRecords` / `mxRecords`). */
  MX?: AzureMxRecord[];
  /** NS records (`NSRecords`; public zones only). */
  NS?: AzureNsRecord[];
  /** PTR records (`PTRRecords` / `ptrRecords`). */
  PTR?: AzurePtrRecord[];
  /** SRV records (`SRVRecords` / `srvRecords`). */
  SRV?: AzureSrvRecord[];
  /** TXT records (`TXTRecords` / `txtRecords`). */
  TXT?: AzureTxtRecord[];
  /** CAA records (`caaRecords`; public zones only). */
  CAA?: AzureCaaRecord[];
  /** The apex SOA record (`SOARecord` / `soaRecord`): one per zone. */
  SOA?: AzureSoaRecord;
}

/** A record set as this package models it, whichever API it comes from. */
export interface AzureRecordSet extends AzureRecordData {
  /** Relative to the zone, `@` at the apex, as Azure returns it. */
  name: string;
  /** Upper case, e.g. `TXT`. */
  type: string;
  /** Seconds, 1 – 2,147,483,647. */
  ttl: number;
  /** Record-set metadata (string map). */
  metadata: Record<string, string>;
  /** The record set's current ETag (absent before it was written). */
  etag?: string | undefined;
  /** ARM id, when read. */
  id?: string | undefined;
  /** Absolute name with its trailing dot, when read. */
  fqdn?: string | undefined;
  /** Alias record sets (public zones): the ARM id of the Azure resource they point to. */
  targetResource?: string | undefined;
  /** ARM's `provisioningState` (`Succeeded`, …), when read. */
  provisioningState?: string | undefined;
  /** Private zones: created by VM auto-registration (read-only). */
  isAutoRegistered?: boolean | undefined;
}

/** Property names of each API, by the model's field name. */
export interface AzureWireNames {
  /** The TTL property: `TTL` in public zones, `ttl` in private zones. */
  ttl: string;
  /** Record arrays (or single objects for CNAME and SOA) by record type. */
  records: Readonly<Partial<Record<keyof AzureRecordData, string>>>;
}

/** Property names on the wire, per API: the casing differs (`TTL`/`ARecords` against `ttl`/`aRecords`). */
export const AZURE_WIRE_NAMES: Readonly<Record<AzureZoneKind, AzureWireNames>> = {
  public: {
    ttl: 'TTL',
    records: {
      A: 'ARecords',
      AAAA: 'AAAARecords',
      CNAME: 'CNAMERecord',
      MX: 'MXRecords',
      NS: 'NSRecords',
      PTR: 'PTRRecords',
      SRV: 'SRVRecords',
      TXT: 'TXTRecords',
      CAA: 'caaRecords',
      SOA: 'SOARecord',
    },
  },
  private: {
    ttl: 'ttl',
    records: {
      A: 'aRecords',
      AAAA: 'aaaaRecords',
      CNAME: 'cnameRecord',
      MX: 'mxRecords',
      PTR: 'ptrRecords',
      SRV: 'srvRecords',
      TXT: 'txtRecords',
      SOA: 'soaRecord',
    },
  },
};

/** Record types each API stores. */
export const AZURE_RECORD_TYPES: Readonly<Record<AzureZoneKind, readonly string[]>> = {
  public: ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'],
  private: ['A', 'AAAA', 'CNAME', 'MX', 'PTR', 'SOA', 'SRV', 'TXT'],
};

const num = z.number();
const str = z.string();

/** Schemas of one record of each type. */
export const RECORD_SCHEMAS = {
  A: z.looseObject({ ipv4Address: str }),
  AAAA: z.looseObject({ ipv6Address: str }),
  CNAME: z.looseObject({ cname: str }),
  MX: z.looseObject({ preference: num, exchange: str }),
  NS: z.looseObject({ nsdname: str }),
  PTR: z.looseObject({ ptrdname: str }),
  SRV: z.looseObject({ priority: num, weight: num, port: num, target: str }),
  TXT: z.looseObject({ value: z.array(str) }),
  CAA: z.looseObject({ flags: num, tag: str, value: str }),
  SOA: z.looseObject({
    host: str.optional(),
    email: str.optional(),
    serialNumber: num.optional(),
    refreshTime: num.optional(),
    retryTime: num.optional(),
    expireTime: num.optional(),
    minimumTTL: num.optional(),
  }),
} as const;

const SINGLE = new Set<keyof AzureRecordData>(['CNAME', 'SOA']);

/** The zod schema of a record set as one API sends it. */
export function recordSetWireSchema(kind: AzureZoneKind): z.ZodType<Record<string, unknown>> {
  const names = AZURE_WIRE_NAMES[kind];
  const properties: Record<string, z.ZodType> = {
    [names.ttl]: num.optional(),
    metadata: z.record(str, str).nullable().optional(),
    fqdn: str.optional(),
    provisioningState: str.optional(),
    targetResource: z.looseObject({ id: str.nullable().optional() }).nullable().optional(),
    isAutoRegistered: z.boolean().optional(),
  };
  for (const [type, wire] of Object.entries(names.records)) {
    const schema = RECORD_SCHEMAS[type as keyof typeof RECORD_SCHEMAS];
    properties[wire] = (SINGLE.has(type as keyof AzureRecordData) ? schema : z.array(schema))
      .nullable()
      .optional();
  }
  return z.looseObject({
    id: str.optional(),
    name: str,
    type: str,
    etag: str.optional(),
    properties: z.looseObject(properties),
  });
}

/** The record type of a resource `type` (`Microsoft.Network/dnszones/A` → `A`), compared case-insensitively. */
export function recordTypeOf(resourceType: string): string {
  const slash = resourceType.lastIndexOf('/');
  return resourceType.slice(slash + 1).toUpperCase();
}

/** A record set from its wire form (either API). */
export function recordSetFromWire(kind: AzureZoneKind, wire: Record<string, unknown>): AzureRecordSet {
  const names = AZURE_WIRE_NAMES[kind];
  const props = (wire.properties ?? {}) as Record<string, unknown>;
  const rs: AzureRecordSet = {
    name: wire.name as string,
    type: recordTypeOf(wire.type as string),
    ttl: typeof props[names.ttl] === 'number' ? (props[names.ttl] as number) : 0,
    metadata: { ...((props.metadata as Record<string, string> | null | undefined) ?? {}) },
  };
  if (typeof wire.etag === 'string') rs.etag = wire.etag;
  if (typeof wire.id === 'string') rs.id = wire.id;
  if (typeof props.fqdn === 'string') rs.fqdn = props.fqdn;
  if (typeof props.provisioningState === 'string') rs.provisioningState = props.provisioningState;
  if (typeof props.isAutoRegistered === 'boolean') rs.isAutoRegistered = props.isAutoRegistered;
  const target = (props.targetResource as { id?: string | null } | null | undefined)?.id;
  if (typeof target === 'string' && target !== '') rs.targetResource = target;
  const data = rs as unknown as Record<string, unknown>;
  for (const [type, name] of Object.entries(names.records)) {
    const value = props[name];
    if (value !== undefined && value !== null) data[type] = value;
  }
  return rs;
}

/** The request body of a `PUT` for a record set in one API's casing (only what the API accepts). */
export function recordSetToWire(
  kind: AzureZoneKind,
  rs: AzureRecordSet,
): { properties: Record<string, unknown> } {
  const names = AZURE_WIRE_NAMES[kind];
  const properties: Record<string, unknown> = { [names.ttl]: rs.ttl };
  if (Object.keys(rs.metadata).length) properties.metadata = rs.metadata;
  if (rs.targetResource !== undefined) properties.targetResource = { id: rs.targetResource };
  for (const [type, name] of Object.entries(names.records)) {
    const value = (rs as unknown as Record<string, unknown>)[type];
    if (value !== undefined) properties[name] = value;
  }
  return { properties };
}

/** A zone as both APIs return it (the properties this package reads). */
export interface AzureZoneWire {
  /** The zone's ARM resource id. */
  id: string;
  /** The zone's DNS name, without trailing dot. */
  name: string;
  /** The resource type: `Microsoft.Network/dnszones` or `Microsoft.Network/privateDnsZones`. */
  type: string;
  /** The resource location (`global` for DNS zones). */
  location?: string | undefined;
  /** The zone's ETag. */
  etag?: string | undefined;
  /** ARM tags (`null` when none). */
  tags?: Record<string, string> | null | undefined;
  /** Record-set counts and limits, name servers (public), and `zoneType`. */
  properties?:
    | {
        numberOfRecordSets?: number | undefined;
        maxNumberOfRecordSets?: number | undefined;
        maxNumberOfRecordsPerRecordSet?: number | undefined;
        nameServers?: string[] | null | undefined;
        zoneType?: string | undefined;
      }
    | undefined;
}

export const zoneWireSchema: z.ZodType<AzureZoneWire> = z.looseObject({
  id: str,
  name: str,
  type: str,
  location: str.optional(),
  etag: str.optional(),
  tags: z.record(str, str).nullable().optional(),
  properties: z
    .looseObject({
      numberOfRecordSets: num.optional(),
      maxNumberOfRecordSets: num.optional(),
      maxNumberOfRecordsPerRecordSet: num.optional(),
      nameServers: z.array(str).nullable().optional(),
      zoneType: str.optional(),
    })
    .optional(),
});

/** A page of a list answer: `{value, nextLink}`. */
export function pageSchema<T>(
  item: z.ZodType<T>,
): z.ZodType<{ value: T[]; nextLink?: string | null | undefined }> {
  return z.looseObject({ value: z.array(item), nextLink: str.nullable().optional() });
}

/** An ARM error body: `{code, message, target?, details?}`. */
export interface AzureErrorBody {
  /** Azure's error code (`PreconditionFailed`, `ParentResourceNotFound`, `BadRequest`, …). */
  code: string;
  /** Azure's message (secrets it echoes are redacted before it reaches an error). */
  message: string;
  /** The part of the request the error is about, when Azure names one. */
  target?: string | undefined;
  /** Nested errors, as Azure sent them. */
  details?: unknown;
}

const errorBodySchema = z.looseObject({
  code: str,
  message: str.optional().default(''),
  target: str.nullable().optional(),
  details: z.unknown().optional(),
});

/**
 * An error answer's body in either shape: ARM's wrapped `{"error":{…}}` or the DNS resource
 * provider's unwrapped `{code, message}` (the SDKs accept both: `parsedBody.error || parsedBody`).
 */
export function readErrorBody(json: unknown): AzureErrorBody | undefined {
  const candidate = (json as { error?: unknown } | null)?.error ?? json;
  const parsed = errorBodySchema.safeParse(candidate);
  if (!parsed.success) return undefined;
  const { code, message, target, details } = parsed.data;
  return { code, message, ...(target ? { target } : {}), ...(details === undefined ? {} : { details }) };
}
