import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '@openova/dns-core';
import { parseRetryAfter } from '@openova/dns-core/http';
import {
  CloudflareApiError,
  CloudflareClient,
  RateLimiter,
  type CloudflareRequestEvent,
} from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

const TOKEN = 'sekret-token-0123456789';
let fake: FakeCloudflare;
let zoneId: string;

beforeEach(async () => {
  fake = await startFakeCloudflare({ tokens: [TOKEN] });
  zoneId = fake.addZone({ name: 'client.test', plan: 'pro', recordQuota: 20_000 });
});

afterEach(() => fake?.close());

function client(extra: Partial<ConstructorParameters<typeof CloudflareClient>[0]> = {}) {
  return new CloudflareClient({
    apiToken: TOKEN,
    baseUrl: fake.url,
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  } as ConstructorParameters<typeof CloudflareClient>[0]);
}

async function seed(count: number): Promise<void> {
  const c = client();
  for (let start = 0; start < count; start += 3000) {
    const posts = Array.from({ length: Math.min(3000, count - start) }, (_, i) => ({
      name: `r${start + i}.client.test`,
      type: 'A',
      content: `10.${(start + i) >> 16}.${((start + i) >> 8) & 255}.${(start + i) & 255}`,
      ttl: 1,
    }));
    await c.batchDnsRecords(zoneId, { posts });
  }
  fake.clearRequests();
}

describe('pagination', () => {
  it('lists 12,345 records in 3 requests at 5,000 per page (no empty last page)', async () => {
    await seed(12_345);
    const records = await client().listDnsRecords(zoneId);
    expect(records).toHaveLength(12_345);
    expect(new Set(records.map((r) => r.id)).size).toBe(12_345);
    expect(fake.requests.map((r) => r.query['page'])).toEqual(['1', '2', '3']);
    expect(fake.requests.every((r) => r.query['per_page'] === '5000')).toBe(true);
  });

  it('an exact multiple of the page size costs exactly total/perPage requests; an empty zone one', async () => {
    await seed(200);
    expect(await client().listDnsRecords(zoneId, { perPage: 100 })).toHaveLength(200);
    expect(fake.requests).toHaveLength(2);
    fake.clearRequests();
    const empty = fake.addZone({ name: 'empty.test' });
    expect(await client().listDnsRecords(empty)).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects page sizes Cloudflare would refuse before sending anything', async () => {
    await expect(client().listDnsRecords(zoneId, { perPage: 5001 })).rejects.toBeInstanceOf(ConfigError);
    await expect(client().listZones({ perPage: 4 })).rejects.toBeInstanceOf(ConfigError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('errors', () => {
  it('keeps the error chain and maps Cloudflare codes to SDK codes', async () => {
    const free = fake.addZone({ name: 'free.test', plan: 'free' });
    const error = await client()
      .createDnsRecord(free, { name: 'x.free.test', type: 'A', content: '192.0.2.1', tags: ['team:a'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error).toBeInstanceOf(ProviderError);
    const e = error as CloudflareApiError;
    expect(e).toMatchObject({
      code: 'RECORD_REJECTED',
      status: 400,
      retryable: false,
      provider: 'cloudflare',
    });
    expect(e.cloudflareCodes).toEqual([1004, 9300]);
    expect(e.message).toContain('9300 DNS record has 1 tags, exceeding the quota of 0.');

    const missing = await client()
      .patchDnsRecord(zoneId, 'f'.repeat(32), { ttl: 300 })
      .then(
        () => undefined,
        (x: unknown) => x as CloudflareApiError,
      );
    expect(missing).toMatchObject({ code: 'RECORD_CONFLICT', status: 404 });
    expect(missing?.hasCode(81044)).toBe(true);

    const unknownZone = await client()
      .getZone('0'.repeat(32))
      .catch((x: unknown) => x as CloudflareApiError);
    expect(unknownZone).toMatchObject({ code: 'UNKNOWN_ZONE', status: 404 });
  });

  it('maps authentication failures, including the 400 / 9106 Cloudflare answers on records', async () => {
    const bad = new CloudflareClient({ apiToken: 'wrong', baseUrl: fake.url });
    const onRecords = await bad.listDnsRecords(zoneId).then(
      () => undefined,
      (e: unknown) => e as CloudflareApiError,
    );
    expect(onRecords).toMatchObject({ code: 'PROVIDER_AUTH', status: 400 });
    expect(onRecords?.cloudflareCodes).toEqual([9106]);
    const onZones = await bad.listZones().catch((e: unknown) => e as CloudflareApiError);
    expect(onZones).toMatchObject({ code: 'PROVIDER_AUTH', status: 403 });
  });

  it('never shows the token: not in errors, events, util.inspect or JSON', async () => {
    const events: CloudflareRequestEvent[] = [];
    const c = client({ onRequest: (e) => events.push(e) });
    fake.failNext(10, { status: 500 });
    const error = await c.listZones().then(
      () => undefined,
      (e: unknown) => e as CloudflareApiError,
    );
    expect(error?.retryable).toBe(true);
    expect(error?.attempts).toBe(3);
    const everything = [
      inspect(c, { depth: 10, showHidden: true }),
      JSON.stringify(c),
      inspect(error, { depth: 10, showHidden: true }),
      String(error?.stack),
      JSON.stringify(events),
    ].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(inspect(c)).toContain('[redacted]');
    const legacy = new CloudflareClient({
      apiKey: 'legacy-secret',
      apiEmail: 'me@example.com',
      baseUrl: fake.url,
    });
    expect(inspect(legacy, { showHidden: true, depth: 10 })).not.toContain('legacy-secret');
  });

  it('requires a credential', () => {
    expect(() => new CloudflareClient({ apiToken: ' ', baseUrl: fake.url })).toThrow(ConfigError);
    expect(() => new CloudflareClient({ apiKey: 'k', apiEmail: '', baseUrl: fake.url })).toThrow(ConfigError);
  });
});

describe('retries', () => {
  it('retries idempotent reads on 5xx', async () => {
    fake.failNext(2, { status: 502 });
    expect((await client().getZone(zoneId)).name).toBe('client.test');
    expect(fake.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('never resends a create after an ambiguous failure (the write may have happened)', async () => {
    fake.failNext(1, { status: 502, afterExecuting: true });
    const error = await client()
      .createDnsRecord(zoneId, { name: 'once.client.test', type: 'A', content: '192.0.2.9', ttl: 1 })
      .catch((e: unknown) => e as CloudflareApiError);
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect(fake.requests).toHaveLength(1);
    expect(fake.records('client.test').filter((r) => r.name === 'once.client.test')).toHaveLength(1);
    // a batch with posts is not resent either
    fake.failNext(1, { status: 502, afterExecuting: true });
    await expect(
      client().batchDnsRecords(zoneId, {
        posts: [{ name: 'twice.client.test', type: 'A', content: '192.0.2.8', ttl: 1 }],
      }),
    ).rejects.toMatchObject({ status: 502 });
    expect(fake.records('client.test').filter((r) => r.name === 'twice.client.test')).toHaveLength(1);
  });

  it('resends a create after a 429 (Cloudflare did not run it), once Retry-After has passed', async () => {
    fake.throttleNext(1, 1);
    const started = Date.now();
    const created = await client().createDnsRecord(zoneId, {
      name: 'rl.client.test',
      type: 'A',
      content: '192.0.2.7',
      ttl: 1,
    });
    expect(created.name).toBe('rl.client.test');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(fake.earlyRequests).toEqual([]);
  });
});

describe('rate limiting', () => {
  it('a 429 storm: concurrent calls all wait out Retry-After, none is sent before it expires', async () => {
    await seed(30);
    // when each attempt was sent and when its answer came back, measured at the client
    const attempts: { sent: number; answered: number; status: number | undefined }[] = [];
    const c = client({
      onRequest: (e) => {
        const now = performance.now();
        attempts.push({ sent: now - e.durationMs, answered: now, status: e.status });
      },
    });
    fake.throttleNext(3, 1);
    const results = await Promise.all(Array.from({ length: 6 }, () => c.listDnsRecords(zoneId)));
    expect(results.every((r) => r.length === 30)).toBe(true);
    const throttled = attempts.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    // after any 429 reached the client, nothing was sent until its Retry-After (1 s) had passed
    for (const t of throttled) {
      const tooEarly = attempts.filter((a) => a.sent > t.answered && a.sent < t.answered + 1000 - 5);
      expect(tooEarly).toEqual([]);
    }
    expect(attempts.filter((a) => a.status === 200)).toHaveLength(6);
  });

  it('gives up with a retryable error instead of waiting past maxWaitMs, and stays blocked', async () => {
    fake.throttleNext(1, 120);
    const c = client({ rateLimit: { maxWaitMs: 2000 } });
    const error = await c.getZone(zoneId).catch((e: unknown) => e as CloudflareApiError);
    expect(error).toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      status: 429,
      retryable: true,
      retryAfter: 120,
    });
    // the limiter of this credential now refuses without sending anything
    const second = await client({ rateLimit: { maxWaitMs: 2000 } })
      .getZone(zoneId)
      .catch((e: unknown) => e as CloudflareApiError);
    expect(second).toMatchObject({ kind: 'rate-limited', code: 'PROVIDER_RATE_LIMITED', retryable: true });
    expect(second.retryAfter).toBeGreaterThan(100);
    expect(fake.requests).toHaveLength(1);
  });

  it('spaces requests to stay within the window', async () => {
    const c = client({ rateLimit: { requests: 3, windowMs: 600, maxWaitMs: 5000 } });
    const started = Date.now();
    for (let i = 0; i < 7; i++) await c.getZone(zoneId);
    // 7 requests at 3 per 600 ms need at least two full windows
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('RateLimiter counts a sliding window', () => {
    const limiter = new RateLimiter({ requests: 2, windowMs: 1000 });
    expect(limiter.waitMs()).toBe(0);
    limiter.block(Date.now() + 500);
    expect(limiter.waitMs()).toBeGreaterThan(400);
  });

  it('parses Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter('1.2')).toBe(2);
    expect(parseRetryAfter(new Date(Date.now() + 10_500).toUTCString())).toBeGreaterThanOrEqual(10);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('a listing that changes while its pages are read', () => {
  it('is read again when another writer removes a record between two pages: nothing is missed or read twice', async () => {
    await seed(12);
    const ids = fake.records('client.test').map((r) => r.id);
    let removed = false;
    fake.onRecordsPage = (_zone, page) => {
      // after page 1 was answered, a record of page 1 goes: page 2 would start one record later
      if (page === 2 && !removed) {
        removed = true;
        fake.removeRecord('client.test', ids[0] as string);
      }
    };
    const gets: string[] = [];
    const listed = await client({
      onRequest: (e: CloudflareRequestEvent) => void (e.method === 'GET' && gets.push(e.path)),
    }).listDnsRecords(zoneId, { perPage: 5 });
    expect(listed.map((r) => r.id).sort()).toEqual(ids.slice(1).sort());
    // 3 pages, then 3 pages again
    expect(gets).toHaveLength(6);
  });

  it('a listing that never holds still is a retryable error after three readings, not a partial list', async () => {
    await seed(12);
    let n = 0;
    fake.onRecordsPage = (_zone, page) => {
      if (page === 2)
        fake.addRecord('client.test', {
          name: `late${n++}.client.test`,
          type: 'A',
          content: '192.0.2.9',
          ttl: 1,
        });
    };
    const error = await client()
      .listDnsRecords(zoneId, { perPage: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER', retryable: true });
    expect((error as Error).message).toContain('changed while its pages were read, 3 times');
  });
});
