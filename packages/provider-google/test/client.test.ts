// GoogleCloudDnsClient against the fake: pages, the error envelope mapped to core codes, change
// atomicity and limits, change status, the fake's rate limit, and the client's own checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeForGoogleError,
  GoogleApiError,
  GoogleCloudDnsClient,
  type GoogleClientOptions,
} from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';

let fake: FakeGoogle;

beforeAll(async () => {
  fake = await startFakeGoogle({ pageSize: 3, pendingPolls: 2 });
  fake.addZone({ name: 'client-zone', dnsName: 'client.test' });
});
afterAll(() => fake?.close());

function client(extra: Partial<GoogleClientOptions> = {}): GoogleCloudDnsClient {
  return new GoogleCloudDnsClient({
    project: 'fake-project',
    tokenSource: { getAccessToken: () => Promise.resolve('token') },
    baseUrl: fake.url,
    tls: { ca: fake.ca },
    rateLimit: false,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<GoogleApiError> {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GoogleApiError);
  return error as GoogleApiError;
}

const a = (name: string, rrdatas: string[], ttl = 300) => ({
  name: `${name}.client.test.`,
  type: 'A',
  ttl,
  rrdatas,
});

describe('GoogleCloudDnsClient', () => {
  it('follows nextPageToken through every page', async () => {
    const c = client();
    await c.createChange('client-zone', {
      additions: Array.from({ length: 8 }, (_, i) => a(`p${i}`, ['192.0.2.1'])),
    });
    const before = fake.requests.length;
    const sets = await c.listRRSets('client-zone');
    expect(sets.filter((s) => s.name.startsWith('p')).length).toBe(8);
    expect(fake.requests.length - before).toBe(Math.ceil(sets.length / 3));
    expect(
      (await c.listRRSets('client-zone', { name: 'p1.client.test.', type: 'A' })).map((s) => s.name),
    ).toEqual(['p1.client.test.']);
    await expect(c.listRRSets('client-zone', { type: 'A' })).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('a change is all or nothing: a stale deletion (412) leaves its additions unapplied', async () => {
    const c = client();
    await c.createChange('client-zone', { additions: [a('atom', ['192.0.2.1'])] });
    const error = await failure(
      c.createChange('client-zone', {
        additions: [a('atom-new', ['192.0.2.5'])],
        deletions: [a('atom', ['192.0.2.1'], 60)],
      }),
    );
    expect(error).toMatchObject({ status: 412, code: 'RECORD_CONFLICT', reasons: ['conditionNotMet'] });
    expect(error.message).toMatch(/Precondition not met for 'entity.change.deletions\[0\]'/);
    expect(fake.rrsets('client-zone').some((s) => s.name === 'atom-new.client.test.')).toBe(false);
  });

  it('maps the documented refusals', async () => {
    const c = client();
    await c.createChange('client-zone', { additions: [a('dup', ['192.0.2.1'])] });
    expect(
      await failure(c.createChange('client-zone', { additions: [a('dup', ['192.0.2.1'])] })),
    ).toMatchObject({
      status: 409,
      code: 'RECORD_CONFLICT',
      reasons: ['alreadyExists'],
    });
    expect(
      await failure(c.createChange('client-zone', { deletions: [a('absent', ['192.0.2.1'])] })),
    ).toMatchObject({
      status: 404,
      code: 'RECORD_CONFLICT',
      reasons: ['notFound'],
    });
    expect(
      await failure(c.createChange('client-zone', { additions: [a('twice', ['192.0.2.1', '192.0.2.1'])] })),
    ).toMatchObject({
      status: 409,
      reasons: ['alreadyExists'],
    });
    expect(
      await failure(
        c.createChange('client-zone', {
          additions: [{ name: 'q.client.test.', type: 'A', ttl: 1, rrdatas: ['"192.0.2.1"'] }],
        }),
      ),
    ).toMatchObject({ status: 400, code: 'RECORD_REJECTED', reasons: ['invalid'] });
    expect(
      await failure(
        c.createChange('client-zone', {
          additions: [{ name: 'nodot.client.test', type: 'A', ttl: 1, rrdatas: ['192.0.2.1'] }],
        }),
      ),
    ).toMatchObject({ status: 400, reasons: ['invalid'] });
    expect(
      await failure(
        c.createChange('client-zone', {
          additions: [{ name: 'long.client.test.', type: 'TXT', ttl: 1, rrdatas: [`"${'x'.repeat(256)}"`] }],
        }),
      ),
    ).toMatchObject({ status: 400, reasons: ['invalid'] });
    expect(
      await failure(
        c.createChange('client-zone', {
          additions: [{ name: 'dup.client.test.', type: 'CNAME', ttl: 1, rrdatas: ['x.example.net.'] }],
        }),
      ),
    ).toMatchObject({ status: 400, code: 'RECORD_REJECTED', reasons: ['cnameResourceRecordSetConflict'] });
    expect(await failure(c.getManagedZone('no-such-zone'))).toMatchObject({
      status: 404,
      code: 'UNKNOWN_ZONE',
    });
  });

  it('stores unquoted TXT split at whitespace, as Cloud DNS does', async () => {
    const c = client();
    await c.createChange('client-zone', {
      additions: [{ name: 'w.client.test.', type: 'TXT', ttl: 1, rrdatas: ['two words'] }],
    });
    expect(fake.rrsets('client-zone').find((s) => s.name === 'w.client.test.')?.rrdatas).toEqual([
      '"two" "words"',
    ]);
  });

  it('refuses changes above the per-change limits (403 quotaExceeded)', async () => {
    const c = client();
    const error = await failure(
      c.createChange('client-zone', {
        additions: Array.from({ length: 1001 }, (_, i) => a(`q${i}`, ['192.0.2.1'])),
      }),
    );
    expect(error).toMatchObject({ status: 403, code: 'PROVIDER_QUOTA_EXCEEDED', reasons: ['quotaExceeded'] });
    const big = Array.from({ length: 30 }, (_, i) => ({
      name: `big${i}.client.test.`,
      type: 'TXT',
      ttl: 1,
      rrdatas: Array.from({ length: 16 }, () => `"${'y'.repeat(250)}"`).map((r, j) =>
        r.replace('yy', String(j).padStart(2, '0')),
      ),
    }));
    expect((await failure(c.createChange('client-zone', { additions: big }))).messages[0]).toMatch(
      /total rrdata size/,
    );
  });

  it('a change is pending, then done, and waitForChange polls until done', async () => {
    const c = client();
    const change = await c.createChange('client-zone', { additions: [a('poll', ['192.0.2.1'])] });
    expect(change.status).toBe('pending');
    expect((await c.getChange('client-zone', change.id)).status).toBe('pending');
    expect((await c.waitForChange('client-zone', change, { intervalMs: 1 })).status).toBe('done');
  });

  it('the fake limits requests per project; the client retries a 429 after blocking its limiter', async () => {
    const limited = await startFakeGoogle({ rateLimit: { requests: 2, windowMs: 200 } });
    try {
      limited.addZone({ name: 'rl', dnsName: 'rl.test' });
      const c = new GoogleCloudDnsClient({
        project: 'fake-project',
        tokenSource: { getAccessToken: () => Promise.resolve('t') },
        baseUrl: limited.url,
        tls: { ca: limited.ca },
        rateLimit: { requests: 1000, windowMs: 1000, backoffS: 0.1 },
      });
      for (let i = 0; i < 5; i++) await c.listRRSets('rl');
      expect(limited.throttled).toBeGreaterThan(0);
      await c.close();
    } finally {
      await limited.close();
    }
  });

  it('codeForGoogleError follows the reasons before the status', () => {
    expect(codeForGoogleError(403, ['rateLimitExceeded'])).toBe('PROVIDER_RATE_LIMITED');
    expect(codeForGoogleError(403, ['forbidden'])).toBe('PROVIDER_AUTH');
    expect(codeForGoogleError(401, [])).toBe('PROVIDER_AUTH');
    expect(codeForGoogleError(412, ['conditionNotMet'])).toBe('RECORD_CONFLICT');
    expect(codeForGoogleError(400, ['peeringChangeDisallowed'])).toBe('RECORD_REJECTED');
    expect(codeForGoogleError(502, [])).toBe('PROVIDER');
  });
});
