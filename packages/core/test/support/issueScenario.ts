// What the bug-report tests share (externalDnsIssues, bugreports-core, managedTxt): a zone on the
// in-memory provider with a TxtRegistry of owner "me", a reconcile wrapper, the convergence check
// (a second plan is empty) and short record builders.
import { expect } from 'vitest';
import {
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  type DomainFilter,
  type Endpoint,
  type EndpointInit,
  type Policy,
  type TxtRegistryOptions,
} from '@openova/dns-core';

/** An ownership marker's TXT value (quoted, as stored) for `owner`, plus extra labels. */
export const marker = (owner: string, extra = '') =>
  `"heritage=external-dns,external-dns/owner=${owner}${extra}"`;

/** The zone as sorted `TYPE name targets [set] ttl=N` lines, to assert whole states. */
export async function zoneOf(provider: InMemoryProvider, { ttl = true } = {}): Promise<string[]> {
  return (await provider.records())
    .map(
      (e) =>
        `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}${e.setIdentifier ? ` [${e.setIdentifier}]` : ''}${ttl && e.recordTTL ? ` ttl=${e.recordTTL}` : ''}`,
    )
    .sort();
}

/** An in-memory zone `example.com` (or `provider.zones`) holding `records`, and a registry of owner "me". */
export function setup(
  records: EndpointInit[],
  options: Partial<TxtRegistryOptions> = {},
  provider: { zones?: string[]; domainFilter?: DomainFilter } = {},
) {
  const mem = new InMemoryProvider({
    zones: provider.zones ?? ['example.com'],
    records,
    ...(provider.domainFilter ? { domainFilter: provider.domainFilter } : {}),
  });
  const registry = new TxtRegistry(mem, { ownerId: 'me', ...options });
  return { mem, registry };
}

/** One reconcile without safety limits. */
export async function run(
  registry: TxtRegistry,
  desired: EndpointInit[],
  policy: Policy = 'sync',
  extra: Partial<Parameters<typeof reconcile>[0]> = {},
) {
  return reconcile({ registry, desired, policy, safety: false, ...extra });
}

/** Applies, then plans again: the second plan must be empty (no update loop). */
export async function converges(registry: TxtRegistry, desired: EndpointInit[], policy: Policy = 'sync') {
  const first = await run(registry, desired, policy);
  const second = await run(registry, desired, policy, { dryRun: true });
  expect(second.plan.hasChanges, JSON.stringify(second.plan.changes)).toBe(false);
  return first;
}

export const A = (dnsName: string, ip: string, more: Partial<EndpointInit> = {}): EndpointInit => ({
  dnsName,
  recordType: 'A',
  targets: [ip],
  ...more,
});

export const TXT = (dnsName: string, ...targets: string[]): EndpointInit => ({
  dnsName,
  recordType: 'TXT',
  targets,
});

/** Endpoints as `TYPE name targets` lines. */
export const lines = (eps: readonly Endpoint[]) =>
  eps.map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}`);
