import { describe, expect, it } from 'vitest';
import { InMemoryProvider, reconcile, TxtRegistry } from '@openova/dns-core';
import { ListProvider } from './support/listProvider.js';

// A provider whose zones() lists none serves no name: a dry run must say what the real run does
// (nothing written, each create reported), not plan a create the apply refuses with UNKNOWN_ZONE.
const desired = [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }];

describe('a provider that serves no zones', () => {
  it('dry run and run agree: the create is reported as not written, and nothing is sent', async () => {
    const provider = new InMemoryProvider({ zones: [] });
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    const dry = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(dry.plan.changes.create).toEqual([]);
    expect(dry.plan.hasChanges).toBe(false);
    expect(dry.skipped.map((s) => [s.code, s.reason, s.path])).toEqual([
      [
        'outside-domain-filter',
        'a.example.com A: no zone of inmemory serves this name (zones: none)',
        ['desired', 0],
      ],
    ]);
    const run = await reconcile({ registry, desired, policy: 'sync' });
    expect(run.applied).toBe(false);
    expect(run.plan.changes).toEqual(dry.plan.changes);
    expect(run.skipped.map((s) => s.code)).toEqual(['outside-domain-filter']);
    expect(provider.calls.applyChanges).toBe(0);
  });

  it('a provider without a zone list (a webhook client) still plans the create and leaves it to the provider', async () => {
    const inner = new ListProvider();
    expect('zones' in inner).toBe(false);
    const registry = new TxtRegistry(inner, { ownerId: 'me' });
    const dry = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(dry.plan.changes.create.map((ep) => ep.dnsName)).toEqual(['a.example.com']);
    expect(dry.skipped).toEqual([]);
    const run = await reconcile({ registry, desired, policy: 'sync' });
    expect(run.applied).toBe(true);
    expect(inner.applied).toHaveLength(1);
  });
});
