// WebhookProvider → our webhook server → PowerDnsProvider → a real PowerDNS, with core's TXT registry
// on the client side, as a stock ExternalDNS with --provider=webhook would drive it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainFilter, reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer, WebhookProvider, type WebhookServer } from '@openova/dns-webhook';
import { externalDnsGet, externalDnsPost, rawRequest } from './support/rawHttp.js';

const ZONE = 'hook.test';
let pdns: RunningPowerDns;
let server: WebhookServer;
let webhookUrl: string;
let client: WebhookProvider;

async function zoneSnapshot(): Promise<string> {
  const zone = await pdns.client.getZone(`${ZONE}.`);
  const rrsets = (zone.rrsets ?? []).map((r) => ({
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    records: r.records.map((x) => x.content).sort(),
  }));
  rrsets.sort((a, b) => `${a.name} ${a.type}`.localeCompare(`${b.name} ${b.type}`));
  return JSON.stringify(rrsets);
}

beforeAll(async () => {
  pdns = await startPowerDns();
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  // records nobody owns through the registry: a hand-made A, a foreign owner's record and its TXT
  await pdns.client.patchRRsets(`${ZONE}.`, [
    {
      name: `manual.${ZONE}.`,
      type: 'A',
      ttl: 300,
      changetype: 'REPLACE',
      records: [{ content: '198.51.100.1', disabled: false }],
    },
    {
      name: `foreign.${ZONE}.`,
      type: 'A',
      ttl: 300,
      changetype: 'REPLACE',
      records: [{ content: '198.51.100.2', disabled: false }],
    },
    {
      name: `_externaldns.a-foreign.${ZONE}.`,
      type: 'TXT',
      ttl: 300,
      changetype: 'REPLACE',
      records: [{ content: '"heritage=external-dns,external-dns/owner=someone-else"', disabled: false }],
    },
  ]);
  server = createWebhookServer({
    provider: new PowerDnsProvider({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      domainFilter: new DomainFilter({ include: [ZONE] }),
    }),
    api: { host: '127.0.0.1', port: 0 },
    health: { host: '127.0.0.1', port: 0 },
    secrets: [pdns.apiKey],
  });
  webhookUrl = (await server.start()).api.url;
  client = await WebhookProvider.connect({ url: webhookUrl });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await pdns?.stop();
});

// ExternalDNS's defaults for this platform: --txt-owner-id=openova --txt-prefix=_externaldns.
const registry = () => new TxtRegistry(client, { ownerId: 'openova', prefix: '_externaldns.' });

const desired: EndpointInit[] = [
  { dnsName: `api.${ZONE}`, recordType: 'A', targets: ['203.0.113.10', '203.0.113.11'] },
  { dnsName: `v6.${ZONE}`, recordType: 'AAAA', targets: ['2001:DB8::10'], recordTTL: 120 },
  { dnsName: `www.${ZONE}`, recordType: 'CNAME', targets: [`api.${ZONE}`] },
  // the foreign owner's name: must stay theirs
  { dnsName: `foreign.${ZONE}`, recordType: 'A', targets: ['203.0.113.99'] },
];

describe('plan → apply → plan through the webhook', () => {
  it('negotiates the PowerDNS provider’s domain filter', () => {
    expect(client.domainFilter.toJSON()).toEqual({ include: [ZONE] });
  });

  it('applies, then plans nothing; foreign and unowned records stay untouched', async () => {
    const first = await reconcile({ registry: registry(), desired, policy: 'sync' });
    expect(first.applied).toBe(true);
    expect(first.counts.create).toBe(3);

    const records = await pdns.client.getZone(`${ZONE}.`);
    const byName = (name: string, type: string) =>
      records.rrsets
        ?.find((r) => r.name === `${name}.${ZONE}.` && r.type === type)
        ?.records.map((r) => r.content);
    expect(byName('api', 'A')?.sort()).toEqual(['203.0.113.10', '203.0.113.11']);
    expect(byName('www', 'CNAME')).toEqual([`api.${ZONE}.`]);
    expect(byName('_externaldns.a-api', 'TXT')).toEqual([
      '"heritage=external-dns,external-dns/owner=openova"',
    ]);
    expect(byName('foreign', 'A')).toEqual(['198.51.100.2']);
    expect(byName('manual', 'A')).toEqual(['198.51.100.1']);

    const second = await reconcile({ registry: registry(), desired, policy: 'sync' });
    expect(second.plan.hasChanges).toBe(false);
    expect(second.applied).toBe(false);
  });

  it('updates and deletes only owned records, then converges again', async () => {
    const changed = desired
      .filter((d) => d.dnsName !== `www.${ZONE}`)
      .map((d) => (d.dnsName === `api.${ZONE}` ? { ...d, targets: ['203.0.113.12'] } : d));
    const run = await reconcile({ registry: registry(), desired: changed, policy: 'sync' });
    expect(run.counts).toMatchObject({ update: 1, delete: 1 });
    const zone = await zoneSnapshot();
    expect(zone).not.toContain(`www.${ZONE}.`);
    expect(zone).toContain('198.51.100.1');
    expect(zone).toContain('198.51.100.2');
    expect(zone).toContain('someone-else');
    const again = await reconcile({ registry: registry(), desired: changed, policy: 'sync' });
    expect(again.plan.hasChanges).toBe(false);
  });
});

describe('ExternalDNS’s own requests against PowerDNS', () => {
  it('GET /records returns PowerDNS records in ExternalDNS form, registry TXT included', async () => {
    const res = await externalDnsGet(webhookUrl, '/records');
    expect(res.status).toBe(200);
    const names = (res.json() as { dnsName: string; recordType: string }[]).map(
      (r) => `${r.dnsName} ${r.recordType}`,
    );
    expect(names).toEqual(
      expect.arrayContaining([`api.${ZONE} A`, `_externaldns.a-api.${ZONE} TXT`, `manual.${ZONE} A`]),
    );
  });

  it('malformed requests leave the zone as it was; invalid records are left out and named (5xx), valid ones written', async () => {
    const before = await zoneSnapshot();
    const create = (ep: object) => JSON.stringify({ create: [ep] });
    const attempts = [
      rawRequest(webhookUrl, {
        method: 'POST',
        path: '/records',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: create({ dnsName: `x.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] }),
      }),
      externalDnsPost(webhookUrl, '/records', '{"create":[{"dnsName":"x.hook.test",'),
      externalDnsPost(
        webhookUrl,
        '/records',
        create({ dnsName: `x.${ZONE}`, recordType: 'WKS', targets: ['x'] }),
      ),
      externalDnsPost(
        webhookUrl,
        '/records',
        create({ dnsName: `x.${ZONE}`, recordType: 'A', targets: ['192.0.2.300'] }),
      ),
      externalDnsPost(
        webhookUrl,
        '/records',
        create({ dnsName: `x.${ZONE}`, recordType: 'MX', targets: ['mail'] }),
      ),
      // valid record + invalid record: the whole batch is refused
      externalDnsPost(
        webhookUrl,
        '/records',
        JSON.stringify({
          create: [
            { dnsName: `ok.${ZONE}`, recordType: 'A', targets: ['192.0.2.1'] },
            { dnsName: `bad.${ZONE}`, recordType: 'CNAME', targets: ['a.example.', 'b.example.'] },
          ],
        }),
      ),
    ];
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    // 415 and 400 only for what ExternalDNS never sends; a bad record is a soft error (5xx)
    expect(statuses).toEqual([415, 400, 500, 500, 500, 500]);
    const after = await zoneSnapshot();
    expect(after).not.toBe(before);
    expect(JSON.parse(after)).toEqual(
      expect.arrayContaining([{ name: `ok.${ZONE}.`, type: 'A', ttl: 300, records: ['192.0.2.1'] }]),
    );
    expect(after).not.toContain(`bad.${ZONE}`);
    expect(after).not.toContain(`x.${ZONE}`);
  });

  it('a PowerDNS outage is a 500 (ExternalDNS soft error) without the API key, and /healthz reports it', async () => {
    const broken = createWebhookServer({
      provider: new PowerDnsProvider({
        apiUrl: 'http://127.0.0.1:1',
        apiKey: pdns.apiKey,
        retry: { retries: 0 },
      }),
      api: { host: '127.0.0.1', port: 0 },
      health: { host: '127.0.0.1', port: 0 },
      secrets: [pdns.apiKey],
    });
    const { api, health } = await broken.start();
    try {
      const res = await externalDnsGet(api.url, '/records');
      expect(res.status).toBe(500);
      expect(res.text).not.toContain(pdns.apiKey);
      expect(res.text.length).toBeLessThan(400);
      const probe = await externalDnsGet(health?.url ?? '', '/healthz');
      expect(probe.status).toBe(503);
      expect(probe.text).not.toContain(pdns.apiKey);
      // and the client maps it to a retryable error
      const remote = await WebhookProvider.connect({ url: api.url });
      await expect(remote.records()).rejects.toMatchObject({ status: 500, retryable: true });
      await remote.close();
    } finally {
      await broken.stop();
    }
  });
});
