import { isIPv4 } from 'node:net';
import type { Issue, IssuePath } from '../errors.js';
import { canonicalIPv6 } from './targets.js';
import { checkDnsName, normalizeDnsName, withoutTrailingDot } from './names.js';
import { appendAll } from '../lists.js';

/** Checks one target value of one record type; returns the issues found (empty = valid). */
export type TargetValidator = (target: string, path: IssuePath) => Issue[];

const MAX_TXT_STRING_OCTETS = 255;

function issue(path: IssuePath, code: string, message: string): Issue[] {
  return [{ path, code, message }];
}

const q = (s: string) => JSON.stringify(s);

function checkUint(
  value: string | undefined,
  max: number,
  field: string,
  at: { target: string; path: IssuePath },
): Issue[] {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > max) {
    return issue(at.path, 'rdata_field', `${q(at.target)}: ${field} must be an integer from 0 to ${max}`);
  }
  return [];
}

function checkHost(host: string | undefined, target: string, path: IssuePath, what = 'host name'): Issue[] {
  if (host === undefined || host === '') return issue(path, 'rdata_fields', `${q(target)}: missing ${what}`);
  if (host === '.') return [];
  const problems = checkDnsName(withoutTrailingDot(host), path, { what, allowWildcard: false });
  return problems.map((p) => ({ ...p, message: `${q(target)}: ${p.message}` }));
}

/** One character string of a TXT value: its text and its length in octets on the wire. */
interface TxtString {
  text: string;
  octets: number;
}

// Splits presentation form (`"abc" "def"`) into character strings, undoing `\c` and `\DDD`
// escapes; `undefined` when the value is not (entirely) complete quoted strings.
function splitTxtStrings(value: string): TxtString[] | undefined {
  const out: TxtString[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c !== '"') return undefined;
    i++;
    let text = '';
    let octets = 0;
    for (;;) {
      if (i >= value.length) return undefined;
      const ch = value[i] as string;
      if (ch === '\\') {
        const digits = value.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          // `\DDD` is one octet, so it must be 0–255
          if (Number(digits) > 255) return undefined;
          text += String.fromCharCode(Number(digits));
          octets += 1;
          i += 4;
        } else {
          const escaped = value.codePointAt(i + 1);
          if (escaped === undefined) return undefined;
          const char = String.fromCodePoint(escaped);
          text += char;
          octets += Buffer.byteLength(char, 'utf8');
          i += 1 + char.length;
        }
      } else if (ch === '"') {
        i++;
        break;
      } else {
        const char = String.fromCodePoint(value.codePointAt(i) as number);
        text += char;
        octets += Buffer.byteLength(char, 'utf8');
        i += char.length;
      }
    }
    out.push({ text, octets });
  }
  return out.length ? out : undefined;
}

/**
 * Splits a TXT value in presentation form (`"abc" "def"`) into its character strings, undoing
 * backslash escapes. Returns `undefined` when the value is not (entirely) quoted strings.
 */
export function parseTxtStrings(value: string): string[] | undefined {
  return splitTxtStrings(value)?.map((s) => s.text);
}

/** Quotes one TXT character string: `\` and `"` escaped, control bytes as `\DDD`. */
export function quoteTxtString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${String(code).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Quotes and escapes text as TXT character strings, splitting it into strings of at most 255 octets. */
export function formatTxtStrings(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: string[] = [];
  let start = 0;
  do {
    let end = Math.min(start + MAX_TXT_STRING_OCTETS, bytes.length);
    // never split inside a UTF-8 sequence
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  } while (start < bytes.length);
  return chunks.map(quoteTxtString).join(' ');
}

/**
 * TXT data is either plain text (the provider quotes it and splits it into 255-octet strings) or,
 * when it starts with `"`, presentation form: complete quoted strings of at most 255 octets each.
 */
const checkTxt: TargetValidator = (target, path) => {
  if (!target.startsWith('"')) return []; // plain text: providers quote and split it
  const strings = splitTxtStrings(target);
  if (strings === undefined) {
    return issue(
      path,
      'txt_quoting',
      `${q(target)} starts with a quote but is not a list of complete quoted strings`,
    );
  }
  const tooLong = strings.findIndex((s) => s.octets > MAX_TXT_STRING_OCTETS);
  if (tooLong >= 0) {
    return issue(
      path,
      'txt_string_too_long',
      `TXT string ${tooLong + 1} of ${q(target.length > 40 ? target.slice(0, 40) + '…' : target)} is ${strings[tooLong]?.octets ?? 0} octets; at most ${MAX_TXT_STRING_OCTETS} are allowed`,
    );
  }
  return [];
};

const caaTags = /^[a-z0-9]+$/i;

/** Per-type target validators for the record types the core model knows. */
export const targetValidators: Readonly<Record<string, TargetValidator>> = {
  A: (t, path) => (isIPv4(t) ? [] : issue(path, 'invalid_ipv4', `${q(t)} is not an IPv4 address`)),
  AAAA: (t, path) =>
    canonicalIPv6(t) !== undefined && !t.includes('%')
      ? []
      : issue(path, 'invalid_ipv6', `${q(t)} is not an IPv6 address`),
  CNAME: (t, path) => checkHost(t, t, path, 'target'),
  DNAME: (t, path) => checkHost(t, t, path, 'target'),
  NS: (t, path) => checkHost(t, t, path, 'name server'),
  PTR: (t, path) =>
    isIPv4(t) || canonicalIPv6(t) !== undefined
      ? issue(path, 'ptr_target_ip', `${q(t)}: a PTR target must be a host name, not an IP address`)
      : checkHost(t, t, path, 'target'),
  MX: (t, path) => {
    const parts = t.trim().split(/\s+/);
    if (parts.length !== 2) return issue(path, 'rdata_fields', `${q(t)}: MX needs "<preference> <host>"`);
    return [
      ...checkUint(parts[0], 65535, 'preference', { target: t, path }),
      ...checkHost(parts[1], t, path, 'exchange'),
    ];
  },
  SRV: (t, path) => {
    const parts = t.trim().split(/\s+/);
    if (parts.length !== 4)
      return issue(path, 'rdata_fields', `${q(t)}: SRV needs "<priority> <weight> <port> <target>"`);
    return [
      ...checkUint(parts[0], 65535, 'priority', { target: t, path }),
      ...checkUint(parts[1], 65535, 'weight', { target: t, path }),
      ...checkUint(parts[2], 65535, 'port', { target: t, path }),
      ...checkHost(parts[3], t, path, 'target'),
    ];
  },
  TXT: checkTxt,
  CAA: (t, path) => {
    const m = /^(\S+)\s+(\S+)\s+(.*)$/.exec(t.trim());
    if (!m) return issue(path, 'rdata_fields', `${q(t)}: CAA needs "<flags> <tag> \\"<value>\\""`);
    const [, flags, tag = '', value = ''] = m;
    const problems = checkUint(flags, 255, 'flags', { target: t, path });
    if (!caaTags.test(tag))
      appendAll(problems, issue(path, 'caa_tag', `${q(t)}: CAA tag must be letters and digits`));
    if (!/^"(?:[^"\\]|\\.)*"$/.test(value))
      appendAll(problems, issue(path, 'caa_value', `${q(t)}: CAA value must be one quoted string`));
    return problems;
  },
  NAPTR: (t, path) => {
    const m =
      /^(\S+)\s+(\S+)\s+("(?:[^"\\]|\\.)*")\s+("(?:[^"\\]|\\.)*")\s+("(?:[^"\\]|\\.)*")\s+(\S+)$/.exec(
        t.trim(),
      );
    if (!m) {
      return issue(
        path,
        'rdata_fields',
        `${q(t)}: NAPTR needs "<order> <preference> \\"<flags>\\" \\"<service>\\" \\"<regexp>\\" <replacement>"`,
      );
    }
    return [
      ...checkUint(m[1], 65535, 'order', { target: t, path }),
      ...checkUint(m[2], 65535, 'preference', { target: t, path }),
      ...checkHost(m[6], t, path, 'replacement'),
    ];
  },
};

/** Record types whose targets are host names: their trailing dot is optional in the model. */
export const HOSTNAME_TARGET_TYPES: ReadonlySet<string> = new Set(['CNAME', 'DNAME', 'NS', 'PTR']);

// Host names inside record data: the normaliser's form (lower case, punycode, no trailing dot);
// the root `.` (null MX, "no service" SRV) stays as it is.
function canonicalHost(host: string): string {
  return host === '.' ? '.' : normalizeDnsName(host);
}

/**
 * Canonical spelling of one target of a known type, the form `adjustEndpoints` implementations and
 * comparisons use: IPv6 compressed (RFC 5952), host names (also inside MX and SRV) lower-cased, in
 * punycode and without trailing dot,
 * MX/SRV/CAA numbers without leading zeros, CAA tags lower-cased. Unknown types, TXT, NAPTR and
 * invalid targets are returned unchanged (an invalid value is reported by validation, not rewritten).
 */
export function canonicalizeTarget(recordType: string, target: string): string {
  if (recordType === 'A' && isIPv4(target)) return target; // most targets; no issue lists built
  const validator = targetValidators[recordType];
  if (validator === undefined || validator(target, []).length > 0) return target;
  switch (recordType) {
    case 'A':
      return target;
    case 'AAAA':
      return canonicalIPv6(target) ?? target;
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return canonicalHost(target);
    case 'MX': {
      const [preference = '', host = ''] = target.trim().split(/\s+/);
      return `${Number(preference)} ${canonicalHost(host)}`;
    }
    case 'SRV': {
      const [priority = '', weight = '', port = '', host = ''] = target.trim().split(/\s+/);
      return `${Number(priority)} ${Number(weight)} ${Number(port)} ${canonicalHost(host)}`;
    }
    case 'CAA': {
      const [, flags = '', tag = '', value = ''] = /^(\S+)\s+(\S+)\s+(.*)$/.exec(target.trim()) ?? [];
      return `${Number(flags)} ${tag.toLowerCase()} ${value}`;
    }
    default:
      return target;
  }
}
