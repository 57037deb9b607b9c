// The fake's Route53 semantics, through the real SDK: in-order validation and all-or-nothing
// commits, exact-match DELETE, CNAME rules, limits, paging with set identifiers, PENDING → INSYNC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '@aws-sdk/client-route-53';
import { Route53Api, type Route53ApiError } from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const credentials = { accessKeyId: 'AKIDFAKETEST', secretAccessKey: 'fake-test-secret' };
let fake: FakeRoute53;
let api: Route53Api;
let n = 0;

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false, pendingPolls: 2 });
  api = new Route53Api({ endpoint: fake.url, credentials, rateLimiter: false, maxAttempts: 1 });
});
afterAll(() => fake?.close());

const a = (name: string, value = '192.0.2.1', extra: object = {}): Change['ResourceRecordSet'] => ({
  Name: name,
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: value }],
  ...extra,
});

async function refused(zoneId: string, changes: Change[]): Promise<string[]> {
  const err = (await api.changeRecordSets(zoneId, changes).catch((e: unknown) => e)) as Route53ApiError;
  expect(err.code).toBe('RECORD_REJECTED');
  return [...err.messages];
}

function zone() {
  const name = `f${++n}.fake.test`;
  return { name, id: fake.addZone({ name }).id };
}

describe('change batches', () => {
  it('are validated in order: DELETE then CREATE of one set is fine, a second DELETE is not', async () => {
    const z = zone();
    await api.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a(`x.${z.name}`) }]);
    await api.changeRecordSets(z.id, [
      { Action: 'DELETE', ResourceRecordSet: a(`x.${z.name}`) },
      { Action: 'CREATE', ResourceRecordSet: a(`x.${z.name}`, '192.0.2.2') },
    ]);
    expect(
      await refused(z.id, [
        { Action: 'DELETE', ResourceRecordSet: a(`x.${z.name}`, '192.0.2.2') },
        { Action: 'DELETE', ResourceRecordSet: a(`x.${z.name}`, '192.0.2.2') },
      ]),
    ).toEqual([`Tried to delete resource record set [name='x.${z.name}.', type='A'] but it was not found`]);
    expect(fake.recordSets(z.id).find((s) => s.Name === `x.${z.name}.`)?.ResourceRecords).toEqual([
      '192.0.2.2',
    ]);
  });

  it('CREATE of an existing set and DELETE with other values are refused, and nothing of the batch applies', async () => {
    const z = zone();
    await api.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a(`x.${z.name}`) }]);
    const messages = await refused(z.id, [
      { Action: 'CREATE', ResourceRecordSet: a(`new.${z.name}`) },
      { Action: 'CREATE', ResourceRecordSet: a(`x.${z.name}`) },
      { Action: 'DELETE', ResourceRecordSet: a(`x.${z.name}`, '192.0.2.9') },
    ]);
    expect(messages).toEqual([
      `Tried to create resource record set [name='x.${z.name}.', type='A'] but it already exists`,
      `Tried to delete resource record set [name='x.${z.name}.', type='A'] but the values provided do not match the current values`,
    ]);
    expect(fake.recordSets(z.id).some((s) => s.Name === `new.${z.name}.`)).toBe(false);
  });

  it('CNAME next to other types and at the apex is refused', async () => {
    const z = zone();
    await api.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a(`x.${z.name}`) }]);
    const cname = (name: string): Change['ResourceRecordSet'] => ({
      Name: name,
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'y.example.' }],
    });
    expect(await refused(z.id, [{ Action: 'CREATE', ResourceRecordSet: cname(`x.${z.name}`) }])).toEqual([
      `RRSet of type CNAME with DNS name x.${z.name}. is not permitted because a conflicting RRSet of type A with the same DNS name already exists in zone ${z.name}.`,
    ]);
    expect(await refused(z.id, [{ Action: 'UPSERT', ResourceRecordSet: cname(`${z.name}`) }])).toEqual([
      `RRSet of type CNAME with DNS name ${z.name}. is not permitted at apex in zone ${z.name}.`,
    ]);
  });

  it('aliases must point into the target zone at an existing set', async () => {
    const z = zone();
    const alias = (target: string, zoneId: string): Change['ResourceRecordSet'] => ({
      Name: `al.${z.name}`,
      Type: 'A',
      AliasTarget: { DNSName: target, HostedZoneId: zoneId, EvaluateTargetHealth: false },
    });
    expect(
      await refused(z.id, [{ Action: 'CREATE', ResourceRecordSet: alias('74.17.111.38', z.id) }]),
    ).toEqual([
      `Tried to create an alias that targets 74.17.111.38., type A in zone ${z.id}, but the alias target name does not lie within the target zone`,
    ]);
    await api.changeRecordSets(z.id, [
      { Action: 'CREATE', ResourceRecordSet: a(`web.${z.name}`) },
      { Action: 'CREATE', ResourceRecordSet: alias(`web.${z.name}`, z.id) },
    ]);
  });

  it('counts 1,000 records and 32,000 characters per request, an UPSERT twice', async () => {
    const z = zone();
    const many = (k: number, action: 'CREATE' | 'UPSERT'): Change[] =>
      Array.from({ length: k }, (_, i) => ({ Action: action, ResourceRecordSet: a(`h${i}.${z.name}`) }));
    expect(await refused(z.id, many(501, 'UPSERT'))).toEqual(['Number of records limit of 1000 exceeded.']);
    await api.changeRecordSets(z.id, many(500, 'UPSERT'));
    const txt = (i: number): Change => ({
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: `t${i}.${z.name}`,
        Type: 'TXT',
        TTL: 60,
        ResourceRecords: [{ Value: `"${'x'.repeat(253)}"` }],
      },
    });
    expect(
      await refused(
        z.id,
        Array.from({ length: 126 }, (_, i) => txt(i)),
      ),
    ).toEqual(['RDATA character limit of 32000 exceeded.']);
  });

  it('refuses unquoted TXT values', async () => {
    const z = zone();
    const messages = await refused(z.id, [
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: `t.${z.name}`,
          Type: 'TXT',
          TTL: 60,
          ResourceRecords: [{ Value: 'hello' }],
        },
      },
    ]);
    expect(messages[0]).toContain('Value should be enclosed in quotation marks');
  });
});

describe('reads', () => {
  it("a record set with two routing policies is an InvalidChangeBatch in Route53's words, and nothing of the batch applies", async () => {
    const z = zone();
    const messages = await refused(z.id, [
      { Action: 'CREATE', ResourceRecordSet: a(`ok.${z.name}.`) },
      {
        Action: 'CREATE',
        ResourceRecordSet: a(`mix.${z.name}.`, '192.0.2.2', {
          SetIdentifier: 'blue',
          Weight: 10,
          Region: 'us-east-1',
        }),
      },
      { Action: 'CREATE', ResourceRecordSet: a(`noid.${z.name}.`, '192.0.2.3', { Weight: 10 }) },
    ]);
    expect(messages).toEqual([
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, GeoProximityLocation, MultiValueAnswer, or CidrRoutingConfig], but found more than one in Change with [Action=CREATE, Name=mix.${z.name}., Type=A, SetIdentifier=blue]`,
      `Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=noid.${z.name}., Type=A, SetIdentifier=null]`,
    ]);
    expect(fake.recordSets(z.id).filter((s) => s.Type === 'A')).toEqual([]);
  });

  it('stores octets outside printable ASCII as \\ddd escapes, in names and TXT values, as Route53 does', async () => {
    const z = zone();
    await api.changeRecordSets(z.id, [
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: `bücher.${z.name}.`,
          Type: 'TXT',
          TTL: 60,
          ResourceRecords: [{ Value: '"héllo\tworld"' }],
        },
      },
      { Action: 'CREATE', ResourceRecordSet: a(`*.${z.name}.`) },
    ]);
    const sets = await api.listRecordSets(z.id);
    expect(sets.find((s) => s.Type === 'TXT')).toMatchObject({
      Name: `b\\303\\274cher.${z.name}.`,
      ResourceRecords: [{ Value: '"h\\303\\251llo\\011world"' }],
    });
    expect(sets.find((s) => s.Type === 'A')?.Name).toBe(`\\052.${z.name}.`);
    // a DELETE naming the set as it was sent (raw UTF-8) matches what is stored
    await api.changeRecordSets(z.id, [
      {
        Action: 'DELETE',
        ResourceRecordSet: {
          Name: `bücher.${z.name}.`,
          Type: 'TXT',
          TTL: 60,
          ResourceRecords: [{ Value: '"héllo\tworld"' }],
        },
      },
    ]);
    expect(fake.recordSets(z.id).filter((s) => s.Type === 'TXT')).toEqual([]);
  });

  it('pages at 300 in Route53 order, weighted sets resuming by identifier', async () => {
    const z = zone();
    const changes: Change[] = Array.from({ length: 320 }, (_, i) => ({
      Action: 'CREATE',
      ResourceRecordSet: a(`w.${z.name}`, '192.0.2.1', {
        SetIdentifier: `id${String(i).padStart(3, '0')}`,
        Weight: 1,
      }),
    }));
    await api.changeRecordSets(z.id, changes);
    const before = fake.requests.length;
    const sets = await api.listRecordSets(z.id);
    expect(fake.requests.slice(before)).toHaveLength(2);
    expect(fake.requests.at(-1)).toContain('identifier=id');
    expect(sets.filter((s) => s.Name === `w.${z.name}.`)).toHaveLength(320);
    const keys = sets.map((s) => `${s.Name}|${s.Type}|${s.SetIdentifier ?? ''}`);
    expect(new Set(keys).size).toBe(sets.length);
  });

  it('shows a change at once while GetChange says PENDING, then INSYNC', async () => {
    const z = zone();
    const info = await api.changeRecordSets(z.id, [
      { Action: 'CREATE', ResourceRecordSet: a(`p.${z.name}`) },
    ]);
    expect((await api.listRecordSets(z.id)).some((s) => s.Name === `p.${z.name}.`)).toBe(true);
    const id = String(info.Id).replace('/change/', '');
    expect((await api.getChange(id)).Status).toBe('PENDING');
    expect((await api.getChange(id)).Status).toBe('PENDING');
    expect((await api.getChange(id)).Status).toBe('INSYNC');
  });
});

describe('PriorRequestNotComplete', () => {
  it('a second change to a zone still processing the first is refused; the SDK retries it as a throttle', async () => {
    const busy = await startFakeRoute53({ rateLimit: false, processingMs: 200 });
    const z = busy.addZone({ name: 'busy.fake.test' });
    const once = new Route53Api({ endpoint: busy.url, credentials, rateLimiter: false, maxAttempts: 1 });
    await once.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a('a.busy.fake.test') }]);
    const err = (await once
      .changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a('b.busy.fake.test') }])
      .catch((e: unknown) => e)) as Route53ApiError;
    expect([err.code, err.awsCode, err.retryable]).toEqual([
      'PROVIDER_RATE_LIMITED',
      'PriorRequestNotComplete',
      true,
    ]);
    // a client that waits out its budget after the refusal gets through
    const patient = new Route53Api({
      endpoint: busy.url,
      credentials,
      maxAttempts: 4,
      throttleBackoffMs: 250,
      account: 'busy',
    });
    await patient.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a('c.busy.fake.test') }]);
    await patient.changeRecordSets(z.id, [{ Action: 'CREATE', ResourceRecordSet: a('d.busy.fake.test') }]);
    expect(patient.stats.throttled).toBeGreaterThanOrEqual(1);
    expect(busy.recordSets(z.id).filter((s) => s.Type === 'A')).toHaveLength(3);
    await busy.close();
  });
});
