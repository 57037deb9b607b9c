// Behaviours from ExternalDNS bug reports about its Azure DNS provider, replayed through core's
// planner and TXT registry against the loopback fake of both APIs. Each test names the report.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import { AzureDnsProvider, type AzureDnsProviderOptions } from '@openova/dns-provider-azure';
import {
  fakeCredential,
  startFakeAzureDns,
  type LoopbackFakeAzureDns,
} from '@openova/dns-provider-azure/testing';

const SUB = '00000000-0000-0000-0000-000000000001';
const ZONE = 'example.com';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV'];
let fake: LoopbackFakeAzureDns;
const providers: AzureDnsProvider[] = [];

beforeEach(async () => {
  fake = await startFakeAzureDns({ limits: false });
  fake.addZone({ name: ZONE });
});
afterEach(async () => {
  for (const p of providers.splice(0)) await p.client.close();
  await fake?.close();
});

function setup(options: Partial<AzureDnsProviderOptions> = {}, ownerId = 'me', managed = MANAGED) {
  const provider = new AzureDnsProvider({
    subscriptionId: SUB,
    credential: fakeCredential(),
    endpoint: fake.url,
    domainFilter: new DomainFilter({ include: [ZONE] }),
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  providers.push(provider);
  const registry = new TxtRegistry(provider, {
    ownerId,
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: managed,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false, managed = MANAGED) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: managed, dryRun, safety: false });
const props = (type: string, name: string) => fake.recordSet({ name: ZONE }, type, name)?.properties;

describe('the apex', () => {
  // kubernetes-sigs/external-dns#1372: five clusters writing one zone all updated the apex `@` A and
  // TXT records. With owner ids, the apex belongs to the first writer; the others leave it alone.
  it('#1372: the apex @ is written by its owner; another owner plans nothing there and changes nothing', async () => {
    const first = setup({}, 'cluster-a');
    const desired: EndpointInit[] = [{ dnsName: ZONE, recordType: 'A', targets: ['203.0.113.1'] }];
    expect((await run(first.registry, desired)).applied).toBe(true);
    expect(props('A', '@')?.ARecords).toEqual([{ ipv4Address: '203.0.113.1' }]);
    expect((await run(first.registry, desired, true)).plan.changes).toEqual(emptyChanges());

    const second = setup({}, 'cluster-b');
    const theirs = await run(second.registry, [{ dnsName: ZONE, recordType: 'A', targets: ['203.0.113.2'] }]);
    expect(theirs.applied).toBe(false);
    expect(theirs.skipped.map((s) => s.code)).toEqual(['owned-by-other']);
    // and an empty sync of the second cluster deletes nothing of the first
    await run(second.registry, []);
    expect(props('A', '@')?.ARecords).toEqual([{ ipv4Address: '203.0.113.1' }]);
  });

  // Azure DNS zones are usually created with an SPF / verification TXT at `@`. ExternalDNS's default
  // managed types (A, AAAA, CNAME) never touch it, while an apex A is managed.
  it('a hand-made TXT at @ (SPF, verification) stays while the apex A is managed and deleted', async () => {
    fake.seed({ name: ZONE }, 'TXT', '@', {
      TTL: 3600,
      TXTRecords: [
        { value: ['v=spf1 include:spf.protection.outlook.com -all'] },
        { value: ['MS=ms12345678'] },
      ],
    });
    const defaults: RecordType[] = ['A', 'AAAA', 'CNAME'];
    const { registry } = setup({}, 'me', defaults);
    const desired: EndpointInit[] = [{ dnsName: ZONE, recordType: 'A', targets: ['203.0.113.1'] }];
    await run(registry, desired, false, defaults);
    expect((await run(registry, desired, true, defaults)).plan.changes).toEqual(emptyChanges());
    await run(registry, [], false, defaults);
    expect(props('A', '@')).toBeUndefined();
    expect(props('TXT', '@')?.TXTRecords).toEqual([
      { value: ['v=spf1 include:spf.protection.outlook.com -all'] },
      { value: ['MS=ms12345678'] },
    ]);
  });
});

describe('record sets made in the portal', () => {
  // Azure DNS names are case-insensitive and keep the casing they were created with: a set made as
  // `WWW` with ExternalDNS's marker is the same name as `www` and must not be created twice.
  it('a portal-made WWW (upper case) with our marker is updated in place, not duplicated', async () => {
    fake.seed({ name: ZONE }, 'A', 'WWW', { TTL: 300, ARecords: [{ ipv4Address: '203.0.113.10' }] });
    fake.seed({ name: ZONE }, 'TXT', '_owner.a.WWW', {
      TTL: 300,
      TXTRecords: [{ value: ['"heritage=external-dns,external-dns/owner=me"'] }],
    });
    const { registry } = setup();
    const desired: EndpointInit[] = [{ dnsName: `www.${ZONE}`, recordType: 'A', targets: ['203.0.113.20'] }];
    const result = await run(registry, desired);
    expect(result.plan.changes.create).toEqual([]);
    expect(result.plan.changes.updateNew.map((e) => e.dnsName)).toEqual([`www.${ZONE}`]);
    const sets = fake
      .recordSets({ name: ZONE })
      .filter((s) => s.type === 'A' && s.name.toLowerCase() === 'www');
    expect(sets).toHaveLength(1);
    expect(sets[0]?.properties['ARecords']).toEqual([{ ipv4Address: '203.0.113.20' }]);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });

  // ExternalDNS issues on CNAME TTLs and MX/SRV parsing: a TTL-only change to a CNAME is written, and
  // MX/SRV targets with trailing dots (as users write them) plan to nothing once written.
  it('a CNAME TTL change alone is written; MX and SRV with trailing dots converge', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `app.${ZONE}`, recordType: 'CNAME', targets: ['app.azurewebsites.net.'], recordTTL: 300 },
      { dnsName: `mail.${ZONE}`, recordType: 'MX', targets: ['10 mx1.example.net.', '20 MX2.example.net'] },
      { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 60 5060 sip.example.net.'] },
    ];
    await run(registry, desired);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
    expect(props('MX', 'mail')?.MXRecords).toEqual([
      { preference: 10, exchange: 'mx1.example.net' },
      { preference: 20, exchange: 'mx2.example.net' },
    ]);
    const longer = desired.map((d) => (d.recordType === 'CNAME' ? { ...d, recordTTL: 3600 } : d));
    const result = await run(registry, longer);
    expect(result.plan.changes.updateNew.map((e) => `${e.recordType} ${e.recordTTL}`)).toEqual([
      'CNAME 3600',
    ]);
    expect(props('CNAME', 'app')).toMatchObject({
      TTL: 3600,
      CNAMERecord: { cname: 'app.azurewebsites.net' },
    });
    expect((await run(registry, longer, true)).plan.changes).toEqual(emptyChanges());
  });
});

describe('private DNS zones', () => {
  // kubernetes-sigs/external-dns#1373 (unchanged private records updated every minute), #1392
  // (private records created but never deleted) and #1396 (two private zones in one resource group
  // with a domain filter: nothing worked).
  it('#1373/#1392/#1396: in one of two private zones: created, not rewritten, deleted; the other zone untouched', async () => {
    fake.addZone({ kind: 'private', name: 'foobar.internal' });
    fake.addZone({ kind: 'private', name: 'barfoo.internal' });
    fake.seed({ kind: 'private', name: 'barfoo.internal' }, 'A', 'db', {
      ttl: 300,
      aRecords: [{ ipv4Address: '10.9.9.9' }],
    });
    const { registry } = setup({
      zoneType: 'private',
      domainFilter: new DomainFilter({ include: ['foobar.internal'] }),
    });
    const desired: EndpointInit[] = [
      { dnsName: 'db.foobar.internal', recordType: 'A', targets: ['10.0.0.5'] },
      { dnsName: 'txt.foobar.internal', recordType: 'TXT', targets: ['hello world'] },
    ];
    expect((await run(registry, desired)).applied).toBe(true);
    const privateProps = (zone: string, type: string, name: string) =>
      fake.recordSet({ kind: 'private', name: zone }, type, name)?.properties;
    expect(privateProps('foobar.internal', 'A', 'db')).toEqual({
      ttl: 300,
      aRecords: [{ ipv4Address: '10.0.0.5' }],
    });
    const writes = () => fake.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const again = await run(registry, desired);
    expect(again.plan.changes).toEqual(emptyChanges());
    expect(writes()).toBe(before);
    await run(registry, []);
    expect(privateProps('foobar.internal', 'A', 'db')).toBeUndefined();
    expect(privateProps('foobar.internal', 'TXT', '_owner.a.db')).toBeUndefined();
    expect(privateProps('foobar.internal', 'TXT', 'txt')).toBeUndefined();
    expect(privateProps('barfoo.internal', 'A', 'db')).toEqual({
      ttl: 300,
      aRecords: [{ ipv4Address: '10.9.9.9' }],
    });
  });
});

describe('record sets ExternalDNS could not read', () => {
  // kubernetes-sigs/external-dns#923 and #1388 (SRV record sets in the zone: "Failed to extract
  // targets", other updates stopped) and #2613 (alias record sets: the same). Record sets of any
  // shape nobody owns are read, never block our changes, and are never touched.
  it('#923/#1388/#2613: hand-made SRV and alias record sets neither block our records nor get changed', async () => {
    const ip = `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/ip1`;
    fake.seed({ name: ZONE }, 'SRV', '_sipfederationtls._tcp', {
      TTL: 3600,
      SRVRecords: [{ priority: 100, weight: 1, port: 5061, target: 'sipfed.online.lync.com' }],
    });
    fake.seed({ name: ZONE }, 'A', 'frontdoor', { TTL: 60, targetResource: { id: ip } });
    const { registry, provider } = setup();
    const read = await provider.records();
    expect(read.find((e) => e.dnsName === `_sipfederationtls._tcp.${ZONE}`)?.targets).toEqual([
      '100 1 5061 sipfed.online.lync.com',
    ]);
    expect(read.find((e) => e.dnsName === `frontdoor.${ZONE}`)?.targets).toEqual([ip]);
    const desired: EndpointInit[] = [{ dnsName: `app.${ZONE}`, recordType: 'A', targets: ['203.0.113.5'] }];
    expect((await run(registry, desired)).applied).toBe(true);
    expect(props('A', 'app')?.ARecords).toEqual([{ ipv4Address: '203.0.113.5' }]);
    await run(registry, []);
    expect(props('SRV', '_sipfederationtls._tcp')?.SRVRecords).toEqual([
      { priority: 100, weight: 1, port: 5061, target: 'sipfed.online.lync.com' },
    ]);
    expect(props('A', 'frontdoor')).toEqual({ TTL: 60, targetResource: { id: ip } });
    expect(props('A', 'app')).toBeUndefined();
  });
});
