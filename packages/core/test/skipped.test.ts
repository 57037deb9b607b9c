// Every desired record is accounted for: what will not be written is in the plan and the result,
// with a reason code and its path in the caller's input; duplicates that disagree are refused.
import { describe, expect, it } from 'vitest';
import {
  DomainFilter,
  InMemoryProvider,
  KNOWN_RECORD_TYPES,
  reconcile,
  renderPlanMarkdown,
  renderPlanText,
  TxtRegistry,
  ValidationError,
  type EndpointInit,
} from '@openova/dns-core';

const marker = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner}"`;

function setup(records: EndpointInit[] = []) {
  // a server that also stores PowerDNS's LUA records
  const provider = new InMemoryProvider({
    zones: ['example.com'],
    records,
    recordTypes: [...KNOWN_RECORD_TYPES, 'LUA'],
  });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
  return { provider, registry };
}

describe('desired records not written are reported', () => {
  it('names the reason, the other owner or winner, and desired[i]', async () => {
    const { registry } = setup([
      { dnsName: 'theirs.example.com', recordType: 'A', targets: ['198.51.100.1'] },
      { dnsName: '_externaldns.a.theirs.example.com', recordType: 'TXT', targets: [marker('other')] },
      { dnsName: 'manual.example.com', recordType: 'A', targets: ['198.51.100.2'] },
    ]);
    const desired: EndpointInit[] = [
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'geo.example.com', recordType: 'LUA', targets: ['A "pickrandom({\'192.0.2.1\'})"'] },
      { dnsName: 'theirs.example.com', recordType: 'A', targets: ['192.0.2.3'] },
      { dnsName: 'manual.example.com', recordType: 'A', targets: ['192.0.2.4'] },
      { dnsName: 'both.example.com', recordType: 'A', targets: ['192.0.2.5'] },
      { dnsName: 'both.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
      { dnsName: 'elsewhere.example.org', recordType: 'A', targets: ['192.0.2.6'] },
    ];
    const result = await reconcile({
      registry,
      desired,
      policy: 'sync',
      domainFilter: new DomainFilter({ include: ['example.com'] }),
      dryRun: true,
    });
    const byPath = result.skipped.map((s) => [s.path, s.code, s.owner]);
    expect(byPath).toEqual([
      [['desired', 1], 'not-managed-type', undefined],
      [['desired', 2], 'owned-by-other', 'other'],
      [['desired', 3], 'exists-unowned', undefined],
      [['desired', 5], 'conflict-loser', undefined],
      [['desired', 6], 'outside-domain-filter', undefined],
    ]);
    expect(result.plan.skipped).toEqual(result.skipped);
    expect(result.plan.changes.create.map((e) => e.dnsName)).toEqual(['both.example.com', 'ok.example.com']);
    const text = renderPlanText(result.plan);
    expect(text).toContain('Not written (5):');
    expect(text).toContain('! theirs.example.com A [owned-by-other]');
    expect(text).toContain('Summary: 2 to create, 0 to update, 0 to delete, 5 not written.');
    expect(renderPlanMarkdown(result.plan)).toContain('`conflict-loser`');
  });

  it('a converged run that leaves records out never says "up to date"', async () => {
    const { registry } = setup();
    const desired: EndpointInit[] = [
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'geo.example.com', recordType: 'LUA', targets: ['A "pickrandom({\'192.0.2.1\'})"'] },
    ];
    await reconcile({ registry, desired, policy: 'sync' });
    const again = await reconcile({ registry, desired, policy: 'sync', dryRun: true });
    expect(again.plan.hasChanges).toBe(false);
    const text = renderPlanText(again.plan);
    expect(text).not.toContain('up to date');
    expect(text).toContain('! geo.example.com LUA [not-managed-type]');
  });

  it('create-only reports the changes it keeps from being made', async () => {
    const { registry } = setup();
    await reconcile({
      registry,
      desired: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] }],
      policy: 'sync',
    });
    const result = await reconcile({
      registry,
      desired: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.2'] }],
      policy: 'create-only',
      dryRun: true,
    });
    expect(result.skipped.map((s) => s.code)).toEqual(['kept-by-policy']);
  });

  it('ambiguous markers are reported as ambiguous-owner', async () => {
    const { registry } = setup([
      { dnsName: 'x.example.com', recordType: 'A', targets: ['198.51.100.1'] },
      {
        dnsName: '_externaldns.a.x.example.com',
        recordType: 'TXT',
        targets: [marker('me'), marker('other')],
      },
    ]);
    const result = await reconcile({
      registry,
      desired: [{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.9'] }],
      policy: 'sync',
      dryRun: true,
    });
    expect(result.skipped.map((s) => s.code)).toEqual(['ambiguous-owner']);
  });
});

describe('duplicate desired records', () => {
  it('two different record sets for one name and type are a ValidationError naming both paths', async () => {
    for (const [a, b] of [
      ['MiXeD.example.com', 'mixed.example.com'],
      ['a.example.com.', 'a.example.com'],
    ] as const) {
      const { provider, registry } = setup();
      const error = await reconcile({
        registry,
        desired: [
          { dnsName: a, recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: b, recordType: 'A', targets: ['192.0.2.2'] },
        ],
        policy: 'sync',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: ['desired', 1],
        code: 'duplicate_desired',
      });
      expect((error as ValidationError).message).toContain('desired[0] and desired[1]');
      expect(provider.applied).toEqual([]);
    }
  });

  it('identical entries are kept once', async () => {
    const { provider, registry } = setup();
    const result = await reconcile({
      registry,
      desired: [
        { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
        { dnsName: 'A.example.com.', recordType: 'A', targets: ['192.0.2.2', '192.0.2.1'] },
      ],
      policy: 'sync',
    });
    expect(result.plan.changes.create).toHaveLength(1);
    expect((await provider.records()).filter((e) => e.recordType === 'A')).toHaveLength(1);
  });
});

describe('managed record types', () => {
  it('reconcile plans the registry managedRecordTypes when the caller names none (one source)', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, {
      ownerId: 'me',
      prefix: '_externaldns.%{record_type}.',
      managedRecordTypes: ['A', 'MX'],
    });
    const result = await reconcile({
      registry,
      desired: [
        { dnsName: 'mail.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
        { dnsName: 'www.example.com', recordType: 'CNAME', targets: ['lb.example.net'] },
      ],
      policy: 'sync',
    });
    expect(result.plan.recordTypes).toEqual(['A', 'MX']);
    expect(result.plan.changes.create.map((e) => e.recordType)).toEqual(['MX']);
    expect(result.skipped.map((s) => [s.record.recordType, s.code])).toEqual([['CNAME', 'not-managed-type']]);
  });
});

describe('refused before anything is written', () => {
  it('null targets are reported at desired[i].targets, not at the provider', async () => {
    const { provider, registry } = setup();
    const desired: EndpointInit[] = Array.from({ length: 51 }, (_, i) => ({
      dnsName: `h${i}.example.com`,
      recordType: 'A',
      targets: ['192.0.2.1'],
    }));
    desired[50] = { dnsName: 'h50.example.com', recordType: 'A', targets: null as unknown as string[] };
    const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([
      { path: ['desired', 50, 'targets'], code: 'no_targets' },
    ]);
    expect(provider.applied).toEqual([]);
  });

  it('a value over 65,535 octets of RDATA, and a record set no DNS message can hold', async () => {
    const { provider, registry } = setup();
    const many = Array.from(
      { length: 10_000 },
      (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    );
    const error = await reconcile({
      registry,
      desired: [
        { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        { dnsName: 'big.example.com', recordType: 'TXT', targets: ['x'.repeat(70_000)] },
        { dnsName: 'wide.example.com', recordType: 'A', targets: many },
      ],
      policy: 'sync',
      managedRecordTypes: ['A', 'TXT'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
      [['desired', 1, 'targets', 0], 'rdata_too_long'],
      [['desired', 2, 'targets'], 'record_set_too_large'],
    ]);
    expect(provider.applied).toEqual([]);
    // large but answerable sets pass: 3,000 A values (~48 KB) and a 10,000-octet TXT
    const fine = await reconcile({
      registry,
      desired: [
        { dnsName: 'wide.example.com', recordType: 'A', targets: many.slice(0, 3000) },
        { dnsName: 'big.example.com', recordType: 'TXT', targets: ['x'.repeat(10_000)] },
      ],
      policy: 'sync',
      managedRecordTypes: ['A', 'TXT'],
    });
    expect(fine.applied).toBe(true);
  });
});

describe('issues found by the provider point into desired', () => {
  it('a provider ValidationError in a later batch names desired[i], not the batch position', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'], maxChangesPerApply: 2 });
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    // the provider refuses one value the core checks accept (as PowerDNS refuses a LUA feature)
    const apply = provider.applyChanges.bind(provider);
    provider.applyChanges = async (changes, options) => {
      const j = changes.create.findIndex((ep) => ep.targets.includes('192.0.2.66'));
      if (j >= 0)
        throw new ValidationError(
          [{ path: ['create', j, 'targets', 0], code: 'refused_here', message: 'not on this server' }],
          { summary: 'inmemory: refused' },
        );
      return apply(changes, options);
    };
    const desired: EndpointInit[] = [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: 'c.example.com', recordType: 'A', targets: ['192.0.2.66'] },
    ];
    const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issue = (error as ValidationError).issues[0];
    expect(issue?.path).toEqual(['desired', 2, 'targets', 0]);
    expect(issue?.code).toBe('refused_here');
    expect((error as ValidationError).message).toContain('desired[2].targets[0]');
    expect((error as ValidationError).summary).toBe('inmemory: refused');
  });
});

describe('a marker name that is taken', () => {
  const plainA = { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] };
  it('by a TXT record set that is no marker: the record is not written, the TXT is untouched, dry run and apply agree', async () => {
    const user = { dnsName: 'a-www.example.com', recordType: 'TXT', targets: ['hello'] };
    const provider = new InMemoryProvider({ zones: ['example.com'], records: [user] });
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    const dry = await reconcile({ registry, desired: [plainA], policy: 'sync', dryRun: true });
    expect(dry.skipped.map((s) => [s.code, s.path])).toEqual([['marker-not-writable', ['desired', 0]]]);
    expect(dry.skipped[0]?.reason).toContain('not an ownership marker');
    expect(dry.plan.hasChanges).toBe(false);
    for (let run = 0; run < 2; run++) {
      const result = await reconcile({ registry, desired: [plainA], policy: 'sync' });
      expect(result.applied).toBe(false);
      expect(result.skipped.map((s) => s.code)).toEqual(['marker-not-writable']);
    }
    expect(provider.applied).toEqual([]);
    expect((await provider.records()).map((r) => [r.dnsName, r.targets])).toEqual([
      ['a-www.example.com', ['hello']],
    ]);
  });

  it('by a desired TXT record: the TXT is written, the record whose marker would go there is reported', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    const desired: EndpointInit[] = [
      plainA,
      { dnsName: 'a-www.example.com', recordType: 'TXT', targets: ['hello'] },
    ];
    const options = { registry, desired, policy: 'sync' as const, managedRecordTypes: ['A', 'TXT'] };
    const dry = await reconcile({ ...options, dryRun: true });
    expect(dry.skipped.map((s) => [s.code, s.path])).toEqual([['marker-not-writable', ['desired', 0]]]);
    expect(dry.skipped[0]?.reason).toContain('also desired as a TXT record');
    const applied = await reconcile(options);
    expect(applied.applied).toBe(true);
    expect(renderPlanText(applied.plan)).toContain('Not written (1)');
    const again = await reconcile(options);
    expect(again.plan.hasChanges).toBe(false);
    expect(again.skipped.map((s) => s.code)).toEqual(['marker-not-writable']);
    expect((await provider.records()).find((r) => r.dnsName === 'a-www.example.com')?.targets).toEqual([
      'hello',
    ]);
  });
});

describe('issue paths follow the caller input', () => {
  it('a registry issue (a marker label too long) names desired[i]', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', suffix: '-txt' });
    const desired: EndpointInit[] = [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] },
      { dnsName: 'b.example.com', recordType: 'A', targets: ['192.0.2.2'] },
      { dnsName: `${'x'.repeat(60)}.example.com`, recordType: 'A', targets: ['192.0.2.4'] },
    ];
    for (const dryRun of [true, false]) {
      const error = await reconcile({ registry, desired, policy: 'sync', dryRun }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path[0] === 'desired' && i.path[1])).toEqual([2]);
    }
    expect(provider.applied).toEqual([]);
  });

  it('a provider issue about a target names the target where the caller put it, not its sorted place', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(provider, { ownerId: 'me' });
    const apply = provider.applyChanges.bind(provider);
    provider.applyChanges = async (changes, options) => {
      const ep = changes.create.find((e) => e.recordType === 'A');
      const j = ep?.targets.indexOf('192.0.2.9') ?? -1;
      if (ep && j >= 0)
        throw new ValidationError([
          { path: ['create', changes.create.indexOf(ep), 'targets', j], code: 'refused_here', message: 'no' },
        ]);
      return apply(changes, options);
    };
    const desired: EndpointInit[] = [
      { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.9', '192.0.2.1'] },
    ];
    const error = await reconcile({ registry, desired, policy: 'sync' }).catch((e: unknown) => e);
    expect((error as ValidationError).issues[0]?.path).toEqual(['desired', 0, 'targets', 0]);
  });
});

describe('values that share a marker record set and are not ours (D4)', () => {
  it('survive an update and a delete of the record the marker speaks for', async () => {
    const marker = '"heritage=external-dns,external-dns/owner=me"';
    const provider = new InMemoryProvider({
      zones: ['example.com'],
      records: [
        { dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.1'] },
        {
          dnsName: '_externaldns.a.s.example.com',
          recordType: 'TXT',
          targets: [marker, '"v=foreign keep me"'],
        },
      ],
    });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    const txtAt = async () =>
      (await provider.records()).find((r) => r.dnsName === '_externaldns.a.s.example.com')?.targets;
    const desired: EndpointInit[] = [{ dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.2'] }];
    await reconcile({ registry, desired, policy: 'sync' });
    expect(await txtAt()).toEqual(expect.arrayContaining(['"v=foreign keep me"']));
    expect((await reconcile({ registry, desired, policy: 'sync', dryRun: true })).plan.hasChanges).toBe(
      false,
    );
    await reconcile({ registry, desired: [], policy: 'sync', force: true });
    expect(await txtAt()).toEqual(['"v=foreign keep me"']);
    expect((await provider.records()).some((r) => r.dnsName === 's.example.com')).toBe(false);
    expect((await reconcile({ registry, desired: [], policy: 'sync', dryRun: true })).plan.hasChanges).toBe(
      false,
    );
  });
});
