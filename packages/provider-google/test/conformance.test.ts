// The provider conformance suite (@openova/dns-core/testing) on GoogleCloudDnsProvider against the
// loopback HTTPS fake, with every fault the fake can inject: changes carried out whose answer is
// lost as a 500, 429 `rateLimitExceeded` storms without Retry-After, answers later than the
// client's timeout, and connections dropped before an answer.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import {
  GOOGLE_PROPERTIES,
  GoogleCloudDnsProvider,
  routingPolicyProperty,
} from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';

const FAULTS: ConformanceFault[] = [
  'server-error',
  'rate-limit-storm',
  'timeout',
  'connection-drop',
  'echo-credential',
];
let fake: FakeGoogle;
let cases = 0;

beforeAll(async () => {
  // changes are `pending` on their first read: every apply waits through one
  fake = await startFakeGoogle({ token: 'conformance-token', pendingPolls: 1 });
});

afterAll(() => fake?.close());

function provider(zone: string, baseUrl: string, ca?: string): GoogleCloudDnsProvider {
  return new GoogleCloudDnsProvider({
    project: 'conformance',
    tokenSource: { getAccessToken: () => Promise.resolve('conformance-token') },
    baseUrl,
    ...(ca ? { tls: { ca } } : {}),
    domainFilter: new DomainFilter({ include: [zone] }),
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
    rateLimit: { backoffS: 0.05 },
    timeoutMs: 500,
    waitForChange: { intervalMs: 1 },
  });
}

function harness(): Promise<ConformanceHarness> {
  const zone = `c${++cases}.conformance.test`;
  fake.addZone({ project: 'conformance', name: `c${cases}-zone`, dnsName: zone });
  const p = provider(zone, fake.url, fake.ca);
  return Promise.resolve({
    provider: p,
    zone,
    faults: FAULTS,
    secret: 'conformance-token',
    seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    inject(fault) {
      if (fault === 'server-error') fake.failNext(1, { method: 'write', afterExecuting: true });
      else if (fault === 'rate-limit-storm') fake.throttleNext(3);
      else if (fault === 'timeout') fake.failNext(1, { method: 'write', delayMs: 1500 });
      else if (fault === 'echo-credential') fake.failNext(50, { status: 403, echoCredential: true });
      else fake.failNext(1, { method: 'write', drop: true });
    },
    clearFaults: () => fake.clearFaults(),
    close: () => p.client.close(),
  });
}

describe('provider conformance: Google Cloud DNS (fake)', () => {
  for (const t of conformanceTests({
    capabilities: provider('example.com', 'https://127.0.0.1:9/dns/v1').capabilities,
    zones: true,
    faults: FAULTS,
    recordSamples: [
      {
        type: 'A',
        name: 'rt-geo',
        first: ['192.0.2.1', '192.0.2.2'],
        second: ['192.0.2.1', '192.0.2.3'],
        properties: [
          {
            name: GOOGLE_PROPERTIES.routingPolicy,
            value: routingPolicyProperty({
              geo: {
                items: [
                  { location: 'us-east1', rrdatas: ['192.0.2.1'] },
                  { location: 'europe-west1', rrdatas: ['192.0.2.3'] },
                ],
              },
            }),
          },
        ],
      },
    ],
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 60_000);
});
