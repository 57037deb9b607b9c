// One cold run for bench/pdns-cold.ts, in a fresh Node.js process: the built packages (dist), cold
// JIT, no kept connection. Prints one JSON line: { ms } where ms counts from the process's start
// (module loading included) to the end of the work, and its parts: `startMs` (the runtime's own
// start, before this file runs), `depsMs` (importing undici, and zod for the SDK), `oursMs`
// (importing our packages, SDK only) and `workMs` (the rest).
//   node bench/pdns-cold-child.mjs sdk API_URL API_KEY ZONE ENDPOINTS
//   node bench/pdns-cold-child.mjs raw API_URL API_KEY ZONE BODY_FILE   (BODY_FILE: the PATCH body, or - for none)
import { readFileSync } from 'node:fs';

const [mode, apiUrl, apiKey, zone, arg] = process.argv.slice(2);
const startMs = performance.now();
let excluded = 0;
let depsMs = 0;
let oursMs = 0;
if (mode === 'sdk') {
  // the dependencies first, so that their share is told apart from ours
  await import('undici');
  await import('zod');
  depsMs = performance.now() - startMs;
  const { reconcile, TxtRegistry } = await import('@openova/dns-core');
  const { PowerDnsProvider } = await import('@openova/dns-provider-pdns');
  oursMs = performance.now() - startMs - depsMs;
  const n = Number(arg);
  const desired = Array.from({ length: n }, (_, i) => ({
    dnsName: `r${i}.${zone}`,
    recordType: 'A',
    targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    recordTTL: 300,
  }));
  const provider = new PowerDnsProvider({
    apiUrl,
    apiKey,
    zones: [zone],
    assumeVersion: process.env.PDNS_VERSION ?? '4.7.3',
    maxBodyBytes: 64_000_000,
  });
  const registry = new TxtRegistry(provider, { ownerId: 'bench', prefix: '_externaldns.%{record_type}.' });
  await reconcile({ registry, desired, policy: 'sync', safety: false });
  await provider.client.close();
} else {
  const { request } = await import('undici');
  depsMs = performance.now() - startMs;
  const started = performance.now();
  const body = arg === '-' ? undefined : readFileSync(arg, 'utf8');
  excluded = performance.now() - started; // reading the prepared body is not the server's work
  const base = `${apiUrl}/api/v1/servers/localhost/zones/${zone}.`;
  const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const got = await request(`${base}?rrsets=true`, { headers });
  await got.body.json();
  if (body !== undefined) {
    const res = await request(base, { method: 'PATCH', headers, body });
    await res.body.text();
    if (res.statusCode !== 204) throw new Error(`raw PATCH answered ${res.statusCode}`);
  }
}
const ms = performance.now() - excluded;
console.log(JSON.stringify({ ms, startMs, depsMs, oursMs, workMs: ms - startMs - depsMs - oursMs }));
process.exit(0);
