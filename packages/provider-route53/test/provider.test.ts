// Route53Provider through core's reconcile loop against the fake: aliases, routing policies,
// policy switches, bisected batches, split horizon, throttling. Loopback only; no AWS, no IMDS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  endpoint,
  isDnsError,
  PartialApplyError,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type RecordType,
  ValidationError,
} from '@openova/dns-core';
import { RateLimiter } from '@openova/dns-core/http';
import {
  ALIAS_PROPERTY,
  AWS_PROPERTIES,
  CLOUDFRONT_ZONE_ID,
  DEFAULT_ROUTE53_MAX_ATTEMPTS,
  Route53Provider,
  type Route53ProviderOptions,
} from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53, type FakeZone } from '@openova/dns-provider-route53/testing';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const credentials = { accessKeyId: 'AKIDPROVIDERTEST', secretAccessKey: 'provider-test-secret' };
let fake: FakeRoute53;
let n = 0;
let zone: FakeZone;
let name: string;

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
});
afterAll(() => fake?.close());
beforeEach(() => {
  name = `z${++n}.provider.test`;
  zone = fake.addZone({ name });
});

function provider(extra: Partial<Route53ProviderOptions> = {}): Route53Provider {
  return new Route53Provider({
    endpoint: fake.url,
    credentials,
    rateLimiter: false,
    domainFilter: new DomainFilter({ include: [name] }),
    ...extra,
  });
}

const TYPES: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];

async function converge(p: Route53Provider, desired: EndpointInit[]): Promise<void> {
  const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
  const run = (dryRun: boolean) =>
    reconcile({ registry, desired, policy: 'sync', managedRecordTypes: TYPES, dryRun, safety: false });
  const first = await run(false);
  expect(first.plan.hasChanges).toBe(true);
  const second = await run(true);
  expect(second.plan.changes).toEqual(emptyChanges());
}

const stored = (type: string, at: string) =>
  fake.recordSets(zone.id).filter((s) => s.Type === type && s.Name === `${at}.`);

describe('aliases', () => {
  it('A and AAAA aliases (apex and below) are stored as such and plan to nothing', async () => {
    const p = provider();
    await converge(p, [
      {
        dnsName: name,
        recordType: 'A',
        targets: ['d111111abcdef8.cloudfront.net'],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      },
      {
        dnsName: name,
        recordType: 'AAAA',
        targets: ['d111111abcdef8.cloudfront.net'],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      },
      {
        dnsName: `lb.${name}`,
        recordType: 'A',
        targets: ['my-lb-123.eu-west-1.elb.amazonaws.com'],
        providerSpecific: [
          { name: ALIAS_PROPERTY, value: 'true' },
          { name: AWS_PROPERTIES.evaluateTargetHealth, value: 'false' },
        ],
      },
    ]);
    const apexA = stored('A', name)[0];
    const apexAAAA = stored('AAAA', name)[0];
    expect(apexA?.AliasTarget).toEqual({
      HostedZoneId: CLOUDFRONT_ZONE_ID,
      DNSName: 'd111111abcdef8.cloudfront.net.',
      EvaluateTargetHealth: true,
    });
    expect(apexAAAA?.AliasTarget?.HostedZoneId).toBe(CLOUDFRONT_ZONE_ID); // kept as AAAA, not A (ExternalDNS #4897)
    expect(stored('A', `lb.${name}`)[0]?.AliasTarget).toEqual({
      HostedZoneId: 'Z32O12XQLNTSW2',
      DNSName: 'my-lb-123.eu-west-1.elb.amazonaws.com.',
      EvaluateTargetHealth: false,
    });
    expect(apexA?.TTL).toBeUndefined();
  });

  it('a same-zone alias targets the record zone, and CNAME→alias conversion is explicit', async () => {
    await converge(provider(), [
      { dnsName: `web.${name}`, recordType: 'A', targets: ['192.0.2.10'] },
      {
        dnsName: `www.${name}`,
        recordType: 'A',
        targets: [`web.${name}`],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      },
    ]);
    expect(stored('A', `www.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe(zone.id);
    // without cnameToAlias a CNAME to an ELB stays a CNAME; with it, it becomes an A alias
    const plain = await provider().adjustEndpoints([
      endpoint({ dnsName: `c.${name}`, recordType: 'CNAME', targets: ['x.us-east-1.elb.amazonaws.com'] }),
    ]);
    expect(plain[0]?.recordType).toBe('CNAME');
    const converted = await provider({ cnameToAlias: true }).adjustEndpoints([
      endpoint({ dnsName: `c.${name}`, recordType: 'CNAME', targets: ['x.us-east-1.elb.amazonaws.com'] }),
    ]);
    expect(converted[0]?.recordType).toBe('A');
    expect(converted[0]?.providerSpecific).toContainEqual({ name: ALIAS_PROPERTY, value: 'true' });
  });
});

describe('alias options', () => {
  it('aws/target-hosted-zone overrides the canonical zone, and reads back so a second plan is empty', async () => {
    const p = provider();
    await converge(p, [
      {
        dnsName: `cdn.${name}`,
        recordType: 'A',
        targets: ['edge.example.net'],
        providerSpecific: [
          { name: ALIAS_PROPERTY, value: 'true' },
          { name: AWS_PROPERTIES.targetHostedZone, value: 'ZOTHERZONE123' },
        ],
      },
    ]);
    expect(stored('A', `cdn.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe('ZOTHERZONE123');
  });

  it('preferCname refuses aliases before anything is sent (ExternalDNS --aws-prefer-cname)', async () => {
    const p = provider({ preferCname: true });
    const before = fake.requests.filter((r) => r.startsWith('POST')).length;
    const err = await p
      .applyChanges({
        ...emptyChanges(),
        create: [
          endpoint({
            dnsName: `lb.${name}`,
            recordType: 'A',
            targets: ['my-lb-123.eu-west-1.elb.amazonaws.com'],
            providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
          }),
        ],
      })
      .catch((e: unknown) => e);
    expect(isDnsError(err) && err.code).toBe('VALIDATION');
    expect((err as Error).message).toContain('aliases are disabled');
    expect(fake.requests.filter((r) => r.startsWith('POST')).length).toBe(before);
    // a CNAME with alias=true stays a CNAME under preferCname
    const [adjusted] = await p.adjustEndpoints([
      endpoint({
        dnsName: `c.${name}`,
        recordType: 'CNAME',
        targets: ['my-lb-123.eu-west-1.elb.amazonaws.com'],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      }),
    ]);
    expect(adjusted?.recordType).toBe('CNAME');
  });
});

describe('routing policies', () => {
  const at = (id: string, targets: string[], props: [string, string][]): EndpointInit => ({
    dnsName: `api.${name}`,
    recordType: 'A',
    setIdentifier: id,
    targets,
    recordTTL: 60,
    providerSpecific: props.map(([n, v]) => ({ name: n, value: v })),
  });

  it('weighted, latency, failover, geolocation, geoproximity and multivalue sets round-trip', async () => {
    const p = provider();
    await converge(p, [
      at('w1', ['192.0.2.1'], [[AWS_PROPERTIES.weight, '10']]),
      at('w2', ['192.0.2.2'], [[AWS_PROPERTIES.weight, '90']]),
    ]);
    expect(stored('A', `api.${name}`).map((s) => [s.SetIdentifier, s.Weight])).toEqual([
      ['w1', 10],
      ['w2', 90],
    ]);
    const variants: [string, [string, string][]][] = [
      ['latency', [[AWS_PROPERTIES.region, 'eu-west-1']]],
      [
        'failover',
        [
          [AWS_PROPERTIES.failover, 'PRIMARY'],
          [AWS_PROPERTIES.healthCheckId, '11111111-2222-3333-4444-555555555555'],
        ],
      ],
      ['geo', [[AWS_PROPERTIES.geolocationCountryCode, 'DE']]],
      ['geoprox', [[AWS_PROPERTIES.geoproximityCoordinates, '49.22,-74.01']]],
      ['multi', [[AWS_PROPERTIES.multiValueAnswer, '']]],
    ];
    for (const [id, props] of variants) await converge(p, [at(id, ['192.0.2.3'], props)]);
    const last = stored('A', `api.${name}`);
    expect(last).toHaveLength(1);
    expect(last[0]?.MultiValueAnswer).toBe(true);
  });

  it('switching one set between policies is DELETE + CREATE in one batch', async () => {
    const p = provider();
    await converge(p, [at('blue', ['192.0.2.1'], [[AWS_PROPERTIES.weight, '100']])]);
    await converge(p, [at('blue', ['192.0.2.1'], [[AWS_PROPERTIES.region, 'us-east-1']])]);
    const batch = p.lastApply.find((b) => b.changes.some((c) => c.ResourceRecordSet?.Type === 'A'));
    expect(batch?.changes.filter((c) => c.ResourceRecordSet?.Type === 'A').map((c) => c.Action)).toEqual([
      'DELETE',
      'CREATE',
    ]);
    expect(stored('A', `api.${name}`)[0]?.Region).toBe('us-east-1');
  });

  it('a set identifier change and an alias-ness change are DELETE + CREATE in one batch', async () => {
    const p = provider();
    await converge(p, [at('blue', ['192.0.2.1'], [[AWS_PROPERTIES.weight, '100']])]);
    await converge(p, [at('green', ['192.0.2.1'], [[AWS_PROPERTIES.weight, '100']])]);
    const actionsOf = (type: string) =>
      p.lastApply.flatMap((b) =>
        b.changes
          .filter((c) => c.ResourceRecordSet?.Type === type)
          .map((c) => `${c.Action} ${c.ResourceRecordSet?.SetIdentifier ?? ''}`.trim()),
      );
    expect(p.lastApply).toHaveLength(1);
    expect(actionsOf('A')).toEqual(['DELETE blue', 'CREATE green']);
    expect(stored('A', `api.${name}`).map((s) => s.SetIdentifier)).toEqual(['green']);
    // a plain A becomes an alias of the same name: Route53 cannot UPSERT across alias-ness
    await converge(p, [{ dnsName: `web.${name}`, recordType: 'A', targets: ['192.0.2.7'] }]);
    await converge(p, [
      {
        dnsName: `web.${name}`,
        recordType: 'A',
        targets: ['d111111abcdef8.cloudfront.net'],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      },
    ]);
    expect(p.lastApply).toHaveLength(1);
    expect(actionsOf('A')).toContain('DELETE');
    expect(actionsOf('A')).toContain('CREATE');
    expect(actionsOf('A')).not.toContain('UPSERT');
    expect(stored('A', `web.${name}`)[0]?.AliasTarget?.DNSName).toBe('d111111abcdef8.cloudfront.net.');
  });

  it('a routing policy without a set identifier is refused before anything is sent', async () => {
    const p = provider();
    const before = fake.requests.length;
    const err = await p
      .applyChanges({
        ...emptyChanges(),
        create: [
          endpoint({
            dnsName: `x.${name}`,
            recordType: 'A',
            targets: ['192.0.2.1'],
            providerSpecific: [{ name: AWS_PROPERTIES.weight, value: '1' }],
          }),
        ],
      })
      .catch((e: unknown) => e);
    expect(isDnsError(err) && err.code).toBe('VALIDATION');
    expect(fake.requests.length).toBe(before);
  });
});

describe('routing values Route53 refuses', () => {
  const rec = (i: number, props: [string, string][], extra: Partial<EndpointInit> = {}): EndpointInit => ({
    dnsName: `v${i}.${name}`,
    recordType: 'A',
    setIdentifier: `s${i}`,
    targets: ['192.0.2.1'],
    providerSpecific: props.map(([k, v]) => ({ name: k, value: v })),
    ...extra,
  });

  it('bad weights, failover, regions, geolocation codes, mixed policies, long set identifiers and IP alias targets are a ValidationError at desired[i] before any write, dry run alike', async () => {
    const p = provider();
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    const desired: EndpointInit[] = [
      rec(0, [[AWS_PROPERTIES.weight, '10']]), // fine
      rec(1, [[AWS_PROPERTIES.weight, 'abc']]),
      rec(2, [[AWS_PROPERTIES.weight, '300']]),
      rec(3, [[AWS_PROPERTIES.failover, 'TERTIARY']]),
      rec(4, [[AWS_PROPERTIES.region, 'mars-north-1']]),
      rec(5, [[AWS_PROPERTIES.geolocationContinentCode, 'XX']]),
      rec(6, [[AWS_PROPERTIES.geolocationCountryCode, 'ZZ']]),
      rec(7, [
        [AWS_PROPERTIES.geolocationCountryCode, 'DE'],
        [AWS_PROPERTIES.geolocationSubdivisionCode, 'BY'],
      ]),
      rec(8, [[AWS_PROPERTIES.weight, '10']], { setIdentifier: 'x'.repeat(129) }),
      rec(9, [
        [AWS_PROPERTIES.weight, '10'],
        [AWS_PROPERTIES.region, 'us-east-1'],
      ]),
      {
        dnsName: `alias.${name}`,
        recordType: 'A',
        targets: ['192.0.2.9'],
        providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
      },
      rec(11, [
        [AWS_PROPERTIES.geolocationContinentCode, 'EU'],
        [AWS_PROPERTIES.geolocationCountryCode, 'DE'],
      ]),
      rec(12, [
        [AWS_PROPERTIES.geoproximityBias, '150'],
        [AWS_PROPERTIES.geoproximityCoordinates, '91,0'],
      ]),
      rec(13, [
        [AWS_PROPERTIES.geolocationCountryCode, 'US'],
        [AWS_PROPERTIES.geolocationSubdivisionCode, 'CA'],
      ]), // fine
    ];
    const before = fake.requests.filter((r) => r.startsWith('POST ')).length;
    for (const dryRun of [true, false]) {
      const error = await reconcile({ registry, desired, policy: 'sync', managedRecordTypes: TYPES, dryRun })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => [i.path.join('.'), i.code])).toEqual([
        ['desired.1.providerSpecific.0.value', 'invalid_weight'],
        ['desired.2.providerSpecific.0.value', 'invalid_weight'],
        ['desired.3.providerSpecific.0.value', 'invalid_failover'],
        ['desired.4.providerSpecific.0.value', 'invalid_region'],
        ['desired.5.providerSpecific.0.value', 'invalid_geolocation'],
        ['desired.6.providerSpecific.0.value', 'invalid_geolocation'],
        ['desired.7.providerSpecific.1.value', 'invalid_geolocation'],
        ['desired.8.setIdentifier', 'set_identifier_too_long'],
        ['desired.9.providerSpecific.1.name', 'routing_policy_conflict'],
        ['desired.10.targets.0', 'alias_target'],
        ['desired.11.providerSpecific.1.name', 'geolocation_conflict'],
        ['desired.12.providerSpecific.0.value', 'invalid_geoproximity'],
        ['desired.12.providerSpecific.1.value', 'invalid_geoproximity'],
      ]);
      expect((error as ValidationError).message).toContain('aws/weight "abc"');
    }
    // a direct applyChanges refuses the same values, naming create[j]
    const direct = await p
      .applyChanges({ ...emptyChanges(), create: [endpoint(desired[0]!), endpoint(desired[3]!)] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect((direct as ValidationError).issues.map((i) => i.path.join('.'))).toEqual([
      'create.1.providerSpecific.0.value',
    ]);
    expect(fake.requests.filter((r) => r.startsWith('POST ')).length).toBe(before);
  });

  it('every latency region of the API model, the ISO countries, * and US states are accepted', async () => {
    const p = provider();
    const adjusted = await p.adjustEndpoints(
      [
        rec(0, [[AWS_PROPERTIES.region, 'ap-southeast-4']]),
        rec(1, [[AWS_PROPERTIES.geolocationCountryCode, '*']]),
        rec(2, [[AWS_PROPERTIES.geolocationCountryCode, 'UA']]),
        rec(3, [[AWS_PROPERTIES.failover, 'secondary']]),
        rec(4, [[AWS_PROPERTIES.weight, '0']]),
        rec(5, [[AWS_PROPERTIES.weight, '255']]),
        rec(6, [
          [AWS_PROPERTIES.geoproximityRegion, 'eu-west-1'],
          [AWS_PROPERTIES.geoproximityBias, '-99'],
        ]),
      ].map(endpoint),
    );
    expect(adjusted.map((e) => e.providerSpecific.map((q) => q.value).join(','))).toEqual([
      'ap-southeast-4',
      '*',
      'UA',
      'SECONDARY',
      '0',
      '255',
      '-99,eu-west-1',
    ]);
  });
});

describe('writes', () => {
  it('an update is a DELETE of the set as read plus a CREATE (conditional: never an UPSERT), and the next plan is empty', async () => {
    const p = provider();
    await converge(p, [{ dnsName: `a.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    await converge(p, [{ dnsName: `a.${name}`, recordType: 'A', targets: ['192.0.2.2'] }]);
    const sent = p.lastApply[0]?.changes ?? [];
    expect(sent.map((c) => c.Action)).not.toContain('UPSERT');
    const record = sent.filter((c) => c.ResourceRecordSet?.Type === 'A');
    expect(record.map((c) => [c.Action, c.ResourceRecordSet?.ResourceRecords?.map((r) => r.Value)])).toEqual([
      ['DELETE', ['192.0.2.1']],
      ['CREATE', ['192.0.2.2']],
    ]);
  });

  it('an update whose set another process changed since the read is refused by Route53 (the DELETE does not match): RECORD_REJECTED, their values kept', async () => {
    const p = provider();
    const desired = (ip: string) => [{ dnsName: `cas.${name}`, recordType: 'A', targets: [ip] }];
    await converge(p, desired('192.0.2.1'));
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    // another process changes the set after our read: through a provider of its own
    const other = provider();
    const error = await reconcile({
      registry,
      desired: desired('192.0.2.2'),
      policy: 'sync',
      hooks: {
        onPlan: async () => {
          const [stored] = (await other.records()).filter(
            (e) => e.dnsName === `cas.${name}` && e.recordType === 'A',
          );
          await other.applyChanges({
            create: [],
            delete: [],
            updateOld: [stored!],
            updateNew: [{ ...stored!, targets: ['203.0.113.9'] }],
          });
        },
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PARTIAL_APPLY' });
    const [now] = (await provider().records()).filter(
      (e) => e.dnsName === `cas.${name}` && e.recordType === 'A',
    );
    expect(now?.targets).toEqual(['203.0.113.9']);
  });

  it('a batch with one bad change applies the rest and names the bad one with Route53 message', async () => {
    const p = provider();
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    const err = await reconcile({
      registry,
      desired: [
        { dnsName: `good1.${name}`, recordType: 'A', targets: ['192.0.2.1'] },
        // an alias to a name of this zone that does not exist: only Route53 can tell
        {
          dnsName: `bad.${name}`,
          recordType: 'A',
          targets: [`missing.${name}`],
          providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
        },
        { dnsName: `good2.${name}`, recordType: 'A', targets: ['192.0.2.3'] },
      ],
      policy: 'sync',
      managedRecordTypes: ['A', 'TXT'],
      safety: false,
    }).catch((e: unknown) => e);
    expect(isDnsError(err) && err.code).toBe('PARTIAL_APPLY');
    expect((err as Error).message).toContain(`bad.${name}`);
    expect((err as Error).message).toContain(
      `Tried to create an alias that targets missing.${name}., type A in zone ${zone.id}, but that target was not found`,
    );
    expect(stored('A', `good1.${name}`)).toHaveLength(1);
    expect(stored('A', `good2.${name}`)).toHaveLength(1);
    expect(stored('A', `bad.${name}`)).toHaveLength(0);
    expect(stored('TXT', `_externaldns.a.bad.${name}`)).toHaveLength(0);
  });

  it('two bad changes among 40 are isolated by bisection: 38 records applied, the two named with Route53 messages', async () => {
    const p = provider();
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    const bad = new Set([7, 31]);
    const desired: EndpointInit[] = Array.from({ length: 40 }, (_, i) =>
      bad.has(i)
        ? {
            dnsName: `r${i}.${name}`,
            recordType: 'A',
            targets: [`missing${i}.${name}`],
            providerSpecific: [{ name: ALIAS_PROPERTY, value: 'true' }],
          }
        : { dnsName: `r${i}.${name}`, recordType: 'A', targets: [`192.0.2.${i + 1}`] },
    );
    const before = fake.requests.filter((r) => r.startsWith('POST')).length;
    const err = await reconcile({
      registry,
      desired,
      policy: 'sync',
      managedRecordTypes: ['A', 'TXT'],
      safety: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialApplyError);
    const rejected = (err as PartialApplyError).rejected;
    // in the plan's order (by name)
    expect(rejected.map((r) => r.records)).toEqual([[`r31.${name} A`], [`r7.${name} A`]]);
    expect(rejected[1]?.reason).toContain(
      `Tried to create an alias that targets missing7.${name}., type A in zone ${zone.id}, but that target was not found`,
    );
    expect(rejected[0]?.reason).toContain(`missing31.${name}.`);
    for (let i = 0; i < 40; i++) {
      expect(stored('A', `r${i}.${name}`)).toHaveLength(bad.has(i) ? 0 : 1);
      expect(stored('TXT', `_externaldns.a.r${i}.${name}`)).toHaveLength(bad.has(i) ? 0 : 1);
    }
    // bisection, not one request per record: at most 2 · 2 · ⌈log2 40⌉ + 1 change requests
    const posts = fake.requests.filter((r) => r.startsWith('POST')).length - before;
    expect(posts).toBeLessThanOrEqual(2 * 2 * Math.ceil(Math.log2(40)) + 1);
    // the next run plans only the two bad records again
    const next = await reconcile({
      registry,
      desired,
      policy: 'sync',
      managedRecordTypes: ['A', 'TXT'],
      dryRun: true,
      safety: false,
    });
    expect(next.plan.changes.create.filter((e) => e.recordType === 'A').map((e) => e.dnsName)).toEqual([
      `r31.${name}`,
      `r7.${name}`,
    ]);
  });

  it('a DELETE carries the set as stored, whatever form the endpoint to delete has', async () => {
    const p = provider();
    await converge(p, [
      { dnsName: `d.${name}`, recordType: 'TXT', targets: ['"one"', '"two"'], recordTTL: 900 },
    ]);
    const [set] = stored('TXT', `d.${name}`);
    // a caller's endpoint: values in another order, unquoted, no TTL
    await p.applyChanges({
      ...emptyChanges(),
      delete: [endpoint({ dnsName: `D.${name}.`, recordType: 'TXT', targets: ['two', 'one'] })],
    });
    const sent = p.lastApply[0]?.changes[0];
    expect(sent?.Action).toBe('DELETE');
    expect(sent?.ResourceRecordSet?.TTL).toBe(900);
    expect(sent?.ResourceRecordSet?.ResourceRecords?.map((r) => r.Value)).toEqual(set?.ResourceRecords);
    expect(stored('TXT', `d.${name}`)).toHaveLength(0);
  });

  it('a change set over the 1,000-record limit is split into the fewest batches, each record with its marker', async () => {
    const p = provider();
    const batches: string[][] = [];
    const apply = p.applyChanges.bind(p);
    p.applyChanges = async (changes, options) => {
      await apply(changes, options);
      for (const b of p.lastApply)
        batches.push(
          b.changes.map((c) => `${c.Action} ${c.ResourceRecordSet?.Type} ${c.ResourceRecordSet?.Name}`),
        );
    };
    const desired: EndpointInit[] = Array.from({ length: 700 }, (_, i) => ({
      dnsName: `b${i}.${name}`,
      recordType: 'A',
      targets: ['192.0.2.1'],
    }));
    await converge(p, desired);
    // 1,400 ResourceRecord elements: two requests at least, and two sent
    expect(batches).toHaveLength(2);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(1000);
      for (const change of batch.filter((c) => c.startsWith('CREATE A ')))
        expect(batch).toContain(change.replace(/^CREATE A (.*)$/, 'CREATE TXT _externaldns.a.$1'));
    }
    expect(stored('A', `b699.${name}`)).toHaveLength(1);
  });

  it('waits for INSYNC through GetChange when asked', async () => {
    const p = provider({ waitForInsync: { intervalMs: 1 } });
    const before = fake.requests.length;
    await p.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `w.${name}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(fake.requests.slice(before).filter((r) => r.startsWith('GET /2013-04-01/change/')).length).toBe(2);
  });

  it('batch limits price an UPSERT twice, in records and characters', () => {
    const [records, chars] = provider().capabilities.batchLimits ?? [];
    const ep = endpoint({ dnsName: `t.${name}`, recordType: 'TXT', targets: ['abc', 'de'] });
    expect(records?.cost({ kind: 'create', endpoint: ep })).toBe(2);
    expect(records?.cost({ kind: 'update', endpoint: ep, old: ep })).toBe(4);
    expect(chars?.cost({ kind: 'create', endpoint: ep })).toBe('"abc""de"'.length);
    expect(chars?.cost({ kind: 'update', endpoint: ep, old: ep })).toBe(2 * '"abc""de"'.length);
    expect([records?.max, chars?.max]).toEqual([1000, 32000]);
  });
});

describe('zones', () => {
  it('split horizon: a record goes to the public zone and every private zone of its name, deterministically', async () => {
    const privB = fake.addZone({ name, private: true, id: `ZPRIVB${n}` });
    const privA = fake.addZone({ name, private: true, id: `ZPRIVA${n}` });
    const otherPublic = fake.addZone({ name, id: `ZZZZPUBLIC${n}` }); // a second public zone of the name
    const p = provider();
    const info = await p.zoneInfo();
    // public before private, then the lowest id; of the two public zones only the first takes records
    expect(info.map((z) => [z.id, z.private, z.primary])).toEqual([
      [zone.id, false, true],
      [otherPublic.id, false, false],
      [privA.id, true, true],
      [privB.id, true, true],
    ]);
    await converge(p, [{ dnsName: `out.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    const has = (zoneId: string, at: string, type = 'A') =>
      fake.recordSets(zoneId).filter((s) => s.Name === `${at}.` && s.Type === type).length;
    for (const z of [zone.id, privA.id, privB.id]) {
      expect(has(z, `out.${name}`)).toBe(1);
      expect(has(z, `_externaldns.a.out.${name}`, 'TXT')).toBe(1); // its marker goes along
    }
    expect(has(otherPublic.id, `out.${name}`)).toBe(0);
    // one endpoint, without a zone pin, since every copy is alike
    const read = (await p.records()).filter((r) => r.dnsName === `out.${name}` && r.recordType === 'A');
    expect(read).toHaveLength(1);
    expect(read[0]?.providerSpecific).toEqual([]);
    // a copy lost in one private zone is repaired there alone
    await p.applyChanges({
      ...emptyChanges(),
      delete: [
        endpoint({
          dnsName: `out.${name}`,
          recordType: 'A',
          targets: ['192.0.2.1'],
          providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privB.id }],
        }),
      ],
    });
    expect(has(privB.id, `out.${name}`)).toBe(0);
    await converge(p, [{ dnsName: `out.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    expect(p.lastApply.map((b) => [b.zoneId, b.changes.map((c) => c.Action)])).toEqual([
      [privB.id, ['CREATE']],
    ]);
    expect(has(privB.id, `out.${name}`)).toBe(1);
    // a target change updates every copy
    await converge(p, [{ dnsName: `out.${name}`, recordType: 'A', targets: ['192.0.2.2'] }]);
    for (const z of [zone.id, privA.id, privB.id])
      expect(
        fake.recordSets(z).find((s) => s.Name === `out.${name}.` && s.Type === 'A')?.ResourceRecords,
      ).toEqual(['192.0.2.2']);
    // aws/hosted-zone-id pins a record (and its marker) to one zone, and reads back with the pin
    await converge(p, [
      { dnsName: `out.${name}`, recordType: 'A', targets: ['192.0.2.2'] },
      {
        dnsName: `in.${name}`,
        recordType: 'A',
        targets: ['10.0.0.1'],
        providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privA.id }],
      },
    ]);
    expect([zone.id, privA.id, privB.id].map((z) => has(z, `in.${name}`))).toEqual([0, 1, 0]);
    expect(has(privA.id, `_externaldns.a.in.${name}`, 'TXT')).toBe(1);
    expect((await p.records()).find((r) => r.dnsName === `in.${name}`)?.providerSpecific).toContainEqual({
      name: AWS_PROPERTIES.hostedZoneId,
      value: privA.id,
    });
    // deleting removes every copy
    await converge(p, []);
    for (const z of [zone.id, privA.id, privB.id]) {
      expect(has(z, `out.${name}`)).toBe(0);
      expect(has(z, `in.${name}`)).toBe(0);
    }
    expect((await provider({ zoneType: 'private' }).zoneInfo()).map((z) => z.id)).toEqual([
      privA.id,
      privB.id,
    ]);
  });

  it('split horizon: a copy that differs in one zone is repaired there; differing copies are deleted one per run, each with its marker', async () => {
    const privA = fake.addZone({ name, private: true, id: `ZPRIVA${n}` });
    const privB = fake.addZone({ name, private: true, id: `ZPRIVB${n}` });
    const p = provider();
    await converge(p, [{ dnsName: `x.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    // another tool changes the copy in one private zone
    await p.applyChanges({
      ...emptyChanges(),
      updateOld: [
        endpoint({
          dnsName: `x.${name}`,
          recordType: 'A',
          targets: ['192.0.2.1'],
          providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privB.id }],
        }),
      ],
      updateNew: [
        endpoint({
          dnsName: `x.${name}`,
          recordType: 'A',
          targets: ['10.9.9.9'],
          providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privB.id }],
        }),
      ],
    });
    const value = (zoneId: string) =>
      fake.recordSets(zoneId).find((s) => s.Name === `x.${name}.` && s.Type === 'A')?.ResourceRecords;
    expect(value(privB.id)).toEqual(['10.9.9.9']);
    // the copies now differ: each reads back with its zone, and the next run repairs privB alone
    const copies = (await p.records()).filter((r) => r.dnsName === `x.${name}` && r.recordType === 'A');
    expect(copies.map((c) => c.providerSpecific[0]?.value).sort()).toEqual(
      [privA.id, privB.id, zone.id].sort(),
    );
    await converge(p, [{ dnsName: `x.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    expect(p.lastApply.map((b) => [b.zoneId, b.changes.map((c) => c.Action)])).toEqual([
      [privB.id, ['DELETE', 'CREATE']],
    ]);
    expect(value(privB.id)).toEqual(['192.0.2.1']);
    // with copies that differ, a sync without the record deletes one copy per run (the planner
    // keeps one delete per record; a pin never reaches beyond its zone), each with its marker
    await p.applyChanges({
      ...emptyChanges(),
      updateOld: [
        endpoint({
          dnsName: `x.${name}`,
          recordType: 'A',
          targets: ['192.0.2.1'],
          providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privA.id }],
        }),
      ],
      updateNew: [
        endpoint({
          dnsName: `x.${name}`,
          recordType: 'A',
          targets: ['10.8.8.8'],
          providerSpecific: [{ name: AWS_PROPERTIES.hostedZoneId, value: privA.id }],
        }),
      ],
    });
    const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
    const zones = [zone.id, privA.id, privB.id];
    const pairs = () =>
      zones.map((z) => [
        fake.recordSets(z).some((s) => s.Name === `x.${name}.` && s.Type === 'A'),
        fake.recordSets(z).some((s) => s.Name === `_externaldns.a.x.${name}.`),
      ]);
    let runs = 0;
    while (zones.some((z) => value(z) !== undefined) && runs < 3) {
      runs++;
      await reconcile({ registry, desired: [], policy: 'sync', managedRecordTypes: TYPES, safety: false });
      for (const [record, marker] of pairs()) expect(record).toBe(marker); // never one without the other
    }
    expect(zones.map(value)).toEqual([undefined, undefined, undefined]);
    expect(runs).toBeLessThanOrEqual(3);
    const after = await reconcile({
      registry,
      desired: [],
      policy: 'sync',
      managedRecordTypes: TYPES,
      dryRun: true,
      safety: false,
    });
    expect(after.plan.hasChanges).toBe(false);
  });

  it('split horizon: the most specific public zone, and private zones of every matching name', async () => {
    const child = fake.addZone({ name: `sub.${name}` });
    const privParent = fake.addZone({ name, private: true, id: `ZPRIVP${n}` });
    const p = provider();
    await converge(p, [{ dnsName: `a.sub.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    const has = (zoneId: string) => fake.recordSets(zoneId).some((s) => s.Name === `a.sub.${name}.`);
    // ExternalDNS suitableZones: the best public zone (sub.) and all matching private zones
    expect([zone.id, child.id, privParent.id].map(has)).toEqual([false, true, true]);
  });

  it('zone ids select zones (ExternalDNS --zone-id-filter), with GetHostedZone', async () => {
    const other = fake.addZone({ name: `other.${name}` });
    const before = fake.requests.length;
    const p = new Route53Provider({
      endpoint: fake.url,
      credentials,
      rateLimiter: false,
      zoneIds: [`/hostedzone/${other.id}`],
    });
    expect(await p.zones()).toEqual([`other.${name}`]);
    expect(fake.requests.slice(before)).toEqual([`GET /2013-04-01/hostedzone/${other.id}`]);
  });

  it('zone tags select zones', async () => {
    fake.addZone({ name: `tagged.${name}`, tags: { team: 'dns' } });
    const p = provider({ zoneTags: { team: 'dns' } });
    expect(await p.zones()).toEqual([`tagged.${name}`]);
  });
});

describe('throttling', () => {
  it('a Throttling storm is survived and no request goes out inside the backoff', async () => {
    const limiter = new RateLimiter({ requests: 5, windowMs: 1000 });
    const p = provider({ rateLimiter: limiter, throttleBackoffMs: 300, maxAttempts: 6 });
    fake.failNext(3, { code: 'Throttling' });
    const first = fake.arrivals.length;
    await p.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `t.${name}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(p.api.stats.throttled).toBe(3);
    expect(stored('A', `t.${name}`)).toHaveLength(1);
    // no request went out within the backoff after a throttled one
    const times = fake.arrivals.slice(first);
    expect(times.length).toBe(6); // zones and records read (2 throttled), then the change (1 throttled)
    for (let i = 1; i < 4; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(295);
  });

  it('a Throttling storm against the 5 requests/s fake: survived, and no request sent early (none over the budget)', async () => {
    // the strict fake answers Throttling to any request beyond 5 in one second, as Route53 does
    const strict = await startFakeRoute53();
    try {
      const z = strict.addZone({ name: 'storm.test' });
      const p = new Route53Provider({
        endpoint: strict.url,
        credentials,
        maxAttempts: 8,
        throttleBackoffMs: 300,
        rateLimiter: new RateLimiter({ requests: 5, windowMs: 1100 }),
        domainFilter: new DomainFilter({ include: ['storm.test'] }),
      });
      const registry = new TxtRegistry(p, { ownerId: 'test', prefix: '_externaldns.%{record_type}.' });
      // a storm: the next 4 requests of any kind are throttled, on top of the fake's own limit
      strict.failNext(4, { code: 'Throttling' });
      const desired: EndpointInit[] = Array.from({ length: 30 }, (_, i) => ({
        dnsName: `s${i}.storm.test`,
        recordType: 'A',
        targets: ['192.0.2.1'],
      }));
      for (let round = 0; round < 3; round++) {
        const result = await reconcile({ registry, desired, policy: 'sync', safety: false });
        expect(result.plan.hasChanges).toBe(round === 0);
        p.refresh();
      }
      expect(strict.recordSets(z.id).filter((s) => s.Type === 'A')).toHaveLength(30);
      expect(p.api.stats.throttled).toBe(4); // the storm, and nothing else
      expect(strict.throttled).toBe(0); // never a request beyond 5 in any second
      // no request within the backoff after a throttled one
      const times = strict.arrivals;
      for (let i = 1; i <= 4; i++)
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(290);
      for (let i = 5; i < times.length; i++)
        expect((times[i] as number) - (times[i - 5] as number)).toBeGreaterThanOrEqual(1000);
    } finally {
      await strict.close();
    }
  });

  it("the SDK's adaptive retry mode, without the core limiter, also survives a Throttling storm", async () => {
    const p = provider({ rateLimiter: false, retryMode: 'adaptive', maxAttempts: 6 });
    const strategy = (await p.api.sdk.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    fake.failNext(3, { code: 'Throttling' });
    await p.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `ad.${name}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(p.api.stats.throttled).toBe(3);
    expect(stored('A', `ad.${name}`)).toHaveLength(1);
  });

  it('the default maxAttempts survives a burst of 9 Throttling answers in a row, and gives up at the 10th with PROVIDER_RATE_LIMITED', async () => {
    // default attempts; short waits so the test is quick (the defaults are 1 s and 250..4000 ms)
    const quick = { throttleBackoffMs: 20, retryBackoff: { minDelayMs: 5, maxDelayMs: 20 } };
    const p = provider({ ...quick, rateLimiter: new RateLimiter({ requests: 1000, windowMs: 1000 }) });
    expect(await p.api.sdk.config.maxAttempts()).toBe(DEFAULT_ROUTE53_MAX_ATTEMPTS);
    fake.failNext(9, { code: 'Throttling' });
    const first = fake.arrivals.length;
    await p.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `burst.${name}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(p.api.stats.throttled).toBe(9);
    expect(stored('A', `burst.${name}`)).toHaveLength(1);
    // every retry waited for the limiter's block after its throttled attempt
    const times = fake.arrivals.slice(first);
    for (let i = 1; i <= 9; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(18);
    // one more than the attempts: the call ends, typed and retryable, after exactly 10 requests
    const q = provider({ ...quick, rateLimiter: new RateLimiter({ requests: 1000, windowMs: 1000 }) });
    fake.failNext(DEFAULT_ROUTE53_MAX_ATTEMPTS + 5, { code: 'Throttling' });
    const err = await q.api.listHostedZones().catch((e: unknown) => e);
    fake.clearFaults();
    expect(err).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true });
    expect(q.api.stats.requests).toBe(DEFAULT_ROUTE53_MAX_ATTEMPTS);
  });

  it("the standard retry backoff is core's: randomised, from minDelayMs doubling to maxDelayMs", async () => {
    const p = provider({
      throttleBackoffMs: 0,
      retryBackoff: { minDelayMs: 100, maxDelayMs: 200 },
      maxAttempts: 4,
    });
    fake.failNext(3, { code: 'InternalFailure' });
    const first = fake.arrivals.length;
    await p.api.listHostedZones();
    const gaps = fake.arrivals
      .slice(first)
      .map((t, i, all) => t - (all[i - 1] ?? t))
      .slice(1);
    expect(gaps).toHaveLength(3);
    // steps 100, 200, 200 (capped), each delay 1 to 2 times its step
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(Math.max(...gaps)).toBeLessThan(1000);
  });

  it('PriorRequestNotComplete is retried as a throttle', async () => {
    const p = provider({
      maxAttempts: 3,
      throttleBackoffMs: 10,
      rateLimiter: new RateLimiter({ requests: 5, windowMs: 1000 }),
    });
    fake.failNext(1, { code: 'PriorRequestNotComplete', method: 'POST' });
    await p.applyChanges({
      ...emptyChanges(),
      create: [endpoint({ dnsName: `p.${name}`, recordType: 'A', targets: ['192.0.2.1'] })],
    });
    expect(stored('A', `p.${name}`)).toHaveLength(1);
  });

  it('the fake throttles past 5 requests/s and an unpaced client gets typed PROVIDER_RATE_LIMITED errors', async () => {
    const strict = await startFakeRoute53();
    strict.addZone({ name: 'rl.test' });
    const p = new Route53Provider({
      endpoint: strict.url,
      credentials,
      rateLimiter: false,
      maxAttempts: 1,
      zoneCacheTtlMs: 0,
    });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => p.api.listHostedZones()));
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason as { code: string });
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((e) => e.code === 'PROVIDER_RATE_LIMITED')).toBe(true);
    expect(strict.throttled).toBe(rejected.length);
    await strict.close();
  });
});
