// The fake speaks Cloud DNS v1 JSON over HTTPS: the official @google-cloud/dns drives it for every
// call the provider makes (managed zones list and get, record sets with pages, changes create and
// get), in a child process that trusts the fake's self-signed certificate through
// NODE_EXTRA_CA_CERTS; then our client reads what the official one wrote, and the requests of both
// are compared. Nothing here reaches Google (static OAuth2 token, loopback endpoint).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GoogleCloudDnsClient,
  GoogleCloudDnsProvider,
  type GoogleRoutingPolicy,
} from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./officialClient.mjs', import.meta.url));
const TOKEN = 'ya29.wire-test-token';
let fake: FakeGoogle;
interface OfficialFailure {
  code: number;
  reason?: string;
  message: string;
}
interface OfficialRecord {
  name: string;
  type: string;
  ttl: number;
  rrdatas?: string[];
  routingPolicy?: GoogleRoutingPolicy;
}
/** What officialClient.mjs printed. */
interface Official {
  zones: { name: string; dnsName: string; visibility: string; peering: boolean }[];
  zone: { name: string; dnsName: string; id: string };
  created: { id: string; status: string; additions: OfficialRecord[] };
  polls: string[];
  geo: OfficialRecord[];
  records: OfficialRecord[];
  duplicateAddition: OfficialFailure;
  staleDeletion: OfficialFailure;
  cnameConflict: OfficialFailure;
  tooManyAdditions: OfficialFailure;
  badToken: OfficialFailure;
  afterFailures: number;
  filtered: string[];
  typeWithoutName: OfficialFailure;
}
let official: Official;
let officialRequests: string[];

beforeAll(async () => {
  fake = await startFakeGoogle({ token: TOKEN, pageSize: 2, zonePageSize: 2, pendingPolls: 1 });
  fake.addZone({ name: 'wire-zone', dnsName: 'wire.test' });
  fake.addZone({ name: 'wire-private', dnsName: 'wire.test', visibility: 'private' });
  fake.addZone({ name: 'peer-zone', dnsName: 'peer.test', peering: true });
  // the official client's first request meets a 429 rateLimitExceeded
  fake.throttleNext(1);
  const { stdout } = await run(process.execPath, [script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_EXTRA_CA_CERTS: fake.caFile,
      FAKE_HOST: fake.host,
      FAKE_PROJECT: 'fake-project',
      FAKE_TOKEN: TOKEN,
      FAKE_ZONE: 'wire-zone',
    },
    timeout: 60_000,
  });
  official = JSON.parse(stdout) as Official;
  officialRequests = [...fake.requests];
}, 90_000);

afterAll(() => fake?.close());

function client(): GoogleCloudDnsClient {
  return new GoogleCloudDnsClient({
    project: 'fake-project',
    tokenSource: { getAccessToken: () => Promise.resolve(TOKEN) },
    baseUrl: fake.url,
    tls: { ca: fake.ca },
    rateLimit: false,
  });
}

const shape = (r: string) =>
  r
    .replace(/\?.*$/, '')
    .replace(/\/changes\/\d+$/, '/changes/{id}')
    .replace(/managedZones\/[^/]+/, 'managedZones/{zone}');

describe('Cloud DNS wire format (@google-cloud/dns against the fake)', () => {
  it('lists managed zones over pages, after a 429 the official client retried', () => {
    expect(official.zones.map((z) => z.name)).toEqual(['peer-zone', 'wire-private', 'wire-zone']);
    expect(official.zones.find((z) => z.name === 'peer-zone')?.peering).toBe(true);
    expect(official.zones.find((z) => z.name === 'wire-private')?.visibility).toBe('private');
    expect(fake.throttled).toBe(1);
    expect(officialRequests.slice(0, 3)).toEqual([
      'GET /dns/v1/projects/fake-project/managedZones',
      'GET /dns/v1/projects/fake-project/managedZones',
      'GET /dns/v1/projects/fake-project/managedZones?pageToken=Mg',
    ]);
  });

  it('gets a zone by name and creates a change that starts pending and becomes done', () => {
    expect(official.zone).toMatchObject({ name: 'wire-zone', dnsName: 'wire.test.' });
    expect(official.created.status).toBe('pending');
    expect(official.polls).toEqual(['pending', 'done']);
    // the official client merges two A records of one name into one rrset; TXT is stored quoted
    expect(official.created.additions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'www.wire.test.', type: 'A', rrdatas: ['192.0.2.1', '192.0.2.2'] }),
        expect.objectContaining({ name: 't.wire.test.', type: 'TXT', rrdatas: ['"hello" "world"'] }),
      ]),
    );
  });

  it('pages record sets and returns routing-policy record sets as written', () => {
    expect(official.records.map((r) => `${r.name} ${r.type}`)).toEqual([
      'geo.wire.test. A',
      't.wire.test. TXT',
      'wire.test. NS',
      'wire.test. SOA',
      'www.wire.test. A',
    ]);
    expect(official.records[0]?.routingPolicy?.geo?.items).toHaveLength(2);
    expect(official.geo[0]?.routingPolicy?.geo?.items[0]?.location).toBe('us-east1');
    const pages = officialRequests.filter((r) =>
      r.startsWith('GET /dns/v1/projects/fake-project/managedZones/wire-zone/rrsets'),
    );
    expect(pages.length).toBeGreaterThanOrEqual(3); // 5 record sets at 2 per page
    expect(pages.some((r) => r.includes('pageToken='))).toBe(true);
  });

  it('filters record sets by name and type (what contributeRoutingItem reads); type alone is refused', () => {
    expect(official.filtered).toEqual(['geo.wire.test. A']);
    expect(official.typeWithoutName).toMatchObject({ code: 400, reason: 'invalid' });
  });

  it('answers the documented error envelopes, and a failed change leaves nothing applied', () => {
    expect(official.duplicateAddition).toMatchObject({ code: 409, reason: 'alreadyExists' });
    expect(official.staleDeletion).toMatchObject({ code: 412, reason: 'conditionNotMet' });
    expect(official.cnameConflict).toMatchObject({ code: 400, reason: 'cnameResourceRecordSetConflict' });
    expect(official.tooManyAdditions).toMatchObject({ code: 403, reason: 'quotaExceeded' });
    expect(official.badToken).toMatchObject({ code: 401 });
    expect(official.afterFailures).toBe(5);
    expect(fake.rrsets('wire-zone').find((s) => s.name === 'www.wire.test.')).toMatchObject({
      ttl: 300,
      rrdatas: ['192.0.2.1', '192.0.2.2'],
    });
  });

  it('our client reads what the official one wrote, with the same requests', async () => {
    const c = client();
    const before = fake.requests.length;
    const zones = await c.listManagedZones();
    expect(zones.map((z) => z.name)).toEqual(official.zones.map((z) => z.name));
    expect((await c.getManagedZone('wire-zone')).dnsName).toBe('wire.test.');
    const sets = await c.listRRSets('wire-zone');
    expect(
      sets.map((s) => ({
        name: s.name,
        type: s.type,
        ttl: s.ttl,
        rrdatas: s.rrdatas,
        routingPolicy: s.routingPolicy,
      })),
    ).toEqual(official.records);
    const change = await c.createChange('wire-zone', {
      deletions: [sets.find((s) => s.name === 'www.wire.test.')!],
      additions: [{ name: 'www.wire.test.', type: 'A', ttl: 60, rrdatas: ['192.0.2.3'] }],
    });
    expect(change.status).toBe('pending');
    expect((await c.waitForChange('wire-zone', change, { intervalMs: 1 })).status).toBe('done');
    const ours = fake.requests.slice(before).map(shape);
    const theirs = new Set(officialRequests.map(shape));
    for (const r of ours) expect(theirs.has(r), r).toBe(true);
    await c.close();
  });

  it('the provider selects the public zone of a split horizon and skips the peering zone', async () => {
    const p = new GoogleCloudDnsProvider({
      project: 'fake-project',
      tokenSource: { getAccessToken: () => Promise.resolve(TOKEN) },
      baseUrl: fake.url,
      tls: { ca: fake.ca },
    });
    const zones = await p.zoneInfo();
    expect(zones.map((z) => [z.name, z.primary])).toEqual([
      ['wire-zone', true],
      ['wire-private', false],
    ]);
    await p.client.close();
  });
});
