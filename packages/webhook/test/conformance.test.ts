// The provider conformance suite (@openova/dns-core/testing) through the webhook protocol:
// WebhookProvider → our webhook server → PowerDnsProvider → fault-injecting proxy → a real PowerDNS.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer, WebhookProvider, type WebhookServer } from '@openova/dns-webhook';
import { startApiProxy, type ApiProxy } from '../../provider-pdns/test/proxy.js';

const ZONE = 'hook-conformance.test';
// what the client is told of the PowerDNS behind the webhook
const REMOTE = { setIdentifiers: false, ownerNames: 'hostname' } as const;
const FAULTS: ConformanceFault[] = ['server-error', 'timeout', 'connection-drop', 'rate-limit-storm'];
const TIMEOUT_MS = 400;
let pdns: RunningPowerDns;
let proxy: ApiProxy;
let server: WebhookServer;
let webhookUrl: string;

beforeAll(async () => {
  pdns = await startPowerDns();
  proxy = await startApiProxy(pdns.apiUrl);
  server = createWebhookServer({
    provider: new PowerDnsProvider({
      apiUrl: proxy.url,
      timeoutMs: TIMEOUT_MS,
      retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
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
  await proxy?.close();
  await pdns?.stop();
});

async function harness(): Promise<ConformanceHarness> {
  proxy.reset();
  await pdns.client.deleteZone(`${ZONE}.`).catch(() => undefined);
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
  const client = await WebhookProvider.connect({ url: webhookUrl, ...REMOTE });
  return {
    provider: client,
    zone: ZONE,
    seed: (records) => client.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    faults: FAULTS,
    // faults between the webhook's PowerDnsProvider and PowerDNS: the client sees the webhook's answer
    inject(fault) {
      if (fault === 'server-error')
        proxy.fail(20, { method: 'PATCH', status: 500, body: '{"error":"Internal Server Error"}' });
      else if (fault === 'timeout')
        proxy.fail(1, { method: 'PATCH', status: 500, body: '{}', delayMs: TIMEOUT_MS * 3 });
      else if (fault === 'connection-drop')
        proxy.fail(1, { method: 'PATCH', status: 0, body: '', drop: true });
      else
        proxy.fail(20, {
          status: 429,
          body: '{"error":"Too Many Requests"}',
          headers: { 'retry-after': '0' },
        });
    },
    clearFaults: () => proxy.clearFaults(),
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
    faults: FAULTS,
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
