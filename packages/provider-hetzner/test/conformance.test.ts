// The provider conformance suite (@openova/dns-core/testing) on HetznerProvider against the loopback
// fake, with every fault the fake can inject: 500s on writes whose actions were started (only the
// answer lost), 429 storms with RateLimit headers, answers later than the client's timeout, and
// connections dropped before an answer.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DomainFilter, emptyChanges, endpoint } from '@openova/dns-core';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '@openova/dns-core/testing';
import { HetznerProvider, LABEL_PROPERTY_PREFIX } from '@openova/dns-provider-hetzner';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';

const FAULTS: ConformanceFault[] = [
  'server-error',
  'rate-limit-storm',
  'timeout',
  'connection-drop',
  'echo-credential',
];
let fake: FakeHetzner;
let cases = 0;

beforeAll(async () => {
  // actions finish on their second poll: every apply waits through a `running` answer
  fake = await startFakeHetzner({ actionPolls: 2 });
});

afterAll(() => fake?.close());

function provider(zone: string, baseUrl: string): HetznerProvider {
  return new HetznerProvider({
    token: 'test-token',
    baseUrl,
    domainFilter: new DomainFilter({ include: [zone] }),
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
    timeoutMs: 500,
    pollIntervalMs: 1,
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
    secret: 'test-token',
    seed: (records) => p.applyChanges({ ...emptyChanges(), create: records.map(endpoint) }),
    inject(fault) {
      if (fault === 'server-error') fake.failNext(1, { method: 'write', afterExecuting: true });
      else if (fault === 'rate-limit-storm') fake.throttleNext(3);
      else if (fault === 'timeout') fake.delayNext(1, 1500, { method: 'write' });
      else if (fault === 'echo-credential')
        fake.failNext(50, { status: 403, code: 'forbidden', echoCredential: true });
      else fake.dropNext(1, { method: 'write' });
    },
    clearFaults: () => fake.clearFaults(),
    close: () => p.client.close(),
  });
}

describe('provider conformance: Hetzner (fake)', () => {
  for (const t of conformanceTests({
    capabilities: provider('example.com', 'http://127.0.0.1:9/v1').capabilities,
    zones: true,
    faults: FAULTS,
    recordSamples: [
      {
        type: 'A',
        name: 'rt-labelled',
        first: ['192.0.2.1'],
        second: ['192.0.2.2'],
        properties: [{ name: `${LABEL_PROPERTY_PREFIX}team`, value: 'dns' }],
      },
    ],
    createHarness: harness,
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run, 30_000);
});
