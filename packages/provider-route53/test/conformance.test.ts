// The provider conformance suite (@openova/dns-core/testing) on Route53Provider against the loopback
// fake, driven by the real AWS SDK: InternalFailure (500) and Throttling (400) storms, dropped
// connections; every request also passes the fake's 5 requests/s limit.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { RateLimiter } from '@openova/dns-core/http';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import { AWS_PROPERTIES, Route53Provider } from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
// a session token too: the one secret AWS sends on the wire (the secret key only signs)
const credentials = {
  accessKeyId: 'AKIDCONFORMANCE',
  secretAccessKey: 'conformance-secret',
  sessionToken: 'conformance-session-token-0123456789',
};
const FAULTS: ConformanceFault[] = [
  'server-error',
  'rate-limit-storm',
  'connection-drop',
  'timeout',
  'echo-credential',
];
let fake: FakeRoute53;
let cases = 0;
// one account, one budget: every provider of the run shares it, as in one AWS account
const budget = new RateLimiter({ requests: 5, windowMs: 1000 });

beforeAll(async () => {
  fake = await startFakeRoute53();
});

afterAll(() => fake?.close());

function provider(zone: string, endpoint: string): Route53Provider {
  return new Route53Provider({
    endpoint,
    credentials,
    region: 'us-east-1',
    maxAttempts: 5,
    rateLimiter: budget,
    throttleBackoffMs: 200,
    requestTimeoutMs: 2000,
    domainFilter: new DomainFilter({ include: [zone] }),
  });
}

function harness(): Promise<ConformanceHarness> {
  const zone = `c${++cases}.conformance.test`;
  fake.addZone({ name: zone });
  const p = provider(zone, fake.url);
  return Promise.resolve({
    provider: p,
    zone,
    faults: FAULTS,
    secret: credentials.sessionToken,
    seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    inject(fault) {
      if (fault === 'server-error') fake.failNext(2, { code: 'InternalFailure', method: 'POST' });
      else if (fault === 'connection-drop') fake.failNext(1, { drop: true, method: 'POST' });
      else if (fault === 'timeout') fake.failNext(1, { delayMs: 2500, method: 'POST' });
      else if (fault === 'echo-credential') fake.failNext(50, { echoCredential: true });
      else fake.failNext(3, { code: 'Throttling' });
    },
    clearFaults: () => fake.clearFaults(),
    close: () => Promise.resolve(),
  });
}

describe('provider conformance: Route53 (fake)', () => {
  for (const t of conformanceTests({
    capabilities: provider('example.com', 'http://127.0.0.1:9').capabilities,
    zones: true,
    faults: FAULTS,
    recordSamples: [
      {
        type: 'A',
        label: 'health-check',
        name: 'rt-health',
        first: ['192.0.2.1'],
        second: ['192.0.2.2'],
        properties: [{ name: AWS_PROPERTIES.healthCheckId, value: 'abcdef01-2345-6789-abcd-ef0123456789' }],
      },
    ],
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 60_000);
});
