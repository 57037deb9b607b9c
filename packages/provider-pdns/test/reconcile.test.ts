// Core's planner and TXT registry driving PowerDnsProvider against a real PowerDNS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  reconcile,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import { lua, PowerDnsApiError, PowerDnsProvider, queryDns } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { startApiProxy, type ApiProxy } from './proxy.js';

const ZONE = 'rec.test';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'NS', 'LUA'];
let pdns: RunningPowerDns;
let proxy: ApiProxy;

beforeAll(async () => {
  pdns = await startPowerDns();
  proxy = await startApiProxy(pdns.apiUrl);
  for (const zone of [ZONE, 'shared.test', 'flaky.test']) {
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
  }
});

beforeEach(() => proxy.reset());

afterAll(async () => {
  await proxy?.close();
  await pdns?.stop();
});

function setup(ownerId: string, options: { retries?: number; zone?: string } = {}) {
  const provider = new PowerDnsProvider({
    apiUrl: proxy.url,
    apiKey: pdns.apiKey,
    domainFilter: new DomainFilter({ include: [options.zone ?? ZONE] }),
    retry: { retries: options.retries ?? 3, minDelayMs: 10, maxDelayMs: 50 },
  });
  const registry = new TxtRegistry(provider, {
    ownerId,
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: MANAGED,
  });
  return { provider, registry };
}

const requests = () => ({
  patches: proxy.seen.filter((r) => r.method === 'PATCH').length,
  gets: proxy.seen.filter((r) => r.method === 'GET').length,
});

describe('plan → apply → plan is empty', () => {
  const desired: EndpointInit[] = [
    { dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
    { dnsName: `aaaa.${ZONE}`, recordType: 'AAAA', targets: ['2001:DB8::1'] },
    { dnsName: `cname.${ZONE}`, recordType: 'CNAME', targets: ['Target.Example.net.'] },
    { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: ['v=spf1 -all', `long ${'x'.repeat(300)}`] },
    { dnsName: `mx.${ZONE}`, recordType: 'MX', targets: ['10 mail.example.org'] },
    { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 5 5060 sip.example.org.'] },
    { dnsName: `caa.${ZONE}`, recordType: 'CAA', targets: ['0 issue "letsencrypt.org"'] },
    { dnsName: `sub.${ZONE}`, recordType: 'NS', targets: ['ns1.example.net'] },
    lua.endpoint({
      dnsName: `geo.${ZONE}`,
      expression: lua.pickwhashed([
        { weight: 1, value: '192.0.2.7' },
        { weight: 3, value: '192.0.2.8' },
      ]),
    }),
  ];

  it('creates every type in one PATCH, then finds nothing to do', async () => {
    const { registry } = setup('alpha');
    const first = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED });
    expect(first.applied).toBe(true);
    expect(first.counts.create).toBe(desired.length);
    expect(requests().patches).toBe(1);
    proxy.reset();
    const second = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED });
    expect(second.plan.hasChanges).toBe(false);
    expect(second.applied).toBe(false);
    expect(requests().patches).toBe(0);
    // a fresh instance (new zone cache) agrees
    const third = await reconcile({
      registry: setup('alpha').registry,
      desired,
      policy: 'sync',
      managedRecordTypes: MANAGED,
    });
    expect(third.plan.hasChanges).toBe(false);
  });

  it('updates and deletes in one PATCH, A → CNAME included, then is empty again', async () => {
    const { registry } = setup('alpha');
    const next: EndpointInit[] = [
      ...desired.filter((d) => !['A', 'MX', 'LUA'].includes(d.recordType)),
      { dnsName: `a.${ZONE}`, recordType: 'CNAME', targets: ['moved.example.net'] },
      lua.endpoint({ dnsName: `geo.${ZONE}`, expression: lua.pickrandom(['192.0.2.9']) }),
    ];
    const run = await reconcile({ registry, desired: next, policy: 'sync', managedRecordTypes: MANAGED });
    expect(run.applied).toBe(true);
    expect(requests().patches).toBe(1);
    expect(
      (await pdns.client.getZone(`${ZONE}.`, { rrsetName: `a.${ZONE}` })).rrsets?.map((r) => r.type),
    ).toEqual(['CNAME']);
    proxy.reset();
    const again = await reconcile({ registry, desired: next, policy: 'sync', managedRecordTypes: MANAGED });
    expect(again.plan.hasChanges).toBe(false);
    expect(requests().patches).toBe(0);
  });
});

describe('ownership', () => {
  it('leaves records of another owner and records with no owner untouched', async () => {
    const zone = 'shared.test';
    // unowned: written straight to PowerDNS, no registry TXT
    await pdns.client.patchRRsets(`${zone}.`, [
      {
        name: `manual.${zone}`,
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '203.0.113.1' }],
      },
      {
        name: `manual-lua.${zone}`,
        type: 'LUA',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: `A "pickrandom({'203.0.113.2'})"` }],
      },
    ]);
    const other = setup('other-team', { zone });
    await reconcile({
      registry: other.registry,
      desired: [{ dnsName: `theirs.${zone}`, recordType: 'A', targets: ['203.0.113.3'] }],
      policy: 'sync',
      managedRecordTypes: MANAGED,
    });
    const before = (await pdns.client.getZone(`${zone}.`)).rrsets?.filter(
      (r) => r.type !== 'SOA' && !r.name.includes('mine.'),
    );

    const mine = setup('mine', { zone });
    // sync with desired records at the same names as the foreign ones: they must not be overwritten
    const run = await reconcile({
      registry: mine.registry,
      desired: [
        { dnsName: `mine.${zone}`, recordType: 'A', targets: ['198.51.100.1'] },
        { dnsName: `manual.${zone}`, recordType: 'A', targets: ['198.51.100.2'] },
        { dnsName: `theirs.${zone}`, recordType: 'A', targets: ['198.51.100.3'] },
      ],
      policy: 'sync',
      managedRecordTypes: MANAGED,
    });
    expect(run.applied).toBe(true);
    const after = await pdns.client.getZone(`${zone}.`);
    for (const rrset of before ?? []) expect(after.rrsets).toContainEqual(rrset);
    expect(after.rrsets?.find((r) => r.name === `mine.${zone}.` && r.type === 'A')?.records[0]?.content).toBe(
      '198.51.100.1',
    );
    // a second sync with nothing desired deletes only what "mine" owns
    await reconcile({
      registry: mine.registry,
      desired: [],
      policy: 'sync',
      managedRecordTypes: MANAGED,
      safety: false,
    });
    const end = await pdns.client.getZone(`${zone}.`);
    expect(end.rrsets?.some((r) => r.name === `mine.${zone}.`)).toBe(false);
    for (const rrset of before ?? []) expect(end.rrsets).toContainEqual(rrset);
  });
});

describe('failures', () => {
  it('an invalid desired record is a typed error and the zone stays as it was', async () => {
    const { registry } = setup('alpha');
    const before = await pdns.client.getZone(`${ZONE}.`);
    const error = await reconcile({
      registry,
      desired: [
        { dnsName: `new.${ZONE}`, recordType: 'A', targets: ['192.0.2.77'] },
        { dnsName: `broken.${ZONE}`, recordType: 'A', targets: ['999.0.0.1'] },
      ],
      policy: 'upsert-only',
      managedRecordTypes: MANAGED,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(requests().patches).toBe(0);
    expect(await pdns.client.getZone(`${ZONE}.`)).toEqual(before);
  });

  it('a server answering 500 mid-run is a typed error; the next run converges with nothing lost', async () => {
    const zone = 'flaky.test';
    const { registry } = setup('alpha', { zone, retries: 1 });
    const desired: EndpointInit[] = Array.from({ length: 20 }, (_, i) => ({
      dnsName: `h${i}.${zone}`,
      recordType: 'A',
      targets: [`192.0.2.${i + 1}`],
    }));
    await reconcile({ registry, desired: desired.slice(0, 10), policy: 'sync', managedRecordTypes: MANAGED });
    const before = await pdns.client.getZone(`${zone}.`);
    proxy.fail(2, { status: 500, body: '{"error":"Internal Server Error"}', method: 'PATCH' });
    const error = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PowerDnsApiError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(await pdns.client.getZone(`${zone}.`)).toEqual(before);
    const retry = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED });
    expect(retry.counts.create).toBe(10);
    const settled = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED });
    expect(settled.plan.hasChanges).toBe(false);
    const names = (await pdns.client.getZone(`${zone}.`)).rrsets
      ?.filter((r) => r.type === 'A')
      .map((r) => r.name);
    expect(names).toHaveLength(20);
  });
});

describe('two writers', () => {
  it('reconciling the same zone at the same time, both converge without touching each other and stop changing', async () => {
    const zone = ZONE;
    const blue = setup('blue');
    const green = setup('green');
    const desiredOf = (owner: string): EndpointInit[] =>
      Array.from({ length: 15 }, (_, i) => ({
        dnsName: `${owner}${i}.${zone}`,
        recordType: i % 3 === 0 ? 'TXT' : 'A',
        targets: [i % 3 === 0 ? `${owner} ${i}` : `192.0.2.${i + 1}`],
      }));
    const runBoth = () =>
      Promise.all([
        reconcile({
          registry: blue.registry,
          desired: desiredOf('blue'),
          policy: 'sync',
          managedRecordTypes: MANAGED,
          safety: false,
        }),
        reconcile({
          registry: green.registry,
          desired: desiredOf('green'),
          policy: 'sync',
          managedRecordTypes: MANAGED,
          safety: false,
        }),
      ]);
    const [b1, g1] = await runBoth();
    expect(b1.counts.create).toBe(15);
    expect(g1.counts.create).toBe(15);
    for (let round = 0; round < 3; round++) {
      proxy.reset();
      const [b, g] = await runBoth();
      expect(b.plan.hasChanges).toBe(false);
      expect(g.plan.hasChanges).toBe(false);
      expect(requests().patches).toBe(0);
    }
    const rrsets = (await pdns.client.getZone(`${zone}.`)).rrsets ?? [];
    for (const owner of ['blue', 'green']) {
      expect(rrsets.filter((r) => r.name.startsWith(owner))).toHaveLength(15);
    }
    // blue removing its records leaves green's alone
    await reconcile({
      registry: blue.registry,
      desired: [],
      policy: 'sync',
      managedRecordTypes: MANAGED,
      safety: false,
    });
    const left = (await pdns.client.getZone(`${zone}.`)).rrsets ?? [];
    expect(left.filter((r) => r.name.startsWith('blue'))).toHaveLength(0);
    expect(left.filter((r) => r.name.startsWith('green'))).toHaveLength(15);
    const greenAgain = await reconcile({
      registry: green.registry,
      desired: desiredOf('green'),
      policy: 'sync',
      managedRecordTypes: MANAGED,
    });
    expect(greenAgain.plan.hasChanges).toBe(false);
  });
});

describe('what the provider does not read', () => {
  it('a CNAME beside an rrset of a type not managed (SSHFP) is refused alone: the rest is written, the CNAME named', async () => {
    const zone = 'sshfp.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    await pdns.client.patchRRsets(`${zone}.`, [
      {
        name: `www.${zone}.`,
        type: 'SSHFP',
        ttl: 300,
        changetype: 'REPLACE',
        records: [{ content: '1 1 0123456789abcdef0123456789abcdef01234567', disabled: false }],
      },
    ]);
    const { registry } = setup('me', { zone });
    const desired: EndpointInit[] = [
      { dnsName: `api.${zone}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `www.${zone}`, recordType: 'CNAME', targets: ['api.example.net'] },
    ];
    const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PARTIAL_APPLY' });
    expect(String((error as Error).message)).toContain(`www.${zone} CNAME`);
    const stored = await pdns.client.getZone(`${zone}.`);
    const types = (stored.rrsets ?? []).map((r) => `${r.name} ${r.type}`);
    expect(types).toContain(`api.${zone}. A`);
    expect(types).toContain(`_owner.a.api.${zone}. TXT`);
    expect(types).toContain(`www.${zone}. SSHFP`);
    expect(types).not.toContain(`www.${zone}. CNAME`);
  });

  it('zones given with an IDN name are read by their punycode name', async () => {
    const zone = 'bücher.test';
    await pdns.client.createZone({
      name: 'xn--bcher-kva.test',
      kind: 'Native',
      nameservers: ['ns1.xn--bcher-kva.test'],
    });
    const provider = new PowerDnsProvider({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      zones: ['Bücher.Test.'],
    });
    expect(await provider.zones()).toEqual(['xn--bcher-kva.test']);
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    const desired: EndpointInit[] = [{ dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.7'] }];
    await reconcile({ registry, desired, policy: 'sync' });
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(1);
  });
});

describe('disabled records', () => {
  it("an rrset whose records are all disabled is someone's: never created over; a disabled record in our rrset survives our writes", async () => {
    const zone = 'disabled.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const { registry } = setup('me', { zone });
    await reconcile({
      registry,
      desired: [{ dnsName: `x.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }],
      policy: 'sync',
    });
    // an operator disables one more value in our rrset, and keeps an unowned rrset all disabled
    await pdns.client.patchRRsets(`${zone}.`, [
      {
        name: `x.${zone}.`,
        type: 'A',
        ttl: 300,
        changetype: 'REPLACE',
        records: [
          { content: '192.0.2.1', disabled: false },
          { content: '192.0.2.99', disabled: true },
        ],
      },
      {
        name: `y.${zone}.`,
        type: 'A',
        ttl: 300,
        changetype: 'REPLACE',
        records: [{ content: '192.0.2.77', disabled: true }],
      },
    ]);
    const desired: EndpointInit[] = [
      { dnsName: `x.${zone}`, recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: `y.${zone}`, recordType: 'A', targets: ['192.0.2.3'] },
    ];
    const run = await reconcile({ registry, desired, policy: 'sync' });
    // y is someone else's (no marker): not created over, and the plan says so
    expect(run.plan.changes.create.map((e) => e.dnsName)).toEqual([]);
    expect(run.skipped.map((s) => `${s.record.dnsName} ${s.code}`)).toEqual([`y.${zone} exists-unowned`]);
    const rrsets = new Map(
      ((await pdns.client.getZone(`${zone}.`)).rrsets ?? []).map((r) => [
        `${r.name} ${r.type}`,
        r.records.map((x) => `${x.content}${x.disabled ? ' (disabled)' : ''}`).sort(),
      ]),
    );
    expect(rrsets.get(`x.${zone}. A`)).toEqual(['192.0.2.2', '192.0.2.99 (disabled)']);
    expect(rrsets.get(`y.${zone}. A`)).toEqual(['192.0.2.77 (disabled)']);
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
  });
});

describe('TXT values every version stores alike', () => {
  it('quotes (an odd number too), backslashes and non-ASCII: written, then a second plan is empty', async () => {
    const zone = 'quotes.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const { registry } = setup('me', { zone });
    const values = ['quote"mid', 'a\\"b', 'x"', 'say "hi" ok', 'back\\slash', 'café "x'];
    const desired: EndpointInit[] = values.map((v, i) => ({
      dnsName: `t${i}.${zone}`,
      recordType: 'TXT',
      targets: [v],
    }));
    const first = await reconcile({ registry, desired, policy: 'sync' });
    expect(first.applied).toBe(true);
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(values.length);
  });
});

describe('character strings every version stores alike (CAA, TXT, NAPTR)', () => {
  const types: RecordType[] = ['CAA', 'TXT', 'NAPTR'];
  const registryFor = (zone: string) =>
    new TxtRegistry(
      new PowerDnsProvider({
        apiUrl: proxy.url,
        apiKey: pdns.apiKey,
        domainFilter: new DomainFilter({ include: [zone] }),
      }),
      { ownerId: 'me', prefix: '_owner.%{record_type}.', managedRecordTypes: types },
    );

  it('non-ASCII, quotes, backslashes and control characters: stored as the same text on every version, answered as written, a second plan is empty', async () => {
    const zone = 'strings.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    // target, the content every version stores, what DNS answers (CAA as the SDK renders it)
    const cases: { type: RecordType; target: string; stored: string }[] = [
      {
        type: 'CAA',
        target: '0 iodef "mailto:ñ@example.com"',
        stored: String.raw`0 iodef "mailto:\195\177@example.com"`,
      },
      {
        type: 'CAA',
        target: String.raw`0 issue "ca.example; account=a\"b\\c"`,
        stored: String.raw`0 issue "ca.example; account=a\034b\092c"`,
      },
      { type: 'CAA', target: '0 issuewild "x😀y"', stored: String.raw`0 issuewild "x\240\159\152\128y"` },
      {
        type: 'TXT',
        target: 'tab\there ctl\u0001 del\u007f €',
        stored: String.raw`"tab\009here ctl\001 del\127 \226\130\172"`,
      },
      {
        type: 'NAPTR',
        target: String.raw`100 10 "U" "E2U+sip" "!^(.*)$!sip:\\1ñ@example.com!" .`,
        stored: String.raw`100 10 "U" "E2U+sip" "!^(.*)$!sip:\0921\195\177@example.com!" .`,
      },
    ];
    const desired: EndpointInit[] = cases.map((c, i) => ({
      dnsName: `s${i}.${zone}`,
      recordType: c.type,
      targets: [c.target],
    }));
    const first = await reconcile({ registry: registryFor(zone), desired, policy: 'sync' });
    expect(first.applied).toBe(true);
    expect(proxy.seen.filter((r) => r.method === 'PATCH').every((r) => r.status === 204)).toBe(true);
    const rrsets = (await pdns.client.getZone(`${zone}.`)).rrsets ?? [];
    for (const [i, c] of cases.entries()) {
      const stored = rrsets.find((r) => r.name === `s${i}.${zone}.` && r.type === c.type);
      expect(stored?.records.map((r) => r.content)).toEqual([c.stored]);
    }
    // served as written: CAA values and TXT text as the UTF-8 of the target
    const caa = await queryDns({ name: `s0.${zone}`, type: 'CAA', port: pdns.dnsPort });
    expect(caa.answers.map((a) => a.data)).toEqual(['0 iodef "mailto:ñ@example.com"']);
    const txt = await queryDns({ name: `s3.${zone}`, type: 'TXT', port: pdns.dnsPort });
    expect(txt.answers.map((a) => a.data)).toEqual([cases[3]?.target]);
    // read back as the targets were given, by this registry and by a fresh one
    const again = await reconcile({ registry: registryFor(zone), desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.counts.ownedRecords).toBe(cases.length);
  });

  it('a value no escaping stores alike is a ValidationError at desired[i] before any write', async () => {
    const zone = 'strings-bad.test';
    await pdns.client.createZone({ name: zone, kind: 'Native', nameservers: [`ns1.${zone}`] });
    const desired: EndpointInit[] = [
      { dnsName: `ok.${zone}`, recordType: 'CAA', targets: ['0 iodef "mailto:ñ@example.com"'] },
      { dnsName: `esc.${zone}`, recordType: 'CAA', targets: [String.raw`0 issue "bad\999"`] },
      {
        dnsName: `long.${zone}`,
        recordType: 'NAPTR',
        targets: [`100 10 "U" "E2U+sip" "${'y'.repeat(256)}" .`],
      },
    ];
    const error = await reconcile({ registry: registryFor(zone), desired, policy: 'sync' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
      [['desired', 1, 'targets', 0], 'not_representable'],
      [['desired', 2, 'targets', 0], 'not_representable'],
    ]);
    expect(proxy.seen.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});
