// Behaviours from ExternalDNS bug reports about its Google Cloud DNS provider, replayed through
// core's planner and TXT registry against the loopback HTTPS fake. Each test names the report.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainFilter,
  emptyChanges,
  reconcile,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
  type RecordType,
  type TxtRegistryOptions,
} from '@openova/dns-core';
import { GoogleCloudDnsProvider, type GoogleCloudDnsProviderOptions } from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';

const TOKEN = 'ya29.bug-report-token';
const TYPES: RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];
let fake: FakeGoogle;
let n = 0;
let zone: string;
let managed: string;

beforeAll(async () => {
  fake = await startFakeGoogle({ token: TOKEN, pageSize: 100 });
});
afterAll(() => fake?.close());
beforeEach(() => {
  zone = `g${++n}.bugs.test`;
  managed = `g${n}-zone`;
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

const registryOf = (p: GoogleCloudDnsProvider, options: Partial<TxtRegistryOptions> = {}) =>
  new TxtRegistry(p, {
    ownerId: 'test',
    prefix: '_externaldns.%{record_type}.',
    managedRecordTypes: TYPES,
    ...options,
  });
const run = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false) =>
  reconcile({ registry, desired, policy: 'sync', managedRecordTypes: TYPES, dryRun, safety: false });
const posts = () => fake.requests.filter((r) => r.startsWith('POST')).length;
const set = (name: string, type: string) =>
  fake.rrsets(managed).find((s) => s.name === `${name}.` && s.type === type);

describe('CNAME and its ownership TXT', () => {
  // kubernetes-sigs/external-dns#1574 and #740: without --txt-prefix, the registry's TXT went to
  // the CNAME's own name and Google refused the whole change with cnameResourceRecordSetConflict,
  // every cycle, for every record in it. The marker's name carries the type (`cname-`, ExternalDNS's
  // newer format), so the CNAME and its marker never share a name.
  it('#1574: without a prefix, a CNAME and its marker are written side by side; the change is not refused', async () => {
    const registry = registryOf(provider(), { prefix: '' });
    const desired: EndpointInit[] = [
      { dnsName: `frontend.${zone}`, recordType: 'CNAME', targets: ['lb-123.us-east-2.elb.amazonaws.com'] },
      { dnsName: `api.${zone}`, recordType: 'A', targets: ['192.0.2.10'] },
    ];
    const result = await run(registry, desired);
    expect(result.applied).toBe(true);
    expect(result.skipped).toEqual([]);
    expect(set(`frontend.${zone}`, 'CNAME')?.rrdatas).toEqual(['lb-123.us-east-2.elb.amazonaws.com.']);
    expect(set(`frontend.${zone}`, 'TXT')).toBeUndefined();
    expect(set(`cname-frontend.${zone}`, 'TXT')?.rrdatas?.[0]).toContain('external-dns/owner=test');
    expect(set(`api.${zone}`, 'A')?.rrdatas).toEqual(['192.0.2.10']);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });

  // With a prefix (the fix #1729 documents) the CNAME and its marker are both written.
  it('#1729: with a prefix, the CNAME and its marker are written in one change and plan to nothing', async () => {
    const registry = registryOf(provider());
    const desired: EndpointInit[] = [
      { dnsName: `frontend.${zone}`, recordType: 'CNAME', targets: ['lb-123.us-east-2.elb.amazonaws.com'] },
    ];
    const before = posts();
    await run(registry, desired);
    expect(posts() - before).toBe(1);
    expect(set(`frontend.${zone}`, 'CNAME')?.rrdatas).toEqual(['lb-123.us-east-2.elb.amazonaws.com.']);
    expect(set(`_externaldns.cname.frontend.${zone}`, 'TXT')).toBeDefined();
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });

  // Google: "a CNAME has one rrdata". Two CNAME targets (two load balancers on an ingress) must be a
  // clear error before anything is sent, not a refused change every cycle.
  it('a CNAME with two targets is refused before anything is sent', async () => {
    const before = posts();
    const error = await run(registryOf(provider()), [
      { dnsName: `ok.${zone}`, recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: `two.${zone}`, recordType: 'CNAME', targets: ['a.example.net', 'b.example.net'] },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path.slice(0, 2)).toEqual(['desired', 1]);
    expect(posts()).toBe(before);
    expect(set(`ok.${zone}`, 'A')).toBeUndefined();
  });
});

describe('records set up with gcloud', () => {
  // kubernetes-sigs/external-dns#2762 and DNSControl#407: TXT record sets with several strings and
  // several rrdatas (SPF, site verification, DKIM split in two) are not ours and must stay as written.
  it('#2762: multi-string and multi-rrdata TXT sets nobody owns are never rewritten, even by an empty sync', async () => {
    const dkim = '"v=DKIM1; k=rsa; " "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"';
    fake.putRRSet(managed, { name: `sel._domainkey.${zone}.`, type: 'TXT', ttl: 300, rrdatas: [dkim] });
    fake.putRRSet(managed, {
      name: `${zone}.`,
      type: 'TXT',
      ttl: 300,
      rrdatas: ['"v=spf1 include:_spf.google.com ~all"', '"google-site-verification=abc"'],
    });
    const registry = registryOf(provider());
    const desired: EndpointInit[] = [{ dnsName: `www.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }];
    await run(registry, desired);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
    await run(registry, []);
    expect(set(`sel._domainkey.${zone}`, 'TXT')?.rrdatas).toEqual([dkim]);
    expect(set(zone, 'TXT')?.rrdatas).toEqual([
      '"v=spf1 include:_spf.google.com ~all"',
      '"google-site-verification=abc"',
    ]);
    expect(set(`www.${zone}`, 'A')).toBeUndefined();
  });
});

describe('zones', () => {
  // kubernetes-sigs/external-dns#443: an A deleted by hand while its TXT stayed was never created
  // again, because the TXT addition was refused with 409 alreadyExists. (Also a shared conformance
  // case, ownership/hand-edits; here the 409 path of Google's change API in particular.)
  it('#443: an A deleted by hand is created again without re-adding its marker (no 409 alreadyExists)', async () => {
    const registry = registryOf(provider());
    const desired: EndpointInit[] = [{ dnsName: `record1.${zone}`, recordType: 'A', targets: ['192.0.2.1'] }];
    await run(registry, desired);
    fake.removeRRSet(managed, `record1.${zone}.`, 'A');
    const again = await run(registryOf(provider()), desired);
    expect(again.applied).toBe(true);
    expect(again.plan.changes.create.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual([
      `record1.${zone} A`,
    ]);
    expect(set(`record1.${zone}`, 'A')?.rrdatas).toEqual(['192.0.2.1']);
    expect(fake.rrsets(managed).filter((s) => s.type === 'TXT')).toHaveLength(1);
  });

  // --google-zone-visibility=private with a public zone of the same name (split horizon): only the
  // private zone is read and written.
  it('zoneVisibility private writes to the private zone only; the public one is untouched', async () => {
    const priv = `g${n}-private`;
    fake.addZone({ name: priv, dnsName: zone, visibility: 'private' });
    fake.putRRSet(managed, { name: `www.${zone}.`, type: 'A', ttl: 300, rrdatas: ['203.0.113.1'] });
    const p = provider({ zoneVisibility: 'private' });
    const registry = registryOf(p);
    const desired: EndpointInit[] = [{ dnsName: `www.${zone}`, recordType: 'A', targets: ['10.0.0.1'] }];
    await run(registry, desired);
    expect(fake.rrsets(priv).find((s) => s.name === `www.${zone}.` && s.type === 'A')?.rrdatas).toEqual([
      '10.0.0.1',
    ]);
    expect(set(`www.${zone}`, 'A')?.rrdatas).toEqual(['203.0.113.1']);
    expect((await run(registry, desired, true)).plan.changes).toEqual(emptyChanges());
  });
});

describe('deletions must match what is stored', () => {
  // kubernetes-sigs/external-dns#467: with a TTL annotation of 30, the deletion was sent with TTL 300
  // and Google refused it (412 conditionNotMet) forever; #3311 the same after a hand edit. A
  // deletion is built from the record set as stored.
  it('#467/#3311: records with TTL 30, and one whose TTL was changed by hand, are deleted', async () => {
    const registry = registryOf(provider());
    const desired: EndpointInit[] = [
      { dnsName: `short.${zone}`, recordType: 'A', targets: ['192.0.2.1'], recordTTL: 30 },
      { dnsName: `edited.${zone}`, recordType: 'A', targets: ['192.0.2.2'] },
    ];
    await run(registry, desired);
    expect(set(`short.${zone}`, 'A')?.ttl).toBe(30);
    // someone changes the TTL in the console
    fake.putRRSet(managed, { name: `edited.${zone}.`, type: 'A', ttl: 3600, rrdatas: ['192.0.2.2'] });
    await run(registryOf(provider()), []);
    expect(set(`short.${zone}`, 'A')).toBeUndefined();
    expect(set(`edited.${zone}`, 'A')).toBeUndefined();
    expect(fake.rrsets(managed).filter((s) => s.type === 'TXT')).toEqual([]);
  });

  // kubernetes-sigs/external-dns#5129: a record set of ours given a weighted routing policy in the
  // console could not be updated ("Invalid value for 'entity.change.deletions[…].rrdata': '<empty>'").
  // The deletion carries the routing policy as stored, and the set becomes a plain one again.
  it('#5129: our record set changed to a wrr policy by hand is put back to plain rrdatas', async () => {
    const registry = registryOf(provider());
    const desired: EndpointInit[] = [{ dnsName: `lb.${zone}`, recordType: 'A', targets: ['192.0.2.10'] }];
    await run(registry, desired);
    fake.putRRSet(managed, {
      name: `lb.${zone}.`,
      type: 'A',
      ttl: 300,
      routingPolicy: {
        wrr: {
          items: [
            { weight: 50, rrdatas: ['34.1.1.1'] },
            { weight: 50, rrdatas: ['34.1.1.2'] },
          ],
        },
      },
    });
    const result = await run(registryOf(provider()), desired);
    expect(result.applied).toBe(true);
    expect(set(`lb.${zone}`, 'A')).toMatchObject({ rrdatas: ['192.0.2.10'] });
    expect(set(`lb.${zone}`, 'A')?.routingPolicy).toBeUndefined();
    expect((await run(registryOf(provider()), desired, true)).plan.changes).toEqual(emptyChanges());
  });
});
