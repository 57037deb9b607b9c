// The provider conformance suite (@openova/dns-core/testing) on AzureDnsProvider against the
// loopback fake, for public and for private zones, with every fault the fake can inject: 500s on
// writes carried out (only the answer lost), 429 storms with Retry-After, answers later than the
// client's timeout, and connections dropped before an answer.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import { AzureDnsProvider, METADATA_PROPERTY_PREFIX, type AzureZoneKind } from '@openova/dns-provider-azure';
import {
  fakeCredential,
  startFakeAzureDns,
  type LoopbackFakeAzureDns,
} from '@openova/dns-provider-azure/testing';

const FAULTS: ConformanceFault[] = [
  'server-error',
  'rate-limit-storm',
  'timeout',
  'connection-drop',
  'echo-credential',
];
// one subscription per zone kind: each suite has the subscription's 60 zone listings a minute to itself
const SUBSCRIPTION: Record<AzureZoneKind, string> = {
  public: '00000000-0000-0000-0000-000000000001',
  private: '00000000-0000-0000-0000-000000000002',
};
const TOKEN = 'conformance-azure-token-0123456789';
let fake: LoopbackFakeAzureDns;
let cases = 0;

beforeAll(async () => {
  fake = await startFakeAzureDns({
    limits: false,
    tokens: [TOKEN],
    subscriptions: Object.values(SUBSCRIPTION),
  });
});

afterAll(() => fake?.close());

function provider(kind: AzureZoneKind, zone: string, endpoint: string): AzureDnsProvider {
  return new AzureDnsProvider({
    subscriptionId: SUBSCRIPTION[kind],
    credential: fakeCredential(TOKEN),
    endpoint,
    zoneType: kind,
    domainFilter: new DomainFilter({ include: [zone] }),
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
    timeoutMs: 500,
  });
}

function harness(kind: AzureZoneKind): () => Promise<ConformanceHarness> {
  return () => {
    const zone = `c${++cases}.conformance.test`;
    fake.addZone({ kind, name: zone, resourceGroup: `rg-${cases % 3}`, subscription: SUBSCRIPTION[kind] });
    const p = provider(kind, zone, fake.url);
    return Promise.resolve({
      provider: p,
      zone,
      faults: FAULTS,
      secret: TOKEN,
      seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
      inject(fault) {
        if (fault === 'server-error') fake.failNext(1, { method: 'write', afterExecuting: true });
        else if (fault === 'rate-limit-storm') fake.throttleNext(3);
        else if (fault === 'timeout') fake.delayNext(1, 1500, { method: 'write' });
        else if (fault === 'echo-credential')
          fake.failNext(50, { status: 403, code: 'AuthorizationFailed', echoCredential: true });
        else fake.dropNext(1, { method: 'write' });
      },
      clearFaults: () => fake.clearFaults(),
      close: () => p.client.close(),
    });
  };
}

for (const kind of ['public', 'private'] as const)
  describe(`provider conformance: Azure DNS ${kind} zones (fake)`, () => {
    for (const t of conformanceTests({
      capabilities: provider(kind, 'example.com', 'http://127.0.0.1:9').capabilities,
      zones: true,
      faults: FAULTS,
      recordSamples: [
        {
          type: 'A',
          name: 'rt-metadata',
          first: ['192.0.2.1'],
          second: ['192.0.2.2'],
          properties: [{ name: `${METADATA_PROPERTY_PREFIX}team`, value: 'dns' }],
        },
      ],
      createHarness: harness(kind),
    }))
      it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
  });
