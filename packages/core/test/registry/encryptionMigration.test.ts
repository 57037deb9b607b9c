// With encryption on and oldOwnerId set, a marker is rewritten once, when its owner changes (with a
// fresh nonce), and then left alone: no rewrite with a new nonce on every run (issue s1; ExternalDNS
// flaps here).
import { describe, expect, it } from 'vitest';
import { InMemoryProvider, reconcile, TxtRegistry } from '@openova/dns-core';

describe('encrypted markers under owner migration', () => {
  it('rewrites each marker once, then plans nothing', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const aesKey = Buffer.alloc(32, 7).toString('base64');
    const prefix = '_externaldns.%{record_type}.';
    const desired = [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }];
    await reconcile({
      registry: new TxtRegistry(provider, { ownerId: 'old', prefix, encryption: { aesKey } }),
      desired,
      policy: 'sync',
    });
    const marker = async () => (await provider.records()).find((e) => e.recordType === 'TXT')?.targets[0];
    const before = await marker();
    const registry = new TxtRegistry(provider, {
      ownerId: 'new',
      oldOwnerId: 'old',
      prefix,
      encryption: { aesKey },
    });
    const first = await reconcile({ registry, desired, policy: 'sync' });
    expect(first.applied).toBe(true);
    const migrated = await marker();
    expect(migrated).not.toBe(before);
    // a new meaning gets a fresh nonce: the first 16 base64 characters (12 bytes) differ
    expect(migrated?.slice(1, 17)).not.toBe(before?.slice(1, 17));
    for (let i = 0; i < 3; i++) {
      const run = await reconcile({ registry, desired, policy: 'sync' });
      expect(run.plan.hasChanges).toBe(false);
      expect(run.applied).toBe(false);
      expect(await marker()).toBe(migrated);
    }
    // a target change keeps the marker as it is (same meaning, same nonce, same bytes)
    await reconcile({ registry, desired: [{ ...desired[0]!, targets: ['192.0.2.2'] }], policy: 'sync' });
    expect(await marker()).toBe(migrated);
  });
});

describe('encrypted markers the new owner already owns, with oldOwnerId set (issue 11 s1)', () => {
  const aesKey = Buffer.alloc(32, 9).toString('base64');
  const desired = [
    { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    { dnsName: 'c.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
  ];

  for (const prefix of [undefined, '_externaldns.%{record_type}.', 'p-']) {
    it(`are never rewritten while their meaning stays (prefix ${prefix ?? 'none'})`, async () => {
      const provider = new InMemoryProvider({ zones: ['example.com'] });
      const naming = prefix === undefined ? {} : { prefix };
      await reconcile({
        registry: new TxtRegistry(provider, { ownerId: 'new', ...naming, encryption: { aesKey } }),
        desired,
        policy: 'sync',
      });
      const markers = async () =>
        (await provider.records())
          .filter((e) => e.recordType === 'TXT')
          .map((e) => `${e.dnsName} ${e.targets.join(' ')}`)
          .sort();
      const stored = await markers();
      expect(stored).toHaveLength(2); // encrypted markers are written in the typed format only
      const registry = new TxtRegistry(provider, {
        ownerId: 'new',
        oldOwnerId: 'old',
        ...naming,
        encryption: { aesKey },
      });
      for (let i = 0; i < 3; i++) {
        const run = await reconcile({ registry, desired, policy: 'sync' });
        expect(run.plan.hasChanges).toBe(false);
        expect(await markers()).toEqual(stored);
      }
      // A record change is not a marker change: same labels, same nonce, same bytes.
      for (const target of ['192.0.2.7', '192.0.2.8']) {
        const run = await reconcile({
          registry,
          desired: [{ ...desired[0]!, targets: [target] }, desired[1]!],
          policy: 'sync',
        });
        expect(run.applied).toBe(true);
        expect(await markers()).toEqual(stored);
      }
    });
  }
});
