// Property tests over random zones, owners and desired sets (fast-check, 1,000 runs each) on the
// in-memory provider with the TXT registry:
//   1. no change ever touches a record that is not ours;
//   2. plan → apply → plan is empty (apart from creates refused for another owner's marker);
//   3. every record change reaches the provider in the same call as its ownership TXT.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  endpointKey,
  InMemoryProvider,
  reconcile,
  SKIP_REASONS,
  TxtRegistry,
  type Endpoint,
  type EndpointInit,
} from '@openova/dns-core';

const ZONE = 'example.com';
const PREFIX = '_externaldns.%{record_type}.';
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}.${ZONE}`);
const IPV4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
const IPV6 = ['2001:db8::1', '2001:db8::2'];
const HOSTS = ['lb1.example.net', 'lb2.example.net'];
const OWNERS = ['me', 'other', undefined] as const;

type Shape = 'A' | 'AAAA' | 'A+AAAA' | 'CNAME';
const shapeTypes = (s: Shape): ('A' | 'AAAA' | 'CNAME')[] => (s === 'A+AAAA' ? ['A', 'AAAA'] : [s]);
const targetsFor = (type: string, pick: number) =>
  type === 'A'
    ? [IPV4[pick % 3]!, ...(pick > 2 ? [IPV4[(pick + 1) % 3]!] : [])]
    : type === 'AAAA'
      ? [IPV6[pick % 2]!]
      : [HOSTS[pick % 2]!];

const existing = fc.record({
  shape: fc.constantFrom<Shape>('A', 'AAAA', 'A+AAAA', 'CNAME'),
  owner: fc.constantFrom(...OWNERS),
  pick: fc.nat(5),
  ttl: fc.constantFrom(0, 60, 300),
  /** a marker for another record type at this name, with no record behind it (orphan) */
  orphanMarker: fc.option(fc.constantFrom('me', 'other'), { nil: undefined }),
});
const wanted = fc.record({
  shape: fc.constantFrom<Shape>('A', 'AAAA', 'A+AAAA', 'CNAME'),
  pick: fc.nat(5),
  ttl: fc.constantFrom(0, 60, 300),
});
const scenario = fc.record({
  zone: fc.dictionary(fc.constantFrom(...NAMES), existing, { maxKeys: NAMES.length }),
  desired: fc.dictionary(fc.constantFrom(...NAMES), wanted, { maxKeys: NAMES.length }),
  policy: fc.constantFrom('sync', 'upsert-only', 'create-only' as const),
});

const marker = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner}"`;

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const namer = new TxtRegistry(new InMemoryProvider({ zones: [ZONE] }), {
    ownerId: 'namer',
    prefix: PREFIX,
  });
  const records: EndpointInit[] = [];
  for (const [name, e] of Object.entries(s.zone)) {
    for (const type of shapeTypes(e.shape)) {
      records.push({ dnsName: name, recordType: type, targets: targetsFor(type, e.pick), recordTTL: e.ttl });
      if (e.owner)
        records.push({
          dnsName: namer.txtNameOf({ dnsName: name, recordType: type }),
          recordType: 'TXT',
          targets: [marker(e.owner)],
        });
    }
    if (e.orphanMarker) {
      const orphanType = e.shape === 'CNAME' ? 'A' : 'CNAME';
      records.push({
        dnsName: namer.txtNameOf({ dnsName: name, recordType: orphanType }),
        recordType: 'TXT',
        targets: [marker(e.orphanMarker)],
      });
    }
  }
  const provider = new InMemoryProvider({ zones: [ZONE], records });
  const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: PREFIX });
  const desired: EndpointInit[] = Object.entries(s.desired).flatMap(([name, d]) =>
    shapeTypes(d.shape).map((type) => ({
      dnsName: name,
      recordType: type,
      targets: targetsFor(type, d.pick),
      recordTTL: d.ttl,
    })),
  );
  return { provider, registry, desired };
}

const fingerprint = (ep: Endpoint) => JSON.stringify([endpointKey(ep), [...ep.targets].sort(), ep.recordTTL]);
const RUNS = { numRuns: 1000 };

describe('properties of reconcile on random zones', () => {
  it('never changes a record that is not ours', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { provider, registry, desired } = build(s);
        const before = await registry.records();
        const ours = new Set(before.filter((ep) => ep.labels['owner'] === 'me').map((ep) => endpointKey(ep)));
        const foreignBefore = before
          .filter((ep) => !ours.has(endpointKey(ep)))
          .map(fingerprint)
          .sort();
        const foreignMarkersBefore = (await provider.records())
          .filter((ep) => ep.recordType === 'TXT' && !ep.targets[0]!.includes('owner=me'))
          .map(fingerprint)
          .sort();
        await reconcile({ registry, desired, policy: s.policy, force: true });
        const after = await provider.records();
        const afterSet = new Set(after.map(fingerprint));
        for (const fp of [...foreignBefore, ...foreignMarkersBefore]) expect(afterSet.has(fp), fp).toBe(true);
        // and nothing sent to the provider ever names a foreign record as the thing to update or delete
        for (const call of provider.applied) {
          for (const ep of [...call.updateOld, ...call.delete]) {
            if (ep.recordType !== 'TXT')
              expect(ours.has(endpointKey(ep)), `touched ${endpointKey(ep)}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('plan → apply → plan is empty', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { registry, desired } = build(s);
        await reconcile({ registry, desired, policy: s.policy, force: true });
        const second = await reconcile({ registry, desired, policy: s.policy, force: true, dryRun: true });
        const c = second.plan.changes;
        expect(c.create).toEqual([]);
        expect(c.updateNew).toEqual([]);
        expect(c.delete).toEqual([]);
        expect(second.plan.hasChanges).toBe(false);
        // what could not be done is reported, not silently retried: a known reason, and where it is
        for (const skip of second.skipped) {
          expect(SKIP_REASONS).toContain(skip.code);
          expect(skip.path?.[0]).toBe('desired');
          expect(desired[skip.path?.[1] as number]?.recordType).toBe(skip.record.recordType);
        }
      }),
      RUNS,
    );
  });

  it('sends every record change in the same call as its ownership TXT', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { provider, registry, desired } = build(s);
        const txtBefore = new Set(
          (await provider.records()).filter((ep) => ep.recordType === 'TXT').map((ep) => ep.dnsName),
        );
        await reconcile({ registry, desired, policy: s.policy, force: true });
        for (const call of provider.applied) {
          for (const list of ['create', 'updateNew', 'updateOld', 'delete'] as const) {
            const txts = new Set(call[list].filter((ep) => ep.recordType === 'TXT').map((ep) => ep.dnsName));
            for (const ep of call[list]) {
              if (ep.recordType === 'TXT') continue;
              const txtName = registry.txtNameOf(ep);
              const travels = txts.has(txtName) || (list === 'create' && txtBefore.has(txtName));
              expect(travels, `${list} ${ep.dnsName} ${ep.recordType} without ${txtName}`).toBe(true);
            }
          }
        }
      }),
      RUNS,
    );
  });
});
