// GoogleCloudDnsProvider against the loopback HTTPS fake: zone selection (visibility, ids, split
// horizon, peering and forwarding zones), changes built from the listed record sets, conflicts
// settled by re-reading, bisection of refused changes, cost-sized changes, lost answers, waiting
// for `done`, rate limits, credentials, and routing policies shared by two writers.
import { inspect } from 'node:util';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  endpoint,
  isDnsError,
  PartialApplyError,
  reconcile,
  TxtRegistry,
  type Changes,
  type EndpointInit,
} from '@openova/dns-core';
import { applyInBatches } from '@openova/dns-core/provider';
import {
  GOOGLE_PROPERTIES,
  GoogleCloudDnsProvider,
  routingPolicyProperty,
  type GoogleCloudDnsProviderOptions,
} from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';

const TOKEN = 'ya29.provider-test-token';
let fake: FakeGoogle;
let n = 0;
let zone: string;
let managed: string;

beforeAll(async () => {
  fake = await startFakeGoogle({ token: TOKEN, pageSize: 100 });
});
afterAll(() => fake?.close());
beforeEach(() => {
  zone = `z${++n}.provider.test`;
  managed = `z${n}-zone`;
  fake.addZone({ name: managed, dnsName: zone });
});

function provider(extra: Partial<GoogleCloudDnsProviderOptions> = {}): GoogleCloudDnsProvider {
  return new GoogleCloudDnsProvider({
    project: 'fake-project',
    tokenSource: { getAccessToken: () => Promise.resolve(TOKEN) },
    baseUrl: fake.url,
    tls: { ca: fake.ca },
    rateLimit: false,
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    domainFilter: new DomainFilter({ include: [zone] }),
    ...extra,
  });
}

const ep = (init: EndpointInit) => endpoint(init);
const changesOf = (partial: Partial<Changes>): Changes => ({ ...emptyChanges(), ...partial });
const posts = () =>
  fake.requests.filter((r) =>
    r.startsWith(`POST /dns/v1/projects/fake-project/managedZones/${managed}/changes`),
  );

async function converge(p: GoogleCloudDnsProvider, desired: EndpointInit[]): Promise<void> {
  const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
  const run = (dryRun: boolean) =>
    reconcile({
      registry,
      desired,
      policy: 'sync',
      managedRecordTypes: ['A', 'CNAME', 'TXT'],
      dryRun,
      safety: false,
    });
  expect((await run(false)).plan.hasChanges).toBe(true);
  expect((await run(true)).plan.changes).toEqual(emptyChanges());
}

describe('zones', () => {
  it('split horizon: public before private, then the lowest managed-zone name, whatever the listing order', async () => {
    const dnsName = `split${n}.provider.test`;
    fake.addZone({ name: `a-split${n}-private`, dnsName, visibility: 'private' });
    fake.addZone({ name: `z-split${n}-public`, dnsName });
    fake.addZone({ name: `m-split${n}-public`, dnsName });
    const p = provider({ domainFilter: new DomainFilter({ include: [dnsName] }) });
    expect((await p.zoneInfo()).map((z) => [z.name, z.visibility, z.primary])).toEqual([
      [`m-split${n}-public`, 'public', true],
      [`z-split${n}-public`, 'public', false],
      [`a-split${n}-private`, 'private', false],
    ]);
    await p.applyChanges(
      changesOf({ create: [ep({ dnsName: `www.${dnsName}`, recordType: 'A', targets: ['192.0.2.1'] })] }),
    );
    expect(fake.rrsets(`m-split${n}-public`).some((s) => s.name === `www.${dnsName}.`)).toBe(true);
    expect(fake.rrsets(`z-split${n}-public`).some((s) => s.name === `www.${dnsName}.`)).toBe(false);
    expect(fake.rrsets(`a-split${n}-private`).some((s) => s.name === `www.${dnsName}.`)).toBe(false);
    // the private view is chosen by the visibility filter (ExternalDNS --google-zone-visibility)
    const priv = provider({
      domainFilter: new DomainFilter({ include: [dnsName] }),
      zoneVisibility: 'private',
    });
    expect((await priv.zoneInfo()).map((z) => z.name)).toEqual([`a-split${n}-private`]);
    await priv.applyChanges(
      changesOf({ create: [ep({ dnsName: `www.${dnsName}`, recordType: 'A', targets: ['10.0.0.1'] })] }),
    );
    expect(fake.rrsets(`a-split${n}-private`).find((s) => s.name === `www.${dnsName}.`)?.rrdatas).toEqual([
      '10.0.0.1',
    ]);
  });

  it('zone id filter matches the numeric id or the managed-zone name (ExternalDNS --zone-id-filter)', async () => {
    const dnsName = `ids${n}.provider.test`;
    const a = fake.addZone({ name: `ids${n}-a`, dnsName: `a.${dnsName}` });
    fake.addZone({ name: `ids${n}-b`, dnsName: `b.${dnsName}` });
    fake.addZone({ name: `ids${n}-c`, dnsName: `c.${dnsName}` });
    const p = provider({
      domainFilter: new DomainFilter({ include: [dnsName] }),
      zoneIds: [a.id, `ids${n}-c`],
    });
    expect(await p.zones()).toEqual([`a.${dnsName}`, `c.${dnsName}`]);
  });

  it('peering and forwarding zones are never selected, so never written', async () => {
    const dnsName = `peer${n}.provider.test`;
    fake.addZone({ name: `peer${n}`, dnsName, peering: true });
    fake.addZone({ name: `fwd${n}`, dnsName: `fwd.${dnsName}`, forwarding: true });
    const p = provider({ domainFilter: new DomainFilter({ include: [dnsName] }) });
    expect(await p.zones()).toEqual([]);
    const before = fake.requests.filter((r) => r.startsWith('POST')).length;
    const error = await p
      .applyChanges(
        changesOf({ create: [ep({ dnsName: `www.${dnsName}`, recordType: 'A', targets: ['192.0.2.1'] })] }),
      )
      .catch((e: unknown) => e);
    expect(isDnsError(error) && error.code).toBe('UNKNOWN_ZONE');
    expect(fake.requests.filter((r) => r.startsWith('POST')).length).toBe(before);
  });
});

describe('changes', () => {
  it('round-trips through reconcile: a second plan is empty (TXT over 255 octets included)', async () => {
    const p = provider();
    await converge(p, [
      { dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.2', '192.0.2.1'], recordTTL: 120 },
      { dnsName: `alias.${zone}`, recordType: 'CNAME', targets: [`www.${zone}`] },
      { dnsName: `long.${zone}`, recordType: 'TXT', targets: ['x'.repeat(300)] },
    ]);
    const stored = fake.rrsets(managed);
    expect(stored.find((s) => s.name === `alias.${zone}.`)?.rrdatas).toEqual([`www.${zone}.`]);
    expect(stored.find((s) => s.name === `long.${zone}.`)?.rrdatas).toEqual([
      `"${'x'.repeat(255)}" "${'x'.repeat(45)}"`,
    ]);
  });

  it('PTR records in a reverse zone round-trip (host names written absolute)', async () => {
    const rev = `${n}.2.0.192.in-addr.arpa`;
    fake.addZone({ name: `rev${n}`, dnsName: rev });
    const p = provider({ domainFilter: new DomainFilter({ include: [rev] }) });
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    const desired = [{ dnsName: `10.${rev}`, recordType: 'PTR', targets: ['host.example.com'] }];
    const run = (dryRun: boolean) =>
      reconcile({
        registry,
        desired,
        policy: 'sync',
        managedRecordTypes: ['PTR', 'TXT'],
        dryRun,
        safety: false,
      });
    expect((await run(false)).plan.hasChanges).toBe(true);
    expect((await run(true)).plan.changes).toEqual(emptyChanges());
    expect(fake.rrsets(`rev${n}`).find((x) => x.type === 'PTR')?.rrdatas).toEqual(['host.example.com.']);
  });

  it("an update is one change: the listed record set's exact deletion and the addition", async () => {
    const p = provider();
    const old = ep({ dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 });
    await p.applyChanges(changesOf({ create: [old] }));
    await p.records();
    const next = ep({ dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.9'], recordTTL: 60 });
    const count = posts().length;
    await p.applyChanges(changesOf({ updateOld: [old], updateNew: [next] }));
    expect(posts().length).toBe(count + 1);
    expect(p.lastApply).toEqual([
      expect.objectContaining({
        zone: managed,
        deletions: [
          expect.objectContaining({ name: `www.${zone}.`, type: 'A', ttl: 300, rrdatas: ['192.0.2.1'] }),
        ],
        additions: [
          expect.objectContaining({ name: `www.${zone}.`, type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] }),
        ],
      }),
    ]);
    expect(fake.changes.at(-1)?.deletions).toHaveLength(1);
  });

  it('a stale-delete race is resolved by re-reading: 412 once, then the deletion built from the fresh listing', async () => {
    const p = provider();
    const rec = ep({ dnsName: `race.${zone}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 });
    await p.applyChanges(changesOf({ create: [rec] }));
    await p.records(); // the provider now remembers TTL 300
    // another tool changes the TTL in between (same answers): our remembered deletion is stale
    fake.putRRSet(managed, { name: `race.${zone}.`, type: 'A', ttl: 900, rrdatas: ['192.0.2.1'] });
    const count = posts().length;
    const failedBefore = fake.changes.length;
    await p.applyChanges(changesOf({ delete: [rec] }));
    expect(posts().length).toBe(count + 2);
    expect(fake.changes.length).toBe(failedBefore + 1); // the first one was refused and left nothing
    expect(p.lastApply.map((c) => c.deletions[0]?.ttl)).toEqual([300, 900]);
    expect(fake.rrsets(managed).some((s) => s.name === `race.${zone}.`)).toBe(false);
  });

  it('a record set someone else changed is reported by name with the reason; the rest is applied (bisection)', async () => {
    const p = provider();
    const a = ep({ dnsName: `a.${zone}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 300 });
    const b = ep({ dnsName: `b.${zone}`, recordType: 'A', targets: ['192.0.2.2'], recordTTL: 300 });
    await p.applyChanges(changesOf({ create: [a, b] }));
    await p.records();
    fake.putRRSet(managed, { name: `b.${zone}.`, type: 'A', ttl: 300, rrdatas: ['198.51.100.7'] });
    const error = await applyInBatches(p, changesOf({ delete: [a, b] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    const rejected = (error as PartialApplyError).rejected;
    expect(rejected.map((r) => r.records)).toEqual([[`b.${zone} A`]]);
    expect(rejected[0]?.reason).toMatch(/not what was planned/);
    const names = fake.rrsets(managed).map((s) => s.name);
    expect(names).not.toContain(`a.${zone}.`);
    expect(names).toContain(`b.${zone}.`);
  });

  it("a change refused for its content (CNAME beside another type) is bisected; Google's reason names it", async () => {
    const p = provider();
    fake.putRRSet(managed, { name: `taken.${zone}.`, type: 'TXT', ttl: 300, rrdatas: ['"foreign"'] });
    const error = await applyInBatches(
      p,
      changesOf({
        create: [
          ep({ dnsName: `ok1.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }),
          ep({ dnsName: `taken.${zone}`, recordType: 'CNAME', targets: ['elsewhere.example.net'] }),
          ep({ dnsName: `ok2.${zone}`, recordType: 'A', targets: ['192.0.2.2'] }),
        ],
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    const rejected = (error as PartialApplyError).rejected;
    expect(rejected.map((r) => r.records)).toEqual([[`taken.${zone} CNAME`]]);
    expect(rejected[0]?.reason).toMatch(/cnameResourceRecordSetConflict/);
    const names = fake.rrsets(managed).map((s) => `${s.name} ${s.type}`);
    expect(names).toEqual(expect.arrayContaining([`ok1.${zone}. A`, `ok2.${zone}. A`, `taken.${zone}. TXT`]));
    expect(names).not.toContain(`taken.${zone}. CNAME`);
  });

  it('changes are sized by the cost model: 1,000 additions and 100,000 rrdata bytes per change', async () => {
    const p = provider();
    const many = Array.from({ length: 1500 }, (_, i) =>
      ep({ dnsName: `h${i}.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }),
    );
    const count = posts().length;
    await applyInBatches(p, changesOf({ create: many }));
    expect(posts().length).toBe(count + 2);
    const mine = fake.changes.filter((c) => c.zone === `fake-project/${managed}`);
    expect(mine.map((c) => c.additions.length)).toEqual([1000, 500]);
    // 30 TXT record sets of 4,000 octets: 120,000 bytes, more than one change carries
    const big = Array.from({ length: 30 }, (_, i) =>
      ep({ dnsName: `big${i}.${zone}`, recordType: 'TXT', targets: [String(i % 10).repeat(3990)] }),
    );
    await applyInBatches(p, changesOf({ create: big }));
    const sizes = fake.changes
      .filter((c) => c.zone === `fake-project/${managed}`)
      .slice(2)
      .map((c) =>
        c.additions.reduce((s, a) => s + (a.rrdatas ?? []).reduce((t, r) => t + Buffer.byteLength(r), 0), 0),
      );
    expect(sizes.length).toBe(2);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(100_000);
  });

  it('a change whose answer was lost (500 after executing) is settled by reading, never sent again', async () => {
    const p = provider();
    await p.records();
    fake.failNext(1, { method: 'write', afterExecuting: true });
    const count = posts().length;
    await p.applyChanges(
      changesOf({ create: [ep({ dnsName: `lost.${zone}`, recordType: 'A', targets: ['192.0.2.1'] })] }),
    );
    expect(posts().length).toBe(count + 1);
    expect(fake.rrsets(managed).filter((s) => s.name === `lost.${zone}.`)).toHaveLength(1);
  });

  it('a 409 after a retried POST is "maybe applied" and settled by reading', async () => {
    const p = provider({ rateLimit: { backoffS: 0.01 } });
    await p.records();
    // carried out, but answered 429: the transport sends it again (a 429 proves nothing ran), and
    // the second attempt meets its own additions
    fake.failNext(1, { method: 'write', status: 429, afterExecuting: true });
    const count = posts().length;
    await p.applyChanges(
      changesOf({ create: [ep({ dnsName: `twice.${zone}`, recordType: 'A', targets: ['192.0.2.1'] })] }),
    );
    expect(posts().length).toBe(count + 2);
    expect(fake.rrsets(managed).filter((s) => s.name === `twice.${zone}.`)).toHaveLength(1);
  });

  it('waits until the change is done when asked (changes.get polled)', async () => {
    const p = provider({ waitForChange: { intervalMs: 1 } });
    await p.applyChanges(
      changesOf({ create: [ep({ dnsName: `wait.${zone}`, recordType: 'A', targets: ['192.0.2.1'] })] }),
    );
    expect(p.lastApply[0]?.status).toBe('done');
    const id = p.lastApply[0]?.id;
    expect(fake.requests.filter((r) => r.endsWith(`/managedZones/${managed}/changes/${id}`)).length).toBe(2);
  });

  it('batchChangeSize limits additions plus deletions per change (ExternalDNS --google-batch-change-size)', async () => {
    const p = provider({ batchChangeSize: 10 });
    const count = posts().length;
    await applyInBatches(
      p,
      changesOf({
        create: Array.from({ length: 25 }, (_, i) =>
          ep({ dnsName: `s${i}.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }),
        ),
      }),
    );
    expect(posts().length).toBe(count + 3);
  });
});

describe('rate limits and credentials', () => {
  it('429 rateLimitExceeded without Retry-After blocks the project limiter and is retried', async () => {
    const p = provider({ rateLimit: { backoffS: 0.02 } });
    const throttled = fake.throttled;
    fake.throttleNext(2);
    const start = Date.now();
    await p.records();
    expect(fake.throttled).toBe(throttled + 2);
    expect(p.client.rateLimiter?.blockedUntil).toBeGreaterThanOrEqual(start);
  });

  it('a refused token is PROVIDER_AUTH, and no token appears in errors or inspect output', async () => {
    const secret = 'ya29.never-show-this-token';
    const p = provider({ tokenSource: { getAccessToken: () => Promise.resolve({ token: secret }) } });
    const error = await p.records().catch((e: unknown) => e);
    expect(isDnsError(error) && error.code).toBe('PROVIDER_AUTH');
    for (const text of [
      String(error),
      inspect(error),
      JSON.stringify(error),
      inspect(p),
      inspect(p.client),
      JSON.stringify(p.client),
    ])
      expect(text).not.toContain(secret);
  });

  it('asks the token source before every attempt (a refreshed token is used at once)', async () => {
    let calls = 0;
    const p = provider({
      tokenSource: { getAccessToken: () => Promise.resolve(++calls > 1 ? TOKEN : 'expired') },
    });
    // the first attempt carries an expired token (401, not retried); the next call a fresh one
    await expect(p.records()).rejects.toMatchObject({ code: 'PROVIDER_AUTH' });
    expect(await p.records()).toEqual(expect.any(Array));
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('without a token source, google-auth-library (GoogleAuth) supplies the token and the project', async () => {
    // an OAuth2Client holding a ready token: GoogleAuth uses it as is, nothing is fetched from Google
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
    const p = new GoogleCloudDnsProvider({
      auth: { authClient, projectId: 'fake-project' },
      baseUrl: fake.url,
      tls: { ca: fake.ca },
      rateLimit: false,
      domainFilter: new DomainFilter({ include: [zone] }),
    });
    expect(await p.client.project()).toBe('fake-project');
    expect(await p.zones()).toEqual([zone]);
    await p.client.close();
  });

  it('a failing credential source is PROVIDER_AUTH without its message', async () => {
    const p = provider({
      tokenSource: { getAccessToken: () => Promise.reject(new Error('key file says: private_key=SECRET')) },
    });
    const error = await p.records().catch((e: unknown) => e);
    expect(isDnsError(error) && error.code).toBe('PROVIDER_AUTH');
    expect(String(error)).not.toContain('SECRET');
  });
});

describe('routing policies', () => {
  const geo = routingPolicyProperty({
    geo: {
      items: [
        { location: 'us-east1', rrdatas: ['192.0.2.1'] },
        { location: 'europe-west1', rrdatas: ['192.0.2.2'] },
      ],
    },
  });

  it('a geo record set is written with routingPolicy, read back with the property, and re-plans to nothing', async () => {
    const p = provider();
    await converge(p, [
      {
        dnsName: `geo.${zone}`,
        recordType: 'A',
        targets: ['192.0.2.1', '192.0.2.2'],
        providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value: geo }],
      },
      {
        dnsName: `wrr.${zone}`,
        recordType: 'A',
        targets: ['192.0.2.3', '192.0.2.4'],
        providerSpecific: [
          {
            name: GOOGLE_PROPERTIES.routingPolicy,
            value: routingPolicyProperty({
              wrr: {
                items: [
                  { weight: 3, rrdatas: ['192.0.2.3'] },
                  { weight: 1, rrdatas: ['192.0.2.4'] },
                ],
              },
            }),
          },
        ],
      },
    ]);
    const stored = fake.rrsets(managed).find((s) => s.name === `geo.${zone}.` && s.type === 'A');
    expect(stored?.rrdatas).toBeUndefined();
    expect(stored?.routingPolicy?.geo?.items.map((i) => i.location)).toEqual(['europe-west1', 'us-east1']);
    // the ownership marker stays a plain TXT record set
    const marker = fake.rrsets(managed).find((s) => s.name === `_externaldns.a.geo.${zone}.`);
    expect(marker?.routingPolicy).toBeUndefined();
    expect(marker?.rrdatas?.[0]).toMatch(/heritage=external-dns/);
  });

  it('two writers contribute items to one record set: read-modify-write, retried on conflict', async () => {
    const east = provider();
    const west = provider();
    const name = `shared.${zone}`;
    const westItem = { geo: { location: 'europe-west1', rrdatas: ['192.0.2.2'] } };
    // the race made certain: west writes its item after east has read the record set, before
    // east's change arrives
    const send = east.client.createChange.bind(east.client);
    const eastAnswers: string[] = [];
    let raced = false;
    east.client.createChange = async (...args) => {
      if (!raced) {
        raced = true;
        await west.contributeRoutingItem({ dnsName: name, recordType: 'A', ttl: 60, item: westItem });
      }
      try {
        const change = await send(...args);
        eastAnswers.push('ok');
        return change;
      } catch (error) {
        eastAnswers.push(isDnsError(error) ? error.code : 'other');
        throw error;
      }
    };
    await east.contributeRoutingItem({
      dnsName: name,
      recordType: 'A',
      ttl: 60,
      item: { geo: { location: 'us-east1', rrdatas: ['192.0.2.1'] } },
    });
    // east's first change (an addition of a set west had just created) conflicted; it read again
    expect(eastAnswers).toEqual(['RECORD_CONFLICT', 'ok']);
    const stored = fake.rrsets(managed).find((s) => s.name === `${name}.`);
    expect(stored?.routingPolicy?.geo?.items.map((i) => [i.location, i.rrdatas])).toEqual([
      ['europe-west1', ['192.0.2.2']],
      ['us-east1', ['192.0.2.1']],
    ]);
    // and concurrently, without help: neither item is lost
    const name2 = `shared2.${zone}`;
    await Promise.all([
      provider().contributeRoutingItem({
        dnsName: name2,
        recordType: 'A',
        item: { wrr: { weight: 1, rrdatas: ['192.0.2.1'] } },
      }),
      provider().contributeRoutingItem({
        dnsName: name2,
        recordType: 'A',
        item: { wrr: { weight: 3, rrdatas: ['192.0.2.2'] } },
      }),
    ]);
    expect(
      fake
        .rrsets(managed)
        .find((s) => s.name === `${name2}.`)
        ?.routingPolicy?.wrr?.items.map((i) => [i.weight, i.rrdatas]),
    ).toEqual(
      expect.arrayContaining([
        [1, ['192.0.2.1']],
        [3, ['192.0.2.2']],
      ]),
    );
    // replacing one's own item keeps the other's
    await east.contributeRoutingItem({
      dnsName: name,
      recordType: 'A',
      item: { geo: { location: 'us-east1', rrdatas: ['192.0.2.9'] } },
    });
    expect(
      fake
        .rrsets(managed)
        .find((s) => s.name === `${name}.`)
        ?.routingPolicy?.geo?.items.map((i) => i.rrdatas?.[0]),
    ).toEqual(['192.0.2.2', '192.0.2.9']);
    const [read] = (await east.records()).filter((e) => e.dnsName === name);
    expect(read?.targets).toEqual(['192.0.2.2', '192.0.2.9']);
    expect(read?.providerSpecific[0]?.name).toBe(GOOGLE_PROPERTIES.routingPolicy);
  });

  it('a writer withdraws its item; the record set goes with the last one', async () => {
    const name = `leave.${zone}`;
    const a = provider();
    const b = provider();
    await a.contributeRoutingItem({
      dnsName: name,
      recordType: 'A',
      item: { geo: { location: 'us-east1', rrdatas: ['192.0.2.1'] } },
    });
    await b.contributeRoutingItem({
      dnsName: name,
      recordType: 'A',
      item: { geo: { location: 'asia-east1', rrdatas: ['192.0.2.2'] } },
    });
    const left = await b.withdrawRoutingItem({
      dnsName: name,
      recordType: 'A',
      item: { geo: { location: 'asia-east1' } },
    });
    expect(left?.routingPolicy?.geo?.items.map((i) => i.location)).toEqual(['us-east1']);
    expect(
      await a.withdrawRoutingItem({
        dnsName: name,
        recordType: 'A',
        item: { geo: { location: 'us-east1' } },
      }),
    ).toBeUndefined();
    expect(fake.rrsets(managed).some((s) => s.name === `${name}.`)).toBe(false);
    const count = posts().length;
    expect(
      await a.withdrawRoutingItem({
        dnsName: name,
        recordType: 'A',
        item: { geo: { location: 'us-east1' } },
      }),
    ).toBeUndefined();
    expect(posts().length).toBe(count);
    // a record set of plain rrdatas is not a shared policy: refused, untouched
    fake.putRRSet(managed, { name: `plain.${zone}.`, type: 'A', ttl: 300, rrdatas: ['192.0.2.9'] });
    await expect(
      a.contributeRoutingItem({
        dnsName: `plain.${zone}`,
        recordType: 'A',
        item: { wrr: { weight: 1, rrdatas: ['192.0.2.1'] } },
      }),
    ).rejects.toMatchObject({ code: 'RECORD_REJECTED' });
  });

  it('targets that are not the routing policy answers, and a bad policy, are ValidationErrors at desired[i] (dry run too)', async () => {
    const p = provider();
    const registry = new TxtRegistry(p, { ownerId: 'me', prefix: '_owner.%{record_type}.' });
    const count = posts().length;
    const desired: EndpointInit[] = [
      { dnsName: `ok.${zone}`, recordType: 'A', targets: ['192.0.2.9'] },
      {
        dnsName: `j.${zone}`,
        recordType: 'A',
        targets: ['1.2.3.4'],
        providerSpecific: [
          {
            name: GOOGLE_PROPERTIES.routingPolicy,
            value: routingPolicyProperty({
              geo: { items: [{ location: 'us-east1', rrdatas: ['1.2.3.5'] }] },
            }),
          },
        ],
      },
      {
        dnsName: `bad.${zone}`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value: 'notjson' }],
      },
    ];
    for (const dryRun of [true, false]) {
      const error = await reconcile({ registry, desired, policy: 'sync', dryRun }).catch((e: unknown) => e);
      expect(isDnsError(error) && error.code).toBe('VALIDATION');
      const issues = (error as { issues: { path: (string | number)[]; code: string }[] }).issues;
      expect(issues.map((i) => i.path.slice(0, 3))).toEqual([
        ['desired', 1, 'targets'],
        ['desired', 2, 'providerSpecific'],
      ]);
      expect(issues[0]?.code).toBe('targets_not_policy_answers');
    }
    expect(posts().length).toBe(count);
  });

  it('an invalid google/routing-policy is a ValidationError before anything is sent', async () => {
    const p = provider();
    const count = posts().length;
    const error = await p
      .applyChanges(
        changesOf({
          create: [
            ep({
              dnsName: `bad.${zone}`,
              recordType: 'A',
              targets: ['192.0.2.1'],
              providerSpecific: [{ name: GOOGLE_PROPERTIES.routingPolicy, value: '{"geo":' }],
            }),
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(isDnsError(error) && error.code).toBe('VALIDATION');
    expect(String(error)).toMatch(/create\[0\]\.providerSpecific/);
    expect(posts().length).toBe(count);
  });
});
