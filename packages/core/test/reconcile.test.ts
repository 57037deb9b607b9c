import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  AbortedError,
  applyPlan,
  InMemoryProvider,
  PlanConflictError,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  TxtRegistry,
  UnsafePlanError,
  ValidationError,
  type EndpointInit,
  type LogFields,
} from '@openova/dns-core';

const PREFIX = '_externaldns.%{record_type}.';
const setup = (records: EndpointInit[] = [], extra: { maxChangesPerApply?: number } = {}) => {
  const provider = new InMemoryProvider({ zones: ['example.com'], records, ...extra });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
  return { provider, registry };
};
const hosts = (n: number, ip = '192.0.2.1') =>
  Array.from({ length: n }, (_, i) => ({ dnsName: `h${i}.example.com`, recordType: 'A', targets: [ip] }));

describe('reconcile', () => {
  it('applies, then plans nothing; counts what it did', async () => {
    const { provider, registry } = setup();
    const first = await reconcile({ registry, desired: hosts(3), policy: 'sync' });
    expect(first.applied).toBe(true);
    expect(first.counts).toMatchObject({ create: 3, update: 0, delete: 0 });
    expect(first.plan.ownershipChanges.create).toHaveLength(3);
    expect(provider.calls.applyChanges).toBe(1);
    const second = await reconcile({ registry, desired: hosts(3), policy: 'sync' });
    expect(second.plan.hasChanges).toBe(false);
    expect(second.applied).toBe(false);
    expect(provider.calls.applyChanges).toBe(1);
  });

  it('dry-run computes the plan and never calls the provider to write', async () => {
    const { provider, registry } = setup();
    const result = await reconcile({ registry, desired: hosts(2), policy: 'sync', dryRun: true });
    expect(result).toMatchObject({ dryRun: true, applied: false, counts: { create: 2 } });
    expect(provider.calls.applyChanges).toBe(0);
    expect(await provider.records()).toEqual([]);
  });

  it('rejects invalid desired records with every issue before writing (the read is cancelled)', async () => {
    const { provider, registry } = setup();
    const error = await reconcile({
      registry,
      policy: 'sync',
      desired: [
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'bad.example.com', recordType: 'A', targets: ['300.1.1.1'] },
        { dnsName: 'x'.repeat(64) + '.example.com', recordType: 'AAAA', targets: ['192.0.2.1'] },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.issues.map((i) => i.path)).toEqual([
      ['desired', 1, 'targets', 0],
      ['desired', 2, 'dnsName'],
      ['desired', 2, 'targets', 0],
    ]);
    expect(v.message).toContain('desired[1].targets[0]: "300.1.1.1" is not an IPv4 address');
    // the zone read starts before the checks (they run while it is in flight) and is cancelled
    expect(provider.calls).toMatchObject({ applyChanges: 0, adjustEndpoints: 0 });
    expect(provider.calls.records).toBeLessThanOrEqual(1);
  });

  it('sends the zone read before it looks at the desired records', async () => {
    const { provider, registry } = setup();
    const order: string[] = [];
    const records = provider.records.bind(provider);
    const adjust = provider.adjustEndpoints.bind(provider);
    provider.records = (options) => (order.push('records'), records(options));
    provider.adjustEndpoints = (endpoints, options) => (
      order.push('adjustEndpoints'),
      adjust(endpoints, options)
    );
    const watched = {
      get dnsName() {
        order.push('desired read');
        return 'watched.example.com';
      },
      recordType: 'A',
      targets: ['192.0.2.9'],
    };
    await reconcile({ registry, desired: [watched], policy: 'sync' });
    expect(order.slice(0, 2)).toEqual(['records', 'desired read']);
    expect(order).toContain('adjustEndpoints');
  });

  it('cancels the zone read it started when the desired records are invalid', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    let readSignal: AbortSignal | undefined;
    // a slow server: the read only ends when it is cancelled
    provider.records = (options = {}) => {
      readSignal = options.signal;
      return new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(new AbortedError('read cancelled'))),
      );
    };
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
    const error = await reconcile({
      registry,
      policy: 'sync',
      desired: [{ dnsName: 'bad.example.com', recordType: 'A', targets: ['300.1.1.1'] }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(readSignal?.aborted).toBe(true);
  });

  it('refuses an unsafe plan naming the numbers, applies it with force', async () => {
    const { provider, registry } = setup();
    await reconcile({ registry, desired: hosts(20), policy: 'sync' });
    const error = await reconcile({ registry, desired: hosts(10), policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafePlanError);
    expect((error as UnsafePlanError).violations.map((v) => v.message)).toEqual([
      'deleting 10 of 20 owned records in zone example.com (50%) is above the limit of 30%',
    ]);
    expect((await provider.records()).filter((r) => r.recordType === 'A')).toHaveLength(20);
    const forced = await reconcile({ registry, desired: hosts(10), policy: 'sync', force: true });
    expect(forced.overriddenSafetyViolations).toHaveLength(1);
    expect((await provider.records()).filter((r) => r.recordType === 'A')).toHaveLength(10);
    // limits are configurable
    await expect(
      reconcile({ registry, desired: hosts(6), policy: 'sync', safety: { maxDeleteRatio: 0.5 } }),
    ).resolves.toMatchObject({ applied: true });
  });

  it('says so when desired records were given but every one is left out (not "empty")', async () => {
    // an AAAA someone else made at the name: the desired CNAME cannot be created beside it
    const { registry } = setup([
      { dnsName: 'taken.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
    ]);
    await reconcile({ registry, desired: hosts(2), policy: 'sync' });
    const error = await reconcile({
      registry,
      desired: [{ dnsName: 'taken.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }],
      policy: 'sync',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafePlanError);
    expect((error as UnsafePlanError).violations.map((v) => v.message)).toEqual([
      "no desired record would be written (1 desired record is left out: see the plan's skipped records) while we own 2 records: applying would delete 2 of them",
    ]);
  });

  it('refuses an empty desired set while we own records', async () => {
    const { registry } = setup();
    await reconcile({ registry, desired: hosts(2), policy: 'sync' });
    await expect(reconcile({ registry, desired: [], policy: 'sync' })).rejects.toThrow(
      'the desired set is empty while we own 2 records: applying would delete 2 of them',
    );
    // upsert-only never deletes, so there is nothing to refuse
    await expect(reconcile({ registry, desired: [], policy: 'upsert-only' })).resolves.toMatchObject({
      applied: false,
    });
  });

  it('calls hooks and the logger in order, and stops on abort', async () => {
    const { registry } = setup();
    const events: string[] = [];
    const logger = { info: (m: string, _f?: LogFields) => events.push(`log:${m}`) };
    await reconcile({
      registry,
      desired: hosts(1),
      policy: 'sync',
      logger,
      hooks: {
        onPlan: (p) => void events.push(`plan:${p.changes.create.length}`),
        onApply: () => void events.push('apply'),
        onApplied: (r) => void events.push(`applied:${r.applied}`),
      },
    });
    expect(events).toEqual(['log:plan computed', 'plan:1', 'apply', 'log:changes applied', 'applied:true']);
    const controller = new AbortController();
    controller.abort();
    await expect(
      reconcile({ registry, desired: hosts(1), policy: 'sync', signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('batches by the provider limit, never splitting a record from its TXT', async () => {
    const { provider, registry } = setup([], { maxChangesPerApply: 5 });
    await reconcile({ registry, desired: hosts(6), policy: 'sync' });
    expect(provider.applied).toHaveLength(3);
    for (const call of provider.applied) {
      expect(call.create.filter((e) => e.recordType === 'A')).toHaveLength(
        call.create.filter((e) => e.recordType === 'TXT').length,
      );
    }
    expect((await reconcile({ registry, desired: hosts(6), policy: 'sync' })).plan.hasChanges).toBe(false);
  });

  it('leaves records of another owner alone and reports creates that cannot be made', async () => {
    const { provider, registry } = setup([
      { dnsName: 'www.example.com', recordType: 'A', targets: ['198.51.100.1'] },
      {
        dnsName: '_externaldns.a.www.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=other"'],
      },
    ]);
    const result = await reconcile({
      registry,
      policy: 'sync',
      desired: [{ dnsName: 'www.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }],
    });
    expect(result.plan.hasChanges).toBe(false);
    expect(provider.calls.applyChanges).toBe(0);
  });
});

describe('saved plans', () => {
  it('applies a saved plan when nothing changed', async () => {
    const { provider, registry } = setup();
    const { plan } = await reconcile({ registry, desired: hosts(2), policy: 'sync', dryRun: true });
    const saved = planFromJSON(renderPlanJSON(plan));
    // the same result shape as reconcile
    await expect(applyPlan({ registry, plan: saved })).resolves.toMatchObject({
      applied: true,
      dryRun: false,
      plan: { checksum: saved.checksum },
      counts: { create: saved.changes.create.length },
      skipped: [],
      overriddenSafetyViolations: [],
    });
    expect((await provider.records()).filter((r) => r.recordType === 'A')).toHaveLength(2);
  });

  it('refuses with a clear conflict when a touched record changed since the plan', async () => {
    const { provider, registry } = setup();
    await reconcile({ registry, desired: hosts(2), policy: 'sync' });
    const { plan } = await reconcile({
      registry,
      desired: hosts(2, '192.0.2.9'),
      policy: 'sync',
      dryRun: true,
    });
    // someone else changes h0 between plan and apply
    await reconcile({ registry, desired: [hosts(2, '192.0.2.7')[0]!, hosts(2)[1]!], policy: 'sync' });
    const before = await provider.records();
    const error = await applyPlan({ registry, plan: planFromJSON(renderPlanJSON(plan)) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as PlanConflictError).message).toBe(
      'the zone changed since the plan was made; make a new plan (nothing was applied):\n- h0.example.com A: changed since the plan was made (targets ["192.0.2.1"] → ["192.0.2.7"])',
    );
    expect(await provider.records()).toEqual(before);
  });

  it('refuses a plan made for another owner', async () => {
    const { registry } = setup();
    const { plan } = await reconcile({ registry, desired: hosts(1), policy: 'sync', dryRun: true });
    const other = new TxtRegistry(registry.provider, { ownerId: 'someone-else', prefix: PREFIX });
    // a configuration mistake, said as such (not "the zone changed")
    const error = await applyPlan({ registry: other, plan }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /the plan was made for owner "me", but the registry writes as "[^"]+"/,
    );
  });
});
