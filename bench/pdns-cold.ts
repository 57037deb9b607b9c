// bench/pdns-cold: what a script pays. Each run is a fresh Node.js process (built packages, cold JIT,
// no kept connection) doing one reconcile against a real PowerDNS, timed from the process's start;
// the floor is a fresh process sending the same GET and PATCH bodies raw with undici, in the same
// invocation. Also: cost per endpoint of an initial sync from 10,000 up (warm, in process), split
// into the server's share (waiting for its answers) and ours (the rest).
// PDNS_COLD_NODE_ROOTS (comma-separated Debian roots, e.g. the sid root of scripts/pdns-roots.sh with
// Node.js 24) repeats the cold runs with that root's `node`, inside it with `chroot`, the repository
// bind-mounted; those rows are also run with NODE_COMPILE_CACHE (Node.js 22.1+), its first run
// filling the cache and not counted.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/** One child's figures (ms): its whole time from its start, the wall time around it, and the parts. */
interface Run {
  ms: number;
  wallMs: number;
  /** The runtime's own start, before the child's first line. */
  startMs: number;
  /** Importing undici (and zod, SDK side). */
  depsMs: number;
  /** Importing our packages (SDK side; 0 on the raw side). */
  oursMs: number;
  /** The rest: the requests and, SDK side, the reconcile. */
  workMs: number;
}

type Parts = Pick<Run, 'startMs' | 'depsMs' | 'oursMs' | 'workMs'>;

function medianParts(runs: Run[]): Parts {
  return {
    startMs: median(runs.map((r) => r.startMs)),
    depsMs: median(runs.map((r) => r.depsMs)),
    oursMs: median(runs.map((r) => r.oursMs)),
    workMs: median(runs.map((r) => r.workMs)),
  };
}

/**
 * How a child is started: this process's `node`, or a Debian root's `node` under `chroot` with the
 * repository mounted at `mountedAt` (see `withNodeRoot`).
 */
export interface NodeRunner {
  label: string;
  /** A Debian root holding `node`; the host's `node` when absent. */
  root?: string;
  /** Where the repository is mounted inside `root`. */
  mountedAt?: string;
  /** Directory for NODE_COMPILE_CACHE, as seen by the child. */
  compileCache?: string;
}

const HOST: NodeRunner = { label: `Node.js ${process.version} (host)` };

/** One child process; returns its own time from start to done, and the wall time around it. */
function child(args: string[], version: string, runner: NodeRunner = HOST): Promise<Run> {
  const t0 = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, PDNS_VERSION: version };
  if (runner.compileCache) env['NODE_COMPILE_CACHE'] = runner.compileCache;
  const [file, argv] =
    runner.root === undefined
      ? [process.execPath, [CHILD, ...args]]
      : [
          'chroot',
          [
            runner.root,
            'node',
            join(
              runner.mountedAt ?? '/',
              fileURLToPath(new URL('.', import.meta.url)).slice(REPO.length),
              'pdns-cold-child.mjs',
            ),
            ...args,
          ],
        ];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { env, maxBuffer: 1 << 20, timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      const line = stdout.trim().split('\n').pop() ?? '{}';
      resolve({ ...(JSON.parse(line) as Omit<Run, 'wallMs'>), wallMs: performance.now() - t0 });
    });
  });
}

export interface ColdRow {
  runtime: string;
  scenario: string;
  sdkMs: number;
  sdkWallMs: number;
  rawMs: number;
  rawWallMs: number;
  ratio: number;
  externalDnsMs: number;
  sdkParts: Parts;
  rawParts: Parts;
}

/** ExternalDNS v0.22.0's PowerDNS provider on this machine against 4.7, 10,000 endpoints (issue 12). */
const EXTERNAL_DNS = { initial: 969, noop: 364 };

const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

async function sh(file: string, args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(file, args, (error, _out, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr}`)) : resolve(),
    ),
  );
}

/**
 * Runs `fn` with the repository bind-mounted inside a Debian root (and its /proc mounted), so that
 * the root's `node` runs the built packages; unmounts afterwards. Needs root.
 */
async function withNodeRoot<T>(root: string, fn: (mountedAt: string) => Promise<T>): Promise<T> {
  const mountedAt = `/mnt/openova-bench-${process.pid}`;
  const undo: string[][] = [];
  try {
    await sh('mkdir', ['-p', root + mountedAt]);
    await sh('mount', ['--bind', REPO, root + mountedAt]);
    undo.push(['umount', root + mountedAt]);
    if (
      await sh('mountpoint', ['-q', `${root}/proc`]).then(
        () => false,
        () => true,
      )
    ) {
      await sh('mount', ['-t', 'proc', 'proc', `${root}/proc`]);
      undo.push(['umount', `${root}/proc`]);
    }
    return await fn(mountedAt);
  } finally {
    for (const [file, ...args] of undo.reverse()) await sh(file!, args).catch(() => undefined);
    await sh('rmdir', [root + mountedAt]).catch(() => undefined);
  }
}

/** The node runtimes to compare: this process's, and each root in PDNS_COLD_NODE_ROOTS with and without a compile cache. */
function runnersFrom(env: string | undefined, mounts: Map<string, string>): NodeRunner[] {
  const runners = [HOST];
  for (const root of (env ?? '').split(',').filter(Boolean)) {
    const mountedAt = mounts.get(root) ?? '/';
    runners.push({ label: `Node.js ${nodeVersionIn(root)} (${root})`, root, mountedAt });
    runners.push({
      label: `Node.js ${nodeVersionIn(root)} (${root}), NODE_COMPILE_CACHE`,
      root,
      mountedAt,
      compileCache: `/tmp/openova-bench-compile-cache-${process.pid}`,
    });
  }
  return runners;
}

const versions = new Map<string, string>();
function nodeVersionIn(root: string): string {
  return versions.get(root) ?? root;
}

export async function benchPdnsCold(
  endpoints = 10_000,
  runs = 5,
  nodeRoots = process.env['PDNS_COLD_NODE_ROOTS'],
): Promise<{ version: string; rows: ColdRow[] }> {
  const roots = (nodeRoots ?? '').split(',').filter(Boolean);
  for (const root of roots)
    versions.set(
      root,
      await new Promise<string>((resolve, reject) =>
        execFile('chroot', [root, 'node', '--version'], (e, out) =>
          e ? reject(new Error(`chroot ${root} node: ${e.message}`)) : resolve(out.trim()),
        ),
      ),
    );
  const mounts = new Map<string, string>();
  const mountAll = async (i: number): Promise<{ version: string; rows: ColdRow[] }> => {
    if (i === roots.length) return measure(endpoints, runs, runnersFrom(nodeRoots, mounts));
    return withNodeRoot(roots[i]!, (at) => {
      mounts.set(roots[i]!, at);
      return mountAll(i + 1);
    });
  };
  try {
    return await mountAll(0);
  } finally {
    for (const root of roots)
      await rm(`${root}/tmp/openova-bench-compile-cache-${process.pid}`, { recursive: true, force: true });
  }
}

async function measure(
  endpoints: number,
  runs: number,
  runners: NodeRunner[],
): Promise<{ version: string; rows: ColdRow[] }> {
  const pdns = await startPowerDns({ settings: { 'webserver-max-bodysize': '64' } });
  const dir = await mkdtemp(join(REPO, 'bench', '.cold-'));
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
    const bodyName = 'patch.json';
    await writeFile(join(dir, bodyName), JSON.stringify({ rrsets: provider.lastApply[0]?.rrsets ?? [] }));
    await provider.client.close();
    const common = [pdns.apiUrl, pdns.apiKey, ZONE];
    const rows: ColdRow[] = [];
    for (const runner of runners) {
      // the body file as the child sees it (inside a root, under the mounted repository)
      const bodyFile =
        runner.root === undefined
          ? join(dir, bodyName)
          : join(runner.mountedAt ?? '/', dir.slice(REPO.length), bodyName);
      const sdk = () => child(['sdk', ...common, String(endpoints)], pdns.version, runner);
      const raw = (body: string) => child(['raw', ...common, body], pdns.version, runner);
      const initial: Run[] = [];
      const initialRaw: Run[] = [];
      // one uncounted pair first: fills the file cache (and the compile cache, where used)
      await freshZone(pdns);
      await sdk();
      await raw('-');
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
      const noop: Run[] = [];
      const noopRaw: Run[] = [];
      for (let i = 0; i < runs; i++) {
        const sides = [
          async () => void noop.push(await sdk()),
          async () => void noopRaw.push(await raw('-')),
        ];
        for (const side of i % 2 ? [...sides].reverse() : sides) await side();
      }
      const row = (scenario: string, ours: Run[], floor: Run[], externalDnsMs: number): ColdRow => ({
        runtime: runner.label,
        scenario,
        sdkMs: median(ours.map((r) => r.ms)),
        sdkWallMs: median(ours.map((r) => r.wallMs)),
        rawMs: median(floor.map((r) => r.ms)),
        rawWallMs: median(floor.map((r) => r.wallMs)),
        ratio: median(ours.map((r) => r.ms)) / median(floor.map((r) => r.ms)),
        externalDnsMs,
        sdkParts: medianParts(ours),
        rawParts: medianParts(floor),
      });
      rows.push(
        row(
          `initial sync, ${endpoints.toLocaleString('en-US')} endpoints`,
          initial,
          initialRaw,
          EXTERNAL_DNS.initial,
        ),
        row('no-op resync', noop, noopRaw, EXTERNAL_DNS.noop),
      );
    }
    return { version: pdns.version, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await pdns.stop();
  }
}

export function printPdnsCold(result: { version: string; rows: ColdRow[] }, runs = 5): void {
  console.log(
    `bench/pdns-cold: one fresh Node.js process per run (built packages, no kept connection), timed from process start; PowerDNS ${result.version} sqlite3 on loopback; medians of ${runs} runs, sides alternating. ExternalDNS v0.22.0 column: its figures on this machine against 4.7 (issue 12), not measured here`,
  );
  console.log(
    '| runtime | scenario | SDK ms (process wall) | raw floor ms (process wall) | ratio | ExternalDNS ms |',
  );
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of result.rows)
    console.log(
      `| ${r.runtime} | ${r.scenario} | ${fmt(r.sdkMs)} (${fmt(r.sdkWallMs)}) | ${fmt(r.rawMs)} (${fmt(r.rawWallMs)}) | ${fmt(r.ratio, 2)} | ${r.externalDnsMs} |`,
    );
  console.log();
  console.log(
    'where the time goes (medians, ms): start = the runtime before the script; deps = importing undici (and zod, SDK); ours = importing our two packages; work = the requests and, SDK, the reconcile',
  );
  console.log('| runtime | scenario | side | start | deps | ours | work |');
  console.log('|---|---|---|---:|---:|---:|---:|');
  for (const r of result.rows)
    for (const [side, p] of [
      ['SDK', r.sdkParts],
      ['raw', r.rawParts],
    ] as const)
      console.log(
        `| ${r.runtime} | ${r.scenario} | ${side} | ${fmt(p.startMs)} | ${fmt(p.depsMs)} | ${fmt(p.oursMs)} | ${fmt(p.workMs)} |`,
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
