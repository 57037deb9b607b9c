/**
 * Translation between Azure record sets and core endpoints: one record set is one endpoint.
 *
 * - Names are relative to the zone, `@` at the apex (Azure's form, both APIs).
 * - Each type has its own typed array (`ARecords[].ipv4Address`, `MXRecords[].{preference,exchange}`,
 *   `caaRecords[].{flags,tag,value}`, …); targets are the SDK's canonical strings (`10 mx.example.com`,
 *   `0 issue "ca.example"`), host names written without a trailing dot, as ExternalDNS writes them.
 * - TXT has no quoting layer in Azure: a target is stored as raw text, byte for byte, split into
 *   strings of at most 255 octets (never inside a UTF-8 sequence) in one record, and read back by
 *   joining a record's strings. This is what ExternalDNS's Azure provider does (`Value: [target]`):
 *   its ownership markers are stored with their literal quote characters
 *   (`"heritage=external-dns,external-dns/owner=…"`), so markers written by either side are read
 *   the same by both.
 * - Alias record sets (`targetResource.id`) read as A, AAAA or CNAME endpoints with ExternalDNS's
 *   `alias` property `true` and the resource id as their one target.
 * - Record-set metadata reads as `azure/metadata-<key>` properties; ExternalDNS's `azure/tags`
 *   (`k1=v1,k2=v2`, from the `external-dns.kubernetes.io/azure-tags` annotation) is accepted on input.
 *
 * Sources: ExternalDNS `provider/azure/azure.go` (targets, TXT `Value: [target]`, TTL default 300),
 * Azure REST API specs (record-set models), research brief §F.4.
 */
import { normalizeDnsName, type Endpoint, type ProviderSpecificProperty } from '@openova/dns-core';
import {
  canonicalizeTarget,
  formatTxtStrings,
  parseTxtStrings,
  quoteTxtString,
  sortTargets,
  upperCased,
  withoutTrailingDot,
} from '@openova/dns-core/provider';
import type { AzureRecordData, AzureRecordSet } from './schemas.js';

/** ExternalDNS's alias property (`true` on A, AAAA and CNAME alias record sets). */
export const ALIAS_PROPERTY = 'alias';
/** ExternalDNS's Azure tags property: `k1=v1,k2=v2`, written as record-set metadata. */
export const TAGS_PROPERTY = 'azure/tags';
/** One record-set metadata entry per property: `azure/metadata-<key>`. */
export const METADATA_PROPERTY_PREFIX = 'azure/metadata-';
/** TTL written when an endpoint has none (ExternalDNS's Azure default). */
export const DEFAULT_AZURE_TTL = 300;
/** Most characters of one TXT string. */
export const MAX_TXT_STRING_LENGTH = 255;
/** Most characters of all TXT strings of one record set (Azure public cloud; 1,024 in national clouds). */
export const MAX_TXT_SET_LENGTH = 4096;
/** Most records in one record set (public and private zones). */
export const MAX_RECORDS_PER_SET = 20;
/** Largest TTL Azure accepts (seconds). */
export const MAX_AZURE_TTL = 2_147_483_647;

/** The relative record-set name of an owner name in a zone: `@` at the apex. */
export function recordSetName(dnsName: string, zone: string): string {
  const name = normalizeDnsName(dnsName);
  if (name === zone) return '@';
  return name.endsWith(`.${zone}`) ? name.slice(0, -(zone.length + 1)) : name;
}

/** The owner name of a relative record-set name. */
export function ownerName(name: string, zone: string): string {
  const n = withoutTrailingDot(name.toLowerCase());
  return n === '@' || n === '' ? zone : `${n}.${zone}`;
}

/** A host name as ExternalDNS writes it: canonical, without the trailing dot. */
function host(name: string): string {
  return withoutTrailingDot(canonicalizeTarget('CNAME', name.trim()));
}

/** The raw strings a TXT target is stored as: the text itself, split at 255 octets. */
export function txtStrings(target: string): string[] {
  if (Buffer.byteLength(target, 'utf8') <= MAX_TXT_STRING_LENGTH) return [target];
  return parseTxtStrings(formatTxtStrings(target)) ?? [target];
}

/** True when an endpoint is an alias record set (`alias` = `true` on A, AAAA or CNAME). */
export function isAliasEndpoint(ep: Pick<Endpoint, 'recordType' | 'providerSpecific'>): boolean {
  const type = upperCased(ep.recordType);
  if (!['A', 'AAAA', 'CNAME'].includes(type)) return false;
  const value = ep.providerSpecific.find((p) => p.name === ALIAS_PROPERTY)?.value?.toLowerCase();
  return value === 'true' || value === type.toLowerCase();
}

/** The typed records of one record set for an endpoint's targets (not for aliases). */
export function recordsFor(recordType: string, targets: readonly string[]): AzureRecordData {
  const type = upperCased(recordType);
  const unique = [...new Set(targets.map((t) => canonicalTarget(type, t)))];
  switch (type) {
    case 'A':
      return { A: unique.map((ipv4Address) => ({ ipv4Address })) };
    case 'AAAA':
      return { AAAA: unique.map((ipv6Address) => ({ ipv6Address })) };
    case 'CNAME':
      return { CNAME: { cname: unique[0] ?? '' } };
    case 'NS':
      return { NS: unique.map((nsdname) => ({ nsdname })) };
    case 'PTR':
      return { PTR: unique.map((ptrdname) => ({ ptrdname })) };
    case 'MX':
      return {
        MX: unique.map((t) => {
          const [preference = '0', exchange = ''] = t.split(' ');
          return { preference: Number(preference), exchange };
        }),
      };
    case 'SRV':
      return {
        SRV: unique.map((t) => {
          const [priority = '0', weight = '0', port = '0', target = ''] = t.split(' ');
          return { priority: Number(priority), weight: Number(weight), port: Number(port), target };
        }),
      };
    case 'CAA':
      return {
        CAA: unique.map((t) => {
          const [, flags = '0', tag = '', value = ''] = /^(\S+)\s+(\S+)\s+(.*)$/s.exec(t) ?? [];
          return { flags: Number(flags), tag, value: caaValue(value) };
        }),
      };
    case 'TXT':
      return { TXT: unique.map((t) => ({ value: txtStrings(t) })) };
    default:
      return {};
  }
}

/** A CAA value as Azure stores it: raw (the quotes of the presentation form removed). */
function caaValue(value: string): string {
  if (value.startsWith('"')) {
    const parsed = parseTxtStrings(value);
    if (parsed) return parsed.join('');
  }
  return value;
}

/**
 * The canonical form of a target as `records()` returns it once written: host names without the
 * trailing dot, MX/SRV numbers without leading zeros, CAA values quoted, TXT unchanged.
 */
export function canonicalTarget(recordType: string, target: string): string {
  const type = upperCased(recordType);
  switch (type) {
    case 'TXT':
      return target;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return host(target);
    case 'MX': {
      const [preference = '', exchange = ''] = target.trim().split(/\s+/);
      return `${Number(preference)} ${host(exchange)}`;
    }
    case 'SRV': {
      const [priority = '', weight = '', port = '', name = ''] = target.trim().split(/\s+/);
      return `${Number(priority)} ${Number(weight)} ${Number(port)} ${host(name)}`;
    }
    case 'CAA': {
      const match = /^(\S+)\s+(\S+)\s+(.*)$/s.exec(target.trim());
      if (!match) return target;
      const [, flags = '', tag = '', value = ''] = match;
      return `${Number(flags)} ${tag.toLowerCase()} ${quoteTxtString(caaValue(value))}`;
    }
    default:
      return canonicalizeTarget(type, target.trim());
  }
}

/** The endpoint targets of a record set's typed records (empty for an alias). */
export function targetsOf(rs: AzureRecordData, recordType: string): string[] {
  const type = upperCased(recordType);
  switch (type) {
    case 'A':
      return (rs.A ?? []).map((r) => r.ipv4Address);
    case 'AAAA':
      return (rs.AAAA ?? []).map((r) => canonicalTarget('AAAA', r.ipv6Address));
    case 'CNAME':
      return rs.CNAME?.cname ? [host(rs.CNAME.cname)] : [];
    case 'NS':
      return (rs.NS ?? []).map((r) => host(r.nsdname));
    case 'PTR':
      return (rs.PTR ?? []).map((r) => host(r.ptrdname));
    case 'MX':
      return (rs.MX ?? []).map((r) => `${r.preference} ${host(r.exchange)}`);
    case 'SRV':
      return (rs.SRV ?? []).map((r) => `${r.priority} ${r.weight} ${r.port} ${host(r.target)}`);
    case 'CAA':
      return (rs.CAA ?? []).map((r) => `${r.flags} ${r.tag.toLowerCase()} ${quoteTxtString(r.value)}`);
    case 'TXT':
      // a record of one empty string (`[""]`) is a TXT value too; only a record without strings is none
      return (rs.TXT ?? []).filter((r) => r.value.length > 0).map((r) => r.value.join(''));
    default:
      return [];
  }
}

/**
 * Why an `azure/tags` value is not a tag list (`k1=v1,k2=v2`: each comma-separated pair a non-empty
 * key, `=`, and a value that may be empty; blanks around them are trimmed, an empty pair is skipped),
 * or `undefined` when it is one. ExternalDNS's `external-dns.kubernetes.io/azure-tags` format.
 */
export function tagsProblem(value: string): string | undefined {
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) return `"${pair.trim()}" has no "=" (expected key=value pairs separated by commas)`;
    if (pair.slice(0, eq).trim() === '') return `"${pair.trim()}" has no key before "="`;
  }
  return undefined;
}

/**
 * Record-set metadata for an endpoint's properties: every `azure/metadata-<key>`, and the pairs of
 * `azure/tags` (`k1=v1,k2=v2`; an explicit `azure/metadata-<key>` wins). A malformed `azure/tags`
 * (see {@link tagsProblem}) is refused by the provider before it gets here.
 */
export function propertiesToMetadata(
  properties: readonly ProviderSpecificProperty[],
): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const p of properties)
    if (p.name === TAGS_PROPERTY)
      for (const pair of p.value.split(',')) {
        const eq = pair.indexOf('=');
        const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
        if (key) metadata[key] = eq < 0 ? '' : pair.slice(eq + 1).trim();
      }
  for (const p of properties)
    if (p.name.startsWith(METADATA_PROPERTY_PREFIX))
      metadata[p.name.slice(METADATA_PROPERTY_PREFIX.length)] = p.value;
  return metadata;
}

/** `azure/metadata-<key>` properties for record-set metadata, sorted by key. */
export function metadataToProperties(metadata: Readonly<Record<string, string>>): ProviderSpecificProperty[] {
  return Object.keys(metadata)
    .sort()
    .map((key) => ({ name: `${METADATA_PROPERTY_PREFIX}${key}`, value: metadata[key] as string }));
}

/**
 * The properties `records()` returns for an endpoint once written: metadata as
 * `azure/metadata-<key>`, and `alias` = `true` for an alias; everything else is dropped.
 */
export function canonicalProperties(
  ep: Pick<Endpoint, 'recordType' | 'providerSpecific'>,
): ProviderSpecificProperty[] {
  const props = metadataToProperties(propertiesToMetadata(ep.providerSpecific));
  return isAliasEndpoint(ep) ? [{ name: ALIAS_PROPERTY, value: 'true' }, ...props] : props;
}

/**
 * The record set an endpoint is written as (name relative to `zone`), without ETag. An unset TTL
 * is written as 300 (ExternalDNS's default).
 */
export function endpointToRecordSet(ep: Endpoint, zone: string): AzureRecordSet {
  const type = upperCased(ep.recordType);
  const rs: AzureRecordSet = {
    name: recordSetName(ep.dnsName, zone),
    type,
    ttl: ep.recordTTL > 0 ? ep.recordTTL : DEFAULT_AZURE_TTL,
    metadata: propertiesToMetadata(ep.providerSpecific),
  };
  if (isAliasEndpoint(ep)) rs.targetResource = ep.targets[0] ?? '';
  else Object.assign(rs, recordsFor(type, ep.targets));
  return rs;
}

/** One endpoint for one record set: absolute owner name, canonical targets sorted, metadata as properties. */
export function recordSetToEndpoint(rs: AzureRecordSet, zone: string): Endpoint {
  const type = upperCased(rs.type);
  const alias = rs.targetResource !== undefined;
  const props = metadataToProperties(rs.metadata);
  return {
    dnsName: ownerName(rs.name, zone),
    recordType: type,
    targets: alias ? [rs.targetResource as string] : sortTargets([...new Set(targetsOf(rs, type))]),
    recordTTL: rs.ttl,
    setIdentifier: '',
    labels: {},
    providerSpecific: alias ? [{ name: ALIAS_PROPERTY, value: 'true' }, ...props] : props,
  };
}

/** True when two record sets hold the same data (TTL, metadata, records or alias target). */
export function sameRecordSet(a: AzureRecordSet, b: AzureRecordSet, zone: string): boolean {
  const ea = recordSetToEndpoint(a, zone);
  const eb = recordSetToEndpoint(b, zone);
  return (
    ea.recordTTL === eb.recordTTL &&
    JSON.stringify(ea.targets) === JSON.stringify(eb.targets) &&
    JSON.stringify(ea.providerSpecific) === JSON.stringify(eb.providerSpecific)
  );
}
