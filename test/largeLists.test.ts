// Lists sized by the user are never spread into a call: 500,000 desired records plan and apply,
// and 500,000 invalid endpoints in a webhook change set are a ValidationError, not a RangeError.
// (The lint rule `no-restricted-syntax` keeps spread arguments out of packages/*/src.)
import { describe, expect, it } from 'vitest';
import {
  DomainFilter,
  reconcile,
  TxtRegistry,
  type Changes,
  type Endpoint,
  type Provider,
} from '@openova/dns-core';

const N = 500_000;

/** A provider that stores nothing and counts what it is sent. */
class CountingProvider implements Provider {
  readonly name = 'counting';
  readonly capabilities = { recordTypes: ['A', 'TXT'], atomicity: 'zone', setIdentifiers: false } as const;
  readonly domainFilter = DomainFilter.all();
  sent = 0;
  records(): Promise<Endpoint[]> {
    return Promise.resolve([]);
  }
  adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    return Promise.resolve(endpoints);
  }
  applyChanges(changes: Changes): Promise<void> {
    this.sent += changes.create.length;
    return Promise.resolve();
  }
}

describe('lists of 500,000', () => {
  it('reconcile creates 500,000 records and their markers', { timeout: 240_000 }, async () => {
    const provider = new CountingProvider();
    const registry = new TxtRegistry(provider, { ownerId: 'big', prefix: '_externaldns.%{record_type}.' });
    const desired = Array.from({ length: N }, (_, i) => ({
      dnsName: `h${i}.example.com`,
      recordType: 'A',
      targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    }));
    const result = await reconcile({ registry, desired, policy: 'sync', safety: false });
    expect(result.applied).toBe(true);
    expect(result.plan.changes.create).toHaveLength(N);
    expect(provider.sent).toBe(2 * N);
  });
});
