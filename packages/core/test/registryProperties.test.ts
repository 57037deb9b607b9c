// Property test over the cases real ExternalDNS zones are made of (the bug reports replayed in
// externalDnsIssues.test.ts, mixed at random): typed, legacy and orphaned markers of us, another owner
// and an old owner ID; upper-case names; SPF values sharing a marker's record set; set identifiers;
// wildcards; a label near 63 octets; every TXT naming style; every policy; TXT managed or not; owner
// migration; TTLs, alias flags and upper-case spellings on both sides; a provider that returns names
// and name targets with a trailing dot and marker names in upper case (D5, D6). For each: the dry run plans
// exactly what the run plans, the provider receives exactly that, the run never fails (apart from deviation D1's typed error for a desired
// record whose marker name is too long), the next plan is empty, and nothing another owner holds is
// changed. Bounded: a fixed seed and a fixed number of runs (FUZZ_RUNS / FUZZ_SEED widen it locally).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  InMemoryProvider,
  reconcile,
  TxtRegistry,
  type EndpointInit,
  type TxtRegistryOptions,
  type Policy,
} from '@openova/dns-core';

const marker = (o: string) => `"heritage=external-dns,external-dns/owner=${o}"`;
const NAMES = [
  'example.com',
  'a.example.com',
  'b.example.com',
  '*.w.example.com',
  'c.d.example.com',
  `${'x'.repeat(61)}.example.com`,
  'wild.w.example.com',
  'a-b.example.com',
  'bücher.example.com',
  'd.example.com',
  'xn--caf-dma.example.com',
];
const TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX'] as const;
const target = (type: string, i: number) =>
  type === 'A'
    ? `192.0.2.${i}`
    : type === 'AAAA'
      ? `2001:db8::${i}`
      : type === 'CNAME'
        ? `t${i}.example.net`
        : type === 'MX'
          ? `10 mx${i}.example.net`
          : `"v${i}"`;
const CONFIGS: Partial<TxtRegistryOptions>[] = [
  {},
  { prefix: '_externaldns.' },
  { prefix: '_externaldns.%{record_type}.' },
  { suffix: '-%{record_type}' },
  { wildcardReplacement: 'wild' },
  { prefix: 'p-%{record_type}.', wildcardReplacement: 'wild' },
  { prefix: '_externaldns.%{record_type}.', encryption: { aesKey: '12345678901234567890123456789012' } },
];

const rec = fc.record({
  name: fc.constantFrom(...NAMES),
  type: fc.constantFrom(...TYPES),
  t: fc.integer({ min: 1, max: 3 }),
  marker: fc.constantFrom(
    'typed-me',
    'typed-other',
    'legacy-me',
    'legacy-other',
    'none',
    'orphan-me',
    'orphan-legacy-me',
    'typed-old',
    'legacy-old',
  ),
  upper: fc.boolean(),
  spf: fc.boolean(),
  ttl: fc.constantFrom(0, 300, 600),
  alias: fc.boolean(),
  set: fc.constantFrom('', '', 's1'),
});
const des = fc.record({
  ttl: fc.constantFrom(0, 0, 300),
  alias: fc.boolean(),
  upper: fc.boolean(),
  set: fc.constantFrom('', '', 's1'),
  name: fc.constantFrom(...NAMES),
  type: fc.constantFrom(...TYPES),
  t: fc.integer({ min: 1, max: 3 }),
});

describe('reconcile over random ExternalDNS-shaped zones', () => {
  it('never fails, converges, and leaves what is not ours alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rec, { maxLength: 6 }),
        fc.array(des, { maxLength: 6 }),
        fc.constantFrom(...CONFIGS.keys()),
        fc.constantFrom<Policy>('sync', 'upsert-only', 'create-only'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (zone, desired, ci, policy, managedTxt, migrate, quirks) => {
          const config = CONFIGS[ci]!;
          const mapperReg = new TxtRegistry(
            new InMemoryProvider({ zones: ['example.com', 'd.example.com'] }),
            {
              ownerId: 'x',
              ...config,
            },
          );
          const records: EndpointInit[] = [];
          const seen = new Set<string>();
          for (const z of zone) {
            const k = `${z.name} ${z.type}`;
            if (seen.has(k)) continue;
            const setIdentifier = z.type === 'CNAME' ? '' : z.set;
            // a CNAME never shares a name
            if (
              [...seen].some((s) => s.startsWith(`${z.name} `)) &&
              (z.type === 'CNAME' || seen.has(`${z.name} CNAME`))
            )
              continue;
            seen.add(k);
            const orphan = z.marker.startsWith('orphan');
            if (!orphan)
              records.push({
                dnsName: z.upper ? z.name.toUpperCase() : z.name,
                recordType: z.type,
                targets: [target(z.type, z.t)],
                setIdentifier,
              });
            const owner = z.marker.endsWith('me') ? 'me' : z.marker.endsWith('old') ? 'old' : 'other';
            if (z.marker.includes('legacy')) {
              const rep = config.wildcardReplacement;
              const nm = rep && z.name.startsWith('*.') ? rep + z.name.slice(1) : z.name;
              let n: string;
              if (config.suffix) {
                const dot = nm.indexOf('.');
                n = nm.slice(0, dot) + config.suffix.replace('%{record_type}', '') + nm.slice(dot);
              } else n = (config.prefix ?? '').replace('%{record_type}', '') + nm;
              if (!n.includes('*') || n.startsWith('*.'))
                records.push({
                  dnsName: n,
                  recordType: 'TXT',
                  targets: z.spf ? ['"v=spf1 -all"', marker(owner)] : [marker(owner)],
                  setIdentifier,
                });
            }
            if (z.marker.startsWith('typed') || z.marker === 'orphan-me') {
              const n = mapperReg.txtNameOf({ dnsName: z.name, recordType: z.type });
              if (!n.includes('*') && (n.endsWith('.example.com') || n === 'example.com'))
                records.push({
                  dnsName: n,
                  recordType: 'TXT',
                  targets: z.spf ? ['"v=spf1 -all"', marker(owner)] : [marker(owner)],
                  setIdentifier,
                });
            }
          }
          // merge TXTs at the same name
          const merged = new Map<string, EndpointInit>();
          for (const r of records) {
            const k = `${r.dnsName} ${r.recordType} ${r.setIdentifier ?? ''}`;
            const have = merged.get(k);
            if (have) have.targets = [...new Set([...(have.targets ?? []), ...(r.targets ?? [])])];
            else merged.set(k, { ...r, targets: [...(r.targets ?? [])] });
          }
          let mem: InMemoryProvider;
          try {
            mem = new InMemoryProvider({
              zones: ['example.com', 'd.example.com'],
              records: [...merged.values()],
            });
          } catch {
            return;
          }
          // a provider that spells what it returns its own way: trailing dots, upper-case marker
          // names, name targets with a trailing dot (deSEC, RFC2136 and others do some of this)
          const inner = mem;
          const quirky = {
            name: inner.name,
            capabilities: inner.capabilities,
            domainFilter: inner.domainFilter,
            zones: () => inner.zones(),
            applyChanges: (
              c: Parameters<InMemoryProvider['applyChanges']>[0],
              o?: Parameters<InMemoryProvider['applyChanges']>[1],
            ) => inner.applyChanges(c, o),
            adjustEndpoints: (
              e: Parameters<InMemoryProvider['adjustEndpoints']>[0],
              o?: Parameters<InMemoryProvider['adjustEndpoints']>[1],
            ) => inner.adjustEndpoints(e, o),
            records: async (o?: Parameters<InMemoryProvider['records']>[0]) =>
              (await inner.records(o)).map((e) => ({
                ...e,
                dnsName: `${e.recordType === 'TXT' ? e.dnsName.toUpperCase() : e.dnsName}${e.dnsName.endsWith('.') ? '' : '.'}`,
                targets:
                  e.recordType === 'CNAME' || e.recordType === 'MX'
                    ? e.targets.map((t) => `${t}.`)
                    : e.targets,
              })),
          };
          const registry = new TxtRegistry(quirks ? quirky : inner, {
            ownerId: 'me',
            ...config,
            ...(managedTxt ? { managedRecordTypes: ['A', 'AAAA', 'CNAME', 'TXT', 'MX'] } : {}),
            ...(migrate ? { oldOwnerId: 'old' } : {}),
          });
          const want: EndpointInit[] = [];
          const wseen = new Set<string>();
          for (const d of desired) {
            const setIdentifier = d.type === 'CNAME' ? '' : d.set;
            const k = `${d.name} ${d.type} ${setIdentifier}`;
            if (
              wseen.has(k) ||
              (d.type === 'CNAME' && (d.name === 'example.com' || d.name === 'd.example.com'))
            )
              continue;
            wseen.add(k);
            want.push({
              dnsName: d.upper ? d.name.toUpperCase() : d.name,
              recordType: d.type,
              targets: [target(d.type, d.t)],
              setIdentifier,
              recordTTL: d.ttl,
              ...(d.alias && d.type === 'A' ? { providerSpecific: [{ name: 'alias', value: 'true' }] } : {}),
            });
          }
          const before = await registry.records();
          const foreign = before
            .filter((e) => e.labels.owner !== 'me')
            .map(
              (e) =>
                `${e.recordType} ${e.dnsName.toLowerCase().replace(/\.$/, '')} ${e.targets.map((t) => t.replace(/\.$/, '')).join(',')}`,
            )
            .sort();
          const allBefore = (await mem.records()).map(
            (e) =>
              `${e.recordType} ${e.dnsName.toLowerCase().replace(/\.$/, '')} ${e.targets.map((t) => t.replace(/\.$/, '')).join(',')}`,
          );
          const ctx = JSON.stringify({
            records: [...merged.values()],
            want,
            config,
            policy,
            managedTxt,
            migrate,
          });
          try {
            await reconcile({ registry, desired: want, policy, safety: false });
          } catch (e) {
            const issues = (e as { issues?: { code: string; path: unknown[] }[] }).issues;
            if (issues?.every((i) => i.code.startsWith('txt_') && i.path[0] === 'desired')) return; // D1
            throw new Error(`run 1 failed: ${(e as Error).message}\n${ctx}`);
          }
          let second;
          try {
            second = await reconcile({ registry, desired: want, policy, safety: false, dryRun: true });
            // a wildcard replacing its literal twin waits one run (wildcardTwins.test.ts)
            if (second.plan.hasChanges && config.wildcardReplacement) {
              await reconcile({ registry, desired: want, policy, safety: false });
              second = await reconcile({ registry, desired: want, policy, safety: false, dryRun: true });
            }
          } catch (e) {
            throw new Error(`run 2 failed: ${(e as Error).message}\n${ctx}`);
          }
          if (second.plan.hasChanges)
            throw new Error(`second plan not empty: ${JSON.stringify(second.plan.changes)}\n${ctx}`);
          const allAfter = new Set(
            (await mem.records()).map(
              (e) =>
                `${e.recordType} ${e.dnsName.toLowerCase().replace(/\.$/, '')} ${e.targets.map((t) => t.replace(/\.$/, '')).join(',')}`,
            ),
          );
          const otherTxt = allBefore.filter((l) => l.startsWith('TXT ') && l.includes('owner=other'));
          const lost = [...foreign, ...otherTxt].filter((f) => !allAfter.has(f));
          // an SPF value beside a marker of ours survives whatever happens to the marker
          for (const l of allBefore.filter((x) => x.includes('v=spf1'))) {
            const name = l.split(' ')[1]?.toLowerCase();
            if (![...allAfter].some((a) => a.split(' ')[1]?.toLowerCase() === name && a.includes('v=spf1')))
              lost.push(l);
          }
          if (lost.length)
            throw new Error(`foreign touched: ${lost.join('; ')}\nbefore ${allBefore.join('; ')}\n${ctx}`);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 42) },
    );
  }, 120_000);

  // Two owners writing one zone, each its own records (weighted sets at one name, #1698; markers side
  // by side, #5457): both converge, and neither ends up holding what it does not want.
  const SHARED_NAMES = [
    'example.com',
    'a.example.com',
    'b.example.com',
    '*.w.example.com',
    'a-b.example.com',
    'wild.w.example.com',
  ];
  const SHARED_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
  const sharedTarget = (type: string, i: number) =>
    type === 'A'
      ? `192.0.2.${i}`
      : type === 'AAAA'
        ? `2001:db8::${i}`
        : type === 'CNAME'
          ? `t${i}.example.net`
          : `"v${i}"`;
  const SHARED_CONFIGS = [
    {},
    { prefix: '_externaldns.%{record_type}.', wildcardReplacement: 'wild' },
    { suffix: '-%{record_type}' },
    { prefix: '_externaldns.' },
  ];
  const sharedDesired = fc.record({
    name: fc.constantFrom(...SHARED_NAMES),
    type: fc.constantFrom(...SHARED_TYPES),
    t: fc.integer({ min: 1, max: 2 }),
    set: fc.constantFrom('', 's1'),
  });
  const uniq = (ds: { name: string; type: string; t: number; set: string }[]): EndpointInit[] => {
    const seen = new Set<string>();
    const out: EndpointInit[] = [];
    for (const d of ds) {
      const set = d.type === 'CNAME' ? '' : d.set;
      const k = `${d.name} ${d.type} ${set}`;
      if (seen.has(k) || (d.type === 'CNAME' && d.name === 'example.com')) continue;
      seen.add(k);
      out.push({
        dnsName: d.name,
        recordType: d.type,
        targets: [sharedTarget(d.type, d.t)],
        setIdentifier: set,
      });
    }
    return out;
  };

  it('two owners share a zone, converge and keep to their own records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sharedDesired, { maxLength: 5 }),
        fc.array(sharedDesired, { maxLength: 5 }),
        fc.constantFrom(0, 1, 2, 3),
        fc.constantFrom<Policy>('sync', 'upsert-only'),
        fc.boolean(),
        async (d1, d2, ci, policy, txt) => {
          const mem = new InMemoryProvider({ zones: ['example.com'] });
          const opts = {
            ...SHARED_CONFIGS[ci],
            ...(txt ? { managedRecordTypes: ['A', 'AAAA', 'CNAME', 'TXT'] } : {}),
          };
          const r1 = new TxtRegistry(mem, { ownerId: 'one', ...opts });
          const r2 = new TxtRegistry(mem, { ownerId: 'two', ...opts });
          const w1 = uniq(d1),
            w2 = uniq(d2);
          const ctx = JSON.stringify({ w1, w2, opts, policy });
          for (let round = 0; round < 2; round++) {
            for (const [r, w] of [
              [r1, w1],
              [r2, w2],
            ] as const) {
              try {
                await reconcile({ registry: r, desired: w, policy, safety: false });
              } catch (e) {
                const issues = (e as { issues?: { code: string }[] }).issues;
                if (issues?.every((i) => i.code.startsWith('txt_'))) return;
                throw new Error(`${r.ownerId} round ${round}: ${(e as Error).message}\n${ctx}`);
              }
            }
          }
          for (const [r, w] of [
            [r1, w1],
            [r2, w2],
          ] as const) {
            const again = await reconcile({ registry: r, desired: w, policy, safety: false, dryRun: true });
            if (again.plan.hasChanges)
              throw new Error(
                `${r.ownerId} not converged: ${JSON.stringify(again.plan.changes)}\n${ctx}\n${(await mem.records()).map((e) => `${e.recordType} ${e.dnsName} ${e.targets.join(',')} [${e.setIdentifier}]`).join('; ')}`,
              );
          }
          // each owner's records are exactly what it wanted, minus what the other holds
          const all = await r1.records();
          for (const ep of all) {
            const owner = ep.labels.owner;
            if (
              owner === 'one' &&
              !w1.some((w) => w.dnsName === ep.dnsName && w.recordType === ep.recordType)
            )
              throw new Error(`one holds undesired ${ep.dnsName} ${ep.recordType}\n${ctx}`);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200), seed: Number(process.env.FUZZ_SEED ?? 1) },
    );
  }, 120_000);
});
