import { isIP, isIPv4 } from 'node:net';
import type { Endpoint } from './endpoint.js';

/**
 * Canonical text of an IPv6 address (RFC 5952: lower case, longest zero run compressed).
 * Returns `undefined` when the input is not an IPv6 address.
 */
export function canonicalIPv6(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  try {
    // WHATWG URL serialises IPv6 hosts in RFC 5952 form.
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** Canonical text of an IP address of either family, or `undefined` for anything else. */
export function canonicalIP(value: string): string | undefined {
  if (isIPv4(value)) return value;
  return canonicalIPv6(value);
}

/** The bytes of an address: 4 for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address stays IPv6). */
function ipBytes(address: string): number[] {
  if (isIPv4(address)) return address.split('.').map(Number);
  // a zone index (`fe80::1%eth0`) does not take part in the order of the address itself
  const canonical = canonicalIPv6(address.replace(/%.*$/, '')) ?? address;
  const [head = '', tail] = canonical.split('::');
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const headGroups = parse(head);
  const tailGroups = tail === undefined ? [] : parse(tail);
  const groups = [
    ...headGroups,
    ...Array<number>(8 - headGroups.length - tailGroups.length).fill(0),
    ...tailGroups,
  ];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Go's `netip.Addr.Less`: every IPv4 address before every IPv6 address, then by address bytes. */
function compareIPs(a: string, b: string): number {
  const x = ipBytes(a);
  const y = ipBytes(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The form in which two target values are compared: IP addresses in canonical text, everything
 * else lower-cased with one trailing dot removed. Deviation D6 of our conformance notes:
 * ExternalDNS treats `lb.example.net.` and `lb.example.net` as different and flaps.
 */
export function canonicalTarget(target: string): string {
  const ip = canonicalIP(target);
  if (ip !== undefined) return ip;
  const lower = target.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 && !lower.endsWith('\\.') ? lower.slice(0, -1) : lower;
}

/** De-duplicates and sorts targets in ExternalDNS order (`NewTargets`). */
export function sortTargets(targets: readonly string[]): string[] {
  return [...new Set(targets)].sort(compareTargetStrings);
}

/**
 * An address as Go's `netip.Addr.String` writes it, the key of ExternalDNS's `Targets.Less`: RFC 5952
 * text, except that an IPv4-mapped address keeps its dotted tail and a zone is kept.
 */
function goIPText(value: string): string | undefined {
  if (isIPv4(value)) return value;
  if (isIP(value) !== 6) return undefined;
  const percent = value.indexOf('%');
  const zone = percent < 0 ? '' : value.slice(percent);
  const text = canonicalIPv6(percent < 0 ? value : value.slice(0, percent));
  if (text === undefined) return undefined;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (!mapped) return text + zone;
  const [hi, lo] = [parseInt(mapped[1] as string, 16), parseInt(mapped[2] as string, 16)];
  return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}${zone}`;
}

/** ExternalDNS's `Targets.Less`: two IPs by their canonical text, anything else as plain strings. */
function compareTargetStrings(a: string, b: string): number {
  const ia = goIPText(a);
  const ib = goIPText(b);
  if (ia !== undefined && ib !== undefined) return ia < ib ? -1 : ia > ib ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * True when two target lists hold the same values as sets: order-, case- and IPv6-spelling-insensitive
 * and, unlike ExternalDNS, trailing-dot insensitive (no flapping between `a.example.` and `a.example`).
 */
export function sameTargets(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  // fast path: identical spelling in identical order (the steady state of a reconcile loop)
  if (a.length === b.length && a.every((t, i) => t === b[i])) return true;
  const x = new Set(a.map(canonicalTarget));
  const y = new Set(b.map(canonicalTarget));
  if (x.size !== y.size) return false;
  for (const v of x) if (!y.has(v)) return false;
  return true;
}

/**
 * ExternalDNS's `Targets.IsLess`, used to pick a winner among competing candidates: a shorter list is
 * less; for equal lengths both lists are sorted in `Targets.Less` order (IPs by canonical text, so an
 * address's spelling does not move it) and the first pair that differs in spelling decides: IPs before
 * names, IPs in `netip.Addr.Less` order, names as plain strings. As in ExternalDNS, a pair that differs
 * only in spelling (`2001:DB8::1` vs `2001:db8::1`) decides "not less" and ends the comparison.
 */
export function targetsLess(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  const x = a.length > 1 ? [...a].sort(compareTargetStrings) : a;
  const y = b.length > 1 ? [...b].sort(compareTargetStrings) : b;
  for (let i = 0; i < x.length; i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    const pIsIP = isIP(p) !== 0;
    const qIsIP = isIP(q) !== 0;
    if (pIsIP && qIsIP) return compareIPs(p, q) < 0;
    if (pIsIP !== qIsIP) return pIsIP;
    return p < q;
  }
  return false;
}

/** ExternalDNS's `SuitableType`: IPv4 → A, IPv6 → AAAA, anything else → CNAME. */
export function suitableRecordType(target: string): 'A' | 'AAAA' | 'CNAME' {
  const family = isIP(target);
  return family === 4 ? 'A' : family === 6 ? 'AAAA' : 'CNAME';
}

/** True when two endpoints' targets are equal as sets (see {@link sameTargets}). */
export function sameEndpointTargets(a: Endpoint, b: Endpoint): boolean {
  return sameTargets(a.targets, b.targets);
}
