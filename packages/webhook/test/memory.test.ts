// Bounded memory: the command, run as a child process with the heap size of the documented
// Deployment, keeps its peak resident set (VmHWM) under the documented memory limit while
// concurrent maximum-size requests arrive. The work gate reads and parses one body at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustBody, rssOf } from './support/memory.js';
import { externalDnsGet, externalDnsPost, MEDIA_TYPE, rawRequest } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';

/** The documented container memory limit (deploy/ and docs/webhook.md, sizing). */
const MEMORY_LIMIT_MIB = 512;
/** The documented heap limit for that container (`NODE_OPTIONS`). */
const NODE_OPTIONS = '--max-old-space-size=320 --max-semi-space-size=16';
const MAX_BODY_MIB = 32;
const CONCURRENT = 3;
/**
 * The command as the image runs it (the package's bin, on the built `dist/` when it is there, as in
 * CI): run from source through tsx, the TypeScript loader alone adds about 100 MiB.
 */
const AS_SHIPPED = { bin: true };

let cli: CliProcess;
let api: string;

beforeAll(async () => {
  cli = spawnCli(
    {
      DNS_PROVIDER: 'inmemory',
      DOMAIN_FILTER: 'example.com',
      NODE_OPTIONS,
      // every request is served here, one after the other: memory is what this test measures
      WEBHOOK_REQUEST_DEADLINE_MS: '60000',
    },
    AS_SHIPPED,
  );
  ({ api } = await cli.ready());
}, 30_000);

afterAll(() => {
  cli?.kill();
  zoneCli?.kill();
});

let zoneCli: CliProcess | undefined;

describe('memory under concurrent maximum-size requests', () => {
  it(
    `${CONCURRENT} concurrent bodies of just under ${MAX_BODY_MIB} MiB stay under ${MEMORY_LIMIT_MIB} MiB RSS`,
    { timeout: 240_000 },
    async () => {
      const pid = cli.child.pid as number;
      const base = rssOf(pid).peakMiB;
      const body = adjustBody(MAX_BODY_MIB - 0.5);
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_MIB * 1024 * 1024);
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, () => externalDnsPost(api, '/adjustendpoints', body)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: CONCURRENT }, () => 200));
      // and one byte over the limit is refused before it is read
      const over = await rawRequest(api, {
        method: 'POST',
        path: '/adjustendpoints',
        headers: { 'content-type': MEDIA_TYPE, 'content-length': String(MAX_BODY_MIB * 1024 * 1024 + 1) },
      }).catch(() => ({ status: 500 }));
      expect(over.status).toBe(500);
      const { peakMiB } = rssOf(pid);
      // the figure docs/webhook.md quotes: MiB of peak RSS per MiB of body
      console.log(
        `webhook memory: base ${base.toFixed(0)} MiB, peak ${peakMiB.toFixed(0)} MiB, ` +
          `${((peakMiB - base) / MAX_BODY_MIB).toFixed(1)} MiB RSS per MiB of body`,
      );
      expect(cli.child.exitCode).toBeNull();
      expect(peakMiB).toBeLessThan(MEMORY_LIMIT_MIB);
    },
  );

  it(
    'serving a zone of 100,000 record sets (50,000 records and their markers) to GET /records stays under the limit',
    { timeout: 240_000 },
    async () => {
      zoneCli = spawnCli(
        {
          DNS_PROVIDER: 'inmemory',
          DOMAIN_FILTER: 'example.com',
          NODE_OPTIONS,
          WEBHOOK_REQUEST_DEADLINE_MS: '60000',
        },
        AS_SHIPPED,
      );
      const { api: zoneApi } = await zoneCli.ready();
      const create: object[] = [];
      for (let i = 0; i < 50_000; i++) {
        const name = `host-${i}.apps.example.com`;
        create.push(
          { dnsName: name, recordType: 'A', targets: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`] },
          {
            dnsName: `_externaldns.a.${name}`,
            recordType: 'TXT',
            targets: [
              '"heritage=external-dns,external-dns/owner=openova,external-dns/resource=ingress/default/app"',
            ],
            labels: { ownedRecord: name },
          },
        );
      }
      expect((await externalDnsPost(zoneApi, '/records', JSON.stringify({ create }))).status).toBe(204);
      const pid = zoneCli.child.pid as number;
      const before = rssOf(pid).peakMiB;
      const read = await externalDnsGet(zoneApi, '/records');
      expect(read.status).toBe(200);
      expect((read.json() as unknown[]).length).toBe(100_000);
      const { peakMiB } = rssOf(pid);
      console.log(
        `webhook memory: GET /records of 100,000 record sets (${(read.text.length / 1048576).toFixed(1)} MiB): peak ${peakMiB.toFixed(0)} MiB (${before.toFixed(0)} MiB after loading them)`,
      );
      expect(peakMiB).toBeLessThan(MEMORY_LIMIT_MIB);
    },
  );
});
