// Proves the fake's wire format with Microsoft's own SDKs (@azure/arm-dns 5.1.0 for public zones,
// @azure/arm-privatedns 4.0.0 for private zones), through their custom httpClient: the SDK's whole
// pipeline (bearer policy, conditional headers, retries on 429, nextLink paging, deserialisation of
// both error shapes) runs against the fake. Every call our client makes is made by the SDK too, and
// what one writes the other reads.
import { DnsManagementClient } from '@azure/arm-dns';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { describe, expect, it } from 'vitest';
import { AzureDnsClient, type AzureZoneRef } from '@openova/dns-provider-azure';
import { FakeAzureDns, fakeCredential, startFakeAzureDns } from '@openova/dns-provider-azure/testing';

const SUB = '00000000-0000-0000-0000-000000000001';

/** A credential for the SDKs: a fixed token, as the research brief's proof did. */
const sdkCredential = {
  getToken: () => Promise.resolve({ token: 'fake-azure-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

function publicSdk(fake: FakeAzureDns) {
  return new DnsManagementClient(sdkCredential, SUB, {
    httpClient: fake.httpClient() as never,
    retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
  });
}

function privateSdk(fake: FakeAzureDns) {
  return new PrivateDnsManagementClient(sdkCredential, SUB, {
    httpClient: fake.httpClient() as never,
    retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function sdkError(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string }> {
  try {
    await p;
  } catch (error) {
    return error as { statusCode?: number; code?: string };
  }
  throw new Error('expected a failure');
}

describe('@azure/arm-dns (public zones, api-version 2018-05-01) against the fake', () => {
  it('create with If-None-Match, replace with If-Match, get, list by type, delete: wire names and ETags', async () => {
    const fake = new FakeAzureDns({ limits: false });
    fake.addZone({ name: 'example.com', resourceGroup: 'rg' });
    const sdk = publicSdk(fake);
    const created = await sdk.recordSets.createOrUpdate(
      'rg',
      'example.com',
      'www',
      'A',
      { ttl: 300, aRecords: [{ ipv4Address: '192.0.2.1' }], metadata: { team: 'dns' } },
      { ifNoneMatch: '*' },
    );
    expect(created).toMatchObject({
      name: 'www',
      fqdn: 'www.example.com.',
      ttl: 300,
      metadata: { team: 'dns' },
    });
    expect(created.aRecords).toEqual([{ ipv4Address: '192.0.2.1' }]);
    const put = fake.requests.at(-1);
    expect(put).toMatchObject({
      method: 'PUT',
      path: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/example.com/A/www`,
    });
    expect(put?.query.get('api-version')).toBe('2018-05-01');
    expect(put?.headers['if-none-match']).toBe('*');
    // the SDK's serializer wrote the public casing: the fake stored TTL and ARecords
    expect(fake.recordSet({ name: 'example.com' }, 'A', 'www')?.properties).toEqual({
      TTL: 300,
      metadata: { team: 'dns' },
      ARecords: [{ ipv4Address: '192.0.2.1' }],
    });
    // a second create is refused: 412 PreconditionFailed (unwrapped body)
    expect(
      await sdkError(
        sdk.recordSets.createOrUpdate(
          'rg',
          'example.com',
          'www',
          'A',
          { ttl: 60, aRecords: [] },
          { ifNoneMatch: '*' },
        ),
      ),
    ).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    // replace with the ETag; a stale one is refused
    const replaced = await sdk.recordSets.createOrUpdate(
      'rg',
      'example.com',
      'www',
      'A',
      { ttl: 60, aRecords: [{ ipv4Address: '192.0.2.2' }] },
      { ifMatch: created.etag as string },
    );
    expect(replaced.etag).not.toBe(created.etag);
    expect(
      await sdkError(
        sdk.recordSets.createOrUpdate(
          'rg',
          'example.com',
          'www',
          'A',
          { ttl: 60 },
          { ifMatch: created.etag as string },
        ),
      ),
    ).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect((await sdk.recordSets.get('rg', 'example.com', 'www', 'A')).aRecords).toEqual([
      { ipv4Address: '192.0.2.2' },
    ]);
    // CAA is lower-case on the wire, TXT an array of strings per record
    await sdk.recordSets.createOrUpdate('rg', 'example.com', '@', 'CAA', {
      ttl: 300,
      caaRecords: [{ flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    });
    await sdk.recordSets.createOrUpdate('rg', 'example.com', 'txt', 'TXT', {
      ttl: 300,
      txtRecords: [{ value: ['"heritage=external-dns,external-dns/owner=default"'] }],
    });
    expect(fake.recordSet({ name: 'example.com' }, 'CAA', '@')?.properties).toHaveProperty('caaRecords');
    expect(fake.recordSet({ name: 'example.com' }, 'TXT', 'txt')?.properties).toEqual({
      TTL: 300,
      TXTRecords: [{ value: ['"heritage=external-dns,external-dns/owner=default"'] }],
    });
    expect((await collect(sdk.recordSets.listByType('rg', 'example.com', 'TXT'))).map((r) => r.name)).toEqual(
      ['txt'],
    );
    // delete with a stale ETag: 412; with the current one: gone
    const current = await sdk.recordSets.get('rg', 'example.com', 'www', 'A');
    expect(
      await sdkError(
        sdk.recordSets.delete('rg', 'example.com', 'www', 'A', { ifMatch: created.etag as string }),
      ),
    ).toMatchObject({
      statusCode: 412,
    });
    await sdk.recordSets.delete('rg', 'example.com', 'www', 'A', { ifMatch: current.etag as string });
    expect(fake.recordSet({ name: 'example.com' }, 'A', 'www')).toBeUndefined();
    expect(await sdkError(sdk.recordSets.get('rg', 'example.com', 'www', 'A'))).toMatchObject({
      statusCode: 404,
    });
  });

  it('listAllByDnsZone follows nextLink ($skipToken) page by page; zones list by subscription and by resource group', async () => {
    const fake = new FakeAzureDns({ limits: false });
    fake.addZone({ name: 'example.com', resourceGroup: 'rg-a' });
    fake.addZone({ name: 'example.com', resourceGroup: 'rg-b' });
    for (let i = 0; i < 5; i++)
      fake.seed({ name: 'example.com', resourceGroup: 'rg-a' }, 'A', `h${i}`, {
        TTL: 60,
        ARecords: [{ ipv4Address: `192.0.2.${i}` }],
      });
    const sdk = publicSdk(fake);
    const pages: number[] = [];
    for await (const page of sdk.recordSets.listAllByDnsZone('rg-a', 'example.com', { top: 2 }).byPage())
      pages.push(page.length);
    expect(pages).toEqual([2, 2, 2, 1]); // 5 A + SOA + NS
    expect(
      fake.requests.filter((r) => r.path.endsWith('/all')).map((r) => r.query.has('$skipToken')),
    ).toEqual([false, true, true, true]);
    const zones = await collect(sdk.zones.list());
    expect(zones.map((z) => z.id?.split('/')[4])).toEqual(['rg-a', 'rg-b']);
    expect((await collect(sdk.zones.listByResourceGroup('rg-b'))).map((z) => z.name)).toEqual([
      'example.com',
    ]);
  });

  it('a 429 with Retry-After is retried by the SDK; CNAME conflicts are 409 Conflict; auth failures use the wrapped shape', async () => {
    const fake = new FakeAzureDns({ limits: false });
    fake.addZone({ name: 'example.com' });
    const sdk = publicSdk(fake);
    fake.throttleNext(1, 0);
    await sdk.recordSets.createOrUpdate('rg', 'example.com', 'www', 'CNAME', {
      ttl: 60,
      cnameRecord: { cname: 'lb.example.net' },
    });
    expect(fake.requests.map((r) => r.status)).toEqual([429, 201]);
    expect(
      await sdkError(
        sdk.recordSets.createOrUpdate('rg', 'example.com', 'www', 'A', {
          ttl: 60,
          aRecords: [{ ipv4Address: '192.0.2.1' }],
        }),
      ),
    ).toMatchObject({ statusCode: 409, code: 'Conflict' });
    const stranger = new DnsManagementClient(
      { getToken: () => Promise.resolve({ token: 'wrong', expiresOnTimestamp: Date.now() + 60_000 }) },
      SUB,
      { httpClient: fake.httpClient() as never },
    );
    expect(await sdkError(stranger.recordSets.get('rg', 'example.com', 'www', 'CNAME'))).toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });
  });

  it('the fake’s limits through the SDK: 20 records per set, 255 characters per TXT string, 4,096 per set, casing', async () => {
    const fake = new FakeAzureDns({ limits: false });
    fake.addZone({ name: 'example.com' });
    const sdk = publicSdk(fake);
    const put = (type: 'A' | 'TXT', rs: object) =>
      sdkError(sdk.recordSets.createOrUpdate('rg', 'example.com', 'x', type, { ttl: 60, ...rs }));
    const many = Array.from({ length: 21 }, (_, i) => ({ ipv4Address: `192.0.2.${i}` }));
    expect(await put('A', { aRecords: many })).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(await put('TXT', { txtRecords: [{ value: ['y'.repeat(256)] }] })).toMatchObject({
      statusCode: 400,
    });
    const long = Array.from({ length: 17 }, () => ({ value: ['z'.repeat(255)] })); // 4,335 characters
    expect(await put('TXT', { txtRecords: long })).toMatchObject({ statusCode: 400 });
    await sdk.recordSets.createOrUpdate('rg', 'example.com', 'x', 'TXT', {
      ttl: 60,
      txtRecords: Array.from({ length: 16 }, () => ({ value: ['z'.repeat(255)] })), // 4,080
    });
    // the private API's casing sent to the public API is refused, not silently dropped
    const wrong = await fake.handle({
      method: 'PUT',
      url: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/example.com/A/y?api-version=2018-05-01`,
      headers: { authorization: 'Bearer fake-azure-token' },
      body: JSON.stringify({ properties: { TTL: 60, aRecords: [{ ipv4Address: '192.0.2.1' }] } }),
    });
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body)).toMatchObject({ code: 'BadRequest' });
  });

  it('what the SDK writes, our client reads; what our client writes, the SDK reads (public casing)', async () => {
    const fake = await startFakeAzureDns({ limits: false });
    try {
      fake.addZone({ name: 'example.com' });
      const zone: AzureZoneRef = { kind: 'public', resourceGroup: 'rg', name: 'example.com' };
      const ours = new AzureDnsClient({
        subscriptionId: SUB,
        credential: fakeCredential(),
        endpoint: fake.url,
        pageSize: 2,
      });
      const sdk = publicSdk(fake);
      await sdk.recordSets.createOrUpdate('rg', 'example.com', 'mail', 'MX', {
        ttl: 120,
        mxRecords: [{ preference: 10, exchange: 'mx.example.net' }],
      });
      const read = await ours.getRecordSet(zone, 'MX', 'mail');
      expect(read).toMatchObject({
        name: 'mail',
        type: 'MX',
        ttl: 120,
        MX: [{ preference: 10, exchange: 'mx.example.net' }],
      });
      await ours.putRecordSet(
        zone,
        {
          name: '_sip._tcp',
          type: 'SRV',
          ttl: 60,
          metadata: { a: 'b' },
          SRV: [{ priority: 1, weight: 2, port: 5060, target: 'sip.example.net' }],
        },
        { ifNoneMatch: '*' },
      );
      const srv = await sdk.recordSets.get('rg', 'example.com', '_sip._tcp', 'SRV');
      expect(srv).toMatchObject({
        ttl: 60,
        metadata: { a: 'b' },
        srvRecords: [{ priority: 1, weight: 2, port: 5060, target: 'sip.example.net' }],
      });
      const listed = await ours.listRecordSets(zone);
      expect(listed.map((r) => `${r.type}/${r.name}`)).toEqual(['NS/@', 'SOA/@', 'SRV/_sip._tcp', 'MX/mail']);
      await ours.close();
    } finally {
      await fake.close();
    }
  });
});

describe('@azure/arm-privatedns (private zones, api-version 2024-06-01) against the fake', () => {
  it('camelCase wire names, ETags, paging of list (…/ALL) and listByType, delete', async () => {
    const fake = new FakeAzureDns({ limits: false });
    fake.addZone({ kind: 'private', name: 'corp.internal', resourceGroup: 'rg' });
    const sdk = privateSdk(fake);
    const created = await sdk.recordSets.createOrUpdate(
      'rg',
      'corp.internal',
      'A',
      'db',
      { ttl: 30, aRecords: [{ ipv4Address: '10.0.0.5' }] },
      { ifNoneMatch: '*' },
    );
    expect(created).toMatchObject({ name: 'db', ttl: 30, isAutoRegistered: false });
    const put = fake.requests.at(-1);
    expect(put?.path).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/corp.internal/A/db`,
    );
    expect(put?.query.get('api-version')).toBe('2024-06-01');
    expect(fake.recordSet({ kind: 'private', name: 'corp.internal' }, 'A', 'db')?.properties).toEqual({
      ttl: 30,
      aRecords: [{ ipv4Address: '10.0.0.5' }],
    });
    expect(
      await sdkError(
        sdk.recordSets.createOrUpdate(
          'rg',
          'corp.internal',
          'A',
          'db',
          { ttl: 30, aRecords: [] },
          { ifMatch: 'stale' },
        ),
      ),
    ).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    await sdk.recordSets.createOrUpdate('rg', 'corp.internal', 'TXT', 'db', {
      ttl: 30,
      txtRecords: [{ value: ['a', 'b'] }],
    });
    const pages: number[] = [];
    for await (const page of sdk.recordSets.list('rg', 'corp.internal', { top: 1 }).byPage())
      pages.push(page.length);
    expect(pages).toEqual([1, 1, 1]); // A, SOA, TXT
    expect(fake.requests.some((r) => r.path.toLowerCase().endsWith('/corp.internal/all'))).toBe(true);
    expect(
      (await collect(sdk.recordSets.listByType('rg', 'corp.internal', 'TXT'))).map((r) => r.txtRecords),
    ).toEqual([[{ value: ['a', 'b'] }]]);
    await sdk.recordSets.delete('rg', 'corp.internal', 'A', 'db', { ifMatch: created.etag as string });
    expect(fake.recordSet({ kind: 'private', name: 'corp.internal' }, 'A', 'db')).toBeUndefined();
    expect((await collect(sdk.privateZones.list())).map((z) => z.name)).toEqual(['corp.internal']);
    expect((await collect(sdk.privateZones.listByResourceGroup('rg'))).map((z) => z.name)).toEqual([
      'corp.internal',
    ]);
    expect(await collect(sdk.privateZones.listByResourceGroup('elsewhere'))).toEqual([]);
  });

  it('private 429s carry Retry-After 10; our client and the SDK read each other in camelCase', async () => {
    const fake = await startFakeAzureDns({ limits: { private: { get: 1 } } });
    try {
      fake.addZone({ kind: 'private', name: 'corp.internal' });
      const zone: AzureZoneRef = { kind: 'private', resourceGroup: 'rg', name: 'corp.internal' };
      const ours = new AzureDnsClient({
        subscriptionId: SUB,
        credential: fakeCredential(),
        endpoint: fake.url,
        rateLimit: false,
      });
      await ours.putRecordSet(
        zone,
        { name: 'app', type: 'CNAME', ttl: 60, metadata: {}, CNAME: { cname: 'app.example.net' } },
        { ifNoneMatch: '*' },
      );
      const sdk = privateSdk(fake);
      expect((await sdk.recordSets.get('rg', 'corp.internal', 'CNAME', 'app')).cnameRecord).toEqual({
        cname: 'app.example.net',
      });
      // the fake's budget of one get per minute is spent: a private 429 says Retry-After: 10
      const answer = await fake.handle({
        method: 'GET',
        url: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/corp.internal/CNAME/app?api-version=2024-06-01`,
        headers: { authorization: 'Bearer fake-azure-token' },
      });
      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('10');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'TooManyRequests' } });
      await ours.close();
    } finally {
      await fake.close();
    }
  });
});
