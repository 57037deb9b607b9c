// TXT as a managed record type beside the TXT registry's own markers (ExternalDNS
// `--managed-record-types=TXT`; #6718, #5278, #5279, #6293, PR #6435, #692): TxtRegistry over
// InMemoryProvider, driven by reconcile. Every scenario checks that values we do not own are never
// touched, that a second plan is empty, and that what cannot be done is reported with a reason.
import { describe, expect, it } from 'vitest';
import type { InMemoryProvider, TxtRegistry } from '@openova/dns-core';
import { encryptTxtValue, type EndpointInit, type Policy, type TxtRegistryOptions } from '@openova/dns-core';
import {
  A,
  marker,
  run as runOnce,
  setup as setupZone,
  TXT,
  zoneOf as zoneLines,
} from './support/issueScenario.js';

const zoneOf = (provider: InMemoryProvider) => zoneLines(provider, { ttl: false });

/** The shared zone, with TXT managed beside A, AAAA and CNAME. */
const setup = (records: EndpointInit[], options: Partial<TxtRegistryOptions> = {}) =>
  setupZone(records, { managedRecordTypes: ['A', 'AAAA', 'CNAME', 'TXT'], ...options });

const run = (registry: TxtRegistry, desired: EndpointInit[], policy: Policy = 'sync', dryRun = false) =>
  runOnce(registry, desired, policy, { dryRun });

/** Applies, then plans again: the second plan must be empty and report the same skips. */
async function converges(registry: TxtRegistry, desired: EndpointInit[], policy: Policy = 'sync') {
  const first = await run(registry, desired, policy);
  const second = await run(registry, desired, policy, true);
  expect(second.plan.hasChanges, JSON.stringify(second.plan.changes)).toBe(false);
  expect(second.skipped.map((s) => s.code)).toEqual(first.skipped.map((s) => s.code));
  return first;
}

describe('a desired TXT record where a marker lives (no prefix, old format)', () => {
  it('a legacy marker alone at the name: the TXT is reported, the marker kept', async () => {
    const { mem, registry } = setup([
      A('api.example.com', '192.0.2.1'),
      TXT('api.example.com', marker('me')),
      TXT('a-api.example.com', marker('me')),
    ]);
    const result = await converges(registry, [
      A('api.example.com', '192.0.2.1'),
      TXT('api.example.com', '"hello"'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['exists-unowned', 'api.example.com'],
    ]);
    expect(result.skipped[0]?.reason).toContain('marker');
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT a-api.example.com ${marker('me')}`,
      `TXT api.example.com ${marker('me')}`,
    ]);
  });

  it('another owner’s legacy marker there: nothing of theirs is touched', async () => {
    const { mem, registry } = setup([
      A('api.example.com', '192.0.2.1'),
      TXT('api.example.com', marker('other')),
    ]);
    const result = await converges(registry, [TXT('api.example.com', '"hello"')]);
    expect(result.skipped.length).toBe(1);
    expect(await zoneOf(mem)).toEqual([
      'A api.example.com 192.0.2.1',
      `TXT api.example.com ${marker('other')}`,
    ]);
  });
});

describe('a desired TXT whose value reads as a marker', () => {
  it('naming ourselves: not written, reported (it would read back as a marker and be planned again)', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [TXT('x.example.com', marker('me'))]);
    expect(result.skipped.map((s) => s.record.dnsName)).toEqual(['x.example.com']);
    expect(result.skipped[0]?.reason).toMatch(/marker/);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('naming another owner: not written, so it never claims records at that name for them', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [
      TXT('y.example.com', marker('other')),
      A('y.example.com', '192.0.2.9'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['unsatisfiable', 'y.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual(['A y.example.com 192.0.2.9', `TXT a-y.example.com ${marker('me')}`]);
  });

  it('an encrypted marker under our key: not written either', async () => {
    const aesKey = new Uint8Array(32).fill(7);
    const { mem, registry } = setup([], { encryption: { aesKey } });
    const sealed = encryptTxtValue('heritage=external-dns,external-dns/owner=me', aesKey);
    const result = await converges(registry, [TXT('x.example.com', sealed)]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['unsatisfiable', 'x.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('one marker-like value among others: the record is reported, nothing written', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [TXT('z.example.com', '"v=spf1 -all"', marker('me'))]);
    expect(result.skipped.map((s) => s.record.dnsName)).toEqual(['z.example.com']);
    expect(await zoneOf(mem)).toEqual([]);
  });
});

describe('SPF and verification values beside markers in one record set', () => {
  it('an apex record set with SPF, a verification token and an old legacy marker is never rewritten (#692)', async () => {
    // written without a prefix long ago; the templated prefix now maps no marker there (D13)
    const stored = TXT('example.com', '"v=spf1 -all"', '"google-site-verification=abc"', marker('me'));
    const { mem, registry } = setup(
      [A('example.com', '192.0.2.1'), TXT('_edns.a.example.com', marker('me')), stored],
      { prefix: '_edns.%{record_type}.' },
    );
    const before = await zoneOf(mem);
    const result = await converges(registry, [
      A('example.com', '192.0.2.1'),
      TXT('example.com', '"v=spf1 mx -all"', '"google-site-verification=abc"'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.recordType, s.record.dnsName])).toEqual([
      ['exists-unowned', 'TXT', 'example.com'],
    ]);
    expect(result.skipped[0]?.reason).toContain('ownership markers');
    expect(await zoneOf(mem)).toEqual(before);
  });

  it('a managed SPF record set of ours gains and loses a value; its marker stays apart', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [TXT('mail.example.com', '"v=spf1 -all"')]);
    await converges(registry, [TXT('mail.example.com', '"v=spf1 -all"', '"google-site-verification=abc"')]);
    expect(await zoneOf(mem)).toEqual([
      'TXT mail.example.com "google-site-verification=abc" "v=spf1 -all"',
      `TXT txt-mail.example.com ${marker('me')}`,
    ]);
    await converges(registry, [TXT('mail.example.com', '"google-site-verification=abc"')]);
    expect(await zoneOf(mem)).toEqual([
      'TXT mail.example.com "google-site-verification=abc"',
      `TXT txt-mail.example.com ${marker('me')}`,
    ]);
  });
});

describe('a desired TXT at the marker name of another record', () => {
  it('both new in one run: the record whose marker name is taken is reported, the TXT written', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [
      A('new.example.com', '192.0.2.1'),
      TXT('a-new.example.com', '"x"'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['marker-not-writable', 'new.example.com'],
    ]);
    expect(result.skipped[0]?.reason).toContain('a-new.example.com');
    expect(await zoneOf(mem)).toEqual([
      'TXT a-new.example.com "x"',
      `TXT txt-a-new.example.com ${marker('me')}`,
    ]);
  });

  it('at another owner’s marker name: reported, their marker untouched', async () => {
    const { mem, registry } = setup([
      A('b.example.com', '192.0.2.1'),
      TXT('a-b.example.com', marker('other')),
    ]);
    const result = await converges(registry, [TXT('a-b.example.com', '"x"')]);
    expect(result.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(await zoneOf(mem)).toEqual([
      'A b.example.com 192.0.2.1',
      `TXT a-b.example.com ${marker('other')}`,
    ]);
  });

  it('at the `txt-` marker name of a desired TXT record: one of the two is reported', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [
      TXT('foo.example.com', '"a"'),
      TXT('txt-foo.example.com', '"b"'),
    ]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['marker-not-writable', 'foo.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([
      'TXT txt-foo.example.com "b"',
      `TXT txt-txt-foo.example.com ${marker('me')}`,
    ]);
  });

  it('a plain TXT already at a record’s marker name is not overwritten by the marker', async () => {
    const { mem, registry } = setup([TXT('a-c.example.com', '"by hand"')]);
    const result = await converges(registry, [A('c.example.com', '192.0.2.1')]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['marker-not-writable', 'c.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual(['TXT a-c.example.com "by hand"']);
  });
});

describe('the typed marker of a TXT record (`txt-` / %{record_type} = txt; #6718, #6293)', () => {
  for (const [label, options, name] of [
    ['no affix', {}, 'txt-s.example.com'],
    ['prefix with %{record_type}', { prefix: '_edns.%{record_type}.' }, '_edns.txt.s.example.com'],
    ['suffix with %{record_type}', { suffix: '-%{record_type}' }, 's-txt.example.com'],
    ['plain prefix', { prefix: 'reg-' }, 'reg-txt-s.example.com'],
  ] as const) {
    it(`${label}: ${name}; created, updated and deleted with its record`, async () => {
      const { mem, registry } = setup([], options);
      await converges(registry, [TXT('s.example.com', '"one"')]);
      expect(await zoneOf(mem)).toEqual([`TXT ${name} ${marker('me')}`, 'TXT s.example.com "one"'].sort());
      const updated = await converges(registry, [TXT('s.example.com', '"two"')]);
      expect(updated.counts.update).toBe(1);
      await converges(registry, []);
      expect(await zoneOf(mem)).toEqual([]);
    });
  }

  it('a TXT record named like a marker (`txt-foo`) is managed with its own `txt-txt-` marker', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [TXT('txt-foo.example.com', '"v"')]);
    expect(await zoneOf(mem)).toEqual([
      'TXT txt-foo.example.com "v"',
      `TXT txt-txt-foo.example.com ${marker('me')}`,
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('another owner’s TXT record is never updated or deleted', async () => {
    const { mem, registry } = setup([
      TXT('o.example.com', '"theirs"'),
      TXT('txt-o.example.com', marker('other')),
    ]);
    const result = await converges(registry, [TXT('o.example.com', '"mine"')]);
    expect(result.skipped.map((s) => [s.code, s.owner])).toEqual([['owned-by-other', 'other']]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([
      'TXT o.example.com "theirs"',
      `TXT txt-o.example.com ${marker('other')}`,
    ]);
  });

  it('an unowned TXT record is never deleted by sync', async () => {
    const { mem, registry } = setup([TXT('u.example.com', '"by hand"')]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual(['TXT u.example.com "by hand"']);
  });
});

describe('a managed TXT record whose record set also holds a marker', () => {
  it('another owner’s marker beside the values: nothing there is ours to change or delete', async () => {
    const zone = [TXT('e.example.com', '"data"', marker('other')), TXT('txt-e.example.com', marker('me'))];
    const { mem, registry } = setup(zone);
    const before = await zoneOf(mem);
    await converges(registry, []);
    const result = await converges(registry, [TXT('e.example.com', '"data2"')]);
    expect(result.skipped.map((s) => s.code)).toEqual(['exists-unowned']);
    expect(await zoneOf(mem)).toEqual(before);
  });
});

describe('a managed TXT record whose own legacy marker sits in its record set (pre-v0.12, no prefix)', () => {
  // ExternalDNS before v0.12 wrote the untyped marker of `d` at `d` itself; the typed `txt-d` came later
  const zone = () => [TXT('d.example.com', '"data"', marker('me')), TXT('txt-d.example.com', marker('me'))];

  it('the record set is never rewritten in part; desiring it is reported, not retried blindly', async () => {
    const { mem, registry } = setup(zone());
    const before = await zoneOf(mem);
    const result = await converges(registry, [TXT('d.example.com', '"data2"')]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['exists-unowned', 'd.example.com'],
    ]);
    expect(result.skipped[0]?.reason).toContain('holds ownership markers');
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual(before);
  });
});

describe('a managed TXT record at the apex without a prefix', () => {
  it('is reported (its `txt-` marker would lie outside the zone), nothing written, every run the same', async () => {
    const { mem, registry } = setup([]);
    const result = await converges(registry, [TXT('example.com', '"v=spf1 -all"')]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['marker-not-writable', 'example.com'],
    ]);
    expect(result.skipped[0]?.reason).toContain('txt-example.com');
    expect(await zoneOf(mem)).toEqual([]);
  });
});

describe('case-only value changes', () => {
  it('a TXT value changing only in case is not an update, as in ExternalDNS (Targets.Same, EqualFold)', async () => {
    const { mem, registry } = setup([]);
    await converges(registry, [TXT('k.example.com', '"Token=ABC"')]);
    const result = await converges(registry, [TXT('k.example.com', '"token=abc"')]);
    expect(result.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toContain('TXT k.example.com "Token=ABC"');
  });

  it('a marker stored in other case is still ours: its TXT record is updated, nothing rewritten twice', async () => {
    const { mem, registry } = setup([
      TXT('m.example.com', '"v"'),
      TXT('TXT-M.example.com', '"heritage=external-dns,external-dns/owner=me"'),
    ]);
    const result = await converges(registry, [TXT('m.example.com', '"v2"')]);
    expect(result.counts.update).toBe(1);
    expect(await zoneOf(mem)).toContain('TXT m.example.com "v2"');
  });
});
