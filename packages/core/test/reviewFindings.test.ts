// Cases a fresh-eyes review found: each fails before its fix.
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  endpoint,
  ConfigError,
  InMemoryProvider,
  PlanConflictError,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  TxtRegistry,
  UnsafePlanError,
  ValidationError,
  type EndpointInit,
} from '@openova/dns-core';

const A = (dnsName: string, target = '192.0.2.1'): EndpointInit => ({
  dnsName,
  recordType: 'A',
  targets: [target],
});
const prefix = '_externaldns.%{record_type}.';

describe('review findings', () => {
  it('applyPlan refuses a create whose marker name was taken since the plan was made', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix });
    const { plan } = await reconcile({
      registry,
      desired: [A('n.example.com'), A('m.example.com')],
      policy: 'sync',
      dryRun: true,
    });
    const json = renderPlanJSON(plan);
    await provider.applyChanges({
      create: [
        {
          dnsName: '_externaldns.a.n.example.com',
          recordType: 'TXT',
          targets: ['"heritage=external-dns,external-dns/owner=other"'],
          setIdentifier: '',
          recordTTL: 0,
          labels: {},
          providerSpecific: [],
        },
      ],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    const error = await applyPlan({ registry, plan: planFromJSON(json) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((await provider.records()).some((e) => e.dnsName === 'm.example.com')).toBe(false);
  });

  it('applyPlan refuses a registry that names markers differently from the plan', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const { plan } = await reconcile({
      registry: new TxtRegistry(provider, { ownerId: 'me', prefix }),
      desired: [A('a.example.com')],
      policy: 'sync',
      dryRun: true,
    });
    const other = new TxtRegistry(provider, { ownerId: 'me', prefix: 'other-' });
    const error = await applyPlan({ registry: other, plan }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(provider.applied).toEqual([]);
  });

  it('a set identifier on a provider without routing policies is refused at desired[i], also in a dry run', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    (provider as { capabilities: unknown }).capabilities = {
      ...provider.capabilities,
      setIdentifiers: false,
    };
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix });
    const error = await reconcile({
      registry,
      desired: [A('a.example.com'), { ...A('b.example.com'), setIdentifier: 'x' }],
      policy: 'sync',
      dryRun: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([
      { path: ['desired', 1, 'setIdentifier'], code: 'set_identifier_unsupported' },
    ]);
  });

  it('a name no zone serves is reported (not an UNKNOWN_ZONE failure of the whole apply)', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix });
    const result = await reconcile({
      registry,
      desired: [A('b.example.com'), A('a.example.org')],
      policy: 'sync',
    });
    expect(result.applied).toBe(true);
    expect(result.skipped.map((s) => [s.path, s.code])).toEqual([[['desired', 1], 'outside-domain-filter']]);
  });

  it('an empty-in-effect desired set (every record skipped) is refused like an empty one', async () => {
    const records = Array.from({ length: 9 }, (_, i) => A(`h${i}.example.com`));
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix });
    await reconcile({ registry, desired: records, policy: 'sync' });
    await provider.applyChanges({
      create: [endpoint(A('foreign.example.com'))],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    for (const desired of [[A('foreign.example.com', '192.0.2.9')], [A('x.example.org')]]) {
      const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafePlanError);
    }
    expect((await provider.records()).filter((e) => e.recordType === 'A')).toHaveLength(10);
  });

  it('malformed JavaScript input is a ValidationError with paths, never a TypeError', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix });
    for (const desired of [
      [{ ...A('a.example.com'), targets: [null] }],
      [null],
      [{ ...A('a.example.com'), dnsName: null }],
      [{ ...A('a.example.com'), providerSpecific: [null] }],
      [{ ...A('a.example.com'), targets: '1.1.1.1' }],
      null,
    ]) {
      const error = await reconcile({ registry, desired: desired as never, policy: 'sync' }).catch(
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(desired)).toBeInstanceOf(ValidationError);
    }
    expect(provider.applied).toEqual([]);
  });
});
