import { describe, expect, it } from 'vitest';
import {
  applyInBatches,
  DomainFilter,
  endpoint,
  PartialApplyError,
  ProviderError,
  type Changes,
  type Endpoint,
  type Provider,
} from '@openova/dns-core';

/** An all-or-nothing batch provider that rejects any batch containing a name from `bad`. */
function rejectingProvider(bad: Set<string>, maxChangesPerApply = 10) {
  const accepted: Changes[] = [];
  let calls = 0;
  const provider: Provider = {
    name: 'fake',
    capabilities: {
      recordTypes: ['A', 'TXT'],
      atomicity: 'batch',
      setIdentifiers: false,
      maxChangesPerApply,
    },
    domainFilter: DomainFilter.all(),
    records: () => Promise.resolve([]),
    adjustEndpoints: (e: Endpoint[]) => Promise.resolve(e),
    applyChanges: (changes: Changes) => {
      calls++;
      const hit = changes.create.find((e) => bad.has(e.dnsName));
      if (hit)
        return Promise.reject(
          new ProviderError(`invalid content for ${hit.dnsName}`, {
            provider: 'fake',
            code: 'RECORD_REJECTED',
          }),
        );
      accepted.push(changes);
      return Promise.resolve();
    },
  };
  return { provider, accepted, calls: () => calls };
}

const withTxt = (i: number) => [
  endpoint({ dnsName: `r${i}.example.com`, recordType: 'A', targets: ['192.0.2.1'] }),
  endpoint({
    dnsName: `a-r${i}.example.com`,
    recordType: 'TXT',
    targets: ['"x"'],
    labels: { ownedRecord: `r${i}.example.com` },
  }),
];

describe('applyInBatches', () => {
  it('isolates rejected changes by bisection, applies the rest and names the bad ones', async () => {
    const { provider, accepted, calls } = rejectingProvider(new Set(['r3.example.com', 'r12.example.com']));
    const create = Array.from({ length: 16 }, (_, i) => withTxt(i)).flat();
    const error = await applyInBatches(provider, { create, updateOld: [], updateNew: [], delete: [] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PartialApplyError);
    const rejected = (error as PartialApplyError).rejected;
    expect(rejected.map((r) => r.records)).toEqual([['r3.example.com A'], ['r12.example.com A']]);
    expect(rejected[0]!.reason).toBe('invalid content for r3.example.com');
    const applied = accepted.flatMap((c) => c.create);
    expect(applied).toHaveLength(28); // 14 records with their 14 TXTs
    for (const c of accepted) {
      const records = c.create.filter((e) => e.recordType === 'A').map((e) => e.dnsName);
      expect(c.create.filter((e) => e.recordType === 'TXT').map((e) => e.labels['ownedRecord'])).toEqual(
        records,
      );
      expect(c.create.length).toBeLessThanOrEqual(10);
    }
    expect(calls()).toBeLessThan(20); // bisection, not one call per record
  });

  it('stops at once on errors that are not content rejections', async () => {
    const provider: Provider = {
      ...rejectingProvider(new Set()).provider,
      applyChanges: () =>
        Promise.reject(new ProviderError('server down', { provider: 'fake', retryable: true, status: 503 })),
    };
    await expect(
      applyInBatches(provider, { create: withTxt(1), updateOld: [], updateNew: [], delete: [] }),
    ).rejects.toThrow('server down');
  });
});
