// The sidecar image can't be built here (no Docker engine), so this test checks the Dockerfile's
// promises and then does what its build stage does — `pnpm deploy --prod` of the built package —
// and runs the result the way the image's ENTRYPOINT does: a production install, no dev tools.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(join(root, 'packages/webhook/Dockerfile'), 'utf8');
const out = mkdtempSync(join(tmpdir(), 'webhook-deploy-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('webhook Dockerfile', () => {
  it('runs Node.js 22 slim (pinned by digest) as a numeric non-root user with the command as entry point', () => {
    const stages = dockerfile.match(/^FROM .*$/gm) ?? [];
    expect(stages.every((line) => /^FROM node:22-slim@sha256:[0-9a-f]{64}( AS \w+)?$/.test(line))).toBe(true);
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(dockerfile);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/openova-dns-webhook\.js"\]$/m);
  });

  it('deploys as a production install that starts, serves and stops on SIGTERM', async () => {
    const pnpm = (args: string[]) =>
      execFileSync('pnpm', args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    if (!existsSync(join(root, 'packages/webhook/dist/index.js')))
      pnpm(['--filter', '@openova/dns-webhook...', 'run', 'build']);
    pnpm(['--filter', '@openova/dns-webhook', 'deploy', '--prod', join(out, 'app')]);
    expect(existsSync(join(out, 'app/node_modules/tsx'))).toBe(false); // no dev tools in the image

    const [api, health] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(out, 'app/bin/openova-dns-webhook.js')], {
      cwd: out,
      env: {
        PATH: process.env['PATH'],
        DNS_PROVIDER: 'inmemory',
        DOMAIN_FILTER: 'example.com',
        WEBHOOK_PORT: String(api),
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(health),
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${health}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(true);
      const negotiation = await fetch(`http://127.0.0.1:${api}/`, {
        headers: { accept: 'application/external.dns.webhook+json;version=1' },
      });
      expect(negotiation.headers.get('content-type')).toBe('application/external.dns.webhook+json;version=1');
      expect(await negotiation.json()).toEqual({ include: ['example.com'] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
