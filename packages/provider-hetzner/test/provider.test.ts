// Core's planner and TXT registry driving HetznerProvider against the loopback fake: names and
// targets, shuffled values, TTLs, labels, the write order without transactions, request counts,
// and what a failure leaves behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  endpoint,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type RecordType,
  ValidationError,
} from '@openova/dns-core';
import {
  HetznerApplyError,
  HetznerProvider,
  LABEL_PROPERTY_PREFIX,
  type HetznerProviderOptions,
} from '@openova/dns-provider-hetzner';
import {
  HETZNER_NAMESERVERS,
  startFakeHetzner,
  type FakeHetzner,
  type FakeHetznerOptions,
} from '@openova/dns-provider-hetzner/testing';

const ZONE = 'hz.test';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'NS'];
let fake: FakeHetzner;
const providers: HetznerProvider[] = [];

async function start(options: FakeHetznerOptions = {}) {
  fake = await startFakeHetzner(options);
  fake.addZone({ name: ZONE, ttl: 3600 });
  fake.addZone({ name: 'sec.test', mode: 'secondary' });
}

beforeEach(() => start());
afterEach(async () => {
  for (const p of providers.splice(0)) await p.client.close();
  await fake?.close();
});

function setup(options: Partial<HetznerProviderOptions> = {}) {
  const provider = new HetznerProvider({
    token: 'test-token',
    baseUrl: fake.url,
    domainFilter: new DomainFilter({ include: [ZONE, 'sec.test'] }),
    pollIntervalMs: 1,
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  providers.push(provider);
  const registry = new TxtRegistry(provider, {
    ownerId: 'me',
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: MANAGED,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[]) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED, safety: false });

const stored = (name: string, type: string) =>
  fake.rrsets(ZONE).find((r) => r.name === name && r.type === type);
const values = (name: string, type: string) =>
  stored(name, type)
    ?.records.map((r) => r.value)
    .sort();

describe('names and targets', () => {
  it('writes relative names and absolute host targets; a second plan is empty', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: ZONE, recordType: 'MX', targets: ['10 mail.hz.test', '20 mx.example.net'] },
      { dnsName: `WWW.${ZONE}.`, recordType: 'CNAME', targets: ['Edge.Example.NET.'] },
      { dnsName: `app.${ZONE}`, recordType: 'CNAME', targets: [`www.${ZONE}`] },
      { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 5 5060 sip.example.net'] },
      { dnsName: `bücher.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: ['v=spf1 -all'] },
    ];
    const first = await run(registry, desired);
    expect(first.plan.hasChanges).toBe(true);
    expect(values('@', 'MX')).toEqual(['10 mail.hz.test.', '20 mx.example.net.']);
    expect(values('www', 'CNAME')).toEqual(['edge.example.net.']);
    expect(values('app', 'CNAME')).toEqual(['www.hz.test.']);
    expect(values('_sip._tcp', 'SRV')).toEqual(['10 5 5060 sip.example.net.']);
    expect(values('xn--bcher-kva', 'A')).toEqual(['192.0.2.1']);
    expect(values('txt', 'TXT')).toEqual(['"v=spf1 -all"']);
    expect(stored('_owner.a.xn--bcher-kva', 'TXT')).toBeDefined();
    for (let i = 0; i < 3; i++) expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });

  it('reads relative names and targets written by others in canonical form', async () => {
    const { provider } = setup();
    fake.putRRSet(ZONE, { name: 'alias', type: 'CNAME', records: [{ value: 'www', comment: null }] });
    fake.putRRSet(ZONE, {
      name: '@',
      type: 'MX',
      records: [
        { value: '10 @', comment: null },
        { value: '20 mail', comment: null },
      ],
    });
    fake.putRRSet(ZONE, {
      name: 'ext',
      type: 'CNAME',
      records: [{ value: 'target.example.net.', comment: null }],
    });
    const eps = await provider.records();
    const get = (name: string, type: string) => eps.find((e) => e.dnsName === name && e.recordType === type);
    expect(get(`alias.${ZONE}`, 'CNAME')?.targets).toEqual([`www.${ZONE}`]);
    expect(get(ZONE, 'MX')?.targets).toEqual([`10 ${ZONE}`, `20 mail.${ZONE}`]);
    expect(get(`ext.${ZONE}`, 'CNAME')?.targets).toEqual(['target.example.net']);
  });

  it('values come back in shuffled order; every later plan is still empty', async () => {
    const { registry, provider } = setup();
    const targets = Array.from({ length: 12 }, (_, i) => `192.0.2.${i + 1}`);
    const desired: EndpointInit[] = [
      { dnsName: `many.${ZONE}`, recordType: 'A', targets: [...targets].reverse() },
    ];
    await run(registry, desired);
    // the fake returns values in a different order on each read; records() sorts them
    const reads = await Promise.all([provider.records(), provider.records()]);
    for (const eps of reads)
      expect(eps.find((e) => e.dnsName === `many.${ZONE}`)?.targets).toEqual([...targets].sort());
    for (let i = 0; i < 4; i++) expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });
});

describe('secondary zones', () => {
  it('a desired record in a secondary zone is reported as not written; the others are applied (dry run alike)', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'x.sec.test', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: `b.${ZONE}`, recordType: 'A', targets: ['192.0.2.3'] },
    ];
    const dry = await reconcile({
      registry,
      desired,
      policy: 'sync',
      managedRecordTypes: MANAGED,
      dryRun: true,
    });
    expect(dry.skipped.map((k) => [k.code, k.path])).toEqual([['outside-domain-filter', ['desired', 1]]]);
    const result = await run(registry, desired);
    expect(result.applied).toBe(true);
    expect(result.skipped.map((k) => k.path)).toEqual([['desired', 1]]);
    expect(values('a', 'A')).toEqual(['192.0.2.1']);
    expect(values('b', 'A')).toEqual(['192.0.2.3']);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });
});

describe('TTL and labels', () => {
  it('an RRSet without TTL uses the zone default; an unset desired TTL never changes a stored TTL', async () => {
    const { registry, provider } = setup();
    await run(registry, [{ dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    expect(stored('a', 'A')?.ttl).toBeNull();
    expect((await provider.records()).find((e) => e.dnsName === `a.${ZONE}`)?.recordTTL).toBe(3600);

    await run(registry, [{ dnsName: `b.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 900 }]);
    // unset TTL, new target: the stored 900 stays
    await run(registry, [{ dnsName: `b.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'] }]);
    expect(stored('b', 'A')).toMatchObject({ ttl: 900, records: [{ value: '192.0.2.2' }] });
  });

  it('RRSet labels are provider-specific properties (the Hetzner webhook names), slashes escaped', async () => {
    const { registry, provider } = setup();
    const props = [
      { name: `${LABEL_PROPERTY_PREFIX}team`, value: 'dns' },
      { name: `${LABEL_PROPERTY_PREFIX}example.com--slash--tier`, value: 'gold' },
    ];
    const desired: EndpointInit[] = [
      { dnsName: `l.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], providerSpecific: props },
    ];
    await run(registry, desired);
    expect(stored('l', 'A')?.labels).toEqual({ team: 'dns', 'example.com/tier': 'gold' });
    const ep = (await provider.records()).find((e) => e.dnsName === `l.${ZONE}`);
    expect(ep?.providerSpecific).toEqual([...props].sort((a, b) => (a.name < b.name ? -1 : 1)));
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
    await run(registry, [
      { ...desired[0]!, providerSpecific: [{ name: `${LABEL_PROPERTY_PREFIX}team`, value: 'ops' }] },
    ]);
    expect(stored('l', 'A')?.labels).toEqual({ team: 'ops' });
  });

  it('RRSet labels Hetzner refuses (a key name over 63, a prefix over 253, a bad value) are a ValidationError at desired[i] before any write, dry run alike', async () => {
    const { registry, provider } = setup();
    const long = 'k'.repeat(64);
    const longPrefix = Array.from({ length: 5 }, () => 'p'.repeat(60)).join('.');
    const label = (key: string, value = 'v') => ({ name: `${LABEL_PROPERTY_PREFIX}${key}`, value });
    const desired: EndpointInit[] = [
      { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], providerSpecific: [label('team')] },
      { dnsName: `l1.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], providerSpecific: [label(long)] },
      {
        dnsName: `l2.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [label('team'), label(`${longPrefix}--slash--tier`)],
      },
      {
        dnsName: `l3.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [label('team', '-bad')],
      },
      {
        dnsName: `l4.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [label('team', 'v'.repeat(64))],
      },
    ];
    for (const dryRun of [true, false]) {
      const error = await reconcile({
        registry,
        desired,
        policy: 'sync',
        managedRecordTypes: MANAGED,
        dryRun,
      })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
        [['desired', 1, 'providerSpecific', 0, 'name'], 'invalid_label'],
        [['desired', 2, 'providerSpecific', 1, 'name'], 'invalid_label'],
        [['desired', 3, 'providerSpecific', 0, 'value'], 'invalid_label'],
        [['desired', 4, 'providerSpecific', 0, 'value'], 'invalid_label'],
      ]);
    }
    const direct = await provider
      .applyChanges({ ...emptyChanges(), create: [endpoint(desired[1] as EndpointInit)] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect((direct as ValidationError).issues[0]?.path).toEqual(['create', 0, 'providerSpecific', 0, 'name']);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('the fake refuses such labels as Hetzner does (400 invalid_input)', async () => {
    const zoneId = fake.addZone({ name: 'labels.test' });
    const res = await fetch(`${fake.url}/zones/${zoneId}/rrsets`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'x',
        type: 'A',
        records: [{ value: '192.0.2.1' }],
        labels: { ['k'.repeat(64)]: 'v' },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
  });
});

describe("Hetzner's apex SOA and NS", () => {
  const own = () =>
    fake
      .rrsets(ZONE)
      .filter((r) => r.name === '@')
      .map((r) => ({ type: r.type, values: r.records.map((v) => v.value).sort() }));

  it('a new zone has them, as Hetzner creates it; the provider neither returns them nor writes them, in a full sync with NS managed', async () => {
    expect(own().map((o) => o.type)).toEqual(['NS', 'SOA']);
    expect(own()[0]?.values).toEqual(HETZNER_NAMESERVERS.map((n) => `${n}.`).sort());
    const { provider, registry } = setup();
    expect((await provider.records()).filter((e) => e.dnsName === ZONE)).toEqual([]);
    const ns = own().find((o) => o.type === 'NS');
    const desired: EndpointInit[] = [
      { dnsName: ZONE, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `sub.${ZONE}`, recordType: 'NS', targets: ['ns1.example.net'] },
    ];
    await run(registry, desired);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
    await run(registry, []); // everything of ours deleted again
    // the SOA serial moved with every change (Hetzner keeps it); the NS is as it was
    expect(own().find((o) => o.type === 'NS')).toEqual(ns);
    // no request addressed an apex RRSet
    expect(fake.requests.filter((r) => r.method !== 'GET' && r.path.includes('/rrsets/@/'))).toEqual([]);
    expect(fake.rrsets(ZONE).map((r) => `${r.name}/${r.type}`)).toEqual(['@/NS', '@/SOA']);
  });

  it('a desired apex NS (or a direct write of it) is a ValidationError before anything is sent', async () => {
    const { provider, registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: ZONE, recordType: 'NS', targets: ['ns1.example.net'] },
    ];
    for (const dryRun of [true, false]) {
      const error = await reconcile({
        registry,
        desired,
        policy: 'sync',
        managedRecordTypes: MANAGED,
        dryRun,
      })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
        [['desired', 1, 'dnsName'], 'provider_owned'],
      ]);
    }
    const direct = await provider
      .applyChanges({
        ...emptyChanges(),
        delete: [endpoint({ dnsName: ZONE, recordType: 'NS', targets: ['hydrogen.ns.hetzner.com'] })],
      })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect((direct as ValidationError).issues[0]?.path).toEqual(['delete', 0, 'dnsName']);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('writes without a transaction', () => {
  const writes = () =>
    fake.requests
      .filter((r) => r.method !== 'GET' || r.path === '/actions')
      .map((r) => (r.method === 'GET' ? 'poll' : `${r.method} ${r.path.replace(/^\/zones\/\d+/, '')}`));

  it('on create the marker is written (and its action done) before its record; on delete the record goes first', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [{ dnsName: `o.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] }];
    await run(registry, desired);
    expect(writes()).toEqual(['POST /rrsets', 'poll', 'POST /rrsets', 'poll']);
    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBe(2);
    expect(stored('_owner.a.o', 'TXT')).toBeDefined();

    fake.requests.length = 0;
    await run(registry, []);
    expect(writes()).toEqual(['DELETE /rrsets/o/A', 'poll', 'DELETE /rrsets/_owner.a.o/TXT', 'poll']);
    expect(fake.rrsets(ZONE).map((r) => `${r.name}/${r.type}`)).toEqual(['@/NS', '@/SOA']);
  });

  it('each changed RRSet takes one request, plus shared polls; TTL and added values go in one action', async () => {
    const { registry } = setup();
    const desired = (ttl: number, extra: string[] = []): EndpointInit[] =>
      Array.from({ length: 10 }, (_, i) => ({
        dnsName: `n${i}.${ZONE}`,
        recordType: 'A' as const,
        targets: ['192.0.2.1', ...extra],
        recordTTL: ttl,
      }));
    await run(registry, desired(300));
    // 20 RRSets (10 records, 10 markers): 20 creates, one poll per phase
    expect(writes().filter((w) => w === 'POST /rrsets')).toHaveLength(20);
    expect(writes().filter((w) => w === 'poll')).toHaveLength(2);

    fake.requests.length = 0;
    await run(registry, desired(600, ['192.0.2.2']));
    const w = writes();
    expect(w.filter((x) => x.endsWith('/actions/add_records'))).toHaveLength(10);
    expect(w.filter((x) => x !== 'poll' && !x.endsWith('/actions/add_records'))).toEqual([]);
    expect(w.filter((x) => x === 'poll')).toHaveLength(1);
    expect(stored('n3', 'A')).toMatchObject({ ttl: 600 });
    expect(values('n3', 'A')).toEqual(['192.0.2.1', '192.0.2.2']);

    // values replaced and TTL changed: set_records, then change_ttl once it has finished
    fake.requests.length = 0;
    await run(registry, [
      { dnsName: `n0.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'], recordTTL: 120 },
      ...desired(600, ['192.0.2.2']).slice(1),
    ]);
    expect(writes()).toEqual([
      'POST /rrsets/n0/A/actions/set_records',
      'poll',
      'POST /rrsets/n0/A/actions/change_ttl',
      'poll',
    ]);
    expect(stored('n0', 'A')).toMatchObject({ ttl: 120, records: [{ value: '192.0.2.9' }] });
  });

  it('a failed action names what was applied and what not, removes its marker again, and the next run converges', async () => {
    await fake.close();
    await start({ actionPolls: 2 });
    const { registry, provider } = setup();
    // phase 1 (markers) succeeds; the first record action of phase 2 fails
    const desired: EndpointInit[] = [
      { dnsName: `f1.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `f2.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'] },
    ];
    let created = 0;
    const originCreate = provider.client.createRRSet.bind(provider.client);
    provider.client.createRRSet = async (zone, input, o) => {
      if (++created === 3) fake.failActionsNext(1, 'rrset_create_failed');
      return originCreate(zone, input, o);
    };
    const error = await run(registry, desired).catch((e: unknown) => e);
    expect(created).toBe(4); // both markers, then both records
    expect(error).toBeInstanceOf(HetznerApplyError);
    const e = error as HetznerApplyError;
    expect((e.cause as { hetznerCode?: string }).hetznerCode).toBe('rrset_create_failed');
    expect(e.code).toBe('PROVIDER');
    expect(e.notApplied).toEqual([`f1.${ZONE} A`]);
    expect(e.applied).toEqual(expect.arrayContaining([`f2.${ZONE} A`]));
    expect(e.undone).toEqual([`_owner.a.f1.${ZONE} TXT`]);
    // f1 is neither stored nor marked; f2 is stored with its marker
    expect(stored('f1', 'A')).toBeUndefined();
    expect(stored('_owner.a.f1', 'TXT')).toBeUndefined();
    expect(stored('f2', 'A')).toBeDefined();
    expect(stored('_owner.a.f2', 'TXT')).toBeDefined();
    provider.client.createRRSet = originCreate;
    await run(registry, desired);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
    expect(values('f1', 'A')).toEqual(['192.0.2.1']);
  });

  it('a secondary zone is not read, not listed as served, and a write to it is refused before anything is sent', async () => {
    const { provider } = setup();
    expect(await provider.zones()).not.toContain('sec.test');
    expect((await provider.zoneInfo()).map((z) => [z.name, z.mode])).toContainEqual([
      'sec.test',
      'secondary',
    ]);
    const before = fake.requests.length;
    await provider.records();
    expect(fake.requests.slice(before).some((r) => r.path.includes('/rrsets') && r.status === 422)).toBe(
      false,
    );
    const sent = fake.requests.length;
    const error = await provider
      .applyChanges({
        ...emptyChanges(),
        create: [
          endpoint({ dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] }),
          endpoint({ dnsName: 'x.sec.test', recordType: 'A', targets: ['192.0.2.1'] }),
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.code)).toEqual(['secondary_zone']);
    expect(fake.requests.slice(sent).filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
