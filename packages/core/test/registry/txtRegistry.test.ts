import { describe, expect, it } from 'vitest';
import {
  calculatePlan,
  ConfigError,
  MIGRATED_FROM_LABEL,
  decryptTxtValue,
  emptyChanges,
  endpoint,
  FORCE_UPDATE_PROPERTY,
  InMemoryProvider,
  OwnershipConflictError,
  parseAesKey,
  reconcile,
  TxtRegistry,
  ValidationError,
  type Changes,
  type Endpoint,
  type EndpointInit,
  type RegistryWarning,
} from '@openova/dns-core';
import { ListProvider } from '../support/listProvider.js';

const marker = (owner: string, extra = '') => `"heritage=external-dns,external-dns/owner=${owner}${extra}"`;
const a = (dnsName: string, ip = '1.1.1.1', labels: Record<string, string> = {}): Endpoint =>
  endpoint({ dnsName, recordType: 'A', targets: [ip], labels });
const txt = (dnsName: string, ...targets: string[]): EndpointInit => ({
  dnsName,
  recordType: 'TXT',
  targets,
});
const changes = (part: Partial<Changes>): Changes => ({ ...emptyChanges(), ...part });
const names = (eps: readonly Endpoint[]) =>
  eps.map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}`);

const goKey = '12345678901234567890123456789012';
const goValue =
  '"h8UQ6jelUFUsEIn7SbFktc2MYXPx/q8lySqI4VwfVtVaIbb2nkHWV/88KKbuLtu7fJNzMir8ELVeVnRSY01KdiIuj7ledqZe5ailEjQaU5Z6uEKd5pgs6sH8"';

describe('TxtRegistry configuration', () => {
  const provider = new ListProvider();
  it.each([
    [{ ownerId: '' }, /ownerId is required and must be a non-empty string/],
    [{ ownerId: '   ' }, /ownerId is required/],
    [{ ownerId: 'a,b' }, /ownerId "a,b" must not contain commas, quotes, spaces or "="/],
    [{ ownerId: 'me', oldOwnerId: 'me' }, /oldOwnerId equals ownerId \("me"\); nothing to migrate/],
    [{ ownerId: 'me', oldOwnerId: '' }, /oldOwnerId, when set, must be a non-empty string/],
    [{ ownerId: 'me', prefix: 'p.', suffix: '-s' }, /prefix "p\." and suffix "-s" are both set/],
    [{ ownerId: 'me', encryption: { aesKey: 'short' } }, /AES key is 5 bytes/],
    [{ ownerId: 'me', encryption: { aesKey: '', enabled: true } }, /AES key is 0 bytes/],
  ])('rejects %j', (options, message) => {
    expect(() => new TxtRegistry(provider, options)).toThrow(ConfigError);
    expect(() => new TxtRegistry(provider, options)).toThrow(message);
  });

  it('rejects a missing ownerId from untyped callers', () => {
    expect(() => new TxtRegistry(provider, {} as { ownerId: string })).toThrow(ConfigError);
  });

  it('delegates adjustEndpoints and exposes the provider domain filter', async () => {
    const mem = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(mem, { ownerId: 'me' });
    await registry.adjustEndpoints([a('x.example.com')]);
    expect(mem.calls.adjustEndpoints).toBe(1);
    expect(registry.domainFilter).toBe(mem.domainFilter);
  });
});

describe('TxtRegistry round trip on the in-memory provider', () => {
  it('creates, reads back and deletes a wildcard record with its TXT in one call each', async () => {
    const mem = new InMemoryProvider({ zones: ['example.com'] });
    const registry = new TxtRegistry(mem, { ownerId: 'me', wildcardReplacement: 'wildcard' });
    await registry.records();
    await registry.applyChanges(changes({ create: [a('*.example.com')] }));
    expect(mem.applied).toHaveLength(1);
    expect(names(mem.applied[0]!.create)).toEqual([
      'A *.example.com 1.1.1.1',
      `TXT a-wildcard.example.com ${marker('me')}`,
    ]);

    const read = await registry.records();
    expect(read).toHaveLength(1);
    expect(read[0]!.labels).toEqual({ owner: 'me' });
    expect(read[0]!.providerSpecific).toEqual([]);

    await registry.applyChanges(changes({ delete: read }));
    expect(mem.applied).toHaveLength(2);
    expect(names(mem.applied[1]!.delete)).toEqual([
      'A *.example.com 1.1.1.1',
      `TXT a-wildcard.example.com ${marker('me')}`,
    ]);
    expect(await mem.records()).toEqual([]);
  });

  it('repairs a missing typed TXT (legacy marker only) and then stops asking', async () => {
    const list = new ListProvider([a('old.example.com'), txt('old.example.com', marker('me'))]);
    const reg = new TxtRegistry(list, { ownerId: 'me' });
    const [current] = await reg.records();
    expect(current!.providerSpecific).toEqual([{ name: FORCE_UPDATE_PROPERTY, value: 'true' }]);
    const desired = a('old.example.com', '1.1.1.1', { owner: 'me' });
    await reg.applyChanges(changes({ updateOld: [current!], updateNew: [desired] }));
    expect(names(list.applied[0]!.updateNew)).toEqual([
      'A old.example.com 1.1.1.1',
      `TXT a-old.example.com ${marker('me')}`,
    ]);
    const [again] = await reg.records();
    expect(again!.providerSpecific).toEqual([]);
    expect(again!.labels['owner']).toBe('me');
    expect(reg.warnings).toEqual([]);
  });
});

describe('TxtRegistry encryption', () => {
  it('reads an ExternalDNS-encrypted marker and deletes it with the exact stored value', async () => {
    const list = new ListProvider([a('foo.example.com'), txt('a-foo.example.com', goValue)], {
      strictDeletes: true,
    });
    const registry = new TxtRegistry(list, { ownerId: 'owner', encryption: { aesKey: goKey } });
    const read = await registry.records();
    expect(read).toHaveLength(1);
    expect(read[0]!.labels).toEqual({ owner: 'owner', 'txt-encryption-nonce': 'h8UQ6jelUFUsEIn7' });
    await registry.applyChanges(changes({ delete: read }));
    expect(list.applied[0]!.delete[1]!.targets).toEqual([goValue]);
    expect(list.stored).toEqual([]);
  });

  it('resends the stored value on update and writes a new encrypted value', async () => {
    const list = new ListProvider([a('foo.example.com'), txt('a-foo.example.com', goValue)], {
      strictDeletes: true,
    });
    const registry = new TxtRegistry(list, { ownerId: 'owner', encryption: { aesKey: goKey } });
    const [current] = await registry.records();
    const desired = a('foo.example.com', '2.2.2.2', { owner: 'owner', resource: 'ingress/ns/foo' });
    await registry.applyChanges(changes({ updateOld: [current!], updateNew: [desired] }));
    const sent = list.applied[0]!;
    expect(sent.updateOld[1]!.targets).toEqual([goValue]);
    const written = decryptTxtValue(sent.updateNew[1]!.targets[0]!, parseAesKey(goKey));
    expect(written?.plaintext).toBe(
      'heritage=external-dns,external-dns/owner=owner,external-dns/resource=ingress/ns/foo',
    );
    // and it reads back
    const [after] = await registry.records();
    expect(after!.labels['resource']).toBe('ingress/ns/foo');
  });

  it('reuses the nonce label, so regenerating a value is stable', async () => {
    const list = new ListProvider();
    const registry = new TxtRegistry(list, { ownerId: 'owner', encryption: { aesKey: goKey } });
    await registry.applyChanges(
      changes({ create: [a('foo.example.com', '1.1.1.1', { 'txt-encryption-nonce': 'h8UQ6jelUFUsEIn7' })] }),
    );
    expect(list.applied[0]!.create[1]!.targets).toEqual([goValue]);
  });

  it('with enabled: false writes plain text but still reads encrypted markers', async () => {
    const list = new ListProvider([a('foo.example.com'), txt('a-foo.example.com', goValue)]);
    const registry = new TxtRegistry(list, {
      ownerId: 'owner',
      encryption: { aesKey: goKey, enabled: false },
    });
    expect((await registry.records())[0]!.labels['owner']).toBe('owner');
    await registry.applyChanges(changes({ create: [a('bar.example.com')] }));
    expect(list.applied[0]!.create[1]!.targets).toEqual([marker('owner')]);
  });

  it('without a key, an encrypted marker is an ordinary TXT record', async () => {
    const list = new ListProvider([a('foo.example.com'), txt('a-foo.example.com', goValue)]);
    const read = await new TxtRegistry(list, { ownerId: 'owner' }).records();
    expect(names(read)).toEqual(['A foo.example.com 1.1.1.1', `TXT a-foo.example.com ${goValue}`]);
    expect(read[0]!.labels).toEqual({});
  });
});

describe('deviation D1: TXT names over 63 octets per label', () => {
  const long = `${'x'.repeat(60)}.example.com`; // 60 octets; `cname-` makes it 66

  it('fails a create before anything is sent, naming the record', async () => {
    const list = new ListProvider();
    const registry = new TxtRegistry(list, { ownerId: 'me' });
    const ok = a('fine.example.com');
    const bad = endpoint({ dnsName: long, recordType: 'CNAME', targets: ['lb.example.net'] });
    const error = await registry.applyChanges(changes({ create: [ok, bad] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([
      { path: ['create', 1, 'dnsName'], code: 'txt_label_too_long' },
    ]);
    expect((error as Error).message).toContain('has a label of 66 octets; at most 63 are allowed');
    expect(list.applied).toEqual([]);
  });

  it('fails an update whose new TXT name is too long', async () => {
    const list = new ListProvider();
    const registry = new TxtRegistry(list, { ownerId: 'me', prefix: 'ownership-records-for-this-cluster-' });
    const old = a('abcdefghijklmnopqrstuvwxyz0123.example.com', '1.1.1.1', { owner: 'me' });
    const neu = a('abcdefghijklmnopqrstuvwxyz0123.example.com', '2.2.2.2', { owner: 'me' });
    await expect(registry.applyChanges(changes({ updateOld: [old], updateNew: [neu] }))).rejects.toThrow(
      ValidationError,
    );
    expect(list.applied).toEqual([]);
  });
});

describe('deviation D2: another owner holds the TXT name', () => {
  const zone = () =>
    new ListProvider([txt('a-api.example.com', marker('other')), txt('a-mine.example.com', marker('me'))]);

  it('drops the create, reports the other owner and still sends the rest', async () => {
    const list = zone();
    const seen: RegistryWarning[] = [];
    const registry = new TxtRegistry(list, { ownerId: 'me', onWarning: (w) => seen.push(w) });
    await registry.records();
    await registry.applyChanges(
      changes({ create: [a('api.example.com'), a('mine.example.com'), a('new.example.com')] }),
    );
    expect(names(list.applied[0]!.create)).toEqual([
      'A mine.example.com 1.1.1.1', // our marker survived: the record alone is recreated
      'A new.example.com 1.1.1.1',
      `TXT a-new.example.com ${marker('me')}`,
    ]);
    expect(registry.warnings).toMatchObject([
      { kind: 'ownership-conflict', dnsName: 'api.example.com', recordType: 'A', ownerIds: ['other'] },
    ]);
    expect(registry.warnings[0]!.message).toMatch(/a-api\.example\.com belongs to owner "other", not "me"/);
    expect(seen).toEqual(registry.warnings);
  });

  it('sends nothing when the conflicting create is the only change', async () => {
    const list = zone();
    const registry = new TxtRegistry(list, { ownerId: 'me' });
    await registry.records();
    await registry.applyChanges(changes({ create: [a('api.example.com')] }));
    expect(list.applied).toEqual([]);
  });

  it('with onConflict: "throw" fails with OwnershipConflictError before sending', async () => {
    const list = zone();
    const registry = new TxtRegistry(list, { ownerId: 'me', onConflict: 'throw' });
    await registry.records();
    const error = await registry
      .applyChanges(changes({ create: [a('new.example.com'), a('api.example.com')] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipConflictError);
    expect(error).toMatchObject({
      code: 'OWNERSHIP_CONFLICT',
      dnsName: 'api.example.com',
      ownerIds: ['other'],
    });
    expect(list.applied).toEqual([]);
  });
});

describe('deviation D3: owner migration', () => {
  const zone = () =>
    new ListProvider([a('a.example.com'), txt('a-a.example.com', marker('old'))], { strictDeletes: true });

  it('reads old-owner records as ours and rewrites the marker from the stored value, record unchanged', async () => {
    const list = zone();
    const registry = new TxtRegistry(list, { ownerId: 'new', oldOwnerId: 'old' });
    const [current] = await registry.records();
    expect(current!.labels).toEqual({ owner: 'new', [MIGRATED_FROM_LABEL]: 'old' });
    expect(current!.providerSpecific).toEqual([]);
    expect(registry.wasMigrated(current!)).toBe(true);
    await registry.applyChanges(
      changes({ updateOld: [current!], updateNew: [a('a.example.com', '1.1.1.1', { owner: 'new' })] }),
    );
    const sent = list.applied[0]!;
    expect(sent.updateOld[1]!.targets).toEqual([marker('old')]);
    expect(sent.updateNew[1]!.targets).toEqual([marker('new')]);
    const [after] = await registry.records();
    expect(registry.wasMigrated(after!)).toBe(false);
    expect(after!.labels).toEqual({ owner: 'new' });
  });

  it('makes the planner rewrite the marker even when the record is unchanged (#6671)', async () => {
    const list = zone();
    const registry = new TxtRegistry(list, { ownerId: 'new', oldOwnerId: 'old' });
    const plan = calculatePlan({
      current: await registry.records(),
      desired: [a('a.example.com')],
      policy: 'sync',
      ownerId: 'new',
      oldOwnerId: 'old',
    });
    expect(plan.hasChanges).toBe(true);
    await registry.applyChanges(plan);
    expect(list.stored.map((e) => e.targets[0])).toEqual(['1.1.1.1', marker('new')]);
  });

  it('never writes the migration hint into a TXT value', async () => {
    const list = new ListProvider([a('a.example.com'), txt('a.example.com', marker('old'))]);
    const registry = new TxtRegistry(list, { ownerId: 'new', oldOwnerId: 'old' });
    const [current] = await registry.records(); // legacy marker: the typed TXT is regenerated
    await registry.applyChanges(
      changes({ updateOld: [current!], updateNew: [a('a.example.com', '1.1.1.1', { owner: 'new' })] }),
    );
    const values = list.applied[0]!.updateOld.concat(list.applied[0]!.updateNew).flatMap((e) => e.targets);
    expect(values.join()).not.toContain('migrated');
  });

  it('can recreate a deleted record under its old-owner marker', async () => {
    const list = new ListProvider([txt('a-a.example.com', marker('old'))]);
    const registry = new TxtRegistry(list, { ownerId: 'new', oldOwnerId: 'old' });
    await registry.records();
    await registry.applyChanges(changes({ create: [a('a.example.com')] }));
    expect(names(list.applied[0]!.create)).toEqual(['A a.example.com 1.1.1.1']);
    expect(registry.warnings).toEqual([]);
  });
});

describe('deviation D11: an old owner ID left set after the migration', () => {
  it('plans no update of records already migrated, so one real change is not refused by the safety limits', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    const desired: EndpointInit[] = Array.from({ length: 10 }, (_, i) => ({
      dnsName: `a${i}.example.com`,
      recordType: 'A',
      targets: ['192.0.2.1'],
    }));
    await reconcile({ registry: new TxtRegistry(provider, { ownerId: 'old' }), desired, policy: 'sync' });
    const migrating = () => new TxtRegistry(provider, { ownerId: 'new', oldOwnerId: 'old' });
    // the migration itself rewrites every marker (a real update of each, over the safety limit)
    const migration = await reconcile({ registry: migrating(), desired, policy: 'sync', force: true });
    expect(migration.counts.update).toBe(10);
    const settled = await reconcile({ registry: migrating(), desired, policy: 'sync', dryRun: true });
    expect(settled.plan.hasChanges).toBe(false);
    expect(settled.counts).toMatchObject({ create: 0, update: 0, delete: 0, ownedRecords: 10 });
    // one record changes: one update, within the limits (ExternalDNS's planner holds ten)
    desired[0] = { ...desired[0]!, targets: ['192.0.2.99'] };
    const one = await reconcile({ registry: migrating(), desired, policy: 'sync' });
    expect(one.applied).toBe(true);
    expect(one.counts.update).toBe(1);
    expect(one.plan.changes.updateNew.map((e) => e.dnsName)).toEqual(['a0.example.com']);
  });
});

describe('deviation D4: ambiguous markers', () => {
  const records = async (zone: EndpointInit[]) => {
    const registry = new TxtRegistry(new ListProvider(zone), { ownerId: 'me' });
    return { read: await registry.records(), registry };
  };

  it('one TXT naming two owners: not owned, reported, order-independent', async () => {
    const one = await records([a('x.example.com'), txt('a-x.example.com', marker('me'), marker('other'))]);
    const two = await records([txt('a-x.example.com', marker('other'), marker('me')), a('x.example.com')]);
    for (const { read, registry } of [one, two]) {
      expect(read).toHaveLength(1);
      expect(read[0]!.labels).toEqual({});
      expect(registry.warnings).toMatchObject([
        { kind: 'ambiguous-owner', dnsName: 'x.example.com', recordType: 'A', ownerIds: ['me', 'other'] },
      ]);
    }
  });

  it('TXT names differing only by case with different owners: not owned', async () => {
    const zone = [
      a('x.example.com'),
      txt('a-x.example.com', marker('me')),
      txt('A-X.example.com', marker('other')),
    ];
    const one = await records(zone);
    const two = await records([...zone].reverse());
    for (const { read, registry } of [one, two]) {
      expect(read[0]!.labels).toEqual({});
      expect(registry.warnings[0]).toMatchObject({
        kind: 'ambiguous-owner',
        txtNames: expect.arrayContaining(['a-x.example.com', 'A-X.example.com']) as unknown,
      });
    }
  });

  it('never updates or deletes an ambiguous record, and will not create over it', async () => {
    const list = new ListProvider([txt('a-x.example.com', marker('me'), marker('other'))]);
    const registry = new TxtRegistry(list, { ownerId: 'me' });
    await registry.records();
    await registry.applyChanges(changes({ create: [a('x.example.com')] }));
    expect(list.applied).toEqual([]);
    expect(registry.warnings.map((w) => w.kind)).toEqual(['ambiguous-owner', 'ownership-conflict']);
    expect(registry.warnings[1]!.message).toMatch(/ambiguous markers naming "me", "other"/);
  });

  it('case variants agreeing on the owner: owned, one picked, reported as duplicate', async () => {
    const { read, registry } = await records([
      a('x.example.com'),
      txt('A-X.example.com', marker('me')),
      txt('a-x.example.com', marker('me', ',external-dns/resource=r')),
    ]);
    expect(read[0]!.labels).toEqual({ owner: 'me', resource: 'r' });
    expect(registry.warnings).toMatchObject([{ kind: 'duplicate-marker', ownerIds: ['me'] }]);
  });
});

describe('deviation D5: names are case-insensitive', () => {
  it('matches a record and its TXT whatever their spelling, without force-update churn', async () => {
    const list = new ListProvider([a('API.Example.com'), txt('A-API.EXAMPLE.COM.', marker('me'))]);
    const registry = new TxtRegistry(list, { ownerId: 'me' });
    const [rec] = await registry.records();
    expect(rec!.labels).toEqual({ owner: 'me' });
    expect(rec!.providerSpecific).toEqual([]);
  });

  it('matches wildcard replacement and prefix case-insensitively', async () => {
    const list = new ListProvider([a('*.Example.com'), txt('TXT.A-WC.example.com', marker('me'))]);
    const registry = new TxtRegistry(list, { ownerId: 'me', prefix: 'txt.', wildcardReplacement: 'WC' });
    expect((await registry.records())[0]!.labels).toEqual({ owner: 'me' });
  });
});

describe('ownership filter', () => {
  it('drops updates and deletes of records that are not ours, reporting them', async () => {
    const list = new ListProvider();
    const registry = new TxtRegistry(list, { ownerId: 'me' });
    const theirs = a('t.example.com', '1.1.1.1', { owner: 'other' });
    const nobody = a('n.example.com');
    const mine = a('m.example.com', '1.1.1.1', { owner: 'me' });
    await registry.applyChanges(
      changes({
        updateOld: [theirs, mine],
        updateNew: [
          a('t.example.com', '2.2.2.2', { owner: 'me' }),
          a('m.example.com', '2.2.2.2', { owner: 'me' }),
        ],
        delete: [nobody],
      }),
    );
    const sent = list.applied[0]!;
    expect(names(sent.updateOld)).toEqual(['A m.example.com 1.1.1.1', `TXT a-m.example.com ${marker('me')}`]);
    expect(names(sent.updateNew)).toEqual(['A m.example.com 2.2.2.2', `TXT a-m.example.com ${marker('me')}`]);
    expect(sent.delete).toEqual([]);
    expect(registry.warnings.map((w) => `${w.kind} ${w.dnsName}`)).toEqual([
      'not-owned t.example.com',
      'not-owned n.example.com',
    ]);
  });

  it('refuses update lists that do not pair up', async () => {
    const registry = new TxtRegistry(new ListProvider(), { ownerId: 'me' });
    await expect(registry.applyChanges(changes({ updateOld: [a('x.example.com')] }))).rejects.toThrow(
      /updateOld has 1 records and updateNew 0; they must pair up/,
    );
  });

  it('marks every TXT with the record it belongs to, for batching', async () => {
    const list = new ListProvider();
    const registry = new TxtRegistry(list, { ownerId: 'me', prefix: '_o.%{record_type}.' });
    const rec = endpoint({
      dnsName: 'w.example.com',
      recordType: 'A',
      targets: ['1.1.1.1'],
      setIdentifier: 'blue',
    });
    await registry.applyChanges(changes({ create: [rec] }));
    expect(list.applied[0]!.create[1]).toMatchObject({
      dnsName: '_o.a.w.example.com',
      setIdentifier: 'blue',
      labels: { ownedRecord: 'w.example.com' },
    });
  });

  it('ignores TXT records without values and says so', async () => {
    const registry = new TxtRegistry(new ListProvider([txt('empty.example.com')]), { ownerId: 'me' });
    expect(await registry.records()).toEqual([]);
    expect(registry.warnings).toMatchObject([{ kind: 'empty-txt', dnsName: 'empty.example.com' }]);
  });
});

describe('markers that map back typed but are not the TXT name we write (oracle class b1)', () => {
  const aaaa = (dnsName: string): Endpoint =>
    endpoint({ dnsName, recordType: 'AAAA', targets: ['2001:db8::1'] });
  const cname = (dnsName: string): Endpoint =>
    endpoint({ dnsName, recordType: 'CNAME', targets: ['lb.example.net'] });
  const forced = [{ name: FORCE_UPDATE_PROPERTY, value: 'true' }];

  it.each([
    // suffix `-txt`: the legacy `cname-txt` reads as (cname, CNAME), but we write `cname-cname-txt`
    ['suffix -txt, CNAME', { suffix: '-txt' }, cname('cname.example.com'), 'cname-txt.example.com'],
    ['suffix -txt, A', { suffix: '-txt' }, a('a.web.example.com'), 'a-txt.web.example.com'],
    [
      'suffix -txt, AAAA (which has no legacy fallback)',
      { suffix: '-txt' },
      aaaa('aaaa.example.com'),
      'aaaa-txt.example.com',
    ],
    // a suffix with a dot: `cname.owner.example.com` reads as (cname.example.com, CNAME)
    ['dotted suffix, CNAME', { suffix: '.owner' }, cname('cname.example.com'), 'cname.owner.example.com'],
  ])('%s: owned, and the typed TXT is requested with force-update', async (_, config, rec, legacy) => {
    const list = new ListProvider([rec, txt(legacy, marker('me', ',external-dns/resource=r'))]);
    const registry = new TxtRegistry(list, { ownerId: 'me', ...config });
    const [current] = await registry.records();
    expect(current!.labels).toEqual({ owner: 'me', resource: 'r' });
    expect(current!.providerSpecific).toEqual(forced);

    // the planner's update writes the typed TXT; read again, nothing more is asked for
    const desired = endpoint({ ...rec, labels: { owner: 'me', resource: 'r' } });
    await registry.applyChanges(changes({ updateOld: [current!], updateNew: [desired] }));
    const written = registry.txtNameOf(rec);
    expect(written).not.toBe(legacy);
    expect(list.applied[0]!.updateNew.map((e) => e.dnsName)).toEqual([rec.dnsName, written]);
    // the legacy TXT stays (ExternalDNS never deletes it); it is neither a duplicate nor a repair
    expect(list.stored.map((e) => e.dnsName)).toContain(legacy);
    const [again] = await registry.records();
    expect(again!.labels).toEqual({ owner: 'me', resource: 'r' });
    expect(again!.providerSpecific).toEqual([]);
    expect(registry.warnings).toEqual([]);
  });

  it('a typed marker at the written name outranks the legacy name that reads back as the same record', async () => {
    const list = new ListProvider([
      a('a.example.com'),
      txt('a-txt.example.com', marker('old')),
      txt('a-a-txt.example.com', marker('me')),
    ]);
    const registry = new TxtRegistry(list, { ownerId: 'me', suffix: '-txt' });
    const [rec] = await registry.records();
    expect(rec!.labels).toEqual({ owner: 'me' });
    expect(rec!.providerSpecific).toEqual([]);
    expect(registry.warnings).toEqual([]);
  });

  it('leaves another owner’s record alone, and a typed marker at the written name needs no repair', async () => {
    const list = new ListProvider([
      cname('cname.example.com'),
      txt('cname-txt.example.com', marker('other')),
      a('a.example.com'),
      txt('a-a-txt.example.com', marker('me')),
      txt('a-txt.example.com', marker('me')),
    ]);
    const registry = new TxtRegistry(list, { ownerId: 'me', suffix: '-txt' });
    const read = await registry.records();
    expect(read.map((e) => [e.dnsName, e.labels['owner'], e.providerSpecific.length])).toEqual([
      ['cname.example.com', 'other', 0],
      ['a.example.com', 'me', 0],
    ]);
  });
});

describe('legacy markers of punycode names (oracle class b3)', () => {
  const cname = (dnsName: string): Endpoint =>
    endpoint({ dnsName, recordType: 'CNAME', targets: ['lb.example.net'] });
  const forced = [{ name: FORCE_UPDATE_PROPERTY, value: 'true' }];

  it.each([
    ['suffix -txt', { suffix: '-txt' }, 'xn--bcher-kva-txt.example.com'],
    ['suffix -txt, deeper name', { suffix: '-txt' }, 'xn--mnchen-3ya-txt.www.example.com'],
    ['templated suffix', { suffix: '-%{record_type}' }, 'xn--bcher-kva-.example.com'],
    ['prefix', { prefix: '_externaldns.' }, '_externaldns.xn--bcher-kva.example.com'],
    ['no affix', {}, 'xn--bcher-kva.example.com'],
  ])('%s: reads the owner from the legacy marker and force-updates', async (_, config, legacy) => {
    const name = legacy.replace(/^_externaldns\./, '').replace(/-(txt|)\./, '.');
    const list = new ListProvider([cname(name), txt(legacy, marker('me'))]);
    const registry = new TxtRegistry(list, { ownerId: 'me', ...config });
    const [current] = await registry.records();
    expect(current!.dnsName).toBe(name);
    expect(current!.labels).toEqual({ owner: 'me' });
    expect(current!.providerSpecific).toEqual(forced);
  });

  it('reads another owner from it, without force-update', async () => {
    const list = new ListProvider([
      cname('xn--bcher-kva.example.com'),
      txt('xn--bcher-kva-txt.example.com', marker('other')),
    ]);
    const registry = new TxtRegistry(list, { ownerId: 'me', suffix: '-txt' });
    const [current] = await registry.records();
    expect(current!.labels).toEqual({ owner: 'other' });
    expect(current!.providerSpecific).toEqual([]);
  });

  it('still reads a typed marker written for the Unicode spelling (deviation D5), without churn', async () => {
    // `cname-bücher-txt.example.com` as a provider stores it
    const list = new ListProvider([
      cname('xn--bcher-kva.example.com'),
      txt('xn--cname-bcher-txt-5vb.example.com', marker('me')),
      cname('xn--mnchen-3ya.example.com'),
      txt('cname-xn--mnchen-3ya-txt.example.com', marker('me')),
    ]);
    const registry = new TxtRegistry(list, { ownerId: 'me', suffix: '-txt' });
    const read = await registry.records();
    expect(read.map((e) => [e.dnsName, e.labels['owner'], e.providerSpecific.length])).toEqual([
      ['xn--bcher-kva.example.com', 'me', 0],
      ['xn--mnchen-3ya.example.com', 'me', 0],
    ]);
    expect(registry.warnings).toEqual([]);
  });
});
