// The provider conformance suite (@openova/dns-core/testing) on the in-memory provider.
import { describe, it } from 'vitest';
import { endpoint, emptyChanges, InMemoryProvider, ProviderError } from '../src/index.js';
import { conformanceTests, type ConformanceFault, type ConformanceHarness } from '../src/testing/index.js';

const ZONE = 'example.com';
const FAULTS: ConformanceFault[] = ['server-error'];

function harness(): ConformanceHarness {
  const provider = new InMemoryProvider({ zones: [ZONE] });
  let failing = false;
  const apply = provider.applyChanges.bind(provider);
  // a 500 before anything is written, on every write until cleared
  provider.applyChanges = (changes, options) =>
    failing
      ? Promise.reject(new ProviderError('inmemory: injected 500', { provider: 'inmemory', retryable: true }))
      : apply(changes, options);
  return {
    provider,
    zone: ZONE,
    faults: FAULTS,
    seed: (records) => apply({ ...emptyChanges(), create: records.map(endpoint) }),
    inject: () => (failing = true),
    clearFaults: () => (failing = false),
    close: () => Promise.resolve(),
  };
}

describe('provider conformance: in-memory', () => {
  const probe = new InMemoryProvider({ zones: [ZONE] });
  for (const t of conformanceTests({
    capabilities: probe.capabilities,
    zones: true,
    faults: FAULTS,
    createHarness: () => Promise.resolve(harness()),
  }))
    it.skipIf(t.skip !== undefined)(t.title, t.run);
});
