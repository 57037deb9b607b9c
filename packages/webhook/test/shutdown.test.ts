// Graceful shutdown: an apply in flight finishes, new connections are refused, the process exits 0.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryProvider, type Changes } from '@openova/dns-core';
import { startPowerDns, type RunningPowerDns } from '@openova/dns-provider-pdns/testing';
import { createWebhookServer } from '@openova/dns-webhook';
import { CLI_BIN, spawnCli } from './support/cli.js';
import { startHoldingProxy, type HoldingProxy } from './support/holdingProxy.js';
import { externalDnsGet, externalDnsPost } from './support/rawHttp.js';

const CREATE = (name: string) =>
  JSON.stringify({ create: [{ dnsName: name, recordType: 'A', targets: ['192.0.2.77'] }] });

describe('WebhookServer.stop()', () => {
  it('lets an apply in flight finish with 204, refuses new connections and fails readiness meanwhile', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    let release!: () => void;
    let started!: () => void;
    const applyStarted = new Promise<void>((resolve) => (started = resolve));
    const slowApply = provider.applyChanges.bind(provider);
    provider.applyChanges = async (changes: Changes) => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return slowApply(changes);
    };
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: { host: '127.0.0.1', port: 0 },
    });
    const { api, health } = await server.start();
    const inFlight = externalDnsPost(api.url, '/records', CREATE('slow.example.com'));
    await applyStarted;
    expect(server.inFlight).toBe(1);

    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 50));
    await expect(externalDnsGet(api.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await externalDnsGet(health?.url ?? '', '/healthz')).status).toBe(503);

    release();
    expect((await inFlight).status).toBe(204);
    await stopped;
    expect((await provider.records()).map((r) => r.dnsName)).toEqual(['slow.example.com']);
    await expect(externalDnsGet(health?.url ?? '', '/livez')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up waiting after shutdownTimeoutMs', async () => {
    const provider = new InMemoryProvider({ zones: ['example.com'] });
    provider.applyChanges = () => new Promise<void>(() => {});
    const server = createWebhookServer({
      provider,
      api: { host: '127.0.0.1', port: 0 },
      health: false,
      shutdownTimeoutMs: 100,
    });
    const { api } = await server.start();
    const hanging = externalDnsPost(api.url, '/records', CREATE('hang.example.com')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await hanging).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('the command on SIGTERM', () => {
  let pdns: RunningPowerDns;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    pdns = await startPowerDns();
    await pdns.client.createZone({ name: 'term.test', kind: 'Native', nameservers: ['ns1.term.test'] });
    proxy = await startHoldingProxy(pdns.apiUrl);
  });

  afterAll(async () => {
    await proxy?.close();
    await pdns?.stop();
  });

  it('finishes the PowerDNS apply in flight, then exits 0', async () => {
    const cli = spawnCli({
      DNS_PROVIDER: 'pdns',
      PDNS_API_URL: proxy.url,
      PDNS_API_KEY: pdns.apiKey,
      DOMAIN_FILTER: 'term.test',
    });
    try {
      const { api } = await cli.ready();
      proxy.holdMs = 1500;
      const patchSeen = proxy.nextPatch();
      const apply = externalDnsPost(api, '/records', CREATE('inflight.term.test'));
      await patchSeen;
      cli.child.kill('SIGTERM');
      const answer = await apply;
      expect(answer.status).toBe(204);
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      const zone = await pdns.client.getZone('term.test.');
      expect(zone.rrsets?.find((r) => r.name === 'inflight.term.test.')?.records[0]?.content).toBe(
        '192.0.2.77',
      );
      const messages = cli.logs().map((l) => l['msg']);
      expect(messages.indexOf('signal received, finishing requests in flight')).toBeLessThan(
        messages.indexOf('stopped'),
      );
      expect(cli.stdout()).not.toContain(pdns.apiKey);
    } finally {
      cli.kill();
    }
  });
});

/**
 * The bin laid out as in a clone that was never built (no `dist/` beside it), whatever this
 * checkout holds: it runs the sources in a child process.
 */
function binFromSource(): string {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const dir = `${packageDir}.tmp/bin-from-source`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/bin`, { recursive: true });
  copyFileSync(CLI_BIN, `${dir}/bin/openova-dns-webhook.js`);
  symlinkSync(`${packageDir}src`, `${dir}/src`);
  return `${dir}/bin/openova-dns-webhook.js`;
}

describe('the bin from source on one SIGTERM to its process group', () => {
  it('shuts down once, lets the request in flight finish and exits 0', async () => {
    const bin = binFromSource();
    // its own process group, as a container's or a terminal's: the signal reaches the bin and its child
    const group = spawn(process.execPath, [bin], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        DNS_PROVIDER: 'inmemory',
        DOMAIN_FILTER: 'example.com',
        WEBHOOK_PORT: '0',
        HEALTH_PORT: '0',
        HEALTH_HOST: '127.0.0.1',
      },
    });
    let out = '';
    group.stdout.on('data', (c: Buffer) => (out += c.toString()));
    group.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      group.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const logs = () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      await expect
        .poll(() => logs().find((l) => l['msg'] === 'webhook server listening'), { timeout: 20_000 })
        .toBeDefined();
      const api = new URL(String(logs().find((l) => l['msg'] === 'webhook server listening')?.['api']));
      // a request in flight while the signal arrives: its body comes slowly
      const body = JSON.stringify({
        create: [{ dnsName: 'late.example.com', recordType: 'A', targets: ['192.0.2.9'] }],
      });
      const socket = connect(Number(api.port), api.hostname);
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `POST /records HTTP/1.1\r\nHost: ${api.host}\r\nContent-Type: application/external.dns.webhook+json;version=1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      process.kill(-(group.pid as number), 'SIGTERM');
      // both the bin and its child have the signal by now; the child waits for the request
      await new Promise((r) => setTimeout(r, 700));
      socket.end(body.slice(10));
      await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 204 /);
      expect(await exited).toEqual({ code: 0, signal: null });
      const messages = logs().map((l) => l['msg']);
      expect(messages.filter((m) => m === 'signal received, finishing requests in flight')).toHaveLength(1);
      expect(messages.filter((m) => m === 'shutting down')).toHaveLength(1);
      expect(messages.filter((m) => m === 'stopped')).toHaveLength(1);
      expect(messages).not.toContain('second signal: exiting without waiting');
      expect(messages).not.toContain('shutdown failed');
    } finally {
      if (group.exitCode === null && group.pid) process.kill(-group.pid, 'SIGKILL');
    }
  });

  it('a signal to the bin alone is passed on: one shutdown, exit 0', async () => {
    const bin = binFromSource();
    const cli = spawnCli(
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' },
      { bin: true, path: bin },
    );
    try {
      const { api } = await cli.ready();
      expect((await externalDnsGet(api, '/')).status).toBe(200);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      const messages = cli.logs().map((l) => l['msg']);
      expect(messages.filter((m) => m === 'signal received, finishing requests in flight')).toHaveLength(1);
      expect(messages.filter((m) => m === 'stopped')).toHaveLength(1);
    } finally {
      cli.kill();
    }
  });

  it('a second signal to the bin, while a request holds the shutdown, exits at once (1)', async () => {
    const bin = binFromSource();
    const cli = spawnCli(
      { DNS_PROVIDER: 'inmemory', DOMAIN_FILTER: 'example.com' },
      { bin: true, path: bin },
    );
    try {
      const { api } = await cli.ready();
      const url = new URL(api);
      // a request whose body never completes holds the graceful shutdown
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `POST /records HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/external.dns.webhook+json;version=1\r\nContent-Length: 100\r\n\r\n{`,
      );
      await new Promise((r) => setTimeout(r, 300));
      cli.child.kill('SIGTERM');
      await expect
        .poll(() => cli.logs().map((l) => l['msg']), { timeout: 10_000 })
        .toContain('signal received, finishing requests in flight');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 1, signal: null });
      expect(cli.logs().map((l) => l['msg'])).toContain('second signal: exiting without waiting');
      socket.destroy();
    } finally {
      cli.kill();
    }
  });
});
