// Core's planner and TXT registry driving CloudflareProvider against the loopback fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  isDnsError,
  reconcile,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import { perValueCost } from '@openova/dns-core/provider';
import {
  batchOperationsLimit,
  COMMENT_PROPERTY,
  CloudflareProvider,
  LEGACY_PROXIED_PROPERTY,
  MIXED_VALUE,
  PROXIED_PROPERTY,
  type CloudflareProviderOptions,
} from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

const ZONE = 'rec.test';
const MANAGED: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA'];
let fake: FakeCloudflare;

beforeEach(async () => {
  fake = await startFakeCloudflare();
  fake.addZone({ name: ZONE, plan: 'pro' });
  fake.addZone({ name: 'free.test', plan: 'free' });
});

afterEach(() => fake?.close());

function setup(ownerId: string, options: Partial<CloudflareProviderOptions> & { zone?: string } = {}) {
  const { zone, ...rest } = options;
  const provider = new CloudflareProvider({
    apiToken: 'test-token',
    baseUrl: fake.url,
    domainFilter: new DomainFilter({ include: [zone ?? ZONE] }),
    ...rest,
  });
  const registry = new TxtRegistry(provider, {
    ownerId,
    prefix: '_owner.%{record_type}.',
    managedRecordTypes: MANAGED,
  });
  return { provider, registry };
}

const run = (registry: TxtRegistry, desired: EndpointInit[]) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: MANAGED });

const batches = () => fake.requests.filter((r) => r.path.endsWith('/dns_records/batch'));

const everyType = (zone: string, proxied: boolean): EndpointInit[] => {
  const p = (value: boolean) => [{ name: PROXIED_PROPERTY, value: String(value) }];
  return [
    {
      dnsName: `a.${zone}`,
      recordType: 'A',
      targets: ['192.0.2.1', '192.0.2.2'],
      recordTTL: 300,
      providerSpecific: p(proxied),
    },
    { dnsName: `aaaa.${zone}`, recordType: 'AAAA', targets: ['2001:DB8::1'], providerSpecific: p(proxied) },
    {
      dnsName: `cname.${zone}`,
      recordType: 'CNAME',
      targets: ['Target.Example.net.'],
      recordTTL: 30,
      providerSpecific: p(proxied),
    },
    {
      dnsName: `txt.${zone}`,
      recordType: 'TXT',
      targets: ['v=spf1 -all', `long ${'x'.repeat(300)}`],
      recordTTL: 3600,
    },
    { dnsName: `mx.${zone}`, recordType: 'MX', targets: ['10 mail.example.org.', '20 backup.example.org'] },
    {
      dnsName: `_sip._tcp.${zone}`,
      recordType: 'SRV',
      targets: ['10 5 5060 sip.example.org.'],
      recordTTL: 120,
    },
    { dnsName: `caa.${zone}`, recordType: 'CAA', targets: ['0 issue "letsencrypt.org"', '0 ISSUEWILD ";"'] },
  ];
};

describe('plan → apply → plan is empty', () => {
  for (const proxied of [false, true]) {
    it(`every type ${proxied ? 'with' : 'without'} proxied: one list, one batch, then nothing to do`, async () => {
      const { registry } = setup('alpha');
      const desired = everyType(ZONE, proxied);
      const first = await run(registry, desired);
      expect(first.applied).toBe(true);
      expect(first.counts.create).toBe(desired.length);
      expect(batches()).toHaveLength(1);
      expect(fake.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{32}/g, ':id')}`)).toEqual([
        'GET /zones',
        'GET /zones/:id/dns_records',
        'POST /zones/:id/dns_records/batch',
      ]);
      const stored = fake.records(ZONE);
      const a = stored.filter((r) => r.name === `a.${ZONE}`);
      expect(a.map((r) => [r.proxied, r.ttl])).toEqual([
        [proxied, proxied ? 1 : 300],
        [proxied, proxied ? 1 : 300],
      ]);
      expect(stored.find((r) => r.type === 'CNAME')).toMatchObject({
        content: 'target.example.net',
        ttl: proxied ? 1 : 60,
      });
      expect(stored.find((r) => r.type === 'SRV')?.data).toEqual({
        priority: 10,
        weight: 5,
        port: 5060,
        target: 'sip.example.org',
      });
      expect(stored.find((r) => r.type === 'MX' && r.priority === 20)?.content).toBe('backup.example.org');
      // the registry's TXT of a proxied record carries the copied flag; it is never sent
      expect(stored.filter((r) => r.type === 'TXT').every((r) => !r.proxied)).toBe(true);

      fake.clearRequests();
      const second = await run(registry, desired);
      expect(second.plan.hasChanges).toBe(false);
      expect(second.applied).toBe(false);
      expect(batches()).toHaveLength(0);
      // a fresh instance agrees
      const third = await run(setup('alpha').registry, desired);
      expect(third.plan.hasChanges).toBe(false);
    });
  }

  it('accepts the pre-v0.22 alpha property name and converges on the v0.22 one', async () => {
    const { registry, provider } = setup('alpha');
    const desired: EndpointInit[] = [
      {
        dnsName: `old.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.5'],
        providerSpecific: [{ name: LEGACY_PROXIED_PROPERTY, value: 'true' }],
      },
    ];
    await run(registry, desired);
    expect(fake.records(ZONE).find((r) => r.name === `old.${ZONE}`)?.proxied).toBe(true);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
    const [read] = (await provider.records()).filter((e) => e.dnsName === `old.${ZONE}`);
    expect(read?.providerSpecific).toEqual([{ name: PROXIED_PROPERTY, value: 'true' }]);
    expect(read?.recordTTL).toBe(1);
  });

  it('comments and tags round-trip; tags come back sorted', async () => {
    const { registry } = setup('alpha');
    const desired: EndpointInit[] = [
      {
        dnsName: `tagged.${ZONE}`,
        recordType: 'A',
        targets: ['192.0.2.6'],
        providerSpecific: [
          { name: 'external-dns.alpha.kubernetes.io/cloudflare-tags', value: 'team:web, env:prod' },
          { name: COMMENT_PROPERTY, value: 'managed by catalyst' },
        ],
      },
    ];
    await run(registry, desired);
    const stored = fake.records(ZONE).filter((r) => r.name === `tagged.${ZONE}`);
    expect(stored[0]).toMatchObject({ comment: 'managed by catalyst', tags: ['env:prod', 'team:web'] });
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });

  it('updates PATCH only the values and fields that changed, keeping record ids', async () => {
    const { registry } = setup('alpha');
    const desired = everyType(ZONE, false);
    await run(registry, desired);
    const before = new Map(fake.records(ZONE).map((r) => [r.id, r]));
    const next = desired.map((d) =>
      d.recordType === 'A'
        ? { ...d, targets: ['192.0.2.1', '192.0.2.3'] }
        : d.recordType === 'CNAME'
          ? { ...d, providerSpecific: [{ name: PROXIED_PROPERTY, value: 'true' }] }
          : d,
    );
    fake.clearRequests();
    const result = await run(registry, next);
    expect(result.counts.update).toBe(2);
    expect(batches()).toHaveLength(1);
    const after = fake.records(ZONE);
    // the changed A value was patched in place: same ids, no deletes or posts
    expect(after.map((r) => r.id).sort()).toEqual([...before.keys()].sort());
    const a = after
      .filter((r) => r.name === `a.${ZONE}`)
      .map((r) => r.content)
      .sort();
    expect(a).toEqual(['192.0.2.1', '192.0.2.3']);
    expect(after.find((r) => r.type === 'CNAME')).toMatchObject({ proxied: true, ttl: 1 });
    expect((await run(registry, next)).plan.hasChanges).toBe(false);
  });

  it('a type change (A → CNAME) and a delete go into one batch', async () => {
    const { registry } = setup('alpha');
    await run(registry, everyType(ZONE, false));
    const next = everyType(ZONE, false)
      .filter((d) => d.recordType !== 'MX')
      .map((d) =>
        d.recordType === 'A'
          ? { dnsName: d.dnsName, recordType: 'CNAME', targets: ['moved.example.net'] }
          : d,
      );
    fake.clearRequests();
    await run(registry, next);
    expect(batches()).toHaveLength(1);
    expect(
      fake
        .records(ZONE)
        .filter((r) => r.name === `a.${ZONE}`)
        .map((r) => r.type),
    ).toEqual(['CNAME']);
    expect(fake.records(ZONE).some((r) => r.type === 'MX')).toBe(false);
    expect((await run(registry, next)).plan.hasChanges).toBe(false);
  });

  it('values that disagree (one proxied, one not; set by hand) are rewritten to one state', async () => {
    fake.addRecord(ZONE, { name: `mixed.${ZONE}`, type: 'A', content: '192.0.2.10', ttl: 1, proxied: true });
    fake.addRecord(ZONE, { name: `mixed.${ZONE}`, type: 'A', content: '192.0.2.11', ttl: 1, proxied: false });
    const { registry, provider } = setup('alpha');
    const [read] = (await provider.records()).filter((e) => e.dnsName === `mixed.${ZONE}`);
    expect(read?.providerSpecific).toEqual([{ name: PROXIED_PROPERTY, value: MIXED_VALUE }]);
    // take it over: the registry needs our marker first, so write it through an upsert of the TXT
    const desired: EndpointInit[] = [
      { dnsName: `mixed.${ZONE}`, recordType: 'A', targets: ['192.0.2.10', '192.0.2.11'] },
    ];
    await provider.applyChanges({
      create: [
        {
          dnsName: `_owner.a.mixed.${ZONE}`,
          recordType: 'TXT',
          targets: ['heritage=external-dns,external-dns/owner=alpha'],
          setIdentifier: '',
          recordTTL: 0,
          labels: {},
          providerSpecific: [],
        },
      ],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    const fixed = await run(registry, desired);
    expect(fixed.counts.update).toBe(1);
    expect(
      fake
        .records(ZONE)
        .filter((r) => r.name === `mixed.${ZONE}`)
        .map((r) => r.proxied),
    ).toEqual([false, false]);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });
});

describe('validation', () => {
  it('proxied on a type Cloudflare cannot proxy is a ValidationError before any write', async () => {
    const { registry } = setup('alpha');
    const error = await run(registry, [
      {
        dnsName: `mx.${ZONE}`,
        recordType: 'MX',
        targets: ['10 mail.example.org'],
        providerSpecific: [{ name: PROXIED_PROPERTY, value: 'true' }],
      },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.code).toBe('cloudflare_not_proxiable');
    expect(batches()).toHaveLength(0);
  });

  it('a proxied value that is not a boolean is a ValidationError', async () => {
    const { provider } = setup('alpha');
    await expect(
      provider.adjustEndpoints([
        {
          dnsName: `x.${ZONE}`,
          recordType: 'A',
          targets: ['192.0.2.1'],
          setIdentifier: '',
          recordTTL: 0,
          labels: {},
          providerSpecific: [{ name: PROXIED_PROPERTY, value: 'yes' }],
        },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('adjustEndpoints canonicalises TTLs, proxied, comments (trimmed to the plan limit) and drops unknown properties', async () => {
    const { provider } = setup('alpha', { zone: 'free.test' });
    const base = { setIdentifier: '', labels: {}, recordTTL: 0, providerSpecific: [] };
    const [auto, clamped, proxied, commented] = await provider.adjustEndpoints([
      {
        ...base,
        dnsName: 'A.Free.Test.',
        recordType: 'a',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: 'aws/weight', value: '1' }],
      },
      { ...base, dnsName: 'b.free.test', recordType: 'TXT', targets: ['x'], recordTTL: 999_999 },
      {
        ...base,
        dnsName: 'c.free.test',
        recordType: 'CNAME',
        targets: ['T.example.'],
        recordTTL: 600,
        providerSpecific: [{ name: PROXIED_PROPERTY, value: 'True' }],
      },
      {
        ...base,
        dnsName: 'd.free.test',
        recordType: 'A',
        targets: ['192.0.2.4'],
        providerSpecific: [{ name: COMMENT_PROPERTY, value: 'x'.repeat(150) }],
      },
    ]);
    expect(auto).toMatchObject({
      dnsName: 'a.free.test',
      recordType: 'A',
      // an unset TTL stays unset ("keep what is there"); defaultTTL is written on creation
      recordTTL: 0,
      providerSpecific: [{ name: PROXIED_PROPERTY, value: 'false' }],
    });
    expect(clamped).toMatchObject({ recordTTL: 86_400, providerSpecific: [] });
    expect(proxied).toMatchObject({
      recordTTL: 1,
      targets: ['t.example'],
      providerSpecific: [{ name: PROXIED_PROPERTY, value: 'true' }],
    });
    expect(commented?.providerSpecific.find((p) => p.name === COMMENT_PROPERTY)?.value).toHaveLength(100);
  });

  it('proxiedByDefault and defaultComment apply like the ExternalDNS flags', async () => {
    const { registry } = setup('alpha', { proxiedByDefault: true, defaultComment: 'from catalyst' });
    const desired: EndpointInit[] = [
      { dnsName: `web.${ZONE}`, recordType: 'A', targets: ['192.0.2.20'] },
      { dnsName: `mail.${ZONE}`, recordType: 'MX', targets: ['10 mx.example.org'] },
    ];
    await run(registry, desired);
    const stored = fake.records(ZONE);
    expect(stored.find((r) => r.name === `web.${ZONE}` && r.type === 'A')).toMatchObject({
      proxied: true,
      comment: 'from catalyst',
    });
    expect(stored.find((r) => r.type === 'MX')).toMatchObject({ proxied: false, comment: 'from catalyst' });
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });
});

describe('ownership', () => {
  it('leaves records of another owner and records with no owner untouched', async () => {
    fake.addRecord(ZONE, {
      name: `manual.${ZONE}`,
      type: 'A',
      content: '203.0.113.1',
      ttl: 60,
      comment: 'by hand',
    });
    fake.addRecord(ZONE, { name: `manual.${ZONE}`, type: 'TXT', content: '"keep me"', ttl: 1 });
    await run(setup('other-team').registry, [
      { dnsName: `theirs.${ZONE}`, recordType: 'A', targets: ['203.0.113.3'] },
    ]);
    const before = fake.records(ZONE);
    fake.clearRequests();
    const { registry } = setup('alpha');
    const result = await run(registry, [
      { dnsName: `mine.${ZONE}`, recordType: 'A', targets: ['192.0.2.30'] },
      // both names are held by others: sync must neither take them over nor delete them
      { dnsName: `manual.${ZONE}`, recordType: 'A', targets: ['192.0.2.31'] },
      { dnsName: `theirs.${ZONE}`, recordType: 'A', targets: ['192.0.2.32'] },
    ]);
    expect(result.counts.create).toBe(1);
    const after = fake.records(ZONE);
    for (const record of before) expect(after).toContainEqual(record);
    expect(after.filter((r) => r.name === `mine.${ZONE}`)).toHaveLength(1);
    // syncing to nothing deletes only what alpha owns
    await reconcile({ registry, desired: [], policy: 'sync', managedRecordTypes: MANAGED, force: true });
    expect(fake.records(ZONE)).toEqual(before);
  });
});

describe('batching', () => {
  it('declares the zone plan limit in operations so core chunks: 3,500 on paid, 200 on Free, or as configured', async () => {
    const operations = (p: CloudflareProvider) => {
      const limits = p.capabilities.batchLimits ?? [];
      expect(limits).toHaveLength(1);
      expect(limits[0]).toMatchObject({ name: 'Cloudflare batch operations', cost: perValueCost });
      return limits[0]!.max;
    };
    const paid = setup('alpha').provider;
    expect(operations(paid)).toBe(200); // nothing listed yet: the safe value
    await paid.records();
    expect(operations(paid)).toBe(3500);
    expect(paid.capabilities).toMatchObject({ atomicity: 'batch', setIdentifiers: false });
    expect(paid.capabilities.maxChangesPerApply).toBeUndefined();
    const free = setup('alpha', { zone: 'free.test' }).provider;
    await free.records();
    expect(operations(free)).toBe(200);
    expect(operations(setup('alpha', { batchLimit: 50 }).provider)).toBe(50);
    expect(batchOperationsLimit(7)).toMatchObject({ max: 7, cost: perValueCost });
  });

  it('applies 450 endpoints to a Free zone in chunks of at most 200 operations', async () => {
    const { registry } = setup('alpha', { zone: 'free.test' });
    const desired: EndpointInit[] = Array.from({ length: 225 }, (_, i) => ({
      dnsName: `h${i}.free.test`,
      recordType: 'A',
      targets: [`198.51.100.${i}`],
    }));
    await run(registry, desired);
    // 225 records + 225 TXT = 450 operations → 3 batches
    expect(batches()).toHaveLength(3);
    expect(fake.records('free.test')).toHaveLength(450);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });

  it('a chunk Cloudflare rejects for its content is isolated: the rest is applied, the bad one reported', async () => {
    // the provider reads and writes A and TXT only, so it does not see the CNAMEs set by hand at
    // n6 and solo; Cloudflare refuses an A beside them with 81053, and the whole batch with it
    const { registry, provider } = setup('alpha', {
      zone: 'free.test',
      batchLimit: 8,
      recordTypes: ['A', 'TXT'],
    });
    fake.addRecord('free.test', { name: 'n6.free.test', type: 'CNAME', content: 'elsewhere.example.net' });
    fake.addRecord('free.test', { name: 'solo.free.test', type: 'CNAME', content: 'elsewhere.example.net' });
    const desired: EndpointInit[] = Array.from({ length: 10 }, (_, i) => ({
      dnsName: `n${i}.free.test`,
      recordType: 'A',
      targets: [`198.51.100.${i}`],
    }));
    const direct = await provider
      .applyChanges({
        create: [
          {
            dnsName: 'solo.free.test',
            recordType: 'A',
            targets: ['192.0.2.1'],
            setIdentifier: '',
            recordTTL: 0,
            labels: {},
            providerSpecific: [],
          },
        ],
        updateOld: [],
        updateNew: [],
        delete: [],
      })
      .catch((e: unknown) => e);
    expect(direct).toMatchObject({ code: 'RECORD_REJECTED', retryable: false, provider: 'cloudflare' });

    const error = await run(registry, desired).catch((e: unknown) => e);
    expect(isDnsError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PARTIAL_APPLY' });
    const rejected = (error as { rejected: { records: string[]; reason: string }[] }).rejected;
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.records).toEqual(['n6.free.test A']);
    expect(rejected[0]?.reason).toContain('81053');
    const names = new Set(
      fake
        .records('free.test')
        .filter((r) => r.type === 'A')
        .map((r) => r.name),
    );
    for (let i = 0; i < 10; i++) expect(names.has(`n${i}.free.test`)).toBe(i !== 6);
    expect(names.has('_owner.a.n6.free.test')).toBe(false);
  });

  /** Counts the provider's `applyChanges` calls, refusals and the operations of each sent batch. */
  const watch = (provider: CloudflareProvider) => {
    const seen = { calls: 0, refused: 0, operations: [] as number[] };
    const original = provider.applyChanges.bind(provider);
    provider.applyChanges = async (changes, options) => {
      seen.calls++;
      try {
        await original(changes, options);
      } catch (error) {
        seen.refused++;
        throw error;
      }
      seen.operations.push(provider.lastApply.reduce((n, b) => n + b.operations, 0));
    };
    return seen;
  };

  it('multi-value endpoints are chunked by operations (one per value), never refused for size', async () => {
    const { registry, provider } = setup('alpha', { zone: 'free.test' });
    const seen = watch(provider);
    // 100 endpoints with 3 values + 100 TXTs: 200 endpoints but 400 operations, 4 per record and TXT
    const desired: EndpointInit[] = Array.from({ length: 100 }, (_, i) => ({
      dnsName: `m${i}.free.test`,
      recordType: 'A',
      targets: [`198.51.100.${i}`, `198.51.101.${i}`, `198.51.102.${i}`],
    }));
    const result = await run(registry, desired);
    expect(result.applied).toBe(true);
    // sized by core to the Free plan's 200 operations: two full chunks, the provider never refuses
    expect(seen).toEqual({ calls: 2, refused: 0, operations: [200, 200] });
    expect(batches()).toHaveLength(2);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(fake.records('free.test')).toHaveLength(400);
    expect((await run(registry, desired)).plan.hasChanges).toBe(false);
  });

  it('an update is priced max(old values, new values): growing 1 value to 5 costs 5, chunks fit', async () => {
    const { registry, provider } = setup('alpha', { zone: 'free.test', batchLimit: 20 });
    const one: EndpointInit[] = Array.from({ length: 8 }, (_, i) => ({
      dnsName: `g${i}.free.test`,
      recordType: 'A',
      targets: [`198.51.100.${i}`],
    }));
    await run(registry, one);
    const seen = watch(provider);
    const five = one.map((e, i) => ({ ...e, targets: [1, 2, 3, 4, 5].map((k) => `198.51.${100 + k}.${i}`) }));
    const result = await run(registry, five);
    expect(result.applied).toBe(true);
    // each A update is priced 5 (1 PATCH + 4 POSTs) and its TXT's update 1 (the registry rewrites
    // it; unchanged, it needs no operation in fact): 6 per name, 3 names per chunk of 20
    expect(seen.refused).toBe(0);
    expect(seen.operations).toEqual([15, 15, 10]);
    expect(seen.calls).toBe(3);
    expect(fake.records('free.test').filter((r) => r.type === 'A')).toHaveLength(40);
  });

  it('an endpoint with more values than one batch may carry is refused before anything is sent', async () => {
    const { registry, provider } = setup('alpha', { zone: 'free.test', batchLimit: 4 });
    const seen = watch(provider);
    const error = await run(registry, [
      { dnsName: 'small.free.test', recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: 'big.free.test',
        recordType: 'A',
        targets: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'],
      },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'batch_limit_exceeded' });
    // the record plus its ownership TXT: 5 operations
    expect(issues[0]!.message).toContain(
      'big.free.test A: costs 5 Cloudflare batch operations, more than the 4',
    );
    expect(seen.calls).toBe(0);
    expect(batches()).toHaveLength(0);
    expect(fake.records('free.test')).toEqual([]);
  });

  it('a chunk spanning two zones is resent without duplicates when the second zone rejects its part', async () => {
    // a CNAME the provider does not read (A and TXT only) makes Cloudflare refuse the A beside it
    const { registry } = setup('alpha', {
      domainFilter: new DomainFilter({ include: [ZONE, 'free.test'] }),
      recordTypes: ['A', 'TXT'],
    });
    const hand = fake.addRecord('free.test', {
      name: 'bad.free.test',
      type: 'CNAME',
      content: 'x.example.net',
    });
    const error = await run(registry, [
      { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.40'] },
      { dnsName: 'bad.free.test', recordType: 'A', targets: ['192.0.2.41'] },
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PARTIAL_APPLY' });
    expect((error as { rejected: { records: string[] }[] }).rejected.map((r) => r.records)).toEqual([
      ['bad.free.test A'],
    ]);
    expect(fake.records(ZONE).filter((r) => r.name.endsWith(`ok.${ZONE}`))).toHaveLength(2);
    expect(fake.records('free.test')).toEqual([hand]);
    // rec.test's batch went out once: the resend found everything in place and sent nothing
    expect(batches().filter((r) => r.status === 200)).toHaveLength(1);
  });
});
