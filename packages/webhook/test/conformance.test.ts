// The provider conformance suite (@openova/dns-core/testing) through the webhook protocol:
// WebhookProvider → our webhook server → PowerDnsProvider → a real PowerDNS.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceHarness } from '@openova/dns-core/testing';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer, WebhookProvider, type WebhookServer } from '@openova/dns-webhook';

const ZONE = 'hook-conformance.test';
// what the client is told of the PowerDNS behind the webhook
const REMOTE = { setIdentifiers: false, ownerNames: 'hostname' } as const;
let pdns: RunningPowerDns;
let server: WebhookServer;
let webhookUrl: string;

beforeAll(async () => {
  pdns = await startPowerDns();
  server = createWebhookServer({
    provider: new PowerDnsProvider({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      domainFilter: new DomainFilter({ include: [ZONE] }),
      zoneCacheTtlMs: 0, // every case recreates the zone
    }),
    api: { host: '127.0.0.1', port: 0 },
    health: { host: '127.0.0.1', port: 0 },
    secrets: [pdns.apiKey],
  });
  webhookUrl = (await server.start()).api.url;
});

afterAll(async () => {
  await server?.stop();
  await pdns?.stop();
});

async function harness(): Promise<ConformanceHarness> {
  await pdns.client.deleteZone(`${ZONE}.`).catch(() => undefined);
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  const client = await WebhookProvider.connect({ url: webhookUrl, ...REMOTE });
  return {
    provider: client,
    zone: ZONE,
    seed: (records) => client.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    close: () => client.close(),
  };
}

describe('provider conformance: PowerDNS behind the webhook (WebhookProvider)', () => {
  for (const t of conformanceTests({
    capabilities: {
      recordTypes: ['A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'NS', 'MX', 'CAA'],
      atomicity: 'record',
      ...REMOTE,
    },
    zones: false,
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
