// The alias and routing-policy samples of the provider conformance suite through the webhook
// protocol: WebhookProvider → our webhook server → Route53Provider → the loopback Route53 fake.
// ExternalDNS's property names (`alias`, `aws/weight`, …) travel unchanged, so the annotations
// that work with ExternalDNS's AWS provider work behind the sidecar.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import {
  conformanceTests,
  DEFAULT_RECORD_SAMPLES,
  recordTypeCases,
  ROUTING_RECORD_SAMPLES,
  type ConformanceHarness,
} from '@openova/dns-core/testing';
import {
  DEFAULT_ROUTE53_RECORD_TYPES,
  ROUTE53_PROPERTY_NAMES,
  Route53Provider,
} from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';
import { createWebhookServer, WebhookProvider, type WebhookServer } from '@openova/dns-webhook';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
const PARENT = 'r53-hook.test';
// what the client is told of the Route53 behind the webhook
const REMOTE = { setIdentifiers: true, ownerNames: 'any' } as const;
let fake: FakeRoute53;
let server: WebhookServer;
let webhookUrl: string;
let cases = 0;

beforeAll(async () => {
  fake = await startFakeRoute53({ rateLimit: false });
  server = createWebhookServer({
    provider: new Route53Provider({
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDHOOK', secretAccessKey: 'hook-secret' },
      rateLimiter: false,
      zoneCacheTtlMs: 0, // every case adds a zone
      domainFilter: new DomainFilter({ include: [PARENT] }),
    }),
    api: { host: '127.0.0.1', port: 0 },
    health: { host: '127.0.0.1', port: 0 },
  });
  webhookUrl = (await server.start()).api.url;
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

async function harness(): Promise<ConformanceHarness> {
  const zone = `c${++cases}.${PARENT}`;
  fake.addZone({ name: zone });
  const client = await WebhookProvider.connect({ url: webhookUrl, ...REMOTE });
  return {
    provider: client,
    zone,
    seed: (records) => client.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    close: () => client.close(),
  };
}

describe('provider conformance: Route53 behind the webhook (alias and routing samples)', () => {
  for (const t of conformanceTests(
    {
      capabilities: {
        recordTypes: DEFAULT_ROUTE53_RECORD_TYPES,
        atomicity: 'batch',
        ...REMOTE,
        providerSpecific: ROUTE53_PROPERTY_NAMES,
      },
      zones: false,
      createHarness: harness,
    },
    recordTypeCases([
      ...DEFAULT_RECORD_SAMPLES.filter((s) => s.type === 'A' || s.type === 'TXT'),
      ...ROUTING_RECORD_SAMPLES,
    ]),
  ))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
