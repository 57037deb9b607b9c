// Ownership markers a provider cannot store are reported at plan time (marker-not-writable), in the
// plan, the dry run and the rendered plan; the rest of the run is applied.
import { describe, expect, it } from 'vitest';
import {
  InMemoryProvider,
  reconcile,
  renderPlanMarkdown,
  renderPlanText,
  TxtRegistry,
  type EndpointInit,
} from '@openova/dns-core';

const desired: EndpointInit[] = [
  { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.11'] },
  { dnsName: '*.apps.example.com', recordType: 'A', targets: ['192.0.2.10'] },
];

describe('marker-not-writable', () => {
  it('a wildcard under a templated prefix without wildcardReplacement is reported, www is written', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    const dry = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(dry.plan.skipped).toHaveLength(1);
    expect(dry.plan.skipped[0]).toMatchObject({
      code: 'marker-not-writable',
      record: { dnsName: '*.apps.example.com' },
    });
    expect(dry.plan.skipped[0]?.reason).toContain('_externaldns.a.*.apps.example.com');
    expect(dry.plan.skipped[0]?.reason).toContain('wildcardReplacement');
    expect(renderPlanText(dry.plan)).toContain('Not written (1):');
    expect(renderPlanText(dry.plan)).toContain('! *.apps.example.com A [marker-not-writable]');
    expect(renderPlanMarkdown(dry.plan)).toContain('#### Not written (1)');

    const run = await reconcile({ registry, desired, policy: 'sync' });
    expect(run.applied).toBe(true);
    expect(run.skipped.map((s) => s.code)).toEqual(['marker-not-writable']);
    const names = (await provider.records()).map((e) => `${e.dnsName} ${e.recordType}`);
    expect(names).toEqual(['_externaldns.a.www.example.com TXT', 'www.example.com A']);

    // converged: nothing to do, but the plan still says what is not written and never "up to date"
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    const text = renderPlanText(again.plan);
    expect(text).toContain('No changes will be made.');
    expect(text).not.toContain('up to date');
  });

  it('with wildcardReplacement the wildcard is written with its marker', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, {
      ownerId: 'me',
      prefix: '_externaldns.%{record_type}.',
      wildcardReplacement: 'wildcard',
    });
    const run = await reconcile({ registry, desired, policy: 'sync' });
    expect(run.skipped).toEqual([]);
    expect((await provider.records()).map((e) => e.dnsName)).toContain(
      '_externaldns.a.wildcard.apps.example.com',
    );
  });

  it('an apex record whose prefix has no trailing dot puts its marker outside the zone: reported', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: 'txt-' });
    const apex: EndpointInit[] = [
      { dnsName: 'example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'api.example.com', recordType: 'A', targets: ['192.0.2.2'] },
    ];
    const run = await reconcile({ registry, desired: apex, policy: 'sync' });
    expect(run.skipped).toHaveLength(1);
    expect(run.skipped[0]?.reason).toMatch(
      /"txt-a-example\.com" lies outside the record's zone example\.com; use a TXT prefix that ends in "\."/,
    );
    expect((await provider.records()).map((e) => e.dnsName)).toEqual([
      'api.example.com',
      'txt-a-api.example.com',
    ]);
  });

  it('the registry warns when applyChanges is called directly, and sends the rest', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    await registry.records();
    await registry.applyChanges({
      create: desired.map((d) => ({
        setIdentifier: '',
        recordTTL: 0,
        labels: {},
        providerSpecific: [],
        targets: [],
        ...d,
      })),
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    expect(registry.warnings.map((w) => w.kind)).toEqual(['marker-not-writable']);
    expect(provider.applied).toHaveLength(1);
    expect(provider.applied[0]?.create.map((e) => e.dnsName)).toEqual([
      'www.example.com',
      '_externaldns.a.www.example.com',
    ]);
  });
});
