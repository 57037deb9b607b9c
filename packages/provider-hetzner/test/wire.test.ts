// The fake's wire format, read raw (no client): what the client's schemas and error reading rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';

let fake: FakeHetzner;
const auth = { authorization: 'Bearer test-token' };

beforeAll(async () => {
  fake = await startFakeHetzner();
  fake.addZone({ name: 'wire.test' });
  for (let i = 0; i < 30; i++)
    fake.putRRSet('wire.test', {
      name: `w${i}`,
      type: 'A',
      records: [{ value: '192.0.2.1', comment: null }],
    });
});
afterAll(() => fake.close());

describe('fake wire format', () => {
  it('lists with meta.pagination (default 25 per page) and an RFC 5988 Link header', async () => {
    const res = await fetch(`${fake.url}/zones/wire.test/rrsets`, { headers: auth });
    const body = (await res.json()) as { rrsets: unknown[]; meta: { pagination: Record<string, unknown> } };
    expect(body.rrsets).toHaveLength(25);
    expect(body.meta.pagination).toEqual({
      page: 1,
      per_page: 25,
      previous_page: null,
      next_page: 2,
      last_page: 2,
      total_entries: 32, // 30 and the apex SOA and NS
    });
    const link = res.headers.get('link') ?? '';
    expect(link).toMatch(/page=2&per_page=25>; rel="next"/);
    expect(link).toMatch(/rel="last"/);
    expect(link).not.toMatch(/rel="prev"/);
  });

  it('never returns more than the documented maximum of 50 per page, and says so', async () => {
    // Hetzner's Pagination section: default 25, maximum 50 unless an endpoint says otherwise;
    // list_zone_rrsets and list_zones say nothing else (cloud.spec.json)
    fake.addZone({ name: 'wide.test' });
    for (let i = 0; i < 120; i++)
      fake.putRRSet('wide.test', {
        name: `v${i}`,
        type: 'A',
        records: [{ value: '192.0.2.1', comment: null }],
      });
    for (const [path, key] of [
      ['/zones/wide.test/rrsets', 'rrsets'],
      ['/zones', 'zones'],
    ] as const) {
      const res = await fetch(`${fake.url}${path}?per_page=100`, { headers: auth });
      const body = (await res.json()) as Record<string, unknown[]> & {
        meta: { pagination: { per_page: number; next_page: number | null } };
      };
      if (key === 'rrsets') {
        expect(body.rrsets).toHaveLength(50);
        expect(body.meta.pagination).toMatchObject({ per_page: 50, next_page: 2, last_page: 3 });
        const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? '';
        expect(Object.fromEntries(new URL(next).searchParams)).toMatchObject({ page: '2', per_page: '50' });
      } else {
        expect(body.meta.pagination.per_page).toBe(50);
      }
    }
    // exactly 50 is honoured as asked
    const fifty = await fetch(`${fake.url}/zones/wide.test/rrsets?per_page=50&page=3`, { headers: auth });
    expect(((await fifty.json()) as { rrsets: unknown[] }).rrsets).toHaveLength(22); // and the apex SOA, NS
    const bad = await fetch(`${fake.url}/zones/wide.test/rrsets?per_page=0`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it('every answer carries RateLimit-Limit, -Remaining and -Reset; errors use the envelope', async () => {
    const res = await fetch(`${fake.url}/zones/nope.test`, { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get('ratelimit-limit')).toBe('3600');
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(3600);
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('an RRSet write returns a running action; the id is name/type and the zone is numeric', async () => {
    const res = await fetch(`${fake.url}/zones/wire.test/rrsets`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'new', type: 'TXT', records: [{ value: '"hello"' }] }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { rrset: Record<string, unknown>; action: Record<string, unknown> };
    expect(body.rrset).toMatchObject({
      id: 'new/TXT',
      name: 'new',
      type: 'TXT',
      ttl: null,
      zone: expect.any(Number),
    });
    expect(body.action).toMatchObject({
      command: 'create_rrset',
      status: 'running',
      progress: 0,
      finished: null,
      error: null,
      resources: [{ type: 'zone' }],
    });
  });
  // last: it empties the bucket
  it('answers 429 rate_limit_exceeded without Retry-After when the bucket is empty', async () => {
    fake.drain();
    const res = await fetch(`${fake.url}/zones`, { headers: auth });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(await res.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });
});
