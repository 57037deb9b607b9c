/**
 * Translation between Hetzner RRSets and core endpoints: one RRSet is one endpoint.
 *
 * Hetzner stores names relative to the zone (`@` at the apex, lower case, punycode, no trailing
 * dot) and values as zone-file RDATA, where a host name without a trailing dot is relative to the
 * zone. Writing therefore gives every host name inside a value (CNAME, NS, PTR, MX, SRV) its
 * trailing dot, and reading makes relative ones absolute again, so `records()` returns the same
 * canonical endpoint whatever spelling someone else used.
 */
import { normalizeDnsName, type Endpoint, type ProviderSpecificProperty } from '@openova/dns-core';
import {
  fromPresentation,
  sortTargets,
  toPresentation,
  upperCased,
  withoutTrailingDot,
} from '@openova/dns-core/provider';
import type { HetznerRRSet } from './schemas.js';

/**
 * Provider-specific properties carrying RRSet labels: `webhook/hetzner-label-<key>`, the name the
 * ExternalDNS Hetzner webhook (mconfalonieri) reads from the annotation
 * `external-dns.alpha.kubernetes.io/webhook-hetzner-label-<key>`.
 */
export const LABEL_PROPERTY_PREFIX = 'webhook/hetzner-label-';
/** How a `/` in a label key is spelled inside a property name (the webhook's `SLASH_ESC_SEQ` default). */
export const LABEL_SLASH_ESCAPE = '--slash--';

/** The RRSet name of an owner name in a zone: relative, `@` at the apex. */
export function rrsetName(dnsName: string, zone: string): string {
  const name = normalizeDnsName(dnsName);
  if (name === zone) return '@';
  return name.endsWith(`.${zone}`) ? name.slice(0, -(zone.length + 1)) : name;
}

/** The owner name of an RRSet name in a zone. */
export function ownerName(name: string, zone: string): string {
  const n = withoutTrailingDot(name.toLowerCase());
  return n === '@' || n === '' ? zone : `${n}.${zone}`;
}

/** A host name as read, made absolute: `@` is the zone, a name without a dot is relative to it. */
function fromHost(host: string, zone: string): string {
  if (host === '@') return zone;
  if (host === '.') return '.';
  if (host.endsWith('.')) return withoutTrailingDot(host);
  return `${host}.${zone}`;
}

/** A target as Hetzner stores it: zone-file RDATA with absolute host names, TXT quoted. */
export function toHetznerValue(recordType: string, target: string): string {
  return toPresentation(recordType, target);
}

/** The endpoint target for a value as Hetzner returns it (relative host names resolved in `zone`). */
export function fromHetznerValue(recordType: string, value: string, zone: string): string {
  return fromPresentation(recordType, value, (host) => fromHost(host, zone));
}

/** The form `records()` returns a target in once written: what `adjustEndpoints` produces. */
export function canonicalTargetFor(recordType: string, target: string, zone: string): string {
  return fromHetznerValue(recordType, toHetznerValue(recordType, target), zone);
}

/** Label properties for RRSet labels, sorted by name. */
export function labelsToProperties(labels: Readonly<Record<string, string>>): ProviderSpecificProperty[] {
  return Object.keys(labels)
    .sort()
    .map((key) => ({
      name: `${LABEL_PROPERTY_PREFIX}${key.replaceAll('/', LABEL_SLASH_ESCAPE)}`,
      value: labels[key] as string,
    }));
}

const LABEL_NAME = /^[a-z0-9A-Z](?:[a-z0-9A-Z._-]{0,61}[a-z0-9A-Z])?$/;
const LABEL_PREFIX_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why Hetzner would refuse an RRSet label, or `undefined`. The Cloud API's label rules (its
 * introduction, "Labels"): a key is an optional prefix (a DNS subdomain of at most 253 characters,
 * then `/`) and a name of 1 to 63 characters, alphanumeric at both ends with `-`, `_`, `.` between; a
 * value is empty or such a name; the prefix `hetzner.cloud/` is Hetzner's own.
 */
export function labelProblem(
  key: string,
  value: string,
): { part: 'name' | 'value'; problem: string } | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > 253)
      return {
        part: 'name',
        problem: `the key prefix must be 1 to 253 characters (it has ${prefix.length})`,
      };
    if (!prefix.split('.').every((l) => LABEL_PREFIX_LABEL.test(l)))
      return { part: 'name', problem: `the key prefix ${JSON.stringify(prefix)} is not a DNS subdomain` };
    if (prefix === 'hetzner.cloud' || prefix.endsWith('.hetzner.cloud'))
      return { part: 'name', problem: 'the key prefix hetzner.cloud/ is reserved by Hetzner' };
  }
  if (name.length > 63)
    return { part: 'name', problem: `the key name is ${name.length} characters; at most 63 are allowed` };
  if (!LABEL_NAME.test(name))
    return {
      part: 'name',
      problem: `the key name ${JSON.stringify(name)} must be alphanumeric at both ends with only "-", "_", "." between`,
    };
  if (value.length > 63)
    return { part: 'value', problem: `the value is ${value.length} characters; at most 63 are allowed` };
  if (value !== '' && !LABEL_NAME.test(value))
    return {
      part: 'value',
      problem: `the value ${JSON.stringify(value)} must be empty or alphanumeric at both ends with only "-", "_", "." between`,
    };
  return undefined;
}

/** RRSet labels from an endpoint's label properties (other properties are ignored). */
export function propertiesToLabels(properties: readonly ProviderSpecificProperty[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const p of properties)
    if (p.name.startsWith(LABEL_PROPERTY_PREFIX))
      labels[p.name.slice(LABEL_PROPERTY_PREFIX.length).replaceAll(LABEL_SLASH_ESCAPE, '/')] = p.value;
  return labels;
}

/**
 * One endpoint for one RRSet: absolute owner name, canonical targets sorted (Hetzner returns values
 * in no fixed order), the zone's default TTL when the RRSet has none, labels as properties.
 */
export function rrsetToEndpoint(rrset: HetznerRRSet, zone: { name: string; ttl: number }): Endpoint {
  const type = upperCased(rrset.type);
  return {
    dnsName: ownerName(rrset.name, zone.name),
    recordType: type,
    targets: sortTargets([...new Set(rrset.records.map((r) => fromHetznerValue(type, r.value, zone.name)))]),
    recordTTL: rrset.ttl ?? zone.ttl,
    setIdentifier: '',
    labels: {},
    providerSpecific: labelsToProperties(rrset.labels),
  };
}
