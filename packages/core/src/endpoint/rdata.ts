import { isIPv4 } from 'node:net';
import type { Issue, IssuePath } from '../errors.js';
import { canonicalIPv6 } from './targets.js';
import { checkDnsName, withoutTrailingDot } from './names.js';

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

/**
 * Splits a TXT value in presentation form (`"abc" "def"`) into its character strings, undoing
 * backslash escapes. Returns `undefined` when the value is not (entirely) quoted strings.
 */
export function parseTxtStrings(value: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === ' ') {
      i++;
      continue;
    }
    if (value[i] !== '"') return undefined;
    i++;
    let s = '';
    for (;;) {
      if (i >= value.length) return undefined;
      const c = value[i] as string;
      if (c === '\\') {
        const digits = value.slice(i + 1, i + 4);
        if (/^\d{3}$/.test(digits)) {
          s += String.fromCharCode(Number(digits));
          i += 4;
        } else {
          if (i + 1 >= value.length) return undefined;
          s += value[i + 1];
          i += 2;
        }
      } else if (c === '"') {
        i++;
        break;
      } else {
        s += c;
        i++;
      }
    }
    out.push(s);
  }
  return out.length ? out : undefined;
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
  return chunks.map((c) => `"${c.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
}

const checkTxt: TargetValidator = (target, path) => {
  if (!target.startsWith('"')) return []; // plain text: providers quote and split it
  const strings = parseTxtStrings(target);
  if (strings === undefined) {
    return issue(
      path,
      'txt_quoting',
      `${q(target)} starts with a quote but is not a list of complete quoted strings`,
    );
  }
  const tooLong = strings.findIndex((s) => Buffer.byteLength(s, 'latin1') > MAX_TXT_STRING_OCTETS);
  if (tooLong >= 0) {
    return issue(
      path,
      'txt_string_too_long',
      `TXT string ${tooLong + 1} of ${q(target.slice(0, 40) + '…')} is longer than ${MAX_TXT_STRING_OCTETS} octets`,
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
      problems.push(...issue(path, 'caa_tag', `${q(t)}: CAA tag must be letters and digits`));
    if (!/^"(?:[^"\\]|\\.)*"$/.test(value))
      problems.push(...issue(path, 'caa_value', `${q(t)}: CAA value must be one quoted string`));
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

/**
 * Canonical spelling of one target of a known type, the form `adjustEndpoints` implementations and
 * comparisons use: IPv6 compressed, host names lower-cased without trailing dot, MX/SRV hosts likewise,
 * CAA tags lower-cased. Unknown types and TXT are returned unchanged.
 */
export function canonicalizeTarget(recordType: string, target: string): string {
  switch (recordType) {
    case 'A':
      return target.trim();
    case 'AAAA':
      return canonicalIPv6(target.trim()) ?? target;
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return withoutTrailingDot(target.trim()).toLowerCase();
    case 'MX': {
      const [pref, host] = target.trim().split(/\s+/);
      return host === undefined
        ? target
        : `${Number(pref)} ${host === '.' ? '.' : withoutTrailingDot(host).toLowerCase()}`;
    }
    case 'SRV': {
      const parts = target.trim().split(/\s+/);
      if (parts.length !== 4) return target;
      const host = parts[3] as string;
      return `${parts.slice(0, 3).map(Number).join(' ')} ${host === '.' ? '.' : withoutTrailingDot(host).toLowerCase()}`;
    }
    case 'CAA': {
      const m = /^(\S+)\s+(\S+)\s+(.*)$/.exec(target.trim());
      return m ? `${Number(m[1])} ${(m[2] ?? '').toLowerCase()} ${m[3] ?? ''}` : target;
    }
    default:
      return target;
  }
}
