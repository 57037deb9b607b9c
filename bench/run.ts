// `pnpm bench [suite…]`: runs the named benchmark suites, each against a baseline measured in the
// same run. Suites: plan, pdns (needs pdns_server), cloudflare, hetzner, route53, azure and google
// (against the local fakes), encrypt (TXT marker encryption). Default: all. Named only (they take
// minutes): pdns-cold (a fresh process per run) and pdns-scale (10k, 50k, 100k endpoints; `--large`
// adds 200k). PDNS_ROOT picks another PowerDNS; PDNS_BENCH_ROOTS (comma-separated roots, e.g. the
// trixie and sid roots of scripts/pdns-roots.sh) repeats bench/pdns on each; PDNS_COLD_NODE_ROOTS (the
// sid root) repeats pdns-cold with that root's Node.js (24), with and without NODE_COMPILE_CACHE.
// `--quick` runs the planner at 10k and 100k only.
import os from 'node:os';
import { benchPlan, printPlanBench } from './plan.js';
import { benchPdns, printPdnsBench } from './pdns.js';
import { benchPdnsCold, benchPdnsScale, printPdnsCold, printPdnsScale } from './pdns-cold.js';
import { benchCloudflare, printCloudflareBench } from './cloudflare.js';
import { benchHetzner, printHetznerBench } from './hetzner.js';
import { benchRoute53, printRoute53Bench } from './route53.js';
import { benchEncrypt, printEncryptBench } from './encrypt.js';
import { benchAzure, printAzureBench } from './azure.js';
import { benchGoogle, printGoogleBench } from './google.js';

const args = process.argv.slice(2);
const suites = args.filter((a) => !a.startsWith('--'));
const wanted = (name: string) => suites.length === 0 || suites.includes(name);

console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`,
);
if (wanted('plan')) {
  const sizes = args.includes('--quick') ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  printPlanBench(await benchPlan(sizes));
  console.log();
}
if (wanted('pdns')) {
  printPdnsBench(await benchPdns());
  console.log();
  // PDNS_BENCH_ROOTS: Debian roots with other PowerDNS versions (scripts/pdns-roots.sh), comma-separated
  for (const root of (process.env['PDNS_BENCH_ROOTS'] ?? '').split(',').filter(Boolean)) {
    printPdnsBench(await benchPdns(10_000, 11, root));
    console.log();
  }
}
if (suites.includes('pdns-cold')) {
  printPdnsCold(await benchPdnsCold());
  console.log();
}
if (suites.includes('pdns-scale')) {
  const sizes = args.includes('--large') ? [10_000, 50_000, 100_000, 200_000] : [10_000, 50_000, 100_000];
  printPdnsScale(await benchPdnsScale(sizes));
  console.log();
}
if (wanted('cloudflare')) {
  printCloudflareBench(await benchCloudflare());
  console.log();
}
if (wanted('hetzner')) {
  printHetznerBench(await benchHetzner());
  console.log();
}
if (wanted('route53')) {
  printRoute53Bench(await benchRoute53());
  console.log();
}
if (wanted('azure')) {
  printAzureBench(await benchAzure());
  console.log();
}
if (wanted('encrypt')) {
  printEncryptBench(await benchEncrypt());
  console.log();
}
if (wanted('google')) {
  printGoogleBench(await benchGoogle());
  console.log();
}
