/**
 * Targets in zone-file presentation form, as the DNS APIs that take RDATA text want them (Cloud DNS
 * `rrdatas`, Hetzner `value`, Cloudflare `content`, Route53 `Value`): host names absolute with their
 * trailing dot, TXT as quoted character-strings of at most 255 octets. And back, to the endpoint
 * form core compares: host names without the dot, TXT plain when it is plain text.
 * Source: RFC 1035 §5.1 (presentation form) and §3.3.14 (TXT character-strings).
 */
import { canonicalizeTarget, formatTxtStrings, parseTxtStrings, quoteTxtString } from '../endpoint/rdata.js';
import { upperCased, withoutTrailingDot } from '../endpoint/names.js';

/** Types whose whole value is one host name. */
const HOST_TYPES: ReadonlySet<string> = new Set(['CNAME', 'NS', 'PTR', 'DNAME']);

/**
 * The character-strings a TXT target stands for: a target in presentation form (`"a" "b"`) as it
 * says, anything else as plain text split at 255 octets.
 */
export function txtStringsOf(target: string): string[] {
  if (target.startsWith('"')) {
    const parsed = parseTxtStrings(target);
    if (parsed) return parsed;
  }
  return parseTxtStrings(formatTxtStrings(target)) ?? [target];
}

/**
 * The endpoint form of TXT character-strings: the plain text when splitting it at 255 octets gives
 * back the same strings (what a plain target is written as), else the presentation form.
 */
export function txtTargetOf(strings: readonly string[]): string {
  const joined = strings.join('');
  if (!joined.startsWith('"')) {
    const again = txtStringsOf(joined);
    if (again.length === strings.length && again.every((c, i) => c === strings[i])) return joined;
  }
  return strings.map(quoteTxtString).join(' ');
}

/** A host name with its trailing dot (`.`, the root, as it is). */
export function absoluteHost(host: string): string {
  return host === '.' || host.endsWith('.') ? host : `${host}.`;
}

/**
 * A target in presentation form: TXT quoted and split into strings of at most 255 octets; host
 * names absolute (CNAME, NS, PTR, DNAME, and those inside MX and SRV); everything else canonical.
 */
export function toPresentation(recordType: string, target: string): string {
  const type = upperCased(recordType);
  if (type === 'TXT') return txtStringsOf(target).map(quoteTxtString).join(' ');
  const canonical = canonicalizeTarget(type, target.trim());
  if (HOST_TYPES.has(type)) return absoluteHost(canonical);
  if (type === 'MX') {
    const [preference, host] = canonical.split(' ');
    return host === undefined ? canonical : `${preference} ${absoluteHost(host)}`;
  }
  if (type === 'SRV') {
    const parts = canonical.split(' ');
    const host = parts[3];
    return host === undefined ? canonical : `${parts.slice(0, 3).join(' ')} ${absoluteHost(host)}`;
  }
  return canonical;
}

/**
 * The endpoint target of a value in presentation form: TXT plain when it is plain text (see
 * {@link txtTargetOf}), host names through `host` and canonical, everything else canonical.
 * @param host turns a host name as stored into an endpoint name; the default drops the trailing dot
 *   (`.` stays). A provider that stores names relative to the zone resolves them here.
 */
export function fromPresentation(
  recordType: string,
  value: string,
  host: (name: string) => string = (name) => (name === '.' ? name : withoutTrailingDot(name)),
): string {
  const type = upperCased(recordType);
  if (type === 'TXT') {
    const strings = parseTxtStrings(value);
    return strings ? txtTargetOf(strings) : value;
  }
  const v = value.trim();
  if (HOST_TYPES.has(type)) return canonicalizeTarget(type, host(v));
  if (type === 'MX') {
    const [preference, name] = v.split(/\s+/);
    return name === undefined ? v : canonicalizeTarget(type, `${preference} ${host(name)}`);
  }
  if (type === 'SRV') {
    const parts = v.split(/\s+/);
    const name = parts[3];
    return name === undefined ? v : canonicalizeTarget(type, `${parts.slice(0, 3).join(' ')} ${host(name)}`);
  }
  return canonicalizeTarget(type, v);
}
