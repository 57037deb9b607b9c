// The provider conformance suite (@openova/dns-core/testing) on the in-memory provider.
import { describe, expect, it } from 'vitest';
import { endpoint, emptyChanges, InMemoryProvider, ProviderError } from '../src/index.js';
import {
  conformanceTests,
  recordTypeCases,
  ROUTING_RECORD_SAMPLES,
  skipReason,
  type ConformanceFault,
  type ConformanceHarness,
} from '../src/testing/index.js';

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

describe('alias and routing samples: skipped unless declared, and the sample steps on a provider that stores any property', () => {
  const probe = new InMemoryProvider({ zones: [ZONE] });
  const routing = recordTypeCases(ROUTING_RECORD_SAMPLES);
  const used = [...new Set(routing.flatMap((c) => c.needs?.providerSpecific ?? []))];

  it('each sample names what it needs; a provider that declares nothing skips them all with the reason', () => {
    expect(routing.map((c) => c.id)).toEqual([
      'record-types/a-alias',
      'record-types/aaaa-alias',
      'record-types/a-alias-apex',
      'record-types/a-weighted',
      'record-types/a-latency',
      'record-types/a-failover',
      'record-types/a-geolocation',
      'record-types/a-geoproximity',
      'record-types/a-multivalue',
      'record-types/a-policy-switch',
    ]);
    const info = { capabilities: probe.capabilities, zones: true, faults: [] };
    for (const c of routing)
      expect(skipReason(c, info)).toMatch(/^provider-specific property .+ not declared$/);
    const declared = { ...info, capabilities: { ...probe.capabilities, providerSpecific: used } };
    for (const c of routing) expect(skipReason(c, declared)).toBeUndefined();
    const noSets = {
      ...declared,
      capabilities: { ...declared.capabilities, setIdentifiers: false },
    };
    expect(
      routing.filter((c) => skipReason(c, noSets) === 'no set identifiers').map((c) => c.id),
    ).toHaveLength(7);
  });

  // the in-memory provider stores properties verbatim: with them declared, the steps themselves run
  for (const t of conformanceTests(
    {
      capabilities: { ...probe.capabilities, providerSpecific: used },
      zones: true,
      createHarness: () => Promise.resolve(harness()),
    },
    routing,
  ))
    it.skipIf(t.skip !== undefined)(t.title, t.run);
});
