/**
 * Translation between PowerDNS rrsets and core endpoints: one rrset is one endpoint.
 *
 * Writing produces exactly the content PowerDNS 4.x–5.0 expects (it rejects anything that does not
 * print back identically): absolute host names inside content, quoted and chunked TXT, compressed
 * IPv6. Reading undoes it (no trailing dots, TXT as text), so that `adjustEndpoints` can map a
 * desired endpoint to exactly what `records()` will return after it was written.
 */
import {
  normalizeDnsName,
  type BatchChange,
  type Endpoint,
  type Issue,
  type IssuePath,
} from '@openova/dns-core';
import {
  quoteTxtString,
  canonicalIPv6,
  canonicalizeTarget,
  formatTxtStrings,
  parseTxtStrings,
  sortTargets,
  targetValidators,
  REPEATED_RECORDS_PROPERTY,
  withoutTrailingDot,
  withTrailingDot,
  lowerCased,
  upperCased,
  type TargetValidator,
} from '@openova/dns-core/provider';
import type { RRsetChange } from './client.js';
import type { PowerDnsRecord, PowerDnsRRset } from './schemas.js';

/** Types whose whole content is one host name. */
const HOST_TYPES = new Set(['CNAME', 'DNAME', 'NS', 'PTR', 'ALIAS']);
const TXT_TYPES = new Set(['TXT', 'SPF']);

/**
 * `\DDD` escapes decode to one char per byte; when those bytes form UTF-8 (PowerDNS 5.1 escapes
 * non-ASCII on input), turn them back into the text they encode.
 */
function repairUtf8(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || [...text].some((c) => (c.codePointAt(0) ?? 0) > 0xff)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? text : decoded;
}

/** The character strings a TXT target stands for: quoted presentation form, or plain text split at 255 octets. */
export function txtChunks(target: string): string[] | undefined {
  if (target.startsWith('"')) return parseTxtStrings(target);
  return parseTxtStrings(formatTxtStrings(target)) ?? [target];
}

function sameChunks(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * The endpoint-model form of TXT strings: plain text when splitting that text at 255 octets gives
 * back the same strings (the common case, long values included), else the quoted presentation form.
 */
export function txtTargetFromChunks(chunks: readonly string[]): string {
  const joined = chunks.join('');
  if (!joined.startsWith('"') && sameChunks(txtChunks(joined) ?? [], chunks)) return joined;
  return chunks.map(quoteTxtString).join(' ');
}

function hostContent(host: string): string {
  return host === '.' ? '.' : withTrailingDot(host);
}

/** Canonical LUA content: `<QTYPE> "<code>"` with the type upper-cased; the code is never altered. */
export function canonicalLuaContent(content: string): string {
  const m = /^\s*([A-Za-z0-9]+)\s+([\s\S]*?)\s*$/.exec(content);
  return m ? `${(m[1] ?? '').toUpperCase()} ${m[2] ?? ''}` : content;
}

/** One quoted TXT string of printable ASCII with nothing escaped inside. */
const simpleQuotedTxt = /^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/;
/** Printable ASCII text that quotes as it is (no `"` or `\`) and does not start with a quote. */
const plainTxt = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

/** Content of one record as PowerDNS wants it on write. */
export function toPowerDnsContent(recordType: string, target: string): string {
  const type = upperCased(recordType);
  if (HOST_TYPES.has(type)) return hostContent(canonicalizeTarget(type === 'ALIAS' ? 'CNAME' : type, target));
  if (TXT_TYPES.has(type)) {
    // the common cases, every ownership marker among them: one string with nothing to escape
    if (target.length <= 257 && simpleQuotedTxt.test(target)) return target;
    if (target.length <= 255 && plainTxt.test(target)) return `"${target}"`;
    const chunks = txtChunks(target) ?? [target];
    return chunks.map(quoteTxtString).join(' ');
  }
  switch (type) {
    case 'AAAA':
      return canonicalIPv6(target.trim()) ?? target.trim();
    case 'MX': {
      const [preference, host] = canonicalizeTarget('MX', target).split(' ');
      return host === undefined ? target : `${preference} ${hostContent(host)}`;
    }
    case 'SRV': {
      const parts = canonicalizeTarget('SRV', target).split(' ');
      const host = parts[3];
      return host === undefined ? target : `${parts.slice(0, 3).join(' ')} ${hostContent(host)}`;
    }
    case 'NAPTR': {
      const m = /^([\s\S]*\s)(\S+)$/.exec(target.trim());
      return m ? `${m[1] ?? ''}${hostContent(m[2] ?? '.')}` : target;
    }
    case 'LUA':
      return canonicalLuaContent(target);
    default:
      return canonicalizeTarget(type, target);
  }
}

/** The endpoint target for one record's content as PowerDNS returns it. */

export function fromPowerDnsContent(recordType: string, content: string): string {
  const type = upperCased(recordType);
  if (HOST_TYPES.has(type)) return canonicalizeTarget(type === 'ALIAS' ? 'CNAME' : type, content);
  if (TXT_TYPES.has(type)) {
    // one printable-ASCII quoted string of at most 255 octets (every ownership marker): its text
    if (content.length <= 257 && simpleQuotedTxt.test(content)) return content.slice(1, -1);
    const chunks = parseTxtStrings(content);
    return chunks ? txtTargetFromChunks(chunks.map(repairUtf8)) : content;
  }
  switch (type) {
    case 'NAPTR': {
      const m = /^([\s\S]*\s)(\S+)$/.exec(content.trim());
      const host = m?.[2];
      return m && host !== undefined
        ? `${m[1] ?? ''}${host === '.' ? '.' : withoutTrailingDot(host)}`
        : content;
    }
    case 'LUA':
      return canonicalLuaContent(content);
    default:
      return canonicalizeTarget(type, content);
  }
}

/** The form `records()` returns a target in after it was written: what `adjustEndpoints` produces. */
export function canonicalTargetFor(recordType: string, target: string): string {
  return fromPowerDnsContent(recordType, toPowerDnsContent(recordType, target));
}

/**
 * The provider-specific property of an rrset whose records are all disabled (`pdns/disabled`, the
 * number of records): it is read with their contents as targets, so the name is seen as taken (a
 * plan never creates over it), and its owner's next plan rewrites it enabled.
 */
export const DISABLED_RECORDS_PROPERTY = 'pdns/disabled';

/**
 * One endpoint for one rrset: owner name without trailing dot, enabled records only; an rrset whose
 * records are all disabled with those as targets and {@link DISABLED_RECORDS_PROPERTY}. Returns
 * `undefined` for comment-only pseudo-rrsets. Records stored more than once are read once, and the
 * endpoint carries core's `REPEATED_RECORDS_PROPERTY` (`repeated-records`, the number of surplus
 * copies), so that the next plan rewrites the rrset.
 */
export function rrsetToEndpoint(rrset: PowerDnsRRset, type = upperCased(rrset.type)): Endpoint | undefined {
  const live =
    rrset.records.length === 1 && !rrset.records[0]?.disabled
      ? rrset.records
      : rrset.records.filter((r) => !r.disabled);
  if (rrset.records.length === 0) return undefined;
  const enabled = live.length > 0 ? live : rrset.records;
  const targets =
    enabled.length === 1
      ? [fromPowerDnsContent(type, (enabled[0] as PowerDnsRecord).content)]
      : enabled.map((r) => fromPowerDnsContent(type, r.content));
  const sorted = targets.length === 1 ? targets : sortTargets(targets);
  // built directly (not through `endpoint()`): zones hold tens of thousands of rrsets
  return {
    dnsName: withoutTrailingDot(lowerCased(rrset.name)),
    targets: sorted,
    recordType: type,
    setIdentifier: '',
    recordTTL: rrset.ttl,
    labels: {},
    // the same value stored twice (concurrent writers over one SQL database): the planner then
    // sees a change and rewrites the rrset whole, which removes the copies
    providerSpecific:
      live.length === 0
        ? [{ name: DISABLED_RECORDS_PROPERTY, value: String(rrset.records.length) }]
        : sorted.length < targets.length
          ? [{ name: REPEATED_RECORDS_PROPERTY, value: String(targets.length - sorted.length) }]
          : [],
  };
}

/**
 * A REPLACE carrying every target of the endpoint (duplicates after canonicalisation merged), and
 * the `disabled` records stored in the rrset (their contents as stored) that are not among them:
 * someone disabled them on purpose, and a REPLACE would otherwise remove them.
 */
export function endpointToReplace(
  ep: Endpoint,
  defaultTtl: number,
  disabled: readonly string[] = [],
): RRsetChange {
  const records =
    ep.targets.length === 1
      ? [{ content: toPowerDnsContent(ep.recordType, ep.targets[0] as string), disabled: false }]
      : [...new Set(ep.targets.map((t) => toPowerDnsContent(ep.recordType, t)))].map((content) => ({
          content,
          disabled: false,
        }));
  for (const content of disabled)
    if (!records.some((r) => r.content === content)) records.push({ content, disabled: true });
  return {
    // PowerDNS takes ASCII names only: IDN labels go as punycode (422 "unsupported characters" otherwise)
    name: withTrailingDot(normalizeDnsName(ep.dnsName)),
    type: upperCased(ep.recordType),
    changetype: 'REPLACE',
    ttl: ep.recordTTL > 0 ? ep.recordTTL : defaultTtl,
    records,
  };
}

/** A DELETE of the endpoint's whole rrset. */
export function endpointToDelete(ep: Pick<Endpoint, 'dnsName' | 'recordType'>): RRsetChange {
  return {
    name: withTrailingDot(normalizeDnsName(ep.dnsName)),
    type: upperCased(ep.recordType),
    changetype: 'DELETE',
  };
}

/** Checks LUA content: `<QTYPE> "<code>"`, as PowerDNS requires (the code in double-quoted chunks). */
export const luaTargetValidator: TargetValidator = (target: string, path: IssuePath): Issue[] => {
  const m = /^\s*([A-Za-z0-9]+)\s+([\s\S]*?)\s*$/.exec(target);
  if (!m) {
    return [
      {
        path,
        code: 'lua_content',
        message: `${JSON.stringify(target)}: LUA content must be '<TYPE> "<code>"'`,
      },
    ];
  }
  const code = m[2] ?? '';
  if (!code.startsWith('"') || parseTxtStrings(code) === undefined) {
    return [
      {
        path,
        code: 'lua_quoting',
        message: `${JSON.stringify(target)}: the Lua code must be one or more complete double-quoted strings`,
      },
    ];
  }
  return [];
};

const hostValidator = targetValidators['CNAME'] ?? null;

/** Validators of the types PowerDNS has beyond core's known ones. */
export const POWERDNS_EXTRA_TYPES: Readonly<Record<string, TargetValidator | null>> = {
  LUA: luaTargetValidator,
  SPF: targetValidators['TXT'] ?? null,
  ALIAS: hostValidator,
};

/** Printable ASCII without `"` or `\\`: its JSON string is itself plus two quotes. */
const plainJson = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * At most how many bytes a target takes in a PATCH body: its content (a trailing dot, TXT quotes
 * every 255 octets), JSON-escaped, and on 5.1 with every backslash doubled and every non-ASCII
 * character as `\DDD` escapes of its UTF-8 bytes (up to 15 bytes in JSON per UTF-16 unit).
 */
function contentBytes(target: string): number {
  const framing = 4 + 3 * Math.ceil(target.length / 255);
  if (plainJson.test(target)) return target.length + framing;
  // an index loop: this runs for every ownership TXT (quoted) of a change set
  let bytes = framing;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    // `"` and backslash doubled on 5.1 and escaped in JSON; control characters as \u00XX; a UTF-16 unit
    // of a non-ASCII character as up to 3 UTF-8 bytes in \DDD escapes, JSON-escaped
    bytes += c === 34 || c === 92 ? 4 : c < 0x20 ? 6 : c > 0x7e ? 15 : 1;
  }
  return bytes;
}

/** At most how many bytes an owner name takes: ASCII as it is plus the dot, IDN labels as punycode. */
function nameBytes(name: string): number {
  return plainJson.test(name) ? name.length + 1 : name.length * 8 + 1;
}

/** At most how many bytes an endpoint's REPLACE takes in a PATCH body. */
function replaceBytes(ep: Endpoint): number {
  // {"name":"….","type":"…","changetype":"REPLACE","ttl":2147483647,"records":[…]},
  let bytes = 80 + nameBytes(ep.dnsName) + ep.recordType.length;
  // {"content":…,"disabled":false},
  for (const target of ep.targets) bytes += 30 + contentBytes(target);
  return bytes;
}

/**
 * The cost of one change in bytes of the zone's PATCH body (core's `BatchLimit.cost`): a create is
 * a REPLACE, a delete a DELETE, an update both. Never less than what is sent.
 */
export function patchBytes(change: BatchChange): number {
  // {"name":"….","type":"…","changetype":"DELETE"},
  const deleteBytes = (ep: Endpoint) => 50 + nameBytes(ep.dnsName) + ep.recordType.length;
  switch (change.kind) {
    case 'create':
      return replaceBytes(change.endpoint);
    case 'delete':
      return deleteBytes(change.endpoint);
    case 'update':
      return deleteBytes(change.old) + replaceBytes(change.endpoint);
  }
}
