// The comparison rule of the conformance vectors (externaldns-semantics.md §7, mirroring upstream
// testutils.SameEndpoints): lists are unordered multisets; names compared with our normaliser.
import { normalizeDnsName, sameTargets, type Endpoint } from '@openova/dns-core';
import { canonicalTarget } from '@openova/dns-core/provider';

const checkedLabels = ['owner', 'resource', 'ownedRecord'] as const;

function sameProviderSpecific(a: Endpoint, b: Endpoint): boolean {
  const x = new Map(a.providerSpecific.map((p) => [p.name, p.value]));
  const y = new Map(b.providerSpecific.map((p) => [p.name, p.value]));
  return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
}

/** True when two endpoints are equal under the conformance rule. */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return (
    normalizeDnsName(a.dnsName) === normalizeDnsName(b.dnsName) &&
    a.recordType === b.recordType &&
    a.setIdentifier === b.setIdentifier &&
    a.recordTTL === b.recordTTL &&
    // TXT values exactly (owner IDs are case-sensitive); other targets under Targets.Same
    (a.recordType === 'TXT' ? sameStrings(a.targets, b.targets) : sameTargets(a.targets, b.targets)) &&
    checkedLabels.every((k) => sameLabelValue(k, a.labels[k] ?? '', b.labels[k] ?? '')) &&
    sameProviderSpecific(a, b)
  );
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

function sameLabelValue(key: string, x: string, y: string): boolean {
  return key === 'ownedRecord' ? normalizeDnsName(x) === normalizeDnsName(y) : x === y;
}

/** Multiset comparison; returns a human-readable difference or `undefined` when equal. */
export function diffEndpointLists(
  actual: readonly Endpoint[],
  expected: readonly Endpoint[],
  what: string,
): string | undefined {
  const left = [...actual];
  const missing: Endpoint[] = [];
  for (const e of expected) {
    const i = left.findIndex((a) => sameEndpoint(a, e));
    if (i < 0) missing.push(e);
    else left.splice(i, 1);
  }
  if (!missing.length && !left.length) return undefined;
  const show = (eps: Endpoint[]) =>
    eps
      .map(
        (e) =>
          `${e.dnsName} ${e.recordType} [${e.setIdentifier}] ttl=${e.recordTTL} ${e.targets.map(canonicalTarget).join(',')} ${JSON.stringify(e.labels)} ${JSON.stringify(e.providerSpecific)}`,
      )
      .join('\n      ');
  return `${what}:${missing.length ? `\n    missing:\n      ${show(missing)}` : ''}${left.length ? `\n    unexpected:\n      ${show(left)}` : ''}`;
}
