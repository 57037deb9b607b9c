// More ExternalDNS bug reports replayed against our core (TxtRegistry over InMemoryProvider,
// reconcile), beside externalDnsIssues.test.ts: each test names the issue it comes from and asserts
// what ExternalDNS v0.22.0 does or means to do there, or what our documented deviation
// (docs/conformance.md) says instead. Each one failed before the fix it comes with.
import { describe, expect, it } from 'vitest';
import { endpoint } from '@openova/dns-core';

import { A, converges, lines, marker, run, setup, TXT, zoneOf } from './support/issueScenario.js';

describe('the `cname-` marker of an A-ALIAS from before v0.22 (PR #6523; mitodl/ol-infrastructure#5865)', () => {
  const alias = [{ name: 'alias', value: 'true' }];

  it('leaves with the A-ALIAS it speaks for, so it never claims a CNAME made there later (D14)', async () => {
    const { mem, registry } = setup([
      A('m.example.com', 'lb.example.net', { providerSpecific: alias }),
      TXT('cname-m.example.com', marker('me')),
    ]);
    const result = await converges(registry, []);
    // no TXT delete for the `a-` marker that was never written (v0.22.0 sent one and Route53 failed
    // the whole batch); the `cname-` one goes with its record
    expect(lines(result.plan.ownershipChanges.delete)).toEqual([`TXT cname-m.example.com ${marker('me')}`]);
    expect(await zoneOf(mem)).toEqual([]);
    // a CNAME made by hand at that name afterwards is nobody's: a sync leaves it alone
    await mem.applyChanges({
      create: [endpoint({ dnsName: 'm.example.com', recordType: 'CNAME', targets: ['hand.example.net'] })],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    const next = await run(registry, []);
    expect(next.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toEqual(['CNAME m.example.com hand.example.net']);
  });

  it('also after its `a-` marker was written beside it', async () => {
    const { mem, registry } = setup([
      A('m.example.com', 'lb.example.net', { providerSpecific: alias }),
      TXT('cname-m.example.com', marker('me')),
      TXT('a-m.example.com', marker('me')),
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('stays while the A-ALIAS stays (left in place, as ExternalDNS does), and is kept by a CNAME that replaces it', async () => {
    const { mem, registry } = setup([
      A('m.example.com', 'lb.example.net', { providerSpecific: alias }),
      TXT('cname-m.example.com', marker('me')),
    ]);
    await converges(registry, [A('m.example.com', 'lb2.example.net', { providerSpecific: alias })]);
    expect(await zoneOf(mem)).toEqual([
      'A m.example.com lb2.example.net',
      `TXT a-m.example.com ${marker('me')}`,
      `TXT cname-m.example.com ${marker('me')}`,
    ]);
    await converges(registry, [
      { dnsName: 'm.example.com', recordType: 'CNAME', targets: ['lb3.example.net'] },
    ]);
    expect(await zoneOf(mem)).toEqual([
      'CNAME m.example.com lb3.example.net',
      `TXT cname-m.example.com ${marker('me')}`,
    ]);
  });

  it('another owner’s `cname-` marker is never deleted', async () => {
    const { mem, registry } = setup([
      A('m.example.com', 'lb.example.net', { providerSpecific: alias }),
      TXT('cname-m.example.com', marker('other')),
      TXT('a-m.example.com', marker('me')),
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([`TXT cname-m.example.com ${marker('other')}`]);
  });
});

describe('an IDN written under one spelling and desired under the other (D5; #5090, #6278, PR #5147)', () => {
  // `a-` joins the first label: `a-bücher.example.com` is `xn--a-bcher-p2a.example.com`, another
  // name than `a-xn--bcher-kva.example.com`, though both mark the A record of `bücher.example.com`
  const punycodeZone = () =>
    setup([A('xn--bcher-kva.example.com', '192.0.2.1'), TXT('a-xn--bcher-kva.example.com', marker('me'))]);

  it('an update rewrites the stored marker instead of writing a second one, and a delete removes it', async () => {
    const { mem, registry } = punycodeZone();
    await converges(registry, [A('bücher.example.com', '192.0.2.3')]);
    expect(await zoneOf(mem)).toEqual([
      'A bücher.example.com 192.0.2.3',
      `TXT a-xn--bcher-kva.example.com ${marker('me')}`,
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('a record deleted by hand is recreated under the stored marker, which leaves with it later', async () => {
    const { mem, registry } = setup([TXT('a-xn--bcher-kva.example.com', marker('me'))]);
    await converges(registry, [A('bücher.example.com', '192.0.2.3')]);
    expect(await zoneOf(mem)).toEqual([
      'A bücher.example.com 192.0.2.3',
      `TXT a-xn--bcher-kva.example.com ${marker('me')}`,
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('the other way round: a marker written under the Unicode spelling, the record desired in punycode', async () => {
    const { mem, registry } = setup([
      A('bücher.example.com', '192.0.2.1'),
      TXT('xn--a-bcher-p2a.example.com', marker('me')),
    ]);
    await converges(registry, [A('xn--bcher-kva.example.com', '192.0.2.3')]);
    expect(await zoneOf(mem)).toEqual([
      'A xn--bcher-kva.example.com 192.0.2.3',
      `TXT a-bücher.example.com ${marker('me')}`, // xn--a-bcher-p2a, rewritten in place
    ]);
    await converges(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('another owner’s marker under the other spelling still holds the name (D2)', async () => {
    const { mem, registry } = setup([TXT('a-xn--bcher-kva.example.com', marker('other'))]);
    const result = await converges(registry, [A('bücher.example.com', '192.0.2.3')]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['owned-by-other', 'bücher.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([`TXT a-xn--bcher-kva.example.com ${marker('other')}`]);
  });
});

describe('marker TXTs this configuration does not map still hold their name (D13; #2036, #2737, #4358)', () => {
  // after moving to a templated prefix, the markers written without one sit at the records' own
  // names, where no reading maps them: hidden from the planner like every marker
  const oldMarkers = () =>
    setup([TXT('app.example.com', marker('me')), TXT('spf.example.com', marker('me'), '"v=spf1 -all"')], {
      prefix: '_x.%{record_type}.',
      managedRecordTypes: ['A', 'CNAME', 'TXT'],
    });

  it('a CNAME there is reported, not sent to be refused on every run', async () => {
    const { mem, registry } = oldMarkers();
    const desired = [{ dnsName: 'app.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }];
    const result = await converges(registry, desired);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['unsatisfiable', 'app.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([
      `TXT app.example.com ${marker('me')}`,
      `TXT spf.example.com ${marker('me')} "v=spf1 -all"`,
    ]);
  });

  it('a managed TXT record there is reported, not created over the hidden record set', async () => {
    const { mem, registry } = oldMarkers();
    const result = await converges(registry, [TXT('spf.example.com', '"v=spf1 include:example.net -all"')]);
    expect(result.skipped.map((s) => [s.code, s.record.dnsName])).toEqual([
      ['exists-unowned', 'spf.example.com'],
    ]);
    expect(await zoneOf(mem)).toEqual([
      `TXT app.example.com ${marker('me')}`,
      `TXT spf.example.com ${marker('me')} "v=spf1 -all"`,
    ]);
  });
});
