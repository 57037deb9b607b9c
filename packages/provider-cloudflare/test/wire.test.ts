// The fake speaks Cloudflare's wire format: the official `cloudflare` SDK drives every endpoint our
// client uses against it, and our client reads what the SDK wrote (and the other way round).
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudflareClient } from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

let fake: FakeCloudflare;
let sdk: Cloudflare;
let ours: CloudflareClient;
let zoneId: string;

beforeAll(async () => {
  fake = await startFakeCloudflare({ keys: [{ email: 'ops@example.com', key: 'legacy-key' }] });
  zoneId = fake.addZone({ name: 'wire.test', plan: 'pro' });
  for (let i = 0; i < 7; i++) fake.addZone({ name: `other${i}.test` });
  sdk = new Cloudflare({ apiToken: 'test-token', baseURL: fake.url, maxRetries: 0 });
  ours = new CloudflareClient({ apiToken: 'test-token', baseUrl: fake.url });
});

afterAll(() => fake?.close());

describe('the official SDK against the fake', () => {
  it('lists zones with a name filter and pages (SDK auto-pager)', async () => {
    const all = [];
    for await (const zone of sdk.zones.list({ per_page: 5 })) all.push(zone.name);
    expect(all).toHaveLength(8);
    const one = await sdk.zones.list({ name: 'wire.test' });
    expect(one.result.map((z) => z.name)).toEqual(['wire.test']);
    expect(one.result_info).toMatchObject({ total_count: 1, page: 1 });
    // ours reads the same zones, in fewer requests (no empty page at the end)
    fake.clearRequests();
    expect((await ours.listZones({ perPage: 5 })).map((z) => z.name)).toEqual(all);
    expect(fake.requests).toHaveLength(2);
    expect((await ours.listZones({ name: 'other3.test' })).map((z) => z.name)).toEqual(['other3.test']);
  });

  it('gets a zone with its plan', async () => {
    const zone = await sdk.zones.get({ zone_id: zoneId });
    expect(zone.plan.legacy_id).toBe('pro');
    expect((await ours.getZone(zoneId)).plan?.legacy_id).toBe('pro');
  });

  it('creates, gets, edits (PATCH) and deletes records of every type we write', async () => {
    const a = await sdk.dns.records.create({
      zone_id: zoneId,
      name: 'a.wire.test',
      type: 'A',
      content: '192.0.2.1',
      ttl: 300,
      proxied: true,
      comment: 'web',
      tags: ['team:web'],
    });
    expect(a).toMatchObject({ name: 'a.wire.test', ttl: 1, proxied: true, proxiable: true, comment: 'web' });
    const srv = await sdk.dns.records.create({
      zone_id: zoneId,
      name: '_sip._tcp.wire.test',
      type: 'SRV',
      ttl: 1,
      data: { priority: 10, weight: 5, port: 5060, target: 'sip.example.org' },
    });
    const caa = await sdk.dns.records.create({
      zone_id: zoneId,
      name: 'wire.test',
      type: 'CAA',
      ttl: 1,
      data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
    });
    const mx = await sdk.dns.records.create({
      zone_id: zoneId,
      name: 'wire.test',
      type: 'MX',
      ttl: 3600,
      content: 'mail.example.org',
      priority: 10,
    });
    const txt = await sdk.dns.records.create({
      zone_id: zoneId,
      name: 'txt.wire.test',
      type: 'TXT',
      ttl: 1,
      content: '"v=spf1 -all"',
    });
    expect(srv.content).toBe('10 5 5060 sip.example.org');
    expect(caa.content).toBe('0 issue "letsencrypt.org"');

    const got = await sdk.dns.records.get(mx.id, { zone_id: zoneId });
    expect(got).toMatchObject({ content: 'mail.example.org', priority: 10, ttl: 3600 });
    expect(await ours.getDnsRecord(zoneId, mx.id)).toMatchObject({
      content: 'mail.example.org',
      priority: 10,
    });

    // PATCH changes only what it carries: comment and tags of the proxied A survive
    const edited = await sdk.dns.records.edit(a.id, {
      zone_id: zoneId,
      name: 'a.wire.test',
      type: 'A',
      ttl: 1,
      content: '192.0.2.2',
    });
    expect(edited).toMatchObject({ content: '192.0.2.2', proxied: true, comment: 'web', tags: ['team:web'] });
    const patched = await ours.patchDnsRecord(zoneId, a.id, { comment: 'edge' });
    expect(patched).toMatchObject({ content: '192.0.2.2', comment: 'edge', proxied: true });

    expect(await sdk.dns.records.delete(txt.id, { zone_id: zoneId })).toEqual({ id: txt.id });
    await expect(ours.deleteDnsRecord(zoneId, caa.id)).resolves.toBe(caa.id);
    const created = await ours.createDnsRecord(zoneId, {
      name: 'c.wire.test',
      type: 'CNAME',
      content: 'target.example.net',
      ttl: 1,
    });
    expect((await sdk.dns.records.get(created.id, { zone_id: zoneId })).content).toBe('target.example.net');
  });

  it('lists records page by page: the SDK asks for an empty page at the end, ours does not', async () => {
    for (let i = 0; i < 12; i++)
      await ours.createDnsRecord(zoneId, {
        name: `p${i}.wire.test`,
        type: 'A',
        content: `198.51.100.${i}`,
        ttl: 1,
      });
    fake.clearRequests();
    const viaSdk = [];
    for await (const r of sdk.dns.records.list({ zone_id: zoneId, per_page: 5 })) viaSdk.push(r.id);
    const sdkRequests = fake.requests.length;
    fake.clearRequests();
    const viaOurs = await ours.listDnsRecords(zoneId, { perPage: 5 });
    expect(viaOurs.map((r) => r.id)).toEqual(viaSdk);
    expect(fake.requests).toHaveLength(Math.ceil(viaSdk.length / 5));
    expect(sdkRequests).toBe(fake.requests.length + 1);
    // filters use the SDK's dotted names
    const filtered = await sdk.dns.records.list({
      zone_id: zoneId,
      type: 'A',
      name: { exact: 'p3.wire.test' },
    });
    expect(filtered.result.map((r) => r.name)).toEqual(['p3.wire.test']);
    expect(
      (await ours.listDnsRecords(zoneId, { type: 'A', name: 'p3.wire.test' })).map((r) => r.name),
    ).toEqual(['p3.wire.test']);
  });

  it('runs a batch in the documented order, and our client writes the same body', async () => {
    const p0 = (await ours.listDnsRecords(zoneId, { type: 'A', name: 'p0.wire.test' }))[0]!;
    const p1 = (await ours.listDnsRecords(zoneId, { name: 'p1.wire.test' }))[0]!;
    // delete the A and post a CNAME at the same name in one batch: only works because deletes run first
    const result = await sdk.dns.records.batch({
      zone_id: zoneId,
      deletes: [{ id: p0.id }],
      patches: [{ id: p1.id, type: 'A', name: 'p1.wire.test', ttl: 600 }],
      posts: [{ name: 'p0.wire.test', type: 'CNAME', content: 'elsewhere.example.net', ttl: 1 }],
    });
    expect(result.deletes?.map((r) => r.id)).toEqual([p0.id]);
    expect(result.patches?.[0]).toMatchObject({ id: p1.id, ttl: 600, content: '198.51.100.1' });
    expect(result.posts?.[0]).toMatchObject({ name: 'p0.wire.test', type: 'CNAME' });

    const again = await ours.batchDnsRecords(zoneId, {
      deletes: [{ id: result.posts![0]!.id }],
      posts: [{ name: 'p0.wire.test', type: 'A', content: '198.51.100.0', ttl: 1 }],
    });
    expect(again.posts?.[0]?.type).toBe('A');
    const body = fake.requests.at(-1)!;
    expect(body.path).toBe(`/zones/${zoneId}/dns_records/batch`);
  });

  it('answers errors in the envelope both clients parse, with the error chain', async () => {
    const error = await sdk.dns.records
      .create({ zone_id: zoneId, name: 'bad.wire.test', type: 'A', content: '300.1.1.1', ttl: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cloudflare.APIError);
    const apiError = error as InstanceType<typeof Cloudflare.APIError>;
    expect(apiError.status).toBe(400);
    expect(apiError.errors[0]?.code).toBe(1004);
    const ourError = await ours
      .createDnsRecord(zoneId, {
        name: 'bad.wire.test',
        type: 'MX',
        content: 'mx.example.org',
        tags: ['a:b'],
      })
      .catch((e: unknown) => e);
    expect(ourError).toMatchObject({ code: 'RECORD_REJECTED', status: 400 });
  });

  it('accepts the legacy key and e-mail pair from both clients', async () => {
    const legacySdk = new Cloudflare({
      apiKey: 'legacy-key',
      apiEmail: 'ops@example.com',
      baseURL: fake.url,
      maxRetries: 0,
    });
    expect((await legacySdk.zones.get({ zone_id: zoneId })).name).toBe('wire.test');
    const legacyOurs = new CloudflareClient({
      apiKey: 'legacy-key',
      apiEmail: 'ops@example.com',
      baseUrl: fake.url,
    });
    expect((await legacyOurs.getZone(zoneId)).name).toBe('wire.test');
  });
});
