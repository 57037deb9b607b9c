// Core's planner and TXT registry driving AzureDnsProvider against the loopback fake: the record
// model, ETag races, type changes, alias records, faults between two record-set writes, the
// takeover of a zone written by ExternalDNS, zone selection, limits and listing costs.
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
  AzureApplyError,
  AzureDnsProvider,
  type AzureDnsProviderOptions,
  type AzureZoneKind,
} from '@openova/dns-provider-azure';
import {
  fakeCredential,
  startFakeAzureDns,
  type FakeAzureDnsOptions,
  type LoopbackFakeAzureDns,
} from '@openova/dns-provider-azure/testing';

const SUB = '00000000-0000-0000-0000-000000000001';
const ZONE = 'example.com';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'NS'];
const IP = `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses`;
let fake: LoopbackFakeAzureDns;
const providers: AzureDnsProvider[] = [];

async function start(options: FakeAzureDnsOptions = { limits: false }) {
  fake = await startFakeAzureDns(options);
  fake.addZone({ name: ZONE });
  fake.addZone({ kind: 'private', name: 'corp.internal' });
}

beforeEach(() => start());
afterEach(async () => {
  for (const p of providers.splice(0)) await p.client.close();
  await fake?.close();
});

function setup(
  options: Partial<AzureDnsProviderOptions> = {},
  registryOptions: { prefix?: string; ownerId?: string } = {},
) {
  const provider = new AzureDnsProvider({
    subscriptionId: SUB,
    credential: fakeCredential(),
    endpoint: fake.url,
    domainFilter: new DomainFilter({ include: [ZONE, 'corp.internal'] }),
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  providers.push(provider);
  const registry = new TxtRegistry(provider, {
    ownerId: registryOptions.ownerId ?? 'me',
    prefix: registryOptions.prefix ?? '_owner.%{record_type}.',
    managedRecordTypes: MANAGED,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[]) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED, safety: false });

const props = (kind: AzureZoneKind, type: string, name: string) =>
  fake.recordSet({ kind, name: kind === 'public' ? ZONE : 'corp.internal' }, type, name)?.properties;

const writes = () => fake.requests.filter((r) => r.method !== 'GET');

describe('record model', () => {
  it('relative names with @, typed arrays in public casing, TXT split at 255; a second plan is empty', async () => {
    const { registry } = setup();
    const long = `${'x'.repeat(300)}`;
    const desired: EndpointInit[] = [
      { dnsName: ZONE, recordType: 'MX', targets: ['10 Mail.Example.com.', '20 mx.example.net'] },
      { dnsName: `WWW.${ZONE}.`, recordType: 'CNAME', targets: ['Edge.Example.NET.'] },
      { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['10 5 5060 sip.example.net.'] },
      {
        dnsName: `caa.${ZONE}`,
        recordType: 'CAA',
        targets: ['0 issue "letsencrypt.org"', '128 iodef "mailto:sec@example.com"'],
      },
      { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: [long, 'v=spf1 -all'] },
      { dnsName: `v6.${ZONE}`, recordType: 'AAAA', targets: ['2001:DB8:0:0::1'], recordTTL: 60 },
    ];
    const first = await run(registry, desired);
    expect(first.applied).toBe(true);
    expect(props('public', 'MX', '@')).toEqual({
      TTL: 300,
      MXRecords: [
        { preference: 10, exchange: 'mail.example.com' },
        { preference: 20, exchange: 'mx.example.net' },
      ],
    });
    expect(props('public', 'CNAME', 'www')).toEqual({ TTL: 300, CNAMERecord: { cname: 'edge.example.net' } });
    expect(props('public', 'SRV', '_sip._tcp')?.SRVRecords).toEqual([
      { priority: 10, weight: 5, port: 5060, target: 'sip.example.net' },
    ]);
    expect(props('public', 'CAA', 'caa')?.caaRecords).toEqual([
      { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
      { flags: 128, tag: 'iodef', value: 'mailto:sec@example.com' },
    ]);
    expect(props('public', 'TXT', 'txt')?.TXTRecords).toEqual([
      { value: ['v=spf1 -all'] },
      { value: ['x'.repeat(255), 'x'.repeat(45)] },
    ]);
    expect(props('public', 'AAAA', 'v6')).toEqual({ TTL: 60, AAAARecords: [{ ipv6Address: '2001:db8::1' }] });
    const second = await run(registry, desired);
    expect(second.plan.changes).toEqual(emptyChanges());
    expect(second.applied).toBe(false);
  });

  it('private zones use camelCase and refuse NS, CAA and aliases before any write', async () => {
    const { registry, provider } = setup({ zoneType: 'private' });
    await run(registry, [{ dnsName: 'db.corp.internal', recordType: 'A', targets: ['10.0.0.5'] }]);
    expect(props('private', 'A', 'db')).toEqual({ ttl: 300, aRecords: [{ ipv4Address: '10.0.0.5' }] });
    expect(props('private', 'TXT', '_owner.a.db')).toEqual({
      ttl: 300,
      txtRecords: [{ value: ['"heritage=external-dns,external-dns/owner=me"'] }],
    });
    expect(provider.capabilities.recordTypes).not.toContain('NS');
    const before = writes().length;
    await expect(
      provider.applyChanges({
        ...emptyChanges(),
        create: [
          endpoint({
            dnsName: 'x.corp.internal',
            recordType: 'A',
            targets: [`${IP}/ip1`],
            providerSpecific: [{ name: 'alias', value: 'true' }],
          }),
        ],
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [
        expect.objectContaining({ code: 'alias_unsupported', path: ['create', 0, 'providerSpecific'] }),
      ],
    });
    expect(writes()).toHaveLength(before);
  });

  it('over 20 records, over 4,096 TXT characters and a second CNAME target are ValidationErrors naming the input', async () => {
    const { provider } = setup();
    const many = Array.from({ length: 21 }, (_, i) => `192.0.2.${i + 1}`);
    const error = await provider
      .applyChanges({
        ...emptyChanges(),
        create: [
          endpoint({ dnsName: `a.${ZONE}`, recordType: 'A', targets: many }),
          endpoint({
            dnsName: `t.${ZONE}`,
            recordType: 'TXT',
            targets: ['y'.repeat(2500), 'z'.repeat(2500)],
          }),
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(
      (error as { issues: { code: string; path: unknown[] }[] }).issues.map((i) => [
        i.code,
        i.path.join('.'),
      ]),
    ).toEqual([
      ['too_many_records', 'create.0.targets'],
      ['txt_too_long', 'create.1.targets'],
    ]);
    expect(writes()).toHaveLength(0);
  });

  it('a TXT record of one empty string is read back, so a second plan is empty', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [{ dnsName: 'e.example.com', recordType: 'TXT', targets: [''] }];
    expect((await run(registry, desired)).applied).toBe(true);
    expect(props('public', 'TXT', 'e')).toMatchObject({ TXTRecords: [{ value: [''] }] });
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });

  it('a CNAME at the apex is refused before any write, in a dry run too, naming desired[i]', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: ZONE, recordType: 'CNAME', targets: ['x.example.net'] },
    ];
    for (const dryRun of [true, false]) {
      const error = await reconcile({
        registry,
        desired,
        policy: 'sync',
        managedRecordTypes: MANAGED,
        dryRun,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
        [['desired', 1, 'dnsName'], 'cname_at_apex'],
      ]);
    }
    expect(writes()).toEqual([]);
  });

  it('azure/tags and azure/metadata-<key> become record-set metadata and read back as azure/metadata-<key>', async () => {
    const { registry, provider } = setup();
    const desired: EndpointInit[] = [
      {
        dnsName: `tagged.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.7'],
        providerSpecific: [{ name: 'azure/tags', value: 'team=dns, env=prod' }],
      },
    ];
    await run(registry, desired);
    expect(props('public', 'A', 'tagged')?.metadata).toEqual({ team: 'dns', env: 'prod' });
    const read = (await provider.records()).find((e) => e.dnsName === `tagged.${ZONE}`);
    expect(read?.providerSpecific).toEqual([
      { name: 'azure/metadata-env', value: 'prod' },
      { name: 'azure/metadata-team', value: 'dns' },
    ]);
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
  });
  it('a malformed azure/tags is a ValidationError naming desired[i] and the property, in a dry run too, before any write', async () => {
    const { registry, provider } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `tagged.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.7'],
        providerSpecific: [
          { name: 'azure/metadata-x', value: 'y' },
          { name: 'azure/tags', value: 'novalue' },
        ],
      },
      {
        dnsName: `nokey.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.8'],
        providerSpecific: [{ name: 'azure/tags', value: 'team=dns,=prod' }],
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
      const issues = (error as ValidationError).issues;
      expect(issues.map((i) => i.path)).toEqual([
        ['desired', 1, 'providerSpecific', 1, 'value'],
        ['desired', 2, 'providerSpecific', 0, 'value'],
      ]);
      expect(issues[0]?.message).toContain('azure/tags "novalue"');
    }
    // a direct applyChanges is refused the same way
    const direct = await provider
      .applyChanges({ ...emptyChanges(), create: [endpoint(desired[1] as EndpointInit)] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect((direct as ValidationError).issues[0]?.path).toEqual([
      'create',
      0,
      'providerSpecific',
      1,
      'value',
    ]);
    expect(writes()).toEqual([]);
  });
});

describe('ExternalDNS takeover', () => {
  // Vector: what ExternalDNS v0.22 (`--provider=azure --txt-prefix=externaldns- --txt-owner-id=default`)
  // stores for `www.example.com A 203.0.113.10` of Service default/web. Its TXT registry writes the
  // marker's value with literal quote characters into `TXTRecords[0].value[0]`, as one string, and
  // `metadata` stays unset (provider/azure/azure.go: `Value: []*string{&target}`).
  const MARKER =
    '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/web"';

  it('reads the quoted markers as ownership, updates the record, and writes markers in the same bytes', async () => {
    fake.seed({ name: ZONE }, 'A', 'www', { TTL: 300, ARecords: [{ ipv4Address: '203.0.113.10' }] });
    fake.seed({ name: ZONE }, 'TXT', 'externaldns-a-www', { TTL: 300, TXTRecords: [{ value: [MARKER] }] });
    const { registry, provider } = setup({}, { ownerId: 'default', prefix: 'externaldns-' });
    const records = await registry.records();
    expect(records.find((r) => r.dnsName === `www.${ZONE}`)?.labels.owner).toBe('default');
    const desired: EndpointInit[] = [
      {
        dnsName: `www.${ZONE}`,
        recordType: 'A',
        targets: ['203.0.113.20'],
        labels: { resource: 'service/default/web' },
      },
      {
        dnsName: `api.${ZONE}`,
        recordType: 'A',
        targets: ['203.0.113.30'],
        labels: { resource: 'service/default/api' },
      },
    ];
    const result = await run(registry, desired);
    expect(result.plan.changes.updateNew.map((e) => e.dnsName)).toContain(`www.${ZONE}`);
    expect(props('public', 'A', 'www')?.ARecords).toEqual([{ ipv4Address: '203.0.113.20' }]);
    // the taken-over marker keeps ExternalDNS's bytes; a new marker is written the way ExternalDNS writes it
    expect(props('public', 'TXT', 'externaldns-a-www')?.TXTRecords).toEqual([{ value: [MARKER] }]);
    expect(props('public', 'TXT', 'externaldns-a-api')?.TXTRecords).toEqual([
      {
        value: [
          '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/default/api"',
        ],
      },
    ]);
    expect(provider.lastResult.applied.length).toBeGreaterThan(0);
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
  });
});

describe('no transaction: ETags, order, faults', () => {
  it('creates carry If-None-Match: *, updates and deletes the listed ETag; deletes go first when a name changes type', async () => {
    const { registry } = setup();
    await run(registry, [{ dnsName: `app.${ZONE}`, recordType: 'CNAME', targets: ['lb.example.net'] }]);
    const creates = writes();
    expect(
      creates.map((w) => [w.method, w.path.split('/').slice(-2).join('/'), w.headers['if-none-match']]),
    ).toEqual([
      ['PUT', 'TXT/_owner.cname.app', '*'],
      ['PUT', 'CNAME/app', '*'],
    ]);
    const etag = fake.recordSet({ name: ZONE }, 'CNAME', 'app')?.etag;
    fake.requests.length = 0;
    await run(registry, [{ dnsName: `app.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] }]);
    const order = writes().map((w) => `${w.method} ${w.path.split('/').slice(-2).join('/')}`);
    expect(order.indexOf('DELETE CNAME/app')).toBeLessThan(order.indexOf('PUT A/app'));
    expect(
      writes().find((w) => w.method === 'DELETE' && w.path.endsWith('CNAME/app'))?.headers['if-match'],
    ).toBe(etag);
    expect(props('public', 'A', 'app')?.ARecords).toEqual([{ ipv4Address: '192.0.2.9' }]);
    expect(fake.recordSet({ name: ZONE }, 'CNAME', 'app')).toBeUndefined();
    expect(fake.recordSet({ name: ZONE }, 'TXT', '_owner.cname.app')).toBeUndefined();
  });

  it('an ETag race: a set changed since the listing is a 412, RECORD_CONFLICT, nothing overwritten; the next plan converges', async () => {
    const { registry, provider } = setup();
    const desired = (ip: string): EndpointInit[] => [
      { dnsName: `race.${ZONE}`, recordType: 'A', targets: [ip] },
    ];
    await run(registry, desired('192.0.2.1'));
    await provider.records(); // the listing the next apply uses
    // someone else writes between our listing and our write
    fake.touch({ name: ZONE }, 'A', 'race', { TTL: 300, ARecords: [{ ipv4Address: '198.51.100.1' }] });
    const old = (await provider.records()).find((e) => e.dnsName === `race.${ZONE}` && e.recordType === 'A');
    fake.touch({ name: ZONE }, 'A', 'race', { TTL: 300, ARecords: [{ ipv4Address: '198.51.100.2' }] });
    const error = await provider
      .applyChanges({
        ...emptyChanges(),
        updateOld: [old!],
        updateNew: [endpoint({ ...old!, targets: ['192.0.2.2'] })],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureApplyError);
    expect(error).toMatchObject({ code: 'RECORD_CONFLICT', applied: [], notApplied: [`race.${ZONE} A`] });
    expect(props('public', 'A', 'race')?.ARecords).toEqual([{ ipv4Address: '198.51.100.2' }]);
    // the next plan starts from what is there now, and converges
    await run(registry, desired('192.0.2.3'));
    expect(props('public', 'A', 'race')?.ARecords).toEqual([{ ipv4Address: '192.0.2.3' }]);
    expect((await run(registry, desired('192.0.2.3'))).plan.changes).toEqual(emptyChanges());
  });

  it('a write whose answer was lost is retried; its 412 is settled by reading the set again (applied)', async () => {
    const { registry, provider } = setup();
    fake.failNext(1, { method: 'PUT', afterExecuting: true, status: 500 });
    await run(registry, [{ dnsName: `lost.${ZONE}`, recordType: 'A', targets: ['192.0.2.4'] }]);
    const puts = writes().filter((w) => w.path.endsWith('TXT/_owner.a.lost'));
    expect(puts.map((w) => w.status)).toEqual([500, 412]);
    expect(props('public', 'A', 'lost')?.ARecords).toEqual([{ ipv4Address: '192.0.2.4' }]);
    expect(provider.lastResult.applied).toEqual([`_owner.a.lost.${ZONE} TXT`, `lost.${ZONE} A`]);
  });

  it('a fault between two record-set writes leaves no record without its marker and no marker without its record; the next run converges', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = ['f1', 'f2'].map((n, i) => ({
      dnsName: `${n}.${ZONE}`,
      recordType: 'A',
      targets: [`192.0.2.${i + 1}`],
    }));
    // markers go first (phase 1); the first record write of phase 2 is refused (a 403: not retried,
    // and not bisected by core as a rejected record would be)
    let error: unknown;
    try {
      let seen = 0;
      const original = fake.handle.bind(fake);
      fake.handle = async (request) => {
        if (request.method === 'PUT' && /\/A\/f\d/.test(request.url) && seen++ === 0)
          return {
            status: 403,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'injected' } }),
          };
        return original(request);
      };
      await run(registry, desired);
    } catch (e) {
      error = e;
    } finally {
      delete (fake as { handle?: unknown }).handle;
    }
    expect(error).toBeInstanceOf(AzureApplyError);
    const e = error as AzureApplyError;
    expect(e.code).toBe('PROVIDER_AUTH');
    expect(e.notApplied).toEqual([expect.stringMatching(/^f\d\.example\.com A$/)]);
    expect(e.undone).toEqual([expect.stringMatching(/^_owner\.a\.f\d\.example\.com TXT$/)]);
    // every A has its marker, every marker its A
    for (const n of ['f1', 'f2'])
      expect(fake.recordSet({ name: ZONE }, 'A', n) === undefined).toBe(
        fake.recordSet({ name: ZONE }, 'TXT', `_owner.a.${n}`) === undefined,
      );
    await run(registry, desired);
    for (const n of ['f1', 'f2']) expect(fake.recordSet({ name: ZONE }, 'A', n)).toBeDefined();
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
  });
});

describe('alias records', () => {
  // NS is a managed type here: Azure's own apex NS must not block the apex (it is not returned)
  it('an A alias at the apex (targetResource.id) is written without records, read back with alias=true, and a second plan is empty', async () => {
    const { registry, provider } = setup();
    const desired: EndpointInit[] = [
      {
        dnsName: ZONE,
        recordType: 'A',
        targets: [`${IP}/front-door`],
        providerSpecific: [{ name: 'alias', value: 'true' }],
      },
      {
        dnsName: `tm.${ZONE}`,
        recordType: 'CNAME',
        targets: [
          `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/trafficManagerProfiles/tm1`,
        ],
        providerSpecific: [{ name: 'alias', value: 'true' }],
      },
    ];
    await run(registry, desired);
    expect(props('public', 'A', '@')).toEqual({ TTL: 300, targetResource: { id: `${IP}/front-door` } });
    expect(props('public', 'CNAME', 'tm')?.targetResource).toEqual({
      id: expect.stringContaining('trafficManagerProfiles/tm1'),
    });
    const apex = (await provider.records()).find((e) => e.dnsName === ZONE && e.recordType === 'A');
    expect(apex).toMatchObject({
      targets: [`${IP}/front-door`],
      providerSpecific: [{ name: 'alias', value: 'true' }],
    });
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
    // a new target resource is an update of the same record set
    desired[0] = { ...desired[0]!, targets: [`${IP}/other`] };
    await run(registry, desired);
    expect(props('public', 'A', '@')?.targetResource).toEqual({ id: `${IP}/other` });
  });
});

describe('zones', () => {
  it('the same name in two resource groups is an error until resourceGroup or zoneIds chooses one', async () => {
    fake.addZone({ name: ZONE, resourceGroup: 'rg-two' });
    const { provider } = setup();
    await expect(provider.zones()).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/several resource groups \(rg-two, rg\)/),
    });
    const byGroup = setup({ resourceGroup: 'rg-two' }).provider;
    expect(await byGroup.zoneInfo()).toEqual([
      expect.objectContaining({ name: ZONE, resourceGroup: 'rg-two' }),
    ]);
    const byId = setup({ zoneIds: [`rg/${ZONE}`] }).provider;
    expect((await byId.zoneInfo()).map((z) => z.resourceGroup)).toEqual(['rg']);
    await byId.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `x.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(fake.recordSet({ name: ZONE, resourceGroup: 'rg' }, 'A', 'x')).toBeDefined();
    expect(fake.recordSet({ name: ZONE, resourceGroup: 'rg-two' }, 'A', 'x')).toBeUndefined();
  });

  it('public next to private: each provider sees only its own API', async () => {
    fake.addZone({ kind: 'private', name: ZONE });
    const pub = setup({ zoneType: 'public' }).provider;
    const priv = setup({ zoneType: 'private' }).provider;
    expect(await pub.zones()).toEqual([ZONE]);
    expect(await priv.zones()).toEqual(['corp.internal', ZONE]);
  });
});

describe('limits and listing', () => {
  it('lists follow nextLink page by page; a 429 with Retry-After is waited out through the zone budget', async () => {
    for (let i = 0; i < 7; i++)
      fake.seed({ name: ZONE }, 'A', `h${i}`, { TTL: 60, ARecords: [{ ipv4Address: `192.0.2.${i}` }] });
    const { provider } = setup({ pageSize: 3 });
    await provider.zones();
    fake.throttleNext(1, 1);
    const started = Date.now();
    const records = await provider.records();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(records.filter((r) => r.recordType === 'A')).toHaveLength(7);
    const lists = fake.requests.filter((r) => r.path.endsWith('/all'));
    expect(lists.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(provider.client.counts.list).toBe(3);
  });

  it('recordCacheTtlMs reuses a listing between plans; our writes keep it current', async () => {
    const { registry, provider } = setup({ recordCacheTtlMs: 60_000 });
    const desired: EndpointInit[] = [{ dnsName: `c.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] }];
    await run(registry, desired);
    const lists = () => fake.requests.filter((r) => r.path.endsWith('/all')).length;
    const before = lists();
    expect((await run(registry, desired)).plan.changes).toEqual(emptyChanges());
    expect(lists()).toBe(before);
    expect(provider.client.counts.list).toBe(1);
  });

  it('a change in a large zone is read by name (GET) instead of listing the zone', async () => {
    await fake.close();
    await start({ limits: false });
    for (let i = 0; i < 40; i++)
      fake.seed({ name: ZONE }, 'A', `h${i}`, { TTL: 60, ARecords: [{ ipv4Address: '192.0.2.1' }] });
    const { provider } = setup({ pageSize: 2 });
    await provider.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `new.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'] })],
    });
    expect(provider.client.counts).toMatchObject({ list: 0, get: 1, write: 1 });
  });
});
