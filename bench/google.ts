// bench/google: reconcile against the loopback HTTPS fake of the Cloud DNS v1 API — an initial sync
// of 10,000 endpoints (20,000 record sets with their ownership TXTs) and a resync after 1% of the
// records drifted (changed by hand). Counts the requests against the minimum: managed-zone pages,
// record-set pages at the fake's 500 per page, and changes at Cloud DNS's per-change limits (1,000
// additions, 1,000 deletions, 100,000 rrdata bytes) for what was sent.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import {
  GOOGLE_CHANGE_LIMITS,
  GoogleCloudDnsProvider,
  rrdataBytes,
  type GoogleRRSet,
} from '@openova/dns-provider-google';
import { startFakeGoogle, type FakeGoogle } from '@openova/dns-provider-google/testing';
import { fmt } from './stats.js';

const ZONE = 'bench.example.com';
const MANAGED = 'bench-zone';
const TOKEN = 'bench-token';
const PAGE = 500;
const ZONE_PAGE = 50;

export interface GoogleBenchRow {
  scenario: string;
  requests: number;
  breakdown: string;
  minimum: number;
  ratio: number;
  changes: number;
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

function breakdown(fake: FakeGoogle, from: number): string {
  const counts = new Map<string, number>();
  for (const r of fake.requests.slice(from)) {
    const kind = r.replace(/\?.*$/, '').replace(/managedZones\/[^/]+/, 'managedZones/:zone');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n}× ${kind}`).join(', ');
}

/** Fewest changes any client needs for these additions and deletions under the three limits. */
function minimumChanges(additions: GoogleRRSet[], deletions: GoogleRRSet[]): number {
  const bytes = [...additions, ...deletions].reduce((n, s) => n + rrdataBytes(s), 0);
  return Math.max(
    Math.ceil(additions.length / GOOGLE_CHANGE_LIMITS.additions),
    Math.ceil(deletions.length / GOOGLE_CHANGE_LIMITS.deletions),
    Math.ceil(bytes / GOOGLE_CHANGE_LIMITS.rrdataBytes),
  );
}

async function reconcileOnce(
  fake: FakeGoogle,
  desired: EndpointInit[],
  scenario: string,
): Promise<GoogleBenchRow> {
  // a fresh provider, as a controller restarted for the run
  const provider = new GoogleCloudDnsProvider({
    project: 'fake-project',
    tokenSource: { getAccessToken: () => Promise.resolve(TOKEN) },
    baseUrl: fake.url,
    tls: { ca: fake.ca },
  });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  const additions: GoogleRRSet[] = [];
  const deletions: GoogleRRSet[] = [];
  let changes = 0;
  const original = provider.applyChanges.bind(provider);
  provider.applyChanges = async (c, options) => {
    await original(c, options);
    for (const sent of provider.lastApply) {
      changes++;
      for (const a of sent.additions) additions.push(a);
      for (const d of sent.deletions) deletions.push(d);
    }
  };
  const from = fake.requests.length;
  const throttledBefore = fake.throttled;
  const setsBefore = fake.rrsets(MANAGED).length;
  const t0 = performance.now();
  await reconcile({ registry, desired, policy: 'sync', safety: false });
  const ms = performance.now() - t0;
  await provider.client.close();
  const requests = fake.requests.length - from;
  const minimum =
    Math.ceil(fake.zones.size / ZONE_PAGE) +
    Math.max(1, Math.ceil(setsBefore / PAGE)) +
    minimumChanges(additions, deletions);
  return {
    scenario,
    requests,
    breakdown: breakdown(fake, from),
    minimum,
    ratio: requests / minimum,
    changes,
    throttled: fake.throttled - throttledBefore,
    ms,
  };
}

export async function benchGoogle(endpoints = 10_000, driftShare = 0.01): Promise<GoogleBenchRow[]> {
  const fake = await startFakeGoogle({ token: TOKEN, pageSize: PAGE, zonePageSize: ZONE_PAGE });
  try {
    fake.addZone({ name: MANAGED, dnsName: ZONE });
    const desired = desiredEndpoints(endpoints);
    const rows: GoogleBenchRow[] = [];
    rows.push(
      await reconcileOnce(fake, desired, `initial sync: ${endpoints.toLocaleString('en-US')} endpoints`),
    );
    // drift: every 100th A record changed by hand (not counted)
    const every = Math.round(1 / driftShare);
    let i = 0;
    let drifted = 0;
    for (const set of fake.rrsets(MANAGED))
      if (set.type === 'A' && i++ % every === 0) {
        fake.putRRSet(MANAGED, { ...set, rrdatas: ['192.0.2.254'] });
        drifted++;
      }
    rows.push(
      await reconcileOnce(
        fake,
        desired,
        `resync after ${fmt(driftShare * 100, 0)}% drift (${drifted} records)`,
      ),
    );
    return rows;
  } finally {
    await fake.close();
  }
}

export function printGoogleBench(rows: GoogleBenchRow[]): void {
  console.log(
    `google (loopback HTTPS fake of Cloud DNS v1; ${PAGE} record sets per page; changes of at most 1,000 additions, 1,000 deletions, 100,000 rrdata bytes)`,
  );
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(
      `    requests ${r.requests} (${r.breakdown}); minimum ${r.minimum}; ratio ${fmt(r.ratio, 2)}; ${r.changes} changes; ${r.throttled} 429 answers; ${fmt(r.ms, 0)} ms`,
    );
  }
}
