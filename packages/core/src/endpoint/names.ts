import { domainToASCII, domainToUnicode } from 'node:url';
import type { Issue, IssuePath } from '../errors.js';

/** Longest label in octets (RFC 1035 §2.3.4). */
export const MAX_LABEL_OCTETS = 63;
/** Longest name in octets in presentation form without the trailing dot (RFC 1035, 255 on the wire). */
export const MAX_NAME_OCTETS = 253;

// ASCII labels are only lower-cased; IDNA is applied to labels that need it, because WHATWG's
// domainToASCII rejects some characters DNS allows in owner names (e.g. a lone `*`).
// eslint-disable-next-line no-control-regex
const asciiOnly = /^[\x00-\x7f]*$/;

// Most names are already canonical; checking that is far cheaper than rebuilding the string.
function isCanonicalAscii(name: string): boolean {
  const last = name.length - 1;
  if (last < 0 || name.charCodeAt(last) === 46 /* . */) return false;
  for (let i = 0; i <= last; i++) {
    const c = name.charCodeAt(i);
    // lower-case letters, digits, '-', '.', '_', '*'
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 42))
      return false;
  }
  return true;
}

/** @internal */
// Fast path for the names almost every caller passes (ASCII letters, digits, `-`, `_`, an optional
// leading `*.`): one pass, no allocation. Anything else takes the full check with its messages.
export function isPlainValidName(name: string, allowWildcard: boolean): boolean {
  const n = name.length;
  if (n === 0 || n > MAX_NAME_OCTETS) return false;
  let i = 0;
  if (name.charCodeAt(0) === 42 /* * */) {
    if (!allowWildcard || name.charCodeAt(1) !== 46 /* . */) return false;
    i = 2;
  }
  let labelLength = 0;
  for (; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (labelLength === 0) return false;
      labelLength = 0;
    } else if (
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 ||
      c === 95
    ) {
      if (++labelLength > MAX_LABEL_OCTETS) return false;
    } else return false;
  }
  return labelLength > 0;
}

/**
 * The one name normaliser used for every comparison in the SDK: trims spaces, lower-cases, converts
 * internationalised labels to punycode and drops one trailing dot. `API.Example.com.` → `api.example.com`.
 * The result is the canonical form used as a key; endpoints keep the spelling they were given.
 */
export function normalizeDnsName(name: string): string {
  if (isCanonicalAscii(name)) return name;
  let n = name.trim();
  if (n.endsWith('.') && n.length > 1) n = n.slice(0, -1).trimEnd(); // `a .` → `a`, so the result is stable
  if (asciiOnly.test(n)) return n.toLowerCase();
  // Whole-name IDNA first: it also maps Unicode full stops such as `。` to `.`.
  const whole = domainToASCII(n);
  if (whole !== '') return withoutTrailingDot(whole);
  return n
    .split('.')
    .map((label) => {
      const lower = label.toLowerCase();
      // some characters IDNA rejects turn into ones it accepts when lower-cased (Georgian `Ⴀ` → `ⴀ`):
      // converting the lower-cased label keeps the normaliser idempotent
      return asciiOnly.test(lower) ? lower : domainToASCII(label) || domainToASCII(lower) || lower;
    })
    .join('.');
}

/** Decodes punycode labels for display and for domain-filter matching. */
export function dnsNameToUnicode(name: string): string {
  const n = normalizeDnsName(name);
  if (!n.includes('xn--')) return n;
  return n
    .split('.')
    .map((label) => (label.startsWith('xn--') ? domainToUnicode(label) || label : label))
    .join('.');
}

/** True when two names denote the same DNS owner name (case, trailing dot and IDNA insensitive). */
export function sameDnsName(a: string, b: string): boolean {
  return a === b || normalizeDnsName(a) === normalizeDnsName(b);
}

const upperOrNonAscii = /[A-Z\u0080-\uffff]/;
const lowerOrNonAscii = /[a-z\u0080-\uffff]/;

/**
 * `text.toLowerCase()`, returning `text` itself when nothing would change. V8 copies the string
 * either way; names and types arrive in canonical case almost always, and a zone read lowers tens
 * of thousands of them.
 */
export function lowerCased(text: string): string {
  return upperOrNonAscii.test(text) ? text.toLowerCase() : text;
}

/** `text.toUpperCase()`, returning `text` itself when nothing would change (see {@link lowerCased}). */
export function upperCased(text: string): string {
  return lowerOrNonAscii.test(text) ? text.toUpperCase() : text;
}

/** Strips exactly one trailing dot. */
export function withoutTrailingDot(name: string): string {
  return name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name;
}

/** Adds a trailing dot unless there is one: the fully qualified form most DNS APIs expect. */
export function withTrailingDot(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** True when `name` equals `zone` or lies below it. The root zone `.` contains every name. */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeDnsName(name);
  const z = normalizeDnsName(zone);
  // suffix test without building `.${z}`: called for every record of every change set
  return (
    z === '.' ||
    n === z ||
    (n.length > z.length && n.endsWith(z) && n.charCodeAt(n.length - z.length - 1) === 46)
  );
}

/** Options of core's DNS-name checks (`checkDnsName`). */
export interface NameCheckOptions {
  /** Allow `*` as the leftmost label (default true). */
  allowWildcard?: boolean;
  /** Allow the root name `.` (default false). */
  allowRoot?: boolean;
  /** What to call the value in messages (default `name`). */
  what?: string;
}

const labelChars = /^[a-z0-9_-]+$/;

/**
 * Checks a DNS name for what every authoritative server rejects: empty labels, labels over 63 octets,
 * names over 253 octets, a `*` that is not a whole leftmost label, and characters outside letters,
 * digits, `-` and `_` (after IDNA conversion). Returns the issues found; an empty list means valid.
 */
export function checkDnsName(name: string, path: IssuePath, options: NameCheckOptions = {}): Issue[] {
  if (isPlainValidName(name, options.allowWildcard !== false)) return [];
  const what = options.what ?? 'name';
  const issues: Issue[] = [];
  const add = (code: string, message: string) => issues.push({ path, code, message });
  if (name.trim() !== name)
    add('name_whitespace', `${what} ${JSON.stringify(name)} has leading or trailing spaces`);
  if (name === '.' || name === '') {
    if (!(name === '.' && options.allowRoot)) add('name_empty', `${what} is empty`);
    return issues;
  }
  const ascii = normalizeDnsName(name);
  if (Buffer.byteLength(ascii) > MAX_NAME_OCTETS) {
    add(
      'name_too_long',
      `${what} ${JSON.stringify(name)} is ${Buffer.byteLength(ascii)} octets; at most ${MAX_NAME_OCTETS} are allowed`,
    );
  }
  const labels = ascii.split('.');
  labels.forEach((label, index) => {
    if (label === '') {
      add('label_empty', `${what} ${JSON.stringify(name)} has an empty label`);
    } else if (Buffer.byteLength(label) > MAX_LABEL_OCTETS) {
      add(
        'label_too_long',
        `${what} ${JSON.stringify(name)} has a label of ${Buffer.byteLength(label)} octets (${JSON.stringify(label.slice(0, 20) + '…')}); at most ${MAX_LABEL_OCTETS} are allowed`,
      );
    } else if (label === '*') {
      if (index !== 0 || options.allowWildcard === false)
        add(
          'wildcard_position',
          `${what} ${JSON.stringify(name)}: "*" is only allowed as the leftmost label`,
        );
    } else if (label.includes('*')) {
      add('wildcard_partial', `${what} ${JSON.stringify(name)}: "*" must be a whole label`);
    } else if (!labelChars.test(label)) {
      add(
        'label_chars',
        `${what} ${JSON.stringify(name)} has a label with characters other than letters, digits, "-" and "_"`,
      );
    }
  });
  return issues;
}
