// Real ExternalDNS bug reports and behaviours, replayed against our core as a user drives it
// (TxtRegistry over InMemoryProvider, reconcile). Each test names the issue or source file it comes
// from and asserts what ExternalDNS does there, or what our documented deviation (D1–D11,
// docs/conformance.md) says instead.
import { describe, expect, it } from 'vitest';
import {
  DomainFilter,
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  UnsafePlanError,
  ValidationError,
  type Endpoint,
  type EndpointInit,
  type Policy,
  type TxtRegistryOptions,
} from '@openova/dns-core';

const marker = (owner: string, extra = '') => `"heritage=external-dns,external-dns/owner=${owner}${extra}"`;

/** The zone as sorted `TYPE name targets [set]` lines, to assert whole states. */
async function zoneOf(provider: InMemoryProvider): Promise<string[]> {
  return (await provider.records())
    .map(
      (e) =>
        `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}${e.setIdentifier ? ` [${e.setIdentifier}]` : ''}${e.recordTTL ? ` ttl=${e.recordTTL}` : ''}`,
    )
    .sort();
}

function setup(
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

async function run(
  registry: TxtRegistry,
  desired: EndpointInit[],
  policy: Policy = 'sync',
  extra: Partial<Parameters<typeof reconcile>[0]> = {},
) {
  return reconcile({ registry, desired, policy, safety: false, ...extra });
}

/** Applies, then plans again: the second plan must be empty (no update loop). */
async function converges(registry: TxtRegistry, desired: EndpointInit[], policy: Policy = 'sync') {
  const first = await run(registry, desired, policy);
  const second = await run(registry, desired, policy, { dryRun: true });
  expect(second.plan.hasChanges, JSON.stringify(second.plan.changes)).toBe(false);
  return first;
}

const A = (dnsName: string, ip: string, more: Partial<EndpointInit> = {}): EndpointInit => ({
  dnsName,
  recordType: 'A',
  targets: [ip],
  ...more,
});
const TXT = (dnsName: string, ...targets: string[]): EndpointInit => ({
  dnsName,
  recordType: 'TXT',
  targets,
});
const lines = (eps: readonly Endpoint[]) =>
  eps.map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}`);

describe('apex records owned through a legacy marker (ExternalDNS #4790, #4234, PR #6260)', () => {
  // Before v0.12 ExternalDNS wrote one untyped TXT at the record's own name (no prefix). The typed
  // name `a-example.com` of an apex record lies outside the zone, so ExternalDNS's txt/force-update
  // repair can never succeed: it deletes and recreates every loop (#4790) or fails the batch (#4234).
  const zone = [
    A('example.com', '192.0.2.1'),
    TXT('example.com', marker('me')),
    A('www.example.com', '192.0.2.2'),
    TXT('www.example.com', marker('me')),
  ];

  it('plans nothing for an unchanged apex record, and the run succeeds', async () => {
    const { mem, registry } = setup(zone);
    const desired = [A('example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')];
    await converges(registry, desired);
    // www got its typed marker (inside the zone); the apex keeps its legacy one
    expect(await zoneOf(mem)).toEqual([
      'A example.com 192.0.2.1',
      'A www.example.com 192.0.2.2',
      `TXT a-www.example.com ${marker('me')}`,
      `TXT example.com ${marker('me')}`,
      `TXT www.example.com ${marker('me')}`,
    ]);
    // the kept marker is reported, naming the typed name and why it cannot be stored
    expect(registry.warnings).toMatchObject([
      {
        kind: 'marker-not-writable',
        dnsName: 'example.com',
        recordType: 'A',
        txtNames: ['example.com', 'a-example.com'],
      },
    ]);
    expect(registry.warnings[0]?.message).toContain("would lie outside the record's zone example.com");
  });

  it('an owner migration rewrites the kept marker in place, once', async () => {
    const { mem, registry } = setup(zone, { ownerId: 'new', oldOwnerId: 'me' });
    const desired = [A('example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')];
    const first = await converges(registry, desired);
    expect(lines(first.plan.ownershipChanges.updateNew)).toEqual([
      `TXT example.com ${marker('new')}`,
      `TXT a-www.example.com ${marker('new')}`,
    ]);
    expect(await zoneOf(mem)).toContain(`TXT example.com ${marker('new')}`);
    // the migration is done: without oldOwnerId the apex record is still ours
    const after = new TxtRegistry(mem, { ownerId: 'new' });
    const next = await run(after, [A('example.com', '192.0.2.7'), A('www.example.com', '192.0.2.2')]);
    expect(lines(next.plan.changes.updateNew)).toEqual(['A example.com 192.0.2.7']);
  });

  it('updates and deletes the apex record without writing outside the zone', async () => {
    const { mem, registry } = setup(zone);
    await converges(registry, [A('example.com', '192.0.2.9'), A('www.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toContain('A example.com 192.0.2.9');
    await converges(registry, [A('www.example.com', '192.0.2.2')]);
    expect((await zoneOf(mem)).filter((l) => l.startsWith('A example.com'))).toEqual([]);
  });
});

describe('legacy marker whose typed name would be too long (D1 applied to the repair)', () => {
  // prefix `_externaldns.`: legacy marker `_externaldns.<62 octets>.example.com` fits, the typed
  // `_externaldns.a-<62 octets>…` has a 64-octet label
  const label = 'x'.repeat(62);
  const name = `${label}.example.com`;
  const zone = [
    A(name, '192.0.2.1'),
    TXT(`_externaldns.${name}`, marker('me')),
    A('ok.example.com', '192.0.2.3'),
  ];

  it('does not fail every run because of one legacy record', async () => {
    const { registry } = setup(zone, { prefix: '_externaldns.' });
    const desired = [A(name, '192.0.2.1'), A('new.example.com', '192.0.2.4')];
    const result = await converges(registry, desired);
    expect(lines(result.plan.changes.create)).toEqual(['A new.example.com 192.0.2.4']);
  });

  it('a real change of that record updates it under its kept marker', async () => {
    const { mem, registry } = setup(zone, { prefix: '_externaldns.' });
    const result = await converges(registry, [A(name, '192.0.2.8')]);
    expect(lines(result.plan.changes.updateNew)).toEqual([`A ${name} 192.0.2.8`]);
    expect(await zoneOf(mem)).toEqual([
      'A ok.example.com 192.0.2.3',
      `A ${name} 192.0.2.8`,
      `TXT _externaldns.${name} ${marker('me')}`,
    ]);
  });

  it('a create whose typed name is too long is still a typed error before any write (D1)', async () => {
    const { mem, registry } = setup([], { prefix: '_externaldns.' });
    const error = await run(registry, [A('fine.example.com', '192.0.2.1'), A(name, '192.0.2.1')]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([
      { path: ['desired', 1, 'dnsName'], code: 'txt_label_too_long' },
    ]);
    expect(mem.applied).toEqual([]);
  });
});
