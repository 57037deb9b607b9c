// bench/cloudflare: reconcile against the loopback Cloudflare fake — an initial sync of 10,000
// endpoints (20,000 records with their ownership TXTs) and a resync after 1% of the records drifted
// (changed by hand in Cloudflare). Counts the requests the fake received and compares them with the
// minimum any client needs (zone list pages + record list pages at 5,000 per page + one batch per
// chunk limit) and with what a one-request-per-record client (ExternalDNS before its batch support,
// at its default page size of 100) would send.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import {
  BATCH_LIMITS,
  CloudflareClient,
  CloudflareProvider,
  MAX_RECORDS_PER_PAGE,
  MAX_ZONES_PER_PAGE,
} from '@openova/dns-provider-cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '@openova/dns-provider-cloudflare/testing';
import { fmt } from './stats.js';

const ZONE = 'bench.example.com';
const TOKEN = 'bench-token';
/** ExternalDNS's default `--cloudflare-dns-records-per-page`. */
const DEFAULT_PAGE_SIZE = 100;

export interface CloudflareBenchRow {
  scenario: string;
  /** Requests the fake received, by kind. */
  requests: number;
  breakdown: string;
  /** Zone pages + record pages at 5,000 + ceil(operations / chunk limit). */
  minimum: number;
  ratio: number;
  /** Zone pages + record pages at 100 + one request per record operation. */
  perRecordClient: number;
  operations: number;
  ms: number;
}

function desiredEndpoints(n: number): EndpointInit[] {
  return Array.from({ length: n }, (_, i) => ({
    dnsName: `r${i}.${ZONE}`,
    recordType: 'A',
    targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  }));
}

function breakdown(fake: FakeCloudflare): string {
  const counts = new Map<string, number>();
  for (const r of fake.requests) {
    const kind = `${r.method} ${r.path.replace(/[0-9a-f]{32}/g, ':id')}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n}× ${kind}`).join(', ');
}

async function reconcileOnce(
  fake: FakeCloudflare,
  desired: EndpointInit[],
): Promise<{ ms: number; operations: number }> {
  // a fresh provider, as a controller restarted for the run: it lists zones and records once
  const provider = new CloudflareProvider({ apiToken: TOKEN, baseUrl: fake.url });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  let operations = 0;
  const t0 = performance.now();
  const original = provider.applyChanges.bind(provider);
  provider.applyChanges = async (changes, options) => {
    await original(changes, options);
    operations += provider.lastApply.reduce((n, b) => n + b.operations, 0);
  };
  await reconcile({ registry, desired, policy: 'sync' });
  return { ms: performance.now() - t0, operations };
}

function row(
  scenario: string,
  fake: FakeCloudflare,
  run: { ms: number; operations: number },
  recordsBefore: number,
): CloudflareBenchRow {
  // one zone: one page of the zone list (50 per page)
  const zonePages = Math.ceil(1 / MAX_ZONES_PER_PAGE);
  const minimum =
    zonePages +
    Math.max(1, Math.ceil(recordsBefore / MAX_RECORDS_PER_PAGE)) +
    Math.ceil(run.operations / BATCH_LIMITS.paid);
  const perRecordClient =
    zonePages + Math.max(1, Math.ceil(recordsBefore / DEFAULT_PAGE_SIZE)) + run.operations;
  return {
    scenario,
    requests: fake.requests.length,
    breakdown: breakdown(fake),
    minimum,
    ratio: fake.requests.length / minimum,
    perRecordClient,
    operations: run.operations,
    ms: run.ms,
  };
}

/** Runs both scenarios against a fresh fake (a paid zone: 3,500 operations per batch). */
export async function benchCloudflare(endpoints = 10_000, driftShare = 0.01): Promise<CloudflareBenchRow[]> {
  const fake = await startFakeCloudflare({ tokens: [TOKEN] });
  try {
    const zoneId = fake.addZone({ name: ZONE, plan: 'enterprise', recordQuota: 4 * endpoints });
    const desired = desiredEndpoints(endpoints);
    const rows: CloudflareBenchRow[] = [];

    fake.clearRequests();
    const initial = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `initial sync: ${endpoints.toLocaleString('en-US')} endpoints → ${fake.records(ZONE).length.toLocaleString('en-US')} records`,
        fake,
        initial,
        0,
      ),
    );

    // drift: every 100th A record changed by hand (not counted)
    const client = new CloudflareClient({ apiToken: TOKEN, baseUrl: fake.url, rateLimit: false });
    const drifted = fake
      .records(ZONE)
      .filter((r) => r.type === 'A')
      .filter((_, i) => i % Math.round(1 / driftShare) === 0);
    await client.batchDnsRecords(zoneId, {
      patches: drifted.map((r) => ({ id: r.id, content: '192.0.2.254' })),
    });
    const recordsBefore = fake.records(ZONE).length;
    fake.clearRequests();
    const resync = await reconcileOnce(fake, desired);
    rows.push(
      row(
        `${(driftShare * 100).toFixed(0)}% drift resync: ${drifted.length} records changed by hand`,
        fake,
        resync,
        recordsBefore,
      ),
    );
    return rows;
  } finally {
    await fake.close();
  }
}

export function printCloudflareBench(rows: CloudflareBenchRow[]): void {
  console.log('cloudflare (loopback fake, paid zone: 3,500 operations per batch, 5,000 records per page)');
  for (const r of rows) {
    console.log(`  ${r.scenario}`);
    console.log(
      `    requests ${r.requests} (${r.breakdown}); minimum ${r.minimum}; ratio ${fmt(r.ratio, 2)}; one-request-per-record client ${r.perRecordClient.toLocaleString('en-US')}; ${r.operations.toLocaleString('en-US')} record operations; ${fmt(r.ms, 0)} ms`,
    );
  }
}
