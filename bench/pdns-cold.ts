// bench/pdns-cold: what a script pays. Each run is a fresh Node.js process (built packages, cold JIT,
// no kept connection) doing one reconcile against a real PowerDNS, timed from the process's start;
// the floor is a fresh process sending the same GET and PATCH bodies raw with undici, in the same
// invocation. Also: cost per endpoint of an initial sync from 10,000 up (warm, in process), split
// into the server's share (waiting for its answers) and ours (the rest).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { reconcile, TxtRegistry, type EndpointInit } from '@openova/dns-core';
import { PowerDnsProvider } from '@openova/dns-provider-pdns';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { median, fmt } from './stats.js';

const ZONE = 'cold.example.com';
const CHILD = fileURLToPath(new URL('./pdns-cold-child.mjs', import.meta.url));

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

/** One child process; returns its own time from start to done, and the wall time around it. */
function child(args: string[], version: string): Promise<{ ms: number; wallMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CHILD, ...args],
      { env: { ...process.env, PDNS_VERSION: version }, maxBuffer: 1 << 20, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        const line = stdout.trim().split('\n').pop() ?? '{}';
        resolve({ ms: (JSON.parse(line) as { ms: number }).ms, wallMs: performance.now() - t0 });
      },
    );
  });
}

export interface ColdRow {
  scenario: string;
  sdkMs: number;
  sdkWallMs: number;
  rawMs: number;
  rawWallMs: number;
  ratio: number;
  externalDnsMs: number;
}

/** ExternalDNS v0.22.0's PowerDNS provider on this machine against 4.7, 10,000 endpoints (issue 12). */
const EXTERNAL_DNS = { initial: 969, noop: 364 };

export async function benchPdnsCold(
  endpoints = 10_000,
  runs = 5,
): Promise<{ version: string; rows: ColdRow[] }> {
  const pdns = await startPowerDns({ settings: { 'webserver-max-bodysize': '64' } });
  const dir = await mkdtemp(join(tmpdir(), 'openova-bench-'));
  try {
    // the PATCH body the SDK sends, for the raw side
    await freshZone(pdns);
    const provider = new PowerDnsProvider({
      apiUrl: pdns.apiUrl,
      apiKey: pdns.apiKey,
      zones: [ZONE],
      maxBodyBytes: 64_000_000,
    });
    await reconcile({
      registry: new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' }),
      desired: desiredEndpoints(endpoints),
      policy: 'sync',
    });
    const bodyFile = join(dir, 'patch.json');
    await writeFile(bodyFile, JSON.stringify({ rrsets: provider.lastApply[0]?.rrsets ?? [] }));
    await provider.client.close();
    const common = [pdns.apiUrl, pdns.apiKey, ZONE];
    const sdk = (): Promise<{ ms: number; wallMs: number }> =>
      child(['sdk', ...common, String(endpoints)], pdns.version);
    const raw = (body: string) => child(['raw', ...common, body], pdns.version);
    const initial: { ms: number; wallMs: number }[] = [];
    const initialRaw: { ms: number; wallMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const sides = [
        async () => {
          await freshZone(pdns);
          initial.push(await sdk());
        },
        async () => {
          await freshZone(pdns);
          initialRaw.push(await raw(bodyFile));
        },
      ];
      for (const side of i % 2 ? [...sides].reverse() : sides) await side();
    }
    await freshZone(pdns);
    await sdk(); // populate
    const noop: { ms: number; wallMs: number }[] = [];
    const noopRaw: { ms: number; wallMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const sides = [async () => void noop.push(await sdk()), async () => void noopRaw.push(await raw('-'))];
      for (const side of i % 2 ? [...sides].reverse() : sides) await side();
    }
    const row = (
      scenario: string,
      ours: { ms: number; wallMs: number }[],
      floor: { ms: number; wallMs: number }[],
      externalDnsMs: number,
    ): ColdRow => ({
      scenario,
      sdkMs: median(ours.map((r) => r.ms)),
      sdkWallMs: median(ours.map((r) => r.wallMs)),
      rawMs: median(floor.map((r) => r.ms)),
      rawWallMs: median(floor.map((r) => r.wallMs)),
      ratio: median(ours.map((r) => r.ms)) / median(floor.map((r) => r.ms)),
      externalDnsMs,
    });
    return {
      version: pdns.version,
      rows: [
        row(
          `initial sync, ${endpoints.toLocaleString('en-US')} endpoints`,
          initial,
          initialRaw,
          EXTERNAL_DNS.initial,
        ),
        row('no-op resync', noop, noopRaw, EXTERNAL_DNS.noop),
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await pdns.stop();
  }
}

export function printPdnsCold(result: { version: string; rows: ColdRow[] }, runs = 5): void {
  console.log(
    `bench/pdns-cold: one fresh Node.js process per run (built packages, no kept connection), timed from process start; PowerDNS ${result.version} sqlite3 on loopback; medians of ${runs} runs, sides alternating. ExternalDNS v0.22.0 column: its figures on this machine against 4.7 (issue 12), not measured here`,
  );
  console.log('| scenario | SDK ms (process wall) | raw floor ms (process wall) | ratio | ExternalDNS ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of result.rows)
    console.log(
      `| ${r.scenario} | ${fmt(r.sdkMs)} (${fmt(r.sdkWallMs)}) | ${fmt(r.rawMs)} (${fmt(r.rawWallMs)}) | ${fmt(r.ratio, 2)} | ${r.externalDnsMs} |`,
    );
}

export interface ScaleRow {
  endpoints: number;
  reconcileMs: number;
  /** Time spent waiting for PowerDNS's answers within the reconcile (zone read and PATCH). */
  serverMs: number;
  serverUsPerEndpoint: number;
  oursUsPerEndpoint: number;
}

/**
 * Initial sync of n endpoints (warm, in process), split into the server's share (the HTTP requests'
 * durations, from the client's `onRequest` events) and ours (the rest of the same reconcile).
 */
export async function benchPdnsScale(
  sizes: readonly number[],
): Promise<{ version: string; rows: ScaleRow[] }> {
  const pdns = await startPowerDns({ settings: { 'webserver-max-bodysize': '512' } });
  const rows: ScaleRow[] = [];
  try {
    for (const n of sizes) {
      await freshZone(pdns);
      let serverMs = 0;
      const provider = new PowerDnsProvider({
        apiUrl: pdns.apiUrl,
        apiKey: pdns.apiKey,
        zones: [ZONE],
        assumeVersion: pdns.version,
        maxBodyBytes: 512_000_000,
        timeoutMs: 600_000,
        onRequest: (e) => (serverMs += e.durationMs),
      });
      const registry = new TxtRegistry(provider, {
        ownerId: 'bench',
        prefix: '_externaldns.%{record_type}.',
      });
      const t0 = performance.now();
      await reconcile({ registry, desired: desiredEndpoints(n), policy: 'sync' });
      const reconcileMs = performance.now() - t0;
      await provider.client.close();
      rows.push({
        endpoints: n,
        reconcileMs,
        serverMs,
        serverUsPerEndpoint: (serverMs * 1000) / n,
        oursUsPerEndpoint: ((reconcileMs - serverMs) * 1000) / n,
      });
    }
    return { version: pdns.version, rows };
  } finally {
    await pdns.stop();
  }
}

export function printPdnsScale(result: { version: string; rows: ScaleRow[] }): void {
  console.log(
    `bench/pdns-scale: initial sync (each endpoint with its ownership TXT, one PATCH) per size, warm, in process; PowerDNS ${result.version} sqlite3; one run per size; server = time waiting for answers, ours = the rest`,
  );
  console.log('| endpoints | reconcile ms | server ms | server µs/endpoint | ours µs/endpoint |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of result.rows)
    console.log(
      `| ${r.endpoints.toLocaleString('en-US')} | ${fmt(r.reconcileMs)} | ${fmt(r.serverMs)} | ${fmt(r.serverUsPerEndpoint)} | ${fmt(r.oursUsPerEndpoint)} |`,
    );
}
