/**
 * Translation between Cloudflare records (one object per value) and core endpoints (one per name
 * and type). Writing produces the fields Cloudflare expects (`priority` for MX, structured `data`
 * for SRV and CAA, quoted strings for TXT, host names without trailing dot); reading undoes it, so
 * `canonicalTargetFor` tells what `records()` will return for a desired target.
 */
import { endpoint, type Endpoint, type ProviderSpecificProperty } from '@openova/dns-core';
import {
  quoteTxtString,
  canonicalIPv6,
  canonicalizeTarget,
  parseTxtStrings,
  sortTargets,
  txtStringsOf,
  txtTargetOf,
} from '@openova/dns-core/provider';
import type { DnsRecordFields } from './client.js';
import type { CloudflareRecord } from './schemas.js';

/** Provider-specific property for proxying (ExternalDNS v0.22+ name; the one this provider returns). */
export const PROXIED_PROPERTY = 'external-dns.kubernetes.io/cloudflare-proxied';
/** The same property under ExternalDNS's pre-v0.22 annotation prefix; accepted on input. */
export const LEGACY_PROXIED_PROPERTY = 'external-dns.alpha.kubernetes.io/cloudflare-proxied';
/** Provider-specific property holding a record's comment (ExternalDNS v0.22 name). */
export const COMMENT_PROPERTY = 'external-dns.kubernetes.io/cloudflare-record-comment';
/** The same property under ExternalDNS's older `alpha` prefix; read, never written. */
export const LEGACY_COMMENT_PROPERTY = 'external-dns.alpha.kubernetes.io/cloudflare-record-comment';
/** Comma-separated `name:value` tags. */
export const TAGS_PROPERTY = 'external-dns.kubernetes.io/cloudflare-tags';
/** The tags property under ExternalDNS's older `alpha` prefix; read, never written. */
export const LEGACY_TAGS_PROPERTY = 'external-dns.alpha.kubernetes.io/cloudflare-tags';

/** The only types Cloudflare can proxy. */
export const PROXIABLE_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME']);

/**
 * Shown instead of a value when the records of one endpoint disagree on it (one value proxied, the
 * other not; different comments). No desired value equals it, so the next plan rewrites them all
 * to one value instead of leaving the disagreement in place.
 */
export const MIXED_VALUE = '(differs between values)';

const HOST_TYPES = new Set(['CNAME', 'NS', 'PTR']);

function host(name: string): string {
  return name === '.' ? '.' : canonicalizeTarget('CNAME', name);
}

/** Unquotes a CAA value written as one quoted string (`"letsencrypt.org"`). */
function unquoteCaaValue(value: string): string {
  const chunks = value.startsWith('"') ? parseTxtStrings(value) : undefined;
  return chunks?.length === 1 ? (chunks[0] as string) : value;
}

function quoteCaaValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The fields carrying a target's value (content, priority or data) as Cloudflare wants them. */
export function targetToFields(recordType: string, target: string): DnsRecordFields {
  const type = recordType.toUpperCase();
  const canonical = canonicalizeTarget(type, target);
  if (HOST_TYPES.has(type)) return { content: host(canonical) };
  switch (type) {
    case 'AAAA':
      return { content: canonicalIPv6(target.trim()) ?? target.trim() };
    case 'TXT':
      return { content: txtStringsOf(target).map(quoteTxtString).join(' ') };
    case 'MX': {
      const [preference = '', exchange = ''] = canonical.split(' ');
      return { content: host(exchange), priority: Number(preference) };
    }
    case 'SRV': {
      const [priority = '', weight = '', port = '', srvTarget = ''] = canonical.split(' ');
      return {
        data: {
          priority: Number(priority),
          weight: Number(weight),
          port: Number(port),
          target: host(srvTarget),
        },
      };
    }
    case 'CAA': {
      const [, flags = '', tag = '', value = ''] = /^(\S+)\s+(\S+)\s+(.*)$/.exec(canonical) ?? [];
      return { data: { flags: Number(flags), tag, value: unquoteCaaValue(value) } };
    }
    default:
      return { content: canonical };
  }
}

/** The endpoint target of one Cloudflare record (or of fields about to be written). */
export function recordToTarget(
  record:
    Pick<CloudflareRecord, 'type' | 'content' | 'priority' | 'data'> | (DnsRecordFields & { type: string }),
): string {
  const type = record.type.toUpperCase();
  const content = record.content ?? '';
  if (HOST_TYPES.has(type)) return host(content);
  switch (type) {
    case 'AAAA':
      return canonicalIPv6(content) ?? content;
    case 'TXT': {
      // records written by hand in the dashboard may be unquoted: their content is the text
      const chunks = content.startsWith('"') ? parseTxtStrings(content) : undefined;
      return chunks ? txtTargetOf(chunks) : content;
    }
    case 'MX':
      return `${record.priority ?? record.data?.priority ?? 0} ${host(content)}`;
    case 'SRV': {
      const d = record.data;
      if (d?.target !== undefined)
        return canonicalizeTarget(
          'SRV',
          `${d.priority ?? 0} ${d.weight ?? 0} ${d.port ?? 0} ${host(d.target)}`,
        );
      const parts = content.trim().split(/\s+/);
      // Cloudflare has returned SRV content both with and without the priority in front
      const full = parts.length === 3 ? [String(record.priority ?? 0), ...parts] : parts;
      return canonicalizeTarget('SRV', full.join(' '));
    }
    case 'CAA': {
      const d = record.data;
      if (d?.tag !== undefined && d.value !== undefined)
        return canonicalizeTarget('CAA', `${d.flags ?? 0} ${d.tag} ${quoteCaaValue(d.value)}`);
      return canonicalizeTarget('CAA', content);
    }
    default:
      return canonicalizeTarget(type, content);
  }
}

/** The form `records()` returns a target in once it is written: what `adjustEndpoints` produces. */
export function canonicalTargetFor(recordType: string, target: string): string {
  return recordToTarget({ type: recordType, ...targetToFields(recordType, target) });
}

/**
 * Tags in canonical form: trimmed, names in lower case (Cloudflare's tag names are not
 * case-sensitive, values are: record-attributes page), de-duplicated, sorted.
 */
export function canonicalTags(tags: Iterable<string>): string[] {
  const canonical = [...tags]
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const colon = t.indexOf(':');
      return colon < 0 ? t : `${t.slice(0, colon).toLowerCase()}${t.slice(colon)}`;
    });
  return [...new Set(canonical)].sort();
}

/** Parses the comma-separated tags property. */
export function parseTagsProperty(value: string): string[] {
  return canonicalTags(value.split(','));
}

function allSame<T>(values: readonly T[]): boolean {
  return values.every((v) => v === values[0]);
}

/**
 * One endpoint for the records of one name and type: targets sorted, the TTL when all values share
 * it (else 0, so any desired TTL differs), provider-specific properties under their v0.22 names and
 * sorted by name: proxied (A/AAAA/CNAME only), comment and tags when set. Values that disagree show
 * {@link MIXED_VALUE}.
 */
export function recordsToEndpoint(records: readonly CloudflareRecord[]): Endpoint {
  const first = records[0] as CloudflareRecord;
  const type = first.type.toUpperCase();
  const ttls = records.map((r) => r.ttl);
  const props: ProviderSpecificProperty[] = [];
  if (PROXIABLE_TYPES.has(type)) {
    const proxied = records.map((r) => r.proxied === true);
    props.push({ name: PROXIED_PROPERTY, value: allSame(proxied) ? String(proxied[0]) : MIXED_VALUE });
  }
  const comments = records.map((r) => r.comment ?? '');
  if (comments.some((c) => c !== ''))
    props.push({ name: COMMENT_PROPERTY, value: allSame(comments) ? (comments[0] as string) : MIXED_VALUE });
  const tags = records.map((r) => canonicalTags(r.tags ?? []).join(','));
  if (tags.some((t) => t !== ''))
    props.push({ name: TAGS_PROPERTY, value: allSame(tags) ? (tags[0] as string) : MIXED_VALUE });
  return endpoint({
    dnsName: first.name.toLowerCase(),
    recordType: type,
    recordTTL: allSame(ttls) ? (ttls[0] as number) : 0,
    targets: sortTargets([...new Set(records.map(recordToTarget))]),
    providerSpecific: props,
  });
}
