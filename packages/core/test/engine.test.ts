import { describe, expect, it } from 'vitest';
import {
  calculatePlan,
  checkSafety,
  createPlan,
  endpoint,
  planFromJSON,
  planToJSON,
  renderPlanJSON,
  renderPlanMarkdown,
  renderPlanText,
  UnsafePlanError,
  ValidationError,
  type Changes,
  type Endpoint,
} from '@openova/dns-core';
import { splitChanges } from '@openova/dns-core/provider';

const owned = (name: string, ip: string, owner = 'me'): Endpoint =>
  endpoint({ dnsName: name, recordType: 'A', targets: [ip], labels: { owner } });
const want = (name: string, ip: string): Endpoint =>
  endpoint({ dnsName: name, recordType: 'A', targets: [ip] });

describe('calculatePlan', () => {
  it('gives the same, sorted output whatever the input order', () => {
    const current = [
      owned('b.example.com', '1.1.1.1'),
      owned('a.example.com', '1.1.1.1'),
      owned('z.example.com', '9.9.9.9'),
    ];
    const desired = [
      want('c.example.com', '3.3.3.3'),
      want('b.example.com', '2.2.2.2'),
      want('a.example.com', '2.2.2.2'),
      want('d.example.com', '4.4.4.4'),
    ];
    const one = calculatePlan({ current, desired, policy: 'sync', ownerId: 'me' });
    const two = calculatePlan({
      current: [...current].reverse(),
      desired: [...desired].reverse(),
      policy: 'sync',
      ownerId: 'me',
    });
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(one.create.map((e) => e.dnsName)).toEqual(['c.example.com', 'd.example.com']);
    expect(one.updateNew.map((e) => e.dnsName)).toEqual(['a.example.com', 'b.example.com']);
    expect(one.delete.map((e) => e.dnsName)).toEqual(['z.example.com']);
  });

  it('treats a trailing-dot-only target difference as no change (D6)', () => {
    const current = [
      endpoint({
        dnsName: 'www.example.com',
        recordType: 'CNAME',
        targets: ['lb.example.net.'],
        labels: { owner: 'me' },
      }),
    ];
    const desired = [
      endpoint({ dnsName: 'www.example.com', recordType: 'CNAME', targets: ['lb.example.net'] }),
    ];
    expect(calculatePlan({ current, desired, policy: 'sync', ownerId: 'me' }).hasChanges).toBe(false);
  });

  // oracle class b2: conflict resolution orders IPv6 target lists IP-aware (Targets.Less)
  describe('competing IPv6 candidates (ExternalDNS IsLess)', () => {
    const aaaa = (targets: string[], resource?: string): Endpoint =>
      endpoint({
        dnsName: 'v6.example.com',
        recordType: 'AAAA',
        targets,
        labels: resource === undefined ? {} : { resource },
      });
    const s0 = aaaa(['2001:db8::1', '2001:0db8::2'], 's0');
    const s1 = aaaa(['2001:DB8::1', '2001:DB8::2'], 's1');
    const s2 = aaaa(['2001:db8:0:0::1', '2001:db8::3']);

    it('creates the same winner whatever the spelling of the losers', () => {
      const plan = calculatePlan({ current: [], desired: [s0, s1, s2], policy: 'sync', ownerId: 'me' });
      expect(plan.create.map((e) => e.labels['resource'])).toEqual(['s0']);
    });

    it('picks the smaller list by address, not by string', () => {
      const low = aaaa(['2001:0db8::2', '2001:db8::1'], 'low'); // as strings this sorts ::2 first
      const high = aaaa(['2001:db8::1', '2001:db8::3'], 'high');
      for (const desired of [
        [high, low],
        [low, high],
      ]) {
        const plan = calculatePlan({ current: [], desired, policy: 'sync', ownerId: 'me' });
        expect(plan.create.map((e) => e.labels['resource'])).toEqual(['low']);
      }
    });

    it('falls back to the same winner on update when no candidate holds the current resource', () => {
      const current = endpoint({
        dnsName: 'v6.example.com',
        recordType: 'AAAA',
        targets: ['2001:db8::9'],
        labels: { owner: 'me', resource: 'gone' },
      });
      const plan = calculatePlan({
        current: [current],
        desired: [s1, s2, s0],
        policy: 'sync',
        ownerId: 'me',
      });
      expect(plan.updateNew.map((e) => e.labels['resource'])).toEqual(['s1']);
      const low = aaaa(['2001:0db8::2', '2001:db8::1'], 'low');
      const high = aaaa(['2001:db8::1', '2001:db8::3'], 'high');
      const again = calculatePlan({
        current: [current],
        desired: [high, low],
        policy: 'sync',
        ownerId: 'me',
      });
      expect(again.updateNew.map((e) => e.labels['resource'])).toEqual(['low']);
    });
  });

  it('never updates or deletes records of another owner or without owner', () => {
    const current = [
      owned('a.example.com', '1.1.1.1', 'other'),
      endpoint({ dnsName: 'b.example.com', recordType: 'A', targets: ['1.1.1.1'] }),
    ];
    const plan = calculatePlan({
      current,
      desired: [want('a.example.com', '2.2.2.2')],
      policy: 'sync',
      ownerId: 'me',
    });
    expect(plan.hasChanges).toBe(false);
    expect(plan.delete).toEqual([]);
  });
});

function samplePlan() {
  const current = [owned('a.example.com', '1.1.1.1'), owned('old.example.com', '5.5.5.5')];
  const desired = [want('a.example.com', '2.2.2.2'), want('new.example.com', '3.3.3.3')];
  const changes = calculatePlan({ current, desired, policy: 'sync', ownerId: 'me' });
  const ownershipChanges: Changes = {
    create: [
      endpoint({
        dnsName: 'a-new.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=me"'],
        labels: { ownedRecord: 'new.example.com' },
      }),
    ],
    updateOld: [],
    updateNew: [],
    delete: [
      endpoint({
        dnsName: 'a-old.example.com',
        recordType: 'TXT',
        targets: ['"heritage=external-dns,external-dns/owner=me"'],
        labels: { ownedRecord: 'old.example.com' },
      }),
    ],
  };
  return createPlan({
    policy: 'sync',
    ownerId: 'me',
    recordTypes: ['A'],
    changes,
    ownershipChanges,
    hasChanges: changes.hasChanges,
    current,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
}

describe('Plan', () => {
  it('round-trips through JSON with a stable checksum', () => {
    const plan = samplePlan();
    const text = renderPlanJSON(plan);
    const back = planFromJSON(text);
    expect(back.checksum).toBe(plan.checksum);
    expect(planToJSON(back)).toEqual(planToJSON(plan));
    expect(samplePlan().checksum).toBe(plan.checksum);
  });

  it('computes the checksum on first read, as an ordinary enumerable property', () => {
    const plan = samplePlan();
    expect(Object.keys(plan)).toContain('checksum');
    expect(plan.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.checksum).toBe(plan.checksum);
    expect({ ...plan }.checksum).toBe(plan.checksum);
    expect(JSON.parse(JSON.stringify(plan)).checksum).toBe(plan.checksum);
  });

  it('rejects an edited plan with a checksum issue', () => {
    const json = planToJSON(samplePlan());
    json.changes.create[0]!.targets = ['6.6.6.6'];
    const error = (() => {
      try {
        planFromJSON(json);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({
      path: ['checksum'],
      code: 'checksum_mismatch',
    });
  });

  it('rejects malformed plans with paths', () => {
    expect(() => planFromJSON('{not json')).toThrow(/not JSON/);
    expect(() => planFromJSON({ ...planToJSON(samplePlan()), policy: 'yolo' })).toThrow(/policy/);
  });
});

describe('renderers', () => {
  it('renders text with +/~/- and TXT changes under their record', () => {
    const text = renderPlanText(samplePlan());
    expect(text).toBe(
      [
        'Plan for owner "me" (policy sync):',
        '+ new.example.com A ttl default: 3.3.3.3',
        '    + TXT a-new.example.com: "heritage=external-dns,external-dns/owner=me"',
        '~ a.example.com A: 1.1.1.1 → 2.2.2.2',
        '- old.example.com A ttl default: 5.5.5.5',
        '    - TXT a-old.example.com: "heritage=external-dns,external-dns/owner=me"',
        'Summary: 1 to create, 1 to update, 1 to delete.',
      ].join('\n'),
    );
  });

  it('renders Markdown tables and says when nothing changes', () => {
    const md = renderPlanMarkdown(samplePlan());
    expect(md).toContain('| ➕ create | `new.example.com` | A |');
    expect(md).toContain('| ↳ create | `a-new.example.com` | TXT (ownership) |');
    const empty = createPlan({
      policy: 'sync',
      ownerId: 'me',
      recordTypes: ['A'],
      changes: { create: [], updateOld: [], updateNew: [], delete: [] },
      hasChanges: false,
      current: [],
    });
    expect(renderPlanText(empty)).toContain('No changes.');
    expect(renderPlanMarkdown(empty)).toContain('No changes.');
  });
});

describe('safety limits', () => {
  const zoneRecords = Array.from({ length: 20 }, (_, i) => owned(`r${i}.example.com`, '1.1.1.1'));
  const base = { current: zoneRecords, ownerId: 'me', zones: ['example.com'] };

  it('refuses deleting more than 30% of owned records in a zone and names the numbers', () => {
    const changes = { create: [], updateOld: [], updateNew: [], delete: zoneRecords.slice(0, 7) };
    const violations = checkSafety({ ...base, changes, desiredCount: 13 });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.message).toBe(
      'deleting 7 of 20 owned records in zone example.com (35%) is above the limit of 30%',
    );
    expect(new UnsafePlanError(violations).message).toContain('nothing was applied');
    expect(
      checkSafety({ ...base, changes: { ...changes, delete: zoneRecords.slice(0, 6) }, desiredCount: 14 }),
    ).toEqual([]);
  });

  it('refuses updating more than 30%, but not in zones with fewer than 10 owned records', () => {
    const updates = zoneRecords.slice(0, 8);
    const changes = { create: [], updateOld: updates, updateNew: updates, delete: [] };
    expect(checkSafety({ ...base, changes, desiredCount: 20 })[0]!.rule).toBe('max-update-ratio');
    const small = zoneRecords.slice(0, 9);
    expect(
      checkSafety({
        ...base,
        current: small,
        changes: { create: [], updateOld: small, updateNew: small, delete: [] },
        desiredCount: 9,
      }),
    ).toEqual([]);
  });

  it('refuses an empty or collapsed desired set while we own records', () => {
    const one = { create: [], updateOld: [], updateNew: [], delete: zoneRecords.slice(0, 1) };
    expect(
      checkSafety({ ...base, current: zoneRecords.slice(0, 1), changes: one, desiredCount: 0 })[0]!.message,
    ).toBe('the desired set is empty while we own 1 records: applying would delete 1 of them');
    const collapsed = checkSafety({
      ...base,
      changes: { ...one, delete: zoneRecords.slice(0, 5) },
      desiredCount: 5,
      limits: { maxDeleteRatio: 1 },
    });
    expect(collapsed[0]!.rule).toBe('collapsed-desired');
    expect(collapsed[0]!.message).toContain('collapsed to 5 records while we own 20');
  });
});

describe('splitChanges', () => {
  it('keeps a record with its ownership TXT and update pairs together', () => {
    const rec = (n: number) => want(`r${n}.example.com`, '1.1.1.1');
    const txt = (n: number) =>
      endpoint({
        dnsName: `a-r${n}.example.com`,
        recordType: 'TXT',
        targets: ['"x"'],
        labels: { ownedRecord: `r${n}.example.com` },
      });
    const changes: Changes = {
      create: [rec(1), rec(2), rec(3), txt(1), txt(2), txt(3)],
      updateOld: [rec(4), txt(4)],
      updateNew: [rec(4), txt(4)],
      delete: [],
    };
    // the update of r4 with its TXT is 4 endpoints (old and new): it cannot fit a batch of 3
    expect(() => splitChanges(changes, 3)).toThrow(ValidationError);
    const batches = splitChanges(changes, 4);
    for (const b of batches) {
      const names = new Set([...b.create, ...b.updateNew].map((e) => e.labels['ownedRecord'] ?? e.dnsName));
      for (const n of names) {
        expect(
          [...b.create, ...b.updateNew].filter(
            (e) => e.recordType === 'TXT' && e.labels['ownedRecord'] === n,
          ),
        ).toHaveLength(1);
      }
      expect(b.updateOld.map((e) => e.dnsName)).toEqual(b.updateNew.map((e) => e.dnsName));
    }
    expect(batches.flatMap((b) => b.create)).toHaveLength(6);
    expect(batches.map((b) => b.create.length + b.updateOld.length + b.updateNew.length)).toEqual([4, 2, 4]);
    expect(splitChanges(changes, undefined)).toEqual([changes]);
    expect(splitChanges({ create: [], updateOld: [], updateNew: [], delete: [] }, 3)).toEqual([]);
  });
});
