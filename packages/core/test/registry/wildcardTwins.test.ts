// With wildcardReplacement, `*.x` and a literal `<replacement>.x` share one marker name. Neither is
// read as ours then, and neither is created beside the other: a hand-made record is never taken
// over or deleted, and no record is left without its marker.
import { describe, expect, it } from 'vitest';
import { InMemoryProvider, reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';

const A = (dnsName: string, target: string): EndpointInit => ({
  dnsName,
  recordType: 'A',
  targets: [target],
  recordTTL: 300,
});
const M = (dnsName: string, owner: string): EndpointInit => ({
  dnsName,
  recordType: 'TXT',
  targets: [`"heritage=external-dns,external-dns/owner=${owner}"`],
});
const options = { ownerId: 'me', prefix: '_externaldns.%{record_type}.', wildcardReplacement: 'wc' };

describe('wildcard and replacement-name twins', () => {
  it('a hand-made literal record beside our wildcard is never deleted or updated', async () => {
    for (const desired of [
      [A('*.apps.example.com', '1.1.1.1')],
      [A('*.apps.example.com', '1.1.1.1'), A('wc.apps.example.com', '7.7.7.7')],
      [A('other.example.com', '2.2.2.2')],
    ]) {
      const provider = new InMemoryProvider({
        zones: ['example.com'],
        records: [
          A('*.apps.example.com', '1.1.1.1'),
          M('_externaldns.a.wc.apps.example.com', 'me'),
          A('wc.apps.example.com', '6.6.6.6'),
        ],
      });
      const registry = new TxtRegistry(provider, options);
      await reconcile({ registry, desired, policy: 'sync', safety: false });
      const stored = await provider.records();
      expect(stored.find((e) => e.dnsName === 'wc.apps.example.com')?.targets).toEqual(['6.6.6.6']);
      expect(stored.find((e) => e.dnsName === '*.apps.example.com')?.targets).toEqual(['1.1.1.1']);
      expect(stored.some((e) => e.dnsName === '_externaldns.a.wc.apps.example.com')).toBe(true);
      expect(registry.warnings.map((w) => w.kind)).toContain('ambiguous-owner');
    }
  });

  it('creating the wildcard while its literal twin is deleted waits a run: never a record without its marker', async () => {
    const provider = new InMemoryProvider({
      zones: ['example.com'],
      records: [A('wc.apps.example.com', '6.6.6.6'), M('_externaldns.a.wc.apps.example.com', 'me')],
    });
    const registry = new TxtRegistry(provider, options);
    const desired = [A('*.apps.example.com', '9.9.9.9')];
    const first = await reconcile({ registry, desired, policy: 'sync', safety: false });
    expect(first.skipped.map((s) => s.code)).toEqual(['marker-not-writable']);
    expect((await provider.records()).map((e) => e.dnsName)).toEqual([]);
    const second = await reconcile({ registry, desired, policy: 'sync', safety: false });
    expect(second.skipped).toEqual([]);
    expect((await provider.records()).map((e) => e.dnsName).sort()).toEqual([
      '*.apps.example.com',
      '_externaldns.a.wc.apps.example.com',
    ]);
    const third = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(third.plan.hasChanges).toBe(false);
  });

  it('both twins desired at once: the second is reported, nothing fails at apply', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, options);
    const result = await reconcile({
      registry,
      desired: [A('*.apps.example.com', '1.1.1.1'), A('wc.apps.example.com', '2.2.2.2')],
      policy: 'sync',
    });
    expect(result.applied).toBe(true);
    expect(result.skipped.map((s) => [s.record.dnsName, s.code])).toEqual([
      ['wc.apps.example.com', 'marker-not-writable'],
    ]);
  });
});
