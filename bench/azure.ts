// bench/azure: reconcile against the loopback fake of Azure DNS (public zone) — an initial sync of
// 2,000 endpoints (4,000 record sets with their ownership TXTs), a resync after 1% of the records
// drifted (changed by hand), and a resync of a 10,000-record-set zone with nothing to change. Counts
// the requests the fake received against the minimum (zone list + list pages at 100 record sets +
// one write per changed record set), the time spent waiting on the per-zone limits, and the list
// calls a resync needs.
//
// Azure's per-zone limits are per minute (public zones: 200 record-set writes, 60 list pages); the
// bench runs that minute `SCALE` times faster in the fake and the client alike (20×: a window of 3 s,
// slow enough that the fake's own pace of about 150 writes per second does not hide the limit), so
// it takes about a minute; waits are reported scaled back to real time.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { AZURE_ZONE_LIMITS, AzureDnsProvider, DEFAULT_AZURE_PAGE_SIZE } from '@openova/dns-provider-azure';
import {
  fakeCredential,
  startFakeAzureDns,
  type LoopbackFakeAzureDns,
} from '@openova/dns-provider-azure/testing';
import { fmt } from './stats.js';

const ZONE = 'bench.example.com';
const SUB = '00000000-0000-0000-0000-000000000001';
/** How much faster than real time the per-minute windows run in the bench. */
const SCALE = 20;
const WINDOW_MS = 60_000 / SCALE;
const MARKER = '"heritage=external-dns,external-dns/owner=bench"';

export interface AzureBenchRow {
  scenario: string;
  requests: number;
  breakdown: string;
  minimum: number;
  ratio: number;
  /** List pages read (record sets and zones). */
  listCalls: number;
  /** Seconds during which a request waited on a per-zone limit, in real (unscaled) time. */
  limitWaitS: number;
  /**
   * The windows the busiest budget needs beyond its first, in real seconds: with instant requests
   * the run waits this long, and no run can finish sooner than this.
   */
  limitWaitBoundS: number;
  /** 429s the fake answered (the client's limiter should prevent them). */
  throttled: number;
  ms: number;
}

function desiredEndpoints(n: number): EndpointInit[] {
  return Array.from({ length: n }, (_, i) => ({
    dnsName: `r${i}.${ZONE}`,
    recordType: 'A',
    targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  }));
}

function breakdown(fake: LoopbackFakeAzureDns): string {
  const counts = new Map<string, number>();
  for (const r of fake.requests) {
    const kind = `${r.method} ${r.path
      .replace(/^.*\/dnsZones\/[^/]+\/all$/i, '…/all')
      .replace(/^.*\/dnsZones\/[^/]+\/[A-Z]+\/[^/]+$/i, '…/{type}/{name}')
      .replace(/^.*\/dnsZones$/i, '…/dnsZones')}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n}× ${kind}`).join(', ');
}

async function reconcileOnce(fake: LoopbackFakeAzureDns, desired: EndpointInit[]) {
  // a fresh provider, as a controller restarted for the run
  const provider = new AzureDnsProvider({
    subscriptionId: SUB,
    credential: fakeCredential(),
    endpoint: fake.url,
    rateLimit: { windowMs: WINDOW_MS, maxWaitMs: 600_000 },
  });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  const t0 = performance.now();
  await reconcile({ registry, desired, policy: 'sync', safety: false });
  const ms = performance.now() - t0;
  const counts = provider.client.counts;
  await provider.client.close();
  return { ms, waitedMs: counts.limitWaitMs };
}

function row(
  scenario: string,
  fake: LoopbackFakeAzureDns,
  run: { ms: number; waitedMs: number },
  setsBefore: number,
  writes: number,
): AzureBenchRow {
  const pages = Math.max(1, Math.ceil(setsBefore / DEFAULT_AZURE_PAGE_SIZE));
  const minimum = 1 + pages + writes;
  const limits = AZURE_ZONE_LIMITS.public;
  // a budget of N per window serves its first N at once and each further N one window later
  const windows = Math.max(Math.ceil(writes / limits.write), Math.ceil(pages / limits.list)) - 1;
  return {
    scenario,
    requests: fake.requests.length,
    breakdown: breakdown(fake),
    minimum,
    ratio: fake.requests.length / minimum,
    listCalls: fake.requests.filter((r) => r.method === 'GET' && /\/(all|dnsZones)$/i.test(r.path)).length,
    limitWaitS: (run.waitedMs * SCALE) / 1000,
    limitWaitBoundS: Math.max(0, windows) * 60,
    throttled: fake.requests.filter((r) => r.status === 429).length,
    ms: run.ms,
  };
}

export async function benchAzure(
  endpoints = 2000,
  driftShare = 0.01,
  largeZoneSets = 10_000,
): Promise<AzureBenchRow[]> {
  const fake = await startFakeAzureDns({ windowMs: WINDOW_MS });
  const rows: AzureBenchRow[] = [];
  try {
    fake.addZone({ name: ZONE });
    const desired = desiredEndpoints(endpoints);
    fake.requests.length = 0;
    const initial = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `initial sync: ${endpoints.toLocaleString('en-US')} endpoints → ${(fake.recordSets({ name: ZONE }).length - 2).toLocaleString('en-US')} record sets`,
        fake,
        initial,
        2,
        2 * endpoints,
      ),
    );

    // drift: every 100th A record changed by hand (not counted); the windows pass meanwhile
    const drifted = fake
      .recordSets({ name: ZONE })
      .filter((r) => r.type === 'A')
      .filter((_, i) => i % Math.round(1 / driftShare) === 0);
    for (const r of drifted)
      fake.touch({ name: ZONE }, 'A', r.name, { TTL: 300, ARecords: [{ ipv4Address: '192.0.2.254' }] });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    const before = fake.recordSets({ name: ZONE }).length;
    fake.requests.length = 0;
    const resync = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `${(driftShare * 100).toFixed(0)}% drift resync: ${drifted.length} records changed by hand`,
        fake,
        resync,
        before,
        drifted.length,
      ),
    );

    // a zone of 10,000 record sets (5,000 records and their markers, written as another run would), nothing to change
    const large = 'large.example.com';
    fake.addZone({ name: large });
    const half = Math.floor(largeZoneSets / 2);
    const largeDesired: EndpointInit[] = Array.from({ length: half }, (_, i) => ({
      dnsName: `r${i}.${large}`,
      recordType: 'A',
      targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    }));
    for (const ep of largeDesired) {
      const name = ep.dnsName.slice(0, -(large.length + 1));
      fake.seed({ name: large }, 'A', name, { TTL: 300, ARecords: [{ ipv4Address: ep.targets?.[0] }] });
      fake.seed({ name: large }, 'TXT', `_externaldns.a.${name}`, {
        TTL: 300,
        TXTRecords: [{ value: [MARKER] }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
    const largeSets = fake.recordSets({ name: large }).length;
    fake.requests.length = 0;
    const largeRun = await reconcileOnce(fake, [...desired, ...largeDesired]);
    const bothZones = row(
      `resync of a ${(largeSets - 2).toLocaleString('en-US')}-record-set zone (and the 4,000-set zone), nothing to change`,
      fake,
      largeRun,
      largeSets,
      0,
    );
    // two zones are listed: count the minimum for both
    bothZones.minimum =
      1 + Math.ceil(largeSets / DEFAULT_AZURE_PAGE_SIZE) + Math.ceil(before / DEFAULT_AZURE_PAGE_SIZE);
    bothZones.ratio = bothZones.requests / bothZones.minimum;
    rows.push(bothZones);
    return rows;
  } finally {
    await fake.close();
  }
}

export function printAzureBench(rows: AzureBenchRow[]): void {
  console.log(
    `azure (loopback fake, public zone; per-zone limits per minute: ${AZURE_ZONE_LIMITS.public.write} writes, ${AZURE_ZONE_LIMITS.public.list} list pages, run ${SCALE}× faster; ${DEFAULT_AZURE_PAGE_SIZE} record sets per page)`,
  );
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(
      `    requests ${r.requests.toLocaleString('en-US')} (${r.breakdown}); minimum ${r.minimum.toLocaleString('en-US')}; ratio ${fmt(r.ratio, 2)}; list calls ${r.listCalls}; waited on per-zone limits ${fmt(r.limitWaitS, 0)} s (scaled to real time; ${r.limitWaitBoundS} s with instant requests); ${r.throttled} answered 429; ${fmt(r.ms, 0)} ms`,
    );
  }
}
