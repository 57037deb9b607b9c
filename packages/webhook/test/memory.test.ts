// Bounded memory: the command, run as a child process with the heap size of the documented
// Deployment, keeps its peak resident set (VmHWM) under the documented memory limit while
// concurrent maximum-size requests arrive. The work gate reads and parses one body at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adjustBody, rssOf } from './support/memory.js';
import { externalDnsPost, MEDIA_TYPE, rawRequest } from './support/rawHttp.js';
import { spawnCli, type CliProcess } from './support/cli.js';

/** The documented container memory limit (deploy/ and docs/webhook.md, sizing). */
const MEMORY_LIMIT_MIB = 512;
/** The documented heap limit for that container (`NODE_OPTIONS`). */
const NODE_OPTIONS = '--max-old-space-size=320';
const MAX_BODY_MIB = 32;
const CONCURRENT = 3;

let cli: CliProcess;
let api: string;

beforeAll(async () => {
  cli = spawnCli({
    DNS_PROVIDER: 'inmemory',
    DOMAIN_FILTER: 'example.com',
    NODE_OPTIONS,
    // every request is served here, one after the other: memory is what this test measures
    WEBHOOK_REQUEST_DEADLINE_MS: '60000',
  });
  ({ api } = await cli.ready());
}, 30_000);

afterAll(() => cli?.kill());

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
      }).catch(() => ({ status: 413 }));
      expect(over.status).toBe(413);
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
});
