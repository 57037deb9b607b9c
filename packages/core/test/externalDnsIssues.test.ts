// Real ExternalDNS bug reports and behaviours, replayed against our core as a user drives it
// (TxtRegistry over InMemoryProvider, reconcile). Each test names the issue or source file it comes
// from and asserts what ExternalDNS does there, or what our documented deviation (D1–D11,
// docs/conformance.md) says instead.
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  calculatePlan,
  DomainFilter,
  endpoint,
  InMemoryProvider,
  planFromJSON,
  ProviderError,
  reconcile,
  renderPlanJSON,
  TxtRegistry,
  UnsafePlanError,
  ValidationError,
  type Endpoint,
  type EndpointInit,
} from '@openova/dns-core';

import { A, converges, lines, marker, run, setup, TXT, zoneOf } from './support/issueScenario.js';

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
    expect(lines(first.plan.ownershipChanges.updateNew)).toEqual([`TXT example.com ${marker('new')}`]);
    // www had only its legacy marker: its typed one is created, not "updated" from nothing
    expect(lines(first.plan.ownershipChanges.create)).toEqual([`TXT a-www.example.com ${marker('new')}`]);
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

describe('set identifiers', () => {
  it('changing a set identifier moves the marker with the record (ExternalDNS #6181)', async () => {
    // ExternalDNS deleted the old marker and skipped the new one: the record was orphaned
    const { mem, registry } = setup([]);
    await converges(registry, [A('api.example.com', '192.0.2.1', { setIdentifier: 'id-1' })]);
    await converges(registry, [A('api.example.com', '192.0.2.1', { setIdentifier: 'id-2' })]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1 [id-2]',
      `TXT a-api.example.com ${marker('me')} [id-2]`,
    ]);
    const read = await registry.records();
    expect(read.map((e) => [e.setIdentifier, e.labels.owner])).toEqual([['id-2', 'me']]);
  });

  it('sync never deletes another cluster’s weighted set at the same name (ExternalDNS #1698)', async () => {
    const { mem, registry } = setup([
      A('www.example.com', '192.0.2.1', { setIdentifier: 'cluster1' }),
      { ...TXT('a-www.example.com', marker('cluster1')), setIdentifier: 'cluster1' },
    ]);
    const two = new TxtRegistry(mem, { ownerId: 'cluster2' });
    void registry;
    await converges(two, [A('www.example.com', '192.0.2.2', { setIdentifier: 'cluster2' })]);
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.1 [cluster1]',
      'A www.example.com 192.0.2.2 [cluster2]',
      `TXT a-www.example.com ${marker('cluster1')} [cluster1]`,
      `TXT a-www.example.com ${marker('cluster2')} [cluster2]`,
    ]);
  });

  it('deleting one set keeps the marker of the other (D7 keying by set identifier)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [
      A('api.example.com', '192.0.2.1', { setIdentifier: 'blue' }),
      A('api.example.com', '192.0.2.2', { setIdentifier: 'green' }),
    ]);
    await converges(registry, [A('api.example.com', '192.0.2.1', { setIdentifier: 'blue' })]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1 [blue]',
      `TXT a-api.example.com ${marker('me')} [blue]`,
    ]);
  });
});

describe('record type changes', () => {
  it('CNAME → A under sync: one apply deletes the CNAME and its marker and creates A with its own (#1852, #2202)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    const before = mem.applied.length;
    await converges(registry, [A('app.example.com', '192.0.2.1')]);
    expect(mem.applied.length - before).toBe(1);
    expect(await zoneOf(mem)).toEqual([
      'A app.example.com 192.0.2.1',
      `TXT a-app.example.com ${marker('me')}`,
    ]);
  });

  it('CNAME → A under upsert-only leaves no marker behind for a record never created (#6683)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    const result = await run(registry, [A('app.example.com', '192.0.2.1')], 'upsert-only');
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['unsatisfiable', 'app.example.com'],
    ]);
    expect(result.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toEqual([
      'CNAME app.example.com lb.example.net',
      `TXT cname-app.example.com ${marker('me')}`,
    ]);
  });

  it('a hand-made CNAME where our A was is left alone; nothing fails (#2820, #3715)', async () => {
    // our marker a-helo is still there, but the name now holds a CNAME we do not own
    const { mem, registry } = setup([
      { dnsName: 'helo.example.com', recordType: 'CNAME', targets: ['elsewhere.example.net'] },
      TXT('a-helo.example.com', marker('me')),
    ]);
    const result = await converges(registry, [A('helo.example.com', '192.0.2.1')]);
    expect(result.applied).toBe(false);
    expect(result.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(await zoneOf(mem)).toContain('CNAME helo.example.com elsewhere.example.net');
  });

  it('A-ALIAS records marked `cname-` before v0.22 stay ours and get their `a-` marker (#2903, PR #6523)', async () => {
    const alias = [{ name: 'alias', value: 'true' }];
    const { mem, registry } = setup([
      A('lb.example.com', '192.0.2.1', { providerSpecific: alias }),
      TXT('cname-lb.example.com', marker('me')),
    ]);
    await converges(registry, [A('lb.example.com', '192.0.2.1', { providerSpecific: alias })]);
    expect(await zoneOf(mem)).toContain(`TXT a-lb.example.com ${marker('me')}`);
    expect((await registry.records()).find((e) => e.recordType === 'A')?.labels.owner).toBe('me');
  });
});

describe('markers whose record is gone, and the other way round', () => {
  it('a record deleted by hand is recreated without a second marker (#443, #4914)', async () => {
    const { mem, registry } = setup([TXT('a-api.example.com', marker('me'))]);
    const result = await converges(registry, [A('api.example.com', '192.0.2.1')]);
    expect(lines(result.plan.changes.create)).toEqual(['A api.example.com 192.0.2.1']);
    expect(result.plan.ownershipChanges.create).toEqual([]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('me')}`,
    ]);
  });

  it('a record and its marker deleted by hand between two runs of one registry are both recreated (#5894, PR #5897)', async () => {
    const { mem, registry } = setup([]);
    const desired = [A('api.example.com', '192.0.2.1')];
    await converges(registry, desired);
    // the operator wipes both; the same registry object runs again
    await mem.applyChanges({
      create: [],
      updateOld: [],
      updateNew: [],
      delete: (await mem.records()).filter((e) => e.dnsName.endsWith('api.example.com')),
    });
    await converges(registry, desired);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('me')}`,
    ]);
  });

  it('another owner’s marker at the name: not created, reported with the owner, nothing sent (#6617, D2)', async () => {
    const { mem, registry } = setup([TXT('a-api.example.com', marker('other'))]);
    const result = await converges(registry, [A('api.example.com', '192.0.2.1')]);
    expect(result.skipped.map((s) => [s.code, s.reason.includes('"other"')])).toEqual([
      ['owned-by-other', true],
    ]);
    expect(mem.applied).toEqual([]);
  });

  it('a source moving from Ingress to HTTPRoute keeps the record owned (#6368, plan-061)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [
      A('api.example.com', '192.0.2.1', { labels: { resource: 'ingress/default/api' } }),
    ]);
    // a label-only change is no update (ExternalDNS plan.go), so the marker keeps the old resource
    const moved = await converges(registry, [
      A('api.example.com', '192.0.2.1', { labels: { resource: 'httproute/default/api' } }),
    ]);
    expect(moved.plan.hasChanges).toBe(false);
    // the next real change rewrites the marker with the new resource
    await converges(registry, [
      A('api.example.com', '192.0.2.2', { labels: { resource: 'httproute/default/api' } }),
    ]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.2',
      `TXT a-api.example.com ${marker('me', ',external-dns/resource=httproute/default/api')}`,
    ]);
  });
});

describe('names: case, trailing dots, length, wildcards', () => {
  it('upper-case and trailing-dot spellings of one name never flap (D5, deSEC webhook PR #21)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [A('API.Example.COM.', '192.0.2.1')]);
    for (const spelling of ['api.example.com', 'Api.Example.Com', 'api.example.com.']) {
      const again = await run(registry, [A(spelling, '192.0.2.1')], 'sync', { dryRun: true });
      expect(again.plan.hasChanges, spelling).toBe(false);
    }
    expect(await zoneOf(mem)).toHaveLength(2);
    expect((await registry.records()).map((e) => e.labels.owner)).toEqual(['me']);
  });

  it('an upper-case prefix is lower-cased, so records it wrote can be deleted (#1012)', async () => {
    const { mem, registry } = setup([], { prefix: 'ExtDNS-%{record_type}.' });
    await converges(registry, [A('a.example.com', '192.0.2.1'), A('b.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toContain(`TXT extdns-a.a.example.com ${marker('me')}`);
    await converges(registry, [A('b.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toEqual([
      'A b.example.com 192.0.2.2',
      `TXT extdns-a.b.example.com ${marker('me')}`,
    ]);
  });

  it('writes exactly one, typed, marker per record (#3167: no legacy twin since v0.18)', async () => {
    const { mem, registry } = setup([], { prefix: 'gke-infra' });
    await converges(registry, [A('example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')]);
    // `gke-infraa-example.com` would lie outside the zone: the apex is reported, www is written
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.2',
      `TXT gke-infraa-www.example.com ${marker('me')}`,
    ]);
  });

  it('a name near 253 octets whose marker would pass the limit is a typed error at desired[i] (D1)', async () => {
    const long = `${Array.from({ length: 4 }, () => 'x'.repeat(59)).join('.')}.example.com`; // 251 octets
    expect(long.length).toBeLessThanOrEqual(253);
    const { mem, registry } = setup([], { prefix: '_externaldns.%{record_type}.' });
    const error = await run(registry, [A(long, '192.0.2.1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([
      { path: ['desired', 0, 'dnsName'], code: 'txt_name_too_long' },
    ]);
    expect(mem.applied).toEqual([]);
  });

  it('wildcards with wildcardReplacement are created, read back owned and deleted (#2922, #5973)', async () => {
    const { mem, registry } = setup([], {
      wildcardReplacement: 'wildcard',
      prefix: '_externaldns.%{record_type}.',
    });
    await converges(registry, [A('*.apps.example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toContain(`TXT _externaldns.a.wildcard.apps.example.com ${marker('me')}`);
    expect((await registry.records()).find((e) => e.dnsName.startsWith('*'))?.labels.owner).toBe('me');
    await converges(registry, [A('www.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.2',
      `TXT _externaldns.a.www.example.com ${marker('me')}`,
    ]);
  });

  it('an apex record with a templated prefix ending in "." keeps its marker in the zone (#449, PR #5863)', async () => {
    const { mem, registry } = setup([], { prefix: 'extdns-%{record_type}.' });
    await converges(registry, [A('example.com', '192.0.2.1')]);
    expect(await zoneOf(mem)).toEqual([
      'A example.com 192.0.2.1',
      `TXT extdns-a.example.com ${marker('me')}`,
    ]);
  });

  it('an apex record under a suffix is reported, never written into the parent (#4234)', async () => {
    const { mem, registry } = setup([], { suffix: '-%{record_type}' });
    const result = await converges(registry, [
      A('example.com', '192.0.2.1'),
      A('www.example.com', '192.0.2.2'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['marker-not-writable', 'example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.2',
      `TXT www-a.example.com ${marker('me')}`,
    ]);
  });
});

describe('planner comparisons (plan/plan.go shouldUpdate*)', () => {
  it('TTL unset keeps a hand-set TTL, also when the targets change (concepts.md TTLs)', async () => {
    const { mem, registry } = setup([
      A('api.example.com', '192.0.2.1', { recordTTL: 600 }),
      TXT('a-api.example.com', marker('me')),
    ]);
    const same = await converges(registry, [A('api.example.com', '192.0.2.1')]);
    expect(same.applied).toBe(false);
    await converges(registry, [A('api.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toContain('A api.example.com 192.0.2.2 ttl=600');
  });

  it('a TTL change alone is an update, once', async () => {
    const { mem, registry } = setup([
      A('api.example.com', '192.0.2.1', { recordTTL: 600 }),
      TXT('a-api.example.com', marker('me')),
    ]);
    const result = await converges(registry, [A('api.example.com', '192.0.2.1', { recordTTL: 60 })]);
    expect(result.counts.update).toBe(1);
    expect(await zoneOf(mem)).toContain('A api.example.com 192.0.2.1 ttl=60');
  });

  it('multi-target records in another order or spelling are no update (#6135, #1421, D9)', async () => {
    const ips = Array.from({ length: 8 }, (_, i) => `192.0.2.${i + 1}`);
    const { registry } = setup([]);
    await converges(registry, [{ dnsName: 'lb.example.com', recordType: 'A', targets: ips }]);
    const shuffled = await run(
      registry,
      [{ dnsName: 'lb.example.com', recordType: 'A', targets: [...ips].reverse() }],
      'upsert-only',
      { dryRun: true },
    );
    expect(shuffled.plan.hasChanges).toBe(false);
    await converges(registry, [
      { dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:db8:0:0::1', '2001:db8::3'] },
    ]);
    const respelled = await run(
      registry,
      [{ dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:db8::3', '2001:DB8::1'] }],
      'upsert-only',
      { dryRun: true },
    );
    expect(respelled.plan.hasChanges).toBe(false);
    const changed = await run(
      registry,
      [{ dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:db8::1', '2001:db8::4'] }],
      'upsert-only',
      { dryRun: true },
    );
    expect(changed.counts.update).toBe(1);
  });

  it('provider-specific properties compare as maps: order is no change, removal is (plan-007, plan-033)', async () => {
    const ps = [
      { name: 'external-dns.kubernetes.io/cloudflare-proxied', value: 'true' },
      { name: 'comment', value: 'x' },
    ];
    const { registry } = setup([]);
    await converges(registry, [A('api.example.com', '192.0.2.1', { providerSpecific: ps })]);
    const reordered = await run(
      registry,
      [A('api.example.com', '192.0.2.1', { providerSpecific: [...ps].reverse() })],
      'sync',
      { dryRun: true },
    );
    expect(reordered.plan.hasChanges).toBe(false);
    const removed = await converges(registry, [
      A('api.example.com', '192.0.2.1', { providerSpecific: ps.slice(0, 1) }),
    ]);
    expect(removed.counts.update).toBe(1);
  });

  it('a CNAME target differing only by a trailing dot is no update (#6199, #6555, D6)', async () => {
    const { registry } = setup([]);
    await converges(registry, [
      { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['lb.example.net.'] },
    ]);
    const again = await run(
      registry,
      [{ dnsName: 'www.example.com', recordType: 'CNAME', targets: ['LB.example.net'] }],
      'sync',
      { dryRun: true },
    );
    expect(again.plan.hasChanges).toBe(false);
  });
});

describe('managed TXT records (ExternalDNS #6718, #5278; docs/registry/txt.md)', () => {
  const managed = { managedRecordTypes: ['A', 'TXT'] as const };

  it('a managed TXT record gets a `txt-` marker and can be updated and deleted (#6718: write-once before v0.22)', async () => {
    const { mem, registry } = setup([], { managedRecordTypes: [...managed.managedRecordTypes] });
    await converges(registry, [TXT('_spf.example.com', '"v=spf1 -all"'), A('www.example.com', '192.0.2.1')]);
    expect(await zoneOf(mem)).toContain(`TXT txt-_spf.example.com ${marker('me')}`);
    const updated = await converges(registry, [
      TXT('_spf.example.com', '"v=spf1 mx -all"'),
      A('www.example.com', '192.0.2.1'),
    ]);
    expect(updated.counts.update).toBe(1);
    await converges(registry, [A('www.example.com', '192.0.2.1')]);
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.1',
      `TXT a-www.example.com ${marker('me')}`,
    ]);
  });

  it('a TXT record set holding a marker beside an SPF value is not planned as a create the server refuses every run (D4, #692)', async () => {
    // a legacy marker shares the record set with an SPF value: the registry hides the set, so the
    // planner saw no TXT there and planned a create that failed on every run
    const spf = TXT('mail.example.com', '"v=spf1 -all"', marker('me'));
    const { mem, registry } = setup([A('mail.example.com', '192.0.2.1'), spf], {
      managedRecordTypes: [...managed.managedRecordTypes],
    });
    const desired = [A('mail.example.com', '192.0.2.1'), TXT('mail.example.com', '"v=spf1 mx -all"')];
    const result = await converges(registry, desired);
    expect(result.skipped.map((s) => [s.code, s.path])).toEqual([['exists-unowned', ['desired', 1]]]);
    expect(result.skipped[0]?.reason).toContain('holds ownership markers');
    // the A record got its typed marker; the shared record set is exactly as it was
    expect(await zoneOf(mem)).toEqual([
      'A mail.example.com 192.0.2.1',
      `TXT a-mail.example.com ${marker('me')}`,
      `TXT mail.example.com "v=spf1 -all" ${marker('me')}`,
    ]);
  });

  it('a desired TXT record at another record’s marker name is refused, not written over the marker', async () => {
    const { mem, registry } = setup([], { managedRecordTypes: [...managed.managedRecordTypes] });
    await converges(registry, [A('api.example.com', '192.0.2.1')]);
    const result = await converges(registry, [
      A('api.example.com', '192.0.2.1'),
      TXT('a-api.example.com', '"hello"'),
    ]);
    expect(result.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(registry.warnings).toEqual([]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('me')}`,
    ]);
  });
});

describe('owner IDs', () => {
  it('migrating an owner ID shared by several clusters is refused by the safety limits before it deletes theirs (#5993)', async () => {
    // ten records of the old owner `default`, only two of them desired by this cluster
    const records: EndpointInit[] = [];
    for (let i = 0; i < 10; i++)
      records.push(
        A(`svc${i}.example.com`, `192.0.2.${i + 1}`),
        TXT(`a-svc${i}.example.com`, marker('default')),
      );
    const { mem, registry } = setup(records, { ownerId: 'cluster-a', oldOwnerId: 'default' });
    const desired = [A('svc0.example.com', '192.0.2.1'), A('svc1.example.com', '192.0.2.2')];
    const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafePlanError);
    expect((error as UnsafePlanError).message).toContain(
      'deleting 8 of 10 owned records in zone example.com (80%)',
    );
    expect(mem.applied).toEqual([]);
    // upsert-only migrates what this cluster wants and leaves the rest to their owner
    await converges(registry, desired, 'upsert-only');
    expect(await zoneOf(mem)).toContain(`TXT a-svc0.example.com ${marker('cluster-a')}`);
    expect(await zoneOf(mem)).toContain(`TXT a-svc5.example.com ${marker('default')}`);
  });

  it('a second owner cannot add AAAA beside another owner’s A (plan.go: creates only where every record is ours)', async () => {
    const { mem } = setup([A('api.example.com', '192.0.2.1'), TXT('a-api.example.com', marker('other'))]);
    const mine = new TxtRegistry(mem, { ownerId: 'me' });
    const result = await converges(mine, [
      { dnsName: 'api.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
    ]);
    expect(result.skipped.map((s) => [s.code, s.owner])).toEqual([['owned-by-other', 'other']]);
    expect(mem.applied).toEqual([]);
  });

  it('after changing the prefix, records under the old prefix are nobody’s: never updated or deleted (#2036, #2737)', async () => {
    const { mem, registry } = setup(
      [
        A('api.example.com', '192.0.2.1'),
        TXT('a-api.example.com', marker('me')),
        A('old.example.com', '192.0.2.3'),
        TXT('a-old.example.com', marker('me')),
      ],
      { prefix: '_externaldns.%{record_type}.' },
    );
    const result = await converges(registry, [A('api.example.com', '192.0.2.2')]);
    expect(result.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(result.applied).toBe(false);
    expect(await zoneOf(mem)).toContain('A old.example.com 192.0.2.3');
    expect(await zoneOf(mem)).toContain('A api.example.com 192.0.2.1');
  });

  it('a marker of another set identifier does not hide a missing one (D7)', async () => {
    const { mem, registry } = setup([
      A('api.example.com', '192.0.2.1', { setIdentifier: 'blue' }),
      A('api.example.com', '192.0.2.2', { setIdentifier: 'green' }),
      { ...TXT('a-api.example.com', marker('me')), setIdentifier: 'blue' },
      { ...TXT('api.example.com', marker('me')), setIdentifier: 'green' },
    ]);
    await converges(registry, [
      A('api.example.com', '192.0.2.1', { setIdentifier: 'blue' }),
      A('api.example.com', '192.0.2.2', { setIdentifier: 'green' }),
    ]);
    expect(await zoneOf(mem)).toContain(`TXT a-api.example.com ${marker('me')} [green]`);
  });
});

describe('managed and excluded record types, domain filters, policies', () => {
  it('excludeRecordTypes: our AAAA is neither deleted nor rewritten, desired AAAA is reported (#3748)', async () => {
    const { mem, registry } = setup(
      [
        { dnsName: 'api.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
        TXT('aaaa-api.example.com', marker('me')),
      ],
      { excludeRecordTypes: ['AAAA'] },
    );
    const result = await converges(registry, [
      A('api.example.com', '192.0.2.1'),
      { dnsName: 'www.example.com', recordType: 'AAAA', targets: ['2001:db8::2'] },
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['not-managed-type', 'www.example.com'],
    ]);
    expect(await zoneOf(mem)).toContain('AAAA api.example.com 2001:db8::1');
    expect(await zoneOf(mem)).toContain('A api.example.com 192.0.2.1');
  });

  it('managedRecordTypes without CNAME: an A is not created beside our unmanaged CNAME (RFC 1034; #3715)', async () => {
    const { mem, registry } = setup(
      [
        { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
        TXT('cname-app.example.com', marker('me')),
      ],
      { managedRecordTypes: ['A'] },
    );
    const result = await converges(registry, [A('app.example.com', '192.0.2.1')]);
    expect(result.skipped.map((s) => s.code)).toEqual(['unsatisfiable']);
    expect(mem.applied).toEqual([]);
  });

  it('names excluded by the domain filter are never deleted, even when ours (domain_filter.go exclusions)', async () => {
    const { mem, registry } = setup([
      A('db.internal.example.com', '192.0.2.9'),
      TXT('a-db.internal.example.com', marker('me')),
      A('old.example.com', '192.0.2.8'),
      TXT('a-old.example.com', marker('me')),
    ]);
    const filter = new DomainFilter({ include: ['example.com'], exclude: ['internal.example.com'] });
    await run(
      registry,
      [A('www.example.com', '192.0.2.1'), A('db.internal.example.com', '192.0.2.10')],
      'sync',
      { domainFilter: filter },
    );
    expect(await zoneOf(mem)).toEqual([
      'A db.internal.example.com 192.0.2.9',
      'A www.example.com 192.0.2.1',
      `TXT a-db.internal.example.com ${marker('me')}`,
      `TXT a-www.example.com ${marker('me')}`,
    ]);
  });

  it('create-only never updates, upsert-only never deletes (policy.go)', async () => {
    const { mem, registry } = setup([
      A('a.example.com', '192.0.2.1'),
      TXT('a-a.example.com', marker('me')),
      A('b.example.com', '192.0.2.2'),
      TXT('a-b.example.com', marker('me')),
    ]);
    const createOnly = await converges(
      registry,
      [A('a.example.com', '192.0.2.9'), A('c.example.com', '192.0.2.3')],
      'create-only',
    );
    expect(createOnly.counts).toMatchObject({ create: 1, update: 0, delete: 0 });
    expect(createOnly.skipped.map((s) => s.code)).toEqual(['kept-by-policy']);
    const upsert = await converges(
      registry,
      [A('a.example.com', '192.0.2.9'), A('c.example.com', '192.0.2.3')],
      'upsert-only',
    );
    expect(upsert.counts).toMatchObject({ create: 0, update: 1, delete: 0 });
    expect(await zoneOf(mem)).toContain('A b.example.com 192.0.2.2');
  });
});

describe('encryption (--txt-encrypt-enabled, #3668, PR #3901)', () => {
  const aesKey = '12345678901234567890123456789012';

  it('turning encryption on over plain markers causes no churn; the next real change encrypts and resends the plain value', async () => {
    const { mem, registry } = setup(
      [A('api.example.com', '192.0.2.1'), TXT('a-api.example.com', marker('me'))],
      { encryption: { aesKey } },
    );
    const same = await converges(registry, [A('api.example.com', '192.0.2.1')]);
    expect(same.applied).toBe(false);
    const changed = await converges(registry, [A('api.example.com', '192.0.2.2')]);
    expect(lines(changed.plan.ownershipChanges.updateOld)).toEqual([`TXT a-api.example.com ${marker('me')}`]);
    const stored = (await mem.records()).find((e) => e.dnsName === 'a-api.example.com');
    expect(stored?.targets[0]).not.toContain('heritage');
    expect((await registry.records())[0]?.labels.owner).toBe('me');
  });

  it('turning it off (key kept) reads encrypted markers and deletes them with the stored value', async () => {
    const on = setup([], { encryption: { aesKey } });
    await converges(on.registry, [A('api.example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')]);
    const off = new TxtRegistry(on.mem, { ownerId: 'me', encryption: { aesKey, enabled: false } });
    const same = await converges(off, [A('api.example.com', '192.0.2.1'), A('www.example.com', '192.0.2.2')]);
    expect(same.applied).toBe(false);
    await converges(off, [A('www.example.com', '192.0.2.2')]);
    expect((await zoneOf(on.mem)).filter((l) => l.includes('api.example.com'))).toEqual([]);
  });
});

describe('legacy markers at the record’s own name (pre-v0.12 zones, #4358, #2834)', () => {
  const legacy = (name: string, owner = 'me') => TXT(name, marker(owner));

  it('A → CNAME: our legacy marker leaves with the A, so the CNAME can be created (it could never be, every run)', async () => {
    const { mem, registry } = setup([
      A('app.example.com', '192.0.2.1'),
      legacy('app.example.com'),
      A('x.example.com', '192.0.2.5'),
      legacy('x.example.com'),
    ]);
    const result = await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
      A('x.example.com', '192.0.2.5'),
    ]);
    expect(lines(result.plan.ownershipChanges.delete)).toContain(`TXT app.example.com ${marker('me')}`);
    expect(await zoneOf(mem)).toEqual([
      'A x.example.com 192.0.2.5',
      'CNAME app.example.com lb.example.net',
      `TXT a-x.example.com ${marker('me')}`,
      `TXT cname-app.example.com ${marker('me')}`,
      `TXT x.example.com ${marker('me')}`,
    ]);
  });

  it('A → CNAME where the TXT at the name is not only ours: the CNAME is reported, nothing fails', async () => {
    // our A has its typed marker; the TXT at its own name also carries an SPF value
    const { mem, registry } = setup([
      A('app.example.com', '192.0.2.1'),
      TXT('a-app.example.com', marker('me')),
      TXT('app.example.com', '"v=spf1 -all"', marker('me')),
    ]);
    const result = await run(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    expect(result.skipped.map((s) => s.code)).toEqual(['unsatisfiable']);
    // as for any data that stays beside a wanted CNAME (reconcile's unsatisfiable creates): the A,
    // no longer desired, goes; the record set that is not only ours stays
    expect(await zoneOf(mem)).toEqual([`TXT app.example.com "v=spf1 -all" ${marker('me')}`]);
    const again = await run(
      registry,
      [{ dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }],
      'sync',
      { dryRun: true },
    );
    expect(again.plan.hasChanges).toBe(false);
  });

  it('a plain TXT at the typed marker name is never overwritten by the legacy-marker repair (never touch what is not ours)', async () => {
    // ExternalDNS's txt/force-update writes `a-x.example.com` over whatever is there
    const { mem, registry } = setup([
      A('x.example.com', '192.0.2.1'),
      legacy('x.example.com'),
      TXT('a-x.example.com', '"hello"'),
    ]);
    await converges(registry, [A('x.example.com', '192.0.2.1')]);
    await converges(registry, [A('x.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toEqual([
      'A x.example.com 192.0.2.2',
      'TXT a-x.example.com "hello"',
      `TXT x.example.com ${marker('me')}`,
    ]);
    expect(registry.warnings.map((w) => w.kind)).toEqual(['marker-not-writable']);
    // and deleting the record leaves the plain TXT alone
    await converges(registry, [A('y.example.com', '192.0.2.3')]);
    expect(await zoneOf(mem)).toContain('TXT a-x.example.com "hello"');
    expect((await zoneOf(mem)).filter((l) => l.startsWith('A x.'))).toEqual([]);
  });

  it('a wildcard owned through a legacy marker is not repaired into `a-*.…` (#2922), and stays ours', async () => {
    const { mem, registry } = setup([A('*.apps.example.com', '192.0.2.1'), legacy('*.apps.example.com')]);
    await converges(registry, [A('*.apps.example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toEqual([
      'A *.apps.example.com 192.0.2.2',
      `TXT *.apps.example.com ${marker('me')}`,
    ]);
  });
});

describe('CNAME exclusivity across set identifiers (RFC 1034 §3.6.2; #1852, #3715)', () => {
  it('a plain CNAME is not created beside a weighted A that stays: reported, nothing fails', async () => {
    // the A [blue] is not ours; the planner's rows are per set identifier, the server's rule per name
    const { mem, registry } = setup([A('app.example.com', '192.0.2.1', { setIdentifier: 'blue' })]);
    const result = await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    expect(result.skipped.map((s) => s.code)).toEqual(['unsatisfiable']);
    expect(result.skipped[0]?.reason).toContain('A record there stays');
    expect(mem.applied).toEqual([]);
  });

  it('a CNAME and an A [blue] desired at one name: the A is created, the CNAME reported (conflict.go prefers non-CNAME)', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [
      A('app.example.com', '192.0.2.1', { setIdentifier: 'blue' }),
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    expect(result.skipped.map((s) => [s.code, s.path])).toEqual([['unsatisfiable', ['desired', 1]]]);
    expect(await zoneOf(mem)).toEqual([
      'A app.example.com 192.0.2.1 [blue]',
      `TXT a-app.example.com ${marker('me')} [blue]`,
    ]);
  });

  it('a CNAME beside a weighted legacy marker TXT is reported, not sent', async () => {
    const { mem, registry } = setup([{ ...TXT('app.example.com', marker('me')), setIdentifier: 'blue' }]);
    const result = await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
    ]);
    expect(result.skipped.map((s) => s.code)).toEqual(['unsatisfiable']);
    expect(mem.applied).toEqual([]);
  });
});

describe('an old owner ID left set (D11) with spellings that differ', () => {
  it('an upper-case desired name is no update of a migrated record, and the marker beside an SPF value stays', async () => {
    const { mem, registry } = setup(
      [A('b.example.com', '192.0.2.1'), TXT('a-b.example.com', '"v=spf1 -all"', marker('me'))],
      { oldOwnerId: 'old' },
    );
    const result = await converges(registry, [A('B.EXAMPLE.COM', '192.0.2.1')]);
    expect(result.applied).toBe(false);
    expect(result.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toEqual([
      'A b.example.com 192.0.2.1',
      `TXT a-b.example.com "v=spf1 -all" ${marker('me')}`,
    ]);
  });
});

describe('configuration that can never store a marker is a ConfigError at construction', () => {
  const mem = new InMemoryProvider({ zones: ['example.com'] });
  it.each([
    [{ prefix: 'my prefix.' }, /prefix "my prefix\." has characters other than letters/],
    [{ prefix: '.%{record_type}' }, /would leave an empty label in every ownership TXT name/],
    [{ prefix: '_x..%{record_type}.' }, /would leave an empty label/],
    [{ suffix: '-txt.' }, /suffix "-txt\." would leave an empty label/],
    [{ prefix: 'a*b.' }, /prefix "a\*b\." has characters other than letters/],
    [{ wildcardReplacement: '*' }, /wildcardReplacement "\*" has characters other than letters/],
    // ExternalDNS ignores a label token with a second "=": its own markers would name no owner
    [{ ownerId: 'team=a' }, /ownerId "team=a" must not contain commas, quotes, spaces or "="/],
  ])('%j', (options, message) => {
    expect(() => new TxtRegistry(mem, { ownerId: 'me', ...options })).toThrow(message);
  });

  it('the affixes ExternalDNS documents are accepted', () => {
    for (const options of [
      { prefix: '_externaldns.%{record_type}.' },
      { prefix: '%{record_type}-abc-.' },
      { suffix: '-.%{record_type}' },
      { suffix: '.foo.bar' },
      { prefix: 'EXTDNS-', wildcardReplacement: 'wild-card' },
    ])
      expect(new TxtRegistry(mem, { ownerId: 'me', ...options }).ownerId).toBe('me');
  });
});

describe('a marker name that holds a CNAME (no prefix: `a-foo` is also a record name)', () => {
  it('the record whose marker would sit beside the CNAME is reported, not sent to fail every run', async () => {
    const { mem, registry } = setup([
      { dnsName: 'a-foo.example.com', recordType: 'CNAME', targets: ['x.example.net'] },
    ]);
    const result = await converges(registry, [
      A('foo.example.com', '192.0.2.1'),
      A('bar.example.com', '192.0.2.2'),
      { dnsName: 'a-bar.example.com', recordType: 'CNAME', targets: ['y.example.net'] },
      A('ok.example.com', '192.0.2.3'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.path])).toEqual([
      ['marker-not-writable', ['desired', 0]],
      ['marker-not-writable', ['desired', 1]],
    ]);
    expect(result.skipped[0]?.reason).toContain('holds a CNAME');
    expect(await zoneOf(mem)).toEqual([
      'A ok.example.com 192.0.2.3',
      'CNAME a-bar.example.com y.example.net',
      'CNAME a-foo.example.com x.example.net',
      `TXT a-ok.example.com ${marker('me')}`,
      `TXT cname-a-bar.example.com ${marker('me')}`,
    ]);
  });
});

describe('owner migration meets a record recreated under the old owner’s marker (D3, #6671)', () => {
  it('the record is created and its marker migrated in the same run; the next plan is empty', async () => {
    // the record was deleted by hand; its typed marker still names the old owner
    const { mem, registry } = setup([TXT('a-api.example.com', marker('old'))], {
      ownerId: 'new',
      oldOwnerId: 'old',
    });
    const result = await converges(registry, [A('api.example.com', '192.0.2.1')]);
    expect(lines(result.plan.changes.create)).toEqual(['A api.example.com 192.0.2.1']);
    expect(lines(result.plan.ownershipChanges.updateOld)).toEqual([`TXT a-api.example.com ${marker('old')}`]);
    expect(lines(result.plan.ownershipChanges.updateNew)).toEqual([`TXT a-api.example.com ${marker('new')}`]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('new')}`,
    ]);
  });
});

describe('a provider whose adjustEndpoints leaves records out (externaldns-semantics §6.15: empty answers taken literally)', () => {
  it('is a ProviderError before anything is written, not a delete of the record left out', async () => {
    const { mem } = setup([
      A('a.example.com', '192.0.2.1'),
      TXT('a-a.example.com', marker('me')),
      A('b.example.com', '192.0.2.2'),
      TXT('a-b.example.com', marker('me')),
    ]);
    // a webhook that drops what it does not like from /adjustendpoints
    const dropping = {
      name: 'webhook',
      capabilities: mem.capabilities,
      domainFilter: mem.domainFilter,
      records: (o?: Parameters<InMemoryProvider['records']>[0]) => mem.records(o),
      zones: () => mem.zones(),
      applyChanges: (c: Parameters<InMemoryProvider['applyChanges']>[0]) => mem.applyChanges(c),
      adjustEndpoints: async (eps: Endpoint[]) => (await mem.adjustEndpoints(eps)).slice(1),
    };
    const registry = new TxtRegistry(dropping, { ownerId: 'me' });
    const error = await run(registry, [
      A('a.example.com', '192.0.2.1'),
      A('b.example.com', '192.0.2.2'),
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain(
      'webhook: adjustEndpoints returned 1 endpoints for 2 desired records',
    );
    expect(mem.applied).toEqual([]);
  });
});

describe('record type lists are read in upper case (--managed-record-types=a,cname)', () => {
  it('reconcile and calculatePlan manage `a` as A', async () => {
    const { mem, registry } = setup([]);
    const result = await run(registry, [A('api.example.com', '192.0.2.1')], 'sync', {
      managedRecordTypes: ['a', 'cname'],
      excludeRecordTypes: ['aaaa'],
    });
    expect(result.skipped).toEqual([]);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('me')}`,
    ]);
    const plan = calculatePlan({
      current: [],
      desired: [endpoint({ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.2'] })],
      policy: 'sync',
      ownerId: 'me',
      managedRecordTypes: ['a'],
    });
    expect(plan.create.map((e) => e.dnsName)).toEqual(['x.example.com']);
  });
});

describe('saved plans carry the repairs above', () => {
  it('a reviewed plan (legacy marker leaving with an A that becomes a CNAME, a kept apex marker migrated) applies as shown', async () => {
    const { mem, registry } = setup(
      [
        A('app.example.com', '192.0.2.1'),
        TXT('app.example.com', marker('old')),
        A('example.com', '192.0.2.9'),
        TXT('example.com', marker('old')),
      ],
      { ownerId: 'new', oldOwnerId: 'old' },
    );
    const desired = [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
      A('example.com', '192.0.2.9'),
    ];
    const reviewed = await run(registry, desired, 'sync', { dryRun: true });
    const saved = planFromJSON(renderPlanJSON(reviewed.plan));
    const result = await applyPlan({ registry, plan: saved });
    expect(result.applied).toBe(true);
    expect(await zoneOf(mem)).toEqual([
      'A example.com 192.0.2.9',
      'CNAME app.example.com lb.example.net',
      `TXT cname-app.example.com ${marker('new')}`,
      `TXT example.com ${marker('new')}`,
    ]);
    const again = await run(registry, desired, 'sync', { dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
  });
});

describe('records nobody marked are never deleted, whatever types are managed (#1895, #580)', () => {
  it('the zone’s NS and SPF records survive a sync that manages NS and TXT and wants neither', async () => {
    const { mem, registry } = setup([
      { dnsName: 'example.com', recordType: 'NS', targets: ['ns1.example.net', 'ns2.example.net'] },
      TXT('example.com', '"v=spf1 include:_spf.example.net -all"', '"google-site-verification=abc"'),
      A('gone.example.com', '192.0.2.7'),
      TXT('a-gone.example.com', marker('me')),
    ]);
    const result = await run(registry, [A('www.example.com', '192.0.2.1')], 'sync', {
      managedRecordTypes: ['A', 'NS', 'TXT'],
    });
    expect(lines(result.plan.changes.delete)).toEqual(['A gone.example.com 192.0.2.7']);
    expect(await zoneOf(mem)).toEqual([
      'A www.example.com 192.0.2.1',
      'NS example.com ns1.example.net ns2.example.net',
      `TXT a-www.example.com ${marker('me')}`,
      'TXT example.com "v=spf1 include:_spf.example.net -all" "google-site-verification=abc"',
    ]);
  });
});

describe('a record-type transition that reuses a marker name in the same batch (#6617, comment of 2026-09-02)', () => {
  it('A+AAAA ALIAS marked `cname-`/`aaaa-` → CNAME: the CNAME keeps the `cname-` marker, nothing is orphaned', async () => {
    const alias = [{ name: 'alias', value: 'true' }];
    const { mem, registry } = setup([
      // AWS ALIAS records point at a load balancer's name
      A('app.example.com', 'lb-1.elb.us-east-1.amazonaws.com', { providerSpecific: alias }),
      {
        dnsName: 'app.example.com',
        recordType: 'AAAA',
        targets: ['lb-1.elb.us-east-1.amazonaws.com'],
        providerSpecific: alias,
      },
      TXT('cname-app.example.com', marker('me')),
      TXT('aaaa-app.example.com', marker('me')),
    ]);
    await converges(registry, [
      { dnsName: 'app.example.com', recordType: 'CNAME', targets: ['stable.example.com'] },
    ]);
    expect(await zoneOf(mem)).toEqual([
      'CNAME app.example.com stable.example.com',
      `TXT cname-app.example.com ${marker('me')}`,
    ]);
    expect((await registry.records()).map((e) => [e.recordType, e.labels.owner])).toEqual([['CNAME', 'me']]);
  });
});

describe('a CNAME created where a marker of ours leaves in the same run', () => {
  it('no prefix: deleting A b (marker `a-b`) and creating CNAME a-b converge in one run', async () => {
    const { mem, registry } = setup([A('b.example.com', '192.0.2.1'), TXT('a-b.example.com', marker('me'))]);
    await converges(registry, [
      { dnsName: 'a-b.example.com', recordType: 'CNAME', targets: ['t.example.net'] },
    ]);
    expect(await zoneOf(mem)).toEqual([
      'CNAME a-b.example.com t.example.net',
      `TXT cname-a-b.example.com ${marker('me')}`,
    ]);
  });
});

describe('the apex legacy marker on a provider that lists no zones (a webhook, #4790)', () => {
  it('its domain filter bounds the typed marker name: the legacy marker is kept, the run converges', async () => {
    const mem = new InMemoryProvider({
      zones: ['example.com'],
      records: [A('example.com', '192.0.2.1'), TXT('example.com', marker('me'))],
      domainFilter: new DomainFilter({ include: ['example.com'] }),
    });
    // what ExternalDNS's webhook negotiation gives: a domain filter, no zone list
    const webhook = {
      name: 'webhook',
      capabilities: mem.capabilities,
      domainFilter: mem.domainFilter,
      records: (o?: Parameters<InMemoryProvider['records']>[0]) => mem.records(o),
      applyChanges: (c: Parameters<InMemoryProvider['applyChanges']>[0]) => mem.applyChanges(c),
      adjustEndpoints: (eps: Endpoint[]) => mem.adjustEndpoints(eps),
    };
    const registry = new TxtRegistry(webhook, { ownerId: 'me' });
    await converges(registry, [A('example.com', '192.0.2.2')]);
    expect(await zoneOf(mem)).toEqual(['A example.com 192.0.2.2', `TXT example.com ${marker('me')}`]);
    expect(registry.warnings[0]?.message).toContain("would lie outside webhook's domain filter");
  });
});

describe('an apex record deleted by hand under its legacy marker (D12)', () => {
  it('is recreated under that marker; no typed marker is tried outside the zone', async () => {
    const { mem, registry } = setup([TXT('example.com', marker('me'))]);
    const result = await converges(registry, [A('example.com', '192.0.2.1')]);
    expect(lines(result.plan.changes.create)).toEqual(['A example.com 192.0.2.1']);
    expect(result.plan.ownershipChanges.create).toEqual([]);
    expect(await zoneOf(mem)).toEqual(['A example.com 192.0.2.1', `TXT example.com ${marker('me')}`]);
    expect((await registry.records())[0]?.labels.owner).toBe('me');
  });

  it('another owner’s legacy marker there: still reported, not created', async () => {
    const { mem, registry } = setup([TXT('example.com', marker('other'))]);
    const result = await converges(registry, [A('example.com', '192.0.2.1')]);
    expect(result.skipped.map((s) => s.code)).toEqual(['marker-not-writable']);
    expect(mem.applied).toEqual([]);
  });
});
