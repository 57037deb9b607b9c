// Safety limits as a user sets them: a limit that cannot mean what was meant is refused before
// anything is read, and a refusal's numbers never read "30% is above the limit of 30%".
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  UnsafePlanError,
  type SafetyLimits,
} from '@openova/dns-core';
import { ListProvider } from './support/listProvider.js';

const hosts = (n: number, ip = '192.0.2.1') =>
  Array.from({ length: n }, (_, i) => ({ dnsName: `h${i}.example.com`, recordType: 'A', targets: [ip] }));

async function owning(n: number) {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
  await reconcile({ registry, desired: hosts(n), policy: 'sync', safety: false });
  return { provider, registry };
}

describe('safety limits as given', () => {
  it('3,001 deletes of 10,000 owned records: the share is shown precisely enough to be above the limit', async () => {
    const { registry } = await owning(10000);
    const error = await reconcile({ registry, desired: hosts(6999), policy: 'sync', dryRun: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsafePlanError);
    expect((error as UnsafePlanError).violations.map((v) => v.message)).toEqual([
      'deleting 3001 of 10000 owned records in zone example.com (30.01%) is above the limit of 30%',
    ]);
  });

  it('a desired set just below the collapse ratio says so with distinct percentages', async () => {
    const { registry } = await owning(10000);
    const error = await reconcile({
      registry,
      desired: hosts(4999),
      policy: 'sync',
      dryRun: true,
      safety: { maxDeleteRatio: 1 },
    }).catch((e: unknown) => e);
    expect((error as UnsafePlanError).violations.map((v) => v.message)).toEqual([
      'the desired set collapsed to 4999 records while we own 10000 (49.99%, below 50%): applying would delete 5001',
    ]);
  });

  const refused: [string, unknown, RegExp][] = [
    [
      'a typo',
      { maxDeletesRatio: 0.05 },
      /^safety\.maxDeletesRatio is not a safety limit; the limits are maxUpdateRatio, maxDeleteRatio, minOwnedRecords, refuseEmptyDesired, minDesiredRatio$/,
    ],
    [
      'a percentage for a ratio',
      { maxDeleteRatio: 30 },
      /^safety\.maxDeleteRatio must be a ratio from 0 to 1 \(0\.3 means 30%\), got 30$/,
    ],
    [
      'NaN',
      { maxUpdateRatio: Number.NaN },
      /^safety\.maxUpdateRatio must be a ratio from 0 to 1 .*, got NaN$/,
    ],
    ['a string', { minDesiredRatio: '0.5' }, /^safety\.minDesiredRatio must be a ratio .*, got "0\.5"$/],
    [
      'a negative count',
      { minOwnedRecords: -1 },
      /^safety\.minOwnedRecords must be a number of records, 0 or more, got -1$/,
    ],
    [
      'a non-boolean',
      { refuseEmptyDesired: 'no' },
      /^safety\.refuseEmptyDesired must be true or false, got "no"$/,
    ],
    ['not an object', 0.3, /^safety must be an object of limits .* or false, got 0\.3$/],
  ];
  for (const [what, safety, message] of refused)
    it(`refuses ${what} before reading or writing anything`, async () => {
      const provider = new InMemoryProvider({ zones: ['example.com'] });
      const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
      const error = await reconcile({
        registry,
        desired: hosts(1),
        policy: 'sync',
        safety: safety as Partial<SafetyLimits>,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(message);
      expect(provider.calls).toEqual({ records: 0, applyChanges: 0, adjustEndpoints: 0 });
    });

  it('accepts the bounds: ratios 0 and 1, minOwnedRecords 0', async () => {
    const { registry } = await owning(3);
    const result = await reconcile({
      registry,
      desired: hosts(3, '192.0.2.2'),
      policy: 'sync',
      dryRun: true,
      safety: { maxUpdateRatio: 1, maxDeleteRatio: 0, minOwnedRecords: 0 },
    });
    expect(result.counts.update).toBe(3);
  });

  it('a limit given as undefined (an unset setting from JavaScript) keeps its default', async () => {
    const { registry } = await owning(10);
    const unset = { maxDeleteRatio: undefined } as unknown as Partial<SafetyLimits>;
    const error = await reconcile({
      registry,
      desired: hosts(6),
      policy: 'sync',
      dryRun: true,
      safety: unset,
    }).catch((e: unknown) => e);
    expect((error as UnsafePlanError).violations.map((v) => v.message)).toEqual([
      'deleting 4 of 10 owned records in zone example.com (40%) is above the limit of 30%',
    ]);
    // and within the default, the plan goes through
    await expect(
      reconcile({ registry, desired: hosts(7), policy: 'sync', dryRun: true, safety: unset }),
    ).resolves.toMatchObject({ counts: { delete: 3 } });
  });

  it('a provider that lists no zones (a webhook) is measured as one whole, not as "zone (outside any zone)"', async () => {
    const provider = new ListProvider();
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    await reconcile({ registry, desired: hosts(10), policy: 'sync', safety: false });
    const error = await reconcile({ registry, desired: hosts(6), policy: 'sync', dryRun: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsafePlanError);
    expect((error as UnsafePlanError).violations).toEqual([
      {
        rule: 'max-delete-ratio',
        zone: undefined,
        count: 4,
        total: 10,
        limit: 0.3,
        message: 'deleting 4 of 10 owned records (40%) is above the limit of 30%',
      },
    ]);
  });
});
