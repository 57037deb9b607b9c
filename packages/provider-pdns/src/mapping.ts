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
/** Types with quoted character strings beside other fields: CAA's value, NAPTR's flags, services and regexp, HINFO, URI's target. */
const QUOTED_FIELD_TYPES = new Set(['CAA', 'NAPTR', 'HINFO', 'URI']);

/**
 * Types whose content holds quoted character strings. The provider writes those in the portable
 * form (printable ASCII; every other byte, `"` and `\` as `\DDD`), which PowerDNS 4.7, 4.9 and 5.1
 * (after the client's extra escaping for it) store alike. LUA is not among them: every version
 * stores its code as sent.
 */
export const CHARACTER_STRING_TYPES: ReadonlySet<string> = new Set([...TXT_TYPES, ...QUOTED_FIELD_TYPES]);

/** Octets of one character string (RFC 1035 `<character-string>`): TXT chunks, HINFO, NAPTR fields. */
const MAX_STRING_OCTETS = 255;

/** One token of record content: a bare word, or the bytes of a quoted character string. */
type Token = string | Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Splits presentation-form content into bare words and quoted strings, the strings as bytes
 * (`\DDD` is one byte, `\c` the UTF-8 of `c`, any other character its UTF-8). `undefined` when a
 * quote is not closed, a `\DDD` is above 255, a string ends in a lone backslash, or a quote sits
 * inside a word.
 */
export function contentTokens(content: string): Token[] | undefined {
  const tokens: Token[] = [];
  const n = content.length;
  let i = 0;
  while (i < n) {
    const c = content.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c !== 0x22) {
      let end = i;
      for (; end < n && !isBlank(content.charCodeAt(end)); end++)
        if (content.charCodeAt(end) === 0x22) return undefined;
      tokens.push(content.slice(i, end));
      i = end;
      continue;
    }
    i++;
    const bytes: number[] = [];
    let closed = false;
    while (i < n) {
      const ch = content.charCodeAt(i);
      if (ch === 0x22) {
        closed = true;
        i++;
        break;
      }
      if (ch === 0x5c) {
        const digits = content.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          const value = Number(digits);
          if (value > 255) return undefined;
          bytes.push(value);
          i += 4;
          continue;
        }
        i++;
        if (i >= n) return undefined;
      }
      const cp = content.codePointAt(i) as number;
      if (cp < 0x80) {
        bytes.push(cp);
        i++;
      } else {
        const char = String.fromCodePoint(cp);
        for (const b of Buffer.from(char, 'utf8')) bytes.push(b);
        i += char.length;
      }
    }
    if (!closed) return undefined;
    tokens.push(Uint8Array.from(bytes));
  }
  return tokens;
}

/**
 * The portable form of one character string: printable ASCII as it is; every other byte, `"` and
 * `\` as `\DDD`. PowerDNS 4.7 and 4.9 store it as sent. 5.1 refuses raw non-ASCII and control
 * characters and unescapes content once more before it parses it; with its backslashes doubled, it
 * stores this same text (observed on 4.7.3, 4.9.18 and 5.1.5).
 */
export function portableString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes)
    out +=
      b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\${String(b).padStart(3, '0')}`;
  return `${out}"`;
}

/**
 * The endpoint-model form of one character string, as ExternalDNS keeps it: the text quoted with
 * `\"` and `\\`, control characters as `\DDD`, other characters (non-ASCII included) as they are.
 * Bytes that are not UTF-8 stay `\DDD`.
 */
function targetString(bytes: Uint8Array): string {
  const text = decodeUtf8(bytes);
  if (text !== undefined) return quoteTxtString(text);
  let out = '"';
  for (const b of bytes)
    out +=
      b === 0x22 || b === 0x5c
        ? `\\${String.fromCharCode(b)}`
        : b >= 0x20 && b <= 0x7e
          ? String.fromCharCode(b)
          : `\\${String(b).padStart(3, '0')}`;
  return `${out}"`;
}

/** Content with every quoted string written by `write`, tokens joined by one space; as it is when it does not tokenise. */
function requote(content: string, write: (bytes: Uint8Array) => string): string {
  const tokens = contentTokens(content);
  return tokens ? tokens.map((t) => (typeof t === 'string' ? t : write(t))).join(' ') : content;
}

/** Printable ASCII: with no backslash in it, content is in the portable form already (or does not tokenise). */
const printableAscii = /^[\x20-\x7e]*$/;

/**
 * The content with its quoted strings in the portable form (see `portableString`), for types in
 * {@link CHARACTER_STRING_TYPES}; other types, and content that does not tokenise, as they are.
 */
export function portableContent(recordType: string, content: string): string {
  if (!CHARACTER_STRING_TYPES.has(upperCased(recordType))) return content;
  if (printableAscii.test(content) && !content.includes('\\')) return content;
  return requote(content, portableString);
}

/**
 * Content as a server that unescapes content once more on write (PowerDNS 5.1) must receive it to
 * store {@link portableContent}: that, with every backslash doubled. Other types as they are.
 */
export function contentForUnescapingServer(recordType: string, content: string): string {
  if (!CHARACTER_STRING_TYPES.has(upperCased(recordType))) return content;
  return portableContent(recordType, content).replaceAll('\\', '\\\\');
}

/** The character strings a TXT target stands for: quoted presentation form, or plain text split at 255 octets. */
export function txtChunks(target: string): string[] | undefined {
  if (target.startsWith('"')) return parseTxtStrings(target);
  return parseTxtStrings(formatTxtStrings(target)) ?? [target];
}

/** The bytes of each character string a TXT target stands for (see {@link txtChunks}). */
function txtByteChunks(target: string): Uint8Array[] | undefined {
  if (target.startsWith('"')) {
    const tokens = contentTokens(target);
    return tokens?.every((t) => typeof t !== 'string') ? tokens : undefined;
  }
  const bytes = Buffer.from(target, 'utf8');
  const chunks: Uint8Array[] = [];
  let start = 0;
  do {
    let end = Math.min(start + MAX_STRING_OCTETS, bytes.length);
    // never split inside a UTF-8 sequence
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end));
    start = end;
  } while (start < bytes.length);
  return chunks;
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

/** The endpoint target of TXT strings read as bytes: as {@link txtTargetFromChunks}; bytes that are not UTF-8 as `\DDD`. */
function txtTargetFromBytes(chunks: readonly Uint8Array[]): string {
  const texts = chunks.map(decodeUtf8);
  if (texts.every((t) => t !== undefined)) return txtTargetFromChunks(texts);
  return chunks.map(targetString).join(' ');
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
    // content that is not complete quoted strings (refused by validation) as one string
    const chunks = txtByteChunks(target) ?? [Buffer.from(target, 'utf8')];
    return chunks.map(portableString).join(' ');
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
      const m = /^([\s\S]*\s)(\S+)$/.exec(portableContent(type, target.trim()));
      return m ? `${m[1] ?? ''}${hostContent(m[2] ?? '.')}` : target;
    }
    case 'CAA':
      return portableContent(type, canonicalizeTarget(type, target));
    case 'HINFO':
    case 'URI':
      return portableContent(type, target);
    case 'LUA':
      return canonicalLuaContent(target);
    default:
      return canonicalizeTarget(type, target);
  }
}

/**
 * The endpoint target for one record's content as PowerDNS returns it. Quoted character strings
 * (TXT, SPF, CAA, NAPTR, HINFO, URI) are decoded, whichever escapes the server stored (`\DDD` of
 * UTF-8 bytes from 5.1 or from this provider, raw UTF-8 written by ExternalDNS to 4.x), and given
 * as ExternalDNS keeps them: non-ASCII text as it is, `\"`, `\\`, control characters as `\DDD`.
 */
export function fromPowerDnsContent(recordType: string, content: string): string {
  const type = upperCased(recordType);
  if (HOST_TYPES.has(type)) return canonicalizeTarget(type === 'ALIAS' ? 'CNAME' : type, content);
  if (TXT_TYPES.has(type)) {
    // one printable-ASCII quoted string of at most 255 octets (every ownership marker): its text
    if (content.length <= 257 && simpleQuotedTxt.test(content)) return content.slice(1, -1);
    const chunks = content.startsWith('"') ? txtByteChunks(content) : undefined;
    return chunks ? txtTargetFromBytes(chunks) : content;
  }
  switch (type) {
    case 'NAPTR': {
      const m = /^([\s\S]*\s)(\S+)$/.exec(requote(content.trim(), targetString));
      const host = m?.[2];
      return m && host !== undefined
        ? `${m[1] ?? ''}${host === '.' ? '.' : withoutTrailingDot(host)}`
        : content;
    }
    case 'CAA':
      return canonicalizeTarget(type, requote(content, targetString));
    case 'HINFO':
    case 'URI':
      return requote(content, targetString);
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
 * every 255 octets: `\" \"` in JSON), JSON-escaped, with the quoted strings in the portable form
 * (`"`, `\\`, control characters and every byte of a non-ASCII character as `\DDD`) and, for 5.1,
 * every backslash doubled: up to 7 bytes in JSON per escaped byte, 21 per UTF-16 unit.
 */
function contentBytes(target: string): number {
  if (plainJson.test(target)) return target.length + 2 + 5 * Math.ceil((target.length + 1) / 255);
  // an index loop: this runs for every ownership TXT (quoted) of a change set
  let bytes = 2 + 5 * Math.ceil((3 * target.length + 1) / 255);
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    // `"`, backslash and control characters as \DDD, doubled on 5.1 and escaped in JSON (\\\\DDD);
    // a UTF-16 unit of a non-ASCII character as up to 3 UTF-8 bytes, each so
    bytes += c === 34 || c === 92 || c < 0x20 || c === 0x7f ? 7 : c > 0x7e ? 21 : 1;
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

/** Printable ASCII and tab: what PowerDNS 5.1 takes outside quoted strings. */
const storableOutsideStrings = /^[\t\x20-\x7e]*$/;

/**
 * Why a target cannot be written so that PowerDNS 4.7, 4.9 and 5.1 store it alike and answer it
 * as written, or `undefined` when it can. Refused on every version, so that a change set behaves the
 * same everywhere (observed on 4.7.3, 4.9.18 and 5.1.5):
 *
 * - characters other than printable ASCII outside quoted strings, or in a type without them (5.1
 *   refuses them with `Invalid character`, and only a quoted string can escape them);
 * - CAA, NAPTR, HINFO and URI content whose quoted strings do not parse: an unclosed quote, a
 *   `\DDD` above 255 (4.x stores it and answers another byte, 5.1 refuses it);
 * - a HINFO or NAPTR string of more than 255 octets (stored, then answered as a malformed packet).
 *
 * LUA content is not judged here (every version stores its code as sent); TXT and SPF are judged
 * by core's validator. Targets core's validators refuse are reported by them, not here.
 */
export function unrepresentable(recordType: string, target: string): string | undefined {
  const type = upperCased(recordType);
  if (type === 'LUA' || TXT_TYPES.has(type)) return undefined;
  if (!QUOTED_FIELD_TYPES.has(type) && storableOutsideStrings.test(target)) return undefined;
  // a target core's validator refuses is reported by it
  if ((targetValidators[type]?.(target, []).length ?? 0) > 0) return undefined;
  if (QUOTED_FIELD_TYPES.has(type)) {
    const tokens = contentTokens(target);
    if (tokens === undefined)
      return `${JSON.stringify(target)}: its quoted strings do not parse (an unclosed quote, a backslash at the end, or a \\DDD escape above 255)`;
    if (type === 'HINFO' || type === 'NAPTR') {
      const long = tokens.find((t) => typeof t !== 'string' && t.length > MAX_STRING_OCTETS);
      if (long !== undefined)
        return `${JSON.stringify(target)}: a ${type} string is ${long.length} octets; at most ${MAX_STRING_OCTETS} fit in one (PowerDNS stores more, then answers a malformed packet)`;
    }
  }
  const content = toPowerDnsContent(type, target);
  const outside = contentTokens(content)?.filter((t): t is string => typeof t === 'string') ?? [content];
  if (outside.every((word) => storableOutsideStrings.test(word))) return undefined;
  return `${JSON.stringify(target)}: holds characters other than printable ASCII outside quoted strings; PowerDNS 5.1 refuses them there, and only a quoted string can escape them`;
}
