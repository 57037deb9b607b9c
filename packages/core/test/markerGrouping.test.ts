// A rendered plan shows each ownership TXT under the record it speaks for: same name, set identifier
// and record type. Owning `s.example.com A` and replacing it by a CNAME must not show the A's
// marker under the CNAME.
import { describe, expect, it } from 'vitest';
import {
  endpoint,
  InMemoryProvider,
  planEntries,
  planFromJSON,
  reconcile,
  renderPlanJSON,
  renderPlanText,
  TxtRegistry,
  type EndpointInit,
  type Plan,
  type TxtRegistryOptions,
} from '@openova/dns-core';

async function aToCname(naming: Partial<TxtRegistryOptions>, setIdentifier = ''): Promise<Plan> {
  const provider = new InMemoryProvider({ zones: ['example.com'] });
  const registry = new TxtRegistry(provider, { ownerId: 'me', ...naming });
  const at = (init: EndpointInit): EndpointInit => (setIdentifier ? { ...init, setIdentifier } : init);
  await reconcile({
    registry,
    desired: [at({ dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.1'] })],
    policy: 'sync',
  });
  const { plan } = await reconcile({
    registry,
    desired: [at({ dnsName: 's.example.com', recordType: 'CNAME', targets: ['t.example.net'] })],
    policy: 'sync',
    dryRun: true,
  });
  return plan;
}

/** Each entry as `<action> <type>` with the names of the markers under it. */
const grouped = (plan: Pick<Plan, 'changes' | 'ownershipChanges'>) =>
  planEntries(plan).map((e) => [
    `${e.action} ${e.record.recordType}`,
    e.ownership.map((o) => `${o.action} ${o.record.dnsName}`),
  ]);

describe('ownership markers are grouped under the record they name', () => {
  it.each([
    ['no prefix', {}, 'cname-s.example.com', 'a-s.example.com'],
    [
      'templated prefix',
      { prefix: '_externaldns.%{record_type}.' },
      '_externaldns.cname.s.example.com',
      '_externaldns.a.s.example.com',
    ],
    ['plain prefix', { prefix: 'own.' }, 'own.cname-s.example.com', 'own.a-s.example.com'],
    ['suffix', { suffix: '-own' }, 'cname-s-own.example.com', 'a-s-own.example.com'],
    ['templated suffix', { suffix: '.%{record_type}-own' }, 's.cname-own.example.com', 's.a-own.example.com'],
  ])('%s', async (_, naming, cnameMarker, aMarker) => {
    const plan = await aToCname(naming);
    expect(grouped(plan)).toEqual([
      ['create CNAME', [`create ${cnameMarker}`]],
      ['delete A', [`delete ${aMarker}`]],
    ]);
  });

  it('renderPlanText shows the A marker under the A, also for a saved plan read back', async () => {
    const plan = await aToCname({ prefix: '_externaldns.%{record_type}.' });
    const expected = [
      'Plan for owner "me" (policy sync):',
      '+ s.example.com CNAME ttl default: t.example.net',
      '    + TXT _externaldns.cname.s.example.com: "heritage=external-dns,external-dns/owner=me"',
      '- s.example.com A ttl default: 192.0.2.1',
      '    - TXT _externaldns.a.s.example.com: "heritage=external-dns,external-dns/owner=me"',
      'Summary: 1 to create, 0 to update, 1 to delete.',
    ].join('\n');
    expect(renderPlanText(plan)).toBe(expected);
    expect(renderPlanText(planFromJSON(renderPlanJSON(plan)))).toBe(expected);
  });

  it('with a set identifier', async () => {
    const plan = await aToCname({}, 'eu');
    expect(grouped(plan)).toEqual([
      ['create CNAME', ['create cname-s.example.com']],
      ['delete A', ['delete a-s.example.com']],
    ]);
  });

  it('an affix holding another type name (prefix "cname."): the type written before the record name decides', () => {
    const rec = (recordType: string, targets: string[]) =>
      endpoint({ dnsName: 's.example.com', recordType, targets });
    const marker = (dnsName: string) =>
      endpoint({
        dnsName,
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=me"'],
        labels: { ownedRecord: 's.example.com' },
      });
    const none = { create: [], updateOld: [], updateNew: [], delete: [] };
    const plan = {
      changes: { ...none, create: [rec('CNAME', ['t.example.net'])], delete: [rec('A', ['192.0.2.1'])] },
      ownershipChanges: {
        ...none,
        create: [marker('cname.cname-s.example.com')],
        delete: [marker('cname.a-s.example.com')],
      },
    };
    expect(grouped(plan)).toEqual([
      ['create CNAME', ['create cname.cname-s.example.com']],
      ['delete A', ['delete cname.a-s.example.com']],
    ]);
  });

  it('a legacy untyped marker goes under the first record changed at its name', () => {
    const none = { create: [], updateOld: [], updateNew: [], delete: [] };
    const plan = {
      changes: {
        ...none,
        create: [endpoint({ dnsName: 's.example.com', recordType: 'CNAME', targets: ['t.example.net'] })],
        delete: [endpoint({ dnsName: 's.example.com', recordType: 'A', targets: ['192.0.2.1'] })],
      },
      ownershipChanges: {
        ...none,
        delete: [
          endpoint({
            dnsName: 's.example.com',
            recordType: 'TXT',
            targets: ['"heritage=external-dns"'],
            labels: { ownedRecord: 's.example.com' },
          }),
        ],
      },
    };
    expect(grouped(plan)).toEqual([
      ['create CNAME', ['delete s.example.com']],
      ['delete A', []],
    ]);
  });
});
