// The provider conformance suite (@openova/dns-core/testing) on CloudflareProvider against the
// loopback fake: lost answers after a batch was executed (502) and 429 storms.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import { CloudflareProvider, COMMENT_PROPERTY, PROXIED_PROPERTY } from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';

const FAULTS: ConformanceFault[] = ['server-error', 'rate-limit-storm', 'echo-credential'];
let fake: FakeCloudflare;
let cases = 0;

beforeAll(async () => {
  fake = await startFakeCloudflare();
});

afterAll(() => fake?.close());

function provider(zone: string, baseUrl: string): CloudflareProvider {
  return new CloudflareProvider({
    apiToken: 'test-token',
    baseUrl,
    domainFilter: new DomainFilter({ include: [zone] }),
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
  });
}

function harness(): Promise<ConformanceHarness> {
  // a fresh zone for every case
  const zone = `c${++cases}.conformance.test`;
  fake.addZone({ name: zone, plan: 'pro' });
  const p = provider(zone, fake.url);
  return Promise.resolve({
    provider: p,
    zone,
    faults: FAULTS,
    secret: 'test-token',
    seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    inject(fault) {
      // the batch is carried out and only its answer is lost: the hard case for "record and marker together"
      if (fault === 'server-error') fake.failNext(1, { status: 502, afterExecuting: true, method: 'POST' });
      else if (fault === 'echo-credential') fake.failNext(50, { status: 403, echoCredential: true });
      else fake.throttleNext(3, 1);
    },
    clearFaults: () => fake.clearFaults(),
    close: () => Promise.resolve(),
  });
}

describe('provider conformance: Cloudflare (fake)', () => {
  for (const t of conformanceTests({
    // capabilities do not depend on the server: read them before it starts
    capabilities: provider('example.com', 'http://127.0.0.1:9/client/v4').capabilities,
    zones: true,
    faults: FAULTS,
    // Cloudflare's own properties: proxied (TTL becomes automatic) and a comment
    recordSamples: [
      {
        type: 'A',
        name: 'rt-proxied',
        first: ['192.0.2.1'],
        second: ['192.0.2.2'],
        properties: [
          { name: PROXIED_PROPERTY, value: 'true' },
          { name: COMMENT_PROPERTY, value: 'managed by conformance' },
        ],
      },
    ],
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
