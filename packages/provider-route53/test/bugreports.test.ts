// Behaviours from ExternalDNS bug reports about its AWS (Route53) provider, replayed through core's
// planner and TXT registry against the loopback REST-XML fake (driven by the AWS SDK). Each test
// names the report it follows.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  endpoint,
  isDnsError,
  reconcile,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
  type RecordType,
} from '@openova/dns-core';
import {
  ALIAS_PROPERTY,
  AWS_PROPERTIES,
  Route53Provider,
  type Route53ProviderOptions,
} from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53, type FakeZone } from '@openova/dns-provider-route53/testing';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const credentials = { accessKeyId: 'AKIDBUGREPORTS', secretAccessKey: 'bug-report-secret' };
const TYPES: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];
let fake: FakeRoute53;
let n = 0;
let zone: FakeZone;
let name: string;

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
});
afterAll(() => fake?.close());
beforeEach(() => {
  name = `b${++n}.bugs.test`;
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

const registryOf = (p: Route53Provider, managed: RecordType[] = TYPES) =>
  new TxtRegistry(p, {
    ownerId: 'test',
    prefix: '_externaldns.%{record_type}.',
    managedRecordTypes: managed,
  });
const run = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false, managed: RecordType[] = TYPES) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: managed, dryRun, safety: false });
const posts = () => fake.requests.filter((r) => r.startsWith('POST')).length;

async function converge(
  p: Route53Provider,
  desired: EndpointInit[],
  fresh: () => Route53Provider = () => provider(),
): Promise<void> {
  const registry = registryOf(p);
  const first = await run(registry, desired);
  expect(first.plan.hasChanges).toBe(true);
  expect(first.plan.skipped).toEqual([]);
  const before = posts();
  // a fresh provider (another process) plans nothing either
  const second = await run(registryOf(fresh()), desired, true);
  expect(second.plan.changes).toEqual(emptyChanges());
  expect(posts()).toBe(before);
}

const stored = (type: string, at: string) =>
  fake.recordSets(zone.id).filter((s) => s.Type === type && s.Name === `${at}.`);
const prop = (n: string, v: string) => ({ name: n, value: v });

describe('aliases', () => {
  // kubernetes-sigs/external-dns#627: Evaluate Target Health was hard-coded to true; the
  // aws/evaluate-target-health property must be written and read back, or the record loops.
  it('#627: an ELB alias with aws/evaluate-target-health=false keeps false and plans to nothing', async () => {
    await converge(provider(), [
      {
        dnsName: `app.${name}`,
        recordType: 'A',
        targets: ['k8s-ingress-0123.us-east-1.elb.amazonaws.com'],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true'), prop(AWS_PROPERTIES.evaluateTargetHealth, 'false')],
      },
    ]);
    expect(stored('A', `app.${name}`)[0]?.AliasTarget).toEqual({
      HostedZoneId: 'Z35SXDOTRQ7X7K', // the ALB/CLB zone of us-east-1 (AWS "Elastic Load Balancing endpoints")
      DNSName: 'k8s-ingress-0123.us-east-1.elb.amazonaws.com.',
      EvaluateTargetHealth: false,
    });
  });

  // ExternalDNS: a CNAME endpoint with alias=true becomes an A alias (aws.go, "alias" property);
  // the Service's hostname annotation yields a CNAME, and the record must not flip every cycle.
  it('a CNAME endpoint with alias=true to an NLB is stored as an A alias and the next plan is empty', async () => {
    await converge(provider(), [
      {
        dnsName: `nlb.${name}`,
        recordType: 'CNAME',
        targets: ['net-lb-0abc.elb.eu-central-1.amazonaws.com'],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      },
    ]);
    expect(stored('CNAME', `nlb.${name}`)).toEqual([]);
    expect(stored('A', `nlb.${name}`)[0]?.AliasTarget).toMatchObject({
      HostedZoneId: 'Z3F0SRJ5LGBH90', // NLBs of eu-central-1
      EvaluateTargetHealth: true, // ExternalDNS's default
    });
  });

  // kubernetes-sigs/external-dns#1550, #1830, #3604, #4064, #4442, #5600: load balancers in regions
  // missing from the canonical hosted-zone table got CNAMEs or aliases Route53 refused ("the alias
  // target name does not lie within the target zone") on every run.
  it('#3604/#4442: ALB, NLB and China load balancers of every region alias to their canonical zone', async () => {
    const lbs: [string, string][] = [
      ['k8s-web-1.eu-west-2.elb.amazonaws.com', 'ZHURV8PSTC4K8'],
      ['k8s-web-2.eu-south-2.elb.amazonaws.com', 'Z0956581394HF5D5LXGAP'],
      ['k8s-web-3.il-central-1.elb.amazonaws.com', 'Z09170902867EHPV2DABU'],
      ['net-4.elb.ca-west-1.amazonaws.com', 'Z02754302KBB00W2LKWZ9'],
      ['net-5.elb.ap-south-1.amazonaws.com', 'ZVDDRBQ08TROA'],
      ['k8s-web-6.cn-north-1.elb.amazonaws.com.cn', 'Z1GDH35T77C1KE'],
      ['net-7.elb.cn-northwest-1.amazonaws.com.cn', 'ZQEIKTCZ8352D'],
    ];
    await converge(
      provider(),
      lbs.map(([target], i) => ({
        dnsName: `lb${i}.${name}`,
        recordType: 'A',
        targets: [target],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      })),
    );
    expect(lbs.map((_, i) => stored('A', `lb${i}.${name}`)[0]?.AliasTarget?.HostedZoneId)).toEqual(
      lbs.map(([, id]) => id),
    );
  });

  // The same reports for a region newer than the table, and for targets no table can know (S3
  // website endpoints, a name of another zone): a ValidationError naming the endpoint and the fix
  // (aws/target-hosted-zone) before anything is sent; with the property, the alias is written.
  it('an alias target of unknown hosted zone is a ValidationError before any write; aws/target-hosted-zone writes it', async () => {
    const p = provider();
    const before = posts();
    const desired: EndpointInit[] = [
      { dnsName: `ok.${name}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `new.${name}`,
        recordType: 'A',
        targets: ['k8s-web-9.xx-future-1.elb.amazonaws.com'],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      },
      {
        dnsName: `site.${name}`,
        recordType: 'A',
        targets: ['s3-website-us-east-1.amazonaws.com'],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      },
      {
        dnsName: `same.${name}`,
        recordType: 'A',
        targets: [`ok.${name}`],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      },
    ];
    const error = await run(registryOf(p), desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual([
      ['desired', 1, 'targets', 0],
      ['desired', 2, 'targets', 0],
    ]);
    expect(issues[0]?.message).toContain('aws/target-hosted-zone');
    expect(posts()).toBe(before);
    // called directly, the provider refuses it the same way, naming the change
    const direct = await p
      .applyChanges({ ...emptyChanges(), create: [endpoint(desired[2]!)] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(ValidationError);
    expect((direct as ValidationError).issues[0]?.path).toEqual(['create', 0, 'targets', 0]);
    expect(posts()).toBe(before);
    // with the target's hosted zone named, it converges
    const fixed = desired
      .map((d, i) =>
        i === 2
          ? {
              ...d,
              providerSpecific: [
                ...d.providerSpecific!,
                prop(AWS_PROPERTIES.targetHostedZone, 'Z3AQBSTGFYJSTF'),
              ],
            }
          : d,
      )
      .filter((_, i) => i !== 1);
    await converge(p, fixed);
    expect(stored('A', `site.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe('Z3AQBSTGFYJSTF');
    expect(stored('A', `same.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe(zone.id);
  });

  // The AWS console and CLI show hosted zone ids as `/hostedzone/Z…`; users paste that into
  // aws/target-hosted-zone. Route53 stores and returns the bare id, so the property must be
  // compared (and sent) bare, or every plan updates the alias again.
  it('aws/target-hosted-zone given as /hostedzone/Z… is written bare and plans to nothing', async () => {
    await converge(provider(), [
      {
        dnsName: `site.${name}`,
        recordType: 'A',
        targets: ['bucket.s3-website-us-east-1.amazonaws.com'],
        providerSpecific: [
          prop(ALIAS_PROPERTY, 'true'),
          prop(AWS_PROPERTIES.targetHostedZone, '/hostedzone/Z3AQBSTGFYJSTF'),
        ],
      },
    ]);
    expect(stored('A', `site.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe('Z3AQBSTGFYJSTF');
  });

  // An alias record set has exactly one target (AliasTarget.DNSName). Two targets (an ingress with
  // two load balancers) cannot be stored: silently keeping the first loops, as the read shows one.
  it('an alias with two targets is a ValidationError naming the endpoint; nothing is written', async () => {
    const p = provider();
    const before = posts();
    const error = await run(registryOf(p), [
      { dnsName: `ok.${name}`, recordType: 'A', targets: ['192.0.2.1'] },
      {
        dnsName: `two.${name}`,
        recordType: 'A',
        targets: ['lb-1.us-east-1.elb.amazonaws.com', 'lb-2.us-east-1.elb.amazonaws.com'],
        providerSpecific: [prop(ALIAS_PROPERTY, 'true')],
      },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path.slice(0, 2))).toEqual([['desired', 1]]);
    expect(posts()).toBe(before);
    expect(stored('A', `ok.${name}`)).toEqual([]);
  });

  // Users set aws/evaluate-target-health on every record of a chart; Route53 keeps it on aliases
  // only. On a plain A it must not make every plan an update.
  it('aws/evaluate-target-health on a non-alias record is ignored, not an endless update', async () => {
    await converge(provider(), [
      {
        dnsName: `plain.${name}`,
        recordType: 'A',
        targets: ['192.0.2.7'],
        providerSpecific: [prop(AWS_PROPERTIES.evaluateTargetHealth, 'true')],
      },
    ]);
    expect(stored('A', `plain.${name}`)[0]?.AliasTarget).toBeUndefined();
  });
});

describe('routing policies', () => {
  // Route53 refuses a SetIdentifier without a routing policy ("InvalidInput: ... must specify
  // either Weight, Region, Failover, GeoLocation, GeoProximityLocation or MultiValueAnswer").
  it('a set identifier without a routing policy is a ValidationError before anything is sent', async () => {
    const before = posts();
    const error = await run(registryOf(provider()), [
      { dnsName: `api.${name}`, recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'blue' },
    ]).catch((e: unknown) => e);
    expect(isDnsError(error) && error.code).toBe('VALIDATION');
    expect((error as ValidationError).issues[0]?.path.slice(0, 2)).toEqual(['desired', 0]);
    expect(posts()).toBe(before);
  });

  // Annotation values as users write them: failover "primary" in lower case, multi-value-answer
  // "true"/"false" (ExternalDNS sets MultiValueAnswer whenever the property is present), the
  // geolocation default "*", weight 0.
  it('lower-case failover, multi-value-answer, geolocation * and weight 0 converge', async () => {
    const at = (id: string, ip: string, props: [string, string][]): EndpointInit => ({
      dnsName: `r-${id}.${name}`,
      recordType: 'A',
      setIdentifier: id,
      targets: [ip],
      recordTTL: 60,
      providerSpecific: props.map(([k, v]) => prop(k, v)),
    });
    await converge(provider(), [
      at('primary', '192.0.2.1', [[AWS_PROPERTIES.failover, 'primary']]),
      at('mv', '192.0.2.2', [[AWS_PROPERTIES.multiValueAnswer, '']]),
      at('default', '192.0.2.3', [[AWS_PROPERTIES.geolocationCountryCode, '*']]),
      at('drain', '192.0.2.4', [[AWS_PROPERTIES.weight, '0']]),
    ]);
    expect(stored('A', `r-primary.${name}`)[0]?.Failover).toBe('PRIMARY');
    expect(stored('A', `r-default.${name}`)[0]?.GeoLocation).toEqual({ CountryCode: '*' });
    expect(stored('A', `r-drain.${name}`)[0]?.Weight).toBe(0);
  });
});

describe('records set up by hand', () => {
  // kubernetes-sigs/external-dns#4276 and #2762: a TXT made in the console (a DKIM key in two
  // strings) and a console wildcard (`\052`) are not ours: sync with nothing desired leaves them.
  it('#4276: a console DKIM TXT of two strings and a \\052 wildcard are never changed', async () => {
    zone.sets.push(
      {
        Name: `sel._domainkey.${name}.`,
        Type: 'TXT',
        TTL: 300,
        ResourceRecords: ['"v=DKIM1; k=rsa; " "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"'],
      },
      { Name: `\\052.apps.${name}.`, Type: 'A', TTL: 300, ResourceRecords: ['198.51.100.7'] },
    );
    const p = provider();
    const read = await p.records();
    // strings not cut at 255 octets read back in presentation form, so writing them back is exact
    expect(read.find((e) => e.dnsName === `sel._domainkey.${name}`)?.targets).toEqual([
      '"v=DKIM1; k=rsa; " "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"',
    ]);
    expect(read.some((e) => e.dnsName === `*.apps.${name}`)).toBe(true);
    const registry = registryOf(p);
    await run(registry, [{ dnsName: `www.${name}`, recordType: 'A', targets: ['192.0.2.1'] }]);
    // our wildcard beside theirs is refused (theirs, unowned) and nothing of theirs changes
    const result = await run(registry, [
      { dnsName: `*.apps.${name}`, recordType: 'A', targets: ['192.0.2.99'] },
    ]);
    expect(result.plan.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(stored('A', `\\052.apps.${name}`)[0]?.ResourceRecords).toEqual(['198.51.100.7']);
    expect(stored('TXT', `sel._domainkey.${name}`)).toHaveLength(1);
    expect(stored('A', `www.${name}`)).toEqual([]);
  });
});

describe('listing', () => {
  // Route53 pages record sets 300 at a time and resumes at (NextRecordName, NextRecordType,
  // NextRecordIdentifier): a page boundary inside one name's weighted sets must lose none of them,
  // or their deletes never happen and creates are refused as existing (ExternalDNS #3007, #5939).
  it('320 weighted sets of one name across a page boundary are all read', async () => {
    for (let i = 0; i < 320; i++)
      zone.sets.push({
        Name: `api.${name}.`,
        Type: 'A',
        SetIdentifier: `other-${String(i).padStart(3, '0')}`,
        Weight: 1,
        TTL: 60,
        ResourceRecords: [`198.51.100.${(i % 250) + 1}`],
      });
    const p = provider();
    const read = (await p.records()).filter((e) => e.dnsName === `api.${name}` && e.recordType === 'A');
    expect(read).toHaveLength(320);
    expect(new Set(read.map((e) => e.setIdentifier)).size).toBe(320);
  });

  // More than 100 hosted zones (ListHostedZones pages by 100): a zone on the second page is found.
  it('a zone past the first 100 hosted zones is found and written', async () => {
    const extra = Array.from({ length: 105 }, (_, i) => fake.addZone({ name: `many${i}.${name}` }));
    const last = extra[extra.length - 1]!;
    const p = provider({ domainFilter: new DomainFilter({ include: [last.name.slice(0, -1)] }) });
    expect(await p.zones()).toContain(last.name.slice(0, -1));
    const registry = registryOf(p);
    await run(registry, [
      { dnsName: `www.${last.name.slice(0, -1)}`, recordType: 'A', targets: ['192.0.2.1'] },
    ]);
    expect(fake.recordSets(last.id).some((s) => s.Name === `www.${last.name}` && s.Type === 'A')).toBe(true);
  });
});

describe('type transitions', () => {
  // kubernetes-sigs/external-dns#6617 (open) and #6683: a CNAME endpoint is stored as an A alias
  // when its target is an ELB and as a CNAME otherwise; changing only the target flips the type,
  // and ExternalDNS ended with a record without its ownership TXT ("All records are already up to
  // date" forever). Each step here converges with every record beside its marker, and no other.
  it('#6617: CNAME → ELB (A alias) → plain name (CNAME) → ELB keeps one record and its one marker each time', async () => {
    const options = { cnameToAlias: true };
    const p = provider(options);
    const app = `app.${name}`;
    const step = (target: string): EndpointInit[] => [
      { dnsName: app, recordType: 'CNAME', targets: [target] },
    ];
    const shape = () =>
      fake
        .recordSets(zone.id)
        .filter((s) => s.Name.endsWith(`app.${name}.`))
        .map((s) => `${s.Name.replace(`.${name}.`, '')} ${s.Type}${s.AliasTarget ? ' alias' : ''}`)
        .sort();
    const same = () => provider(options);
    await converge(p, step('k8s-ing-1.us-east-1.elb.amazonaws.com'), same);
    expect(shape()).toEqual(['_externaldns.a.app TXT', 'app A alias']);
    await converge(p, step('stable.example.net'), same);
    expect(shape()).toEqual(['_externaldns.cname.app TXT', 'app CNAME']);
    await converge(p, step('k8s-ing-2.us-east-1.elb.amazonaws.com'), same);
    expect(shape()).toEqual(['_externaldns.a.app TXT', 'app A alias']);
    await run(registryOf(p), []);
    expect(shape()).toEqual([]);
  });
});

describe('parent and child zones', () => {
  // kubernetes-sigs/external-dns#4241: with zones sandbox.x and internal.sandbox.x both managed,
  // ExternalDNS added a record of the child to both zones and then could not delete it ("The
  // request contains an invalid set of changes"). A record goes to the most specific public zone
  // only, and leaves it whole.
  it('#4241: a record of a delegated child zone is written to the child only and deleted cleanly', async () => {
    const child = fake.addZone({ name: `internal.${name}` });
    const p = provider();
    const registry = registryOf(p);
    const desired: EndpointInit[] = [
      { dnsName: `testdeploy.internal.${name}`, recordType: 'CNAME', targets: ['lb.example.net'] },
    ];
    await converge(p, desired);
    const inZone = (id: string) =>
      fake
        .recordSets(id)
        .filter((s) => s.Name.includes('testdeploy'))
        .map((s) => s.Type);
    expect(inZone(child.id).sort()).toEqual(['CNAME', 'TXT']);
    expect(inZone(zone.id)).toEqual([]);
    await run(registry, []);
    expect(inZone(child.id)).toEqual([]);
    expect(inZone(zone.id)).toEqual([]);
  });
});

describe('property values that are not understood', () => {
  const refused = async (desired: EndpointInit[]) => {
    const p = provider();
    const before = posts();
    const paths: [string, string][][] = [];
    for (const dryRun of [true, false]) {
      const error = await run(registryOf(p), desired, dryRun).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      paths.push((error as ValidationError).issues.map((i) => [i.path.join('.'), i.code]));
    }
    expect(posts()).toBe(before);
    expect(fake.recordSets(zone.id).filter((s) => s.Type !== 'NS' && s.Type !== 'SOA')).toEqual([]);
    expect(paths[0]).toEqual(paths[1]);
    return { p, issues: paths[0]! };
  };
  const elb = 'k8s-web-1.us-east-1.elb.amazonaws.com';

  // `aws/evaluate-target-health: "flase"` was read as the default (true): the alias was written
  // evaluating target health, the opposite of what was most likely meant, and nothing said so.
  it('aws/evaluate-target-health "flase" (or "TRUE", "1") is a ValidationError at its value before any write', async () => {
    const desired: EndpointInit[] = ['flase', 'TRUE', '1'].map((v, i) => ({
      dnsName: `lb${i}.${name}`,
      recordType: 'A',
      targets: [elb],
      providerSpecific: [prop(ALIAS_PROPERTY, 'true'), prop(AWS_PROPERTIES.evaluateTargetHealth, v)],
    }));
    const { p, issues } = await refused([
      { dnsName: `ok.${name}`, recordType: 'A', targets: ['192.0.2.1'] },
      ...desired,
    ]);
    expect(issues).toEqual([
      ['desired.1.providerSpecific.1.value', 'invalid_evaluate_target_health'],
      ['desired.2.providerSpecific.1.value', 'invalid_evaluate_target_health'],
      ['desired.3.providerSpecific.1.value', 'invalid_evaluate_target_health'],
    ]);
    // called directly, adjustEndpoints and applyChanges refuse it the same way
    const adjust = await p.adjustEndpoints([endpoint(desired[0]!)]).catch((e: unknown) => e);
    expect((adjust as ValidationError).issues.map((i) => i.path)).toEqual([
      [0, 'providerSpecific', 1, 'value'],
    ]);
    expect((adjust as ValidationError).message).toContain('aws/evaluate-target-health "flase"');
    const before = posts();
    const direct = await p
      .applyChanges({ ...emptyChanges(), create: [endpoint(desired[0]!)] })
      .catch((e: unknown) => e);
    expect((direct as ValidationError).issues.map((i) => i.path)).toEqual([
      ['create', 0, 'providerSpecific', 1, 'value'],
    ]);
    expect(posts()).toBe(before);
    // "false", spelt so, is written as false and plans to nothing
    await converge(p, [
      {
        ...desired[0]!,
        providerSpecific: [prop(ALIAS_PROPERTY, 'true'), prop(AWS_PROPERTIES.evaluateTargetHealth, 'false')],
      },
    ]);
    expect(stored('A', `lb0.${name}`)[0]?.AliasTarget?.EvaluateTargetHealth).toBe(false);
  });

  // ExternalDNS turns multi-value answer on whenever the property is present; "false" silently
  // made a multivalue record set.
  it('aws/multi-value-answer "false" is a ValidationError at its value before any write', async () => {
    const { issues } = await refused([
      {
        dnsName: `mv.${name}`,
        recordType: 'A',
        setIdentifier: 'one',
        targets: ['192.0.2.1'],
        providerSpecific: [prop(AWS_PROPERTIES.multiValueAnswer, 'false')],
      },
    ]);
    expect(issues).toEqual([['desired.0.providerSpecific.0.value', 'invalid_multi_value_answer']]);
  });

  // `alias=yes` was read as "not an alias", so the ELB name was checked as an IPv4 address and the
  // error said "not an IPv4 address" instead of what was wrong.
  it('alias "yes" is a ValidationError naming the property and the accepted values, not an IP address error', async () => {
    const desired: EndpointInit[] = [
      {
        dnsName: `lb.${name}`,
        recordType: 'A',
        targets: [elb],
        providerSpecific: [prop(AWS_PROPERTIES.evaluateTargetHealth, 'true'), prop(ALIAS_PROPERTY, 'yes')],
      },
    ];
    const p = provider();
    const before = posts();
    const error = await run(registryOf(p), desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['desired.0.providerSpecific.1.value', 'invalid_alias'],
    ]);
    expect(issues[0]?.message).toBe(
      'alias "yes" is not understood: on A it is one of "true", "false", "A", "AAAA"',
    );
    expect((error as ValidationError).message).not.toContain('IPv4');
    expect(posts()).toBe(before);
    // adjustEndpoints called directly says the same
    const adjust = await p.adjustEndpoints([endpoint(desired[0]!)]).catch((e: unknown) => e);
    expect((adjust as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
      [[0, 'providerSpecific', 1, 'value'], 'invalid_alias'],
    ]);
    expect((adjust as ValidationError).issues[0]?.message).toContain('"true", "false", "A", "AAAA"');
  });
});

describe('aws/target-hosted-zone in lower case', () => {
  // Route53's hosted zone ids are upper-case letters and digits and it refuses `zother123`
  // ("the alias target name does not lie within the target zone") on every run; the id can only
  // mean ZOTHER123.
  const target = 'bucket.s3-website-us-east-1.amazonaws.com';
  const desired = (zoneId: string): EndpointInit[] => [
    {
      dnsName: `site.${name}`,
      recordType: 'A',
      targets: [target],
      providerSpecific: [prop(ALIAS_PROPERTY, 'true'), prop(AWS_PROPERTIES.targetHostedZone, zoneId)],
    },
  ];

  it('is written in upper case through reconcile, and the second plan is empty', async () => {
    await converge(provider(), desired(' zother123 '));
    expect(stored('A', `site.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe('ZOTHER123');
  });

  it('is written in upper case by applyChanges called directly', async () => {
    const p = provider();
    await p.applyChanges({ ...emptyChanges(), create: [endpoint(desired('/hostedzone/zother123')[0]!)] });
    expect(stored('A', `site.${name}`)[0]?.AliasTarget?.HostedZoneId).toBe('ZOTHER123');
    // and reads back as the id the table would not pick, in Route53's spelling
    const read = (await p.records()).find((e) => e.dnsName === `site.${name}`);
    expect(read?.providerSpecific).toContainEqual(prop(AWS_PROPERTIES.targetHostedZone, 'ZOTHER123'));
  });

  it('an id that is not letters and digits is a ValidationError at its value before any write', async () => {
    const p = provider();
    const before = posts();
    const error = await run(registryOf(p), desired('z-other.123')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['desired.0.providerSpecific.1.value', 'invalid_hosted_zone_id'],
    ]);
    expect(posts()).toBe(before);
  });
});

describe('routing policies of one name and type', () => {
  // kubernetes-sigs/external-dns#1411 and #3141: a plain record given a set identifier and a weight
  // failed with "cannot be created as a non-weighted set exists with the same name and type" (the
  // CREATE went before the DELETE); #4345: the same when latency sets become weighted. The fake
  // refuses both, as Route53 does, checking each change against the zone the earlier ones left.
  const weight = (id: string, w: string) => ({
    setIdentifier: id,
    providerSpecific: [prop(AWS_PROPERTIES.weight, w)],
  });
  const region = (id: string, r: string) => ({
    setIdentifier: id,
    providerSpecific: [prop(AWS_PROPERTIES.region, r)],
  });

  it('#1411/#3141: plain A and CNAME sets become weighted, and plain again, each in one run', async () => {
    const p = provider();
    const plain: EndpointInit[] = [
      { dnsName: `a.${name}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `c.${name}`, recordType: 'CNAME', targets: ['target.example.net'] },
    ];
    await converge(p, plain);
    await converge(
      p,
      plain.map((e) => ({ ...e, ...weight('blue', '255') })),
    );
    expect(stored('A', `a.${name}`).map((s) => [s.SetIdentifier, s.Weight])).toEqual([['blue', 255]]);
    await converge(p, plain);
    expect(stored('A', `a.${name}`).map((s) => s.SetIdentifier)).toEqual([undefined]);
  });

  it('#4345: the latency sets of two regions become weighted sets in one run', async () => {
    const p = provider();
    const sets = (policy: typeof weight) => [
      { dnsName: `lw.${name}`, recordType: 'A', targets: ['192.0.2.1'], ...policy('east', 'us-east-1') },
      { dnsName: `lw.${name}`, recordType: 'A', targets: ['192.0.2.2'], ...policy('west', 'us-west-2') },
    ];
    await converge(p, sets(region));
    await converge(p, [
      { dnsName: `lw.${name}`, recordType: 'A', targets: ['192.0.2.1'], ...weight('east', '100') },
      { dnsName: `lw.${name}`, recordType: 'A', targets: ['192.0.2.2'], ...weight('west', '0') },
    ]);
    expect(stored('A', `lw.${name}`).map((s) => [s.SetIdentifier, s.Weight, s.Region])).toEqual([
      ['east', 100, undefined],
      ['west', 0, undefined],
    ]);
  });

  // kubernetes-sigs/external-dns#3945: two latency sets of one name in one region (two services
  // with one host name) are refused by Route53; ExternalDNS crash-looped on it.
  it('#3945: a second latency set in the same region is left out with a typed error naming it; the rest is applied', async () => {
    const registry = registryOf(provider());
    const error = await run(registry, [
      { dnsName: `lsr.${name}`, recordType: 'A', targets: ['192.0.2.1'], ...region('a', 'us-east-1') },
      { dnsName: `lsr.${name}`, recordType: 'A', targets: ['192.0.2.2'], ...region('b', 'us-east-1') },
      { dnsName: `other.${name}`, recordType: 'A', targets: ['192.0.2.3'] },
    ]).catch((e: unknown) => e);
    expect(isDnsError(error)).toBe(true);
    expect((error as Error).message).toContain('a latency RRSet with the same name, type and region');
    expect((error as Error).message).toContain(`lsr.${name} A [b]`);
    expect(stored('A', `other.${name}`)).toHaveLength(1);
    expect(stored('A', `lsr.${name}`).map((s) => s.SetIdentifier)).toHaveLength(1);
  });
});
