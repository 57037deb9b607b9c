// bench/pdns: reconcile against a real PowerDNS (initial sync of 10,000 endpoints = 20,000 rrsets with
// their ownership TXTs, and a no-op resync), against a raw baseline measured in the same run: the same
// GET and PATCH bodies sent directly with undici.
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { PowerDnsProvider, type ZonePatch } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { request } from 'undici';
import { median, fmt } from './stats.js';

const ZONE = 'bench.example.com';

function desiredEndpoints(n: number): EndpointInit[] {
  return Array.from({ length: n }, (_, i) => ({
    dnsName: `r${i}.${ZONE}`,
    recordType: 'A',
    targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    recordTTL: 300,
  }));
}

async function freshZone(pdns: RunningPowerDns): Promise<void> {
  await pdns.client.deleteZone(`${ZONE}.`).catch(() => undefined);
  await pdns.client.createZone({ name: ZONE, kind: 'Native', nameservers: [`ns1.${ZONE}`] });
}

interface Run {
  ms: number;
  requests: string[];
  patches: ZonePatch[];
}

/**
 * One provider and registry for all runs of a scenario, as a controller keeps them: both sides then
 * send over a kept-alive connection (the raw side uses undici's global pool).
 */
function reconciler(pdns: RunningPowerDns) {
  let requests: string[] = [];
  const provider = new PowerDnsProvider({
    apiUrl: pdns.apiUrl,
    apiKey: pdns.apiKey,
    zones: [ZONE],
    assumeVersion: pdns.version,
    maxBodyBytes: 64_000_000, // the server's webserver-max-bodysize: one PATCH, as the raw side sends
    onRequest: (e) => requests.push(`${e.method} ${e.path.split('?')[0]}`),
  });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  return {
    async once(desired: EndpointInit[]): Promise<Run> {
      requests = [];
      provider.lastApply = [];
      const t0 = performance.now();
      await reconcile({ registry, desired, policy: 'sync' });
      const ms = performance.now() - t0;
      return { ms, requests, patches: provider.lastApply };
    },
    close: () => provider.client.close(),
  };
}

/** The same requests, raw: GET the zone with its rrsets (and read the JSON), then PATCH the same body. */
async function rawOnce(pdns: RunningPowerDns, patch: ZonePatch | undefined): Promise<number> {
  const base = `${pdns.apiUrl}/api/v1/servers/localhost/zones/${ZONE}.`;
  const headers = { 'x-api-key': pdns.apiKey, 'content-type': 'application/json' };
  const t0 = performance.now();
  const got = await request(`${base}?rrsets=true`, { headers });
  await got.body.json();
  if (patch) {
    const res = await request(base, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ rrsets: patch.rrsets }),
    });
    await res.body.text();
    if (res.statusCode !== 204) throw new Error(`raw PATCH answered ${res.statusCode}`);
  }
  return performance.now() - t0;
}

export interface PdnsBenchRow {
  scenario: string;
  requests: string;
  expected: string;
  reconcileMs: number;
  rawMs: number;
  ratio: number;
}

/**
 * @param root a Debian root holding another PowerDNS (`startPowerDns({ root })`, e.g. from
 *   scripts/pdns-roots.sh); default: the host's server (or `PDNS_ROOT`).
 */
export async function benchPdns(
  endpoints = 10_000,
  runs = 11,
  root?: string,
): Promise<{ version: string; rows: PdnsBenchRow[] }> {
  const pdns = await startPowerDns({
    settings: { 'webserver-max-bodysize': '64' },
    ...(root === undefined ? {} : { root }),
  });
  try {
    const desired = desiredEndpoints(endpoints);
    const ours = reconciler(pdns);
    // Initial sync: each side writes into a fresh empty zone; which side goes first alternates, so
    // neither always meets a server that has just been busy.
    const initial: Run[] = [];
    const initialRaw: number[] = [];
    let patch: ZonePatch | undefined;
    for (let i = 0; i < runs; i++) {
      const sides = [
        async () => {
          await freshZone(pdns);
          const run = await ours.once(desired);
          initial.push(run);
          patch = run.patches[0];
        },
        async () => {
          if (!patch) return; // the first run needs the reconcile's PATCH body
          await freshZone(pdns);
          initialRaw.push(await rawOnce(pdns, patch));
        },
      ];
      for (const side of i % 2 ? [...sides].reverse() : sides) await side();
      if (initialRaw.length < initial.length) {
        await freshZone(pdns);
        initialRaw.push(await rawOnce(pdns, patch));
      }
    }
    // No-op resync of the populated zone, again alternating which side reads first.
    await freshZone(pdns);
    await ours.once(desired);
    await ours.once(desired); // warm-up of both sides
    await rawOnce(pdns, undefined);
    const noop: Run[] = [];
    const noopRaw: number[] = [];
    for (let i = 0; i < runs; i++) {
      const sides = [
        async () => void noop.push(await ours.once(desired)),
        async () => void noopRaw.push(await rawOnce(pdns, undefined)),
      ];
      for (const side of i % 2 ? [...sides].reverse() : sides) await side();
    }
    await ours.close();
    const rrsets = initial[0]!.patches[0]?.rrsets.length ?? 0;
    const describe = (r: Run) => `${r.requests.length} (${r.requests.join(', ')})`;
    const initialMs = median(initial.map((r) => r.ms));
    const noopMs = median(noop.map((r) => r.ms));
    const rows: PdnsBenchRow[] = [
      {
        scenario: `initial sync: ${endpoints.toLocaleString('en-US')} endpoints → ${rrsets.toLocaleString('en-US')} rrsets`,
        requests: describe(initial[0]!),
        expected: '2 (1 zone read + 1 PATCH)',
        reconcileMs: initialMs,
        rawMs: median(initialRaw),
        ratio: initialMs / median(initialRaw),
      },
      {
        scenario: `no-op resync of the same zone`,
        requests: describe(noop[0]!),
        expected: '1 (1 zone read)',
        reconcileMs: noopMs,
        rawMs: median(noopRaw),
        ratio: noopMs / median(noopRaw),
      },
    ];
    return { version: pdns.version, rows };
  } finally {
    await pdns.stop();
  }
}

export function printPdnsBench({ version, rows }: { version: string; rows: PdnsBenchRow[] }): void {
  console.log(
    `bench/pdns: reconcile (TxtRegistry + PowerDnsProvider) vs the same GET/PATCH bodies sent raw with undici; PowerDNS ${version} sqlite3 on loopback; medians of 11 runs, sides alternating`,
  );
  console.log('| scenario | HTTP requests | target | reconcile ms | raw ms | ratio |');
  console.log('|---|---|---|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.scenario} | ${r.requests} | ${r.expected} | ${fmt(r.reconcileMs)} | ${fmt(r.rawMs)} | ${fmt(r.ratio, 2)} |`,
    );
}
