// HetznerClient against the loopback fake: wire format, pagination, actions, error envelope and
// codes, the rate-limit bucket and its headers, and the token kept out of everything printed.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@openova/dns-core';
import {
  HetznerActionError,
  HetznerApiError,
  HetznerClient,
  HetznerProvider,
  MAX_PER_PAGE,
  rateLimitWaitSeconds,
  readRateLimitHeaders,
} from '@openova/dns-provider-hetzner';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';

let fake: FakeHetzner;
let zoneId: number;
const TOKEN = 'client-test-token-0123456789';
const clients: HetznerClient[] = [];

function client(options: Partial<ConstructorParameters<typeof HetznerClient>[0]> = {}): HetznerClient {
  const c = new HetznerClient({
    token: TOKEN,
    baseUrl: fake.url,
    pollIntervalMs: 1,
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  clients.push(c);
  return c;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  fake = await startFakeHetzner({ tokens: [TOKEN], readOnlyTokens: ['ro-token-abcdef'], actionPolls: 3 });
  zoneId = fake.addZone({ name: 'example.com', ttl: 7200, labels: { env: 'prod' } });
  fake.addZone({ name: 'example.org', labels: { env: 'dev' } });
  fake.addZone({ name: 'secondary.example', mode: 'secondary' });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await fake.close();
});

describe('zones', () => {
  it('lists with name and label filters, gets by id and by name, exports the zone file', async () => {
    const c = client();
    expect((await c.listZones()).map((z) => z.name)).toEqual([
      'example.com',
      'example.org',
      'secondary.example',
    ]);
    expect((await c.listZones({ labelSelector: 'env=dev' })).map((z) => z.name)).toEqual(['example.org']);
    expect((await c.listZones({ name: 'example.com' }))[0]?.id).toBe(zoneId);
    expect((await c.getZone(zoneId)).name).toBe('example.com');
    expect((await c.getZone('example.com')).ttl).toBe(7200);
    await c.waitForActions([
      (await c.createRRSet('example.com', { name: 'zf', type: 'A', records: [{ value: '192.0.2.9' }] }))
        .action,
    ]);
    expect(await c.exportZonefile('example.com')).toMatch(
      /^\$ORIGIN example\.com\.\n[\s\S]*zf\tIN\tA\t192\.0\.2\.9/,
    );
  });
});

describe('zone pages', () => {
  it('lists every zone over several pages at 50 per page', async () => {
    const many = await startFakeHetzner({ tokens: [TOKEN] });
    try {
      for (let i = 0; i < 120; i++) many.addZone({ name: `z${String(i).padStart(3, '0')}.example` });
      const c = client({ baseUrl: many.url });
      const zones = await c.listZones();
      expect(new Set(zones.map((z) => z.name)).size).toBe(120);
      const pages = many.requests.filter((r) => r.path === '/zones');
      expect(pages.map((r) => [r.query.get('page'), r.query.get('per_page')])).toEqual([
        ['1', '50'],
        ['2', '50'],
        ['3', '50'],
      ]);
    } finally {
      await many.close();
    }
  });
});

describe('record sets and actions', () => {
  it('a write counts as done only when its action reports success; reads show it only then', async () => {
    const c = client();
    const { action, result } = await c.createRRSet(zoneId, {
      name: 'www',
      type: 'A',
      ttl: 300,
      labels: { team: 'web' },
      records: [{ value: '192.0.2.1' }, { value: '192.0.2.2' }],
    });
    expect(result.id).toBe('www/A');
    expect(action.status).toBe('running');
    expect((await c.listRRSets(zoneId, { name: 'www' })).length).toBe(0);
    const polls = fake.requests.length;
    const [done] = await c.waitForActions([action]);
    expect(done?.status).toBe('success');
    // three polls: running, running, success
    expect(fake.requests.slice(polls).filter((r) => r.path === '/actions')).toHaveLength(3);
    const rrset = await c.getRRSet(zoneId, 'www', 'A');
    expect(rrset).toMatchObject({ ttl: 300, labels: { team: 'web' }, protection: { change: false } });
    expect(rrset.records.map((r) => r.value).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('polls many actions in one request (GET /actions?id=…&id=…)', async () => {
    const c = client();
    const actions = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map(
        async (name) =>
          (await c.createRRSet(zoneId, { name, type: 'TXT', records: [{ value: '"x"' }] })).action,
      ),
    );
    const before = fake.requests.length;
    await c.waitForActions(actions);
    const polls = fake.requests.slice(before).filter((r) => r.path === '/actions');
    expect(polls).toHaveLength(3);
    expect(polls[0]?.query.getAll('id').map(Number).sort()).toEqual(actions.map((a) => a.id).sort());
  });

  it('set_records, add_records with a TTL, remove_records, change_ttl, change_protection, delete', async () => {
    const c = client();
    const rr = { name: 'ops', type: 'A' };
    await c.waitForActions([await c.setRecords(zoneId, rr, [{ value: '192.0.2.10' }])]);
    await c.waitForActions([
      await c.addRecords(zoneId, rr, { records: [{ value: '192.0.2.11' }], ttl: 600 }),
    ]);
    let got = await c.getRRSet(zoneId, 'ops', 'A');
    expect(got.ttl).toBe(600);
    expect(got.records.map((r) => r.value).sort()).toEqual(['192.0.2.10', '192.0.2.11']);
    await c.waitForActions([await c.removeRecords(zoneId, rr, [{ value: '192.0.2.10' }])]);
    await c.waitForActions([await c.changeTtl(zoneId, rr, null)]);
    got = await c.getRRSet(zoneId, 'ops', 'A');
    expect(got).toMatchObject({ ttl: null, records: [{ value: '192.0.2.11' }] });
    await c.waitForActions([await c.changeProtection(zoneId, rr, true)]);
    const refused = await errorOf(c.deleteRRSet(zoneId, 'ops', 'A'));
    expect(refused).toBeInstanceOf(HetznerApiError);
    expect(refused).toMatchObject({ hetznerCode: 'protected', code: 'RECORD_REJECTED', retryable: false });
    await c.waitForActions([await c.changeProtection(zoneId, rr, false)]);
    await c.waitForActions([await c.deleteRRSet(zoneId, 'ops', 'A')]);
    expect(await errorOf(c.getRRSet(zoneId, 'ops', 'A'))).toMatchObject({ hetznerCode: 'not_found' });
  });

  it('a listing another writer changes between two pages is read again: nothing missed, nothing twice', async () => {
    const c = client();
    fake.addZone({ name: 'moving.example' });
    for (let i = 0; i < 12; i++)
      fake.putRRSet('moving.example', {
        name: `m${i}`,
        type: 'A',
        records: [{ value: '192.0.2.1', comment: null }],
      });
    let removed = false;
    fake.onListPage = (path, page) => {
      if (path.includes('/rrsets') && page === 2 && !removed) {
        removed = true;
        fake.removeRRSet('moving.example', 'm0', 'A');
      }
    };
    try {
      const before = fake.requests.length;
      const listed = await c.listRRSets('moving.example', { perPage: 5 });
      // 11 left and the apex SOA and NS, each once
      expect(listed.map((r) => r.id).sort()).toEqual(
        fake
          .rrsets('moving.example')
          .map((r) => `${r.name}/${r.type}`)
          .sort(),
      );
      expect(listed).toHaveLength(13);
      // 3 pages, then 3 again
      expect(fake.requests.length - before).toBe(6);
    } finally {
      fake.onListPage = undefined;
    }
  });

  it('a listing that never holds still is a retryable ProviderError after three readings', async () => {
    const c = client();
    fake.addZone({ name: 'restless.example' });
    for (let i = 0; i < 12; i++)
      fake.putRRSet('restless.example', {
        name: `r${i}`,
        type: 'A',
        records: [{ value: '192.0.2.1', comment: null }],
      });
    let n = 0;
    fake.onListPage = (path, page) => {
      if (path.includes('/rrsets') && page === 2)
        fake.putRRSet('restless.example', {
          name: `late${n++}`,
          type: 'A',
          records: [{ value: '192.0.2.9', comment: null }],
        });
    };
    try {
      const error = await errorOf(c.listRRSets('restless.example', { perPage: 5 }));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'PROVIDER', retryable: true });
      expect(error.message).toContain('changed while its pages were read, 3 times');
    } finally {
      fake.onListPage = undefined;
    }
  });

  it('lists every page at 50 per page, following meta.pagination', async () => {
    const c = client();
    fake.addZone({ name: 'big.example' });
    for (let i = 0; i < 120; i++)
      fake.putRRSet('big.example', {
        name: `h${i}`,
        type: 'A',
        records: [{ value: '192.0.2.1', comment: null }],
      });
    const before = fake.requests.length;
    // 120 RRSets and the apex SOA and NS every zone starts with
    expect(await c.listRRSets('big.example')).toHaveLength(122);
    const pages = fake.requests.slice(before);
    expect(pages.map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
    expect(pages.every((r) => r.query.get('per_page') === String(MAX_PER_PAGE))).toBe(true);
  });

  it('refuses a page size above the documented 50 before sending anything', async () => {
    const c = client();
    const before = fake.requests.length;
    for (const perPage of [51, 100, 0])
      expect(await errorOf(c.listRRSets(zoneId, { perPage }))).toMatchObject({
        code: 'CONFIG',
        message: expect.stringContaining('perPage must be 1–50'),
      });
    expect(fake.requests.length).toBe(before);
    // a smaller page size is honoured, over as many pages as it takes
    const zones = await c.listZones({ perPage: 2 });
    const asked = fake.requests.slice(before);
    expect(asked.every((r) => r.query.get('per_page') === '2')).toBe(true);
    expect(asked).toHaveLength(Math.ceil(zones.length / 2));
    expect(zones.length).toBeGreaterThanOrEqual(3);
  });

  it('follows meta.pagination when the server honours fewer than 50 per page', async () => {
    const small = await startFakeHetzner({ tokens: [TOKEN], maxPerPage: 20 });
    try {
      small.addZone({ name: 'small.example' });
      for (let i = 0; i < 45; i++)
        small.putRRSet('small.example', {
          name: `s${i}`,
          type: 'A',
          records: [{ value: '192.0.2.1', comment: null }],
        });
      const c = client({ baseUrl: small.url });
      const names = (await c.listRRSets('small.example')).map((r) => r.name);
      expect(new Set(names).size).toBe(46); // and '@' (the apex SOA and NS)
      expect(small.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
    } finally {
      await small.close();
    }
  });

  it('a failed action is a typed error carrying Hetzner code', async () => {
    const c = client();
    fake.failActionsNext(1, 'rrset_update_failed');
    const action = await c.setRecords(zoneId, { name: 'failing', type: 'A' }, [{ value: '192.0.2.5' }]);
    const error = await errorOf(c.waitForActions([action]));
    expect(error).toBeInstanceOf(HetznerActionError);
    expect(error).toMatchObject({ hetznerCode: 'rrset_update_failed', provider: 'hetzner' });
    expect((await c.listRRSets(zoneId, { name: 'failing' })).length).toBe(0);
  });
});

describe('errors', () => {
  it('maps the envelope by code: invalid_input with its fields, uniqueness_error, incorrect_zone_mode', async () => {
    const c = client();
    const bad = await errorOf(
      c.createRRSet(zoneId, { name: 'WWW.example.com.', type: 'A', records: [{ value: '1.2.3.4' }] }),
    );
    expect(bad).toMatchObject({ hetznerCode: 'invalid_input', code: 'RECORD_REJECTED', status: 400 });
    expect((bad as HetznerApiError).invalidFields[0]?.name).toBe('name');
    expect(bad.message).toContain('invalid_input');

    await c.waitForActions([
      (await c.createRRSet(zoneId, { name: 'dup', type: 'A', records: [{ value: '192.0.2.1' }] })).action,
    ]);
    const dup = await errorOf(
      c.createRRSet(zoneId, { name: 'dup', type: 'A', records: [{ value: '192.0.2.1' }] }),
    );
    expect(dup).toMatchObject({ hetznerCode: 'uniqueness_error', code: 'RECORD_CONFLICT', attempts: 1 });

    const secondary = await errorOf(
      c.setRecords('secondary.example', { name: 'x', type: 'A' }, [{ value: '192.0.2.1' }]),
    );
    expect(secondary).toMatchObject({ hetznerCode: 'incorrect_zone_mode', status: 422, retryable: false });
  });

  it('retries a write Hetzner refused as locked (it was not carried out) and it then succeeds', async () => {
    const c = client();
    const rr = { name: 'busy', type: 'A' };
    const first = await c.setRecords(zoneId, rr, [{ value: '192.0.2.1' }]);
    // a second action on the busy record set: 423 locked, retried with backoff until the first ends
    const lockedBefore = fake.requests.length;
    const second = c.setRecords(zoneId, rr, [{ value: '192.0.2.2' }]);
    await c.waitForActions([first]);
    await c.waitForActions([await second]);
    expect(fake.requests.slice(lockedBefore).some((r) => r.status === 423)).toBe(true);
    expect((await c.getRRSet(zoneId, 'busy', 'A')).records).toEqual([{ value: '192.0.2.2', comment: null }]);
  });

  it('retries only what is retryable: conflict and 5xx are retried; invalid_input and protected are not', async () => {
    const c = client();
    const rr = { name: 'retry', type: 'A' };
    const posts = (from: number) => fake.requests.slice(from).filter((r) => r.method === 'POST');
    // conflict (409): "the resource has changed during the request, please retry"
    let before = fake.requests.length;
    fake.failNext(1, { method: 'POST', status: 409, code: 'conflict' });
    await c.waitForActions([await c.setRecords(zoneId, rr, [{ value: '192.0.2.1' }])]);
    expect(posts(before).map((r) => r.status)).toEqual([409, 201]);
    // a 503 on a read is retried
    before = fake.requests.length;
    fake.failNext(1, { method: 'GET', status: 503, code: 'unavailable' });
    expect((await c.getRRSet(zoneId, 'retry', 'A')).records).toEqual([{ value: '192.0.2.1', comment: null }]);
    expect(fake.requests.slice(before).map((r) => r.status)).toEqual([503, 200]);
    // invalid_input and protected are answers about the request itself: sent once
    for (const [status, code] of [
      [400, 'invalid_input'],
      [403, 'protected'],
    ] as const) {
      before = fake.requests.length;
      fake.failNext(1, { method: 'POST', status, code });
      const error = await errorOf(c.setRecords(zoneId, rr, [{ value: '192.0.2.2' }]));
      expect(error).toMatchObject({ hetznerCode: code, retryable: false, attempts: 1 });
      expect(posts(before)).toHaveLength(1);
    }
  });

  it('does not resend a write whose answer was lost after it was carried out', async () => {
    const c = client();
    fake.failNext(1, { method: 'POST', status: 500, afterExecuting: true });
    const before = fake.requests.length;
    // add_records is not idempotent (set_records is, and would be retried)
    const error = await errorOf(
      c.addRecords(zoneId, { name: 'lost', type: 'A' }, { records: [{ value: '192.0.2.1' }] }),
    );
    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 1 });
    expect(fake.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a read-only token gets a clear PROVIDER_AUTH error on writes; reads work', async () => {
    const ro = client({ token: 'ro-token-abcdef' });
    expect((await ro.listZones()).length).toBeGreaterThan(0);
    const error = await errorOf(ro.setRecords(zoneId, { name: 'ro', type: 'A' }, [{ value: '192.0.2.1' }]));
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH', hetznerCode: 'token_readonly', status: 403 });
    expect(error.message).toContain('read-only');
  });

  it('never shows the token: errors, their JSON, inspect, events', async () => {
    const events: unknown[] = [];
    const wrong = new HetznerClient({
      token: 'wrong-secret-token-xyz',
      baseUrl: fake.url,
      onRequest: (e) => events.push(e),
    });
    clients.push(wrong);
    const error = await errorOf(wrong.listZones());
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH', status: 401 });
    const shown = [
      error.message,
      JSON.stringify(error),
      inspect(error),
      inspect(wrong),
      JSON.stringify(wrong),
      JSON.stringify(events),
    ].join('\n');
    expect(shown).not.toContain('wrong-secret-token-xyz');
    expect(inspect(client())).not.toContain(TOKEN);
    const provider = new HetznerProvider({ token: TOKEN, baseUrl: fake.url });
    clients.push(provider.client);
    expect(inspect(provider, { depth: 5 })).not.toContain(TOKEN);
    expect(JSON.stringify(provider)).not.toContain(TOKEN);
  });
});

describe('rate limit', () => {
  it('reads the wait from RateLimit-* headers (no Retry-After): one token back per second', () => {
    expect(
      readRateLimitHeaders({
        'ratelimit-limit': '3600',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '1000',
      }),
    ).toEqual({
      limit: 3600,
      remaining: 0,
      reset: 1000,
    });
    expect(rateLimitWaitSeconds({ limit: 3600, remaining: 12, reset: 2000 }, 1_000_000)).toBe(0);
    expect(rateLimitWaitSeconds({ limit: 3600, remaining: 0, reset: 1000 + 3600 }, 1_000_000)).toBe(1);
    expect(rateLimitWaitSeconds({ limit: 60, remaining: 0, reset: 1000 + 120 }, 1_000_000)).toBe(2);
  });

  it('a 429 storm is waited out for the time the headers give, then the call succeeds', async () => {
    const c = client();
    fake.throttleNext(2);
    const before = fake.requests.length;
    expect((await c.listZones({ name: 'example.com' })).length).toBe(1);
    const seen = fake.requests.slice(before);
    expect(seen.map((r) => r.status)).toEqual([429, 429, 200]);
    // no request went out before the bucket had a token again (~1 s each)
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(c.rateLimit).toMatchObject({ limit: 3600 });
  });

  it('a storm of 8 consecutive 429s is waited out within maxWaitMs (60 s by default), not abandoned after 5 waits', async () => {
    const c = client();
    fake.throttleNext(8);
    const before = fake.requests.length;
    expect((await c.listZones({ name: 'example.com' })).length).toBe(1);
    const seen = fake.requests.slice(before);
    expect(seen.map((r) => r.status)).toEqual([...Array<number>(8).fill(429), 200]);
    // every wait is the time the headers give (a token back, ~1 s): nothing was sent early
    for (let i = 1; i < seen.length; i++)
      expect((seen[i]?.at ?? 0) - (seen[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  }, 40_000);

  it('the 429 waits of one call are bounded by maxWaitMs in all: past it the call fails PROVIDER_RATE_LIMITED (retryable) and sends no more', async () => {
    const c = client({ rateLimit: { maxWaitMs: 3000 } });
    fake.throttleNext(50);
    const before = fake.requests.length;
    try {
      const error = await errorOf(c.listZones({ name: 'example.com' }));
      expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true, status: 429 });
      const seen = fake.requests.slice(before);
      // waits of at least 1 s each, 3 s in all: at most 3 waits, so at most 4 requests
      expect(seen.every((r) => r.status === 429)).toBe(true);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.length).toBeLessThanOrEqual(4);
      expect((seen.at(-1)?.at ?? 0) - (seen[0]?.at ?? 0)).toBeLessThanOrEqual(3000);
    } finally {
      fake.clearFaults();
    }
  }, 40_000);

  it('an empty bucket seen in the headers blocks the next request until a token is back: never sent into a 429', async () => {
    const local = await startFakeHetzner({
      tokens: ['bucket-token'],
      rateLimit: { limit: 3, refillPerSecond: 1 },
    });
    try {
      local.addZone({ name: 'example.net' });
      const c = new HetznerClient({
        token: 'bucket-token',
        baseUrl: local.url,
        rateLimit: { requests: 3, windowMs: 3000 },
      });
      clients.push(c);
      for (let i = 0; i < 5; i++) await c.listZones();
      expect(local.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await local.close();
    }
  });
});
