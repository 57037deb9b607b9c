// Records a provider read back stored more than once (REPEATED_RECORDS_PROPERTY): the plan rewrites
// them, a repeated ownership TXT repairs through its record, and repairs are not counted as updates
// by the safety limits.
import { describe, expect, it } from 'vitest';
import {
  checkSafety,
  endpoint,
  FORCE_UPDATE_PROPERTY,
  InMemoryProvider,
  reconcile,
  renderPlanText,
  TxtRegistry,
  type CallOptions,
  type Endpoint,
} from '@openova/dns-core';
import { REPEATED_RECORDS_PROPERTY } from '@openova/dns-core/provider';

/** An in-memory provider that reports the named rrsets as stored twice, as PowerDNS over SQL can. */
class RepeatingProvider extends InMemoryProvider {
  repeated = new Set<string>();

  override async records(options?: CallOptions): Promise<Endpoint[]> {
    const records = await super.records(options);
    for (const ep of records) {
      if (this.repeated.has(`${ep.dnsName} ${ep.recordType}`))
        ep.providerSpecific.push({ name: REPEATED_RECORDS_PROPERTY, value: '1' });
    }
    return records;
  }
}

const desired = Array.from({ length: 12 }, (_, i) => ({
  dnsName: `h${i}.example.com`,
  recordType: 'A' as const,
  targets: ['192.0.2.1'],
}));

describe('repeated records', () => {
  it('a repeated record is updated once, says why, and the plan after the repair is empty', async () => {
    const provider = new RepeatingProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: 'own.%{record_type}.' });
    await reconcile({ registry, desired, policy: 'sync' });
    provider.repeated.add('h1.example.com A');
    const plan = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(plan.counts).toMatchObject({ create: 0, update: 1, delete: 0 });
    expect(renderPlanText(plan.plan)).toContain(`{${REPEATED_RECORDS_PROPERTY}=1} → {}`);
    await reconcile({ registry, desired, policy: 'sync' });
    provider.repeated.clear(); // what the rewrite does on a real server
    expect((await reconcile({ registry, desired, policy: 'sync', dryRun: true })).plan.hasChanges).toBe(
      false,
    );
  });

  it('a repeated ownership TXT makes the registry rewrite its record (and so the TXT)', async () => {
    const provider = new RepeatingProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: 'own.%{record_type}.' });
    await reconcile({ registry, desired, policy: 'sync' });
    provider.repeated.add('own.a.h2.example.com TXT');
    const records = await registry.records();
    const h2 = records.find((ep) => ep.dnsName === 'h2.example.com');
    expect(h2?.providerSpecific).toEqual([{ name: FORCE_UPDATE_PROPERTY, value: 'true' }]);
    const plan = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(plan.counts.update).toBe(1);
    expect(plan.plan.ownershipChanges.updateNew.map((ep) => ep.dnsName)).toEqual(['own.a.h2.example.com']);
  });

  it("another owner's repeated TXT changes nothing", async () => {
    const provider = new RepeatingProvider({ zones: ['example.com'] });
    await reconcile({
      registry: new TxtRegistry(provider, { ownerId: 'them', prefix: 'own.%{record_type}.' }),
      desired,
      policy: 'sync',
    });
    provider.repeated.add('own.a.h2.example.com TXT');
    provider.repeated.add('h3.example.com A');
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: 'own.%{record_type}.' });
    const plan = await reconcile({ registry, desired: [], policy: 'sync', dryRun: true });
    expect(plan.plan.hasChanges).toBe(false);
  });

  it('repairs do not count against maxUpdateRatio; real updates still do', () => {
    const current = Array.from({ length: 20 }, (_, i) =>
      endpoint({
        dnsName: `r${i}.example.com`,
        recordType: 'A',
        targets: ['192.0.2.1'],
        labels: { owner: 'me' },
      }),
    );
    const broken = current.slice(0, 15).map((ep, i) => ({
      ...ep,
      providerSpecific: [{ name: i % 2 ? REPEATED_RECORDS_PROPERTY : FORCE_UPDATE_PROPERTY, value: '1' }],
    }));
    const base = { current, ownerId: 'me', zones: ['example.com'], desiredCount: 20 };
    const rewritten = broken.map((ep) => ({ ...ep, providerSpecific: [] }));
    expect(
      checkSafety({ ...base, changes: { create: [], updateOld: broken, updateNew: rewritten, delete: [] } }),
    ).toEqual([]);
    // the same records with a new value are real updates
    const changed = rewritten.map((ep) => ({ ...ep, targets: ['192.0.2.2'] }));
    expect(
      checkSafety({ ...base, changes: { create: [], updateOld: broken, updateNew: changed, delete: [] } })[0]
        ?.rule,
    ).toBe('max-update-ratio');
  });
});
