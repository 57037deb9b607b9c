import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DomainFilter,
  endpoint,
  InMemoryProvider,
  InterruptedApplyError,
  PartialApplyError,
  ProviderError,
  reconcile,
  TxtRegistry,
  ValidationError,
  type BatchChange,
  type BatchLimit,
  type Changes,
  type Endpoint,
  type EndpointInit,
  type Provider,
  type ProviderCapabilities,
} from '@openova/dns-core';
import {
  applyInBatches,
  batchChanges,
  batchLimitsOf,
  endpointCountLimit,
  perValueCost,
  splitChanges,
  valueCount,
} from '@openova/dns-core/provider';

/** An all-or-nothing batch provider that rejects any batch containing a name from `bad`. */
function rejectingProvider(
  bad: Set<string>,
  limits: Pick<ProviderCapabilities, 'maxChangesPerApply' | 'batchLimits'> = { maxChangesPerApply: 10 },
  refusal: { code: 'RECORD_REJECTED' | 'RECORD_CONFLICT'; retryable?: boolean } = { code: 'RECORD_REJECTED' },
) {
  const accepted: Changes[] = [];
  let calls = 0;
  const provider: Provider = {
    name: 'fake',
    capabilities: {
      recordTypes: ['A', 'TXT'],
      atomicity: 'batch',
      setIdentifiers: false,
      ...limits,
    },
    domainFilter: DomainFilter.all(),
    records: () => Promise.resolve([]),
    adjustEndpoints: (e: Endpoint[]) => Promise.resolve(e),
    applyChanges: (changes: Changes) => {
      calls++;
      const hit = changes.create.find((e) => bad.has(e.dnsName));
      if (hit)
        return Promise.reject(
          new ProviderError(`invalid content for ${hit.dnsName}`, {
            provider: 'fake',
            ...refusal,
          }),
        );
      accepted.push(changes);
      return Promise.resolve();
    },
  };
  return { provider, accepted, calls: () => calls };
}

const withTxt = (i: number) => [
  endpoint({ dnsName: `r${i}.example.com`, recordType: 'A', targets: ['192.0.2.1'] }),
  endpoint({
    dnsName: `a-r${i}.example.com`,
    recordType: 'TXT',
    targets: ['"x"'],
    labels: { ownedRecord: `r${i}.example.com` },
  }),
];

describe('applyInBatches', () => {
  it('isolates rejected changes by bisection, applies the rest and names the bad ones', async () => {
    const { provider, accepted, calls } = rejectingProvider(new Set(['r3.example.com', 'r12.example.com']));
    const create = Array.from({ length: 16 }, (_, i) => withTxt(i)).flat();
    const error = await applyInBatches(provider, { create, updateOld: [], updateNew: [], delete: [] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PartialApplyError);
    const rejected = (error as PartialApplyError).rejected;
    expect(rejected.map((r) => r.records)).toEqual([['r3.example.com A'], ['r12.example.com A']]);
    expect(rejected[0]!.reason).toBe('invalid content for r3.example.com');
    const applied = accepted.flatMap((c) => c.create);
    expect(applied).toHaveLength(28); // 14 records with their 14 TXTs
    for (const c of accepted) {
      const records = c.create.filter((e) => e.recordType === 'A').map((e) => e.dnsName);
      expect(c.create.filter((e) => e.recordType === 'TXT').map((e) => e.labels['ownedRecord'])).toEqual(
        records,
      );
      expect(c.create.length).toBeLessThanOrEqual(10);
    }
    expect(calls()).toBeLessThan(20); // bisection, not one call per record
  });

  it('stops at once on errors that are not content rejections', async () => {
    const provider: Provider = {
      ...rejectingProvider(new Set()).provider,
      applyChanges: () =>
        Promise.reject(new ProviderError('server down', { provider: 'fake', retryable: true, status: 503 })),
    };
    await expect(
      applyInBatches(provider, { create: withTxt(1), updateOld: [], updateNew: [], delete: [] }),
    ).rejects.toThrow('server down');
  });

  it('a failure after earlier calls were applied names exactly what was applied and what not', async () => {
    const { provider, accepted } = rejectingProvider(new Set(), { maxChangesPerApply: 6 });
    const down = new ProviderError('server down', { provider: 'fake', retryable: true, status: 503 });
    const failing: Provider = {
      ...provider,
      // the second call fails
      applyChanges: (changes, options) =>
        accepted.length === 1 ? Promise.reject(down) : provider.applyChanges(changes, options),
    };
    const create = Array.from({ length: 8 }, (_, i) => withTxt(i)).flat();
    const error = await applyInBatches(failing, { create, updateOld: [], updateNew: [], delete: [] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterruptedApplyError);
    const interrupted = error as InterruptedApplyError;
    // records are named, not their ownership markers
    expect(interrupted.applied).toEqual(['r0.example.com A', 'r1.example.com A', 'r2.example.com A']);
    expect(interrupted.notApplied).toEqual([3, 4, 5, 6, 7].map((i) => `r${i}.example.com A`));
    expect(interrupted).toMatchObject({ cause: down, retryable: true, status: 503, code: 'PROVIDER' });
    expect(interrupted.message).toBe(
      'fake: 5 record set change(s) not applied (r3.example.com A, r4.example.com A, r5.example.com A, r6.example.com A, r7.example.com A); 3 applied (r0.example.com A, r1.example.com A, r2.example.com A): server down',
    );
  });

  it('a failure in the first call and a ValidationError are thrown as they are', async () => {
    const { provider } = rejectingProvider(new Set(), { maxChangesPerApply: 6 });
    const create = Array.from({ length: 8 }, (_, i) => withTxt(i)).flat();
    const down = new ProviderError('server down', { provider: 'fake', retryable: true });
    const first: Provider = { ...provider, applyChanges: () => Promise.reject(down) };
    await expect(applyInBatches(first, { create, updateOld: [], updateNew: [], delete: [] })).rejects.toBe(
      down,
    );
    let calls = 0;
    const invalid = new ValidationError([{ path: ['create', 0], code: 'x', message: 'bad' }]);
    const second: Provider = {
      ...provider,
      applyChanges: (changes, options) =>
        ++calls === 2 ? Promise.reject(invalid) : provider.applyChanges(changes, options),
    };
    await expect(
      applyInBatches(second, { create, updateOld: [], updateNew: [], delete: [] }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists at most 50 names per list in the message; the fields hold them all', () => {
    const names = Array.from({ length: 120 }, (_, i) => `h${i}.example.com A`);
    const error = new InterruptedApplyError('fake', new Error('boom'), { applied: names, notApplied: [] });
    expect(error.applied).toHaveLength(120);
    expect(error.message).toContain('h49.example.com A, and 70 more): boom');
    expect(error.message).not.toContain('h50.example.com');
  });
});

// ---- batching by cost -------------------------------------------------------------------------

const none = (): Changes => ({ create: [], updateOld: [], updateNew: [], delete: [] });
const a = (name: string, targets: string[]) =>
  endpoint({ dnsName: name, recordType: 'A', targets, recordTTL: 300 });
const txt = (name: string, values: string[]) =>
  endpoint({ dnsName: name, recordType: 'TXT', targets: values, recordTTL: 300 });
const marker = (record: string) =>
  endpoint({
    dnsName: `a-${record}`,
    recordType: 'TXT',
    targets: ['"heritage=external-dns,external-dns/owner=me"'],
    labels: { ownedRecord: record },
  });
const ips = (i: number, n: number) =>
  Array.from({ length: n }, (_, k) => `10.${k >> 8}.${k & 255}.${i % 250}`);

/** The cost of a whole batch under one limit. */
const priced = (batch: Changes, limit: BatchLimit) =>
  batchChanges(batch).reduce((n, c) => n + limit.cost(c), 0);
const all = (batches: Changes[], list: keyof Changes) => batches.flatMap((b) => b[list]);

// Route53 (cloud-providers.md §B.4): at most 1,000 ResourceRecord elements and 32,000 characters of
// Value per change batch; an UPSERT counts every element and character twice. In our mapping an
// update is an UPSERT of the new version; a delete removes the old one, a create writes one.
const upsertFactor = (c: BatchChange) => (c.kind === 'update' ? 2 : 1);
const route53Records: BatchLimit = {
  name: 'Route53 ResourceRecord elements',
  max: 1000,
  cost: (c) => upsertFactor(c) * valueCount(c.endpoint),
};
const route53Characters: BatchLimit = {
  name: 'Route53 value characters',
  max: 32_000,
  cost: (c) => upsertFactor(c) * c.endpoint.targets.reduce((n, t) => n + t.length, 0),
};
const route53 = { atomicity: 'batch', batchLimits: [route53Records, route53Characters] } as const;

// Google Cloud DNS (gcp-azure.md §E): 1,000 rrset additions and 1,000 deletions per change; an
// update is a deletion of the old rrset plus an addition of the new one.
const googleAdditions: BatchLimit = {
  name: 'Google Cloud DNS additions per change',
  max: 1000,
  cost: (c) => (c.kind === 'delete' ? 0 : 1),
};
const googleDeletions: BatchLimit = {
  name: 'Google Cloud DNS deletions per change',
  max: 1000,
  cost: (c) => (c.kind === 'create' ? 0 : 1),
};
const google = { atomicity: 'batch', batchLimits: [googleAdditions, googleDeletions] } as const;

// Cloudflare (cloud-providers.md §A.7): 200 operations per batch on Free (3,500 on paid), one
// operation per value; an update PATCHes old values in place and posts or deletes the surplus.
const cloudflareFree: BatchLimit = { name: 'Cloudflare batch operations', max: 200, cost: perValueCost };

describe('cost functions', () => {
  it('perValueCost: one per distinct value; an update costs max(old, new)', () => {
    const three = a('x.example.com', ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const one = a('x.example.com', ['192.0.2.1']);
    expect(valueCount(a('x.example.com', ['192.0.2.1', '192.0.2.1']))).toBe(1);
    expect(perValueCost({ kind: 'create', endpoint: three })).toBe(3);
    expect(perValueCost({ kind: 'delete', endpoint: three })).toBe(3);
    expect(perValueCost({ kind: 'update', old: one, endpoint: three })).toBe(3); // 1 PATCH + 2 POSTs
    expect(perValueCost({ kind: 'update', old: three, endpoint: one })).toBe(3); // 1 PATCH + 2 DELETEs
  });

  it('maxChangesPerApply is an endpoint-count limit: 1 per create or delete, 2 per update', () => {
    const limit = endpointCountLimit(5);
    const ep = a('x.example.com', ['192.0.2.1', '192.0.2.2']);
    expect(limit.max).toBe(5);
    expect(limit.cost({ kind: 'create', endpoint: ep })).toBe(1);
    expect(limit.cost({ kind: 'delete', endpoint: ep })).toBe(1);
    expect(limit.cost({ kind: 'update', old: ep, endpoint: ep })).toBe(2);
    const limits = batchLimitsOf({ maxChangesPerApply: 5, batchLimits: [cloudflareFree] });
    expect(limits.map((l) => [l.name, l.max])).toEqual([
      ['endpoints (maxChangesPerApply)', 5],
      ['Cloudflare batch operations', 200],
    ]);
    expect(batchLimitsOf({})).toEqual([]);
  });

  it('batchChanges pairs updateOld[i] with updateNew[i] and refuses lists that do not pair up', () => {
    const old = a('x.example.com', ['192.0.2.1']);
    const next = a('x.example.com', ['192.0.2.2']);
    expect(
      batchChanges({ ...none(), create: [next], updateOld: [old], updateNew: [next], delete: [old] }),
    ).toEqual([
      { kind: 'create', endpoint: next },
      { kind: 'update', endpoint: next, old },
      { kind: 'delete', endpoint: old },
    ]);
    expect(() => batchChanges({ ...none(), updateOld: [old] })).toThrow(ValidationError);
    expect(() => splitChanges({ ...none(), updateOld: [old], create: [next] }, 5)).toThrow(/must pair up/);
  });
});

describe('splitChanges by cost', () => {
  it('Cloudflare: packs by operations per value, not by endpoints (Free plan, 200)', () => {
    // 60 records with 3 values, each with its one-value TXT: 4 operations per name, 240 in all
    const create = Array.from({ length: 60 }, (_, i) => [
      a(`r${i}.example.com`, ips(i, 3)),
      marker(`r${i}.example.com`),
    ]).flat();
    const batches = splitChanges({ ...none(), create }, { batchLimits: [cloudflareFree] });
    expect(batches.map((b) => priced(b, cloudflareFree))).toEqual([200, 40]);
    // by endpoint count (the old way) all 120 endpoints fit one call, which Cloudflare would refuse
    expect(splitChanges({ ...none(), create }, 200)).toHaveLength(1);
    // updates growing from 1 to 4 values cost 4 each
    const updateOld = Array.from({ length: 100 }, (_, i) => a(`u${i}.example.com`, ips(i, 1)));
    const updateNew = Array.from({ length: 100 }, (_, i) => a(`u${i}.example.com`, ips(i, 4)));
    const updates = splitChanges({ ...none(), updateOld, updateNew }, { batchLimits: [cloudflareFree] });
    expect(updates.map((b) => priced(b, cloudflareFree))).toEqual([200, 200]);
    for (const b of updates)
      expect(b.updateOld.map((e) => e.dnsName)).toEqual(b.updateNew.map((e) => e.dnsName));
  });

  it('Route53: 1,000 ResourceRecord elements per batch, an UPSERT counting twice', () => {
    // 300 records of 2 values: 600 elements as creates (one batch) but 1,200 as UPSERTs (two)
    const eps = Array.from({ length: 300 }, (_, i) => a(`r${i}.example.com`, ips(i, 2)));
    expect(splitChanges({ ...none(), create: eps }, route53)).toHaveLength(1);
    const upserts = splitChanges({ ...none(), updateOld: eps, updateNew: eps }, route53);
    expect(upserts.map((b) => priced(b, route53Records))).toEqual([1000, 200]);
    expect(upserts.map((b) => b.updateNew.length)).toEqual([250, 50]);
    // deletes count once: 300 deletes of 2 values and 200 creates of 2 values fit 1,000
    const mixed = { ...none(), delete: eps, create: eps.slice(0, 200) };
    expect(splitChanges(mixed, route53)).toEqual([mixed]);
  });

  it('Route53: 32,000 characters of values per batch, an UPSERT counting twice', () => {
    // TXT records of one 1,000-character value: 32 fit as creates, 16 as UPSERTs
    const long = (i: number) => txt(`t${i}.example.com`, [`"${String(i % 10).repeat(998)}"`]);
    const eps = Array.from({ length: 40 }, (_, i) => long(i));
    expect(route53Characters.cost({ kind: 'create', endpoint: eps[0]! })).toBe(1000);
    const creates = splitChanges({ ...none(), create: eps }, route53);
    expect(creates.map((b) => priced(b, route53Characters))).toEqual([32_000, 8000]);
    const upserts = splitChanges({ ...none(), updateOld: eps, updateNew: eps }, route53);
    expect(upserts.map((b) => b.updateNew.length)).toEqual([16, 16, 8]);
    for (const b of [...creates, ...upserts]) expect(priced(b, route53Records)).toBeLessThanOrEqual(1000);
  });

  it('Google Cloud DNS: 1,000 additions and 1,000 deletions per change, an update being one of each', () => {
    const eps = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => a(`${prefix}${i}.example.com`, ['192.0.2.1']));
    // 900 additions and 900 deletions: one change (1,800 endpoints, too many for a count of 1,000)
    const fits = { ...none(), create: eps('c', 900), delete: eps('d', 900) };
    expect(splitChanges(fits, google)).toEqual([fits]);
    expect(splitChanges(fits, 1000)).toHaveLength(2);
    // 600 creates + 500 updates = 1,100 additions; 500 updates + 600 deletes = 1,100 deletions
    const updates = eps('u', 500);
    const big = { create: eps('c', 600), updateOld: updates, updateNew: updates, delete: eps('d', 600) };
    const batches = splitChanges(big, google);
    expect(batches).toHaveLength(2);
    for (const b of batches) {
      expect(priced(b, googleAdditions)).toBeLessThanOrEqual(1000);
      expect(priced(b, googleDeletions)).toBeLessThanOrEqual(1000);
    }
    for (const list of ['create', 'updateOld', 'updateNew', 'delete'] as const)
      expect(all(batches, list)).toEqual(big[list]);
  });

  it('maxChangesPerApply and batchLimits hold together', () => {
    const create = Array.from({ length: 10 }, (_, i) => a(`r${i}.example.com`, ips(i, 5)));
    const ops: BatchLimit = { name: 'operations', max: 20, cost: perValueCost };
    // 4 per call by operations (20 / 5), 3 by endpoint count: the tighter one wins
    expect(splitChanges({ ...none(), create }, { batchLimits: [ops] }).map((b) => b.create.length)).toEqual([
      4, 4, 2,
    ]);
    expect(
      splitChanges({ ...none(), create }, { maxChangesPerApply: 3, batchLimits: [ops] }).map(
        (b) => b.create.length,
      ),
    ).toEqual([3, 3, 3, 1]);
  });

  it('never separates a record from its TXT, the changes at one name, or an update pair (property)', () => {
    const change = fc.record({
      list: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
      name: fc.integer({ min: 0, max: 12 }),
      values: fc.integer({ min: 1, max: 4 }),
      withTxt: fc.boolean(),
      renamed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), fc.integer({ min: 10, max: 30 }), (items, max) => {
        const changes = none();
        for (const [i, item] of items.entries()) {
          const name = `n${item.name}.example.com`;
          const ep = a(name, ips(i, item.values));
          const txtEp = marker(name);
          if (item.list === 'update') {
            // an old version at another name must still travel with its new version
            changes.updateOld.push(item.renamed ? a(`old${i}.example.com`, ips(i, 1)) : ep);
            changes.updateNew.push(ep);
            if (item.withTxt) {
              changes.updateOld.push(txtEp);
              changes.updateNew.push(txtEp);
            }
          } else {
            changes[item.list].push(ep);
            if (item.withTxt) changes[item.list].push(txtEp);
          }
        }
        const ops: BatchLimit = { name: 'operations', max, cost: perValueCost };
        let batches: Changes[];
        try {
          batches = splitChanges(changes, { batchLimits: [ops] });
        } catch (error) {
          // only when one name's changes cost more than a call may carry
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        // every change sent exactly once (groups are sent in first-seen order, so lists may interleave)
        for (const list of ['create', 'updateOld', 'updateNew', 'delete'] as const) {
          const sent = all(batches, list).map((e) => changes[list].indexOf(e));
          expect(sent.sort((x, y) => x - y)).toEqual(changes[list].map((_, i) => i));
        }
        const batchOf = new Map<string, number>();
        batches.forEach((b, i) => {
          expect(priced(b, ops)).toBeLessThanOrEqual(max);
          const pairs = batchChanges(b);
          for (const c of pairs) {
            const owner = c.endpoint.labels['ownedRecord'] ?? c.endpoint.dnsName;
            for (const name of [owner, ...(c.kind === 'update' ? [c.old.dnsName] : [])]) {
              expect(batchOf.get(name) ?? i).toBe(i);
              batchOf.set(name, i);
            }
          }
          // each update pair stays aligned: its new version is the one built with it
          b.updateNew.forEach((n, k) =>
            expect(changes.updateOld[changes.updateNew.indexOf(n)]).toBe(b.updateOld[k]),
          );
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('conflicts with what is stored', () => {
  const changes = () => ({
    ...none(),
    create: [
      a('ok1.example.com', ['192.0.2.1']),
      a('cname.example.com', ['192.0.2.2']),
      a('ok2.example.com', ['192.0.2.3']),
    ],
  });

  it('a lasting RECORD_CONFLICT (a CNAME beside data we do not read) is isolated by bisection, the rest applied', async () => {
    const { provider, accepted } = rejectingProvider(
      new Set(['cname.example.com']),
      { maxChangesPerApply: 10 },
      {
        code: 'RECORD_CONFLICT',
        retryable: false,
      },
    );
    const error = await applyInBatches(provider, changes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    expect((error as PartialApplyError).rejected.map((r) => r.records)).toEqual([['cname.example.com A']]);
    expect(accepted.flatMap((c) => c.create.map((e) => e.dnsName)).sort()).toEqual([
      'ok1.example.com',
      'ok2.example.com',
    ]);
  });

  it('a retryable RECORD_CONFLICT (the zone changed since the read) stops at once: the next run plans again', async () => {
    const { provider, accepted, calls } = rejectingProvider(
      new Set(['cname.example.com']),
      { maxChangesPerApply: 10 },
      {
        code: 'RECORD_CONFLICT',
        retryable: true,
      },
    );
    const error = await applyInBatches(provider, changes()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RECORD_CONFLICT', retryable: true });
    expect(calls()).toBe(1);
    expect(accepted).toEqual([]);
  });
});

describe('a change too large for one call', () => {
  it('is a ValidationError naming the records and the limit, before anything is sent', async () => {
    const { provider, calls } = rejectingProvider(new Set(), route53);
    // 600 values UPSERTed: 1,200 ResourceRecord elements, with its TXT marker
    const big = txt(
      'big.example.com',
      Array.from({ length: 600 }, (_, i) => `"v${i}"`),
    );
    const small = a('ok.example.com', ['192.0.2.1']);
    const changes = {
      create: [small, marker('ok.example.com')],
      updateOld: [big, marker('big.example.com')],
      updateNew: [big, marker('big.example.com')],
      delete: [],
    };
    const error = await applyInBatches(provider, changes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    const issues = (error as ValidationError).issues;
    expect(issues).toEqual([
      {
        path: ['updateOld', 0],
        code: 'batch_limit_exceeded',
        message: expect.stringContaining(
          'big.example.com TXT: costs 1,202 Route53 ResourceRecord elements, more than the 1,000 one applyChanges call may carry',
        ) as string,
      },
    ]);
    expect((error as Error).message).toContain('nothing was sent');
    expect(calls()).toBe(0);
  });

  it('lists every oversized group at once, each with the first limit it breaks', () => {
    const wide = (name: string) => a(name, ips(1, 30));
    expect(() =>
      splitChanges(
        { ...none(), create: [wide('x.example.com'), wide('y.example.com')] },
        { batchLimits: [cloudflareFree] },
      ),
    ).not.toThrow();
    const error = (() => {
      try {
        splitChanges(
          {
            ...none(),
            create: [wide('x.example.com'), a('ok.example.com', ['192.0.2.1']), wide('y.example.com')],
          },
          { batchLimits: [{ ...cloudflareFree, max: 20 }] },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      ['create', 0],
      ['create', 2],
    ]);
    expect((error as ValidationError).issues[1]!.message).toContain('a single change cannot be split');
  });

  it("with atomicity 'record', a group is spread over several calls; only a single change too large is an error", async () => {
    const ops: BatchLimit = { name: 'operations', max: 3, cost: perValueCost };
    const record = a('x.example.com', ips(1, 3));
    const changes = { ...none(), create: [record, marker('x.example.com')] };
    expect(() => splitChanges(changes, { atomicity: 'batch', batchLimits: [ops] })).toThrow(ValidationError);
    const batches = splitChanges(changes, { atomicity: 'record', batchLimits: [ops] });
    expect(batches.map((b) => b.create)).toEqual([[record], [marker('x.example.com')]]);
    // an update pair is one change: never split, even per record
    const { provider, accepted } = rejectingProvider(new Set(), { batchLimits: [ops] });
    const perRecord: Provider = {
      ...provider,
      capabilities: { ...provider.capabilities, atomicity: 'record' },
    };
    const wide = a('w.example.com', ips(2, 4));
    await expect(
      applyInBatches(perRecord, { ...none(), updateOld: [record], updateNew: [wide] }),
    ).rejects.toThrow(
      /w\.example\.com A: costs 4 operations, more than the 3 .*a single change cannot be split/,
    );
    expect(accepted).toEqual([]);
    await applyInBatches(perRecord, changes);
    expect(accepted.map((c) => c.create.length)).toEqual([1, 1]);
  });

  it('refuses limits that cannot work: a max that is not positive, a cost that is not a finite number ≥ 0', () => {
    const changes = { ...none(), create: [a('x.example.com', ['192.0.2.1'])] };
    expect(() => splitChanges(changes, 0)).toThrow(ConfigError);
    expect(() =>
      splitChanges(changes, { batchLimits: [{ name: 'n', max: Number.NaN, cost: () => 1 }] }),
    ).toThrow(/max must be a positive number/);
    expect(() => splitChanges(changes, { batchLimits: [{ name: 'n', max: 5, cost: () => -1 }] })).toThrow(
      /the cost of x\.example\.com A \(create\) is -1/,
    );
  });
});

describe('bisection with cost-based batches', () => {
  it('isolates the bad changes; every accepted call stays within the limits', async () => {
    const ops: BatchLimit = { name: 'operations', max: 12, cost: perValueCost };
    const { provider, accepted, calls } = rejectingProvider(new Set(['r5.example.com', 'r17.example.com']), {
      batchLimits: [ops],
    });
    // names with 1 to 4 values, each with its marker
    const create = Array.from({ length: 20 }, (_, i) => [
      a(`r${i}.example.com`, ips(i, 1 + (i % 4))),
      marker(`r${i}.example.com`),
    ]).flat();
    const error = await applyInBatches(provider, { ...none(), create }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialApplyError);
    expect((error as PartialApplyError).rejected.map((r) => r.records)).toEqual([
      ['r5.example.com A'],
      ['r17.example.com A'],
    ]);
    expect(accepted.flatMap((c) => c.create)).toHaveLength(36);
    for (const c of accepted) expect(priced(c, ops)).toBeLessThanOrEqual(12);
    const planned = splitChanges({ ...none(), create }, { batchLimits: [ops] }).length;
    // each bad name costs at most a bisection path of its own batch
    expect(calls()).toBeLessThanOrEqual(planned + 2 * 2 * Math.ceil(Math.log2(12)));
  });

  it('a batch the provider refuses as too large after all (it under-counted) is bisected and applied', async () => {
    // the provider declares one operation per endpoint but needs one per value (drift it could
    // not price): a call of more than 6 actual operations is refused as RECORD_REJECTED
    const declared: BatchLimit = { name: 'operations', max: 6, cost: () => 1 };
    const accepted: Changes[] = [];
    const provider: Provider = {
      ...rejectingProvider(new Set()).provider,
      capabilities: {
        recordTypes: ['A', 'TXT'],
        atomicity: 'batch',
        setIdentifiers: false,
        batchLimits: [declared],
      },
      applyChanges: (changes: Changes) => {
        const actual = batchChanges(changes).reduce((n, c) => n + perValueCost(c), 0);
        if (actual > 6)
          return Promise.reject(
            new ProviderError(`needs ${actual} operations`, { provider: 'fake', code: 'RECORD_REJECTED' }),
          );
        accepted.push(changes);
        return Promise.resolve();
      },
    };
    const create = Array.from({ length: 6 }, (_, i) => a(`r${i}.example.com`, ips(i, 3)));
    await applyInBatches(provider, { ...none(), create });
    expect(accepted.flatMap((c) => c.create)).toEqual(create);
    // one call of 6 endpoints (18 operations) refused, halves of 3 (9) refused, then 2 + 1 twice
    expect(accepted.map((c) => c.create.length)).toEqual([2, 1, 2, 1]);
  });
});

describe('reconcile through the TXT registry with cost-based limits', () => {
  it('sizes every call by the declared costs and converges', async () => {
    // Route53-like: 1,000 ResourceRecord elements per call, an UPSERT counting twice
    const provider = new InMemoryProvider({ zones: ['example.com'], batchLimits: [route53Records] });
    const registry = new TxtRegistry(provider, { ownerId: 'me', prefix: '_externaldns.%{record_type}.' });
    const desired = (n: number): EndpointInit[] =>
      Array.from({ length: 150 }, (_, i) => ({
        dnsName: `h${i}.example.com`,
        recordType: 'A',
        targets: ips(i, n),
      }));
    // 150 records of 4 values + 150 TXTs: 750 elements, one call
    await reconcile({ registry, desired: desired(4), policy: 'sync' });
    expect(provider.applied).toHaveLength(1);
    // growing to 6 values: 150 × (2 × 6 + 2 × 1) = 2,100 elements as UPSERTs, three calls
    // (every record changes: past the default safety limits, so forced)
    await reconcile({ registry, desired: desired(6), policy: 'sync', force: true });
    const updates = provider.applied.slice(1);
    expect(updates.map((c) => priced(c, route53Records))).toEqual([994, 994, 112]);
    for (const call of updates)
      expect(call.updateNew.filter((e) => e.recordType === 'A').map((e) => e.dnsName)).toEqual(
        call.updateNew.filter((e) => e.recordType === 'TXT').map((e) => e.labels['ownedRecord']),
      );
    expect((await reconcile({ registry, desired: desired(6), policy: 'sync' })).plan.hasChanges).toBe(false);
  });
});
