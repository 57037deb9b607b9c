// bench/hetzner: reconcile against the loopback fake of the Hetzner Cloud DNS API — an initial sync
// of 2,000 endpoints (4,000 RRSets with their ownership TXTs) and a resync after 1% of the records
// drifted (changed by hand). Counts the requests the fake received against the minimum (list pages
// at 50 per page + one request per changed RRSet + one poll per 25 actions per phase), the time spent
// waiting on the rate limit, and the share of the hourly budget (3,600) a resync uses.
//
// The bucket is Hetzner's (3,600, one request back per second) run on a clock `SCALE` times faster,
// in the fake and in the client alike, so the bench takes seconds; waits are reported scaled back.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import {
  ACTIONS_PER_POLL,
  HETZNER_RATE_LIMIT,
  HetznerClient,
  HetznerProvider,
  MAX_PER_PAGE,
} from '@openova/dns-provider-hetzner';
import { startFakeHetzner, type FakeHetzner } from '@openova/dns-provider-hetzner/testing';
import { fmt } from './stats.js';

const ZONE = 'bench.example.com';
const TOKEN = 'bench-token';
/** How much faster than real time the bucket refills in the bench. */
const SCALE = 100;

export interface HetznerBenchRow {
  scenario: string;
  requests: number;
  breakdown: string;
  minimum: number;
  ratio: number;
  /** Requests beyond a full bucket: at one back per second, the least a run that starts with a full bucket waits (s) when requests are instant. */
  overBudget: number;
  /** Seconds waited on the rate limit, in real (unscaled) time. */
  rateLimitWaitS: number;
  /** Share of the hourly budget the run used. */
  budgetShare: number;
  ms: number;
}

function desiredEndpoints(n: number): EndpointInit[] {
  return Array.from({ length: n }, (_, i) => ({
    dnsName: `r${i}.${ZONE}`,
    recordType: 'A',
    targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  }));
}

function breakdown(fake: FakeHetzner): string {
  const counts = new Map<string, number>();
  for (const r of fake.requests) {
    const kind = `${r.method} ${r.path.replace(/^\/zones\/\d+\/rrsets\/[^/]+\/[A-Z]+/, '/zones/:z/rrsets/:rr').replace(/^\/zones\/\d+/, '/zones/:z')}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n}× ${kind}`).join(', ');
}

async function reconcileOnce(fake: FakeHetzner, desired: EndpointInit[]) {
  // a fresh provider, as a controller restarted for the run
  const provider = new HetznerProvider({
    token: TOKEN,
    baseUrl: fake.url,
    pollIntervalMs: 5,
    rateLimit: {
      requests: HETZNER_RATE_LIMIT.requests,
      windowMs: HETZNER_RATE_LIMIT.windowMs / SCALE,
      maxWaitMs: 600_000,
    },
  });
  const limiter = provider.client.rateLimiter;
  // wall-clock time during which at least one request waited on the limiter (requests wait in parallel)
  let waitedMs = 0;
  let waiting = 0;
  let since = 0;
  if (limiter) {
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = async (options) => {
      if (waiting++ === 0) since = performance.now();
      try {
        await acquire(options);
      } finally {
        if (--waiting === 0) waitedMs += performance.now() - since;
      }
    };
  }
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  const t0 = performance.now();
  await reconcile({ registry, desired, policy: 'sync', safety: false });
  const ms = performance.now() - t0;
  await provider.client.close();
  return { ms, waitedMs };
}

function row(
  scenario: string,
  fake: FakeHetzner,
  run: { ms: number; waitedMs: number },
  rrsetsBefore: number,
  change: { rrsets: number; phases: number },
): HetznerBenchRow {
  // 1 zone page; RRSet pages at 50; one write per changed RRSet; its actions polled 25 per request
  // (a run that writes markers and records has two phases, each polled on its own)
  const polls = change.phases * Math.ceil(change.rrsets / change.phases / ACTIONS_PER_POLL);
  const minimum = 1 + Math.max(1, Math.ceil(rrsetsBefore / MAX_PER_PAGE)) + change.rrsets + polls;
  return {
    scenario,
    requests: fake.requests.length,
    breakdown: breakdown(fake),
    minimum,
    ratio: fake.requests.length / minimum,
    overBudget: Math.max(0, fake.requests.length - HETZNER_RATE_LIMIT.requests),
    rateLimitWaitS: (run.waitedMs * SCALE) / 1000,
    budgetShare: fake.requests.length / HETZNER_RATE_LIMIT.requests,
    ms: run.ms,
  };
}

export async function benchHetzner(endpoints = 2000, driftShare = 0.01): Promise<HetznerBenchRow[]> {
  const fake = await startFakeHetzner({
    tokens: [TOKEN],
    rateLimit: { limit: HETZNER_RATE_LIMIT.requests, refillPerSecond: SCALE },
  });
  try {
    fake.addZone({ name: ZONE });
    const desired = desiredEndpoints(endpoints);
    const rows: HetznerBenchRow[] = [];
    fake.requests.length = 0;
    const initial = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `initial sync: ${endpoints.toLocaleString('en-US')} endpoints → ${fake.rrsets(ZONE).length.toLocaleString('en-US')} RRSets`,
        fake,
        initial,
        0,
        { rrsets: 2 * endpoints, phases: 2 },
      ),
    );

    // drift: every 100th A record changed by hand (not counted); the bucket is refilled meanwhile
    const client = new HetznerClient({
      token: TOKEN,
      baseUrl: fake.url,
      rateLimit: false,
      pollIntervalMs: 5,
    });
    const drifted = fake
      .rrsets(ZONE)
      .filter((r) => r.type === 'A')
      .filter((_, i) => i % Math.round(1 / driftShare) === 0);
    for (const r of drifted)
      await client.waitForActions([await client.setRecords(ZONE, r, [{ value: '192.0.2.254' }])]);
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, (HETZNER_RATE_LIMIT.requests / SCALE) * 1000 + 100));
    const before = fake.rrsets(ZONE).length;
    fake.requests.length = 0;
    const resync = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `${(driftShare * 100).toFixed(0)}% drift resync: ${drifted.length} records changed by hand`,
        fake,
        resync,
        before,
        {
          rrsets: drifted.length,
          phases: 1,
        },
      ),
    );
    return rows;
  } finally {
    await fake.close();
  }
}

export function printHetznerBench(rows: HetznerBenchRow[]): void {
  console.log(
    `hetzner (loopback fake; bucket 3,600 refilling 1/s, run ${SCALE}× faster; 50 per page; 25 actions per poll)`,
  );
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(
      `    requests ${r.requests.toLocaleString('en-US')} (${r.breakdown}); minimum ${r.minimum.toLocaleString('en-US')}; ratio ${fmt(r.ratio, 2)}; rate-limit wait measured ${fmt(r.rateLimitWaitS, 0)} s (scaled to real time), ${r.overBudget} requests beyond a full bucket; ${fmt(r.budgetShare * 100, 1)}% of the hourly budget; ${fmt(r.ms, 0)} ms`,
    );
  }
}
