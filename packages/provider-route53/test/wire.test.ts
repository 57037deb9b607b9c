// The fake speaks Route53's REST-XML: the real @aws-sdk/client-route-53 drives it for every call the
// provider makes. Nothing here reaches AWS or IMDS (static credentials, loopback endpoint).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Route53Client, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { Route53Api, Route53ApiError } from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const credentials = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret-never-shown' };
let fake: FakeRoute53;

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
});
afterAll(() => fake?.close());

function api(extra: Partial<ConstructorParameters<typeof Route53Api>[0]> = {}): Route53Api {
  return new Route53Api({ endpoint: fake.url, credentials, rateLimiter: false, maxAttempts: 3, ...extra });
}

describe('Route53 wire format (SDK against the fake)', () => {
  it('lists zones over several pages and strips /hostedzone/', async () => {
    for (let i = 0; i < 105; i++) fake.addZone({ name: `page${i}.wire.test` });
    const zones = await api().listHostedZones();
    expect(zones.filter((z) => z.Name?.endsWith('wire.test.')).length).toBe(105);
    // the SDK strips /hostedzone/ from inputs only; answers keep it
    expect(zones[0]?.Id).toMatch(/^\/hostedzone\/Z/);
    expect(fake.requests.filter((r) => r.startsWith('GET /2013-04-01/hostedzone?')).length).toBe(2);
  });

  it('writes, pages record sets at 300 and returns \\052 names', async () => {
    const zone = fake.addZone({ name: 'rr.wire.test' });
    const a = api();
    const changes = Array.from({ length: 650 }, (_, i) => ({
      Action: 'CREATE' as const,
      ResourceRecordSet: {
        Name: `h${i}.rr.wire.test.`,
        Type: 'A' as const,
        TTL: 60,
        ResourceRecords: [{ Value: '192.0.2.1' }],
      },
    }));
    changes.push({
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: '*.rr.wire.test.',
        Type: 'A',
        TTL: 60,
        ResourceRecords: [{ Value: '192.0.2.9' }],
      },
    });
    const info = await a.changeRecordSets(zone.id, changes);
    expect(info.Status).toBe('PENDING');
    const before = fake.requests.length;
    const sets = await a.listRecordSets(zone.id);
    expect(sets.length).toBe(653); // + NS and SOA
    expect(fake.requests.length - before).toBe(3);
    expect(sets.some((s) => s.Name === '\\052.rr.wire.test.')).toBe(true);
    expect(await a.waitForInsync(String(info.Id).replace('/change/', ''), { intervalMs: 1 })).toBe(true);
  });

  it('InvalidChangeBatch in both XML shapes carries every message and RECORD_REJECTED', async () => {
    for (const shape of ['invalid-change-batch', 'error-response'] as const) {
      const f = await startFakeRoute53({ rateLimit: false, invalidChangeBatchShape: shape });
      const zone = f.addZone({ name: 'bad.wire.test' });
      const a = new Route53Api({ endpoint: f.url, credentials, rateLimiter: false });
      const err = await a
        .changeRecordSets(zone.id, [
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: 'x.bad.wire.test.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '192.0.2.1' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'bad.wire.test.',
              Type: 'CNAME',
              TTL: 60,
              ResourceRecords: [{ Value: 'x.example.' }],
            },
          },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Route53ApiError);
      const e = err as Route53ApiError;
      expect(e.code).toBe('RECORD_REJECTED');
      expect(e.status).toBe(400);
      expect(e.message).toContain(
        "Tried to delete resource record set [name='x.bad.wire.test.', type='A'] but it was not found",
      );
      if (shape === 'invalid-change-batch') {
        expect(e.messages).toHaveLength(2);
        expect(e.messages[1]).toBe(
          'RRSet of type CNAME with DNS name bad.wire.test. is not permitted at apex in zone bad.wire.test.',
        );
      }
      expect(f.recordSets(zone.id)).toHaveLength(2); // all or nothing
      await f.close();
    }
  });

  it('requires signed requests: an unsigned call is refused', async () => {
    const res = await fetch(`${fake.url}/2013-04-01/hostedzone`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MissingAuthenticationToken');
  });

  it('never shows credentials in errors, JSON or inspect', async () => {
    const a = api({ maxAttempts: 1 });
    const err = (await a.getHostedZone('ZNOPE').catch((e: unknown) => e)) as Route53ApiError;
    expect(err.code).toBe('UNKNOWN_ZONE');
    for (const text of [err.message, JSON.stringify(err), inspect(err), inspect(a, { depth: 6 })]) {
      expect(text).not.toContain('fake-secret-never-shown');
    }
  });

  it('a ready Route53Client is accepted', async () => {
    const client = new Route53Client({ endpoint: fake.url, region: 'us-east-1', credentials });
    const a = new Route53Api({ client, rateLimiter: false });
    expect((await a.listHostedZones()).length).toBeGreaterThan(0);
    expect((await client.send(new ListHostedZonesCommand({}))).HostedZones?.length).toBeGreaterThan(0);
  });
});
