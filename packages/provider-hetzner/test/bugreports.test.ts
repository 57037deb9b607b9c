// Behaviours from bug reports about ExternalDNS on Hetzner (the in-tree provider and the Hetzner
// webhooks), replayed through core's planner and TXT registry against the loopback fake of the
// Hetzner Cloud DNS API. Each test names the report it follows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  isDnsError,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import { HetznerProvider, type HetznerProviderOptions } from '@openova/dns-provider-hetzner';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';

const ZONE = 'hz.test';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV'];
let fake: FakeHetzner;
const providers: HetznerProvider[] = [];

beforeEach(async () => {
  fake = await startFakeHetzner();
  fake.addZone({ name: ZONE, ttl: 3600 });
});
afterEach(async () => {
  for (const p of providers.splice(0)) await p.client.close();
  await fake?.close();
});

function setup(options: Partial<HetznerProviderOptions> = {}, managed = MANAGED, include = [ZONE]) {
  const provider = new HetznerProvider({
    token: 'test-token',
    baseUrl: fake.url,
    domainFilter: new DomainFilter({ include }),
    pollIntervalMs: 1,
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  providers.push(provider);
  const registry = new TxtRegistry(provider, {
    ownerId: 'me',
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: managed,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false, managed = MANAGED) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: managed, dryRun, safety: false });
const rrset = (zone: string, name: string, type: string) =>
  fake.rrsets(zone).find((r) => r.name === name && r.type === type);
const values = (zone: string, name: string, type: string) =>
  rrset(zone, name, type)
    ?.records.map((r) => r.value)
    .sort();
const writes = () => fake.requests.filter((r) => r.method !== 'GET');

describe('host names in values', () => {
  // hetzner/external-dns-hetzner-webhook#77 and #164, kubernetes-sigs/external-dns#6145: ExternalDNS
  // strips the trailing dot of CNAME targets, and Hetzner reads a host name without one as relative
  // to the zone (`foo.mytarget.com.myzone.com`). Every host name is written absolute.
  it('#77/#6145: CNAME, MX and SRV targets without a trailing dot are stored absolute, in and out of the zone', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `ext.${ZONE}`, recordType: 'CNAME', targets: ['nginx.other.test'] },
      { dnsName: `int.${ZONE}`, recordType: 'CNAME', targets: [`nginx.${ZONE}`] },
      { dnsName: `mail.${ZONE}`, recordType: 'MX', targets: ['10 mx.other.test'] },
      { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['1 1 5060 sip.other.test'] },
    ];
    await run(registry, desired);
    expect(values(ZONE, 'ext', 'CNAME')).toEqual(['nginx.other.test.']);
    expect(values(ZONE, 'int', 'CNAME')).toEqual([`nginx.${ZONE}.`]);
    expect(values(ZONE, 'mail', 'MX')).toEqual(['10 mx.other.test.']);
    expect(values(ZONE, '_sip._tcp', 'SRV')).toEqual(['1 1 5060 sip.other.test.']);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });

  // mconfalonieri/external-dns-hetzner-webhook#20: a CNAME written by hand relative to the zone
  // (`www CNAME web`) means web.<zone>; read that way, the desired absolute form plans nothing.
  it('#20: a hand-written relative CNAME reads as the name in the zone, so the same desired target plans nothing', async () => {
    fake.putRRSet(ZONE, { name: 'www', type: 'CNAME', records: [{ value: 'web', comment: null }] });
    fake.putRRSet(ZONE, {
      name: '_owner.cname.www',
      type: 'TXT',
      records: [{ value: '"heritage=external-dns,external-dns/owner=me"', comment: null }],
    });
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `www.${ZONE}`, recordType: 'CNAME', targets: [`web.${ZONE}`] },
    ];
    const result = await run(registry, desired, true);
    expect(result.plan.changes).toEqual(emptyChanges());
  });
});

describe('zones', () => {
  // hetzner/external-dns-hetzner-webhook#111/#112: records of `longernameexample.com` went to
  // `example.com` because the name ends with it; and a delegated sub-zone must win over its parent.
  it('#112: a record goes to the longest zone that holds it, never to a zone that is only a suffix of its name', async () => {
    fake.addZone({ name: 'example.test', ttl: 3600 });
    fake.addZone({ name: 'longernameexample.test', ttl: 3600 });
    fake.addZone({ name: 'sub.example.test', ttl: 3600 });
    const { registry } = setup({}, MANAGED, ['example.test', 'longernameexample.test', 'sub.example.test']);
    const desired: EndpointInit[] = [
      { dnsName: 'www.longernameexample.test', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: 'app.sub.example.test', recordType: 'A', targets: ['192.0.2.3'] },
    ];
    await run(registry, desired);
    expect(values('longernameexample.test', 'www', 'A')).toEqual(['192.0.2.1']);
    expect(values('example.test', 'www', 'A')).toEqual(['192.0.2.2']);
    expect(values('sub.example.test', 'app', 'A')).toEqual(['192.0.2.3']);
    expect(
      fake.rrsets('example.test').some((r) => r.name.includes('longernameexample') || r.name.includes('sub')),
    ).toBe(false);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });

  // Hetzner lists at most 50 RRSets per page; the ExternalDNS webhooks had pagination bugs that
  // made records on later pages invisible (created again, or never deleted).
  it('records past the first pages are seen: no duplicate create, the delete reaches them, 120 others stay', async () => {
    for (let i = 0; i < 120; i++)
      fake.putRRSet(ZONE, {
        name: `filler-${String(i).padStart(3, '0')}`,
        type: 'A',
        records: [{ value: '198.51.100.1', comment: null }],
      });
    const { registry } = setup();
    const desired: EndpointInit[] = [{ dnsName: `zz-last.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] }];
    await run(registry, desired);
    const before = writes().length;
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
    expect(writes().length).toBe(before);
    expect(
      fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/rrsets')).length,
    ).toBeGreaterThanOrEqual(3);
    await run(registry, []);
    expect(rrset(ZONE, 'zz-last', 'A')).toBeUndefined();
    expect(fake.rrsets(ZONE).filter((r) => r.name.startsWith('filler-'))).toHaveLength(120);
  });
});

describe('TTLs and the apex', () => {
  // Hetzner RRSets may have `ttl: null` (the zone's default). A record of ours set up that way
  // plans nothing without a desired TTL, and a desired TTL is one change that then holds.
  it('an RRSet with ttl null: no TTL desired plans nothing; a TTL desired is written once', async () => {
    fake.putRRSet(ZONE, {
      name: 'app',
      type: 'A',
      ttl: null,
      records: [{ value: '192.0.2.5', comment: null }],
    });
    fake.putRRSet(ZONE, {
      name: '_owner.a.app',
      type: 'TXT',
      ttl: null,
      records: [{ value: '"heritage=external-dns,external-dns/owner=me"', comment: null }],
    });
    const { registry } = setup();
    const unset: EndpointInit[] = [{ dnsName: `app.${ZONE}`, recordType: 'A', targets: ['192.0.2.5'] }];
    expect((await run(registry, unset, true)).plan.changes).toEqual(emptyChanges());
    const withTtl = [{ ...unset[0]!, recordTTL: 600 }];
    const result = await run(registry, withTtl);
    expect(result.plan.changes.updateNew.map((e) => e.recordTTL)).toEqual([600]);
    expect(rrset(ZONE, 'app', 'A')?.ttl).toBe(600);
    expect((await run(registry, withTtl, true)).plan.changes).toEqual(emptyChanges());
  });

  // kubernetes-sigs/external-dns#1869: a CNAME and the registry TXT at the same name; Hetzner
  // refused the CNAME and ExternalDNS created another TXT every minute. The marker has its own name;
  // the second run writes nothing.
  it('#1869: a CNAME at the apex-adjacent name and its marker are written once; the next runs write nothing', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `test.${ZONE}`, recordType: 'CNAME', targets: ['domain.other.test.'] },
    ];
    await run(registry, desired);
    expect(values(ZONE, 'test', 'CNAME')).toEqual(['domain.other.test.']);
    expect(rrset(ZONE, 'test', 'TXT')).toBeUndefined();
    const before = writes().length;
    await run(registry, desired);
    await run(registry, desired);
    expect(writes().length).toBe(before);
    expect(fake.rrsets(ZONE).filter((r) => r.type === 'TXT')).toHaveLength(1);
  });

  // The apex is `@` in Hetzner; a hand-made SPF TXT there stays while our apex A comes and goes.
  it('the apex A is written at @; a hand-made TXT at @ stays through create and delete', async () => {
    fake.putRRSet(ZONE, { name: '@', type: 'TXT', records: [{ value: '"v=spf1 mx -all"', comment: null }] });
    const defaults: RecordType[] = ['A', 'AAAA', 'CNAME'];
    const { registry } = setup({}, defaults);
    const desired: EndpointInit[] = [{ dnsName: ZONE, recordType: 'A', targets: ['192.0.2.80'] }];
    await run(registry, desired, false, defaults);
    expect(values(ZONE, '@', 'A')).toEqual(['192.0.2.80']);
    expect((await run(registry, desired, true, defaults)).plan.changes).toEqual(emptyChanges());
    await run(registry, [], false, defaults);
    expect(rrset(ZONE, '@', 'A')).toBeUndefined();
    expect(values(ZONE, '@', 'TXT')).toEqual(['"v=spf1 mx -all"']);
  });
});

describe('TXT values as Hetzner returns them', () => {
  // DNSControl#1069 (Hetzner): values of several strings came back with a trailing space
  // (`"AA…A" "BB…B" `), and timohirt/terraform-provider-hetznerdns#7: a value with `;` came back
  // quoted; both made a never-ending update. Read back, they are the value we wrote: no update.
  it('a long TXT returned with a trailing space, and a DKIM value with semicolons, plan nothing', async () => {
    const long = `${'a'.repeat(255)}${'b'.repeat(45)}`;
    const marker = '"heritage=external-dns,external-dns/owner=me"';
    fake.putRRSet(ZONE, {
      name: 'long',
      type: 'TXT',
      records: [{ value: `"${'a'.repeat(255)}" "${'b'.repeat(45)}" `, comment: null }],
    });
    fake.putRRSet(ZONE, {
      name: '_owner.txt.long',
      type: 'TXT',
      records: [{ value: marker, comment: null }],
    });
    fake.putRRSet(ZONE, {
      name: 'google._domainkey',
      type: 'TXT',
      records: [{ value: '"v=DKIM1;k=rsa;p=OLOL"', comment: null }],
    });
    fake.putRRSet(ZONE, {
      name: '_owner.txt.google._domainkey',
      type: 'TXT',
      records: [{ value: marker, comment: null }],
    });
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `long.${ZONE}`, recordType: 'TXT', targets: [long] },
      { dnsName: `google._domainkey.${ZONE}`, recordType: 'TXT', targets: ['v=DKIM1;k=rsa;p=OLOL'] },
    ];
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });
});

describe('protected RRSets', () => {
  // Hetzner RRSets can be protected against change (protection.change, error `protected`), e.g. by
  // an operator guarding the apex. A protected record of ours is reported, never left without its
  // marker (its marker is not deleted while the record stays), and the rest of the run is applied.
  it('a protected record of ours: the update and the delete are refused with a typed error; its marker stays; others apply', async () => {
    const { registry } = setup();
    await run(registry, [
      { dnsName: `guarded.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `free.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'] },
    ]);
    fake.protect(ZONE, 'guarded', 'A');
    const changed = await run(registry, [
      { dnsName: `guarded.${ZONE}`, recordType: 'A', targets: ['192.0.2.11'] },
      { dnsName: `free.${ZONE}`, recordType: 'A', targets: ['192.0.2.22'] },
    ]).catch((e: unknown) => e);
    expect(isDnsError(changed)).toBe(true);
    expect(String((changed as Error).message)).toContain(`guarded.${ZONE}`);
    expect(values(ZONE, 'guarded', 'A')).toEqual(['192.0.2.1']);
    expect(values(ZONE, 'free', 'A')).toEqual(['192.0.2.22']);
    const emptied = await run(registry, []).catch((e: unknown) => e);
    expect(isDnsError(emptied)).toBe(true);
    expect(values(ZONE, 'guarded', 'A')).toEqual(['192.0.2.1']);
    expect(rrset(ZONE, '_owner.a.guarded', 'TXT')).toBeDefined();
    expect(rrset(ZONE, 'free', 'A')).toBeUndefined();
    expect(rrset(ZONE, '_owner.a.free', 'TXT')).toBeUndefined();
  });
});
