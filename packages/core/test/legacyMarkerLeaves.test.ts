// Deviation D14: a legacy (untyped, pre-v0.12 or ExternalDNS ≤ v0.17 dual-format) marker of ours
// leaves with the last records it speaks for. ExternalDNS never deletes one (its docs ship a
// cleanup script), so a marker left behind claims the next record anyone creates at its name, and
// the next sync deletes that record although it was never ours (found by a new-user review).
import { describe, expect, it } from 'vitest';
import {
  endpoint,
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type TxtRegistryOptions,
} from '@openova/dns-core';

const marker = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner}"`;
const A = (dnsName: string, ip: string): EndpointInit => ({ dnsName, recordType: 'A', targets: [ip] });
const TXT = (dnsName: string, ...targets: string[]): EndpointInit => ({
  dnsName,
  recordType: 'TXT',
  targets,
});

async function zoneOf(provider: InMemoryProvider): Promise<string[]> {
  return (await provider.records()).map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(' ')}`).sort();
}

function setup(records: EndpointInit[], options: Partial<TxtRegistryOptions> = {}) {
  const mem = new InMemoryProvider({ zones: ['example.com'], records });
  return { mem, registry: new TxtRegistry(mem, { ownerId: 'me', ...options }) };
}

const sync = (registry: TxtRegistry, desired: EndpointInit[], dryRun = false) =>
  reconcile({ registry, desired, policy: 'sync', safety: false, dryRun });

describe('a legacy marker of ours leaves with the last records it speaks for (D14)', () => {
  it('dual format: the record deleted, both markers go; a hand-made record there later is never touched', async () => {
    const { mem, registry } = setup([
      A('www.example.com', '192.0.2.1'),
      TXT('www.example.com', marker('me')),
      TXT('a-www.example.com', marker('me')),
      A('keep.example.com', '192.0.2.7'),
      TXT('a-keep.example.com', marker('me')),
    ]);
    const first = await sync(registry, [A('keep.example.com', '192.0.2.7')]);
    // the plan says it: the legacy marker is among the ownership TXT deletes
    expect(first.plan.ownershipChanges.delete.map((e) => e.dnsName).sort()).toEqual([
      'a-www.example.com',
      'www.example.com',
    ]);
    expect(await zoneOf(mem)).toEqual([
      'A keep.example.com 192.0.2.7',
      `TXT a-keep.example.com ${marker('me')}`,
    ]);
    // an operator creates www by hand: it is not ours, and a sync leaves it alone
    await mem.applyChanges({
      create: [endpoint(A('www.example.com', '203.0.113.9'))],
      updateOld: [],
      updateNew: [],
      delete: [],
    });
    const second = await sync(registry, [A('keep.example.com', '192.0.2.7')]);
    expect(second.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toContain('A www.example.com 203.0.113.9');
  });

  it('legacy only: the record and its marker go together; the second plan is empty', async () => {
    const { mem, registry } = setup([
      A('old.example.com', '192.0.2.1'),
      TXT('old.example.com', marker('me')),
    ]);
    const result = await sync(registry, []);
    // the plan lists the markers that are there: the legacy one, not a typed `a-old` that never was
    expect(result.plan.ownershipChanges.delete.map((e) => e.dnsName)).toEqual(['old.example.com']);
    expect(await zoneOf(mem)).toEqual([]);
    expect((await sync(registry, [], true)).plan.hasChanges).toBe(false);
  });

  it('values that share the marker’s TXT record set stay: only the marker value is removed', async () => {
    const { mem, registry } = setup([
      A('mail.example.com', '192.0.2.1'),
      TXT('mail.example.com', '"v=spf1 -all"', marker('me')),
    ]);
    await sync(registry, []);
    expect(await zoneOf(mem)).toEqual(['TXT mail.example.com "v=spf1 -all"']);
    expect((await sync(registry, [], true)).plan.hasChanges).toBe(false);
  });

  it('stays while a record it speaks for stays (ours or not, managed or not)', async () => {
    const { mem, registry } = setup([
      A('app.example.com', '192.0.2.1'),
      { dnsName: 'app.example.com', recordType: 'MX', targets: ['10 mx.example.net'] },
      TXT('app.example.com', marker('me')),
    ]);
    // MX is not a managed type here: the planner never deletes it, so the marker must stay for it
    await sync(registry, []);
    expect(await zoneOf(mem)).toEqual([
      'MX app.example.com 10 mx.example.net',
      `TXT app.example.com ${marker('me')}`,
    ]);
  });

  it('stays when the record is replaced at the same name (an update, or a new type created)', async () => {
    const { mem, registry } = setup([
      A('svc.example.com', '192.0.2.1'),
      TXT('svc.example.com', marker('me')),
    ]);
    await sync(registry, [A('svc.example.com', '192.0.2.2')]);
    const zone = await zoneOf(mem);
    expect(zone).toContain('A svc.example.com 192.0.2.2');
    expect(zone).toContain(`TXT a-svc.example.com ${marker('me')}`);
    expect((await sync(registry, [A('svc.example.com', '192.0.2.2')], true)).plan.hasChanges).toBe(false);
  });

  it('another owner’s legacy marker is never touched (its records are not ours to delete either)', async () => {
    const { mem, registry } = setup([
      A('theirs.example.com', '192.0.2.1'),
      TXT('theirs.example.com', marker('them')),
    ]);
    const result = await sync(registry, []);
    expect(result.plan.hasChanges).toBe(false);
    expect(await zoneOf(mem)).toEqual([
      'A theirs.example.com 192.0.2.1',
      `TXT theirs.example.com ${marker('them')}`,
    ]);
  });

  it('with a prefix: the legacy marker at prefix + name goes with its record', async () => {
    const { mem, registry } = setup(
      [A('p.example.com', '192.0.2.1'), TXT('_edns.p.example.com', marker('me'))],
      { prefix: '_edns.' },
    );
    await sync(registry, []);
    expect(await zoneOf(mem)).toEqual([]);
  });

  it('a record owned only through a legacy marker gets its typed marker shown as a create, not an update', async () => {
    const { mem, registry } = setup([
      A('mail.example.com', '192.0.2.1'),
      TXT('mail.example.com', marker('me')),
    ]);
    const result = await sync(registry, [A('mail.example.com', '192.0.2.1')]);
    expect(result.plan.ownershipChanges.create.map((e) => e.dnsName)).toEqual(['a-mail.example.com']);
    expect(result.plan.ownershipChanges.updateNew).toEqual([]);
    expect(await zoneOf(mem)).toContain(`TXT a-mail.example.com ${marker('me')}`);
    expect((await sync(registry, [A('mail.example.com', '192.0.2.1')], true)).plan.hasChanges).toBe(false);
  });
});
