// bench/route53: reconcile against the loopback Route53 fake (REST-XML, driven by the AWS SDK, with
// Route53's 5 requests/s per account enforced as Throttling) — an initial sync of 10,000 endpoints
// (20,000 record sets with their ownership TXTs) and a resync after 1% of the records drifted
// (changed by hand). Counts the requests against the minimum: zone list pages, record list pages at
// 300, and change batches at Route53's cost limits (1,000 ResourceRecords, 32,000 value characters,
// an UPSERT counting twice); prints the time spent waiting on the 5 requests/s budget.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { RateLimiter } from '@openova/dns-core/http';
import {
  MAX_RECORD_SETS_PER_PAGE,
  MAX_ZONES_PER_PAGE,
  ROUTE53_LIMITS,
  ROUTE53_PACE,
  Route53Api,
  Route53Provider,
  type Route53Batch,
} from '@openova/dns-provider-route53';
import { startFakeRoute53, type FakeRoute53 } from '@openova/dns-provider-route53/testing';
import { fmt } from './stats.js';

const ZONE = 'bench.example.com';
type Change = Route53Batch['changes'][number];

// one AWS account: every run shares its 5 requests/s
const budget = new RateLimiter(ROUTE53_PACE);
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

export interface Route53BenchRow {
  scenario: string;
  requests: number;
  breakdown: string;
  minimum: number;
  ratio: number;
  batches: number;
  waitedMs: number;
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

function breakdown(fake: FakeRoute53, from: number): string {
  const counts = new Map<string, number>();
  for (const r of fake.requests.slice(from)) {
    const kind = r.replace(/\?.*$/, '').replace(/\/Z[0-9A-Z]+/g, '/:id');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n}× ${kind}`).join(', ');
}

/** Fewest batches any client needs for these changes under Route53's two per-request limits. */
function minimumBatches(changes: Change[]): number {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const k = c.Action === 'UPSERT' ? 2 : 1;
    const set = c.ResourceRecordSet;
    records += k * (set?.AliasTarget ? 1 : (set?.ResourceRecords?.length ?? 0));
    chars += k * (set?.ResourceRecords ?? []).reduce((n, r) => n + (r.Value ?? '').length, 0);
  }
  return Math.max(
    Math.ceil(records / ROUTE53_LIMITS.resourceRecords),
    Math.ceil(chars / ROUTE53_LIMITS.valueCharacters),
  );
}

async function reconcileOnce(
  fake: FakeRoute53,
  desired: EndpointInit[],
  scenario: string,
): Promise<Route53BenchRow> {
  // a fresh provider, as a controller restarted for the run; the account budget outlives it
  const api = new Route53Api({
    endpoint: fake.url,
    credentials,
    rateLimiter: budget,
  });
  const provider = new Route53Provider({ api });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  const sent: Change[] = [];
  let batches = 0;
  const original = provider.applyChanges.bind(provider);
  provider.applyChanges = async (changes, options) => {
    await original(changes, options);
    for (const b of provider.lastApply) {
      batches++;
      sent.push(...b.changes);
    }
  };
  const from = fake.requests.length;
  const throttledBefore = fake.throttled;
  const setsBefore = fake.recordSets([...fake.zones.keys()][0] as string).length;
  const t0 = performance.now();
  await reconcile({ registry, desired, policy: 'sync' });
  const ms = performance.now() - t0;
  const requests = fake.requests.length - from;
  const zonePages = Math.ceil(fake.zones.size / MAX_ZONES_PER_PAGE);
  const recordPages = Math.max(1, Math.ceil(setsBefore / MAX_RECORD_SETS_PER_PAGE));
  const minimum = zonePages + recordPages + minimumBatches(sent);
  return {
    scenario,
    requests,
    breakdown: breakdown(fake, from),
    minimum,
    ratio: requests / minimum,
    batches,
    waitedMs: api.stats.waitedMs,
    throttled: fake.throttled - throttledBefore,
    ms,
  };
}

export async function benchRoute53(endpoints = 10_000, driftShare = 0.01): Promise<Route53BenchRow[]> {
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  const fake = await startFakeRoute53(); // Throttling above 5 requests/s
  try {
    const zone = fake.addZone({ name: ZONE });
    const desired = desiredEndpoints(endpoints);
    const rows: Route53BenchRow[] = [];
    rows.push(
      await reconcileOnce(fake, desired, `initial sync: ${endpoints.toLocaleString('en-US')} endpoints`),
    );
    // drift: every 100th A record changed by hand (not counted)
    const every = Math.round(1 / driftShare);
    let i = 0;
    for (const set of zone.sets)
      if (set.Type === 'A' && i++ % every === 0) set.ResourceRecords = ['192.0.2.254'];
    rows.push(
      await reconcileOnce(
        fake,
        desired,
        `resync after ${fmt(driftShare * 100, 0)}% drift (${Math.ceil(endpoints / every)} records)`,
      ),
    );
    return rows;
  } finally {
    await fake.close();
  }
}

export function printRoute53Bench(rows: Route53BenchRow[]): void {
  console.log(
    'route53 (loopback REST-XML fake via @aws-sdk/client-route-53, 5 requests/s per account, 300 record sets per page)',
  );
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(
      `    requests ${r.requests} (${r.breakdown}); minimum ${r.minimum}; ratio ${fmt(r.ratio, 2)}; ${r.batches} change batches; waited ${fmt(r.waitedMs / 1000, 1)} s on the 5 requests/s budget; ${r.throttled} Throttling answers; ${fmt(r.ms, 0)} ms`,
    );
  }
}
