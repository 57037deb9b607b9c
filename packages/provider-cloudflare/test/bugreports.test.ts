// Behaviours from ExternalDNS bug reports about its Cloudflare provider, replayed through core's
// planner and TXT registry against the loopback fake. Each test names the report it follows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  endpoint,
  isDnsError,
  reconcile,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import {
  COMMENT_PROPERTY,
  CloudflareProvider,
  PROXIED_PROPERTY,
  TAGS_PROPERTY,
  type CloudflareProviderOptions,
} from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

const ZONE = 'bugs.test';
const FREE = 'free-bugs.test';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA'];
let fake: FakeCloudflare;

beforeEach(async () => {
  fake = await startFakeCloudflare();
  fake.addZone({ name: ZONE, plan: 'pro' });
  fake.addZone({ name: FREE, plan: 'free' });
});
afterEach(() => fake?.close());

function setup(options: Partial<CloudflareProviderOptions> = {}, ownerId = 'alpha') {
  const provider = new CloudflareProvider({
    apiToken: 'test-token',
    baseUrl: fake.url,
    domainFilter: new DomainFilter({ include: [ZONE, FREE] }),
    ...options,
  });
  const registry = new TxtRegistry(provider, {
    ownerId,
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: MANAGED,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED, dryRun, safety: false });
const batches = () => fake.requests.filter((r) => r.path.endsWith('/dns_records/batch'));
const proxied = (value: string) => [{ name: PROXIED_PROPERTY, value }];

async function converges(registry: TxtRegistry, desired: EndpointInit[]): Promise<void> {
  const first = await run(registry, desired);
  expect(first.applied).toBe(true);
  fake.clearRequests();
  const second = await run(registry, desired);
  expect(second.plan.changes).toMatchObject({ create: [], updateOld: [], updateNew: [], delete: [] });
  expect(batches()).toHaveLength(0);
}

describe('proxied records and TTL', () => {
  // kubernetes-sigs/external-dns#1820, #992: a proxied record with a TTL annotation updated every
  // cycle, because Cloudflare reports every proxied record with TTL 1 (automatic).
  it('#1820: a proxied record with a TTL is stored with TTL 1 and the next plan is empty', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      {
        dnsName: `web.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        recordTTL: 300,
        providerSpecific: proxied('true'),
      },
      {
        dnsName: `cdn.${ZONE}`,
        recordType: 'CNAME',
        targets: ['origin.example.net'],
        recordTTL: 600,
        providerSpecific: proxied('true'),
      },
    ];
    await converges(registry, desired);
    const stored = fake.records(ZONE).filter((r) => r.type !== 'TXT');
    expect(stored.map((r) => [r.name, r.proxied, r.ttl]).sort()).toEqual([
      [`cdn.${ZONE}`, true, 1],
      [`web.${ZONE}`, true, 1],
    ]);
  });

  // kubernetes-sigs/external-dns#6135 (open): proxied CNAMEs and multi-target A records from
  // ingresses updated every cycle on v0.21.0.
  it('#6135: a proxied multi-value A record and a proxied CNAME converge and stay put', async () => {
    const { registry } = setup({ proxiedByDefault: true });
    const desired: EndpointInit[] = [
      { dnsName: `ingress.${ZONE}`, recordType: 'A', targets: ['192.0.2.12', '192.0.2.10', '192.0.2.11'] },
      { dnsName: `app.${ZONE}`, recordType: 'CNAME', targets: ['LB.Example.net.'] },
    ];
    await converges(registry, desired);
    // a fresh provider (another process) agrees
    const again = await run(setup({ proxiedByDefault: true }).registry, desired);
    expect(again.plan.hasChanges).toBe(false);
    expect(
      fake
        .records(ZONE)
        .filter((r) => r.name === `ingress.${ZONE}`)
        .every((r) => r.proxied),
    ).toBe(true);
  });

  // ExternalDNS forces proxied off for TXT, MX, SRV...: with --cloudflare-proxied the registry's TXT
  // and an MX record must not be sent with proxied (Cloudflare error 9004).
  it('--cloudflare-proxied never proxies TXT, MX or SRV (error 9004 otherwise)', async () => {
    const { registry } = setup({ proxiedByDefault: true });
    const desired: EndpointInit[] = [
      { dnsName: `mail.${ZONE}`, recordType: 'MX', targets: ['10 mx.example.org'] },
      { dnsName: `_sip._tcp.${ZONE}`, recordType: 'SRV', targets: ['1 1 5060 sip.example.org'] },
      { dnsName: `txt.${ZONE}`, recordType: 'TXT', targets: ['hello'] },
      { dnsName: `a.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
    ];
    await converges(registry, desired);
    const stored = fake.records(ZONE);
    expect(stored.filter((r) => r.type !== 'A').every((r) => !r.proxied)).toBe(true);
    expect(stored.find((r) => r.type === 'A')?.proxied).toBe(true);
  });

  // Cloudflare docs ("Mix proxied and unproxied"): once one A or AAAA record of a name is
  // proxied, every A and AAAA record of that name is. An A proxied beside an AAAA asked DNS-only
  // would be served otherwise than planned: refused before anything is written.
  it('an A and an AAAA of one name that disagree on proxied are a ValidationError; agreeing ones converge', async () => {
    const { registry } = setup({ proxiedByDefault: true });
    const mixed: EndpointInit[] = [
      { dnsName: `dual.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `dual.${ZONE}`,
        recordType: 'AAAA',
        targets: ['2001:db8::1'],
        providerSpecific: proxied('false'),
      },
    ];
    const error = await run(registry, mixed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path.slice(0, 2), i.code])).toEqual([
      [['desired', 1], 'cloudflare_proxied_per_name'],
    ]);
    expect(batches()).toHaveLength(0);
    await converges(registry, [mixed[0]!, { ...mixed[1]!, providerSpecific: proxied('true') }]);
  });

  // The issue's path was rebased to desired[1] while its message still named "endpoints[0]", the
  // provider's own list: the other record must be named as the caller's input names it.
  it('the proxied-per-name issue names the other record in the caller terms, as its path does', async () => {
    const { provider, registry } = setup({ proxiedByDefault: true });
    const desired: EndpointInit[] = [
      { dnsName: `other.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] },
      { dnsName: `dual.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `dual.${ZONE}`,
        recordType: 'AAAA',
        targets: ['2001:db8::1'],
        providerSpecific: proxied('false'),
      },
    ];
    const error = await run(registry, desired, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const [issue] = (error as ValidationError).issues;
    expect(issue?.path).toEqual(['desired', 2, 'providerSpecific']);
    expect(issue?.related).toEqual(['desired', 1]);
    expect(issue?.message).toContain(
      'cloudflare-proxied is false, but desired[1] at the same name says true',
    );
    expect((error as ValidationError).message).not.toContain('endpoints[');
    // called directly, both paths and the message are in terms of the list given
    const direct = await provider
      .adjustEndpoints(desired.slice(1).map((d) => endpoint(d)))
      .catch((e: unknown) => e);
    const [own] = (direct as ValidationError).issues;
    expect(own?.path).toEqual([1, 'providerSpecific']);
    expect(own?.related).toEqual([0]);
    expect(own?.message).toContain('but [0] at the same name says true');
  });

  // ExternalDNS reads cloudflare-proxied with Go's strconv.ParseBool; anything else is refused, at
  // the value itself.
  it('a cloudflare-proxied value ParseBool does not take is a ValidationError at its value', async () => {
    const { registry } = setup();
    const error = await run(registry, [
      {
        dnsName: `p.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: COMMENT_PROPERTY, value: 'x' }, ...proxied('yes')],
      },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
      [['desired', 0, 'providerSpecific', 1, 'value'], 'cloudflare_proxied_value'],
    ]);
    expect(batches()).toHaveLength(0);
    await converges(registry, [
      { dnsName: `p.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], providerSpecific: proxied('True') },
    ]);
  });

  // Turning the proxy off again must give the record a real TTL and not loop (#1820 the other way).
  it('proxied true → false writes the desired TTL once', async () => {
    const { registry } = setup();
    const on: EndpointInit[] = [
      {
        dnsName: `flip.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.7'],
        recordTTL: 120,
        providerSpecific: proxied('true'),
      },
    ];
    await converges(registry, on);
    const off = [{ ...on[0]!, providerSpecific: proxied('false') }];
    await converges(registry, off);
    expect(fake.records(ZONE).find((r) => r.name === `flip.${ZONE}`)).toMatchObject({
      proxied: false,
      ttl: 120,
    });
  });

  // Cloudflare: TTL 1 (automatic) or 60–86,400 (error 9021 otherwise); ExternalDNS users set 30 or
  // two days on annotations.
  it('TTLs outside 60–86,400 are clamped, written once, and plan to nothing', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `short.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 10 },
      { dnsName: `long.${ZONE}`, recordType: 'A', targets: ['192.0.2.2'], recordTTL: 172_800 },
    ];
    await converges(registry, desired);
    const ttl = (n: string) =>
      fake.records(ZONE).find((r) => r.name === `${n}.${ZONE}` && r.type === 'A')?.ttl;
    expect([ttl('short'), ttl('long')]).toEqual([60, 86_400]);
  });
});

describe('listing', () => {
  // kubernetes-sigs/external-dns#5986 (fixed in v0.20): records past the first page were not seen,
  // so records on later pages were created again every cycle or left behind on delete.
  it('#5986: records past the first 100-record page are seen (no duplicate creates, deletes reach them)', async () => {
    for (let i = 0; i < 230; i++)
      fake.addRecord(ZONE, {
        name: `filler-${String(i).padStart(3, '0')}.${ZONE}`,
        type: 'A',
        content: '198.51.100.1',
        ttl: 300,
      });
    const { registry } = setup({ recordsPerPage: 100 });
    const desired: EndpointInit[] = [{ dnsName: `zz-last.${ZONE}`, recordType: 'A', targets: ['192.0.2.9'] }];
    await converges(registry, desired);
    const listPages = fake.requests.filter((r) => r.path.endsWith('/dns_records') && r.method === 'GET');
    expect(listPages.length).toBeGreaterThanOrEqual(3);
    // deleting works for the record on the last page, and the 230 unowned records stay
    await run(registry, []);
    expect(fake.records(ZONE).filter((r) => r.name === `zz-last.${ZONE}`)).toHaveLength(0);
    expect(fake.records(ZONE).filter((r) => r.name.startsWith('filler-'))).toHaveLength(230);
  });
});

describe('hand edits of our records', () => {
  // kubernetes-sigs/external-dns#2435 and #1514: after a change in the dashboard, ExternalDNS
  // created the record again (refused, 81053) and then deleted it: an outage window cached as
  // NXDOMAIN. Here the record is PATCHed in place: same id, no delete, no post.
  it('#2435/#1514: a CNAME target changed by hand is patched back in place, keeping its id', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `nginx.${ZONE}`, recordType: 'CNAME', targets: ['lb.example.net'] },
    ];
    await converges(registry, desired);
    const before = fake.records(ZONE).find((r) => r.name === `nginx.${ZONE}` && r.type === 'CNAME')!;
    // the dashboard edit: another target
    fake.removeRecord(ZONE, before.id);
    fake.addRecord(ZONE, {
      id: before.id,
      name: before.name,
      type: 'CNAME',
      content: 'manual.example.org',
      ttl: 1,
    });
    const edited = fake.records(ZONE).find((r) => r.name === `nginx.${ZONE}` && r.type === 'CNAME')!;
    fake.clearRequests();
    const result = await run(setup().registry, desired);
    expect(result.counts.update).toBe(1);
    expect(batches()).toHaveLength(1);
    const body = fake.requests.find((r) => r.path.endsWith('/dns_records/batch'));
    expect(body?.status).toBe(200);
    const after = fake.records(ZONE).filter((r) => r.name === `nginx.${ZONE}` && r.type === 'CNAME');
    expect(after.map((r) => [r.id, r.content])).toEqual([[edited.id, 'lb.example.net']]);
  });
});

describe('zones', () => {
  // Zones are listed 50 per page at most: an account with many zones must find one on a later page
  // (ExternalDNS's zone listing went through the same pager as #5986).
  it('a zone past the first pages of the zone list is found and written', async () => {
    for (let i = 0; i < 120; i++)
      fake.addZone({ name: `z${String(i).padStart(3, '0')}.many.test`, plan: 'pro' });
    const { registry, provider } = setup({ domainFilter: new DomainFilter({ include: ['z119.many.test'] }) });
    expect(await provider.zones()).toEqual(['z119.many.test']);
    await converges(registry, [{ dnsName: 'www.z119.many.test', recordType: 'A', targets: ['192.0.2.1'] }]);
    expect(fake.records('z119.many.test').filter((r) => r.type === 'A')).toHaveLength(1);
  });
});

describe('records we do not own', () => {
  // kubernetes-sigs/external-dns#692 and #2762: TXT records at the apex (SPF, site checks), some
  // written unquoted in the dashboard. With ExternalDNS's default managed types (A, AAAA, CNAME)
  // they neither block nor get touched by our apex record; with TXT managed, the planner leaves the
  // apex alone and says why (ExternalDNS's rule: a name with unowned records is not ours).
  it('#692/#2762: unquoted SPF TXT at the apex set by hand is left alone while we manage the apex A', async () => {
    fake.addRecord(ZONE, {
      name: ZONE,
      type: 'TXT',
      content: 'v=spf1 include:_spf.example.com -all',
      ttl: 3600,
    });
    fake.addRecord(ZONE, { name: ZONE, type: 'TXT', content: '"google-site-verification=abc"', ttl: 3600 });
    const apexTxt = () =>
      fake
        .records(ZONE)
        .filter((r) => r.name === ZONE && r.type === 'TXT')
        .map((r) => r.content)
        .sort();
    const { provider } = setup();
    const defaults: RecordType[] = ['A', 'AAAA', 'CNAME'];
    const registry = new TxtRegistry(provider, {
      ownerId: 'alpha',
      prefix: '_owner.%{record_type}.',
      managedRecordTypes: defaults,
    });
    const desired: EndpointInit[] = [{ dnsName: ZONE, recordType: 'A', targets: ['192.0.2.80'] }];
    const runDefault = (d: EndpointInit[]) =>
      reconcile({ registry, desired: d, policy: 'sync', managedRecordTypes: defaults, safety: false });
    expect((await runDefault(desired)).applied).toBe(true);
    expect((await runDefault(desired)).plan.hasChanges).toBe(false);
    expect(apexTxt()).toEqual(['"google-site-verification=abc"', 'v=spf1 include:_spf.example.com -all']);
    await runDefault([]);
    expect(
      fake
        .records(ZONE)
        .filter((r) => r.name === ZONE)
        .map((r) => r.type),
    ).toEqual(['TXT', 'TXT']);

    // TXT managed too: the apex A is reported, not written, and the TXT records stay
    const managingTxt = await run(setup().registry, desired);
    expect(managingTxt.applied).toBe(false);
    expect(managingTxt.plan.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['exists-unowned', ZONE],
    ]);
    expect(apexTxt()).toEqual(['"google-site-verification=abc"', 'v=spf1 include:_spf.example.com -all']);
  });

  // A comment written by hand on a record nobody owns stays; our update of another name does not
  // PUT over unrelated fields (reference A.10 sharp edge 2: PUT resets settings).
  it('an update keeps fields it does not manage (settings.flatten_cname set by hand)', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `flat.${ZONE}`, recordType: 'CNAME', targets: ['a.example.net'] },
    ];
    await converges(registry, desired);
    // the user turns CNAME flattening on in the dashboard
    const rec = fake.records(ZONE).find((r) => r.name === `flat.${ZONE}` && r.type === 'CNAME')!;
    fake.removeRecord(ZONE, rec.id);
    fake.addRecord(ZONE, {
      name: rec.name,
      type: 'CNAME',
      content: rec.content,
      ttl: rec.ttl,
      settings: { flatten_cname: true },
    });
    await converges(registry, [{ ...desired[0]!, targets: ['b.example.net'] }]);
    expect(fake.records(ZONE).find((r) => r.name === `flat.${ZONE}` && r.type === 'CNAME')).toMatchObject({
      content: 'b.example.net',
      settings: { flatten_cname: true },
    });
  });
});

describe('comments and tags the zone cannot store', () => {
  // external-dns --cloudflare-record-comment longer than the plan allows (100 Free, 500 paid) was
  // refused by the API every cycle until ExternalDNS trimmed it; the trimmed one must not loop.
  it('a comment longer than the Free limit is trimmed once and plans to nothing', async () => {
    const { registry } = setup();
    const long = `${'c'.repeat(99)} ${'d'.repeat(50)}`;
    const desired: EndpointInit[] = [
      {
        dnsName: `note.${FREE}`,
        recordType: 'A',
        targets: ['192.0.2.3'],
        providerSpecific: [{ name: COMMENT_PROPERTY, value: long }],
      },
    ];
    await converges(registry, desired);
    const stored = fake.records(FREE).find((r) => r.name === `note.${FREE}` && r.type === 'A');
    expect(stored?.comment?.length).toBeLessThanOrEqual(100);
  });

  // Cloudflare's record-attributes page: tag names are not case-sensitive, tag values are. A tag
  // written `Team:Web` and one set by hand as `TEAM:Web` are the same tag: no update either way.
  it('tag names compare without case (values with it): no update loop between Team:Web and TEAM:Web', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      {
        dnsName: `t.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.4'],
        providerSpecific: [{ name: TAGS_PROPERTY, value: 'Team:Web' }],
      },
    ];
    await converges(registry, desired);
    expect(fake.records(ZONE).find((r) => r.name === `t.${ZONE}` && r.type === 'A')?.tags).toEqual([
      'team:Web',
    ]);
    // set by hand with the name in capitals
    const rec = fake.records(ZONE).find((r) => r.name === `t.${ZONE}` && r.type === 'A')!;
    fake.removeRecord(ZONE, rec.id);
    fake.addRecord(ZONE, {
      name: rec.name,
      type: 'A',
      content: rec.content,
      ttl: rec.ttl,
      tags: ['TEAM:Web'],
    });
    expect((await run(setup().registry, desired, true)).plan.changes).toMatchObject({ updateNew: [] });
    // a value differing in case is a change
    const other = [{ ...desired[0]!, providerSpecific: [{ name: TAGS_PROPERTY, value: 'team:web' }] }];
    expect((await run(setup().registry, other, true)).plan.changes.updateNew).toHaveLength(1);
  });

  // Cloudflare: Free zones have a tag quota of 0 (error 9300); tags are `name:value`. Reference
  // A.5. Without a check, the batch of the whole zone was refused on every run.
  it('tags on a Free zone, and a tag without `name:`, are a ValidationError naming the endpoint; nothing is written', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `tagged.${FREE}`,
        recordType: 'A',
        targets: ['192.0.2.2'],
        providerSpecific: [{ name: TAGS_PROPERTY, value: 'team:web' }],
      },
      {
        dnsName: `badtag.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.3'],
        providerSpecific: [{ name: TAGS_PROPERTY, value: 'justaword' }],
      },
    ];
    const error = await run(registry, desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(isDnsError(error) && error.code).toBe('VALIDATION');
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path.slice(0, 2))).toEqual([
      ['desired', 1],
      ['desired', 2],
    ]);
    expect(batches()).toHaveLength(0);
    expect(fake.records(ZONE)).toHaveLength(0);
    expect(fake.records(FREE)).toHaveLength(0);
  });
});

describe('ExternalDNS properties this provider does not implement', () => {
  // Reference A.10: ExternalDNS's cloudflare-region-key (Data Localization) and
  // cloudflare-custom-hostname (Cloudflare for SaaS). Dropping them would serve a record globally
  // that was asked to stay in a region: refused, naming the endpoint, before anything is written.
  it('cloudflare-region-key and cloudflare-custom-hostname are a ValidationError; an empty region key is accepted', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      {
        dnsName: `eu.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: 'external-dns.kubernetes.io/cloudflare-region-key', value: 'eu' }],
      },
      {
        dnsName: `saas.${ZONE}`,
        recordType: 'CNAME',
        targets: ['origin.example.net'],
        providerSpecific: [
          {
            name: 'external-dns.alpha.kubernetes.io/cloudflare-custom-hostname',
            value: 'shop.customer.example',
          },
        ],
      },
      {
        dnsName: `global.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.2'],
        providerSpecific: [{ name: 'external-dns.kubernetes.io/cloudflare-region-key', value: '' }],
      },
    ];
    const error = await run(registry, desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => [i.path.slice(0, 2), i.code])).toEqual([
      [['desired', 0], 'cloudflare_unsupported_property'],
      [['desired', 1], 'cloudflare_unsupported_property'],
    ]);
    expect(batches()).toHaveLength(0);
    await converges(registry, [desired[2]!]);
  });
});
